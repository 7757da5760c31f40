"""The list page on a phone (issue "What newcomers hit first", item 7): the filter panel starts closed and its
"N Angebote anzeigen" button leads back to the results, active filters are removable chips above the results,
the result summary names them, and menus and filters are tap targets of at least 44 × 44 px (WCAG 2.5.5)."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
import yaml

from test_axe import axe_violations, readable
from conftest import settled, wait_until

PHONE = {"width": 375, "height": 800}
NEAR_THE_TOP = 900  # px from the top of the page: the first result is on or just below the first screen
TARGET = 44  # px, WCAG 2.5.5


@pytest.fixture(scope="module")
def catalog(site):
    return {"offers": site.catalog}


@pytest.fixture
def phone(browse):
    return browse.new(viewport=PHONE, has_touch=True, is_mobile=True)


def ready(page):
    page.wait_for_selector("[data-facets]:not([hidden])")
    settled(page)


def first_card_top(page) -> float:
    return page.evaluate("document.querySelector('#liste > li.card').getBoundingClientRect().top + scrollY")


def panel_open(page) -> bool:
    return page.evaluate("document.querySelector('[data-facets]').open")


def test_the_panel_starts_closed_and_its_button_returns_to_the_results(browse, phone, catalog):
    browse.visit(phone, "angebote/")
    ready(phone)
    assert not panel_open(phone)
    assert first_card_top(phone) < NEAR_THE_TOP
    phone.tap("[data-facets] > summary")
    assert panel_open(phone)
    assert first_card_top(phone) > 2 * NEAR_THE_TOP  # the open panel stands above the results
    phone.tap("#f-format-workshop + label")
    settled(phone)
    workshops = [o for o in catalog["offers"] if "workshop" in o["format"]]
    button = phone.locator("[data-show-results]")
    assert button.inner_text() == f"{len(workshops)} Angebote anzeigen"
    phone.tap("#f-kostenfrei + label")
    settled(phone)
    free = [o for o in workshops if o["free"]]
    assert button.inner_text() == f"{len(free)} Angebote anzeigen"
    assert button.is_visible()  # in reach at the bottom of the screen while the panel scrolls by
    box = button.bounding_box()
    assert box["y"] + box["height"] <= PHONE["height"]
    button.tap()
    assert not panel_open(phone)
    assert first_card_top(phone) < NEAR_THE_TOP
    assert phone.evaluate("document.activeElement.id") == "ergebnis"
    status = phone.locator("#ergebnis").bounding_box()
    assert 0 <= status["y"] < PHONE["height"] / 2
    wait_until(phone, "n => document.querySelectorAll('#liste > li.card').length === n", arg=len(free))


def test_a_phone_loads_the_filter_file_only_when_the_filters_are_opened(browse, phone):
    """The page folds its filters on a phone; that is not the visitor turning to them, so the filter file (55 KB at
    10,000 offers) is not loaded, neither on the plain list nor with a search. Opening the filters loads it once."""
    filter_files: list[str] = []
    phone.on("request", lambda r: filter_files.append(r.url) if "/daten/suche/f." in r.url else None)
    for path in ("angebote/", "angebote/?q=Mobbing"):
        browse.visit(phone, path)
        ready(phone)
        phone.wait_for_timeout(300)  # a load the folding set off would have begun
        assert not panel_open(phone) and filter_files == [], path
    phone.tap("[data-facets] > summary")
    assert panel_open(phone)
    wait_until(phone, "() => performance.getEntriesByType('resource').some(e => e.name.includes('/daten/suche/f.'))")
    settled(phone)
    assert len(filter_files) == 1


def test_active_filters_are_chips_that_remove_themselves(browse, page, catalog):
    browse.visit(page, "angebote/?klasse=7&kostenfrei=1&bereich=mobbing&format=workshop&format=projekttag")
    ready(page)
    names = ["Filter entfernen: Klassenstufe 7", "Filter entfernen: kostenfrei",
             "Filter entfernen: Thema Mobbing und Cybermobbing", "Filter entfernen: Format Projekttag",
             "Filter entfernen: Format Workshop"]
    chips = page.locator("[data-chip-list] button")
    assert [yaml.safe_load(chips.nth(i).aria_snapshot())[0] for i in range(chips.count())] == [
        f'button "{name}"' for name in names]
    for name in names:  # each is found by its accessible name
        assert page.get_by_role("button", name=name, exact=True).count() == 1
    want = [o for o in catalog["offers"] if o["free"] and o["grades"] and o["grades"][0] <= 7 <= o["grades"][1]
            and "mobbing" in o["area"] and {"workshop", "projekttag"} & set(o["format"])]
    summary = (f"{len(want)} Angebote gefunden. Filter: Klassenstufe 7, kostenfrei, Thema Mobbing und Cybermobbing, "
               "Format Projekttag oder Workshop.")
    wait_until(page, "t => document.getElementById('ergebnis').textContent === t", arg=summary)
    page.get_by_role("button", name="Filter entfernen: kostenfrei", exact=True).click()
    assert parse_qs(urlsplit(page.url).query) == {"klasse": ["7"], "bereich": ["mobbing"],
                                                  "format": ["projekttag", "workshop"]}  # in page order
    assert not page.is_checked("#f-kostenfrei")
    assert chips.count() == 4
    # The keyboard stays in the row: the chip after the removed one has the focus.
    assert page.evaluate("document.activeElement.textContent").startswith("Filter entfernen: Thema")
    page.go_back()
    wait_until(page, "() => document.getElementById('f-kostenfrei').checked")
    assert chips.count() == 5
    for _ in range(5):
        chips.first.click()
    assert page.is_hidden("[data-chips]") and urlsplit(page.url).query == ""
    assert page.evaluate("document.activeElement.id") == "ergebnis"


BOXES = """selector => [...document.querySelectorAll(selector)].filter(el => el.getClientRects().length).map(el => {
    const r = el.getBoundingClientRect();
    return {what: el.textContent.trim().slice(0, 40), width: r.width, height: r.height,
            control: el.control ? el.control.id : null};
})"""


def test_menus_and_filters_are_big_enough_to_tap_on_a_phone(browse, phone):
    browse.visit(phone, "angebote/?bereich=mobbing")
    ready(phone)
    phone.tap("[data-facets] > summary")
    small = []
    measured = {}
    for name, selector in [("Hauptmenü", "header nav a"), ("Fußzeile", ".site-footer a"),
                           ("Filter", ".filters input[type=checkbox] + label"),
                           ("Filterknopf", "[data-facets] > summary, [data-show-results], #f-klasse"),
                           ("Chips", "[data-chip-list] button, [data-chips] a")]:
        boxes = phone.evaluate(BOXES, selector)
        measured[name] = len(boxes)
        small += [f"{name}: „{b['what']}“ {b['width']:.0f} × {b['height']:.0f}" for b in boxes
                  if b["width"] < TARGET or b["height"] < TARGET]
    # A checkbox's target is its label, which toggles it.
    checkboxes = phone.evaluate("document.querySelectorAll('.filters input[type=checkbox]').length")
    labelled = phone.evaluate(BOXES, ".filters input[type=checkbox] + label")
    assert len(labelled) == checkboxes and all(b["control"] for b in labelled)
    assert measured == {"Hauptmenü": 7, "Fußzeile": 8, "Filter": checkboxes, "Filterknopf": 3, "Chips": 2}
    assert small == [], "\n".join(small)


def test_chips_and_the_empty_result_pass_axe(browse, page):
    browse.visit(page, "angebote/?q=Mobbing&klasse=1&ort=online")
    page.wait_for_selector("#leer [data-drop-list] button")
    assert page.is_visible("[data-chips]")
    violations = axe_violations(page)
    assert violations == [], readable(violations)
