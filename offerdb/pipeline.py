"""The build, stage by stage: load -> validate -> (stop on errors) -> models -> render -> publish."""

from __future__ import annotations

import datetime
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from . import exports, markdown, models, output, parallel, rendering, search
from .cache import MEMORY
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


def check(content_dir: Path, config_path: Path, today: datetime.date, on_stage: OnStage | None = None,
          for_build: bool = False) -> Checked:
    """Load and validate. `for_build` says a build follows if the check passes: a cold build of many files
    then renders their Markdown on the second core meanwhile (`markdown.Ahead`)."""
    ahead = None
    try:
        with stage("load", on_stage):
            ahead = _markdown_ahead(content_dir) if for_build else None
            settings, problems = load_settings(config_path, display_path(config_path.resolve(), content_dir.resolve()))
            content = load_content(content_dir)
        warn_days = settings.warn_days_before_expiry if settings else DEFAULT_WARN_DAYS
        with stage("validate", on_stage):
            validated = validate(content, today, warn_days)
    except BaseException:
        if ahead is not None:
            ahead.cancel()
        raise
    checked = Checked(content_dir, config_path, settings, validated, sorted(set(problems + validated.problems)), ahead)
    if checked.fails(strict=False):
        checked.discard()
    return checked


def _markdown_ahead(content_dir: Path) -> markdown.Ahead | None:
    """Only for the first build in this process: later ones render the few changed texts themselves."""
    if len(MEMORY) or not parallel.can_fork():
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


def build(checked: Checked, out_dir: Path, today: datetime.date, on_stage: OnStage | None = None,
          on_wait: Callable[[Path], None] | None = None) -> Built:
    """Render and publish a checked site; call only when `checked` has no errors.

    Pages are written to a staging folder as they are rendered; pages whose content files did not change
    since the last build in this process are kept from it instead. Where forking is safe and there are
    many pages to render, a child process on the second core renders pages while the parent builds the
    search index, then both share what is left. The staging folder's files are put in place only after
    everything succeeded.

    The output folder must be the build's own (`output.claim`, else `output.Refused`); another build into
    it is waited for (`on_wait` is told). A failure of the file system raises `output.OutputError` with a
    German message, and the previous site stays."""
    assert checked.settings is not None and checked.validated.ok
    with parallel.frozen_gc():  # freezes the loaded content: forked workers then copy fewer pages
        with stage("models", on_stage), paused_gc():  # which freezes the site model on its way out
            if checked.ahead is not None:
                checked.ahead.finish()
                checked.ahead = None
            site = models.build_site(checked.validated, checked.settings, today, checked.content_dir / MEDIA_DIR)
        with output.owned(out_dir, sources(checked.content_dir, checked.config_path), PROJECT, on_wait) as out:
            try:
                _write(site, out, on_stage)
            except OSError as exc:
                raise output.write_failed(exc, out_dir) from None
    return Built(site, out_dir)


# What the last build in this process published, per output folder (see `Published`). A page whose key is
# the same and whose file is untouched since is kept instead of rendered again; if nothing but this process
# changed the folder, only new and changed files are written (`output.Staging`, update).
_PUBLISHED: dict[Path, Published] = {}
# Each offer's part of the open data and catalogue files, kept for the next build in this process.
_PIECES = exports.Pieces()


@dataclass
class Published:
    """Every file of a published site: path -> (key, inode, size, mtime), key None for files that are always
    made anew; and every folder: path -> (inode, mtime). Files are never changed in place (a build writes
    new ones and renames them), so a file with the recorded inode, size and time still holds the bytes its
    key stands for; a file someone edited fails the check and is rendered anew. A folder whose time
    changed had files added or removed by someone else: then the whole site is written again."""

    files: dict[str, tuple[tuple | None, int, int, int]]
    folders: dict[str, tuple[int, int]]

    @classmethod
    def record(cls, out_dir: Path, files: dict[str, tuple[tuple | None, int, int, int]],
               before: Published | None = None, touched: set[str] | None = None) -> Published:
        """After an update of the site `before` described, only the `touched` folders need a new look."""
        out = str(out_dir)
        if before is not None and before.files.keys() == files.keys():
            folders = before.folders.keys()  # the same files: the same folders (a set comparison, 1 ms)
        else:
            folders = {""}
            for path in files:
                folder = os.path.dirname(path)
                while folder not in folders:
                    folders.add(folder)
                    folder = os.path.dirname(folder)
        stats = {}
        for folder in folders:
            last = before.folders.get(folder) if before is not None and touched is not None else None
            if last is not None and folder not in touched:
                stats[folder] = last
            else:
                stat = os.stat(os.path.join(out, folder))
                stats[folder] = (stat.st_ino, stat.st_mtime_ns)
        return cls(files, stats)

    def intact(self, out_dir: Path) -> bool:
        out = str(out_dir)
        try:
            for folder, (ino, mtime) in self.folders.items():
                stat = os.stat(os.path.join(out, folder))
                if stat.st_ino != ino or stat.st_mtime_ns != mtime:
                    return False
        except OSError:
            return False
        return True

    def unchanged(self, file: rendering.File, out_dir: str) -> os.stat_result | None:
        """The stat of the last build's copy of `file` if it is still what `file.key` stands for."""
        last = self.files.get(file.path)
        if last is None or last[0] is None or last[0] != file.key:
            return None
        try:
            stat = os.stat(out_dir + file.path)
        except OSError:  # gone: render it
            return None
        return stat if (stat.st_ino, stat.st_size, stat.st_mtime_ns) == last[1:] else None


def _write(site: models.Site, out_dir: Path, on_stage: OnStage | None) -> None:
    # Rendering pages, the search index and the data files makes no reference cycles (a Jinja page leaves
    # none behind), so the cyclic collector only costs time here: up to a tenth of a second per collection
    # in the middle of a 1 s rebuild. What survives (the record of the build, kept pieces) is frozen with
    # the rest, so the first collection afterwards does not walk it either.
    with paused_gc():
        _write_files(site, out_dir, on_stage)


def _write_files(site: models.Site, out_dir: Path, on_stage: OnStage | None) -> None:
    # What to render: every file, and which of them the last build has.
    with stage("render", on_stage):
        every = rendering.site_files(site, _PIECES)
        own = [file for file in every if file.pieces]  # made by the parent, where the pieces are kept
        before = _PUBLISHED.pop(out_dir, None)  # a failure below leaves the next build a complete one
        if before is not None and not before.intact(out_dir):
            before = None
    with output.Staging(out_dir, previous=before.files if before else None) as staging:
        published: dict[str, tuple[tuple | None, int, int, int]] = {}
        files = []  # to render
        out = str(out_dir) + os.sep
        with stage("render", on_stage):
            for file in every:
                stat = before.unchanged(file, out) if before is not None and file.key else None
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

        # The parent builds the search index and the whole-site data files (so their caches stay warm for the
        # next build in this process) while a forked child renders pages; then the parent joins in on what is
        # left.
        job = parallel.Job(render, fork=fork)
        try:
            with stage("search", on_stage):
                add(search.build_search(site))
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
            _PUBLISHED[out_dir] = Published.record(out_dir, published, before, staging.touched)
