"""Typed, immutable models of the site, built only from validated records."""

from __future__ import annotations

import datetime
import os
import stat
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, NamedTuple

from . import markdown, placeholders, schema
from .memory import Memory, digest
from .config import Settings
from .loading import READ_FLAGS, special_file_problem
from .problems import Problem, error
from .validation import MEDIA_DIR, Record, Validated


@dataclass(frozen=True)
class Term:
    key: str
    label: str
    description: str = ""
    aliases: tuple[str, ...] = ()  # more words that name it in a search (`aliases` in vocabularies.yaml)


@dataclass(frozen=True)
class Vocabulary:
    name: str
    label: str
    description: str
    terms: dict[str, Term]
    filter_label: str = ""  # its filter's name on the list page (`filter` in vocabularies.yaml, else `label`)

    def pick(self, keys: list[str]) -> tuple[Term, ...]:
        return tuple(self.terms[k] for k in keys)


@dataclass(frozen=True)
class Facet:
    """A filter of the offer list. The one table of them (`FACETS`) serves the list page, the catalogue the
    browser loads (daten/katalog.json) and list.js, which reads `param` and `key` from the page."""

    param: str  # URL parameter: German, because teachers share these links
    key: str  # key in daten/katalog.json
    vocabulary: str  # gives the values and the filter's name; also the Offer attribute with the offer's terms
    # A word of the search that names one of its values (label, key or alias) sets this filter instead
    # ("Mobbing Grundschule" -> the search "Mobbing" for primary schools). Off where names are also topics
    # or subjects a teacher searches as text ("Mobbing", "Deutsch").
    in_query: bool = False


FACETS = (
    Facet("bereich", "area", "prevention_areas"),
    Facet("schulart", "school_type", "school_types", in_query=True),
    Facet("format", "format", "formats", in_query=True),
    Facet("zielgruppe", "audience", "audiences", in_query=True),
    Facet("ort", "venue", "venues", in_query=True),
    Facet("sprache", "language", "languages"),
    Facet("wirksamkeit", "evidence", "evidence_levels"),
)


@dataclass(frozen=True)
class Range:
    low: int
    high: int

    def __str__(self) -> str:
        return str(self.low) if self.low == self.high else f"{self.low}–{self.high}"


def phone_text(number: str) -> str:
    """The number as written, but never broken across lines (no-break space, non-breaking hyphen)."""
    return number.replace(" ", "\u00a0").replace("-", "\u2011")


def tel_href(number: str) -> str:
    """tel: URI for a German number written with spaces, slashes or a leading 0; short numbers such as 110 or
    116 111 stay as they are (tel:110, tel:116111)."""
    digits = "".join(c for c in number if c.isdigit() or c == "+")
    return "tel:" + ("+49" + digits[1:] if digits.startswith("0") and not digits.startswith("00") else digits)


@dataclass(frozen=True)
class Contact:
    name: str = ""
    email: str = ""
    phone: str = ""
    url: str = ""

    @property
    def phone_text(self) -> str:
        return phone_text(self.phone)

    @property
    def tel_href(self) -> str:
        return tel_href(self.phone)


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
    # What an offer is made of: its source and its partner's, which the keys of the pages, the search terms
    # and the data files name for it (made once with the model, not per page of every rebuild).
    files: tuple[str, str] = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "files", (self.source, self.partner.source))

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


@dataclass(frozen=True)
class Phone:
    number: str  # as written; a placeholder such as "[Bitte prüfen: …]" until the office confirms it
    label: str = ""

    @property
    def dialable(self) -> bool:
        return not placeholders.is_placeholder(self.number)

    @property
    def text(self) -> str:
        return phone_text(self.number) if self.dialable else self.number

    @property
    def href(self) -> str:
        """The tel: link, or "" for a placeholder, which is shown as text and never dialled."""
        return tel_href(self.number) if self.dialable else ""


@dataclass(frozen=True)
class HelpContact:
    """A counselling or emergency contact from content/hilfe.yaml."""

    key: str  # the contact's name in the file; its anchor on /hilfe/ is "kontakt-<key>"
    name: str
    helps_with: str
    audiences: tuple[Term, ...]
    phones: tuple[Phone, ...]
    hours: str
    url: str
    anonymous: bool
    free: bool
    cost_note: str
    emergency: bool
    prevention_areas: tuple[Term, ...]
    keywords: tuple[str, ...]
    note: str

    @property
    def anchor(self) -> str:
        return f"kontakt-{self.key}"


@dataclass(frozen=True)
class Help:
    """Every contact of content/hilfe.yaml in file order, and which of them a page about some areas shows."""

    last_updated: datetime.date | None
    contacts: tuple[HelpContact, ...]

    @property
    def emergency(self) -> tuple[HelpContact, ...]:
        return tuple(c for c in self.contacts if c.emergency)

    @property
    def counselling(self) -> tuple[HelpContact, ...]:
        return tuple(c for c in self.contacts if not c.emergency)

    def for_areas(self, keys: Any) -> tuple[HelpContact, ...]:
        """The counselling contacts linked to any of the area keys (emergency numbers are shown to all)."""
        wanted = set(keys)
        return tuple(c for c in self.counselling if any(t.key in wanted for t in c.prevention_areas))


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
    # a partner object is immutable and can be reused by the next build (`build_site`'s memory).
    offers_by_partner: dict[str, list[Offer]] = field(default_factory=dict)
    help: Help = field(default_factory=lambda: Help(None, ()))


def _vocabularies(raw: dict[str, Any]) -> dict[str, Vocabulary]:
    return {
        name: Vocabulary(name, v["label"], v.get("description", ""),
                         {k: Term(k, t["label"], t.get("description", ""), tuple(t.get("aliases", ())))
                          for k, t in v["values"].items()},
                         v.get("filter", v["label"]))
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


def _partner(record: Record, memory: Memory) -> Partner:
    v = record.values
    return Partner(
        slug=record.slug, name=v["name"], short_name=v.get("short_name", ""), legal_form=v.get("legal_form", ""),
        summary=v["summary"], network_member=v["network_member"], street=v["address"]["street"],
        postal_code=v["address"]["postal_code"], city=v["address"]["city"], contact=_contact(v["contact"]),
        body_html=markdown.render(record.document.body, HEADING_OFFSET["partner"], memory), source=_source(record),
    )


def _offer(record: Record, partner: Partner, vocab: dict[str, Vocabulary], memory: Memory) -> Offer:
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
        body_html=markdown.render(record.document.body, HEADING_OFFSET["offer"], memory), source=_source(record),
    )


def _page(record: Record, media: dict[str, bytes], memory: Memory) -> Page:
    v = record.values
    updated = v.get("last_updated")
    video = v.get("video")
    return Page(record.slug, v["title"], v["summary"], _date(updated) if updated else None,
                markdown.render(record.document.body, HEADING_OFFSET["page"], memory),
                Video(video["file"], video.get("captions", ""), video["title"], video["duration"],
                      len(media[video["file"]])) if video else None)


class MediaError(Exception):
    """A media file that validation accepted could not be read when the site was built (it was changed in
    between); `problem` says which and why, in German."""

    def __init__(self, problem: Problem):
        super().__init__(problem.message)
        self.problem = problem


def _help(record: Record, vocab: dict[str, Vocabulary]) -> Help:
    audience_labels = schema.at("help", ("contacts", "", "audiences", 0))["x-labels"]
    contacts = []
    for key, v in record.values["contacts"].items():
        contacts.append(HelpContact(
            key=key, name=v["name"], helps_with=v["helps_with"],
            audiences=tuple(Term(a, audience_labels[a]) for a in v["audiences"]),
            phones=tuple(Phone(p["number"], p.get("label", "")) for p in v["phones"]),
            hours=v["hours"], url=v.get("url", ""), anonymous=v["anonymous"], free=v["free"],
            cost_note=v.get("cost_note", ""), emergency=v.get("emergency", False),
            prevention_areas=vocab["prevention_areas"].pick(v.get("prevention_areas", [])),
            keywords=tuple(v.get("keywords", [])), note=v.get("note", "")))
    return Help(_date(record.values["last_updated"]), tuple(contacts))


def _media(records: list[Record], media_dir: Path) -> dict[str, bytes]:
    names = {r.values["video"][key] for r in records if "video" in r.values
             for key in ("file", "captions") if key in r.values["video"]}
    return {name: _read_media(media_dir / name, name) for name in sorted(names)}


def _read_media(path: Path, name: str) -> bytes:
    """Validation made sure the file is a regular one this process can read. Opened without blocking and
    checked again, so a FIFO or device put there since fails instead of hanging the build."""
    file = f"{path.parent.parent.name}/{MEDIA_DIR}/{name}"
    try:
        fd = os.open(path, READ_FLAGS)
        with open(fd, "rb") as f:  # closes fd
            status = os.fstat(fd)
            if not stat.S_ISREG(status.st_mode):
                raise MediaError(special_file_problem(file, status.st_mode))
            return f.read()
    except OSError as exc:
        raise MediaError(error(file, 1, 1, "media-unreadable", "",
                               f"Die Datei kann nicht gelesen werden ({exc.strerror}).")) from exc


class ModelKeys(NamedTuple):
    """Where a memory keeps each model, by the names and hashes of the files it is made of: the vocabularies;
    a partner by its file; a published offer by its file, its partner's file and the vocabularies (its
    labels), so a changed partner file makes its offers anew. `live`: the published offers' records."""

    vocabularies: tuple[str, str]
    partners: dict[str, tuple[str, str, str]]
    offers: list[tuple[Any, ...]]
    live: list[Record]


def model_keys(validated: Validated) -> ModelKeys:
    vocab_key = ("vocabularies", digest(repr(validated.vocabularies).encode()))
    live = [r for r in validated.records["offer"] if r.live]
    partner_keys = {r.slug: ("partner", r.document.file, r.document.source) for r in validated.records["partner"]}
    offer_keys = [("offer", r.document.file, r.document.source, partner_keys[r.values["partner"]][1:], vocab_key[1])
                  for r in live]
    return ModelKeys(vocab_key, partner_keys, offer_keys, live)


def texts_to_render(validated: Validated, keys: ModelKeys, memory: Memory) -> list[tuple[str, int]]:
    """The Markdown (text, heading offset) that `build_site` with `memory` will render: the bodies of the
    partners and offers whose models it does not remember, and of the pages. The pipeline renders them on
    both cores first, so `build_site`'s own calls find them in `memory`."""
    texts = [(r.document.body, HEADING_OFFSET["partner"]) for r in validated.records["partner"]
             if memory.get(keys.partners[r.slug]) is None]
    texts += [(r.document.body, HEADING_OFFSET["offer"]) for r, key in zip(keys.live, keys.offers, strict=True)
              if memory.get(key) is None]
    texts += [(r.document.body, HEADING_OFFSET["page"]) for r in validated.records["page"]]
    return [text for text in texts if memory.get(markdown.key(*text)) is None]


def build_site(validated: Validated, settings: Settings, today: datetime.date, media_dir: Path | None = None,
               memory: Memory | None = None, keys: ModelKeys | None = None) -> Site:
    """Models for everything that is published: archived offers and expired seals are left out. A model whose
    files (and, for an offer, the vocabularies) `memory` has seen is taken from it; a fresh memory makes all.
    `keys`: `model_keys` for the same records and day, if the caller has them already."""
    assert validated.ok
    memory = Memory() if memory is None else memory
    vocab_key, partner_keys, offer_keys, live = keys or model_keys(validated)
    vocab = memory.get(vocab_key)
    if vocab is None:
        vocab = _vocabularies(validated.vocabularies)
        memory.put(vocab_key, vocab)
    partners = {slug: memory.get(key) for slug, key in partner_keys.items()}
    offers: list[Offer | None] = [memory.get(key) for key in offer_keys]
    for r in validated.records["partner"]:
        if partners[r.slug] is None:
            partners[r.slug] = partner = _partner(r, memory)
            memory.put(partner_keys[r.slug], partner)
    for i, r in enumerate(live):
        if offers[i] is None:
            offers[i] = offer = _offer(r, partners[r.values["partner"]], vocab, memory)
            memory.put(offer_keys[i], offer)
    published = sorted(offers, key=lambda o: (o.title.casefold(), o.slug))
    by_partner: dict[str, list[Offer]] = {slug: [] for slug in partners}
    for offer in published:
        by_partner[offer.partner.slug].append(offer)
    media = _media(validated.records["page"], media_dir) if media_dir else {}
    pages = {r.slug: _page(r, media, memory) for r in validated.records["page"]}
    return Site(settings, today, vocab, published,
                sorted(partners.values(), key=lambda p: (p.name.casefold(), p.slug)),
                pages, media, validated.vocabularies, by_partner, _help(validated.records["help"][0], vocab))
