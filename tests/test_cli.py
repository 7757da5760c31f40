"""The command line as editors and CI use it: exit codes, formats, the date, and safe publishing."""

import datetime
import json
import os
import re
import subprocess
import sys

import pytest

from offerdb import cli, output
from offerdb.cli import ROOT


def run(site, *args, environ=None, capsys=None):
    argv = [args[0], "--content", str(site.content), "--config", str(site.config), *args[1:]]
    code = cli.main(argv, environ=environ if environ is not None else {"SOURCE_DATE_EPOCH": "1780272000"})
    return code


def test_source_date_epoch_and_today_option():
    assert cli.resolve_today(None, {"SOURCE_DATE_EPOCH": "1780272000"}) == datetime.date(2026, 6, 1)
    given = datetime.date(2027, 1, 2)
    assert cli.resolve_today(given, {"SOURCE_DATE_EPOCH": "1780272000"}) == given
    assert cli.resolve_today(None, {}) == datetime.date.today()


def test_check_exit_codes_and_strict(site, capsys):
    assert run(site, "check") == 0
    site.offer(quality_seal={"reviewed_on": "2026-01-15", "reviewed_by": "Steuerungsgruppe",
                             "valid_until": "2026-07-01"})
    assert run(site, "check") == 0
    assert "Warnung [seal-expiring]" in capsys.readouterr().out
    assert run(site, "check", "--strict") == 1
    site.offer(title="")
    assert run(site, "check") == 1


def test_today_comes_from_source_date_epoch(site, capsys):
    site.offer(quality_seal={"reviewed_on": "2026-01-15", "reviewed_by": "Steuerungsgruppe",
                             "valid_until": "2026-07-01"})
    assert run(site, "check", "--strict", environ={"SOURCE_DATE_EPOCH": "1772323200"}) == 0  # 2026-03-01
    assert run(site, "check", "--strict", "--today", "2026-06-30") == 1


def test_github_format_is_workflow_annotations(site, capsys):
    site.offer(summary="zu kurz, 100%")
    assert run(site, "check", "--format", "github") == 1
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith(
        "::error file=content/offers/angebot-a.md,line=3,col=10,title=Fehler [too-short] summary::")
    assert "%0AHinweis: " in lines[0] and "100%25" not in lines[0]  # the value itself is not echoed here
    assert lines[-1] == "1 Fehler, 0 Warnungen."


def test_github_escaping_of_properties_and_data():
    from offerdb.problems import error, format_github
    text = format_github([error("a,b:c.md", 1, 2, "x", "f", "50% sicher\nneue Zeile")])
    assert text.splitlines()[0] == (
        "::error file=a%2Cb%3Ac.md,line=1,col=2,title=Fehler [x] f::50%25 sicher%0Aneue Zeile")


def test_json_format(site, capsys):
    site.offer(status="aktiv")
    assert run(site, "check", "--format", "json") == 1
    doc = json.loads(capsys.readouterr().out)
    assert doc["errors"] == 1 and doc["warnings"] == 0
    assert doc["problems"][0] == {
        "file": "content/offers/angebot-a.md", "line": 5, "column": 9, "code": "not-allowed",
        "severity": "error", "field": "status", "hint": "Meinten Sie „active“?",
        "message": "„aktiv“ ist für „Status“ nicht erlaubt. Erlaubt: active, paused, archived.",
    }


def test_build_writes_site_and_summary(site, tmp_path, capsys):
    out = tmp_path / "out"
    assert run(site, "build", "--out", str(out)) == 0
    assert "1 Angebot · 1 Träger · 0 Fehler · 0 Warnungen" in capsys.readouterr().out
    page = (out / "angebote" / "angebot-a" / "index.html").read_text(encoding="utf-8")
    assert "<h1>Workshop gegen Mobbing</h1>" in page
    for rel in ["index.html", "404.html", "angebote/index.html", "traeger/traeger-a/index.html",
                "impressum/index.html"]:
        assert (out / rel).is_file(), rel


def test_build_with_errors_writes_nothing_and_keeps_last_good_site(site, tmp_path, capsys):
    out = tmp_path / "out"
    assert run(site, "build", "--out", str(out)) == 0
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    site.offer(title="Neuer Titel des Workshops")
    site.offer(slug="kaputt", partner="gibt-es-nicht")
    assert run(site, "build", "--out", str(out)) == 1
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "site-src"]  # no staging left behind


def test_strict_build_refuses_warnings(site, tmp_path):
    site.offer(quality_seal={"reviewed_on": "2026-01-15", "reviewed_by": "Steuerungsgruppe",
                             "valid_until": "2026-07-01"})
    assert run(site, "build", "--strict", "--out", str(tmp_path / "out")) == 1
    assert not (tmp_path / "out").exists()


def test_removed_and_expired_offers_disappear(site, tmp_path):
    out = tmp_path / "out"
    site.offer(slug="zweites-angebot", title="Zweites Angebot zum Test")
    assert run(site, "build", "--out", str(out)) == 0
    assert (out / "angebote" / "zweites-angebot" / "index.html").exists()
    (site.content / "offers" / "zweites-angebot.md").unlink()
    site.offer(quality_seal={"reviewed_on": "2020-01-15", "reviewed_by": "Steuerungsgruppe",
                             "valid_until": "2021-01-31"})
    assert run(site, "build", "--out", str(out)) == 0
    assert not (out / "angebote" / "zweites-angebot").exists()
    assert not (out / "angebote" / "angebot-a").exists()
    assert "Workshop gegen Mobbing" not in (out / "angebote" / "index.html").read_text(encoding="utf-8")


def test_publish_failure_keeps_previous_site(tmp_path, monkeypatch):
    out = tmp_path / "site"
    output.publish({"index.html": b"alt"}, out)
    monkeypatch.setattr(output, "_EXCHANGE", None)  # the two renames of systems without an exchange

    class Boom(Exception):
        pass

    real_rename = type(out).rename

    def failing_rename(self, target):
        if ".staging-" in self.name:
            raise Boom()
        return real_rename(self, target)

    monkeypatch.setattr(type(out), "rename", failing_rename)
    with pytest.raises(Boom):
        output.publish({"index.html": b"neu", "x/index.html": b"neu"}, out)
    assert (out / "index.html").read_bytes() == b"alt"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]


def test_two_builds_are_byte_identical(site, tmp_path):
    for name in ("a", "b"):
        assert run(site, "build", "--out", str(tmp_path / name)) == 0
    def files(d):
        return {p.relative_to(d): p.read_bytes() for p in d.rglob("*") if p.is_file()}

    assert files(tmp_path / "a") == files(tmp_path / "b")


def test_bad_today_is_a_usage_error(site, capsys):
    with pytest.raises(SystemExit) as exc:
        run(site, "check", "--today", "2026-02-30")
    assert exc.value.code == 2
    assert "kein Datum" in capsys.readouterr().err


def test_build_py_runs_as_a_script_from_any_folder(tmp_path):
    result = subprocess.run([sys.executable, str(ROOT / "build.py"), "check", "--today", "2026-11-25"],
                            cwd=tmp_path, capture_output=True, text=True, env={**os.environ, "PYTHONPATH": ""})
    assert result.returncode == 0, result.stdout + result.stderr


def test_broken_source_date_epoch_is_a_usage_error(site, capsys):
    assert run(site, "check", environ={"SOURCE_DATE_EPOCH": "gestern"}) == 2
    assert "SOURCE_DATE_EPOCH" in capsys.readouterr().err


def test_quiet_prints_only_problems(site, tmp_path, capsys):
    assert run(site, "build", "--quiet", "--out", str(tmp_path / "a")) == 0
    assert run(site, "check", "-q") == 0
    assert capsys.readouterr() == ("", "")
    site.offer(quality_seal={"reviewed_on": "2026-01-15", "reviewed_by": "Steuerungsgruppe",
                             "valid_until": "2026-07-01"})
    assert run(site, "build", "--quiet", "--out", str(tmp_path / "b")) == 0
    out = capsys.readouterr().out
    assert "Warnung [seal-expiring]" in out and " · " not in out  # the report, no summary line


def test_progress_line_per_stage_only_for_slow_stages(site, tmp_path, capsys, monkeypatch):
    assert run(site, "build", "--out", str(tmp_path / "a")) == 0
    assert capsys.readouterr().err == ""  # a fast build is one summary line
    monkeypatch.setattr(cli, "PROGRESS_MIN_SECONDS", 0.0)
    assert run(site, "build", "--out", str(tmp_path / "b")) == 0
    captured = capsys.readouterr()
    stages = [line.split(" … ")[0].strip() for line in captured.err.splitlines()]
    assert stages[:2] == ["Inhalte gelesen", "Inhalte geprüft"] and "Seiten erzeugt" in stages
    assert all(re.fullmatch(r"  .+ … \d+,\d s", line) for line in captured.err.splitlines())
    assert re.search(r"1 Angebot · 1 Träger · 0 Fehler · 0 Warnungen · \d+,\d s → ", captured.out)
    assert run(site, "build", "--format", "json", "--out", str(tmp_path / "c")) == 0
    assert capsys.readouterr().err == ""  # machine formats: no progress lines
