"""Strict loading: exact strings, rejected YAML features, encodings and front matter."""

import os
import unicodedata

import pytest
import yaml

import specialfiles
from offerdb.fieldguide import load_vocabularies
from offerdb.loading import (MAX_DEPTH, MAX_FILE_BYTES, field_name, load_content, parse_yaml, read_body, read_bytes,
                             read_document, read_text, read_yaml_file, split_front_matter)


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
