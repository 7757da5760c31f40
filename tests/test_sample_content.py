"""The shipped sample content: valid, complete enough for a Chemnitz teacher, and built end to end."""

import datetime
import re
from collections import Counter

import pytest

from offerdb import cli, pipeline
from offerdb.cli import ROOT
from offerdb.validation import REQUIRED_PAGES

# Fixed, so the sample's seals do not expire under the tests as the calendar moves on.
TODAY = datetime.date(2026, 11, 25)
NETWORK_MEMBERS = {"polizeidirektion-chemnitz", "amt-fuer-jugend-und-familie", "kriminalpraeventiver-rat",
                   "landesamt-schule-bildung", "inpeos", "netzwerk-demokratie-courage"}


@pytest.fixture(scope="module")
def checked():
    return pipeline.check(ROOT / "content", ROOT / "site.yaml", TODAY)


def offers(checked):
    return [r.values for r in checked.validated.records["offer"]]


# Facts only the operator can supply, marked „[Bitte ergänzen: …]“ / „[Bitte prüfen: …]“: the legal pages and the
# Chemnitz contacts of hilfe.yaml. `check` warns about each; the publishing workflow refuses them (--strict).
PLACEHOLDERS = {"content/pages/barrierefreiheit.md": 10, "content/pages/datenschutz.md": 10,
                "content/pages/gebaerdensprache.md": 4, "content/pages/impressum.md": 10, "content/hilfe.yaml": 8}


def test_shipped_content_has_no_problem_but_its_go_live_placeholders(checked):
    others = [f"{p.file}:{p.line} {p.code} {p.message}" for p in checked.problems
              if p.code not in ("placeholder", "example-address")]
    assert others == []
    placeholders = [p for p in checked.problems if p.code == "placeholder"]
    assert all(p.severity == "warning" for p in placeholders)
    assert Counter(p.file for p in placeholders) == PLACEHOLDERS
    for file in PLACEHOLDERS:  # each one written in the file is reported once, on the line where it starts
        lines = (ROOT / file).read_text(encoding="utf-8").split("\n")
        written = [number for number, line in enumerate(lines, start=1) for _ in range(line.count("[Bitte "))
                   if not (file.endswith(".yaml") and line.lstrip().startswith("#"))]  # YAML comments explain them
        assert sorted(p.line for p in placeholders if p.file == file) == written, file
    (address,) = [p for p in checked.problems if p.code == "example-address"]
    assert (address.file, address.line, address.field, address.severity) == ("site.yaml", 5, "base_url", "warning")


def test_check_of_the_shipped_content_passes_but_strict_refuses_the_placeholders(capsys):
    assert cli.main(["check", "--today", TODAY.isoformat()], environ={}) == 0
    out = capsys.readouterr().out
    assert "Alles in Ordnung" not in out
    assert out.splitlines()[-1] == f"0 Fehler, {sum(PLACEHOLDERS.values()) + 1} Warnungen."
    assert cli.main(["check", "--strict", "-q", "--today", TODAY.isoformat()], environ={}) == 1


def test_at_least_24_offers_and_8_partners_including_the_network(checked):
    partners = {r.slug: r.values for r in checked.validated.records["partner"]}
    assert len(offers(checked)) >= 24
    assert len(partners) >= 8
    assert NETWORK_MEMBERS <= set(partners)
    assert all(partners[slug]["network_member"] for slug in NETWORK_MEMBERS)


def test_every_prevention_area_school_type_and_grade_is_covered(checked):
    vocab = checked.validated.vocabularies
    values = offers(checked)
    assert {a for o in values for a in o["prevention_areas"]} == set(vocab["prevention_areas"]["values"])
    assert {s for o in values for s in o["school_types"]} == set(vocab["school_types"]["values"])
    grades = {g for o in values if "grades" in o for g in range(o["grades"]["from"], o["grades"]["to"] + 1)}
    assert grades == set(range(1, 14))


def test_sample_shows_the_variety_schools_meet(checked):
    values = offers(checked)
    assert any(not o["cost"]["free"] for o in values) and any(o["cost"]["free"] for o in values)
    assert {o["evaluation"]["kind"] for o in values} == {"keine", "feedback", "prozess", "wirkung"}
    assert {lvl for o in values for lvl in o["prevention_levels"]} == {"universell", "selektiv", "indiziert"}
    assert any("eltern" in o["audiences"] for o in values)
    assert any("lehrkraefte" in o["audiences"] for o in values)
    assert any(o["status"] == "paused" for o in values)


def test_contact_data_is_illustrative_only():
    """Offers and partners are illustrative: mail and web only on example.org, phones in the 0371 00000 range.
    (Legal pages may link to real authorities such as the data protection supervisor.)"""
    for path in sorted([*(ROOT / "content" / "offers").glob("*.md"), *(ROOT / "content" / "partners").glob("*.md")]):
        text = path.read_text(encoding="utf-8")
        for mail in re.findall(r"[\w.+-]+@[\w.-]+", text):
            assert mail.endswith("example.org"), (path.name, mail)
        for host in re.findall(r"https?://([^/\s)\]>]+)", text):
            assert host == "example.org" or host.endswith(".example.org"), (path.name, host)
    for record in pipeline.check(ROOT / "content", ROOT / "site.yaml", TODAY).validated.records["offer"]:
        phone = record.values["contact"].get("phone", "")
        assert phone == "" or phone.startswith("0371 00000-"), (record.file, phone)


def test_required_pages_exist_with_their_structure(checked):
    pages = {r.slug: r for r in checked.validated.records["page"]}
    assert set(REQUIRED_PAGES) <= set(pages)
    impressum = pages["impressum"].document.body
    assert "§ 5 DDG" in impressum and "§ 18 Abs. 2 MStV" in impressum and "Bitte ergänzen" in impressum
    barrierefreiheit = pages["barrierefreiheit"].document.body
    assert "Schlichtung" in barrierefreiheit and "BITV 2.0" in barrierefreiheit
    assert "Art. 13" in pages["datenschutz"].document.body or "Artikel 13" in pages["datenschutz"].document.body


def test_sample_builds_end_to_end(checked, tmp_path):
    built = pipeline.build(checked, tmp_path / "site", TODAY)
    assert len(built.site.offers) == len(offers(checked))  # all seals valid on TODAY
    for offer in built.site.offers:
        html = (tmp_path / "site" / "angebote" / offer.slug / "index.html").read_text(encoding="utf-8")
        assert f"<h1>{offer.title}</h1>".replace("&", "&amp;") in html.replace("\u00ad", "")  # as it reads
        assert offer.partner.name.replace("&", "&amp;") in html
