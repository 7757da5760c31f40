"""The link check: the shipped sample site (at the host root and under a sub-path) has no broken internal link
or anchor, and a hand-made site with a broken link, a broken anchor and a bad Merkliste slug is reported."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest

from offerdb import linkcheck, pipeline

ROOT = Path(__file__).resolve().parent.parent
TODAY = datetime.date(2026, 11, 25)
SUB_PATH_URL = "https://example.org/praevention/"


def build_sample(out: Path, base_url: str | None = None) -> Path:
    """Build the shipped content into `out`, optionally with another base_url in a copy of site.yaml."""
    config = ROOT / "site.yaml"
    if base_url is not None:
        lines = config.read_text(encoding="utf-8").splitlines(keepends=True)
        text = "".join(f"base_url: {base_url}\n" if line.startswith("base_url:") else line for line in lines)
        config = out.parent / "site.yaml"
        config.write_text(text, encoding="utf-8")
    checked = pipeline.check(ROOT / "content", config, TODAY)
    assert not checked.fails(strict=False), [str(p) for p in checked.problems]
    pipeline.build(checked, out, TODAY)
    return out


@pytest.mark.parametrize("base_url", [None, SUB_PATH_URL], ids=["root", "sub-path"])
def test_sample_site_has_no_broken_links(tmp_path, base_url):
    out = build_sample(tmp_path / "site", base_url)
    report = linkcheck.check_site(out)  # base_url from the start page's canonical link, as on the command line
    assert report.files > 50 and report.links > 1000  # really looked at the whole site
    assert report.ok, "\n".join(map(str, report.broken))


def test_sub_path_is_detected_from_the_canonical_link(tmp_path):
    out = build_sample(tmp_path / "site", SUB_PATH_URL)
    assert linkcheck.guess_base_url(out) == SUB_PATH_URL
    # Checked as if it lived at the host root, every root-relative link points outside the site.
    wrong = linkcheck.check_site(out, "https://example.org/")
    assert any("/praevention/angebote/" in b.link and "Ziel fehlt" in b.reason for b in wrong.broken)


def write(root: Path, rel: str, text: str) -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


PAGE = ('<!DOCTYPE html><html lang="de"><head><link rel="canonical" href="https://example.org/p/{path}">'
        '<link rel="stylesheet" href="/p/assets/a.css"></head><body><a href="#inhalt">Zum Inhalt</a>'
        '<main id="inhalt">{body}</main></body></html>')


@pytest.fixture
def tiny(tmp_path) -> Path:
    """A three-page site under /p/ whose links are all fine; tests break one thing at a time."""
    root = tmp_path / "tiny"
    write(root, "index.html", PAGE.format(path="", body=(
        '<a href="angebote/">Liste</a> <a href="/p/angebote/eins/#kontakt">Kontakt</a> '
        '<a href="https://example.org/p/angebote/eins/">absolut</a> <a href="https://other.example/x">fremd</a> '
        '<a href="mailto:a@example.org">Mail</a> <a href="#">oben</a> <a href="merkliste/#eins">merken</a> '
        '<form action="/p/angebote/" method="get"><input name="q"></form> <img src="assets/bild.svg" alt="">')))
    write(root, "angebote/index.html", PAGE.format(path="angebote/", body='<a href="eins/?x=1">eins</a>'))
    write(root, "angebote/eins/index.html", PAGE.format(
        path="angebote/eins/", body='<h2 id="kontakt">Kontakt</h2><a href="../../">Start</a>'))
    write(root, "merkliste/index.html", PAGE.format(path="merkliste/", body=""))
    write(root, "assets/a.css", "body { background: url(bild.svg); }")
    write(root, "assets/bild.svg", "<svg xmlns='http://www.w3.org/2000/svg'/>")
    write(root, "sitemap.xml", '<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
          '<url><loc>https://example.org/p/</loc></url><url><loc>https://example.org/p/angebote/eins/</loc></url>'
          '</urlset>')
    return root


def test_tiny_site_is_clean(tiny):
    report = linkcheck.check_site(tiny)
    assert report.ok, [str(b) for b in report.broken]
    assert report.links >= 20


def test_broken_link_and_broken_anchor_are_both_reported(tiny):
    page = tiny / "angebote/eins/index.html"
    page.write_text(page.read_text(encoding="utf-8").replace(
        '<a href="../../">Start</a>', '<a href="../zwei/">fehlt</a>\n<a href="/p/#nirgends">Anker</a>'),
        encoding="utf-8")
    broken = [str(b) for b in linkcheck.check_site(tiny).broken]
    assert broken == [
        "angebote/eins/index.html:1: Link „../zwei/“: Ziel fehlt (keine Datei angebote/zwei/index.html in der Website)",
        "angebote/eins/index.html:2: Link „/p/#nirgends“: Anker „#nirgends“ fehlt in index.html",
    ]


def test_root_relative_link_that_misses_the_sub_path_is_reported(tiny):
    write(tiny, "angebote/index.html", PAGE.format(path="angebote/", body='<a href="/angebote/eins/">eins</a>'))
    (broken,) = linkcheck.check_site(tiny).broken
    assert broken.link == "/angebote/eins/" and "außerhalb der Website" in broken.reason


def test_broken_asset_stylesheet_url_and_sitemap_entry_are_reported(tiny):
    (tiny / "assets/bild.svg").unlink()
    write(tiny, "sitemap.xml", '<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
          '<url><loc>https://example.org/p/weg/</loc></url><url><loc>https://elsewhere.example/</loc></url></urlset>')
    broken = {(b.file, b.link) for b in linkcheck.check_site(tiny).broken}
    assert broken == {("index.html", "assets/bild.svg"), ("assets/a.css", "bild.svg"),
                      ("sitemap.xml", "https://example.org/p/weg/"), ("sitemap.xml", "https://elsewhere.example/")}


def test_merkliste_fragment_must_name_published_offers(tiny):
    write(tiny, "angebote/index.html", PAGE.format(
        path="angebote/", body='<a href="../merkliste/#eins,entfernt">Merkliste</a>'))
    (broken,) = linkcheck.check_site(tiny).broken
    assert broken.reason == "„entfernt“ ist kein veröffentlichtes Angebot"


def test_command_line_exit_codes_and_german_report(tiny, capsys):
    assert linkcheck.main([str(tiny)]) == 0
    assert "Keine defekten Links" in capsys.readouterr().err
    (tiny / "angebote/eins/index.html").unlink()
    assert linkcheck.main([str(tiny), "--base-url", "https://example.org/p/"]) == 1
    captured = capsys.readouterr()
    assert "index.html:1: Link „/p/angebote/eins/#kontakt“: Ziel fehlt" in captured.out
    assert "5 defekte Links in 3 Dateien" in captured.err  # index, list page, sitemap
