"""What pages are made with: the Jinja environment, its filters and the page helpers (meta, pagination,
facets, related offers) that plan.py puts into the pages' contexts."""

from __future__ import annotations

import datetime
import hashlib
import heapq
import itertools
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

import jinja2
import rjsmin

from . import hyphenation
from .memory import Memory
from .models import FACETS, Offer, Site

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
ASSETS = TEMPLATES / "assets"
MONTHS = ["Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September", "Oktober",
          "November", "Dezember"]


def date_de(value: datetime.date) -> str:
    return f"{value.day}. {MONTHS[value.month - 1]} {value.year}"


def labels(terms: Any) -> str:
    return ", ".join(t.label for t in terms)


def minified_script(data: bytes) -> bytes:
    """ES5 without comments and needless whitespace (rjsmin); /*! … */ licence comments stay."""
    return rjsmin.jsmin(data.decode("utf-8"), keep_bang_comments=True).encode("utf-8")


# Scripts a page loads as one file, in this order. Every request costs a slow PC's main thread some milliseconds
# while it lays out the page: one file instead of four made a first search at 10,000 offers 0–6 % faster, never
# clearly slower (docs/performance.md). On the list page search.js comes first, so a page opened with a search
# starts on lunr and the query's files before list.js runs. A part that throws at its start stops the parts after
# it, which leaves the page as it is without JavaScript (it works). The parts stay published too (an offer page
# loads merken.js alone).
SCRIPT_BUNDLES = {"seite-angebote.js": ("search.js", "daten.js", "merken.js", "list.js"),
                  "seite-merkliste.js": ("daten.js", "merken.js", "merkliste.js")}


def _published(name: str, data: bytes) -> tuple[str, bytes]:
    stem, dot, suffix = name.rpartition(".")
    digest = hashlib.sha256(data).hexdigest()[:10]
    return (f"assets/{stem}.{digest}.{suffix}" if dot else f"assets/{name}.{digest}", data)


def fingerprinted_assets() -> dict[str, tuple[str, bytes]]:
    """templates/assets/<name>, and each of SCRIPT_BUNDLES -> (published path with a content hash, bytes). A
    changed file gets a new URL, so hosts may cache assets/ for a year while a visitor never sees a stale
    stylesheet or script."""
    assets = {}
    for file in sorted(ASSETS.rglob("*")):
        if file.is_file():
            data = file.read_bytes()
            name = file.relative_to(ASSETS).as_posix()
            if name.endswith(".js"):  # a third less on the wire: the comments explain, the browser needs none
                data = minified_script(data)
            assets[name] = _published(name, data)
    for name, parts in SCRIPT_BUNDLES.items():
        # Each part is a whole statement; the ";" keeps one that lacks its last semicolon apart from the next.
        assets[name] = _published(name, b";\n".join(assets[part][1] for part in parts))
    return assets


def scrollable_tables(html: str) -> str:
    """Wide tables scroll inside their own keyboard-focusable region (WCAG 1.4.10 allows that for tables),
    so the page itself never scrolls sideways on a phone."""
    count = iter(range(1, 10_000))
    return re.sub(r"<table>", lambda _: f'<section class="table-scroll" tabindex="0" '
                  f'aria-label="Tabelle {next(count)}, seitlich scrollbar"><table>', html).replace(
                      "</table>", "</table></section>")


def environment(base_path: str, assets: dict[str, tuple[str, bytes]] | None = None) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,  # every template is HTML; values from YAML are always escaped
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,  # one build renders thousands of pages; templates do not change during it
    )
    env.filters["date_de"] = date_de
    env.filters["labels"] = labels
    env.filters["hyphenate"] = hyphenation.hyphenate  # titles, labels, names: display only
    # Root-relative URLs that include the base path, so a site under /praevention/ links correctly.
    env.globals["url"] = lambda path="": base_path + path
    published = {name: path for name, (path, _) in (assets or {}).items()}
    env.globals["asset"] = lambda name: base_path + published[name]  # KeyError: no such file in assets/
    return env


class _Compiled:
    """A Jinja environment with its compiled templates, for this process only: a memory saved to disk keeps
    none (its loader and caches cannot be pickled), and a loaded one compiles the templates anew."""

    def __init__(self, env: jinja2.Environment | None) -> None:
        self.env = env

    def __reduce__(self) -> tuple[type, tuple[None]]:
        return _Compiled, (None,)


def environment_for(site_key: str, base_path: str, assets: dict[str, tuple[str, bytes]],
                    memory: Memory | None) -> jinja2.Environment:
    """The last build's environment, with its compiled templates (0.12 s at every build), while nothing it
    is made of changed: `site_key` covers the templates' bytes and the settings."""
    key = ("jinja-environment", site_key, str(TEMPLATES), base_path, tuple(path for path, _ in assets.values()))
    compiled = memory.get(key) if memory is not None else None
    if compiled is None or compiled.env is None:
        compiled = _Compiled(environment(base_path, assets))
        if memory is not None:
            memory.put(key, compiled)
    return compiled.env


class Meta(NamedTuple):
    """What every page's layout needs: its title, description and own path (for canonical links). A named
    tuple, like File: a rebuild makes and compares 11,000 of each (a frozen dataclass costs twice the time
    to make and compares in Python)."""

    title: str
    description: str
    path: str  # relative to the base path, "" for the start page


PAGE_SIZE = 24  # cards per page of the list without JavaScript: one screenful of work on a slow school PC


@dataclass(frozen=True)
class Pager:
    """One page of a paginated card list; `pages` holds every page's path for the navigation."""

    number: int
    pages: tuple[str, ...]
    items: tuple[Offer, ...]
    first_index: int  # 1-based position of the first card, for "Angebote 25–48 von 60"
    total: int

    @property
    def previous(self) -> str | None:
        return self.pages[self.number - 2] if self.number > 1 else None

    @property
    def next(self) -> str | None:
        return self.pages[self.number] if self.number < len(self.pages) else None

    @property
    def links(self) -> list[tuple[int, str] | None]:
        """(number, path) of the pages the navigation names, None for a gap: every page of a list of up to
        seven, else the first, the last and two on either side of this one. A list of 400 pages then gets 9
        links instead of 400 on each page, which a screen reader user can take in, and the build stays
        linear in the number of offers."""
        count = len(self.pages)
        if count <= 7:
            return list(enumerate(self.pages, start=1))
        shown = sorted({1, count, *range(max(1, self.number - 2), min(count, self.number + 2) + 1)})
        links: list[tuple[int, str] | None] = []
        for n in shown:
            if links and links[-1] is not None and n - links[-1][0] == 2:
                links.append((n - 1, self.pages[n - 2]))  # a gap of one page: name it rather than "…"
            elif links and links[-1] is not None and n - links[-1][0] > 2:
                links.append(None)
            links.append((n, self.pages[n - 1]))
        return links


def paginate(offers: list[Offer], base: str) -> list[Pager]:
    """Pages `base`, `base`seite/2/, … so that every offer is reachable by links alone."""
    chunks = [offers[i:i + PAGE_SIZE] for i in range(0, len(offers), PAGE_SIZE)] or [[]]
    paths = tuple(base if n == 1 else f"{base}seite/{n}/" for n in range(1, len(chunks) + 1))
    return [Pager(n, paths, tuple(chunk), (n - 1) * PAGE_SIZE + 1, len(offers))
            for n, chunk in enumerate(chunks, start=1)]


class Filter(NamedTuple):
    """A facet as the list page shows it: `FACETS`' parameter and key, its name, its terms and per term key the
    number of offers with it (the count beside each checkbox before anything is chosen)."""

    param: str
    key: str
    label: str
    terms: tuple[Any, ...]
    counts: dict[str, int]
    in_query: bool = False


def facets(site: Site) -> list[Filter]:
    """The list page's facets with their counts for the whole list, so they are right before list.js has any
    data: it loads the filter file only when a filter or the search is first used."""
    filters = []
    for f in FACETS:
        vocabulary = site.vocabularies[f.vocabulary]
        counts = dict.fromkeys(vocabulary.terms, 0)
        for offer in site.offers:
            for term in getattr(offer, f.vocabulary):  # each vocabulary name is also the Offer attribute
                counts[term.key] += 1
        filters.append(Filter(f.param, f.key, vocabulary.filter_label, tuple(vocabulary.terms.values()), counts,
                              f.in_query))
    return filters


GRADES = range(1, 14)  # the grade filter's options: the schema's grades 1–13


def grade_counts(site: Site) -> dict[int, int]:
    """Per grade the number of offers whose grade range includes it, for the grade filter's options."""
    counts = dict.fromkeys(GRADES, 0)
    for offer in site.offers:
        if offer.grades:
            for grade in range(offer.grades.low, offer.grades.high + 1):
                counts[grade] += 1
    return counts


RELATED = 4


def related_offers(offers: list[Offer]) -> dict[str, list[Offer]]:
    """Per offer up to four others sharing a prevention area: most shared areas first, then in list order.
    Offers are grouped by their set of areas (there are few distinct sets), so the work grows linearly with
    the number of offers instead of comparing every offer with every other."""
    position = {o.slug: i for i, o in enumerate(offers)}
    areas_of = [frozenset(t.key for t in o.prevention_areas) for o in offers]
    groups: dict[frozenset[str], list[Offer]] = {}
    for o, areas in zip(offers, areas_of, strict=True):
        groups.setdefault(areas, []).append(o)
    best: dict[frozenset[str], list[Offer]] = {}
    for areas in groups:
        by_score: dict[int, list[list[Offer]]] = {}
        for other, members in groups.items():
            if shared := len(areas & other):
                by_score.setdefault(shared, []).append(members)
        picked: list[Offer] = []
        for score in sorted(by_score, reverse=True):  # the offer itself can only be in the first level
            merged = heapq.merge(*by_score[score], key=lambda o: position[o.slug])
            picked += itertools.islice(merged, RELATED + 1)
            if len(picked) > RELATED:
                break
        best[areas] = picked
    return {o.slug: [r for r in best[areas] if r is not o][:RELATED] for o, areas in zip(offers, areas_of, strict=True)}
