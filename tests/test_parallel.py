"""Work on the second core: a forked child never runs its parent's code, and Markdown rendered ahead in a
child (while the parent loads and validates) is exactly what `markdown.render` gives."""

from __future__ import annotations

import datetime
import os
import shutil
from pathlib import Path

from offerdb import markdown, parallel, pipeline
from offerdb.memory import Memory

ROOT = Path(__file__).resolve().parent.parent
TODAY = datetime.date(2026, 11, 25)


def test_a_child_whose_parent_stopped_listening_exits_without_running_the_callers_code(tmp_path):
    parent = os.getpid()
    job = parallel.Job(lambda: b"x" * 1_000_000, fork=True)  # more than a pipe holds: the write must fail
    if os.getpid() != parent:  # reached only if the child returned from Job() into this test
        (tmp_path / "entkommen").write_text("Kind", encoding="utf-8")
        os._exit(3)
    os.close(job._read)
    _, status = os.waitpid(job._pid, 0)
    job._pid = 0
    assert os.waitstatus_to_exitcode(status) == 0
    assert not (tmp_path / "entkommen").exists()


def offer_file(folder: Path, number: int) -> Path:
    path = folder / f"angebot-{number}.md"
    path.write_text(f"---\ntitle: Angebot {number}\n---\n## Ablauf {number}\n\nMit **Gruppenarbeit** und "
                    f"[Material](https://example.org/{number}).\n\n| a | b |\n|---|---|\n| {number} | x |\n",
                    encoding="utf-8")
    return path


def test_markdown_rendered_ahead_equals_render_for_every_file(tmp_path):
    files = [(str(offer_file(tmp_path, n)), n % 2) for n in range(60)]
    broken = tmp_path / "ohne-angaben.md"
    broken.write_text("Nur Text, keine Angaben.\n", encoding="utf-8")
    files += [(str(broken), 0), (str(tmp_path / "fehlt.md"), 1)]  # the loader reports both; no HTML for them
    cache = Memory()
    ahead = markdown.Ahead(files)
    ahead.finish(cache)
    assert len(cache) == 60
    for path, offset in files[:60]:
        body = Path(path).read_text(encoding="utf-8").split("---\n", 2)[2]
        assert markdown.render(body, offset, memory=cache) == markdown.render(body, offset, memory=None)
    assert cache.hits == 60 and cache.misses == 0


def test_a_cancelled_ahead_leaves_no_child_and_adds_nothing(tmp_path):
    files = [(str(offer_file(tmp_path, n)), 1) for n in range(20)]
    ahead = markdown.Ahead(files)
    pid = ahead._job._pid
    ahead.cancel()
    ahead.finish(cache := Memory())
    assert len(cache) == 0
    try:
        os.waitpid(pid, os.WNOHANG)
        raise AssertionError("the child was not reaped")
    except ChildProcessError:
        pass


def project(tmp_path: Path) -> Path:
    shutil.copytree(ROOT / "content", tmp_path / "content")
    shutil.copy(ROOT / "site.yaml", tmp_path / "site.yaml")
    return tmp_path


def started(monkeypatch) -> list[markdown.Ahead]:
    """Let check() start Markdown ahead for the small sample content, as for a cold build of many files."""
    made: list[markdown.Ahead] = []

    class Recorded(markdown.Ahead):
        def __init__(self, files):
            made.append(self)
            super().__init__(files)

    monkeypatch.setattr(markdown, "Ahead", Recorded)
    monkeypatch.setattr(markdown, "PARALLEL_MIN_TEXTS", 1)
    monkeypatch.setattr(parallel, "can_fork", lambda: True)  # pytest may run helper threads
    return made


def test_a_check_with_errors_stops_the_markdown_child(tmp_path, monkeypatch):
    root = project(tmp_path)
    offer = next((root / "content/offers").glob("*.md"))
    offer.write_text(offer.read_text(encoding="utf-8").replace("title:", "titel:", 1), encoding="utf-8")
    made = started(monkeypatch)
    checked = pipeline.check(root / "content", root / "site.yaml", TODAY, for_build=True)
    assert checked.fails(strict=False)
    assert len(made) == 1 and made[0]._job is None and checked.ahead is None


def test_a_build_with_markdown_ahead_gives_the_same_site(tmp_path, monkeypatch):
    root = project(tmp_path)
    plain = pipeline.check(root / "content", root / "site.yaml", TODAY)
    assert plain.ahead is None  # only for a build
    pipeline.build(plain, tmp_path / "eins", TODAY)
    made = started(monkeypatch)
    memory = Memory()  # a fresh memory: every Markdown text must come from the child or be rendered again
    missing: list[str] = []  # texts the models still had to render
    real = markdown.prerender

    def recording(items, store, workers=None):
        items = list(items)
        missing.extend(text for text, offset in items if store.get(markdown._key(text, offset)) is None)
        return real(items, store, workers)

    monkeypatch.setattr(markdown, "prerender", recording)
    checked = pipeline.check(root / "content", root / "site.yaml", TODAY, memory, for_build=True)
    assert made and checked.ahead is made[0]
    pipeline.build(checked, tmp_path / "zwei", TODAY, memory)
    assert checked.ahead is None and missing == []
    files = sorted(p.relative_to(tmp_path / "eins") for p in (tmp_path / "eins").rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(tmp_path / "zwei") for p in (tmp_path / "zwei").rglob("*") if p.is_file())
    assert [f for f in files if (tmp_path / "eins" / f).read_bytes() != (tmp_path / "zwei" / f).read_bytes()] == []
