"""The web-server configurations in docs/betrieb.md, for real: Debian's nginx runs the documented server blocks
and Debian's Apache the documented .htaccess (taken from the document itself) on 127.0.0.1 over a built
site, at the root and under a sub-path, and the responses are checked: content types, security and cache
headers (a year for what its content names), the precompressed .gz copies, 404, and that Chromium renders the
start page instead of downloading it."""

from __future__ import annotations

import gzip
import json
import re
import shutil
import socket
import subprocess
import tempfile
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from conftest import ROOT, build_sample, wait_for_port

from offerdb import cms
from offerdb.search import shards

DOC = ROOT / "docs" / "betrieb.md"
CSP = ("default-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
       "frame-ancestors 'none'")
ADMIN_CSP = cms.CSP + "; frame-ancestors 'none'"  # the web editor's own, as in its <meta> tag


def nginx_blocks() -> list[str]:
    """The documented server blocks: first for the site at the root, then under a sub-path."""
    return re.findall(r"```nginx\n(.*?)```", DOC.read_text(encoding="utf-8"), flags=re.S)


@dataclass
class Server:
    base: str  # e.g. http://127.0.0.1:1234/praevention/
    site: Path
    kind: str  # "nginx" or "apache"

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


def built_site(work: Path, prefix: str) -> tuple[Path, Path]:
    """The sample built for `prefix` into the web root `work/www` (at its root or in its sub-path folder)."""
    www = work / "www"
    (work / "bau").mkdir()
    build_sample(work / "bau" / "site", None if prefix == "/" else f"https://example.org{prefix}")
    site = www if prefix == "/" else www / prefix.strip("/")
    site.parent.mkdir(parents=True, exist_ok=True)
    (work / "bau" / "site").rename(site)
    return www, site


@contextmanager
def running(command: list[str], port: int, log: Path) -> Iterator[None]:
    process = subprocess.Popen(command)
    try:
        try:
            wait_for_port(port, process, "server did not start")
        except AssertionError:
            raise AssertionError(log.read_text()) from None
        yield
    finally:
        process.terminate()
        process.wait(timeout=10)


@contextmanager
def nginx(work: Path, prefix: str) -> Iterator[Server]:
    www, site = built_site(work, prefix)
    block = nginx_blocks()[0 if prefix == "/" else 1]
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
    command = ["nginx", "-p", str(work), "-c", str(config), "-e", str(work / "error.log")]
    checked = subprocess.run([*command, "-t"], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stderr
    with running(command, port, work / "error.log"):
        yield Server(f"http://127.0.0.1:{port}{prefix}", site, "nginx")


def htaccess(prefix: str) -> str:
    """The documented .htaccess; under a sub-path its 404 page is the sub-path's, as the document says."""
    [text] = re.findall(r"```apache\n(.*?)```", DOC.read_text(encoding="utf-8"), flags=re.S)
    return text.replace("ErrorDocument 404 /404.html", f"ErrorDocument 404 {prefix}404.html")


@contextmanager
def apache(work: Path, prefix: str) -> Iterator[Server]:
    www, site = built_site(work, prefix)
    (site / ".htaccess").write_text(htaccess(prefix), encoding="utf-8")
    port = free_port()
    modules = "/usr/lib/apache2/modules"
    config = work / "apache2.conf"
    # A server with only the modules the document names (and what serving files needs), as a host has it.
    config.write_text(f"""
ServerName 127.0.0.1
Listen 127.0.0.1:{port}
PidFile {work}/apache2.pid
ErrorLog {work}/error.log
Mutex file:{work}
User www-data
Group www-data
LoadModule mpm_event_module {modules}/mod_mpm_event.so
LoadModule authz_core_module {modules}/mod_authz_core.so
LoadModule dir_module {modules}/mod_dir.so
LoadModule mime_module {modules}/mod_mime.so
LoadModule headers_module {modules}/mod_headers.so
LoadModule filter_module {modules}/mod_filter.so
LoadModule deflate_module {modules}/mod_deflate.so
TypesConfig /etc/mime.types
DirectoryIndex index.html
DocumentRoot {www}
<Directory {www}>
    AllowOverride All
    Require all granted
</Directory>
""")
    with running(["apache2", "-f", str(config), "-DFOREGROUND"], port, work / "error.log"):
        yield Server(f"http://127.0.0.1:{port}{prefix}", site, "apache")


@pytest.fixture(scope="module", params=["nginx /", "nginx /praevention/", "apache /", "apache /praevention/"])
def server(request) -> Iterator[Server]:
    kind, prefix = request.param.split()
    # Apache's children run as www-data, so the web root lives in a folder everyone may read.
    work = Path(tempfile.mkdtemp(prefix="offerdb-webserver-"))
    work.chmod(0o755)
    try:
        with (nginx if kind == "nginx" else apache)(work, prefix) as running_server:
            yield running_server
    finally:
        shutil.rmtree(work, ignore_errors=True)


def asset(site: Path, pattern: str) -> str:
    [found] = sorted(site.glob(pattern))
    return found.relative_to(site).as_posix()


def test_every_kind_of_file_has_its_type_and_the_security_headers(server):
    site = server.site
    expected = {
        "": "text/html; charset=utf-8",
        "angebote/": "text/html; charset=utf-8",
        asset(site, "assets/site.*.css"): "text/css; charset=utf-8",
        asset(site, "assets/list.*.js"): ("application/javascript; charset=utf-8", "text/javascript; charset=utf-8"),
        asset(site, "assets/favicon.*.svg"): "image/svg+xml",
        "daten/angebote.csv": "text/csv; charset=utf-8",
        "daten/angebote.json": "application/json; charset=utf-8",
        "feed.xml": None,  # any XML type: mime.types says text/xml
        "sitemap.xml": None,
    }
    for path, content_type in expected.items():
        status, headers, body = server.get(path)
        assert status == 200, path
        assert body == (site / path / "index.html" if path.endswith("/") or not path else site / path).read_bytes()
        if isinstance(content_type, tuple):  # nginx's mime.types still says application/, Apache text/
            assert headers["content-type"] in content_type, path
        elif content_type is not None:
            assert headers["content-type"] == content_type, path
        else:
            assert headers["content-type"].split(";")[0] in ("text/xml", "application/xml", "application/atom+xml")
        assert headers["content-security-policy"] == CSP, path
        assert headers["x-content-type-options"] == "nosniff", path
        assert headers["referrer-policy"] == "no-referrer", path
        cache = "public, max-age=31536000, immutable" if path.startswith("assets/") else "no-cache"
        assert headers["cache-control"] == cache, path


def test_the_precompressed_copies_are_served_to_browsers_that_accept_gzip(server):
    for path in [asset(server.site, "assets/suche/lunr-*-de-*.js")]:
        status, headers, body = server.get(path, **{"Accept-Encoding": "gzip"})
        assert status == 200 and headers.get("content-encoding") == "gzip", path
        if server.kind == "nginx":  # gzip_static; Apache compresses on the way
            assert body == (server.site / f"{path}.gz").read_bytes()
        assert gzip.decompress(body) == (server.site / path).read_bytes()
        assert headers["content-type"].split(";")[0] in ("application/json", "application/javascript",
                                                         "text/javascript")
        status, headers, body = server.get(path)
        assert "content-encoding" not in headers and body == (server.site / path).read_bytes()


def test_the_search_data_is_compressed_on_the_way(server):
    """daten/suche/ holds many small JSON files without .gz copies: the server compresses them."""
    manifest = json.loads((server.site / "daten/suche/manifest.json").read_bytes())
    for path in ["daten/suche/manifest.json", "daten/suche/" + manifest["postings"][0][1]]:
        status, headers, body = server.get(path, **{"Accept-Encoding": "gzip"})
        assert status == 200 and headers.get("content-encoding") == "gzip", path
        assert gzip.decompress(body) == (server.site / path).read_bytes()


def test_the_search_files_named_by_their_content_are_kept_a_year_and_the_others_revalidated(server):
    """A file of daten/suche/ whose name is the digest of its bytes never changes under that name: hosts keep it
    like assets/. The manifest and the card buckets change under their names: revalidated on every visit."""
    kept, checked = set(), set()
    for file in sorted((server.site / "daten" / "suche").iterdir()):
        name = file.name
        data = file.read_bytes()
        by_content = name == shards.content_name(name.split(".")[0], data)
        status, headers, _ = server.get("daten/suche/" + name)
        assert status == 200, name
        expected = "public, max-age=31536000, immutable" if by_content else "no-cache"
        assert headers["cache-control"] == expected, name
        assert headers["content-security-policy"] == CSP and headers["x-content-type-options"] == "nosniff", name
        (kept if by_content else checked).add(name.split(".")[0].rstrip("0123456789"))
    assert kept == {"f", "n", "o", "p", "t", "w"} and checked == {"manifest", "k", "c"}


def test_the_editor_has_its_own_policy_and_the_public_pages_keep_theirs(server):
    site = server.site
    decap = asset(site, "admin/decap-cms-*/decap-cms.js")
    for path, content_type in {"admin/": "text/html; charset=utf-8", "admin/config.yml": "text/yaml; charset=utf-8",
                               "admin/format.js": None, decap: None}.items():
        status, headers, body = server.get(path)
        assert status == 200 and body == (site / (path + "index.html" if path.endswith("/") else path)).read_bytes()
        assert headers["content-security-policy"] == ADMIN_CSP, path
        assert headers["cache-control"] == "no-cache" and headers["x-content-type-options"] == "nosniff", path
        if content_type:
            assert headers["content-type"] == content_type, path
    assert f'content="{cms.CSP}"' in (site / "admin" / "index.html").read_text(encoding="utf-8")
    # The CMS bundle (5 MB) goes out precompressed.
    status, headers, body = server.get(decap, **{"Accept-Encoding": "gzip"})
    assert status == 200 and headers.get("content-encoding") == "gzip"
    assert gzip.decompress(body) == (site / decap).read_bytes()
    for path in ("", "redaktion/", "angebote/"):
        assert server.get(path)[1]["content-security-policy"] == CSP, path


def test_a_missing_page_gets_the_sites_404_page(server):
    status, headers, body = server.get("gibt-es-nicht/")
    assert status == 404
    assert body == (server.site / "404.html").read_bytes()
    assert headers["content-type"] == "text/html; charset=utf-8"
    assert headers["content-security-policy"] == CSP


def test_chromium_renders_the_start_page_with_its_stylesheet(server, browser):
    context = browser.new_context()
    try:
        page = context.new_page()
        response = page.goto(server.base)  # a start page served as a download would raise here
        assert response is not None and response.status == 200
        assert page.locator("h1").first.is_visible()
        # The stylesheet applied: the page's own CSS sets the body's font, not the browser default.
        applied = page.evaluate("document.styleSheets.length > 0 && "
                                "[...document.styleSheets].every(s => s.cssRules.length > 0)")
        assert applied is True
    finally:
        context.close()
