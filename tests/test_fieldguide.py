"""The editors' field guide is generated from schema and vocabularies, and the committed copy is current."""

from __future__ import annotations

import copy
import re

from offerdb import cli, fieldguide, schema
from offerdb.cli import ROOT

COMMITTED = ROOT / "docs" / "redaktion.md"


def vocabularies():
    vocabularies = fieldguide.load_vocabularies(ROOT / "content")
    assert vocabularies is not None
    return vocabularies


def test_committed_guide_is_up_to_date():
    expected = fieldguide.document(vocabularies())
    actual = COMMITTED.read_text(encoding="utf-8") if COMMITTED.exists() else ""
    assert actual == expected, (
        "docs/redaktion.md passt nicht mehr zu Schema und content/vocabularies.yaml. Neu erzeugen mit: "
        f"{fieldguide.REGENERATE}")


def _section(guide: str, heading: str) -> str:
    start = guide.index(f"\n## {heading}\n")
    end = guide.find("\n## ", start + 1)
    return guide[start:end if end > 0 else None]


def test_every_field_with_required_flag_type_and_example():
    guide = fieldguide.markdown(vocabularies())
    for kind, (heading, _, _) in fieldguide.KINDS.items():
        section = _section(guide, heading)
        root = schema.load(kind)
        for key, node in root["properties"].items():
            resolved = schema.resolve(node)
            need = "ja" if key in root.get("required", []) else "nein"
            assert re.search(rf"^\| `{key}` \| [^|]+ \| {need}", section, re.M) or (kind, key) in fieldguide.ONE_OF, key
            block = section[section.index(f"### {resolved['title']} (`{key}`)"):]
            block = block[:block.find("\n### ", 1)]
            assert ("**Pflicht**" if need == "ja" else "**freiwillig**") in block
            assert fieldguide.type_text(node) in block
            if resolved.get("examples"):
                assert f"```yaml\n{key}:" in block, key
            for sub_key in resolved.get("properties", {}):
                assert f"| `{sub_key}` |" in block, (key, sub_key)


def test_allowed_values_come_from_the_vocabularies_with_labels():
    vocab = vocabularies()
    guide = fieldguide.markdown(vocab)
    offers = _section(guide, "Angebote")
    for name in ("prevention_areas", "formats", "school_types", "languages", "evaluation_kinds", "subjects"):
        assert f"Liste „{name}“ in content/vocabularies.yaml" in offers
        for key, entry in vocab[name]["values"].items():
            assert f"| `{key}` | {entry['label']}" in offers, (name, key)
    assert "| `paused` | zurzeit nicht buchbar |" in offers  # enum labels from the schema

    changed = copy.deepcopy(vocab)
    changed["formats"]["values"]["escape-room"] = {"label": "Escape-Room"}
    assert "| `escape-room` | Escape-Room |" in fieldguide.markdown(changed)


def test_cli_prints_the_guide(capsysbinary, tmp_path):
    assert cli.main(["fieldguide"]) == 0
    assert capsysbinary.readouterr().out.decode("utf-8") == fieldguide.document(vocabularies())
    out = tmp_path / "guide.md"
    assert cli.main(["fieldguide", "--out", str(out)]) == 0
    assert out.read_text(encoding="utf-8") == fieldguide.document(vocabularies())


def test_yaml_examples_are_written_as_editors_write_them():
    assert fieldguide.yaml_scalar("09111") == "09111"
    assert fieldguide.yaml_scalar("Lernbereich: Ich") == '"Lernbereich: Ich"'
    assert fieldguide.yaml_scalar("# keine Überschrift") == '"# keine Überschrift"'
    assert fieldguide.yaml_lines({"curriculum": [{"subject": "ethik", "grades": {"from": 7, "to": 7}}]}) == [
        "curriculum:", "  - subject: ethik", "    grades:", "      from: 7", "      to: 7"]


def test_help_contacts_are_in_the_guide_with_every_field_of_a_contact():
    section = _section(fieldguide.markdown(vocabularies()), "Hilfe-Kontakte")
    assert "Datei: `content/hilfe.yaml`." in section
    contact = schema.load("help")["properties"]["contacts"]["additionalProperties"]
    for key in contact["properties"]:
        need = "ja" if key in contact["required"] else "nein"
        assert re.search(rf"^\| `{key}` \| [^|]+ \| {need} \|", section, re.M), key
    assert "| `kinder-und-jugendliche` | Kinder und Jugendliche |" in section  # enum values of a list, with labels
    assert "Pflicht, außer bei „emergency: true“: „prevention_areas“." in section
    assert "| `suchtpraevention` | Suchtprävention" in section
