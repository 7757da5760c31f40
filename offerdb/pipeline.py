"""The build, stage by stage: load -> validate -> (stop on errors) -> models -> render -> publish."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from pathlib import Path

from . import models, output, rendering
from .config import Settings, load_settings
from .loading import display_path, load_content
from .problems import Problem
from .validation import Validated, validate

DEFAULT_WARN_DAYS = 60


@dataclass
class Checked:
    settings: Settings | None
    validated: Validated
    problems: list[Problem]

    def fails(self, strict: bool) -> bool:
        return any(p.is_error or strict for p in self.problems)


def check(content_dir: Path, config_path: Path, today: datetime.date) -> Checked:
    settings, problems = load_settings(config_path, display_path(config_path.resolve(), content_dir.resolve()))
    content = load_content(content_dir)
    warn_days = settings.warn_days_before_expiry if settings else DEFAULT_WARN_DAYS
    validated = validate(content, today, warn_days)
    return Checked(settings, validated, sorted(set(problems + validated.problems)))


@dataclass
class Built:
    site: models.Site
    out_dir: Path


def build(checked: Checked, out_dir: Path, today: datetime.date) -> Built:
    """Render and publish a checked site; call only when `checked` has no errors."""
    assert checked.settings is not None and checked.validated.ok
    site = models.build_site(checked.validated, checked.settings, today)
    output.publish(rendering.render_site(site), out_dir)
    return Built(site, out_dir)
