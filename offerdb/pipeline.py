"""The build, stage by stage: load -> validate -> (stop on errors) -> models -> plan -> search and render ->
write. `check` and `build` call one function per stage; the memory the caller owns is passed to each stage,
and the second core and the cyclic collector are handled here, at the stages' edges (workers)."""

from __future__ import annotations

import datetime
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import markdown, models, output, plan, rendering, search, workers
from .config import Settings, load_settings
from .loading import KIND_DIRS, display_path, load_content, read_body
from .memory import Memory, digest
from .problems import Problem
from .validation import MEDIA_DIR, Validated, validate

DEFAULT_WARN_DAYS = 60

# Below these many texts or pages a second process costs more than it saves (start-up ~0.1 s; a rebuild
# after one changed offer renders a few dozen pages; docs/performance.md).
PARALLEL_MIN_TEXTS = 400
PARALLEL_MIN_PAGES = 400

# Called after each stage with its name and duration in seconds: the CLI prints progress from it and the
# benchmark collects per-stage figures, without either reaching into the stages.
OnStage = Callable[[str, float], None]


@contextmanager
def stage(name: str, on_stage: OnStage | None) -> Iterator[None]:
    started = time.perf_counter()
    yield
    if on_stage is not None:
        on_stage(name, time.perf_counter() - started)


@dataclass
class Checked:
    content_dir: Path
    config_path: Path
    settings: Settings | None
    validated: Validated
    problems: list[Problem]
    # Markdown rendered on the second core while loading and validating; `build` collects it.
    ahead: workers.Shared | None = None

    def fails(self, strict: bool) -> bool:
        return any(p.is_error or strict for p in self.problems)

    def discard(self) -> None:
        """Stop work started for a build that will not happen."""
        if self.ahead is not None:
            self.ahead.cancel()
            self.ahead = None


def check(content_dir: Path, config_path: Path, today: datetime.date, memory: Memory | None = None,
          on_stage: OnStage | None = None, for_build: bool = False) -> Checked:
    """Load and validate; files `memory` has seen with the same bytes are not read or checked again (None:
    a cold check). `for_build` says a build follows if the check passes: a cold build of many files then
    renders their Markdown on the second core meanwhile."""
    cold = memory is None or len(memory) == 0
    ahead = _markdown_ahead(content_dir) if for_build and cold else None
    try:
        with stage("load", on_stage), workers.paused_collector(freeze=True):
            settings, problems = load_settings(config_path, display_path(config_path.resolve(), content_dir.resolve()))
            content = load_content(content_dir, memory)
        warn_days = settings.warn_days_before_expiry if settings else DEFAULT_WARN_DAYS
        with stage("validate", on_stage), workers.paused_collector(freeze=True):
            validated = validate(content, today, warn_days, memory)
    except BaseException:
        if ahead is not None:
            ahead.cancel()
        raise
    checked = Checked(content_dir, config_path, settings, validated, sorted(set(problems + validated.problems)), ahead)
    if checked.fails(strict=False):
        checked.discard()
    return checked


def _markdown_ahead(content_dir: Path) -> workers.Shared | None:
    """The bodies of every content file, read and rendered by a forked child while this process loads and
    validates (which needs one core for about as long as the Markdown of every body takes on one core). A
    body is read and keyed exactly as the loader and `markdown.render` do, so a file that changes meanwhile
    only costs a miss."""
    if not workers.can_fork():
        return None
    files = []
    for kind, folder in KIND_DIRS.items():
        try:
            with os.scandir(content_dir / folder) as scan:
                files += [(entry.path, models.HEADING_OFFSET[kind]) for entry in scan if entry.name.endswith(".md")]
        except OSError:
            continue  # the loader reports a missing folder
    return workers.Shared(files, _body_html, fork=True) if len(files) >= PARALLEL_MIN_TEXTS else None


def _body_html(file: tuple[str, int]) -> tuple[Any, str] | None:
    path, offset = file
    text = read_body(path)
    return None if text is None else _html(text, offset)


def _html(text: str, offset: int) -> tuple[Any, str]:
    return markdown.key(text, offset), markdown.to_html(text, offset)


def _remember(pairs: list[tuple[Any, str] | None], memory: Memory) -> None:
    for pair in pairs:
        if pair is not None:
            memory.put(*pair)


@dataclass
class Built:
    site: models.Site
    out_dir: Path


# The project itself: a build never writes into or over it (output.claim).
PROJECT = Path(__file__).resolve().parent.parent


def sources(content_dir: Path, config_path: Path) -> dict[str, Path]:
    """What a build reads, which its output folder may neither be, contain nor lie in (German names)."""
    return {"der Inhaltsordner": content_dir, "die Einstellungsdatei": config_path,
            "der Vorlagenordner": rendering.TEMPLATES}


def build(checked: Checked, out_dir: Path, today: datetime.date, memory: Memory | None = None,
          on_stage: OnStage | None = None, on_wait: Callable[[Path], None] | None = None) -> Built:
    """Render and publish a checked site; call only when `checked` has no errors.

    What `memory` remembers is reused (None: a cold build): models of unchanged files, and pages whose inputs
    are unchanged and which are still as the last build with this memory left them in `out_dir`. Pages are
    written to a staging folder as they are rendered and put in place only after everything succeeded.

    The output folder must be the build's own (`output.claim`, else `output.Refused`); another build into
    it is waited for (`on_wait` is told). A failure of the file system raises `output.OutputError` with a
    German message, and the previous site stays."""
    assert checked.settings is not None and checked.validated.ok
    memory = Memory() if memory is None else memory
    with workers.frozen():  # the loaded content: the collector skips it, forked workers copy fewer pages
        with stage("models", on_stage), workers.paused_collector(freeze=True):
            site = _models(checked, today, memory)
        with output.owned(out_dir, sources(checked.content_dir, checked.config_path), PROJECT, on_wait) as out:
            try:
                # Pages, the search index and the data files make no reference cycles (a Jinja page leaves
                # none behind), so the collector would only cost time: up to 0.1 s per collection.
                with workers.paused_collector():
                    _publish(site, out, memory, on_stage)
            except OSError as exc:
                raise output.write_failed(exc, out_dir) from None
    return Built(site, out_dir)


def _models(checked: Checked, today: datetime.date, memory: Memory) -> models.Site:
    """The Markdown first, on both cores (what the check started ahead, then what is still missing), so the
    models find every body's HTML in `memory`; then the models."""
    if checked.ahead is not None:
        ahead, checked.ahead = checked.ahead, None
        _remember(ahead.results(), memory)
    keys = models.model_keys(checked.validated)
    texts = models.texts_to_render(checked.validated, keys, memory)
    fork = len(texts) >= PARALLEL_MIN_TEXTS and workers.can_fork()
    _remember(workers.Shared(texts, lambda text: _html(*text), fork).results(), memory)
    assert checked.settings is not None
    return models.build_site(checked.validated, checked.settings, today, checked.content_dir / MEDIA_DIR, memory,
                             keys)


def _publish(site: models.Site, out_dir: Path, memory: Memory, on_stage: OnStage | None) -> None:
    """Every file of the site into `out_dir`: planned, searched and rendered, then written."""
    record_key = ("published", str(out_dir))
    with stage("plan", on_stage):
        files = plan.outputs(site, memory)
        before = output.Published.check(memory.get(record_key), out_dir)
        memory.put(record_key, None)  # a failure below leaves the next build a complete one
    with output.Staging(out_dir, previous=before.files if before else None) as staging:
        with stage("plan", on_stage):
            published, todo = _keep_unchanged(files, before, staging, str(out_dir) + os.sep)
        fork = len(todo) >= PARALLEL_MIN_PAGES and workers.can_fork()
        # While a forked child renders pages, this process builds the search index and the data files made
        # from remembered pieces (what they remember must stay in this process's memory); then it joins in.
        pages = workers.Shared(todo, lambda file: _render(file, staging), fork)
        try:
            with stage("search", on_stage):
                made = search.build_search(site, memory)
            with stage("render", on_stage):
                keys = {path: ("bytes", digest(data)) for path, data in made.items() if path.startswith(SEARCH_FOLDERS)}
                kept = _keep_unchanged_made(keys, before, str(out_dir) + os.sep)
                if kept:
                    staging.keep(kept)
                    published.update(kept)
                made.update((file.path, file.make()) for file in files if file.pieces)
                for path in sorted(made.keys() - kept.keys()):
                    published[path] = (keys.get(path), *_stat(staging.add(path, made[path])))
                rendered = pages.results()
        finally:
            pages.cancel()  # a child must not write on into a staging folder that is being removed
        if fork:
            staging.adopt(path for path, _, _ in rendered)
        published.update((path, (key, *stat)) for path, key, stat in rendered)
        with stage("write", on_stage):
            staging.commit()
            memory.put(record_key, output.Published.record(out_dir, published, before, staging.touched))


FileStats = dict[str, tuple[Any, int, int, int]]  # path -> (key, inode, size, mtime) as output.Published keeps it


def _keep_unchanged(files: list[plan.File], before: output.Published | None, staging: output.Staging,
                    out: str) -> tuple[FileStats, list[plan.File]]:
    """The files the last build left unchanged are kept; the others (but those made from pieces) are to do."""
    published: FileStats = {}
    todo = []
    for file in files:
        last = before.unchanged(file.path, file.key, out) if before is not None and file.key else None
        if last is not None:
            published[file.path] = last
        elif not file.pieces:
            todo.append(file)
    if published:
        staging.keep(published)
    return published, todo


# The search data is many small files, most of them the same after an edit: each is kept by its bytes' digest.
SEARCH_FOLDERS = ("daten/suche/", "assets/suche/")


def _keep_unchanged_made(keys: dict[str, tuple], before: output.Published | None, out: str) -> FileStats:
    """The made files whose bytes (by `keys`) the last build published as they are."""
    if before is None:
        return {}
    kept = {}
    for path, key in keys.items():
        last = before.unchanged(path, key, out)
        if last is not None:
            kept[path] = last
    return kept


def _render(file: plan.File, staging: output.Staging) -> tuple[str, Any, tuple[int, int, int]]:
    return file.path, file.key, _stat(staging.add(file.path, file.make()))


def _stat(stat: os.stat_result) -> tuple[int, int, int]:
    return stat.st_ino, stat.st_size, stat.st_mtime_ns
