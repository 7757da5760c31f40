"""Editors' Markdown -> HTML that is safe to publish: raw HTML and unsafe links are removed."""

from __future__ import annotations

import re

import nh3
from markdown_it import MarkdownIt

from .memory import Memory, digest

# CommonMark plus tables: what GitHub's preview shows editors while they edit a file, and measured 1.5x
# faster than Python-Markdown on our offers (docs/performance.md). Raw HTML is passed on (html=True) only
# so that nh3 (ammonia) removes it by the same allowlist as before; nh3 also drops unsafe link schemes.
# No attribute syntax is enabled: it would let editors attach event handlers such as onclick.
_MD = MarkdownIt("commonmark", {"html": True}).enable("table")
_TAGS = {"p", "br", "strong", "em", "ul", "ol", "li", "a", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote",
         "code", "pre", "hr", "table", "thead", "tbody", "tr", "th", "td"}
_ATTRIBUTES = {"a": {"href", "title"}, "th": {"align"}, "td": {"align"}, "ol": {"start"}}
_SCHEMES = {"https", "mailto", "tel"}
_HEADING = re.compile(r"<(/?)h([1-6])>")


def _cell(renderer, tokens, idx, options, env):  # type: ignore[no-untyped-def]
    """Column alignment as align="…" (allowed by the sanitizer) instead of a style attribute (removed)."""
    token = tokens[idx]
    style = token.attrs.pop("style", None)
    if isinstance(style, str) and style.startswith("text-align:"):
        token.attrs["align"] = style.split(":", 1)[1]
    return renderer.renderToken(tokens, idx, options, env)


_MD.add_render_rule("th_open", _cell)
_MD.add_render_rule("td_open", _cell)


def render(text: str, heading_offset: int = 0, memory: Memory | None = None) -> str:
    """`heading_offset` moves editors' headings down to fit the page around them: an offer's description
    sits under an h2, so its "## Ablauf" must become an h3 to keep the outline without gaps. A text rendered
    before comes from `memory` (under `key`): the live preview re-renders only what changed."""
    if memory is None:
        return to_html(text, heading_offset)
    where = key(text, heading_offset)  # hashes the text: once per call
    html = memory.get(where)
    if html is None:
        html = to_html(text, heading_offset)
        memory.put(where, html)
    return html


def key(text: str, heading_offset: int) -> tuple[str, str, int]:
    """Where a memory keeps the HTML of `text`: by its hash, whichever file it came from."""
    return ("markdown", digest(text.encode()), heading_offset)


def to_html(text: str, heading_offset: int = 0) -> str:
    html = _MD.render(text).rstrip("\n")  # like Python-Markdown before: no newline after the last block
    if heading_offset:
        html = _HEADING.sub(lambda m: f"<{m.group(1)}h{min(int(m.group(2)) + heading_offset, 6)}>", html)
    return nh3.clean(html, tags=_TAGS, attributes=_ATTRIBUTES, url_schemes=_SCHEMES,
                     link_rel="noopener noreferrer")
