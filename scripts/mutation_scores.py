"""The mutation score per module, from the results of the last `mutmut run` (mutants/ in the current folder).

    .venv/bin/python scripts/mutation_scores.py            # the table
    .venv/bin/python scripts/mutation_scores.py --survivors  # and every surviving mutant not known as equivalent
    .venv/bin/python scripts/mutation_scores.py --only 'offerdb.*__mutmut_*7' --only ...  # only these mutants

score = killed / (all mutants − equivalent ones). Killed includes timeouts (the mutant hung a test: detected);
"no tests" (no selected test calls the function) counts against the score like a survivor. Equivalent mutants
(no test can tell them apart from the original) are listed with their reason in scripts/equivalent_mutants.txt;
a listed name that no longer exists or that was killed is reported, so the list cannot silently go stale.
Mutants not checked in the last run (outside the sample `make mutate` runs) are left out and counted.
Exit 1 when a module in TARGET_MODULES is below TARGET.
"""

from __future__ import annotations

import fnmatch
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EQUIVALENT = ROOT / "scripts" / "equivalent_mutants.txt"
MODULES = ["loading", "validation", "schema", "markdown", "exports", "output", "rendering", "search"]
TARGET = 90.0


def module_of(name: str) -> str:
    parts = name.split(".")
    return parts[1] if parts[0] == "offerdb" and len(parts) > 2 else name


def results() -> dict[str, str]:
    done = subprocess.run([sys.executable, "-m", "mutmut", "results", "--all", "true"],
                          capture_output=True, text=True, check=True)
    found = {}
    for line in done.stdout.splitlines():
        match = re.fullmatch(r"\s*(\S+): (.+)", line)
        if match:
            found[match[1]] = match[2]
    return found


def equivalent() -> dict[str, str]:
    """mutant name -> why it is equivalent; lines `name  reason`, # comments."""
    found = {}
    for line in EQUIVALENT.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            name, _, why = line.partition(" ")
            found[name] = why.strip()
    return found


def main(argv: list[str]) -> int:
    status = everything = results()
    patterns = [argv[i + 1] for i, arg in enumerate(argv) if arg == "--only"]
    if patterns:
        status = {name: state for name, state in status.items()
                  if any(fnmatch.fnmatch(name, pattern) for pattern in patterns)}
    unchecked = [name for name, state in status.items() if state == "not checked"]
    status = {name: state for name, state in status.items() if state != "not checked"}
    if not status:
        print("No results: run `make mutate` (or `mutmut run`) first.")
        return 1
    known = equivalent()
    stale = sorted(name for name in known
                   if everything.get(name, "no such mutant") not in ("survived", "not checked"))
    table: dict[str, Counter] = {}
    survivors = []
    for name, state in status.items():
        counts = table.setdefault(module_of(name), Counter())
        if name in known and state == "survived":
            counts["equivalent"] += 1
        elif state in ("killed", "timeout", "caught by type check"):
            counts["killed"] += 1
        elif state in ("survived", "no tests"):
            counts[state] += 1
            survivors.append((name, state))
        else:
            counts["other"] += 1
            survivors.append((name, state))
    failed = False
    print(f"{'module':12}{'mutants':>8}{'killed':>8}{'survived':>9}{'no tests':>9}{'other':>6}{'equiv.':>7}"
          f"{'score':>8}")
    for module in sorted(table, key=lambda m: (MODULES.index(m) if m in MODULES else 99, m)):
        c = table[module]
        total = sum(c.values())
        relevant = total - c["equivalent"]
        score = 100 * c["killed"] / relevant if relevant else 100.0
        failed |= module in MODULES and score < TARGET
        print(f"{module:12}{total:8}{c['killed']:8}{c['survived']:9}{c['no tests']:9}{c['other']:6}"
              f"{c['equivalent']:7}{score:7.1f}%")
    if unchecked:
        print(f"\n{len(unchecked)} mutants were not checked in this run (outside its sample).")
    if stale:
        print(f"\n{len(stale)} names in {EQUIVALENT.relative_to(ROOT)} are no longer surviving mutants:")
        for name in stale:
            print(f"  {name}: {everything.get(name, 'no such mutant')}")
    if "--survivors" in argv:
        print(f"\n{len(survivors)} mutants not killed (see one with `mutmut show NAME`):")
        for name, state in sorted(survivors):
            print(f"  {name}: {state}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
