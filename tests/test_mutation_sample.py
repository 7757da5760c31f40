"""A fixed sample of mutants, run with every `make test`, so the mutation-testing setup cannot rot unnoticed
(the full run is `make mutate`, docs/testing.md): each mutant is one plausible slip of the kinds the tests once let
through; applied to a copy of the project, the named test must fail. Also: mutmut's configuration names only
paths that exist."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# (file, original text (exactly once), replacement, the test that must fail)
SAMPLE = {
    "feed-entry-date": ("offerdb/exports.py", 'sub(entry, "updated", _timestamp(offer.last_updated))',
                        'sub(entry, "updated", _timestamp(_newest(site)))',
                        "tests/test_exports.py::test_each_feed_entry_has_its_own_offers_date"),
    "open-data-key-renamed": ("offerdb/exports.py", '"last_updated": offer.last_updated.isoformat(),',
                              '"updated": offer.last_updated.isoformat(),',
                              "tests/test_exports.py::test_open_data_keys_are_those_of_its_version"),
    "problem-line-from-front-matter": ("offerdb/loading.py",
                                       "return event.start_mark.line + 1 + self.line_offset, ",
                                       "return event.start_mark.line + 1, ",
                                       "tests/test_loading.py::"
                                       "test_each_problem_of_a_file_is_complete_and_counted_from_the_files_first_line"),
    "pages-not-escaped": ("offerdb/rendering.py", "autoescape=True,", "autoescape=False,",
                          "tests/test_page_escaping.py::test_every_text_field_arrives_as_text_on_each_page_type"),
}


@pytest.fixture(scope="module")
def copy(tmp_path_factory) -> Path:
    dest = tmp_path_factory.mktemp("mutant") / "project"
    for name in ("offerdb", "templates", "tests", "content"):
        shutil.copytree(ROOT / name, dest / name, ignore=shutil.ignore_patterns("__pycache__", "artifacts"))
    for name in ("site.yaml", "pyproject.toml"):
        shutil.copy(ROOT / name, dest / name)
    (dest / "node_modules").symlink_to((ROOT / "node_modules").resolve())
    return dest


# Not run inside mutmut's copy (pyproject.toml leaves this file out there): its source files hold every mutant
# at once, so the sample could not apply its text changes, and mutmut is doing the real thing anyway.
@pytest.mark.parametrize("name", SAMPLE)
def test_each_mutant_of_the_sample_is_killed(copy, name):
    rel, original, replacement, test = SAMPLE[name]
    file = copy / rel
    text = file.read_text(encoding="utf-8")
    assert text.count(original) == 1, f"{name}: the mutant no longer applies to {rel}; update it"
    run = [sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider", test]
    assert subprocess.run(run, cwd=copy, capture_output=True, timeout=300).returncode == 0, f"{test} fails unmutated"
    file.write_text(text.replace(original, replacement), encoding="utf-8")
    try:
        result = subprocess.run(run, cwd=copy, capture_output=True, text=True, timeout=300)
    finally:
        file.write_text(text, encoding="utf-8")
    assert result.returncode == 1, f"{name} survived {test}:\n{result.stdout[-2000:]}"


def test_mutmuts_configuration_names_only_what_exists():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["mutmut"]
    for pattern in config["only_mutate"]:
        assert list(ROOT.glob(pattern)), pattern
    for path in config["also_copy"]:
        assert (ROOT / path).exists(), path
    for argument in config["pytest_add_cli_args_test_selection"]:
        target = argument.split("=", 1)[1] if argument.startswith("--") else argument
        file, _, test = target.partition("::")
        assert (ROOT / file).exists(), argument
        if test:
            assert f"def {test}" in (ROOT / file).read_text(encoding="utf-8"), argument
    assert "/mutants/" in (ROOT / ".gitignore").read_text(encoding="utf-8").splitlines()
