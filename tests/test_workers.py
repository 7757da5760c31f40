"""Work on the second core (offerdb.workers): a forked child never runs its parent's code, `Shared` gives the
results of a plain loop in the same order, and the pipeline's uses of it (Markdown read and rendered ahead
while the check runs, the Markdown the models still need, pages beside the search index) give exactly the
site a single process gives."""

from __future__ import annotations

import datetime
import os
import shutil
from pathlib import Path

import pytest

from offerdb import markdown, models, pipeline, workers
from offerdb.memory import Memory

ROOT = Path(__file__).resolve().parent.parent
TODAY = datetime.date(2026, 11, 25)


@pytest.fixture
def forking(monkeypatch):
    monkeypatch.setattr(workers, "can_fork", lambda: True)  # pytest may run helper threads


def test_a_child_whose_parent_stopped_listening_exits_without_running_the_callers_code(tmp_path):
    parent = os.getpid()
    job = workers.Job(lambda: b"x" * 1_000_000, fork=True)  # more than a pipe holds: the write must fail
    if os.getpid() != parent:  # reached only if the child returned from Job() into this test
        (tmp_path / "entkommen").write_text("Kind", encoding="utf-8")
        os._exit(3)
    os.close(job._read)
    _, status = os.waitpid(job._pid, 0)
    job._pid = 0
    assert os.waitstatus_to_exitcode(status) == 0
    assert not (tmp_path / "entkommen").exists()


@pytest.mark.parametrize("fork", [False, True], ids=["ein-prozess", "zwei-prozesse"])
def test_shared_work_gives_the_results_of_a_plain_loop_in_order(fork):
    items = list(range(500))
    shared = workers.Shared(items, lambda n: (n, os.getpid(), n * n), fork)
    results = shared.results()
    assert [(n, square) for n, _, square in results] == [(n, n * n) for n in items]
    if not fork:
        assert {pid for _, pid, _ in results} == {os.getpid()}


def test_both_processes_take_part_when_the_work_is_slow():
    import time

    shared = workers.Shared(list(range(64)), lambda n: (time.sleep(0.005), os.getpid())[1], fork=True)
    assert len(set(shared.results())) == 2


def test_a_failure_in_the_child_is_raised_by_results():
    def work(n: int) -> int:
        if n == 499:  # the last chunk: taken by whichever process comes first; both raise alike
            raise ValueError("kaputt")
        return n

    with pytest.raises(ValueError, match="kaputt"):
        workers.Shared(list(range(500)), work, fork=True).results()


def test_a_cancelled_share_leaves_no_child():
    shared = workers.Shared(list(range(20)), lambda n: n, fork=True)
    assert shared._job is not None
    pid = shared._job._pid
    shared.cancel()
    with pytest.raises(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)


def offer_file(folder: Path, number: int) -> Path:
    path = folder / f"angebot-{number}.md"
    path.write_text(f"---\ntitle: Angebot {number}\n---\n## Ablauf {number}\n\nMit **Gruppenarbeit** und "
                    f"[Material](https://example.org/{number}).\n\n| a | b |\n|---|---|\n| {number} | x |\n",
                    encoding="utf-8")
    return path


def test_markdown_read_ahead_equals_render_for_every_file(tmp_path):
    files = [(str(offer_file(tmp_path, n)), n % 2) for n in range(60)]
    broken = tmp_path / "ohne-angaben.md"
    broken.write_text("Nur Text, keine Angaben.\n", encoding="utf-8")
    files += [(str(broken), 0), (str(tmp_path / "fehlt.md"), 1)]  # the loader reports both; no HTML for them
    memory = Memory()
    pipeline._remember(workers.Shared(files, pipeline._body_html, fork=True).results(), memory)
    assert len(memory) == 60
    for path, offset in files[:60]:
        body = Path(path).read_text(encoding="utf-8").split("---\n", 2)[2]
        assert markdown.render(body, offset, memory=memory) == markdown.render(body, offset, memory=None)
    assert memory.hits == 60 and memory.misses == 0


def project(tmp_path: Path) -> Path:
    shutil.copytree(ROOT / "content", tmp_path / "content")
    shutil.copy(ROOT / "site.yaml", tmp_path / "site.yaml")
    return tmp_path


def started(monkeypatch) -> list[workers.Shared]:
    """Let check() start Markdown ahead for the small sample content, as for a cold build of many files."""
    made: list[workers.Shared] = []

    class Recorded(workers.Shared):
        def __init__(self, items, work, fork):
            made.append(self)
            super().__init__(items, work, fork)

    monkeypatch.setattr(workers, "Shared", Recorded)
    monkeypatch.setattr(pipeline, "PARALLEL_MIN_TEXTS", 1)
    monkeypatch.setattr(workers, "can_fork", lambda: True)
    return made


def test_a_check_with_errors_stops_the_markdown_child(tmp_path, monkeypatch):
    root = project(tmp_path)
    offer = next((root / "content/offers").glob("*.md"))
    offer.write_text(offer.read_text(encoding="utf-8").replace("title:", "titel:", 1), encoding="utf-8")
    made = started(monkeypatch)
    checked = pipeline.check(root / "content", root / "site.yaml", TODAY, for_build=True)
    assert checked.fails(strict=False)
    assert len(made) == 1 and made[0]._job is None and checked.ahead is None


def test_a_build_with_markdown_ahead_gives_the_same_site_and_leaves_no_text_for_the_models(tmp_path, monkeypatch):
    root = project(tmp_path)
    plain = pipeline.check(root / "content", root / "site.yaml", TODAY)
    assert plain.ahead is None  # only for a build
    pipeline.build(plain, tmp_path / "eins", TODAY)
    made = started(monkeypatch)
    memory = Memory()  # a fresh memory: every Markdown text must come from the child or be rendered again
    left: list[list] = []  # what the models still needed after the texts rendered ahead
    real = models.texts_to_render
    monkeypatch.setattr(models, "texts_to_render", lambda *a: (left.append(real(*a)), left[-1])[1])
    checked = pipeline.check(root / "content", root / "site.yaml", TODAY, memory, for_build=True)
    assert made and checked.ahead is made[0]
    pipeline.build(checked, tmp_path / "zwei", TODAY, memory)
    assert checked.ahead is None and left == [[]]
    files = sorted(p.relative_to(tmp_path / "eins") for p in (tmp_path / "eins").rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(tmp_path / "zwei") for p in (tmp_path / "zwei").rglob("*") if p.is_file())
    assert [f for f in files if (tmp_path / "eins" / f).read_bytes() != (tmp_path / "zwei" / f).read_bytes()] == []


def test_the_models_find_every_text_they_render_in_memory(tmp_path, forking, monkeypatch):
    """texts_to_render names exactly what build_site renders: after the pipeline has rendered them (on two
    processes), building the models renders nothing."""
    root = project(tmp_path)
    monkeypatch.setattr(pipeline, "PARALLEL_MIN_TEXTS", 1)
    memory = Memory()
    checked = pipeline.check(root / "content", root / "site.yaml", TODAY, memory)
    texts = models.texts_to_render(checked.validated, models.model_keys(checked.validated), memory)
    assert len(texts) > 40
    rendered: list[str] = []
    real = markdown.to_html
    monkeypatch.setattr(markdown, "to_html", lambda *a: (rendered.append(a[0]), real(*a))[1])
    pipeline._remember(workers.Shared(texts, lambda text: (markdown.key(*text), real(*text)), True).results(), memory)
    models.build_site(checked.validated, checked.settings, TODAY, root / "content/medien", memory)
    assert rendered == []
