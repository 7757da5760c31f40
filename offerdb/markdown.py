"""Editors' Markdown -> HTML that is safe to publish: raw HTML and unsafe links are removed."""

from __future__ import annotations

import multiprocessing
import os
import re
from collections.abc import Iterable
from concurrent.futures import ProcessPoolExecutor

import nh3
from markdown_it import MarkdownIt

from . import parallel
from .loading import read_body
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
    before comes from `memory`: the live preview re-renders only what changed."""
    if memory is None:
        return _render(text, heading_offset)
    key = _key(text, heading_offset)
    html = memory.get(key)
    if html is None:
        html = _render(text, heading_offset)
        memory.put(key, html)
    return html


def _key(text: str, heading_offset: int) -> tuple[str, str, int]:
    return ("markdown", digest(text.encode()), heading_offset)


def _render(text: str, heading_offset: int) -> str:
    html = _MD.render(text).rstrip("\n")  # like Python-Markdown before: no newline after the last block
    if heading_offset:
        html = _HEADING.sub(lambda m: f"<{m.group(1)}h{min(int(m.group(2)) + heading_offset, 6)}>", html)
    return nh3.clean(html, tags=_TAGS, attributes=_ATTRIBUTES, url_schemes=_SCHEMES,
                     link_rel="noopener noreferrer")


# Below this many texts a second process costs more than it saves (start-up ~0.1 s, docs/performance.md).
PARALLEL_MIN_TEXTS = 400


def _render_chunk(items: list[tuple[str, int]]) -> list[str]:
    return [_render(text, offset) for text, offset in items]


def prerender(items: Iterable[tuple[str, int]], memory: Memory, workers: int | None = None) -> None:
    """Render many (text, heading_offset) pairs into `memory` using every core, so the `render` calls that
    follow are hits. Texts already in it are skipped; the output is the same as `render`'s."""
    todo: dict[tuple[str, str, int], tuple[str, int]] = {}
    for text, offset in items:
        key = _key(text, offset)
        if memory.get(key) is None:
            todo[key] = (text, offset)
    workers = workers or os.cpu_count() or 1
    if workers < 2 or len(todo) < PARALLEL_MIN_TEXTS or not parallel.can_fork():
        for key, (text, offset) in todo.items():
            memory.put(key, _render(text, offset))
        return
    keys, pairs = list(todo), list(todo.values())
    size = -(-len(pairs) // (workers * 4))  # a few chunks per worker, so an uneven chunk does not idle a core
    chunks = [pairs[i:i + size] for i in range(0, len(pairs), size)]
    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork")) as pool:
        results = [html for chunk in pool.map(_render_chunk, chunks) for html in chunk]
    for key, html in zip(keys, results, strict=True):
        memory.put(key, html)


class Ahead:
    """The Markdown of many content files rendered on the second core while this process is still loading
    and validating them (which needs one core for about as long as the Markdown of every body takes on one
    core): `Ahead(files)` forks a child that reads each (path, heading_offset) file's body and renders it;
    `finish(memory)` then renders in this process what the child has not started yet, collects the child's
    results and puts everything into `memory`, so the build's `render` calls are hits. Both processes take
    files from one shared counter. A body is read and keyed exactly as the loader and `render` do, so a file
    that changes meanwhile only costs a cache miss. Use it only for a cold build of many files, where
    `parallel.can_fork()`; `cancel()` when no build follows."""

    def __init__(self, files: list[tuple[str, int]]) -> None:
        self._files = files
        self._shares = parallel.Shares(len(files))
        self._job: parallel.Job | None = parallel.Job(self._take, fork=True)

    def _take(self) -> list[tuple[tuple[str, str, int], str]]:
        done = []
        for i in self._shares:
            path, offset = self._files[i]
            text = read_body(path)
            if text is not None:
                done.append((_key(text, offset), _render(text, offset)))
        return done

    def finish(self, memory: Memory) -> None:
        if self._job is None:
            return
        mine = self._take()
        job, self._job = self._job, None
        for key, html in [*mine, *job.result()]:
            memory.put(key, html)

    def cancel(self) -> None:
        if self._job is not None:
            self._job.cancel()
            self._job = None

    __del__ = cancel  # a child nobody will read from would wait on its pipe for as long as this process runs
