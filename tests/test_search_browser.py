"""search.js in headless Chromium under the site's CSP, served below a sub-path like a real host."""

from __future__ import annotations

import functools
import http.server
import threading

import pytest
from test_search import ROOT, sample_site

from offerdb import search as offer_search

BASE = "/praevention/"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
PAGE = ('<!doctype html><html lang="de"><head><meta charset="utf-8">'
        '<meta http-equiv="Content-Security-Policy" '
        'content="default-src \'self\'; object-src \'none\'; base-uri \'none\'">'
        f'<title>Suche</title><script src="{BASE}search.js"></script></head><body><p id="out"></p></body></html>')


@pytest.fixture(scope="module")
def page_url(tmp_path_factory):
    root = tmp_path_factory.mktemp("www")
    site_root = root / BASE.strip("/")
    for path, data in offer_search.build_search(sample_site()).items():
        (site_root / path).parent.mkdir(parents=True, exist_ok=True)
        (site_root / path).write_bytes(data)
    (site_root / "search.js").write_bytes((ROOT / "templates" / "assets" / "search.js").read_bytes())
    (site_root / "index.html").write_text(PAGE, encoding="utf-8")
    (root / "favicon.ico").write_bytes(b"")  # Chromium asks for it; a 404 would show up as a console error

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(root)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}{BASE}index.html"
    server.shutdown()


@pytest.fixture(scope="module")
def page(page_url):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        tab = browser.new_page()
        tab.requests = []
        tab.problems = []
        tab.on("request", lambda r: tab.requests.append(r.url))
        tab.on("console", lambda m: tab.problems.append(m.text) if m.type in ("error", "warning") else None)
        tab.on("pageerror", lambda e: tab.problems.append(str(e)))
        tab.goto(page_url)
        yield tab
        browser.close()


def test_nothing_is_loaded_before_the_first_search_then_everything_from_the_site(page):
    assert not [u for u in page.requests if "/suche/" in u]
    page.evaluate(f"OfferdbSearch.load({BASE!r})")
    page.evaluate(f"OfferdbSearch.load({BASE!r})")  # a second call reuses the first load
    loaded = [u for u in page.requests if "/suche/" in u]
    site = page.url.split(BASE)[0] + BASE
    assert loaded == [site + "assets/suche/lunr-2.3.9-de-1.22.0.js", site + "daten/suche/manifest.json"]
    assert page.problems == []  # no CSP violation (eval) and no script error


def test_search_and_highlight_in_the_browser(page):
    page.evaluate(f"OfferdbSearch.load({BASE!r})")
    hits = page.evaluate("OfferdbSearch.search('Schueler*innen Prävention')")
    assert hits and {h["ref"] for h in hits} <= set(range(len(sample_site().offers)))
    # only the query's data came: the dictionary block and some posting shards, no card, no filter file
    data = [u.split("/suche/")[1] for u in page.requests if "/daten/suche/" in u]
    assert data[0] == "manifest.json" and {name[:2] for name in data[1:]} == {"w.", "p."}
    marked = page.evaluate("""async () => {
        const out = document.getElementById("out");
        const terms = (await OfferdbSearch.search("Prävention"))[0].terms;
        out.appendChild(OfferdbSearch.highlight("<b>Gewaltprävention</b> für Schüler & Prävention", terms));
        return {html: out.innerHTML, marks: [...out.querySelectorAll("mark")].map(m => m.textContent)};
    }""")
    assert marked["marks"] == ["Gewaltprävention", "Prävention"]
    assert marked["html"].startswith("&lt;b&gt;<mark>Gewaltprävention</mark>&lt;/b&gt;")
    assert page.problems == []
