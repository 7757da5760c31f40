"""The build, stage by stage: load -> validate -> (stop on errors) -> models -> render -> publish."""

from __future__ import annotations

import datetime
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from . import models, output, parallel, rendering, search
from .config import Settings, load_settings
from .loading import display_path, load_content, paused_gc
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
    settings: Settings | None
    validated: Validated
    problems: list[Problem]

    def fails(self, strict: bool) -> bool:
        return any(p.is_error or strict for p in self.problems)


def check(content_dir: Path, config_path: Path, today: datetime.date, on_stage: OnStage | None = None) -> Checked:
    with stage("load", on_stage):
        settings, problems = load_settings(config_path, display_path(config_path.resolve(), content_dir.resolve()))
        content = load_content(content_dir)
    warn_days = settings.warn_days_before_expiry if settings else DEFAULT_WARN_DAYS
    with stage("validate", on_stage):
        validated = validate(content, today, warn_days)
    return Checked(content_dir, settings, validated, sorted(set(problems + validated.problems)))


@dataclass
class Built:
    site: models.Site
    out_dir: Path


# Below this many offers a second process costs more than it saves.
PARALLEL_MIN_OFFERS = 400


def build(checked: Checked, out_dir: Path, today: datetime.date, on_stage: OnStage | None = None) -> Built:
    """Render and publish a checked site; call only when `checked` has no errors.

    Pages are written to a staging folder as they are rendered; pages whose content files did not change
    since the last build in this process are linked from it instead. Where forking is safe, a child process
    on the second core renders pages while the parent builds the search index, then both share what is
    left. The staging folder replaces `out_dir` only after everything succeeded."""
    assert checked.settings is not None and checked.validated.ok
    with parallel.frozen_gc():  # freezes the loaded content: forked workers then copy fewer pages
        with stage("models", on_stage), paused_gc():  # which freezes the site model on its way out
            site = models.build_site(checked.validated, checked.settings, today, checked.content_dir / MEDIA_DIR)
        _write(site, out_dir, on_stage)
    return Built(site, out_dir)


# What the last build in this process published, per output folder: path -> (key, inode, size, mtime).
# A page whose key is the same and whose file is untouched since is hard-linked into the next staging
# folder instead of rendered again. Files are never changed in place (every build writes new ones), so
# the link keeps exactly the bytes the key stands for; a file someone edited fails the inode, size and
# time check and is rendered anew.
Published = dict[str, tuple[tuple, int, int, int]]
_PUBLISHED: dict[Path, Published] = {}


def _write(site: models.Site, out_dir: Path, on_stage: OnStage | None) -> None:
    out_dir = out_dir.resolve()
    files = rendering.site_files(site)
    before = _PUBLISHED.pop(out_dir, {})
    fork = len(site.offers) >= PARALLEL_MIN_OFFERS and parallel.can_fork()
    with output.Staging(out_dir) as staging:
        shares = parallel.Shares(len(files)) if fork else range(len(files))

        def render() -> Published:
            published: Published = {}
            for i in shares:
                file = files[i]
                stat = _reuse(file, before.get(file.path), out_dir, staging) if file.key else None
                if stat is None:
                    stat = staging.add(file.path, file.make())
                if file.key is not None:
                    published[file.path] = (file.key, stat.st_ino, stat.st_size, stat.st_mtime_ns)
            return published

        def search_files() -> list[str]:
            made = search.build_search(site)
            for path in sorted(made):
                staging.add(path, made[path])
            return sorted(made)

        # The parent builds the search index (so its cache stays warm for the next build in this process)
        # while a forked child renders pages; then the parent joins in on what is left.
        job = parallel.Job(render, fork=fork)
        try:
            with stage("search", on_stage):
                search_files()
            with stage("render", on_stage):
                published = render() if fork else {}
                children = job.result()
        finally:
            job.cancel()
        if fork:
            staging.adopt(list(children))
        published.update(children)
        with stage("write", on_stage):
            staging.commit()
    _PUBLISHED[out_dir] = published


def _reuse(file: rendering.File, last: tuple | None, out_dir: Path, staging: output.Staging) -> os.stat_result | None:
    """Link the last build's copy of `file` into staging if it is still what `file.key` stands for."""
    if last is None or last[0] != file.key:
        return None
    source = out_dir / file.path
    try:
        stat = source.stat()
        if (stat.st_ino, stat.st_size, stat.st_mtime_ns) != last[1:]:
            return None
        staging.link(file.path, source)
    except OSError:  # gone, or a file system without hard links: render it
        return None
    return stat
