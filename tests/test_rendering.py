"""The built site without a browser: every field on the offer page, lists that reach every offer without
JavaScript, theme pages, the Merkliste and data pages, the video of the sign-language page."""

from __future__ import annotations

import datetime
import hashlib
import html
import itertools
import pickle
import re
from pathlib import Path

import jinja2
import pytest

import goldensite
from offerdb import pipeline, rendering
from conftest import TODAY as BASE_TODAY  # the day the small test site's seals are valid
from offerdb.cli import ROOT
from offerdb.memory import Memory

TODAY = datetime.date(2026, 11, 25)


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> tuple[pipeline.Built, Path]:
    checked = pipeline.check(ROOT / "content", ROOT / "site.yaml", TODAY)
    out = tmp_path_factory.mktemp("site") / "site"
    return pipeline.build(checked, out, TODAY), out


def public_pages(out):
    """The built HTML pages a visitor reads: all but the editors' /admin/ (its own CSP, no site header)."""
    return [file for file in out.rglob("*.html") if file.relative_to(out).parts[0] != "admin"]


def read(out: Path, path: str) -> str:
    return (out / path / "index.html" if not path.endswith(".html") else out / path).read_text(encoding="utf-8")


def text_of(page: str) -> str:
    """Visible text with tags removed and entities decoded, whitespace collapsed; words as they read, without the
    soft hyphens and break opportunities (<wbr>) that only tell the browser where it may break a line."""
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S).replace("<wbr>", "").replace("\u00ad", "")
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


def links(page: str) -> set[str]:
    return set(re.findall(r'href="([^"#?]+)"', page))


def test_every_field_of_an_offer_appears_on_its_page(built):
    site, out = built
    offer = next(o for o in site.site.offers if o.curriculum and o.cost.note or o.curriculum)
    text = text_of(read(out, f"angebote/{offer.slug}/"))
    expected = [offer.title, offer.summary, offer.target_group, offer.theoretical_basis, offer.staff_qualification,
                offer.preparation, offer.follow_up, offer.contact.name, offer.contact.email, offer.contact.phone_text,
                offer.seal.reviewed_by, offer.partner.name, offer.evaluation.label, offer.evaluation_description,
                offer.duration_note, offer.group_size_note, offer.booking_note, offer.cost.note,
                str(offer.duration_minutes), str(offer.group_size.low), str(offer.group_size.high),
                rendering.date_de(offer.seal.reviewed_on), rendering.date_de(offer.seal.valid_until),
                rendering.date_de(offer.last_updated), f"mindestens {offer.booking_lead_time_weeks} Wochen"]
    expected += list(offer.goals) + list(offer.methods)
    for terms in (offer.prevention_areas, offer.prevention_levels, offer.audiences, offer.school_types,
                  offer.formats, offer.venues, offer.languages):
        expected += [t.label for t in terms]
    expected += [link.subject.label for link in offer.curriculum] + [link.note for link in offer.curriculum]
    missing = [value for value in expected if value and " ".join(value.split()) not in text]
    assert missing == []
    page = read(out, f"angebote/{offer.slug}/")
    assert f'href="mailto:{offer.contact.email}"' in page
    assert f'href="{offer.contact.tel_href}"' in page


def test_offer_page_has_json_ld_that_cannot_break_out_of_its_script(built):
    site, out = built
    offer = site.site.offers[0]
    page = read(out, f"angebote/{offer.slug}/")
    scripts = re.findall(r'<script type="application/ld\+json">(.*?)</script>', page, flags=re.S)
    assert len(scripts) == 1
    import json
    data = json.loads(scripts[0])
    assert offer.title in json.dumps(data, ensure_ascii=False)


def test_list_pages_and_theme_pages_reach_every_offer_without_javascript(built):
    site, out = built
    slugs = {o.slug for o in site.site.offers}
    reached, pages, todo = set(), set(), ["angebote/", "themen/"]
    while todo:  # follow only links of the list and theme pages, as a visitor without JavaScript would
        path = todo.pop()
        if path in pages:
            continue
        pages.add(path)
        for href in links(read(out, path)):
            rel = href.removeprefix("/")
            if match := re.fullmatch(r"angebote/([a-z0-9-]+)/", rel):
                if match[1] != "seite":
                    reached.add(match[1])
            if re.fullmatch(r"(angebote|themen/[a-z0-9-]+)/(seite/\d+/)?", rel) or rel.startswith("themen/"):
                todo.append(rel)
    assert reached == slugs
    assert "angebote/seite/2/" in pages  # the sample has more offers than fit on one page


def test_pagination_splits_the_list_and_links_back_and_forth(built):
    site, out = built
    first, second = read(out, "angebote/"), read(out, "angebote/seite/2/")
    first_cards = re.findall(r'<li class="card" data-slug="([^"]+)"', first)
    second_cards = re.findall(r'<li class="card" data-slug="([^"]+)"', second)
    assert len(first_cards) == rendering.PAGE_SIZE
    assert first_cards + second_cards == [o.slug for o in site.site.offers]
    assert 'rel="next"' in first and 'href="/angebote/seite/2/"' in first
    assert 'rel="prev"' in second and 'href="/angebote/"' in second
    assert f"Angebote 1–{rendering.PAGE_SIZE} von {len(site.site.offers)}" in first


def test_theme_pages_list_exactly_the_offers_of_their_area(built):
    site, out = built
    for term in site.site.vocabularies["prevention_areas"].terms.values():
        page = read(out, f"themen/{term.key}/")
        cards = set(re.findall(r'<li class="card" data-slug="([^"]+)"', page))
        assert cards == {o.slug for o in site.site.offers if term in o.prevention_areas}, term.key
        assert f"<h1>{html.escape(term.label, quote=False)}</h1>" in page.replace("\u00ad", "")  # as it reads


def test_start_page_has_search_topics_trust_and_recent_offers(built):
    site, out = built
    page = read(out, "")
    assert re.search(r'<form[^>]*role="search"[^>]*method="get"[^>]*action="/angebote/"', page)
    assert '<input id="start-suche" name="q"' in page
    free = sum(1 for o in site.site.offers if o.cost.free)
    assert f"{free} Angebote sind für Schulen kostenfrei" in text_of(page)
    assert "Qualitätssiegel" in page
    for term in site.site.vocabularies["prevention_areas"].terms.values():
        assert f'href="/themen/{term.key}/"' in page
    newest = max(site.site.offers, key=lambda o: (o.last_updated, o.slug))
    assert f'data-slug="{newest.slug}"' in page


def test_every_page_has_the_search_form_and_legal_links(built):
    _, out = built
    for file in public_pages(out):
        page = file.read_text(encoding="utf-8")
        assert 'role="search"' in page and 'name="q"' in page, file
        for slug in ("impressum", "datenschutz", "barrierefreiheit", "leichte-sprache", "gebaerdensprache"):
            assert f'href="/{slug}/"' in page, (file, slug)


def test_list_page_facets_name_every_vocabulary_value(built):
    site, out = built
    page = read(out, "angebote/")
    for param, vocabulary in (("bereich", "prevention_areas"), ("schulart", "school_types"), ("format", "formats"),
                              ("zielgruppe", "audiences"), ("ort", "venues"), ("sprache", "languages"),
                              ("wirksamkeit", "evidence_levels")):
        for key in site.site.vocabularies[vocabulary].terms:
            assert f'name="{param}" value="{key}"' in page
    assert 'name="kostenfrei" value="1"' in page and 'name="klasse"' in page
    assert 'aria-live="polite"' in page
    assert "<noscript>" in page  # the note that search and filters need JavaScript


def test_no_inline_script_or_style_anywhere(built):
    _, out = built
    for file in public_pages(out):
        page = file.read_text(encoding="utf-8")
        for tag in re.findall(r"<script\b[^>]*>", page):
            assert "src=" in tag or 'type="application/ld+json"' in tag, (file, tag)
        assert "<style" not in page and " style=" not in page and " on" + "click=" not in page, file
        assert "default-src 'self'; object-src 'none'; base-uri 'none'" in page, file


def test_sitemap_robots_feed_and_open_data_are_published(built):
    site, out = built
    sitemap = (out / "sitemap.xml").read_text(encoding="utf-8")
    for offer in site.site.offers:
        assert f"<loc>https://praevention.example.org/angebote/{offer.slug}/</loc>" in sitemap
    assert "merkliste" not in sitemap and "404" not in sitemap
    assert "Sitemap: https://praevention.example.org/sitemap.xml" in (out / "robots.txt").read_text()
    assert (out / "feed.xml").read_bytes().startswith(b"<?xml")
    assert (out / "daten" / "angebote.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    text = text_of(read(out, "daten/"))
    assert "CSV" in text and "JSON" in text and "Lizenz" in text


def test_sign_language_video_is_served_from_the_site_with_size_and_running_time(site, tmp_path):
    site.write("content/medien/dgs-einfuehrung.mp4", b"\0" * 2_500_000)
    site.write("content/medien/dgs-einfuehrung.vtt", "WEBVTT\n")
    site.write("content/medien/entwurf.mp4", b"\0" * 10)  # not used by any page: must not be published
    data, body = site.read_front("content/pages/gebaerdensprache.md")
    data["video"] = {"file": "dgs-einfuehrung.mp4", "captions": "dgs-einfuehrung.vtt",
                     "title": "Die Datenbank in Gebärdensprache", "duration": "4:30"}
    site.write_front("content/pages/gebaerdensprache.md", data, body)
    checked = site.check(TODAY)
    assert checked.problems == [] or all(not p.is_error for p in checked.problems)
    out = tmp_path / "out"
    pipeline.build(checked, out, TODAY)
    page = read(out, "gebaerdensprache/")
    assert '<video controls preload="metadata" src="/medien/dgs-einfuehrung.mp4"' in page
    assert '<track kind="captions" srclang="de"' in page
    assert "Laufzeit 4 Min. 30 Sek." in page
    assert "Video herunterladen (MP4, 2,5 MB)" in page
    assert (out / "medien" / "dgs-einfuehrung.mp4").stat().st_size == 2_500_000
    assert not (out / "medien" / "entwurf.mp4").exists()


def test_assets_are_fingerprinted_by_content(built):
    import hashlib
    _, out = built
    page = read(out, "")
    css = re.search(r'<link rel="stylesheet" href="/(assets/site\.([0-9a-f]{10})\.css)">', page)
    assert css, "stylesheet link without content hash"
    data = (out / css[1]).read_bytes()
    assert hashlib.sha256(data).hexdigest()[:10] == css[2]
    for script in re.findall(r'<script src="/([^"]+)"', read(out, "angebote/") + read(out, "merkliste/")):
        assert (out / script).is_file() and re.search(r"\.[0-9a-f]{10}\.js$", script), script


def test_the_pager_names_first_last_and_neighbours_so_it_stays_short_for_long_lists():
    from offerdb.rendering import Pager

    def numbers(current, count):
        pager = Pager(current, tuple(f"seite/{n}/" for n in range(1, count + 1)), (), 1, 0)
        return [link and link[0] for link in pager.links]

    assert numbers(1, 7) == [1, 2, 3, 4, 5, 6, 7]  # short lists: every page
    assert numbers(200, 409) == [1, None, 198, 199, 200, 201, 202, None, 409]
    assert numbers(1, 10) == [1, 2, 3, None, 10]
    assert numbers(5, 10) == [1, 2, 3, 4, 5, 6, 7, None, 10]  # a gap of one page is named, not "…"
    pager = Pager(2, ("a/", "a/seite/2/", "a/seite/3/"), (), 25, 60)
    assert pager.links[0] == (1, "a/") and pager.previous == "a/" and pager.next == "a/seite/3/"


def test_every_page_has_one_h1_and_headings_that_skip_no_level(built):
    """A screen reader's outline of each built page (every list page and theme page, not one per type): the
    cards' h3 need an h2 above them, and no heading may go more than one level deeper than the one before."""
    _, out = built
    wrong = []
    pages = sorted(public_pages(out))
    assert len(pages) >= 60
    for file in pages:
        main = re.search(r"<main\b.*?</main>", file.read_text(encoding="utf-8"), flags=re.S).group(0)
        levels = [int(level) for level in re.findall(r"<h([1-6])\b", main)]
        where = file.relative_to(out).as_posix()
        if levels.count(1) != 1 or levels[0] != 1:
            wrong.append(f"{where}: Überschriften {levels}")
        for before, level in itertools.pairwise(levels):
            if level > before + 1:
                wrong.append(f"{where}: h{level} nach h{before}")
                break
    assert not wrong, "\n".join(wrong)


def test_operator_and_seal_sentences_read_as_german(built):
    """site.yaml's operator_dative gives "von" its article and case; the seal's bare reviewer name stands after a
    label instead of "durch", which would need an article."""
    _, out = built
    start = text_of(read(out, ""))
    assert "Betrieben wird die Website von der Externen Koordinierungsstelle der Chemnitzer Partnerschaft für " \
           "Demokratie." in start
    assert "von Externe" not in start and "von: Externe" not in text_of(read(out, "impressum/"))
    offer = text_of(read(out, "angebote/projekttag-fuer-demokratie/"))
    assert "Geprüft am 12. März 2026, das Qualitätssiegel gilt bis 31. März 2028. " \
           "Prüfstelle: Steuerungsgruppe Präventionsnetzwerk Chemnitz." in offer
    assert "durch Steuerungsgruppe" not in offer


def test_without_operator_dative_the_operator_stands_after_a_label(site, tmp_path):
    """The field is optional: a site.yaml without it names the operator in a form that needs no case."""
    assert "operator_dative" not in site.config.read_text(encoding="utf-8")
    checked = site.check()
    assert not checked.fails(strict=False)
    out = tmp_path / "out"
    pipeline.build(checked, out, BASE_TODAY)
    start = text_of(read(out, ""))
    assert "Betreiber der Website: Testbetreiber." in start
    assert "Betrieben wird die Website von" not in start


def test_privacy_page_explains_what_the_merkliste_stores_and_why_no_consent_is_asked(built):
    _, out = built
    text = text_of(read(out, "datenschutz/"))
    assert "Wir setzen keine Cookies." in text
    assert "im lokalen Speicher (Local Storage) dieses Browsers auf Ihrem Gerät" in text
    assert "Vorher wird nichts gespeichert." in text and "wird der Eintrag gelöscht" in text
    assert "§ 25 Abs. 2 Nr. 2 TDDDG" in text
    assert "legen nichts im lokalen Speicher" not in text and "steht nur in der Adresse" not in text


# --- golden pages of a small site: every value in its place -----------------------------------------------------

@pytest.fixture(scope="module")
def golden_site(tmp_path_factory):
    return goldensite.build(tmp_path_factory.mktemp("golden"))


GOLDEN_PAGES = ["404.html", "angebote/angebot-a/index.html", "angebote/angebot-b-pausiert/index.html",
                "angebote/angebot-d-neu/index.html", "angebote/index.html", "barrierefreiheit/index.html",
                "daten/index.html", "datenschutz/index.html", "gebaerdensprache/index.html", "hilfe/index.html",
                "impressum/index.html", "index.html", "leichte-sprache/index.html", "merkliste/index.html",
                "themen/gewaltpraevention/index.html", "themen/index.html", "themen/mobbing/index.html",
                "traeger/index.html", "traeger/traeger-a/index.html"]


def test_golden_pages_are_every_page_but_the_field_guide(golden_site):
    _, out = golden_site
    assert goldensite.files(out, (".html",)) == GOLDEN_PAGES
    assert goldensite.golden_files((".html",)) == GOLDEN_PAGES
    # This test builds the module's site (the first to use the fixture), so it also compares every page: a tool
    # that maps code to the tests calling it (mutmut) sees the build here only.
    for rel in GOLDEN_PAGES:
        goldensite.compare(out, rel)


@pytest.mark.parametrize("rel", GOLDEN_PAGES)
def test_golden_page(golden_site, rel):
    _, out = golden_site
    goldensite.compare(out, rel)


def test_badges_carry_their_own_offers_values(golden_site):
    """What stands in a card's badges and facts belongs to that card's offer: a date or cost that appears
    elsewhere on the page does not count."""
    _, out = golden_site
    page = read(out, "angebote/")
    cards = dict(re.findall(r'<li class="card"[^>]*data-slug="([^"]+)"[^>]*>(.*?)</li>\s*(?=<li class="card"|</ul>)',
                            page, flags=re.S))
    assert sorted(cards) == ["angebot-a", "angebot-b-pausiert", "angebot-d-neu"]
    assert "zurzeit nicht buchbar" in cards["angebot-b-pausiert"]
    assert "zurzeit nicht buchbar" not in cards["angebot-a"] + cards["angebot-d-neu"]
    assert "kostenfrei" in text_of(cards["angebot-a"]) and "kostenfrei" not in text_of(cards["angebot-b-pausiert"])
    assert "Klasse 3–4" in text_of(cards["angebot-d-neu"]) and "6–10 Jahre" in text_of(cards["angebot-b-pausiert"])
    offer = read(out, "angebote/angebot-b-pausiert/")
    assert "gültig bis 31. März 2027" in text_of(offer) or "31. März 2027" in text_of(offer)
    assert "3. April 2026" in text_of(offer) and "1. Februar 2026" not in text_of(offer)


# --- the page helpers, value by value ------------------------------------------------------------------------

def test_german_dates_name_every_month():
    months = ["Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September", "Oktober",
              "November", "Dezember"]
    for number, month in enumerate(months, start=1):
        assert rendering.date_de(datetime.date(2026, number, 9)) == f"9. {month} 2026"
    assert rendering.date_de(datetime.date(2027, 12, 31)) == "31. Dezember 2027"


def test_tables_scroll_in_numbered_regions():
    assert rendering.scrollable_tables("<p>a</p><table><tr></tr></table><table></table>") == (
        '<p>a</p><section class="table-scroll" tabindex="0" aria-label="Tabelle 1, seitlich scrollbar"><table><tr>'
        '</tr></table></section><section class="table-scroll" tabindex="0" aria-label="Tabelle 2, seitlich '
        'scrollbar"><table></table></section>')
    assert rendering.scrollable_tables("<p>keine</p>") == "<p>keine</p>"


@pytest.mark.parametrize("count, number, shown", [
    (1, 1, [1]), (7, 4, [1, 2, 3, 4, 5, 6, 7]), (8, 1, [1, 2, 3, None, 8]), (8, 3, [1, 2, 3, 4, 5, None, 8]),
    (8, 4, [1, 2, 3, 4, 5, 6, 7, 8]), (8, 6, [1, None, 4, 5, 6, 7, 8]), (12, 1, [1, 2, 3, None, 12]),
    (12, 5, [1, 2, 3, 4, 5, 6, 7, None, 12]), (12, 6, [1, None, 4, 5, 6, 7, 8, None, 12]),
    (12, 8, [1, None, 6, 7, 8, 9, 10, 11, 12]), (12, 12, [1, None, 10, 11, 12]),
])
def test_the_pager_names_these_pages(count, number, shown):
    pages = tuple(f"p{n}/" for n in range(1, count + 1))
    pager = rendering.Pager(number, pages, (), 1, 0)
    assert pager.links == [None if n is None else (n, f"p{n}/") for n in shown]
    assert pager.previous == (f"p{number - 1}/" if number > 1 else None)
    assert pager.next == (f"p{number + 1}/" if number < count else None)


def test_paginate_numbers_pages_and_cards():
    offers = list(range(50))
    pages = rendering.paginate(offers, "angebote/")
    assert [(p.number, p.pages, p.items[:1], len(p.items), p.first_index, p.total) for p in pages] == [
        (1, ("angebote/", "angebote/seite/2/", "angebote/seite/3/"), (0,), 24, 1, 50),
        (2, ("angebote/", "angebote/seite/2/", "angebote/seite/3/"), (24,), 24, 25, 50),
        (3, ("angebote/", "angebote/seite/2/", "angebote/seite/3/"), (48,), 2, 49, 50)]
    empty = rendering.paginate([], "themen/x/")
    assert [(p.number, p.pages, p.items, p.first_index, p.total) for p in empty] == [(1, ("themen/x/",), (), 1, 0)]


def test_related_offers_share_most_areas_first_then_keep_the_list_order():
    from types import SimpleNamespace

    def offer(slug, *areas):
        return SimpleNamespace(slug=slug, prevention_areas=[SimpleNamespace(key=a) for a in areas])

    offers = [offer("a", "x", "y"), offer("b", "y"), offer("c", "x", "y"), offer("d", "z"), offer("e", "x"),
              offer("f", "y", "x"), offer("g", "x"), offer("h", "q")]
    related = {slug: [o.slug for o in found] for slug, found in rendering.related_offers(offers).items()}
    assert related == {"a": ["c", "f", "b", "e"], "b": ["a", "c", "f"], "c": ["a", "f", "b", "e"], "d": [],
                       "e": ["a", "c", "f", "g"], "f": ["a", "c", "b", "e"], "g": ["a", "c", "e", "f"], "h": []}


def test_labels_and_assets_and_the_compiled_environment(tmp_path):
    from types import SimpleNamespace
    assert rendering.labels([SimpleNamespace(label="A"), SimpleNamespace(label="B c")]) == "A, B c"
    assets = rendering.fingerprinted_assets()
    assert set(assets) >= {"site.css", "list.js", "search.js", "merken.js", "merkliste.js", "favicon.svg"}
    for name, (path, data) in assets.items():
        stem, _, suffix = name.rpartition(".")
        assert path == f"assets/{stem}.{hashlib.sha256(data).hexdigest()[:10]}.{suffix}"
        if name in rendering.SCRIPT_BUNDLES:  # the minified parts in their order, a ";" between two
            assert data == b";\n".join(assets[part][1] for part in rendering.SCRIPT_BUNDLES[name])
            continue
        source = (rendering.ASSETS / name).read_bytes()
        if suffix == "js":  # minified: no comment left, a third shorter, and the same program
            assert b"/*" not in data and b"\n  " not in data and len(data) < 0.8 * len(source), name
            assert data == rendering.minified_script(source)
        else:
            assert data == source
    memory = Memory()
    first = rendering.environment_for("k", "/x/", assets, memory)
    assert rendering.environment_for("k", "/x/", assets, memory) is first
    assert rendering.environment_for("other", "/x/", assets, memory) is not first
    assert rendering.environment_for("k", "/x/", assets, None) is not first
    assert first.globals["url"]("angebote/") == "/x/angebote/"
    assert first.globals["asset"]("site.css") == "/x/" + assets["site.css"][0]
    assert first.autoescape is True and first.undefined is jinja2.StrictUndefined
    assert pickle.loads(pickle.dumps(rendering._Compiled(first))).env is None
