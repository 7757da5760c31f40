"""Broken-input cases: each folder in tests/cases/ changes the small valid site in tests/fixtures/base/
and records the exact report `build.py check` must give for it."""

from __future__ import annotations

import contextlib
import io
import shutil
from pathlib import Path

from offerdb import cli

TESTS = Path(__file__).resolve().parent
CASES = TESTS / "cases"
BASE = TESTS / "fixtures" / "base"
TODAY = "2026-06-01"


def case_dirs() -> list[Path]:
    return sorted(p for p in CASES.iterdir() if p.is_dir() and (p / "expected.txt").exists())


def materialize(case: Path, dest: Path) -> Path:
    """Copy the base site to `dest`, delete what remove.txt lists, overlay the case's files/."""
    shutil.copytree(BASE, dest)
    remove = case / "remove.txt"
    if remove.exists():
        for rel in remove.read_text(encoding="utf-8").split():
            (dest / rel).unlink()
    files = case / "files"
    if files.exists():
        shutil.copytree(files, dest, dirs_exist_ok=True)
    return dest


def run_check(root: Path, *extra: str) -> tuple[int, str]:
    out = io.StringIO()
    argv = ["check", "--content", str(root / "content"), "--config", str(root / "site.yaml"),
            "--today", TODAY, *extra]
    with contextlib.redirect_stdout(out):
        code = cli.main(argv, environ={})
    return code, out.getvalue()
