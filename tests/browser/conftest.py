"""Browser-test harness: the sample site built once and served locally, one headless Chromium for the folder, and
pages that fail their test when they reach another host, log an error or violate the Content Security Policy.

Fixtures (each documented where it is defined):
- `site`, `subpath_site`: a served build of the shipped content (`SiteServer`), at the host root and under
  /praevention/. `site.url("angebote/")` gives the address, `site.paths` one concrete path per page type of the
  URL map, `site.offers` the slugs of all published offers, `site.root` the built folder, `site.catalog` the
  published offers as plain dicts (what the pages must show, read from the models, not from the site's files).
- `browser`: one Chromium for all tests of this folder (Debian's, through Playwright's sync API).
- `browse`: makes guarded pages: `browse.new(**context_options)` (e.g. `viewport=…`, `reduced_motion="reduce"`,
  `java_script_enabled=False`), `browse.visit(page, "angebote/", status=200, server=site)` and
  `browse.recorder(page)` for what the guard saw.
- `page`, `nojs_page`: a guarded page with JavaScript on / off (1280 × 800, German locale).
"""

from __future__ import annotations

import datetime
import functools
import http.server
import re
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Page, Route, sync_playwright
from playwright.sync_api import Error as PlaywrightError

from offerdb import pipeline
from offerdb.models import FACETS, Site

ROOT = Path(__file__).resolve().parents[2]
TODAY = datetime.date(2026, 11, 25)  # seals are checked against this day, so the sample site never ages
SUB_PATH_URL = "https://example.org/praevention/"
ARTIFACTS = ROOT / "tests" / "artifacts"  # screenshots for review; ignored by git

CHROMIUM = "/usr/bin/chromium"  # Playwright's own browser download does not work here; Debian's Chromium does
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 # Without these Chromium itself keeps calling home, which is not the site's doing.
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
TIMEOUT_MS = 15_000

# Page types of the URL map; `SiteServer.paths` maps each to a concrete path of the built site.
PAGE_TYPES = ("start", "liste", "liste-seite-2", "angebot", "traeger-liste", "traeger", "themen", "thema",
              "merkliste", "impressum", "datenschutz", "barrierefreiheit", "leichte-sprache", "gebaerdensprache",
              "redaktion", "daten", "hilfe", "404")
NOT_FOUND_PATH = "diese-seite-gibt-es-nicht/"


# --- building and serving --------------------------------------------------------------------------------

def wait_for_port(port: int, process: subprocess.Popen, what: str, seconds: float = 20) -> None:
    """Until a server started as `process` accepts connections on 127.0.0.1:`port`; fails with `what` if it
    exits or takes longer."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            assert process.poll() is None and time.monotonic() < deadline, what
            time.sleep(0.05)


def build_sample(out: Path, base_url: str | None = None) -> list[str]:
    """Build the shipped content into `out` (with another base_url if given); return the published slugs."""
    return [offer.slug for offer in _build(out, base_url).offers]


def _build(out: Path, base_url: str | None = None) -> Site:
    config = ROOT / "site.yaml"
    if base_url is not None:
        text = re.sub(r"(?m)^base_url:.*$", f"base_url: {base_url}", config.read_text(encoding="utf-8"))
        config = out.parent / "site.yaml"
        config.write_text(text, encoding="utf-8")
    checked = pipeline.check(ROOT / "content", config, TODAY)
    assert not checked.fails(strict=False), "\n".join(str(p) for p in checked.problems)
    return pipeline.build(checked, out, TODAY).site


def catalog_of(site: Site) -> list[dict]:
    """The published offers in list order (title A–Z) as plain dicts: slug, title, summary, partner, free, grades
    and age ([low, high] or None), cost, contact {email, phone}, updated (ISO date), paused, and per facet of
    `models.FACETS` its key -> the offer's value keys. Made from the models, apart from the data files the
    scripts load, so the tests compare the pages with the content rather than with the build's own output."""
    def pair(value):
        return [value.low, value.high] if value else None

    offers = []
    for offer in site.offers:
        item = {"slug": offer.slug, "title": offer.title, "summary": offer.summary, "partner": offer.partner.name,
                "free": offer.cost.free, "grades": pair(offer.grades), "age": pair(offer.age),
                "cost": offer.cost.amount_text, "updated": offer.last_updated.isoformat(),
                "paused": offer.status == "paused",
                "contact": {k: v for k, v in (("email", offer.contact.email), ("phone", offer.contact.phone)) if v}}
        for facet in FACETS:
            item[facet.key] = [term.key for term in getattr(offer, facet.vocabulary)]
        offers.append(item)
    return offers


class _Handler(http.server.SimpleHTTPRequestHandler):
    """Serves the built folder under `prefix`, like a static host: a missing path gets 404.html with 404."""

    prefix = "/"

    def translate_path(self, path: str) -> str:
        parts = urlsplit(path)
        if not parts.path.startswith(self.prefix):
            return str(Path(self.directory) / "\0missing")  # outside the sub-path: nothing is there
        return super().translate_path("/" + parts.path[len(self.prefix):])

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        page = Path(self.directory) / "404.html"
        if code != 404 or not page.is_file():
            return super().send_error(code, message, explain)
        body = page.read_bytes()
        self.send_response(404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def log_message(self, format: str, *args) -> None:  # noqa: A002 - the stdlib's name
        pass  # keep the test output readable


@dataclass
class SiteServer:
    root: Path
    prefix: str  # "/" or "/praevention/"
    offers: list[str]
    httpd: http.server.ThreadingHTTPServer = field(repr=False)
    catalog: list[dict] = field(default_factory=list, repr=False)  # catalog_of the built site

    @property
    def origin(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}"

    def url(self, path: str = "") -> str:
        """Address of a path relative to the site's base, e.g. url("angebote/") or url("merkliste/#a,b")."""
        return self.origin + self.prefix + path

    @functools.cached_property
    def paths(self) -> dict[str, str]:
        """One concrete path per page type; the offer, partner and theme with the biggest page, because the
        page with the most fields gives accessibility checks the most to find."""
        def biggest(section: str) -> str:
            folders = [p for p in (self.root / section).iterdir() if (p / "index.html").is_file()
                       and p.name != "seite"]
            found = max(folders, key=lambda p: ((p / "index.html").stat().st_size, p.name), default=None)
            return f"{section}/{found.name}/" if found else f"{section}/(keine-seite-gefunden)/"

        two = ",".join(self.offers[:2])
        return {"start": "", "liste": "angebote/", "liste-seite-2": "angebote/seite/2/",
                "angebot": biggest("angebote"), "traeger-liste": "traeger/", "traeger": biggest("traeger"),
                "themen": "themen/", "thema": biggest("themen"), "merkliste": f"merkliste/#{two}",
                **{name: f"{name}/" for name in ("impressum", "datenschutz", "barrierefreiheit", "leichte-sprache",
                                                 "gebaerdensprache", "redaktion", "daten", "hilfe")},
                "404": NOT_FOUND_PATH}


def _serve(root: Path, prefix: str, offers: list[str], catalog: list[dict] | None = None) -> SiteServer:
    handler = type("Handler", (_Handler,), {"prefix": prefix})
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(handler, directory=str(root)))
    httpd.daemon_threads = True
    threading.Thread(target=httpd.serve_forever, name=f"site{prefix}", daemon=True).start()
    return SiteServer(root, prefix, offers, httpd, catalog or [])


def _serve_sample(out: Path, prefix: str, base_url: str | None = None) -> SiteServer:
    built = _build(out, base_url)
    return _serve(out, prefix, [offer.slug for offer in built.offers], catalog_of(built))


@pytest.fixture(scope="session")
def site(tmp_path_factory) -> Iterator[SiteServer]:
    """The shipped content, built once and served at http://127.0.0.1:<port>/."""
    out = tmp_path_factory.mktemp("browser-site") / "site"
    server = _serve_sample(out, "/")
    yield server
    server.httpd.shutdown()


@pytest.fixture(scope="session")
def subpath_site(tmp_path_factory) -> Iterator[SiteServer]:
    """The same content with base_url https://example.org/praevention/, served under /praevention/."""
    out = tmp_path_factory.mktemp("browser-subpath") / "site"
    server = _serve_sample(out, "/praevention/", SUB_PATH_URL)
    yield server
    server.httpd.shutdown()


# --- the browser and guarded pages ---------------------------------------------------------------------------

class _Chromium:
    """One Chromium for the tests of this folder, started on first use and stopped after the folder's last test:
    Playwright's sync API allows one instance per thread, so browser tests elsewhere can then start their own."""

    def __init__(self) -> None:
        self._playwright = None
        self._browser: Browser | None = None

    def get(self) -> Browser:
        if self._browser is None:
            self._playwright = sync_playwright().start()
            self._browser = self._playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        return self._browser

    def stop(self) -> None:
        if self._browser is not None:
            self._browser.close()
            self._playwright.stop()
            self._browser = self._playwright = None


_CHROMIUM = _Chromium()
HERE = Path(__file__).resolve().parent


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item, nextitem):
    result = yield
    if nextitem is None or HERE not in Path(nextitem.path).resolve().parents:
        _CHROMIUM.stop()
    return result


@pytest.fixture
def browser() -> Browser:
    """The Chromium of this folder's tests (Debian's, through Playwright's sync API)."""
    return _CHROMIUM.get()


# Runs before any script of the page; reports CSP violations to Python even if the page's own scripts fail.
_CSP_LISTENER = """
document.addEventListener("securitypolicyviolation", function (event) {
  window.__reportCspViolation(event.violatedDirective + " blockiert " + (event.blockedURI || "inline") +
                              " (" + event.sourceFile + ":" + event.lineNumber + ")");
});
"""


@dataclass
class Recorder:
    """What a guarded page did wrong. Both lists must be empty when the test ends."""

    outside: list[str] = field(default_factory=list)  # requests to other hosts (aborted, never sent)
    problems: list[str] = field(default_factory=list)  # console errors, script errors, CSP, failed responses
    expected: dict[str, int] = field(default_factory=dict)  # page URL -> HTTP status the test asked for

    def route(self, route: Route) -> None:
        if urlsplit(route.request.url).hostname == "127.0.0.1":
            route.continue_()
        else:
            self.outside.append(route.request.url)
            route.abort("blockedbyclient")

    def console(self, message: ConsoleMessage) -> None:
        if message.type not in ("error", "assert"):
            return
        source = message.location.get("url", "")
        if message.text.startswith("Failed to load resource") and source in self.expected:
            return  # the status a test asked for, e.g. the 404 page
        if any(source.startswith(url) for url in self.outside) or "ERR_BLOCKED_BY_CLIENT" in message.text:
            return  # already recorded as an outside request
        self.problems.append(f"Konsole: {message.text} ({source})")

    def response(self, response) -> None:
        url = response.url.split("#")[0]
        if response.status >= 400 and self.expected.get(url) != response.status:
            self.problems.append(f"HTTP {response.status}: {response.url}")

    def report(self) -> str:
        lines = [f"Anfrage an anderen Host: {url}" for url in self.outside] + self.problems
        return "\n".join(lines)


class Browse:
    """Makes guarded pages and closes them at the end of the test; see the module docstring."""

    def __init__(self, browser: Browser, site: SiteServer) -> None:
        self.browser = browser
        self.site = site
        self._contexts: list[tuple[BrowserContext, Recorder]] = []

    def new(self, **context_options) -> Page:
        """A page in a new context (own cookies, own options); every page of that context, popups included,
        is guarded by the same recorder."""
        options = {"locale": "de-DE", "viewport": {"width": 1280, "height": 800}, "service_workers": "block",
                   **context_options}
        context = self.browser.new_context(**options)
        context.set_default_timeout(TIMEOUT_MS)
        recorder = Recorder()
        self._contexts.append((context, recorder))
        context.route("**/*", recorder.route)
        context.expose_function("__reportCspViolation", lambda text: recorder.problems.append(f"CSP: {text}"))
        context.add_init_script(_CSP_LISTENER)

        def watch(page: Page) -> None:
            page.on("console", recorder.console)
            page.on("pageerror", lambda error: recorder.problems.append(f"Skriptfehler: {error}"))
            page.on("response", recorder.response)

        context.on("page", watch)
        return context.new_page()

    def recorder(self, page: Page) -> Recorder:
        return next(recorder for context, recorder in self._contexts if context is page.context)

    def visit(self, page: Page, path: str, status: int = 200, server: SiteServer | None = None,
              wait_until: str = "networkidle"):
        """Open `path` of `server` (default: the sample site), wait until its scripts have fetched what they
        need, and assert the HTTP status (a missing page would otherwise pass as the friendly 404 page)."""
        url = (server or self.site).url(path)
        self.recorder(page).expected[url.split("#")[0]] = status
        response = page.goto(url, wait_until=wait_until)
        actual = response.status if response else 0
        if actual != status:
            recorder = self.recorder(page)  # reported here, not again at teardown
            recorder.expected[url.split("#")[0]] = actual
            recorder.problems[:] = [p for p in recorder.problems if p != f"HTTP {actual}: {url.split('#')[0]}"]
            raise AssertionError(f"{unquote(url)}: HTTP {actual} statt {status}")
        return response

    def visit_each(self, page: Page, wrong: list[str], server: SiteServer | None = None):
        """Visit every page type in turn (the 404 page expecting 404) and yield its kind; a page that cannot
        be opened is added to `wrong` and skipped, so one test reports every broken page type at once."""
        server = server or self.site
        for kind in PAGE_TYPES:
            try:
                self.visit(page, server.paths[kind], status=404 if kind == "404" else 200, server=server)
            except AssertionError as missing:
                wrong.append(f"{kind}: {missing}")
                continue
            yield kind

    def close(self) -> list[str]:
        failures = []
        for context, recorder in self._contexts:
            if recorder.outside or recorder.problems:
                where = ", ".join(page.url for page in context.pages)
                failures.append(f"{where}:\n{recorder.report()}")
            context.close()
        return failures


@pytest.fixture
def browse(browser, site) -> Iterator[Browse]:
    browse = Browse(browser, site)
    yield browse
    failures = browse.close()
    if failures:
        pytest.fail("Die Seite hat andere Hosts angefragt, Fehler gemeldet oder die CSP verletzt:\n"
                    + "\n".join(failures), pytrace=False)


@pytest.fixture
def page(browse) -> Page:
    return browse.new()


@pytest.fixture
def nojs_page(browse) -> Page:
    return browse.new(java_script_enabled=False)


def wait_until(page: Page, script: str, arg: object = None, timeout: float = 15.0) -> None:
    """Wait until `script` (an expression, or a function of `arg`) is true in the page, polling from outside
    it: Playwright's wait_for_function polls inside the page with eval, which the site's CSP (no
    'unsafe-eval') blocks whenever the condition is not already true at the first look."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            if page.evaluate(script) if arg is None else page.evaluate(script, arg):
                return
        except PlaywrightError as exc:  # a navigation replaced the page meanwhile: look again
            if "context was destroyed" not in str(exc) and "navigat" not in str(exc):
                raise
        if time.monotonic() > deadline:
            raise AssertionError(f"Nicht eingetreten: {script} ({arg!r})")
        page.wait_for_timeout(50)


def settled(page: Page, timeout: float = 15.0) -> None:
    """Until list.js has shown what the page's state asks for: counts, result count and cards (it marks #liste
    aria-busy from a change until the last card of its result is in place)."""
    wait_until(page, "() => !document.getElementById('liste').hasAttribute('aria-busy')", timeout=timeout)


def watch_shown_on_a_slow_pc(page: Page, selector: str) -> None:
    """Before the next visit: record when `selector` first stops being hidden, and slow the CPU 4× (a school PC),
    so that a page whose first paint does not wait for its script would paint before that."""
    page.add_init_script(f"""new MutationObserver(function (changes, observer) {{
      var node = document.querySelector({selector!r});
      if (node && !node.hidden) {{ window.__shownAt = performance.now(); observer.disconnect(); }}
    }}).observe(document, {{ subtree: true, childList: true, attributes: true, attributeFilter: ["hidden"] }});""")
    page.context.new_cdp_session(page).send("Emulation.setCPUThrottlingRate", {"rate": 4})


def shown_and_first_paint(page: Page) -> tuple[float | None, float | None]:
    """When watch_shown_on_a_slow_pc's element was shown, and when the page was first painted (ms)."""
    return tuple(page.evaluate("""() => [window.__shownAt,
        performance.getEntriesByName("first-paint").map(e => e.startTime)[0]]"""))
