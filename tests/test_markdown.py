"""Editors' Markdown is published without scripts, event handlers or unsafe links."""

from html.parser import HTMLParser

import pytest

from offerdb.markdown import render

VECTORS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "[klick](javascript:alert(1))",
    "[klick](JaVaScRiPt:alert(1))",
    "[klick](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "[klick](vbscript:msgbox(1))",
    "<a href=\"javascript:alert(1)\">x</a>",
    "<iframe src=\"https://example.org\"></iframe>",
    "<svg onload=alert(1)>",
    "<style>body{display:none}</style>",
    "Text {: onclick=\"alert(1)\" }",
    "<div style=\"background:url(javascript:alert(1))\">x</div>",
    "![bild](https://tracker.example.com/pixel.gif)",
    "<form action=\"https://example.org\"><input></form>",
]


class _Elements(HTMLParser):
    def __init__(self):
        super().__init__()
        self.found = []

    def handle_starttag(self, tag, attrs):
        self.found.append((tag, dict(attrs)))


SAFE_TAGS = {"p", "a", "strong", "em", "ul", "ol", "li", "h2", "h3", "code", "pre", "br"}


@pytest.mark.parametrize("source", VECTORS)
def test_no_dangerous_output(source):
    parser = _Elements()
    parser.feed(render(source))
    for tag, attrs in parser.found:
        assert tag in SAFE_TAGS, (source, tag)
        assert set(attrs) <= {"href", "rel", "title"}, (source, attrs)
        href = (attrs.get("href") or "").strip().lower()
        assert not href or href.startswith(("https:", "mailto:", "tel:", "../", "#")), (source, href)


def test_http_links_lose_their_target_but_keep_text():
    assert render("[Seite](http://example.org)") == '<p><a rel="noopener noreferrer">Seite</a></p>'


def test_allowed_links_survive():
    html = render("[a](https://example.org/x) [b](mailto:a@example.org) [c](tel:+493710000) [d](../impressum/)")
    for href in ("https://example.org/x", "mailto:a@example.org", "tel:+493710000", "../impressum/"):
        assert f'href="{href}"' in html


def test_headings_shift_for_offers_only():
    assert render("## Ablauf", heading_offset=1) == "<h3>Ablauf</h3>"
    assert render("## Ablauf") == "<h2>Ablauf</h2>"
    assert render("###### tief", heading_offset=1) == "<h6>tief</h6>"


def test_tables_and_lists_render():
    html = render("1. eins\n2. zwei\n\n| a | b |\n|---|---|\n| 1 | 2 |\n")
    assert "<ol>" in html and "<table>" in html and "<td>2</td>" in html
