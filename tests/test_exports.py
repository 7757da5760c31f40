"""Sitemap, robots.txt, Atom feed, JSON-LD, open data and the browser catalogue, built from the sample content."""

from __future__ import annotations

import csv
import dataclasses
import datetime
import io
import json
import xml.etree.ElementTree as ET
from decimal import Decimal

import pytest

import goldensite
from offerdb import exports, models, pipeline, schema
from offerdb.cli import ROOT
from offerdb.memory import Memory

TODAY = datetime.date(2026, 11, 25)
SUB = "https://example.org/praevention/"
ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
HOSTILE = '</script><script>alert("x")</script> <!-- & \u2028'


@pytest.fixture(scope="module")
def site() -> models.Site:
    checked = pipeline.check(ROOT / "content", ROOT / "site.yaml", TODAY)
    assert checked.settings is not None and checked.validated.ok
    return models.build_site(checked.validated, checked.settings, TODAY)


@pytest.fixture(scope="module")
def sub_site(site) -> models.Site:
    return dataclasses.replace(site, settings=dataclasses.replace(site.settings, base_url=SUB))


def with_offer(site: models.Site, index: int, **changes) -> models.Site:
    """The site with one offer changed (offers are frozen, the site is not shared with other tests)."""
    offers = list(site.offers)
    offers[index] = dataclasses.replace(offers[index], **changes)
    return dataclasses.replace(site, offers=offers)


def by_slug(site: models.Site, slug: str) -> models.Offer:
    return next(o for o in site.offers if o.slug == slug)


# --- sitemap, robots ---


@pytest.mark.parametrize("base", ["https://praevention.example.org/", SUB])
def test_sitemap_lists_absolute_urls_with_lastmod_of_offers(site, base):
    site = dataclasses.replace(site, settings=dataclasses.replace(site.settings, base_url=base))
    offer = site.offers[0]
    paths = ["", "angebote/", f"angebote/{offer.slug}/", "traeger/", "impressum/", "angebote/"]
    root = ET.fromstring(exports.sitemap(site, paths))
    assert root.tag == f"{SITEMAP}urlset"
    urls = {u.findtext(f"{SITEMAP}loc"): u.findtext(f"{SITEMAP}lastmod") for u in root.iter(f"{SITEMAP}url")}
    assert list(urls) == sorted(base + p for p in set(paths))  # one entry per page, stable order
    assert urls[base] is None and urls[base + "traeger/"] is None
    assert urls[f"{base}angebote/{offer.slug}/"] == offer.last_updated.isoformat()
    assert urls[base + "impressum/"] == site.pages["impressum"].last_updated.isoformat()


def test_sitemap_text_is_what_elementtree_writes_with_every_character_escaped(site):
    """The sitemap is written as text for speed; ElementTree's serialisation is the reference."""
    site = dataclasses.replace(site, settings=dataclasses.replace(site.settings, base_url="https://a.example/?a=1&b=<2>/"))
    paths = ["", "impressum/", "x&y<z>/", *(f"angebote/{o.slug}/" for o in site.offers)]
    modified = {f"angebote/{o.slug}/": o.last_updated for o in site.offers}
    modified.update({f"{slug}/": p.last_updated for slug, p in site.pages.items() if p.last_updated})
    urlset = ET.Element("urlset", xmlns=SITEMAP[1:-1])
    for path in sorted(set(paths)):
        url = ET.SubElement(urlset, "url")
        ET.SubElement(url, "loc").text = exports.page_url(site, path)
        if path in modified:
            ET.SubElement(url, "lastmod").text = modified[path].isoformat()
    ET.indent(urlset)
    expected = ET.tostring(urlset, encoding="utf-8", xml_declaration=True) + b"\n"
    assert exports.sitemap(site, paths) == expected
    assert b"&amp;b=&lt;2&gt;" in expected


def test_robots_allows_all_but_the_editor_and_names_the_absolute_sitemap(sub_site):
    lines = exports.robots(sub_site).decode().splitlines()
    assert "User-agent: *" in lines and "Allow: /" in lines and "Disallow: /" not in lines
    assert [line for line in lines if line.startswith("Disallow")] == ["Disallow: /praevention/admin/"]
    assert f"Sitemap: {SUB}sitemap.xml" in lines


# --- Atom feed ---


def test_feed_has_the_twenty_most_recently_updated_offers_newest_first(sub_site):
    feed = ET.fromstring(exports.atom_feed(sub_site))
    entries = feed.findall(f"{ATOM}entry")
    expected = sorted(sub_site.offers, key=lambda o: (o.last_updated, o.slug), reverse=True)[:20]
    assert len(sub_site.offers) > 20 and len(entries) == 20
    assert [e.findtext(f"{ATOM}id") for e in entries] == [f"{SUB}angebote/{o.slug}/" for o in expected]
    assert feed.findtext(f"{ATOM}updated") == f"{expected[0].last_updated.isoformat()}T00:00:00Z"
    first = entries[0]
    assert first.findtext(f"{ATOM}title") == expected[0].title
    assert first.findtext(f"{ATOM}summary") == expected[0].summary
    assert first.find(f"{ATOM}link[@rel='alternate']").get("href") == f"{SUB}angebote/{expected[0].slug}/"
    # Two sample offers share 2026-09-01: the slug decides, whatever order the offers come in.
    reversed_site = dataclasses.replace(sub_site, offers=sub_site.offers[::-1])
    assert exports.atom_feed(reversed_site) == exports.atom_feed(sub_site)


def test_feed_has_the_elements_rfc_4287_requires(sub_site):
    feed = ET.fromstring(exports.atom_feed(sub_site))
    assert feed.tag == f"{ATOM}feed"

    def one(element, name):  # RFC 4287 4.1.1/4.1.2: exactly one id, title, updated
        found = element.findall(f"{ATOM}{name}")
        assert len(found) == 1 and (found[0].text or "").strip(), name
        return found[0].text

    def date_time(text):  # RFC 3339 date-time with a zone
        parsed = datetime.datetime.fromisoformat(text)
        assert parsed.tzinfo is not None
        return parsed

    for name in ("id", "title", "updated"):
        one(feed, name)
    date_time(one(feed, "updated"))
    assert feed.find(f"{ATOM}author/{ATOM}name").text  # feed-level author covers every entry
    assert feed.find(f"{ATOM}link[@rel='self']").get("href") == f"{SUB}feed.xml"
    assert feed.get("{http://www.w3.org/XML/1998/namespace}lang") == "de"
    ids = []
    for entry in feed.findall(f"{ATOM}entry"):
        ids.append(one(entry, "id"))
        one(entry, "title")
        assert date_time(one(entry, "updated")) <= date_time(feed.findtext(f"{ATOM}updated"))
        # 4.1.1.1: an entry without content needs an alternate link and a summary
        assert entry.find(f"{ATOM}content") is None
        assert len(entry.findall(f"{ATOM}link[@rel='alternate']")) == 1
        one(entry, "summary")
    assert len(set(ids)) == len(ids) and all(i.startswith(SUB) for i in ids)


def test_feed_escapes_markup_in_content(site):
    hostile = with_offer(site, 0, title=HOSTILE, summary="Fisch & <b>Chips</b>",
                         last_updated=datetime.date(2030, 1, 1))
    data = exports.atom_feed(hostile)
    assert b"<script>" not in data and b"<b>" not in data
    entry = ET.fromstring(data).find(f"{ATOM}entry")
    assert entry.findtext(f"{ATOM}title") == HOSTILE
    assert entry.findtext(f"{ATOM}summary") == "Fisch & <b>Chips</b>"


# --- JSON-LD ---


def test_jsonld_cannot_close_the_script_element(site):
    offer = dataclasses.replace(site.offers[0], title=HOSTILE, summary="a > b && c < d")
    text = exports.offer_jsonld(offer, site)
    assert not set("<>&\u2028") & set(text)
    assert "</script" not in text.lower()
    data = json.loads(text)
    assert data["name"] == HOSTILE and data["description"] == "a > b && c < d"


def test_jsonld_describes_a_bookable_course(sub_site):
    offer = by_slug(sub_site, "workshop-desinformation-hass-im-netz")  # paid, 180 €
    data = json.loads(exports.offer_jsonld(offer, sub_site))
    url = f"{SUB}angebote/{offer.slug}/"
    assert data["@context"] == "https://schema.org" and data["@type"] == "Course"
    assert data["url"] == data["@id"] == url
    assert data["name"] == offer.title and data["description"] == offer.summary
    assert data["provider"] == {"@type": "Organization", "name": offer.partner.name,
                                "url": offer.partner.contact.url}
    assert data["isAccessibleForFree"] is False
    assert data["offers"][0]["price"] == 180 and data["offers"][0]["priceCurrency"] == "EUR"
    assert data["offers"][0]["category"] == "Paid"
    assert [t.key for t in offer.languages] == ["de", "en"] and data["inLanguage"] == ["de", "en"]
    assert data["dateModified"] == offer.last_updated.isoformat()
    assert [a["educationalRole"] for a in data["audience"]] == [t.label for t in offer.audiences]
    assert all(a["@type"] == "EducationalAudience" for a in data["audience"])
    assert f"Klassenstufe {offer.grades}" in data["educationalLevel"]
    instance = data["hasCourseInstance"][0]
    assert instance["courseMode"] == "Onsite"
    hours, minutes = divmod(offer.duration_minutes * offer.duration_sessions, 60)
    assert instance["courseWorkload"] == f"PT{hours}H" + (f"{minutes}M" if minutes else "")


def test_jsonld_free_blended_and_paused_offers(site):
    free = json.loads(exports.offer_jsonld(by_slug(site, "fortbildung-extremistische-aeusserungen"), site))
    assert free["isAccessibleForFree"] is True and free["offers"][0]["price"] == 0
    assert free["hasCourseInstance"][0]["courseMode"] == "Blended"  # at the school, the provider or online
    paused = json.loads(exports.offer_jsonld(by_slug(site, "soziales-training-klassenklima"), site))
    assert paused["offers"][0]["availability"] == "https://schema.org/OutOfStock"
    signed = dataclasses.replace(site.offers[0], languages=site.vocabularies["languages"].pick(
        ["leichte-sprache", "de", "dgs"]))
    assert json.loads(exports.offer_jsonld(signed, site))["inLanguage"] == ["de", "gsg"]  # BCP 47 tags
    monolingual = dataclasses.replace(site.offers[0], languages=site.vocabularies["languages"].pick(["de"]))
    assert json.loads(exports.offer_jsonld(monolingual, site))["inLanguage"] == "de"
    cheap = json.loads(exports.offer_jsonld(by_slug(site, "bunter-teller-bewegte-pause"), site))
    assert cheap["offers"][0]["price"] == 2.5


# --- open data: CSV ---


def read_csv(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf")  # BOM: Excel reads the file as UTF-8
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""), delimiter=";"))


def test_csv_round_trips_with_bom_umlauts_and_crlf(sub_site):
    data = exports.open_data_csv(sub_site)
    rows = read_csv(data)
    assert data.count(b"\r\n") == len(rows) and b"\n" not in data.replace(b"\r\n", b"")
    header, body = rows[0], rows[1:]
    assert "Träger" in header and "Präventionsbereiche" in header and "Qualitätssiegel gültig bis" in header
    assert "Träger".encode() in data  # UTF-8, not cp1252
    assert [r[header.index("Titel")] for r in body] == [o.title for o in sub_site.offers]
    assert all(len(r) == len(header) for r in body)
    row = dict(zip(header, body[[o.slug for o in sub_site.offers].index("bunter-teller-bewegte-pause")], strict=True))
    offer = by_slug(sub_site, "bunter-teller-bewegte-pause")
    assert row["Träger"] == offer.partner.name
    assert row["Präventionsbereiche"] == "; ".join(t.label for t in offer.prevention_areas)
    assert row["Betrag in Euro"] == "2,50" and row["kostenfrei"] == "nein"
    assert row["Klassenstufen"] == "1–4"
    assert row["Internetadresse"] == f"{SUB}angebote/{offer.slug}/"


def test_csv_neutralises_formulas_and_keeps_separators_inside_cells(site):
    hostile = with_offer(site, 0, title="=HYPERLINK(\"http://evil\";\"klick\")", summary="+49 ist keine Zahl",
                         booking_note="x", contact=dataclasses.replace(site.offers[0].contact, name="@SUM(A1)",
                                                                       email="-1+1", phone="\t=1"))
    hostile = with_offer(hostile, 1, title='Eins; "zwei"\r\ndrei')
    header, first, second = read_csv(exports.open_data_csv(hostile))[:3]
    row = dict(zip(header, first, strict=True))
    assert row["Titel"] == "'=HYPERLINK(\"http://evil\";\"klick\")"
    assert row["Kurzbeschreibung"] == "'+49 ist keine Zahl"
    assert row["Kontakt"] == "'@SUM(A1)" and row["E-Mail"] == "'-1+1" and row["Telefon"] == "'\t=1"
    assert dict(zip(header, second, strict=True))["Titel"] == 'Eins; "zwei"\r\ndrei'
    assert exports.neutralise_formula("\r=1") == "'\r=1" and exports.neutralise_formula("Ä=1") == "Ä=1"


# --- open data: JSON ---


def test_open_data_json_has_every_offer_and_every_field(sub_site):
    data = json.loads(exports.open_data_json(sub_site))
    assert data["license"] == exports.LICENSE == "CC BY 4.0"
    assert data["generated"] == max(o.last_updated for o in sub_site.offers).isoformat()
    assert [o["slug"] for o in data["offers"]] == [o.slug for o in sub_site.offers]
    schema_fields = set(schema.load("offer")["properties"])
    for item in data["offers"]:
        assert schema_fields <= set(item), schema_fields - set(item)
        assert set(item) == set(data["offers"][0])  # same keys in every offer: optional fields are null
        assert item["url"] == f"{SUB}angebote/{item['slug']}/"
        assert item["partner"]["url"].startswith(f"{SUB}traeger/")
    item = data["offers"][[o.slug for o in sub_site.offers].index("projekttag-fuer-demokratie")]
    offer = by_slug(sub_site, "projekttag-fuer-demokratie")
    assert item["prevention_areas"] == [{"key": "demokratiebildung", "label": "Demokratiebildung"},
                                        {"key": "antirassistische-bildung", "label": "Antirassistische Bildung"}]
    assert item["partner"]["name"] == offer.partner.name and item["partner"]["website"] == offer.partner.contact.url
    assert item["grades"] == {"from": 7, "to": 13} and item["age"] is None
    assert item["curriculum"][0] == {"subject": "grw", "subject_label": offer.curriculum[0].subject.label,
                                     "grades": {"from": 9, "to": 10},
                                     "note": "Politische Bildung, Grundrechte und Zusammenleben"}
    assert item["quality_seal"]["valid_until"] == "2028-03-31" and item["evaluation"]["kind"] == "feedback"
    assert item["description_html"] == offer.body_html
    vocab = data["vocabularies"]["formats"]
    assert vocab["values"]["projekttag"] == "Projekttag"


# --- daten/katalog.json ---


def test_document_store_matches_the_structure_list_js_reads(site):
    raw = exports.document_store(site)
    store = json.loads(raw)
    assert raw == json.dumps(store, ensure_ascii=False, separators=(",", ":")).encode()  # compact, umlauts raw
    assert list(store) == ["facets", "offers"]
    names = {"area": "prevention_areas", "school_type": "school_types", "format": "formats",
             "audience": "audiences", "venue": "venues", "language": "languages", "evidence": "evidence_levels"}
    assert list(store["facets"]) == list(names)
    assert store["facets"]["area"]["label"] == site.vocabularies["prevention_areas"].filter_label == "Thema"
    for key, name in names.items():
        terms = site.vocabularies[name].terms
        assert list(store["facets"][key]["values"].items()) == [(k, t.label) for k, t in terms.items()]
    assert [o["slug"] for o in store["offers"]] == [o.slug for o in site.offers]
    required = {"slug", "url", "title", "summary", "partner", "free", "grades", "age", *names, "updated", "paused"}
    for item, offer in zip(store["offers"], site.offers, strict=True):
        assert required <= set(item) and not {"description_html", "body", "goals"} & set(item)
        assert item["url"] == f"angebote/{offer.slug}/"
        assert item["partner"] == offer.partner.name and item["free"] is offer.cost.free
        assert item["grades"] == ([offer.grades.low, offer.grades.high] if offer.grades else None)
        assert item["age"] == ([offer.age.low, offer.age.high] if offer.age else None)
        assert item["updated"] == offer.last_updated.isoformat()
        assert item["paused"] is (offer.status == "paused")
        partner = offer.partner  # the printed Merkliste's postal address
        assert item["contact"]["address"] == f"{partner.street}, {partner.postal_code} {partner.city}"
        for key, name in names.items():
            assert item[key] == [t.key for t in getattr(offer, name)]
            assert set(item[key]) <= set(store["facets"][key]["values"])
    assert sum(item["paused"] for item in store["offers"]) == 1
    paid = store["offers"][[o.slug for o in site.offers].index("workshop-desinformation-hass-im-netz")]
    assert paid["cost"] == "180 €"


def test_every_export_is_deterministic(site):
    calls = [lambda: exports.sitemap(site, ["", "angebote/"]), lambda: exports.robots(site),
             lambda: exports.atom_feed(site), lambda: exports.offer_jsonld(site.offers[0], site),
             lambda: exports.open_data_json(site), lambda: exports.open_data_csv(site),
             lambda: exports.document_store(site)]
    for call in calls:
        assert call() == call()


@pytest.mark.parametrize("name", ["open_data_json", "open_data_csv", "document_store"])
def test_data_files_written_in_parts_have_the_bytes_of_the_joined_file(site, tmp_path, monkeypatch, name):
    from offerdb import output

    joined = getattr(exports, name)(site)
    parts = getattr(exports, name)(site, unjoined=True)
    assert isinstance(parts, list) and len(parts) > len(site.offers)  # not joined beforehand
    monkeypatch.setattr(output, "_IOV_MAX", 7)  # many batches
    real = output.os.writev
    # Every third batch takes only part of its bytes, as a system call may: the rest must follow.
    calls = []

    def short(fd, batch):
        calls.append(len(batch))
        return real(fd, batch[:1]) if len(calls) % 3 == 0 else real(fd, batch)

    monkeypatch.setattr(output.os, "writev", short)
    staging = output.Staging(tmp_path / "site")
    staging.add("daten/datei", parts)
    assert (staging.root / "daten/datei").read_bytes() == joined
    assert len(calls) > 3
    staging.discard()


# --- daten/hilfe.json, daten/hilfe.csv ---


def test_help_json_round_trips_every_contact_with_the_same_keys(sub_site):
    raw = exports.help_json(sub_site)
    data = json.loads(raw)
    assert data["version"] == exports.HELP_DATA_VERSION == 1
    assert data["license"] == "CC BY 4.0" and data["source"] == f"{SUB}hilfe/"
    assert data["last_updated"] == sub_site.help.last_updated.isoformat()
    assert data["prevention_areas"]["suchtpraevention"] == "Suchtprävention"
    assert len(data["contacts"]) == len(sub_site.help.contacts) > 0
    fields = set(schema.load("help")["properties"]["contacts"]["additionalProperties"]["properties"])
    for item, contact in zip(data["contacts"], sub_site.help.contacts, strict=True):
        assert set(item) == set(data["contacts"][0])  # same keys everywhere: empty values are null
        assert (fields - {"url"}) <= set(item) and item["website"] == (contact.url or None)
        back = models.HelpContact(
            key=item["key"], name=item["name"], helps_with=item["helps_with"],
            audiences=tuple(models.Term(a["key"], a["label"]) for a in item["audiences"]),
            phones=tuple(models.Phone(p["number"], p["label"] or "") for p in item["phones"]),
            hours=item["hours"], url=item["website"] or "", anonymous=item["anonymous"], free=item["free"],
            cost_note=item["cost_note"] or "", emergency=item["emergency"],
            prevention_areas=tuple(sub_site.vocabularies["prevention_areas"].terms[a["key"]]
                                   for a in item["prevention_areas"]),
            keywords=tuple(item["keywords"]), note=item["note"] or "")
        assert back == contact
        assert item["url"] == f"{SUB}hilfe/#kontakt-{contact.key}"
        assert [p["tel"] for p in item["phones"]] == [p.href or None for p in contact.phones]
    by_key = {c["key"]: c for c in data["contacts"]}
    assert by_key["kinder-und-jugendtelefon"]["phones"] == [{"number": "116 111", "label": None, "tel": "tel:116111"}]
    assert by_key["jugendamt-chemnitz"]["phones"][0]["tel"] is None  # a placeholder is not dialled


def test_help_csv_round_trips_with_bom_and_neutralised_formulas(sub_site):
    data = exports.help_csv(sub_site)
    rows = read_csv(data)
    assert data.count(b"\r\n") == len(rows)
    header, body = rows[0], rows[1:]
    assert header == [name for name, _ in exports.HELP_CSV_COLUMNS]
    assert len(body) == len(sub_site.help.contacts)
    for row, contact in zip(body, sub_site.help.contacts, strict=True):
        cells = dict(zip(header, row, strict=True))
        assert cells["Name"] == contact.name and cells["Erreichbar"] == contact.hours
        assert cells["Telefon"] == "; ".join(f"{p.label}: {p.number}" if p.label else p.number for p in contact.phones)
        assert cells["anonym"] == ("ja" if contact.anonymous else "nein")
        assert cells["kostenfrei"] == ("ja" if contact.free else "nein")
        assert cells["Präventionsbereiche"] == "; ".join(t.label for t in contact.prevention_areas)
        assert cells["Internetadresse"] == f"{SUB}hilfe/#kontakt-{contact.key}"
    hostile = dataclasses.replace(sub_site.help.contacts[0], name="=HYPERLINK(\"x\")", phones=(models.Phone("+49 1"),))
    site = dataclasses.replace(sub_site, help=dataclasses.replace(sub_site.help, contacts=(hostile,)))
    row = dict(zip(header, read_csv(exports.help_csv(site))[1], strict=True))
    assert row["Name"] == "'=HYPERLINK(\"x\")" and row["Telefon"] == "'+49 1"
    assert exports.help_csv(sub_site) == data and exports.help_json(sub_site) == exports.help_json(sub_site)


# --- golden data files of a small site: every value in its place -------------------------------------------------

DATA_SUFFIXES = (".xml", ".txt", ".json", ".csv", ".jsonld")


@pytest.fixture(scope="module")
def golden_site(tmp_path_factory):
    return goldensite.build(tmp_path_factory.mktemp("golden"))


def test_golden_data_files_are_complete(golden_site):
    _, out = golden_site
    assert goldensite.files(out, DATA_SUFFIXES) == (goldensite.golden_files(DATA_SUFFIXES) if not goldensite.WRITE
                                                   else goldensite.files(out, DATA_SUFFIXES))
    # This test builds the module's site (the first to use the fixture), so it also compares every data file: a
    # tool that maps code to the tests calling it (mutmut) sees the build here only.
    for rel in goldensite.files(out, DATA_SUFFIXES):
        goldensite.compare(out, rel)


@pytest.mark.parametrize("rel", ["feed.xml", "sitemap.xml", "robots.txt", "daten/angebote.json", "daten/angebote.csv",
                                 "daten/katalog.json", "daten/hilfe.json", "daten/hilfe.csv", "daten/dcat.jsonld",
                                 "daten/datapackage.json", "daten/suche/manifest.json"])
def test_golden_data_file(golden_site, rel):
    _, out = golden_site
    goldensite.compare(out, rel)


def test_each_feed_entry_has_its_own_offers_date(golden_site):
    """The date in each entry is that offer's last_updated (another offer's date elsewhere in the feed does not
    count), the newest first, and the feed's own date is the newest; archived offers are not in it."""
    built, out = golden_site
    root = ET.fromstring((out / "feed.xml").read_bytes())
    entries = {e.find(f"{ATOM}title").text: e.find(f"{ATOM}updated").text for e in root.findall(f"{ATOM}entry")}
    assert entries == {"Projekttag Klassenrat": "2026-05-20T00:00:00Z",
                       "Elternabend zu Medien & Sucht": "2026-04-03T00:00:00Z",
                       "Workshop gegen Mobbing": "2026-02-01T00:00:00Z"}
    assert list(entries) == ["Projekttag Klassenrat", "Elternabend zu Medien & Sucht", "Workshop gegen Mobbing"]
    assert root.find(f"{ATOM}updated").text == "2026-05-20T00:00:00Z"


def _key_paths(value, prefix=""):
    """Every key of a JSON value as a path ("offers[].cost.free"); below `vocabularies` only the lists' names."""
    found = set()
    if isinstance(value, dict):
        for key, item in value.items():
            path = f"{prefix}.{key}" if prefix else key
            found.add(path)
            if path.count(".") < 1 or not path.startswith("vocabularies."):
                found |= _key_paths(item, path)
    elif isinstance(value, list):
        for item in value:
            found |= _key_paths(item, prefix + "[]")
    return found


def test_open_data_keys_are_those_of_its_version(golden_site):
    """Renaming, adding or dropping a key of the open data needs a new version number: the keys are pinned here
    to version 1 (the small site has every optional field somewhere, so every key appears)."""
    _, out = golden_site
    offers = json.loads((out / "daten/angebote.json").read_text(encoding="utf-8"))
    assert (exports.OPEN_DATA_VERSION, offers["version"]) == (1, 1)
    assert _key_paths(offers) == OPEN_DATA_V1_KEYS
    help_data = json.loads((out / "daten/hilfe.json").read_text(encoding="utf-8"))
    assert (exports.HELP_DATA_VERSION, help_data["version"]) == (1, 1)
    assert _key_paths(help_data) - {"prevention_areas.mobbing", "prevention_areas.gewaltpraevention"} == HELP_V1_KEYS


OPEN_DATA_V1_KEYS = {
    'generated', 'license', 'license_url', 'offers', 'offers[].age', 'offers[].age.from', 'offers[].age.to',
    'offers[].audiences', 'offers[].audiences[].key', 'offers[].audiences[].label', 'offers[].booking',
    'offers[].booking.lead_time_weeks', 'offers[].booking.note', 'offers[].contact', 'offers[].contact.email',
    'offers[].contact.name', 'offers[].contact.phone', 'offers[].contact.url', 'offers[].cost',
    'offers[].cost.amount_eur', 'offers[].cost.free', 'offers[].cost.note', 'offers[].curriculum',
    'offers[].curriculum[].grades', 'offers[].curriculum[].grades.from', 'offers[].curriculum[].grades.to',
    'offers[].curriculum[].note', 'offers[].curriculum[].subject', 'offers[].curriculum[].subject_label',
    'offers[].description_html', 'offers[].duration', 'offers[].duration.minutes', 'offers[].duration.note',
    'offers[].duration.sessions', 'offers[].evaluation', 'offers[].evaluation.description',
    'offers[].evaluation.kind', 'offers[].evaluation.kind_label', 'offers[].formats', 'offers[].formats[].key',
    'offers[].formats[].label', 'offers[].goals', 'offers[].grades', 'offers[].grades.from', 'offers[].grades.to',
    'offers[].green_list', 'offers[].green_list.level', 'offers[].green_list.level_label',
    'offers[].green_list.url', 'offers[].group_size', 'offers[].group_size.max', 'offers[].group_size.min',
    'offers[].group_size.note', 'offers[].keywords', 'offers[].languages', 'offers[].languages[].key',
    'offers[].languages[].label', 'offers[].last_updated', 'offers[].methods', 'offers[].partner',
    'offers[].partner.name', 'offers[].partner.slug', 'offers[].partner.url', 'offers[].partner.website',
    'offers[].prevention_areas', 'offers[].prevention_areas[].key', 'offers[].prevention_areas[].label',
    'offers[].prevention_levels', 'offers[].prevention_levels[].key', 'offers[].prevention_levels[].label',
    'offers[].quality_seal', 'offers[].quality_seal.criteria', 'offers[].quality_seal.criteria[].key',
    'offers[].quality_seal.criteria[].label', 'offers[].quality_seal.reviewed_by',
    'offers[].quality_seal.reviewed_on', 'offers[].quality_seal.valid_until', 'offers[].school_cooperation',
    'offers[].school_cooperation.follow_up', 'offers[].school_cooperation.preparation', 'offers[].school_types',
    'offers[].school_types[].key', 'offers[].school_types[].label', 'offers[].slug', 'offers[].staff_qualification',
    'offers[].status', 'offers[].status_label', 'offers[].summary', 'offers[].target_group',
    'offers[].theoretical_basis', 'offers[].title', 'offers[].url', 'offers[].venues', 'offers[].venues[].key',
    'offers[].venues[].label', 'publisher', 'source', 'title', 'version', 'vocabularies', 'vocabularies.audiences',
    'vocabularies.evaluation_kinds', 'vocabularies.evidence_levels', 'vocabularies.formats',
    'vocabularies.languages', 'vocabularies.prevention_areas', 'vocabularies.prevention_levels',
    'vocabularies.quality_criteria', 'vocabularies.school_types', 'vocabularies.subjects', 'vocabularies.venues',
}

HELP_V1_KEYS = {
    'contacts', 'contacts[].anonymous', 'contacts[].audiences', 'contacts[].audiences[].key',
    'contacts[].audiences[].label', 'contacts[].cost_note', 'contacts[].emergency', 'contacts[].free',
    'contacts[].helps_with', 'contacts[].hours', 'contacts[].key', 'contacts[].keywords', 'contacts[].name',
    'contacts[].note', 'contacts[].phones', 'contacts[].phones[].label', 'contacts[].phones[].number',
    'contacts[].phones[].tel', 'contacts[].prevention_areas', 'contacts[].prevention_areas[].key',
    'contacts[].prevention_areas[].label', 'contacts[].url', 'contacts[].website', 'last_updated', 'license',
    'license_url', 'prevention_areas', 'publisher', 'source', 'title', 'version',
}


# --- the small conversions, value by value ----------------------------------------------------------------------

def test_durations_prices_formulas_and_language_tags():
    assert [exports._duration(m) for m in (0, 45, 60, 90, 125, 180)] == [
        "PT0M", "PT45M", "PT1H", "PT1H30M", "PT2H5M", "PT3H"]
    assert exports._number(Decimal("150")) == 150 and type(exports._number(Decimal("150.00"))) is int
    assert exports._number(Decimal("2.5")) == 2.5 and type(exports._number(Decimal("2.50"))) is float
    assert [exports._german_decimal(v) for v in (None, Decimal("2.5"), Decimal("150"), Decimal("0.05"))] == [
        "", "2,50", "150,00", "0,05"]
    for start in ("=", "+", "-", "@", "\t", "\r"):
        assert exports.neutralise_formula(f"{start}SUMME(A1)") == f"'{start}SUMME(A1)"
    assert exports.neutralise_formula("Text = Text") == "Text = Text" and exports.neutralise_formula("") == ""
    assert exports._csv_row(["a;b", 'c"d', "e"]) == b'"a;b";"c""d";e\r\n'
    assert exports._yes_no(True) == "ja" and exports._yes_no(False) == "nein"

    def terms(*keys):
        return tuple(models.Term(key, key.upper()) for key in keys)

    assert exports._language_tags(terms("de", "leichte-sprache", "dgs", "tr")) == ["de", "gsg", "tr"]
    assert exports._labels(terms("a", "b")) == "A; B"
    assert exports._pair(None) is None


def test_course_mode_follows_the_venues(site):
    offer = site.offers[0]

    def mode(*keys):
        return exports._course_mode(dataclasses.replace(offer, venues=tuple(models.Term(k, k) for k in keys)))

    assert (mode("in-der-schule"), mode("online"), mode("online", "in-der-schule"), mode()) == (
        "Onsite", "Online", "Blended", "Onsite")


def test_parts_of_a_data_file_join_to_the_whole_and_pieces_are_kept_per_offer(site):
    pieces = exports.Pieces()
    whole = exports.open_data_json(site)
    assert b"".join(exports.open_data_json(site, pieces, unjoined=True)) == whole
    context, kept = pieces._kept["open-data-json"]
    kept = dict(kept)
    assert len(kept) == len(site.offers) and set(kept) == {o.files for o in site.offers}
    assert exports.open_data_json(site, pieces) == whole  # from the pieces
    assert pieces._kept["open-data-json"] == (context, kept)
    memory = Memory()
    assert exports.Pieces.of(memory) is exports.Pieces.of(memory) and exports.Pieces.of(None) is None
    assert exports.document_store(site, exports.Pieces()) == exports.document_store(site)
    assert exports.open_data_csv(site, exports.Pieces()) == exports.open_data_csv(site)
