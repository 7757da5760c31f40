"""The go-live check: placeholders „[Bitte ergänzen: …]“ / „[Bitte prüfen: …]“ left in content and an example
base_url are warnings at their file, line and field, with what to fill in; `--strict` refuses them."""

from __future__ import annotations

import pytest

from offerdb import placeholders
from offerdb.loading import parse_yaml


def test_placeholders_in_markdown_at_their_line_and_column_with_what_to_fill_in():
    body = ("Erste Zeile.\n"
            "- **Anschrift:** **[Bitte ergänzen: Straße]**, [bitte prüfen: PLZ] Chemnitz\n"
            "Ein [Bitte ergänzen/prüfen: Amtsgericht,\n  bei dem der Verein eingetragen ist] und [Link](x).\n"
            "[Bitte ergänzen, falls vorhanden: USt-ID – sonst streichen]\n")
    found = placeholders.in_text(body, "content/pages/impressum.md", 10)
    assert [(p.line, p.column, p.severity, p.code) for p in found] == [
        (11, 20, "warning", "placeholder"), (11, 48, "warning", "placeholder"),
        (12, 5, "warning", "placeholder"), (14, 1, "warning", "placeholder")]
    assert [p.message for p in found] == [
        "Platzhalter – noch zu ergänzen: Straße.",
        "Platzhalter – noch zu prüfen: PLZ.",
        "Platzhalter – noch zu ergänzen oder zu prüfen: Amtsgericht, bei dem der Verein eingetragen ist.",
        "Platzhalter – noch zu ergänzen (falls vorhanden): USt-ID – sonst streichen."]
    assert placeholders.in_text("Kein Platzhalter [hier](x).", "f.md", 1) == []


def test_placeholders_in_yaml_values_name_their_field():
    data, positions, _ = parse_yaml('a:\n  b:\n    - x\n    - "[Bitte prüfen: Nummer]"\nc: ok\n', "content/hilfe.yaml")
    (found,) = placeholders.in_values(data, positions, "content/hilfe.yaml")
    assert (found.file, found.line, found.column, found.field) == ("content/hilfe.yaml", 4, 7, "a.b[2]")
    assert found.message == "Platzhalter – noch zu prüfen: Nummer."


@pytest.mark.parametrize("url, warned", [("https://praevention.example.org/", True), ("https://example.com/x/", True),
                                         ("https://www.example.net/", True), ("https://schule.example/", True),
                                         ("https://praevention-chemnitz.de/", False),
                                         ("https://example.org.chemnitz.de/", False)])
def test_example_address_in_site_yaml(url, warned):
    data, positions, _ = parse_yaml(f"title: x\nbase_url: {url}\n", "site.yaml")
    found = placeholders.example_address(url, positions, "site.yaml")
    assert [(p.line, p.field, p.code) for p in found] == ([(2, "base_url", "example-address")] if warned else [])


def test_placeholder_in_an_offer_and_a_partner_is_warned_at_its_field(site):
    site.offer(target_group="[Bitte ergänzen: Zielgruppe und Ausgangslage des Angebots]")
    data, body = site.read_front("content/partners/traeger-a.md")
    site.write_front("content/partners/traeger-a.md", {**data, "legal_form": "[Bitte prüfen: Rechtsform]"}, body)
    checked = site.check()
    found = [p for p in checked.problems if p.code == "placeholder"]
    assert [(p.file, p.field, p.severity) for p in found] == [
        ("content/offers/angebot-a.md", "target_group", "warning"),
        ("content/partners/traeger-a.md", "legal_form", "warning")]
    records = {r.file: r for kind in ("offer", "partner") for r in checked.validated.records[kind]}
    for p in found:
        assert p.line == records[p.file].document.positions.of_value((p.field,))[0]
    assert [p.message for p in found] == ["Platzhalter – noch zu ergänzen: Zielgruppe und Ausgangslage des Angebots.",
                                          "Platzhalter – noch zu prüfen: Rechtsform."]
    assert not checked.fails(strict=False) and checked.fails(strict=True)
