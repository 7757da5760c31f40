"""The plan of outputs: every file of the site, declared once with what it is made of.

A file's key is what a rebuild compares to take the last build's file instead of making it again. It is
derived in one place (`_key`) from the declaration: the site key (the settings, the day, the vocabularies,
the help contacts, the templates and the program) and a fingerprint of the inputs (`fingerprint`). A page's
inputs are its template context, and a template sees of the site only what the site key covers
(`SiteView`), so a page cannot show anything its key does not name. A data file names its inputs.
"""

from __future__ import annotations

import dataclasses
import datetime
import hashlib
import heapq
import operator
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any, NamedTuple

from . import cms, exports, fieldguide, markdown, metadata, rendering, search
from .config import Settings
from .memory import Memory, digest
from .models import Help, Offer, Partner, Site, Vocabulary
from .rendering import (Meta, environment_for, facets, fingerprinted_assets, grade_counts, paginate, related_offers,
                        scrollable_tables)

CODE = Path(__file__).resolve().parent


class File(NamedTuple):
    """A published file: its path, how to make its bytes, and its key (None: make it every time). A named
    tuple: a rebuild makes and compares 11,000 of them (a frozen dataclass costs twice the time)."""

    path: str
    make: Callable[[], bytes | list[bytes]]  # a list: parts to write one after another (output.Staging.add)
    key: tuple[Any, ...] | None = None
    # Made from per-offer pieces kept in the memory (exports.Pieces): the process that keeps them must make it.
    pieces: bool = False


class SiteView(NamedTuple):
    """What a template may read of the site: the parts the site key covers."""

    settings: Settings
    today: datetime.date
    vocabularies: dict[str, Vocabulary]
    help: Help


def site_key(site: Site) -> str:
    """What every page depends on besides its own inputs: templates and assets, the program and its schemas,
    site.yaml, the vocabularies, the help contacts and the day of the build (seals expire). A few hundred
    kilobytes to hash, once per build."""
    parts = [repr(site.settings).encode(), site.today.isoformat().encode(), repr(site.vocabulary_data).encode(),
             repr(site.help).encode()]
    for folder in (rendering.TEMPLATES, CODE):
        for file in sorted(folder.rglob("*")):
            if file.is_file() and "__pycache__" not in file.parts:
                parts += [file.relative_to(folder).as_posix().encode(), file.read_bytes()]
    return hashlib.blake2b(b"\0".join(parts), digest_size=16).hexdigest()


_FILES = operator.attrgetter("files")
_PLAIN = (str, int, float, bool, type(None), datetime.date)
_OFFERS = {Offer}


def fingerprint(value: Any, memo: dict[int, tuple[Any, Any]] | None = None) -> Any:
    """A value as a page's key sees it: an offer by the names and hashes of its file and its partner's file
    (everything else it holds comes from those or from what the site key covers), a partner by its file's,
    bytes by their hash, containers and records by their parts. Anything else is refused, so a new kind of
    input is declared here rather than silently left out of the keys.

    `memo` (one per plan) remembers the fingerprints of containers and records by identity while they are
    alive: the filters and counts that every list page shows are fingerprinted once, not 400 times. Each
    entry holds its object, so an identity cannot be reused meanwhile."""
    kind = type(value)
    if kind is Offer:
        return _FILES(value)
    if kind is Partner:
        return value.source
    if kind in _PLAIN or kind is Meta:  # a page's title, description and path: plain strings
        return value
    if kind is bytes:
        return digest(value)
    if (kind is list or kind is tuple) and value and set(map(type, value)) == _OFFERS:  # cards, in C
        return tuple(map(_FILES, value))
    if memo is not None:
        known = memo.get(id(value))
        if known is not None and known[0] is value:
            return known[1]
    if kind is list or kind is tuple:
        result: Any = tuple(fingerprint(item, memo) for item in value)
    elif kind is dict:
        result = tuple((key, fingerprint(item, memo)) for key, item in value.items())
    elif isinstance(value, tuple):  # a named tuple
        result = (kind.__name__, *(fingerprint(item, memo) for item in value))
    elif dataclasses.is_dataclass(value):
        result = (kind.__name__, *(fingerprint(getattr(value, f.name), memo) for f in dataclasses.fields(value)))
    else:
        raise TypeError(f"{kind.__name__} has no fingerprint: say in plan.fingerprint what a page shows of it")
    if memo is not None:
        memo[id(value)] = (value, result)
    return result


def _key(site_key: str | None, name: str, inputs: tuple[Any, ...],
         memo: dict[int, tuple[Any, Any]]) -> tuple[Any, ...]:
    return (site_key, name, *[fingerprint(value, memo) for value in inputs])


def _render(env: Any, template: str, view: SiteView, meta: Meta, context: dict[str, Any],
            later: Callable[[], dict[str, Any]] | None) -> bytes:
    extra = later() if later else {}
    return env.get_template(template).render(site=view, meta=meta, **context, **extra).encode("utf-8")


def outputs(site: Site, memory: Memory | None = None) -> list[File]:
    """Every page and file of the site except the search index, in a fixed order, each made only when
    asked for: so two processes can share the work (pipeline.build), a file whose key is unchanged can be
    taken from the last build, and a build never holds every page in memory. From `memory`: the compiled
    templates and each offer's part of the whole-site data files (exports.Pieces)."""
    assets = fingerprinted_assets()
    whole = site_key(site)
    env = environment_for(whole, site.settings.base_path, assets, memory)
    view = SiteView(site.settings, site.today, site.vocabularies, site.help)
    pieces = exports.Pieces.of(memory)
    files: list[File] = []
    html_pages: list[str] = []  # for the sitemap
    memo: dict[int, tuple[Any, Any]] = {}  # fingerprints of the inputs many files share, for this plan only

    def page(path: str, template: str, meta: Meta, later: Callable[[], dict[str, Any]] | None = None,
             **context: Any) -> None:
        """A page from `template` with `context`, which with `meta` is all it is keyed by. `later` gives
        context that is costly to compute from the same inputs: it runs in whichever process renders it."""
        file = path + "index.html" if path.endswith("/") or path == "" else path
        files.append(File(file, partial(_render, env, template, view, meta, context, later),
                          _key(whole, template, (meta, *context.values()), memo)))
        if file not in ("404.html", "merkliste/index.html"):
            html_pages.append(path)

    def data(path: str, make: Callable[[], bytes], inputs: Any, of_site: bool = True) -> None:
        """A data file made of `inputs` and (`of_site`) what the site key covers."""
        files.append(File(path, make, _key(whole if of_site else None, path, (inputs,), memo)))

    def joined(path: str, make: Callable[[], bytes | list[bytes]]) -> None:
        """A whole-site data file joined from each offer's remembered piece: made every time, in this process."""
        files.append(File(path, make, None, pieces=True))

    areas = list(site.vocabularies["prevention_areas"].terms.values())
    by_area: dict[str, list[Offer]] = {term.key: [] for term in areas}
    for offer in site.offers:  # in list order, as the theme pages show them
        for term in offer.prevention_areas:
            by_area[term.key].append(offer)
    area_counts = {key: len(offers) for key, offers in by_area.items()}
    counts = {"offers": len(site.offers), "partners": len(site.partners),
              "free": sum(1 for o in site.offers if o.cost.free)}

    joined("daten/angebote.json", lambda: exports.open_data_json(site, pieces, unjoined=True))
    joined("daten/angebote.csv", lambda: exports.open_data_csv(site, pieces, unjoined=True))
    joined("daten/katalog.json", lambda: exports.document_store(site, pieces, unjoined=True))
    newest_first = heapq.nlargest(max(exports.FEED_SIZE, 6), site.offers, key=lambda o: (o.last_updated, o.slug))
    newest = newest_first[0].last_updated if newest_first else site.today
    in_feed = newest_first[:exports.FEED_SIZE]
    data("feed.xml", lambda: exports.atom_feed(site), inputs=(newest, in_feed))
    data("robots.txt", lambda: exports.robots(site), inputs=())
    # For open-data portals: DCAT-AP.de (also embedded in /daten/) and the CSV's Frictionless description.
    data("daten/dcat.jsonld", lambda: metadata.dcat_file(site, newest), inputs=newest)
    data("daten/datapackage.json", lambda: metadata.datapackage(site, newest), inputs=newest)
    page("", "index.html", Meta(site.settings.title, site.settings.description, ""),
         recent=newest_first[:6], areas=areas, area_counts=area_counts, counts=counts,
         members=[p for p in site.partners if p.network_member])
    filters = facets(site)
    grades = grade_counts(site)
    for pager in paginate(site.offers, "angebote/"):
        title = "Alle Angebote" if pager.number == 1 else f"Alle Angebote – Seite {pager.number}"
        page(pager.pages[pager.number - 1], "offers.html",
             Meta(title, "Alle geprüften Präventionsangebote für Schulen, mit Filtern und Suche.",
                  pager.pages[pager.number - 1]),
             pager=pager, areas=areas, area_counts=area_counts, facets=filters, grade_counts=grades,
             free_count=counts["free"])
    related = related_offers(site.offers)
    for offer in site.offers:
        page(f"angebote/{offer.slug}/", "offer.html",
             Meta(offer.title, offer.summary, f"angebote/{offer.slug}/"), offer=offer,
             related=related[offer.slug], later=lambda offer=offer: {"jsonld": exports.offer_jsonld(offer, site)})
    page("themen/", "themes.html", Meta("Themen", "Präventionsangebote nach Themen geordnet.", "themen/"),
         areas=areas, area_counts=area_counts)
    for term in areas:
        for pager in paginate(by_area[term.key], f"themen/{term.key}/"):
            path = pager.pages[pager.number - 1]
            title = term.label if pager.number == 1 else f"{term.label} – Seite {pager.number}"
            page(path, "theme.html", Meta(title, term.description or f"Angebote zum Thema {term.label}.", path),
                 term=term, pager=pager)
    page("traeger/", "partners.html", Meta("Träger", "Die Träger der Präventionsangebote.", "traeger/"),
         partners=site.partners)
    for partner in site.partners:
        page(f"traeger/{partner.slug}/", "partner.html",
             Meta(partner.name, partner.summary, f"traeger/{partner.slug}/"), partner=partner,
             offers=site.offers_by_partner[partner.slug])
    page("merkliste/", "merkliste.html",
         Meta("Merkliste", "Ihre ausgewählten Angebote zum Kopieren, Versenden und Drucken.", "merkliste/"))
    for slug, content_page in sorted(site.pages.items()):
        page(f"{slug}/", "page.html", Meta(content_page.title, content_page.summary, f"{slug}/"), page=content_page)
    page("hilfe/", "help.html",
         Meta("Hilfe in akuten Fällen", "Notrufe und Beratungstelefone für Kinder, Jugendliche, Eltern und Schulen "
              "– viele anonym und kostenfrei.", "hilfe/"), areas=areas)
    data("daten/hilfe.json", lambda: exports.help_json(site), inputs=())  # the site key covers the contacts
    data("daten/hilfe.csv", lambda: exports.help_csv(site), inputs=())
    page("daten/", "data.html", Meta("Offene Daten", "Alle Angebote als Tabelle (CSV), JSON und Feed.", "daten/"),
         newest=newest, counts=counts, license=exports.LICENSE, attribution=metadata.ATTRIBUTION,
         later=lambda: {"jsonld": metadata.dcat_script(site, newest)})
    page("redaktion/", "guide.html",
         Meta("Angebote eintragen: Feldanleitung", "Wie Träger ein Angebot eintragen: jedes Feld mit Beispiel.",
              "redaktion/"),  # the schema and the vocabularies it shows: the site key covers both
         later=lambda: {"guide_html": scrollable_tables(markdown.render(fieldguide.markdown(site.vocabulary_data)))})
    page("404.html", "404.html", Meta("Seite nicht gefunden", "Diese Seite gibt es nicht.", "404.html"))
    for name, media in site.media.items():
        data(f"medien/{name}", lambda media=media: media, inputs=media, of_site=False)
    for path, asset in assets.values():
        data(path, lambda asset=asset: asset, inputs=(), of_site=False)  # the path names the bytes' hash
    # The web editor: not a page of the site (no sitemap entry, its own CSP), Decap CMS from node_modules.
    names = cms.script_names()
    order = cms.nested_order(cms.config(site.vocabulary_data, site.settings))
    for name in cms.ADMIN_TEMPLATES:
        data(f"admin/{name}", lambda name=name: env.get_template(f"admin/{name}").render(
            site=view, csp=cms.CSP, order=order, **names).encode("utf-8"), inputs=tuple(names.values()))
    for name in cms.ADMIN_FILES:
        data(f"admin/{name}", lambda name=name: (rendering.TEMPLATES / "admin" / name).read_bytes(), inputs=())
    data("admin/config.yml", lambda: cms.document(site.vocabulary_data, site.settings).encode("utf-8"), inputs=())
    for path, source in cms.scripts().items():  # the versions are in the paths
        data(path, source.read_bytes, inputs=(), of_site=False)
        data(path + ".gz", lambda source=source: search.gzipped(source.read_bytes()), inputs=(), of_site=False)
    sitemap_paths = sorted(html_pages)
    # The pages and the dates it gives them (offers in list order, so the paths tell which date is whose).
    data("sitemap.xml", lambda: exports.sitemap(site, sitemap_paths),
         inputs=(html_pages, [o.last_updated for o in site.offers],
                 [(slug, p.last_updated) for slug, p in sorted(site.pages.items())]))
    return files
