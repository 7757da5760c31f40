"""The build, stage by stage: load -> validate -> (stop on errors) -> models -> render -> publish."""

from __future__ import annotations

import datetime
import gc
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

    Pages are written to a staging folder as they are rendered. Where forking is safe, a child process on
    the second core builds the search index meanwhile and then shares the remaining pages with the parent,
    so "search" overlaps with "render". The staging folder replaces `out_dir` only after both succeeded."""
    assert checked.settings is not None and checked.validated.ok
    with parallel.frozen_gc():  # freezes the loaded content: forked workers then copy fewer pages
        with stage("models", on_stage), paused_gc():
            site = models.build_site(checked.validated, checked.settings, today, checked.content_dir / MEDIA_DIR)
        gc.freeze()  # and now the site model too
        _write(site, out_dir, on_stage)
    return Built(site, out_dir)


def _write(site: models.Site, out_dir: Path, on_stage: OnStage | None) -> None:
    files = rendering.site_files(site)
    fork = len(site.offers) >= PARALLEL_MIN_OFFERS and parallel.can_fork()
    with output.Staging(out_dir) as staging:
        shares = parallel.Shares(len(files)) if fork else range(len(files))

        def render() -> list[str]:
            written = []
            for i in shares:
                path, make = files[i]
                staging.add(path, make())
                written.append(path)
            return written

        def search_files() -> tuple[float, list[str]]:
            started = time.perf_counter()
            made = search.build_search(site)
            for path in sorted(made):
                staging.add(path, made[path])
            return time.perf_counter() - started, sorted(made)

        def child() -> tuple[float, list[str], list[str]]:
            # The child first builds the search index, then takes its share of the pages that are left.
            seconds, search_paths = search_files()
            return seconds, search_paths, render()

        if fork:
            job = parallel.Job(child, fork=True)
            try:
                with stage("render", on_stage):
                    render()
                seconds, search_paths, rendered = job.result()
            finally:
                job.cancel()
            staging.adopt(search_paths + rendered)
        else:
            with stage("render", on_stage):
                render()
            seconds, _ = search_files()
        if on_stage is not None:
            on_stage("search", seconds)
        with stage("write", on_stage):
            staging.commit()
