"""The build, stage by stage: load -> validate -> (stop on errors) -> models -> render -> publish."""

from __future__ import annotations

import datetime
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from . import markdown, models, output, parallel, rendering, search
from .memory import Memory
from .config import Settings, load_settings
from .loading import KIND_DIRS, display_path, load_content, paused_gc
from .problems import Problem
from .validation import MEDIA_DIR, Validated, validate

DEFAULT_WARN_DAYS = 60

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
    ahead: markdown.Ahead | None = None

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
    renders their Markdown on the second core meanwhile (`markdown.Ahead`)."""
    ahead = None
    try:
        with stage("load", on_stage):
            cold = memory is None or len(memory) == 0
            ahead = _markdown_ahead(content_dir) if for_build and cold else None
            settings, problems = load_settings(config_path, display_path(config_path.resolve(), content_dir.resolve()))
            content = load_content(content_dir, memory)
        warn_days = settings.warn_days_before_expiry if settings else DEFAULT_WARN_DAYS
        with stage("validate", on_stage):
            validated = validate(content, today, warn_days, memory)
    except BaseException:
        if ahead is not None:
            ahead.cancel()
        raise
    checked = Checked(content_dir, config_path, settings, validated, sorted(set(problems + validated.problems)), ahead)
    if checked.fails(strict=False):
        checked.discard()
    return checked


def _markdown_ahead(content_dir: Path) -> markdown.Ahead | None:
    """Only for a cold build: rebuilds render the few changed texts themselves."""
    if not parallel.can_fork():
        return None
    files = []
    for kind, folder in KIND_DIRS.items():
        try:
            with os.scandir(content_dir / folder) as scan:
                files += [(entry.path, models.HEADING_OFFSET[kind]) for entry in scan if entry.name.endswith(".md")]
        except OSError:
            continue  # the loader reports a missing folder
    return markdown.Ahead(files) if len(files) >= markdown.PARALLEL_MIN_TEXTS else None


@dataclass
class Built:
    site: models.Site
    out_dir: Path


# Below this many pages to render a second process costs more than it saves (a rebuild after one changed
# offer renders a few dozen).
PARALLEL_MIN_PAGES = 400


# The project itself: a build never writes into or over it (output.claim).
PROJECT = Path(__file__).resolve().parent.parent


def sources(content_dir: Path, config_path: Path) -> dict[str, Path]:
    """What a build reads, which its output folder may neither be, contain nor lie in (German names)."""
    return {"der Inhaltsordner": content_dir, "die Einstellungsdatei": config_path,
            "der Vorlagenordner": rendering.TEMPLATES}


def build(checked: Checked, out_dir: Path, today: datetime.date, memory: Memory | None = None,
          on_stage: OnStage | None = None, on_wait: Callable[[Path], None] | None = None) -> Built:
    """Render and publish a checked site; call only when `checked` has no errors.

    Pages are written to a staging folder as they are rendered; pages whose inputs `memory` saw published
    unchanged in `out_dir` are kept from the last build instead (None: a cold build). Where forking is safe
    and there are many pages to render, a child process on the second core renders pages while the parent
    builds the search index, then both share what is left. The staging folder's files are put in place only
    after everything succeeded.

    The output folder must be the build's own (`output.claim`, else `output.Refused`); another build into
    it is waited for (`on_wait` is told). A failure of the file system raises `output.OutputError` with a
    German message, and the previous site stays."""
    assert checked.settings is not None and checked.validated.ok
    memory = Memory() if memory is None else memory
    with parallel.frozen_gc():  # freezes the loaded content: forked workers then copy fewer pages
        with stage("models", on_stage), paused_gc():  # which freezes the site model on its way out
            if checked.ahead is not None:
                checked.ahead.finish(memory)
                checked.ahead = None
            site = models.build_site(checked.validated, checked.settings, today, checked.content_dir / MEDIA_DIR,
                                     memory)
        with output.owned(out_dir, sources(checked.content_dir, checked.config_path), PROJECT, on_wait) as out:
            try:
                _write(site, out, memory, on_stage)
            except OSError as exc:
                raise output.write_failed(exc, out_dir) from None
    return Built(site, out_dir)


def _write(site: models.Site, out_dir: Path, memory: Memory, on_stage: OnStage | None) -> None:
    # Rendering pages, the search index and the data files makes no reference cycles (a Jinja page leaves
    # none behind), so the cyclic collector only costs time here: up to a tenth of a second per collection
    # in the middle of a 1 s rebuild. What survives (the record of the build, kept pieces) is frozen with
    # the rest, so the first collection afterwards does not walk it either.
    with paused_gc():
        _write_files(site, out_dir, memory, on_stage)


def _write_files(site: models.Site, out_dir: Path, memory: Memory, on_stage: OnStage | None) -> None:
    # What to render: every file, and which of them the last build with this memory published here.
    record_key = ("published", str(out_dir))
    with stage("render", on_stage):
        every = rendering.site_files(site, memory)
        own = [file for file in every if file.pieces]  # made by the parent, where the pieces are kept
        before = output.Published.check(memory.get(record_key), out_dir)
        memory.put(record_key, None)  # a failure below leaves the next build a complete one
    with output.Staging(out_dir, previous=before.files if before else None) as staging:
        published: dict[str, tuple[tuple | None, int, int, int]] = {}
        files = []  # to render
        out = str(out_dir) + os.sep
        with stage("render", on_stage):
            for file in every:
                stat = before.unchanged(file.path, file.key, out) if before is not None and file.key else None
                if stat is not None:
                    staging.keep(file.path)
                    published[file.path] = (file.key, stat.st_ino, stat.st_size, stat.st_mtime_ns)
                elif not file.pieces:
                    files.append(file)
        fork = len(files) >= PARALLEL_MIN_PAGES and parallel.can_fork()
        shares = parallel.Shares(len(files)) if fork else range(len(files))

        def render() -> dict[str, tuple[tuple | None, int, int, int]]:
            made = {}
            for i in shares:
                file = files[i]
                stat = staging.add(file.path, file.make())
                made[file.path] = (file.key, stat.st_ino, stat.st_size, stat.st_mtime_ns)
            return made

        def add(made: dict[str, bytes]) -> None:
            for path in sorted(made):
                stat = staging.add(path, made[path])
                published[path] = (None, stat.st_ino, stat.st_size, stat.st_mtime_ns)

        # The parent builds the search index and the whole-site data files (so what they remember stays in
        # this process's memory) while a forked child renders pages; then the parent joins in on what is left.
        job = parallel.Job(render, fork=fork)
        try:
            with stage("search", on_stage):
                add(search.build_search(site, memory))
            with stage("render", on_stage):
                for file in own:
                    add({file.path: file.make()})
                if fork:
                    published.update(render())
                children = job.result()
        finally:
            job.cancel()
        if fork:
            staging.adopt(children)
        published.update(children)
        with stage("write", on_stage):
            staging.commit()
            memory.put(record_key, output.Published.record(out_dir, published, before, staging.touched))
