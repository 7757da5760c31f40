#!/usr/bin/env python3
"""Rewrite every case's expected.txt from the current checker. Review the diff before committing:
a changed message must be a change you meant."""

import sys
import tempfile
from pathlib import Path

sys.path[:0] = [str(Path(__file__).resolve().parents[2]), str(Path(__file__).resolve().parents[1])]

from casekit import case_dirs, materialize, run_check  # noqa: E402

for case in case_dirs():
    with tempfile.TemporaryDirectory() as tmp:
        _, report = run_check(materialize(case, Path(tmp) / "site"))
    (case / "expected.txt").write_text(report, encoding="utf-8")
    print(f"{case.name}: {report.splitlines()[-1]}")
