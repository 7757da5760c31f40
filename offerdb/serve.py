"""Live preview for editors: `python build.py serve` rebuilds on every saved change and reloads open pages.

Why not livereload: its bootstrap is an inline <script>, which the site's CSP (`default-src 'self'`) blocks,
and without pyinotify it polls every 800 ms. Instead watchfiles (inotify/FSEvents/Windows events, Rust
`notify`) watches the sources, the standard library's threading HTTP server serves the preview, and a
same-origin file (`/_vorschau/reload.js`) listens on a tiny WebSocket for new versions. The reload script
and the error banner are added to HTML as it is served; the build output itself never contains them.

The preview builds into a private temporary folder, never into site/. After a failed build the last
good build stays served and every page shows the problems (file, line, German message) in a banner.
`/_vorschau/pruefungen` shows the review report (`build.py review`) of the content as last checked.
"""

from __future__ import annotations

import base64
import datetime
import hashlib
import html
import mimetypes
import queue
import re
import shutil
import sys
import tempfile
import threading
import time
import traceback
from collections.abc import Callable, Iterable
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import jinja2

from . import models, output, pipeline, rendering, review
from .memory import Memory
from .problems import Problem, count, error, format_text, plural

PREFIX = "/_vorschau/"  # the preview server's own files; no page of the site starts with "_"
BANNER_LIMIT = 20  # problems listed in the banner; the terminal shows all of them
_WS_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"  # RFC 6455
_KEEPALIVE_SECONDS = 20.0

RELOAD_JS = """\
// Preview only (python build.py serve): reloads the page when the server reports a new build.
(function () {
  "use strict";
  var version = document.currentScript.getAttribute("data-version");
  var delay = 250;
  function connect() {
    var scheme = location.protocol === "https:" ? "wss://" : "ws://";
    var socket = new WebSocket(scheme + location.host + "/_vorschau/ws");
    socket.onopen = function () { delay = 250; };
    socket.onmessage = function (event) {
      if (event.data !== version) { location.reload(); }
    };
    socket.onclose = function () {
      setTimeout(connect, delay);  // server restarted or stopped: try again, more slowly each time
      delay = Math.min(delay * 2, 5000);
    };
  }
  connect();
}());
"""

PREVIEW_CSS = """\
/* Preview only (python build.py serve): the banner that reports a failed build. */
.vorschau-fehler { position: sticky; top: 0; z-index: 1000; margin: 0; padding: .75rem 1rem;
  background: #fff4e5; color: #1a1a1a; border-bottom: 4px solid #b3261e; font: 1rem/1.4 system-ui, sans-serif;
  max-height: 50vh; overflow: auto; }
.vorschau-fehler h2 { margin: 0 0 .5rem; font-size: 1.1rem; color: #8c1d18; }
.vorschau-fehler ul { margin: 0; padding-left: 1.25rem; }
.vorschau-fehler li { margin: .25rem 0; }
.vorschau-fehler code { font-size: .95em; }
.vorschau-fehler .hinweis { display: block; color: #444; }
/* The review report at /_vorschau/pruefungen. */
.pruefungen { max-width: 60rem; margin: 0 auto; padding: 1rem; font: 1rem/1.5 system-ui, sans-serif; }
.pruefungen table { border-collapse: collapse; width: 100%; }
.pruefungen th, .pruefungen td { border: 1px solid #999; padding: .3rem .5rem; text-align: left; vertical-align: top; }
"""


def _now() -> str:
    return time.strftime("%H:%M:%S")


def _root_relative(path: Path) -> str:
    try:
        return path.resolve().relative_to(rendering.TEMPLATES.parent).as_posix()
    except ValueError:
        return str(path)


def template_problem(exc: BaseException) -> Problem:
    """A build that raised (usually a template error while editing templates/) as a Problem with the
    template's file and line, so the banner and the terminal show it like a content problem."""
    if isinstance(exc, jinja2.TemplateSyntaxError) and exc.filename:
        return error(_root_relative(Path(exc.filename)), exc.lineno or 1, 1, "template-error", "",
                     f"Fehler in der Vorlage: {exc.message}")
    templates = str(rendering.TEMPLATES)
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename.startswith(templates)]
    if frames:
        frame = frames[-1]
        return error(_root_relative(Path(frame.filename)), frame.lineno or 1, 1, "template-error", "",
                     f"Fehler beim Erzeugen der Seiten: {type(exc).__name__}: {exc}")
    return error("(Build)", 1, 1, "build-error", "", f"Fehler beim Erzeugen der Seiten: {type(exc).__name__}: {exc}",
                 "Die vollständige Meldung steht im Terminal.")


def banner_html(problems: list[Problem], has_site: bool) -> str:
    errors, warnings = count(problems)
    shown = [p for p in problems if p.is_error][:BANNER_LIMIT]
    items = []
    for p in shown:
        field = f" {html.escape(p.field)}:" if p.field else ""
        hint = f'<span class="hinweis">Hinweis: {html.escape(p.hint)}</span>' if p.hint else ""
        items.append(f"<li><code>{html.escape(p.file)}:{p.line}:{p.column}</code>{field} "
                     f"{html.escape(p.message)}{hint}</li>")
    if errors > len(shown):
        items.append(f"<li>… und {errors - len(shown)} weitere (alle stehen im Terminal).</li>")
    stand = ("Sie sehen den letzten fehlerfreien Stand." if has_site
             else "Es gibt noch keinen fehlerfreien Stand, den die Vorschau zeigen könnte.")
    extra = f" und {plural(warnings, 'Warnung', 'Warnungen')}" if warnings else ""
    return (f'<div class="vorschau-fehler" role="alert"><h2>Vorschau nicht aktualisiert: '
            f'{plural(errors, "Fehler", "Fehler")}{extra}</h2><p>{stand} Nach dem Speichern der korrigierten '
            f'Datei lädt die Seite von selbst neu.</p><ul>{"".join(items)}</ul></div>')


def inject(page: bytes, version: int, banner: str) -> bytes:
    """Add the reload script (and the banner, if any) to one served HTML page."""
    text = page.decode("utf-8", errors="replace")
    head = (f'<link rel="stylesheet" href="{PREFIX}vorschau.css">'
            f'<script src="{PREFIX}reload.js" data-version="{version}" defer></script>')
    text = text.replace("</head>", head + "</head>", 1) if "</head>" in text else head + text
    if banner:
        match = re.search(r"<body[^>]*>", text)
        text = text[:match.end()] + banner + text[match.end():] if match else banner + text
    return text.encode("utf-8")


def websocket_frame(text: str) -> bytes:
    """One unmasked server-to-client text frame (RFC 6455); our messages are short version numbers."""
    data = text.encode("utf-8")
    if len(data) < 126:
        return bytes([0x81, len(data)]) + data
    return bytes([0x81, 126]) + len(data).to_bytes(2, "big") + data


class Preview:
    """Builds the site into a private folder and remembers the outcome of the last attempt."""

    def __init__(self, content_dir: Path, config_path: Path, today: Callable[[], datetime.date],
                 out_dir: Path, log: Callable[[str], None] = print):
        self.content_dir = content_dir
        self.config_path = config_path
        self.today = today
        self.out_dir = out_dir
        self.log = log
        self.base_path = "/"
        self.has_site = False
        self.problems: list[Problem] = []  # errors (and warnings) of the last failed attempt; [] after success
        self.checked: pipeline.Checked | None = None  # the last check, for the review report page
        self.version = 0
        self.changed = threading.Condition()
        self.memory = Memory()  # kept across rebuilds: a save rebuilds only what it changed

    def rebuild(self, reason: str = "") -> bool:
        started = time.perf_counter()
        problems: list[Problem] = []
        ok = False
        summary = ""
        try:
            checked = pipeline.check(self.content_dir, self.config_path, self.today(), self.memory)
            problems = checked.problems
            self.checked = checked
            if not checked.fails(strict=False):
                with self.changed:  # cleared before the swap: new pages must never show the old banner
                    self.problems = []
                built = pipeline.build(checked, self.out_dir, self.today(), self.memory)
                assert checked.settings is not None
                self.base_path = checked.settings.base_path
                ok = True
                summary = (f"{plural(len(built.site.offers), 'Angebot', 'Angebote')} · "
                           f"{plural(len(built.site.partners), 'Träger', 'Träger')}")
        except models.MediaError as exc:  # a video or caption changed between check and build
            problems = [exc.problem]
        except output.OutputError as exc:  # the disk, not the content: shown like a content error all the same
            problems = [error(str(self.out_dir), 1, 1, "write-failed", "", str(exc))]
        except Exception as exc:  # a broken template must not end the preview; show it like a content error
            traceback.print_exc()
            problems = [template_problem(exc)]
        seconds = f"{time.perf_counter() - started:.1f}".replace(".", ",")
        prefix = f"{_now()} {reason}: " if reason else f"{_now()} "
        if problems:
            self.log(format_text(problems).rstrip("\n"))
        if ok:
            self.log(f"{prefix}neu gebaut – {summary} · {seconds} s")
        else:
            self.log(f"{prefix}nicht gebaut – die Vorschau zeigt weiter den letzten fehlerfreien Stand.")
        with self.changed:
            self.has_site = self.has_site or ok
            self.problems = [] if ok else problems
            self.version += 1
            self.changed.notify_all()
        return ok

    def banner(self) -> str:
        return banner_html(self.problems, self.has_site) if self.problems else ""


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        pass  # the terminal is for build results; one line per request would drown them

    def _send(self, status: int, body: bytes, content_type: str, headers: Iterable[tuple[str, str]] = ()) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        for name, value in headers:
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _redirect(self, location: str) -> None:
        self._send(HTTPStatus.MOVED_PERMANENTLY, b"", "text/plain", [("Location", location)])

    def _host_allowed(self) -> bool:
        # Refuse other host names, so a web page cannot reach the preview through DNS rebinding.
        port = self.server.server_address[1]
        return self.headers.get("Host", "") in {f"127.0.0.1:{port}", f"localhost:{port}", f"[::1]:{port}"}

    def do_HEAD(self) -> None:  # noqa: N802 - stdlib naming
        self.do_GET()

    def do_GET(self) -> None:  # noqa: N802 - stdlib naming
        if not self._host_allowed():
            self._send(HTTPStatus.FORBIDDEN, "Nur über 127.0.0.1 erreichbar.".encode(), "text/plain; charset=utf-8")
            return
        path = unquote(urlsplit(self.path).path)
        preview = self.server.preview
        if path == PREFIX + "ws":
            self._websocket()
        elif path == PREFIX + "reload.js":
            self._send(HTTPStatus.OK, RELOAD_JS.encode(), "text/javascript; charset=utf-8")
        elif path == PREFIX + "vorschau.css":
            self._send(HTTPStatus.OK, PREVIEW_CSS.encode(), "text/css; charset=utf-8")
        elif path == PREFIX + "pruefungen":
            self._review(parse_qs(urlsplit(self.path).query).get("tage", [""])[0])
        elif not preview.has_site:
            self._page(HTTPStatus.SERVICE_UNAVAILABLE,
                       b"<!DOCTYPE html><html lang=\"de\"><head><meta charset=\"utf-8\"><title>Vorschau</title>"
                       b"</head><body><main><h1>Vorschau</h1></main></body></html>")
        elif not path.startswith(preview.base_path):
            if path in ("/", "/index.html"):
                self._redirect(preview.base_path)
            else:
                self._not_found()
        else:
            self._file(path, path[len(preview.base_path):])

    def _file(self, url_path: str, rel: str) -> None:
        root = self.server.preview.out_dir.resolve()
        target = (root / rel).resolve()
        if not target.is_relative_to(root):
            self._not_found()
            return
        if target.is_dir():
            if not url_path.endswith("/"):
                self._redirect(url_path + "/")
                return
            target = target / "index.html"
        try:
            data = target.read_bytes()
        except OSError:  # missing, or the folder is being swapped by a rebuild right now
            self._not_found()
            return
        if target.suffix == ".html":
            self._page(HTTPStatus.OK, data)
        else:
            kind = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
            if kind.startswith("text/") or kind in ("application/json", "application/javascript"):
                kind += "; charset=utf-8"
            self._send(HTTPStatus.OK, data, kind)

    def _review(self, days: str) -> None:
        """The review report (`build.py review`) of the content as last checked; `?tage=N` for other days."""
        preview = self.server.preview
        checked = preview.checked
        if checked is None or checked.settings is None:
            self._page(HTTPStatus.SERVICE_UNAVAILABLE,
                       f"<!DOCTYPE html><html lang=\"de\"><head><meta charset=\"utf-8\"><title>{review.TITLE}</title>"
                       f"</head><body><main><h1>{review.TITLE}</h1><p>Der Bericht braucht eine fehlerfreie site.yaml; "
                       "die Meldungen stehen im Terminal.</p></main></body></html>".encode())
            return
        report = review.make(checked.validated, checked.settings, preview.today(),
                             int(days) if days.isdigit() and int(days) <= 3650 else review.DEFAULT_DAYS)
        site = preview.out_dir

        def published(slug: str) -> bool:
            return (site / "angebote" / slug / "index.html").is_file()

        self._page(HTTPStatus.OK, review.format_html(report, preview.base_path, published).encode("utf-8"))

    def _not_found(self) -> None:
        try:
            data = (self.server.preview.out_dir / "404.html").read_bytes()
        except OSError:
            data = b"<!DOCTYPE html><html lang=\"de\"><head><title>Nicht gefunden</title></head><body></body></html>"
        self._page(HTTPStatus.NOT_FOUND, data)

    def _page(self, status: int, data: bytes) -> None:
        preview = self.server.preview
        with preview.changed:
            version, banner = preview.version, preview.banner()
        self._send(status, inject(data, version, banner), "text/html; charset=utf-8")

    def _websocket(self) -> None:
        key = self.headers.get("Sec-WebSocket-Key")
        if self.headers.get("Upgrade", "").lower() != "websocket" or not key:
            self._send(HTTPStatus.BAD_REQUEST, b"WebSocket erwartet", "text/plain")
            return
        accept = base64.b64encode(hashlib.sha1((key + _WS_GUID).encode()).digest()).decode()
        self.send_response(HTTPStatus.SWITCHING_PROTOCOLS)
        self.send_header("Upgrade", "websocket")
        self.send_header("Connection", "Upgrade")
        self.send_header("Sec-WebSocket-Accept", accept)
        self.end_headers()
        self.close_connection = True
        preview, sent = self.server.preview, None
        # Send the current version at once (the page compares it with its own, so a build finished between
        # page load and connect is not missed), then each new one; resend as keep-alive to notice closed tabs.
        try:
            while not self.server.stopping.is_set():
                with preview.changed:
                    preview.changed.wait_for(lambda last=sent: preview.version != last or self.server.stopping.is_set(),
                                             timeout=_KEEPALIVE_SECONDS)
                    sent = preview.version
                self.wfile.write(websocket_frame(str(sent)))
                self.wfile.flush()
        except OSError:
            pass  # the tab was closed or reloaded


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], preview: Preview):
        self.preview = preview
        self.stopping = threading.Event()
        super().__init__(address, _Handler)


class PreviewServer:
    """The whole preview: first build, HTTP server, file watchers and the rebuild loop, each in a thread.

    Use as a context manager; `url` is where the browser finds the site."""

    def __init__(self, content_dir: Path, config_path: Path, today: Callable[[], datetime.date],
                 templates_dir: Path = rendering.TEMPLATES, host: str = "127.0.0.1", port: int = 8000,
                 log: Callable[[str], None] = print):
        self.content_dir = content_dir.resolve()
        self.config_path = config_path.resolve()
        self.templates_dir = templates_dir.resolve()
        self.host, self.port = host, port
        self.log = log
        self._tmp = Path(tempfile.mkdtemp(prefix="offerdb-vorschau-"))
        self.preview = Preview(self.content_dir, self.config_path, today, self._tmp / "site", log)
        self._stop = threading.Event()
        self._changes: queue.Queue[set[str]] = queue.Queue()
        self._threads: list[threading.Thread] = []
        self._http: _Server | None = None
        self._serving = False

    @property
    def url(self) -> str:
        assert self._http is not None
        return f"http://{self.host}:{self._http.server_address[1]}{self.preview.base_path}"

    def start(self) -> PreviewServer:
        self._http = _Server((self.host, self.port), self.preview)
        # Watch content/ and templates/ recursively, but only site.yaml in its folder: many editors save
        # by writing a new file and renaming it, which would end a watch on the file itself.
        ready = [threading.Event(), threading.Event()]
        self._spawn(self._watch, [self.content_dir, self.templates_dir], True, None, ready[0])
        self._spawn(self._watch, [self.config_path.parent], False, self.config_path, ready[1])
        for event in ready:  # a save right after start must not go unnoticed
            event.wait(timeout=10)
        self.preview.rebuild()
        self._spawn(self._http.serve_forever)
        self._serving = True
        self._spawn(self._rebuild_loop)
        return self

    def _spawn(self, target: Callable[..., None], *args: Any) -> None:
        thread = threading.Thread(target=target, args=args, daemon=True)
        thread.start()
        self._threads.append(thread)

    def _watch(self, paths: list[Path], recursive: bool, only: Path | None, ready: threading.Event) -> None:
        import watchfiles  # imported here so `check` and `build` do not need it

        def wanted(change: watchfiles.Change, path: str) -> bool:
            return watchfiles.DefaultFilter()(change, path) and (only is None or Path(path) == only)

        existing = [str(p) for p in paths if p.exists()]
        # yield_on_timeout: the first (maybe empty) result tells that the watch is in place.
        for changes in watchfiles.watch(*existing, watch_filter=wanted, recursive=recursive, step=30,
                                        rust_timeout=200, yield_on_timeout=True, stop_event=self._stop,
                                        raise_interrupt=False):
            ready.set()
            if changes:
                self._changes.put({path for _, path in changes})
        ready.set()

    def _rebuild_loop(self) -> None:
        while not self._stop.is_set():
            try:
                changed = self._changes.get(timeout=0.2)
            except queue.Empty:
                continue
            while not self._changes.empty():  # one build for a burst of saves
                changed |= self._changes.get_nowait()
            # Editors' and tools' temporary files (sed's "sedAbC123", vim's "4913") have no suffix: rebuild,
            # but do not name them.
            names = sorted(self._display(Path(p)) for p in changed if Path(p).suffix) or ["temporäre Datei"]
            reason = ", ".join(names[:3]) + (f" und {len(names) - 3} weitere" if len(names) > 3 else "")
            self.preview.rebuild(f"geändert: {reason}")

    def _display(self, path: Path) -> str:
        for root in (self.content_dir.parent, self.templates_dir.parent, self.config_path.parent):
            if path.is_relative_to(root):
                return path.relative_to(root).as_posix()
        return str(path)

    def wait(self) -> None:
        """Block until Ctrl+C."""
        try:
            while not self._stop.wait(0.5):
                pass
        except KeyboardInterrupt:
            print("\nVorschau beendet.", file=sys.stderr)

    def close(self) -> None:
        self._stop.set()
        if self._http is not None:
            self._http.stopping.set()
            with self.preview.changed:
                self.preview.changed.notify_all()
            if self._serving:
                self._http.shutdown()
            self._http.server_close()
        for thread in self._threads:
            thread.join(timeout=5)
        shutil.rmtree(self._tmp, ignore_errors=True)

    def __enter__(self) -> PreviewServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()
