"""Metadata that open-data portals harvest: the DCAT-AP.de description (JSON-LD, read with pyld without any
network) and the Frictionless data package of the CSV (validated with frictionless)."""

from __future__ import annotations

import csv
import dataclasses
import datetime
import html
import io
import json
import re
import shutil
from pathlib import Path

import pytest
from frictionless import validate
from pyld import jsonld

from offerdb import exports, metadata, pipeline, schema
from offerdb.cli import ROOT

TODAY = datetime.date(2026, 11, 25)
DCAT = "http://www.w3.org/ns/dcat#"
DCT = "http://purl.org/dc/terms/"
FOAF = "http://xmlns.com/foaf/0.1/"
SKOS = "http://www.w3.org/2004/02/skos/core#"
# DCAT-AP.de 3.0, overview of classes: the properties marked "Pflicht" (mandatory), plus the dataset's
# distributions, without which there is nothing to harvest.
MANDATORY = {
    DCAT + "Catalog": [DCT + "title", DCT + "description", DCT + "publisher", DCAT + "dataset"],
    DCAT + "Dataset": [DCT + "title", DCT + "description", DCT + "publisher", DCAT + "distribution"],
    DCAT + "Distribution": [DCAT + "accessURL", DCT + "license"],
    FOAF + "Organization": [FOAF + "name"],
    SKOS + "Concept": [SKOS + "prefLabel"],
    SKOS + "ConceptScheme": [DCT + "title"],
}


def offline_loader(url, options=None):
    """pyld's document loader without network. The description carries its own context (prefixes only), so
    there is nothing to serve: a request for any document fails the test."""
    raise AssertionError(f"the JSON-LD asked for a remote document: {url}")


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> tuple[pipeline.Built, Path]:
    checked = pipeline.check(ROOT / "content", ROOT / "site.yaml", TODAY)
    out = tmp_path_factory.mktemp("site") / "site"
    return pipeline.build(checked, out, TODAY), out


def nodes(document: dict) -> dict[str, list[dict]]:
    """Every node of the expanded, flattened graph by type."""
    flat = jsonld.flatten(document, None, {"documentLoader": offline_loader})
    by_type: dict[str, list[dict]] = {}
    for node in flat:
        for kind in node.get("@type", []):
            by_type.setdefault(kind, []).append(node)
    return by_type


def value(node: dict, prop: str) -> str:
    (entry,) = node[prop]
    return entry.get("@value", entry.get("@id"))


def test_dcat_description_has_every_mandatory_property_of_dcat_ap_de(built):
    site, out = built
    document = json.loads((out / "daten" / "dcat.jsonld").read_text(encoding="utf-8"))
    expanded = jsonld.expand(document, {"documentLoader": offline_loader})
    assert expanded and expanded[0]["@type"] == [DCAT + "Catalog"]
    graph = nodes(document)
    for kind, properties in MANDATORY.items():
        assert graph.get(kind), kind
        for node in graph[kind]:
            missing = [p for p in properties if not node.get(p)]
            assert missing == [], (kind, node["@id"], missing)

    (catalog,), (dataset,) = graph[DCAT + "Catalog"], graph[DCAT + "Dataset"]
    (publisher,) = graph[FOAF + "Organization"]
    assert value(catalog, DCT + "publisher") == value(dataset, DCT + "publisher") == publisher["@id"]
    assert value(publisher, FOAF + "name") == site.site.settings.operator  # from site.yaml
    assert value(catalog, DCT + "title") == site.site.settings.title
    newest = max(o.last_updated for o in site.site.offers)
    assert dataset[DCT + "modified"] == [{"@value": newest.isoformat(), "@type": "http://www.w3.org/2001/XMLSchema#date"}]
    assert value(dataset, "http://dcat-ap.de/def/dcatde/politicalGeocodingURI").endswith("/14511000")  # Chemnitz

    distributions = graph[DCAT + "Distribution"]
    assert {value(d, DCAT + "accessURL") for d in distributions} == {
        "https://praevention.example.org/daten/angebote.csv", "https://praevention.example.org/daten/angebote.json",
        "https://praevention.example.org/feed.xml"}
    for distribution in distributions:
        assert value(distribution, DCT + "license") == "http://dcat-ap.de/def/licenses/cc-by/4.0"
        assert value(distribution, DCT + "format").startswith(
            "http://publications.europa.eu/resource/authority/file-type/")
        file = value(distribution, DCAT + "downloadURL").removeprefix("https://praevention.example.org/")
        assert (out / file).is_file(), file
    assert {d["@id"] for d in distributions} == {d["@id"] for d in dataset[DCAT + "distribution"]}


def test_publisher_and_address_follow_site_yaml(built):
    site = built[0].site
    other = dataclasses.replace(site, settings=dataclasses.replace(
        site.settings, operator="Anderer Betreiber e. V.", base_url="https://example.org/praevention/"))
    graph = nodes(metadata.dcat(other, TODAY))
    (publisher,) = graph[FOAF + "Organization"]
    assert value(publisher, FOAF + "name") == "Anderer Betreiber e. V."
    assert all(value(d, DCAT + "accessURL").startswith("https://example.org/praevention/")
               for d in graph[DCAT + "Distribution"])


def test_data_page_embeds_the_same_description_and_links_both_files(built):
    _, out = built
    page = (out / "daten" / "index.html").read_text(encoding="utf-8")
    (embedded,) = re.findall(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)
    assert json.loads(embedded) == json.loads((out / "daten" / "dcat.jsonld").read_text(encoding="utf-8"))
    hrefs = set(re.findall(r'href="([^"]+)"', page))
    assert {"/daten/dcat.jsonld", "/daten/datapackage.json"} <= hrefs
    assert "DCAT-AP.de" in html.unescape(page) and "Frictionless Data Package" in page


@pytest.fixture
def package(built, tmp_path) -> Path:
    """daten/datapackage.json and the CSV in a folder of their own."""
    for name in ("datapackage.json", "angebote.csv"):
        shutil.copy(built[1] / "daten" / name, tmp_path / name)
    return tmp_path


def test_frictionless_validates_the_package_and_the_csv(built, package):
    report = validate(str(package / "datapackage.json"))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
    (task,) = report.tasks
    assert task.stats["rows"] == len(built[0].site.offers)
    assert task.stats["fields"] == len(exports.CSV_COLUMNS)


def test_every_csv_column_is_described_with_its_german_title_and_type(package):
    descriptor = json.loads((package / "datapackage.json").read_text(encoding="utf-8"))
    (resource,) = descriptor["resources"]
    fields = resource["schema"]["fields"]
    header = next(csv.reader(io.StringIO((package / "angebote.csv").read_text(encoding="utf-8-sig")),
                             delimiter=";"))
    assert [f["name"] for f in fields] == header == [name for name, _ in exports.CSV_COLUMNS]
    by_name = {f["name"]: f for f in fields}
    assert by_name["Minuten je Termin"]["title"] == schema.label("offer", ("duration", "minutes"))
    assert {name: by_name[name]["type"] for name in ("Titel", "Minuten je Termin", "kostenfrei", "Betrag in Euro",
                                                      "Zuletzt aktualisiert", "Grüne Liste Prävention")} == {
        "Titel": "string", "Minuten je Termin": "integer", "kostenfrei": "boolean", "Betrag in Euro": "number",
        "Zuletzt aktualisiert": "date", "Grüne Liste Prävention": "string"}
    assert by_name["Betrag in Euro"]["decimalChar"] == ","
    assert by_name["Titel"]["constraints"] == {"required": True} and "constraints" not in by_name["Alter"]
    assert by_name["Status"]["constraints"]["enum"] == ["buchbar", "zurzeit nicht buchbar", "archiviert"]
    assert descriptor["licenses"][0]["name"] == "CC-BY-4.0"
    assert resource["dialect"]["delimiter"] == ";"


def rewrite_csv(path: Path, change) -> None:
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"), newline=""), delimiter=";"))
    change(rows)
    out = io.StringIO(newline="")
    csv.writer(out, delimiter=";", lineterminator="\r\n").writerows(rows)
    path.write_bytes(("\ufeff" + out.getvalue()).encode("utf-8"))


@pytest.mark.parametrize("column, bad", [("Minuten je Termin", "neunzig"), ("kostenfrei", "vielleicht"),
                                          ("Zuletzt aktualisiert", "1.9.2026"), ("Status", "ausgebucht")])
def test_the_described_types_catch_a_wrong_value(package, column, bad):
    rewrite_csv(package / "angebote.csv", lambda rows: rows[1].__setitem__(rows[0].index(column), bad))
    report = validate(str(package / "datapackage.json"))
    assert not report.valid
    assert [(e[0], e[1]) for e in report.flatten(["rowNumber", "fieldName"])] == [(2, column)]


def test_a_renamed_column_no_longer_matches(package):
    rewrite_csv(package / "angebote.csv", lambda rows: rows[0].__setitem__(0, "Name"))
    assert not validate(str(package / "datapackage.json")).valid


def test_every_export_column_has_a_description():
    assert list(metadata.COLUMN_FIELDS) == [name for name, _ in exports.CSV_COLUMNS]
