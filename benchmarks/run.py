#!/usr/bin/env python3
"""Build-speed benchmark: `python benchmarks/run.py --offers 1000,10000 [--markdown FILE]`.

For each N: generates N offers (cached in benchmarks/out/N/, regenerated when generate.py changes), then
measures in fresh subprocesses, so imports, caches and memory start as in a real build:
  - cold build: no site, no cache; time per pipeline stage, total, peak memory (ru_maxrss of the child);
  - rebuild, same process: one offer changed after the cold build, built again in that process (what the
    live preview does);
  - rebuild, new process: one offer changed, a new `build` over the existing site (what CI or an editor's
    second `build.py build` does);
  - sizes of the site and of the search data (daten/suche/), raw and gzip.
The machine's load average is printed with every measurement: other jobs on the cores distort timings.
"""

from __future__ import annotations

import argparse
import datetime
import gzip
import hashlib
import json
import os
import platform
import resource
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
TODAY = "2026-11-25"
STOP_AFTER = os.environ.get("OFFERDB_BENCH_STOP_AFTER", "build")  # set by --stop-after for the children
CHANGED_SENTENCE = "\nDiese Zeile wurde für die Messung eines erneuten Baus ergänzt.\n"


# --- child: one measurement in a fresh interpreter ----------------------------------------------

def _maxrss_mb(who: int = resource.RUSAGE_SELF) -> float:
    # Linux reports kilobytes, macOS bytes. RUSAGE_CHILDREN: the largest helper process (the forked search
    # index and Markdown workers), which shares most of its pages with the parent.
    scale = 1 if sys.platform == "darwin" else 1024
    return resource.getrusage(who).ru_maxrss * scale / 1e6


def _build_once(content: Path, config: Path, out: Path, today: datetime.date, memory: object) -> dict:
    """One check and build with `memory`: a fresh one is a cold build, the one of a build before a rebuild."""
    from offerdb import pipeline

    stages: dict[str, float] = {}

    def on_stage(name: str, seconds: float) -> None:
        stages[name] = stages.get(name, 0.0) + seconds

    started = time.perf_counter()
    checked = pipeline.check(content, config, today, memory, on_stage=on_stage,
                             for_build=STOP_AFTER in ("models", "build"))
    # The copied pages and hilfe.yaml keep the shipped go-live placeholders and site.yaml the example address;
    # any other problem means the generated content is wrong.
    if any(p.is_error or p.code not in ("placeholder", "example-address") for p in checked.problems):
        raise SystemExit(f"benchmark content has problems: {checked.problems[:3]}")
    if STOP_AFTER == "models":  # the stages before rendering only (Markdown runs in "models")
        with pipeline.stage("models", on_stage):
            pipeline._models(checked, today, memory)
    elif STOP_AFTER == "build":
        pipeline.build(checked, out, today, memory, on_stage=on_stage)
    return {"stages": stages, "total": time.perf_counter() - started}


def _exit_on_term(signum: int, frame: object) -> None:
    raise SystemExit(128 + signum)  # so `finally` restores the changed offer when a run is stopped


def child(mode: str, work: Path, changed: Path) -> None:
    signal.signal(signal.SIGTERM, _exit_on_term)
    started = time.perf_counter()
    sys.path.insert(0, str(ROOT))
    import offerdb.pipeline  # noqa: F401  (timed as "import")
    from offerdb.memory import Memory

    imported = time.perf_counter() - started
    content, config, out = work / "content", work / "site.yaml", work / "site"
    today = datetime.date.fromisoformat(TODAY)
    results = []
    if mode == "cold":
        memory = Memory()
        first = _build_once(content, config, out, today, memory)
        first.update(name="cold build", imported=imported, peak_mb=_maxrss_mb(),
                     helper_mb=_maxrss_mb(resource.RUSAGE_CHILDREN))
        results.append(first)
        original = changed.read_text(encoding="utf-8")
        changed.write_text(original + CHANGED_SENTENCE, encoding="utf-8")
        try:
            again = _build_once(content, config, out, today, memory)
        finally:
            changed.write_text(original, encoding="utf-8")
        again.update(name="rebuild, same process", imported=0.0, peak_mb=_maxrss_mb(),
                     helper_mb=_maxrss_mb(resource.RUSAGE_CHILDREN))
        results.append(again)
    else:  # "rebuild": the parent has changed one offer; the site (and any cache) exists from the cold run
        again = _build_once(content, config, out, today, Memory())
        again.update(name="rebuild, new process", imported=imported, peak_mb=_maxrss_mb(),
                     helper_mb=_maxrss_mb(resource.RUSAGE_CHILDREN))
        results.append(again)
    print(json.dumps(results))


# --- parent -------------------------------------------------------------------------------------

def load_average() -> float:
    return os.getloadavg()[0]


def machine() -> dict[str, str]:
    model = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    ram = "unknown"
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                ram = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    except OSError:
        pass
    return {"cpu": model, "cores": str(os.cpu_count()), "ram": ram,
            "python": platform.python_version(), "system": platform.platform()}


def ensure_content(n: int, base: Path) -> Path:
    """benchmarks/out/<n>/: generated content, reused while generate.py is unchanged."""
    sys.path.insert(0, str(HERE))
    import generate

    work = base / str(n)
    stamp = work / "generated.stamp"
    key = hashlib.sha256((HERE / "generate.py").read_bytes()
                         + (ROOT / "content" / "vocabularies.yaml").read_bytes()).hexdigest() + f" {n}"
    if not (stamp.is_file() and stamp.read_text() == key):
        print(f"generating {n} offers in {work} …", file=sys.stderr, flush=True)
        work.mkdir(parents=True, exist_ok=True)
        generate.generate(n, work)
        stamp.write_text(key)
    return work


def run_child(mode: str, work: Path, changed: Path) -> list[dict]:
    load = load_average()
    proc = subprocess.run([sys.executable, str(Path(__file__).resolve()), "--child", mode, str(work), str(changed)],
                          cwd=ROOT, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise SystemExit(f"benchmark child failed ({mode}):\n{proc.stderr}")
    results = json.loads(proc.stdout.strip().splitlines()[-1])
    for result in results:
        result["load"] = load
    return results


def sizes(site: Path) -> dict[str, float]:
    files = [p for p in site.rglob("*") if p.is_file()]
    search = [p for p in files if p.relative_to(site).as_posix().startswith("daten/suche/")]
    return {
        "files": len(files),
        "site_mb": sum(p.stat().st_size for p in files) / 1e6,
        "search_files": len(search),
        "search_mb": sum(p.stat().st_size for p in search) / 1e6,
        "search_gzip_mb": sum(len(gzip.compress(p.read_bytes(), 9, mtime=0)) for p in search) / 1e6,
    }


def measure(n: int, base: Path) -> dict:
    work = ensure_content(n, base)
    for leftover in [work / "site", *work.glob("site.staging-*"), *work.glob("site.previous-*"), work / "cache"]:
        shutil.rmtree(leftover, ignore_errors=True)  # cold means cold: no site and no build cache
    # Read every content file once first: a build's inputs were just written (a checkout, an editor's save),
    # so they are in the OS's file cache. Otherwise the figures depend on what the system evicted since
    # the content was generated (seen here: load 7.8 s instead of 3.2 s at 10,000 offers).
    for file in (work / "content").rglob("*"):
        if file.is_file():
            file.read_bytes()
    offers = sorted((work / "content" / "offers").glob("*.md"))
    changed = offers[len(offers) // 2]
    rows = run_child("cold", work, changed)
    original = changed.read_text(encoding="utf-8")
    changed.write_text(original + CHANGED_SENTENCE, encoding="utf-8")
    try:
        rows += run_child("rebuild", work, changed)
    finally:
        changed.write_text(original, encoding="utf-8")
    return {"offers": n, "rows": rows, "sizes": sizes(work / "site") if (work / "site").is_dir() else None}


def median_run(runs: list[dict]) -> dict:
    """Per measurement, the run whose total is the median (stages of one run, not mixed), with the range of
    all totals: on a shared or virtual machine single figures vary by ±15 % and more."""
    rows = []
    for i in range(len(runs[0]["rows"])):
        same = sorted((run["rows"][i] for run in runs), key=lambda row: row["total"])
        rows.append({**same[len(same) // 2], "range": (same[0]["total"], same[-1]["total"])})
    return {**runs[0], "rows": rows}


def table(results: list[dict], markdown: bool) -> str:
    stages: list[str] = []
    for result in results:
        for row in result["rows"]:
            stages += [s for s in row["stages"] if s not in stages]
    ranges = any("range" in row for result in results for row in result["rows"])
    head = ["offers", "measurement", "import", *stages, "total s", *(["range s"] if ranges else []), "peak MB",
            "helper MB", "loadavg"]
    lines = []
    for result in results:
        for row in result["rows"]:
            spread = [f"{row['range'][0]:.2f}–{row['range'][1]:.2f}"] if ranges else []
            lines.append([str(result["offers"]), row["name"], f"{row['imported']:.2f}",
                          *(f"{row['stages'][s]:.2f}" if s in row["stages"] else "-" for s in stages),
                          f"{row['total']:.2f}", *spread, f"{row['peak_mb']:.0f}", f"{row.get('helper_mb', 0):.0f}",
                          f"{row['load']:.2f}"])
    size_head = ["offers", "files", "site MB", "search files", "search MB", "search MB gzip"]
    size_lines = [[str(r["offers"]), str(r["sizes"]["files"]), f"{r['sizes']['site_mb']:.1f}",
                   str(r["sizes"]["search_files"]), f"{r['sizes']['search_mb']:.2f}",
                   f"{r['sizes']['search_gzip_mb']:.2f}"] for r in results if r["sizes"]]
    if not size_lines:
        return _format(head, lines, markdown)
    return _format(head, lines, markdown) + "\n" + _format(size_head, size_lines, markdown)


def _format(head: list[str], lines: list[list[str]], markdown: bool) -> str:
    if markdown:
        rows = [head, ["---"] * len(head), *lines]
        return "\n".join("| " + " | ".join(r) + " |" for r in rows) + "\n"
    widths = [max(len(r[i]) for r in [head, *lines]) for i in range(len(head))]
    def line(row: list[str]) -> str:
        return "  ".join(c.ljust(w) if i == 1 else c.rjust(w) for i, (c, w) in enumerate(zip(row, widths, strict=True)))

    return "\n".join(line(r) for r in [head, *lines]) + "\n"


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--child"]:
        child(argv[1], Path(argv[2]), Path(argv[3]))
        return 0
    parser = argparse.ArgumentParser(description="Measure build time, memory and output size.")
    parser.add_argument("--offers", default="1000,10000", help="comma-separated offer counts (default 1000,10000)")
    parser.add_argument("--work", type=Path, default=HERE / "out", help="cache for generated content and sites")
    parser.add_argument("--markdown", type=Path, help="also write the tables as Markdown to this file")
    parser.add_argument("--stop-after", choices=["validate", "models", "build"], default="build",
                        help="measure only the stages up to this one (default: the whole build)")
    parser.add_argument("--repeat", type=int, default=1,
                        help="measure each count N times; show the median run and the range of totals")
    args = parser.parse_args(argv)
    os.environ["OFFERDB_BENCH_STOP_AFTER"] = args.stop_after
    signal.signal(signal.SIGTERM, _exit_on_term)
    counts = [int(n) for n in args.offers.split(",") if n.strip()]
    info = machine()
    print(f"machine: {info['cpu']}, {info['cores']} cores, {info['ram']} RAM, Python {info['python']}, "
          f"{info['system']}")
    command = f"python benchmarks/run.py --offers {args.offers}" + (
        f" --stop-after {args.stop_after}" if args.stop_after != "build" else "") + (
        f" --repeat {args.repeat}" if args.repeat > 1 else "")
    print(f"command: {command}   (today {TODAY}, times in seconds)")
    results = []
    for n in counts:
        runs = [measure(n, args.work) for _ in range(max(1, args.repeat))]
        results.append(median_run(runs) if len(runs) > 1 else runs[0])
    print(table(results, markdown=False), end="")
    if args.markdown:
        args.markdown.write_text(
            f"Machine: {info['cpu']}, {info['cores']} cores, {info['ram']} RAM, Python {info['python']}\n\n"
            f"Command: `{command}`\n\n" + table(results, markdown=True),
            encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
