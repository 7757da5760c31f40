"""The quality schema and the rules: conversion of strings, German messages, positions, cross-file rules."""

import datetime
import functools
import json
import os
import shutil
from decimal import Decimal
from pathlib import Path

import pytest
import yaml

from casekit import BASE
from mutations import paths as _paths
from mutations import replace as _replace
from offerdb import pipeline, schema
from offerdb.loading import split_front_matter
from offerdb.validation import REQUIRED_PAGES


def problem(site, code):
    found = [p for p in site.check().problems if p.code == code]
    assert found, f"no {code} in {site.codes()}"
    return found[0]


def test_base_fixture_is_clean(site):
    assert site.check().problems == []


def test_schema_converts_strings_to_its_types(site):
    site.offer(cost={"free": "false", "amount_eur": "2,50", "note": "pro Person"},
               duration={"minutes": "090", "sessions": "2"})
    checked = site.check()
    assert checked.problems == []
    values = checked.validated.records["offer"][0].values
    assert values["cost"] == {"free": False, "amount_eur": Decimal("2.50"), "note": "pro Person"}
    assert values["duration"] == {"minutes": 90, "sessions": 2}


def test_booleans_accept_german_ja_nein_but_not_yaml11_words(site):
    site.offer(cost={"free": "ja"})
    assert site.codes() == []
    site.offer(cost={"free": "yes"})
    p = problem(site, "wrong-type")
    assert (p.field, p.message) == ("cost.free", "„Kosten › kostenfrei“ muss true oder false sein, hier steht „yes“.")


def test_strings_that_look_like_numbers_stay_text_where_the_schema_wants_text(site):
    data, body = site.read_front("content/partners/traeger-a.md")
    data["address"]["postal_code"] = "01067"
    site.write_front("content/partners/traeger-a.md", data, body)
    checked = site.check()
    assert checked.problems == []
    assert checked.validated.records["partner"][0].values["address"]["postal_code"] == "01067"


def test_unknown_nested_field_names_the_group_and_suggests(site):
    site.offer(contact={"name": "Büro", "emial": "a@example.org", "phone": "0371 1234"})
    p = problem(site, "unknown-field")
    assert p.field == "contact.emial"
    assert p.message == "Das Feld „emial“ gibt es in „Kontakt“ nicht."
    assert p.hint == "Meinten Sie „email“?"


def test_missing_required_field_points_at_its_group(site):
    site.offer(quality_seal={"reviewed_on": "2026-01-15", "reviewed_by": "Steuerungsgruppe"})
    p = problem(site, "missing-field")
    assert p.field == "quality_seal.valid_until"
    assert p.line == site.check().validated.records["offer"][0].document.positions.keys[("quality_seal",)][0]


def test_if_then_cost_rule(site):
    site.offer(cost={"free": "false"})
    assert sorted(p.field for p in site.check().problems) == ["cost.amount_eur", "cost.note"]


def test_evaluation_needs_description_unless_none(site):
    site.offer(evaluation={"kind": "keine"})
    assert site.codes() == []
    site.offer(evaluation={"kind": "feedback"})
    assert [p.field for p in site.check().problems] == ["evaluation.description"]


def test_age_can_replace_grades(site):
    site.offer(grades=None, age={"from": "14", "to": "18"})
    assert site.codes() == []


def test_vocabulary_extension_needs_no_code_change(site):
    site.offer(formats=["zirkus"])
    assert site.codes() == ["unknown-vocabulary-value"]
    vocab = site.content / "vocabularies.yaml"
    vocab.write_text(vocab.read_text(encoding="utf-8").replace(
        "    workshop:\n", "    zirkus:\n      label: Zirkusprojekt\n    workshop:\n"), encoding="utf-8")
    assert site.codes() == []


def test_invalid_vocabulary_key_in_vocabularies_file(site):
    vocab = site.content / "vocabularies.yaml"
    vocab.write_text(vocab.read_text(encoding="utf-8").replace("    workshop:\n", "    Workshop:\n"),
                     encoding="utf-8")
    found = {(p.code, p.file) for p in site.check().problems}
    assert ("invalid-key", "content/vocabularies.yaml") in found


def test_every_vocabulary_the_schema_uses_exists_in_shipped_content():
    import yaml
    from offerdb.cli import ROOT
    shipped = yaml.safe_load((ROOT / "content" / "vocabularies.yaml").read_text(encoding="utf-8"))
    assert set(schema.vocabularies_used()) <= set(shipped)


def test_seal_expiry_is_relative_to_today(site):
    site.offer(quality_seal={"reviewed_on": "2026-01-15", "reviewed_by": "Steuerungsgruppe",
                             "valid_until": "2026-07-31"})
    assert site.codes(today=datetime.date(2026, 5, 1)) == []
    assert site.codes(today=datetime.date(2026, 6, 1)) == ["seal-expiring"]
    assert site.codes(today=datetime.date(2026, 7, 31)) == ["seal-expiring"]
    assert site.codes(today=datetime.date(2026, 8, 1)) == ["seal-expired", "partner-without-offers"]


def test_expiry_warning_window_comes_from_site_yaml(site):
    site.config.write_text(site.config.read_text(encoding="utf-8").replace(
        "warn_days_before_expiry: 60", "warn_days_before_expiry: 10"), encoding="utf-8")
    site.offer(quality_seal={"reviewed_on": "2026-01-15", "reviewed_by": "Steuerungsgruppe",
                             "valid_until": "2026-06-20"})
    assert site.codes() == []


def test_archived_offer_gets_no_seal_warning_but_partner_does(site):
    site.offer(status="archived", quality_seal={"reviewed_on": "2020-01-15", "reviewed_by": "Steuerungsgruppe",
                                                "valid_until": "2021-01-31"})
    assert site.codes() == ["partner-without-offers"]


def test_partner_warning_is_not_raised_while_its_offer_has_errors(site):
    site.offer(status="aktiv")
    assert site.codes() == ["not-allowed"]


def test_slugs_clash_after_casefold_and_nfc(site):
    import unicodedata
    site.offer(slug=unicodedata.normalize("NFC", "übung"))
    site.offer(slug=unicodedata.normalize("NFD", "Übung"))
    codes = site.codes()
    assert codes.count("duplicate-slug") == 1
    assert codes.count("invalid-slug") == 2


def test_page_with_h1_in_body_is_warned(site):
    site.write("content/pages/impressum.md", "---\ntitle: Impressum\nsummary: Angaben zum Betreiber.\n---\n"
               "# Impressum\n\n```\n# kein Titel im Code\n```\n")
    p = problem(site, "heading-level")
    assert (p.file, p.line, p.column, p.severity, p.field, p.message, p.hint) == (
        "content/pages/impressum.md", 5, 1, "warning", "",
        "Eine Überschrift mit „# “ wäre eine zweite Hauptüberschrift neben dem Titel.",
        "Beginnen Sie Überschriften im Text mit „## “.")
    assert site.codes().count("heading-level") == 1


def test_required_pages_are_the_footer_links():
    from offerdb.rendering import TEMPLATES
    base = (TEMPLATES / "base.html").read_text(encoding="utf-8")
    for slug in REQUIRED_PAGES:
        assert f"url('{slug}/')" in base


def test_problems_are_sorted_by_file_and_line_and_cover_all_files(site):
    site.offer(slug="b-angebot", title="", partner="fehlt")
    site.offer(slug="a-angebot", summary="kurz")
    problems = site.check().problems
    assert [(p.file, p.line) for p in problems] == sorted((p.file, p.line) for p in problems)
    assert {p.file for p in problems} == {"content/offers/a-angebot.md", "content/offers/b-angebot.md"}


def test_bad_site_yaml_is_reported_with_its_file(site):
    site.config.write_text(site.config.read_text(encoding="utf-8").replace(
        "https://praevention.test/", "http://praevention.test"), encoding="utf-8")
    p = problem(site, "invalid-format")
    assert (p.file, p.field, p.line) == ("site.yaml", "base_url", 3)


def test_a_field_without_its_colon_is_named_where_yaml_reads_it_as_text(site):
    """YAML reads these without complaint, as other fields or texts; the report names the missing colon."""
    path = site.content / "offers" / "angebot-a.md"
    original = path.read_text(encoding="utf-8")
    for old, new, line, field, message in [
        ("title: Workshop gegen Mobbing\n", 'title "Workshop: gegen Mobbing"\n', 2, "title",
         "Nach dem Feldnamen „title“ fehlt der Doppelpunkt."),
        ("title: Workshop gegen Mobbing\n", 'title:"Workshop: gegen Mobbing"\n', 2, "title",
         "Nach „title:“ fehlt ein Leerzeichen."),
        ("booking:\n  lead_time_weeks: 4\n", "booking:\n  lead_time_weeks:4\n", 54, "booking.lead_time_weeks",
         "Nach „lead_time_weeks:“ fehlt ein Leerzeichen."),
    ]:
        assert old in original
        path.write_text(original.replace(old, new), encoding="utf-8")
        errors = [(p.code, p.line, p.field, p.message) for p in site.check().problems if p.is_error]
        assert errors == [("yaml-syntax", line, field, message)], new


def test_vocabulary_aliases_are_checked_by_the_schema(site):
    vocab = site.content / "vocabularies.yaml"
    text = vocab.read_text(encoding="utf-8")
    vocab.write_text(text.replace("      label: Workshop\n", "      label: Workshop\n      aliases: [Kurs, Seminar]\n"),
                     encoding="utf-8")
    checked = site.check()
    assert checked.problems == []
    assert checked.validated.vocabularies["formats"]["values"]["workshop"]["aliases"] == ["Kurs", "Seminar"]
    vocab.write_text(text.replace("      label: Workshop\n", "      label: Workshop\n      aliases: Kurs\n"),
                     encoding="utf-8")
    found = [(p.code, p.file, p.field) for p in site.check().problems]
    assert found == [("wrong-type", "content/vocabularies.yaml", "formats.values.workshop.aliases")]


# --- golden reports: every field of every kind of file, given wrong values, gives exactly these problems ---------
# Each variant changes one value of the small test site (tests/fixtures/base) to one of twelve wrong values
# (GOLDEN_WRONG) and records the whole report: file,
# line, column, severity, code, field, message and hint of every problem, in order. A message that changes, a
# position one line off, a rule that stops applying to a field: each changes a report here. After a deliberate
# change of messages or rules, regenerate with
#     OFFERDB_WRITE_GOLDEN=1 .venv/bin/python -m pytest tests/test_validation.py -k golden
# and read the diff of tests/golden/validation.json before committing it.

GOLDEN = Path(__file__).resolve().parent / "golden" / "validation.json"
GOLDEN_FILES = ["content/offers/angebot-a.md", "content/partners/traeger-a.md", "content/pages/impressum.md",
                "content/hilfe.yaml", "content/vocabularies.yaml", "site.yaml"]
GOLDEN_WRONG = {"leer": None, "text": "x", "datum": "2026-02-30", "zahl": "-1", "null": "0", "liste": ["x"],
                "leere-liste": [], "doppelt": ["Wert eins", "Wert eins"],
                "zwoelf": [f"Eintrag Nummer {n}" for n in range(12)], "lang": "Wort " * 62,
                "gruppe": {"from": "9", "to": "2"}, "weg": "REMOVE"}


def _golden_data(rel: str):
    text = (BASE / rel).read_text(encoding="utf-8")
    if rel.endswith(".md"):
        front, body, _, _ = split_front_matter(text, rel)
        return yaml.safe_load(front), body
    return yaml.safe_load(text), None


def _golden_variants() -> list[tuple[str, str, tuple, str]]:
    variants = []
    for rel in GOLDEN_FILES:
        data, _ = _golden_data(rel)
        for path in _paths(data):
            if not path:
                continue
            for name, wrong in GOLDEN_WRONG.items():
                if wrong == "REMOVE" and isinstance(path[-1], int):
                    continue
                variants.append((f"{rel}:{'.'.join(map(str, path))}:{name}", rel, path, name))
    return variants


def _without(value, path):
    copy = dict(value) if isinstance(value, dict) else list(value)
    if len(path) == 1:
        del copy[path[0]]
    else:
        copy[path[0]] = _without(value[path[0]], path[1:])
    return copy


def _golden_report(tmp_path: Path, rel: str, path: tuple, name: str) -> list[list]:
    root = tmp_path / "src"
    shutil.copytree(BASE, root)
    data, body = _golden_data(rel)
    wrong = GOLDEN_WRONG[name]
    changed = _without(data, path) if wrong == "REMOVE" else _replace(data, path, wrong)
    dumped = yaml.safe_dump(changed, allow_unicode=True, sort_keys=False)
    (root / rel).write_text(dumped if body is None else f"---\n{dumped}---\n{body}", encoding="utf-8")
    try:
        checked = pipeline.check(root / "content", root / "site.yaml", GOLDEN_TODAY)
    finally:
        shutil.rmtree(root)
    return [[p.file, p.line, p.column, p.severity, p.code, p.field, p.message, p.hint] for p in checked.problems]


GOLDEN_TODAY = datetime.date(2026, 6, 1)
GOLDEN_VARIANTS = _golden_variants()


@pytest.fixture(scope="module")
def golden():
    return json.loads(GOLDEN.read_text(encoding="utf-8")) if GOLDEN.exists() else {}


@pytest.mark.parametrize("rel", GOLDEN_FILES)
def test_golden_reports_for_wrong_values_in_every_field(tmp_path, golden, rel):
    found = {key: _golden_report(tmp_path, rel_, path, name)
             for key, rel_, path, name in GOLDEN_VARIANTS if rel_ == rel}
    if os.environ.get("OFFERDB_WRITE_GOLDEN"):
        everything = json.loads(GOLDEN.read_text(encoding="utf-8")) if GOLDEN.exists() else {}
        everything = {k: v for k, v in everything.items() if not k.startswith(rel + ":")} | found
        GOLDEN.parent.mkdir(exist_ok=True)
        lines = [f"{json.dumps(k, ensure_ascii=False)}: {json.dumps(v, ensure_ascii=False)}"
                 for k, v in sorted(everything.items())]
        GOLDEN.write_text("{\n" + ",\n".join(lines) + "\n}\n", encoding="utf-8")  # a variant per line
    expected = {key: value for key, value in golden.items() if key.startswith(rel + ":")}
    assert len(found) > 10
    for key in found:  # one variant at a time, so a failure names the field and the value
        assert found[key] == expected.get(key), key
    assert set(found) == set(expected)


def _hints_for(tmp_path, **changes) -> list[tuple[str, str, str]]:
    """(code, field, hint) of every problem when the base offer's fields are set to `changes`; None is written
    as an empty value (`field:`), as an editor leaves it."""
    root = tmp_path / "hints"
    shutil.rmtree(root, ignore_errors=True)
    shutil.copytree(BASE, root)
    file = root / "content/offers/angebot-a.md"
    front, body, _, _ = split_front_matter(file.read_text(encoding="utf-8"), "angebot-a.md")
    data = {**yaml.safe_load(front), **changes}
    text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False).replace(": null\n", ":\n").replace("- null\n",
                                                                                                      "-\n")
    file.write_text(f"---\n{text}---\n{body}", encoding="utf-8")
    checked = pipeline.check(root / "content", root / "site.yaml", GOLDEN_TODAY)
    return [(p.code, p.field, p.hint) for p in checked.problems]


def test_an_empty_field_says_whether_it_is_required_and_under_which_condition(tmp_path):
    hints = functools.partial(_hints_for, tmp_path)
    assert hints(cost={"free": False, "amount_eur": None, "note": "pro Klasse"}) == [
        ("empty-value", "cost.amount_eur", "Das Feld ist bei „free: false“ Pflicht: Tragen Sie einen Wert ein.")]
    assert hints(cost={"amount_eur": None}) == [
        ("missing-field", "cost.free", ""),
        ("empty-value", "cost.amount_eur", "Das Feld ist bei „free: false“ Pflicht: Tragen Sie dann einen Wert ein, "
                                           "sonst löschen Sie die ganze Zeile.")]
    assert hints(cost={"free": True, "amount_eur": None})[1] == (
        "empty-value", "cost.amount_eur", "Das Feld ist freiwillig: Tragen Sie einen Wert ein oder löschen Sie die "
                                          "ganze Zeile.")
    assert hints(evaluation={"kind": "feedback", "description": None}) == [
        ("empty-value", "evaluation.description", "Das Feld ist Pflicht, außer bei „kind: keine“: Tragen Sie einen "
                                                  "Wert ein.")]
    assert hints(evaluation={"kind": "keine", "description": None}) == [
        ("empty-value", "evaluation.description", "Das Feld ist freiwillig: Tragen Sie einen Wert ein oder löschen "
                                                  "Sie die ganze Zeile.")]
    assert hints(green_list={"level": None, "url": "https://x.de/"}) == [
        ("empty-value", "green_list.level", "Das Feld ist Pflicht: Tragen Sie einen Wert ein. Brauchen Sie die "
                                            "freiwillige Angabe „Grüne Liste Prävention“ nicht, löschen Sie den "
                                            "ganzen Block „green_list:“ samt seinen Unterzeilen.")]
    assert hints(goals=[None]) == [
        ("empty-value", "goals[1]", "Tragen Sie hinter „- “ einen Wert ein oder löschen Sie die ganze Zeile.")]
    # a required field of a required group: no word about deleting the group
    assert hints(quality_seal={"reviewed_on": None, "reviewed_by": "Steuerungsgruppe",
                               "valid_until": datetime.date(2028, 1, 1)}) == [
        ("empty-value", "quality_seal.reviewed_on", "Das Feld ist Pflicht: Tragen Sie einen Wert ein.")]


def test_the_reference_conversion_agrees_with_the_fast_one():
    """schema.coerce_reference is the plain recursive conversion that schema.coerce (compiled per schema) must
    equal; both turn exactly the strings the schema asks for into numbers, decimals, booleans and dates."""
    offer = schema.load("offer")
    data = {"title": "01067", "cost": {"free": "nein", "amount_eur": "2,50", "note": "x"},
            "duration": {"minutes": "090", "sessions": "x"}, "grades": {"from": "5", "to": "7"},
            "goals": ["1", "ja"], "unknown": {"a": "1"}, "quality_seal": {"valid_until": "2026-02-30"}}
    expected = {"title": "01067", "cost": {"free": False, "amount_eur": Decimal("2.50"), "note": "x"},
                "duration": {"minutes": 90, "sessions": "x"}, "grades": {"from": 5, "to": 7},
                "goals": ["1", "ja"], "unknown": {"a": "1"}, "quality_seal": {"valid_until": "2026-02-30"}}
    assert schema.coerce_reference(data, offer) == expected == schema.coerce(data, offer)
    assert type(schema.coerce_reference(data, offer)["cost"]["amount_eur"]) is Decimal
    assert schema.coerce_reference(["1", "x"], {"items": {"type": "integer"}}) == [1, "x"]
    assert schema.coerce_reference("ja", None) == "ja"
    assert schema.coerce_reference(None, offer) is None


@pytest.mark.parametrize("status", ["active", "paused", "archived"])
def test_the_rules_of_an_offer_apply_whatever_its_status(tmp_path, status):
    """Ranges, cost, contact and dates are checked for paused and archived offers too; only the seal's expiry
    is not a concern of an archived offer."""
    root = tmp_path / "status"
    shutil.copytree(BASE, root)
    file = root / "content/offers/angebot-a.md"
    front, body, _, _ = split_front_matter(file.read_text(encoding="utf-8"), "angebot-a.md")
    data = yaml.safe_load(front)
    data.update(status=status, grades={"from": 9, "to": 5}, group_size={"min": 30, "max": 10},
                cost={"free": True, "amount_eur": 5}, contact={"name": "Projektkoordination"},
                last_updated=datetime.date(2026, 6, 3),
                quality_seal={"reviewed_on": datetime.date(2026, 6, 5), "reviewed_by": "Steuerungsgruppe",
                              "valid_until": datetime.date(2026, 6, 4)})
    file.write_text(f"---\n{yaml.safe_dump(data, allow_unicode=True, sort_keys=False)}---\n{body}", encoding="utf-8")
    found = [(p.severity, p.code, p.field, p.line)
             for p in pipeline.check(root / "content", root / "site.yaml", GOLDEN_TODAY).problems
             if p.file == "content/offers/angebot-a.md"]
    expected = [("error", "invalid-range", "grades.to", 17), ("error", "invalid-range", "group_size.max", 27),
                ("error", "amount-for-free-offer", "cost.amount_eur", 34), ("error", "missing-contact", "contact", 50),
                ("error", "date-in-future", "quality_seal.reviewed_on", 55),
                ("error", "seal-dates", "quality_seal.valid_until", 57),
                ("error", "date-in-future", "last_updated", 58)]
    if status != "archived":
        expected.append(("warning", "seal-expiring", "quality_seal.valid_until", 57))
    assert sorted(found, key=lambda p: (p[3], p[1])) == sorted(expected, key=lambda p: (p[3], p[1]))


# --- the compiled validity check (a build-speed optimisation) changes speed, never results -------------------
# (moved from test_benchmarks.py: schema tests belong here, where mutation testing runs them)

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from offerdb.loading import load_content  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent

_VOCABULARY = {"prevention_areas": {"mobbing", "medienbildung"}, "formats": {"workshop"}}


def _check_term(vocabulary: str, key: str) -> str | None:
    allowed = _VOCABULARY.get(vocabulary)
    return None if allowed is None or key in allowed else f"{key} nicht in {vocabulary}"


def _sample_documents() -> list[tuple[str, dict]]:
    """Front matter of every shipped file and of the base fixture, as the loader reads it (all strings)."""
    found = []
    for folder in (ROOT / "content", ROOT / "tests" / "fixtures" / "base" / "content"):
        for kind, documents in load_content(folder).documents.items():
            found += [(kind, d.data) for d in documents]
    return found


SAMPLES = _sample_documents()
# Values that hit every keyword: wrong types, bounds, patterns, formats, vocabularies, if/then/else.
_ODD = st.sampled_from([None, "", "x", "0", "-1", "15", "601", "2,50", "0,0", "true", "nein", "ja ", "2026-02-30",
                        "2026-09-01", "keine", "feedback", "mobbing", "Mobbing", "a@example.org", "kein@",
                        "https://x.example.org/", "http://x.org", "0371 000000", "09111", [], ["x"], ["x", "x"],
                        ["mobbing", "mobbing"], [None], [{}], {}, {"from": "9", "to": "2"}, {"free": "false"},
                        {"free": "true", "amount_eur": "5"}, {"kind": "keine"}, {"kind": "wirkung"}])


@st.composite
def _mutated(draw):
    kind, data = draw(st.sampled_from(SAMPLES))
    for _ in range(draw(st.integers(0, 3))):
        paths = [p for p in _paths(data) if p]
        if not paths:
            break
        path = draw(st.sampled_from(paths))
        if draw(st.booleans()) and isinstance(data, dict) and len(path) == 1:
            data = {k: v for k, v in data.items() if k != path[0]}  # a missing field
        else:
            data = _replace(data, path, draw(_ODD))
    if draw(st.booleans()) and isinstance(data, dict):
        data = {**data, draw(st.sampled_from(["extra", "note", "age", "grades", "keywords"])): draw(_ODD)}
    return kind, data


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_mutated())
def test_compiled_validity_check_agrees_with_jsonschema(case):
    kind, data = case
    values = schema.coerce(data, schema.load(kind))
    assert values == schema.coerce_reference(data, schema.load(kind))
    assert [type(v) for v in _leaves(values)] == [type(v) for v in _leaves(schema.coerce_reference(
        data, schema.load(kind)))]  # Decimal stays Decimal, bool stays bool
    validator = schema.Validator(kind, _check_term)
    fast = schema.compile_is_valid(kind, _check_term)(values)
    token = schema._CHECK_TERM.set(_check_term)
    try:
        full = list(validator._validator.iter_errors(values))
    finally:
        schema._CHECK_TERM.reset(token)
    # True must mean valid; the only allowed "unsure" is uniqueItems over lists that are not all strings.
    assert not (fast and full)
    if not fast and not full:
        assert _has_non_string_list(values)
    assert [e.message for e in validator.iter_errors(values)] == [e.message for e in full]


def _leaves(value):
    if isinstance(value, dict):
        for item in value.values():
            yield from _leaves(item)
    elif isinstance(value, list):
        for item in value:
            yield from _leaves(item)
    else:
        yield value


def _has_non_string_list(value) -> bool:
    if isinstance(value, dict):
        return any(_has_non_string_list(v) for v in value.values())
    if isinstance(value, list):
        return any(not isinstance(v, str) for v in value) or any(_has_non_string_list(v) for v in value)
    return False


def test_compiled_check_rejects_what_each_keyword_forbids():
    kind, data = next((k, d) for k, d in SAMPLES if k == "offer")
    is_valid = schema.compile_is_valid("offer", _check_term)
    offer = schema.coerce({**data, "prevention_areas": ["mobbing"], "formats": ["workshop"]}, schema.load("offer"))
    assert is_valid(offer)
    broken = [
        {**offer, "title": "Kurz"},  # minLength
        {**offer, "prevention_areas": ["gibt-es-nicht"]},  # x-vocabulary
        {**offer, "cost": {"free": False}},  # if/then: amount and note required
        {**offer, "duration": {**offer["duration"], "minutes": 5}},  # minimum
        {**offer, "contact": {**offer["contact"], "url": "http://example.org/"}},  # pattern via $ref
        {**offer, "last_updated": "2026-02-30"},  # format date
        {**offer, "unknown": "x"},  # additionalProperties
        {k: v for k, v in offer.items() if k != "title"},  # required
    ]
    for document in broken:
        assert not is_valid(document)


def test_compiled_check_takes_lengths_at_their_bounds():
    """A title of exactly minLength or maxLength characters is valid, one character beyond either is not."""
    kind, data = next((k, d) for k, d in SAMPLES if k == "offer")
    is_valid = schema.compile_is_valid("offer", _check_term)
    offer = schema.coerce({**data, "prevention_areas": ["mobbing"], "formats": ["workshop"]}, schema.load("offer"))
    title = schema.resolve(schema.load("offer")["properties"]["title"])
    low, high = title["minLength"], title["maxLength"]
    assert is_valid({**offer, "title": "x" * low}) and is_valid({**offer, "title": "x" * high})
    assert not is_valid({**offer, "title": "x" * (low - 1)}) and not is_valid({**offer, "title": "x" * (high + 1)})


def test_a_schema_that_refers_to_itself_inside_an_if_falls_back_to_jsonschema(monkeypatch):
    """The compiled check is built from the whole schema up front, so a schema that refers to itself can only be
    compiled forever; it gives up (Unsupported) at a depth that must count the levels inside an `if` too, and the
    validator then lets jsonschema walk the instance, which ends."""
    node = {"type": "object",
            "if": {"properties": {"part": {"$ref": "#/$defs/node"}}},  # the recursion runs only through "if"
            "then": {"required": ["name"]}}
    tree = {"$id": "offerdb:tree", "$defs": {"node": node}, "$ref": "#/$defs/node"}
    original = schema.load
    schema.registry()  # cached with the shipped schemas before `load` is replaced
    monkeypatch.setattr(schema, "load", lambda kind: tree if kind == "offer" else original(kind))
    with pytest.raises(schema.Unsupported, match="recursive schema"):
        schema.compile_is_valid("offer", _check_term)
    validator = schema.Validator("offer", _check_term)
    # {} lacks its name; so {"part": {}} fails the condition and needs none; its parent passes it and needs one
    assert [(list(e.path), e.validator, e.message) for e in validator.iter_errors({"part": {"part": {}}})] == [
        ([], "required", "'name' is a required property")]
    assert validator.iter_errors({"name": "a", "part": {"part": {}}}) == []
