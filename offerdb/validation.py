"""Checks content against the quality schema and the rules across files; every finding is a Problem."""

from __future__ import annotations

import datetime
import difflib
import os
import stat
import unicodedata
from dataclasses import dataclass
from typing import Any
from collections.abc import Iterable

from jsonschema import ValidationError

from . import fieldguide, placeholders, schema, yamllines
from .memory import Memory, digest
from .loading import (READ_FLAGS, SLUG_RE, Content, Document, Positions, display_path, field_name,
                      read_yaml_file, special_file_problem)
from .problems import Problem, error, warning

# Pages every page links to (footer) or the law requires; a site without them must not be published.
REQUIRED_PAGES = {
    "impressum": "Impressum",
    "datenschutz": "Datenschutzerklärung",
    "barrierefreiheit": "Erklärung zur Barrierefreiheit",
    "leichte-sprache": "Leichte Sprache",
    "gebaerdensprache": "Gebärdensprache",
}

# Page slugs become top-level folders; these names belong to the site's own sections.
RESERVED_PAGE_SLUGS = {"angebote", "traeger", "themen", "assets", "daten", "merkliste", "suche", "feed", "medien",
                       "redaktion", "hilfe", "index", "404"}

_TYPE_DE = {
    "string": "ein Text",
    "integer": "eine ganze Zahl",
    "number": "eine Zahl",
    "boolean": "true oder false",
    "array": "eine Liste",
    "object": "eine Gruppe von Angaben",
}

_TYPE_HINTS = {
    "array": "Schreiben Sie jeden Eintrag in eine eigene, eingerückte Zeile mit „- “ davor.",
    "object": "Schreiben Sie die Unterangaben eingerückt in die folgenden Zeilen, z. B. „  from: 7“.",
    "boolean": "Schreiben Sie true (ja) oder false (nein).",
    "integer": "Schreiben Sie nur die Zahl, ohne Einheit, z. B. 90.",
    "number": "Schreiben Sie nur die Zahl, ohne Euro-Zeichen, z. B. 150 oder 2,50.",
    "string": "Schreiben Sie den Text direkt hinter den Doppelpunkt, ohne „- “ oder eingerückte Unterangaben.",
}


@dataclass
class Record:
    """A readable content file with its values converted to the schema's types."""

    document: Document
    values: dict[str, Any]
    # An offer that is published on the day of the check (is_live): decided with the file's check, which the
    # memory keys by the day, so the later stages and the rules across files do not parse its dates again.
    live: bool = False

    @property
    def slug(self) -> str:
        return self.document.slug

    @property
    def file(self) -> str:
        return self.document.file


@dataclass
class Validated:
    records: dict[str, list[Record]]  # kind -> records, sorted by file
    vocabularies: dict[str, Any]  # name -> {"label", "description"?, "values": {key: {"label", ...}}}
    problems: list[Problem]

    @property
    def ok(self) -> bool:
        return not any(p.is_error for p in self.problems)


def _suggest(word: str, options: Iterable[str]) -> str:
    close = difflib.get_close_matches(word, list(options), n=1, cutoff=0.6)
    return f"Meinten Sie „{close[0]}“?" if close else ""


def _glued_keys(mapping: Any) -> set[str]:
    """Field names that `mapping` has only glued to the rest of their line, without colon or space."""
    found = set()
    for key in mapping if isinstance(mapping, dict) else ():
        glued = yamllines.glued_or_bare(key) if isinstance(key, str) else None
        if glued:
            found.add(glued[1])
    return found


def _at_path(values: Any, path: tuple[Any, ...]) -> Any:
    for part in path:
        if not isinstance(values, (dict, list)) or not _has(values, part):
            return None
        values = values[part]
    return values


def _describe(value: Any) -> str:
    if isinstance(value, list):
        return "Liste"
    if isinstance(value, dict):
        return "Gruppe von Angaben"
    return f"„{value}“"


class SchemaChecker:
    """Validates one kind of file against its schema and words each error in German for editors."""

    def __init__(self, kind: str, vocabularies: dict[str, Any]):
        self.kind = kind
        self.vocabularies = vocabularies
        self.validator = schema.Validator(kind, self._check_term)
        self._coerce = schema.coercer(schema.load(kind))

    def _check_term(self, vocabulary: str, key: str) -> str | None:
        vocab = self.vocabularies.get(vocabulary)
        if vocab is None or key in vocab["values"]:
            return None  # a missing vocabulary is reported once, at vocabularies.yaml
        return f"„{key}“ steht nicht in der Liste „{vocab['label']}“ ({vocabulary} in content/vocabularies.yaml)."

    def check(self, data: Any, positions: Positions, file: str) -> tuple[Any, list[Problem]]:
        values = self._coerce(data)
        problems: list[Problem] = []
        for err in self.validator.iter_errors(values):
            problems.extend(self._translate(err, positions, file, values))
        return values, problems

    def _empty_hint(self, path: tuple[Any, ...], values: Any) -> str:
        """What to do with an empty field: fill it in where the schema's `required` lists demand it (always, or
        by its group's if/then/else on the values at hand), else fill it in or delete the line."""
        if not path or isinstance(path[-1], int):
            return "Tragen Sie hinter „- “ einen Wert ein oder löschen Sie die ganze Zeile."
        group, key = path[:-1], path[-1]
        parent = schema.at(self.kind, group) or {}
        if key in parent.get("required", []):
            hint = "Das Feld ist Pflicht: Tragen Sie einen Wert ein."
            outer = schema.at(self.kind, group[:-1]) or {} if group else {}
            if group and group[-1] in outer.get("properties", {}) and group[-1] not in outer.get("required", []):
                title = parent.get("title", group[-1])
                hint += (f" Brauchen Sie die freiwillige Angabe „{title}“ nicht, löschen Sie den ganzen Block "
                         f"„{group[-1]}:“ samt seinen Unterzeilen.")
            return hint
        condition = parent.get("if", {}).get("properties", {})
        if len(condition) == 1:
            (other, rule), = condition.items()
            group_values = _at_path(values, group)
            holds = isinstance(group_values, dict) and "const" in rule and group_values.get(other) == rule["const"]
            when = f"„{other}: {fieldguide.yaml_scalar(rule.get('const'))}“"
            if key in parent.get("then" if holds else "else", {}).get("required", []):
                return (f"Das Feld ist bei {when} Pflicht: Tragen Sie einen Wert ein." if holds else
                        f"Das Feld ist Pflicht, außer bei {when}: Tragen Sie einen Wert ein.")
            if key in parent.get("then", {}).get("required", []) and _at_path(group_values, (other,)) is None:
                return (f"Das Feld ist bei {when} Pflicht: Tragen Sie dann einen Wert ein, sonst löschen Sie die "
                        "ganze Zeile.")
        return "Das Feld ist freiwillig: Tragen Sie einen Wert ein oder löschen Sie die ganze Zeile."

    def _translate(self, err: ValidationError, positions: Positions, file: str, values: Any) -> list[Problem]:
        path = tuple(err.absolute_path)
        keyword = err.validator
        label = schema.label(self.kind, path)
        name = field_name(path)
        line, column = positions.of(path) if isinstance(err.instance, (dict, list)) else positions.of_value(path)
        custom = err.schema.get("x-messages", {}) if isinstance(err.schema, dict) else {}

        def one(code: str, message: str, hint: str = "") -> list[Problem]:
            return [error(file, line, column, code, name, message, hint)]

        if "propertyNames" in err.relative_schema_path:
            key = err.instance
            kline, kcol = positions.of(path + (key,))
            message = f"Der Schlüssel „{key}“ ist nicht erlaubt. " + custom.get(keyword, "")
            return [error(file, kline, kcol, "invalid-key", field_name(path + (key,)), message.strip())]
        if keyword == "required":
            out = []
            for missing in err.validator_value:
                if missing in err.instance or missing in _glued_keys(err.instance):
                    continue  # present, but without its colon: reported as that (additionalProperties)
                sub = schema.at(self.kind, path + (missing,)) or {}
                hint = sub.get("description", "")
                out.append(error(file, line, column, "missing-field", field_name(path + (missing,)),
                                 f"Das Pflichtfeld „{missing}“ ({schema.label(self.kind, path + (missing,))}) fehlt.",
                                 hint))
            return out
        if keyword == "additionalProperties":
            allowed = list(err.schema.get("properties", {}))
            out = []
            for key in err.instance:
                if key in allowed:
                    continue
                kline, kcol = positions.of(path + (key,))
                glued = yamllines.glued_or_bare(key)
                if glued and glued[1] in allowed:
                    # 'title "Text: mehr"' is YAML for the field 'title "Text' with the value 'mehr"'.
                    how, name, rest = glued
                    message, hint = (yamllines.missing_space(name, key) if how == "space"
                                     else yamllines.missing_colon(name, rest + " …"))
                    out.append(error(file, kline, kcol + len(name), "yaml-syntax", field_name(path + (name,)),
                                     message, hint))
                    continue
                hint = _suggest(key, allowed) or ("Erlaubt sind hier: " + ", ".join(allowed) + "." if allowed else "")
                where = f" in „{label}“" if path else ""
                out.append(error(file, kline, kcol, "unknown-field", field_name(path + (key,)),
                                 f"Das Feld „{key}“ gibt es{where} nicht.", hint))
            return out
        if keyword == "type":
            expected = err.validator_value if isinstance(err.validator_value, str) else err.validator_value[0]
            if err.instance is None:
                return one("empty-value", f"„{label}“ ist leer.", self._empty_hint(path, values))
            glued = yamllines.glued_or_bare(err.instance) if expected == "object" and isinstance(
                err.instance, str) else None
            if glued and glued[1] in (schema.at(self.kind, path) or {}).get("properties", {}):
                # "  lead_time_weeks 6" under "booking:" is YAML for the text "lead_time_weeks 6": name the
                # field whose colon (or the space after it) is missing, not the group's type.
                how, name, rest = glued
                line, column = positions.of_value(path)
                message, hint = (yamllines.missing_space(name, err.instance) if how == "space"
                                 else yamllines.missing_colon(name, rest))
                return [error(file, line, column + len(name), "yaml-syntax", field_name(path + (name,)), message,
                              hint)]
            return one("wrong-type",
                       f"„{label}“ muss {_TYPE_DE[expected]} sein, hier steht {_describe(err.instance)}.",
                       _TYPE_HINTS[expected])
        if keyword == "enum":
            if err.instance is None:
                return []  # an empty value is reported once, as empty, not again as "None" not allowed
            allowed = [str(v) for v in err.validator_value]
            hint = _suggest(str(err.instance), allowed)
            return one("not-allowed",
                       f"{_describe(err.instance)} ist für „{label}“ nicht erlaubt. Erlaubt: {', '.join(allowed)}.",
                       hint)
        if keyword == "x-vocabulary":
            vocab = self.vocabularies[err.validator_value]
            hint = _suggest(err.instance, vocab["values"]) or (
                "Erlaubt: " + ", ".join(vocab["values"]) + ". Einen neuen Wert ergänzen Sie in "
                "content/vocabularies.yaml.")
            return one("unknown-vocabulary-value", err.message, hint)
        if keyword == "format" and err.validator_value == "date":
            if isinstance(err.cause, ValueError):
                return one("impossible-date", f"Das Datum „{err.instance}“ in „{label}“ gibt es nicht.",
                           "Prüfen Sie Tag und Monat (Format JJJJ-MM-TT).")
            return one("invalid-date", f"„{label}“ ist kein Datum: {_describe(err.instance)}.",
                       custom.get("format", ""))
        if keyword in ("pattern", "format"):
            return one("invalid-format", f"„{label}“ hat nicht die erwartete Form: {_describe(err.instance)}.",
                       custom.get(keyword, ""))
        if keyword == "minLength":
            field_schema = schema.at(self.kind, path) or {}
            return one("too-short", f"„{label}“ ist zu kurz: {len(err.instance)} Zeichen, nötig sind "
                                    f"mindestens {err.validator_value}.", field_schema.get("description", ""))
        if keyword == "maxLength":
            return one("too-long", f"„{label}“ ist zu lang: {len(err.instance)} Zeichen, erlaubt sind "
                                   f"höchstens {err.validator_value}.")
        if keyword in ("minimum", "exclusiveMinimum", "maximum", "exclusiveMaximum"):
            bound = {"minimum": "mindestens", "exclusiveMinimum": "größer als",
                     "maximum": "höchstens", "exclusiveMaximum": "kleiner als"}[keyword]
            return one("out-of-range",
                       f"„{label}“ muss {bound} {err.validator_value} sein, hier steht {err.instance}.")
        if keyword in ("minItems", "minProperties"):
            n = err.validator_value
            return one("too-few-items", f"„{label}“ braucht mindestens {n} {'Eintrag' if n == 1 else 'Einträge'}.",
                       _TYPE_HINTS["array"] if keyword == "minItems" else "")
        if keyword == "maxItems":
            return one("too-many-items", f"„{label}“ hat zu viele Einträge: erlaubt sind höchstens "
                                         f"{err.validator_value}.")
        if keyword == "uniqueItems":
            seen, doubles = set(), []
            for item in err.instance:
                key = repr(item)
                if key in seen and item not in doubles:
                    doubles.append(item)
                seen.add(key)
            return one("duplicate-item",
                       f"„{label}“ enthält {', '.join(_describe(d) for d in doubles)} mehrfach.",
                       "Löschen Sie den doppelten Eintrag.")
        return one(f"schema-{keyword}", f"„{label}“ ist ungültig ({err.message}).")


# --- text cut off by a comment -------------------------------------------------------------------

# String fields whose values are not free text: a comment after them is a note, and quoting would break them.
_NOT_FREE_TEXT = ("x-vocabulary", "enum", "const", "format", "pattern")


def comment_problems(kind: str, data: Any, positions: Positions, file: str) -> list[Problem]:
    """A warning for each free-text value that a " #…" on its line cut short: YAML drops it as a comment, but
    in a title, a description or a list of methods it is nearly always text the editor meant to publish (a
    hashtag, a note). After a date, a number, a list key or an address it is a note to the file's readers."""
    problems = []
    for path, (line, column, dropped) in positions.comments.items():
        node = schema.at(kind, path)
        if not node or node.get("type") != "string" or any(k in node for k in _NOT_FREE_TEXT):
            continue
        value = _at_path(data, path)
        if not isinstance(value, str):
            continue
        quote = "'" if '"' in value else '"'
        short = len(value) <= 20
        start = value if short else value[:20].rsplit(" ", 1)[0] + " …"
        where = f"{path[-1]}: " if isinstance(path[-1], str) else "- "
        between = "" if short else " („…“ steht für den Text dazwischen)"
        problems.append(warning(
            file, line, column, "comment-in-value", field_name(path),
            f"„{dropped}“ fehlt im Wert: Nach einem Leerzeichen beginnt „#“ in YAML einen Kommentar, und der Rest "
            "der Zeile wird nicht veröffentlicht.",
            f"Soll der Text zum Wert gehören, setzen Sie den ganzen Wert in Anführungszeichen: "
            f"„{where}{quote}{start} {dropped}{quote}“{between}. Ist er eine Notiz, schreiben Sie ihn in eine "
            "eigene Zeile, die mit „#“ beginnt."))
    return problems


# --- vocabularies -------------------------------------------------------------------------------

def check_vocabularies(content: Content) -> tuple[dict[str, Any], list[Problem]]:
    file = content.vocabularies_file
    if content.vocabularies is None:
        return {}, []  # unreadable: already reported by loading
    if not isinstance(content.vocabularies, dict):
        return {}, [error(file, 1, 1, "front-matter-not-mapping", "",
                          "Die Datei muss Listen der Form „name: …“ enthalten.")]
    values, problems = SchemaChecker("vocabularies", {}).check(
        content.vocabularies, content.vocabulary_positions, file)
    for name, places in sorted(schema.vocabularies_used().items()):
        if name not in values:
            kinds = sorted({kind for kind, _ in places})
            problems.append(error(file, 1, 1, "missing-vocabulary", name,
                                  f"Die Liste „{name}“ fehlt; das Schema ({', '.join(kinds)}) verwendet sie."))
    usable = {name: vocab for name, vocab in values.items()
              if isinstance(vocab, dict) and isinstance(vocab.get("values"), dict)
              and isinstance(vocab.get("label"), str)}
    problems += placeholders.in_values(content.vocabularies, content.vocabulary_positions, file)
    problems += comment_problems("vocabularies", content.vocabularies, content.vocabulary_positions, file)
    return usable, problems


# --- help contacts ------------------------------------------------------------------------------

HELP_FILE = "hilfe.yaml"


def check_help(content: Content, vocabularies: dict[str, Any]) -> tuple[list[Record], list[Problem]]:
    """content/hilfe.yaml, the counselling and emergency contacts: read like vocabularies.yaml (one small YAML
    file, so here rather than with the many Markdown files of the loader) and checked against its schema.
    Returns its record, or none if it cannot be read; a missing file is an error, as every page links /hilfe/."""
    path = content.root / HELP_FILE
    file = display_path(path, content.root)
    if not path.exists():
        return [], [error(file, 1, 1, "missing-file", "",
                          "Die Datei mit den Notrufen und Beratungsstellen fehlt; jede Seite verlinkt sie als "
                          "„Hilfe in akuten Fällen“.",
                          "Kopieren Sie content/hilfe.yaml aus den Beispielinhalten und prüfen Sie jede Angabe.")]
    data, positions, problems = read_yaml_file(path, file, content=True)
    if not isinstance(data, dict):
        if not any(p.is_error for p in problems):
            problems.append(error(file, 1, 1, "front-matter-not-mapping", "",
                                  "Die Datei muss Angaben der Form „feld: Wert“ enthalten.",
                                  "Vergleichen Sie sie mit content/hilfe.yaml der Beispielinhalte."))
        return [], problems
    values, found = SchemaChecker("help", vocabularies).check(data, positions, file)
    problems += _without_followups(found, problems) + placeholders.in_values(data, positions, file)
    problems += comment_problems("help", data, positions, file)
    return [Record(Document("help", "hilfe", file, data, "", 1, positions), values)], problems


# --- rules within one file ----------------------------------------------------------------------

def _get(values: Any, *path: str) -> Any:
    for part in path:
        if not isinstance(values, dict):
            return None
        values = values.get(part)
    return values


def _date(value: Any) -> datetime.date | None:
    return schema.parse_date(value) if isinstance(value, str) else None


def _range_problems(record: Record, path: tuple[Any, ...], low_key: str, high_key: str,
                    kind: str) -> list[Problem]:
    values: Any = record.values
    for part in path:
        values = values[part] if isinstance(values, (dict, list)) and _has(values, part) else None
    low, high = _get(values, low_key), _get(values, high_key)
    if isinstance(low, int) and isinstance(high, int) and not isinstance(low, bool) and low > high:
        line, column = record.document.positions.of(path + (high_key,))
        return [error(record.file, line, column, "invalid-range", field_name(path + (high_key,)),
                      f"„{schema.label(kind, path + (high_key,))}“ ({high}) ist kleiner als "
                      f"„{schema.label(kind, path + (low_key,))}“ ({low}).",
                      "Vertauschen Sie die beiden Werte.")]
    return []


def _has(container: Any, part: Any) -> bool:
    if isinstance(container, dict):
        return part in container
    return isinstance(part, int) and 0 <= part < len(container)


def offer_rules(record: Record, today: datetime.date, warn_days: int) -> list[Problem]:
    values, positions, file = record.values, record.document.positions, record.file
    problems: list[Problem] = []

    def at(path: tuple[Any, ...]) -> tuple[int, int]:
        return positions.of(path)

    for path in (("grades",), ("age",)):
        problems += _range_problems(record, path, "from", "to", "offer")
    problems += _range_problems(record, ("group_size",), "min", "max", "offer")
    curriculum = values.get("curriculum")
    if isinstance(curriculum, list):
        for i in range(len(curriculum)):
            problems += _range_problems(record, ("curriculum", i, "grades"), "from", "to", "offer")

    if "grades" not in values and "age" not in values:
        line, column = positions.start
        problems.append(error(file, line, column, "missing-grades-or-age", "grades",
                              "Es fehlen die Klassenstufen („grades“) oder das Alter („age“).",
                              "Geben Sie „grades“ mit „from“ und „to“ (1 bis 13) an, bei Angeboten ohne "
                              "Klassenbezug „age“ in Jahren."))

    cost = values.get("cost")
    if _get(cost, "free") is True and isinstance(cost, dict) and "amount_eur" in cost:
        line, column = at(("cost", "amount_eur"))
        problems.append(error(file, line, column, "amount-for-free-offer", "cost.amount_eur",
                              "Ein kostenfreies Angebot („free: true“) hat keinen Betrag.",
                              "Löschen Sie „amount_eur“ oder setzen Sie „free: false“."))

    contact = values.get("contact")
    if isinstance(contact, dict) and not contact.get("email") and not contact.get("phone"):
        line, column = at(("contact",))
        problems.append(error(file, line, column, "missing-contact", "contact",
                              "Beim Kontakt fehlt eine E-Mail-Adresse („email“) oder Telefonnummer („phone“).",
                              "Schulen brauchen mindestens einen direkten Weg, das Angebot anzufragen."))

    reviewed = _date(_get(values, "quality_seal", "reviewed_on"))
    valid_until = _date(_get(values, "quality_seal", "valid_until"))
    tomorrow = today + datetime.timedelta(days=1)  # editors' "today" may be ahead of UTC
    if reviewed and valid_until and valid_until < reviewed:
        line, column = at(("quality_seal", "valid_until"))
        problems.append(error(file, line, column, "seal-dates", "quality_seal.valid_until",
                              f"Das Siegel gilt bis {valid_until.isoformat()}, also vor der Prüfung am "
                              f"{reviewed.isoformat()}.", "Prüfen Sie beide Daten."))
    if reviewed and reviewed > tomorrow:
        line, column = at(("quality_seal", "reviewed_on"))
        problems.append(error(file, line, column, "date-in-future", "quality_seal.reviewed_on",
                              f"Das Prüfdatum {reviewed.isoformat()} liegt in der Zukunft.",
                              "Tragen Sie das Datum ein, an dem die Steuerungsgruppe das Angebot geprüft hat."))
    updated = _date(values.get("last_updated"))
    if updated and updated > tomorrow:
        line, column = at(("last_updated",))
        problems.append(error(file, line, column, "date-in-future", "last_updated",
                              f"Das Datum {updated.isoformat()} liegt in der Zukunft.",
                              "Tragen Sie das Datum der letzten Änderung ein."))
    if valid_until and values.get("status") != "archived":
        line, column = at(("quality_seal", "valid_until"))
        if valid_until < today:
            problems.append(warning(file, line, column, "seal-expired", "quality_seal.valid_until",
                                    f"Das Qualitätssiegel ist am {valid_until.isoformat()} abgelaufen; das "
                                    "Angebot wird nicht veröffentlicht.",
                                    "Nach der erneuten Prüfung durch die Steuerungsgruppe die Daten unter "
                                    "„quality_seal“ aktualisieren."))
        elif (valid_until - today).days <= warn_days:
            days = (valid_until - today).days
            problems.append(warning(file, line, column, "seal-expiring", "quality_seal.valid_until",
                                    f"Das Qualitätssiegel läuft in {days} {'Tag' if days == 1 else 'Tagen'} ab "
                                    f"(am {valid_until.isoformat()}).",
                                    "Bitte rechtzeitig eine erneute Prüfung bei der Steuerungsgruppe anfragen; "
                                    "danach wird das Angebot nicht mehr veröffentlicht."))
    return problems


def body_rules(record: Record, what: str, title_is_h1: bool) -> list[Problem]:
    body = record.document.body
    if not body.strip():
        return [error(record.file, record.document.body_line, 1, "missing-description", "",
                      f"Unter den Angaben fehlt {what}.",
                      "Schreiben Sie nach der zweiten Zeile „---“ einen Text in Markdown.")]
    problems = []
    fenced = False
    for number, line in enumerate(body.split("\n"), start=record.document.body_line):
        if line.lstrip().startswith(("```", "~~~")):
            fenced = not fenced
        elif title_is_h1 and not fenced and line.startswith("# "):
            problems.append(warning(record.file, number, 1, "heading-level", "",
                                    "Eine Überschrift mit „# “ wäre eine zweite Hauptüberschrift neben dem Titel.",
                                    "Beginnen Sie Überschriften im Text mit „## “."))
    return problems


# --- rules across files -------------------------------------------------------------------------

def slug_problems(records: Iterable[Record]) -> list[Problem]:
    problems = []
    seen: dict[str, Record] = {}
    # Valid names first, so a clash is reported on the file that has to be renamed anyway.
    for record in sorted(records, key=lambda r: (not SLUG_RE.match(r.slug), r.file)):
        if not SLUG_RE.match(record.slug):
            problems.append(error(record.file, 1, 1, "invalid-slug", "",
                                  f"Der Dateiname „{record.slug}.md“ ist nicht erlaubt.",
                                  "Erlaubt sind nur Kleinbuchstaben a–z, Ziffern und Bindestriche (ohne "
                                  "Umlaute, höchstens 80 Zeichen), z. B. „klasse-gegen-mobbing.md“; der Name "
                                  "wird Teil der Internetadresse."))
        key = unicodedata.normalize("NFC", record.slug).casefold()
        if key in seen:
            problems.append(error(record.file, 1, 1, "duplicate-slug", "",
                                  f"Der Dateiname „{record.slug}.md“ gleicht „{seen[key].file}“ (Groß- und "
                                  "Kleinschreibung zählt nicht).",
                                  "Jede Datei braucht einen eigenen Namen, sonst hätten zwei Seiten dieselbe "
                                  "Adresse. Benennen Sie eine der Dateien um."))
        else:
            seen[key] = record
    return problems


def _slug_problems(kind: str, records: list[Record], memory: Memory | None) -> list[Problem]:
    """slug_problems, remembered by the file names, which are all it depends on."""
    if memory is None:
        return slug_problems(records)
    key = ("slug-problems", kind, tuple(r.file for r in records))
    found = memory.get(key)
    if found is None:
        found = slug_problems(records)
        memory.put(key, found)
    return found


def partner_reference_problems(offers: list[Record], partners: list[Record]) -> list[Problem]:
    slugs = {p.slug for p in partners}
    problems = []
    for offer in offers:
        partner = offer.values.get("partner")
        if isinstance(partner, str) and partner not in slugs:
            line, column = offer.document.positions.of_value(("partner",))
            hint = _suggest(partner, slugs) or "Der Träger braucht eine eigene Datei in content/partners/."
            problems.append(error(offer.file, line, column, "unknown-partner", "partner",
                                  f"Den Träger „{partner}“ gibt es nicht (keine Datei content/partners/"
                                  f"{partner}.md).", hint))
    return problems


def is_live(values: dict[str, Any], today: datetime.date) -> bool:
    """Whether an offer is published: not archived and its quality seal is still valid."""
    valid_until = _date(_get(values, "quality_seal", "valid_until"))
    return values.get("status") in ("active", "paused") and valid_until is not None and valid_until >= today


def partner_activity_problems(offers: list[Record], partners: list[Record], today: datetime.date,
                              faulty: set[str]) -> list[Problem]:
    """Warn about partners without a live, active offer. Offers in `faulty` files count as active: while
    a file has errors we cannot tell, and the editor is already told about those errors."""
    active = {o.values.get("partner") for o in offers if isinstance(o.values.get("partner"), str)
              and (o.file in faulty or (o.values.get("status") == "active" and o.live))}
    return [warning(p.file, 1, 1, "partner-without-offers", "",
                    f"Der Träger „{p.slug}“ hat kein aktives Angebot mit gültigem Qualitätssiegel.",
                    "Die Trägerseite erscheint trotzdem. Ist der Träger nicht mehr dabei, löschen Sie die Datei.")
            for p in partners if p.slug not in active]


def required_page_problems(pages: list[Record], pages_dir: str) -> list[Problem]:
    present = {p.slug for p in pages}
    reserved = [error(p.file, 1, 1, "reserved-slug", "",
                      f"Der Dateiname „{p.slug}.md“ ist für einen Bereich der Website reserviert.",
                      "Wählen Sie einen anderen Namen; reserviert sind: "
                      + ", ".join(sorted(RESERVED_PAGE_SLUGS)) + ".")
                for p in pages if p.slug in RESERVED_PAGE_SLUGS]
    return reserved + [error(f"{pages_dir}/{slug}.md", 1, 1, "missing-page", "",
                  f"Die Seite „{title}“ fehlt; jede Seite der Website verlinkt sie.",
                  f"Legen Sie content/pages/{slug}.md an.")
            for slug, title in REQUIRED_PAGES.items() if slug not in present]


MEDIA_DIR = "medien"  # videos and captions for pages, published under /medien/


def media_problems(pages: list[Record], content_root: Any) -> list[Problem]:
    """A page's video or caption file must be a regular file this process can read, or the page would show
    a broken player (or the build would fail reading it). Something else under that name, such as a FIFO or
    a device, is named for what it is and never opened."""
    problems = []
    for page in pages:
        video = page.values.get("video")
        if not isinstance(video, dict):
            continue
        for key in ("file", "captions"):
            name = video.get(key)
            if isinstance(name, str):
                line, column = page.document.positions.of(("video", key))
                problem = _media_problem(content_root / MEDIA_DIR / name, name, page.file, line, column,
                                         field_name(("video", key)))
                if problem is not None:
                    problems.append(problem)
    return problems


def _media_problem(path: Any, name: str, file: str, line: int, column: int, field: str) -> Problem | None:
    try:
        mode = os.stat(path).st_mode
        if stat.S_ISREG(mode):
            os.close(os.open(path, READ_FLAGS))  # readable, e.g. no EACCES (opening reads nothing)
    except (FileNotFoundError, NotADirectoryError, ValueError):  # ValueError: a NUL in the name
        return error(file, line, column, "missing-media", field,
                     f"Die Datei „{name}“ gibt es im Ordner „content/{MEDIA_DIR}/“ nicht.",
                     f"Legen Sie die Datei in content/{MEDIA_DIR}/ ab oder korrigieren Sie den Dateinamen "
                     "(Groß- und Kleinschreibung beachten).")
    except OSError as exc:
        return error(file, line, column, "media-unreadable", field,
                     f"Die Datei „{name}“ im Ordner „content/{MEDIA_DIR}/“ kann nicht gelesen werden "
                     f"({exc.strerror}).",
                     "Prüfen Sie die Zugriffsrechte: Wer die Website baut, muss die Datei lesen dürfen.")
    if not stat.S_ISREG(mode):
        return special_file_problem(file, mode, line, column, field, name=f"content/{MEDIA_DIR}/{name}")
    return None


# --- the whole content folder -------------------------------------------------------------------

def _document_check(checker: SchemaChecker, document: Document, vocabulary_key: str, today: datetime.date,
                    warn_days: int, memory: Memory | None) -> tuple[Record, list[Problem], list[Problem]]:
    """The record of one file and its problems: (record, schema problems, problems of the rules on its
    values)."""
    if memory is None:
        return _check_document(checker, document, today, warn_days)
    # The file's name and bytes, the vocabularies and the day are all a check depends on.
    key = ("checked", checker.kind, document.file, document.source, vocabulary_key, today, warn_days)
    checked = memory.get(key)
    if checked is None:
        checked = _check_document(checker, document, today, warn_days)
        memory.put(key, checked)
    return checked


def _check_document(checker: SchemaChecker, document: Document, today: datetime.date,
                    warn_days: int) -> tuple[Record, list[Problem], list[Problem]]:
    values, found = checker.check(document.data, document.positions, document.file)
    record = Record(document, values, checker.kind == "offer" and is_live(values, today))
    rules = body_rules(record, _BODY_WHAT[checker.kind], title_is_h1=checker.kind != "offer")
    if checker.kind == "offer":
        rules += offer_rules(record, today, warn_days)
    rules += placeholders.in_values(document.data, document.positions, document.file)
    rules += comment_problems(checker.kind, document.data, document.positions, document.file)
    rules += placeholders.in_text(document.body, document.file, document.body_line)
    return record, found, rules


def _without_followups(found: list[Problem], loading: list[Problem]) -> list[Problem]:
    """Drop schema problems that only follow from a YAML problem already reported for the same field,
    such as "empty" for a rejected alias."""
    reported = {(p.file, p.field) for p in loading if p.field}

    def follows(p: Problem) -> bool:
        return any((p.file, p.field[:n]) in reported for n in range(1, len(p.field) + 1)
                   if n == len(p.field) or p.field[n] in ".[")

    return [p for p in found if not follows(p)]


_BODY_WHAT = {"offer": "die Beschreibung des Angebots", "partner": "die Beschreibung des Trägers",
              "page": "der Text der Seite"}


def validate(content: Content, today: datetime.date, warn_days: int, memory: Memory | None = None) -> Validated:
    """Check everything. A file whose name and bytes `memory` has seen before is not
    checked again while the vocabularies, the day and `warn_days` are the same; the rules that depend on
    other files always run."""
    vocabularies, problems = check_vocabularies(content)
    problems = list(content.problems) + problems
    records: dict[str, list[Record]] = {}
    vocabulary_key = digest(repr(vocabularies).encode())
    for kind, documents in content.documents.items():
        checker = SchemaChecker(kind, vocabularies)
        records[kind] = []
        for document in documents:
            record, found, rules = _document_check(checker, document, vocabulary_key, today, warn_days, memory)
            records[kind].append(record)
            if found:
                problems += _without_followups(found, content.problems)
            problems += rules
        problems += _slug_problems(kind, records[kind], memory)
    offers, partners = records["offer"], records["partner"]
    problems += partner_reference_problems(offers, partners)
    if not content.unreadable["offer"]:  # an unreadable offer may be exactly the partner's active one
        faulty = {p.file for p in problems if p.is_error}
        problems += partner_activity_problems(offers, partners, today, faulty)
    pages_dir = f"{content.root.name}/pages"
    problems += required_page_problems(records["page"], pages_dir)
    problems += media_problems(records["page"], content.root)
    records["help"], found = check_help(content, vocabularies)
    problems += found
    return Validated(records, vocabularies, sorted(set(problems)))
