"""Problems found in content, as data, and their output formats (text, GitHub annotations, JSON)."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from collections.abc import Iterable

ERROR = "error"
WARNING = "warning"

_SEVERITY_DE = {ERROR: "Fehler", WARNING: "Warnung"}


@dataclass(frozen=True, order=True)
class Problem:
    """One finding. Field order is the sort order: by file, then position."""

    file: str
    line: int
    column: int
    code: str
    severity: str
    field: str  # dotted path such as "cost.amount_eur" or "goals[2]"; "" for the whole file
    message: str
    hint: str = ""

    @property
    def is_error(self) -> bool:
        return self.severity == ERROR


def error(file: str, line: int, column: int, code: str, field: str, message: str, hint: str = "") -> Problem:
    return Problem(file, line, column, code, ERROR, field, message, hint)


def warning(file: str, line: int, column: int, code: str, field: str, message: str, hint: str = "") -> Problem:
    return Problem(file, line, column, code, WARNING, field, message, hint)


def count(problems: Iterable[Problem]) -> tuple[int, int]:
    errors = warnings = 0
    for p in problems:
        if p.is_error:
            errors += 1
        else:
            warnings += 1
    return errors, warnings


def plural(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def format_text(problems: list[Problem]) -> str:
    lines = []
    for p in problems:
        where = f"{p.file}:{p.line}:{p.column}"
        field = f" {p.field}:" if p.field else ""
        lines.append(f"{where}: {_SEVERITY_DE[p.severity]} [{p.code}]{field} {p.message}")
        if p.hint:
            lines.append(f"    Hinweis: {p.hint}")
    errors, warnings = count(problems)
    lines.append(f"{plural(errors, 'Fehler', 'Fehler')}, {plural(warnings, 'Warnung', 'Warnungen')}.")
    return "\n".join(lines) + "\n"


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def format_github(problems: list[Problem]) -> str:
    """GitHub Actions workflow commands: each problem becomes an annotation on its line."""
    lines = []
    for p in problems:
        title = f"{_SEVERITY_DE[p.severity]} [{p.code}]" + (f" {p.field}" if p.field else "")
        message = p.message + (f"\nHinweis: {p.hint}" if p.hint else "")
        props = ",".join(
            f"{key}={_escape_property(str(value))}"
            for key, value in (("file", p.file), ("line", p.line), ("col", p.column), ("title", title))
        )
        lines.append(f"::{p.severity} {props}::{_escape_data(message)}")
    errors, warnings = count(problems)
    lines.append(f"{plural(errors, 'Fehler', 'Fehler')}, {plural(warnings, 'Warnung', 'Warnungen')}.")
    return "\n".join(lines) + "\n"


def format_json(problems: list[Problem]) -> str:
    errors, warnings = count(problems)
    doc = {"errors": errors, "warnings": warnings, "problems": [asdict(p) for p in problems]}
    return json.dumps(doc, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


FORMATTERS = {"text": format_text, "github": format_github, "json": format_json}
