"""The web editor /admin/ in Chromium with Decap CMS's local backend (decap-server on 127.0.0.1 over a copy of
the content): a new offer through the form, a one-line change of an existing one, a refused empty required
field, a branch per save in the editorial workflow, no request to any host but 127.0.0.1; and the GitHub
sign-in with a pasted token against a stand-in for api.github.com."""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from conftest import ARTIFACTS, ROOT, TODAY, SiteServer, _serve, build_sample, wait_for_port
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


@contextmanager
def _editor(out: Path, repo: Path, mode: str) -> Iterator[SiteServer]:
    """The built site served on 127.0.0.1, with decap-server (`mode` fs or git) over `repo` on a free port.
    The published config and CSP name the proxy's default port 8081; only here is it another, so parallel
    runs never meet."""
    port = _free_port()
    offers = build_sample(out)
    for name in ("admin/config.yml", "admin/index.html"):
        path = out / name
        text = path.read_text(encoding="utf-8")
        assert "http://127.0.0.1:8081" in text
        path.write_text(text.replace("http://127.0.0.1:8081", f"http://127.0.0.1:{port}"), encoding="utf-8")
    env = {**os.environ, "PORT": str(port), "BIND_HOST": "127.0.0.1", "MODE": mode,
           "GIT_REPO_DIRECTORY": str(repo), "LOG_LEVEL": "error"}
    proxy = subprocess.Popen(["node", str(DECAP_SERVER)], env=env, cwd=repo)
    try:
        wait_for_port(port, proxy, "decap-server startet nicht")
        server = _serve(out, "/", offers)
        server.proxy = f"http://127.0.0.1:{port}/api/v1"  # type: ignore[attr-defined]
        yield server
        server.httpd.shutdown()
    finally:
        proxy.terminate()
        proxy.wait(timeout=10)


@pytest.fixture(scope="module")
def editor(tmp_path_factory, repo) -> Iterator[SiteServer]:
    """/admin/ with decap-server writing straight into `repo` (its "fs" mode publishes at once)."""
    with _editor(tmp_path_factory.mktemp("cms-site") / "site", repo, "fs") as server:
        yield server


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


def _frame(page: Page) -> None:
    """Wait for the page's next frame: the CMS saves only after rendering, and Chromium draws a headless page
    only when asked (a test that just sleeps found no file, one that took a screenshot did)."""
    page.evaluate("() => new Promise(requestAnimationFrame)")
    time.sleep(0.05)


def _choose(page: Page, name: str, *labels: str) -> None:
    """A (multi-)select: type each option's German label and take it."""
    for label in labels:
        select = _field(page, name)
        select.fill(label)
        page.get_by_role("option", name=label, exact=True).click()


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
    # decap-server rewrites the file in place: a read may see it half written, so wait for its unchanged end too
    while ((text := path.read_text(encoding="utf-8")) == before or not text.endswith(before[-200:])) and \
            time.monotonic() < deadline:
        _frame(page)
    after = text.splitlines()
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


def test_a_new_offer_from_the_form_passes_the_check(browse, editor, repo):
    page = _open(browse, editor, "#/collections/angebote/new")
    text = {
        "title": "Mutig im Netz – Workshop gegen Hass",
        "summary": "Ein Workshop, in dem die Klasse Hassrede im Netz erkennt und übt, wie sie widerspricht.",
        "target_group": "Klassen 7 bis 9, in denen Beleidigungen im Klassenchat vorkommen oder die vorbeugen wollen.",
        "theoretical_basis": "Ansatz der Medienkompetenzförderung nach Baacke und Erkenntnisse zur Gegenrede im Netz.",
        "staff_qualification": "Zwei Medienpädagoginnen mit Erfahrung in der Jugendarbeit.",
        "description": "Die Klasse gibt am Ende eine kurze Rückmeldung auf einem Bogen, der ausgewertet wird.",
        "preparation": "Vorgespräch mit der Klassenleitung über die Lage in der Klasse.",
        "follow_up": "Auswertung mit der Lehrkraft und Material für eine Folgestunde.",
        "name": "Projektkoordination Schulen",
        "email": "workshop@inpeos.example.org",
        "reviewed_by": "Steuerungsgruppe Präventionsnetzwerk Chemnitz",
    }
    for name, value in text.items():
        _field(page, name).fill(value)
    _choose(page, "partner", "Inpeos e. V.")
    _choose(page, "status", "buchbar")
    _choose(page, "prevention_areas", "Medienbildung und Jugendmedienschutz", "Mobbing und Cybermobbing")
    _choose(page, "prevention_levels", "Universelle Prävention")
    _choose(page, "audiences", "Schülerinnen und Schüler")
    _choose(page, "school_types", "Oberschule", "Gymnasium")
    _choose(page, "formats", "Workshop")
    _choose(page, "venues", "In der Schule")
    _choose(page, "languages", "Deutsch")
    _choose(page, "kind", "Rückmeldung der Teilnehmenden")
    for name, value in {"minutes": "90", "sessions": "2", "min": "10", "max": "28", "lead_time_weeks": "4",
                        "from": "7", "to": "9"}.items():  # the first "from" and "to" are the grades'
        _field(page, name).fill(value)
    for name, value in {"goals": "Die Jugendlichen erkennen Hassrede und wissen, wie sie widersprechen.",
                        "methods": "Rollenspiel"}.items():
        page.get_by_role("button", name=f"{_label(name)} hinzufügen").click()
        page.locator(f'[id^="{name}-field-"] ~ * [id^="eintrag-field-"], [id^="eintrag-field-"]').last.fill(value)
    _field(page, "free").click()
    for name, day in {"reviewed_on": "2026-11-01", "valid_until": "2028-10-31", "last_updated": "2026-11-20"}.items():
        _field(page, name).fill(day)
    page.locator('[contenteditable="true"]').last.click()  # the Markdown field (Slate, no input element)
    page.keyboard.type("Im Workshop lernt die Klasse, Hassrede zu erkennen und ihr zu widersprechen.")
    offers = repo / "content" / "offers"
    before = set(offers.iterdir())
    _publish(page)
    deadline = time.monotonic() + 15
    while not set(offers.iterdir()) - before and time.monotonic() < deadline:
        _frame(page)
    assert set(offers.iterdir()) - before, browse.recorder(page).report()
    new, = set(offers.iterdir()) - before
    assert new.name == "mutig-im-netz-workshop-gegen-hass.md", new.read_text(encoding="utf-8")
    assert _errors(repo) == []
    written = new.read_text(encoding="utf-8")
    assert written.startswith("---\ntitle: Mutig im Netz – Workshop gegen Hass\n")
    assert "partner: inpeos\n" in written and "  - medienbildung\n" in written
    assert "\n---\nIm Workshop lernt die Klasse" in written
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "admin-neues-angebot.md").write_text(written, encoding="utf-8")  # what the form wrote, for review


def _label(name: str) -> str:
    return {"goals": "ziele", "methods": "methoden"}[name]


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


def _git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=repo, capture_output=True, text=True, check=True).stdout


def _committed(repo: Path, branch: str) -> bool:
    """The branch exists and holds a commit that main does not, and the proxy is back on main."""
    if branch not in _git(repo, "branch", "--list"):
        return False
    ahead = _git(repo, "rev-list", "--count", f"main..{branch}").strip() != "0"
    return ahead and _git(repo, "branch", "--show-current").strip() == "main"


def test_each_save_is_a_branch_of_its_own_for_review(browse, tmp_path):
    """The editorial workflow, with decap-server's "git" mode standing in for GitHub: saving a change makes a
    branch cms/<collection>/<file> with one commit (on GitHub: a branch and a pull request) and leaves main as
    it was."""
    repo = tmp_path / "repo"
    shutil.copytree(ROOT / "content", repo / "content")
    _git(repo, "init", "-q", "-b", "main")
    _git(repo, "config", "user.name", "Redaktion")  # decap-server commits as the repository's user
    _git(repo, "config", "user.email", "redaktion@example.org")
    _git(repo, "add", ".")
    _git(repo, "commit", "-q", "-m", "Inhalte")
    with _editor(tmp_path / "site", repo, "git") as server:
        page = _open(browse, server, "#/collections/angebote/entries/zivilcourage-training")
        # The CMS asks for a pending change of this file first; the proxy's 404 means "none yet".
        browse.recorder(page).expected[server.proxy] = 404
        title = _field(page, "title")
        old = title.input_value()
        title.fill(old + " für Klassen")
        page.get_by_role("button", name="Speichern", exact=True).click()
        branch = "cms/angebote/zivilcourage-training"
        deadline = time.monotonic() + 15
        while not _committed(repo, branch) and time.monotonic() < deadline:
            _frame(page)
        assert _committed(repo, branch)
        diff = _git(repo, "diff", "main", branch, "--unified=0")
        changed = [line for line in diff.splitlines() if line[:1] in "+-" and line[:3] not in ("+++", "---")]
        assert changed == [f"-title: {old}", f"+title: {old} für Klassen"]
        assert _git(repo, "rev-list", "--count", f"main..{branch}").strip() == "1"
        assert _git(repo, "branch", "--show-current").strip() == "main"
        assert f"title: {old}\n" in (repo / "content/offers/zivilcourage-training.md").read_text(encoding="utf-8")


def test_sign_in_hands_the_pasted_token_to_the_cms_and_only_github_is_asked(browse, tmp_path):
    """The GitHub sign-in without an OAuth server: "Mit GitHub einloggen" opens our page anmelden.html, the
    pasted token reaches the CMS, and the CMS sends it to api.github.com (answered here by the test) and to
    no other host. Should the CMS's poll of GitHub's status page fall into the test, /admin/'s CSP refuses it
    (docs/betrieb.md); that refusal is the one message allowed."""
    out = tmp_path / "site"
    server = _serve(out, "/", build_sample(out))
    try:
        config = out / "admin" / "config.yml"
        text = config.read_text(encoding="utf-8")
        text = text.replace("base_url: https://praevention.example.org\n", f"base_url: {server.origin}\n")
        text = re.sub(r"(?m)^local_backend:\n  url: .*\n", "", text)  # sign in as on the real site
        config.write_text(text, encoding="utf-8")
        token = "github_pat_" + "A1b2" * 20
        asked: list[tuple[str, str]] = []

        def github(route) -> None:
            """A stand-in for api.github.com with the CORS answers the real one gives a page of another origin."""
            request = route.request
            cors = {"Access-Control-Allow-Origin": "*", "Access-Control-Allow-Headers": "authorization, content-type",
                    "Access-Control-Allow-Methods": "GET, POST, PUT, PATCH, DELETE"}
            if request.method == "OPTIONS":
                route.fulfill(status=204, headers=cors)
                return
            asked.append((request.url, request.headers.get("authorization", "")))
            path = urlsplit(request.url).path
            if path == "/user":
                route.fulfill(json={"login": "redaktion", "name": "Redaktion", "avatar_url": ""}, headers=cors)
            elif path == "/repos/praeventionsnetzwerk/angebote/collaborators/redaktion/permission":
                route.fulfill(json={"permission": "write"}, headers=cors)  # so no fork is offered
            elif path == "/repos/praeventionsnetzwerk/angebote":
                route.fulfill(json={"full_name": "praeventionsnetzwerk/angebote", "default_branch": "main",
                                    "owner": {"login": "praeventionsnetzwerk"},
                                    "permissions": {"push": True, "pull": True, "admin": False}}, headers=cors)
            elif path.endswith("/pulls"):  # no pending changes
                route.fulfill(json=[], headers=cors)
            elif "/git/trees/" in path:  # empty folders
                route.fulfill(json={"sha": "0" * 40, "tree": [], "truncated": False}, headers=cors)
            else:
                route.fulfill(status=404, json={"message": "Not Found"}, headers=cors)

        page = browse.new()
        page.route("https://api.github.com/**", github)  # before the guard, which would abort it
        browse.visit(page, "admin/", server=server)
        with page.expect_popup() as opened:
            page.get_by_role("button", name="Mit GitHub einloggen").click()
        popup = opened.value
        popup.wait_for_load_state()
        assert urlsplit(popup.url).path == "/admin/anmelden.html"
        popup.get_by_label("Zugangsschlüssel").fill(token)
        popup.get_by_role("button", name="Anmelden").click()
        deadline = time.monotonic() + 15
        while not (popup.is_closed() and any(url.endswith("/user") for url, _ in asked)):
            assert time.monotonic() < deadline, asked
            _frame(page)
        assert any(url == "https://api.github.com/user" for url, _ in asked)
        assert all(auth == f"token {token}" for _, auth in asked), asked
        user = "() => JSON.parse(localStorage.getItem('decap-cms-user'))"
        while page.evaluate(user) is None:  # stored once the CMS has checked the token with GitHub
            assert time.monotonic() < deadline, (asked, browse.recorder(page).problems)
            _frame(page)
        stored = page.evaluate(user)
        assert stored["token"] == token and stored["backendName"] == "github"
        page.get_by_text("Angebote").first.wait_for()  # signed in: the collections are shown
        recorder = browse.recorder(page)
        page.close()
        assert recorder.outside == []
        # The CMS polls GitHub's status page; the CSP refuses it before any request leaves the browser.
        recorder.problems[:] = [p for p in recorder.problems
                                if not p.startswith("CSP: connect-src blockiert https://www.githubstatus.com")]
    finally:
        server.httpd.shutdown()
