#!/usr/bin/env python3
"""First searches on built sites side by side: `python benchmarks/search_ab.py SITE… --queries Mobbing,Ablauf`.

Each SITE is a built offerdb site (e.g. one built by an older checkout with `build.py build --out DIR`) or
`PAGE@FOLDER` for another search page (`suche/@/tmp/sb/work/10000/hugo/public`, the Pagefind page that
benchmarks/search_browser.py writes). A fresh visit to each site in turn, query by query, `--repeat` times: the
sites share the sitting, so a slower moment of the machine falls on all of them alike (the measure is
search_browser.py's: navigation to the shown count with the result's cards, CPU 4× slower, gzip). Prints the
median and every visit.
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from playwright.sync_api import sync_playwright  # noqa: E402

from benchmarks import search_browser  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sites", nargs="+", help="built sites, or PAGE@FOLDER for another search page")
    parser.add_argument("--queries", default="Mobbing,Medienkompetnz", help="comma-separated queries")
    parser.add_argument("--repeat", type=int, default=7, help="visits per site and query (default 7)")
    args = parser.parse_args(argv)
    queries = [q for q in args.queries.split(",") if q.strip()]
    servers = []
    try:
        with sync_playwright() as playwright:
            browser = search_browser.launch(playwright)
            benches = []
            for site in args.sites:
                page, _, folder = site.rpartition("@")
                server = search_browser.GzipServer(Path(folder))
                servers.append(server)
                benches.append((site, search_browser.Bench(browser, server, search_path=page or "angebote/")))
            times: dict[tuple[str, str], list[float]] = {(s, q): [] for s, _ in benches for q in queries}
            for _ in range(args.repeat):
                for q in queries:
                    for site, bench in benches:
                        times[(site, q)].append(bench.query(q)["seconds"])
            browser.close()
    finally:
        for server in servers:
            server.close()
    width = max(len(s) for s in args.sites)
    for q in queries:
        for site in args.sites:
            runs = times[(site, q)]
            print(f"{q:16} {site:{width}}  Median {statistics.median(runs):.3f} s  "
                  + " ".join(f"{t:.2f}" for t in runs))
    return 0


if __name__ == "__main__":
    sys.exit(main())
