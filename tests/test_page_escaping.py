"""Hostile text in every text field arrives on the pages as text: escaped in the HTML, intact in attributes and
in the JSON-LD, never as markup. And no browser script turns content into markup (innerHTML, outerHTML)."""

from __future__ import annotations

import datetime
import json
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml

from casekit import BASE
from offerdb import pipeline
from offerdb.loading import split_front_matter
from offerdb.rendering import ASSETS

TODAY = datetime.date(2026, 6, 1)


def payload(mark: str) -> str:
    """Markup, entities written out by the editor, quotes and an attempt to leave an attribute. `mark` tells
    the fields apart; each is a word the hyphenation leaves alone."""
    return f'<b>{mark}</b> & &amp; &lt;i&gt; "q" \'a\' <script>alert(1)</script> x" onfocus="bad'


# file -> front matter path -> mark. Every free-text field of the content files (not keys, vocabulary values,
# addresses, numbers or dates, which the schema checks by pattern and which therefore cannot hold markup).
FIELDS: dict[str, dict[tuple, str]] = {
    "content/offers/angebot-a.md": {
        ("title",): "Otitle", ("summary",): "Osummary", ("target_group",): "Otarget", ("goals", 0): "Ogoal",
        ("theoretical_basis",): "Otheory", ("methods", 0): "Omethod", ("staff_qualification",): "Ostaff",
        ("evaluation", "description"): "Oevaluation", ("school_cooperation", "preparation"): "Oprep",
        ("school_cooperation", "follow_up"): "Ofollow", ("contact", "name"): "Ocontact",
        ("quality_seal", "reviewed_by"): "Oreviewer", ("duration", "note"): "Oduration",
        ("group_size", "note"): "Ogroup", ("cost", "note"): "Ocost", ("booking", "note"): "Obooking",
        ("curriculum", 0, "note"): "Ocurriculum",
    },
    "content/partners/traeger-a.md": {
        ("name",): "Pname", ("summary",): "Psummary", ("address", "street"): "Pstreet", ("address", "city"): "Pcity",
    },
    "content/pages/impressum.md": {("title",): "Gtitle", ("summary",): "Gsummary"},
    "content/hilfe.yaml": {
        ("contacts", "kummertelefon", "name"): "Hname", ("contacts", "kummertelefon", "helps_with"): "Hhelps",
        ("contacts", "kummertelefon", "hours"): "Hhours",
    },
    "content/vocabularies.yaml": {("prevention_areas", "values", "mobbing", "label"): "Varea"},
    "site.yaml": {("title",): "Stitle", ("operator",): "Soperator"},
}

# page type -> a page of that type and the marks that must stand on it as text
PAGES = {
    "offer": ("angebote/angebot-a/index.html",
              ["Otitle", "Osummary", "Otarget", "Ogoal", "Otheory", "Omethod", "Ostaff", "Oevaluation", "Oprep",
               "Ofollow", "Ocontact", "Oreviewer", "Oduration", "Ogroup", "Ocost", "Obooking", "Ocurriculum",
               "Pname", "Psummary", "Varea", "Hname", "Hhours", "Stitle"]),
    "offer list": ("angebote/index.html", ["Otitle", "Osummary", "Varea", "Stitle"]),
    "theme": ("themen/mobbing/index.html", ["Otitle", "Osummary", "Varea", "Hname", "Hhours"]),
    "theme list": ("themen/index.html", ["Varea"]),
    "partner": ("traeger/traeger-a/index.html", ["Pname", "Psummary", "Pstreet", "Pcity", "Otitle"]),
    "partner list": ("traeger/index.html", ["Pname", "Psummary"]),
    "start": ("index.html", ["Otitle", "Stitle", "Varea"]),
    "help": ("hilfe/index.html", ["Hname", "Hhelps", "Hhours"]),
    "content page": ("impressum/index.html", ["Gtitle", "Soperator"]),
}


def _set(data, path, value):
    for key in path[:-1]:
        data = data[key]
    data[path[-1]] = value


def _hostile_site(root: Path) -> None:
    shutil.copytree(BASE, root)
    for rel, fields in FIELDS.items():
        file = root / rel
        text = file.read_text(encoding="utf-8")
        if file.suffix == ".md":
            front, body, _, _ = split_front_matter(text, rel)
            data = yaml.safe_load(front)
        else:
            data, body = yaml.safe_load(text), None
        if rel.endswith("angebot-a.md"):  # optional notes the base offer leaves out
            data["duration"]["note"] = data["group_size"]["note"] = data["cost"]["note"] = "x"
            data["booking"]["note"] = data["curriculum"][0]["note"] = "x"
        for path, mark in fields.items():
            _set(data, path, payload(mark))
        dumped = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
        file.write_text(dumped if body is None else f"---\n{dumped}---\n{body}", encoding="utf-8")


class _Page(HTMLParser):
    """Text, attribute values, elements and JSON-LD of one page, as a browser would read them."""

    def __init__(self, source: str):
        super().__init__(convert_charrefs=True)
        self.text: list[str] = []
        self.attributes: list[tuple[str, str, str]] = []  # (tag, attribute, value)
        self.tags: list[str] = []
        self.json_ld: list[str] = []
        self._script: str | None = None
        self.feed(source)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attributes += [(tag, name, value or "") for name, value in attrs]
        if tag == "script":
            self._script = "" if dict(attrs).get("type") == "application/ld+json" else None

    def handle_endtag(self, tag):
        if tag == "script" and self._script is not None:
            self.json_ld.append(self._script)
            self._script = None

    def handle_data(self, data):
        if self._script is not None:
            self._script += data
        elif self.lasttag != "script":
            self.text.append(data)

    def plain(self) -> str:
        return " ".join("".join(self.text).replace("\u00ad", "").split())


def _strings(value) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for item in value.values() for s in _strings(item)]
    if isinstance(value, list):
        return [s for item in value for s in _strings(item)]
    return []


@pytest.fixture(scope="module")
def hostile(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("hostile") / "src"
    _hostile_site(root)
    checked = pipeline.check(root / "content", root / "site.yaml", TODAY)
    assert [p for p in checked.problems if p.severity == "error"] == []
    out = root.parent / "site"
    pipeline.build(checked, out, TODAY)
    return out


def test_every_page_holds_no_markup_from_content(hostile):
    pages = sorted(hostile.rglob("*.html"))
    assert len(pages) > 10
    for file in pages:
        source = file.read_text(encoding="utf-8")
        page = _Page(source)
        # the markup of the fields never became elements or attributes
        assert "b" not in page.tags, file
        assert not [name for _, name, _ in page.attributes if name.startswith("on")], file
        assert source.count("<script") == source.count("</script>") == page.tags.count("script"), file
        assert "<b>" not in source and "<script>alert" not in source, file


@pytest.mark.parametrize("kind", PAGES)
def test_every_text_field_arrives_as_text_on_each_page_type(hostile, kind):
    rel, marks = PAGES[kind]
    page = _Page((hostile / rel).read_text(encoding="utf-8"))
    text = page.plain()
    for mark in marks:
        # the whole value as the editor wrote it, entities and quotes included, read as text
        assert " ".join(payload(mark).split()) in text, (kind, mark)


def test_attributes_hold_the_whole_value_and_cannot_be_left(hostile):
    def description(rel: str) -> str:
        page = _Page((hostile / rel).read_text(encoding="utf-8"))
        found = [value for tag, name, value in page.attributes if tag == "meta" and name == "content"
                 and ("meta", "name", "description") in page.attributes and "<b>" in value]
        assert len(found) == 1, rel
        return found[0]

    # the description of each page type carries its field, complete, as one attribute value
    assert description("angebote/angebot-a/index.html") == payload("Osummary")
    assert description("traeger/traeger-a/index.html") == payload("Psummary")
    assert description("impressum/index.html") == payload("Gsummary")
    assert description("themen/mobbing/index.html") == f"Angebote zum Thema {payload('Varea')}."
    # every attribute value anywhere that contains a mark contains the rest of the value intact
    for file in sorted(hostile.rglob("*.html")):
        for tag, name, value in _Page(file.read_text(encoding="utf-8")).attributes:
            for mark in re.findall(r"<b>([A-Z][a-z]+)</b>", value):
                assert payload(mark) in value, (file, tag, name, value)


def test_json_ld_keeps_the_text_and_cannot_end_its_script(hostile):
    source = (hostile / "angebote/angebot-a/index.html").read_text(encoding="utf-8")
    page = _Page(source)
    assert len(page.json_ld) == 1
    raw = page.json_ld[0]
    assert "<" not in raw and ">" not in raw  # written as \u003c, so no "</script>" can end the element early
    strings = _strings(json.loads(raw))
    for mark in ("Otitle", "Osummary", "Pname"):
        assert payload(mark) in strings, mark
    data_page = _Page((hostile / "daten/index.html").read_text(encoding="utf-8"))
    assert len(data_page.json_ld) == 1 and "<" not in data_page.json_ld[0]
    assert payload("Stitle") in " ".join(_strings(json.loads(data_page.json_ld[0])))


# Setting markup from a string: innerHTML/outerHTML assigned or appended to, insertAdjacentHTML, document.write,
# createContextualFragment. The scripts build nodes with createElement and textContent instead.
_MARKUP_SINKS = re.compile(r"\.(?:innerHTML|outerHTML)\s*(?:\+?=)(?!=)|insertAdjacentHTML|document\.write"
                           r"|createContextualFragment|DOMParser")


def test_no_script_turns_text_into_markup():
    scripts = sorted(ASSETS.rglob("*.js"))
    assert {s.name for s in scripts} >= {"list.js", "search.js", "merkliste.js", "merken.js"}
    found = [f"{s.name}:{n}: {line.strip()}" for s in scripts
             for n, line in enumerate(s.read_text(encoding="utf-8").splitlines(), 1) if _MARKUP_SINKS.search(line)]
    assert found == []


def test_the_static_check_finds_what_it_looks_for():
    for line in ['el.innerHTML = text;', 'el.outerHTML="<b>"', 'x.innerHTML += y', 'a.insertAdjacentHTML("x", y)',
                 'document.write(s)']:
        assert _MARKUP_SINKS.search(line), line
    for line in ['el.textContent = text;', 'if (el.innerHTML === "") {}']:
        assert not _MARKUP_SINKS.search(line), line
