"""Site settings from site.yaml, validated like content and exposed as a typed object."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from . import placeholders
from .loading import read_yaml_file
from .problems import Problem, error
from .validation import SchemaChecker


@dataclass(frozen=True)
class Settings:
    title: str
    description: str
    base_url: str  # absolute, ends with "/"
    operator: str
    warn_days_before_expiry: int
    # The operator as it reads after "betrieben von" ("der Externen Koordinierungsstelle …"), "" if not given:
    # German needs article and case there, which a bare name cannot supply.
    operator_dative: str = ""
    # The review report's limits (`review`) and where an editor edits a file (path appended), "" if unknown.
    stale_after_months: int = 12
    paused_max_months: int = 6
    edit_url: str = ""

    @property
    def base_path(self) -> str:
        """The URL path the site lives under, e.g. "/" or "/praevention/"."""
        return urlsplit(self.base_url).path


def load_settings(path: Path, file: str) -> tuple[Settings | None, list[Problem]]:
    data, positions, problems = read_yaml_file(path, file)
    if data is None and problems:
        return None, problems
    if not isinstance(data, dict):
        return None, problems + [error(file, 1, 1, "front-matter-not-mapping", "",
                                       "site.yaml muss Angaben der Form „feld: Wert“ enthalten.")]
    values, found = SchemaChecker("site", {}).check(data, positions, file)
    problems += found
    if any(p.is_error for p in problems):
        return None, problems
    # Go-live warnings: the sample's example address and any placeholder left in the settings.
    problems += placeholders.example_address(values["base_url"], positions, file)
    problems += placeholders.in_values(data, positions, file)
    return Settings(
        title=values["title"],
        description=values["description"],
        base_url=values["base_url"],
        operator=values["operator"],
        operator_dative=values.get("operator_dative", ""),
        warn_days_before_expiry=values["review"]["warn_days_before_expiry"],
        stale_after_months=values["review"].get("stale_after_months", 12),
        paused_max_months=values["review"].get("paused_max_months", 6),
        edit_url=values.get("edit_url", ""),
    ), problems
