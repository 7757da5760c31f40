#!/usr/bin/env python3
"""Generate a large, valid content folder for benchmarks: `python benchmarks/generate.py --offers N OUT_DIR`.

Writes OUT_DIR/content/ (offers, partners, pages, vocabularies.yaml, hilfe.yaml) and OUT_DIR/site.yaml, so
`python build.py build --content OUT_DIR/content --config OUT_DIR/site.yaml --today 2026-11-25` builds it.
Every offer passes `check` without errors or warnings on that day (the copied pages and hilfe.yaml bring the
shipped placeholders along, which `check` warns about). Each file has its own generator seeded
from its index, so the same N gives the same bytes.
Bodies are ~300 words of varied German prose with headings, lists, emphasis, links and some tables, so
Markdown and search work on text like the real one.
"""

from __future__ import annotations

import argparse
import datetime
import json
import random
import re
import shutil
import sys
import textwrap
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
TODAY = datetime.date(2026, 11, 25)  # the day the generated seals are valid for, with > 60 days margin

# --- word material ------------------------------------------------------------------------------

AREA_TOPICS = {
    "demokratiebildung": ["Beteiligung", "Mitbestimmung", "Klassenrat", "Meinungsfreiheit", "Grundrechte",
                          "Wahlen", "Kompromisse", "Schülervertretung", "Debattenkultur"],
    "radikalisierungspraevention": ["Verschwörungserzählungen", "Extremismus", "Propaganda", "Feindbilder",
                                    "Radikalisierung", "Symbole und Codes", "Ideologien", "Musik der Szene"],
    "gewaltpraevention": ["Konflikte", "Zivilcourage", "Deeskalation", "Streitschlichtung", "Körpersprache",
                          "Grenzen", "Gewalt auf dem Schulhof", "Selbstbehauptung"],
    "antirassistische-bildung": ["Vorurteile", "Rassismus", "Diskriminierung", "Vielfalt", "Zugehörigkeit",
                                 "Privilegien", "Schubladendenken", "Alltagsrassismus"],
    "mobbing": ["Klassenchat", "Ausgrenzung", "Cybermobbing", "Klassenklima", "Zusammenhalt", "Gruppendruck",
                "Zuschauerrolle", "Beleidigungen im Netz"],
    "medienbildung": ["Smartphone", "soziale Netzwerke", "Desinformation", "Datenschutz", "Games",
                      "Bildrechte", "Algorithmen", "Nachrichtenquellen", "Bildschirmzeit"],
    "suchtpraevention": ["Alkohol", "Nikotin", "E-Zigaretten", "Cannabis", "Glücksspiel", "Mediensucht",
                         "Risikokompetenz", "Genuss und Maß", "Gruppendruck beim Feiern"],
    "sexuelle-bildung": ["Körper", "Pubertät", "Freundschaft und Liebe", "Grenzen", "Sexting", "Einvernehmen",
                         "Hilfe holen", "Kinderrechte"],
    "gesundheitsfoerderung": ["Stress", "Prüfungsangst", "Ernährung", "Bewegung", "Schlaf", "Achtsamkeit",
                              "seelische Gesundheit", "Entspannung"],
}
AREA_ALLIES = {  # areas that often appear together in real offers
    "demokratiebildung": ["antirassistische-bildung", "radikalisierungspraevention"],
    "radikalisierungspraevention": ["demokratiebildung", "medienbildung"],
    "gewaltpraevention": ["mobbing", "demokratiebildung"],
    "antirassistische-bildung": ["demokratiebildung", "gewaltpraevention"],
    "mobbing": ["medienbildung", "gewaltpraevention"],
    "medienbildung": ["mobbing", "radikalisierungspraevention"],
    "suchtpraevention": ["gesundheitsfoerderung"],
    "sexuelle-bildung": ["gewaltpraevention", "gesundheitsfoerderung"],
    "gesundheitsfoerderung": ["suchtpraevention", "sexuelle-bildung"],
}
TITLE_STARTS = ["Gemeinsam stark", "Mit Mut", "Hinschauen", "Klar und fair", "Stark im Team", "Mitreden",
                "Neue Wege", "Nachgefragt", "Auf Augenhöhe", "Sicher unterwegs", "Zusammen lernen",
                "Kopf und Herz", "Mittendrin", "Ohne Angst", "Echt jetzt", "Fair bleiben"]
GROUPS = ["die Klasse", "die Jugendlichen", "die Kinder", "die Schülerinnen und Schüler", "die Gruppe",
          "die Teilnehmenden"]
PLACES = ["auf dem Schulhof", "im Klassenchat", "im Verein", "in der Familie", "auf dem Schulweg",
          "im Jugendclub", "in der Pause", "auf dem Sportplatz", "im Netz", "beim Feiern am Wochenende"]
METHODS = ["Rollenspiele", "Fallbeispiele in Kleingruppen", "Positionierungsübungen", "ein Stationenlauf",
           "kurze Filmausschnitte", "ein Quiz", "Gesprächsrunden im Stuhlkreis", "Körperübungen",
           "ein Planspiel", "Forumtheater", "Recherche am Tablet", "kreatives Schreiben", "Interviews",
           "eine Fotostrecke", "Aufstellungen im Raum"]
VERBS = ["sprechen über", "untersuchen", "diskutieren", "erforschen", "sammeln Beispiele für",
         "entwickeln eigene Ideen zu", "tauschen sich aus über", "erarbeiten Regeln zu"]
ADJECTIVES = ["offen", "ohne Noten", "in kleinen Gruppen", "mit viel Bewegung", "praxisnah", "spielerisch",
              "in ruhiger Atmosphäre", "an echten Beispielen", "mit Humor", "Schritt für Schritt"]
STEPS = ["Ankommen und Kennenlernen", "Vereinbarung von Gesprächsregeln", "Einstieg mit einer kurzen Szene",
         "Austausch über eigene Erfahrungen", "Arbeit an Fallbeispielen", "Übung in Kleingruppen",
         "Auswertung im Stuhlkreis", "Ideen für den Schulalltag", "Rückmeldung an die Lehrkraft",
         "Abschluss mit einer Vereinbarung der Klasse", "Präsentation der Ergebnisse", "Pause mit Bewegungsspiel"]
QUALIFICATIONS = ["Sozialpädagoginnen und Sozialpädagogen mit langjähriger Erfahrung in der Schulsozialarbeit",
                  "Theaterpädagoginnen und Theaterpädagogen mit Zusatzausbildung in Gewaltprävention",
                  "Fachkräfte der Suchtberatung mit abgeschlossener Ausbildung in Motivierender Gesprächsführung",
                  "Medienpädagoginnen und Medienpädagogen mit Hochschulabschluss und regelmäßiger Fortbildung",
                  "ehrenamtliche Teamende nach einem 60-stündigen Grundlagenseminar mit Supervision",
                  "Polizeibeamtinnen und Polizeibeamte der Präventionsstelle mit pädagogischer Zusatzqualifikation"]
BASES = ["Lebenskompetenzansatz nach WHO", "Peer-Education-Ansatz", "Anti-Bias-Arbeit",
         "Menschenrechtsbildung", "Motivierende Gesprächsführung", "systemischer Ansatz",
         "Ergebnisse der JIM-Studie", "Konzept der Selbstwirksamkeit nach Bandura", "Theater der Unterdrückten",
         "Salutogenese nach Antonovsky", "Mehrebenenansatz gegen Mobbing nach Olweus"]
PARTNER_KINDS = [("Verein für", "eingetragener Verein"), ("Initiative", "eingetragener Verein"),
                 ("Fachstelle für", "gGmbH"), ("Netzwerk", "eingetragener Verein"), ("Werkstatt für", "gGmbH"),
                 ("Beratungsstelle für", "Stiftung")]
PARTNER_TOPICS = ["Jugendarbeit", "Demokratie", "Medienkompetenz", "Suchtvorbeugung", "Kinderschutz",
                  "Theaterpädagogik", "Gesundheit", "Zivilcourage", "Vielfalt", "Familienbildung"]
DISTRICTS = ["Sonnenberg", "Kaßberg", "Schloßchemnitz", "Bernsdorf", "Gablenz", "Altendorf", "Kappel",
             "Hilbersdorf", "Yorckgebiet", "Rabenstein", "Ebersdorf", "Zentrum", "Markersdorf", "Helbersdorf"]
STREETS = ["Hauptstraße", "Schulstraße", "Reitbahnstraße", "Zschopauer Straße", "Leipziger Straße",
           "Annaberger Straße", "Straße der Nationen", "Brückenstraße", "Augustusburger Straße"]

_UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "Ä": "ae", "Ö": "oe", "Ü": "ue"})
_PLAIN_SAFE = re.compile(r"^[A-Za-zÄÖÜäöüß0-9(„][^\n]*$")


def cap(text: str) -> str:
    return text[:1].upper() + text[1:]  # str.capitalize() would lowercase the rest ("schüler")


def slugify(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.translate(_UMLAUTS).lower()).strip("-")


def scalar(text: str) -> str:
    """A YAML scalar as an editor would write it: plain when that reads back unchanged, else double-quoted."""
    plain = (_PLAIN_SAFE.match(text) and ": " not in text and " #" not in text and not text.endswith(":")
             and text.lower() not in ("ja", "nein", "true", "false", "null", "yes", "no", "on", "off"))
    return text if plain else json.dumps(text, ensure_ascii=False)


def folded(key: str, text: str, indent: str = "") -> str:
    lines = textwrap.wrap(text, 96)
    return f"{indent}{key}: >-\n" + "".join(f"{indent}  {line}\n" for line in lines)


def sentence(rng: random.Random, topics: list[str]) -> str:
    group, topic, place = rng.choice(GROUPS), rng.choice(topics), rng.choice(PLACES)
    other = rng.choice(topics)
    patterns = [
        f"{cap(group)} {rng.choice(VERBS)} {topic} und fragen, was das {place} bedeutet.",
        f"Dabei geht es {rng.choice(ADJECTIVES)} um {topic} und um die Frage, wie man {place} reagieren kann.",
        f"Viele erleben {topic} zuerst {place}; deshalb beginnt der Tag mit Beispielen aus dem Alltag.",
        f"Über {rng.choice(METHODS)} nähern sich {group} dem Thema {topic} und verknüpfen es mit {other}.",
        f"Am Ende hält {group} fest, was sie zu {topic} mitnehmen und was sie {place} ausprobieren möchten.",
        f"Die Teamenden greifen Fragen zu {other} auf, die sich aus der Arbeit zu {topic} ergeben.",
        "Wer mag, erzählt von eigenen Erfahrungen; niemand muss etwas Persönliches preisgeben.",
        f"Gemeinsam entsteht eine Sammlung von Ideen, wie {group} {place} mit {topic} umgehen kann.",
        f"Ein kurzer Input erklärt Hintergründe zu {topic}, danach wird {rng.choice(ADJECTIVES)} weitergearbeitet.",
        f"Besonders wichtig ist, dass {group} erlebt, dass jede Stimme zählt und Fragen erwünscht sind.",
    ]
    return rng.choice(patterns)


def paragraph(rng: random.Random, topics: list[str], count: int) -> str:
    sentences = [sentence(rng, topics) for _ in range(count)]
    i = rng.randrange(len(sentences))
    topic = rng.choice(topics)
    sentences[i] = sentences[i].replace(topic, f"**{topic}**", 1) if topic in sentences[i] else sentences[i]
    return "\n".join(textwrap.wrap(" ".join(sentences), 100))


def body(rng: random.Random, topics: list[str], partner_url: str) -> str:
    parts = [paragraph(rng, topics, 5), "## Ablauf"]
    steps = rng.sample(STEPS, rng.randint(4, 6))
    parts.append("\n".join(f"{n}. {step}" for n, step in enumerate(steps, 1)))
    parts.append(paragraph(rng, topics, rng.randint(5, 6)))
    if rng.random() < 0.15:
        parts.append("## Zeitplan")
        parts.append("| Zeit | Inhalt |\n|---|---|\n" + "\n".join(
            f"| {8 + n}:00 Uhr | {step} |" for n, step in enumerate(rng.sample(STEPS, 3))))
    parts.append(rng.choice(["## Was die Schule vorbereitet", "## Gut zu wissen", "## Nach dem Angebot"]))
    parts.append("\n".join(f"- {rng.choice(['Ein Raum', 'Ein Stuhlkreis', 'Eine Tafel', 'Ein Beamer'])} "
                           f"für {rng.choice(topics)}" for _ in range(rng.randint(2, 4))))
    last = paragraph(rng, topics, rng.randint(4, 5))
    if rng.random() < 0.5:
        last += f"\nMehr Material finden Sie [auf der Seite des Trägers]({partner_url}materialien/)."
    parts.append(last)
    return "\n\n".join(parts) + "\n"


# --- files --------------------------------------------------------------------------------------

def _vocab_keys() -> dict[str, list[str]]:
    data = yaml.safe_load((ROOT / "content" / "vocabularies.yaml").read_text(encoding="utf-8"))
    return {name: list(entry["values"]) for name, entry in data.items()}


def partner_count(n: int) -> int:
    return max(1, min(n, max(5, n // 25)))


def partner_file(j: int) -> tuple[str, str]:
    rng = random.Random(f"offerdb-partner-{j}")
    prefix, legal = rng.choice(PARTNER_KINDS)
    topic, district = rng.choice(PARTNER_TOPICS), rng.choice(DISTRICTS)
    name = f"{prefix} {topic} {district}"
    slug = f"{slugify(name)}-{j + 1}"
    host = f"p{j + 1}.example.org"
    summary = (f"Der Träger aus {district} bietet Schulen Projekte zu {topic} an und arbeitet seit vielen Jahren "
               "im Präventionsnetzwerk Chemnitz mit.")
    text = (
        "---\n"
        f"name: {scalar(name)}\n"
        f"legal_form: {legal}\n"
        f"summary: {scalar(summary)}\n"
        f"network_member: {rng.choice(['true', 'true', 'false'])}\n"
        "address:\n"
        f"  street: {rng.choice(STREETS)} {rng.randint(1, 120)}\n"
        f"  postal_code: \"09{rng.randint(100, 247)}\"\n"
        "  city: Chemnitz\n"
        "contact:\n"
        f"  email: schule@{host}\n"
        f"  phone: 0371 00000-{rng.randint(10, 99)}\n"
        f"  url: https://{host}/\n"
        "---\n"
        f"Der **{name}** arbeitet mit Kindern, Jugendlichen und Fachkräften in Chemnitz. Schwerpunkt ist "
        f"{topic}: in Projekttagen,\nWorkshops und Fortbildungen, die gemeinsam mit den Schulen geplant werden.\n\n"
        f"Das Team besteht aus pädagogischen Fachkräften und Ehrenamtlichen aus {district} und anderen "
        "Stadtteilen.\nAnfragen von Schulen beantwortet der Träger in der Regel innerhalb einer Woche.\n"
    )
    return slug, text


def offer_file(i: int, partners: list[str], keys: dict[str, list[str]]) -> tuple[str, str]:
    rng = random.Random(f"offerdb-offer-{i}")
    area = rng.choice(keys["prevention_areas"])
    areas = [area] + [a for a in AREA_ALLIES[area] if rng.random() < 0.35]
    topics = list(dict.fromkeys(t for a in areas for t in AREA_TOPICS[a]))  # "Grenzen" is in two areas
    fmt = rng.choice(keys["formats"])
    title = f"{rng.choice(TITLE_STARTS)} – {rng.choice(AREA_TOPICS[area])} im {cap(fmt)}"
    if fmt in ("projektwoche", "ausstellung", "beratung", "fortbildung", "theater"):
        title = f"{rng.choice(TITLE_STARTS)} – {rng.choice(AREA_TOPICS[area])}"
    slug = f"{slugify(title)[:70].strip('-')}-{i + 1}"
    partner_index = i % len(partners)
    partner = partners[partner_index]
    host = f"p{partner_index + 1}.example.org"
    status = "active"
    if i >= len(partners):  # every partner keeps at least one active offer, so no partner warning
        status = "paused" if i % 31 == 7 else "archived" if i % 47 == 11 else "active"
    grade_from = rng.randint(1, 11)
    grade_to = min(13, grade_from + rng.randint(1, 4))
    school_types = rng.sample(keys["school_types"], rng.randint(1, 3))
    reviewed = datetime.date(2025, 1, 1) + datetime.timedelta(days=rng.randint(0, 680))
    valid_until = reviewed + datetime.timedelta(days=3 * 365 + rng.randint(0, 300))
    updated = reviewed + datetime.timedelta(days=rng.randint(0, (TODAY - reviewed).days - 1))
    group_min = rng.randint(5, 15)
    summary = (f"Ein Angebot zu {rng.choice(topics)} und {rng.choice(topics)}, in dem {rng.choice(GROUPS)} "
               f"{rng.choice(ADJECTIVES)} eigene Antworten finden.")
    out = ["---", f"title: {scalar(title)}", f"summary: {scalar(summary)}",
           f"partner: {partner}", f"status: {status}", "prevention_areas:"]
    out += [f"  - {a}" for a in areas]
    out += ["prevention_levels:"] + [f"  - {v}" for v in rng.sample(keys["prevention_levels"], rng.randint(1, 2))]
    text = "\n".join(out) + "\n"
    text += folded("target_group", f"Klassen {grade_from} bis {grade_to}, in denen {rng.choice(topics)} ein "
                   f"Thema ist oder die sich vorbeugend mit {rng.choice(topics)} beschäftigen möchten. "
                   f"{sentence(rng, topics)}")
    text += "goals:\n" + "".join(
        f"  - {scalar(f'Die Teilnehmenden kennen Wege, mit {t} {rng.choice(PLACES)} umzugehen.')}\n"
        for t in rng.sample(topics, 3))
    text += "audiences:\n" + "".join(f"  - {a}\n" for a in rng.sample(keys["audiences"], rng.randint(1, 2)))
    if rng.random() < 0.9:
        text += f"grades:\n  from: {grade_from}\n  to: {grade_to}\n"
    else:
        text += f"age:\n  from: {grade_from + 5}\n  to: {grade_to + 6}\n"
    text += "school_types:\n" + "".join(f"  - {s}\n" for s in school_types)
    text += f"formats:\n  - {fmt}\n"
    text += f"duration:\n  minutes: {rng.choice([45, 90, 135, 180, 270])}\n  sessions: {rng.randint(1, 4)}\n"
    if rng.random() < 0.5:
        text += "  note: mit Pausen nach Absprache\n"
    text += f"group_size:\n  min: {group_min}\n  max: {group_min + rng.randint(5, 20)}\n"
    text += "venues:\n" + "".join(f"  - {v}\n" for v in rng.sample(keys["venues"], rng.randint(1, 2)))
    text += "languages:\n  - de\n" + "".join(f"  - {v}\n" for v in rng.sample(keys["languages"][1:], rng.randint(0, 2)))
    if rng.random() < 0.6:
        text += "cost:\n  free: true\n"
    else:
        text += (f"cost:\n  free: false\n  amount_eur: {rng.choice(['50', '120', '2,50', '180'])}\n"
                 "  note: pro Klasse; eine Förderung über das Schulbudget ist möglich\n")
    text += folded("theoretical_basis", f"{rng.choice(BASES)}; ergänzend {rng.choice(BASES)}. "
                   f"{sentence(rng, topics)}")
    text += "methods:\n" + "".join(f"  - {cap(m)}\n" for m in rng.sample(METHODS, rng.randint(2, 5)))
    text += folded("staff_qualification", f"Zwei {rng.choice(QUALIFICATIONS)}.")
    kind = rng.choice(keys["evaluation_kinds"])
    text += f"evaluation:\n  kind: {kind}\n"
    if kind != "keine":
        text += folded("description", "Nach jedem Termin geben Teilnehmende und Lehrkraft eine kurze "
                       "Rückmeldung; die Ergebnisse werden jährlich ausgewertet.", "  ")
    text += "school_cooperation:\n"
    text += folded("preparation", "Vorgespräch mit der Klassenleitung zu Anlass, Klassensituation und "
                   f"Wünschen zu {rng.choice(topics)}, etwa zwei Wochen vorher.", "  ")
    text += folded("follow_up", "Auswertungsgespräch mit der Lehrkraft und Vorschläge für eine "
                   "Folgestunde im Unterricht.", "  ")
    if rng.random() < 0.5:
        subject = rng.choice(keys["subjects"])
        text += f"curriculum:\n  - subject: {subject}\n    grades:\n      from: {grade_from}\n      to: {grade_to}\n"
    text += (f"contact:\n  name: Projektkoordination Schulen\n  email: angebot{i + 1}@{host}\n"
             f"  phone: 0371 00000-{rng.randint(10, 99)}\n")
    if rng.random() < 0.5:
        text += f"  url: https://{host}/angebote/{i + 1}/\n"
    text += f"booking:\n  lead_time_weeks: {rng.randint(2, 12)}\n"
    text += (f"quality_seal:\n  reviewed_on: {reviewed.isoformat()}\n"
             "  reviewed_by: Steuerungsgruppe Präventionsnetzwerk Chemnitz\n"
             f"  valid_until: {valid_until.isoformat()}\n")
    text += f"last_updated: {updated.isoformat()}\n"
    if rng.random() < 0.6:
        text += "keywords:\n" + "".join(f"  - {scalar(k)}\n" for k in rng.sample(topics, 2))
    text += "---\n" + body(rng, topics, f"https://{host}/")
    return slug, text


SITE_YAML = """\
# Generated by benchmarks/generate.py: settings for a benchmark content folder.
title: Präventionsangebote (Benchmark mit {n} Angeboten)
description: Erzeugte Präventionsangebote für Messungen der Bauzeit – Inhalte sind erfunden.
base_url: https://praevention.example.org/
operator: Externe Koordinierungsstelle der Chemnitzer Partnerschaft für Demokratie
review:
  warn_days_before_expiry: 60
"""


def generate(n: int, out_dir: Path | str) -> tuple[Path, Path]:
    """Write N offers and their partners, pages, vocabularies and help contacts under `out_dir`; returns (content dir,
    site.yaml). Replaces only what it writes: out_dir/content/ and out_dir/site.yaml."""
    if n < 1:
        raise ValueError("n must be at least 1")
    out_dir = Path(out_dir)
    content = out_dir / "content"
    if content.exists():
        shutil.rmtree(content)
    (content / "offers").mkdir(parents=True)
    (content / "partners").mkdir()
    shutil.copytree(ROOT / "content" / "pages", content / "pages")
    if (ROOT / "content" / "medien").is_dir():
        shutil.copytree(ROOT / "content" / "medien", content / "medien")
    shutil.copy2(ROOT / "content" / "vocabularies.yaml", content / "vocabularies.yaml")
    shutil.copy2(ROOT / "content" / "hilfe.yaml", content / "hilfe.yaml")
    keys = _vocab_keys()
    partners = []
    for j in range(partner_count(n)):
        slug, text = partner_file(j)
        (content / "partners" / f"{slug}.md").write_text(text, encoding="utf-8")
        partners.append(slug)
    for i in range(n):
        slug, text = offer_file(i, partners, keys)
        (content / "offers" / f"{slug}.md").write_text(text, encoding="utf-8")
    config = out_dir / "site.yaml"
    config.write_text(SITE_YAML.format(n=n), encoding="utf-8")
    return content, config


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--offers", type=int, required=True, help="number of offers")
    parser.add_argument("out_dir", type=Path, help="folder to write content/ and site.yaml into")
    args = parser.parse_args(argv)
    content, config = generate(args.offers, args.out_dir)
    print(f"{args.offers} offers, {partner_count(args.offers)} partners -> {content} (config {config})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
