"""Rebuilds that reuse pages of the last build give exactly the site a cold build gives.

A page is taken from the last build when its key (the content files it shows, the templates, the program,
site.yaml, the vocabularies and the day) is unchanged. Each case below changes something, rebuilds into
the same folder, and compares every byte with a cold build of the changed content in a fresh process state.
"""

from __future__ import annotations

import datetime
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from offerdb import output, pipeline, rendering, workers
from offerdb.memory import Memory

ROOT = Path(__file__).resolve().parent.parent
TODAY = datetime.date(2026, 11, 25)


def snapshot(folder: Path) -> dict[str, bytes | None]:
    """Every file's bytes and every folder (None), so an empty folder left behind also counts as a difference."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() if p.is_file() else None
            for p in sorted(folder.rglob("*"))}


@pytest.fixture
def project(tmp_path, monkeypatch) -> Path:
    root = tmp_path / "projekt"
    shutil.copytree(ROOT / "content", root / "content")
    shutil.copy(ROOT / "site.yaml", root / "site.yaml")
    shutil.copytree(ROOT / "templates", root / "templates")  # so a case may change a template
    monkeypatch.setattr(rendering, "TEMPLATES", root / "templates")
    monkeypatch.setattr(rendering, "ASSETS", root / "templates" / "assets")
    return root


@pytest.fixture
def links(monkeypatch) -> list[str]:
    """Paths a build kept from the last one instead of rendering them again."""
    kept: list[str] = []
    real = output.Staging.keep

    def counting(self, paths):
        paths = list(paths)
        kept.extend(paths)
        return real(self, paths)

    monkeypatch.setattr(output.Staging, "keep", counting)
    return kept


def build_with(memory: Memory, project: Path, out: Path, today: datetime.date = TODAY) -> None:
    checked = pipeline.check(project / "content", project / "site.yaml", today, memory)
    assert not checked.fails(strict=False), checked.problems
    pipeline.build(checked, out, today, memory)


@pytest.fixture
def build() -> Callable[..., None]:
    """Builds that share one memory for the whole test, as the live preview's rebuilds do."""
    memory = Memory()
    return lambda project, out, today=TODAY: build_with(memory, project, out, today)


def cold(project: Path, out: Path, today: datetime.date = TODAY) -> dict[str, bytes]:
    """A build with a fresh memory: it reuses nothing of the builds before."""
    build_with(Memory(), project, out, today)
    return snapshot(out)


def replace(file: Path, old: str, new: str) -> None:
    text = file.read_text(encoding="utf-8")
    assert old in text, (file, old)
    file.write_text(text.replace(old, new, 1), encoding="utf-8")


def offer_title(p: Path) -> None:
    replace(p / "content/offers/zivilcourage-training.md", "title:", "title: Neu –")


def offer_body(p: Path) -> None:
    file = p / "content/offers/zivilcourage-training.md"
    file.write_text(file.read_text(encoding="utf-8") + "\nEin neuer Absatz.\n", encoding="utf-8")


def partner_name(p: Path) -> None:
    replace(p / "content/partners/kriminalpraeventiver-rat.md", "name:", "name: Neu –")  # has several offers


def vocabulary_label(p: Path) -> None:
    replace(p / "content/vocabularies.yaml", "label:", "label: Neu –")


def site_title(p: Path) -> None:
    replace(p / "site.yaml", "title:", "title: Neu –")


def removed_offer(p: Path) -> None:
    (p / "content/offers/zivilcourage-training.md").unlink()


def added_offer(p: Path) -> None:
    text = (p / "content/offers/zivilcourage-training.md").read_text(encoding="utf-8")
    (p / "content/offers/aaa-neues-angebot.md").write_text(text.replace("title:", "title: AAA", 1), encoding="utf-8")


def template(p: Path) -> None:
    replace(p / "templates/_card.html", "</", "<!-- neu --></")


def stylesheet(p: Path) -> None:
    file = p / "templates/assets/site.css"
    file.write_text(file.read_text(encoding="utf-8") + "\n/* neu */\n", encoding="utf-8")


def offer_updated(p: Path) -> None:
    """The newest offer now: on the start page's list, the data page's date and the feed."""
    replace(p / "content/offers/zivilcourage-training.md", "last_updated: 2026-05-19", "last_updated: 2026-11-24")


def content_page(p: Path) -> None:
    file = p / "content/pages/impressum.md"
    file.write_text(file.read_text(encoding="utf-8") + "\nEin neuer Absatz.\n", encoding="utf-8")


def help_contact(p: Path) -> None:
    """A help contact's hours: on /hilfe/, in daten/hilfe.*, and in the box of its theme and offer pages."""
    replace(p / "content/hilfe.yaml", "hours: Montag bis Samstag 14 bis 20 Uhr",
            "hours: Montag bis Samstag 14 bis 21 Uhr")


def renamed_offer(p: Path) -> None:
    """The same bytes under another name: a new address on every card, list and page that links the offer."""
    (p / "content/offers/zivilcourage-training.md").rename(p / "content/offers/zivilcourage-kurs.md")


def renamed_partner(p: Path) -> None:
    """Its offers name the new file, so they change too; the partner file's own bytes do not."""
    (p / "content/partners/kriminalpraeventiver-rat.md").rename(p / "content/partners/praeventionsrat.md")
    for offer in (p / "content/offers").glob("*.md"):
        text = offer.read_text(encoding="utf-8")
        if "partner: kriminalpraeventiver-rat\n" in text:
            offer.write_text(text.replace("partner: kriminalpraeventiver-rat\n", "partner: praeventionsrat\n"),
                             encoding="utf-8")


CASES: list[Callable[[Path], None]] = [offer_title, offer_body, offer_updated, partner_name, vocabulary_label,
                                       site_title, removed_offer, added_offer, renamed_offer, renamed_partner,
                                       content_page, help_contact, template, stylesheet]


@pytest.mark.parametrize("fork", [False, True], ids=["ein-prozess", "zwei-prozesse"])
@pytest.mark.parametrize("change", CASES, ids=[c.__name__ for c in CASES])
def test_a_rebuild_after_a_change_equals_a_cold_build(project, build, tmp_path, links, monkeypatch, change, fork):
    if fork:
        monkeypatch.setattr(workers, "can_fork", lambda: True)
        monkeypatch.setattr(pipeline, "PARALLEL_MIN_PAGES", 1)
    out = tmp_path / "site"
    build(project, out)
    first = snapshot(out)
    change(project)
    links.clear()
    build(project, out)
    assert snapshot(out) == cold(project, tmp_path / "kalt")
    assert snapshot(out) != first
    if change in (offer_body, partner_name) and not fork:  # links made in the child are not counted here
        assert len(links) > 10  # the pages that do not show the changed file were reused, not rendered


def test_the_day_of_the_build_is_part_of_every_page_key(project, build, tmp_path, links):
    out = tmp_path / "site"
    build(project, out)
    links.clear()
    later = TODAY + datetime.timedelta(days=400)  # seals have expired; offers leave the site
    build(project, out, later)
    # Named by their bytes' hash (assets) or their package's version (the CMS under admin/).
    assert links and all(path.startswith(("assets/", "admin/decap-cms-", "admin/yaml-")) for path in links)
    assert snapshot(out) == cold(project, tmp_path / "kalt", later)


def test_an_unchanged_rebuild_reuses_pages_and_a_page_edited_in_the_output_is_rendered_again(project, build, tmp_path,
                                                                                                 links):
    out = tmp_path / "site"
    build(project, out)
    first = snapshot(out)
    page = out / "angebote/zivilcourage-training/index.html"
    page.write_bytes(page.read_bytes().replace(b"<h1", b"<h1 data-x", 1))  # someone edited site/ by hand
    links.clear()
    build(project, out)
    assert snapshot(out) == first
    assert "angebote/zivilcourage-training/index.html" not in links
    assert "angebote/zivilcourage-training/index.html" in first and len(links) > 20


def test_an_unchanged_rebuild_makes_only_the_files_made_every_time(project, build, tmp_path, links):
    """Every other file is taken from the last build, small ones too (their recorded size once was that of a
    still-buffered write, 0, so robots.txt, 404.html and the small scripts were made again by every build), and
    the search data's files whose bytes are the same."""
    out = tmp_path / "site"
    build(project, out)
    links.clear()
    build(project, out)
    published = {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file() and p.name != ".offerdb-site"}
    made_again = published - set(links)
    assert {"robots.txt", "404.html", "admin/init.js"} <= set(links)
    assert made_again == {"daten/angebote.json", "daten/angebote.csv", "daten/katalog.json"}


def test_renaming_each_partner_in_turn_updates_every_page_that_names_it(project, build, tmp_path):
    """A partner's name is on its offers' pages and cards, not only on its own page."""
    out = tmp_path / "site"
    build(project, out)
    for number, file in enumerate(sorted((project / "content/partners").glob("*.md"))):
        replace(file, "name:", f"name: Umbenannt {number} –")
        build(project, out)
        assert snapshot(out) == cold(project, tmp_path / f"kalt-{number}"), file.name


def test_a_rebuild_in_the_same_process_updates_the_folder_in_place(project, build, tmp_path):
    """Only new and changed files are written: the folder and every page not showing the change stay the
    same files (a complete build would make a new folder and new links)."""
    out = tmp_path / "site"
    build(project, out)
    folder, kept_page = out.stat().st_ino, (out / "traeger/inpeos/index.html").stat()
    changed = (out / "angebote/zivilcourage-training/index.html").stat().st_ino
    offer_body(project)
    build(project, out)
    assert out.stat().st_ino == folder
    assert (out / "traeger/inpeos/index.html").stat().st_ino == kept_page.st_ino
    assert (out / "traeger/inpeos/index.html").stat().st_mtime_ns == kept_page.st_mtime_ns
    assert (out / "angebote/zivilcourage-training/index.html").stat().st_ino != changed
    assert not list(tmp_path.glob("site.staging-*")), "the staging folder is removed after the update"


@pytest.mark.parametrize("updates", [0, 1, 2], ids=["nach-vollem-bau", "nach-einer-aktualisierung",
                                                  "nach-zwei-aktualisierungen"])
def test_a_file_someone_added_to_the_output_makes_the_next_build_complete(project, build, tmp_path, links, updates):
    """Also after updates, which record only the folders they touched anew."""
    out = tmp_path / "site"
    build(project, out)
    for number in range(updates):
        replace(project / "content/offers/zivilcourage-training.md", "title:", f"title: {number} –")
        links.clear()
        build(project, out)
        assert len(links) > 20  # an update: what the last one wrote is recognised as untouched
    (out / "angebote/zivilcourage-training/notiz.txt").write_text("von Hand", encoding="utf-8")
    (out / "traeger/inpeos/notiz.txt").write_text("von Hand", encoding="utf-8")  # a folder no update touched
    offer_body(project)
    links.clear()
    build(project, out)
    assert links == []  # a complete build: nothing kept
    assert snapshot(out) == cold(project, tmp_path / "kalt")


def test_a_failure_while_moving_files_into_place_makes_the_next_build_complete(project, build, tmp_path, monkeypatch):
    out = tmp_path / "site"
    build(project, out)
    offer_title(project)  # changes many pages: the offer, the lists, its partner and related offers
    real, moved = output.os.replace, []

    def failing(source, target):
        if len(moved) == 3:
            raise OSError(28, "No space left on device")
        moved.append(target)
        return real(source, target)

    monkeypatch.setattr(output.os, "replace", failing)
    with pytest.raises(output.OutputError, match="der nächste Build schreibt die ganze Website neu"):
        build(project, out)
    monkeypatch.setattr(output.os, "replace", real)
    assert len(moved) == 3  # the folder now mixes old and new pages …
    build(project, out)  # … and the next build with this memory replaces all of it
    assert snapshot(out) == cold(project, tmp_path / "kalt")
