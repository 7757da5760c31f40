"""`python build.py new offer|partner <name>`: a new content file with every field of the schema.

Every value is left empty, so `check` reports each one as an error until the editor fills it in: a
half-finished file can sit in a pull request but can never be published. German comments above each
field say what it means, whether it is required, its form, the allowed values and an example.
"""

from __future__ import annotations

import textwrap
import unicodedata
from pathlib import Path
from typing import Any

from . import fieldguide, schema
from .loading import KIND_DIRS, SLUG_RE
from .output import reason

# Command-line names, English as in the schema and German as editors say it.
KINDS = {"offer": "offer", "angebot": "offer", "partner": "partner", "traeger": "partner"}
_WHAT = {"offer": ("Angebot", "die Beschreibung des Angebots: worum es geht, wie es abläuft, was die Schule "
                   "vorbereiten sollte"),
         "partner": ("Träger", "die Beschreibung des Trägers: wer Sie sind, was Sie tun, für wen")}
# Where the page puts the description (templates/offer.html, partner.html): it already has a heading above it,
# so the text starts without one, and "## " gives a subheading below that (markdown.render shifts an offer's
# headings down one level under the page's h2).
_PLACE = {"offer": "Die Angebotsseite zeigt diesen Text unter ihrer Überschrift „Worum geht es?“. Beginnen Sie "
                   "deshalb direkt mit dem Text, ohne eigene Überschrift; Zwischenüberschriften wie "
                   "„##\u00a0Ablauf“ beginnen mit „##\u00a0“.",
          "partner": "Die Trägerseite zeigt diesen Text direkt unter dem Namen des Trägers. Beginnen Sie deshalb "
                     "direkt mit dem Text, ohne eigene Überschrift; Zwischenüberschriften beginnen mit „##\u00a0“."}
WIDTH = 110


class ScaffoldError(Exception):
    """A German message for the editor; the command exits with 2."""


def suggest_slug(text: str) -> str:
    """A valid file name close to what was typed: "Klasse gegen Müll!" -> "klasse-gegen-muell"."""
    text = text.removesuffix(".md").lower()
    for umlaut, spelled in (("ä", "ae"), ("ö", "oe"), ("ü", "ue"), ("ß", "ss")):
        text = text.replace(umlaut, spelled)
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    words = "".join(c if c.isalnum() else " " for c in text).split()
    return "-".join(words)[:80].strip("-")


def _comment(text: str, indent: str) -> list[str]:
    """`text` as comment lines. A no-break space (U+00A0) keeps a Markdown example such as a heading on one line;
    it is written as a plain space, which is what Markdown needs after "##"."""
    lines = textwrap.wrap(text, WIDTH - len(indent), initial_indent=f"{indent}# ", subsequent_indent=f"{indent}# ",
                          break_on_hyphens=False) or [f"{indent}#"]
    return [line.replace("\u00a0", " ") for line in lines]


def _field(kind: str, key: str, node: dict[str, Any], required: bool, vocabularies: dict[str, Any], indent: str,
           item: bool = False) -> list[str]:
    resolved = schema.resolve(node)
    top = indent == ""
    at = indent[:-2] if item else indent  # comments above "- key:" line up with the dash
    lines = _comment(f"{resolved.get('title', key)} ({'Pflicht' if required else 'freiwillig'}): "
                     f"{fieldguide.type_text(node)}.", at)
    if resolved.get("description") and top:
        lines += _comment(resolved["description"], at)
    if (kind, key) in fieldguide.RULE_NOTES and top:
        lines += _comment(fieldguide.RULE_NOTES[kind, key], at)
    for rule in fieldguide.conditions(node):
        lines += _comment(rule + ".", at)
    values = fieldguide.allowed_values(node, vocabularies)
    if values:
        lines.append(f"{at}# Erlaubt:")
        lines += [f"{at}#   {value}" + (f" = {label}" if label else "") for value, label, _ in values]
    example = fieldguide.example_yaml(key, node)
    if example and top:
        lines.append(f"{at}# Beispiel:")
        lines += [f"{at}#   {line}" for line in example]
    lines.append(f"{indent[:-2]}- {key}:" if item else f"{indent}{key}:")
    items = schema.resolve(resolved.get("items", {}))
    if resolved.get("properties"):
        lines += _group(kind, resolved, vocabularies, indent + "  ")
    elif items.get("type") == "object":
        lines += _comment("Je Eintrag ein Block, der mit „- “ beginnt; für einen weiteren Eintrag den Block "
                          "kopieren.", indent + "  ")
        lines += _group(kind, items, vocabularies, indent + "    ", first_is_item=True)
    return lines


def _group(kind: str, node: dict[str, Any], vocabularies: dict[str, Any], indent: str,
           first_is_item: bool = False) -> list[str]:
    lines: list[str] = []
    for i, (key, child) in enumerate(node.get("properties", {}).items()):
        required = key in node.get("required", [])
        lines += _field(kind, key, child, required, vocabularies, indent, item=first_is_item and i == 0)
    return lines


def template(kind: str, vocabularies: dict[str, Any], command: str = "") -> str:
    """The text of a new file of `kind` ("offer" or "partner"): every field empty, with German comments."""
    root = schema.load(kind)
    what, body = _WHAT[kind]
    lines = ["---"]
    lines += _comment(f"Neue Datei: {what}" + (f", angelegt mit „{command}“." if command else "."), "")
    lines += _comment("Tragen Sie hinter jedem Doppelpunkt den Wert ein. Leere Felder meldet „python build.py "
                      "check“ als Fehler, und solange es einen Fehler gibt, wird nichts veröffentlicht. Freiwillige "
                      "Felder, die Sie nicht brauchen, löschen Sie samt ihren Unterzeilen. Die Zeilen mit „#“ "
                      "sind Erklärungen und dürfen stehen bleiben. Alle Felder erklärt docs/redaktion.md.", "")
    required = root.get("required", [])
    for key, node in root["properties"].items():
        lines.append("")
        lines += _field(kind, key, node, key in required, vocabularies, "")
    lines.append("")
    lines += _comment(f"Unter der folgenden Zeile „---“ steht {body}, in Markdown. {_PLACE[kind]} Auch dieser "
                      "Text ist Pflicht.", "")
    lines += ["---", ""]
    return "\n".join(lines)


def create(content_dir: Path, kind: str, slug: str) -> Path:
    """Write content/<offers|partners>/<slug>.md; refuse an invalid or taken name with a German message."""
    kind = KINDS[kind]
    slug = slug.removesuffix(".md")
    if not SLUG_RE.match(slug):
        suggestion = suggest_slug(slug)
        hint = f" Vorschlag: „{suggestion}“." if suggestion and SLUG_RE.match(suggestion) else ""
        raise ScaffoldError(f"„{slug}“ ist als Dateiname nicht erlaubt. Erlaubt sind nur Kleinbuchstaben a–z, "
                            "Ziffern und Bindestriche (ohne Umlaute, höchstens 80 Zeichen), z. B. "
                            f"„klasse-gegen-mobbing“; der Name wird Teil der Internetadresse.{hint}")
    folder = content_dir / KIND_DIRS[kind]
    path = folder / f"{slug}.md"
    shown = f"{content_dir.name}/{KIND_DIRS[kind]}/{slug}.md"
    taken = folder.is_dir() and any(p.name.casefold() == path.name.casefold() for p in folder.iterdir())
    if taken:
        raise ScaffoldError(f"{shown} gibt es schon. Wählen Sie einen anderen Namen oder bearbeiten Sie die "
                            "vorhandene Datei.")
    vocabularies = fieldguide.load_vocabularies(content_dir) or {}
    text = template(kind, vocabularies, f"python build.py new {kind} {slug}")
    created = False
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with open(path, "x", encoding="utf-8", newline="\n") as f:  # "x": never overwrite, even in a race
            created = True
            f.write(text)
    except FileExistsError:
        raise ScaffoldError(f"{shown} gibt es schon.") from None
    except OSError as exc:
        if created:
            path.unlink(missing_ok=True)  # a half-written file of ours would only confuse `check`
        raise ScaffoldError(f"{shown} konnte nicht angelegt werden: {reason(exc)}.") from None
    return path
