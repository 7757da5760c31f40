#!/usr/bin/env python3
"""Markdown on one core vs two: `python benchmarks/prerender.py [--offers N]`.

Renders the bodies of the generated offers (benchmarks/out/N/, made by run.py or generated here) as the
pipeline does before it builds the models (offerdb.workers.Shared over markdown.to_html), first in this
process alone, then with a forked child, and checks that both give the same HTML. Run it on a quiet
machine: a busy core makes the second run look slow.
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

from offerdb import markdown, workers  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--offers", type=int, default=10000)
    args = parser.parse_args(argv)
    import run

    work = run.ensure_content(args.offers, HERE / "out")
    bodies = [(p.read_text(encoding="utf-8").split("\n---\n", 1)[1], 1)
              for p in sorted((work / "content" / "offers").glob("*.md"))]
    results = []
    for fork in (False, True):
        load = os.getloadavg()[0]
        started = time.perf_counter()
        results.append(workers.Shared(bodies, lambda body: markdown.to_html(*body), fork).results())
        print(f"{len(bodies)} bodies, {'two processes' if fork else 'one process'}: "
              f"{time.perf_counter() - started:.2f} s (load {load:.2f})")
    print("same HTML:", results[0] == results[1])
    return 0


if __name__ == "__main__":
    sys.exit(main())
