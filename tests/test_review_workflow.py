"""The weekly workflow that keeps one issue "Fällige Prüfungen": its shape (least permission, pinned actions)
and its script, run against a fake `gh` that records every call."""

from __future__ import annotations

import importlib.util
import json
import os
import re
import subprocess
import sys

import pytest
import yaml

from offerdb.cli import ROOT

SCRIPT = ROOT / ".github" / "scripts" / "faellige_pruefungen.py"
WORKFLOW = ROOT / ".github" / "workflows" / "pruefungen.yml"
TITLE = "Fällige Prüfungen"

FAKE_GH = """#!{python}
# Records each call (arguments and what came on stdin); `gh issue list` answers with $FAKE_GH_OPEN.
import json, os, sys
with open(os.environ["FAKE_GH_CALLS"], "a", encoding="utf-8") as log:
    log.write(json.dumps({{"args": sys.argv[1:], "stdin": sys.stdin.read()}}, ensure_ascii=False) + "\\n")
if sys.argv[1:3] == ["issue", "list"]:
    sys.stdout.write(os.environ["FAKE_GH_OPEN"])
"""


def test_workflow_runs_weekly_and_by_hand_with_only_issue_permission():
    workflow = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    triggers = workflow.pop(True, None) or workflow["on"]  # YAML 1.1 reads the key `on` as true
    assert set(triggers) == {"schedule", "workflow_dispatch"}
    (cron,) = triggers["schedule"]
    minute, hour, day, month, weekday = cron["cron"].split()
    assert (day, month) == ("*", "*") and weekday.isdigit()  # once a week
    assert workflow["permissions"] == {}  # nothing for the workflow, issues for its one job, nothing else
    (job,) = workflow["jobs"].values()
    assert job["permissions"] == {"issues": "write"}
    uses = [step["uses"] for step in job["steps"] if "uses" in step]
    assert uses and all(re.fullmatch(r"actions/[\w-]+@[0-9a-f]{40}", u) for u in uses), uses  # no third party
    (checkout,) = [s for s in job["steps"] if s.get("uses", "").startswith("actions/checkout@")]
    assert checkout["with"]["persist-credentials"] is False
    (run,) = [s for s in job["steps"] if "faellige_pruefungen.py" in s.get("run", "")]
    assert run["run"] == "python .github/scripts/faellige_pruefungen.py"
    assert run["env"]["GH_TOKEN"] == "${{ github.token }}"
    text = WORKFLOW.read_text(encoding="utf-8")
    assert "secrets." not in text and "pull_request" not in text
    assert "-r requirements.lock" in text


@pytest.fixture
def gh(tmp_path):
    """A fake gh first on PATH; returns a runner of the script that gives back the recorded calls."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    fake = bin_dir / "gh"
    fake.write_text(FAKE_GH.format(python=sys.executable), encoding="utf-8")
    fake.chmod(0o755)
    calls = tmp_path / "calls.jsonl"

    def run(site, today: str, open_issues: list[dict]) -> tuple[str, list[dict]]:
        calls.write_text("", encoding="utf-8")
        env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}", "FAKE_GH_CALLS": str(calls),
               "FAKE_GH_OPEN": json.dumps(open_issues)}
        env.pop("SOURCE_DATE_EPOCH", None)
        done = subprocess.run([sys.executable, str(SCRIPT), "--content", str(site.content), "--config",
                               str(site.config), "--today", today], env=env, capture_output=True, check=True)
        recorded = [json.loads(line) for line in calls.read_text(encoding="utf-8").splitlines()]
        return done.stdout.decode("utf-8"), recorded

    return run


LIST = ["issue", "list", "--state", "open", "--search", f'"{TITLE}" in:title', "--limit", "100",
        "--json", "number,title"]


def due(site):
    site.offer(quality_seal={"reviewed_on": "2026-01-15", "reviewed_by": "Steuerungsgruppe",
                             "valid_until": "2026-07-01"})


def test_creates_the_issue_when_something_is_due_and_none_is_open(site, gh):
    due(site)
    out, calls = gh(site, "2026-06-01", [{"number": 4, "title": "Fällige Prüfungen (alt)"}])
    assert [c["args"] for c in calls] == [LIST, ["issue", "create", "--title", TITLE, "--body-file", "-"]]
    body = calls[1]["stdin"]
    assert body.startswith("# Fällige Prüfungen\n\nStand: 1. Juni 2026 · 1 Eintrag bei 1 Träger.")
    assert "## Träger A e. V." in body and "mailto:info@traeger-a.example.org?subject=" in body
    assert "Issue angelegt (1 fällig)" in out


def test_edits_the_open_issue_in_place(site, gh):
    due(site)
    open_issues = [{"number": 3, "title": "Fällige Prüfungen – Sonderfall"}, {"number": 17, "title": TITLE}]
    _, calls = gh(site, "2026-06-01", open_issues)
    assert [c["args"] for c in calls] == [LIST, ["issue", "edit", "17", "--body-file", "-"]]
    assert "Qualitätssiegel läuft ab: 1. Juli 2026 (in 30 Tagen)" in calls[1]["stdin"]


def test_closes_the_issue_when_nothing_is_due(site, gh):
    out, calls = gh(site, "2026-06-01", [{"number": 17, "title": TITLE}])
    assert [c["args"][:3] for c in calls] == [LIST[:3], ["issue", "close", "17"]]
    assert calls[1]["args"][3:] == ["--comment", "Zurzeit ist nichts fällig. Sobald wieder etwas ansteht, legt "
                                                 "der Workflow ein neues Issue an."]
    assert "Issue #17 geschlossen" in out


def test_does_nothing_when_nothing_is_due_and_none_is_open(site, gh):
    out, calls = gh(site, "2026-06-01", [])
    assert [c["args"] for c in calls] == [LIST]
    assert "nichts fällig, kein Issue offen" in out


def test_a_report_too_long_for_an_issue_is_cut_between_providers():
    spec = importlib.util.spec_from_file_location("faellige_pruefungen", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    sections = [f"## Träger {n}\n\n" + "x" * 900 + "\n" for n in range(10)]
    body = "# Fällige Prüfungen\n\nStand: heute\n\n" + "\n".join(sections)
    assert module.fit(body, limit=len(body)) == body
    cut = module.fit(body, limit=4000)
    assert len(cut) <= 4000
    kept, note = cut.split("\n\n**Gekürzt: ")
    shown = kept.count("\n## Träger ")
    assert 0 < shown < 10 and body.startswith(kept)  # whole sections only, in order
    assert len(body[:body.index(f"## Träger {shown}")] + sections[shown]) > 4000 - len(note)  # the next did not fit
    assert note == (f"{10 - shown} weitere Träger.** Den vollständigen Bericht zeigt "
                    "`python build.py review --format markdown`.\n")
    assert module.BODY_LIMIT == 65536
