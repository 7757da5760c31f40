"""`build.py review`: what the coordination office has to follow up, per provider, with a prepared reminder;
the same "today" rules as `check`, a report that never fails, and the same report in the live preview."""

from __future__ import annotations

import datetime
import json
import re
import urllib.error
import urllib.request
from urllib.parse import parse_qs, urlsplit

import pytest

from offerdb import cli, pipeline, review
from offerdb.cli import ROOT
from offerdb.serve import PREFIX, PreviewServer

TODAY = datetime.date(2026, 6, 1)
EDIT = "https://github.com/beispiel/angebote/edit/main/"
SEAL = {"reviewed_on": "2026-01-15", "reviewed_by": "Steuerungsgruppe"}


def report(site, today=TODAY, days=review.DEFAULT_DAYS) -> review.Report:
    checked = pipeline.check(site.content, site.config, today)
    return review.make(checked.validated, checked.settings, today, days)


def kinds(rep: review.Report) -> dict[str, list[tuple[str, str]]]:
    """provider slug -> [(offer slug, kind)], plus ("", "no-offer") for a provider without a published offer."""
    return {p.slug: [(d.slug, d.kind) for d in p.due] + ([("", "no-offer")] if p.without_offer else [])
            for p in rep.providers}


def set_config(site, **review_settings) -> None:
    text = site.config.read_text(encoding="utf-8")
    for key, value in review_settings.items():
        if key == "edit_url":
            text += f"edit_url: {value}\n"
        else:
            text = text.replace("review:\n", f"review:\n  {key}: {value}\n")
    site.config.write_text(text, encoding="utf-8")


def run(site, *args, environ=None, capsysbinary=None) -> tuple[int, str]:
    code = cli.main(["review", "--content", str(site.content), "--config", str(site.config), *args],
                    environ=environ if environ is not None else {"SOURCE_DATE_EPOCH": "1780272000"})  # 2026-06-01
    return code, capsysbinary.readouterr().out.decode("utf-8")


def test_nothing_due_for_a_current_offer(site):
    rep = report(site)
    assert rep.providers == () and rep.count == 0
    assert review.format_text(rep).startswith("Fällige Prüfungen am 1. Juni 2026: Nichts fällig.\n")


def test_seals_expiring_within_the_days_and_expired_ones(site):
    site.offer(quality_seal={**SEAL, "valid_until": "2026-08-30"})  # in 90 days
    assert kinds(report(site)) == {"traeger-a": [("angebot-a", "seal-expiring")]}
    assert kinds(report(site, days=89)) == {}
    (item,) = report(site).providers[0].due
    assert (item.date, item.distance, item.file) == (datetime.date(2026, 8, 30), "in 90 Tagen",
                                                    "content/offers/angebot-a.md")
    assert item.field == "quality_seal.valid_until"
    lines = (site.content / "offers" / "angebot-a.md").read_text(encoding="utf-8").splitlines()
    assert lines[item.line - 1].strip() == "valid_until: '2026-08-30'"

    # Expired: the offer is not published, so its provider has no published offer either.
    site.offer(quality_seal={**SEAL, "valid_until": "2026-05-31"})
    rep = report(site)
    assert kinds(rep) == {"traeger-a": [("angebot-a", "seal-expired"), ("", "no-offer")]}
    assert rep.providers[0].due[0].distance == "vor 1 Tag"
    assert rep.count == 2


def test_same_today_rules_as_check(site):
    """On every day around the seal's end, check's seal warnings and the report's seal items agree (with
    --days set to check's warning period)."""
    site.offer(quality_seal={**SEAL, "valid_until": "2026-08-30"})
    for offset in (-1, 0, 1, 2, 29, 30, 31, 32, 90, 91, 92):
        today = datetime.date(2026, 7, 1) + datetime.timedelta(days=offset)
        checked = pipeline.check(site.content, site.config, today)
        warned = sorted(p.code for p in checked.problems if p.code.startswith("seal-"))
        rep = review.make(checked.validated, checked.settings, today, checked.settings.warn_days_before_expiry)
        due = sorted(d.kind for p in rep.providers for d in p.due if d.kind.startswith("seal-"))
        assert warned == due, today


def test_stale_and_long_paused_offers_with_limits_from_site_yaml(site):
    site.offer(last_updated="2025-05-31")  # a year and a day before TODAY
    assert kinds(report(site)) == {"traeger-a": [("angebot-a", "stale")]}
    site.offer(last_updated="2025-06-01")  # exactly twelve months: not yet
    assert kinds(report(site)) == {}

    site.offer(status="paused", last_updated="2025-11-30")  # six months and a day; still published
    assert kinds(report(site)) == {"traeger-a": [("angebot-a", "paused")]}
    set_config(site, paused_max_months=7, stale_after_months=5)
    rep = report(site)
    assert kinds(rep) == {"traeger-a": [("angebot-a", "stale")]}
    assert (rep.stale_after_months, rep.paused_max_months) == (5, 7)
    assert rep.providers[0].due[0].distance == "vor 6 Monaten"


def test_archived_offers_are_not_due_but_leave_their_provider_without_a_published_offer(site):
    site.offer(status="archived", quality_seal={**SEAL, "valid_until": "2026-02-01"}, last_updated="2024-01-01")
    assert kinds(report(site)) == {"traeger-a": [("", "no-offer")]}


def test_grouped_by_provider_with_contact_sorted_by_name(site):
    data, body = site.read_front("content/partners/traeger-a.md")
    site.write_front("content/partners/zentrum-b.md", {**data, "name": "B-Zentrum", "contact": {"phone": "0371 1"}},
                     body)
    site.offer("angebot-b", partner="zentrum-b", last_updated="2024-03-01")
    site.offer(quality_seal={**SEAL, "valid_until": "2026-07-01"})
    rep = report(site)
    assert [(p.name, p.email, p.phone, p.file) for p in rep.providers] == [
        ("B-Zentrum", "", "0371 1", "content/partners/zentrum-b.md"),
        ("Träger A e. V.", "info@traeger-a.example.org", "", "content/partners/traeger-a.md")]
    assert kinds(rep) == {"zentrum-b": [("angebot-b", "stale")], "traeger-a": [("angebot-a", "seal-expiring")]}
    markdown = review.format_markdown(rep)
    assert markdown.index("## B-Zentrum") < markdown.index("## Träger A e. V.")
    assert "Keine E-Mail-Adresse hinterlegt: bitte telefonisch erinnern." in markdown  # B has a phone only


def test_markdown_reminder_is_a_mailto_with_subject_and_body_naming_offers_dates_and_edit_links(site):
    set_config(site, edit_url=EDIT)
    site.offer(quality_seal={**SEAL, "valid_until": "2026-07-01"}, last_updated="2025-03-01",
               title="Workshop gegen Mobbing | mit *Sternchen*")
    markdown = review.format_markdown(report(site))
    assert markdown.startswith("# Fällige Prüfungen\n\nStand: 1. Juni 2026 · 2 Einträge bei 1 Träger.\n")
    assert ("| [Workshop gegen Mobbing \\| mit \\*Sternchen\\*](" + EDIT + "content/offers/angebot-a.md) | "
            "Qualitätssiegel läuft ab: 1. Juli 2026 (in 30 Tagen)<br>"
            "Lange nicht aktualisiert: 1. März 2025 (vor 15 Monaten) |") in markdown
    assert f"Trägerdatei: [content/partners/traeger-a.md]({EDIT}content/partners/traeger-a.md)" in markdown
    (link,) = re.findall(r"\[Erinnerung an info@traeger-a\.example\.org vorbereiten \(E-Mail\)\]\((mailto:[^)\s]+)\)",
                         markdown)
    parts = urlsplit(link)
    assert parts.path == "info@traeger-a.example.org"
    query = parse_qs(parts.query)
    assert query["subject"] == ["Testseite Präventionsangebote: Bitte prüfen Sie Ihre Angaben"]
    (body,) = query["body"]
    assert "\r\n" in body and "\n" not in body.replace("\r\n", "")  # RFC 6068 line breaks
    body = body.replace("\r\n", "\n")
    assert ("- Workshop gegen Mobbing | mit *Sternchen*: Qualitätssiegel läuft am 1. Juli 2026 ab; zuletzt "
            "aktualisiert am 1. März 2025\n"
            f"  Datei: {EDIT}content/offers/angebot-a.md\n") in body
    assert "Ablaufendes Qualitätssiegel: Bitte fragen Sie rechtzeitig" in body
    assert "Lange nicht aktualisiert: Bitte prüfen Sie" in body and "Pausiert:" not in body
    assert body.endswith("Mit freundlichen Grüßen\nTestbetreiber")


def test_without_edit_url_the_reminder_names_the_file(site):
    site.offer(last_updated="2025-03-01")
    rep = report(site)
    assert rep.edit_url == "" and rep.edit_link("content/offers/angebot-a.md") == ""
    body = review.reminder_body(rep, rep.providers[0])
    assert "  Datei: content/offers/angebot-a.md\n" in body
    assert "| Workshop gegen Mobbing (`content/offers/angebot-a.md`) |" in review.format_markdown(rep)


def test_provider_without_a_published_offer_is_asked_to_add_one(site):
    site.offer(status="archived")
    rep = report(site)
    (provider,) = rep.providers
    assert provider.due == () and provider.without_offer
    assert "Zurzeit ist kein Angebot von Ihnen veröffentlicht." in review.reminder_body(rep, provider)
    assert "https://praevention.test/redaktion/" in review.reminder_body(rep, provider)  # base_url of the fixture
    assert "Kein veröffentlichtes Angebot." in review.format_markdown(rep)


def test_cli_formats_exit_zero_and_today_from_source_date_epoch(site, capsysbinary):
    site.offer(quality_seal={**SEAL, "valid_until": "2026-07-01"})
    code, text = run(site, capsysbinary=capsysbinary)
    assert code == 0  # something is due: still a report, not a failure
    assert text.splitlines()[0] == "Fällige Prüfungen am 1. Juni 2026: 1 Eintrag bei 1 Träger."
    assert "  - Workshop gegen Mobbing (content/offers/angebot-a.md)\n" in text
    assert "Qualitätssiegel läuft ab: 1. Juli 2026 (in 30 Tagen)" in text

    code, text = run(site, "--format", "json", "--today", "2026-07-02", capsysbinary=capsysbinary)
    data = json.loads(text)
    assert code == 0 and data["today"] == "2026-07-02" and data["count"] == 2
    (provider,) = data["providers"]
    assert provider["without_published_offer"] is True and provider["reminder"].startswith("mailto:")
    assert [(d["kind"], d["offer"], d["date"], d["field"]) for d in provider["due"]] == [
        ("seal-expired", "angebot-a", "2026-07-01", "quality_seal.valid_until")]

    code, text = run(site, "--format", "json", environ={"SOURCE_DATE_EPOCH": "1772323200"},  # 2026-03-01
                     capsysbinary=capsysbinary)
    assert json.loads(text)["count"] == 0
    code, text = run(site, "--format", "markdown", "--days", "20", capsysbinary=capsysbinary)
    assert code == 0 and "Nichts fällig." in text and "bis zum 21. Juni 2026 ablaufen (20 Tage)" in text


def test_cli_refuses_bad_days_and_unreadable_settings(site, capsysbinary):
    with pytest.raises(SystemExit) as exc:
        cli.main(["review", "--days", "viele"], environ={})
    assert exc.value.code == cli.EXIT_USAGE
    site.config.write_text("title: x\n", encoding="utf-8")
    code = cli.main(["review", "--content", str(site.content), "--config", str(site.config)], environ={})
    out, err = capsysbinary.readouterr()
    assert code == cli.EXIT_PROBLEMS and out == b""
    assert "Fehler [missing-field] base_url" in err.decode("utf-8")


def test_content_errors_are_named_and_the_rest_is_reported(site):
    site.offer(last_updated="2025-03-01")
    site.offer("angebot-kaputt", summary="zu kurz", last_updated="2024-01-01")
    rep = report(site)
    assert rep.content_errors == 1
    assert kinds(rep) == {"traeger-a": [("angebot-kaputt", "stale"), ("angebot-a", "stale")]}
    assert "Achtung: Die Inhalte haben 1 Fehler" in review.format_text(rep)


def test_sample_content_a_year_ahead():
    today = datetime.date(2027, 12, 5)
    checked = pipeline.check(ROOT / "content", ROOT / "site.yaml", today)
    rep = review.make(checked.validated, checked.settings, today)
    found = {(d.slug, d.kind) for p in rep.providers for d in p.due}
    assert ("zivilcourage-training", "seal-expired") in found  # sealed until 2027-11-30
    assert ("elternabend-cybermobbing-und-recht", "seal-expiring") in found  # until 2028-02-29
    assert ("soziales-training-klassenklima", "paused") in found
    assert rep.edit_url and all(p.email for p in rep.providers)


def test_months_before_clamps_to_the_months_end():
    assert review.months_before(datetime.date(2027, 3, 31), 1) == datetime.date(2027, 2, 28)
    assert review.months_before(datetime.date(2028, 3, 31), 1) == datetime.date(2028, 2, 29)
    assert review.months_before(datetime.date(2027, 1, 15), 12) == datetime.date(2026, 1, 15)
    assert review.months_before(datetime.date(2027, 1, 15), 13) == datetime.date(2025, 12, 15)


# --- in the live preview ---


def fetch(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read().decode("utf-8")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode("utf-8")


def test_preview_shows_the_report_at_its_own_address(site):
    site.offer(quality_seal={**SEAL, "valid_until": "2026-07-01"})
    with PreviewServer(site.content, site.config, lambda: TODAY, port=0, log=lambda _: None) as server:
        address = server.url.rstrip("/") + PREFIX + "pruefungen"
        status, html = fetch(address)
        assert status == 200 and html.startswith("<!DOCTYPE html>")
        assert "<h1>Fällige Prüfungen</h1>" in html
        assert '<h2 id="traeger-1">Träger A e. V.</h2>' in html
        assert ('<td><a href="/angebote/angebot-a/">Workshop gegen Mobbing</a><br>'
                "<code>content/offers/angebot-a.md:") in html  # published: linked to its preview page
        assert "<td>Qualitätssiegel läuft ab (in 30 Tagen)</td><td>1. Juli 2026</td>" in html
        assert 'href="mailto:info@traeger-a.example.org?subject=' in html
        assert f'<script src="{PREFIX}reload.js"' in html  # reloads like every preview page
        assert "Nichts fällig." in fetch(address + "?tage=20")[1]
        assert not (server.preview.out_dir / "_vorschau").exists()  # never part of the built site
