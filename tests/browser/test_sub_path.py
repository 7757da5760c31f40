"""A site built with base_url https://example.org/praevention/ and served under /praevention/ works in the browser:
stylesheet and scripts load, every link, asset and form stays under the sub-path, the list and Merkliste scripts
find their data."""

from __future__ import annotations

from urllib.parse import urlsplit
from conftest import settled, wait_until


OWN_URLS = """() => [...document.querySelectorAll(
        "a[href], link[href], script[src], img[src], video[src], source[src], form[action]")]
    .map(el => el.href || el.src || el.action)"""


def test_every_page_type_loads_its_css_and_links_only_under_the_sub_path(browse, subpath_site):
    page = browse.new()
    origin = subpath_site.url("")[: -len("/praevention/")]
    wrong = []
    for kind in browse.visit_each(page, wrong, server=subpath_site):
        styled = page.evaluate("document.styleSheets.length > 0 && document.styleSheets[0].cssRules.length > 0 &&"
                               " getComputedStyle(document.body).marginTop === '0px'")
        if not styled:
            wrong.append(f"{kind}: Stylesheet nicht geladen")
        for url in page.evaluate(OWN_URLS):
            if url.startswith(origin) and not urlsplit(url).path.startswith("/praevention/"):
                wrong.append(f"{kind}: {url}")
    assert not wrong, "\n".join(wrong)


def test_scripts_navigation_and_search_work_under_the_sub_path(browse, subpath_site, page):
    browse.visit(page, "angebote/", server=subpath_site)
    page.check("#f-kostenfrei")  # list.js loads the filter file and the cards from the sub-path
    settled(page)
    assert page.locator("#liste > li.card [data-mark]").count() > 0
    assert page.inner_text("#ergebnis").endswith("Filter: kostenfrei.")
    two = subpath_site.offers[:2]
    browse.visit(page, f"merkliste/#{','.join(two)}", server=subpath_site)
    wait_until(page, "document.querySelectorAll('#merk-liste > li').length === 2")
    links = page.locator("#merk-liste a[href]").evaluate_all("links => links.map(a => new URL(a.href).pathname)")
    assert {f"/praevention/angebote/{slug}/" for slug in two} <= set(links)
    page.get_by_role("navigation", name="Hauptnavigation").get_by_role("link", name="Themen").click()
    page.wait_for_url("**/praevention/themen/")
    page.get_by_label("Angebote durchsuchen").fill("Mobbing")
    page.keyboard.press("Enter")
    page.wait_for_url("**/praevention/angebote/?q=Mobbing")
