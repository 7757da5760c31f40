#!/usr/bin/env python3
"""Search benchmark (issue 4, item 5): `python benchmarks/search.py [--offers 1000,10000] [--no-browser]`.

For the shipped content and N synthetic offers (benchmarks/generate.py, into a temporary folder) it prints
  - bytes of all search data a visitor loads (index, lunr scripts, search.js): raw, gzip, brotli;
  - index build time (words, compounds, stems, postings, compact JSON) — target ≤ 10 s for 10,000 offers;
  - in Chromium: time for OfferdbSearch.load (fetch, parse, expand into lunr) and for the first search after
    it — target ≤ 50 ms for 1,000 offers — plus the median of a list of German queries.
Sizes target: all search data for 1,000 offers ≤ 250 KB gzip.
"""

from __future__ import annotations

import argparse
import datetime
import functools
import gzip
import http.server
import json
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import brotli

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

from offerdb import models, pipeline  # noqa: E402
from offerdb import search as offer_search  # noqa: E402
from offerdb.search import lunr_index  # noqa: E402

TODAY = datetime.date(2026, 11, 25)
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
QUERIES = ["Prävention", "Schüler", "Mobbing", "Demokr", "Medienkompetnz", "Schueler", "Lehrerin", "Sucht Alkohol",
           "Gewaltprävention", "Polizei", "Grundschule Konflikte", "Strasse"]
PAGE = ('<!doctype html><html lang="de"><head><meta charset="utf-8">'
        '<meta http-equiv="Content-Security-Policy" content="default-src \'self\'">'
        '<title>Suche</title><script src="/search.js"></script></head><body></body></html>')


def load_site(content: Path, config: Path) -> models.Site:
    checked = pipeline.check(content, config, TODAY)
    assert checked.settings is not None and checked.validated.ok, "content has errors"
    return models.build_site(checked.validated, checked.settings, TODAY)


def measure_build(site: models.Site) -> tuple[float, bytes]:
    started = time.perf_counter()
    documents = offer_search.index_documents(site)
    data = json.dumps(lunr_index.compact(offer_search.collect(documents)), ensure_ascii=False,
                      separators=(",", ":")).encode()
    return time.perf_counter() - started, data


def sizes(files: dict[str, bytes]) -> tuple[int, int, int]:
    raw = gz = br = 0
    for data in files.values():
        raw += len(data)
        gz += len(gzip.compress(data, 9, mtime=0))
        br += len(brotli.compress(data))
    return raw, gz, br


def browser_timings(root: Path) -> dict[str, float]:
    from playwright.sync_api import sync_playwright

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

    handler = functools.partial(Quiet, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
            page = browser.new_page()
            page.goto(f"http://127.0.0.1:{server.server_address[1]}/index.html")
            result = page.evaluate("""async (queries) => {
                const t0 = performance.now();
                await OfferdbSearch.load("/");
                const t1 = performance.now();
                const first = OfferdbSearch.search(queries[0]);
                const t2 = performance.now();
                const times = [];
                let hits = 0;
                for (const q of queries.slice(1)) {
                    const s = performance.now();
                    hits += OfferdbSearch.search(q).length;
                    times.push(performance.now() - s);
                }
                return {load: t1 - t0, first: t2 - t1, firstHits: first.length, times: times, hits: hits};
            }""", QUERIES)
            browser.close()
    finally:
        server.shutdown()
    return {"load": result["load"], "first": result["first"], "first_hits": result["firstHits"],
            "median": statistics.median(result["times"]), "max": max(result["times"])}


def run(label: str, content: Path, config: Path, browser: bool) -> None:
    started = time.perf_counter()
    site = load_site(content, config)
    prepare = time.perf_counter() - started
    build_time, index = measure_build(site)
    files = offer_search.build_search(site)
    published = {p: d for p, d in files.items() if not p.endswith(".gz")}
    assert published[offer_search.INDEX_PATH] == index
    search_js = (ROOT / "templates" / "assets" / "search.js").read_bytes()
    raw, gz, br = sizes({**published, "search.js": search_js})
    iraw, igz, ibr = sizes({"index": index})
    print(f"\n{label}: {len(site.offers)} offers (load + models {prepare:.1f} s, not part of the index)")
    print(f"  index build        {build_time:6.2f} s")
    print(f"  index              {iraw / 1e3:8.0f} KB raw {igz / 1e3:7.0f} KB gzip {ibr / 1e3:7.0f} KB brotli")
    print(f"  all search data    {raw / 1e3:8.0f} KB raw {gz / 1e3:7.0f} KB gzip {br / 1e3:7.0f} KB brotli"
          "  (index + lunr scripts + search.js)")
    if not browser:
        return
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        for path, data in published.items():
            (root / path).parent.mkdir(parents=True, exist_ok=True)
            (root / path).write_bytes(data)
        (root / "search.js").write_bytes(search_js)
        (root / "index.html").write_text(PAGE, encoding="utf-8")
        t = browser_timings(root)
    print(f"  Chromium           load {t['load']:7.1f} ms (fetch, parse, expand)   first result {t['first']:6.1f} ms "
          f"({t['first_hits']} hits for {QUERIES[0]!r})   further queries median {t['median']:.1f} ms, "
          f"max {t['max']:.1f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--offers", default="1000,10000", help="comma-separated synthetic sizes")
    parser.add_argument("--no-browser", action="store_true", help="skip the Chromium timings")
    args = parser.parse_args()
    browser = not args.no_browser
    run("shipped content", ROOT / "content", ROOT / "site.yaml", browser)
    for n in [int(x) for x in args.offers.split(",") if x]:
        with tempfile.TemporaryDirectory() as tmp:
            subprocess.run([sys.executable, str(HERE / "generate.py"), "--offers", str(n), tmp], check=True,
                           stdout=subprocess.DEVNULL)
            run(f"synthetic {n}", Path(tmp) / "content", Path(tmp) / "site.yaml", browser)


if __name__ == "__main__":
    main()
