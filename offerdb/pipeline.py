"""The build, stage by stage: load -> validate -> (stop on errors) -> models -> render -> publish."""

from __future__ import annotations

import datetime
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from . import models, output, rendering, search
from .config import Settings, load_settings
from .loading import display_path, load_content
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


def build(checked: Checked, out_dir: Path, today: datetime.date, on_stage: OnStage | None = None) -> Built:
    """Render and publish a checked site; call only when `checked` has no errors."""
    assert checked.settings is not None and checked.validated.ok
    with stage("models", on_stage):
        site = models.build_site(checked.validated, checked.settings, today, checked.content_dir / MEDIA_DIR)
    with stage("render", on_stage):
        files = rendering.render_site(site)
    with stage("search", on_stage):
        for path, data in search.build_search(site).items():
            files.add(path, data)
    with stage("write", on_stage):
        output.publish(files, out_dir)
    return Built(site, out_dir)
