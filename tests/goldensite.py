"""A small site with offers that differ in every way the outputs show (status, cost, grades or age, dates, areas,
Grüne Liste, seal criteria), built once, and the golden copies of its files in tests/golden/site/.

Golden tests compare whole files, so every value is checked in its place: the date in a feed entry, a key of the
open data, a label in a badge. Asset fingerprints are written as `assets/<name>.HASH.<ext>`, so a change of the
stylesheet or a script does not touch the golden pages. After a deliberate change of an output, regenerate with
    OFFERDB_WRITE_GOLDEN=1 .venv/bin/python -m pytest tests/test_exports.py tests/test_rendering.py -k golden
and read the diff of tests/golden/site/ before committing it.
"""

from __future__ import annotations

import datetime
import os
import re
import shutil
from pathlib import Path

import yaml

from casekit import BASE
from offerdb import pipeline
from offerdb.loading import split_front_matter

GOLDEN_SITE = Path(__file__).resolve().parent / "golden" / "site"
TODAY = datetime.date(2026, 6, 1)
WRITE = bool(os.environ.get("OFFERDB_WRITE_GOLDEN"))

# slug -> changes to the base offer (tests/fixtures/base/content/offers/angebot-a.md); None removes a field
OFFERS = {
    "angebot-b-pausiert": {
        "title": "Elternabend zu Medien & Sucht", "status": "paused",
        "summary": "Ein Abend für Eltern über Medien, Alkohol und Hilfe in der Familie, mit Zeit für Fragen.",
        "prevention_areas": ["gewaltpraevention", "mobbing"], "audiences": ["eltern"],
        "school_types": ["grundschule", "oberschule"], "grades": None, "age": {"from": 6, "to": 10},
        "cost": {"free": False, "amount_eur": "2,50", "note": "pro Person"},
        "duration": {"minutes": 45, "sessions": 1}, "last_updated": datetime.date(2026, 4, 3),
        "green_list": {"level": "wahrscheinlich", "url": "https://www.gruene-liste-praevention.de/x"},
        "quality_seal": {"reviewed_on": datetime.date(2026, 3, 1), "reviewed_by": "Steuerungsgruppe",
                         "valid_until": datetime.date(2027, 3, 31),
                         "criteria": ["ziele-und-zielgruppe", "qualifikation"]},
    },
    "angebot-c-archiv": {"title": "Archiviertes Angebot zum Thema Gewalt", "status": "archived",
                         "last_updated": datetime.date(2026, 5, 5)},
    "angebot-d-neu": {
        "title": "Projekttag Klassenrat",
        "summary": "Ein Projekttag, an dem die Klasse ihren eigenen Klassenrat gründet.",
        "grades": {"from": 3, "to": 4}, "prevention_areas": ["gewaltpraevention"],
        "last_updated": datetime.date(2026, 5, 20), "keywords": ["Demokratie"],
        "evaluation": {"kind": "keine"},
    },
}


def _set_offers(content: Path) -> None:
    base = content / "offers" / "angebot-a.md"
    front, body, _, _ = split_front_matter(base.read_text(encoding="utf-8"), "angebot-a.md")
    data = yaml.safe_load(front)
    for slug, changes in OFFERS.items():
        offer = dict(data)
        for key, value in changes.items():
            if value is None:
                offer.pop(key, None)
            else:
                offer[key] = value
        text = yaml.safe_dump(offer, allow_unicode=True, sort_keys=False)
        (content / "offers" / f"{slug}.md").write_text(f"---\n{text}---\n{body}## Ablauf\n\nZwei Teile.\n",
                                                     encoding="utf-8")


def build(tmp: Path) -> tuple[pipeline.Built, Path]:
    root = tmp / "src"
    shutil.copytree(BASE, root)
    _set_offers(root / "content")
    checked = pipeline.check(root / "content", root / "site.yaml", TODAY)
    assert not checked.fails(strict=False), "\n".join(map(str, checked.problems))
    out = tmp / "site"
    return pipeline.build(checked, out, TODAY), out


_FINGERPRINT = re.compile(r"(assets/[\w./-]+?)\.[0-9a-f]{10}\.(\w+)")


def normalised(out: Path, rel: str) -> str:
    return _FINGERPRINT.sub(r"\1.HASH.\2", (out / rel).read_text(encoding="utf-8"))


def files(out: Path, suffixes: tuple[str, ...]) -> list[str]:
    found = (p.relative_to(out) for p in out.rglob("*") if p.is_file() and p.suffix in suffixes)
    # The web editor's pages (admin/) are the CMS's shell, tested with the CMS (test_cms.py, browser/test_admin.py).
    return sorted(p.as_posix() for p in found if p.parts[0] not in ("assets", "redaktion", "admin"))


def compare(out: Path, rel: str) -> None:
    """The built file equals its golden copy (written instead with OFFERDB_WRITE_GOLDEN=1)."""
    built = normalised(out, rel)
    golden = GOLDEN_SITE / rel
    if WRITE:
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(built, encoding="utf-8")
    assert golden.is_file(), f"{rel}: no golden copy; OFFERDB_WRITE_GOLDEN=1 writes it"
    expected = golden.read_text(encoding="utf-8")
    if built != expected:  # the first line that differs, not a diff of the whole file
        for number, (a, b) in enumerate(zip(built.splitlines(), expected.splitlines(), strict=False), 1):
            assert a == b, f"{rel}:{number}"
        assert built == expected, rel


def golden_files(suffixes: tuple[str, ...]) -> list[str]:
    return sorted(p.relative_to(GOLDEN_SITE).as_posix() for p in GOLDEN_SITE.rglob("*")
                  if p.is_file() and p.suffix in suffixes)
