"""German search quality (issue 4, item 2), each against real lunr.js and search.js in node, never an imitation.

The helpers here are also used by test_search_index.py."""

from __future__ import annotations

import dataclasses
import datetime
import json
import subprocess
import tempfile
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

import pytest

from offerdb import models, pipeline
from offerdb import search as offer_search
from offerdb.memory import digest
from offerdb.search import german

ROOT = Path(__file__).resolve().parents[1]
HARNESS = ROOT / "tests" / "js" / "harness.js"
TODAY = datetime.date(2026, 11, 25)


def node(mode: str, payload: dict, *args: str) -> dict:
    done = subprocess.run(["node", str(HARNESS), mode, *args], input=json.dumps(payload), capture_output=True,
                          text=True, encoding="utf-8", check=False, timeout=300)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


@lru_cache(maxsize=1)
def sample_site() -> models.Site:
    checked = pipeline.check(ROOT / "content", ROOT / "site.yaml", TODAY)
    assert checked.settings is not None and checked.validated.ok
    return models.build_site(checked.validated, checked.settings, TODAY)


def edited(offer: models.Offer, **changes) -> models.Offer:
    """The offer as an edit of its file would make it: other values, and with them a new name and hash of the
    file (`source`, which is what the search keys an offer's terms by)."""
    changed = dataclasses.replace(offer, **changes)
    return dataclasses.replace(changed, source=f"{changed.slug} {digest(repr((changed, changed.body_html)).encode())}")


class Indexed(NamedTuple):
    """The search data of some documents, written to a folder as a site has it, and each number's ref."""

    folder: Path
    refs: list[str]


def indexed(documents: list[tuple[str, dict[str, str]]]) -> Indexed:
    """The published search data for documents given as (slug, {"title": …, "text": …, "body": …})."""
    files, refs = offer_search.search_data(documents)
    folder = Path(tempfile.mkdtemp(prefix="offerdb-search-"))
    for path, data in files.items():
        (folder / path).parent.mkdir(parents=True, exist_ok=True)
        (folder / path).write_bytes(data)
    return Indexed(folder, refs)


def searched(index: Indexed, queries: list[str], full: bool = False) -> dict:
    """search.js run in node over `index`: per query its results (refs as slugs) and the files it fetched."""
    done = node("search", {"queries": queries, "full": full}, str(index.folder))
    for results in done["results"].values():
        for hit in results:
            hit["ref"] = index.refs[hit["ref"]]
    return done


def search(index: Indexed, queries: list[str]) -> dict[str, list[dict]]:
    """search.js's OfferdbSearch.search (the sharded path) for each query, run in node on `index`."""
    return searched(index, queries)["results"]


def refs(results: list[dict]) -> list[str]:
    return [r["ref"] for r in results]


def doc(slug: str, title: str, text: str = "", body: str = "") -> tuple[str, dict[str, str]]:
    return slug, {"title": title, "text": text, "body": body}


# Small offers that contain the words of the examples; "neutral" ones keep the idf meaningful.
DOCS = [
    doc("inflection", "Workshop für Klassen", "Mit Schülern der Oberschule.", "Drei Fortbildungen im Jahr."),
    doc("gender-star", "Projekttag", "Für Schüler*innen der Klassen 7 bis 9."),
    doc("gender-colon", "Theater", "Für Schüler:innen ab Klasse 5."),
    doc("gender-binnen", "Elternabend", "Wir laden SchülerInnen und Eltern ein."),
    doc("gender-plain", "Planspiel", "Für Schülerinnen der Oberstufe."),
    doc("teachers", "Fortbildung", "Ein Nachmittag für Lehrerinnen und Lehrer."),
    doc("violence", "Gewaltprävention in der Grundschule", "Ein Training gegen Gewalt."),
    doc("addiction", "Suchtprävention mit Theater", "Alkohol und Nikotin.", "Ein Projekt der Fachstelle."),
    doc("cyber", "Unser Klassenchat", "Regeln gegen Cybermobbing im Netz."),
    doc("street", "Sicher über die Straße", "Verkehrserziehung für die Klasse 1."),
    doc("rules", "Überprüfung der Klassenregeln", "Nach drei Monaten."),
    doc("democracy", "Klassenrat", "Demokratiebildung von Anfang an."),
    doc("media", "Sicher im Netz", "Medienkompetenz für Kinder."),
    doc("title-hit", "Zivilcourage zeigen", "Ein Training für Klassen."),
    doc("body-hit", "Ein Tag für die Klasse", "Gemeinsam stark.",
        "Wir üben im Rollenspiel, wie Zivilcourage im Alltag aussieht, und besprechen Beispiele."),
    doc("neutral-1", "Bewegte Pause", "Spiele für den Schulhof."),
    doc("neutral-2", "Gesund frühstücken", "Ernährung in der Grundschule."),
]


@pytest.fixture(scope="module")
def results():
    queries = ["Schüler", "Fortbildung", "Lehrerin", "Prävention", "Mobbing", "Schueler", "Strasse", "Demokr",
               "Medienkompetnz", "Zivilcourage", "Gewaltprävention", "Grundschule Gewalt", "Zivilcurage", "und",
               "Medienkompetenz", "Suchtpräventionsprojekt", "Prävention Alkohol", "Schülerinnen", "Ueberpruefung"]
    return search(indexed(DOCS), queries)


def test_inflection_schueler_finds_schuelern_and_fortbildung_finds_fortbildungen(results):
    assert "inflection" in refs(results["Schüler"])
    assert "inflection" in refs(results["Fortbildung"])
    assert "teachers" in refs(results["Fortbildung"])


def test_gender_forms_are_found_by_the_masculine_word(results):
    found = refs(results["Schüler"])
    for slug in ("gender-star", "gender-colon", "gender-binnen", "gender-plain"):
        assert slug in found
    assert refs(results["Lehrerin"]) == ["teachers"]
    assert {"gender-star", "gender-colon", "gender-binnen", "gender-plain"} <= set(refs(results["Schülerinnen"]))


def test_gender_forms_become_one_word_and_its_masculine_base():
    for text in ("Schüler*innen", "Schüler:innen", "Schüler_innen", "SchülerInnen", "Schüler/-innen",
                 "Schüler(innen)", "Schülerinnen"):
        assert german.words(text) == ["schülerinnen", "schüler"], text
    assert german.words("Lehrerin") == ["lehrerin", "lehrer"]
    assert german.words("Termin in Berlin, Medizin") == ["termin", "in", "berlin", "medizin"]


def test_compound_parts_are_found(results):
    assert set(refs(results["Prävention"])) == {"violence", "addiction"}
    assert refs(results["Mobbing"]) == ["cyber"]


def test_a_compound_is_split_into_the_parts_the_dictionary_knows_without_the_linking_s():
    dictionary = {"gewalt", "prävention", "gewaltprävention", "programm", "sucht", "projekt"}
    assert german.compound_parts("gewaltpräventionsprogramm", dictionary) == [
        "gewaltprävention", "gewalt", "prävention", "programm"]
    assert german.compound_parts("suchtprojekt", dictionary) == ["sucht", "projekt"]
    assert german.compound_parts("projektsucht", dictionary) == ["projekt", "sucht"]
    assert german.compound_parts("gewaltsprojekt", dictionary - {"gewalt"}) == ["projekt"]


def test_a_compound_in_the_query_is_split_when_the_index_lacks_it(results):
    # no offer contains "Suchtpräventionsprojekt"; its parts "Suchtprävention" and "Projekt" are words of the index
    assert refs(results["Suchtpräventionsprojekt"]) == ["addiction"]
    assert refs(results["Prävention Alkohol"]) == ["addiction"]


def test_transliteration_ue_and_ss(results):
    assert refs(results["Schueler"]) == refs(results["Schüler"])
    assert refs(results["Strasse"]) == ["street"]
    assert refs(results["Ueberpruefung"]) == ["rules"]  # two letters away: no typo tolerance would find it


def test_prefix_while_typing_and_one_typo(results):
    assert refs(results["Demokr"]) == ["democracy"]
    assert refs(results["Medienkompetnz"]) == ["media"]
    assert refs(results["Zivilcurage"])[:2] == refs(results["Zivilcourage"])[:2]


def test_every_word_of_the_query_must_match(results):
    assert refs(results["Grundschule Gewalt"]) == ["violence"]
    assert results["und"] == []


def test_a_title_match_ranks_above_a_match_in_the_description(results):
    assert refs(results["Zivilcourage"]) == ["title-hit", "body-hit"]


def test_terms_name_what_matched_for_highlighting(results):
    (hit,) = [r for r in results["Gewaltprävention"] if r["ref"] == "violence"]
    assert "gewaltpravention" in hit["terms"]
    assert "demokratiebild" in results["Demokr"][0]["terms"]


def test_names_polizei_finds_the_offers_of_the_polizeidirektion():
    site = sample_site()
    index = indexed(offer_search.index_documents(site))
    expected = {o.slug for o in site.offers if o.partner.slug == "polizeidirektion-chemnitz"}
    assert expected
    assert expected <= set(refs(search(index, ["Polizei"])["Polizei"]))


def test_the_typo_rule_starts_at_five_letters():
    """One typo is forgiven in words of five letters or more: "Pauze" finds "Pause", "Nerz" (four) not "Netz"."""
    found = search(indexed(DOCS), ["Pauze", "Pause", "Nerz", "Netz", "Gewallt"])
    assert refs(found["Pauze"]) == refs(found["Pause"]) == ["neutral-1"]
    assert refs(found["Netz"]) and refs(found["Nerz"]) == []
    assert refs(found["Gewallt"]) == ["violence"]


def test_completion_starts_at_three_letters():
    """While typing, a word of three letters or more is completed ("Gew" finds "Gewalt"); two letters are not."""
    found = search(indexed(DOCS), ["Gew", "Ge", "Demo"])
    assert refs(found["Gew"]) == ["violence"]
    assert found["Ge"] == []
    assert refs(found["Demo"]) == ["democracy"]
