"""Editors' Markdown -> HTML that is safe to publish: raw HTML and unsafe links are removed."""

from __future__ import annotations

import re

import markdown as _markdown
import nh3

# Python-Markdown passes raw HTML and javascript: links through; nh3 (ammonia) removes them by allowlist.
# attr_list is deliberately not enabled: it lets editors attach event handlers such as onclick.
_EXTENSIONS = ["tables", "sane_lists"]
_TAGS = {"p", "br", "strong", "em", "ul", "ol", "li", "a", "h2", "h3", "h4", "h5", "h6", "blockquote",
         "code", "pre", "hr", "table", "thead", "tbody", "tr", "th", "td"}
_ATTRIBUTES = {"a": {"href", "title"}, "th": {"align"}, "td": {"align"}, "ol": {"start"}}
_SCHEMES = {"https", "mailto", "tel"}
_HEADING = re.compile(r"<(/?)h([1-5])>")


def render(text: str) -> str:
    html = _markdown.markdown(text, extensions=_EXTENSIONS, output_format="html")
    # The page title is the only h1: shift editors' headings one level down.
    html = _HEADING.sub(lambda m: f"<{m.group(1)}h{int(m.group(2)) + 1}>", html)
    return nh3.clean(html, tags=_TAGS, attributes=_ATTRIBUTES, url_schemes=_SCHEMES,
                     link_rel="noopener noreferrer")
