"""Search on the list page in Chromium: results combined with facets whose counts follow the query,
highlighted words, the count announced, the state in the URL, the empty result and the page without
JavaScript."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from conftest import settled, wait_until


@pytest.fixture(scope="module")
def catalog(site):
    return {o["slug"]: o for o in site.catalog}


def results(page) -> list[str]:
    return page.eval_on_selector_all("#liste > li.card", "items => items.map(i => i.dataset.slug)")


def searched(page, q: str) -> None:
    wait_until(page, "q => document.getElementById('ergebnis').textContent.includes('„' + q + '“')", arg=q)
    settled(page)


def test_query_from_the_url_finds_highlights_and_announces(browse, page, catalog):
    browse.visit(page, "angebote/?q=Mobbing")
    searched(page, "Mobbing")
    found = results(page)
    assert found, "the sample has offers about Mobbing"
    assert page.inner_text("#ergebnis") == f"{len(found)} Angebote zu „Mobbing“ gefunden."
    assert page.get_attribute("#ergebnis", "aria-live") == "polite"
    assert page.input_value("#suche") == "Mobbing"
    marks = page.eval_on_selector_all("#liste mark", "ms => ms.map(m => m.textContent.toLowerCase())")
    assert marks and all("mobbing" in m for m in marks)
    # Title matches rank first: the first result has the word in its title.
    assert "mobbing" in catalog[found[0]]["title"].lower()
    # "Cybermobbing" is found through its compound part.
    assert any("cybermobbing" in (catalog[s]["title"] + catalog[s]["summary"]).lower() for s in found)


def test_facet_counts_follow_the_query_and_combine(browse, page, catalog):
    filter_files = []
    page.on("request", lambda r: filter_files.append(r.url) if "/daten/suche/f." in r.url else None)
    browse.visit(page, "angebote/?q=Mobbing")
    searched(page, "Mobbing")
    found = results(page)
    # a search alone does not load the filter file: the counts beside the filters wait for the visitor to turn to
    # them (the build's counts, for every offer, would not be the search's)
    assert filter_files == []
    assert page.inner_text('[data-count="bereich=mobbing"]') == ""
    assert page.eval_on_selector('#f-klasse option[value="7"]', "o => o.textContent") == "Klasse 7"
    page.hover("[data-facets] legend")
    wait_until(page, "() => document.querySelector('[data-count=\"bereich=mobbing\"]').textContent !== ''")
    assert len(filter_files) == 1
    for key in ("mobbing", "gewaltpraevention", "suchtpraevention"):
        shown = int(page.inner_text(f'[data-count="bereich={key}"]').strip("()"))
        assert shown == len([s for s in found if key in catalog[s]["area"]]), key
    page.check("#f-kostenfrei")
    settled(page)
    narrowed = results(page)
    assert set(narrowed) == {s for s in found if catalog[s]["free"]}
    assert parse_qs(urlsplit(page.url).query) == {"q": ["Mobbing"], "kostenfrei": ["1"]}


def test_typing_searches_and_keeps_the_query_in_the_url(browse, page, catalog):
    browse.visit(page, "angebote/")
    page.wait_for_selector("[data-facets]:not([hidden])")
    page.fill("#suche", "Sucht")
    searched(page, "Sucht")
    found = results(page)
    assert found and set(found) < set(catalog)  # a real narrowing, not the whole list
    assert any("sucht" in catalog[s]["title"].lower() for s in found)
    assert parse_qs(urlsplit(page.url).query) == {"q": ["Sucht"]}
    page.fill("#suche", "")
    wait_until(page, "() => document.querySelectorAll('#liste > li.card').length === 24")
    assert urlsplit(page.url).query == ""


def test_a_search_without_result_suggests_removing_filters(browse, page):
    browse.visit(page, "angebote/?q=Quantenchromodynamik&kostenfrei=1")
    searched(page, "Quantenchromodynamik")
    assert results(page) == []
    assert page.is_visible("#leer")
    assert page.locator("#leer a[href*='/themen/']").count() >= 9
    page.click("#leer [data-reset]")
    wait_until(page, "() => document.querySelectorAll('#liste > li.card').length > 0")
    assert page.input_value("#suche") == "" and not page.is_checked("#f-kostenfrei")


def test_header_search_on_any_page_leads_to_the_results(browse, page, site):
    browse.visit(page, site.paths["angebot"])
    page.fill("#kopf-suche", "Polizei")
    page.press("#kopf-suche", "Enter")
    searched(page, "Polizei")
    assert urlsplit(page.url).path == "/angebote/"
    assert results(page), "the Polizeidirektion's offers are found by the word Polizei"


def test_without_javascript_the_search_form_leads_to_the_full_list_with_a_note(browse, nojs_page, site):
    browse.visit(nojs_page, "angebote/?q=Mobbing")
    assert "Suche und Filter brauchen JavaScript" in nojs_page.inner_text("main")
    cards = nojs_page.locator("#liste > li.card").count()
    assert cards == min(24, len(site.offers))


def test_a_search_shows_its_best_twelve_first_and_loads_only_their_cards(browse, page, site):
    """Each card of a result comes from a small file: a search shows the best 12 and loads their buckets only;
    "weitere" brings the next ones."""
    buckets = []
    page.on("request", lambda r: buckets.append(r.url) if "/daten/suche/k" in r.url else None)
    browse.visit(page, "angebote/?q=Prävention")
    searched(page, "Prävention")
    total = int(page.inner_text("#ergebnis").split()[0])
    assert total > 12, "the sample has more than 12 offers about Prävention"
    assert len(results(page)) == 12
    assert page.inner_text("#ergebnis").endswith(f"Angezeigt werden 12 von {total} Angeboten.")
    assert page.inner_text("#mehr") == f"{min(12, total - 12)} weitere Angebote anzeigen"
    first = set(buckets)
    assert 0 < len(first) <= 12
    page.click("#mehr")
    settled(page)
    assert len(results(page)) == min(24, total)
    assert set(buckets) >= first and len(buckets) == len(set(buckets))  # each bucket fetched once


def test_the_search_in_the_address_starts_early_but_not_for_a_word_that_names_a_filter(browse):
    """search.js starts a search from the address while the page is read, unless a word may name a filter:
    list.js makes "kostenlos" the cost filter and searches "Mobbing" alone, so the data of "kostenlos" (another
    posting shard in the sample) is never loaded. A word that is no filter's is searched with it."""
    def shards(q: str, shown: str) -> set[str]:
        page = browse.new()
        asked: list[str] = []
        page.on("request", lambda r: asked.append(r.url) if "/daten/suche/p." in r.url else None)
        browse.visit(page, "angebote/?q=" + q)
        searched(page, shown)
        return set(asked)

    alone = shards("Mobbing", "Mobbing")
    assert alone and shards("kostenlos Mobbing", "Mobbing") == alone
    assert shards("Mobbing Leistung", "Mobbing Leistung") > alone


@pytest.mark.parametrize("file", ["assets/suche/lunr-", "daten/suche/manifest."])
def test_when_lunr_or_the_search_manifest_cannot_be_loaded_the_list_says_so_and_shows_every_offer(browse, page, file):
    page.route(f"**/{file}*", lambda route: route.abort())
    browse.visit(page, "angebote/?q=Mobbing")
    wait_until(page, "() => document.getElementById('ergebnis').textContent.includes('nicht geladen')")
    total = int(page.get_attribute("#liste", "data-total"))
    assert page.inner_text("#ergebnis") == ("Die Suche konnte nicht geladen werden. Es werden alle Angebote "
                                            f"gezeigt, die zu den Filtern passen: {total} Angebote.")
    assert page.get_attribute("#liste", "aria-busy") is None and len(results(page)) == min(12, total)
    recorder = browse.recorder(page)  # the aborted file is this test's doing
    recorder.problems[:] = [p for p in recorder.problems if "ERR_FAILED" not in p]
