"""The coordination office's review report: what is due, per provider with its contact.

Due are quality seals that expire within a number of days or have expired (such offers are not published),
offers whose `last_updated` is older than `review.stale_after_months`, paused offers unchanged for longer
than `review.paused_max_months`, and providers without a published offer. The report reads the checked
content with the same "today" as `check` and changes nothing; formats: text, Markdown (with a prepared German
reminder e-mail per provider, for the weekly GitHub issue), JSON, and HTML for the live preview.
"""

from __future__ import annotations

import calendar
import datetime
import html
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from . import schema
from .config import Settings
from .rendering import date_de
from .validation import Validated, is_live

DEFAULT_DAYS = 90
TITLE = "Fällige Prüfungen"

# What can be due, in the order each provider's list shows it, with the German label.
KINDS = {
    "seal-expired": "Qualitätssiegel abgelaufen – nicht veröffentlicht",
    "seal-expiring": "Qualitätssiegel läuft ab",
    "stale": "Lange nicht aktualisiert",
    "paused": "Lange pausiert",
}
# What the reminder asks the provider to do, once per kind that occurs.
REQUESTS = {
    "seal-expired": "Abgelaufenes Qualitätssiegel: Das Angebot erscheint erst wieder, wenn die Steuerungsgruppe es "
                    "erneut geprüft hat; bitte vereinbaren Sie eine Prüfung.",
    "seal-expiring": "Ablaufendes Qualitätssiegel: Bitte fragen Sie rechtzeitig eine erneute Prüfung bei der "
                     "Steuerungsgruppe an, sonst wird das Angebot nach Ablauf nicht mehr veröffentlicht.",
    "stale": "Lange nicht aktualisiert: Bitte prüfen Sie, ob alle Angaben noch stimmen, und tragen Sie danach das "
             "Datum unter „last_updated“ ein.",
    "paused": "Pausiert: Ist das Angebot wieder buchbar („status: active“), oder soll es archiviert werden "
              "(„status: archived“)?",
}
WITHOUT_OFFER = "Kein veröffentlichtes Angebot"
# Where each kind's date stands in the offer file.
FIELDS = {"seal-expired": ("quality_seal", "valid_until"), "seal-expiring": ("quality_seal", "valid_until"),
          "stale": ("last_updated",), "paused": ("status",)}


@dataclass(frozen=True)
class Due:
    """One thing due for one offer."""

    kind: str
    slug: str
    title: str
    file: str
    line: int
    date: datetime.date  # the seal's end, or the last update
    distance: str  # from today, German: "in 26 Tagen", "vor 5 Tagen", "heute", "vor 14 Monaten"

    @property
    def label(self) -> str:
        return KINDS[self.kind]

    @property
    def field(self) -> str:
        return ".".join(FIELDS[self.kind])

    @property
    def summary(self) -> str:
        """One line for lists: "Qualitätssiegel läuft ab: 31. Dezember 2027 (in 26 Tagen)"."""
        return f"{self.label}: {date_de(self.date)} ({self.distance})"

    @property
    def message(self) -> str:
        """A short phrase for the reminder e-mail: "Qualitätssiegel läuft am 31. Dezember 2027 ab"."""
        day = date_de(self.date)
        return {
            "seal-expired": f"Qualitätssiegel am {day} abgelaufen, daher nicht veröffentlicht",
            "seal-expiring": f"Qualitätssiegel läuft am {day} ab",
            "stale": f"zuletzt aktualisiert am {day}",
            "paused": f"pausiert, zuletzt geändert am {day}",
        }[self.kind]


@dataclass(frozen=True)
class Provider:
    slug: str
    name: str
    file: str  # "" when no partner file has this name (the offer names an unknown provider)
    email: str
    phone: str
    due: tuple[Due, ...]
    without_offer: bool  # none of its offers is published


@dataclass(frozen=True)
class Report:
    today: datetime.date
    days: int
    stale_after_months: int
    paused_max_months: int
    site_title: str
    base_url: str
    operator: str
    edit_url: str
    providers: tuple[Provider, ...]  # only those with something due, by name
    content_errors: int  # errors in the content: files with errors may be missing from the report

    @property
    def count(self) -> int:
        """How many things are due: 0 means nothing to do."""
        return sum(len(p.due) + p.without_offer for p in self.providers)

    @property
    def expiring_before(self) -> datetime.date:
        return self.today + datetime.timedelta(days=self.days)

    @property
    def stale_before(self) -> datetime.date:
        return months_before(self.today, self.stale_after_months)

    @property
    def paused_before(self) -> datetime.date:
        return months_before(self.today, self.paused_max_months)

    def edit_link(self, file: str) -> str:
        return self.edit_url + quote(file) if self.edit_url and file else ""


def months_before(day: datetime.date, months: int) -> datetime.date:
    """The same day `months` earlier; the month's last day where it is shorter (31 March - 1 = 28/29 Feb)."""
    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    return datetime.date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def _distance(day: datetime.date, today: datetime.date, in_months: bool = False) -> str:
    if in_months:
        months = (today.year - day.year) * 12 + today.month - day.month - (today.day < day.day)
        return "vor 1 Monat" if months == 1 else f"vor {months} Monaten"
    days = (day - today).days
    if days == 0:
        return "heute"
    count = "1 Tag" if abs(days) == 1 else f"{abs(days)} Tagen"
    return f"in {count}" if days > 0 else f"vor {count}"


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _date(value: Any) -> datetime.date | None:
    return schema.parse_date(value) if isinstance(value, str) else None


def make(validated: Validated, settings: Settings, today: datetime.date, days: int = DEFAULT_DAYS) -> Report:
    """The report for the checked content. Files with errors are read as far as their values allow."""
    due: dict[str, list[Due]] = {}
    published: set[str] = set()
    stale_before = months_before(today, settings.stale_after_months)
    paused_before = months_before(today, settings.paused_max_months)
    for record in validated.records["offer"]:
        values = record.values
        if not isinstance(values, dict) or values.get("status") == "archived":
            continue
        partner = _text(values.get("partner"))
        if is_live(values, today):
            published.add(partner)
        title = _text(values.get("title")) or record.slug
        seal = values.get("quality_seal")
        valid_until = _date(seal.get("valid_until")) if isinstance(seal, dict) else None
        updated = _date(values.get("last_updated"))
        found: list[tuple[str, datetime.date]] = []
        # The seal rules are check's (validation.offer_rules): expired before today, else warned ahead.
        if valid_until and valid_until < today:
            found.append(("seal-expired", valid_until))
        elif valid_until and (valid_until - today).days <= days:
            found.append(("seal-expiring", valid_until))
        if updated and updated < stale_before:
            found.append(("stale", updated))
        # A pause has no date of its own: setting "status: paused" is a change, so last_updated tells.
        if values.get("status") == "paused" and updated and updated < paused_before:
            found.append(("paused", updated))
        for kind, day in found:
            line, _ = record.document.positions.of(FIELDS[kind])
            distance = _distance(day, today, in_months=kind in ("stale", "paused"))
            due.setdefault(partner, []).append(Due(kind, record.slug, title, record.file, line, day, distance))
    partners = {r.slug: r for r in validated.records["partner"]}
    providers = []
    for slug in sorted(set(due) | {s for s in partners if s not in published}):
        record = partners.get(slug)
        values = record.values if record is not None and isinstance(record.values, dict) else {}
        contact = values.get("contact") if isinstance(values.get("contact"), dict) else {}
        items = sorted(due.get(slug, []), key=lambda d: (list(KINDS).index(d.kind), d.date, d.title.casefold()))
        providers.append(Provider(slug, _text(values.get("name")) or slug or "(ohne Träger)",
                                  record.file if record is not None else "", _text(contact.get("email")),
                                  _text(contact.get("phone")), tuple(items),
                                  without_offer=record is not None and slug not in published))
    providers.sort(key=lambda p: (p.name.casefold(), p.slug))
    return Report(today, days, settings.stale_after_months, settings.paused_max_months, settings.title,
                  settings.base_url, settings.operator, settings.edit_url, tuple(providers),
                  sum(1 for p in validated.problems if p.is_error))


# --- the reminder ----------------------------------------------------------------------------------------


def _by_offer(provider: Provider) -> dict[str, list[Due]]:
    offers: dict[str, list[Due]] = {}
    for item in provider.due:
        offers.setdefault(item.slug, []).append(item)
    return offers


def reminder_subject(report: Report) -> str:
    return f"{report.site_title}: Bitte prüfen Sie Ihre Angaben"


def reminder_body(report: Report, provider: Provider) -> str:
    """The German e-mail to the provider: each offer with what is due and the file to edit, then once per kind
    what to do. Kept short: some mail programs cut long mailto: links."""
    lines = ["Guten Tag,", "",
             f"bitte prüfen Sie Ihre Angaben in der Datenbank „{report.site_title}“ ({report.base_url}):", ""]
    for items in _by_offer(provider).values():
        lines.append(f"- {items[0].title}: {'; '.join(item.message for item in items)}")
        lines.append(f"  Datei: {report.edit_link(items[0].file) or items[0].file}")
    if provider.due:
        lines.append("")
    lines += [REQUESTS[kind] for kind in KINDS if any(item.kind == kind for item in provider.due)]
    if provider.without_offer:
        lines.append(f"Zurzeit ist kein Angebot von Ihnen veröffentlicht. Möchten Sie eines (wieder) eintragen? "
                     f"Wie das geht: {report.base_url}redaktion/")
    lines += ["", "Vielen Dank! Bei Fragen antworten Sie gern auf diese E-Mail.", "", "Mit freundlichen Grüßen",
              report.operator]
    return "\n".join(lines)


def reminder_link(report: Report, provider: Provider) -> str:
    """A mailto: URI with subject and body (RFC 6068: UTF-8, percent-encoded, CRLF line breaks); "" without
    an e-mail address."""
    if not provider.email:
        return ""
    body = reminder_body(report, provider).replace("\n", "\r\n")
    return (f"mailto:{quote(provider.email, safe='@')}?subject={quote(reminder_subject(report), safe='')}"
            f"&body={quote(body, safe='')}")


# --- formats ---------------------------------------------------------------------------------------------


def _scope(report: Report) -> str:
    return (f"Gemeldet werden Qualitätssiegel, die abgelaufen sind oder bis zum {date_de(report.expiring_before)} "
            f"ablaufen ({report.days} Tage), Angebote, die seit dem {date_de(report.stale_before)} nicht "
            f"aktualisiert wurden ({report.stale_after_months} Monate), pausierte Angebote ohne Änderung seit dem "
            f"{date_de(report.paused_before)} ({report.paused_max_months} Monate) und Träger ohne veröffentlichtes "
            "Angebot.")


def _summary(report: Report) -> str:
    if not report.count:
        return "Nichts fällig."
    entries = "1 Eintrag" if report.count == 1 else f"{report.count} Einträge"
    providers = "1 Träger" if len(report.providers) == 1 else f"{len(report.providers)} Trägern"
    return f"{entries} bei {providers}."


def _warning(report: Report) -> str:
    if not report.content_errors:
        return ""
    errors = "1 Fehler" if report.content_errors == 1 else f"{report.content_errors} Fehler"
    return (f"Achtung: Die Inhalte haben {errors}; Dateien mit Fehlern fehlen im Bericht womöglich. Einzelheiten "
            "zeigt `python build.py check`.")


def format_text(report: Report) -> str:
    lines = [f"{TITLE} am {date_de(report.today)}: {_summary(report)}"]
    if report.content_errors:
        lines.append(_warning(report))
    lines.append(_scope(report))
    for provider in report.providers:
        lines += ["", f"{provider.name} ({provider.file or 'keine Trägerdatei'})"]
        contact = ", ".join(x for x in (provider.email, provider.phone) if x)
        lines.append(f"  Kontakt: {contact or 'keine Kontaktangaben'}")
        for items in _by_offer(provider).values():
            lines.append(f"  - {items[0].title} ({items[0].file})")
            lines += [f"      Zeile {item.line}: {item.summary}" for item in items]
        if provider.without_offer:
            lines.append(f"  - {WITHOUT_OFFER}.")
    return "\n".join(lines) + "\n"


_MARKDOWN_SPECIAL = "\\`*_[]<>|~#"


def _md(text: str) -> str:
    """Text as literal Markdown, also inside a table cell."""
    return "".join("\\" + c if c in _MARKDOWN_SPECIAL else c for c in " ".join(text.split()))


def format_markdown(report: Report) -> str:
    """For people and for the GitHub issue: a section per provider with a table and a prepared reminder."""
    lines = [f"# {TITLE}", "", f"Stand: {date_de(report.today)} · {_summary(report)}", ""]
    if report.content_errors:
        lines += [f"**{_warning(report)}**", ""]
    lines += [_scope(report) + " Erzeugt mit `python build.py review --format markdown`.", ""]
    for provider in report.providers:
        lines += [f"## {_md(provider.name)}", ""]
        contact = [f"[{_md(provider.email)}](mailto:{quote(provider.email, safe='@')})"] if provider.email else []
        contact += [_md(provider.phone)] if provider.phone else []
        link = report.edit_link(provider.file)
        if provider.file:
            contact.append(f"Trägerdatei: [{_md(provider.file)}]({link})" if link else
                           f"Trägerdatei: `{provider.file}`")
        lines += ["Kontakt: " + (" · ".join(contact) or "keine Kontaktangaben"), ""]
        if provider.due:
            lines += ["| Angebot | Was ist fällig |", "|---|---|"]
            for items in _by_offer(provider).values():
                link = report.edit_link(items[0].file)
                title = _md(items[0].title)
                offer = f"[{title}]({link})" if link else f"{title} (`{items[0].file}`)"
                lines.append(f"| {offer} | {'<br>'.join(_md(item.summary) for item in items)} |")
            lines.append("")
        if provider.without_offer:
            lines += [f"{WITHOUT_OFFER}.", ""]
        mailto = reminder_link(report, provider)
        lines += ([f"[Erinnerung an {_md(provider.email)} vorbereiten (E-Mail)]({mailto})", ""] if mailto
                  else ["Keine E-Mail-Adresse hinterlegt: bitte telefonisch erinnern.", ""])
    return "\n".join(lines)


def format_json(report: Report) -> str:
    data = {
        "today": report.today.isoformat(), "days": report.days, "stale_after_months": report.stale_after_months,
        "paused_max_months": report.paused_max_months, "count": report.count,
        "content_errors": report.content_errors,
        "providers": [{
            "slug": p.slug, "name": p.name, "file": p.file or None, "edit_url": report.edit_link(p.file) or None,
            "email": p.email or None, "phone": p.phone or None, "without_published_offer": p.without_offer,
            "reminder": reminder_link(report, p) or None,
            "due": [{"kind": d.kind, "label": d.label, "offer": d.slug, "title": d.title, "file": d.file,
                     "line": d.line, "field": d.field, "date": d.date.isoformat(), "distance": d.distance,
                     "message": d.message,
                     "edit_url": report.edit_link(d.file) or None} for d in p.due],
        } for p in report.providers],
    }
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def format_html(report: Report, site_path: str = "/", published: Callable[[str], bool] = lambda slug: False) -> str:
    """A page of its own for the live preview; `published(slug)` says whether an offer has a page to link."""
    e = html.escape
    out = ['<!DOCTYPE html>\n<html lang="de">\n<head>\n<meta charset="utf-8">\n'
           '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
           "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'self'; object-src 'none'; "
           "base-uri 'none'\">\n"
           f"<title>{TITLE} – Vorschau</title>\n</head>\n<body>\n<main class=\"pruefungen\">\n"
           f'<p><a href="{e(site_path)}">Zur Vorschau der Website</a></p>\n'
           f"<h1>{TITLE}</h1>\n<p>Stand: {date_de(report.today)} · {e(_summary(report))}</p>\n"]
    if report.content_errors:
        out.append(f"<p><strong>{e(_warning(report))}</strong></p>\n")
    out.append(f"<p>{e(_scope(report))} Andere Zeiträume: <code>?tage=30</code> an die Adresse anhängen.</p>\n")
    for n, provider in enumerate(report.providers, start=1):
        out.append(f'<section aria-labelledby="traeger-{n}">\n<h2 id="traeger-{n}">{e(provider.name)}</h2>\n')
        contact = [f'<a href="mailto:{e(provider.email)}">{e(provider.email)}</a>'] if provider.email else []
        contact += [e(provider.phone)] if provider.phone else []
        contact += [f"Trägerdatei <code>{e(provider.file)}</code>"] if provider.file else []
        out.append(f"<p>Kontakt: {' · '.join(contact) or 'keine Kontaktangaben'}</p>\n")
        if provider.due:
            out.append('<table>\n<thead><tr><th scope="col">Angebot</th><th scope="col">Fällig</th>'
                       '<th scope="col">Datum</th></tr></thead>\n<tbody>\n')
            for item in provider.due:
                title = (f'<a href="{e(site_path)}angebote/{e(item.slug)}/">{e(item.title)}</a>'
                         if published(item.slug) else e(item.title))
                out.append(f"<tr><td>{title}<br><code>{e(item.file)}:{item.line}</code></td>"
                           f"<td>{e(item.label)} ({e(item.distance)})</td><td>{date_de(item.date)}</td></tr>\n")
            out.append("</tbody>\n</table>\n")
        if provider.without_offer:
            out.append(f"<p>{WITHOUT_OFFER}.</p>\n")
        mailto = reminder_link(report, provider)
        if mailto:
            out.append(f'<p><a href="{e(mailto)}">Erinnerung an {e(provider.email)} vorbereiten (E-Mail)</a></p>\n')
        out.append("</section>\n")
    out.append("</main>\n</body>\n</html>\n")
    return "".join(out)


FORMATS: dict[str, Callable[[Report], str]] = {"text": format_text, "markdown": format_markdown,
                                                "json": format_json}
