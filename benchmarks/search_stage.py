#!/usr/bin/env python3
"""Search stage (issues 6, 14): `python benchmarks/search_stage.py [--offers 10000] [--repeat 3] [--code DIR]`.

Loads the generated site of N offers once (benchmarks/out/N/, made by `python benchmarks/generate.py --offers N
benchmarks/out/N/content` if missing; load + models take ~12 s at 10,000) and times `search.build_search`:
  - cold: the first call in this process, empty cache (stemmer caches empty too, as in a fresh build);
  - cold, warm process: empty cache again;
  - rebuild: after one offer's body changed, with the cache of the build before (the live preview);
  - rebuild, nothing changed;
and checks that each rebuild gives the same bytes as a build with an empty cache. With `--code DIR`, the
`offerdb` package is imported from another checkout (e.g. a `git worktree` of an older commit) to measure
the code before a change; calls that older code does not have (the cache argument) are left out.
Every figure is printed with the 1-minute load average: other jobs on the two cores distort timings.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime
import os
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
TODAY = datetime.date(2026, 11, 25)
CHANGED = "<p>Diese Zeile wurde für die Messung eines erneuten Baus ergänzt.</p>\n"


def load(n: int):
    from offerdb import models, pipeline

    folder = HERE / "out" / str(n)
    if not (folder / "content").is_dir():
        subprocess.run([sys.executable, str(HERE / "generate.py"), "--offers", str(n), str(folder)], check=True)
    checked = pipeline.check(folder / "content", folder / "site.yaml", TODAY)
    assert checked.settings is not None and checked.validated.ok, "benchmark content has errors"
    return models.build_site(checked.validated, checked.settings, TODAY)


def changed_site(site, number: int):
    """The site with one offer's body changed (a sentence appended, as an editor would)."""
    offers = list(site.offers)
    i = len(offers) // 2
    sentence = CHANGED.replace("Messung", f"Messung {number}")
    # An edit changes the file, so its hash (`source`), by which the search keys an offer's terms.
    offers[i] = dataclasses.replace(offers[i], body_html=offers[i].body_html + sentence,
                                    source=f"{offers[i].source} {number}")
    return dataclasses.replace(site, offers=offers)


def rss_mb() -> float:
    """Resident memory now (Linux), to see what a build leaves behind in the process."""
    try:
        pages = int(Path("/proc/self/statm").read_text().split()[1])
    except OSError:
        return 0.0
    return pages * os.sysconf("SC_PAGE_SIZE") / 1e6


def report(label: str, seconds: float, extra: str = "") -> None:
    print(f"{label:<34} {seconds:6.2f} s   load {os.getloadavg()[0]:.2f}{extra}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--offers", type=int, default=10000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--code", type=Path, default=ROOT, help="checkout whose offerdb package is measured")
    args = parser.parse_args()
    sys.path.insert(0, str(args.code.resolve()))
    from offerdb import search
    from offerdb.memory import Memory

    with_cache = hasattr(search, "terms")
    print(f"offerdb from {search.__file__}; {args.offers} offers", flush=True)
    started = time.perf_counter()
    site = load(args.offers)
    report("load + models (not search)", time.perf_counter() - started)

    def build(s, cache):
        started = time.perf_counter()
        files = search.build_search(s, memory=cache) if with_cache else search.build_search(s)
        return time.perf_counter() - started, files

    cache = Memory()
    before = rss_mb()
    seconds, files = build(site, cache)
    data = {path: d for path, d in files.items() if path.startswith("daten/suche/")}
    report("cold, fresh process", seconds, f"   search data {len(data)} files, "
           f"{sum(map(len, data.values())) / 1e6:.2f} MB; memory kept after it "
           f"(files, cache, postings): {rss_mb() - before:.0f} MB")
    for _ in range(args.repeat - 1):
        seconds, again = build(site, Memory())
        assert again == files
        report("cold, warm process", seconds)
    for number in range(args.repeat):
        edited = changed_site(site, number)
        seconds, files = build(edited, cache)
        report("rebuild, one offer changed", seconds)
        _, fresh = build(edited, Memory())
        assert files == fresh, "the rebuild differs from a build with an empty cache"
        site = edited
        if with_cache:
            cache.prune()  # as load_content does at the start of each build
    seconds, again = build(site, cache)
    assert again == files
    report("rebuild, nothing changed", seconds)


if __name__ == "__main__":
    main()
