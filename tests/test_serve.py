"""The live preview, for real on a loopback port: rebuilds on save, keeps the last good site after a broken
save and shows the problems in a banner; the reload works in Chromium under the site's CSP.

`python tests/test_serve.py` measures save → new page in the browser on the sample content (a benchmark,
not a test)."""

from __future__ import annotations

import concurrent.futures
import datetime
import shutil
import statistics
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path

import jinja2
import pytest

from offerdb import rendering
from offerdb.serve import PREFIX, PreviewServer, inject, template_problem

TODAY = datetime.date(2026, 6, 1)
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def fetch(url: str, headers: dict[str, str] | None = None) -> tuple[int, str]:
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read().decode("utf-8")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode("utf-8")


def until(condition: Callable[[], bool], timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("Bedingung nicht erfüllt")
        time.sleep(0.05)


@pytest.fixture
def preview(site):
    with PreviewServer(site.content, site.config, lambda: TODAY, port=0, log=lambda _: None) as server:
        yield server


def test_saved_change_appears_and_broken_save_keeps_last_good_site(site, preview):
    page = preview.url + "angebote/angebot-a/"
    summary = site.read_front("content/offers/angebot-a.md")[0]["summary"]
    status, html = fetch(page)
    assert status == 200 and "<h1>Workshop gegen Mobbing</h1>" in html
    assert f'<script src="{PREFIX}reload.js" data-version="1" defer></script></head>' in html
    assert "vorschau-fehler" not in html

    site.offer(title="Workshop gegen Mobbing und Ausgrenzung")
    until(lambda: "<h1>Workshop gegen Mobbing und Ausgrenzung</h1>" in fetch(page)[1])

    site.offer(title="Workshop gegen Mobbing, neu", summary="zu kurz")
    until(lambda: "vorschau-fehler" in fetch(page)[1])
    status, html = fetch(page)
    assert status == 200
    assert "<h1>Workshop gegen Mobbing und Ausgrenzung</h1>" in html  # the last good build
    assert "Workshop gegen Mobbing, neu" not in html
    banner = html[html.index('<div class="vorschau-fehler"'):]
    assert "Vorschau nicht aktualisiert: 1 Fehler" in banner
    assert "<code>content/offers/angebot-a.md:3:10</code> summary: „Kurzbeschreibung“ ist zu kurz" in banner
    assert "Sie sehen den letzten fehlerfreien Stand." in banner
    assert "vorschau-fehler" in fetch(preview.url)[1]  # on every page, not only the broken offer's

    site.offer(title="Workshop gegen Mobbing, neu", summary=summary)
    until(lambda: "<h1>Workshop gegen Mobbing, neu</h1>" in fetch(page)[1])
    assert "vorschau-fehler" not in fetch(page)[1]


def test_preview_builds_into_its_own_folder_and_only_served_html_is_changed(site, preview):
    out = preview.preview.out_dir
    assert (out / "angebote" / "angebot-a" / "index.html").is_file()
    assert not out.is_relative_to(site.root) and not out.is_relative_to(rendering.TEMPLATES.parent)
    for file in out.rglob("*"):
        if file.is_file():
            assert b"_vorschau" not in file.read_bytes(), file
    status, css = fetch(preview.url.rstrip("/") + PREFIX + "vorschau.css")
    assert status == 200 and ".vorschau-fehler" in css
    assert fetch(preview.url + "gibt-es-nicht/")[0] == 404


def test_site_under_a_sub_path_and_foreign_host_names(site):
    config = site.config.read_text(encoding="utf-8")
    site.config.write_text(config.replace("https://praevention.test/", "https://praevention.test/praevention/"),
                           encoding="utf-8")
    with PreviewServer(site.content, site.config, lambda: TODAY, port=0, log=lambda _: None) as server:
        assert server.url.endswith("/praevention/")
        root = server.url[: -len("praevention/")]
        request = urllib.request.Request(root)
        with urllib.request.urlopen(request, timeout=10) as response:  # follows the redirect
            assert response.url == server.url
        assert "<h1>Workshop gegen Mobbing</h1>" in fetch(server.url + "angebote/angebot-a/")[1]
        port = server.url.split(":")[2].split("/")[0]
        status, _ = fetch(server.url, headers={"Host": f"attacker.example:{port}"})
        assert status == 403  # DNS rebinding: only 127.0.0.1/localhost names are served


def test_first_build_broken_shows_banner_without_a_site(site):
    site.offer(partner="gibt-es-nicht")
    with PreviewServer(site.content, site.config, lambda: TODAY, port=0, log=lambda _: None) as server:
        status, html = fetch(server.url)
        assert status == 503
        assert "Es gibt noch keinen fehlerfreien Stand" in html
        assert "Den Träger „gibt-es-nicht“ gibt es nicht" in html


def test_template_errors_name_the_template_and_line():
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(rendering.TEMPLATES))
    try:
        env.from_string("{% if x %}", template_class=None)
    except jinja2.TemplateSyntaxError as exc:
        exc.filename = str(rendering.TEMPLATES / "offer.html")
        problem = template_problem(exc)
    assert (problem.file, problem.line, problem.code) == ("templates/offer.html", 1, "template-error")
    assert problem.message.startswith("Fehler in der Vorlage:")
    assert template_problem(RuntimeError("kaputt")).message == "Fehler beim Erzeugen der Seiten: RuntimeError: kaputt"


def test_inject_escapes_nothing_it_should_not_and_keeps_page():
    page = b'<!DOCTYPE html><html><head><title>x</title></head><body class="a"><main>Inhalt</main></body></html>'
    out = inject(page, 7, '<div class="vorschau-fehler">B</div>').decode()
    assert out.startswith("<!DOCTYPE html><html><head><title>x</title><link")
    assert 'data-version="7"' in out
    assert '<body class="a"><div class="vorschau-fehler">B</div><main>Inhalt</main>' in out


# --- in the browser -------------------------------------------------------------------------------

def launch(playwright):
    return playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)


def save_and_wait(page, file: Path, old: str, new: str) -> float:
    """Replace `old` by `new` in `file` and return the seconds until the open page shows `new`."""
    text = file.read_text(encoding="utf-8")
    assert old in text
    started = time.perf_counter()
    file.write_text(text.replace(old, new, 1), encoding="utf-8")
    page.wait_for_function("text => document.body.innerText.includes(text)", arg=new, timeout=15000)
    return time.perf_counter() - started


def in_own_thread(function: Callable[[], None]) -> None:
    """Playwright's sync API refuses to start where another one (the browser tests' session fixture) runs
    an event loop; a thread of its own has none."""
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        pool.submit(function).result()


def test_open_page_reloads_itself_under_the_sites_csp(site, preview):
    in_own_thread(lambda: reload_under_csp(site, preview))


def reload_under_csp(site, preview) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = launch(p)
        try:
            page = browser.new_page()
            console: list[str] = []
            page.on("console", lambda message: console.append(message.text))
            page.goto(preview.url + "angebote/angebot-a/")
            csp = page.locator('meta[http-equiv="Content-Security-Policy"]').get_attribute("content")
            assert "default-src 'self'" in csp
            page.wait_for_timeout(300)  # let the WebSocket connect
            offer = site.content / "offers" / "angebot-a.md"
            save_and_wait(page, offer, "Workshop gegen Mobbing", "Workshop gegen Mobbing im Klassenchat")

            text = offer.read_text(encoding="utf-8")
            offer.write_text(text.replace("partner: traeger-a", "partner: traeger-x"), encoding="utf-8")
            alert = page.get_by_role("alert")
            alert.wait_for(timeout=15000)
            assert "Den Träger „traeger-x“ gibt es nicht" in alert.inner_text()
            assert page.locator("h1", has_text="Workshop gegen Mobbing im Klassenchat").count() == 1
            assert not [m for m in console if "Content Security Policy" in m], console
        finally:
            browser.close()


def benchmark(rounds: int = 10) -> None:
    """Save → new page in Chromium for an edited sample offer (the README's ≤ 1 s target)."""
    from playwright.sync_api import sync_playwright

    from offerdb.cli import ROOT

    with tempfile.TemporaryDirectory() as tmp:
        content = Path(tmp) / "content"
        shutil.copytree(ROOT / "content", content)
        shutil.copy(ROOT / "site.yaml", Path(tmp) / "site.yaml")
        offer = content / "offers" / "projekttag-fuer-demokratie.md"
        with PreviewServer(content, Path(tmp) / "site.yaml", datetime.date.today, port=0,
                           log=lambda _: None) as server, sync_playwright() as p:
            browser = launch(p)
            page = browser.new_page()
            page.goto(server.url + "angebote/projekttag-fuer-demokratie/")
            page.wait_for_timeout(500)
            times = []
            for i in range(rounds):
                old = "Projekttag für Demokratie und Courage" + (f" ({i})" if i else "")
                times.append(save_and_wait(page, offer, old, f"Projekttag für Demokratie und Courage ({i + 1})"))
                page.wait_for_load_state("load")
            browser.close()
    print(f"save → new page in Chromium, {rounds} saves: median {statistics.median(times):.2f} s, "
          f"max {max(times):.2f} s, min {min(times):.2f} s")


if __name__ == "__main__":
    benchmark(int(sys.argv[1]) if len(sys.argv) > 1 else 10)
