"""The search data as many small files, so a visit loads only what its queries need (README, "Decisions").

Everything lives under daten/suche/ and is named by its content, except `manifest.json`, which names the
others, and the card and contact buckets; docs/betrieb.md has hosts keep the content-named files a year:

- posting shards `p.<hash>.json`: lunr's postings cut by term range; per term its number in lunr's
  field vectors and, per field, the documents, term frequencies and field lengths (search.js computes lunr's
  scores from them exactly as lunr.Builder does, so an index assembled from a query's terms ranks like the
  full index);
- dictionary blocks `w.<hash>.json`: the sorted terms, cut by term range, for the one-typo rule and for
  compounds, which need to know which terms exist without loading their postings;
- card buckets `k<bucket>.<version>.json`: what a card shows of an offer, and contact files
  `c<group>.<version>.json` with the contacts of CONTACT_BUCKETS buckets, which the Merkliste shows and prints
  (named by a digest of the offers' numbering: their content may change under the same name, so hosts must
  revalidate them, as they do the rest of daten/);
- `f.<hash>.json`: per filter value the set of offers, for the counts beside each filter;
- `o.<hash>.json`, `n.<hash>.json`: the offers in title order and in "newest first" order;
- `t.<hash>.json`: every offer's slug and title in title order, for the Merkliste's picker.

Offers are numbered by card bucket, then slug. A bucket is fnv1a(slug) mod the number of buckets: the
Merkliste finds an offer's card from its slug alone, and a search result's card from its number (the
manifest has the size of every bucket).
"""

from __future__ import annotations

import hashlib
import json
import threading
from bisect import bisect_left
from collections import deque
from collections.abc import Iterable, Sequence
from itertools import chain, repeat
from operator import sub
from typing import NamedTuple

from .lunr_index import B, K1, LUNR_VERSION, SEARCH_PIPELINE, FieldCounts, term_order

# Hosts limit the number of files: card buckets take at most CARD_FILES, their contact files an eighth of that,
# posting shards at most SHARD_FILES, dictionary blocks at most WORD_FILES; with the manifest, the filter
# file, the two orders and the titles that stays under 2,000 (1,958).
CARD_FILES = 1_300
CONTACT_BUCKETS = 8  # the Merkliste's 5 offers: 5 contact files of ~1.4 KB (gzip) at 10,000 offers
SHARD_FILES = 460
WORD_FILES = 30
# An offer's card is ~150 bytes of JSON; a bucket of four is one small response. Fewer, larger buckets
# would load more cards that are not shown; more would exceed CARD_FILES at 10,000 offers.
CARDS_PER_FILE = 4
HASH_LENGTH = 10  # hex digits in a file name


def fnv1a(text: str) -> int:
    """32-bit FNV-1a of the UTF-8 bytes; search data's twin is in daten.js."""
    h = 0x811C9DC5
    for byte in text.encode():
        h = ((h ^ byte) * 0x01000193) & 0xFFFFFFFF
    return h


def bucket_count(offers: int) -> int:
    return max(1, min(CARD_FILES, -(-offers // CARDS_PER_FILE)))


def numbering(slugs: Sequence[str]) -> tuple[list[int], list[int]]:
    """(order, sizes): order[n] is the index in `slugs` of offer number n, sizes[b] the number of offers in
    card bucket b. Offers are numbered by bucket, then slug."""
    buckets = bucket_count(len(slugs))
    keyed = sorted((fnv1a(slug) % buckets, slug, i) for i, slug in enumerate(slugs))
    sizes = [0] * buckets
    for bucket, _, _ in keyed:
        sizes[bucket] += 1
    return [i for _, _, i in keyed], sizes


def content_name(prefix: str, data: bytes) -> str:
    return f"{prefix}.{hashlib.blake2b(data, digest_size=8).hexdigest()[:HASH_LENGTH]}.json"


def numbering_version(slugs_in_order: Sequence[str]) -> str:
    """Names the card and contact files of one numbering: a page that has an older manifest gets no card of
    another offer under a number, but a missing file."""
    return hashlib.blake2b("\n".join(slugs_in_order).encode(), digest_size=8).hexdigest()[:HASH_LENGTH]


# --- the index: posting shards and dictionary blocks -----------------------------------------------------------

FORMAT = "offerdb-shards-1"
MANIFEST = "daten/suche/manifest.json"
FOLDER = "daten/suche/"
# A posting shard holds terms until its JSON reaches SHARD_BYTES, so a frequent term is a shard of its own and a
# query does not load its neighbour's postings (16 KB put "alkohol" with "algorithm": 9.8 instead of 4 KB at
# 10,000 offers); more shards than SHARD_FILES raise the size.
SHARD_BYTES = 4 * 1024
WORDS_PER_FILE = 2_000

_encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


_consume = deque(maxlen=0).extend  # runs an iterator to its end in C


def _ints(values: Iterable[int]) -> bytes:
    return _encode(list(values)).encode()[1:-1]


class Postings:
    """Per field, per term: the documents (ascending), their term frequencies and their lengths of the field,
    each term's entry of a shard as JSON, and the terms numbered as lunr numbers them; built from
    `counts[document][field]` and patched when a few documents change (the live preview after an edit)."""

    # Above this share of changed documents, building from scratch is as fast as patching.
    MAX_CHANGED = 1 / 8

    def __init__(self, counts: Sequence[Sequence[FieldCounts]], nfields: int) -> None:
        self.nfields = nfields
        self.counts = list(counts)
        self.docs_of: list[dict[str, list[int]]] = [{} for _ in range(nfields)]
        self.tfs_of: list[dict[str, list[int]]] = [{} for _ in range(nfields)]
        self.lengths = [[per_field[f][2] for per_field in counts] for f in range(nfields)]
        for doc, per_field in enumerate(counts):
            for f, (names, tfs, _) in enumerate(per_field):
                docs_of, tfs_of = self.docs_of[f], self.tfs_of[f]
                if not all(map(docs_of.__contains__, names)):
                    for term in names:
                        if term not in docs_of:
                            self._add_term(term)
                # a posting per (term, document) without a Python step each: list.append called from C
                _consume(map(list.append, map(docs_of.__getitem__, names), repeat(doc)))
                _consume(map(list.append, map(tfs_of.__getitem__, names), tfs))
        # per term, per field: its documents (as differences), term frequencies and lengths as JSON
        self.parts: dict[str, list[bytes]] = {}
        for term in self.docs_of[0]:  # every field has every term (an index has at least one field)
            self.parts[term] = [b""] * (3 * nfields)
            for f in range(nfields):
                self._encode(term, f)
        self.numbers = {term: n for n, term in enumerate(term_order(self.counts))}
        self.entries = {term: self._entry(term) for term in self.parts}

    def _add_term(self, term: str) -> None:
        for f in range(self.nfields):
            self.docs_of[f][term] = []
            self.tfs_of[f][term] = []

    def _encode(self, term: str, f: int, lengths_only: bool = False) -> None:
        docs = self.docs_of[f][term]
        parts = self.parts[term]
        if not lengths_only:
            parts[3 * f] = _ints(map(sub, docs, chain((0,), docs)))
            parts[3 * f + 1] = _ints(self.tfs_of[f][term])
        parts[3 * f + 2] = _ints(map(self.lengths[f].__getitem__, docs))

    def _entry(self, term: str) -> bytes:
        return b"".join((b"[", _encode(term).encode(), b",", str(self.numbers[term]).encode(), b",[",
                         b"],[".join(self.parts[term]), b"]]"))

    def compatible(self, counts: Sequence[Sequence[FieldCounts]], nfields: int) -> list[int] | None:
        """The documents that differ from the last build's, if patching them is worth it."""
        if nfields != self.nfields or len(counts) != len(self.counts):
            return None
        changed = [doc for doc, (old, new) in enumerate(zip(self.counts, counts, strict=True))
                   if old is not new and old != new]
        return changed if len(changed) <= self.MAX_CHANGED * len(counts) else None

    def patch(self, counts: Sequence[Sequence[FieldCounts]], changed: Iterable[int]) -> None:
        """Make this the postings of `counts`, which differ from self.counts only in the documents `changed`.
        Re-encodes a term's field where its postings changed and, where only a document's length of a field
        changed, just the lengths of the terms of that field of the document (an edit of the text changes the
        length; the lengths are the smallest part, so most of an entry stays as it was)."""
        postings: set[tuple[str, int]] = set()
        lengths: set[tuple[str, int]] = set()
        for doc in changed:
            for f, ((old_names, old_tfs, old_length), (names, tfs, length)) in enumerate(
                    zip(self.counts[doc], counts[doc], strict=True)):
                old, new = dict(zip(old_names, old_tfs, strict=True)), dict(zip(names, tfs, strict=True))
                if length != old_length:
                    self.lengths[f][doc] = length
                    lengths.update(zip(names, repeat(f)))
                if old == new:
                    continue
                docs_of, tfs_of = self.docs_of[f], self.tfs_of[f]
                for term, tf in old.items():
                    if new.get(term) != tf:
                        docs = docs_of[term]
                        i = bisect_left(docs, doc)
                        if term in new:
                            tfs_of[term][i] = new[term]
                        else:
                            del docs[i], tfs_of[term][i]
                        postings.add((term, f))
                for term, tf in new.items():
                    if term not in old:
                        if term not in docs_of:
                            self._add_term(term)
                            self.parts[term] = [b""] * (3 * self.nfields)
                            postings.update((term, g) for g in range(self.nfields))
                        docs = docs_of[term]
                        i = bisect_left(docs, doc)
                        docs.insert(i, doc)
                        tfs_of[term].insert(i, tf)
                        postings.add((term, f))
        self.counts = list(counts)
        touched = {term for term, _ in postings} | {term for term, _ in lengths}
        gone = {term for term in touched if not any(docs_of[term] for docs_of in self.docs_of)}
        for term in gone:  # no document has it any more
            for f in range(self.nfields):
                del self.docs_of[f][term], self.tfs_of[f][term]
            del self.parts[term], self.entries[term]
        for term, f in postings:
            if term not in gone:
                self._encode(term, f)
        for term, f in lengths - postings:
            if term not in gone:
                self._encode(term, f, lengths_only=True)
        numbers = {term: n for n, term in enumerate(self.term_order())}
        renumbered = (touched - gone).union(t for t, n in numbers.items() if self.numbers.get(t) != n)
        self.numbers = numbers
        for term in renumbered:
            self.entries[term] = self._entry(term)

    def term_order(self) -> list[str]:
        """term_order(self.counts) from the few documents where a term occurs first: any other document's
        terms all occurred in an earlier document, so it adds none."""
        firsts = {min(docs_of[term][0] for docs_of in self.docs_of if docs_of[term])
                  for term in (self.docs_of[0] if self.nfields else ())}
        return term_order([self.counts[doc] for doc in sorted(firsts)])


def _cut(items: list[tuple[str, bytes]], size: int) -> list[list[tuple[str, bytes]]]:
    """Consecutive groups of (term, bytes) of about `size` bytes each."""
    groups: list[list[tuple[str, bytes]]] = []
    current: list[tuple[str, bytes]] = []
    total = 0
    for item in items:
        if current and total + len(item[1]) > size:
            groups.append(current)
            current, total = [], 0
        current.append(item)
        total += len(item[1])
    if current:
        groups.append(current)
    return groups


def index_files(postings: Postings) -> tuple[dict[str, bytes], dict]:
    """(files, manifest part) of the posting shards and the dictionary blocks."""
    terms = sorted(postings.entries)
    entries = [(term, postings.entries[term]) for term in terms]
    total = sum(len(e) for _, e in entries)
    files: dict[str, bytes] = {}
    shards = []
    for group in _cut(entries, max(SHARD_BYTES, -(-total // SHARD_FILES))):
        data = b'{"terms":[' + b",".join(e for _, e in group) + b"]}"
        name = content_name("p", data)
        files[FOLDER + name] = data
        shards.append([group[0][0], name])
    words = []
    per_file = max(WORDS_PER_FILE, -(-len(terms) // WORD_FILES))
    for start in range(0, len(terms), per_file):
        block = terms[start:start + per_file]
        data = _encode({"terms": block}).encode()
        name = content_name("w", data)
        files[FOLDER + name] = data
        words.append([block[0], name])
    sums = [sum(lengths) for lengths in postings.lengths]
    return files, {"lengths": sums, "postings": shards, "words": words}


class IndexWriter:
    """The posting shards and dictionary blocks of documents numbered as in `counts`. It keeps the postings
    it built, so the next `write` whose documents are mostly the same (the live preview after an edit)
    changes only the changed documents' postings and re-encodes only the entries they touch."""

    def __init__(self) -> None:
        self._last: Postings | None = None
        self._lock = threading.Lock()

    def __getstate__(self) -> dict:  # a saved memory keeps the postings; a lock belongs to one process
        return {"_last": self._last}

    def __setstate__(self, state: dict) -> None:
        self._last = state["_last"]
        self._lock = threading.Lock()

    def write(self, counts: Sequence[Sequence[FieldCounts]], nfields: int) -> tuple[dict[str, bytes], dict]:
        with self._lock:
            last, self._last = self._last, None  # a failure half-way leaves no half-patched postings behind
            changed = last.compatible(counts, nfields) if last is not None else None
            if changed is None:
                postings = Postings(counts, nfields)
            else:
                postings = last
                postings.patch(counts, changed)
            result = index_files(postings)
            self._last = postings
            return result


def manifest(count: int, fields: Sequence[tuple[str, int]], parts: Sequence[dict]) -> bytes:
    data = {"format": FORMAT, "version": LUNR_VERSION, "pipeline": SEARCH_PIPELINE,
            "fields": [[name, boost] for name, boost in fields], "k1": K1, "b": B, "count": count}
    for part in parts:
        data.update(part)
    return _encode(data).encode()


ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"  # base64url: 6 bits a character
# Each value below 64**width as its `width` characters, low six bits first.
_CHARS = {1: list(ALPHABET), 2: [ALPHABET[v & 63] + ALPHABET[v >> 6] for v in range(64 * 64)]}


def column(values: Sequence[int], width: int) -> str:
    """Small non-negative integers as `width` base64url characters each, low six bits first."""
    if width in _CHARS:
        return "".join(map(_CHARS[width].__getitem__, values))
    chars = []
    for value in values:
        for _ in range(width):
            chars.append(ALPHABET[value & 63])
            value >>= 6
    return "".join(chars)


class OfferRow(NamedTuple):
    """What the card bucket, the contact file, the filter file and the orders take from one offer."""

    card: bytes  # JSON
    contact: bytes  # JSON
    title: bytes  # JSON: [slug, title], for the Merkliste's picker
    free: int
    grades: tuple[int, int]  # (0, 0): none
    masks: tuple[int, ...]  # per facet, bit i: the facet vocabulary's i-th key
    updated: int  # day number of the last update


def offer_row(offer, card: bytes, contact: bytes, facets: Sequence, bits: Sequence[dict[str, int]]) -> OfferRow:
    grades = (offer.grades.low, offer.grades.high) if offer.grades else (0, 0)
    masks = tuple(sum(bit[t.key] for t in getattr(offer, facet.vocabulary))
                  for facet, bit in zip(facets, bits, strict=True))
    title = _encode([offer.slug, offer.title]).encode()
    return OfferRow(card, contact, title, int(offer.cost.free), grades, masks, offer.last_updated.toordinal())


def facet_bits(facets: Sequence, vocabularies: dict) -> list[dict[str, int]]:
    return [{key: 1 << i for i, key in enumerate(vocabularies[f.vocabulary].terms)} for f in facets]


def catalog_files(rows: Sequence[OfferRow], title_rank: Sequence[int], sizes: Sequence[int], version: str,
                  facets: Sequence, vocabularies: dict) -> tuple[dict[str, bytes], dict]:
    """(files, manifest part) of the card buckets, the contact files, the filter file and the two orders;
    rows[n] is offer n's, title_rank[n] its place in title order."""
    files: dict[str, bytes] = {}
    starts = [0]
    for size in sizes:
        starts.append(starts[-1] + size)
    for bucket in range(len(sizes)):
        cards = (row.card for row in rows[starts[bucket]:starts[bucket + 1]])
        files[f"{FOLDER}k{bucket}.{version}.json"] = b'{"cards":[' + b",".join(cards) + b"]}"
    for group, first in enumerate(range(0, len(sizes), CONTACT_BUCKETS)):
        last = min(first + CONTACT_BUCKETS, len(sizes))
        contacts = (row.contact for row in rows[starts[first]:starts[last]])
        files[f"{FOLDER}c{group}.{version}.json"] = b'{"contacts":[' + b",".join(contacts) + b"]}"
    filters: dict = {"count": len(rows), "free": column([row.free for row in rows], 1),
                     "grades": [column([row.grades[0] for row in rows], 1), column([row.grades[1] for row in rows], 1)],
                     "facets": {}}
    for f, facet in enumerate(facets):
        keys = list(vocabularies[facet.vocabulary].terms)
        filters["facets"][facet.key] = {"values": keys,
                                        "masks": column([row.masks[f] for row in rows], -(-len(keys) // 6))}
    by_title = [0] * len(rows)
    for number, place in enumerate(title_rank):
        by_title[place] = number
    # Newest first, ties in title order (as list.js sorted the catalogue, which is in title order, stably).
    newest = sorted(range(len(rows)), key=lambda n: (-rows[n].updated, title_rank[n]))
    titles = b'{"titles":[' + b",".join(rows[n].title for n in by_title) + b"]}"
    named = {}
    for prefix, data in (("f", _encode(filters).encode()), ("o", _encode({"order": by_title}).encode()),
                         ("n", _encode({"order": newest}).encode()), ("t", titles)):
        name = content_name(prefix, data)
        files[FOLDER + name] = data
        named[prefix] = name
    width = 1 if max(sizes, default=0) < 64 else 2
    return files, {"cards": {"version": version, "sizes": column(sizes, width), "width": width,
                             "contact_buckets": CONTACT_BUCKETS},
                   "filters": named["f"], "title_order": named["o"], "newest_order": named["n"], "titles": named["t"]}
