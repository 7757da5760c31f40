"""Typed, immutable models of the site, built only from validated records."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from . import markdown, schema
from .cache import MEMORY, FileCache, digest
from .config import Settings
from .validation import Record, Validated, is_live


@dataclass(frozen=True)
class Term:
    key: str
    label: str
    description: str = ""


@dataclass(frozen=True)
class Vocabulary:
    name: str
    label: str
    description: str
    terms: dict[str, Term]

    def pick(self, keys: list[str]) -> tuple[Term, ...]:
        return tuple(self.terms[k] for k in keys)


@dataclass(frozen=True)
class Range:
    low: int
    high: int

    def __str__(self) -> str:
        return str(self.low) if self.low == self.high else f"{self.low}–{self.high}"


@dataclass(frozen=True)
class Contact:
    name: str = ""
    email: str = ""
    phone: str = ""
    url: str = ""

    @property
    def phone_text(self) -> str:
        """The number as written, but never broken across lines (no-break space, non-breaking hyphen)."""
        return self.phone.replace(" ", "\u00a0").replace("-", "\u2011")

    @property
    def tel_href(self) -> str:
        """tel: URI for a German number written with spaces, slashes or a leading 0."""
        digits = "".join(c for c in self.phone if c.isdigit() or c == "+")
        return "tel:" + ("+49" + digits[1:] if digits.startswith("0") and not digits.startswith("00") else digits)


@dataclass(frozen=True)
class Cost:
    free: bool
    amount_eur: Decimal | None
    note: str

    @property
    def amount_text(self) -> str:
        """German money format: 1234.5 -> "1.234,50 €", whole amounts without cents."""
        if self.amount_eur is None:
            return ""
        if self.amount_eur == self.amount_eur.to_integral_value():
            text = f"{int(self.amount_eur):,}"
        else:
            text = f"{self.amount_eur:,.2f}"
        return text.replace(",", "\0").replace(".", ",").replace("\0", ".") + " €"


@dataclass(frozen=True)
class Seal:
    reviewed_on: datetime.date
    reviewed_by: str
    valid_until: datetime.date
    criteria: tuple[Term, ...] = ()  # the network's quality criteria the steering group found met


@dataclass(frozen=True)
class GreenList:
    """A listing in the Grüne Liste Prävention: its evidence level and the entry's address."""

    level: Term
    url: str


@dataclass(frozen=True)
class CurriculumLink:
    subject: Term
    grades: Range | None
    note: str


@dataclass(frozen=True)
class Partner:
    slug: str
    name: str
    short_name: str
    legal_form: str
    summary: str
    network_member: bool
    street: str
    postal_code: str
    city: str
    contact: Contact
    body_html: str
    source: str = field(default="", compare=False, repr=False)  # _source(): what keys of pages show it


@dataclass(frozen=True)
class Offer:
    slug: str
    title: str
    summary: str
    partner: Partner
    status: str
    status_label: str
    prevention_areas: tuple[Term, ...]
    prevention_levels: tuple[Term, ...]
    target_group: str
    goals: tuple[str, ...]
    audiences: tuple[Term, ...]
    grades: Range | None
    age: Range | None
    school_types: tuple[Term, ...]
    formats: tuple[Term, ...]
    duration_minutes: int
    duration_sessions: int
    duration_note: str
    group_size: Range
    group_size_note: str
    venues: tuple[Term, ...]
    languages: tuple[Term, ...]
    cost: Cost
    theoretical_basis: str
    methods: tuple[str, ...]
    staff_qualification: str
    evaluation: Term
    evaluation_description: str
    preparation: str
    follow_up: str
    curriculum: tuple[CurriculumLink, ...]
    contact: Contact
    booking_lead_time_weeks: int
    booking_note: str
    seal: Seal
    last_updated: datetime.date
    keywords: tuple[str, ...]
    body_html: str
    green_list: GreenList | None = None
    source: str = field(default="", compare=False, repr=False)  # _source(): what keys of pages show it

    @property
    def bookable(self) -> bool:
        return self.status == "active"

    @property
    def evidence_levels(self) -> tuple[Term, ...]:
        """The Grüne Liste level as a tuple, like the other vocabulary fields a facet reads."""
        return (self.green_list.level,) if self.green_list else ()


@dataclass(frozen=True)
class Video:
    file: str
    captions: str
    title: str
    duration: str  # "M:SS" as the editor wrote it
    size_bytes: int

    @property
    def size_text(self) -> str:
        """German size for the download link: "12,4 MB"."""
        return f"{self.size_bytes / 1_000_000:.1f}".replace(".", ",") + " MB"

    @property
    def duration_text(self) -> str:
        minutes, seconds = self.duration.split(":")
        return f"{int(minutes)} Min. {int(seconds)} Sek." if int(seconds) else f"{int(minutes)} Min."


@dataclass(frozen=True)
class Page:
    slug: str
    title: str
    summary: str
    last_updated: datetime.date | None
    body_html: str
    video: Video | None = None


@dataclass
class Site:
    settings: Settings
    today: datetime.date
    vocabularies: dict[str, Vocabulary]
    offers: list[Offer]  # published offers, sorted by title
    partners: list[Partner]  # sorted by name
    pages: dict[str, Page]
    media: dict[str, bytes] = field(default_factory=dict)  # files under /medien/, only those pages use
    vocabulary_data: dict[str, Any] = field(default_factory=dict)  # as read, for the editors' field guide
    # Partner slug -> its published offers, in the order of `offers`. Kept here rather than on Partner, so
    # a partner object is immutable and can be reused by the next build (`build_site`'s cache).
    offers_by_partner: dict[str, list[Offer]] = field(default_factory=dict)


def _vocabularies(raw: dict[str, Any]) -> dict[str, Vocabulary]:
    return {
        name: Vocabulary(name, v["label"], v.get("description", ""),
                         {k: Term(k, t["label"], t.get("description", "")) for k, t in v["values"].items()})
        for name, v in raw.items()
    }


def _range(value: dict[str, int] | None) -> Range | None:
    return Range(value["from"], value["to"]) if value else None


def _date(text: str) -> datetime.date:
    parsed = schema.parse_date(text)
    assert parsed is not None  # validated
    return parsed


def _contact(value: dict[str, str]) -> Contact:
    return Contact(value.get("name", ""), value.get("email", ""), value.get("phone", ""), value.get("url", ""))


def _source(record: Record) -> str:
    """The file's name (its address on the site) and the hash of its bytes: a file renamed without a change
    moves to another address, and every page linking it must be made again."""
    return f"{record.slug} {record.document.source}"


# How far editors' headings move down, by kind of file: an offer's description sits under an h2 on its page.
HEADING_OFFSET = {"offer": 1, "partner": 0, "page": 0}


def _partner(record: Record) -> Partner:
    v = record.values
    return Partner(
        slug=record.slug, name=v["name"], short_name=v.get("short_name", ""), legal_form=v.get("legal_form", ""),
        summary=v["summary"], network_member=v["network_member"], street=v["address"]["street"],
        postal_code=v["address"]["postal_code"], city=v["address"]["city"], contact=_contact(v["contact"]),
        body_html=markdown.render(record.document.body, HEADING_OFFSET["partner"]), source=_source(record),
    )


def _offer(record: Record, partner: Partner, vocab: dict[str, Vocabulary]) -> Offer:
    v = record.values
    status_labels = schema.load("offer")["properties"]["status"]["x-labels"]
    cost = v["cost"]
    return Offer(
        slug=record.slug, title=v["title"], summary=v["summary"], partner=partner,
        status=v["status"], status_label=status_labels[v["status"]],
        prevention_areas=vocab["prevention_areas"].pick(v["prevention_areas"]),
        prevention_levels=vocab["prevention_levels"].pick(v["prevention_levels"]),
        target_group=v["target_group"], goals=tuple(v["goals"]),
        audiences=vocab["audiences"].pick(v["audiences"]),
        grades=_range(v.get("grades")), age=_range(v.get("age")),
        school_types=vocab["school_types"].pick(v["school_types"]),
        formats=vocab["formats"].pick(v["formats"]),
        duration_minutes=v["duration"]["minutes"], duration_sessions=v["duration"]["sessions"],
        duration_note=v["duration"].get("note", ""),
        group_size=Range(v["group_size"]["min"], v["group_size"]["max"]),
        group_size_note=v["group_size"].get("note", ""),
        venues=vocab["venues"].pick(v["venues"]), languages=vocab["languages"].pick(v["languages"]),
        cost=Cost(cost["free"], cost.get("amount_eur"), cost.get("note", "")),
        theoretical_basis=v["theoretical_basis"], methods=tuple(v["methods"]),
        staff_qualification=v["staff_qualification"],
        evaluation=vocab["evaluation_kinds"].terms[v["evaluation"]["kind"]],
        evaluation_description=v["evaluation"].get("description", ""),
        preparation=v["school_cooperation"]["preparation"], follow_up=v["school_cooperation"]["follow_up"],
        curriculum=tuple(CurriculumLink(vocab["subjects"].terms[c["subject"]], _range(c.get("grades")),
                                        c.get("note", "")) for c in v.get("curriculum", [])),
        contact=_contact(v["contact"]),
        booking_lead_time_weeks=v["booking"]["lead_time_weeks"], booking_note=v["booking"].get("note", ""),
        seal=Seal(_date(v["quality_seal"]["reviewed_on"]), v["quality_seal"]["reviewed_by"],
                  _date(v["quality_seal"]["valid_until"]),
                  vocab["quality_criteria"].pick(v["quality_seal"].get("criteria", []))),
        green_list=GreenList(vocab["evidence_levels"].terms[v["green_list"]["level"]], v["green_list"]["url"])
        if "green_list" in v else None,
        last_updated=_date(v["last_updated"]), keywords=tuple(v.get("keywords", [])),
        body_html=markdown.render(record.document.body, HEADING_OFFSET["offer"]), source=_source(record),
    )


def _page(record: Record, media: dict[str, bytes]) -> Page:
    v = record.values
    updated = v.get("last_updated")
    video = v.get("video")
    return Page(record.slug, v["title"], v["summary"], _date(updated) if updated else None,
                markdown.render(record.document.body, HEADING_OFFSET["page"]),
                Video(video["file"], video.get("captions", ""), video["title"], video["duration"],
                      len(media[video["file"]])) if video else None)


def _media(records: list[Record], media_dir: Path) -> dict[str, bytes]:
    names = {r.values["video"][key] for r in records if "video" in r.values
             for key in ("file", "captions") if key in r.values["video"]}
    return {name: (media_dir / name).read_bytes() for name in sorted(names)}


def _reused(cache: FileCache | None, key: tuple[Any, ...], inputs: tuple[Any, ...]) -> Any | None:
    """The model cached under `key` if it was made from exactly these input objects. The cache keeps the
    inputs alive, so their ids in `key` are not reused; the loader and validation hand out the same
    objects again only for the same bytes, vocabularies and day."""
    found = cache.get(key) if cache is not None else None
    if found is not None and all(a is b for a, b in zip(found[0], inputs, strict=True)):
        return found[1]
    return None


def build_site(validated: Validated, settings: Settings, today: datetime.date, media_dir: Path | None = None,
               cache: FileCache | None = MEMORY) -> Site:
    """Models for everything that is published: archived offers and expired seals are left out. With a
    cache (by default this process's memory), a rebuild makes new models only for changed files."""
    assert validated.ok
    live = [r for r in validated.records["offer"] if is_live(r.values, today)]
    vocab_key = digest(repr(validated.vocabularies).encode())
    vocab = _reused(cache, ("vocabularies", vocab_key), ())
    if vocab is None:
        vocab = _vocabularies(validated.vocabularies)
        if cache is not None:
            cache.put(("vocabularies", vocab_key), ((), vocab))
    partner_keys = {r.slug: ("partner", id(r.document)) for r in validated.records["partner"]}
    partners = {r.slug: _reused(cache, partner_keys[r.slug], (r.document,)) for r in validated.records["partner"]}
    offers: list[Offer | None] = []
    for r in live:
        partner = partners[r.values["partner"]]
        # A changed partner is a new object (None until made below), so its offers are made anew too.
        key = ("offer", id(r.document), id(partner) if partner is not None else None, vocab_key)
        offers.append(_reused(cache, key, (r.document, partner)) if partner is not None else None)
    # Every Markdown text still to render at once, on all cores; the render() calls below are cache hits.
    markdown.prerender([(r.document.body, HEADING_OFFSET["partner"]) for r in validated.records["partner"]
                        if partners[r.slug] is None]
                       + [(r.document.body, HEADING_OFFSET["offer"]) for r, o in zip(live, offers, strict=True)
                          if o is None]
                       + [(r.document.body, HEADING_OFFSET["page"]) for r in validated.records["page"]])
    for r in validated.records["partner"]:
        if partners[r.slug] is None:
            partners[r.slug] = partner = _partner(r)
            if cache is not None:
                cache.put(partner_keys[r.slug], ((r.document,), partner))
    for i, r in enumerate(live):
        if offers[i] is None:
            partner = partners[r.values["partner"]]
            offers[i] = offer = _offer(r, partner, vocab)
            if cache is not None:
                cache.put(("offer", id(r.document), id(partner), vocab_key), ((r.document, partner), offer))
    published = sorted(offers, key=lambda o: (o.title.casefold(), o.slug))
    by_partner: dict[str, list[Offer]] = {slug: [] for slug in partners}
    for offer in published:
        by_partner[offer.partner.slug].append(offer)
    media = _media(validated.records["page"], media_dir) if media_dir else {}
    pages = {r.slug: _page(r, media) for r in validated.records["page"]}
    return Site(settings, today, vocab, published,
                sorted(partners.values(), key=lambda p: (p.name.casefold(), p.slug)),
                pages, media, validated.vocabularies, by_partner)
