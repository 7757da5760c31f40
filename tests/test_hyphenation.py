"""Soft hyphens between the parts of long compounds and no-break spaces in "e. V.": in the pages' titles, labels
and names only, never in the search index, the open data or the scripts' catalogue."""

from __future__ import annotations

import datetime
import gzip
import re
from pathlib import Path

import pytest

from offerdb import hyphenation, pipeline
from offerdb.cli import ROOT
from offerdb.search import german

TODAY = datetime.date(2026, 11, 25)
SHY = "\u00ad"


def shown(text: str) -> str:
    return str(hyphenation.hyphenate(text)).replace(SHY, "|")


def test_compounds_break_between_their_known_parts():
    assert shown("Radikalisierungsprävention") == "Radikalisierungs|prävention"  # unknown head, known tail
    assert shown("Jugendmedienschutz") == "Jugend|medien|schutz"
    assert shown("Gesundheitsförderung") == "Gesundheits|förderung"  # linking s stays with the head
    assert shown("Verschwörungserzählungen") == "Verschwörungs|erzählungen"  # inflected last part
    assert shown("Präventionsnetzwerks") == "Präventions|netzwerks"


def test_short_and_unknown_words_stay_as_they_are():
    for text in ("Mobbing", "Projekttag", "Kandidaten", "Antworten", "Wegbegleiter", "Zwischentöne", ""):
        assert shown(text) == text


def test_legal_forms_never_wrap_and_slashes_may_break():
    assert shown("Theaterwerkstatt Zwischentöne e. V.") == "Theater|werkstatt Zwischentöne e.\u00a0V."
    assert shown("Gemeinschaftskunde/Rechtserziehung") == "Gemeinschafts|kunde/<wbr>Rechtserziehung"


def test_the_filter_escapes_its_text():
    assert str(hyphenation.hyphenate('<script>"Gewaltprävention" & Co')) == \
        f"&lt;script&gt;&#34;Gewalt{SHY}prävention&#34; &amp; Co"


@pytest.fixture(scope="module")
def out(tmp_path_factory) -> Path:
    checked = pipeline.check(ROOT / "content", ROOT / "site.yaml", TODAY)
    out = tmp_path_factory.mktemp("site") / "site"
    pipeline.build(checked, out, TODAY)
    return out


def test_pages_carry_the_breaks_where_the_issue_saw_words_cut(out):
    start = (out / "index.html").read_text(encoding="utf-8")
    assert f'<span class="topic-name">Radikalisierungs{SHY}prävention</span>' in start
    assert f'<span class="topic-name">Medien{SHY}bildung und Jugend{SHY}medien{SHY}schutz</span>' in start
    theme = (out / "themen" / "radikalisierungspraevention" / "index.html").read_text(encoding="utf-8")
    assert f"<h1>Radikalisierungs{SHY}prävention</h1>" in theme
    offer = (out / "angebote" / "theaterstueck-kaninchenbau" / "index.html").read_text(encoding="utf-8")
    assert f"Verschwörungs{SHY}erzählungen" in re.search(r"<h1>.*?</h1>", offer).group(0)
    # The partner's name, wherever it renders: the offer page, its card, the partner pages.
    name = f"Theater{SHY}werkstatt Zwischentöne e.\u00a0V."
    assert f">{name}</a>" in offer
    partner = (out / "traeger" / "theaterwerkstatt-zwischentoene" / "index.html").read_text(encoding="utf-8")
    assert f"<h1>{name}</h1>" in partner and f'<p class="card-partner">{name}</p>' in partner
    assert f">{name}</a>" in (out / "traeger" / "index.html").read_text(encoding="utf-8")


def test_data_and_search_index_keep_the_plain_words(out):
    files = [p for p in out.rglob("*") if p.is_file() and p.suffix in (".json", ".csv", ".xml", ".jsonld", ".gz")
             and p.relative_to(out).parts[0] != "admin"]  # the web editor's bundles are others' code, not our data
    files += [out / "angebote" / "theaterstueck-kaninchenbau" / "index.html"]  # its JSON-LD
    assert any(p.name == "katalog.json" for p in files) and any("suche" in p.parts for p in files)
    for file in files:
        data = file.read_bytes()
        text = (gzip.decompress(data) if file.suffix == ".gz" else data).decode("utf-8")
        if file.suffix == ".html":
            text = re.search(r'<script type="application/ld\+json">(.*?)</script>', text, flags=re.S).group(1)
        assert SHY not in text and "<wbr>" not in text and "e.\u00a0V." not in text, file
    catalogue = (out / "daten" / "katalog.json").read_text(encoding="utf-8")
    assert "Verschwörungserzählungen" in catalogue and "Theaterwerkstatt Zwischentöne e. V." in catalogue


def test_a_title_copied_with_its_soft_hyphens_searches_as_the_plain_word():
    assert german.raw_words(f"Jugend{SHY}medien{SHY}schutz") == ["jugendmedienschutz"]
