"""Publishing safety without a browser: reproducible builds, a failed build that changes nothing, removed offers
that disappear, and a sub-path build whose every link and asset stays under the sub-path."""

from __future__ import annotations

import datetime
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from offerdb import cli, output, pipeline

ROOT = Path(__file__).resolve().parent.parent
TODAY = datetime.date(2026, 11, 25)
EPOCH = str(int(datetime.datetime(2026, 11, 25, 12, tzinfo=datetime.UTC).timestamp()))
SUB_PATH_URL = "https://example.org/praevention/"


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture
def project(tmp_path) -> Path:
    """A copy of the shipped content and site.yaml that a test may change."""
    root = tmp_path / "projekt"
    shutil.copytree(ROOT / "content", root / "content")
    shutil.copy(ROOT / "site.yaml", root / "site.yaml")
    return root


def build(project: Path, out: Path) -> int:
    return cli.main(["build", "--content", str(project / "content"), "--config", str(project / "site.yaml"),
                     "--out", str(out), "--quiet"], environ={"SOURCE_DATE_EPOCH": EPOCH})


def test_two_builds_with_the_same_source_date_epoch_are_byte_identical(tmp_path):
    # Separate processes with different hash seeds, so set or dict order that depends on hashing shows up too.
    outs = []
    for seed in ("1", "2"):
        out = tmp_path / f"lauf-{seed}" / "site"
        env = {**os.environ, "SOURCE_DATE_EPOCH": EPOCH, "PYTHONHASHSEED": seed}
        subprocess.run([sys.executable, str(ROOT / "build.py"), "build", "--quiet", "--out", str(out)],
                       cwd=ROOT, env=env, check=True, timeout=600)
        outs.append(snapshot(out))
    first, second = outs
    assert len(first) > 60
    assert sorted(first) == sorted(second)
    assert [path for path in first if first[path] != second[path]] == []


def test_a_failed_build_leaves_the_previous_site_untouched(project, tmp_path, capsys):
    out = tmp_path / "site"
    assert build(project, out) == 0
    before = snapshot(out)
    offer = project / "content/offers/zivilcourage-training.md"
    offer.write_text(offer.read_text(encoding="utf-8").replace("title:", "titel:", 1), encoding="utf-8")
    assert build(project, out) == 1
    assert "zivilcourage-training.md" in capsys.readouterr().out
    assert snapshot(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["projekt", "site"]  # no staging folder left behind


def test_a_failure_while_writing_keeps_the_old_site_and_leaves_no_staging_folder(tmp_path):
    out = tmp_path / "site"
    output.publish({"index.html": b"alt", "angebote/index.html": b"alte Liste"}, out)
    before = snapshot(out)
    # "a" is a file, so writing "a/b" fails halfway through: after the first file is already staged.
    with pytest.raises(output.OutputError) as failed:
        output.publish({"a": b"neu", "a/b": b"neu", "index.html": b"neu"}, out)
    assert f"nicht nach „{out}“ geschrieben werden" in str(failed.value)
    assert snapshot(out) == before
    assert [p.name for p in tmp_path.iterdir()] == ["site"]


def test_the_page_of_a_removed_offer_disappears(project, tmp_path):
    out = tmp_path / "site"
    slug = "zivilcourage-training"
    assert build(project, out) == 0
    assert (out / "angebote" / slug / "index.html").is_file()
    (project / "content/offers" / f"{slug}.md").unlink()
    assert build(project, out) == 0
    assert not (out / "angebote" / slug).exists()
    mentions = [rel for rel, data in snapshot(out).items() if f"angebote/{slug}/".encode() in data]
    assert mentions == []  # no list, theme page, sitemap, feed or data file still links to it
    assert slug.encode() not in (out / "daten/katalog.json").read_bytes()


# Every attribute that holds a URL, and url() in stylesheets.
URL_ATTR = re.compile(r'\s(?:href|src|action|poster|content|data-base)="([^"]*)"')
CSS_URL = re.compile(r"url\(\s*['\"]?([^'\")]+)")


def test_a_sub_path_build_keeps_every_link_and_asset_under_the_sub_path(tmp_path):
    config = tmp_path / "site.yaml"
    config.write_text(re.sub(r"(?m)^base_url:.*$", f"base_url: {SUB_PATH_URL}",
                             (ROOT / "site.yaml").read_text(encoding="utf-8")), encoding="utf-8")
    checked = pipeline.check(ROOT / "content", config, TODAY)
    out = tmp_path / "site"
    pipeline.build(checked, out, TODAY)
    wrong, seen = [], 0
    for path in sorted(out.rglob("*")):
        if path.suffix not in (".html", ".css", ".xml", ".json", ".txt"):
            continue
        rel = path.relative_to(out).as_posix()
        text = path.read_text(encoding="utf-8")
        urls = URL_ATTR.findall(text) + CSS_URL.findall(text) if path.suffix in (".html", ".css") else []
        # Absolute URLs of our own host anywhere (canonical links, sitemap, feed, JSON-LD, open data).
        urls += re.findall(r"https?://example\.org[^\s\"'<>]*", text)
        for url in urls:
            seen += 1
            if url.startswith("//") or (url.startswith("/") and not url.startswith("/praevention/")):
                wrong.append(f"{rel}: {url}")
            elif re.match(r"https?://example\.org", url) and not url.startswith(SUB_PATH_URL):
                wrong.append(f"{rel}: {url}")
    assert seen > 1000
    assert wrong == []
    start = (out / "index.html").read_text(encoding="utf-8")
    assert 'href="/praevention/assets/site.' in start and 'action="/praevention/angebote/"' in start


def test_search_built_in_a_forked_child_gives_the_same_site(project, tmp_path, monkeypatch):
    from offerdb import workers

    monkeypatch.setattr(workers, "can_fork", lambda: True)  # pytest may run helper threads
    assert build(project, tmp_path / "eins") == 0
    monkeypatch.setattr(pipeline, "PARALLEL_MIN_PAGES", 1)
    forks = []
    real_job = workers.Job

    def counting_job(fn, fork):
        forks.append(fork)
        return real_job(fn, fork)

    monkeypatch.setattr(workers, "Job", counting_job)
    assert build(project, tmp_path / "zwei") == 0
    assert forks == [True]
    assert snapshot(tmp_path / "eins") == snapshot(tmp_path / "zwei")


def test_a_search_failure_in_the_forked_child_keeps_the_previous_site(project, tmp_path, monkeypatch, capsys):
    from offerdb import search, workers

    out = tmp_path / "site"
    assert build(project, out) == 0
    before = snapshot(out)
    monkeypatch.setattr(workers, "can_fork", lambda: True)
    monkeypatch.setattr(pipeline, "PARALLEL_MIN_PAGES", 1)

    def failing(site, memory):
        raise search.SearchError("Die Suchbibliotheken lunr und lunr-languages fehlen.")

    monkeypatch.setattr(search, "build_search", failing)
    assert build(project, out) != 0
    assert "lunr" in capsys.readouterr().err
    assert snapshot(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["projekt", "site"]
