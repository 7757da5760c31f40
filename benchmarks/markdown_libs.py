#!/usr/bin/env python3
"""Markdown libraries compared on our content: `python benchmarks/markdown_libs.py [--offers N] [--show]`.

For Python-Markdown (the original choice), markdown-it-py and mistune, each configured like
offerdb/markdown.py (tables, HTML passed to nh3 with the same allowlist):
  - time to convert N generated offer bodies, Markdown alone and Markdown + nh3;
  - equivalence: every body of the shipped content (offers, partners, pages), of the test fixtures, the
    editors' field guide and the generated bodies, rendered by each library and compared with
    Python-Markdown after normalising the HTML (tag structure, attributes, text with whitespace collapsed).
Libraries that are not installed are skipped; install them with `pip install --target DIR` and put DIR on
PYTHONPATH to compare without touching the project's environment.
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path

import markdown as pymarkdown
import nh3

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

from offerdb import markdown as ours  # noqa: E402  (needs ROOT on sys.path)


def _clean(html: str) -> str:
    return nh3.clean(html, tags=ours._TAGS, attributes=ours._ATTRIBUTES, url_schemes=ours._SCHEMES,
                     link_rel="noopener noreferrer")


def shift(html: str, heading_offset: int) -> str:
    """offerdb.markdown's heading shift, for renderers compared outside it."""
    if not heading_offset:
        return html
    return ours._HEADING.sub(lambda m: f"<{m.group(1)}h{min(int(m.group(2)) + heading_offset, 6)}>", html)


def python_markdown() -> Callable[[str], str]:
    md = pymarkdown.Markdown(extensions=["tables", "sane_lists"], output_format="html")

    def convert(text: str) -> str:
        md.reset()
        return md.convert(text)
    return convert


def markdown_it() -> Callable[[str], str]:
    """The parser offerdb/markdown.py uses (a project dependency), configured there once."""
    return ours._MD.render


def mistune_() -> Callable[[str], str] | None:
    try:
        import mistune
    except ImportError:
        return None
    return mistune.create_markdown(escape=False, plugins=["table"])


def python_markdown_per_call() -> Callable[[str], str]:
    """How offerdb/markdown.py called it before: a new Markdown object (and its extensions) per text."""
    return lambda text: pymarkdown.markdown(text, extensions=["tables", "sane_lists"], output_format="html")


LIBRARIES = {"python-markdown, new object per call": python_markdown_per_call,
             "python-markdown": python_markdown, "markdown-it-py": markdown_it, "mistune": mistune_}


class _Normal(HTMLParser):
    """HTML as a list of (start tag + sorted attributes | end tag | text) with whitespace collapsed."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.items: list[str] = []
        self.text = ""

    def _flush(self) -> None:
        text = re.sub(r"\s+", " ", self.text).strip()
        if text:
            self.items.append(text)
        self.text = ""

    def handle_starttag(self, tag, attrs):
        self._flush()
        self.items.append(f"<{tag} {sorted(attrs)}>")

    def handle_endtag(self, tag):
        self._flush()
        self.items.append(f"</{tag}>")

    def handle_data(self, data):
        self.text += data


def normalise(html: str) -> list[str]:
    parser = _Normal()
    parser.feed(html)
    parser.close()
    parser._flush()
    return parser.items


def corpus(offers: int) -> list[tuple[str, str]]:
    """(name, Markdown) of everything the site renders as Markdown, plus generated offers."""
    from offerdb import fieldguide
    from offerdb.loading import load_content

    items: list[tuple[str, str]] = []
    for folder in [ROOT / "content", *sorted((ROOT / "tests" / "fixtures").glob("*/content"))]:
        if not (folder / "offers").is_dir():
            continue
        content = load_content(folder)
        for documents in content.documents.values():
            items += [(f"{folder.relative_to(ROOT)}:{d.file}", d.body) for d in documents]
    vocabularies = fieldguide.load_vocabularies(ROOT / "content")
    if vocabularies is not None:
        items.append(("fieldguide", fieldguide.markdown(vocabularies)))
    if offers:
        sys.path.insert(0, str(HERE))
        import generate

        keys = generate._vocab_keys()
        partners = [generate.partner_file(j)[0] for j in range(generate.partner_count(offers))]
        for i in range(offers):
            slug, text = generate.offer_file(i, partners, keys)
            items.append((f"generated/{slug}", text.split("\n---\n", 1)[1]))
    return items


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--offers", type=int, default=1000, help="generated bodies to time (default 1000)")
    parser.add_argument("--show", action="store_true", help="print every difference")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(HERE))
    import generate

    keys = generate._vocab_keys()
    partners = [generate.partner_file(j)[0] for j in range(generate.partner_count(args.offers))]
    bodies = [generate.offer_file(i, partners, keys)[1].split("\n---\n", 1)[1] for i in range(args.offers)]
    items = corpus(min(args.offers, 1000))
    reference = {name: normalise(_clean(python_markdown()(text))) for name, text in items}
    print(f"{args.offers} generated bodies, {sum(len(b.split()) for b in bodies) / len(bodies):.0f} words each; "
          f"equivalence over {len(items)} documents")
    print(f"{'library':36} {'markdown s':>10} {'+ nh3 s':>8}  equal to Python-Markdown")
    for name, factory in LIBRARIES.items():
        convert = factory()
        if convert is None:
            print(f"{name:36} not installed")
            continue
        started = time.perf_counter()
        html = [convert(b) for b in bodies]
        middle = time.perf_counter()
        for h in html:
            _clean(h)
        ended = time.perf_counter()
        different = [n for n, text in items if normalise(_clean(convert(text))) != reference[n]]
        print(f"{name:36} {middle - started:10.2f} {ended - started:8.2f}  "
              f"{len(items) - len(different)}/{len(items)}")
        if args.show:
            for n in different:
                text = dict(items)[n]
                mine, theirs = normalise(_clean(convert(text))), reference[n]
                first = next(i for i, (a, b) in enumerate(zip(mine, theirs, strict=False)) if a != b) \
                    if any(a != b for a, b in zip(mine, theirs, strict=False)) else min(len(mine), len(theirs))
                print(f"    {n}: at item {first}: {mine[first - 2:first + 3]} != {theirs[first - 2:first + 3]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
