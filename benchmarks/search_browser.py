#!/usr/bin/env python3
"""The offer search as a visitor gets it: `python benchmarks/search_browser.py [--offers 25,1000,10000]`.

For generated sites of N offers (benchmarks/generate.py, built with `build.py build --today 2026-11-25`) it opens
pages in Debian's Chromium (Playwright's sync API, the flags of tests/browser/conftest.py) with the CPU slowed 4×
(CDP Emulation.setCPUThrottlingRate), served by a local threaded HTTP server that gzips text (html, css, js, json,
svg, xml, txt) at level 6 like Apache's mod_deflate. Every visit is a fresh browser context: empty cache and storage.
The first searches of the compared pages alternate visit by visit (offerdb, Pagefind, Pagefind on offerdb's list
page), so a slower moment of the machine falls on all of them alike.
Measured per visit:
  - bytes: the sum of CDP Network.loadingFinished encodedDataLength (headers and body as sent) over all responses
    of the page and its workers, until no request has been in flight for 0.5 s after the awaited state;
  - time: performance.now() in the page when the awaited state appears (MutationObservers on the awaited elements,
    from the end of parsing, before the page's scripts run), so it counts from the start of the navigation and
    holds no Playwright round trip.
Rows:
  - `/angebote/?q=…`, a fresh visit per query: until #ergebnis shows a text with "gefunden" and the list holds the
    cards of that result (Pagefind's page: its first 10 results); the number in that text is printed as the result
    count;
  - then in the same visit the next query of the list typed into #suche: bytes and time from the input event until
    #ergebnis shows the new count. That time includes the page's own pauses: 150 ms after typing, and 500 ms before
    a typed search's count is announced (list.js, for screen readers);
  - `/angebote/` without a query: until the filter panel (form#filter [data-facets]) is no longer hidden, which the
    page does once the facets with their counts work;
  - `/merkliste/` with 5 offers put into localStorage before the visit: until 5 entries (li.merk-item) are shown;
    besides all bytes the bytes of data (responses that are not .html, .css, .js or .svg).
Beside each query, where installed: the same generated offers (the text offerdb indexes: title, summary, keywords,
topics, provider, target group, goals, methods, body) as a minimal Hugo site that this
script writes, indexed by Pagefind, searched by a page of this script with Pagefind's JS API (import pagefind.js,
search, the data of the first 10 results, "N Ergebnisse gefunden" into #ergebnis; the same 150 ms and 500 ms pauses
for a typed query), same server, same throttling. The CPU throttling slows only a page's main thread, not its web
workers, so Pagefind runs with `noWorker` unless --pagefind-worker is given. Then the same Pagefind script once more
on offerdb's own list page (its header, filters, 24 cards and styles, without offerdb's scripts; column "P. Liste"):
that page alone costs a slowed browser several hundred milliseconds to lay out and paint, which the bare page does
not, so the two columns bracket what Pagefind would take on a real list page. Where the two engines find different
numbers of offers (Pagefind has no typo rule), a note under the title says so.

Needs: Chromium at /usr/bin/chromium and the project's .venv; for the comparison `hugo` on PATH (Debian package
`hugo`) and Pagefind (PyPI `pagefind[bin]`, e.g. in its own venv: `python3 -m venv /tmp/pf-venv &&
/tmp/pf-venv/bin/pip install 'pagefind[bin]'`, then `--pagefind /tmp/pf-venv`), else that column says
"nicht installiert".
Examples:
  .venv/bin/python benchmarks/search_browser.py --work /tmp/suche-browser --pagefind /tmp/pf-venv
  .venv/bin/python benchmarks/search_browser.py --offers 1000 --repeat 3 --json /tmp/suche.json --no-pagefind
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import gzip
import hashlib
import http.server
import io
import itertools
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

import yaml
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import sync_playwright

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks import run as build_bench  # noqa: E402  (content cache and machine info shared with run.py)

TODAY = "2026-11-25"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
THROTTLE = 4
QUIET_S = 0.5  # network idle: nothing in flight for this long (Playwright's "networkidle" uses the same)
WAIT_S = 300.0  # for one awaited state: generous, an earlier search needed ~20 s at 10,000 offers throttled
# One word, two words, a prefix, a typo, a word in almost every offer; last a word in no offer, which shows what a
# visit costs when there is nothing to load or show. Each visit then types the next one.
QUERIES = ["Mobbing", "Sucht Alkohol", "Demokr", "Medienkompetnz", "Ablauf", "Quarkzwiebel"]
# Pagefind has no typo rule: for the typo it finds nothing. Its time for the right spelling, the same work as
# offerdb's for the typo, is printed beside it.
SPELLED = {"Medienkompetnz": "Medienkompetenz"}
# Every generated body has the heading "## Ablauf"; the script prints its share so a change of generate.py shows.
COMMON_WORD = "Ablauf"
MERK_COUNT = 5
TEXT_SUFFIXES = (".html", ".htm", ".css", ".js", ".mjs", ".json", ".jsonld", ".svg", ".xml", ".txt")
NOT_DATA_SUFFIXES = (".html", ".htm", ".css", ".js", ".mjs", ".svg")


# --- the host: a static server that gzips text -----------------------------------------------------------------

@dataclass
class Sent:
    path: str
    status: int
    file_size: int  # bytes on disk, -1 without a file
    header_bytes: int  # status line and headers
    body_bytes: int
    gzipped: bool


class _Handler(http.server.SimpleHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as a browser talks to a real host
    server: GzipServer

    def send_head(self):
        url_path = urlsplit(self.path).path
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            if not url_path.endswith("/"):
                self.send_response(301)
                self.send_header("Location", url_path + "/")
                self.send_header("Content-Length", "0")
                self.end_headers()
                self._record(url_path, 301, -1, 0, False)
                return None
            path = path / "index.html"
        status = 200
        if not path.is_file():
            status, path = 404, Path(self.directory) / "404.html"
        accepts = _accepts_gzip(self.headers.get("Accept-Encoding", ""))
        if path.is_file():
            body, size, gzipped = self.server.body(path, accepts)
            kind = self.guess_type(str(path))
        else:  # a site without a 404 page (the Hugo one, asked for /favicon.ico)
            body, size, gzipped, kind = b"404 Nicht gefunden\n", -1, False, "text/plain; charset=utf-8"
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        if path.name.endswith(TEXT_SUFFIXES):
            self.send_header("Vary", "Accept-Encoding")
        if gzipped:
            self.send_header("Content-Encoding", "gzip")
        self.end_headers()
        self._record(url_path, status, size, len(body), gzipped)
        return io.BytesIO(body)

    def end_headers(self) -> None:
        self._header_bytes = sum(len(line) for line in getattr(self, "_headers_buffer", [])) + 2
        super().end_headers()

    def _record(self, url_path: str, status: int, size: int, body: int, gzipped: bool) -> None:
        header = getattr(self, "_header_bytes", 0)
        body = 0 if self.command == "HEAD" else body
        with self.server.lock:
            self.server.log.append(Sent(unquote(url_path), status, size, header, body, gzipped))

    def log_message(self, format: str, *args) -> None:  # noqa: A002 - the stdlib's name
        pass


def _accepts_gzip(header: str) -> bool:
    for part in header.split(","):
        name, _, params = part.strip().partition(";")
        if name.strip().lower() in ("gzip", "*"):
            q = params.strip().removeprefix("q=")
            try:
                return not params.strip().startswith("q=") or float(q) > 0
            except ValueError:
                return True
    return False


class GzipServer(http.server.ThreadingHTTPServer):
    """Serves `root` on 127.0.0.1 like a typical static host: text gzipped at level 6 when the browser accepts it
    (each file compressed once and kept, so a figure does not depend on whether this Python process had compressed
    it before), other files (images, .gz, Pagefind's own compressed files) as they are; a missing path gets
    404.html. `log` lists every response with the bytes sent."""

    daemon_threads = True

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.lock = threading.Lock()
        self.log: list[Sent] = []
        self._gzipped: dict[tuple[str, int, int], bytes] = {}
        handler = type("Handler", (_Handler,), {})
        super().__init__(("127.0.0.1", 0), lambda *a: handler(*a, directory=str(self.root)))
        self._thread = threading.Thread(target=self.serve_forever, name="gzip-server", daemon=True)
        self._thread.start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/{path.lstrip('/')}"

    def body(self, path: Path, accepts_gzip: bool) -> tuple[bytes, int, bool]:
        data = path.read_bytes()
        if not (accepts_gzip and path.name.endswith(TEXT_SUFFIXES)):
            return data, len(data), False
        stat = path.stat()
        key = (str(path), stat.st_mtime_ns, stat.st_size)
        with self.lock:
            packed = self._gzipped.get(key)
        if packed is None:
            packed = gzip.compress(data, compresslevel=6, mtime=0)
            with self.lock:
                self._gzipped[key] = packed
        return packed, len(data), True

    def sent_bytes(self, since: int = 0) -> int:
        with self.lock:
            return sum(s.header_bytes + s.body_bytes for s in self.log[since:])

    def close(self) -> None:
        self.shutdown()
        self.server_close()


# --- the page side ------------------------------------------------------------------------------------------------

# Installed before any script of every document: notes performance.now() when the awaited states appear.
# shown: each time #ergebnis has a text with "gefunden" and the result list (#liste, where the page has one) holds its
# cards: list.js writes the count before the cards of a search have arrived and marks the list aria-busy until
# they are in place, while Pagefind's page writes its count after its results; both are timed when the visitor sees
# results. facets: the filter panel un-hidden; merk: N entries shown; input: the last input event of #suche (captured
# on the document, before the page's own listener).
# The observers watch only those elements, from the end of parsing on (readyState "interactive" comes before any
# deferred or module script runs): a document-wide observer during parsing would handle a record per parsed node,
# which on the 1,200-element list page costs a slowed CPU some 30 ms that a visitor does not pay.
_INSTRUMENT = """
(function () {
  var bench = window.__bench = { shown: [], facets: 0, merk: 0, input: 0, shift: 0 };
  // Layout shifts the visitor did not cause (CLS): content that moves while the page fills in.
  if (window.PerformanceObserver && (PerformanceObserver.supportedEntryTypes || []).indexOf("layout-shift") !== -1) {
    new PerformanceObserver(function (entries) {
      entries.getEntries().forEach(function (e) { if (!e.hadRecentInput) { bench.shift += e.value; } });
    }).observe({ type: "layout-shift", buffered: true });
  }
  var wanted = __MERK__;
  var status = null;
  var list = null;
  var counted = false;  // #ergebnis has changed since the last entry of shown
  function look() {
    var now = performance.now();
    var busy = list && list.getAttribute("aria-busy") === "true";
    if (counted && !busy && status.textContent.indexOf("gefunden") !== -1) {
      counted = false;
      var first = list && list.querySelector("[data-slug]");
      bench.shown.push({ t: now, text: status.textContent, first: first ? first.getAttribute("data-slug") : null });
    }
    if (!bench.facets) {
      var panel = document.querySelector("form#filter [data-facets]");
      if (panel && !panel.hidden) { bench.facets = now; }
    }
    if (wanted && !bench.merk && document.querySelectorAll("#merk-liste .merk-item").length >= wanted) {
      bench.merk = now;
    }
  }
  function watch() {
    status = document.getElementById("ergebnis");
    list = document.getElementById("liste");
    var observer = new MutationObserver(look);
    var text = { subtree: true, childList: true, characterData: true };
    if (status) {
      new MutationObserver(function () { counted = true; look(); }).observe(status, text);
    }
    var merk = document.getElementById("merk-liste");
    if (merk) { observer.observe(merk, text); }
    [list, document.querySelector("form#filter [data-facets]")].filter(Boolean).forEach(function (node) {
      observer.observe(node, { attributes: true, attributeFilter: ["hidden", "aria-busy"] });
    });
    look();
  }
  if (document.readyState === "loading") {
    document.addEventListener("readystatechange", function once() {
      document.removeEventListener("readystatechange", once);
      watch();
    });
  } else {
    watch();
  }
  document.addEventListener("input", function (event) {
    if (event.target && event.target.id === "suche") { bench.input = performance.now(); }
  }, true);
}());
"""


class Traffic:
    """Bytes of one visit from CDP: Network.loadingFinished encodedDataLength of the page and of every worker or
    frame it starts. A CDP session on the page alone does not see a worker's requests, so the session auto-attaches
    to them (Target.setAutoAttach, messages through Target.sendMessageToTarget) and enables Network there before
    they run. A dedicated worker's own script is the exception: Chromium fetches it before the worker starts and
    reports its body to nobody (or not even its end), so it never counts as in flight here, and the server's own
    count of the visit (`server_bytes`) shows what is missing."""

    def __init__(self, cdp) -> None:
        self.cdp = cdp
        self.urls: dict[str, str] = {}
        self.inflight: set[str] = set()
        self.done: list[tuple[str, int]] = []  # (url, encoded bytes) in the order they finished
        self.workers = 0
        self.worker_scripts: set[str] = set()
        self.server_mark = 0  # the server's log length when the visit started
        self.last = time.monotonic()
        self._ids = itertools.count(1)
        cdp.on("Network.requestWillBeSent", self._sent)
        cdp.on("Network.loadingFinished", self._finished)
        cdp.on("Network.loadingFailed", self._failed)
        cdp.on("Target.attachedToTarget", self._attached)
        cdp.on("Target.receivedMessageFromTarget", self._from_target)
        cdp.send("Network.enable")
        cdp.send("Target.setAutoAttach", {"autoAttach": True, "waitForDebuggerOnStart": True, "flatten": False})

    def _sent(self, params: dict) -> None:
        url = params["request"]["url"]
        if url.startswith("http"):
            self.urls[params["requestId"]] = url
            self.inflight.add(params["requestId"])
            self.last = time.monotonic()

    def _finished(self, params: dict) -> None:
        rid = params["requestId"]
        if rid in self.urls or rid in self.inflight:
            self.done.append((self.urls.get(rid, ""), int(params["encodedDataLength"])))
        self.inflight.discard(rid)
        self.last = time.monotonic()

    def _failed(self, params: dict) -> None:
        self.inflight.discard(params["requestId"])
        self.last = time.monotonic()

    def _attached(self, params: dict) -> None:
        if params["targetInfo"]["type"] in ("worker", "shared_worker", "service_worker"):
            self.workers += 1
            self.worker_scripts.add(params["targetInfo"]["url"])
        for method in ("Network.enable", "Runtime.runIfWaitingForDebugger"):
            message = json.dumps({"id": next(self._ids), "method": method})
            self.cdp.send("Target.sendMessageToTarget", {"sessionId": params["sessionId"], "message": message})

    def _from_target(self, params: dict) -> None:
        message = json.loads(params["message"])
        handler = {"Network.requestWillBeSent": self._sent, "Network.loadingFinished": self._finished,
                   "Network.loadingFailed": self._failed}.get(message.get("method", ""))
        if handler:
            handler(message["params"])

    def pending(self) -> set[str]:
        return {rid for rid in self.inflight if self.urls.get(rid) not in self.worker_scripts}

    def bytes(self, since: int = 0, data_only: bool = False) -> int:
        return sum(size for url, size in self.done[since:] if not data_only or _is_data(url))


def _is_data(url: str) -> bool:
    path = urlsplit(url).path
    return not (path.endswith("/") or path.endswith(NOT_DATA_SUFFIXES))


def shown_count(text: str) -> int | None:
    """The result count in a status text: "24 Angebote zu „Mobbing“ gefunden.", "Keine Angebote …", "1.234 …"."""
    if text.lstrip().lower().startswith("kein"):
        return 0
    found = re.search(r"\d{1,3}(?:[.\u00a0\u202f]\d{3})+|\d+", text)
    return int(re.sub(r"\D", "", found.group())) if found else None


class Bench:
    """Fresh visits to one served site. `search_path` is the page that takes ?q= and has #suche and #ergebnis."""

    def __init__(self, browser, server: GzipServer, search_path: str = "angebote/", throttle: float = THROTTLE,
                 query_suffix: str = "") -> None:
        self.browser = browser
        self.server = server
        self.search_path = search_path
        self.throttle = throttle
        self.query_suffix = query_suffix  # e.g. "&worker=1" for the Pagefind page

    @contextlib.contextmanager
    def visit(self, path: str, throttle: float | None = None, local_storage: dict[str, str] | None = None,
              merk: int = 0) -> Iterator[tuple[object, Traffic]]:
        context = self.browser.new_context(locale="de-DE", viewport={"width": 1280, "height": 800},
                                           service_workers="block")
        try:
            context.add_init_script(script=_INSTRUMENT.replace("__MERK__", str(merk)))
            for key, value in (local_storage or {}).items():
                context.add_init_script(script=(
                    "try { if (location.protocol.indexOf('http') === 0) { "
                    f"localStorage.setItem({json.dumps(key)}, {json.dumps(value)}); }} }} catch (e) {{}}"))
            page = context.new_page()
            page.problems = []
            page.on("pageerror", lambda error: page.problems.append(f"Skriptfehler: {error}"))
            page.on("console", lambda m: page.problems.append(f"Konsole: {m.text}") if m.type == "error" else None)
            cdp = context.new_cdp_session(page)
            traffic = Traffic(cdp)
            traffic.server_mark = len(self.server.log)  # visits are one at a time: the server's count of this one
            rate = self.throttle if throttle is None else throttle
            cdp.send("Emulation.setCPUThrottlingRate", {"rate": rate})
            page.goto(self.server.url(path), wait_until="commit")
            yield page, traffic
        finally:
            context.close()

    def _until(self, page, script: str, arg: object = None):
        """Poll `script` (a function of `arg`) until it returns something truthy. Polled from outside: the site's
        CSP forbids the eval that Playwright's wait_for_function needs."""
        deadline = time.monotonic() + WAIT_S
        while True:
            try:
                value = page.evaluate(script, arg)
                if value:
                    return value
            except PlaywrightError as exc:  # a navigation replaced the document meanwhile: look again
                if "context was destroyed" not in str(exc) and "navigat" not in str(exc):
                    raise
            if time.monotonic() > deadline:
                raise TimeoutError(f"Nicht eingetreten nach {WAIT_S:.0f} s: {script} auf {page.url}\n"
                                   + "\n".join(page.problems[:5]))
            page.wait_for_timeout(50)

    def _idle(self, page, traffic: Traffic) -> None:
        deadline = time.monotonic() + WAIT_S
        while traffic.pending() or time.monotonic() - traffic.last < QUIET_S:
            if time.monotonic() > deadline:
                waiting = sorted(traffic.urls[i] for i in traffic.pending())
                raise TimeoutError(f"Netz nicht zur Ruhe gekommen: {waiting}")
            page.wait_for_timeout(50)

    def query(self, q: str, then: str | None = None, throttle: float | None = None) -> dict:
        """A fresh visit to the search page with ?q=`q`; then, if given, `then` typed into #suche."""
        path = f"{self.search_path}?q={quote(q)}{self.query_suffix}"
        with self.visit(path, throttle) as (page, traffic):
            shown = self._until(page, "() => window.__bench && window.__bench.shown[0]")
            self._idle(page, traffic)
            result = {"query": q, "count": shown_count(shown["text"]), "text": shown["text"],
                      "seconds": shown["t"] / 1000, "bytes": traffic.bytes(),
                      "shift": page.evaluate("() => window.__bench.shift"),
                      "server_bytes": self.server.sent_bytes(traffic.server_mark),
                      # the first card when timed and once all is loaded: the same if the cards were in place
                      "first_card": shown["first"], "settled_first_card": page.evaluate(
                          "() => { var c = document.querySelector('#liste [data-slug]');"
                          " return c ? c.getAttribute('data-slug') : null; }")}
            if then is not None:
                before, mark = len(traffic.done), len(self.server.log)
                page.fill("#suche", then)
                typed = page.evaluate("() => window.__bench.input")
                again = self._until(page, "(t) => window.__bench.shown.find(function (e) { return e.t > t; })", typed)
                self._idle(page, traffic)
                result["then"] = {"query": then, "count": shown_count(again["text"]), "text": again["text"],
                                  "seconds": (again["t"] - typed) / 1000, "bytes": traffic.bytes(before),
                                  "server_bytes": self.server.sent_bytes(mark)}
            result["workers"] = traffic.workers
            return result

    def facets(self) -> dict:
        """A fresh visit to the list without a query, until the filter panel is shown."""
        with self.visit("angebote/") as (page, traffic):
            t = self._until(page, "() => window.__bench && window.__bench.facets")
            self._idle(page, traffic)
            return {"seconds": t / 1000, "bytes": traffic.bytes(),
                    "server_bytes": self.server.sent_bytes(traffic.server_mark), "workers": traffic.workers}

    def merkliste(self, slugs: list[str], base: str = "/") -> dict:
        """A fresh visit to /merkliste/ with `slugs` stored as the visitor's list (merken.js's key)."""
        stored = {"offerdb-merkliste:" + base: ",".join(slugs)}
        with self.visit("merkliste/", local_storage=stored, merk=len(slugs)) as (page, traffic):
            t = self._until(page, "() => window.__bench && window.__bench.merk")
            self._idle(page, traffic)
            return {"offers": len(slugs), "seconds": t / 1000, "bytes": traffic.bytes(),
                    "data_bytes": traffic.bytes(data_only=True),
                    "server_bytes": self.server.sent_bytes(traffic.server_mark), "workers": traffic.workers}


def median_run(runs: list[dict]) -> dict:
    """The median of each figure over repeated visits; the counts of all runs where they differ."""
    result = dict(runs[0])
    for key in ("seconds", "bytes", "data_bytes", "server_bytes", "shift"):
        if key in result:
            result[key] = statistics.median(r[key] for r in runs)
    counts = sorted({r.get("count") for r in runs}, key=lambda c: -1 if c is None else c)
    if len(counts) > 1:
        result["counts"] = counts
    if "then" in result:
        result["then"] = median_run([r["then"] for r in runs])
    if len(runs) > 1:
        result["runs"] = runs
    return result


def repeated(measure, repeat: int) -> dict:
    return median_run([measure() for _ in range(max(1, repeat))])


# --- the sites ----------------------------------------------------------------------------------------------------

def _digest(paths: list[Path], extra: str = "") -> str:
    h = hashlib.sha256(extra.encode())
    for base in paths:
        files = sorted(p for p in base.rglob("*") if p.is_file() and "__pycache__" not in p.parts) \
            if base.is_dir() else [base]
        for path in files:
            h.update(str(path.relative_to(ROOT)).encode() + b"\0" + path.read_bytes())
    return h.hexdigest()


def _stamped(folder: Path, key: str, make) -> bool:
    """Run `make()` unless `folder` was made with the same key; True if it ran."""
    stamp = folder.parent / (folder.name + ".stamp")
    if folder.is_dir() and stamp.is_file() and stamp.read_text() == key:
        return False
    stamp.unlink(missing_ok=True)
    shutil.rmtree(folder, ignore_errors=True)
    make()
    stamp.write_text(key)
    return True


def _say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def offerdb_site(n: int, work: Path) -> Path:
    """work/N/: N generated offers (cached like run.py's) and the site built from them by the current code
    (rebuilt when the code, the templates or the npm lock change)."""
    folder = build_bench.ensure_content(n, work)
    out = folder / "site-browser"
    key = ((folder / "generated.stamp").read_text() + " "
           + _digest([ROOT / "offerdb", ROOT / "templates", ROOT / "build.py", ROOT / "package-lock.json"]))

    def build() -> None:
        _say(f"baue {n} Angebote mit offerdb …")
        started = time.perf_counter()
        proc = subprocess.run([sys.executable, str(ROOT / "build.py"), "build", "--content", str(folder / "content"),
                               "--config", str(folder / "site.yaml"), "--today", TODAY, "--out", str(out), "-q"],
                              cwd=ROOT, capture_output=True, text=True, check=False)
        if proc.returncode != 0:
            raise SystemExit(f"offerdb-Bau fehlgeschlagen:\n{proc.stdout}\n{proc.stderr}")
        _say(f"  fertig in {time.perf_counter() - started:.1f} s")

    _stamped(out, key, build)
    return out


@dataclass
class Offer:
    slug: str
    title: str
    summary: str
    body: str


def published_offers(content: Path) -> list[Offer]:
    """The generated offers the site publishes: all but the archived (generated seals are valid on TODAY)."""
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    offers = []
    for path in sorted((content / "offers").glob("*.md")):
        _, front, body = path.read_text(encoding="utf-8").split("---\n", 2)
        data = yaml.load(front, Loader=loader)
        if data.get("status") != "archived":
            offers.append(Offer(path.stem, data["title"], data["summary"], body))
    return offers


def word_share(offers: list[Offer], word: str) -> float:
    pattern = re.compile(rf"(?<!\w){re.escape(word)}(?!\w)", re.IGNORECASE)
    hits = sum(1 for o in offers if pattern.search(f"{o.title}\n{o.summary}\n{o.body}"))
    return hits / len(offers) if offers else 0.0


def merk_slugs(site: Path, count: int = MERK_COUNT) -> list[str]:
    """The first `count` offer pages of the built site (folders under angebote/ whose page has a "Merken" button)."""
    slugs = []
    for folder in sorted((site / "angebote").iterdir()):
        page = folder / "index.html"
        if page.is_file() and f'data-mark-offer="{folder.name}"' in page.read_text(encoding="utf-8"):
            slugs.append(folder.name)
            if len(slugs) == count:
                break
    return slugs


def site_base(site: Path) -> str:
    found = re.search(r'<html[^>]*\bdata-base="([^"]*)"', (site / "merkliste" / "index.html").read_text("utf-8"))
    return found.group(1) if found else "/"


# --- Hugo + Pagefind ----------------------------------------------------------------------------------------------

HUGO_CONFIG = """\
baseURL = "/"
languageCode = "de"
defaultContentLanguage = "de"
title = "Präventionsangebote (Hugo + Pagefind, Vergleich)"
disableKinds = ["home", "section", "taxonomy", "term", "RSS", "sitemap", "robotsTXT", "404"]
"""
HUGO_SINGLE = """\
<!doctype html>
<html lang="de">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ .Title }}</title></head>
<body><main data-pagefind-body><h1>{{ .Title }}</h1>{{ .Content }}</main></body>
</html>
"""
SEARCH_PAGE = """\
<!doctype html>
<html lang="de">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Suche</title><script type="module" src="/suche/suche.js"></script></head>
<body><main><h1>Suche</h1><label for="suche">Suchbegriff</label> <input id="suche" type="search">
<p id="ergebnis" role="status"></p><ol id="treffer"></ol></main></body>
</html>
"""
# Pagefind's JS API as its documentation shows it. The pauses are list.js's, so a typed query compares search work.
SEARCH_SCRIPT = """\
const params = new URLSearchParams(location.search);
const pagefind = await import("/pagefind/pagefind.js");
// CDP's CPU throttling slows the page's main thread only: in a worker Pagefind would search at full speed.
await pagefind.options({ noWorker: params.get("worker") !== "1" });
const field = document.getElementById("suche");
const status = document.getElementById("ergebnis");
const list = document.getElementById("treffer");
let run = 0;
let announce = 0;

async function show(q, typed) {
  const mine = ++run;
  const search = await pagefind.search(q);
  const data = await Promise.all(search.results.slice(0, 10).map((r) => r.data()));
  if (mine !== run) { return; }
  list.replaceChildren(...data.map((d) => {
    const item = document.createElement("li");
    const link = document.createElement("a");
    link.href = d.url;
    link.textContent = d.meta.title;
    item.append(link);
    return item;
  }));
  const text = search.results.length + " Ergebnisse gefunden";
  clearTimeout(announce);
  if (typed) { announce = setTimeout(() => { status.textContent = text; }, 500); } else { status.textContent = text; }
}

field.value = params.get("q") || "";
if (field.value.trim()) { show(field.value.trim(), false); }
let timer = 0;
field.addEventListener("input", () => {
  clearTimeout(timer);
  timer = setTimeout(() => { if (field.value.trim()) { show(field.value.trim(), true); } }, 150);
});
"""


def find_pagefind(given: str | None) -> Path | None:
    """`given` (the binary, or a venv/folder holding pip's pagefind_bin), else `pagefind` on PATH."""
    if given:
        path = Path(given)
        if path.is_file():
            return path
        pip_binary = sorted(path.glob("lib/python*/site-packages/pagefind_bin/pagefind*"))
        for candidate in [path / "bin" / "pagefind", *pip_binary, path / "pagefind"]:
            if candidate.is_file() and os.access(candidate, os.X_OK):
                return candidate
        return None
    for name in ("pagefind", "pagefind_extended"):
        found = shutil.which(name)
        if found:
            return Path(found)
    return None


def _version(command: list[str]) -> str:
    out = subprocess.run(command, capture_output=True, text=True, check=False).stdout.strip()
    found = re.search(r"v?(\d+\.\d+\.\d+)", out)
    return found.group(1) if found else out


def indexed_text(folder: Path) -> list[tuple[str, dict[str, str]]]:
    """(slug, fields) of what offerdb's search index holds for each published offer of folder/content
    (offerdb.search.index_documents): the title, the "text" field and the body."""
    from offerdb import models, pipeline
    from offerdb import search as offer_search

    today = datetime.date.fromisoformat(TODAY)
    checked = pipeline.check(folder / "content", folder / "site.yaml", today)
    if checked.settings is None or not checked.validated.ok:
        raise SystemExit(f"Die erzeugten Angebote in {folder / 'content'} haben Fehler.")
    return offer_search.index_documents(models.build_site(checked.validated, checked.settings, today))


def hugo_pagefind_site(n: int, work: Path, pagefind: Path) -> Path:
    """work/N/hugo/public: the generated offers as a Hugo site with this script's layouts, indexed by Pagefind, with
    the search page /suche/. Each page holds the text offerdb indexes for the offer (archived ones left out, as
    offerdb does): title, summary, keywords, topics, provider, target group, goals, methods, body. With less, a
    query such as "Mobbing" (a topic's name) finds nothing in Pagefind and loads no result, and the times compare
    a search that shows results with one that shows none."""
    folder = build_bench.ensure_content(n, work)
    hugo_dir = folder / "hugo"
    hugo_version = _version(["hugo", "version"])
    pagefind_version = _version([str(pagefind), "--version"])
    # offerdb/ makes the pages' text (indexed_text): a change there rebuilds them
    key = ((folder / "generated.stamp").read_text() + f" hugo {hugo_version} pagefind {pagefind_version} "
           + _digest([ROOT / "offerdb"], HUGO_CONFIG + HUGO_SINGLE + SEARCH_PAGE + SEARCH_SCRIPT))

    def build() -> None:
        (hugo_dir / "layouts" / "_default").mkdir(parents=True)
        (hugo_dir / "hugo.toml").write_text(HUGO_CONFIG, encoding="utf-8")
        (hugo_dir / "layouts" / "_default" / "single.html").write_text(HUGO_SINGLE, encoding="utf-8")
        (hugo_dir / "static" / "suche").mkdir(parents=True)
        (hugo_dir / "static" / "suche" / "index.html").write_text(SEARCH_PAGE, encoding="utf-8")
        (hugo_dir / "static" / "suche" / "suche.js").write_text(SEARCH_SCRIPT, encoding="utf-8")
        pages = hugo_dir / "content" / "angebote"
        pages.mkdir(parents=True)
        bodies = {offer.slug: offer.body for offer in published_offers(folder / "content")}
        for slug, fields in indexed_text(folder):
            # offerdb's "text" field (summary, keywords, topics, provider, target group, goals, methods), one
            # paragraph per line, then the body as written
            front = f"---\ntitle: {json.dumps(fields['title'], ensure_ascii=False)}\n---\n"
            more = "\n\n".join(line.strip() for line in fields["text"].splitlines() if line.strip())
            (pages / f"{slug}.md").write_text(front + more + "\n\n" + bodies[slug], encoding="utf-8")
        env = {**os.environ, "HUGO_CACHEDIR": str(hugo_dir / "cache")}
        for label, command in (
                (f"Hugo {hugo_version}", ["hugo", "--quiet", "--source", str(hugo_dir), "--destination", "public"]),
                (f"Pagefind {pagefind_version}", [str(pagefind), "--site", str(hugo_dir / "public"), "--silent"])):
            _say(f"baue {n} Angebote: {label} …")
            started = time.perf_counter()
            proc = subprocess.run(command, cwd=hugo_dir, env=env, capture_output=True, text=True, check=False)
            if proc.returncode != 0:
                raise SystemExit(f"{label} fehlgeschlagen:\n{proc.stdout}\n{proc.stderr}")
            _say(f"  fertig in {time.perf_counter() - started:.1f} s")

    _stamped(hugo_dir, key, build)
    return hugo_dir / "public"


LIST_PAGE = "liste/"


def pagefind_list_page(public: Path, site: Path) -> None:
    """public/liste/: offerdb's own /angebote/ page (header, filters, 24 cards, styles) with the Pagefind search
    page's script instead of offerdb's scripts, so that Pagefind's first search is also timed on a page that costs
    the browser as much to show as offerdb's. Its CSP adds 'wasm-unsafe-eval', without which Pagefind cannot run;
    the ten results replace the cards (#treffer)."""
    html = (site / "angebote" / "index.html").read_text(encoding="utf-8")
    html, scripts = re.subn(r'<script src="[^"]*"[^>]*></script>\n?', "", html)
    csp = "default-src 'self';"
    if not scripts or csp not in html or 'id="liste"' not in html:
        raise SystemExit("Die Listenseite von offerdb hat nicht die erwartete Form (Skripte, CSP, #liste).")
    html = html.replace(csp, csp + " script-src 'self' 'wasm-unsafe-eval';", 1)
    html = html.replace("</head>", '<script type="module" src="/suche/suche.js"></script>\n</head>', 1)
    html = html.replace('id="liste"', 'id="treffer"', 1)
    (public / LIST_PAGE).mkdir(exist_ok=True)
    (public / LIST_PAGE / "index.html").write_text(html, encoding="utf-8")
    for href in re.findall(r'href="/(assets/[^"/]+\.(?:css|svg))"', html):
        (public / href).parent.mkdir(exist_ok=True)
        shutil.copyfile(site / href, public / href)


# --- one size -----------------------------------------------------------------------------------------------------

def launch(playwright):
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)


def measure_queries(benches: dict[str, Bench], queries: list[str], repeat: int) -> dict[str, list[dict | None]]:
    """Per page (offerdb's, Pagefind's, Pagefind on offerdb's list page) the median visit for each query. The visits
    alternate page by page, so a slower moment of the machine falls on every page alike, not on one of them. With
    Pagefind, "spelled" holds its bare page's visits for the right spelling of a typo query (SPELLED), else None."""
    # One unthrottled visit first: the server compresses each file once, and the OS has read the site's files.
    for bench in benches.values():
        bench.query(queries[0], throttle=1)
    rows: dict[str, list[dict | None]] = {name: [] for name in [*benches, "spelled"]}
    for i, q in enumerate(queries):
        then = queries[(i + 1) % len(queries)] if len(queries) > 1 else None
        visits = [(name, bench, q, then) for name, bench in benches.items()]
        if q in SPELLED and "pagefind" in benches:
            visits.append(("spelled", benches["pagefind"], SPELLED[q], None))
        runs: dict[str, list[dict]] = {name: [] for name, *_ in visits}
        for _ in range(max(1, repeat)):
            for name, bench, query, typed in visits:
                runs[name].append(bench.query(query, typed))
        for name in rows:
            rows[name].append(median_run(runs[name]) if name in runs else None)
    return rows


def measure_size(browser, n: int, work: Path, queries: list[str], repeat: int, pagefind: Path | None,
                 pagefind_note: str, pagefind_worker: bool) -> dict:
    site = offerdb_site(n, work)
    offers = published_offers(work / str(n) / "content")
    result: dict = {"offers": n, "published": len(offers), "site_mb": _folder_mb(site)}
    if COMMON_WORD in queries:
        result["common_word"] = {"word": COMMON_WORD, "share": word_share(offers, COMMON_WORD)}
    with contextlib.ExitStack() as stack:
        server = GzipServer(site)
        stack.callback(server.close)
        bench = Bench(browser, server)
        benches = {"offerdb": bench}
        labels = ["offerdb"]
        if pagefind is not None:
            public = hugo_pagefind_site(n, work, pagefind)
            pagefind_list_page(public, site)
            theirs = GzipServer(public)
            stack.callback(theirs.close)
            suffix = "&worker=1" if pagefind_worker else ""
            benches["pagefind"] = Bench(browser, theirs, search_path="suche/", query_suffix=suffix)
            benches["list_page"] = Bench(browser, theirs, search_path=LIST_PAGE, query_suffix=suffix)
            labels += ["Hugo + Pagefind", "Pagefind auf der Listenseite"]
        _say(f"messe mit {n} Angeboten: {', '.join(labels)}" + (" abwechselnd" if len(labels) > 1 else "") + " …")
        rows = measure_queries(benches, queries, repeat)
        ours: dict = {"queries": rows["offerdb"]}
        ours["facets"] = repeated(bench.facets, repeat)
        slugs = merk_slugs(site)
        ours["merkliste"] = repeated(lambda: bench.merkliste(slugs, site_base(site)), repeat)
        result["offerdb"] = ours
        if pagefind is None:
            result["pagefind"] = {"skipped": pagefind_note}
        else:
            result["pagefind"] = {"queries": rows["pagefind"], "list_page": rows["list_page"],
                                  "spelled": rows["spelled"], "worker": pagefind_worker,
                                  "version": _version([str(pagefind), "--version"]),
                                  "hugo": _version(["hugo", "version"])}
    return result


def _folder_mb(folder: Path) -> float:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) / 1e6


# --- output -------------------------------------------------------------------------------------------------------

def kb(value: float | None) -> str:
    return "–" if value is None else f"{value / 1000:.1f} KB"


def sec(value: float | None) -> str:
    return "–" if value is None else f"{value:.2f} s"


def ratio(ours: float | None, theirs: float | None) -> str:
    return "–" if not ours or not theirs else f"{ours / theirs:.2f}×"


def count(row: dict | None) -> str:
    if row is None:
        return "–"
    if "counts" in row:
        return "/".join("?" if c is None else str(c) for c in row["counts"]) + "!"
    return "?" if row.get("count") is None else str(row["count"])


def different_work(ours: list[dict], theirs: list[dict]) -> list[str]:
    """A note per first search where the two engines found different numbers of offers: there the times compare
    different work (Pagefind has no typo rule: for a misspelt word it finds nothing, so it loads and shows nothing)."""
    notes = []
    for mine, other in zip(ours, theirs, strict=True):
        if mine.get("count") != other.get("count"):
            notes.append(f"„{mine['query']}“: offerdb findet {count(mine)}, Pagefind {count(other)} Angebote – die "
                         "Zeiten vergleichen ungleiche Arbeit.")
    return notes


def spelled_notes(ours: list[dict], spelled: list[dict | None]) -> list[str]:
    """A note per typo query: offerdb's time for the typo beside Pagefind's for the right spelling (the same work)."""
    return [f"Richtig geschrieben, „{right['query']}“: Pagefind findet {count(right)} Angebote in "
            f"{sec(right['seconds'])}; offerdb für „{mine['query']}“ {count(mine)} Angebote in {sec(mine['seconds'])}, "
            f"Zeit o/P {ratio(mine['seconds'], right['seconds'])}."
            for mine, right in zip(ours, spelled, strict=False) if right]


def table(result: dict) -> str:
    ours, theirs = result["offerdb"], result["pagefind"]
    skipped = theirs.get("skipped")
    head = ["Messung", "Treffer", "offerdb", "Zeit", "Treffer", "Pagefind", "Zeit", "KB o/P", "Zeit o/P",
            "P. Liste", "Zeit o/PL"]
    lines = []

    def add(label: str, mine: dict | None, other: dict | None, listed: dict | None = None) -> None:
        lines.append([label, count(mine) if mine and "count" in mine else "",
                      kb(mine and mine.get("bytes")), sec(mine and mine.get("seconds")),
                      count(other) if other else "–", kb(other and other.get("bytes")),
                      sec(other and other.get("seconds")),
                      ratio(mine and mine.get("bytes"), other and other.get("bytes")),
                      ratio(mine and mine.get("seconds"), other and other.get("seconds")),
                      sec(listed and listed.get("seconds")) if listed else "–",
                      ratio(mine and mine.get("seconds"), listed and listed.get("seconds"))])

    for i, row in enumerate(ours["queries"]):
        other = None if skipped else theirs["queries"][i]
        listed = None if skipped else theirs["list_page"][i]
        add(f"Suche „{row['query']}“ (neuer Besuch)", row, other, listed)
        if "then" in row:
            add(f"  danach „{row['then']['query']}“ getippt", row["then"], other and other.get("then"),
                listed and listed.get("then"))
    add("/angebote/ ohne Suche: Filter bereit", ours["facets"], None)
    add(f"/merkliste/ mit {ours['merkliste']['offers']} Angeboten", ours["merkliste"], None)
    lines.append(["  davon Daten (JSON u. a.)", "", kb(ours["merkliste"]["data_bytes"]), "", "", "", "", "", "", "",
                  ""])
    widths = [max(len(r[i]) for r in [head, *lines]) for i in range(len(head))]

    def line(cells: list[str]) -> str:
        pairs = enumerate(zip(cells, widths, strict=True))
        return "  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in pairs)

    out = [line(r) for r in [head, *lines]]
    title = f"{result['offers']} Angebote ({result['published']} veröffentlicht, Website {result['site_mb']:.1f} MB)"
    notes = []
    if "common_word" in result:
        share = result["common_word"]["share"]
        notes.append(f"„{result['common_word']['word']}“ steht in {share * 100:.1f} % der veröffentlichten Angebote "
                     "(Titel, Kurzbeschreibung, Beschreibung)" + ("" if share >= 0.9 else " – weniger als 90 %!"))
    if skipped:
        notes.append(f"Pagefind: {skipped}")
    else:
        notes.append(f"Pagefind {theirs['version']} über Hugo {theirs['hugo']}, "
                     + ("Suche im Web Worker (nicht gedrosselt)" if theirs["worker"] else "ohne Web Worker (noWorker)")
                     + "; „Pagefind“ auf einer Seite nur mit Suchfeld, „P. Liste“ auf der Listenseite von offerdb "
                     "(Filter, 24 Karten, Stile) statt deren Skripten")
    workers = [r.get("workers", 0) for r in [*ours["queries"], ours["facets"], ours["merkliste"]]]
    if any(workers):
        notes.append("Hinweis: offerdb startet Web Worker; die CPU-Drosselung gilt dort nicht.")
    rows = [ours["facets"], ours["merkliste"], *(r for q in ours["queries"] for r in (q, q.get("then")) if r)]
    if not skipped:
        rows += [r for q in theirs["queries"] + theirs["list_page"] for r in (q, q.get("then")) if r]
    missing = max((r["server_bytes"] - r["bytes"] for r in rows if "server_bytes" in r), default=0)
    if missing > 0:
        notes.append(f"Hinweis: Chromium meldet nicht alle Bytes (das Skript eines Web Workers); der Server hat bis "
                     f"zu {kb(missing)} mehr gesendet als gezählt (JSON: server_bytes).")
    if any("counts" in r or "counts" in r.get("then", {}) for r in ours["queries"]):
        notes.append("„!“: die Wiederholungen zeigten verschiedene Trefferzahlen.")
    if not skipped:
        notes += different_work(ours["queries"], theirs["queries"])
        notes += spelled_notes(ours["queries"], theirs.get("spelled", []))
    notes.append("Layout-Verschiebung (CLS) eines neuen Besuchs mit Suche, bis alles geladen ist: offerdb höchstens "
                 f"{max(r['shift'] for r in ours['queries']):.3f}"
                 + ("" if skipped else f", Pagefind auf der Listenseite höchstens "
                    f"{max(r['shift'] for r in theirs['list_page']):.3f}"))
    return "\n".join([title, *notes, "", *out]) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--offers", default="25,1000,10000", help="comma-separated counts (default 25,1000,10000)")
    parser.add_argument("--work", type=Path, help="keep generated content and built sites here between runs "
                        "(default: a temporary folder)")
    parser.add_argument("--queries", help=f"comma-separated queries (default {','.join(QUERIES)})")
    parser.add_argument("--repeat", type=int, default=1, help="fresh visits per measurement; the median is shown")
    parser.add_argument("--json", type=Path, help="also write all figures as JSON to this file")
    parser.add_argument("--no-pagefind", action="store_true", help="skip Hugo + Pagefind")
    parser.add_argument("--pagefind", help="the pagefind binary, or a venv with pip's pagefind[bin] (default: PATH)")
    parser.add_argument("--pagefind-worker", action="store_true",
                        help="let Pagefind search in its web worker (its default), which the throttling does not slow")
    args = parser.parse_args(argv)
    counts = [int(n) for n in args.offers.split(",") if n.strip()]
    queries = [q.strip() for q in args.queries.split(",") if q.strip()] if args.queries else QUERIES

    pagefind, note = None, ""
    if args.no_pagefind:
        note = "ausgelassen (--no-pagefind)"
    elif shutil.which("hugo") is None:
        note = "nicht installiert (hugo fehlt)"
    else:
        pagefind = find_pagefind(args.pagefind)
        note = "" if pagefind else "nicht installiert (pagefind fehlt)"

    info = build_bench.machine()
    print(f"Rechner: {info['cpu']}, {info['cores']} Kerne, {info['ram']} RAM, Last {os.getloadavg()[0]:.2f}")
    print(f"Chromium mit {THROTTLE}× gedrosselter CPU, Text gzip Stufe 6, jeder Besuch neu (leerer Cache); "
          f"Zeit ab Navigationsbeginn, Bytes bis das Netz {QUIET_S} s ruht" + (
              f"; Median aus {args.repeat} Besuchen" if args.repeat > 1 else ""))
    results = []
    with contextlib.ExitStack() as stack:
        work = args.work or Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="suche-browser-")))
        work.mkdir(parents=True, exist_ok=True)
        playwright = stack.enter_context(sync_playwright())
        browser = launch(playwright)
        stack.callback(browser.close)
        print(f"Browser: Chromium {browser.version}\n", flush=True)
        for n in counts:
            result = measure_size(browser, n, work, queries, args.repeat, pagefind, note, args.pagefind_worker)
            results.append(result)
            print(table(result), flush=True)
    if args.json:
        args.json.write_text(json.dumps({"machine": info, "throttle": THROTTLE, "queries": queries,
                                         "repeat": args.repeat, "results": results}, ensure_ascii=False, indent=1),
                             encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
