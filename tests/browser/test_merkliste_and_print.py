"""The Merkliste and the printed offer page, in Chromium: one list per browser in localStorage, marked on the list
page and on offer pages, stored only when the visitor marks something; its link restores a list anywhere."""

from __future__ import annotations

import json
import re
from urllib.parse import unquote, urlsplit

import pytest

from conftest import ROOT, TODAY, shown_and_first_paint, wait_until, watch_shown_on_a_slow_pc
from offerdb import pipeline
from offerdb.search.shards import fnv1a


@pytest.fixture(scope="module")
def addresses():
    """Partner name -> postal address as the content files give it (read apart from the site under test)."""
    checked = pipeline.check(ROOT / "content", ROOT / "site.yaml", TODAY)
    return {r.values["name"]: "{street}, {postal_code} {city}".format(**r.values["address"])
            for r in checked.validated.records["partner"]}


@pytest.fixture(scope="module")
def offers(site):
    return site.catalog


READY = "[data-merkliste]:not([hidden]):not([data-loading])"  # merkliste.js has shown the entries
KEY = "offerdb-merkliste:/"  # merken.js: one entry per site, named with its base path


def listed(page) -> list[str]:
    return page.eval_on_selector_all("#merk-liste h2 a", "links => links.map(a => a.textContent)")


def stored(page) -> dict[str, str]:
    """Everything this origin keeps in the browser: local storage, session storage and cookies."""
    found = page.evaluate("""() => ({local: Object.fromEntries(Object.entries(localStorage)),
                                     session: sessionStorage.length, cookie: document.cookie})""")
    assert found["session"] == 0 and found["cookie"] == "" and page.context.cookies() == []
    return found["local"]


def open_merkliste_from_the_header(page, count: int):
    page.get_by_role("navigation", name="Hauptnavigation").get_by_role("link", name="Merkliste").click()
    page.wait_for_url("**/merkliste/")
    wait_until(page, f"document.querySelectorAll('#merk-liste > li').length === {count}")


def test_merkliste_shows_the_offers_of_the_fragment_and_drops_unknown_ones(browse, page, offers):
    a, b = offers[3], offers[7]
    browse.visit(page, f"merkliste/#{a['slug']},gibt-es-nicht,{b['slug']},{a['slug']}")
    page.wait_for_selector("#merk-liste > li")
    assert listed(page) == [a["title"], b["title"]]
    assert urlsplit(page.url).fragment == f"{a['slug']},{b['slug']}"
    assert page.inner_text("#merk-status") == "2 Angebote auf der geteilten Merkliste."
    assert stored(page) == {}  # opening a link stores nothing
    text = page.input_value("#merk-text")
    for offer in (a, b):
        assert offer["title"] in text and f"/angebote/{offer['slug']}/" in text
        if offer["contact"].get("email"):
            assert offer["contact"]["email"] in text
    mail = page.get_attribute("#merk-mail", "href")
    assert mail.startswith("mailto:?subject=") and a["title"] in unquote(mail)
    assert page.input_value("#merk-link") == page.url


def test_remove_and_add_change_a_linked_list_in_its_address_only(browse, page, offers):
    a, b, c = offers[0], offers[1], offers[2]
    browse.visit(page, f"merkliste/#{a['slug']},{b['slug']}")
    page.wait_for_selector("#merk-liste > li")
    page.focus(f"[data-remove='{a['slug']}']")
    page.keyboard.press("Enter")
    assert listed(page) == [b["title"]]
    assert urlsplit(page.url).fragment == b["slug"]
    assert page.evaluate("document.activeElement.getAttribute('data-remove')") == b["slug"]  # focus stays in the list
    page.focus("#merk-auswahl")  # turning to the picker loads every offer's title
    page.select_option("#merk-auswahl", c["slug"])
    page.click("#merk-hinzufuegen")
    wait_until(page, "document.querySelectorAll('#merk-liste > li').length === 2")  # after its card and contact
    assert listed(page) == [b["title"], c["title"]]
    assert urlsplit(page.url).fragment == f"{b['slug']},{c['slug']}"
    assert stored(page) == {}  # a list from a link is the sender's: it joins the own list only when asked
    # The address alone restores the list, in a fresh context without any history.
    other = browse.new()
    browse.visit(other, "merkliste/#" + urlsplit(page.url).fragment)
    other.wait_for_selector("#merk-liste > li")
    assert listed(other) == [b["title"], c["title"]]


def test_marks_follow_the_visitor_from_the_list_to_an_offer_and_the_merkliste(browse, page, offers):
    """The teacher's path from the issue: mark on the list page, open an offer, the header's "Merkliste"; then
    "Merken" on an offer page joins the same list."""
    browse.visit(page, "angebote/")
    page.wait_for_selector("#liste > li.card [data-mark]")
    assert stored(page) == {}
    cards = page.locator("#liste > li.card")
    first, third = cards.nth(0).get_attribute("data-slug"), cards.nth(2).get_attribute("data-slug")
    cards.nth(0).locator("[data-mark]").click()
    cards.nth(2).locator("[data-mark]").click()
    assert stored(page) == {KEY: f"{first},{third}"}
    cards.nth(1).locator("h3 a").click()  # an offer that is not marked
    page.wait_for_selector("[data-offer-mark]:not([hidden])")
    other = page.get_attribute("[data-mark-offer]", "data-mark-offer")
    assert page.get_attribute("[data-mark-offer]", "aria-pressed") == "false"
    assert page.inner_text("[data-offer-mark] a") == "Merkliste ansehen (2)"
    open_merkliste_from_the_header(page, 2)
    by_slug = {o["slug"]: o["title"] for o in offers}
    assert listed(page) == [by_slug[first], by_slug[third]]
    assert page.inner_text("#merk-status") == "2 Angebote auf Ihrer Merkliste."
    assert page.is_hidden("#merk-geteilt")
    assert page.input_value("#merk-link").endswith(f"/merkliste/#{first},{third}")  # the link to share
    # Back on the offer page, "Merken" adds it to the same list.
    page.go_back(wait_until="networkidle")
    page.click("[data-mark-offer]")
    assert page.get_attribute("[data-mark-offer]", "aria-pressed") == "true"
    assert stored(page) == {KEY: f"{first},{third},{other}"}
    open_merkliste_from_the_header(page, 3)
    assert listed(page) == [by_slug[first], by_slug[third], by_slug[other]]
    # The list page shows the same marks.
    browse.visit(page, "angebote/")
    page.wait_for_selector("#liste > li.card [data-mark]")
    pressed = page.eval_on_selector_all("#liste [data-mark][aria-pressed=true]", "b => b.map(x => x.dataset.mark)")
    assert sorted(pressed) == sorted([first, third, other])
    assert urlsplit(page.url).query == ""  # the marks are no longer part of the list's address


def test_removing_the_last_mark_removes_the_stored_entry(browse, page, offers):
    a, b = offers[4], offers[9]
    browse.visit(page, f"angebote/{a['slug']}/")
    page.click("[data-mark-offer]")
    browse.visit(page, f"angebote/{b['slug']}/")
    page.click("[data-mark-offer]")
    page.click("[data-mark-offer]")  # and off again
    assert stored(page) == {KEY: a["slug"]}
    open_merkliste_from_the_header(page, 1)
    page.click(f"[data-remove='{a['slug']}']")
    assert page.inner_text("#merk-status") == "Ihre Merkliste ist leer."
    assert stored(page) == {}
    page.reload(wait_until="networkidle")
    page.wait_for_selector(READY)
    assert listed(page) == []


def test_a_linked_list_joins_the_own_list_only_when_asked(browse, page, offers):
    mine, x, y = offers[0], offers[5], offers[6]
    browse.visit(page, f"angebote/{mine['slug']}/")
    page.click("[data-mark-offer]")
    browse.visit(page, f"merkliste/#{x['slug']},{y['slug']}")
    wait_until(page, "document.querySelectorAll('#merk-liste > li').length === 2")
    assert listed(page) == [x["title"], y["title"]]
    assert page.is_visible("#merk-geteilt")
    assert stored(page) == {KEY: mine["slug"]}
    page.click("#merk-uebernehmen")
    assert listed(page) == [mine["title"], x["title"], y["title"]]
    assert page.inner_text("#merk-status") == "2 Angebote übernommen. 3 Angebote auf Ihrer Merkliste."
    assert stored(page) == {KEY: f"{mine['slug']},{x['slug']},{y['slug']}"}
    assert page.is_hidden("#merk-geteilt") and urlsplit(page.url).fragment == ""
    assert page.evaluate("document.activeElement.textContent") == mine["title"]


def test_copy_puts_the_list_on_the_clipboard(browse, offers):
    page = browse.new(permissions=["clipboard-read", "clipboard-write"])
    a = offers[5]
    browse.visit(page, f"merkliste/#{a['slug']}")
    page.wait_for_selector("#merk-liste > li")
    page.click("#merk-kopieren")
    wait_until(page, "() => document.getElementById('merk-status').textContent.includes('kopiert')")
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied.startswith("Merkliste: Präventionsangebote für Schulen")
    assert a["title"] in copied and f"/angebote/{a['slug']}/" in copied


def test_empty_merkliste_explains_how_to_mark(browse, page):
    browse.visit(page, "merkliste/")
    page.wait_for_selector(READY)
    assert page.is_visible("#merk-leer")
    assert page.inner_text("#merk-status") == "Ihre Merkliste ist leer."
    assert stored(page) == {}


def test_the_first_paint_of_an_empty_merkliste_already_has_its_frame(browse, page):
    """The page's script blocks rendering until it has run: on a slow PC (CPU 4× slower) the footer is not painted
    first where the Merkliste's frame then appears (a layout shift that pushed it off a phone's screen)."""
    watch_shown_on_a_slow_pc(page, "[data-merkliste]")
    browse.visit(page, "merkliste/")
    page.wait_for_selector(READY)
    shown, paint = shown_and_first_paint(page)
    assert shown and paint and paint >= shown, (shown, paint)


def test_the_entries_arriving_push_nothing_on_the_screen(browse, page, offers):
    """With offers on the list, their entries arrive after the first paint: the frame keeps their place below it,
    so nothing that was on the screen moves (no layout shift), on a slow PC (CPU 4× slower)."""
    for offer in offers[1:4]:
        browse.visit(page, f"angebote/{offer['slug']}/")
        page.click("[data-mark-offer]")
    page.add_init_script("""window.__shift = 0;
      new PerformanceObserver(function (list) {
        list.getEntries().forEach(function (e) { if (!e.hadRecentInput) { window.__shift += e.value; } });
      }).observe({ type: "layout-shift", buffered: true });""")
    page.context.new_cdp_session(page).send("Emulation.setCPUThrottlingRate", {"rate": 4})
    browse.visit(page, "merkliste/")
    page.wait_for_selector(READY)
    assert len(listed(page)) == 3
    page.wait_for_timeout(500)  # the observer reports after the frame
    assert page.evaluate("window.__shift") < 0.01


def test_without_javascript_the_merkliste_says_what_to_do(browse, nojs_page):
    browse.visit(nojs_page, "merkliste/")
    assert "braucht JavaScript" in nojs_page.inner_text("main")
    assert nojs_page.is_hidden("[data-merkliste]")
    # No mail link without an address, not even hidden (text browsers and reading modes ignore `hidden`).
    assert nojs_page.locator("a[href='mailto:'], a[href='mailto:?']").count() == 0
    assert nojs_page.get_by_text("Per E-Mail senden").is_hidden()


def test_printed_merkliste_gives_each_offers_postal_address_and_web_address(browse, page, site, offers, addresses):
    """On paper a title is no link: every entry prints its provider's address and the offer's address."""
    chosen = offers[:3]
    browse.visit(page, "merkliste/#" + ",".join(o["slug"] for o in chosen))
    wait_until(page, "document.querySelectorAll('#merk-liste > li').length === 3")
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


def test_unmarking_removes_that_offer_and_keeps_the_others(browse, page, offers):
    a, b, c = offers[1], offers[2], offers[3]
    for offer in (a, b, c):
        browse.visit(page, f"angebote/{offer['slug']}/")
        page.click("[data-mark-offer]")
    assert stored(page) == {KEY: f"{a['slug']},{b['slug']},{c['slug']}"}
    browse.visit(page, f"angebote/{b['slug']}/")
    assert page.get_attribute("[data-mark-offer]", "aria-pressed") == "true"
    page.click("[data-mark-offer]")
    assert page.get_attribute("[data-mark-offer]", "aria-pressed") == "false"
    assert stored(page) == {KEY: f"{a['slug']},{c['slug']}"}
    assert page.inner_text("[data-marked-count]") == "2"
    browse.visit(page, f"angebote/{a['slug']}/")
    page.click("[data-mark-offer]")  # the first one
    assert stored(page) == {KEY: c["slug"]}


def test_a_stored_list_is_read_without_repeats_or_foreign_entries(browse, page, offers):
    a, b = offers[7], offers[8]
    browse.visit(page, "angebote/")
    page.evaluate("([key, value]) => localStorage.setItem(key, value)",
                  [KEY, f"{a['slug']},{a['slug']},<b>x</b>,,{b['slug']},{a['slug']}"])
    browse.visit(page, "merkliste/")
    wait_until(page, "document.querySelectorAll('#merk-liste > li').length > 0")
    assert listed(page) == [a["title"], b["title"]]
    assert page.inner_text("#merk-status") == "2 Angebote auf Ihrer Merkliste."
    browse.visit(page, f"angebote/{b['slug']}/")
    assert page.inner_text("[data-marked-count]") == "2"


def data_requests(page) -> list[str]:
    """The names of the files of daten/ the page asks for from now on (a live list)."""
    names: list[str] = []
    page.on("request", lambda r: names.append(urlsplit(r.url).path.rsplit("/", 1)[1]) if "/daten/" in r.url else None)
    return names


@pytest.mark.parametrize("n", [0, 1, 3])
def test_the_merkliste_loads_only_the_card_buckets_of_its_offers(browse, page, site, offers, n):
    """Never the catalogue, a search shard or the filter file: the manifest and the bucket of each listed offer
    (known from its slug), and nothing at all for an empty list."""
    manifest = json.loads((site.root / "daten" / "suche" / "manifest.json").read_text(encoding="utf-8"))
    cards = manifest["cards"]
    buckets_in_all = len(cards["sizes"]) // cards["width"]
    assert buckets_in_all > 3, "the sample's offers lie in several buckets"
    by_bucket = {}
    for offer in reversed(offers):  # from the end of the list: not the first cards of the list page
        by_bucket.setdefault(fnv1a(offer["slug"]) % buckets_in_all, offer)
    chosen = list(by_bucket.values())[:n]  # each in a bucket of its own
    buckets = {fnv1a(o["slug"]) % buckets_in_all for o in chosen}
    browse.visit(page, "angebote/")
    names = data_requests(page)
    page.evaluate("([key, value]) => localStorage.setItem(key, value)", [KEY, ",".join(o["slug"] for o in chosen)])
    browse.visit(page, "merkliste/")
    page.wait_for_selector(READY)
    wait_until(page, f"document.querySelectorAll('#merk-liste > li').length === {n}")
    assert listed(page) == [o["title"] for o in chosen]
    # each bucket with the contacts of its group of buckets (what the list shows and prints)
    want = {f"k{b}.{cards['version']}.json" for b in buckets} | ({"manifest.json"} if n else set())
    want |= {f"c{b // cards['contact_buckets']}.{cards['version']}.json" for b in buckets}
    assert sorted(names) == sorted(want)


def test_the_picker_loads_every_offer_when_the_visitor_turns_to_it(browse, page, offers):
    a = offers[0]
    browse.visit(page, f"merkliste/#{a['slug']}")
    page.wait_for_selector("#merk-liste > li")
    assert page.locator("#merk-auswahl option").count() == 1  # nothing loaded for it yet
    names = data_requests(page)
    page.focus("#merk-auswahl")
    wait_until(page, f"document.querySelectorAll('#merk-auswahl option').length === {len(offers) + 1}")
    options = page.eval_on_selector_all("#merk-auswahl option",
                                        "os => os.map(o => [o.value, o.textContent, o.disabled])")
    assert options[0] == ["", "Angebot auswählen …", False]
    assert options[1:] == [[o["slug"], o["title"], o is a] for o in offers]  # in title order, listed ones disabled
    assert [name[:2] for name in names if not name.startswith(("k", "c", "manifest"))] == ["t."]  # one file of titles
