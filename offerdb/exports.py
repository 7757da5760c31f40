"""Machine-readable outputs: sitemap, robots.txt, Atom feed, JSON-LD, open data and the browser's catalogue.

Every function is deterministic: orders are fixed, dates come from the content (or `site.today`, which the
build derives from SOURCE_DATE_EPOCH), never from the clock.
"""

from __future__ import annotations

import csv
import datetime
import hashlib
import io
import json
from collections.abc import Callable
import xml.etree.ElementTree as ET
from decimal import Decimal
from typing import Any
from urllib.parse import quote
from xml.sax.saxutils import escape as xml_escape

from markupsafe import Markup

from .memory import Memory
from .models import FACETS, HelpContact, Offer, Range, Site, Term

LICENSE = "CC BY 4.0"
LICENSE_URL = "https://creativecommons.org/licenses/by/4.0/deed.de"
# Bump when a key of daten/angebote.json is renamed or removed; added keys keep the version.
OPEN_DATA_VERSION = 1
# The same rule for daten/hilfe.json.
HELP_DATA_VERSION = 1
FEED_SIZE = 20

SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
ATOM_NS = "http://www.w3.org/2005/Atom"

# Language keys that are not BCP 47 tags already; other keys of the vocabulary are ISO 639-1 codes.
LANGUAGE_TAGS = {"leichte-sprache": "de", "dgs": "gsg"}

# A spreadsheet treats a cell starting with one of these as a formula (OWASP "CSV injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def page_url(site: Site, path: str) -> str:
    return site.settings.base_url + quote(path)


def offer_path(offer: Offer) -> str:
    return f"angebote/{offer.slug}/"


class Pieces:
    """Each offer's part of the whole-site files (open data JSON and CSV, catalogue), kept from one build to
    the next with the same memory, so a rebuild after one changed offer encodes one offer instead of 10,000
    (1.3 s). A piece is keyed by the offer's and its partner's file names and hashes (`Offer.files`), the
    site settings, the vocabularies and the day: everything an offer's part is made of. Called without
    pieces, every function makes everything."""

    def __init__(self) -> None:
        # File name -> (the context the pieces were made in, Offer.files -> piece).
        self._kept: dict[str, tuple[str, dict[tuple[str, str], bytes]]] = {}

    @classmethod
    def of(cls, memory: Memory | None) -> Pieces | None:
        """The pieces `memory` keeps (made on first use), or None without a memory."""
        if memory is None:
            return None
        pieces = memory.get(_PIECES)
        if pieces is None:
            pieces = cls()
            memory.put(_PIECES, pieces)
        return pieces

    def each(self, name: str, site: Site, make: Callable[[Offer, Site], bytes]) -> list[bytes]:
        context = hashlib.blake2b(repr((site.settings, site.today, site.vocabulary_data)).encode(),
                                  digest_size=16).hexdigest()
        made_in, last = self._kept.get(name, ("", {}))
        if made_in != context:
            last = {}
        offers = site.offers
        # A remembered offer model brings the very tuple it was keyed by: found by identity, not compared.
        keys = [offer.files for offer in offers]
        pieces = list(map(last.get, keys))
        for i in [i for i, piece in enumerate(pieces) if piece is None]:
            pieces[i] = make(offers[i], site)
        self._kept[name] = (context, dict(zip(keys, pieces, strict=True)))  # what this build did not use is forgotten
        return pieces


_PIECES = ("export-pieces",)


def _each(name: str, site: Site, make: Callable[[Offer, Site], bytes], pieces: Pieces | None) -> list[bytes]:
    return pieces.each(name, site, make) if pieces is not None else [make(o, site) for o in site.offers]


def _newest(site: Site) -> datetime.date:
    """The date the data was last changed: the newest offer, or the build day for an empty site."""
    return max((o.last_updated for o in site.offers), default=site.today)


def _xml(root: ET.Element) -> bytes:
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n"


# --- sitemap.xml, robots.txt ---------------------------------------------------------------------------


def sitemap(site: Site, paths: list[str]) -> bytes:
    """sitemaps.org XML for the given page paths ("" is the start page); lastmod where the content has a date.
    Written as text in ElementTree's layout: building 11,000 elements took 0.25 s of every build at 10,000
    offers, a tenth of a rebuild (tests compare both)."""
    modified = {offer_path(o): o.last_updated for o in site.offers}
    modified.update({f"{slug}/": p.last_updated for slug, p in site.pages.items() if p.last_updated})
    if site.help.last_updated:
        modified["hilfe/"] = site.help.last_updated
    lines = ["<?xml version='1.0' encoding='utf-8'?>", f'<urlset xmlns="{SITEMAP_NS}">']
    for path in sorted(set(paths)):
        lines.append(f"  <url>\n    <loc>{xml_escape(page_url(site, path))}</loc>")
        if path in modified:
            lines.append(f"    <lastmod>{modified[path].isoformat()}</lastmod>")
        lines.append("  </url>")
    lines.append("</urlset>\n")
    return "\n".join(lines).encode("utf-8")


def robots(site: Site) -> bytes:
    # Crawlers read robots.txt only at the host root; under a sub-path this file is a hint for the
    # host's owner, whose own robots.txt can point to our sitemap the same way.
    # The web editor is no page to find: left out, like from the sitemap and the search index.
    return (f"User-agent: *\nAllow: /\nDisallow: {site.settings.base_path}admin/\n\n"
            f"Sitemap: {page_url(site, 'sitemap.xml')}\n").encode()


# --- feed.xml ------------------------------------------------------------------------------------------


def _timestamp(day: datetime.date) -> str:
    """RFC 3339 date-time as Atom requires; content has days only, so midnight UTC."""
    return f"{day.isoformat()}T00:00:00Z"


def atom_feed(site: Site) -> bytes:
    """Atom 1.0 feed of the FEED_SIZE most recently updated offers, newest first."""
    recent = sorted(site.offers, key=lambda o: (o.last_updated, o.slug), reverse=True)[:FEED_SIZE]

    def sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
        element = ET.SubElement(parent, tag, attrs)
        element.text = text
        return element

    feed = ET.Element("feed", {"xmlns": ATOM_NS, "xml:lang": "de"})
    sub(feed, "id", page_url(site, "feed.xml"))
    sub(feed, "title", f"Neue und aktualisierte Angebote – {site.settings.title}")
    sub(feed, "subtitle", site.settings.description)
    sub(feed, "updated", _timestamp(_newest(site)))
    sub(feed, "link", rel="self", type="application/atom+xml", href=page_url(site, "feed.xml"))
    sub(feed, "link", rel="alternate", type="text/html", href=page_url(site, "angebote/"))
    author = sub(feed, "author")
    sub(author, "name", site.settings.operator)
    sub(author, "uri", site.settings.base_url)
    sub(feed, "rights", f"Lizenz: {LICENSE} ({LICENSE_URL})")
    for offer in recent:
        entry = sub(feed, "entry")
        # The page URL is the id: it stays the same when the offer is edited, so readers show an update.
        sub(entry, "id", page_url(site, offer_path(offer)))
        sub(entry, "title", offer.title, type="text")
        sub(entry, "updated", _timestamp(offer.last_updated))
        sub(entry, "link", rel="alternate", type="text/html", href=page_url(site, offer_path(offer)))
        entry_author = sub(entry, "author")
        sub(entry_author, "name", offer.partner.name)
        sub(entry_author, "uri", page_url(site, f"traeger/{offer.partner.slug}/"))
        for area in offer.prevention_areas:
            sub(entry, "category", term=area.key, label=area.label,
                scheme=page_url(site, "themen/"))
        sub(entry, "summary", offer.summary, type="text")
    return _xml(feed)


# --- JSON-LD -------------------------------------------------------------------------------------------


def _number(amount: Decimal) -> int | float:
    """A price as JSON number; amounts have at most two decimals, so the float's repr is exact."""
    return int(amount) if amount == amount.to_integral_value() else float(amount)


def _duration(minutes: int) -> str:
    hours, rest = divmod(minutes, 60)
    return "PT" + (f"{hours}H" if hours else "") + (f"{rest}M" if rest or not hours else "")


def _course_mode(offer: Offer) -> str:
    online = {t.key for t in offer.venues} & {"online"}
    return "Onsite" if not online else "Online" if len(offer.venues) == 1 else "Blended"


def _language_tags(terms: tuple[Term, ...]) -> list[str]:
    tags = [LANGUAGE_TAGS.get(t.key, t.key) for t in terms]
    return list(dict.fromkeys(tags))  # "de" and "leichte-sprache" are both "de"


def script_safe_json(data: Any) -> str:
    """JSON that cannot end or comment out the <script> element it sits in: <, > and & become \\u escapes,
    which JSON parsers read back as the same characters. U+2028/9 are escaped for old JavaScript parsers."""
    text = json.dumps(data, ensure_ascii=False)
    for char, escape in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"),
                         ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(char, escape)
    return text


def offer_jsonld(offer: Offer, site: Site) -> str:
    """schema.org `Course` for an offer page, as Google's course-info guide describes it (provider, offers,
    hasCourseInstance with courseMode and courseWorkload). Returned as Markup (a str) because it is already
    safe inside <script type="application/ld+json">; autoescaping would break the JSON."""
    url = page_url(site, offer_path(offer))
    partner = offer.partner
    price: dict[str, Any] = {"@type": "Offer", "category": "Free" if offer.cost.free else "Paid",
                             "priceCurrency": "EUR", "url": url,
                             "availability": "https://schema.org/" + ("InStock" if offer.bookable else "OutOfStock")}
    if offer.cost.free:
        price["price"] = 0
    elif offer.cost.amount_eur is not None:
        price["price"] = _number(offer.cost.amount_eur)
    if offer.cost.note:
        price["description"] = offer.cost.note
    levels = ([f"Klassenstufe {offer.grades}"] if offer.grades else []) + [t.label for t in offer.school_types]
    languages = _language_tags(offer.languages)
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "Course",
        "@id": url,
        "url": url,
        "name": offer.title,
        "description": offer.summary,
        "inLanguage": languages[0] if len(languages) == 1 else languages,
        "dateModified": offer.last_updated.isoformat(),
        "provider": {"@type": "Organization", "name": partner.name,
                     "url": partner.contact.url or page_url(site, f"traeger/{partner.slug}/")},
        "publisher": {"@type": "Organization", "name": site.settings.operator, "url": site.settings.base_url},
        "audience": [{"@type": "EducationalAudience", "educationalRole": t.label} for t in offer.audiences],
        "educationalLevel": levels,
        "about": [{"@type": "DefinedTerm", "name": t.label, "url": page_url(site, f"themen/{t.key}/")}
                  for t in offer.prevention_areas],
        "isAccessibleForFree": offer.cost.free,
        "offers": [price],
        "hasCourseInstance": [{"@type": "CourseInstance", "courseMode": _course_mode(offer),
                               "courseWorkload": _duration(offer.duration_minutes * offer.duration_sessions)}],
    }
    if offer.age:
        data["typicalAgeRange"] = f"{offer.age.low}-{offer.age.high}"
    if offer.keywords:
        data["keywords"] = list(offer.keywords)
    return Markup(script_safe_json(data))


# --- daten/angebote.json -------------------------------------------------------------------------------


def _terms(terms: tuple[Term, ...]) -> list[dict[str, str]]:
    return [{"key": t.key, "label": t.label} for t in terms]


def _range(value: Range | None) -> dict[str, int] | None:
    return {"from": value.low, "to": value.high} if value else None


def _open_offer(offer: Offer, site: Site) -> dict[str, Any]:
    """Every public field of an offer under its YAML key; vocabulary values as {key, label}."""
    partner = offer.partner
    return {
        "slug": offer.slug,
        "url": page_url(site, offer_path(offer)),
        "title": offer.title,
        "summary": offer.summary,
        "partner": {"slug": partner.slug, "name": partner.name, "url": page_url(site, f"traeger/{partner.slug}/"),
                    "website": partner.contact.url or None},
        "status": offer.status,
        "status_label": offer.status_label,
        "prevention_areas": _terms(offer.prevention_areas),
        "prevention_levels": _terms(offer.prevention_levels),
        "target_group": offer.target_group,
        "goals": list(offer.goals),
        "audiences": _terms(offer.audiences),
        "grades": _range(offer.grades),
        "age": _range(offer.age),
        "school_types": _terms(offer.school_types),
        "formats": _terms(offer.formats),
        "duration": {"minutes": offer.duration_minutes, "sessions": offer.duration_sessions,
                     "note": offer.duration_note or None},
        "group_size": {"min": offer.group_size.low, "max": offer.group_size.high,
                       "note": offer.group_size_note or None},
        "venues": _terms(offer.venues),
        "languages": _terms(offer.languages),
        "cost": {"free": offer.cost.free,
                 "amount_eur": None if offer.cost.amount_eur is None else _number(offer.cost.amount_eur),
                 "note": offer.cost.note or None},
        "theoretical_basis": offer.theoretical_basis,
        "methods": list(offer.methods),
        "staff_qualification": offer.staff_qualification,
        "evaluation": {"kind": offer.evaluation.key, "kind_label": offer.evaluation.label,
                       "description": offer.evaluation_description or None},
        "school_cooperation": {"preparation": offer.preparation, "follow_up": offer.follow_up},
        "curriculum": [{"subject": c.subject.key, "subject_label": c.subject.label, "grades": _range(c.grades),
                        "note": c.note or None} for c in offer.curriculum],
        "contact": {"name": offer.contact.name or None, "email": offer.contact.email or None,
                    "phone": offer.contact.phone or None, "url": offer.contact.url or None},
        "booking": {"lead_time_weeks": offer.booking_lead_time_weeks, "note": offer.booking_note or None},
        "quality_seal": {"reviewed_on": offer.seal.reviewed_on.isoformat(), "reviewed_by": offer.seal.reviewed_by,
                         "valid_until": offer.seal.valid_until.isoformat(), "criteria": _terms(offer.seal.criteria)},
        "green_list": {"level": offer.green_list.level.key, "level_label": offer.green_list.level.label,
                       "url": offer.green_list.url} if offer.green_list else None,
        "last_updated": offer.last_updated.isoformat(),
        "keywords": list(offer.keywords),
        "description_html": offer.body_html,
    }


def _joined(head: bytes, items: list[bytes], tail: bytes, unjoined: bool) -> bytes | list[bytes]:
    """head, the items separated by commas, tail: copied once, or with `unjoined` not at all but handed to
    the writer as they are (angebote.json is 53 MB at 10,000 offers: joining it took 0.045 s of a rebuild)."""
    parts = [head]
    for item in items:
        parts += (item, b",")
    if items:
        parts.pop()
    parts.append(tail)
    return parts if unjoined else b"".join(parts)


def _compact_json(data: Any) -> bytes:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def open_data_json(site: Site, pieces: Pieces | None = None, unjoined: bool = False) -> bytes | list[bytes]:
    """/daten/angebote.json: every published offer with every public field. Optional fields are always present
    (null when empty), so every offer object has the same keys."""
    data = {
        "version": OPEN_DATA_VERSION,
        "title": site.settings.title,
        "publisher": site.settings.operator,
        "source": site.settings.base_url,
        "license": LICENSE,
        "license_url": LICENSE_URL,
        "generated": _newest(site).isoformat(),
        "vocabularies": {name: {"label": v.label, "values": {k: t.label for k, t in v.terms.items()}}
                         for name, v in site.vocabularies.items()},
        "offers": [],
    }
    # Compact: json.dumps with indent runs the pure-Python encoder, 10x slower at 10,000 offers. The offers
    # are encoded one by one and joined, which gives the same bytes as encoding the whole list at once.
    head = _compact_json(data)
    assert head.endswith(b"[]}")
    offers = _each("open-data-json", site, lambda o, s: _compact_json(_open_offer(o, s)), pieces)
    return _joined(head[:-2], offers, b"]}\n", unjoined)


# --- daten/angebote.csv --------------------------------------------------------------------------------


def _labels(terms: tuple[Term, ...]) -> str:
    return "; ".join(t.label for t in terms)


def _german_decimal(amount: Decimal | None) -> str:
    """German Excel reads "12,50" as a number; "12.50" would become text or a date."""
    return "" if amount is None else f"{amount:.2f}".replace(".", ",")


CSV_COLUMNS: list[tuple[str, Any]] = [
    ("Titel", lambda o, s: o.title),
    ("Kurzbeschreibung", lambda o, s: o.summary),
    ("Träger", lambda o, s: o.partner.name),
    ("Status", lambda o, s: o.status_label),
    ("Präventionsbereiche", lambda o, s: _labels(o.prevention_areas)),
    ("Präventionsebenen", lambda o, s: _labels(o.prevention_levels)),
    ("Teilnehmende", lambda o, s: _labels(o.audiences)),
    ("Klassenstufen", lambda o, s: str(o.grades) if o.grades else ""),  # "7–13" with en dash: never a date
    ("Alter", lambda o, s: str(o.age) if o.age else ""),
    ("Schularten", lambda o, s: _labels(o.school_types)),
    ("Formate", lambda o, s: _labels(o.formats)),
    ("Minuten je Termin", lambda o, s: str(o.duration_minutes)),
    ("Anzahl der Termine", lambda o, s: str(o.duration_sessions)),
    ("Gruppengröße", lambda o, s: str(o.group_size)),
    ("Durchführungsorte", lambda o, s: _labels(o.venues)),
    ("Sprachen", lambda o, s: _labels(o.languages)),
    ("kostenfrei", lambda o, s: "ja" if o.cost.free else "nein"),
    ("Betrag in Euro", lambda o, s: _german_decimal(o.cost.amount_eur)),
    ("Anmerkung zu den Kosten", lambda o, s: o.cost.note),
    ("Vorlauf in Wochen", lambda o, s: str(o.booking_lead_time_weeks)),
    ("Kontakt", lambda o, s: o.contact.name),
    ("E-Mail", lambda o, s: o.contact.email),
    ("Telefon", lambda o, s: o.contact.phone),
    ("Qualitätssiegel gültig bis", lambda o, s: o.seal.valid_until.isoformat()),
    ("Zuletzt aktualisiert", lambda o, s: o.last_updated.isoformat()),
    ("Internetadresse", lambda o, s: page_url(s, offer_path(o))),
    # Added later, so at the end: programs that read columns by position keep working.
    ("Geprüfte Qualitätskriterien", lambda o, s: _labels(o.seal.criteria)),
    ("Grüne Liste Prävention", lambda o, s: o.green_list.level.label if o.green_list else ""),
    ("Eintrag in der Grünen Liste", lambda o, s: o.green_list.url if o.green_list else ""),
]


def neutralise_formula(cell: str) -> str:
    return "'" + cell if cell.startswith(FORMULA_STARTS) else cell


def _csv_row(cells: list[str]) -> bytes:
    buffer = io.StringIO(newline="")
    csv.writer(buffer, delimiter=";", lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL).writerow(cells)
    return buffer.getvalue().encode("utf-8")


def open_data_csv(site: Site, pieces: Pieces | None = None, unjoined: bool = False) -> bytes | list[bytes]:
    """/daten/angebote.csv for German Excel: UTF-8 with BOM (umlauts), ";" between cells, CRLF line ends."""
    rows = _each("open-data-csv", site,
                 lambda o, s: _csv_row([neutralise_formula(get(o, s)) for _, get in CSV_COLUMNS]), pieces)
    parts = ["\ufeff".encode("utf-8"), _csv_row([name for name, _ in CSV_COLUMNS]), *rows]
    return parts if unjoined else b"".join(parts)


# --- daten/katalog.json --------------------------------------------------------------------------------


def _pair(value: Range | None) -> list[int] | None:
    return [value.low, value.high] if value else None


def document_store(site: Site, pieces: Pieces | None = None, unjoined: bool = False) -> bytes | list[bytes]:
    """/daten/katalog.json: what list.js and merkliste.js need to filter and show cards, without bodies."""
    facets = {f.key: {"label": vocabulary.filter_label, "values": {k: t.label for k, t in vocabulary.terms.items()}}
              for f in FACETS for vocabulary in [site.vocabularies[f.vocabulary]]}
    head = _compact_json({"facets": facets, "offers": []})
    assert head.endswith(b"[]}")
    offers = _each("catalogue", site, _catalogue_entry, pieces)
    return _joined(head[:-2], offers, b"]}", unjoined)


def _catalogue_entry(offer: Offer, site: Site) -> bytes:
    entry: dict[str, Any] = {
        "slug": offer.slug, "url": offer_path(offer), "title": offer.title, "summary": offer.summary,
        "partner": offer.partner.name, "free": offer.cost.free,
        "grades": _pair(offer.grades), "age": _pair(offer.age),
    }
    for facet in FACETS:  # each vocabulary name is also the Offer attribute
        entry[facet.key] = [t.key for t in getattr(offer, facet.vocabulary)]
    entry["updated"] = offer.last_updated.isoformat()
    entry["paused"] = offer.status == "paused"
    # Read by the card and the Merkliste when present: price text and the contact to copy; the provider's postal
    # address, so a printed Merkliste says where to write or go without opening each offer.
    if offer.cost.amount_text:
        entry["cost"] = offer.cost.amount_text
    entry["contact"] = _contact(offer)
    return _compact_json(entry)


def _contact(offer: Offer) -> dict[str, str]:
    partner = offer.partner
    address = ", ".join(part for part in (partner.street, f"{partner.postal_code} {partner.city}".strip()) if part)
    return {k: v for k, v in (("email", offer.contact.email), ("phone", offer.contact.phone), ("address", address))
            if v}


# The fields of a card in the search's card buckets (daten/suche/k*.json), by position; list.js and
# merkliste.js read them by these names (daten.js).
CARD_FIELDS = ("slug", "title", "summary", "partner", "free", "grades", "age", "format", "paused", "cost")


def card(offer: Offer) -> list[Any]:
    """What list.js shows on a card and merkliste.js on its list, as a list in CARD_FIELDS' order: the
    catalogue entry without the filter values (in the search's filter file) and the contact (`contact`)."""
    return [offer.slug, offer.title, offer.summary, offer.partner.name, offer.cost.free, _pair(offer.grades),
            _pair(offer.age), [t.key for t in offer.formats], offer.status == "paused", offer.cost.amount_text or None]


def contact(offer: Offer) -> list[str]:
    """The e-mail, phone and postal address the Merkliste shows and prints ("" where there is none)."""
    found = _contact(offer)
    return [found.get("email", ""), found.get("phone", ""), found.get("address", "")]


# --- daten/hilfe.json, daten/hilfe.csv -----------------------------------------------------------------


def _open_help_contact(contact: HelpContact, site: Site) -> dict[str, Any]:
    """Every field of a help contact under its YAML key (as offers in angebote.json); phones carry their tel:
    link, null for a placeholder the office has not confirmed yet."""
    return {
        "key": contact.key,
        "url": page_url(site, "hilfe/") + "#" + contact.anchor,
        "name": contact.name,
        "helps_with": contact.helps_with,
        "audiences": _terms(contact.audiences),
        "phones": [{"number": p.number, "label": p.label or None, "tel": p.href or None} for p in contact.phones],
        "hours": contact.hours,
        "website": contact.url or None,
        "anonymous": contact.anonymous,
        "free": contact.free,
        "cost_note": contact.cost_note or None,
        "emergency": contact.emergency,
        "prevention_areas": _terms(contact.prevention_areas),
        "keywords": list(contact.keywords),
        "note": contact.note or None,
    }


def help_json(site: Site) -> bytes:
    """/daten/hilfe.json: the counselling and emergency contacts, for other portals and for list.js, which
    shows the ones matching an empty search result. Every contact has the same keys (null when empty)."""
    data = {
        "version": HELP_DATA_VERSION,
        "title": f"Hilfe in akuten Fällen – {site.settings.title}",
        "publisher": site.settings.operator,
        "source": page_url(site, "hilfe/"),
        "license": LICENSE,
        "license_url": LICENSE_URL,
        "last_updated": site.help.last_updated.isoformat() if site.help.last_updated else None,
        "prevention_areas": {k: t.label for k, t in site.vocabularies["prevention_areas"].terms.items()},
        "contacts": [_open_help_contact(c, site) for c in site.help.contacts],
    }
    return _compact_json(data) + b"\n"


def _yes_no(value: bool) -> str:
    return "ja" if value else "nein"


HELP_CSV_COLUMNS: list[tuple[str, Any]] = [
    ("Name", lambda c, s: c.name),
    ("Wobei hilft die Stelle?", lambda c, s: c.helps_with),
    ("Für wen", lambda c, s: _labels(c.audiences)),
    ("Telefon", lambda c, s: "; ".join(f"{p.label}: {p.number}" if p.label else p.number for p in c.phones)),
    ("Erreichbar", lambda c, s: c.hours),
    ("anonym", lambda c, s: _yes_no(c.anonymous)),
    ("kostenfrei", lambda c, s: _yes_no(c.free)),
    ("Kosten des Anrufs", lambda c, s: c.cost_note),
    ("Notruf", lambda c, s: _yes_no(c.emergency)),
    ("Präventionsbereiche", lambda c, s: _labels(c.prevention_areas)),
    ("Internetseite", lambda c, s: c.url),
    ("Hinweis", lambda c, s: c.note),
    ("Internetadresse", lambda c, s: page_url(s, "hilfe/") + "#" + c.anchor),
]


def help_csv(site: Site) -> bytes:
    """/daten/hilfe.csv, like angebote.csv: UTF-8 with BOM, ";" between cells, CRLF, formulas neutralised."""
    rows = [_csv_row([neutralise_formula(get(c, site)) for _, get in HELP_CSV_COLUMNS]) for c in site.help.contacts]
    return b"".join(["\ufeff".encode("utf-8"), _csv_row([name for name, _ in HELP_CSV_COLUMNS]), *rows])
