"""Whatever an editor writes, the checker reports problems and never crashes."""

import datetime
import os
import subprocess
import sys

import pytest
import yaml

import specialfiles
from casekit import BASE, CASES, TODAY
from mutations import paths as _paths
from mutations import replace as _replace
from offerdb import cli, models, pipeline
from offerdb.cli import ROOT
from offerdb.loading import MAX_DEPTH, MAX_FILE_BYTES, parse_yaml

TODAY_DATE = datetime.date.fromisoformat(TODAY)
WRONG_VALUES = [None, "", "x", "2026-02-30", "-1", "99999", "true", [], ["x"], [None], [[]], [{}],
                {}, {"from": "x"}, {"a": "b"}, {"from": "9", "to": "2"}]


BASE_OFFER = yaml.safe_load((BASE / "content/offers/angebot-a.md").read_text(encoding="utf-8").split("---\n")[1])
BASE_PARTNER = yaml.safe_load((BASE / "content/partners/traeger-a.md").read_text(encoding="utf-8").split("---\n")[1])


@pytest.mark.parametrize("path", [p for p in _paths(BASE_OFFER) if p], ids=lambda p: ".".join(map(str, p)))
def test_any_wrong_value_in_any_offer_field_is_a_problem_not_a_crash(site, path):
    for wrong in WRONG_VALUES:
        data = _replace(BASE_OFFER, path, wrong)
        site.write_front("content/offers/angebot-a.md", data)
        checked = site.check()  # must not raise
        assert all(p.message and p.file and p.line >= 1 for p in checked.problems)


@pytest.mark.parametrize("path", [p for p in _paths(BASE_PARTNER) if p], ids=lambda p: ".".join(map(str, p)))
def test_any_wrong_value_in_any_partner_field_is_a_problem_not_a_crash(site, path):
    for wrong in WRONG_VALUES:
        site.write_front("content/partners/traeger-a.md", _replace(BASE_PARTNER, path, wrong))
        site.check()


def test_wrong_shapes_of_whole_files_do_not_crash(site):
    for text in ["- a\n- b\n", "just text\n", "{}\n", "[]\n", "a: [1, {b: c}]\n"]:
        site.write("content/vocabularies.yaml", text)
        site.write("site.yaml", text)
        site.write("content/offers/angebot-a.md", f"---\n{text}---\nText\n")
        checked = site.check()
        assert any(p.is_error for p in checked.problems)


def test_random_text_never_crashes_the_yaml_reader():
    from hypothesis import given, settings, strategies as st

    alphabet = st.sampled_from(list("ab:- \n\t'\"#&*!|>[]{},?%@`~\\") + ["\u00e4", "\x07", "---", "<<: "])

    @settings(max_examples=400, deadline=None, derandomize=True)
    @given(st.lists(alphabet, max_size=60).map("".join))
    def run(text):
        value, positions, problems = parse_yaml(text, "x.md")
        assert problems or value is None or isinstance(value, (dict, list, str))

    run()


# --- nesting depth, through the command line --------------------------------------------------------

def deep_field(style, depth):
    """A field `tief` whose value is `depth` lists or mappings deep, and where (line and column, counted
    from the field's line) the first one beyond MAX_DEPTH starts: the file's own mapping is the first
    level, so that is the value's k-th with k = MAX_DEPTH."""
    k = MAX_DEPTH
    if style == "flow":
        return "tief: " + "[" * depth + "x" + "]" * depth + "\n", (0, len("tief: ") + k)
    if style == "block-list":  # compact: "- - - x"
        return "tief:\n" + "- " * depth + "x\n", (1, 2 * k - 1)
    # One space more indentation per level; 700 levels are about the most that fit into MAX_FILE_BYTES.
    lines = "".join(" " * (i + 1) + "a:\n" for i in range(depth))
    return "tief:\n" + lines + " " * (depth + 1) + "x\n", (k, k + 1)


DEEP = [("flow", 1000), ("flow", 10000), ("block-list", 1000), ("block-list", 10000), ("block-mapping", 700)]
DEEP_FILES = ["content/offers/angebot-a.md", "content/vocabularies.yaml", "site.yaml"]


@pytest.mark.parametrize("style, depth", DEEP, ids=[f"{s}-{d}" for s, d in DEEP])
@pytest.mark.parametrize("rel", DEEP_FILES)
def test_too_deep_nesting_in_any_file_is_a_problem_at_its_line(site, capsys, rel, style, depth):
    text, (line_offset, column) = deep_field(style, depth)
    before = (site.root / rel).read_text(encoding="utf-8")
    if rel.endswith(".md"):  # the field goes last into the front matter
        front, _, body = before[len("---\n"):].partition("\n---\n")
        before, after = "---\n" + front + "\n", "---\n" + body
    else:
        after = ""
    site.write(rel, before + text + after)
    line = before.count("\n") + 1 + line_offset
    assert len((site.root / rel).read_bytes()) <= MAX_FILE_BYTES
    code = cli.main(["check", "--content", str(site.content), "--config", str(site.config), "--today", TODAY],
                    environ={})
    assert code == 1
    out = capsys.readouterr().out
    deep = [row for row in out.splitlines() if "[yaml-too-deep]" in row]
    assert len(deep) == 1
    assert deep[0].startswith(f"{rel}:{line}:{column}: Fehler [yaml-too-deep] tief")
    assert "tiefer als 50 Ebenen" in deep[0]


# --- what is not a regular file is never opened, end to end ------------------------------------------

VIDEO_PAGE = (CASES / "missing-media/files/content/pages/gebaerdensprache.md").read_text(encoding="utf-8")


def refused(file, what, shown=None):
    """The text report's line for a refused file."""
    return (f"{file}:1:1: Fehler [not-a-regular-file] „{shown or file.rpartition('/')[2]}“ ist keine gewöhnliche "
            f"Datei, sondern {what}, und wird nicht gelesen.")


def test_check_refuses_fifos_everywhere_and_does_not_hang(site):
    """Each of these FIFOs alone made `build.py check` wait forever for a writer."""
    site.write("content/pages/gebaerdensprache.md", VIDEO_PAGE)
    site.write("content/medien/dgs-einfuehrung.vtt", "WEBVTT\n")
    fifos = [specialfiles.make("fifo", site.root / rel) for rel in (
        "content/offers/x.md", "content/partners/x.md", "content/pages/x.md", "content/vocabularies.yaml",
        "site.yaml", "content/medien/dgs-einfuehrung.mp4")]
    try:
        done = subprocess.run([sys.executable, "build.py", "check", "--content", str(site.content),
                               "--config", str(site.config), "--today", TODAY],
                              cwd=ROOT, capture_output=True, timeout=120, env={**os.environ, "PYTHONUTF8": "1"})
    finally:
        specialfiles.release(fifos)
    assert done.returncode == 1, done.stderr.decode()
    lines = done.stdout.decode("utf-8").splitlines()
    fifo = "eine benannte Pipe (FIFO)"
    for file in ("content/offers/x.md", "content/partners/x.md", "content/pages/x.md", "content/vocabularies.yaml",
                 "site.yaml"):
        assert refused(file, fifo) in lines
    assert ("content/pages/gebaerdensprache.md:5:3: Fehler [not-a-regular-file] video.file: "
            "„content/medien/dgs-einfuehrung.mp4“ ist keine gewöhnliche Datei, sondern eine benannte Pipe (FIFO), "
            "und wird nicht gelesen.") in lines
    assert done.stderr == b""


@pytest.mark.parametrize("kind", specialfiles.KINDS)
def test_media_that_is_not_a_regular_file_is_named_for_what_it_is(site, kind):
    site.write("content/pages/gebaerdensprache.md", VIDEO_PAGE)
    site.write("content/medien/dgs-einfuehrung.mp4", b"\x00\x00\x00\x18ftypmp42")
    made = specialfiles.make(kind, site.content / "medien" / "dgs-einfuehrung.vtt")
    checked = specialfiles.within(20, site.check, [made])
    found = [(p.file, p.line, p.column, p.code, p.field, p.message) for p in checked.problems]
    assert found == [("content/pages/gebaerdensprache.md", 6, 3, "not-a-regular-file", "video.captions",
                      f"„content/medien/dgs-einfuehrung.vtt“ ist keine gewöhnliche Datei, sondern "
                      f"{specialfiles.KINDS[kind]}, und wird nicht gelesen.")]


def _refuse_opening(monkeypatch, name):
    real = os.open

    def fake(path, *args, **kwargs):
        if os.fspath(path).endswith(name):
            raise PermissionError(13, "Keine Berechtigung")
        return real(path, *args, **kwargs)

    monkeypatch.setattr(os, "open", fake)


def test_media_that_cannot_be_opened_is_a_problem(site, monkeypatch):
    # Root reads any file whatever its permissions, so a file without read permission is simulated.
    site.write("content/pages/gebaerdensprache.md", VIDEO_PAGE)
    site.write("content/medien/dgs-einfuehrung.mp4", b"\x00\x00\x00\x18ftypmp42")
    site.write("content/medien/dgs-einfuehrung.vtt", "WEBVTT\n")
    _refuse_opening(monkeypatch, "dgs-einfuehrung.mp4")
    found = [(p.line, p.code, p.field, p.message) for p in site.check().problems]
    assert found == [(5, "media-unreadable", "video.file", "Die Datei „dgs-einfuehrung.mp4“ im Ordner "
                      "„content/medien/“ kann nicht gelesen werden (Keine Berechtigung).")]


def test_media_replaced_by_a_fifo_after_the_check_is_an_error_not_a_hang(site, monkeypatch):
    site.write("content/pages/gebaerdensprache.md", VIDEO_PAGE)
    site.write("content/medien/dgs-einfuehrung.mp4", b"\x00\x00\x00\x18ftypmp42")
    vtt = site.write("content/medien/dgs-einfuehrung.vtt", "WEBVTT\n")
    checked = site.check()
    assert checked.problems == []
    specialfiles.make("fifo", vtt)

    def build():
        return models.build_site(checked.validated, checked.settings, TODAY_DATE, site.content / "medien",
                                 memory=None)

    with pytest.raises(models.MediaError) as raised:
        specialfiles.within(20, build, [vtt])
    problem = raised.value.problem
    assert (problem.file, problem.code) == ("content/medien/dgs-einfuehrung.vtt", "not-a-regular-file")
    vtt.unlink()
    vtt.write_text("WEBVTT\n", encoding="utf-8")
    _refuse_opening(monkeypatch, "dgs-einfuehrung.vtt")
    with pytest.raises(models.MediaError) as raised:
        build()
    assert (raised.value.problem.code, raised.value.problem.message) == (
        "media-unreadable", "Die Datei kann nicht gelesen werden (Keine Berechtigung).")


def test_media_replaced_after_the_check_fails_the_build_in_german_and_keeps_the_site(site, monkeypatch, tmp_path,
                                                                                     capsys):
    site.write("content/pages/gebaerdensprache.md", VIDEO_PAGE)
    site.write("content/medien/dgs-einfuehrung.mp4", b"\x00\x00\x00\x18ftypmp42")
    vtt = site.write("content/medien/dgs-einfuehrung.vtt", "WEBVTT\n")
    out = tmp_path / "out"
    args = ["build", "--content", str(site.content), "--config", str(site.config), "--out", str(out),
            "--today", TODAY_DATE.isoformat(), "--quiet"]
    assert cli.main(args) == 0
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    real_check = pipeline.check

    def check_then_swap(*a, **k):
        checked = real_check(*a, **k)
        vtt.unlink()
        specialfiles.make("fifo", vtt)  # swapped between check and build
        return checked

    monkeypatch.setattr(pipeline, "check", check_then_swap)
    assert specialfiles.within(20, lambda: cli.main(args), [vtt]) == 1
    report = capsys.readouterr()
    assert report.out.startswith("content/medien/dgs-einfuehrung.vtt:1:1: Fehler [not-a-regular-file]")
    assert "Die Website wurde nicht gebaut" in report.err
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before
