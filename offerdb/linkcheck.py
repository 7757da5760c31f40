"""Checks a built site for broken internal links and anchors: `python -m offerdb.linkcheck SITE_DIR`.

Every `href`, `src`, `poster` and form `action` in every HTML file, every `url()` in stylesheets, every
`<loc>` in sitemap.xml and every `<link href>` in feed.xml is resolved the way a browser would resolve it on
the published site. Internal targets (relative, root-relative under the base path, or absolute under
`base_url`) must be a file of the site (a folder means its index.html), and a `#fragment` must be an `id`
(or `<a name>`) in the target page. Links to other hosts, mailto: and tel: are not followed: the check runs
without network, and the site's own pages are what a build can break.
"""

from __future__ import annotations

import argparse
import re
import sys
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit
from xml.etree import ElementTree

from .problems import plural

# Attributes that hold one URL, per tag ("*" for any tag). srcset is not used by the site's templates.
URL_ATTRIBUTES = {"href": "*", "src": "*", "poster": "*", "action": "form", "cite": "*", "data": "object"}
# Relative CSS url() values; data: URIs and absolute URLs are filtered out when resolving.
CSS_URL = re.compile(r"""url\(\s*(['"]?)([^'")]+)\1\s*\)""")
# Any scheme other than these points outside the site and is not ours to check.
WEB_SCHEMES = {"http", "https", ""}
# Pages whose fragment is state, not an anchor: the Merkliste keeps its offers in `#slug-a,slug-b`. Each slug
# must then be a published offer, so a Merkliste link to a removed offer is reported like a broken link.
STATE_FRAGMENTS = {"merkliste/index.html": "angebote/{}/index.html"}
SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


@dataclass(frozen=True, order=True)
class Broken:
    file: str  # relative to the site folder, posix
    line: int
    link: str
    reason: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: Link „{self.link}“: {self.reason}"


@dataclass
class Report:
    files: int = 0
    links: int = 0
    broken: list[Broken] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.broken


class _Collector(HTMLParser):
    """Collects (line, url) of every URL attribute and every id/name an anchor may point to."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.urls: list[tuple[int, str]] = []
        self.ids: set[str] = set()
        self.base_href: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        line = self.getpos()[0]
        for name, value in attrs:
            if value is None:
                continue
            if name == "id" or (name == "name" and tag == "a"):
                self.ids.add(value)
            wanted = URL_ATTRIBUTES.get(name)
            if wanted in ("*", tag):
                if tag == "base" and name == "href":
                    self.base_href = value
                else:
                    self.urls.append((line, value))

    handle_startendtag = handle_starttag


class LinkChecker:
    def __init__(self, site_dir: Path, base_url: str) -> None:
        self.root = site_dir.resolve()
        self.base_url = base_url if base_url.endswith("/") else base_url + "/"
        parts = urlsplit(self.base_url)
        self.origin = (parts.scheme, parts.netloc)
        self.base_path = parts.path or "/"
        self._pages: dict[Path, _Collector] = {}
        self.report = Report()

    # --- parsing, cached: a page is parsed once although hundreds of links point at it

    def _page(self, path: Path) -> _Collector:
        if path not in self._pages:
            collector = _Collector()
            collector.feed(path.read_text(encoding="utf-8", errors="replace"))
            collector.close()
            self._pages[path] = collector
        return self._pages[path]

    def _url_of(self, path: Path) -> str:
        """The public URL of a file: folder/index.html is published as folder/."""
        rel = path.relative_to(self.root).as_posix()
        if rel == "index.html" or rel.endswith("/index.html"):
            rel = rel.removesuffix("index.html")
        return self.base_url + rel

    # --- resolution

    def _target(self, url: str) -> tuple[Path | None, str | None, str]:
        """(file, fragment, reason): file is None when the link is broken or not ours (then reason is "")."""
        parts = urlsplit(url)
        if parts.scheme not in WEB_SCHEMES:
            return None, None, ""  # mailto:, tel:, data: … are no pages of this site
        if (parts.scheme, parts.netloc) != self.origin:
            return None, None, ""  # another host
        fragment = unquote(parts.fragment) if "#" in url else None
        path = unquote(parts.path) or "/"
        if not path.startswith(self.base_path):
            return None, fragment, f"zeigt außerhalb der Website (Basispfad {self.base_path})"
        rel = path[len(self.base_path):]
        candidate = self.root / rel
        try:
            candidate.resolve().relative_to(self.root)
        except ValueError:
            return None, fragment, "zeigt außerhalb der Website"
        if rel == "" or rel.endswith("/"):
            candidate = candidate / "index.html"
        elif candidate.is_dir():
            candidate = candidate / "index.html"
        if not candidate.is_file():
            shown = candidate.relative_to(self.root).as_posix()
            return None, fragment, f"Ziel fehlt (keine Datei {shown} in der Website)"
        return candidate, fragment, ""

    def check_url(self, source: Path, line: int, url: str, page_url: str) -> None:
        url = url.strip()
        if not url:
            return
        self.report.links += 1
        absolute = urljoin(page_url, url)
        target, fragment, reason = self._target(absolute)
        file = source.relative_to(self.root).as_posix()
        if reason:
            self.report.broken.append(Broken(file, line, url, reason))
            return
        if target is None or not fragment:
            return  # not ours, or no fragment / "#" alone
        if target.suffix != ".html":
            return  # fragments in feeds, CSV or media are not ids
        if fragment in self._page(target).ids:
            return
        shown = target.relative_to(self.root).as_posix()
        if shown in STATE_FRAGMENTS:
            for slug in fragment.split(","):
                if slug and not (SLUG.fullmatch(slug) and (self.root / STATE_FRAGMENTS[shown].format(slug)).is_file()):
                    self.report.broken.append(Broken(file, line, url, f"„{slug}“ ist kein veröffentlichtes Angebot"))
        else:
            self.report.broken.append(Broken(file, line, url, f"Anker „#{fragment}“ fehlt in {shown}"))

    # --- the file kinds

    def check_html(self, path: Path) -> None:
        page = self._page(path)
        page_url = self._url_of(path)
        if page.base_href is not None:
            page_url = urljoin(page_url, page.base_href)
        for line, url in page.urls:
            self.check_url(path, line, url, page_url)

    def check_css(self, path: Path) -> None:
        page_url = self._url_of(path)
        for number, text in enumerate(path.read_text(encoding="utf-8", errors="replace").splitlines(), start=1):
            for match in CSS_URL.finditer(text):
                self.check_url(path, number, match.group(2), page_url)

    def check_xml_links(self, path: Path) -> None:
        """sitemap.xml <loc> and feed.xml <link href>/<id>: absolute URLs that must stay inside the site."""
        file = path.relative_to(self.root).as_posix()
        try:
            tree = ElementTree.parse(path)
        except ElementTree.ParseError as exc:
            self.report.broken.append(Broken(file, exc.position[0], "", f"kein gültiges XML ({exc})"))
            return
        for element in tree.iter():
            tag = element.tag.rpartition("}")[2]
            url = element.text if tag == "loc" else element.get("href") if tag == "link" else None
            if url is None:
                continue
            if not url.startswith(self.base_url):
                self.report.links += 1
                if tag == "loc":  # a sitemap may list only the site's own pages
                    self.report.broken.append(Broken(file, 1, url, f"liegt nicht unter {self.base_url}"))
                continue
            self.check_url(path, 1, url, self.base_url)

    def run(self) -> Report:
        for path in sorted(self.root.rglob("*")):
            if not path.is_file():
                continue
            if path.suffix == ".html":
                self.check_html(path)
            elif path.suffix == ".css":
                self.check_css(path)
            elif path.name in ("sitemap.xml", "feed.xml") and path.parent == self.root:
                self.check_xml_links(path)
            else:
                continue
            self.report.files += 1
        self.report.broken.sort()
        return self.report


def guess_base_url(site_dir: Path) -> str:
    """The start page's canonical link is the site's base_url; without one, assume a site at the host root."""
    start = site_dir / "index.html"
    if start.is_file():
        text = start.read_text(encoding="utf-8", errors="replace")
        for tag in re.findall(r"<link\b[^>]*>", text):
            if re.search(r'rel="canonical"', tag):
                found = re.search(r'href="([^"]+)"', tag)
                if found:
                    return found.group(1)
    return "http://localhost/"


def check_site(site_dir: Path, base_url: str | None = None) -> Report:
    return LinkChecker(site_dir, base_url or guess_base_url(site_dir)).run()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m offerdb.linkcheck",
                                     description="Prüft alle internen Links und Anker einer gebauten Website.")
    parser.add_argument("site", type=Path, help="Ordner der gebauten Website, z. B. site")
    parser.add_argument("--base-url", help="öffentliche Adresse der Website (Standard: der canonical-Link der "
                        "Startseite)")
    args = parser.parse_args(argv)
    if not (args.site / "index.html").is_file():
        print(f"{args.site} enthält keine index.html – bitte zuerst `python build.py build`.", file=sys.stderr)
        return 2
    report = check_site(args.site, args.base_url)
    for broken in report.broken:
        print(broken)
    if report.broken:
        files = len({b.file for b in report.broken})
        print(f"{plural(len(report.broken), 'defekter Link', 'defekte Links')} in "
              f"{plural(files, 'Datei', 'Dateien')} ({report.links} Links in {report.files} Dateien geprüft).",
              file=sys.stderr)
        return 1
    print(f"Keine defekten Links: {report.links} Links in {report.files} Dateien geprüft.", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
