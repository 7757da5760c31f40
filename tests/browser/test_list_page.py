"""The list page in Chromium: facets with counts that follow the other choices, state in the URL, back
button, sorting, marks for the Merkliste, keyboard use and the empty result; the counts the build writes into the
page, and the data list.js loads only when it needs it."""

from __future__ import annotations

import json
import re
from urllib.parse import parse_qs, urlsplit

import pytest

from offerdb import exports

from offerdb.models import FACETS as TABLE
from conftest import settled, shown_and_first_paint, wait_until, watch_shown_on_a_slow_pc

FACETS = {facet.param: facet.key for facet in TABLE}  # URL parameter -> facet key in catalog_of's offers


@pytest.fixture(scope="module")
def catalog(site):
    return {"offers": site.catalog}


def expected(catalog, facets=None, grade=None, free=False, except_=None):
    """The facet semantics, written out independently of list.js: values of one facet are alternatives,
    facets combine with AND, and a facet's own counts ignore its own choice."""
    found = []
    for offer in catalog["offers"]:
        if free and except_ != "kostenfrei" and not offer["free"]:
            continue
        grades = offer["grades"]
        if grade and except_ != "klasse" and not (grades and grades[0] <= grade <= grades[1]):
            continue
        if any(param != except_ and wanted and not set(wanted) & set(offer[FACETS[param]])
               for param, wanted in (facets or {}).items()):
            continue
        found.append(offer)
    return found


def ready(page):
    page.wait_for_selector("[data-facets]:not([hidden])")
    settled(page)


def cards(page) -> list[str]:
    return page.eval_on_selector_all("#liste > li.card", "items => items.map(i => i.dataset.slug)")


def count(page, key) -> int:
    return int(page.inner_text(f'[data-count="{key}"]').strip("()"))


def test_facets_filter_and_counts_follow_the_other_choices(browse, page, catalog):
    browse.visit(page, "angebote/")
    ready(page)
    page.check("#f-bereich-mobbing")
    page.select_option("#f-klasse", "7")
    settled(page)
    want = expected(catalog, {"bereich": ["mobbing"]}, grade=7)
    assert want, "the sample must have mobbing offers for grade 7"
    assert sorted(cards(page)) == sorted(o["slug"] for o in want)
    status = (f"{len(want)} Angebote gefunden." if len(want) > 1 else "1 Angebot gefunden.") + \
        " Filter: Klassenstufe 7, Thema Mobbing und Cybermobbing."
    assert page.inner_text("#ergebnis") == status
    # A value of the same facet counts as if the mobbing choice were not made (alternatives) ...
    for key in ("suchtpraevention", "medienbildung", "mobbing"):
        others = expected(catalog, {"bereich": ["mobbing"]}, grade=7, except_="bereich")
        assert count(page, f"bereich={key}") == len([o for o in others if key in o["area"]]), key
    # ... while other facets count only within the current result.
    for key in ("workshop", "projekttag", "elternabend"):
        assert count(page, f"format={key}") == len([o for o in want if key in o["format"]]), key
    assert count(page, "kostenfrei") == len([o for o in want if o["free"]])
    query = parse_qs(urlsplit(page.url).query)
    assert query == {"bereich": ["mobbing"], "klasse": ["7"]}


def test_state_in_the_url_survives_reload_and_links(browse, page, catalog):
    browse.visit(page, "angebote/?schulart=grundschule&schulart=foerderschule&kostenfrei=1&sortierung=neu")
    ready(page)
    assert page.is_checked("#f-schulart-grundschule") and page.is_checked("#f-schulart-foerderschule")
    assert page.is_checked("#f-kostenfrei") and page.input_value("#f-sortierung") == "neu"
    want = expected(catalog, {"schulart": ["grundschule", "foerderschule"]}, free=True)
    # Newest first; offers of the same day keep the catalog's title order (both sorts are stable).
    newest_first = sorted(want, key=lambda o: o["updated"], reverse=True)
    assert cards(page) == [o["slug"] for o in newest_first]
    page.reload(wait_until="networkidle")
    ready(page)
    assert set(cards(page)) == {o["slug"] for o in want}


def test_back_button_steps_back_through_filters(browse, page, catalog):
    browse.visit(page, "angebote/")
    ready(page)
    everything = len(catalog["offers"])
    page.check("#f-format-workshop")
    page.check("#f-kostenfrei")
    settled(page)
    assert len(cards(page)) == len(expected(catalog, {"format": ["workshop"]}, free=True))
    page.go_back()
    wait_until(page, "() => !document.getElementById('f-kostenfrei').checked")
    settled(page)
    assert page.is_checked("#f-format-workshop")
    assert len(cards(page)) == len(expected(catalog, {"format": ["workshop"]}))
    page.go_back()
    wait_until(page, "() => !document.getElementById('f-format-workshop').checked")
    settled(page)
    assert page.inner_text("#ergebnis").startswith(f"{everything} Angebote gefunden")


def test_reset_and_empty_result_offer_a_way_out(browse, page, catalog):
    browse.visit(page, "angebote/?klasse=1&zielgruppe=eltern&format=theater&sprache=tr")
    ready(page)
    assert expected(catalog, {"zielgruppe": ["eltern"], "format": ["theater"], "sprache": ["tr"]}, grade=1) == []
    assert cards(page) == []
    assert page.is_visible("#leer")
    assert page.inner_text("#ergebnis") == ("Keine Angebote gefunden. Filter: Klassenstufe 1, Format Theater, "
                                            "Für wen Eltern und Sorgeberechtigte, Sprache Türkisch.")
    assert page.locator("#leer a[href$='/themen/mobbing/']").count() == 1
    page.click("#leer [data-reset]")
    settled(page)
    assert len(cards(page)) == min(len(catalog["offers"]), 24)
    assert urlsplit(page.url).query == ""
    assert page.is_hidden("#leer")


def test_more_button_shows_the_rest_and_moves_focus(browse, page, catalog):
    browse.visit(page, "angebote/")
    ready(page)
    assert len(cards(page)) == 24 and page.is_visible("#mehr")
    total = len(catalog["offers"])
    assert total == 25, "the sample has one offer beyond the first 24: the wording of a single remaining offer"
    assert page.inner_text("#ergebnis") == "25 Angebote gefunden. Angezeigt werden 24 von 25 Angeboten."
    assert page.inner_text("#mehr") == "1 weiteres Angebot anzeigen"
    page.focus("#mehr")
    page.keyboard.press("Enter")
    settled(page)
    assert cards(page) == [o["slug"] for o in catalog["offers"]]  # the build's 24, then the 25th in title order
    assert page.evaluate("document.activeElement.closest('li.card').dataset.slug") == catalog["offers"][24]["slug"]
    assert page.is_hidden("#mehr")


def test_filters_and_marks_work_with_the_keyboard_alone(browse, page, catalog):
    browse.visit(page, "angebote/")
    ready(page)
    page.focus("#suche")
    checkbox = None
    for _ in range(40):  # tab forward to the first prevention-area checkbox
        page.keyboard.press("Tab")
        checkbox = page.evaluate("document.activeElement.id")
        if checkbox.startswith("f-bereich-"):
            break
    assert checkbox and checkbox.startswith("f-bereich-"), checkbox
    page.keyboard.press("Space")
    settled(page)
    key = checkbox.removeprefix("f-bereich-")
    assert sorted(cards(page)) == sorted(o["slug"] for o in expected(catalog, {"bereich": [key]}))
    first = page.locator("#liste > li.card [data-mark]").first
    first.focus()
    page.keyboard.press("Enter")
    assert first.get_attribute("aria-pressed") == "true"
    slug = cards(page)[0]
    assert page.evaluate("localStorage.getItem('offerdb-merkliste:/')") == slug  # the visitor's list (merken.js)
    assert "gemerkt" not in urlsplit(page.url).query
    assert page.get_attribute("[data-marked] a", "href").endswith(f"merkliste/#{slug}")


def test_marked_offers_reach_the_merkliste(browse, page, catalog):
    browse.visit(page, "angebote/")
    ready(page)
    buttons = page.locator("#liste > li.card [data-mark]")
    buttons.nth(0).click()
    buttons.nth(2).click()
    slugs = [cards(page)[0], cards(page)[2]]
    assert page.inner_text("[data-marked-count]") == "2"
    page.click("[data-marked] a")
    page.wait_for_selector("#merk-liste > li")
    titles = page.eval_on_selector_all("#merk-liste h2 a", "links => links.map(a => a.textContent)")
    by_slug = {o["slug"]: o for o in catalog["offers"]}
    assert titles == [by_slug[s]["title"] for s in slugs]
    assert urlsplit(page.url).fragment == ""  # the own list: stored, its address stays plain


def test_gruene_liste_facet_filters_by_evidence_level(browse, page, catalog):
    browse.visit(page, "angebote/?wirksamkeit=wahrscheinlich&wirksamkeit=nachgewiesen")
    ready(page)
    assert page.is_checked("#f-wirksamkeit-wahrscheinlich") and page.is_checked("#f-wirksamkeit-nachgewiesen")
    want = expected(catalog, {"wirksamkeit": ["wahrscheinlich", "nachgewiesen"]})
    assert len(want) >= 2, "the sample must have offers listed in the Grüne Liste"
    assert sorted(cards(page)) == sorted(o["slug"] for o in want)
    unfiltered = expected(catalog, except_="wirksamkeit")
    assert count(page, "wirksamkeit=theoretisch-gut-begruendet") == len(
        [o for o in unfiltered if "theoretisch-gut-begruendet" in o["evidence"]])


def test_two_values_of_one_facet_both_stand_in_the_url(browse, page, catalog):
    """What list.js writes back after a change: every chosen value of a facet, the cost filter as the page reads
    it, nothing else; the address restores the same choice."""
    browse.visit(page, "angebote/")
    ready(page)
    page.check("#f-format-workshop")
    page.check("#f-format-projekttag")
    page.check("#f-kostenfrei")
    settled(page)
    order = page.eval_on_selector_all('input[name="format"]:checked', "boxes => boxes.map(b => b.value)")
    assert sorted(order) == ["projekttag", "workshop"]
    assert parse_qs(urlsplit(page.url).query) == {"format": order, "kostenfrei": ["1"]}
    want = expected(catalog, {"format": ["workshop", "projekttag"]}, free=True)
    assert page.inner_text("#ergebnis").startswith(f"{len(want)} Angebote gefunden.")
    page.reload(wait_until="networkidle")
    ready(page)
    assert page.is_checked("#f-format-workshop") and page.is_checked("#f-format-projekttag")
    assert page.is_checked("#f-kostenfrei")
    assert sorted(cards(page)) == sorted(o["slug"] for o in want)


def test_grade_options_count_the_offers_of_each_grade(browse, page, catalog):
    """Each grade option counts the offers whose range includes it, first and last grade too; choosing a grade
    keeps exactly those offers; an option with one offer is not dimmed, one with none is."""
    browse.visit(page, "angebote/")
    ready(page)
    options = page.eval_on_selector_all("#f-klasse option", "os => os.map(o => [o.value, o.textContent])")
    grades = [int(value) for value, _ in options if value]
    assert grades == list(range(1, 14))
    for grade in grades:
        n = len(expected(catalog, grade=grade))
        assert [text for value, text in options if value == str(grade)] == [f"Klasse {grade} ({n})"]
    for grade in (1, 5, 9, 13):  # grades where offers start or end
        page.select_option("#f-klasse", str(grade))
        want = expected(catalog, grade=grade)
        wait_until(page, "n => document.querySelector('#ergebnis').textContent.startsWith(n + ' Angebot')", len(want))
    page.select_option("#f-klasse", "")
    settled(page)
    # counted by the script now (the page came with the build's counts)
    assert page.eval_on_selector_all("#f-klasse option", "os => os.map(o => [o.value, o.textContent])") == options
    spans = page.eval_on_selector_all("[data-count]", """spans => spans.map(s => [s.dataset.count, s.textContent,
                                                            s.parentNode.classList.contains('zero')])""")
    counts = {int(text.strip("()")) for _, text, _ in spans}
    assert 1 in counts, "the sample must have an option with a single offer"
    for key, text, dimmed in spans:
        assert dimmed == (text == "(0)"), key


def test_cards_show_titles_and_summaries_as_text(browse, page, catalog):
    """The cards list.js builds take title, summary, cost and partner as text: markup in the card data stays
    visible characters and never becomes an element."""
    first = catalog["offers"][0]
    hostile = {"title": '<b id="x-title">T</b> &amp; <img src="x-img">', "summary": '<i id="x-summary">S</i> &lt;',
               "partner": '<u id="x-partner">P</u>', "free": False, "cost": '<s id="x-cost">5 €</s>'}

    def bucket(route):
        data = route.fetch().json()
        for card in data["cards"]:  # lists in CARD_FIELDS' order
            if card[0] == first["slug"]:
                for field, value in hostile.items():
                    card[exports.CARD_FIELDS.index(field)] = value
        route.fulfill(status=200, content_type="application/json", body=json.dumps(data))

    page.route(re.compile(r"/daten/suche/k\d+\.[0-9a-f]+\.json$"), bucket)
    area = first["area"][0]
    browse.visit(page, f"angebote/?bereich={area}")  # cards built by list.js, not by the build
    ready(page)
    card = page.locator(f'#liste > li.card[data-slug="{first["slug"]}"]')
    assert card.locator("h3 a").text_content() == hostile["title"]
    assert card.locator(".card-summary").text_content() == hostile["summary"]
    assert card.locator(".card-partner").text_content() == hostile["partner"]
    assert hostile["cost"] in card.locator(".facts").text_content()
    assert page.locator("#liste b, #liste i, #liste u, #liste s, #liste img").count() == 0


# --- the build's counts, the script's counts and what the page loads -------------------------------------------

COUNTS = """() => ({
    spans: Object.fromEntries([...document.querySelectorAll("[data-count]")].map(s => [s.dataset.count,
        s.textContent + (s.parentNode.classList.contains("zero") ? " zero" : "")])),
    grades: [...document.querySelectorAll("#f-klasse option")].filter(o => o.value).map(o => o.textContent)})"""


def expected_counts(catalog, spans, facets=None, grade=None, free=False):
    """What the page's counts must read (as COUNTS gives them) for a choice of filters, worked out in Python: each
    value counts the offers that pass every other filter and have the value."""
    def counted(n):
        return f"({n})" + (" zero" if n == 0 else "")

    found = {}
    for name in spans:
        if name == "kostenfrei":
            found[name] = counted(sum(o["free"] for o in expected(catalog, facets, grade, free, except_="kostenfrei")))
        else:
            param, value = name.split("=")
            others = expected(catalog, facets, grade, free, except_=param)
            found[name] = counted(sum(value in o[FACETS[param]] for o in others))
    grades = [f"Klasse {g} ({len(expected(catalog, facets, g, free))})" for g in range(1, 14)]
    return {"spans": found, "grades": grades}


def requested(page) -> list[str]:
    """The paths the page asks for from now on (a live list)."""
    paths: list[str] = []
    page.on("request", lambda request: paths.append(urlsplit(request.url).path))
    return paths


def search_data(paths) -> list[str]:
    return [p.rsplit("/", 1)[1] for p in paths if "/daten/" in p]


def test_the_plain_list_loads_no_data_until_a_filter_is_used(browse, page):
    """The counts come with the page: without a query nothing of daten/ is loaded, never the catalogue or a posting
    shard; the first filter loads the filter file, the title order and the shown cards' buckets; the newest
    order only when chosen."""
    paths = requested(page)
    browse.visit(page, "angebote/")
    ready(page)
    assert page.is_visible("[data-facets]")
    assert page.inner_text("#ergebnis") == "25 Angebote gefunden. Angezeigt werden 24 von 25 Angeboten."
    assert search_data(paths) == []
    page.check("#f-kostenfrei")
    settled(page)
    loaded = search_data(paths)
    assert {name[0] for name in loaded} == {"m", "f", "o", "k"}, loaded  # manifest, filters, title order, cards
    assert len([n for n in loaded if n.startswith("f.")]) == 1
    page.select_option("#f-sortierung", "neu")
    settled(page)
    assert len([n for n in search_data(paths) if n.startswith("n.")]) == 1
    assert not [n for n in search_data(paths) if n.startswith(("p.", "w.", "katalog"))]


def test_the_builds_counts_are_the_counts_the_script_computes(browse, page, catalog):
    """The counts on the page before any data has loaded are what list.js counts after a filter is used and
    removed again, and what Python counts on the content."""
    browse.visit(page, "angebote/")
    ready(page)
    built = page.evaluate(COUNTS)
    assert built == expected_counts(catalog, built["spans"])
    assert any(text == "(0) zero" for text in built["spans"].values()), "the sample has a value without offers"
    page.check("#f-bereich-mobbing")
    settled(page)
    assert page.evaluate(COUNTS) != built
    page.uncheck("#f-bereich-mobbing")
    settled(page)
    assert page.evaluate(COUNTS) == built


CHOICES = [
    ({"bereich": ["mobbing", "suchtpraevention"]}, None, False),
    ({"format": ["workshop", "theater", "stadtrundgang"]}, None, True),  # formats take two characters a mask
    ({"schulart": ["grundschule"], "zielgruppe": ["eltern"]}, 3, False),
    ({"ort": ["online", "in-der-schule"], "sprache": ["de"]}, 13, True),
    ({"wirksamkeit": ["wahrscheinlich", "nachgewiesen"], "zielgruppe": ["schuelerinnen-und-schueler"]}, None, False),
    ({"wirksamkeit": ["nachgewiesen"], "bereich": ["gewaltpraevention"]}, None, False),  # nothing
]


@pytest.mark.parametrize(("facets", "grade", "free"), CHOICES)
def test_results_and_counts_agree_with_python(browse, page, catalog, facets, grade, free):
    params = [(param, value) for param, values in facets.items() for value in values]
    params += [("klasse", str(grade))] if grade else []
    params += [("kostenfrei", "1")] if free else []
    browse.visit(page, "angebote/?" + "&".join(f"{k}={v}" for k, v in params))
    ready(page)
    want = expected(catalog, facets, grade, free)
    assert cards(page) == [o["slug"] for o in want][:24]  # in title order
    found = {0: "Keine Angebote", 1: "1 Angebot"}.get(len(want), f"{len(want)} Angebote")
    assert page.inner_text("#ergebnis").startswith(found + " gefunden.")
    shown = page.evaluate(COUNTS)
    assert shown == expected_counts(catalog, shown["spans"], facets, grade, free)


def test_a_failed_filter_file_is_asked_for_again(browse, page, site):
    manifest = json.loads((site.root / "daten" / "suche" / "manifest.json").read_text(encoding="utf-8"))
    url = site.url("daten/suche/" + manifest["filters"])
    browse.recorder(page).expected[url] = 503
    failures = []

    def once(route):
        if failures:
            route.continue_()
        else:
            failures.append(route.request.url)
            route.fulfill(status=503, body="")

    page.route(url, once)
    browse.visit(page, "angebote/")
    ready(page)
    page.check("#f-kostenfrei")
    settled(page)
    assert page.inner_text("#ergebnis").startswith("Filter und Suche sind gerade nicht verfügbar.")
    page.check("#f-format-workshop")
    settled(page)
    want = expected({"offers": site.catalog}, {"format": ["workshop"]}, free=True)
    assert page.inner_text("#ergebnis").startswith(f"{len(want)} Angebote gefunden.")
    assert failures == [url]


# The last query is long: its count takes two lines.
@pytest.mark.parametrize("path", ["angebote/", "angebote/?q=Mobbing",
                                  "angebote/?q=Pr%C3%A4vention%20f%C3%BCr%20die%20Jugendlichen%20und%20mit%20den%20Jugendlichen"])
def test_the_cards_stay_where_the_build_put_them_when_the_script_fills_the_head(browse, page, nojs_page, path):
    """On a wide screen the filters are beside the list: what list.js fills in above the cards (a search's longer
    count, the sort box) must not push them down once the page is shown (a layout shift)."""
    browse.visit(nojs_page, path)
    built = nojs_page.eval_on_selector("#liste", "list => list.getBoundingClientRect().top")
    browse.visit(page, path)
    ready(page)
    assert page.is_visible("#f-sortierung") and page.eval_on_selector("#liste", "list => list.children.length") > 0
    text = page.inner_text("#ergebnis")
    assert "gefunden" in text, text
    if "Jugendlichen" in path:
        lines = page.eval_on_selector("#ergebnis", """p => { const range = document.createRange();
            range.selectNodeContents(p);
            return new Set(Array.from(range.getClientRects(), rect => Math.round(rect.top))).size; }""")
        assert lines == 2, text
    assert page.eval_on_selector("#liste", "list => list.getBoundingClientRect().top") == built, text


@pytest.mark.parametrize("path", ["angebote/", "angebote/?q=Mobbing"])
def test_the_first_paint_already_has_the_filters(browse, page, path):
    """The page's script blocks rendering until it has run: on a slow PC (CPU 4× slower) the browser does not paint
    the page first without the filters and lay it out a second time once list.js has shown them."""
    watch_shown_on_a_slow_pc(page, "[data-facets]")
    browse.visit(page, path)
    ready(page)
    shown, paint = shown_and_first_paint(page)
    assert shown and paint and paint >= shown, (shown, paint)
