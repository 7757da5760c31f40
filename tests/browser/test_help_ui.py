"""Help in acute cases in Chromium: an empty result on /angebote/ shows the contacts for the areas the search or
the filters touch, before the advice to remove filters; /hilfe/ and the help boxes work without JavaScript and
print every number."""

from __future__ import annotations

import json
import unicodedata

import pytest


@pytest.fixture(scope="module")
def help_data(site):
    return json.loads((site.root / "daten" / "hilfe.json").read_text(encoding="utf-8"))


def fold(text: str) -> str:
    return unicodedata.normalize("NFC", text).casefold().replace("ä", "ae").replace("ö", "oe").replace("ü", "ue")


def contacts_for(help_data, areas: set[str]) -> list[str]:
    """The counselling contacts of `areas`, in file order: what the box must list, written out from the data."""
    return [c["name"] for c in help_data["contacts"]
            if not c["emergency"] and areas & {a["key"] for a in c["prevention_areas"]}]


def areas_named(help_data, word: str) -> set[str]:
    return {key for key, label in help_data["prevention_areas"].items() if fold(word) in fold(label)}


def shown_contacts(page) -> list[dict]:
    """Name, tel: links and meta line of each contact in the result region's help box."""
    page.wait_for_selector("#leer [data-help]:not([hidden]) [data-help-list] > li")
    return page.eval_on_selector_all("#leer [data-help-list] > li", """items => items.map(li => ({
        name: li.querySelector(".help-name a").textContent,
        page: li.querySelector(".help-name a").getAttribute("href"),
        tels: Array.from(li.querySelectorAll("a[href^='tel:']")).map(a => [a.getAttribute("href"), a.textContent]),
        meta: li.querySelector(".help-meta").textContent}))""")


def help_before_advice(page) -> bool:
    return page.evaluate("""() => {
        const box = document.querySelector("#leer [data-help]");
        const reset = document.querySelector("#leer a[data-reset]");
        return !!(box.compareDocumentPosition(reset) & Node.DOCUMENT_POSITION_FOLLOWING);
    }""")


@pytest.mark.parametrize("query, word", [("q=Sucht", "Sucht"), ("q=Gewalt", "Gewalt"),
                                         ("bereich=suchtpraevention", "Suchtprävention")])
def test_empty_result_shows_the_contacts_of_the_areas_it_touches(browse, page, help_data, query, word):
    # No offer is in Turkish: whatever the search finds, the filter empties the list.
    browse.visit(page, f"angebote/?{query}&sprache=tr")
    page.wait_for_selector("#leer:not([hidden])")
    assert page.locator("#liste > li").count() == 0
    areas = areas_named(help_data, word)
    assert areas, word
    want = contacts_for(help_data, areas)
    shown = shown_contacts(page)
    assert [c["name"] for c in shown] == want
    by_name = {c["name"]: c for c in help_data["contacts"]}
    for contact in shown:
        data = by_name[contact["name"]]
        assert contact["page"] == "/hilfe/#kontakt-" + data["key"]
        # Every confirmed number as a tel: link with its digits; placeholders are text, never a link.
        assert [href for href, _ in contact["tels"]] == [p["tel"] for p in data["phones"] if p["tel"]]
        assert [" ".join(text.split()) for _, text in contact["tels"]] == [
            p["number"] for p in data["phones"] if p["tel"]]
        assert data["hours"] in contact["meta"]
    assert help_before_advice(page)
    emergency = page.locator("#leer [data-help] .emergency")
    assert emergency.locator("a[href='tel:110']").count() == 1 and emergency.locator("a[href='tel:112']").count() == 1


def test_sucht_and_gewalt_touch_their_own_areas(help_data):
    """Guards the test above: the two words pick different, non-empty sets of contacts."""
    sucht, gewalt = areas_named(help_data, "Sucht"), areas_named(help_data, "Gewalt")
    assert sucht == {"suchtpraevention"}
    assert gewalt == {"gewaltpraevention", "sexuelle-bildung"}
    assert "Sucht & Drogen Hotline" in contacts_for(help_data, sucht)
    assert "Sucht & Drogen Hotline" not in contacts_for(help_data, gewalt)
    assert "Hilfetelefon Sexueller Missbrauch" in contacts_for(help_data, gewalt)


def test_a_contact_keyword_shows_its_contact_when_no_area_is_named(browse, page, help_data):
    browse.visit(page, "angebote/?q=Ritzen&sprache=tr")
    want = [c["name"] for c in help_data["contacts"] if "Ritzen" in c["keywords"]]
    assert len(want) >= 2
    assert [c["name"] for c in shown_contacts(page)] == want


def test_empty_result_without_a_topic_shows_no_help_box(browse, page):
    browse.visit(page, "angebote/?klasse=1&zielgruppe=eltern&format=theater&sprache=tr")
    page.wait_for_selector("#leer:not([hidden])")
    page.wait_for_load_state("networkidle")
    assert page.locator("#leer [data-help]").is_hidden()
    page.click("#leer [data-reset]")  # the way out stays as before
    assert page.locator("#leer").is_hidden()


def test_help_box_goes_when_results_come_back(browse, page):
    browse.visit(page, "angebote/?q=Sucht&sprache=tr")
    shown_contacts(page)
    page.uncheck("#f-sprache-tr")
    page.wait_for_selector("#liste > li")
    assert page.locator("#leer").is_hidden() and page.locator("#leer [data-help]").is_hidden()


def test_help_page_and_theme_box_without_javascript(browse, site, nojs_page, help_data):
    page = nojs_page
    browse.visit(page, "")
    page.locator("header nav a", has_text="Hilfe in akuten Fällen").click()
    page.wait_for_url("**/hilfe/")
    first = page.locator("main h1 + *")
    assert "Bei Gefahr für Leib und Leben" in first.inner_text()
    assert first.locator("a[href='tel:110']").is_visible() and first.locator("a[href='tel:112']").is_visible()
    for contact in help_data["contacts"]:
        entry = page.locator(f"#kontakt-{contact['key']}")
        assert entry.locator("h3").inner_text() == contact["name"]
        for phone in contact["phones"]:
            if phone["tel"]:
                assert entry.locator(f"a[href='{phone['tel']}']").is_visible()
    browse.visit(page, "themen/suchtpraevention/")
    box = page.locator("section.help-box")
    assert box.is_visible()
    assert box.locator(".help-name a").all_inner_texts() == contacts_for(help_data, {"suchtpraevention"})


@pytest.mark.parametrize("path", ["hilfe/", "themen/gewaltpraevention/"])
def test_numbers_print(browse, page, path):
    browse.visit(page, path)
    page.emulate_media(media="print")
    box = page.locator(".help-box").first
    assert box.is_visible()
    for tel in box.locator("a[href^='tel:']").all():
        assert tel.is_visible() and any(ch.isdigit() for ch in tel.inner_text())
    assert page.locator(".site-header nav").is_hidden()  # the print stylesheet is in force


def test_empty_result_with_help_contacts_has_no_wcag_violations(browse, page):
    from test_axe import axe_violations, readable

    browse.visit(page, "angebote/?q=Gewalt&sprache=tr")
    shown_contacts(page)
    violations = axe_violations(page)
    assert violations == [], readable(violations)
