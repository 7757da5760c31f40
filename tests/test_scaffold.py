"""`build.py new offer|partner <name>`: a file with every field that `check` rejects until it is filled in."""

from __future__ import annotations

import datetime
import json
import re
import shutil

import pytest

from offerdb import cli, markdown, models, pipeline, schema
from offerdb.cli import ROOT
from offerdb.scaffold import suggest_slug

TODAY = datetime.date.today()  # like CI checks the sample content; the examples date from 2026
PLACEHOLDER = re.compile(r"^( *)(- )?([a-z_]+):\s*$")


@pytest.fixture
def content(tmp_path):
    shutil.copytree(ROOT / "content", tmp_path / "content")
    shutil.copy(ROOT / "site.yaml", tmp_path / "site.yaml")
    return tmp_path / "content"


def example_at(kind: str, path: list) -> tuple[bool, object]:
    """The schema example for a field path, or (False, None) if the example leaves the field out."""
    node = schema.resolve(schema.load(kind)["properties"][path[0]])
    value = node["examples"][0]
    for part in path[1:]:
        if isinstance(value, list) and isinstance(part, int) and part < len(value):
            value = value[part]
        elif isinstance(value, dict) and part in value:
            value = value[part]
        else:
            return False, None
    return True, value


def fill_like_an_editor(text: str, kind: str) -> str:
    """Put the schema's example behind every empty `key:`, delete fields the example leaves out, and write
    a description under the front matter: what an editor does with a new file."""
    out: list[str] = []
    stack: list[tuple[int, object]] = []  # (indent, path part) of the groups and list items we are in
    skip_below: int | None = None  # deleting a field deletes its indented sub-fields too
    for line in text.splitlines():
        match = PLACEHOLDER.match(line)
        if not match:
            out.append(line)
            continue
        spaces, dash, key = match.groups()
        indent = len(spaces) + (2 if dash else 0)
        if skip_below is not None and indent > skip_below:
            continue
        skip_below = None
        while stack and stack[-1][0] >= indent:
            stack.pop()
        if dash:
            stack.append((indent - 1, 0))  # the first item of the list above
        path = [part for _, part in stack] + [key]
        present, value = example_at(kind, path)
        if not present:
            skip_below = indent
        elif isinstance(value, dict) or (isinstance(value, list) and value and isinstance(value[0], dict)):
            stack.append((indent, key))
            out.append(line)
        else:
            out.append(f"{spaces}{dash or ''}{key}: {json.dumps(value, ensure_ascii=False)}")
    return "\n".join(out) + "\nEin Text, der das Angebot beschreibt.\n"


def problems_in(content, file: str):
    checked = pipeline.check(content, content.parent / "site.yaml", TODAY)
    return [p for p in checked.problems if p.file == file], checked


@pytest.mark.parametrize("kind, folder", [("offer", "offers"), ("partner", "partners")])
def test_new_file_fails_check_on_every_field_until_filled(content, capsys, kind, folder):
    assert cli.main(["new", kind, "neu-im-test", "--content", str(content)]) == 0
    path = content / folder / "neu-im-test.md"
    assert f"Angelegt: {path}" in capsys.readouterr().out
    text = path.read_text(encoding="utf-8")
    assert "# Erlaubt:" in text or kind == "partner"

    found, checked = problems_in(content, f"content/{folder}/neu-im-test.md")
    assert checked.fails(strict=False)
    errors = {p.field for p in found if p.is_error}
    for key in schema.load(kind)["properties"]:
        assert any(f == key or f.startswith((f"{key}.", f"{key}[")) for f in errors), key
    assert "missing-description" in {p.code for p in found}
    assert all(p.code in ("empty-value", "missing-description", "missing-contact", "not-allowed",
                          "partner-without-offers") for p in found), found

    path.write_text(fill_like_an_editor(text, kind), encoding="utf-8")
    found, checked = problems_in(content, f"content/{folder}/neu-im-test.md")
    assert [p for p in found if p.is_error] == []
    assert not checked.fails(strict=False)


def test_new_offer_comments_are_german_and_show_allowed_values(content):
    cli.main(["new", "angebot", "kommentare", "--content", str(content)])
    text = (content / "offers" / "kommentare.md").read_text(encoding="utf-8")
    assert "# Präventionsbereiche (Pflicht): Liste von Werten aus der Liste unten, mindestens 1 Eintrag." in text
    assert "#   mobbing = Mobbing und Cybermobbing" in text
    assert "# Kosten (Pflicht): Gruppe von Angaben." in text
    assert "# Pflicht, wenn „free: false“: „amount_eur“, „note“." in text
    assert "# Entweder „grades“ oder „age“ ist Pflicht" in text
    assert "  - subject:\n" in text


@pytest.mark.parametrize("slug, suggestion", [("Klasse gegen Müll", "klasse-gegen-muell"),
                                              ("über_uns", "ueber-uns"), ("Start!", "start")])
def test_invalid_name_is_refused_with_a_german_message(content, capsys, slug, suggestion):
    assert cli.main(["new", "offer", slug, "--content", str(content)]) == 2
    err = capsys.readouterr().err
    assert f"„{slug}“ ist als Dateiname nicht erlaubt. Erlaubt sind nur Kleinbuchstaben a–z" in err
    assert f"Vorschlag: „{suggestion}“." in err
    assert not list((content / "offers").glob(f"*{suggestion}*"))


def test_existing_name_is_refused_and_file_untouched(content, capsys):
    path = content / "partners" / "inpeos.md"
    before = path.read_bytes()
    assert cli.main(["new", "traeger", "inpeos", "--content", str(content)]) == 2
    assert "content/partners/inpeos.md gibt es schon." in capsys.readouterr().err
    assert path.read_bytes() == before


def test_name_with_md_suffix_and_suggestions():
    assert suggest_slug("Projekttag: Demokratie & Courage.md") == "projekttag-demokratie-courage"
    assert suggest_slug("Straße") == "strasse"


def _comments(text: str) -> str:
    """The scaffold's comment lines as one text, as an editor reads them."""
    return " ".join(line.removeprefix("#").strip() for line in text.splitlines() if line.startswith("#"))


@pytest.mark.parametrize("kind, folder, template", [("offer", "offers", "offer.html"),
                                                    ("partner", "partners", "partner.html")])
def test_description_advice_matches_the_page_around_it(content, kind, folder, template):
    """The page already puts a heading above the description (an offer's „Worum geht es?“, a partner's name):
    the new file must not advise starting with a heading of one's own, and its subheading advice must give a
    heading one level below the page's."""
    cli.main(["new", kind, "ueberschriften", "--content", str(content)])
    text = (content / folder / "ueberschriften.md").read_text(encoding="utf-8")
    advice = _comments(text.split("\n---\n")[0].rsplit("\n\n", 1)[1])
    page = (ROOT / "templates" / template).read_text(encoding="utf-8")
    level, heading = re.findall(r"<h([1-6])[^>]*>([^<]*)</h\1>", page[:page.index(f"{kind}.body_html")])[-1]
    if kind == "offer":
        assert f"„{heading}“" in advice
    assert "ohne eigene Überschrift" in advice
    assert "\u00a0" not in text
    subheading = re.search(r"„(##) [^“]*“ beginnen", advice) or re.search(r"beginnen mit „(##) “", advice)
    assert subheading, advice
    html = markdown.render(subheading.group(1) + " Ablauf", models.HEADING_OFFSET[kind])
    assert html == f"<h{int(level) + 1}>Ablauf</h{int(level) + 1}>"
