"""A rebuild with the same memory takes unchanged files' check results and models from it (offerdb.memory).
What it takes must be exactly what a build without cache makes, and must follow every input it depends on:
the file's bytes, its partner, the vocabularies and the day."""

from __future__ import annotations

import datetime
import shutil
from pathlib import Path

from offerdb import models, pipeline
from offerdb.memory import Memory
from offerdb.loading import load_content
from offerdb.validation import MEDIA_DIR, validate

ROOT = Path(__file__).resolve().parent.parent
TODAY = datetime.date(2026, 11, 25)


def copy_content(tmp_path: Path) -> Path:
    shutil.copytree(ROOT / "content", tmp_path / "content")
    return tmp_path / "content"


def site_of(content: Path, cache: Memory | None, today: datetime.date = TODAY) -> models.Site:
    checked = validate(load_content(content, cache), today, 60, cache)
    assert checked.ok, checked.problems
    settings = pipeline.check(content, ROOT / "site.yaml", today).settings
    return models.build_site(checked, settings, today, content / MEDIA_DIR, cache)


def replace(file: Path, old: str, new: str) -> None:
    text = file.read_text(encoding="utf-8")
    assert old in text, (file, old)
    file.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_problems_that_depend_on_the_day_are_found_again_with_a_cache(tmp_path):
    content = copy_content(tmp_path)
    cache = Memory()
    soon = datetime.date(2027, 10, 15)  # some seals end on 2027-10-31: warnings, not errors
    first = validate(load_content(content, cache), soon, 60, cache).problems
    assert "seal-expiring" in {p.code for p in first}
    assert validate(load_content(content, cache), soon, 60, cache).problems == first
    assert cache.hits > 25
    for day, warn_days in ((TODAY, 60), (soon, 10), (datetime.date(2027, 11, 15), 60)):
        cached = validate(load_content(content, cache), day, warn_days, cache).problems
        assert cached == validate(load_content(content, None), day, warn_days, None).problems
    assert cached != first  # the last day is past those seals: errors, not warnings


def test_unchanged_offers_keep_their_models_and_changed_ones_are_made_anew(tmp_path):
    content = copy_content(tmp_path)
    cache = Memory()
    first = site_of(content, cache)
    again = site_of(content, cache)
    assert all(a is b for a, b in zip(first.offers, again.offers, strict=True))
    assert all(a is b for a, b in zip(first.partners, again.partners, strict=True))

    replace(content / "offers/zivilcourage-training.md", "title:", "title: Neu –")
    replace(content / "partners/inpeos.md", "name:", "name: Umbenannt –")
    replace(content / "vocabularies.yaml", "label: Workshop", "label: Werkstatt")
    changed = site_of(content, cache)
    fresh = site_of(content, None)
    assert changed.offers == fresh.offers and changed.partners == fresh.partners
    assert changed.offers_by_partner == fresh.offers_by_partner
    inpeos = changed.offers_by_partner["inpeos"]
    assert inpeos and all(o.partner.name.startswith("Umbenannt") for o in inpeos)
    assert any(t.label == "Werkstatt" for o in changed.offers for t in o.formats)
    title = next(o for o in changed.offers if o.slug == "zivilcourage-training").title
    assert title.startswith("Neu –")


def test_a_partners_offers_follow_the_build_not_the_partner_object(tmp_path):
    """Partner objects are shared between builds; which offers a partner has comes from the site."""
    content = copy_content(tmp_path)
    cache = Memory()
    first = site_of(content, cache)
    (content / "offers/zivilcourage-training.md").unlink()
    second = site_of(content, cache)
    slug = "kriminalpraeventiver-rat"
    assert "zivilcourage-training" in {o.slug for o in first.offers_by_partner[slug]}
    assert "zivilcourage-training" not in {o.slug for o in second.offers_by_partner[slug]}
    assert next(p for p in first.partners if p.slug == slug) is next(p for p in second.partners if p.slug == slug)


def test_entries_a_build_did_not_use_are_forgotten_once_they_are_a_quarter():
    cache = Memory()
    for n in range(8):
        cache.put(n, f"Ergebnis {n}")
    cache.prune()  # a new build uses 0-5: 6 and 7 are a quarter, not more, and stay for now
    for n in range(6):
        assert cache.get(n) is not None
    cache.prune()
    assert len(cache) == 8 and cache.get(7) == "Ergebnis 7"
    cache.prune()  # this build used only 7: the other seven go
    assert len(cache) == 1 and cache.get(7) == "Ergebnis 7"
    cache.put(8, "Ergebnis 8")
    cache.prune()
    cache.get(8)
    cache.prune(always=True)  # as before saving: 7, unused by the last build, goes although it is one of two
    assert len(cache) == 1 and cache.get(8) == "Ergebnis 8"
