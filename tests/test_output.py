"""The output folder: the build writes only into a folder it owns, swaps the new site in at once, lets one
build at a time write, cleans up after crashed builds, and reports every failure of the file system in
German with the last good site untouched.

Faults are real where the machine allows: small tmpfs mounts for a full disk, exhausted inodes and a
read-only disk (the tests run as root, as CI does), and strace's fault injection for a kill between the
steps of a swap and for a refused mkdir. `.ci/run` installs strace.
"""

from __future__ import annotations

import datetime
import errno
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from offerdb import cli, output, pipeline, workers
from offerdb.serve import Preview

ROOT = Path(__file__).resolve().parent.parent
EPOCH = str(int(datetime.datetime(2026, 11, 25, 12, tzinfo=datetime.UTC).timestamp()))
TODAY = datetime.date(2026, 11, 25)
OFFER = "content/offers/zivilcourage-training.md"


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def tree(folder: Path) -> dict[str, bytes | None]:
    """Every entry below `folder` (folders as None), to prove that nothing was touched."""
    return {p.relative_to(folder).as_posix(): (p.read_bytes() if p.is_file() else None)
            for p in sorted(folder.rglob("*"))}


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A checkout of its own: the shipped content, site.yaml and a .git folder with history."""
    root = tmp_path / "projekt"
    shutil.copytree(ROOT / "content", root / "content")
    shutil.copy(ROOT / "site.yaml", root / "site.yaml")
    (root / ".git").mkdir()
    (root / ".git" / "HEAD").write_text("ref: refs/heads/main\n")
    (root / "README.md").write_text("Projekt\n")
    return root


def retitle(project: Path, title: str) -> None:
    offer = project / OFFER
    text = offer.read_text(encoding="utf-8")
    start = text.index("\ntitle: ") + 1
    offer.write_text(text[:start] + f"title: {title}" + text[text.index("\n", start):], encoding="utf-8")


def build_args(project: Path, out: Path | str) -> list[str]:
    return ["build", "--content", str(project / "content"), "--config", str(project / "site.yaml"),
            "--out", str(out), "--quiet"]


def run(project: Path, out: Path | str, *wrapper: str, cwd: Path | None = None,
        env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """A build as CI runs it: a new process, so every build is a complete one."""
    command = [*wrapper, sys.executable, str(ROOT / "build.py"), *build_args(project, out)]
    return subprocess.run(command, capture_output=True, text=True, timeout=300, cwd=cwd or ROOT,
                          env={**os.environ, "SOURCE_DATE_EPOCH": EPOCH, **(env or {})})


def strace(*injections: str) -> list[str]:
    """strace as a wrapper: follow forks, print nothing, inject the given faults."""
    command = ["strace", "-f", "-qq", "-o", "/dev/null"]
    for injection in injections:
        command += ["-e", f"inject={injection}"]
    return command


@contextmanager
def tmpfs(where: Path, options: str) -> Iterator[Path]:
    """A small RAM disk of its own, so a full disk or a read-only one is real and harms nothing else."""
    where.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(where)], check=True)
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], check=True)


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if ".staging-" in p.name or ".previous-" in p.name)


# --- 1. Own only what you made ---------------------------------------------------------------------------

def refused_targets(project: Path) -> dict[str, Path]:
    (project / "notizen").mkdir()
    (project / "notizen" / "liste.txt").write_text("meine Notizen\n")
    (project / "fremd-mit-ordner").mkdir()
    (project / "fremd-mit-ordner" / output.MARKER).mkdir()  # a folder where our marker file should be
    (project / "link-auf-inhalt").symlink_to(project / "content")
    return {
        "the content folder": project / "content",
        "a folder inside the content folder": project / "content" / "offers" / "site",
        "the project root": project,
        "the folder holding the project": project.parent,
        "the file system root": Path("/"),
        "the settings file": project / "site.yaml",
        "a regular file": project / "README.md",
        "a folder with foreign files": project / "notizen",
        "a folder whose marker is a folder": project / "fremd-mit-ordner",
        "a link to the content folder": project / "link-auf-inhalt",
    }


@pytest.mark.parametrize("case", ["the content folder", "a folder inside the content folder", "the project root",
                                  "the folder holding the project", "the file system root", "the settings file",
                                  "a regular file", "a folder with foreign files", "a folder whose marker is a folder",
                                  "a link to the content folder"])
def test_a_folder_the_build_does_not_own_is_refused_before_anything_is_touched(project, monkeypatch, capsys, case):
    monkeypatch.setattr(pipeline, "PROJECT", project)
    target = refused_targets(project)[case]
    before = tree(project.parent)
    assert cli.main(build_args(project, target), environ={"SOURCE_DATE_EPOCH": EPOCH}) == 2
    assert tree(project.parent) == before
    message = capsys.readouterr().err
    assert f"„{target}“ kann nicht der Zielordner sein" in message and "Nichts wurde verändert" in message


def test_dot_inside_the_project_is_refused(project, monkeypatch, capsys):
    monkeypatch.setattr(pipeline, "PROJECT", project)
    monkeypatch.chdir(project)
    before = tree(project)
    assert cli.main(build_args(project, "."), environ={"SOURCE_DATE_EPOCH": EPOCH}) == 2
    assert tree(project) == before
    assert "Darin liegt der Inhaltsordner" in capsys.readouterr().err


def test_the_pipeline_itself_refuses_so_every_caller_is_safe(project, monkeypatch):
    """Not only the command line: pipeline.build (the preview, scripts) refuses too, before writing."""
    monkeypatch.setattr(pipeline, "PROJECT", project)
    checked = pipeline.check(project / "content", project / "site.yaml", TODAY)
    for case, target in refused_targets(project).items():
        before = tree(project.parent)
        with pytest.raises(output.Refused):
            pipeline.build(checked, target, TODAY)
        assert tree(project.parent) == before, case


def test_the_preview_refuses_a_foreign_folder_and_says_so(project):
    foreign = project / "notizen"
    foreign.mkdir()
    (foreign / "liste.txt").write_text("meine Notizen\n")
    logged: list[str] = []
    preview = Preview(project / "content", project / "site.yaml", lambda: TODAY, foreign, logged.append)
    assert preview.rebuild() is False
    assert (foreign / "liste.txt").read_text() == "meine Notizen\n" and len(list(foreign.iterdir())) == 1
    assert [p.code for p in preview.problems] == ["write-failed"]
    assert "enthält Dateien, die nicht von einem Build stammen („liste.txt“)" in preview.problems[0].message


def test_missing_empty_and_own_folders_are_accepted_and_the_marker_is_published(project, tmp_path):
    empty = tmp_path / "leer"
    empty.mkdir()
    for target in (tmp_path / "neu" / "site", empty):
        assert run(project, target).returncode == 0
        assert (target / output.MARKER).read_bytes() == output.MARKER_TEXT
        assert (target / "index.html").is_file()
    retitle(project, "Zivilcourage mit neuem Titel")
    assert run(project, empty).returncode == 0  # now carries the marker: replaced as a whole
    assert "Zivilcourage mit neuem Titel" in (empty / "angebote/zivilcourage-training/index.html").read_text()


# --- 2. A real atomic swap ------------------------------------------------------------------------------

def two_sites(project: Path, tmp_path: Path) -> tuple[dict[str, bytes], dict[str, bytes], Path]:
    """Build the old site into `site`, and the new one (a changed title) elsewhere for comparison."""
    out = tmp_path / "site"
    assert run(project, out).returncode == 0
    old = snapshot(out)
    retitle(project, "Zivilcourage mit neuem Titel")
    assert run(project, tmp_path / "vergleich" / "site").returncode == 0
    new = snapshot(tmp_path / "vergleich" / "site")
    assert old != new
    return old, new, out


def test_the_swap_is_one_exchange_and_a_kill_at_it_leaves_the_complete_old_site(project, tmp_path):
    old, new, out = two_sites(project, tmp_path)
    # Killed as it calls renameat2 (strace stops it on entry, before the kernel swaps anything).
    killed = run(project, out, *strace("renameat2:signal=KILL:when=1"))
    assert killed.returncode == -signal.SIGKILL or killed.returncode == 128 + signal.SIGKILL
    assert snapshot(out) == old
    assert len(leftovers(tmp_path)) == 1  # the complete staging folder of the killed build
    assert run(project, out).returncode == 0
    assert snapshot(out) == new and leftovers(tmp_path) == []


def test_a_kill_while_the_old_site_is_removed_leaves_the_new_site(project, tmp_path):
    old, new, out = two_sites(project, tmp_path)
    # After the exchange the staging folder holds the old site, which is then deleted file by file.
    killed = run(project, out, *strace("unlink:signal=KILL:when=1", "unlinkat:signal=KILL:when=1"))
    assert killed.returncode in (-signal.SIGKILL, 128 + signal.SIGKILL)
    assert snapshot(out) == new
    assert leftovers(tmp_path)  # the old site, half deleted
    assert run(project, out).returncode == 0
    assert snapshot(out) == new and leftovers(tmp_path) == []


def test_without_an_exchange_a_kill_between_the_two_renames_is_repaired_by_the_next_build(project, tmp_path):
    old, new, out = two_sites(project, tmp_path)
    # No renameat2 (as on a system without it), and killed at the second rename: the old site has been moved
    # away and the new one is not yet in place.
    killed = run(project, out, *strace("renameat2:error=ENOSYS", "rename:signal=KILL:when=2"))
    assert killed.returncode in (-signal.SIGKILL, 128 + signal.SIGKILL)
    assert not out.exists()
    assert [name.split("-")[0] for name in leftovers(tmp_path)] == ["site.previous", "site.staging"]
    with output.owned(out):  # the first thing the next build does: the old site is back, whole
        assert snapshot(out) == old
    assert run(project, out, *strace("renameat2:error=ENOSYS")).returncode == 0
    assert snapshot(out) == new and leftovers(tmp_path) == []


def test_the_fallback_without_an_exchange_builds_the_same_site(project, tmp_path, monkeypatch):
    monkeypatch.setattr(output, "_EXCHANGE", None)
    out = tmp_path / "site"
    output.publish({"index.html": b"alt", "alt/index.html": b"alt"}, out)
    output.publish({"index.html": b"neu"}, out)
    assert snapshot(out) == {output.MARKER: output.MARKER_TEXT, "index.html": b"neu"}
    assert leftovers(tmp_path) == []


def test_every_build_removes_what_crashed_builds_left_but_nothing_foreign(project, tmp_path):
    out = tmp_path / "site"
    assert run(project, out).returncode == 0
    staging = tmp_path / "site.staging-abgestuerzt"
    shutil.copytree(out, staging)
    previous = tmp_path / "site.previous-abgestuerzt"
    shutil.copytree(out, previous / "site")
    (tmp_path / "site.staging-leer").mkdir()
    foreign = tmp_path / "site.staging-fremd"
    foreign.mkdir()
    (foreign / "wichtig.txt").write_text("nicht von offerdb\n")
    assert run(project, out).returncode == 0
    assert leftovers(tmp_path) == ["site.staging-fremd"]
    assert (foreign / "wichtig.txt").read_text() == "nicht von offerdb\n"


def test_a_second_build_waits_for_the_first_and_says_so(project, tmp_path):
    out = tmp_path / "site"
    assert run(project, out).returncode == 0
    retitle(project, "Zivilcourage mit neuem Titel")
    command = [sys.executable, str(ROOT / "build.py"), *build_args(project, out)]
    with output.owned(out):  # this test is the first build, holding the folder
        second = subprocess.Popen(command, stderr=subprocess.PIPE, text=True, cwd=ROOT,
                                  env={**os.environ, "SOURCE_DATE_EPOCH": EPOCH})
        assert second.stderr is not None
        line = second.stderr.readline()  # blocks until the second build reports that it waits
        assert line == f"Ein anderer Build schreibt gerade nach „{out}“; dieser wartet, bis er fertig ist …\n"
        time.sleep(0.5)
        assert second.poll() is None  # still waiting
        assert "Zivilcourage mit neuem Titel" not in (out / "angebote/zivilcourage-training/index.html").read_text()
    assert second.wait(timeout=300) == 0
    assert "Zivilcourage mit neuem Titel" in (out / "angebote/zivilcourage-training/index.html").read_text()


def test_concurrent_builds_into_one_folder_all_succeed_and_leave_one_complete_site(project, tmp_path):
    out = tmp_path / "site"
    assert run(project, tmp_path / "vergleich").returncode == 0
    command = [sys.executable, str(ROOT / "build.py"), *build_args(project, out)]
    builds = [subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT,
                               env={**os.environ, "SOURCE_DATE_EPOCH": EPOCH}) for _ in range(3)]
    results = [(build.wait(timeout=300), build.stderr.read()) for build in builds]  # type: ignore[union-attr]
    assert [code for code, _ in results] == [0, 0, 0], results
    assert b"Traceback" not in b"".join(err for _, err in results)
    assert snapshot(out) == snapshot(tmp_path / "vergleich")
    assert leftovers(tmp_path) == []


# --- 3. Every failure of the file system is a German message -------------------------------------------

def assert_failed_in_german(result: subprocess.CompletedProcess, out: Path, reason: str) -> None:
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert f"Die Website konnte nicht nach „{out}“ geschrieben werden: {reason}" in result.stderr
    assert "Der bisherige Stand bleibt unverändert." in result.stderr


def test_a_full_disk_keeps_the_old_site(project, tmp_path):
    # Room for one site (9.4 MB: 1.5 MB of pages and data, 7.9 MB of the web editor under admin/), not a second.
    with tmpfs(tmp_path / "disk", "size=14m") as disk:
        out = disk / "site"
        assert run(project, out).returncode == 0
        before = snapshot(out)
        retitle(project, "Zivilcourage mit neuem Titel")
        assert_failed_in_german(run(project, out), out, "Auf dem Datenträger ist kein Platz mehr frei")
        assert snapshot(out) == before
        assert leftovers(disk) == []


def test_a_disk_without_free_inodes_keeps_the_old_site(project, tmp_path):
    with tmpfs(tmp_path / "disk", "size=64m,nr_inodes=500") as disk:  # one site has about 370 entries
        out = disk / "site"
        assert run(project, out).returncode == 0
        before = snapshot(out)
        assert_failed_in_german(run(project, out), out, "Auf dem Datenträger ist kein Platz mehr frei (oder keine "
                                                        "freien Dateieinträge, Inodes)")
        assert snapshot(out) == before
        assert leftovers(disk) == []


def test_a_full_disk_in_the_forked_page_renderer_is_reported_in_german(project, tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(workers, "can_fork", lambda: True)  # pytest may run helper threads
    monkeypatch.setattr(pipeline, "PARALLEL_MIN_PAGES", 1)
    with tmpfs(tmp_path / "disk", "size=1m") as disk:
        out = disk / "site"
        assert cli.main(build_args(project, out), environ={"SOURCE_DATE_EPOCH": EPOCH}) == 1
        assert "kein Platz mehr frei" in capsys.readouterr().err
        assert sorted(p.name for p in disk.iterdir()) == ["site"]  # the folder the lock made, nothing else
        assert [p.name for p in out.iterdir()] == [output.MARKER]


def test_a_read_only_disk_keeps_the_old_site(project, tmp_path):
    with tmpfs(tmp_path / "disk", "size=16m") as disk:
        out = disk / "site"
        assert run(project, out).returncode == 0
        before = snapshot(out)
        subprocess.run(["mount", "-o", "remount,ro", str(disk)], check=True)
        assert_failed_in_german(run(project, out), out, "Der Datenträger ist schreibgeschützt")
        assert snapshot(out) == before


def test_a_refused_staging_folder_keeps_the_old_site(project, tmp_path):
    out = tmp_path / "site"
    assert run(project, out).returncode == 0
    before = snapshot(out)
    # mkdtemp's mkdir refused, as in a folder the build may not write to (root passes permission checks, so
    # the refusal is injected).
    result = run(project, out, *strace("mkdir:error=EACCES"))
    assert_failed_in_german(result, out, "Keine Berechtigung")
    assert snapshot(out) == before


def test_a_file_where_a_folder_should_be_is_a_german_problem(project, tmp_path):
    (tmp_path / "datei").write_text("x")
    out = tmp_path / "datei" / "site"
    assert_failed_in_german(run(project, out), out, "Ein Teil des Pfades ist eine Datei, wo ein Ordner sein müsste")


def test_the_field_guide_and_a_new_file_on_a_read_only_disk_are_german_problems(project, tmp_path, capsys):
    with tmpfs(tmp_path / "disk", "size=1m,ro") as disk:
        assert cli.main(["fieldguide", "--content", str(project / "content"), "--out", str(disk / "x.md")]) == 1
        assert "konnte nicht nach" in capsys.readouterr().err
        content = disk / "content"
        assert cli.main(["new", "offer", "neues-angebot", "--content", str(content)]) == 2
        assert "konnte nicht angelegt werden: Der Datenträger ist schreibgeschützt" in capsys.readouterr().err


def test_a_preview_that_cannot_make_its_folder_says_so(project, monkeypatch, capsys):
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", str(project / "gibt-es-nicht"))
    assert cli.main(["serve", "--content", str(project / "content"), "--config", str(project / "site.yaml"),
                     "--port", "0"]) == 1
    assert "Die Vorschau kann ihren Ordner nicht anlegen: Ein Ordner auf dem Weg dorthin fehlt" in \
        capsys.readouterr().err


# --- in one process: the German messages in full, the claim's refusals, staging and the record of a site --------

def test_each_failure_of_the_file_system_has_its_german_reason_with_the_path():
    assert output.reason(OSError(errno.ENOSPC, "No space", "/x/site")) == (
        "Auf dem Datenträger ist kein Platz mehr frei (oder keine freien Dateieinträge, Inodes) (bei „/x/site“)")
    assert output.reason(OSError(errno.EROFS, "Read-only")) == "Der Datenträger ist schreibgeschützt"
    assert output.reason(OSError(errno.EACCES, "Denied", "a")) == "Keine Berechtigung (bei „a“)"
    assert output.reason(OSError(errno.EBUSY, "busy")) == (
        "Der Ordner ist in Benutzung (z. B. ein Einhängepunkt); geben Sie einen Ordner darin an")
    assert output.reason(OSError(9999, "Seltsam", "b")) == "Systemfehler 9999: Seltsam (bei „b“)"
    assert output.reason(OSError("nur Text")) == "Systemfehler None: nur Text"
    failed = output.write_failed(OSError(errno.EIO, "I/O", "site/a.html"), Path("site"))
    assert isinstance(failed, output.OutputError) and failed.exit_code == 1
    assert str(failed) == ("Die Website konnte nicht nach „site“ geschrieben werden: Ein Lese- oder Schreibfehler "
                           "des Datenträgers (bei „site/a.html“). Der bisherige Stand bleibt unverändert.")


KEEP = "Nichts wurde verändert. Geben Sie mit --out einen eigenen, neuen Ordner an, z. B. „site“."


def test_the_claim_says_in_full_why_a_folder_is_refused(tmp_path):
    content, project_dir = tmp_path / "p" / "content", tmp_path / "p"
    content.mkdir(parents=True)
    sources = {"der Inhaltsordner": content}

    def refusal(out, **kwargs) -> str:
        with pytest.raises(output.Refused) as caught:
            output.claim(out, **kwargs)
        assert caught.value.exit_code == 2
        return str(caught.value)

    real = os.path.realpath
    assert refusal(content, sources=sources) == (
        f"„{content}“ kann nicht der Zielordner sein: Das ist der Inhaltsordner („{real(content)}“). {KEEP}")
    assert refusal(project_dir, sources=sources, project=project_dir) == (
        f"„{project_dir}“ kann nicht der Zielordner sein: Darin liegt der Inhaltsordner („{real(content)}“), und der "
        f"Build würde alles darin durch die Website ersetzen. {KEEP}")
    assert refusal(content / "site", sources=sources) == (
        f"„{content / 'site'}“ kann nicht der Zielordner sein: Er liegt in „{real(content)}“, und das ist der "
        f"Inhaltsordner, aus dem gebaut wird. {KEEP}")
    assert output.claim(project_dir / "site", sources=sources, project=project_dir) == Path(real(project_dir)) / "site"
    (tmp_path / "file").write_text("x", encoding="utf-8")
    assert refusal(tmp_path / "file") == (
        f"„{tmp_path / 'file'}“ kann nicht der Zielordner sein: Das ist eine Datei, kein Ordner, und der Build "
        f"überschreibt sie nicht. {KEEP}")
    foreign = tmp_path / "foreign"
    foreign.mkdir()
    for name in ("d", "a", "c", "b"):
        (foreign / name).write_text("x", encoding="utf-8")
    assert refusal(foreign) == (
        f"„{foreign}“ kann nicht der Zielordner sein: Der Ordner enthält Dateien, die nicht von einem Build stammen "
        f"(„a“, „b“, „c“ …), und der Build würde sie löschen. {KEEP} (Einen Ordner, den offerdb gebaut hat, erkennt "
        "es an der Datei „.offerdb-site“ darin.)")
    (foreign / "d").unlink()
    assert "(„a“, „b“, „c“)," in refusal(foreign)
    (foreign / output.MARKER).symlink_to("a")  # a marker must be a file of its own
    assert "nicht von einem Build stammen" in refusal(foreign)
    (foreign / output.MARKER).unlink()
    (foreign / output.MARKER).write_bytes(output.MARKER_TEXT)
    assert output.claim(foreign) == Path(real(foreign))
    empty = tmp_path / "empty"
    empty.mkdir()
    assert output.claim(empty) == Path(real(empty))


def test_the_exchange_swaps_two_folders_in_one_step(tmp_path):
    swap = output._exchange_function()
    assert swap is not None  # Linux has renameat2
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "in-a").write_text("a", encoding="utf-8")
    (tmp_path / "b").mkdir()
    assert swap(os.fsencode(tmp_path / "a"), os.fsencode(tmp_path / "b")) == 0
    assert os.listdir(tmp_path / "b") == ["in-a"] and os.listdir(tmp_path / "a") == []
    assert output.exchange(tmp_path / "a", tmp_path / "b") is True
    assert os.listdir(tmp_path / "a") == ["in-a"]
    assert swap(os.fsencode(tmp_path / "a"), os.fsencode(tmp_path / "nowhere")) == -1
    with pytest.raises(FileNotFoundError):
        output.exchange(tmp_path / "a", tmp_path / "nowhere")


def test_publish_replaces_the_folder_with_exactly_the_files_and_the_marker(tmp_path):
    out = tmp_path / "site"
    output.publish({"index.html": b"eins", "a/b/c.txt": b"tief"}, out)
    assert tree(out) == {"index.html": b"eins", "a": None, "a/b": None, "a/b/c.txt": b"tief",
                         output.MARKER: output.MARKER_TEXT}
    assert (out.stat().st_mode & 0o777) == 0o755
    output.publish({"neu.html": b"zwei"}, out)
    assert tree(out) == {"neu.html": b"zwei", output.MARKER: output.MARKER_TEXT}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]  # no staging or previous folder left


def test_an_update_moves_only_changes_and_removes_what_is_gone(tmp_path):
    out = tmp_path / "site"
    output.publish({"a.html": b"a", "alt/x.html": b"x", "alt/tief/y.html": b"y", "b.html": b"b"}, out)
    previous = {"a.html", "alt/x.html", "alt/tief/y.html", "b.html"}
    with output.Staging(out, previous) as staging:
        assert staging.updating
        staging.keep(["a.html"])
        staging.add("b.html", b"B")
        staging.add("neu/z.html", [b"z", b"-", b"teile"])
        with pytest.raises(ValueError):
            staging.add("b.html", b"twice")
        staging.adopt(["neu/w.html", "b.html"])
        (staging.root / "neu" / "w.html").write_bytes(b"w")
        staging.commit()
    assert tree(out) == {"a.html": b"a", "b.html": b"B", "neu": None, "neu/z.html": b"z-teile", "neu/w.html": b"w",
                         output.MARKER: output.MARKER_TEXT}
    assert staging.paths == {"a.html", "b.html", "neu/z.html", "neu/w.html"}
    assert staging.staged == {"b.html", "neu/z.html", "neu/w.html"}
    assert staging.touched == {"", "alt", "alt/tief", "neu"}
    assert not staging.root.exists()


def test_the_record_of_a_published_site_notices_a_touched_folder_or_file(tmp_path):
    out = tmp_path / "site"
    output.publish({"a.html": b"a", "f/b.html": b"b"}, out)
    files = {}
    for path, key in (("a.html", ("k", 1)), ("f/b.html", None)):
        stat = os.stat(out / path)
        files[path] = (key, stat.st_ino, stat.st_size, stat.st_mtime_ns)
    record = output.Published.record(out, files)
    assert set(record.folders) == {"", "f"}
    assert output.Published.check(record, out) is record
    assert record.unchanged("a.html", ("k", 1), f"{out}{os.sep}") == files["a.html"]  # published again as it is
    assert record.unchanged("a.html", ("k", 2), f"{out}{os.sep}") is None  # another key
    assert record.unchanged("f/b.html", None, f"{out}{os.sep}") is None  # always made anew
    assert record.unchanged("gone.html", ("k", 1), f"{out}{os.sep}") is None
    same = output.Published.record(out, files, before=record, touched=set())
    assert same.folders == record.folders
    (out / "a.html").write_bytes(b"anders")  # edited in place: another size and time
    assert record.unchanged("a.html", ("k", 1), f"{out}{os.sep}") is None
    (out / "f" / "fremd.html").write_bytes(b"x")  # a file added by someone else
    assert not record.intact(out) and output.Published.check(record, out) is None
    assert output.Published.check(None, out) is None
    shutil.rmtree(out)
    assert not record.intact(out)


def test_many_parts_are_written_in_order(tmp_path):
    parts = [f"{i};".encode() for i in range(3 * output._IOV_MAX + 5)]
    with open(tmp_path / "f", "wb") as f:
        output._write_parts(f.fileno(), parts)
    assert (tmp_path / "f").read_bytes() == b"".join(parts)


def test_leftovers_of_crashed_builds_are_removed_or_the_old_site_put_back(tmp_path):
    out = tmp_path / "site"
    staging = tmp_path / "site.staging-1"
    (staging).mkdir()
    (staging / output.MARKER).write_bytes(output.MARKER_TEXT)
    foreign = tmp_path / "site.staging-fremd"
    (foreign / "x").mkdir(parents=True)
    saved = tmp_path / "site.previous-1" / "site"
    saved.mkdir(parents=True)
    (saved / output.MARKER).write_bytes(output.MARKER_TEXT)
    (saved / "index.html").write_bytes(b"alt")
    assert sorted(kind for kind, _ in output._leftovers(out)) == ["previous", "staging", "staging"]
    output._repair(out)  # the site was moved aside and not replaced: it comes back
    assert (out / "index.html").read_bytes() == b"alt"
    output._remove_leftovers(out)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site", "site.staging-fremd"]


def test_holding_a_new_folder_marks_it_with_the_explanation(tmp_path):
    with output.owned(tmp_path / "neu") as out:
        assert (out / output.MARKER).read_bytes() == output.MARKER_TEXT
    assert os.listdir(tmp_path / "neu") == [output.MARKER]  # a build that failed here leaves only the marker


def test_a_build_interrupted_while_it_waits_lets_go_of_the_folder(tmp_path):
    """Ctrl-C while another build holds the folder: the interrupt itself reaches the caller (not an error of the
    clean-up), and the waiting build's handle on the marker is closed, so it holds nothing afterwards."""
    out = tmp_path / "site"
    with output.owned(out):
        pass
    marker = out / output.MARKER

    def open_on_marker() -> list[str]:
        found = []
        for name in os.listdir("/proc/self/fd"):
            try:
                if os.readlink(f"/proc/self/fd/{name}") == str(marker):
                    found.append(name)
            except OSError:
                pass  # the descriptor listdir itself used
        return found

    def interrupt(_: Path) -> None:
        raise KeyboardInterrupt

    holder = os.open(marker, os.O_RDONLY)
    try:
        output.fcntl.flock(holder, output.fcntl.LOCK_EX)  # the other build
        with pytest.raises(KeyboardInterrupt):
            with output.owned(out, on_wait=interrupt):
                pass
        assert open_on_marker() == [str(holder)]
    finally:
        os.close(holder)
    with output.owned(out):  # and the folder is free for the next build
        pass
