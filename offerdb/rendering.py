"""HTML pages from the site model: the Jinja environment, the list of pages and their contexts."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2

from .models import Offer, Site

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
ASSETS = TEMPLATES / "assets"
MONTHS = ["Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September", "Oktober",
          "November", "Dezember"]


def date_de(value: datetime.date) -> str:
    return f"{value.day}. {MONTHS[value.month - 1]} {value.year}"


def labels(terms: Any) -> str:
    return ", ".join(t.label for t in terms)


def environment(base_path: str) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,  # every template is HTML; values from YAML are always escaped
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["date_de"] = date_de
    env.filters["labels"] = labels
    # Root-relative URLs that include the base path, so a site under /praevention/ links correctly.
    env.globals["url"] = lambda path="": base_path + path
    return env


@dataclass(frozen=True)
class Meta:
    """What every page's layout needs: its title, description and own path (for canonical links)."""

    title: str
    description: str
    path: str  # relative to the base path, "" for the start page


class Output(dict[str, bytes]):
    def add(self, path: str, data: bytes) -> None:
        if path in self:
            raise ValueError(f"{path} would be written twice")  # two sources for one URL is a bug
        self[path] = data


def render_site(site: Site) -> Output:
    env = environment(site.settings.base_path)
    out = Output()

    def page(path: str, template: str, meta: Meta, **context: Any) -> None:
        html = env.get_template(template).render(site=site, meta=meta, **context)
        out.add(path, html.encode("utf-8"))

    page("index.html", "index.html", Meta(site.settings.title, site.settings.description, ""),
         recent=sorted(site.offers, key=lambda o: (o.last_updated, o.slug), reverse=True)[:6])
    page("angebote/index.html", "offers.html",
         Meta("Alle Angebote", "Alle geprüften Präventionsangebote für Schulen.", "angebote/"))
    for offer in site.offers:
        page(f"angebote/{offer.slug}/index.html", "offer.html",
             Meta(offer.title, offer.summary, f"angebote/{offer.slug}/"), offer=offer,
             related=_related(offer, site.offers))
    page("traeger/index.html", "partners.html",
         Meta("Träger", "Die Träger der Präventionsangebote.", "traeger/"))
    for partner in site.partners:
        page(f"traeger/{partner.slug}/index.html", "partner.html",
             Meta(partner.name, partner.summary, f"traeger/{partner.slug}/"), partner=partner)
    for slug, content_page in sorted(site.pages.items()):
        page(f"{slug}/index.html", "page.html",
             Meta(content_page.title, content_page.summary, f"{slug}/"), page=content_page)
    page("404.html", "404.html", Meta("Seite nicht gefunden", "Diese Seite gibt es nicht.", "404.html"))
    for asset in sorted(ASSETS.rglob("*")):
        if asset.is_file():
            out.add("assets/" + asset.relative_to(ASSETS).as_posix(), asset.read_bytes())
    return out


def _related(offer: Offer, offers: list[Offer]) -> list[Offer]:
    """Other offers sharing a prevention area, most shared areas first."""
    areas = {t.key for t in offer.prevention_areas}
    scored = [(-len(areas & {t.key for t in o.prevention_areas}), o.title.casefold(), o)
              for o in offers if o is not offer]
    return [o for score, _, o in sorted(scored, key=lambda s: s[:2]) if score < 0][:4]
