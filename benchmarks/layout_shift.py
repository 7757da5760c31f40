#!/usr/bin/env python3
"""Layout shift of a built site's pages: `python benchmarks/layout_shift.py SITE [--repeat 3]`.

What moves on the screen while a page fills in, without the visitor doing anything: Chromium's layout-shift entries
summed up (CLS), for a fresh visit of each page on a wide screen and on a phone, the CPU 4× slower as in
benchmarks/search_browser.py (a slow school PC), the text gzipped. Pages: the list with and without a search, an
offer page, and /merkliste/ empty and with 5 offers (stored as the visitor's list). Prints the largest value of
`--repeat` visits and what moved most. Below 0.1 counts as good (web.dev's threshold).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from playwright.sync_api import sync_playwright  # noqa: E402

from benchmarks import search_browser  # noqa: E402

SCREENS = {"breit": (1280, 800), "Telefon": (390, 844)}
SETTLE_MS = 3000  # after the load event: the search, the cards and the Merkliste's entries are in by then
_OBSERVE = """
window.__shifts = [];
new PerformanceObserver(function (list) {
  list.getEntries().forEach(function (entry) {
    if (entry.hadRecentInput) { return; }
    var moved = entry.sources.map(function (source) {
      var node = source.node;
      return node ? node.nodeName.toLowerCase() + (node.id ? "#" + node.id : "") +
        (node.classList && node.classList.length ? "." + node.classList[0] : "") : "?";
    });
    window.__shifts.push({ value: entry.value, moved: moved });
  });
}).observe({ type: "layout-shift", buffered: true });
"""


def pages(site: Path) -> list[tuple[str, str, list[str]]]:
    """(label, path, the offers stored as the visitor's Merkliste) for each page measured."""
    marked = search_browser.merk_slugs(site)
    return [("/angebote/", "angebote/", []),
            ("/angebote/?q=Mobbing", "angebote/?q=Mobbing", []),
            ("/angebote/?q=Medienkompetnz", "angebote/?q=Medienkompetnz", []),
            ("Angebotsseite", f"angebote/{marked[0]}/", []),
            ("/merkliste/ leer", "merkliste/", []),
            (f"/merkliste/ mit {len(marked)} Angeboten", "merkliste/", marked)]


def visit(browser, server, path: str, screen: tuple[int, int], stored: dict[str, str]) -> list[dict]:
    context = browser.new_context(locale="de-DE", viewport={"width": screen[0], "height": screen[1]},
                                  service_workers="block")
    try:
        context.add_init_script(script=_OBSERVE)
        for key, value in stored.items():
            context.add_init_script(script=f"try {{ localStorage.setItem({json.dumps(key)}, {json.dumps(value)}); }}"
                                           " catch (e) {}")
        page = context.new_page()
        cdp = context.new_cdp_session(page)
        cdp.send("Emulation.setCPUThrottlingRate", {"rate": search_browser.THROTTLE})
        page.goto(server.url(path), wait_until="load")
        page.wait_for_timeout(SETTLE_MS)
        return page.evaluate("() => window.__shifts")
    finally:
        context.close()


def measure(site: Path, repeat: int, screens: dict[str, tuple[int, int]] = SCREENS) -> list[dict]:
    """Per page and screen the largest sum of shifts over `repeat` visits, and the elements that moved most."""
    server = search_browser.GzipServer(site)
    base = search_browser.site_base(site)
    rows = []
    try:
        with sync_playwright() as playwright:
            browser = search_browser.launch(playwright)
            for label, path, marked in pages(site):
                # merken.js's key: one list per site, named with its base path
                stored = {f"offerdb-merkliste:{base}": ",".join(marked)} if marked else {}
                for screen_name, screen in screens.items():
                    visits = [visit(browser, server, path, screen, stored) for _ in range(max(1, repeat))]
                    worst = max(visits, key=lambda shifts: sum(s["value"] for s in shifts))
                    biggest = max(worst, key=lambda s: s["value"], default=None)
                    rows.append({"page": label, "screen": screen_name, "cls": sum(s["value"] for s in worst),
                                 "moved": biggest["moved"][:3] if biggest else []})
            browser.close()
    finally:
        server.close()
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("site", type=Path, help="a built site (build.py build --out DIR)")
    parser.add_argument("--repeat", type=int, default=3, help="visits per page and screen; the largest is shown")
    args = parser.parse_args(argv)
    rows = measure(args.site, args.repeat)
    width = max(len(r["page"]) for r in rows)
    print(f"Layout-Verschiebung (CLS), CPU {search_browser.THROTTLE}× gedrosselt, größter Wert aus {args.repeat} "
          "Besuchen")
    for row in rows:
        moved = ", ".join(row["moved"]) if row["cls"] > 0 else ""
        print(f"{row['page']:{width}}  {row['screen']:8} {row['cls']:.3f}  {moved}".rstrip())
    return 0


if __name__ == "__main__":
    sys.exit(main())
