"""The Merkliste (state only in the URL fragment) and the printed offer page, in Chromium."""

from __future__ import annotations

import json
import re
from urllib.parse import unquote, urlsplit

import pytest

from conftest import ROOT, TODAY
from offerdb import pipeline


@pytest.fixture(scope="module")
def addresses():
    """Partner name -> postal address as the content files give it (read apart from the site under test)."""
    checked = pipeline.check(ROOT / "content", ROOT / "site.yaml", TODAY)
    return {r.values["name"]: "{street}, {postal_code} {city}".format(**r.values["address"])
            for r in checked.validated.records["partner"]}


@pytest.fixture(scope="module")
def offers(site):
    return json.loads((site.root / "daten" / "katalog.json").read_text(encoding="utf-8"))["offers"]


def listed(page) -> list[str]:
    return page.eval_on_selector_all("#merk-liste h2 a", "links => links.map(a => a.textContent)")


def test_merkliste_shows_the_offers_of_the_fragment_and_drops_unknown_ones(browse, page, offers):
    a, b = offers[3], offers[7]
    browse.visit(page, f"merkliste/#{a['slug']},gibt-es-nicht,{b['slug']},{a['slug']}")
    page.wait_for_selector("#merk-liste > li")
    assert listed(page) == [a["title"], b["title"]]
    assert urlsplit(page.url).fragment == f"{a['slug']},{b['slug']}"
    assert page.inner_text("#merk-status") == "2 Angebote auf der Merkliste."
    text = page.input_value("#merk-text")
    for offer in (a, b):
        assert offer["title"] in text and f"/angebote/{offer['slug']}/" in text
        if offer["contact"].get("email"):
            assert offer["contact"]["email"] in text
    mail = page.get_attribute("#merk-mail", "href")
    assert mail.startswith("mailto:?subject=") and a["title"] in unquote(mail)
    assert page.input_value("#merk-link") == page.url


def test_remove_and_add_keep_the_list_in_the_url_only(browse, page, offers):
    a, b, c = offers[0], offers[1], offers[2]
    browse.visit(page, f"merkliste/#{a['slug']},{b['slug']}")
    page.wait_for_selector("#merk-liste > li")
    page.focus(f"[data-remove='{a['slug']}']")
    page.keyboard.press("Enter")
    assert listed(page) == [b["title"]]
    assert urlsplit(page.url).fragment == b["slug"]
    assert page.evaluate("document.activeElement.getAttribute('data-remove')") == b["slug"]  # focus stays in the list
    page.select_option("#merk-auswahl", c["slug"])
    page.click("#merk-hinzufuegen")
    assert listed(page) == [b["title"], c["title"]]
    assert urlsplit(page.url).fragment == f"{b['slug']},{c['slug']}"
    storage = page.evaluate("[document.cookie, localStorage.length, sessionStorage.length]")
    assert storage == ["", 0, 0]
    assert page.context.cookies() == []
    # The address alone restores the list, in a fresh context without any history.
    other = browse.new()
    browse.visit(other, "merkliste/#" + urlsplit(page.url).fragment)
    other.wait_for_selector("#merk-liste > li")
    assert listed(other) == [b["title"], c["title"]]


def test_copy_puts_the_list_on_the_clipboard(browse, offers):
    page = browse.new(permissions=["clipboard-read", "clipboard-write"])
    a = offers[5]
    browse.visit(page, f"merkliste/#{a['slug']}")
    page.wait_for_selector("#merk-liste > li")
    page.click("#merk-kopieren")
    page.wait_for_function("() => document.getElementById('merk-status').textContent.includes('kopiert')")
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied.startswith("Merkliste: Präventionsangebote für Schulen")
    assert a["title"] in copied and f"/angebote/{a['slug']}/" in copied


def test_empty_merkliste_explains_how_to_mark(browse, page):
    browse.visit(page, "merkliste/")
    page.wait_for_selector("[data-merkliste]:not([hidden])")
    assert page.is_visible("#merk-leer")
    assert page.inner_text("#merk-status") == "Die Merkliste ist leer."


def test_without_javascript_the_merkliste_says_what_to_do(browse, nojs_page):
    browse.visit(nojs_page, "merkliste/")
    assert "braucht JavaScript" in nojs_page.inner_text("main")
    assert nojs_page.is_hidden("[data-merkliste]")


def test_printed_merkliste_gives_each_offers_postal_address_and_web_address(browse, page, site, offers, addresses):
    """On paper a title is no link: every entry prints its provider's address and the offer's address."""
    chosen = offers[:3]
    browse.visit(page, "merkliste/#" + ",".join(o["slug"] for o in chosen))
    page.wait_for_function("document.querySelectorAll('#merk-liste > li').length === 3")
    page.emulate_media(media="print")
    for entry, offer in zip(page.locator("#merk-liste > li").all(), chosen, strict=True):
        printed = entry.inner_text()
        assert f"Anschrift: {addresses[offer['partner']]}" in printed, printed
        assert f"Angebotsseite: {site.url('angebote/' + offer['slug'] + '/')}" in printed, printed
        assert "Entfernen" not in printed
    assert f"Anschrift: {addresses[chosen[0]['partner']]}" in page.input_value("#merk-text")


def test_every_offer_prints_on_one_page_with_its_contact(browse, page, site):
    for slug in site.offers:
        browse.visit(page, f"angebote/{slug}/")
        pdf = page.pdf(format="A4", prefer_css_page_size=True)
        pages = len(re.findall(rb"/Type\s*/Page[^s]", pdf))
        assert pages == 1, f"{slug}: {pages} Seiten"
    page.emulate_media(media="print")
    for hidden in (".site-header nav", ".header-search", ".site-footer", ".offer-actions"):
        assert page.locator(hidden).first.is_hidden(), hidden
    contact = page.locator("#kontakt + *").first
    assert contact.is_visible()
    assert page.locator("section[aria-labelledby='kontakt'] a[href^='mailto:']").first.is_visible()
    assert page.locator(".print-only").first.is_visible()
