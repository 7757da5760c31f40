"""The plan of outputs (offerdb.plan): every file declared once, its key derived from the declaration in one
place, and templates that can show nothing their key does not name."""

from __future__ import annotations

import dataclasses
import datetime
from pathlib import Path

import jinja2
import pytest

from offerdb import pipeline, plan, rendering
from offerdb.memory import Memory

ROOT = Path(__file__).resolve().parent.parent
TODAY = datetime.date(2026, 11, 25)


@pytest.fixture(scope="module")
def site():
    checked = pipeline.check(ROOT / "content", ROOT / "site.yaml", TODAY)
    from offerdb import models
    return models.build_site(checked.validated, checked.settings, TODAY)


def test_every_file_is_declared_once_and_keyed_unless_joined_from_pieces(site):
    files = plan.outputs(site, Memory())
    paths = [f.path for f in files]
    assert len(paths) == len(set(paths)) > 70
    assert {f.path for f in files if f.key is None} == {f.path for f in files if f.pieces} == {
        "daten/angebote.json", "daten/angebote.csv", "daten/katalog.json"}
    keys = [f.key for f in files if f.key is not None]
    assert len(keys) == len(set(keys))  # no two files share a key


def test_an_offer_is_keyed_by_its_files_and_a_new_kind_of_input_must_be_declared(site):
    offer = site.offers[0]
    assert plan.fingerprint(offer) == (offer.source, offer.partner.source)
    assert plan.fingerprint([offer, {"n": 1}]) == ((offer.source, offer.partner.source), (("n", 1),))
    renamed_partner = dataclasses.replace(offer.partner, source=offer.partner.source + "x")
    assert plan.fingerprint(dataclasses.replace(offer, partner=renamed_partner)) != plan.fingerprint(offer)

    class Unknown:
        pass

    with pytest.raises(TypeError, match="Unknown has no fingerprint"):
        plan.fingerprint({"x": Unknown()})


def test_a_page_key_follows_its_context_and_the_site_key(site):
    first = {f.path: f.key for f in plan.outputs(site, Memory())}
    partner = site.partners[0]
    changed_partner = dataclasses.replace(partner, source=partner.source + " geändert")
    offers = [dataclasses.replace(o, partner=changed_partner) if o.partner.slug == partner.slug else o
              for o in site.offers]
    own = [o for o in offers if o.partner.slug == partner.slug]
    changed = dataclasses.replace(site, offers=offers, partners=[changed_partner, *site.partners[1:]],
                                  offers_by_partner={**site.offers_by_partner, partner.slug: own})
    second = {f.path: f.key for f in plan.outputs(changed, Memory())}
    differ = {path for path in first if first[path] != second[path]}
    shown = {f"angebote/{o.slug}/index.html" for o in offers if o.partner.slug == partner.slug}
    assert shown <= differ and f"traeger/{partner.slug}/index.html" in differ and "traeger/index.html" in differ
    assert "impressum/index.html" not in differ and "themen/index.html" not in differ
    later = {f.path: f.key for f in plan.outputs(dataclasses.replace(site, today=TODAY.replace(day=26)), Memory())}
    kept = {path for path in first if first[path] is not None and first[path] == later[path]}
    # The day is in every key but those of files named by their content: assets by hash, the CMS by version.
    kept_alone = ("assets/", "admin/decap-cms-", "admin/yaml-")
    assert kept == {path for path in first if path.startswith(kept_alone)}


def test_templates_see_of_the_site_only_what_the_site_key_covers(site):
    view = plan.SiteView(site.settings, site.today, site.vocabularies, site.help)
    env = rendering.environment(site.settings.base_path)
    assert env.from_string("{{ site.settings.title }}").render(site=view) == site.settings.title
    for hidden in ("offers", "partners", "pages", "offers_by_partner", "media"):
        with pytest.raises(jinja2.UndefinedError):
            env.from_string(f"{{{{ site.{hidden} | length }}}}").render(site=view)
