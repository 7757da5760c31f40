"""What open-data portals harvest about the open data: the DCAT-AP.de description of the dataset and its
distributions (JSON-LD, published as daten/dcat.jsonld and embedded in /daten/) and a Frictionless Data
Package (daten/datapackage.json) that describes every column of daten/angebote.csv with the schema's German
title and its type.

The JSON-LD carries its own context (prefixes only), so a harvester needs no other document to read it.
"""

from __future__ import annotations

import datetime
import json
from typing import Any

from markupsafe import Markup

from . import exports, schema
from .models import Site

# DCAT-AP.de's licence URI for CC BY 4.0 (its controlled vocabulary of licences).
LICENSE_URI = "http://dcat-ap.de/def/licenses/cc-by/4.0"
ATTRIBUTION = "Präventionsnetzwerk Chemnitz"  # what /daten/ asks users to name as the source
# Chemnitz, kreisfreie Stadt: Amtlicher Gemeindeschlüssel 14511000.
GEOCODING = "http://dcat-ap.de/def/politicalGeocoding/municipalityKey/14511000"
GEOCODING_LEVEL = "http://dcat-ap.de/def/politicalGeocoding/Level/municipality"
EU = "http://publications.europa.eu/resource/authority/"
THEMES = {"EDUC": "Bildung, Kultur und Sport", "SOCI": "Bevölkerung und Gesellschaft"}

CONTEXT = {
    "dcat": "http://www.w3.org/ns/dcat#",
    "dct": "http://purl.org/dc/terms/",
    "dcatde": "http://dcat-ap.de/def/dcatde/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "vcard": "http://www.w3.org/2006/vcard/ns#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}

# The distributions: file, German title, description, EU file type, media type.
DISTRIBUTIONS = [
    ("daten/angebote.csv", "Angebote als Tabelle (CSV)",
     "Eine Zeile je Angebot; UTF-8 mit BOM, Semikolon als Trennzeichen. Die Spalten beschreibt "
     "daten/datapackage.json.", "CSV", "text/csv"),
    ("daten/angebote.json", "Angebote als JSON",
     "Alle öffentlichen Felder jedes Angebots, mit den Bezeichnungen der Vokabulare.", "JSON", "application/json"),
    ("feed.xml", "Neue und aktualisierte Angebote (Atom-Feed)",
     f"Die {exports.FEED_SIZE} zuletzt aktualisierten Angebote.", "ATOM", "application/atom+xml"),
]


def _text(value: str) -> dict[str, str]:
    return {"@value": value, "@language": "de"}


def _date(day: datetime.date) -> dict[str, str]:
    return {"@value": day.isoformat(), "@type": "xsd:date"}


def _ref(iri: str) -> dict[str, str]:
    return {"@id": iri}


def dcat(site: Site, modified: datetime.date) -> dict[str, Any]:
    """The catalogue with its one dataset and its distributions; `modified` is the newest offer's date."""
    base = site.settings.base_url
    publisher = {"@id": base + "#herausgeber", "@type": "foaf:Organization", "foaf:name": site.settings.operator,
                 "foaf:homepage": _ref(base)}
    language = _ref(EU + "language/DEU")
    license_ = _ref(LICENSE_URI)
    distributions = [{
        "@id": f"{base}daten/#{path.rsplit('.', 1)[1]}",
        "@type": "dcat:Distribution",
        "dct:title": _text(title),
        "dct:description": _text(description),
        "dcat:accessURL": _ref(base + path),
        "dcat:downloadURL": _ref(base + path),
        "dct:format": _ref(EU + "file-type/" + file_type),
        "dcat:mediaType": _ref("https://www.iana.org/assignments/media-types/" + media_type),
        "dct:license": license_,
        "dcatde:licenseAttributionByText": _text(ATTRIBUTION),
        "dct:modified": _date(modified),
    } for path, title, description, file_type, media_type in DISTRIBUTIONS]
    dataset = {
        "@id": base + "daten/#angebote",
        "@type": "dcat:Dataset",
        "dct:title": _text(f"Präventionsangebote für Schulen – {site.settings.title}"),
        "dct:description": _text(f"{site.settings.description} Jedes Angebot hat die Qualitätsprüfung des "
                                 "Präventionsnetzwerks Chemnitz bestanden; die Angaben stammen von den Trägern."),
        "dct:identifier": base + "daten/",
        "dct:publisher": _ref(publisher["@id"]),
        "dcat:contactPoint": {"@type": "vcard:Organization", "vcard:fn": site.settings.operator,
                              "vcard:hasURL": _ref(base + "impressum/")},
        "dcat:landingPage": _ref(base + "daten/"),
        "dcat:keyword": [_text(t.label) for t in site.vocabularies["prevention_areas"].terms.values()],
        "dcat:theme": [{"@id": EU + "data-theme/" + key, "@type": "skos:Concept", "skos:prefLabel": _text(label)}
                       for key, label in THEMES.items()],
        "dct:language": language,
        "dct:modified": _date(modified),
        "dct:accrualPeriodicity": _ref(EU + "frequency/IRREG"),
        "dct:spatial": _ref(GEOCODING),
        "dcatde:politicalGeocodingURI": _ref(GEOCODING),
        "dcatde:politicalGeocodingLevelURI": _ref(GEOCODING_LEVEL),
        "dcat:distribution": distributions,
    }
    return {
        "@context": CONTEXT,
        "@id": base + "daten/#katalog",
        "@type": "dcat:Catalog",
        "dct:title": _text(site.settings.title),
        "dct:description": _text(site.settings.description),
        "dct:publisher": publisher,
        "foaf:homepage": _ref(base),
        "dct:language": language,
        "dct:license": license_,
        "dct:modified": _date(modified),
        "dcat:themeTaxonomy": {"@id": EU + "data-theme", "@type": "skos:ConceptScheme",
                               "dct:title": _text("Datenthemen der EU")},
        "dcat:dataset": dataset,
    }


def dcat_file(site: Site, modified: datetime.date) -> bytes:
    return (json.dumps(dcat(site, modified), ensure_ascii=False, indent=1) + "\n").encode("utf-8")


def dcat_script(site: Site, modified: datetime.date) -> Markup:
    """The same description for <script type="application/ld+json"> on /daten/ (data, so the CSP allows it)."""
    return Markup(exports.script_safe_json(dcat(site, modified)))


# --- daten/datapackage.json ------------------------------------------------------------------------------

# Each CSV column -> the offer field it shows (its German title and type come from the schema; a path starting
# with "partner" is the provider's field), or None for a column the export makes itself. A column missing here
# fails the build, so the two cannot drift apart.
COLUMN_FIELDS: dict[str, tuple[str, ...] | None] = {
    "Titel": ("title",),
    "Kurzbeschreibung": ("summary",),
    "Träger": ("partner", "name"),
    "Status": ("status",),
    "Präventionsbereiche": ("prevention_areas",),
    "Präventionsebenen": ("prevention_levels",),
    "Teilnehmende": ("audiences",),
    "Klassenstufen": ("grades",),
    "Alter": ("age",),
    "Schularten": ("school_types",),
    "Formate": ("formats",),
    "Minuten je Termin": ("duration", "minutes"),
    "Anzahl der Termine": ("duration", "sessions"),
    "Gruppengröße": ("group_size",),
    "Durchführungsorte": ("venues",),
    "Sprachen": ("languages",),
    "kostenfrei": ("cost", "free"),
    "Betrag in Euro": ("cost", "amount_eur"),
    "Anmerkung zu den Kosten": ("cost", "note"),
    "Vorlauf in Wochen": ("booking", "lead_time_weeks"),
    "Kontakt": ("contact", "name"),
    "E-Mail": ("contact", "email"),
    "Telefon": ("contact", "phone"),
    "Qualitätssiegel gültig bis": ("quality_seal", "valid_until"),
    "Zuletzt aktualisiert": ("last_updated",),
    "Internetadresse": None,
    "Geprüfte Qualitätskriterien": ("quality_seal", "criteria"),
    "Grüne Liste Prävention": ("green_list", "level"),
    "Eintrag in der Grünen Liste": ("green_list", "url"),
}
# How the CSV writes what the schema calls a range ("7–13", "10–28"): text, never a date or number.
_RANGE_NOTE = "Von–bis mit Halbgeviertstrich, z. B. „7–13“; eine Zahl, wenn beide gleich sind."


def _required(kind: str, path: tuple[str, ...]) -> bool:
    """Whether every step of the path is required where it stands (then every row has a value)."""
    node: dict[str, Any] | None = schema.load(kind)
    for part in path:
        node = schema.resolve(node) if node is not None else None
        if node is None or part not in node.get("required", []):
            return False
        node = schema.child(node, part)
    return True


def _csv_field(name: str) -> dict[str, Any]:
    path = COLUMN_FIELDS[name]
    if path is None:
        return {"name": name, "title": "Internetadresse der Angebotsseite", "type": "string", "format": "uri",
                "constraints": {"required": True, "unique": True}}
    kind, path, prefix = ("partner", path[1:], "Träger › ") if path[0] == "partner" else ("offer", path, "")
    node = schema.at(kind, path) or {}
    field: dict[str, Any] = {"name": name, "title": prefix + schema.label(kind, path), "type": "string"}
    if node.get("description"):
        field["description"] = node["description"]
    value_type = node.get("type")
    if value_type == "integer":
        field["type"] = "integer"
    elif value_type == "number":
        field.update(type="number", decimalChar=",")  # German Excel reads "12,50" as a number
    elif value_type == "boolean":
        field.update(type="boolean", trueValues=["ja"], falseValues=["nein"])
    elif node.get("format") == "date":
        field["type"] = "date"
    elif value_type == "array":
        field["description"] = (field.get("description", "") + " Mehrere Werte durch „; “ getrennt, mit den "
                                "Bezeichnungen aus den Vokabularen.").strip()
    elif value_type == "object":
        field["description"] = (field.get("description", "") + " " + _RANGE_NOTE).strip()
    elif "x-labels" in node:
        field["constraints"] = {"enum": list(node["x-labels"].values())}
        field["description"] = (field.get("description", "") + " In der Tabelle steht die Bezeichnung.").strip()
    elif "x-vocabulary" in node:
        field["description"] = (field.get("description", "") + " Die Bezeichnung aus dem Vokabular.").strip()
    if _required(kind, path):
        field.setdefault("constraints", {})["required"] = True
    return field


def datapackage(site: Site, modified: datetime.date) -> bytes:
    """Frictionless Data Package (v1, tabular) for daten/angebote.csv."""
    package = {
        "profile": "tabular-data-package",
        "name": "praeventionsangebote",
        "title": f"Präventionsangebote für Schulen – {site.settings.title}",
        "description": site.settings.description,
        "homepage": site.settings.base_url + "daten/",
        "keywords": [t.label for t in site.vocabularies["prevention_areas"].terms.values()],
        "licenses": [{"name": "CC-BY-4.0", "path": "https://creativecommons.org/licenses/by/4.0/",
                      "title": "Creative Commons Namensnennung 4.0 International"}],
        "contributors": [{"title": site.settings.operator, "role": "publisher", "path": site.settings.base_url}],
        "created": f"{modified.isoformat()}T00:00:00Z",
        "resources": [{
            "profile": "tabular-data-resource",
            "name": "angebote",
            "path": "angebote.csv",
            "title": "Präventionsangebote",
            "format": "csv",
            "mediatype": "text/csv",
            "encoding": "utf-8",  # with a byte order mark, which readers of UTF-8 CSV skip
            "dialect": {"delimiter": ";", "lineTerminator": "\r\n", "quoteChar": '"', "doubleQuote": True,
                        "header": True},
            "schema": {"fields": [_csv_field(name) for name, _ in exports.CSV_COLUMNS],
                       "primaryKey": ["Internetadresse"]},
        }],
    }
    return (json.dumps(package, ensure_ascii=False, indent=1) + "\n").encode("utf-8")
