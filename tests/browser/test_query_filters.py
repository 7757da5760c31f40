"""Words of a search that name a filter become that filter (issue "What newcomers hit first", item 5): grade,
cost, school type, format, venue and audience, with words from the page the build writes (labels, keys and the
vocabularies' aliases); the URL keeps the understood state, and an empty result offers to drop each filter."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, quote, urlsplit

import pytest
import yaml

from conftest import ROOT, settled, wait_until
from offerdb.models import FACETS


@pytest.fixture(scope="module")
def catalog(site):
    return {"offers": site.catalog}


def ready(page):
    page.wait_for_selector("[data-facets]:not([hidden])")
    settled(page)


def cards(page) -> list[str]:
    return page.eval_on_selector_all("#liste > li.card", "items => items.map(i => i.dataset.slug)")


def query_of(page) -> dict[str, list[str]]:
    return parse_qs(urlsplit(page.url).query)


def status_is(page, text: str) -> None:
    wait_until(page, "t => document.getElementById('ergebnis').textContent === t", arg=text)
    settled(page)


def chips(page) -> list[str]:
    """The chips' accessible names as Chromium computes them (the × is aria-hidden)."""
    buttons = page.locator("[data-chip-list] button")
    return [re.fullmatch(r'button "(.*)"', yaml.safe_load(buttons.nth(i).aria_snapshot())[0])[1]
            for i in range(buttons.count())]


def found_for(browse, page, q: str) -> set[str]:
    """What the search alone finds for `q` (no filter), as the list shows it."""
    browse.visit(page, "angebote/?q=" + quote(q))
    wait_until(page, "q => document.getElementById('ergebnis').textContent.includes('„' + q + '“')", arg=q)
    settled(page)
    assert not page.is_visible("#mehr"), "all results on one screen"
    return set(cards(page))


def in_grade(offer, grade: int) -> bool:
    return bool(offer["grades"]) and offer["grades"][0] <= grade <= offer["grades"][1]


def test_grade_and_cost_words_become_filters_and_the_rest_is_searched(browse, page, catalog):
    mobbing = found_for(browse, page, "Mobbing")
    browse.visit(page, "angebote/?q=" + quote("Mobbing Klasse 7 kostenlos"))
    status_is(page, "3 Angebote zu „Mobbing“ gefunden. Filter: Klassenstufe 7, kostenfrei.")
    assert query_of(page) == {"q": ["Mobbing"], "klasse": ["7"], "kostenfrei": ["1"]}
    assert page.input_value("#suche") == "Mobbing"
    assert page.input_value("#f-klasse") == "7" and page.is_checked("#f-kostenfrei")
    want = {o["slug"] for o in catalog["offers"] if o["slug"] in mobbing and o["free"] and in_grade(o, 7)}
    assert len(want) == 3 and set(cards(page)) == want
    assert chips(page) == ["Filter entfernen: Klassenstufe 7", "Filter entfernen: kostenfrei"]


@pytest.mark.parametrize("q", ["Klasse 7", "7. Klasse", "Kl. 7", "Klassenstufe 7", "klasse7"])
def test_every_way_of_writing_a_grade_sets_the_grade(browse, page, catalog, q):
    browse.visit(page, "angebote/?q=" + quote(q))
    want = {o["slug"] for o in catalog["offers"] if in_grade(o, 7)}
    status_is(page, f"{len(want)} Angebote gefunden. Filter: Klassenstufe 7.")
    assert query_of(page) == {"klasse": ["7"]}
    assert page.input_value("#suche") == ""
    assert set(cards(page)) == want


@pytest.mark.parametrize("word", ["kostenlos", "kostenfrei", "gratis", "kostenlose"])
def test_words_for_free_set_the_cost_filter(browse, page, word):
    browse.visit(page, "angebote/?q=" + quote(f"Mobbing {word}"))
    wait_until(page, "() => document.getElementById('ergebnis').textContent.includes('„Mobbing“')")
    settled(page)
    assert query_of(page) == {"q": ["Mobbing"], "kostenfrei": ["1"]}
    assert cards(page), "free offers about Mobbing exist"


@pytest.mark.parametrize("q, params", [
    ("Eltern", {"zielgruppe": ["eltern"]}),  # the key; the label is "Eltern und Sorgeberechtigte"
    ("Schüler*innen", {"zielgruppe": ["schuelerinnen-und-schueler"]}),  # a part of the label joined by "und"
    ("online", {"ort": ["online"]}),
    ("Grundschulen Theater", {"schulart": ["grundschule"], "format": ["theater"]}),  # with a plural ending
    ("Gymnasien", {"schulart": ["gymnasium"]}),  # an alias in content/vocabularies.yaml
    ("Workshop für Eltern", {"format": ["workshop"], "zielgruppe": ["eltern"]}),  # "für" alone is not searched
    ("Workshop in der Schule", {"format": ["workshop"], "ort": ["in-der-schule"]}),  # a label of three words
])
def test_vocabulary_words_set_their_filters(browse, page, catalog, q, params):
    browse.visit(page, "angebote/?q=" + quote(q))
    wait_until(page, "() => !document.getElementById('ergebnis').textContent.includes('alphabetisch')")
    wait_until(page, "() => location.search.indexOf('q=') === -1")
    assert query_of(page) == params
    for param, values in params.items():
        assert page.is_checked(f"#f-{param}-{values[0]}")
    key = {f.param: f.key for f in FACETS}
    want = {o["slug"] for o in catalog["offers"]
            if all(set(values) & set(o[key[param]]) for param, values in params.items())}
    wait_until(page, "n => document.querySelectorAll('#liste > li.card').length === n", arg=min(len(want), 24))
    assert set(cards(page)) == want


@pytest.mark.parametrize("q", ["Online-Sucht", "Klassenrat", "Klasse 5-6", "Elternarbeit"])
def test_words_that_only_resemble_a_filter_stay_in_the_search(browse, page, q):
    browse.visit(page, "angebote/?q=" + quote(q))
    wait_until(page, "q => document.getElementById('ergebnis').textContent.includes('„' + q + '“')", arg=q)
    assert query_of(page) == {"q": [q]}
    assert page.is_hidden("[data-chips]")


def test_the_words_come_from_the_page_not_from_the_script(browse, page, catalog):
    """An alias written on a checkbox by the build is understood; the script holds no list of its own."""
    browse.visit(page, "angebote/")
    ready(page)
    page.eval_on_selector("#f-format-planspiel", "box => box.setAttribute('data-aliases', 'Rollenspiel|Simulation')")
    page.fill("#suche", "Simulation Demokratie")
    page.press("#suche", "Enter")
    wait_until(page, "() => location.search.indexOf('format=planspiel') !== -1")
    assert query_of(page) == {"q": ["Demokratie"], "format": ["planspiel"]}
    # ... and no word list besides: no label, alias, grade or cost word is a string in list.js's code.
    source = (ROOT / "templates" / "assets" / "list.js").read_text(encoding="utf-8")
    code = re.sub(r"//[^\n]*", "", re.sub(r"/\*.*?\*/", "", source, flags=re.S)).lower()
    vocabularies = yaml.safe_load((ROOT / "content" / "vocabularies.yaml").read_text(encoding="utf-8"))
    words = ["kostenlos", "gratis", "umsonst", "klassenstufe", "kl", "jahrgang"]  # "klasse", "kostenfrei": URL names
    for facet in FACETS:
        if facet.in_query:
            for key, term in vocabularies[facet.vocabulary]["values"].items():
                words += [key, term["label"], *term.get("aliases", [])]
    assert [w for w in words if f'"{w.lower()}"' in code or f"'{w.lower()}'" in code] == []


def test_the_page_carries_the_vocabularies_words(site):
    page = (site.root / "angebote" / "index.html").read_text(encoding="utf-8")
    vocabularies = yaml.safe_load((ROOT / "content" / "vocabularies.yaml").read_text(encoding="utf-8"))
    for facet in FACETS:
        fieldset = f'<fieldset class="facet" data-facet="{facet.param}" data-key="{facet.key}"'
        marked = re.search(re.escape(fieldset) + "( data-in-query)?>", page)
        assert marked and bool(marked[1]) == facet.in_query, facet.param
        for key, term in vocabularies[facet.vocabulary]["values"].items():
            box = re.search(rf'<input type="checkbox" id="f-{facet.param}-{key}"[^>]*>', page)[0]
            aliases = term.get("aliases", []) if facet.in_query else []
            assert (f'data-aliases="{"|".join(aliases)}"' in box) == bool(aliases), box
    assert any(t.get("aliases") for f in FACETS if f.in_query for t in vocabularies[f.vocabulary]["values"].values())


def test_sending_a_search_on_the_list_page_understands_it_and_back_works(browse, page, catalog):
    browse.visit(page, "")
    page.fill("#start-suche", "Mobbing Klasse 7 kostenlos")
    page.press("#start-suche", "Enter")
    wait_until(page, "() => location.search.indexOf('kostenfrei=1') !== -1")
    assert query_of(page) == {"q": ["Mobbing"], "klasse": ["7"], "kostenfrei": ["1"]}
    # Typing records the query in the list's history entry as it goes; Enter replaces it with its understood
    # form, so the back button never returns to a search for "Sucht Elternabend" that finds nothing.
    page.fill("#suche", "Sucht Elternabend")
    wait_until(page, "() => location.search.indexOf('Elternabend') !== -1")
    page.press("#suche", "Enter")
    wait_until(page, "() => location.search.indexOf('format=elternabend') !== -1")
    understood = {"q": ["Sucht"], "klasse": ["7"], "kostenfrei": ["1"], "format": ["elternabend"]}
    assert query_of(page) == understood
    page.go_back()
    page.wait_for_url(lambda url: urlsplit(url).path == "/")
    page.go_forward()
    page.wait_for_url(lambda url: urlsplit(url).path == "/angebote/")
    assert query_of(page) == understood
    ready(page)
    assert page.input_value("#suche") == "Sucht" and page.is_checked("#f-format-elternabend")


def test_an_empty_result_offers_to_drop_each_filter(browse, page, catalog):
    mobbing = found_for(browse, page, "Mobbing")
    browse.visit(page, "angebote/?q=Mobbing&klasse=1&ort=online")
    status_is(page, "Keine Angebote zu „Mobbing“ gefunden. Filter: Klassenstufe 1, Ort Online.")
    assert page.is_visible("#leer [data-drop]")
    offers = catalog["offers"]
    without_query = len([o for o in offers if in_grade(o, 1) and "online" in o["venue"]])
    without_grade = len([o for o in offers if o["slug"] in mobbing and "online" in o["venue"]])
    without_venue = len([o for o in offers if o["slug"] in mobbing and in_grade(o, 1)])
    assert without_grade > 0

    def then(n: int) -> str:
        return f"dann {n} Angebot{'e' if n != 1 else ''}" if n else "auch dann keine Angebote"

    buttons = page.locator("#leer [data-drop-list] button")
    assert buttons.all_inner_texts() == [
        f"Suchbegriff „Mobbing“ entfernen ({then(without_query)})",
        f"Filter „Klassenstufe 1“ entfernen ({then(without_grade)})",
        f"Filter „Ort Online“ entfernen ({then(without_venue)})",
    ]
    buttons.nth(1).click()
    wait_until(page, "() => location.search.indexOf('klasse=') === -1")
    settled(page)
    assert query_of(page) == {"q": ["Mobbing"], "ort": ["online"]}
    assert page.input_value("#f-klasse") == "" and page.is_checked("#f-ort-online")
    assert len(cards(page)) == without_grade and page.is_hidden("#leer")
    assert page.evaluate("document.activeElement.id") == "ergebnis"
    page.go_back()
    wait_until(page, "() => document.getElementById('f-klasse').value === '1'")
    assert page.is_visible("#leer [data-drop]")
