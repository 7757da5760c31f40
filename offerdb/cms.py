"""The configuration of the web editor at /admin/ (Decap CMS), generated from the quality schema and the vocabularies.

`config(vocabularies, settings)` maps every schema field to a form field: the schema's German title as label,
its description as hint, its required list, the vocabularies as selects with their labels, numbers with their
bounds, patterns with the schema's German messages. `document()` is the YAML the site publishes as
admin/config.yml and the repository keeps as docs/cms-config.yml (a test fails when either is stale).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import yaml

from . import fieldguide, schema
from .config import Settings

REGENERATE = "python build.py cms --out docs/cms-config.yml"
FORMAT = "offerdb-frontmatter"  # registered by templates/admin/start.js with templates/admin/format.js
# The proxy decap-server opens for local editing; the CMS asks it only when /admin/ itself is on this machine.
LOCAL_BACKEND = "http://127.0.0.1:8081/api/v1"

# Collection name, schema, folder, the field that names an entry in the lists, German labels, may editors add?
COLLECTIONS = (
    ("angebote", "offer", "content/offers", "title", "Angebote", "Angebot", True),
    ("traeger", "partner", "content/partners", "name", "Träger", "Träger", True),
    ("seiten", "page", "content/pages", "title", "Textseiten", "Textseite", False),
)

BODY_HINT = {
    "offer": "Die ausführliche Beschreibung des Angebots in Markdown: Ablauf, Inhalte, was die Schule mitbringt.",
    "partner": "Die Beschreibung des Trägers in Markdown.",
    "page": "Der Text der Seite in Markdown.",
}

# JSON Schema's "format" as a pattern the form checks while typing (the schema checks the same on the server).
_FORMAT_PATTERNS = {"email": schema._EMAIL_RE.pattern}
_DATE = "YYYY-MM-DD"


def _length_pattern(node: dict[str, Any]) -> list[str] | None:
    low, high = node.get("minLength"), node.get("maxLength")
    if low is None and high is None:
        return None
    span = f"{low or 0},{high if high is not None else ''}"
    words = fieldguide._between(low, high, " Zeichen")
    # [\s\S]: a text field's value may have line breaks; the pattern counts them like the schema does.
    return [f"^[\\s\\S]{{{span}}}$", f"Bitte {words} schreiben."]


def _pattern(node: dict[str, Any]) -> list[str] | None:
    messages = node.get("x-messages", {})
    if "pattern" in node:
        return [node["pattern"], messages.get("pattern", "Das Format stimmt nicht.")]
    if node.get("format") in _FORMAT_PATTERNS:
        return [_FORMAT_PATTERNS[node["format"]], messages.get("format", "Das Format stimmt nicht.")]
    return _length_pattern(node) if node.get("type") == "string" else None


def _options(node: dict[str, Any], vocabularies: dict[str, Any]) -> list[dict[str, str]]:
    return [{"label": label or value, "value": value}
            for value, label, _ in fieldguide.allowed_values(node, vocabularies)]


def field(name: str, raw: dict[str, Any], required: bool, vocabularies: dict[str, Any],
          label: str | None = None) -> dict[str, Any]:
    """The form field for one schema property (`raw`, before its $ref is followed)."""
    node = schema.resolve(raw)
    out: dict[str, Any] = {"name": name, "label": label or node.get("title", name)}
    if node.get("description"):
        out["hint"] = node["description"]
    out["required"] = required
    kind = node.get("type")
    items = schema.resolve(node.get("items", {})) if kind == "array" else {}
    if name == "partner" and raw.get("$ref", "").endswith("/slug"):
        out.update(widget="relation", collection="traeger", value_field="{{slug}}", search_fields=["name"],
                   display_fields=["name"])
    elif "enum" in node or "x-vocabulary" in node:
        out.update(widget="select", options=_options(node, vocabularies))
    elif kind == "array" and ("x-vocabulary" in items or "enum" in items):
        out.update(widget="select", multiple=True, options=_options(node, vocabularies))
        out.update(_counts(node))
    elif kind == "array" and items.get("type") == "object":
        out.update(widget="list", summary=_list_summary(items), fields=_fields(items, vocabularies))
        out.update(_counts(node))
    elif kind == "array":
        item = field("eintrag", node["items"], True, vocabularies, label=out["label"])
        item.pop("hint", None)
        out.update(widget="list", field=item)
        out.update(_counts(node))
    elif kind == "object":
        # Decap checks the required fields inside an optional group even when the group is left empty, so
        # there they are optional in the form; the schema's check still requires them once the group is used.
        out.update(widget="object", fields=_fields(node, vocabularies, within_optional=not required))
    elif kind in ("integer", "number"):
        out.update(widget="number", value_type="int" if kind == "integer" else "float")
        if "minimum" in node:
            out["min"] = node["minimum"]
        if "exclusiveMinimum" in node:  # the form knows only inclusive bounds; the schema's check stays exact
            out["min"] = node["exclusiveMinimum"]
        if "maximum" in node:
            out["max"] = node["maximum"]
        out["step"] = 1 if kind == "integer" else 0.01
    elif kind == "boolean":
        out.update(widget="boolean", default=False)
    elif node.get("format") == "date":
        out.update(widget="datetime", format=_DATE, date_format=_DATE, time_format=False, picker_utc=True)
        message = node.get("x-messages", {}).get("format")
        if message:
            out["pattern"] = [r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$", message]
    else:
        long_text = (node.get("maxLength") or 0) > 300
        out["widget"] = "text" if long_text else "string"
        pattern = _pattern(node)
        if pattern:
            out["pattern"] = pattern
    return out


def _counts(node: dict[str, Any]) -> dict[str, int]:
    counts = {}
    if node.get("minItems") and node["minItems"] > 1:
        counts["min"] = node["minItems"]
    if "maxItems" in node:
        counts["max"] = node["maxItems"]
    return counts


def _list_summary(items: dict[str, Any]) -> str:
    first = next(iter(items.get("properties", {})))
    return "{{fields." + first + "}}"


def _fields(node: dict[str, Any], vocabularies: dict[str, Any], within_optional: bool = False) -> list[dict[str, Any]]:
    required = set() if within_optional else set(node.get("required", []))
    return [field(name, raw, name in required, vocabularies) for name, raw in node.get("properties", {}).items()]


def _repository(settings: Settings) -> tuple[str, str]:
    """owner/name and branch from edit_url (https://github.com/OWNER/REPO/edit/BRANCH/), the one place
    site.yaml names the repository."""
    match = re.match(r"^https://[^/]+/([^/]+)/([^/]+)/edit/([^/]+)/", settings.edit_url or "")
    if not match:
        return "ORGANISATION/REPOSITORY", "main"
    return f"{match.group(1)}/{match.group(2)}", match.group(3)


def config(vocabularies: dict[str, Any], settings: Settings) -> dict[str, Any]:
    repo, branch = _repository(settings)
    origin = re.match(r"^https?://[^/]+", settings.base_url)
    collections = []
    for name, kind, folder, identifier, label, singular, create in COLLECTIONS:
        kind_schema = schema.load(kind)
        fields = _fields(kind_schema, vocabularies)
        fields.append({"name": "body", "label": "Beschreibung" if kind != "page" else "Text",
                       "hint": BODY_HINT[kind], "widget": "markdown", "required": True,
                       "modes": ["raw", "rich_text"], "sanitize_preview": True})
        collections.append({
            "name": name, "label": label, "label_singular": singular, "description": kind_schema["description"],
            "folder": folder, "extension": "md", "format": FORMAT, "create": create, "delete": False,
            "slug": "{{" + identifier + "}}", "identifier_field": identifier, "summary": "{{" + identifier + "}}",
            "editor": {"preview": False}, "fields": fields,
        })
    return {
        "locale": "de",
        "backend": {
            "name": "github", "repo": repo, "branch": branch, "open_authoring": True, "always_fork": False,
            "squash_merges": True,
            # Sign-in without an OAuth server: the CMS's sign-in window is our own page, where an editor
            # pastes a GitHub token (templates/admin/anmelden.html); it hands the token over like an OAuth
            # provider would.
            "base_url": origin.group(0) if origin else "",
            "auth_endpoint": settings.base_path.lstrip("/") + "admin/anmelden.html",
            "commit_messages": {
                "create": "{{collection}} „{{slug}}“ angelegt", "update": "{{collection}} „{{slug}}“ geändert",
                "delete": "{{collection}} „{{slug}}“ gelöscht", "uploadMedia": "Datei „{{path}}“ hochgeladen",
                "deleteMedia": "Datei „{{path}}“ gelöscht", "openAuthoring": "{{message}}",
            },
        },
        "publish_mode": "editorial_workflow",
        "local_backend": {"url": LOCAL_BACKEND},
        "media_folder": "content/medien",
        "public_folder": "/medien",
        "site_url": settings.base_url,
        "display_url": settings.base_url,
        "show_preview_links": False,
        "search": True,
        # New files are named from the title as the site wants them: a–z, digits and hyphens.
        "slug": {"encoding": "ascii", "clean_accents": True, "sanitize_replacement": "-"},
        "collections": collections,
    }


def nested_order(config: dict[str, Any]) -> dict[str, list[str]]:
    """Group and list field name -> its fields in form order, over all collections (a name that occurs in two,
    like `contact`, gets the fields of both in order). format.js writes nested keys in this order, as the
    schema has them; Decap gives it only the top level's."""
    order: dict[str, list[str]] = {}

    def walk(fields: list[dict[str, Any]]) -> None:
        for field in fields:
            if "fields" in field:
                known = order.setdefault(field["name"], [])
                for child in field["fields"]:
                    if child["name"] not in known:
                        known.append(child["name"])
                walk(field["fields"])

    for collection in config["collections"]:
        walk(collection["fields"])
    return order


def document(vocabularies: dict[str, Any], settings: Settings) -> str:
    header = (f"# Konfiguration der Bearbeitungsseite /admin/ (Decap CMS). Erzeugt aus offerdb/schema/*.schema.json,\n"
              f"# content/vocabularies.yaml und site.yaml – bitte nicht von Hand ändern, sondern:\n# {REGENERATE}\n")
    body = yaml.safe_dump(config(vocabularies, settings), allow_unicode=True, sort_keys=False, width=120,
                          default_flow_style=False)
    return header + body


# --- the files of /admin/ --------------------------------------------------------------------------------

NODE_MODULES = Path(__file__).resolve().parent.parent / "node_modules"
ADMIN_TEMPLATES = ("index.html", "anmelden.html", "init.js")  # rendered: they name the CSP and the versions
ADMIN_FILES = ("start.js", "format.js", "anmelden.js", "anmelden.css")  # copied as they are

# The /admin/ pages' Content-Security-Policy (docs/betrieb.md gives the same as a header). Decap CMS needs
# 'unsafe-eval' (ajv compiles its config schema with new Function) and inline styles (emotion writes <style>
# at run time); it talks to api.github.com only, and to the local proxy (decap-server) only when /admin/ is
# opened from 127.0.0.1. Images only from here: the GitHub avatar is not loaded.
CSP = ("default-src 'self'; script-src 'self' 'unsafe-eval'; style-src 'self' 'unsafe-inline'; "
       "img-src 'self' data: blob:; connect-src 'self' https://api.github.com http://127.0.0.1:8081; "
       "object-src 'none'; base-uri 'none'; form-action 'none'")


class CmsError(Exception):
    pass


def _version(package: str, node_modules: Path) -> str:
    try:
        return json.loads((node_modules / package / "package.json").read_text(encoding="utf-8"))["version"]
    except (OSError, ValueError, KeyError) as exc:
        raise CmsError(f"Das npm-Paket {package} fehlt in {node_modules}. Bitte zuerst „make deps“ ausführen.") from exc


def scripts(node_modules: Path = NODE_MODULES) -> dict[str, Path]:
    """Published path under admin/ -> file in node_modules: Decap CMS's bundle with the chunks it loads on
    demand (not the source maps, not the image codecs in WebAssembly: there is no image field), and the
    browser build of yaml, the library decap-cms-core reads YAML with, for format.js. Version in the folder
    names, so the paths say what is published."""
    decap, yaml_lib = _version("decap-cms", node_modules), _version("yaml", node_modules)
    files = {f"admin/decap-cms-{decap}/{file.name}": file
             for file in sorted((node_modules / "decap-cms" / "dist").glob("*decap-cms.js"))}
    files.update({f"admin/yaml-{yaml_lib}/{file.name}": file
                  for file in sorted((node_modules / "yaml" / "browser" / "dist").glob("*.js"))})
    return files


def script_names(node_modules: Path = NODE_MODULES) -> dict[str, str]:
    """The entry points as admin/index.html and admin/init.js name them, relative to admin/."""
    return {"decap": f"decap-cms-{_version('decap-cms', node_modules)}/decap-cms.js",
            "yaml": f"yaml-{_version('yaml', node_modules)}/index.js"}
