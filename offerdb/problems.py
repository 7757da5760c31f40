"""Problems found in content, as data, and their output formats (text, GitHub annotations, JSON)."""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass, fields, replace
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


# Characters that would break a report line or cannot be written as UTF-8: C0 and C1 controls, DEL, the
# Unicode line and paragraph separators, and surrogates (os.scandir hands out an undecodable byte of a file
# name as a lone surrogate, "surrogateescape"). File names and YAML keys can carry any of them.
_INVISIBLE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]")
_SURROGATE = re.compile("[\ud800-\udfff]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    code = ord(char)
    if char in _NAMED:
        return _NAMED[char]
    if 0xDC80 <= code <= 0xDCFF:  # surrogateescape: the byte the name had on disk
        return f"\\x{code - 0xDC00:02x}"
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def visible(text: str) -> str:
    """`text` with line breaks, other control characters and surrogates shown as escapes such as `\\n`,
    `\\x07`, `\\u2028` or `\\xff` (an undecodable byte of a file name), so a problem stays on its line."""
    return _INVISIBLE.sub(_escape, text) if _INVISIBLE.search(text) else text


def _encodable(text: str) -> str:
    """Only surrogates escaped (as `visible` does): the rest is written as it is."""
    return _SURROGATE.sub(_escape, text) if _SURROGATE.search(text) else text


def format_text(problems: list[Problem]) -> str:
    """One line per problem (`file:line:column: …`), plus an indented hint line where there is a hint."""
    lines = []
    for p in problems:
        where = f"{visible(p.file)}:{p.line}:{p.column}"
        field = f" {visible(p.field)}:" if p.field else ""
        lines.append(f"{where}: {_SEVERITY_DE[p.severity]} [{p.code}]{field} {visible(p.message)}")
        if p.hint:
            lines.append(f"    Hinweis: {visible(p.hint)}")
    errors, warnings = count(problems)
    lines.append(f"{plural(errors, 'Fehler', 'Fehler')}, {plural(warnings, 'Warnung', 'Warnungen')}.")
    return "\n".join(lines) + "\n"


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def _without_surrogates(p: Problem) -> Problem:
    """`p` with surrogates escaped in its texts: a surrogate cannot be encoded as UTF-8, so writing it would
    fail, and JSON parsers differ on a lone one (RFC 8259, section 8.2)."""
    changed = {f.name: _encodable(value) for f in fields(p)
               if isinstance(value := getattr(p, f.name), str) and _SURROGATE.search(value)}
    return replace(p, **changed) if changed else p


def format_github(problems: list[Problem]) -> str:
    """GitHub Actions workflow commands: each problem becomes an annotation on its line."""
    lines = []
    for p in problems:
        p = _without_surrogates(p)
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
    """Texts as they are (JSON escapes control characters itself), except surrogates (see
    `_without_surrogates`)."""
    errors, warnings = count(problems)
    doc = {"errors": errors, "warnings": warnings,
           "problems": [asdict(_without_surrogates(p)) for p in problems]}
    return json.dumps(doc, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


FORMATTERS = {"text": format_text, "github": format_github, "json": format_json}
