"""The benchmark harness must not rot: generated content is valid and reproducible, and a small run prints
every row with numbers that parse. No timing is asserted here; figures belong in docs/performance.md."""

from __future__ import annotations

import datetime
import os
import hashlib
import re
import subprocess
import sys
from pathlib import Path

from benchmarks import generate
from offerdb import pipeline

ROOT = Path(__file__).resolve().parent.parent


def _digest(folder: Path) -> str:
    h = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            h.update(path.relative_to(folder).as_posix().encode() + b"\0" + path.read_bytes())
    return h.hexdigest()


def test_generated_content_has_no_problem_but_the_placeholders_of_the_shipped_files(tmp_path):
    """Pages and hilfe.yaml are copies of the shipped ones, so they bring their go-live placeholders along, and
    the generated site.yaml keeps the example address; offers and partners are generated without a problem."""
    content, config = generate.generate(120, tmp_path)
    checked = pipeline.check(content, config, datetime.date(2026, 11, 25))
    shipped = pipeline.check(ROOT / "content", ROOT / "site.yaml", datetime.date(2026, 11, 25)).problems
    copied = [p for p in shipped if p.file.startswith(("content/pages/", "content/hilfe.yaml"))]
    assert copied and {p.code for p in copied} == {"placeholder"}
    assert [p for p in checked.problems if p not in copied] == [
        p for p in checked.problems if p.file == "site.yaml" and p.code == "example-address"]
    assert len(checked.problems) == len(copied) + 1
    offers = checked.validated.records["offer"]
    assert len(offers) == 120
    assert len(checked.validated.records["partner"]) == generate.partner_count(120)
    words = [len(o.document.body.split()) for o in offers]
    assert 200 <= sum(words) / len(words) <= 400  # ~300 words of prose, like a real description
    assert len({o.document.body for o in offers}) == 120  # varied, not one text copied


def test_same_count_gives_same_bytes(tmp_path):
    generate.generate(40, tmp_path / "a")
    generate.generate(40, tmp_path / "b")
    generate.generate(41, tmp_path / "c")
    assert _digest(tmp_path / "a") == _digest(tmp_path / "b")
    assert _digest(tmp_path / "a") != _digest(tmp_path / "c")


def test_small_run_prints_every_row_with_parsable_numbers(tmp_path):
    result = subprocess.run([sys.executable, "benchmarks/run.py", "--offers", "200", "--work", str(tmp_path),
                             "--markdown", str(tmp_path / "result.md")],
                            cwd=ROOT, capture_output=True, text=True, timeout=600, check=True)
    lines = result.stdout.splitlines()
    header = next(line for line in lines if line.lstrip().startswith("offers  measurement"))
    columns = header.split()
    for stage in ("load", "validate", "render", "write", "total", "peak"):
        assert stage in columns
    for name in ("cold build", "rebuild, same process", "rebuild, new process"):
        row = next(line for line in lines if f"  {name}  " in line)
        numbers = row.replace(name, " ").split()
        assert numbers[0] == "200"
        values = [float(n) for n in numbers[1:] if n != "-"]  # ValueError if a figure does not parse
        assert len(values) >= 6 and all(v >= 0 for v in values)
        total = float(numbers[columns.index("total") - 1])  # the row has no cell for "measurement"
        assert total > 0
    sizes = next(line for line in lines if re.match(r"\s*200\s+\d+\s+[\d.]+\s+\d+\s+[\d.]+\s+[\d.]+$", line))
    files = int(sizes.split()[1])
    assert files > 200  # one page per offer at least
    assert "| 200 | cold build |" in (tmp_path / "result.md").read_text(encoding="utf-8")
    # The changed offer is restored, so the cached content stays what generate.py wrote.
    fresh = tmp_path / "fresh"
    generate.generate(200, fresh)
    assert _digest(fresh / "content") == _digest(tmp_path / "200" / "content")



def test_repeated_runs_show_the_median_run_of_each_measurement_and_the_range():
    from benchmarks import run

    def measured(cold: float, rebuild: float) -> dict:
        return {"offers": 10, "sizes": None, "rows": [
            {"name": "cold build", "total": cold, "stages": {"load": cold / 2}, "imported": 0.1,
             "peak_mb": 1, "load": 0.0},
            {"name": "rebuild", "total": rebuild, "stages": {"load": rebuild / 2}, "imported": 0.0,
             "peak_mb": 1, "load": 0.0}]}

    result = run.median_run([measured(3.0, 0.5), measured(1.0, 0.9), measured(2.0, 0.7)])
    cold, rebuild = result["rows"]
    assert (cold["total"], cold["stages"]["load"], cold["range"]) == (2.0, 1.0, (1.0, 3.0))
    assert (rebuild["total"], rebuild["stages"]["load"], rebuild["range"]) == (0.7, 0.35, (0.5, 0.9))
    assert "1.00–3.00" in run.table([result], markdown=False)


def test_markdown_it_renders_the_shipped_content_like_python_markdown_did():
    """The switch to markdown-it-py (faster, CommonMark like GitHub's preview) keeps every shipped body:
    same tags, attributes and text as Python-Markdown gave, after the same nh3 sanitising. The field guide is
    the one deliberate difference: Python-Markdown without `fenced_code` turned its ```yaml example into
    inline code inside a paragraph; markdown-it renders the code block."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    import markdown as python_markdown
    import markdown_libs

    from offerdb.markdown import render

    reference = markdown_libs.python_markdown()
    items = markdown_libs.corpus(offers=50)
    assert len(items) > 90  # 41 shipped files, the fixtures, the field guide and 50 generated offers
    for name, text in items:
        for offset in (0, 1):
            old = markdown_libs._clean(markdown_libs.shift(reference(text), offset))
            new = render(text, heading_offset=offset)
            if name == "fieldguide":
                assert "<pre><code>" in new and "<pre>" not in old
            else:
                assert markdown_libs.normalise(new) == markdown_libs.normalise(old), name
    assert python_markdown.__name__ == "markdown"  # the reference really is Python-Markdown


def test_cached_results_equal_fresh_ones_and_follow_changed_bytes(tmp_path):
    from offerdb.memory import Memory

    content, config = generate.generate(30, tmp_path)
    today = datetime.date(2026, 11, 25)
    cache = Memory()
    first = pipeline.validate(pipeline.load_content(content, cache), today, 60, cache)
    again = pipeline.validate(pipeline.load_content(content, cache), today, 60, cache)
    fresh = pipeline.validate(pipeline.load_content(content, None), today, 60, None)
    assert cache.hits > 60  # the second run read documents and schema results from the cache
    for run in (again, fresh):
        assert run.problems == first.problems
        offers = run.records["offer"]
        assert [(r.file, r.values) for r in offers] == [(r.file, r.values) for r in first.records["offer"]]
    # Same file time, new bytes: the cache must not answer with the old document.
    offer = sorted((content / "offers").glob("*.md"))[3]
    stat = offer.stat()
    offer.write_text(offer.read_text(encoding="utf-8").replace("status: active", "status: aktiv"), encoding="utf-8")
    os.utime(offer, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    changed = pipeline.validate(pipeline.load_content(content, cache), today, 60, cache)
    assert [p.code for p in changed.problems if p not in first.problems] == ["not-allowed"]
    # On disk and back: a new process gets the same results.
    cache.save(tmp_path / "cache.pickle")
    loaded = Memory.load(tmp_path / "cache.pickle")
    assert len(loaded) == len(cache)
    reread = pipeline.validate(pipeline.load_content(content, loaded), today, 60, loaded)
    assert reread.problems == changed.problems and loaded.hits > 0
    assert len(Memory.load(tmp_path / "missing.pickle")) == 0


def test_browser_search_benchmark_reads_counts_and_accept_encoding():
    from benchmarks import search_browser

    assert search_browser.shown_count("24 Angebote zu „Mobbing“ gefunden. Angezeigt werden 24 von 130.") == 24
    assert search_browser.shown_count("Keine Angebote zu „Klasse 7“ gefunden.") == 0
    assert search_browser.shown_count("1.234 Ergebnisse gefunden") == 1234
    assert search_browser._accepts_gzip("gzip, deflate, br, zstd")
    assert not search_browser._accepts_gzip("gzip;q=0, br")
    assert not search_browser._accepts_gzip("identity")


def test_browser_search_benchmark_says_where_the_engines_found_different_counts():
    from benchmarks import search_browser

    ours = [{"query": "Mobbing", "count": 1865}, {"query": "Medienkompetnz", "count": 1124}]
    theirs = [{"query": "Mobbing", "count": 1865}, {"query": "Medienkompetnz", "count": 0}]
    assert search_browser.different_work(ours, theirs) == [
        "„Medienkompetnz“: offerdb findet 1124, Pagefind 0 Angebote – die Zeiten vergleichen ungleiche Arbeit."]
    assert search_browser.different_work(ours, ours) == []
    # A typo query beside Pagefind's time for the right spelling; no note where there is none.
    right = {"query": "Medienkompetenz", "count": 1124, "seconds": 0.75}
    assert search_browser.spelled_notes([{"query": "Medienkompetnz", "count": 1124, "seconds": 0.72}, ours[0]],
                                        [right, None]) == [
        "Richtig geschrieben, „Medienkompetenz“: Pagefind findet 1124 Angebote in 0.75 s; offerdb für "
        "„Medienkompetnz“ 1124 Angebote in 0.72 s, Zeit o/P 0.96×."]
    assert search_browser.SPELLED["Medienkompetnz"] == "Medienkompetenz" and "Medienkompetnz" in search_browser.QUERIES


def test_browser_search_benchmark_shows_what_the_page_shows(tmp_path, capsys):
    """benchmarks/search_browser.py for 25 generated offers, without Pagefind: the counts are the page's, the bytes
    are what the server sent (gzipped), the times are positive. About 20 s, most of it in the throttled browser."""
    import gzip
    import json

    from playwright.sync_api import sync_playwright

    from benchmarks import search_browser

    out = tmp_path / "result.json"
    assert search_browser.main(["--offers", "25", "--work", str(tmp_path), "--queries", "Ablauf,Alkohol",
                                "--no-pagefind", "--json", str(out)]) == 0
    printed = capsys.readouterr().out
    result = json.loads(out.read_text(encoding="utf-8"))["results"][0]
    offers = search_browser.published_offers(tmp_path / "25" / "content")
    site = tmp_path / "25" / "site-browser"
    assert result["published"] == len(offers) == 24  # one of the 25 is archived
    first, second = result["offerdb"]["queries"]
    # Every generated body has the heading "Ablauf": the page must find every published offer.
    assert search_browser.word_share(offers, "Ablauf") == 1.0
    assert first["count"] == second["then"]["count"] == len(offers)
    # "Alkohol": at least the offers with the word in title, summary or body; typed or in a fresh visit alike.
    with_word = round(search_browser.word_share(offers, "Alkohol") * len(offers))
    assert 0 < with_word <= second["count"] <= len(offers)
    assert first["then"]["count"] == second["count"]
    # Timed when the cards of the result are in the list, not when the count is (list.js writes it first): the
    # first card then is the result's, not the server-rendered list's (alphabetical).
    server_first = re.search(r'<li class="card" data-slug="([^"]+)"', (site / "angebote" / "index.html").read_text(
        encoding="utf-8")).group(1)
    assert second["first_card"] == second["settled_first_card"] != server_first
    html = len(gzip.compress((site / "angebote" / "index.html").read_bytes(), 6))
    for row in (first, second, result["offerdb"]["facets"], result["offerdb"]["merkliste"]):
        assert row["bytes"] > html and 0 < row["seconds"] < 60
        assert row["bytes"] == row["server_bytes"]  # counted in the browser = written by the server
    for row in (first["then"], second["then"]):
        assert 0.15 < row["seconds"] < 60  # the page waits 150 ms after typing
    merkliste = result["offerdb"]["merkliste"]
    assert merkliste["offers"] == 5 and 0 < merkliste["data_bytes"] < merkliste["bytes"]
    assert "Pagefind: ausgelassen (--no-pagefind)" in printed
    # The layout shift of a search visit: the cards replace the build's, the head above them keeps its height.
    assert all(0 <= row["shift"] < 0.05 for row in (first, second)), (first["shift"], second["shift"])
    shift = re.search(r"Layout-Verschiebung \(CLS\) .*: offerdb höchstens (\d\.\d{3})", printed)
    assert shift and float(shift.group(1)) == round(max(first["shift"], second["shift"]), 3)
    row = next(line for line in printed.splitlines() if line.startswith("Suche „Alkohol“"))
    assert re.search(r" \d+\.\d KB +\d+\.\d\d s ", row) and f" {second['count']} " in row

    # The Hugo + Pagefind site gets the text offerdb indexes for each published offer: with title, summary and body
    # alone, "Mobbing" (a topic's name) finds nothing there.
    indexed = dict(search_browser.indexed_text(tmp_path / "25"))
    assert sorted(indexed) == sorted(o.slug for o in offers)
    for o in offers:
        assert indexed[o.slug]["title"] == o.title and indexed[o.slug]["text"].startswith(o.summary + "\n")

    # The bytes counted in the browser (page and workers) are the bytes the server wrote, and it gzipped.
    server = search_browser.GzipServer(site)
    try:
        with sync_playwright() as p:
            browser = search_browser.launch(p)
            visit = search_browser.Bench(browser, server).query("Alkohol")
            browser.close()
        assert visit["count"] == second["count"]
        assert visit["bytes"] == visit["server_bytes"] == server.sent_bytes()
        for suffix in (".json", ".js", ".html"):
            sent = [s for s in server.log if s.path.endswith(suffix) or (suffix == ".html" and s.path.endswith("/"))]
            assert sent and all(s.gzipped and s.body_bytes < s.file_size for s in sent), suffix
    finally:
        server.close()

    # Pagefind's page on the list page: offerdb's page without its scripts, with Pagefind's script and a CSP that
    # lets it compile WebAssembly; the styles it names are there.
    public = tmp_path / "public"
    public.mkdir()
    search_browser.pagefind_list_page(public, site)
    html = (public / search_browser.LIST_PAGE / "index.html").read_text(encoding="utf-8")
    ours = (site / "angebote" / "index.html").read_text(encoding="utf-8")
    assert re.findall(r"<script[^>]*src=\"([^\"]+)\"", html) == ["/suche/suche.js"]
    assert "script-src 'self' 'wasm-unsafe-eval'" in html and 'id="treffer"' in html and 'id="liste"' not in html
    assert html.count('<li class="card"') == ours.count('<li class="card"') == 24
    styles = re.findall(r'href="/(assets/[^"]+\.css)"', html)
    assert styles and all((public / s).read_bytes() == (site / s).read_bytes() for s in styles)

    # benchmarks/layout_shift.py on a phone: every page measured; the list with a search and the Merkliste are
    # painted with what their scripts show, the cards replace the build's in place, the Merkliste's entries fill
    # the place kept for them.
    from benchmarks import layout_shift

    shifts = {row["page"]: row for row in layout_shift.measure(site, 1, {"Telefon": (390, 844)})}
    assert list(shifts) == [label for label, _, _ in layout_shift.pages(site)]
    assert all(row["screen"] == "Telefon" and row["cls"] >= 0 for row in shifts.values())
    assert all(shifts[page]["cls"] < 0.05 for page in ("/angebote/?q=Mobbing", "/merkliste/ leer",
                                                         "/merkliste/ mit 5 Angeboten")), shifts

    # benchmarks/search_ab.py: the same site twice in one sitting, the page's count each time
    from benchmarks import search_ab

    capsys.readouterr()
    assert search_ab.main([str(site), f"angebote/@{site}", "--queries", "Alkohol", "--repeat", "1"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 2 and all(re.match(r"Alkohol +\S+ +Median \d\.\d{3} s  \d\.\d\d$", line) for line in lines)


def test_browser_search_benchmark_counts_a_layout_shift(tmp_path):
    """The layout-shift figure is the browser's: a page whose script pushes its list down after the first paint
    gets a shift well above zero, the same page without the push none."""
    from playwright.sync_api import sync_playwright

    from benchmarks import search_browser

    for name, push in (("schiebt", "true"), ("ruhig", "false")):
        (tmp_path / name).mkdir()
        (tmp_path / name / "index.html").write_text(f"""<!DOCTYPE html><html lang="de"><body>
<p id="ergebnis">Die Suche läuft.</p><ul id="liste"><li data-slug="a" style="height: 300px">A</li></ul>
<script>setTimeout(function () {{
  if ({push}) {{ var block = document.createElement("div"); block.style.height = "300px";
    document.body.insertBefore(block, document.body.firstChild); }}
  document.getElementById("ergebnis").textContent = "1 Angebot gefunden.";
}}, 300);</script></body></html>""", encoding="utf-8")
    server = search_browser.GzipServer(tmp_path)
    try:
        with sync_playwright() as p:
            browser = search_browser.launch(p)
            pushed = search_browser.Bench(browser, server, search_path="schiebt/").query("x")
            still = search_browser.Bench(browser, server, search_path="ruhig/").query("x")
            browser.close()
    finally:
        server.close()
    assert pushed["count"] == still["count"] == 1
    assert pushed["shift"] > 0.1 and still["shift"] == 0
