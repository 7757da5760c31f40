"""HTML pages from the site model: the Jinja environment, the list of pages and their contexts."""

from __future__ import annotations

import datetime
import hashlib
import heapq
import itertools
import operator
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

import jinja2

from . import exports, fieldguide, hyphenation, markdown, metadata
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


def fingerprinted_assets() -> dict[str, tuple[str, bytes]]:
    """templates/assets/<name> -> (published path with a content hash, bytes). A changed file gets a new
    URL, so hosts may cache assets/ for a year while a visitor never sees a stale stylesheet or script."""
    assets = {}
    for file in sorted(ASSETS.rglob("*")):
        if file.is_file():
            data = file.read_bytes()
            name = file.relative_to(ASSETS).as_posix()
            stem, dot, suffix = name.rpartition(".")
            digest = hashlib.sha256(data).hexdigest()[:10]
            assets[name] = (f"assets/{stem}.{digest}.{suffix}" if dot else f"assets/{name}.{digest}", data)
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


def _environment(site_key: str, base_path: str, assets: dict[str, tuple[str, bytes]],
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


class File(NamedTuple):
    """A published file: its path, how to make its bytes, and for pages that depend on a few content files
    a key that changes whenever their bytes may change (None: make it every time)."""

    path: str
    make: Callable[[], bytes | list[bytes]]  # a list: parts to write one after another (output.Staging.add)
    key: tuple[Any, ...] | None = None
    # Made from per-offer pieces kept between builds (exports.Pieces): the process that keeps them must make it.
    pieces: bool = False


CODE = Path(__file__).resolve().parent


def global_key(site: Site) -> str:
    """What every page depends on besides its own content files: templates and assets, the program and its
    schemas, site.yaml, the vocabularies, the help contacts and the day of the build (seals expire). A few
    hundred kilobytes to hash, once per build."""
    parts = [repr(site.settings).encode(), site.today.isoformat().encode(), repr(site.vocabulary_data).encode(),
             repr(site.help).encode()]  # the help contacts: shown on /hilfe/, theme and offer pages
    for folder in (TEMPLATES, CODE):
        for file in sorted(folder.rglob("*")):
            if file.is_file() and "__pycache__" not in file.parts:
                parts += [file.relative_to(folder).as_posix().encode(), file.read_bytes()]
    return hashlib.blake2b(b"\0".join(parts), digest_size=16).hexdigest()


_SOURCES = operator.attrgetter("source", "partner.source")


def _sources(offers: Any) -> tuple[tuple[str, str], ...]:
    """The file hashes a list of cards shows: each offer's and its partner's (map runs in C: 11,000 calls)."""
    return tuple(map(_SOURCES, offers))


def site_files(site: Site, memory: Memory | None = None) -> list[File]:
    """Every page and file of the site except the search index, in a fixed order, each made only when
    asked for: so two processes can share the work (pipeline.build), a page whose key is unchanged can be
    taken from the last build, and a build never holds every page in memory. From `memory`: the compiled
    templates and each offer's part of the whole-site data files (exports.Pieces)."""
    assets = fingerprinted_assets()
    site_key = global_key(site)
    env = _environment(site_key, site.settings.base_path, assets, memory)
    pieces = exports.Pieces.of(memory)
    files: list[File] = []
    html_pages: list[str] = []  # for the sitemap

    def page(path: str, template: str, meta: Meta, later: Callable[[], dict[str, Any]] | None = None,
             key: tuple[Any, ...] | None = None, **context: Any) -> None:
        """`later` gives context that is costly to compute: it runs in whichever process renders the page.
        `key` names every content file the page shows something of (with the site key and `meta`)."""
        def make() -> bytes:
            extra = later() if later else {}
            return env.get_template(template).render(site=site, meta=meta, **context, **extra).encode("utf-8")

        file = path + "index.html" if path.endswith("/") or path == "" else path
        files.append(File(file, make, None if key is None else (site_key, template, meta, *key)))
        if file not in ("404.html", "merkliste/index.html"):
            html_pages.append(path)

    def data(path: str, make: Callable[[], bytes], from_pieces: bool = False,
             key: tuple[Any, ...] | None = None) -> None:
        files.append(File(path, make, key, pieces=from_pieces))

    areas = list(site.vocabularies["prevention_areas"].terms.values())
    by_area: dict[str, list[Offer]] = {term.key: [] for term in areas}
    for offer in site.offers:  # in list order, as the theme pages show them
        for term in offer.prevention_areas:
            by_area[term.key].append(offer)
    free = sum(1 for o in site.offers if o.cost.free)
    area_counts = tuple(len(by_area[term.key]) for term in areas)

    data("daten/angebote.json", lambda: exports.open_data_json(site, pieces, unjoined=True), from_pieces=True)
    data("daten/angebote.csv", lambda: exports.open_data_csv(site, pieces, unjoined=True), from_pieces=True)
    data("daten/katalog.json", lambda: exports.document_store(site, pieces, unjoined=True), from_pieces=True)
    newest_first = heapq.nlargest(max(exports.FEED_SIZE, 6), site.offers, key=lambda o: (o.last_updated, o.slug))
    newest = newest_first[0].last_updated if newest_first else site.today
    in_feed = newest_first[:exports.FEED_SIZE]
    data("feed.xml", lambda: exports.atom_feed(site), key=(site_key, "feed", newest, _sources(in_feed)))
    data("robots.txt", lambda: exports.robots(site))
    # For open-data portals: DCAT-AP.de (also embedded in /daten/) and the CSV's Frictionless description.
    data("daten/dcat.jsonld", lambda: metadata.dcat_file(site, newest), key=(site_key, "dcat", newest))
    data("daten/datapackage.json", lambda: metadata.datapackage(site, newest), key=(site_key, "datapackage", newest))
    recent = newest_first[:6]  # for the start page
    members = [p for p in site.partners if p.network_member]
    page("", "index.html", Meta(site.settings.title, site.settings.description, ""),
         recent=recent, areas=areas, by_area=by_area, free=free, members=members,
         key=(len(site.offers), len(site.partners), _sources(recent), area_counts, free,
              tuple(p.source for p in members)))
    facets = _facets(site)
    for pager in paginate(site.offers, "angebote/"):
        title = "Alle Angebote" if pager.number == 1 else f"Alle Angebote – Seite {pager.number}"
        page(pager.pages[pager.number - 1], "offers.html",
             Meta(title, "Alle geprüften Präventionsangebote für Schulen, mit Filtern und Suche.",
                  pager.pages[pager.number - 1]),
             pager=pager, areas=areas, by_area=by_area, facets=facets,
             key=(pager.number, len(pager.pages), pager.total, area_counts, _sources(pager.items)))
    related = related_offers(site.offers)
    for offer in site.offers:
        page(f"angebote/{offer.slug}/", "offer.html",
             Meta(offer.title, offer.summary, f"angebote/{offer.slug}/"), offer=offer,
             related=related[offer.slug], later=lambda offer=offer: {"jsonld": exports.offer_jsonld(offer, site)},
             key=(offer.source, offer.partner.source, _sources(related[offer.slug])))
    page("themen/", "themes.html", Meta("Themen", "Präventionsangebote nach Themen geordnet.", "themen/"),
         areas=areas, by_area=by_area, key=(area_counts,))
    for term in areas:
        for pager in paginate(by_area[term.key], f"themen/{term.key}/"):
            path = pager.pages[pager.number - 1]
            title = term.label if pager.number == 1 else f"{term.label} – Seite {pager.number}"
            page(path, "theme.html", Meta(title, term.description or f"Angebote zum Thema {term.label}.", path),
                 term=term, pager=pager,
                 key=(term.key, pager.number, len(pager.pages), pager.total, _sources(pager.items)))
    page("traeger/", "partners.html", Meta("Träger", "Die Träger der Präventionsangebote.", "traeger/"),
         key=tuple(p.source for p in site.partners))
    for partner in site.partners:
        page(f"traeger/{partner.slug}/", "partner.html",
             Meta(partner.name, partner.summary, f"traeger/{partner.slug}/"), partner=partner,
             offers=site.offers_by_partner[partner.slug],
             key=(partner.source, _sources(site.offers_by_partner[partner.slug])))
    page("merkliste/", "merkliste.html",
         Meta("Merkliste", "Ihre ausgewählten Angebote zum Kopieren, Versenden und Drucken.", "merkliste/"), key=())
    for slug, content_page in sorted(site.pages.items()):
        page(f"{slug}/", "page.html",
             Meta(content_page.title, content_page.summary, f"{slug}/"), page=content_page,
             key=(content_page,))  # the page's values themselves, its video's size included
    page("hilfe/", "help.html",
         Meta("Hilfe in akuten Fällen", "Notrufe und Beratungstelefone für Kinder, Jugendliche, Eltern und Schulen "
              "– viele anonym und kostenfrei.", "hilfe/"), areas=areas, key=())  # the site key covers the contacts
    data("daten/hilfe.json", lambda: exports.help_json(site), key=(site_key, "help-json"))
    data("daten/hilfe.csv", lambda: exports.help_csv(site), key=(site_key, "help-csv"))
    page("daten/", "data.html", Meta("Offene Daten", "Alle Angebote als Tabelle (CSV), JSON und Feed.", "daten/"),
         newest=newest, license=exports.LICENSE, attribution=metadata.ATTRIBUTION,
         later=lambda: {"jsonld": metadata.dcat_script(site, newest)}, key=(newest, len(site.offers)))
    page("redaktion/", "guide.html",
         Meta("Angebote eintragen: Feldanleitung", "Wie Träger ein Angebot eintragen: jedes Feld mit Beispiel.",
              "redaktion/"),
         later=lambda: {"guide_html": scrollable_tables(markdown.render(fieldguide.markdown(site.vocabulary_data)))},
         key=())  # the schema and the vocabularies: the site key covers both
    page("404.html", "404.html", Meta("Seite nicht gefunden", "Diese Seite gibt es nicht.", "404.html"), key=())
    for name, media in site.media.items():
        data(f"medien/{name}", lambda media=media: media)
    for path, asset in assets.values():
        data(path, lambda asset=asset: asset, key=("asset", path))  # the path names the bytes' hash
    sitemap_paths = sorted(html_pages)
    # The pages and the dates it gives them (offers in list order, so the paths tell which date is whose).
    data("sitemap.xml", lambda: exports.sitemap(site, sitemap_paths),
         key=(site_key, "sitemap", tuple(html_pages), tuple(o.last_updated for o in site.offers),
              tuple((slug, p.last_updated) for slug, p in sorted(site.pages.items()))))
    return files


class Filter(NamedTuple):
    """A facet as the list page shows it: `FACETS`' parameter and catalogue key, its name and its terms."""

    param: str
    key: str
    label: str
    terms: tuple[Any, ...]


def _facets(site: Site) -> list[Filter]:
    return [Filter(f.param, f.key, vocabulary.filter_label, tuple(vocabulary.terms.values()))
            for f in FACETS for vocabulary in [site.vocabularies[f.vocabulary]]]


RELATED = 4


def related_offers(offers: list[Offer]) -> dict[str, list[Offer]]:
    """Per offer up to four others sharing a prevention area: most shared areas first, then in list order.
    Offers are grouped by their set of areas (there are few distinct sets), so the work grows linearly with
    the number of offers instead of comparing every offer with every other."""
    position = {o.slug: i for i, o in enumerate(offers)}
    groups: dict[frozenset[str], list[Offer]] = {}
    for o in offers:
        groups.setdefault(frozenset(t.key for t in o.prevention_areas), []).append(o)
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
    return {o.slug: [r for r in best[frozenset(t.key for t in o.prevention_areas)] if r is not o][:RELATED]
            for o in offers}
