"""Editors' Markdown is published without scripts, event handlers or unsafe links."""

from html.parser import HTMLParser

import pytest

from offerdb import markdown
from offerdb.markdown import render
from offerdb.memory import Memory, digest

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


def test_table_cells_carry_their_alignment_as_an_attribute():
    html = markdown.to_html("| a | b | c | d |\n|:--|:-:|--:|---|\n| 1 | 2 | 3 | 4 |\n")
    assert html == ('<table>\n<thead>\n<tr>\n<th align="left">a</th>\n<th align="center">b</th>\n'
                    '<th align="right">c</th>\n<th>d</th>\n</tr>\n</thead>\n<tbody>\n<tr>\n<td align="left">1</td>\n'
                    '<td align="center">2</td>\n<td align="right">3</td>\n<td>4</td>\n</tr>\n</tbody>\n</table>')


@pytest.mark.parametrize("offset, expected", [
    (0, "<h1>Eins</h1>\n<h2>Zwei</h2>\n<h5>Fünf</h5>\n<h6>Sechs</h6>"),
    (1, "<h2>Eins</h2>\n<h3>Zwei</h3>\n<h6>Fünf</h6>\n<h6>Sechs</h6>"),
    (2, "<h3>Eins</h3>\n<h4>Zwei</h4>\n<h6>Fünf</h6>\n<h6>Sechs</h6>"),
])
def test_headings_move_down_by_the_offset_and_stop_at_h6(offset, expected):
    assert markdown.to_html("# Eins\n\n## Zwei\n\n##### Fünf\n\n###### Sechs\n", offset) == expected


def test_inline_markup_and_links_in_full():
    html = markdown.to_html('**fett** *kursiv* `code` [Link](https://example.org/ "Titel") [Mail](mailto:a@b.de) '
                            "[Tel](tel:+49371) [Web](http://x.de) <span>roh</span>")
    assert html == ('<p><strong>fett</strong> <em>kursiv</em> <code>code</code> '
                    '<a href="https://example.org/" title="Titel" rel="noopener noreferrer">Link</a> '
                    '<a href="mailto:a@b.de" rel="noopener noreferrer">Mail</a> '
                    '<a href="tel:+49371" rel="noopener noreferrer">Tel</a> '
                    '<a rel="noopener noreferrer">Web</a> roh</p>')


def test_blocks_in_full_without_a_trailing_newline():
    html = markdown.to_html("> Zitat\n\n---\n\n3. drei\n4. vier\n\n- a\n- b\n\n```\npre\n```\n\nZeile  \numbruch\n")
    assert html == ('<blockquote>\n<p>Zitat</p>\n</blockquote>\n<hr>\n<ol start="3">\n<li>drei</li>\n<li>vier</li>\n'
                    '</ol>\n<ul>\n<li>a</li>\n<li>b</li>\n</ul>\n<pre><code>pre\n</code></pre>\n<p>Zeile<br>\numbruch</p>')


def test_render_keeps_each_text_and_offset_in_the_memory_under_its_key():
    memory = Memory()
    first = markdown.render("## Ablauf", 1, memory)
    assert first == "<h3>Ablauf</h3>"
    assert markdown.key("## Ablauf", 1) == ("markdown", digest(b"## Ablauf"), 1)
    assert memory.get(markdown.key("## Ablauf", 1)) == first
    assert markdown.render("## Ablauf", 2, memory) == "<h4>Ablauf</h4>"  # another offset, another entry
    memory.put(markdown.key("x", 0), "<p>aus dem Gedächtnis</p>")
    assert markdown.render("x", 0, memory) == "<p>aus dem Gedächtnis</p>"
    assert markdown.render("x", 0) == "<p>x</p>"


def test_without_an_offset_headings_keep_their_level():
    assert markdown.to_html("# Eins") == "<h1>Eins</h1>" and render("## Zwei") == "<h2>Zwei</h2>"


def test_raw_html_keeps_only_the_allowed_attributes():
    html = markdown.to_html('<a href="https://x.de/" hreflang="de" target="_blank">y</a> <td colspan="2">b</td>')
    assert html == '<p><a href="https://x.de/" rel="noopener noreferrer">y</a> b</p>'
