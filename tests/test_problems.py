"""Reports keep one problem per line and stay writable as UTF-8, whatever characters file names and YAML
keys carry: line breaks, other control characters, and lone surrogates from undecodable file names."""

import json
import os
import re

import pytest

from casekit import TODAY
from offerdb import cli
from offerdb.problems import error, format_github, format_json, format_text, visible, warning

# (raw text, how the text report shows it)
NASTY = [
    ("zeile\numbruch", "zeile\\numbruch"),
    ("wagen\rruecklauf", "wagen\\rruecklauf"),
    ("tab\tulator", "tab\\tulator"),
    ("nul\x00byte", "nul\\x00byte"),
    ("klingel\x07farbe\x1b[31m", "klingel\\x07farbe\\x1b[31m"),
    ("entf\x7f", "entf\\x7f"),
    ("c1\x85\x9b", "c1\\x85\\x9b"),
    ("trenner\u2028absatz\u2029", "trenner\\u2028absatz\\u2029"),
    ("caf\udcff", "caf\\xff"),  # os.scandir's name for the byte 0xFF (surrogateescape)
    ("hoch\ud800", "hoch\\ud800"),
    ("umlaut ä „zitat“ \u00a0", "umlaut ä „zitat“ \u00a0"),  # printable text stays as it is
]

# What must not reach a report line raw: anything str.splitlines() breaks on, controls, surrogates.
FORBIDDEN = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]")
PROBLEM_LINE = re.compile(r"^(?P<file>.+?):(?P<line>\d+):(?P<column>\d+): (Fehler|Warnung) \[[a-z0-9-]+\] ")
SUMMARY = re.compile(r"^\d+ Fehler, \d+ Warnung(en)?\.$")


def nasty_problems():
    problems = []
    for raw, _ in NASTY:
        problems.append(error(f"content/offers/{raw}.md", 3, 4, "x", f"feld.{raw}", f"Meldung {raw}",
                              f"Hinweis {raw}"))
        problems.append(warning(f"content/pages/{raw}.md", 1, 1, "y", "", f"Nur eine Meldung {raw}"))
    return problems


def report_lines(text):
    """The lines of a text report, asserting each is well-formed: a problem line `file:line:column: …`,
    its hint line, or the summary at the end."""
    assert text.endswith("\n")
    lines = text[:-1].split("\n")
    assert text.splitlines() == lines  # no other line break (\r, \x85, \u2028, ...) inside a line
    text.encode("utf-8")  # writable to a UTF-8 stdout
    assert SUMMARY.match(lines[-1])
    after_problem = False
    for line in lines[:-1]:
        assert not FORBIDDEN.search(line), line
        if line.startswith("    Hinweis: "):
            assert after_problem, line  # a hint follows its problem
            after_problem = False
        else:
            assert PROBLEM_LINE.match(line), line
            after_problem = True
    return lines


@pytest.mark.parametrize("raw, shown", [(raw, shown) for raw, shown in NASTY if raw != shown])
def test_visible_escapes_what_would_break_a_line(raw, shown):
    assert visible(raw) == shown


def test_text_report_has_one_line_per_problem_and_escapes_every_part():
    problems = nasty_problems()
    lines = report_lines(format_text(problems))
    assert len(lines) == len(NASTY) * 3 + 1  # error + hint, warning without hint, and the summary
    for i, (_, shown) in enumerate(NASTY):
        assert lines[3 * i] == (f"content/offers/{shown}.md:3:4: Fehler [x] feld.{shown}: Meldung {shown}")
        assert lines[3 * i + 1] == f"    Hinweis: Hinweis {shown}"
        assert lines[3 * i + 2] == f"content/pages/{shown}.md:1:1: Warnung [y] Nur eine Meldung {shown}"


def test_json_report_is_utf8_and_round_trips():
    problems = nasty_problems()
    text = format_json(problems)
    doc = json.loads(text.encode("utf-8").decode("utf-8"))
    assert (doc["errors"], doc["warnings"]) == (len(NASTY), len(NASTY))
    by_file = {p["file"]: p for p in doc["problems"]}
    for raw, shown in NASTY:
        # Exactly as given, except surrogates, which cannot be UTF-8: shown as in the text report.
        expected = shown if re.search("[\ud800-\udfff]", raw) else raw
        loaded = by_file[f"content/offers/{expected}.md"]
        assert loaded == {"file": f"content/offers/{expected}.md", "line": 3, "column": 4, "code": "x",
                          "severity": "error", "field": f"feld.{expected}", "message": f"Meldung {expected}",
                          "hint": f"Hinweis {expected}"}


def test_github_report_is_utf8_with_one_annotation_per_line():
    problems = nasty_problems()
    text = format_github(problems)
    text.encode("utf-8")
    lines = text[:-1].split("\n")
    assert len(lines) == len(problems) + 1
    assert all(line.startswith(("::error file=", "::warning file=")) for line in lines[:-1])
    assert "file=content/offers/caf\\xff.md,line=3,col=4" in text
    assert "::Meldung zeile%0Aumbruch%0AHinweis: Hinweis zeile%0Aumbruch" in text  # as before: %0A


# --- end to end: files with such names, checked through the command line ---------------------------

def _offer_bytes(site):
    return (site.content / "offers" / "angebot-a.md").read_bytes()


def _names_with_breaks_and_bad_bytes(site):
    """Two more offers: one whose name holds a line break, one with the byte 0xFF (not UTF-8) in its name.
    Both are written through bytes paths, as a checkout or an unpacked archive can create them."""
    folder = os.fsencode(site.content / "offers")
    for name in (b"neue\nzeile.md", b"caf\xff.md"):
        with open(os.path.join(folder, name), "wb") as f:
            f.write(_offer_bytes(site))


def _check(site, *extra):
    return cli.main(["check", "--content", str(site.content), "--config", str(site.config), "--today", TODAY,
                     *extra], environ={})


def test_text_report_of_files_with_line_breaks_and_bad_bytes_in_their_names(site, capsys):
    _names_with_breaks_and_bad_bytes(site)
    assert _check(site) == 1
    lines = report_lines(capsys.readouterr().out)
    files = {PROBLEM_LINE.match(line)["file"] for line in lines[:-1] if not line.startswith(" ")}
    assert {"content/offers/neue\\nzeile.md", "content/offers/caf\\xff.md"} <= files


def test_json_and_github_reports_of_files_with_bad_bytes_in_their_names(site, capsysbinary):
    _names_with_breaks_and_bad_bytes(site)
    assert _check(site, "--format", "json") == 1
    doc = json.loads(capsysbinary.readouterr().out.decode("utf-8"))
    files = {p["file"] for p in doc["problems"]}
    assert {"content/offers/neue\nzeile.md", "content/offers/caf\\xff.md"} <= files
    assert _check(site, "--format", "github") == 1
    out = capsysbinary.readouterr().out.decode("utf-8")
    assert "file=content/offers/caf\\xff.md," in out and "file=content/offers/neue%0Azeile.md," in out
