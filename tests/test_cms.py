"""The web editor (/admin/, Decap CMS): its configuration is generated from the schema and the vocabularies and
covers every field; the file format it writes keeps our files as they are and passes the check."""

from __future__ import annotations

import datetime
import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from offerdb import cli, cms, fieldguide, pipeline, schema
from offerdb.cli import ROOT
from offerdb.config import load_settings
from offerdb.loading import parse_yaml, split_front_matter

COMMITTED = ROOT / "docs" / "cms-config.yml"
FORMAT_HARNESS = ROOT / "tests" / "js" / "cms_format.mjs"
TODAY = datetime.date(2026, 11, 25)  # the sample's seals are valid on this day (as in the browser tests)
KIND_FOLDERS = {"offer": "offers", "partner": "partners", "page": "pages"}


def vocabularies() -> dict[str, Any]:
    data = fieldguide.load_vocabularies(ROOT / "content")
    assert data is not None
    return data


def settings():
    loaded, problems = load_settings(ROOT / "site.yaml", "site.yaml")
    assert loaded is not None, problems
    return loaded


@pytest.fixture(scope="module")
def config() -> dict[str, Any]:
    return cms.config(vocabularies(), settings())


def collection(config: dict[str, Any], kind: str) -> dict[str, Any]:
    folder = f"content/{KIND_FOLDERS[kind]}"
    return next(c for c in config["collections"] if c["folder"] == folder)


def cms_format(files: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each {"text", "fields", "change"?} read and written by the CMS's file format in node, with the nested
    fields' order the built admin/init.js gives it."""
    order = cms.nested_order(cms.config(vocabularies(), settings()))
    run = subprocess.run(["node", str(FORMAT_HARNESS)], input=json.dumps({"files": files, "order": order}),
                         capture_output=True, text=True, check=True, timeout=60)
    return json.loads(run.stdout)["files"]


# --- the configuration ------------------------------------------------------------------------------------


def test_committed_config_is_up_to_date():
    actual = COMMITTED.read_text(encoding="utf-8") if COMMITTED.exists() else ""
    assert actual == cms.document(vocabularies(), settings()), (
        "docs/cms-config.yml passt nicht mehr zu Schema, Vokabularen und site.yaml. Neu erzeugen mit: "
        f"{cms.REGENERATE}")


def test_built_site_publishes_the_current_config_and_the_editor(tmp_path):
    checked = pipeline.check(ROOT / "content", ROOT / "site.yaml", TODAY)
    pipeline.build(checked, tmp_path / "site", TODAY)
    admin = tmp_path / "site" / "admin"
    assert (admin / "config.yml").read_text(encoding="utf-8") == cms.document(vocabularies(), settings())
    names = cms.script_names()
    html = (admin / "index.html").read_text(encoding="utf-8")
    assert f'content="{cms.CSP}"' in html and f'src="{names["decap"]}"' in html
    assert (admin / names["decap"]).read_bytes() == (ROOT / "node_modules/decap-cms/dist/decap-cms.js").read_bytes()
    init = (admin / "init.js").read_text(encoding="utf-8")
    assert f'from "./{names["yaml"]}"' in init and '"evaluation": ["kind", "description"]' in init
    assert (admin / "format.js").read_bytes() == (ROOT / "templates/admin/format.js").read_bytes()
    for page in ("index.html", "anmelden.html"):  # the CMS's styles are its own doing, our pages have none inline
        text = (admin / page).read_text(encoding="utf-8")
        assert f'content="{cms.CSP}"' in text and 'name="robots" content="noindex, nofollow"' in text
        assert all("src=" in tag for tag in re.findall(r"<script\b[^>]*>", text)) and "<style" not in text
    # Not a page of the public site: not in the sitemap, not in the search data, refused to crawlers.
    assert "admin" not in (tmp_path / "site" / "sitemap.xml").read_text(encoding="utf-8")
    assert "admin/" not in (tmp_path / "site" / "daten" / "katalog.json").read_text(encoding="utf-8")
    assert "Disallow: /admin/" in (tmp_path / "site" / "robots.txt").read_text(encoding="utf-8")


def _schema_paths(node: dict[str, Any], prefix: str = "") -> set[str]:
    node = schema.resolve(node)
    if node.get("type") == "array":
        items = schema.resolve(node.get("items", {}))
        return _schema_paths(items, prefix + "[]") if items.get("type") == "object" else set()
    paths = set()
    for name, child in node.get("properties", {}).items():
        path = f"{prefix}.{name}" if prefix else name
        paths |= {path} | _schema_paths(child, path)
    return paths


def _form_paths(fields: list[dict[str, Any]], prefix: str = "") -> set[str]:
    paths = set()
    for field in fields:
        path = f"{prefix}.{field['name']}" if prefix else field["name"]
        paths.add(path)
        if "fields" in field:
            paths |= _form_paths(field["fields"], path + ("[]" if field["widget"] == "list" else ""))
    return paths


@pytest.mark.parametrize("kind", ["offer", "partner", "page"])
def test_every_schema_field_has_a_form_field_and_no_other(config, kind):
    form = _form_paths(collection(config, kind)["fields"]) - {"body"}
    assert form == _schema_paths(schema.load(kind))


def _fields_with_schema(fields, node, in_group=True):
    """(form field, schema property, required in the form): the schema's required fields, except inside an
    optional group (Decap would demand them even when the group is left empty)."""
    node = schema.resolve(node)
    if node.get("type") == "array":
        node = schema.resolve(node["items"])
    required = set(node.get("required", [])) if in_group else set()
    for field in fields:
        if field["name"] == "body":
            continue
        raw = node["properties"][field["name"]]
        yield field, raw, field["name"] in required
        if "fields" in field:
            is_list = field["widget"] == "list"
            yield from _fields_with_schema(field["fields"], raw, is_list or field["name"] in required)


@pytest.mark.parametrize("kind", ["offer", "partner", "page"])
def test_form_fields_say_what_the_schema_says(config, kind):
    vocab = vocabularies()
    for field, raw, required in _fields_with_schema(collection(config, kind)["fields"], schema.load(kind)):
        node = schema.resolve(raw)
        items = schema.resolve(node.get("items", {}))
        assert field["label"] == node["title"]
        assert field.get("hint") == node.get("description")
        assert field["required"] is required, field["name"]
        labels = {value: label for value, label, _ in fieldguide.allowed_values(node, vocab)}
        if field["widget"] == "select":
            assert {o["value"]: o["label"] for o in field["options"]} == labels != {}
            assert field.get("multiple", False) == (node.get("type") == "array")
        if node.get("type") in ("integer", "number"):
            assert field["widget"] == "number"
            assert field.get("max") == node.get("maximum")
            assert field.get("min") == node.get("minimum", node.get("exclusiveMinimum"))
        if node.get("format") == "date":
            assert field["widget"] == "datetime" and field["format"] == field["date_format"] == "YYYY-MM-DD"
            assert field["time_format"] is False
        if "pattern" in node and field["widget"] != "relation":  # a partner is chosen from the partner files
            assert field["pattern"] == [node["pattern"], node["x-messages"]["pattern"]]
            assert re.fullmatch(node["pattern"], (node.get("examples") or ["x"])[0]) or "examples" not in node
        if node.get("format") == "email":
            assert field["pattern"][1] == node["x-messages"]["format"]
        if node.get("type") == "array" and items.get("type") == "object":
            assert field["widget"] == "list" and "fields" in field
        if node.get("type") == "object":
            assert field["widget"] == "object"


def test_partner_is_chosen_from_the_partner_files_and_the_body_is_markdown(config):
    fields = {f["name"]: f for f in collection(config, "offer")["fields"]}
    partners = next(c for c in config["collections"] if c["name"] == fields["partner"]["collection"])
    assert partners["folder"] == "content/partners"
    assert fields["partner"]["widget"] == "relation" and fields["partner"]["value_field"] == "{{slug}}"
    assert fields["body"]["widget"] == "markdown" and fields["body"]["required"] is True
    assert list(fields)[-1] == "body"


def test_every_save_is_a_pull_request_and_sign_in_needs_no_server_of_ours(config):
    assert config["publish_mode"] == "editorial_workflow"
    backend = config["backend"]
    assert backend["name"] == "github" and backend["open_authoring"] is True
    assert backend["repo"] == "praeventionsnetzwerk/angebote" and backend["branch"] == "main"  # from edit_url
    # The sign-in window is our own page on our own origin (no OAuth proxy, no api.netlify.com).
    assert backend["base_url"] == "https://praevention.example.org"
    assert backend["auth_endpoint"] == "admin/anmelden.html"
    assert all(c["format"] == cms.FORMAT for c in config["collections"])


# --- the file format ---------------------------------------------------------------------------------------


def _samples() -> list[tuple[str, Path]]:
    return [(kind, path) for kind, folder in KIND_FOLDERS.items()
            for path in sorted((ROOT / "content" / folder).glob("*.md"))]


def test_cms_writes_every_sample_file_back_unchanged(config):
    """What the CMS writes after reading a file and saving it unchanged: the same bytes (README: no diff)."""
    samples = _samples()
    order = {kind: [f["name"] for f in collection(config, kind)["fields"]] for kind in KIND_FOLDERS}
    written = cms_format([{"text": path.read_text(encoding="utf-8"), "fields": order[kind]} for kind, path in samples])
    assert len(samples) == 41
    for (_, path), result in zip(samples, written, strict=True):
        assert result["text"] == path.read_text(encoding="utf-8"), path.name


def test_cms_reads_values_as_the_loader_does():
    text = ("---\npostal_code: 09126\nanswer: NO\nfree: ja\nday: 2026-03-12\nminutes: 90\nflag: true\n"
            "phone: 0371000000\nprice: 2.50\n---\nText\n")
    data = cms_format([{"text": text, "fields": []}])[0]["data"]
    assert data == {"postal_code": "09126", "answer": "NO", "free": "ja", "day": "2026-03-12", "minutes": 90,
                    "flag": True, "phone": "0371000000", "price": "2.50", "body": "Text\n"}


def _copy_content(tmp_path: Path) -> Path:
    shutil.copytree(ROOT / "content", tmp_path / "content")
    shutil.copy(ROOT / "site.yaml", tmp_path / "site.yaml")
    return tmp_path


def _check_errors(root: Path) -> list[str]:
    checked = pipeline.check(root / "content", root / "site.yaml", TODAY)
    return [str(p) for p in checked.problems if p.is_error]


def test_what_the_cms_writes_for_changed_and_new_values_passes_the_check(tmp_path, config):
    root = _copy_content(tmp_path)
    offer = root / "content/offers/projekttag-fuer-demokratie.md"
    partner = root / "content/partners/inpeos.md"
    order = {kind: [f["name"] for f in collection(config, kind)["fields"]] for kind in ("offer", "partner")}
    long_text = ("Ein neuer Projekttag: Die Klasse übt #Zivilcourage, spricht über „Vorurteile“ & Ausgrenzung "
                 "und erarbeitet Regeln – auch für den Klassenchat, in dem es zuletzt Streit gab.")
    changes = {
        "title": "Projekttag: Demokratie & Courage",  # ": " and "&" need quotes
        "summary": long_text,  # longer than a line: a >- block
        "keywords": ["Zivilcourage", "#Hashtag", "NO"],
        "duration": {"note": "", "sessions": 2, "minutes": 240},  # an emptied field is left out
        "target_group": "Klassen 7 bis 10, in denen abwertende Sprüche fallen.",  # fits on its line
        "green_list": None, "curriculum": [],
        "last_updated": "2026-11-20",
    }
    offer_out, partner_out = cms_format([
        {"text": offer.read_text(encoding="utf-8"), "fields": order["offer"], "change": changes},
        {"text": partner.read_text(encoding="utf-8"), "fields": order["partner"],
         "change": {"address": {"street": "Neue Straße 1", "postal_code": "09111", "city": "Chemnitz"}}},
    ])
    offer.write_text(offer_out["text"], encoding="utf-8")
    partner.write_text(partner_out["text"], encoding="utf-8")
    assert _check_errors(root) == []
    front, body, _, _ = split_front_matter(offer_out["text"], "x.md")
    data, _, problems = parse_yaml(front, "x.md")
    assert problems == []
    assert data["title"] == changes["title"] and data["summary"] == long_text
    assert data["keywords"] == changes["keywords"] and data["last_updated"] == "2026-11-20"
    assert data["duration"] == {"minutes": "240", "sessions": "2"}
    assert "green_list" not in data and "curriculum" not in data
    assert "summary: >-\n  Ein neuer Projekttag" in offer_out["text"]
    assert "\ntarget_group: Klassen 7 bis 10, in denen abwertende Sprüche fallen.\n" in offer_out["text"]
    assert "\nduration:\n  minutes: 240\n  sessions: 2\ngroup_size:" in offer_out["text"]  # the schema's order
    assert list(data) == [name for name in order["offer"] if name in data]  # the form's (the schema's) order
    assert body.startswith("Am Projekttag arbeiten")
    assert "  postal_code: 09111\n" in partner_out["text"]  # no quotes needed: our loader keeps it text


def test_editing_one_field_changes_one_line(config):
    path = ROOT / "content/offers/projekttag-fuer-demokratie.md"
    original = path.read_text(encoding="utf-8")
    order = [f["name"] for f in collection(config, "offer")["fields"]]
    written = cms_format([{"text": original, "fields": order, "change": {"title": "Projekttag für Demokratie"}}])
    before, after = original.splitlines(), written[0]["text"].splitlines()
    assert len(before) == len(after)
    assert [(a, b) for a, b in zip(before, after, strict=True) if a != b] == [
        ("title: Projekttag für Demokratie und Courage", "title: Projekttag für Demokratie")]


def test_loader_reads_every_quoting_style_the_format_writes():
    """The format writes plain, single- or double-quoted scalars (the yaml library's choice), `>-` and `|-`
    blocks; the strict loader reads each as the same text."""
    texts = ["Klasse: 7", "#1 im Netz", "true", "12", "  leading", "a\nb", "Zeile eins\nZeile zwei",
             "x" * 150, "NO", "09111", "2026-03-12", "„Zitat“ – ok", "it's", 'say "hi"']
    written = cms_format([{"text": "---\n---\n", "fields": [], "change": {f"k{i}": t for i, t in enumerate(texts)}}])
    front, _, _, _ = split_front_matter(written[0]["text"], "x.md")
    data, _, problems = parse_yaml(front, "x.md")
    assert problems == []
    assert data == {f"k{i}": t for i, t in enumerate(texts)}
    # What Decap's own serializer writes for empty fields (null, '', []) never reaches a file.
    empty = cms_format([{"text": "---\n---\n", "fields": [], "change": {"a": None, "b": "", "c": [], "d": {"e": ""}}}])
    assert empty[0]["text"] == "---\n---\n"


def test_config_is_valid_yaml_with_patterns_javascript_accepts():
    config = yaml.safe_load(cms.document(vocabularies(), settings()))
    patterns = []

    def walk(fields):
        for field in fields:
            if "pattern" in field:
                patterns.append(field["pattern"][0])
            walk(field.get("fields", []))
            if "field" in field:
                walk([field["field"]])

    for c in config["collections"]:
        walk(c["fields"])
    script = "for (const p of JSON.parse(process.argv[1])) new RegExp(p);"
    subprocess.run(["node", "-e", script, json.dumps(patterns)], check=True, timeout=30)
    assert len(patterns) > 20


def test_cms_command_prints_or_writes_the_config(tmp_path, capsysbinary):
    assert cli.main(["cms"]) == 0
    assert capsysbinary.readouterr().out.decode("utf-8") == cms.document(vocabularies(), settings())
    out = tmp_path / "config.yml"
    assert cli.main(["cms", "--out", str(out)]) == 0
    assert out.read_text(encoding="utf-8") == cms.document(vocabularies(), settings())
    assert cli.main(["cms", "--content", str(tmp_path / "fehlt")]) == 1
