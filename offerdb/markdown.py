"""Editors' Markdown -> HTML that is safe to publish: raw HTML and unsafe links are removed."""

from __future__ import annotations

import re

import markdown as _markdown
import nh3

# Python-Markdown passes raw HTML and javascript: links through; nh3 (ammonia) removes them by allowlist.
# attr_list is deliberately not enabled: it lets editors attach event handlers such as onclick.
_EXTENSIONS = ["tables", "sane_lists"]
_TAGS = {"p", "br", "strong", "em", "ul", "ol", "li", "a", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote",
         "code", "pre", "hr", "table", "thead", "tbody", "tr", "th", "td"}
_ATTRIBUTES = {"a": {"href", "title"}, "th": {"align"}, "td": {"align"}, "ol": {"start"}}
_SCHEMES = {"https", "mailto", "tel"}
_HEADING = re.compile(r"<(/?)h([1-6])>")


def render(text: str, heading_offset: int = 0) -> str:
    """`heading_offset` moves editors' headings down to fit the page around them: an offer's description
    sits under an h2, so its "## Ablauf" must become an h3 to keep the outline without gaps."""
    html = _markdown.markdown(text, extensions=_EXTENSIONS, output_format="html")
    if heading_offset:
        html = _HEADING.sub(lambda m: f"<{m.group(1)}h{min(int(m.group(2)) + heading_offset, 6)}>", html)
    return nh3.clean(html, tags=_TAGS, attributes=_ATTRIBUTES, url_schemes=_SCHEMES,
                     link_rel="noopener noreferrer")
