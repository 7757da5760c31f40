"""The editors' field guide (German Markdown), generated from the quality schema and the vocabularies.

`markdown(vocabularies)` is the guide itself (the site publishes it at /redaktion/); `document()` adds the
notice for the committed copy in docs/redaktion.md. The helpers that word a field's type and allowed
values are shared with `scaffold`, so the template of a new file and the guide never disagree.
"""

from __future__ import annotations

import json
import textwrap
from pathlib import Path
from typing import Any

from . import schema
from .loading import VOCABULARIES_FILE, read_yaml_file

TITLE = "Feldanleitung für die Redaktion"
REGENERATE = "python build.py fieldguide --out docs/redaktion.md"

# Where each kind of file lives, and how the guide introduces it.
KINDS = {
    "offer": ("Angebote", "content/offers/<name>.md", "python build.py new offer <name>"),
    "partner": ("Träger", "content/partners/<name>.md", "python build.py new partner <name>"),
    "page": ("Textseiten", "content/pages/<name>.md", ""),
    "help": ("Hilfe-Kontakte", "content/hilfe.yaml", ""),
}

# Shared definitions (`$ref`) that mean something to an editor: described by what they are, not how.
_DEF_TYPES = {
    "slug": "Name aus Kleinbuchstaben a–z, Ziffern und Bindestrichen",
    "date": "Datum im Format JJJJ-MM-TT",
    "email": "E-Mail-Adresse",
    "phone": "Telefonnummer (Ziffern, Leerzeichen, „/“, „-“, Klammern, führendes „+“)",
    "https_url": "Internetadresse, beginnt mit https://",
    "grade_range": "Klassenstufen „from“ bis „to“ (je 1 bis 13)",
}


def load_vocabularies(content_dir: Path) -> dict[str, Any] | None:
    """The vocabularies as written in content/vocabularies.yaml, or None if the file cannot be read."""
    data, _, problems = read_yaml_file(content_dir / VOCABULARIES_FILE, VOCABULARIES_FILE)
    if not isinstance(data, dict) or any(p.is_error for p in problems):
        return None
    return data


def _def_name(node: dict[str, Any]) -> str | None:
    ref = node.get("$ref", "")
    return ref.rpartition("/")[2] if "/$defs/" in ref else None


def _between(low: Any, high: Any, unit: str) -> str:
    if low is not None and high is not None:
        return f"{low} bis {high}{unit}"
    if low is not None:
        return f"mindestens {low}{unit}"
    return f"höchstens {high}{unit}" if high is not None else ""


def type_text(node: dict[str, Any]) -> str:
    """The type of a field in an editor's words, e.g. "Text, 5 bis 120 Zeichen"."""
    named = _def_name(node)
    node = schema.resolve(node)
    if named in _DEF_TYPES:
        return _DEF_TYPES[named]
    kind = node.get("type")
    if "enum" in node:
        return "einer der erlaubten Werte"
    if kind == "string":
        if "x-vocabulary" in node:
            return "ein Wert aus der Liste unten"
        length = _between(node.get("minLength"), node.get("maxLength"), " Zeichen")
        rule = node.get("x-messages", {}).get("pattern") if "pattern" in node else None
        return "Text" + (f", {length}" if length else "") + (f" – {rule.rstrip('.')}" if rule else "")
    if kind == "integer":
        return "ganze Zahl" + (f" von {_between(node.get('minimum'), node.get('maximum'), '')}"
                               if "minimum" in node and "maximum" in node else "")
    if kind == "number":
        parts = []
        if "exclusiveMinimum" in node:
            parts.append(f"größer als {node['exclusiveMinimum']}")
        if "maximum" in node:
            parts.append(f"höchstens {node['maximum']}")
        return "Zahl (mit Komma oder Punkt)" + (f", {', '.join(parts)}" if parts else "")
    if kind == "boolean":
        return "true (ja) oder false (nein)"
    if kind == "array":
        items = schema.resolve(node.get("items", {}))
        count = _between(node.get("minItems"), node.get("maxItems"), " Einträge").replace("mindestens 1 Einträge",
                                                                                         "mindestens 1 Eintrag")
        if "x-vocabulary" in items:
            what = "Liste von Werten aus der Liste unten"
        elif items.get("type") == "object":
            what = "Liste von Gruppen"
        else:
            what = f"Liste; jeder Eintrag: {type_text(node.get('items', {}))}"
        return what + (f", {count}" if count else "")
    if kind == "object":
        return "Gruppe von Angaben"
    return "Angabe"


def vocabulary_of(node: dict[str, Any]) -> str | None:
    node = schema.resolve(node)
    if "x-vocabulary" in node:
        return node["x-vocabulary"]
    if node.get("type") == "array":
        return vocabulary_of(node.get("items", {}))
    return None


def allowed_values(node: dict[str, Any], vocabularies: dict[str, Any]) -> list[tuple[str, str, str]]:
    """(value, label, description) for a field limited to an enum or a vocabulary; [] otherwise."""
    node = schema.resolve(node)
    if node.get("type") == "array" and "enum" in schema.resolve(node.get("items", {})):
        node = schema.resolve(node["items"])  # a list of fixed values, such as the audiences of a help contact
    if "enum" in node:
        labels = node.get("x-labels", {})
        return [(str(v), labels.get(v, ""), "") for v in node["enum"]]
    name = vocabulary_of(node)
    if name is None:
        return []
    values = (vocabularies.get(name) or {}).get("values") or {}
    return [(str(key), str((entry or {}).get("label", "")), str((entry or {}).get("description", "")))
            for key, entry in values.items()]


def conditions(node: dict[str, Any]) -> list[str]:
    """The schema's if/then/else rules of a group, in words, e.g. "Pflicht, wenn free = false: …"."""
    node = schema.resolve(node)
    if "if" not in node:
        return []
    cond = node["if"].get("properties", {})
    (key, rule), = cond.items()
    value = yaml_scalar(rule.get("const"))
    out = []
    if "then" in node:
        out.append(f"Pflicht, wenn „{key}: {value}“: " + ", ".join(f"„{k}“" for k in node["then"]["required"]))
    if "else" in node:
        out.append(f"Pflicht, außer bei „{key}: {value}“: " + ", ".join(f"„{k}“" for k in node["else"]["required"]))
    return out


# Rules from validation.py that the schema cannot express, shown beside the field they concern.
RULE_NOTES = {
    ("offer", "grades"): "Entweder „grades“ oder „age“ ist Pflicht; den Block, den Sie nicht brauchen, löschen.",
    ("offer", "age"): "Entweder „grades“ oder „age“ ist Pflicht; den Block, den Sie nicht brauchen, löschen.",
    ("offer", "contact"): "Mindestens „email“ oder „phone“ ist Pflicht.",
    ("offer", "cost"): "Bei „free: true“ darf kein Betrag („amount_eur“) stehen.",
}


# --- YAML as editors write it ---------------------------------------------------------------------

_SPECIAL_START = tuple("-?:,[]{}#&*!|>'\"%@`")


def yaml_scalar(value: Any) -> str:
    """A value as an editor would type it: plain where YAML allows it, quoted only where it must be."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return ""
    if not isinstance(value, str):
        return str(value)
    plain = (value and value == value.strip() and not value.startswith(_SPECIAL_START) and "\n" not in value
             and ": " not in value and " #" not in value and not value.endswith(":"))
    return value if plain else json.dumps(value, ensure_ascii=False)


def yaml_lines(value: Any, indent: int = 0) -> list[str]:
    """Block-style YAML in the project's layout (lists indented under their key)."""
    pad = " " * indent
    lines: list[str] = []
    if isinstance(value, dict):
        for key, item in value.items():
            if isinstance(item, (dict, list)) and item:
                lines.append(f"{pad}{key}:")
                lines += yaml_lines(item, indent + 2)
            else:
                lines.append(f"{pad}{key}: {yaml_scalar(item)}".rstrip())
    elif isinstance(value, list):
        for item in value:
            if isinstance(item, (dict, list)) and item:
                inner = yaml_lines(item, indent + 2)
                lines.append(f"{pad}- {inner[0].lstrip()}")
                lines += inner[1:]
            else:
                lines.append(f"{pad}- {yaml_scalar(item)}")
    else:
        lines.append(pad + yaml_scalar(value))
    return lines


def example_yaml(key: str, node: dict[str, Any], which: int = 0) -> list[str]:
    examples = node.get("examples") or schema.resolve(node).get("examples") or []
    return yaml_lines({key: examples[which]}) if which < len(examples) else []


# --- the guide ------------------------------------------------------------------------------------

def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _required(parent: dict[str, Any], key: str) -> bool:
    return key in schema.resolve(parent).get("required", [])


def _values_table(node: dict[str, Any], vocabularies: dict[str, Any]) -> list[str]:
    values = allowed_values(node, vocabularies)
    if not values:
        return []
    name = vocabulary_of(node)
    where = f" (Liste „{name}“ in content/vocabularies.yaml)" if name else ""
    lines = [f"Erlaubte Werte{where}:", "", "| Wert | Bezeichnung auf der Website |", "|---|---|"]
    for value, label, description in values:
        text = label + (f" – {description}" if description else "")
        lines.append(f"| `{value}` | {_cell(text) or '–'} |")
    return lines + [""]


def _field(kind: str, key: str, node: dict[str, Any], required: bool, vocabularies: dict[str, Any]) -> list[str]:
    resolved = schema.resolve(node)
    lines = [f"### {resolved.get('title', key)} (`{key}`)", "",
             f"**{'Pflicht' if required else 'freiwillig'}** · {type_text(node)}", ""]
    if resolved.get("description"):
        lines += [resolved["description"], ""]
    if (kind, key) in RULE_NOTES:
        lines += [RULE_NOTES[kind, key], ""]
    # The subfields of a group, of each entry of a list, or of each named entry (the contacts of hilfe.yaml).
    extra = resolved.get("additionalProperties")
    owner = (resolved if "properties" in resolved else schema.resolve(resolved.get("items", {})) if "items" in resolved
             else schema.resolve(extra) if isinstance(extra, dict) else {})
    sub = owner.get("properties")
    if sub:
        lines += ["| Unterfeld | Bedeutung | Pflicht | Form |", "|---|---|---|---|"]
        for sub_key, sub_node in sub.items():
            title = schema.resolve(sub_node).get("title", sub_key)
            lines.append(f"| `{sub_key}` | {_cell(title)} | {'ja' if _required(owner, sub_key) else 'nein'} | "
                         f"{_cell(type_text(sub_node))} |")
        lines.append("")
        for rule in conditions(owner):
            lines += [f"{rule}.", ""]
        for sub_key, sub_node in sub.items():
            table = _values_table(sub_node, vocabularies)
            if table:
                lines += [f"`{sub_key}` – " + table[0], *table[1:]]
    else:
        lines += _values_table(node, vocabularies)
    examples = [example_yaml(key, node, i) for i in range(len(resolved.get("examples", [])))]
    if examples:
        lines += ["Beispiel:" if len(examples) == 1 else "Beispiele:", ""]
        for example in examples:
            lines += ["```yaml", *example, "```", ""]
    return lines


# Fields of which exactly one is needed: the overview says so instead of "nein".
ONE_OF = {("offer", "grades"): "ja, oder `age`", ("offer", "age"): "ja, oder `grades`"}


def _kind_section(kind: str, vocabularies: dict[str, Any]) -> list[str]:
    heading, where, command = KINDS[kind]
    root = schema.load(kind)
    props = root["properties"]
    lines = [f"## {heading}", "", f"Datei: `{where}`. {root.get('description', '')}", ""]
    if command:
        lines += [f"Eine neue Datei mit allen Feldern legt `{command}` an.", ""]
    lines += ["| Feld | Bedeutung | Pflicht |", "|---|---|---|"]
    for key, node in props.items():
        need = ONE_OF.get((kind, key)) or ("ja" if _required(root, key) else "nein")
        lines.append(f"| `{key}` | {_cell(schema.resolve(node).get('title', key))} | {need} |")
    lines.append("")
    for key, node in props.items():
        lines += _field(kind, key, node, _required(root, key), vocabularies)
    return lines


def markdown(vocabularies: dict[str, Any]) -> str:
    """The field guide. `vocabularies` as read from content/vocabularies.yaml (name -> label, values)."""
    lines = [
        f"# {TITLE}", "",
        "Jedes Angebot, jeder Träger und jede Textseite ist eine Datei: oben stehen die Angaben zwischen zwei "
        "Zeilen `---`, darunter die Beschreibung in Markdown. Diese Anleitung nennt jedes Feld, ob es Pflicht "
        "ist, welche Form es hat, welche Werte erlaubt sind, und zeigt ein Beispiel.", "",
        "- Pflichtfelder müssen ausgefüllt sein; freiwillige Felder, die Sie nicht brauchen, lassen Sie ganz "
        "weg (die ganze Zeile löschen, nicht leer stehen lassen).",
        "- Listen schreiben Sie Eintrag für Eintrag in eigene, eingerückte Zeilen mit `- ` davor; Gruppen "
        "(z. B. `duration`) mit eingerückten Unterfeldern.",
        "- Anführungszeichen brauchen Sie nur, wenn ein Text mit `: `, `#`, `@`, `*`, `&`, `[` oder `{` beginnt "
        "oder solche Zeichen enthält.",
        "- `python build.py check` prüft alle Dateien und nennt zu jedem Problem Datei, Zeile und Feld. Solange "
        "es einen Fehler gibt, wird nichts veröffentlicht.",
        "- Die erlaubten Werte der Listen (Präventionsbereiche, Formate, Schularten …) stehen in "
        "`content/vocabularies.yaml`. Einen neuen Wert ergänzen Sie dort per Pull Request.", "",
    ]
    for kind in KINDS:
        lines += _kind_section(kind, vocabularies)
    return "\n".join(lines).rstrip("\n") + "\n"


def document(vocabularies: dict[str, Any]) -> str:
    """The committed copy (docs/redaktion.md): the guide with a notice that it is generated."""
    notice = textwrap.dedent(f"""\
        <!-- Diese Datei wird erzeugt, bitte nicht von Hand ändern. Nach einer Änderung am Schema
             (offerdb/schema/) oder an content/vocabularies.yaml neu erzeugen mit:
             {REGENERATE} -->
        """)
    return notice + "\n" + markdown(vocabularies)
