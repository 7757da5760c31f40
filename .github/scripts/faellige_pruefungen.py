#!/usr/bin/env python3
"""Keeps exactly one open GitHub issue "Fällige Prüfungen" in step with `python build.py review`.

Something due and no such issue open: create it. One open: replace its text. Nothing due: close it (with a
comment); nothing due and none open: do nothing. Run by .github/workflows/pruefungen.yml with the workflow's
token in GH_TOKEN; talks to GitHub only through the `gh` command line (tests put a fake `gh` on PATH).
Arguments are passed on to `build.py review`, e.g. `--today 2027-12-05` or `--content DIR --config FILE`.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TITLE = "Fällige Prüfungen"
# GitHub refuses issue texts longer than this many characters.
BODY_LIMIT = 65536
CLOSING = "Zurzeit ist nichts fällig. Sobald wieder etwas ansteht, legt der Workflow ein neues Issue an."


def review(form: str, args: list[str]) -> str:
    done = subprocess.run([sys.executable, str(ROOT / "build.py"), "review", "--format", form, *args],
                          check=True, capture_output=True)
    return done.stdout.decode("utf-8")


def gh(*args: str, text: str | None = None) -> str:
    done = subprocess.run(["gh", *args], check=True, capture_output=True,
                          input=text.encode("utf-8") if text is not None else b"")
    return done.stdout.decode("utf-8")


def open_issue() -> int | None:
    """The number of the open issue with exactly our title (the oldest, should there be several)."""
    found = json.loads(gh("issue", "list", "--state", "open", "--search", f'"{TITLE}" in:title',
                          "--limit", "100", "--json", "number,title"))
    numbers = sorted(issue["number"] for issue in found if issue["title"] == TITLE)
    return numbers[0] if numbers else None


def _cut_note(left: int) -> str:
    return (f"\n\n**Gekürzt: {left} weitere Träger.** Den vollständigen Bericht zeigt "
            "`python build.py review --format markdown`.\n")


def fit(body: str, limit: int = BODY_LIMIT) -> str:
    """The report cut after the last provider section that fits, with a note on how many were left out."""
    if len(body) <= limit:
        return body
    head, *sections = body.split("\n## ")
    reserve = len(_cut_note(len(sections)))  # the longest note there can be
    kept = head
    for i, section in enumerate(sections):
        longer = kept + "\n## " + section
        if len(longer.rstrip("\n")) + reserve > limit:
            return kept.rstrip("\n") + _cut_note(len(sections) - i)
        kept = longer
    return kept


def main(args: list[str]) -> int:
    due = json.loads(review("json", args))["count"]
    number = open_issue()
    if due:
        body = fit(review("markdown", args))
        if number is None:
            gh("issue", "create", "--title", TITLE, "--body-file", "-", text=body)
            print(f"{TITLE}: Issue angelegt ({due} fällig).")
        else:
            gh("issue", "edit", str(number), "--body-file", "-", text=body)
            print(f"{TITLE}: Issue #{number} aktualisiert ({due} fällig).")
    elif number is not None:
        gh("issue", "close", str(number), "--comment", CLOSING)
        print(f"{TITLE}: nichts fällig, Issue #{number} geschlossen.")
    else:
        print(f"{TITLE}: nichts fällig, kein Issue offen.")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
