"""The web editor /admin/ in Chromium with Decap CMS's local backend (decap-server on 127.0.0.1 over a copy of
the content): a one-line change of an existing offer, a refused empty required field, and no request to any
host but 127.0.0.1."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import ROOT, TODAY, SiteServer, _serve, build_sample
from playwright.sync_api import Page

from offerdb import pipeline

DECAP_SERVER = ROOT / "node_modules" / "decap-server" / "dist" / "index.js"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def repo(tmp_path_factory) -> Path:
    """A copy of the content, as decap-server's repository folder."""
    root = tmp_path_factory.mktemp("cms-repo")
    shutil.copytree(ROOT / "content", root / "content")
    shutil.copy(ROOT / "site.yaml", root / "site.yaml")
    return root


@pytest.fixture(scope="module")
def editor(tmp_path_factory, repo) -> Iterator[SiteServer]:
    """The built site served on 127.0.0.1, with decap-server over `repo` on a free port. The published
    config and CSP name the proxy's default port 8081; only here is it another, so parallel runs never meet."""
    port = _free_port()
    out = tmp_path_factory.mktemp("cms-site") / "site"
    offers = build_sample(out)
    for name in ("admin/config.yml", "admin/index.html"):
        path = out / name
        text = path.read_text(encoding="utf-8")
        assert "http://127.0.0.1:8081" in text
        path.write_text(text.replace("http://127.0.0.1:8081", f"http://127.0.0.1:{port}"), encoding="utf-8")
    env = {**os.environ, "PORT": str(port), "BIND_HOST": "127.0.0.1", "MODE": "fs",
           "GIT_REPO_DIRECTORY": str(repo), "LOG_LEVEL": "error"}
    proxy = subprocess.Popen(["node", str(DECAP_SERVER)], env=env, cwd=repo)
    deadline = time.monotonic() + 20
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            assert proxy.poll() is None and time.monotonic() < deadline, "decap-server startet nicht"
            time.sleep(0.1)
    server = _serve(out, "/", offers)
    yield server
    server.httpd.shutdown()
    proxy.terminate()
    proxy.wait(timeout=10)


def _open(browse, editor: SiteServer, route: str) -> Page:
    page = browse.new()
    browse.visit(page, "admin/", server=editor)
    login = page.get_by_role("button", name="Login")
    login.click()  # the local backend's sign-in needs no account
    login.wait_for(state="detached")
    page.goto(editor.url("admin/" + route))
    return page


def _field(page: Page, name: str):
    return page.locator(f'[id^="{name}-field-"]').first


def _publish(page: Page) -> None:
    page.get_by_role("button", name="Veröffentlichen").click()
    page.get_by_text("Jetzt veröffentlichen").click()


def _errors(root: Path) -> list[str]:
    checked = pipeline.check(root / "content", root / "site.yaml", TODAY)
    return [str(p) for p in checked.problems if p.is_error]


def test_editing_a_title_changes_that_one_line(browse, editor, repo):
    path = repo / "content/offers/projekttag-fuer-demokratie.md"
    before = path.read_text(encoding="utf-8")
    page = _open(browse, editor, "#/collections/angebote/entries/projekttag-fuer-demokratie")
    _field(page, "title").fill("Projekttag für Demokratie, Vielfalt und Courage")
    _publish(page)
    deadline = time.monotonic() + 15
    while path.read_text(encoding="utf-8") == before and time.monotonic() < deadline:
        time.sleep(0.1)
    after = path.read_text(encoding="utf-8").splitlines()
    changed = [(a, b) for a, b in zip(before.splitlines(), after, strict=True) if a != b]
    assert changed == [("title: Projekttag für Demokratie und Courage",
                        "title: Projekttag für Demokratie, Vielfalt und Courage")]
    assert _errors(repo) == []


def test_an_empty_required_field_is_refused_with_a_german_message(browse, editor, repo):
    path = repo / "content/offers/klassenchat-smartphone-klasse-5-6.md"
    before = path.read_text(encoding="utf-8")
    page = _open(browse, editor, "#/collections/angebote/entries/klassenchat-smartphone-klasse-5-6")
    _field(page, "summary").fill("")
    _publish(page)
    page.get_by_text("Kurzbeschreibung ist erforderlich", exact=False).first.wait_for()
    _field(page, "summary").fill("Zu kurz.")
    _publish(page)
    page.get_by_text("Bitte 30 bis 300 Zeichen schreiben.").first.wait_for()  # the schema's length, in German
    time.sleep(0.5)
    assert path.read_text(encoding="utf-8") == before
    # Decap rejects its save promise with `undefined` when the form refuses: one per refused save, nothing else.
    problems = browse.recorder(page).problems
    assert problems == ["Skriptfehler: undefined"] * 2
    problems.clear()


def test_the_editor_asks_no_host_but_this_one(browse, editor):
    """Every request of the page from its first byte: all to 127.0.0.1 (the site and the local proxy). The
    guard aborts and records any other; it must record none."""
    page = browse.new()
    seen: list[str] = []
    page.on("request", lambda request: seen.append(request.url))
    browse.visit(page, "admin/", server=editor)
    page.get_by_role("button", name="Login").click()
    page.goto(editor.url("admin/#/collections/traeger"))
    page.get_by_text("Inpeos e. V.").first.wait_for()
    assert browse.recorder(page).outside == []
    assert seen and all(url.startswith("http://127.0.0.1:") for url in seen), seen
    assert any(url.endswith("/api/v1") for url in seen)  # the CMS talked to the local proxy
    assert any("/admin/decap-cms-" in url for url in seen)  # and was loaded from the site itself
