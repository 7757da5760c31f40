"""Promises the repository makes to people who clone it."""

import re
import tomllib

from offerdb.cli import ROOT


def test_readme_starts_with_the_two_commands():
    lines = (ROOT / "README.md").read_text(encoding="utf-8").splitlines()
    block = lines[lines.index("```sh") + 1: lines.index("```sh") + 3]
    assert [line.split("#")[0].strip() for line in block] == ["make site", "make test"]
    assert lines.index("```sh") < 4


def test_every_dependency_is_pinned_in_the_lock():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    wanted = project["project"]["dependencies"] + project["project"]["optional-dependencies"]["test"]
    pins = {}
    for line in (ROOT / "requirements.lock").read_text(encoding="utf-8").splitlines():
        name, _, version = line.partition("==")
        pins[name.lower().replace("_", "-")] = version
    for requirement in wanted:
        name = re.split(r"[<>=!~ ]", requirement, maxsplit=1)[0].lower()
        assert name in pins, requirement


def test_ci_runs_the_readme_test_command():
    run = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "make test" in run and "set -euo pipefail" in run


def test_site_output_is_ignored_by_git():
    assert "/site/" in (ROOT / ".gitignore").read_text(encoding="utf-8").splitlines()
