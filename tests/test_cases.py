"""Every broken input in tests/cases/ gives exactly its recorded report and the right exit code."""

import pytest

from casekit import case_dirs, materialize, run_check

CASES = case_dirs()


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_case_report_and_exit_code(case, tmp_path):
    root = materialize(case, tmp_path / "site")
    expected = (case / "expected.txt").read_text(encoding="utf-8")
    code, report = run_check(root)
    assert report == expected
    has_errors = "Fehler [" in expected
    has_warnings = "Warnung [" in expected
    assert code == (1 if has_errors else 0)
    strict_code, _ = run_check(root, "--strict")
    assert strict_code == (1 if has_errors or has_warnings else 0)


def test_every_problem_class_has_a_case():
    """Each code the loader and the rules can produce is shown by at least one case."""
    covered = set()
    for case in CASES:
        for line in (case / "expected.txt").read_text(encoding="utf-8").splitlines():
            if "[" in line and "]" in line and not line.startswith(" "):
                covered.add(line.split("[", 1)[1].split("]", 1)[0])
    required = {
        # strict loading (issue item 5)
        "file-too-large", "invalid-utf8", "missing-front-matter", "unclosed-front-matter", "tab",
        "yaml-syntax", "duplicate-key", "yaml-anchor", "yaml-alias", "yaml-merge-key", "yaml-tag", "comment-in-value",
        "impossible-date", "invalid-date", "unexpected-file", "invalid-slug", "yaml-too-deep",
        # schema
        "missing-field", "unknown-field", "wrong-type", "empty-value", "not-allowed", "invalid-format",
        "too-short", "out-of-range", "too-few-items", "duplicate-item",
        # rules across fields and files (issue item 7)
        "unknown-partner", "unknown-vocabulary-value", "duplicate-slug", "seal-expired", "seal-expiring",
        "partner-without-offers", "invalid-range", "missing-grades-or-age", "amount-for-free-offer",
        "missing-contact", "seal-dates", "date-in-future", "missing-description", "missing-page",
        "missing-vocabulary", "reserved-slug", "missing-media",
        # go-live check: placeholders left in content and the example address in site.yaml
        "placeholder", "example-address",
    }
    assert required - covered == set()
