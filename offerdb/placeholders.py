"""The go-live check: facts the operator still has to supply, marked „[Bitte ergänzen: …]“ or „[Bitte prüfen: …]“
in any content file, and a site address that is still an example domain.

Each finding is a warning, not an error: the site still builds, so a preview shows the placeholder where the fact
belongs, while `check --strict` (which the publishing workflow runs) refuses to publish it.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from .loading import Path_, Positions, field_name
from .problems import Problem, warning

# "[Bitte ergänzen: …]", "[Bitte prüfen: …]", "[Bitte ergänzen/prüfen: …]", "[Bitte ergänzen, falls vorhanden: …]".
# The text may run over several lines of Markdown; an unclosed one ends after a bounded stretch.
PLACEHOLDER = re.compile(r"\[Bitte (ergänzen|prüfen)([^\]:]{0,80})(?::([^\]]{0,600}))?\]?", re.IGNORECASE)
_QUICK = re.compile(r"\[Bitte (?:ergänzen|prüfen)", re.IGNORECASE)  # most files have none: one C-level scan

# The domains RFC 2606 keeps for examples: the sample's site.yaml uses one, a published site never can.
EXAMPLE_DOMAINS = ("example.org", "example.com", "example.net")

_HINT = ("Ersetzen Sie den Platzhalter samt eckigen Klammern durch die geprüfte Angabe; bis dahin wird die "
         "Website nicht veröffentlicht („check --strict“).")


def is_placeholder(text: str) -> bool:
    return _QUICK.search(text) is not None


def _message(match: re.Match[str]) -> str:
    rest = " ".join((match.group(2) or "").split())  # "/prüfen", ", falls vorhanden"
    verbs = (match.group(1) + rest).casefold()
    todo = ("noch zu ergänzen oder zu prüfen" if "ergänzen" in verbs and "prüfen" in verbs
            else "noch zu prüfen" if "prüfen" in verbs else "noch zu ergänzen")
    qualifier = rest.lstrip(",/ ").removeprefix("prüfen").removeprefix("ergänzen").strip(",/ ")
    if qualifier:
        todo += f" ({qualifier})"
    what = " ".join((match.group(3) or "").replace("*", "").split()).rstrip(".")
    if len(what) > 160:
        what = what[:159].rstrip() + "…"
    if not what:
        return f"Platzhalter „{' '.join(match.group(0).split())}“ – {todo}."
    return f"Platzhalter – {todo}: {what}" + ("" if what.endswith(("…", "?", "!")) else ".")


def in_text(text: str, file: str, first_line: int, field: str = "") -> list[Problem]:
    """Every placeholder in a Markdown body (or any text whose first line is `first_line`), at its own line
    and column."""
    if not _QUICK.search(text):
        return []
    problems = []
    for match in PLACEHOLDER.finditer(text):
        start = match.start()
        line = first_line + text.count("\n", 0, start)
        column = start - (text.rfind("\n", 0, start) + 1) + 1
        problems.append(warning(file, line, column, "placeholder", field, _message(match), _HINT))
    return problems


def in_values(data: Any, positions: Positions, file: str) -> list[Problem]:
    """Every placeholder in parsed YAML values, at the value's position and with its field."""
    if not _QUICK.search(repr(data)):
        return []
    problems: list[Problem] = []

    def walk(value: Any, path: Path_) -> None:
        if isinstance(value, str):
            if _QUICK.search(value):
                line, column = positions.of_value(path)
                problems.extend(warning(file, line, column, "placeholder", field_name(path), _message(match), _HINT)
                                for match in PLACEHOLDER.finditer(value))
        elif isinstance(value, dict):
            for key, item in value.items():
                walk(item, path + (key,))
        elif isinstance(value, list):
            for i, item in enumerate(value):
                walk(item, path + (i,))

    walk(data, ())
    return problems


def example_address(base_url: str, positions: Positions, file: str) -> list[Problem]:
    """A warning when site.yaml's base_url is still an example domain (or the .example top-level domain)."""
    host = (urlsplit(base_url).hostname or "").rstrip(".")
    if not (host.endswith(".example") or any(host == d or host.endswith("." + d) for d in EXAMPLE_DOMAINS)):
        return []
    line, column = positions.of_value(("base_url",))
    return [warning(file, line, column, "example-address", "base_url",
                    f"Die Adresse der Website ist noch die Beispieladresse „{base_url}“.",
                    "Tragen Sie die echte Adresse ein, unter der die Website erscheint (mit https:// und "
                    "abschließendem „/“): Sie steht in der Sitemap, im Feed, in den offenen Daten und in den "
                    "Links jeder Seite für Suchmaschinen.")]
