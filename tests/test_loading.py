"""Strict loading: exact strings, rejected YAML features, encodings and front matter."""

import os
import stat
import unicodedata

import pytest
import yaml

import specialfiles
from offerdb import loading
from offerdb.fieldguide import load_vocabularies
from offerdb.problems import Problem
from offerdb.loading import (MAX_DEPTH, MAX_FILE_BYTES, field_name, load_content, parse_yaml, read_body, read_bytes,
                             read_document, read_text, read_yaml_file, special_file_problem, split_front_matter)


def parse(text):
    value, positions, problems = parse_yaml(text, "t.md")
    return value, positions, [(p.code, p.line, p.column, p.field) for p in problems]


@pytest.mark.parametrize("written", ["NO", "on", "yes", "01067", "12:30", "1.10", "1e3", "0x1F", "2026-01-01",
                                     "null", "true", ".inf"])
def test_yaml_11_scalars_stay_exactly_as_written(written):
    value, _, problems = parse(f"key: {written}\nlist:\n  - {written}\n")
    assert problems == []
    assert value == {"key": written, "list": [written]}


def test_empty_value_is_none_and_quoted_empty_is_a_string():
    value, _, _ = parse('a:\nb: ~\nc: ""\n')
    assert value == {"a": None, "b": None, "c": ""}


def test_positions_of_keys_values_and_list_items_are_one_based_and_offset():
    value, positions, _ = parse_yaml("title: X\ngoals:\n  - eins\n  - zwei\n", "t.md", line_offset=1)
    assert positions.keys[("title",)] == (2, 1)
    assert positions.values[("title",)] == (2, 8)
    assert positions.values[("goals", 1)] == (5, 5)
    assert positions.of(("goals",)) == (3, 1)
    assert positions.of(("goals", 1, "missing")) == (5, 5)


def test_duplicate_key_is_reported_at_the_second_and_first_value_is_kept():
    value, _, problems = parse("title: A\nsummary: B\ntitle: C\n")
    assert problems == [("duplicate-key", 3, 1, "title")]
    assert value["title"] == "A"


@pytest.mark.parametrize("text, code", [
    ("a: &x 1\nb: 2\n", "yaml-anchor"),
    ("a: 1\nb: *x\n", "yaml-alias"),
    ("a:\n  <<: {b: 1}\n", "yaml-merge-key"),
    ("a: !!int 5\n", "yaml-tag"),
    ("a: !custom 5\n", "yaml-tag"),
    ("? [a, b]\n: c\n", "yaml-complex-key"),
])
def test_yaml_features_that_hide_values_are_rejected(text, code):
    _, _, problems = parse(text)
    assert [p[0] for p in problems] == [code]


def test_alias_to_undefined_anchor_is_still_reported_as_alias():
    _, _, problems = parse("a: *nirgends\n")
    assert [p[0] for p in problems] == ["yaml-alias"]


def test_tab_is_reported_with_line_and_column():
    _, _, problems = parse("a: 1\nb:\n\t- x\n")
    assert problems == [("tab", 3, 1, "")]


@pytest.mark.parametrize("text, line, column, field", [
    ("a: b: c\n", 1, 5, "a"),
    ('a: "offen\n', 1, 4, "a"),  # where the quote opens, not where the file ends
    ("a: @x\n", 1, 4, "a"),
    ("a:\n  - x\n - y\n", 3, 2, "a[2]"),
    ("a:\n  - name: x: y\n", 2, 12, "name"),
])
def test_syntax_errors_have_german_message_position_and_field(text, line, column, field):
    _, _, problems = parse(text)
    assert problems == [("yaml-syntax", line, column, field)]


@pytest.mark.parametrize("text, line, column, field, message", [
    # The parser notices these lines further down (on the next key, or on a comment line in between).
    ("a: 1\ntitel Starke Klasse\n\n# Kommentar\nsummary: x\n", 2, 6, "titel",
     "Nach dem Feldnamen „titel“ fehlt der Doppelpunkt."),
    ("a: 1\nstatus:active\n\n# Kommentar\n# noch einer\nnext: 2\n", 2, 7, "status",
     "Nach „status:“ fehlt ein Leerzeichen."),
    ("booking:\n  # Kommentar\n  lead_time_weeks 6\n  # Kommentar\n  note: x\n", 3, 18, "booking.lead_time_weeks",
     "Nach dem Feldnamen „lead_time_weeks“ fehlt der Doppelpunkt."),
    ("liste:\n  - a: 1\n    b:2\n    c: 3\n", 3, 6, "liste[1].b", "Nach „b:“ fehlt ein Leerzeichen."),
    ("c:\n  - subject: e\n    grades:\n      from: 5\n   - subject: g\n", 5, 4, "c[2]",
     "Dieser Listeneintrag ist anders eingerückt als Zeile 12, die zur selben Liste gehört: 3 statt 2 Leerzeichen."),
    # Our files indent by two spaces: of two fields, the one off that step is blamed, even if it comes first.
    ("b:\n    l: 6\n  n: x\n", 2, 5, "b.l",
     "Die Zeile ist anders eingerückt als Zeile 13, die zur selben Gruppe gehört: 4 statt 2 Leerzeichen."),
    ("c:\n - s: e\n    g: 5\n", 2, 2, "c[1]",
     "Der Listeneintrag ist 1 Leerzeichen eingerückt, die Felder darunter passen aber zu 2 Leerzeichen."),
    ("s: >-\n   erste Zeile\n  zweite Zeile\nt: x\n", 2, 4, "s",
     "Die Zeile ist anders eingerückt als Zeile 13 desselben Textes: 3 statt 2 Leerzeichen."),
    ("c:\n  - subject ethik\n    grades: 5\n", 2, 12, "c[1].subject",
     "Nach dem Feldnamen „subject“ fehlt der Doppelpunkt."),
    ("s:\n  p >-\n    Text\n  f: x\n", 2, 4, "s.p", "Nach dem Feldnamen „p“ fehlt der Doppelpunkt."),
    ("d:\n  m: 90\n  note: ein Schultag mit\n  Pausen\ng: 1\n", 4, 3, "d.note",
     "Diese Zeile ist keine Angabe der Form „feld: Wert“."),
    ("goals:\n  - a\n  b\nx: 1\n", 3, 3, "goals[2]",
     "Die Zeile steht zwischen den Einträgen einer Liste, beginnt aber nicht mit „- “."),
])
def test_syntax_error_names_the_line_the_editor_got_wrong(text, line, column, field, message):
    _, _, problems = parse_yaml(text, "t.md", line_offset=10)
    assert [(p.code, p.line, p.column, p.field, p.message) for p in problems] == [
        ("yaml-syntax", line + 10, column, field, message)]


@pytest.mark.parametrize("text", [
    # Values that start on the line after their key, a block text, a URL and a time are all fine: the real
    # mistake comes later and is reported where the parser finds it.
    "t:\n  Klassen 7 bis 13\n  weiter\nu: https://x.example.org\nz: 12:30\ns: >-\n  a b\n  c d\nx: [a\n",
])
def test_valid_lines_before_a_mistake_are_not_blamed(text):
    _, _, problems = parse_yaml(text, "t.md")
    assert [(p.line, p.field, p.message) for p in problems] == [(9, "x", "Eine eckige Klammer wird nicht geschlossen.")]


def _parser_words(text):
    """libyaml's own (English) description of why `text` is not YAML, if it is not."""
    loader = yaml.CSafeLoader(text)
    try:
        while loader.get_event():
            pass
    except yaml.YAMLError as exc:
        return {w for w in (getattr(exc, "problem", None), getattr(exc, "context", None)) if w}
    finally:
        loader.dispose()
    return set()


def test_no_parser_english_reaches_the_editor():
    from hypothesis import given, settings, strategies as st

    pieces = st.sampled_from(["\n", "  ", " ", "- ", "a:", "b: ", "title ", "x", "status:", "#", "\"", "'", "[",
                              "{", "]", "}", "&", "*", "!", "|", ">", "%", "@", "`", "?", ",", "---", "<<: "])

    @settings(max_examples=600, deadline=None, derandomize=True)
    @given(st.lists(pieces, max_size=40).map("".join))
    def run(text):
        words = _parser_words(text)
        for problem in parse_yaml(text, "x.md")[2]:
            shown = problem.message + problem.hint + problem.field
            assert not any(w in shown for w in words), (text, problem)

    run()


def test_comments_after_plain_values_are_recorded_for_content_only():
    """YAML drops " #…" after a plain value; the loader keeps where, so validation can warn about cut-off text.
    Quoted and block values keep their "#", and a comment on its own line or after a key cuts nothing."""
    text = ("summary: Regeln aufstellen. #MobbingStoppen\n"
            "title: \"Bleibt # ganz\"\n"
            "# eigene Zeile\n"
            "key:   # nach einem Feldnamen\n"
            "methods:\n  - Rollenspiel # mit Video\n  # eingerückt\n"
            "text: >-\n  a #b\n  c\n"
            "flow: [a, b] # c\n"
            "url: https://x.example.org/#anker\n")
    value, positions, problems = parse_yaml(text, "t.md", 1, content=True)
    assert problems == []
    assert value["summary"] == "Regeln aufstellen." and value["title"] == "Bleibt # ganz" and value["text"] == "a #b c"
    assert positions.comments == {("summary",): (2, 29, "#MobbingStoppen"), ("methods", 0): (7, 17, "# mit Video")}
    assert parse_yaml(text, "site.yaml")[1].comments == {}


def test_syntax_error_message_is_german_with_hint():
    _, _, problems = parse_yaml("a: b: c\n", "t.md")
    assert problems[0].message == "Unerwarteter Doppelpunkt."
    assert "Anführungszeichen" in problems[0].hint


def test_control_character_is_reported():
    _, _, problems = parse("a: x\x07y\n")
    assert problems == [("yaml-control-character", 1, 5, "")]


def test_bom_crlf_and_nfc(tmp_path):
    decomposed = unicodedata.normalize("NFD", "Schülerinnen")
    path = tmp_path / "x.md"
    path.write_bytes(b"\xef\xbb\xbf" + f"---\r\ntitle: {decomposed}\r\n---\r\nText\r\n".encode())
    text, problems = read_text(path, "x.md")
    assert problems == []
    assert text == "---\ntitle: Schülerinnen\n---\nText\n"
    assert unicodedata.is_normalized("NFC", text)


def test_invalid_utf8_names_line_and_column(tmp_path):
    path = tmp_path / "x.md"
    path.write_bytes(b"---\ntitle: ok\nsummary: Gr" + "ü".encode("cp1252") + b"n\n---\n")
    text, problems = read_text(path, "x.md")
    assert text is None
    assert [(p.code, p.line, p.column) for p in problems] == [("invalid-utf8", 3, 12)]
    assert "UTF-8" in problems[0].hint


def test_size_limit_is_inclusive(tmp_path):
    ok, big = tmp_path / "ok.md", tmp_path / "big.md"
    ok.write_bytes(b"a" * MAX_FILE_BYTES)
    big.write_bytes(b"a" * (MAX_FILE_BYTES + 1))
    assert read_text(ok, "ok.md")[1] == []
    assert [p.code for p in read_text(big, "big.md")[1]] == ["file-too-large"]


@pytest.mark.parametrize("text, code", [
    ("title: x\n", "missing-front-matter"),
    ("", "missing-front-matter"),
    ("---\ntitle: x\nText\n", "unclosed-front-matter"),
])
def test_front_matter_must_be_opened_and_closed(text, code):
    *_, problems = split_front_matter(text, "x.md")
    assert [p.code for p in problems] == [code]


def test_front_matter_split_keeps_body_and_its_line():
    front, body, first_line, problems = split_front_matter("\n---\na: 1\n---\nText\n", "x.md")
    assert (front, body, first_line, problems) == ("a: 1\n", "Text\n", 3, [])


def test_document_lines_count_from_file_start(tmp_path):
    path = tmp_path / "slug.md"
    path.write_text("---\ntitle: A\nsummary: B\n---\nBody\n", encoding="utf-8")
    doc, problems = read_document(path, "content/offers/slug.md", "offer")
    assert problems == []
    assert doc.slug == "slug"
    assert doc.positions.keys[("summary",)] == (3, 1)
    assert doc.body_line == 5


def test_front_matter_that_is_a_list_is_rejected(tmp_path):
    path = tmp_path / "slug.md"
    path.write_text("---\n- a\n- b\n---\nBody\n", encoding="utf-8")
    doc, problems = read_document(path, "slug.md", "offer")
    assert doc is None
    assert [p.code for p in problems] == ["front-matter-not-mapping"]


def test_field_name_counts_list_items_from_one():
    assert field_name(("curriculum", 0, "grades", "to")) == "curriculum[1].grades.to"
    assert field_name(()) == ""


# --- nesting depth ----------------------------------------------------------------------------------

def nested(style, depth):
    """`depth` lists or mappings, each inside the one before, around the value "x"; and the (line, column)
    where the one nested inside MAX_DEPTH others starts."""
    if style == "flow-list":
        return "[" * depth + "x" + "]" * depth + "\n", (1, MAX_DEPTH + 1)
    if style == "flow-mapping":
        return "{a: " * depth + "x" + "}" * depth + "\n", (1, 4 * MAX_DEPTH + 1)
    if style == "block-list":  # compact: "- - - x"
        return "- " * depth + "x\n", (1, 2 * MAX_DEPTH + 1)
    # block mappings, one space more indentation per level
    return "".join(" " * i + "a:\n" for i in range(depth)) + " " * depth + "x\n", (MAX_DEPTH + 1, MAX_DEPTH + 1)


STYLES = ["flow-list", "flow-mapping", "block-list", "block-mapping"]


def depth_of(value):
    depth = 0
    while isinstance(value, (list, dict)):
        value = value[0] if isinstance(value, list) else value["a"]
        depth += 1
    return depth, value


@pytest.mark.parametrize("style", STYLES)
def test_nesting_up_to_the_limit_is_read_in_full(style):
    value, _, problems = parse(nested(style, MAX_DEPTH)[0])
    assert problems == []
    assert depth_of(value) == (MAX_DEPTH, "x")


@pytest.mark.parametrize("depth", [MAX_DEPTH + 1, 1000, 10000])
@pytest.mark.parametrize("style", STYLES)
def test_nesting_beyond_the_limit_is_one_problem_and_the_rest_is_skipped(style, depth):
    text, (line, column) = nested(style, depth)
    value, _, problems = parse_yaml(text, "t.md")
    assert [(p.code, p.line, p.column) for p in problems] == [("yaml-too-deep", line, column)]
    field = "[1]" * MAX_DEPTH if "list" in style else ".".join(["a"] * MAX_DEPTH)
    assert problems[0].field == field
    assert "50 Ebenen" in problems[0].message and problems[0].hint
    assert depth_of(value) == (MAX_DEPTH, None)


def test_after_a_too_deep_value_the_file_reads_on():
    # The root mapping is the first level, so the 50th "[" is the first beyond the limit.
    text = "eins: 1\ntief: " + "[" * 1000 + "]" * 1000 + "\nzwei: 2\neins: 3\n"
    value, _, problems = parse(text)
    assert problems == [("yaml-too-deep", 2, len("tief: [") + MAX_DEPTH - 1, "tief" + "[1]" * (MAX_DEPTH - 1)),
                        ("duplicate-key", 4, 1, "eins")]
    assert value["zwei"] == "2"


# --- what is not a regular file is never opened ------------------------------------------------------

def assert_refused(problems, name, kind):
    assert [(p.code, p.line, p.column) for p in problems] == [("not-a-regular-file", 1, 1)]
    assert problems[0].message == (f"„{name}“ ist keine gewöhnliche Datei, sondern {specialfiles.KINDS[kind]}, "
                                   "und wird nicht gelesen.")
    assert "gewöhnliche Datei" in problems[0].hint


@pytest.mark.parametrize("kind", specialfiles.KINDS)
def test_special_files_are_refused_without_being_opened(tmp_path, monkeypatch, kind):
    path = specialfiles.make(kind, tmp_path / "vocabularies.yaml")
    spy = specialfiles.OpenSpy(os.open)
    monkeypatch.setattr(os, "open", spy)
    fifos = [path]
    raw, problems = specialfiles.within(10, lambda: read_bytes(path, "content/vocabularies.yaml"), fifos)
    assert raw is None
    assert_refused(problems, "vocabularies.yaml", kind)
    value, _, problems = specialfiles.within(10, lambda: read_yaml_file(path, "site.yaml"), fifos)
    assert value is None
    assert_refused(problems, "site.yaml", kind)
    assert specialfiles.within(10, lambda: read_body(str(path)), fifos) is None
    assert specialfiles.within(10, lambda: load_vocabularies(tmp_path), fifos) is None
    assert str(path) not in spy.paths and os.path.realpath(path) not in spy.paths


def test_a_folder_is_refused_too(tmp_path):
    (tmp_path / "site.yaml").mkdir()
    _, _, problems = read_yaml_file(tmp_path / "site.yaml", "site.yaml")
    assert [p.code for p in problems] == ["not-a-regular-file"]
    assert "sondern ein Ordner" in problems[0].message


def test_a_broken_symlink_says_so(tmp_path):
    (tmp_path / "site.yaml").symlink_to("gibt-es-nicht.yaml")
    _, problems = read_bytes(tmp_path / "site.yaml", "site.yaml")
    assert [p.code for p in problems] == ["missing-file"]
    assert "symbolischer Link" in problems[0].message


@pytest.mark.parametrize("kind", specialfiles.KINDS)
def test_special_md_files_in_content_folders_are_named_for_what_they_are(site, monkeypatch, kind):
    made = [specialfiles.make(kind, site.content / folder / "x.md") for folder in ("offers", "partners", "pages")]
    stats = []
    real_stat = os.stat

    def stat_spy(path, *args, **kwargs):
        if os.fspath(path).endswith(".md"):
            stats.append(os.fspath(path))
        return real_stat(path, *args, **kwargs)

    spy = specialfiles.OpenSpy(os.open)
    monkeypatch.setattr(os, "stat", stat_spy)
    monkeypatch.setattr(os, "open", spy)
    content = specialfiles.within(20, lambda: load_content(site.content, memory=None), made)
    refused = [p for p in content.problems if p.code == "not-a-regular-file"]
    assert sorted(p.file for p in refused) == [f"content/{folder}/x.md" for folder in ("offers", "pages", "partners")]
    for problem in refused:
        assert_refused([problem], "x.md", kind)
    assert "unexpected-file" not in [p.code for p in content.problems]
    assert content.unreadable == {"offer": ["content/offers/x.md"], "partner": ["content/partners/x.md"],
                                  "page": ["content/pages/x.md"]}
    # Only these are looked at with os.stat: the regular files' type comes from the folder listing.
    assert sorted(stats) == sorted(str(path) for path in made)
    assert not {str(path) for path in made} & set(spy.paths)
    assert len(content.documents["offer"]) == 1


# --- every problem of one file, complete: position, code, field, message and hint ------------------------------
# Each file starts with two empty lines, so every position counts from the file's first line, not from the front
# matter's.
LOADING_CASES = {
    'alias': '\n\n---\ntitle: &a x\nsummary: *a\n---\nText\n',
    'tag': '\n\n---\ntitle: !!str 1\ngoals: !custom [a]\n---\n',
    'too-deep': '\n\n---\nx: '
        '[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]\ny: '
        'z\n---\n',
    'complex-key': '\n\n---\n? [a, b]\n: 1\n&k key: 2\n---\n',
    'merge-key': '\n\n---\nbase:\n  <<: {a: 1}\n  b: 2\n---\n',
    'duplicate': '\n\n---\ntitle: a\nsummary: b\ntitle: c\n---\n',
    'control': '\n\n---\ntitle: a\x07b\n---\n',
    'tab': '\n\n---\ntitle: a\n\tsummary: b\ngoals:\n  -\tx\n---\n',
    'colon': '\n\n---\ntitle: a: b\n---\n',
    'missing-colon': '\n\n---\ntitle: a\nsummary\n---\n',
    'special-start': '\n\n---\ntitle: @home\n---\n',
    'indent': '\n\n---\ncontact:\n  name: a\n   email: b\n---\n',
    'unclosed-quote': '\n\n---\ntitle: "abc\nsummary: b\n---\n',
    'escape': '\n\n---\ntitle: "a\\qb"\n---\n',
    'bracket': '\n\n---\ngoals: [a, b\nsummary: x\n---\n',
    'brace': '\n\n---\ncontact: {name: a\n---\n',
    'amp-alone': '\n\n---\ntitle: & x\n---\n',
    'comment': '\n\n---\ntitle: Offen #für alle\nsummary: "a #b"\ngoals:\n  - Ziel   # Notiz  \n---\n',
    'no-front-matter': '\n\ntitle: a\n',
    'unclosed': '\n\n---\ntitle: a\n',
    'list': '\n\n---\n- a\n- b\n---\n',
    'empty': '\n\n---\n---\nText\n',
    'crlf-bom': '\ufeff---\r\ntitle: Straße\r\n---\r\nText\r\n',
}
DEEP = "x" + "[1]" * 49
LOADING_PROBLEMS = {
    'alias': [
        (
         4,
         8,
         'yaml-anchor',
         'title',
         'Anker mit „&a“ sind nicht erlaubt.',
         'Schreiben Sie jeden Wert aus. Ist „&“ als Text gemeint, setzen Sie den Wert in Anführungszeichen.',
        ),
        (
         5,
         10,
         'yaml-alias',
         'summary',
         'Verweise mit „*a“ (YAML-Aliase) sind nicht erlaubt.',
         'Schreiben Sie den Wert aus. Ist „*“ als Text gemeint, setzen Sie den Wert in Anführungszeichen.',
        ),
    ],
    'tag': [
        (
         4,
         8,
         'yaml-tag',
         'title',
         'Typangaben wie „!!str“ sind nicht erlaubt.',
         'Lassen Sie die Angabe mit „!“ weg; welcher Typ gilt, legt das Schema fest.',
        ),
        (
         5,
         8,
         'yaml-tag',
         'goals',
         'Typangaben wie „!custom“ sind nicht erlaubt.',
         'Lassen Sie die Angabe mit „!“ weg; welcher Typ gilt, legt das Schema fest.',
        ),
    ],
    'too-deep': [
        (
         4,
         53,
         'yaml-too-deep',
         DEEP,
         'Die Angaben sind hier tiefer als 50 Ebenen verschachtelt; dieser Wert wird nicht gelesen.',
         'Prüfen Sie die Klammern [ ] und { } und die Einrückung; so tief verschachtelte Angaben sieht keine '
         'Datei vor.',
        ),
    ],
    'complex-key': [
        (
         4,
         3,
         'yaml-complex-key',
         '',
         'Ein Feldname muss ein einfacher Text sein.',
         'Schreiben Sie „feldname: Wert“.',
        ),
        (
         6,
         1,
         'yaml-complex-key',
         '',
         'Ein Feldname muss ein einfacher Text sein.',
         'Schreiben Sie „feldname: Wert“.',
        ),
    ],
    'merge-key': [
        (
         5,
         3,
         'yaml-merge-key',
         'base',
         'Zusammenführungen mit „<<“ (YAML-Merge-Keys) sind nicht erlaubt.',
         'Schreiben Sie alle Angaben aus.',
        ),
    ],
    'duplicate': [
        (
         6,
         1,
         'duplicate-key',
         'title',
         'Das Feld „title“ steht doppelt (zuerst in Zeile 4).',
         'Löschen Sie eine der beiden Angaben; sonst ist unklar, welche gilt.',
        ),
    ],
    'control': [
        (
         4,
         9,
         'yaml-control-character',
         '',
         'Die Datei enthält ein unzulässiges Steuerzeichen (U+0007).',
         'Das Zeichen ist meist beim Kopieren aus einem anderen Programm entstanden: Zeile löschen und neu '
         'tippen.',
        ),
    ],
    'tab': [
        (
         5,
         1,
         'tab',
         'summary',
         'Die Zeile enthält einen Tabulator.',
         'YAML erlaubt keine Tabulatoren: ersetzen Sie ihn durch Leerzeichen (zum Einrücken zwei Leerzeichen '
         'je Ebene).',
        ),
        (
         7,
         4,
         'tab',
         '',
         'Die Zeile enthält einen Tabulator.',
         'YAML erlaubt keine Tabulatoren: ersetzen Sie ihn durch Leerzeichen (zum Einrücken zwei Leerzeichen '
         'je Ebene).',
        ),
    ],
    'colon': [
        (
         4,
         9,
         'yaml-syntax',
         'title',
         'Unerwarteter Doppelpunkt.',
         'Enthält der Text einen Doppelpunkt mit Leerzeichen („: “)? Dann setzen Sie den ganzen Wert in '
         'Anführungszeichen. Prüfen Sie auch die Einrückung der Zeile.',
        ),
    ],
    'missing-colon': [
        (
         5,
         1,
         'yaml-syntax',
         'title',
         'Diese Zeile ist keine Angabe der Form „feld: Wert“.',
         'Gehört der Text zum Wert darüber, rücken Sie ihn weiter ein als dessen Feldnamen; ist er ein '
         'eigenes Feld, fehlt nach dem Feldnamen der Doppelpunkt.',
        ),
    ],
    'special-start': [
        (
         4,
         8,
         'yaml-syntax',
         'title',
         'Ein Wert beginnt mit einem Zeichen, das in YAML eine besondere Bedeutung hat.',
         'Werte, die mit @, `, %, &, *, !, | oder > beginnen, in Anführungszeichen setzen.',
        ),
    ],
    'indent': [
        (
         6,
         9,
         'yaml-syntax',
         'email',
         'Unerwarteter Doppelpunkt.',
         'Enthält der Text einen Doppelpunkt mit Leerzeichen („: “)? Dann setzen Sie den ganzen Wert in '
         'Anführungszeichen. Prüfen Sie auch die Einrückung der Zeile.',
        ),
    ],
    'unclosed-quote': [
        (
         4,
         8,
         'yaml-syntax',
         'title',
         'Ein Anführungszeichen wird nicht geschlossen.',
         'Jeder Wert, der mit " oder \' beginnt, muss mit demselben Zeichen enden.',
        ),
    ],
    'escape': [
        (
         4,
         10,
         'yaml-syntax',
         'title',
         'In doppelten Anführungszeichen steht ein Rückstrich (\\), den YAML nicht versteht.',
         "Verwenden Sie einfache Anführungszeichen ('…') oder lassen Sie den Rückstrich weg.",
        ),
    ],
    'bracket': [
        (
         4,
         8,
         'yaml-syntax',
         'goals',
         'Eine eckige Klammer wird nicht geschlossen.',
         'Setzen Sie Werte, die mit [ oder { beginnen, in Anführungszeichen, oder schreiben Sie die Liste mit '
         '„- “ untereinander.',
        ),
    ],
    'brace': [
        (
         4,
         10,
         'yaml-syntax',
         'contact',
         'Eine geschweifte Klammer wird nicht geschlossen.',
         'Setzen Sie Werte, die mit { beginnen, in Anführungszeichen.',
        ),
    ],
    'amp-alone': [
        (
         4,
         9,
         'yaml-syntax',
         'title',
         'Nach & oder * muss ein Name folgen – meist war das Zeichen aber als Text gemeint.',
         'Setzen Sie den Wert in Anführungszeichen.',
        ),
    ],
    'comment': [
    ],
    'no-front-matter': [
        (
         3,
         1,
         'missing-front-matter',
         '',
         'Die Datei beginnt nicht mit den Angaben (Front Matter).',
         'Die erste Zeile muss genau „---“ sein; nach den Angaben folgt eine zweite Zeile „---“ und dann der '
         'Beschreibungstext.',
        ),
    ],
    'unclosed': [
        (
         3,
         1,
         'unclosed-front-matter',
         '',
         'Die Angaben (Front Matter) werden nicht mit einer Zeile „---“ abgeschlossen.',
         'Fügen Sie nach der letzten Angabe eine Zeile mit genau „---“ ein; danach folgt der '
         'Beschreibungstext.',
        ),
    ],
    'list': [
        (
         4,
         1,
         'front-matter-not-mapping',
         '',
         'Die Angaben müssen Felder der Form „feld: Wert“ sein.',
         'Vergleichen Sie die Datei mit einer funktionierenden Angebotsdatei.',
        ),
    ],
    'empty': [
    ],
    'crlf-bom': [
    ],
}
# data, body line, body, positions of values, comments after values
LOADING_DOCUMENTS = {
    'alias': ({'title': 'x', 'summary': None}, 7, 'Text\n',
        {(): (4, 1), ('title',): (4, 8), ('summary',): (5, 10)},
        {}),
    'tag': ({'title': '1', 'goals': ['a']}, 7, '',
        {(): (4, 1), ('title',): (4, 8), ('goals',): (5, 8), ('goals', 0): (5, 17)},
        {}),
    'complex-key': ({}, 8, '',
        {(): (4, 1)},
        {}),
    'merge-key': ({'base': {'b': '2'}}, 8, '',
        {(): (4, 1), ('base',): (5, 3), ('base', 'b'): (6, 6)},
        {}),
    'duplicate': ({'title': 'a', 'summary': 'b'}, 8, '',
        {(): (4, 1), ('title',): (4, 8), ('summary',): (5, 10)},
        {}),
    'comment': ({'title': 'Offen', 'summary': 'a #b', 'goals': ['Ziel']}, 9, '',
        {(): (4, 1), ('title',): (4, 8), ('summary',): (5, 10), ('goals',): (7, 3), ('goals', 0): (7, 5)},
        {('title',): (4, 14, '#für alle'), ('goals', 0): (7, 12, '# Notiz')}),
    'empty': ({}, 6, 'Text\n',
        {},
        {}),
    'crlf-bom': ({'title': 'Straße'}, 4, 'Text\n',
        {(): (2, 1), ('title',): (2, 8)},
        {}),
}


@pytest.mark.parametrize("name", LOADING_CASES)
def test_each_problem_of_a_file_is_complete_and_counted_from_the_files_first_line(tmp_path, name):
    path = tmp_path / f"{name}.md"
    path.write_bytes(LOADING_CASES[name].encode("utf-8"))
    document, problems = loading.read_document(path, f"content/offers/{name}.md", "offer")
    assert [(p.line, p.column, p.code, p.field, p.message, p.hint) for p in problems] == LOADING_PROBLEMS[name]
    assert all(p.file == f"content/offers/{name}.md" and p.severity == "error" for p in problems)
    if name not in LOADING_DOCUMENTS:
        assert document is None or name == "too-deep"
        return
    data, body_line, body, values, comments = LOADING_DOCUMENTS[name]
    assert (document.data, document.body_line, document.body) == (data, body_line, body)
    assert (document.kind, document.slug, document.file) == ("offer", name, f"content/offers/{name}.md")
    assert document.positions.values == values
    assert document.positions.comments == comments
    # read_body (the forked Markdown child's reader) gives the same body
    assert loading.read_body(str(path)) == body


@pytest.mark.parametrize("name", ["no-front-matter", "unclosed"])
def test_read_body_gives_nothing_where_the_front_matter_cannot_be_split(tmp_path, name):
    path = tmp_path / f"{name}.md"
    path.write_bytes(LOADING_CASES[name].encode("utf-8"))
    assert loading.read_body(str(path)) is None


SPECIAL_HINT = ("Ersetzen Sie sie durch eine gewöhnliche Datei (z. B. eine Kopie des Inhalts) oder entfernen Sie sie; "
                "ein symbolischer Link muss auf eine gewöhnliche Datei zeigen.")


@pytest.mark.parametrize("mode, what", [
    (stat.S_IFDIR, "ein Ordner"), (stat.S_IFIFO, "eine benannte Pipe (FIFO)"),
    (stat.S_IFCHR, "ein Gerät (zeichenorientiert)"), (stat.S_IFBLK, "ein Gerät (blockorientiert)"),
    (stat.S_IFSOCK, "ein Socket"), (0, "keine Datei, die gelesen werden kann"),
])
def test_the_problem_for_a_special_file_in_full(mode, what):
    assert special_file_problem("content/offers/x.md", mode) == Problem(
        "content/offers/x.md", 1, 1, "not-a-regular-file", "error", "",
        f"„x.md“ ist keine gewöhnliche Datei, sondern {what}, und wird nicht gelesen.", SPECIAL_HINT)
    assert special_file_problem("content/hilfe.yaml", mode, 7, 5, "video", "film.mp4") == Problem(
        "content/hilfe.yaml", 7, 5, "not-a-regular-file", "error", "video",
        f"„film.mp4“ ist keine gewöhnliche Datei, sondern {what}, und wird nicht gelesen.", SPECIAL_HINT)


def test_files_that_cannot_be_read_are_problems_in_full(tmp_path):
    (tmp_path / "big.md").write_bytes(b"a" * (300 * 1024))
    (tmp_path / "link.md").symlink_to("nowhere.md")
    (tmp_path / "folder.md").mkdir()
    assert read_bytes(tmp_path / "big.md", "content/offers/big.md") == (None, [Problem(
        "content/offers/big.md", 1, 1, "file-too-large", "error", "",
        "Die Datei ist 300 KiB groß; erlaubt sind höchstens 256 KiB.",
        "Kürzen Sie die Beschreibung. Bilder und Dokumente gehören nicht in die Datei.")])
    assert read_bytes(tmp_path / "missing.md", "content/offers/missing.md") == (None, [Problem(
        "content/offers/missing.md", 1, 1, "missing-file", "error", "", "Die Datei fehlt.")])
    assert read_bytes(tmp_path / "link.md", "content/offers/link.md") == (None, [Problem(
        "content/offers/link.md", 1, 1, "missing-file", "error", "",
        "Die Datei ist ein symbolischer Link auf eine Datei, die es nicht gibt.",
        "Lassen Sie den Link auf eine vorhandene Datei zeigen oder ersetzen Sie ihn durch die Datei selbst.")])
    assert read_bytes(tmp_path / "folder.md", "content/offers/folder.md", regular=True) == (None, [Problem(
        "content/offers/folder.md", 1, 1, "file-unreadable", "error", "",
        "Die Datei kann nicht gelesen werden (Is a directory).")])
    (tmp_path / "two-chunks.md").write_bytes(b"x" * (256 * 1024))  # the limit itself: read whole
    assert read_bytes(tmp_path / "two-chunks.md", "x.md") == (b"x" * (256 * 1024), [])


def test_a_content_folder_with_foreign_files_and_a_missing_folder_in_full(tmp_path):
    content = tmp_path / "content"
    (content / "offers" / "sub.md").mkdir(parents=True)
    (content / "offers" / "notes.txt").write_text("x", encoding="utf-8")
    (content / "offers" / ".gitkeep").write_text("", encoding="utf-8")
    (content / "offers" / "a.md").write_text("---\ntitle: A\n---\nText\n", encoding="utf-8")
    (content / "pages").mkdir()
    (content / "vocabularies.yaml").write_text("a: b\n", encoding="utf-8")
    loaded = load_content(content)
    hint = ("Benennen Sie die Datei um (z. B. „angebot.md“) oder entfernen Sie sie; sonst würde sie stillschweigend "
            "fehlen.")
    message = "In „offers“ sind nur Markdown-Dateien mit der Endung „.md“ erlaubt."
    assert loaded.problems == [
        Problem("content/offers/notes.txt", 1, 1, "unexpected-file", "error", "", message, hint),
        Problem("content/offers/sub.md", 1, 1, "unexpected-file", "error", "", message, hint),
        Problem("content/partners", 1, 1, "missing-folder", "error", "",
                "Der Ordner „partners“ fehlt im Inhaltsordner."),
    ]
    assert [(d.kind, d.slug, d.file, d.data) for d in loaded.documents["offer"]] == [
        ("offer", "a", "content/offers/a.md", {"title": "A"})]
    assert loaded.documents["partner"] == loaded.documents["page"] == []
    assert (loaded.vocabularies, loaded.vocabularies_file, loaded.root) == ({"a": "b"}, "content/vocabularies.yaml",
                                                                            content.resolve())


def test_whole_file_yaml_problems_in_full_with_the_offset_of_the_text():
    def problems(text):
        return [(p.file, p.line, p.column, p.code, p.field, p.message, p.hint)
                for p in parse_yaml(text, "site.yaml", 3)[2]]

    assert problems("a: b\n...\nc: d\n") == [(
        "site.yaml", 6, 1, "yaml-syntax", "c", "Diese Zeile passt nicht zum Aufbau der Angaben.",
        "Prüfen Sie diese Zeile und die darüber: Hat jede Angabe die Form „feld: Wert“ mit einem Leerzeichen nach dem "
        "Doppelpunkt, stehen Felder derselben Gruppe genau untereinander, und ist jedes Anführungszeichen und jede "
        "Klammer geschlossen?")]
    assert problems("a: 1\n---\nb: 2\n") == [(
        "site.yaml", 5, 1, "yaml-multiple-documents", "", "Die Datei enthält mehr als ein YAML-Dokument.",
        "Entfernen Sie die zusätzliche Zeile „---“ oder „...“.")]
    assert problems("x: 1\n{a: b}}\n") == [(
        "site.yaml", 5, 7, "yaml-syntax", "", "Nach dem Feldnamen fehlt ein Doppelpunkt.",
        "Jede Angabe hat die Form „feld: Wert“. Ein längerer Text, der in der nächsten Zeile weitergeht, wird "
        "eingerückt.")]
