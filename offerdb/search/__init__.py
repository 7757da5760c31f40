"""Full-text search: a lunr 2.3.9 index with lunr-languages' German pipeline, built at build time.

`build_search(site)` returns the files to publish: the search data under daten/suche/ in small files
(shards.py) and the browser scripts from node_modules under assets/suche/ (with deterministic .gz copies).
templates/assets/search.js loads the scripts and the manifest the first time a visitor searches, then per
query only the files its terms need, and applies the same German rules (german.py) to the query.
"""

from __future__ import annotations

import gzip
import html
import json
import re
from collections.abc import Iterable
from pathlib import Path

from ..memory import Memory, digest
from .. import exports, rendering
from ..models import FACETS, Offer, Site
from . import german, lunr_index, shards, terms

ROOT = Path(__file__).resolve().parents[2]
NODE_MODULES = ROOT / "node_modules"

# Field, boost. Chosen by measurement when the search was added: the body triples the index, and with a separate
# field per front-matter key every posting repeats once per field. Three fields keep a title hit above a
# description hit and the data for 1,000 offers under the 250 KB (gzip) target.
FIELDS = (("title", 10), ("text", 3), ("body", 1))

# The browser's search library as one published script: lunr, lunr-languages' stemmer support and German, in this
# order (each needs the one before). One file instead of three: a slow school network pays one request, and
# search.js has no order of injected scripts to keep.
# The versions are part of the name because assets/ may be cached for a year; search.js names the same path
# (tests/test_search_index.py keeps them in step).
LUNR_SCRIPT = "assets/suche/lunr-{lunr}-de-{lunr-languages}.js"
LUNR_PARTS = (("lunr", "lunr.min.js"), ("lunr-languages", "lunr.stemmer.support.js"), ("lunr-languages", "lunr.de.js"))

_TAG = re.compile(r"<[^>]+>")


class SearchError(Exception):
    pass


def plain_text(body_html: str) -> str:
    """Text of sanitized HTML (markdown.render output): tags become spaces so words do not run together."""
    return html.unescape(_TAG.sub(" ", body_html))


def _text_field(offer: Offer) -> str:
    return "\n".join([offer.summary, *offer.keywords, *(a.label for a in offer.prevention_areas), offer.partner.name,
                      offer.partner.short_name, offer.target_group, *offer.goals, *offer.methods])


def offer_fields(offer: Offer) -> dict[str, str]:
    """What a teacher would search, grouped into the index fields."""
    return {"title": offer.title, "text": _text_field(offer), "body": plain_text(offer.body_html)}


lexicon = terms.lexicon


def tokenize(documents: Iterable[tuple[str, dict[str, str]]]) -> list[tuple[str, dict[str, list[str]]]]:
    """german.words for every field, and after a compound its parts that are words of the content or of
    wortteile.txt, so "Prävention" finds "Gewaltprävention". Each distinct word is expanded once.
    The plain form of what `build_search` computes (through terms.field_counts, cached); tests compare both."""
    split = [(ref, {name: german.raw_words(value) for name, value in fields.items()}) for ref, fields in documents]
    distinct = {word for _, fields in split for raw in fields.values() for word in raw}
    bases = {word: german.masculine(word) for word in distinct}
    dictionary = terms.dictionary_of(distinct, bases.values())
    expansion = {word: terms.expand(word, bases[word], dictionary) for word in distinct}
    return [(ref, {name: [t for word in raw for t in expansion[word]] for name, raw in fields.items()})
            for ref, fields in split]


def index_documents(site: Site) -> list[tuple[str, dict[str, str]]]:
    return [(offer.slug, offer_fields(offer)) for offer in site.offers]


def collect(documents: Iterable[tuple[str, dict[str, str]]]) -> lunr_index.Postings:
    return lunr_index.collect(tokenize(documents), FIELDS)


# gzip level 9 costs 16 times the time of level 6 on the index of 10,000 offers (3.9 s against 0.24 s) for a
# file 6 % smaller (836 KB against 886 KB); below GZIP_BEST_BELOW bytes it takes milliseconds (docs/performance.md,
# "Search index stage").
GZIP_BEST_BELOW = 256 * 1024


def gzipped(data: bytes) -> bytes:
    """Deterministic gzip (mtime 0): level 9 for small files (the scripts, the index of a few hundred offers),
    zlib's default level 6 above."""
    return gzip.compress(data, compresslevel=9 if len(data) < GZIP_BEST_BELOW else 6, mtime=0)


def script_files(node_modules: Path = NODE_MODULES) -> dict[str, bytes]:
    if not (node_modules / "lunr").is_dir() or not (node_modules / "lunr-languages").is_dir():
        raise SearchError(f"Die Suchbibliotheken lunr und lunr-languages fehlen in {node_modules}. "
                          "Bitte zuerst „make deps“ ausführen.")
    versions = {name: json.loads((node_modules / name / "package.json").read_text(encoding="utf-8"))["version"]
                for name in ("lunr", "lunr-languages")}
    path = LUNR_SCRIPT.replace("{lunr-languages}", versions["lunr-languages"]).replace("{lunr}", versions["lunr"])
    parts = []
    for package, file in LUNR_PARTS:
        data = (node_modules / package / file).read_bytes()
        parts.append(data if file.endswith(".min.js") else rendering.minified_script(data))
    # Each part is a complete statement; a semicolon on its own line ends it whatever its last character.
    return {path: b"\n;".join(part.rstrip() for part in parts) + b"\n"}


_WRITER = ("search-shards", terms.RULES)


def build_search(site: Site, memory: Memory | None = None) -> dict[str, bytes]:
    """Files to publish, paths relative to the site root: the lunr scripts and the search data in small files
    (shards.py), named in daten/suche/manifest.json.

    Each offer's term counts come from `memory` when the same files were indexed before, so a rebuild after
    one changed offer tokenizes only that offer. The bytes are the same with or without memory."""
    files = script_files()
    for path in list(files):
        files[path + ".gz"] = gzipped(files[path])
    offers = site.offers
    # An offer's index fields are made of its file, its partner's file (Offer.files) and the vocabularies'
    # labels (part of `source`), so these key its term counts: no field text is needed for an offer seen before.
    labels = digest(repr(site.vocabulary_data).encode())
    keys = [offer.files for offer in offers]
    counts = terms.field_counts(keys, lambda i: tuple(offer_fields(offers[i]).values()), memory,
                                source=f"offer-files {labels}", digests=keys)
    slugs = tuple(offer.slug for offer in offers)
    numbered = memory.get(("search-numbering", slugs)) if memory is not None else None
    if numbered is None:
        numbered = shards.numbering(slugs)
        if memory is not None:
            memory.put(("search-numbering", slugs), numbered)
    order, sizes = numbered
    writer = memory.get(_WRITER) if memory is not None else None
    if writer is None:
        writer = shards.IndexWriter()
        if memory is not None:
            memory.put(_WRITER, writer)
    index, index_part = writer.write([counts[i] for i in order], len(FIELDS))
    version = shards.numbering_version([slugs[i] for i in order])
    catalog, catalog_part = shards.catalog_files(_offer_rows(site, order, labels, memory), order, sizes, version,
                                                 FACETS, site.vocabularies)
    files.update(index)
    files.update(catalog)
    files[shards.MANIFEST] = shards.manifest(len(offers), FIELDS, [index_part, catalog_part])
    return files


# Cards are made by exports.card: a saved memory from other code of it must not be used.
_CARD_CODE = digest(Path(exports.__file__).read_bytes())


def _offer_rows(site: Site, order: list[int], labels: str, memory: Memory | None) -> list[shards.OfferRow]:
    """Each offer's card and filter values in number order, made only for offers whose files are new (keyed
    like the term counts: the offer's and its partner's file, and the vocabularies)."""
    key = ("search-offer-rows", terms.RULES, _CARD_CODE, labels)
    known = (memory.get(key) if memory is not None else None) or {}
    bits = shards.facet_bits(FACETS, site.vocabularies)
    offers = site.offers
    rows = []
    for i in order:
        offer = offers[i]
        row = known.get(offer.files)
        if row is None:
            row = shards.offer_row(offer, _compact(exports.card(offer)), _compact(exports.contact(offer)), FACETS, bits)
        rows.append(row)
    if memory is not None:
        memory.put(key, {offers[i].files: row for i, row in zip(order, rows, strict=True)})
    return rows


_compact_json = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def _compact(value: object) -> bytes:
    return _compact_json(value).encode()


def search_data(documents: list[tuple[str, dict[str, str]]]) -> tuple[dict[str, bytes], list[str]]:
    """The search data (manifest, posting shards, dictionary blocks, no cards) for documents given as
    (ref, {field: text}), and the refs by the number search.js gives as a result's ref: for tests and
    benchmarks of the search alone."""
    refs = [ref for ref, _ in documents]
    counts = terms.field_counts([tuple(fields.get(name, "") for name, _ in FIELDS) for _, fields in documents],
                                None, None)
    order, _ = shards.numbering(refs)
    files, part = shards.index_files(shards.Postings([counts[i] for i in order], len(FIELDS)))
    files[shards.MANIFEST] = shards.manifest(len(refs), FIELDS, [part])
    return files, [refs[i] for i in order]
