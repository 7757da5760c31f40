"""The web-server configuration in docs/betrieb.md, for real: Debian's nginx runs the documented server blocks
(taken from the document itself) on 127.0.0.1 over a built site, at the root and under a sub-path, and the
responses are checked: content types, security and cache headers, the precompressed .gz copies, 404, and
that Chromium renders the start page instead of downloading it."""

from __future__ import annotations

import gzip
import re
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from conftest import ROOT, build_sample

DOC = ROOT / "docs" / "betrieb.md"
CSP = ("default-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
       "frame-ancestors 'none'")


def nginx_blocks() -> list[str]:
    """The documented server blocks: first for the site at the root, then under a sub-path."""
    return re.findall(r"```nginx\n(.*?)```", DOC.read_text(encoding="utf-8"), flags=re.S)


@dataclass
class Server:
    base: str  # e.g. http://127.0.0.1:1234/praevention/
    site: Path

    def get(self, path: str, **headers: str) -> tuple[int, dict[str, str], bytes]:
        request = urllib.request.Request(self.base + path, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return response.status, {k.lower(): v for k, v in response.headers.items()}, response.read()
        except urllib.error.HTTPError as exc:
            return exc.code, {k.lower(): v for k, v in exc.headers.items()}, exc.read()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module", params=["root", "subpath"])
def nginx(request, tmp_path_factory) -> Iterator[Server]:
    work = tmp_path_factory.mktemp(f"nginx-{request.param}")
    www = work / "www"
    if request.param == "root":
        block, site, prefix = nginx_blocks()[0], www, "/"
        build_sample(site)
    else:
        block, site, prefix = nginx_blocks()[1], www / "praevention", "/praevention/"
        (work / "bau").mkdir()
        build_sample(work / "bau" / "site", "https://example.org/praevention/")
        www.mkdir()
        (work / "bau" / "site").rename(site)
    port = free_port()
    # Only what a local test must change: plain HTTP on loopback, and where the files are.
    block = re.sub(r"(?m)^\s*listen [^;]*;", f"    listen 127.0.0.1:{port};", block)
    block = re.sub(r"(?m)^\s*http2 on;\n", "", block)
    block = re.sub(r"(?m)^(\s*root) [^;]*;", rf"\1 {www};", block)
    assert f"listen 127.0.0.1:{port};" in block and f"root {www};" in block
    # The http block of Debian's /etc/nginx/nginx.conf, which sites-available/ is included into.
    config = work / "nginx.conf"
    config.write_text(f"""
user root;
daemon off;
pid {work}/nginx.pid;
error_log {work}/error.log;
events {{}}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log off;
    client_body_temp_path {work}/body;
    proxy_temp_path {work}/proxy;
    fastcgi_temp_path {work}/fastcgi;
    uwsgi_temp_path {work}/uwsgi;
    scgi_temp_path {work}/scgi;
{block}
}}
""")
    checked = subprocess.run(["nginx", "-t", "-p", str(work), "-c", str(config), "-e", str(work / "error.log")],
                             capture_output=True, text=True)
    assert checked.returncode == 0, checked.stderr
    process = subprocess.Popen(["nginx", "-p", str(work), "-c", str(config), "-e", str(work / "error.log")])
    server = Server(f"http://127.0.0.1:{port}{prefix}", site)
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert process.poll() is None and time.monotonic() < deadline, (work / "error.log").read_text()
                time.sleep(0.05)
        yield server
    finally:
        process.terminate()
        process.wait(timeout=10)


def asset(site: Path, pattern: str) -> str:
    [found] = sorted(site.glob(pattern))
    return found.relative_to(site).as_posix()


def test_every_kind_of_file_has_its_type_and_the_security_headers(nginx):
    site = nginx.site
    expected = {
        "": "text/html; charset=utf-8",
        "angebote/": "text/html; charset=utf-8",
        asset(site, "assets/site.*.css"): "text/css; charset=utf-8",
        asset(site, "assets/list.*.js"): "application/javascript; charset=utf-8",
        asset(site, "assets/favicon.*.svg"): "image/svg+xml",
        "daten/angebote.csv": "text/csv; charset=utf-8",
        "daten/angebote.json": "application/json; charset=utf-8",
        "feed.xml": None,  # any XML type: mime.types says text/xml
        "sitemap.xml": None,
    }
    for path, content_type in expected.items():
        status, headers, body = nginx.get(path)
        assert status == 200, path
        assert body == (site / path / "index.html" if path.endswith("/") or not path else site / path).read_bytes()
        if content_type is not None:
            assert headers["content-type"] == content_type, path
        else:
            assert headers["content-type"].split(";")[0] in ("text/xml", "application/xml", "application/atom+xml")
        assert headers["content-security-policy"] == CSP, path
        assert headers["x-content-type-options"] == "nosniff", path
        assert headers["referrer-policy"] == "no-referrer", path
        cache = "public, max-age=31536000, immutable" if path.startswith("assets/") else "no-cache"
        assert headers["cache-control"] == cache, path


def test_the_precompressed_copies_are_served_to_browsers_that_accept_gzip(nginx):
    for path in ["daten/suche/index.json", asset(nginx.site, "assets/suche/lunr-*.min.js")]:
        status, headers, body = nginx.get(path, **{"Accept-Encoding": "gzip"})
        assert status == 200 and headers.get("content-encoding") == "gzip", path
        assert body == (nginx.site / f"{path}.gz").read_bytes()
        assert gzip.decompress(body) == (nginx.site / path).read_bytes()
        assert headers["content-type"].split(";")[0] in ("application/json", "application/javascript")
        status, headers, body = nginx.get(path)
        assert "content-encoding" not in headers and body == (nginx.site / path).read_bytes()


def test_a_missing_page_gets_the_sites_404_page(nginx):
    status, headers, body = nginx.get("gibt-es-nicht/")
    assert status == 404
    assert body == (nginx.site / "404.html").read_bytes()
    assert headers["content-type"] == "text/html; charset=utf-8"
    assert headers["content-security-policy"] == CSP


def test_chromium_renders_the_start_page_with_its_stylesheet(nginx, browser):
    context = browser.new_context()
    try:
        page = context.new_page()
        response = page.goto(nginx.base)  # a start page served as a download would raise here
        assert response is not None and response.status == 200
        assert page.locator("h1").first.is_visible()
        # The stylesheet applied: the page's own CSS sets the body's font, not the browser default.
        applied = page.evaluate("document.styleSheets.length > 0 && "
                                "[...document.styleSheets].every(s => s.cssRules.length > 0)")
        assert applied is True
    finally:
        context.close()
