"""With JavaScript disabled the site still works: every published offer is reachable by following visible links
from /angebote/ (its pages) and the theme pages, and an offer page opens with its contact details."""

from __future__ import annotations

from urllib.parse import urlsplit

VISIBLE_LINKS = """links => links
    .filter(a => a.getClientRects().length > 0 && getComputedStyle(a).visibility !== "hidden")
    .map(a => a.href)"""


def test_every_offer_is_reachable_by_links_without_javascript(browse, site, nojs_page):
    page = nojs_page
    origin = site.url("")
    offers: set[str] = set()
    todo, done = ["angebote/", "themen/"], set()
    while todo:
        path = todo.pop()
        if path in done:
            continue
        done.add(path)
        browse.visit(page, path)
        for href in page.locator("main a[href]").evaluate_all(VISIBLE_LINKS):
            if not href.startswith(origin) or urlsplit(href).query or urlsplit(href).fragment:
                continue
            rel = urlsplit(href).path[len(urlsplit(origin).path):]
            parts = rel.strip("/").split("/")
            if rel.startswith(("angebote/seite/", "themen/")):
                todo.append(rel)  # list pages: the pager of the list and every theme with its own pages
            elif parts[0] == "angebote" and len(parts) == 2:
                offers.add(parts[1])
    assert "angebote/seite/2/" in done  # the list really is paginated and the pager was followed
    assert sorted(set(site.offers) - offers) == [], "ohne JavaScript nicht erreichbar"
    assert offers <= set(site.offers)


def test_list_pager_and_offer_page_work_by_clicking_without_javascript(browse, site, nojs_page):
    page = nojs_page
    browse.visit(page, "angebote/")
    assert page.locator("[data-facets]").is_hidden()  # the facets appear only when list.js runs
    first_page = page.locator("#liste > li").count()
    assert first_page == 24  # PAGE_SIZE of the server-rendered list
    page.get_by_role("link", name="Nächste Seite").click()
    page.wait_for_url("**/angebote/seite/2/")
    assert page.locator("#liste > li").count() == len(site.offers) - first_page
    card_link = page.locator("#liste > li a[href*='/angebote/']").first
    title = card_link.inner_text().strip()
    card_link.click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text().strip() == title
    assert page.locator("#kontakt").is_visible()
    assert page.locator("main a[href^='mailto:'], main a[href^='tel:']").count() > 0
