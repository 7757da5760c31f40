#!/usr/bin/env python3
"""Markdown on one core vs all cores: `python benchmarks/prerender.py [--offers N]`.

Renders the bodies of the generated offers (benchmarks/out/N/, made by run.py or generated here) with
offerdb.markdown.prerender, first with one worker, then with one per core, each into an empty cache, and
checks that both give the same HTML. Run it on a quiet machine: a busy core makes the parallel run look slow.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

from offerdb import markdown  # noqa: E402
from offerdb.memory import Memory  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--offers", type=int, default=10000)
    args = parser.parse_args(argv)
    import run

    work = run.ensure_content(args.offers, HERE / "out")
    bodies = [(p.read_text(encoding="utf-8").split("\n---\n", 1)[1], 1)
              for p in sorted((work / "content" / "offers").glob("*.md"))]
    caches = []
    for workers in (1, os.cpu_count() or 1):
        cache = Memory()
        load = os.getloadavg()[0]
        started = time.perf_counter()
        markdown.prerender(bodies, cache, workers=workers)
        print(f"{len(bodies)} bodies, {workers} worker(s): {time.perf_counter() - started:.2f} s (load {load:.2f})")
        caches.append(cache)
    print("same HTML:", caches[0]._entries == caches[-1]._entries)
    return 0


if __name__ == "__main__":
    sys.exit(main())
