"""Help in acute cases without a browser: the help box of every theme and offer page, the page /hilfe/, the header
link on every page, the Leichte-Sprache section, the sitemap, and the phone numbers' tel: links."""

from __future__ import annotations

import datetime
import html
import re
from pathlib import Path

import pytest

from offerdb import models, pipeline
from offerdb.cli import ROOT

TODAY = datetime.date(2026, 11, 25)


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> tuple[models.Site, Path]:
    checked = pipeline.check(ROOT / "content", ROOT / "site.yaml", TODAY)
    out = tmp_path_factory.mktemp("hilfe") / "site"
    return pipeline.build(checked, out, TODAY).site, out


def public_pages(out):
    """The built HTML pages a visitor reads: all but the editors' /admin/ (its own CSP, no site header)."""
    return [file for file in out.rglob("*.html") if file.relative_to(out).parts[0] != "admin"]


def read(out: Path, path: str) -> str:
    return (out / path / "index.html").read_text(encoding="utf-8")


def box(page: str) -> str:
    """The help box of a theme or offer page (it holds no nested section)."""
    found = re.findall(r'<section class="help-box[^"]*" aria-labelledby="hilfe-kasten">(.*?)</section>', page, re.S)
    assert len(found) == 1
    return found[0]


def listed(part: str) -> list[tuple[str, str, list[str]]]:
    """(name, link to /hilfe/, tel: links) of each contact in a box."""
    items = re.findall(r'<li class="help-contact">(.*?)</li>', part, re.S)
    out = []
    for item in items:
        link, name = re.search(r'<p class="help-name"><a href="([^"]+)">([^<]+)</a>', item).groups()
        out.append((html.unescape(name), link, re.findall(r'href="(tel:[^"]+)"', item)))
    return out


def expected(contacts) -> list[tuple[str, str, list[str]]]:
    return [(c.name, f"/hilfe/#kontakt-{c.key}", [p.href for p in c.phones if p.dialable]) for c in contacts]


def emergency_numbers(part: str) -> list[str]:
    line = re.search(r'<p class="emergency"><strong>Bei Gefahr für Leib und Leben:</strong>(.*?)</p>', part, re.S)
    assert line, "no emergency line"
    return re.findall(r'href="(tel:[^"]+)"', line[1])


def test_every_theme_page_shows_the_contacts_of_its_area_in_its_box(built):
    site, out = built
    for term in site.vocabularies["prevention_areas"].terms.values():
        part = box(read(out, f"themen/{term.key}/"))
        assert emergency_numbers(part) == ["tel:110", "tel:112"], term.key
        contacts = [c for c in site.help.contacts if not c.emergency and term in c.prevention_areas]
        assert listed(part) == expected(contacts), term.key
        assert ('href="/hilfe/"' in part) and (f"zum Thema {html.escape(term.label, quote=False)}" in part
                                                 or not contacts)
    # The sample links each local and national line where it belongs.
    sucht = [name for name, _, _ in listed(box(read(out, "themen/suchtpraevention/")))]
    assert {"Sucht & Drogen Hotline", "Suchtberatung in Chemnitz"} <= set(sucht)
    assert "Hilfetelefon Sexueller Missbrauch" in [n for n, _, _ in listed(box(read(out, "themen/sexuelle-bildung/")))]


def test_every_offer_page_shows_the_contacts_of_its_areas_and_does_not_print_them(built):
    site, out = built
    for offer in site.offers:
        page = read(out, f"angebote/{offer.slug}/")
        assert '<section class="help-box no-print" aria-labelledby="hilfe-kasten">' in page
        part = box(page)
        areas = set(offer.prevention_areas)
        contacts = [c for c in site.help.contacts if not c.emergency and areas & set(c.prevention_areas)]
        assert listed(part) == expected(contacts), offer.slug
        assert emergency_numbers(part) == ["tel:110", "tel:112"]


def test_help_page_starts_with_the_emergency_line_and_lists_every_contact(built):
    site, out = built
    page = read(out, "hilfe/")
    main = page[page.index("<main"):page.index("</main>")]
    after_h1 = main[main.index("</h1>"):]
    assert after_h1[len("</h1>"):].lstrip().startswith('<div class="help-box help-emergency">')
    assert emergency_numbers(after_h1[:after_h1.index("</div>")]) == ["tel:110", "tel:112"]
    for contact in site.help.contacts:
        entry = re.search(rf'<li class="help-entry" id="kontakt-{contact.key}">(.*?)</li>\n', main, re.S)
        assert entry, contact.key
        text = html.unescape(entry[1])
        assert f"<h3>{contact.name}</h3>" in text and contact.helps_with in text and contact.hours in text
        assert re.findall(r'href="(tel:[^"]+)"', entry[1]) == [p.href for p in contact.phones if p.dialable]
        for phone in contact.phones:
            if not phone.dialable:  # a placeholder the office has to confirm: text, never a link
                assert phone.number in text and "tel:" not in phone.href
    assert "Stand: 25. November 2026" in page
    assert 'href="/daten/hilfe.csv"' in main and 'href="/daten/hilfe.json"' in main


def test_every_page_links_the_help_page_in_its_header(built):
    _, out = built
    for file in public_pages(out):
        page = file.read_text(encoding="utf-8")
        header = page[page.index('<header class="site-header">'):page.index("</header>")]
        assert re.search(r'<a class="nav-help" href="/hilfe/"[^>]*>Hilfe in akuten Fällen</a>', header), file


def test_help_page_is_in_the_sitemap_and_its_data_on_the_data_page(built):
    _, out = built
    sitemap = (out / "sitemap.xml").read_text(encoding="utf-8")
    assert ("<loc>https://praevention.example.org/hilfe/</loc>\n    <lastmod>2026-11-25</lastmod>" in sitemap)
    data = read(out, "daten/")
    assert 'href="/daten/hilfe.csv"' in data and 'href="/daten/hilfe.json"' in data


def test_leichte_sprache_has_the_emergency_and_childrens_numbers(built):
    _, out = built
    page = read(out, "leichte-sprache/")
    section = page[page.index("<h2>Hilfe in einer Not</h2>"):]
    section = section[:section.index("<h2>", 5)]
    for href, text in (("tel:110", "110"), ("tel:112", "112"), ("tel:116111", "116\u00a0111"),
                       ("tel:+498001110550", "0800\u00a0111\u00a00\u00a0550")):
        assert re.search(rf'<a href="{re.escape(href)}"[^>]*>{text}</a>', html.unescape(section)), href
    sentences = [s for s in re.split(r"[.?!:]\s", re.sub(r"<[^>]+>", " ", section)) if s.strip()]
    assert max(len(s.split()) for s in sentences) <= 12  # Leichte Sprache: short sentences


@pytest.mark.parametrize("number, href", [("110", "tel:110"), ("116 111", "tel:116111"),
                                          ("0800 111 0 550", "tel:+498001110550"),
                                          ("01806 313031", "tel:+491806313031")])
def test_phone_numbers_become_tel_links_in_international_or_short_form(number, href):
    phone = models.Phone(number)
    assert phone.dialable and phone.href == href
    assert phone.text == number.replace(" ", "\u00a0")


def test_a_placeholder_phone_is_never_a_link():
    phone = models.Phone("[Bitte prüfen: Telefonnummer]")
    assert not phone.dialable and phone.href == "" and phone.text == "[Bitte prüfen: Telefonnummer]"
