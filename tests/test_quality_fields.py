"""Evidence where it exists: a Grüne Liste Prävention listing (level and link) and the quality criteria the
steering group checked, from the schema through the offer page, the list's facet and the open data."""

from __future__ import annotations

import csv
import datetime
import io
import json
import re
from pathlib import Path

import pytest

from offerdb import exports, models, pipeline, rendering
from offerdb.cli import ROOT

TODAY = datetime.date(2026, 11, 25)
LISTED = "cannabis-und-alkohol-berufsschule"  # sample offer with a listing and criteria
PLAIN = "elternabend-cybermobbing-und-recht"  # sample offer with neither


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> tuple[pipeline.Built, Path]:
    checked = pipeline.check(ROOT / "content", ROOT / "site.yaml", TODAY)
    out = tmp_path_factory.mktemp("site") / "site"
    return pipeline.build(checked, out, TODAY), out


def offer(built, slug):
    return next(o for o in built[0].site.offers if o.slug == slug)


def page(built, path: str) -> str:
    return (built[1] / path / "index.html").read_text(encoding="utf-8")


def section(html: str, heading_id: str) -> str:
    start = html.index(f'<h2 id="{heading_id}">')
    return html[start:html.index("</section>", start)]


def test_the_vocabularies_carry_the_three_levels_and_the_networks_criteria(built):
    vocab = built[0].site.vocabularies
    assert [t.label for t in vocab["evidence_levels"].terms.values()] == [
        "Effektivität theoretisch gut begründet", "Effektivität wahrscheinlich", "Effektivität nachgewiesen"]
    criteria = vocab["quality_criteria"].terms
    # The network's first core criteria (DOMAIN.md) and the Beccaria standards are among them.
    assert {"ziele-und-zielgruppe", "theoretische-grundlage", "problembeschreibung", "dokumentation"} <= set(criteria)


def test_sample_offers_use_every_level_and_the_criteria(built):
    offers = built[0].site.offers
    assert {o.green_list.level.key for o in offers if o.green_list} == set(
        built[0].site.vocabularies["evidence_levels"].terms)
    assert sum(1 for o in offers if o.seal.criteria) >= 5
    listed = offer(built, LISTED)
    assert listed.green_list.level.label == "Effektivität nachgewiesen"
    assert listed.green_list.url.startswith("https://")


def test_listing_and_criteria_are_checked_against_their_vocabularies(site):
    site.offer(green_list={"level": "nachgewiesn", "url": "https://gruene-liste.example.org/programm/1"},
               quality_seal={"reviewed_on": "2026-01-15", "reviewed_by": "Steuerungsgruppe",
                             "valid_until": "2028-01-31", "criteria": ["ziele-und-zielgruppe", "gibt-es-nicht"]})
    problems = {p.field: p for p in site.check().problems}
    assert set(problems) == {"green_list.level", "quality_seal.criteria[2]"}
    level = problems["green_list.level"]
    assert level.code == "unknown-vocabulary-value" and level.is_error
    assert "Stufen der Grünen Liste Prävention" in level.message and level.hint == "Meinten Sie „nachgewiesen“?"
    assert problems["quality_seal.criteria[2]"].code == "unknown-vocabulary-value"

    seal = {"reviewed_on": "2026-01-15", "reviewed_by": "Steuerungsgruppe", "valid_until": "2028-01-31",
            "criteria": ["ziele-und-zielgruppe", "qualifikation"]}
    site.offer(green_list={"level": "nachgewiesen"}, quality_seal=seal)
    (missing,) = site.check().problems
    assert (missing.code, missing.field) == ("missing-field", "green_list.url")

    site.offer(green_list={"level": "nachgewiesen", "url": "https://gruene-liste.example.org/programm/1"})
    assert site.check().problems == []


def test_offer_page_shows_the_listing_beside_the_seal_and_the_criteria_under_quality(built):
    listed = offer(built, LISTED)
    html = page(built, f"angebote/{LISTED}/")
    facts = html[html.index('<ul class="facts">'):]
    facts = facts[:facts.index("</ul>")]
    items = re.findall(r"<li>(.*?)</li>", facts)
    seal = next(i for i, item in enumerate(items) if "badge-seal" in item)
    assert items[seal + 1] == (f'<a class="badge badge-evidence" href="{listed.green_list.url}">'
                               "Grüne Liste Prävention: Effektivität nachgewiesen</a>")
    quality = section(html, "qualitaet")
    assert re.findall(r"<li>(.*?)</li>", quality[quality.index('<ul class="criteria">'):]) == [
        t.label for t in listed.seal.criteria]
    assert f'<a href="{listed.green_list.url}">Grünen Liste Prävention</a> eingestuft als' in quality

    plain = page(built, f"angebote/{PLAIN}/")
    assert "Grüne Liste" not in plain and "Grünen Liste" not in plain
    assert "Geprüfte Qualitätskriterien" not in plain


def test_one_facet_table_serves_the_list_page_the_catalogue_and_the_script(built):
    site = built[0].site
    table = [(f.param, f.key) for f in models.FACETS]
    assert ("wirksamkeit", "evidence") in table
    listing = page(built, "angebote/")
    assert re.findall(r'<fieldset class="facet" data-facet="([\w-]+)" data-key="(\w+)"[^>]*>', listing) == table
    for facet in models.FACETS:  # the page's terms and its filter's name come from the vocabulary
        vocabulary = site.vocabularies[facet.vocabulary]
        fieldset = listing.split(f'data-facet="{facet.param}"', 1)[1].split("</fieldset>", 1)[0]
        assert re.search(r"<legend>(.*?)</legend>", fieldset)[1] == vocabulary.filter_label
        assert re.findall(rf'name="{facet.param}" value="([\w-]+)"', fieldset) == list(vocabulary.terms)
    script = (rendering.ASSETS / "list.js").read_text(encoding="utf-8")
    assert 'getAttribute("data-key")' in script  # the script reads the table from the page …
    for param, key in table:  # … and spells no entry of it
        assert not re.search(rf'["\']?{param}["\']?\s*:\s*["\']{key}["\']', script), param


def test_evidence_facet_on_the_list_page_and_in_the_catalogue(built):
    site, out = built
    html = page(built, "angebote/")
    fieldset = html[html.index('data-facet="wirksamkeit"'):]
    fieldset = fieldset[:fieldset.index("</fieldset>")]
    assert "<legend>Grüne Liste Prävention</legend>" in fieldset
    assert re.findall(r'name="wirksamkeit" value="([\w-]+)"', fieldset) == [
        "theoretisch-gut-begruendet", "wahrscheinlich", "nachgewiesen"]
    store = json.loads((out / "daten" / "katalog.json").read_text(encoding="utf-8"))
    assert store["facets"]["evidence"] == {"label": "Grüne Liste Prävention", "values": {
        "theoretisch-gut-begruendet": "Effektivität theoretisch gut begründet",
        "wahrscheinlich": "Effektivität wahrscheinlich", "nachgewiesen": "Effektivität nachgewiesen"}}
    entries = {e["slug"]: e for e in store["offers"]}
    assert entries[LISTED]["evidence"] == ["nachgewiesen"]
    assert entries[PLAIN]["evidence"] == []
    assert sum(1 for e in store["offers"] if e["evidence"]) == sum(1 for o in site.site.offers if o.green_list)


def test_open_data_json_carries_listing_and_criteria_without_a_new_version(built):
    data = json.loads((built[1] / "daten" / "angebote.json").read_text(encoding="utf-8"))
    items = {item["slug"]: item for item in data["offers"]}
    listed = offer(built, LISTED)
    assert items[LISTED]["green_list"] == {"level": "nachgewiesen", "level_label": "Effektivität nachgewiesen",
                                           "url": listed.green_list.url}
    assert items[LISTED]["quality_seal"]["criteria"] == [{"key": t.key, "label": t.label}
                                                         for t in listed.seal.criteria]
    assert items[PLAIN]["green_list"] is None and items[PLAIN]["quality_seal"]["criteria"] == []
    assert data["vocabularies"]["evidence_levels"]["values"]["wahrscheinlich"] == "Effektivität wahrscheinlich"
    # Keys were only added: every key of version 1 is still there, so the version stays 1. Renaming or
    # removing one of these needs a new version (and this list then belongs to that version).
    assert data["version"] == exports.OPEN_DATA_VERSION == 1
    for item in items.values():
        assert VERSION_1_KEYS <= set(item)
        assert {"reviewed_on", "reviewed_by", "valid_until"} <= set(item["quality_seal"])


VERSION_1_KEYS = {
    "slug", "url", "title", "summary", "partner", "status", "status_label", "prevention_areas", "prevention_levels",
    "target_group", "goals", "audiences", "grades", "age", "school_types", "formats", "duration", "group_size",
    "venues", "languages", "cost", "theoretical_basis", "methods", "staff_qualification", "evaluation",
    "school_cooperation", "curriculum", "contact", "booking", "quality_seal", "last_updated", "keywords",
    "description_html"}


def test_csv_has_the_new_columns_at_the_end(built):
    text = (built[1] / "daten" / "angebote.csv").read_bytes().decode("utf-8-sig")
    header, *rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))
    assert header[-4:] == ["Internetadresse", "Geprüfte Qualitätskriterien", "Grüne Liste Prävention",
                           "Eintrag in der Grünen Liste"]
    by_url = {row[header.index("Internetadresse")].rsplit("/", 2)[-2]: dict(zip(header, row, strict=True))
              for row in rows}
    listed = offer(built, LISTED)
    assert by_url[LISTED]["Grüne Liste Prävention"] == "Effektivität nachgewiesen"
    assert by_url[LISTED]["Eintrag in der Grünen Liste"] == listed.green_list.url
    assert by_url[LISTED]["Geprüfte Qualitätskriterien"] == "; ".join(t.label for t in listed.seal.criteria)
    assert by_url[PLAIN]["Grüne Liste Prävention"] == "" == by_url[PLAIN]["Geprüfte Qualitätskriterien"]
