"""The search data as many small files, so a visit loads only what its queries need (docs/suche.md).

Everything lives under daten/suche/ and is named by its content (immutable), except `manifest.json`, which
names the others:

- posting shards `p.<hash>.json`: lunr's postings cut by term range; per term its number in lunr's
  field vectors and, per field, the documents, term frequencies and field lengths (search.js computes lunr's
  scores from them exactly as lunr.Builder does, so an index assembled from a query's terms ranks like the
  full index);
- dictionary blocks `w.<hash>.json`: the sorted terms, cut by term range, for the one-typo rule and for
  compounds, which need to know which terms exist without loading their postings;
- card buckets `k<bucket>.<hash>.json`: what a card, the Merkliste and the print show of an offer;
- `f.<hash>.json`: per filter value the set of offers, for the counts beside each filter;
- `o.<hash>.json`: the offers in title order and in "newest first" order.

Offers are numbered by card bucket, then slug. A bucket is fnv1a(slug) mod the number of buckets: the
Merkliste finds an offer's card from its slug alone, and a search result's card from its number (the
manifest has the size of every bucket).
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Sequence

# Hosts limit the number of files: card buckets take at most CARD_FILES, posting shards at most SHARD_FILES,
# dictionary blocks at most WORD_FILES; with the manifest and the two filter files that stays under 2,000.
CARD_FILES = 1_500
SHARD_FILES = 400
WORD_FILES = 60
# An offer's card is ~250 bytes of JSON; a bucket of four is one small response. Fewer, larger buckets
# would load more cards that are not shown; more would exceed CARD_FILES at 10,000 offers.
CARDS_PER_FILE = 4
HASH_LENGTH = 10  # hex digits in a file name
BUCKET_TAG = 4  # base64url characters (24 bits) naming a card bucket's version in the manifest


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


def bucket_tag(data: bytes) -> str:
    return base64.urlsafe_b64encode(hashlib.blake2b(data, digest_size=3).digest()).decode()


# --- what the build writes -----------------------------------------------------------------------------------

import json  # noqa: E402
from itertools import chain  # noqa: E402
from operator import sub  # noqa: E402

from .lunr_index import B, FieldCounts, K1, LUNR_VERSION, SEARCH_PIPELINE, term_order  # noqa: E402

FORMAT = "offerdb-shards-1"
MANIFEST = "daten/suche/manifest.json"
FOLDER = "daten/suche/"
# A posting shard holds terms until its JSON reaches SHARD_BYTES (a frequent term is a shard of its own); more
# shards than SHARD_FILES raise the size. ~16 KB of JSON is ~4 KB on the wire.
SHARD_BYTES = 16 * 1024
WORDS_PER_FILE = 2_000

_encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def _ints(values) -> bytes:
    return b"[" + ",".join(map(str, values)).encode() + b"]"


def posting_rows(counts: Sequence[Sequence[FieldCounts]], nfields: int) -> dict[str, bytes]:
    """Per term, its postings as JSON array items: per field the documents (as differences), the term
    frequencies and the documents' lengths of that field."""
    docs_of: list[dict[str, list[int]]] = [{} for _ in range(nfields)]
    tfs_of: list[dict[str, list[int]]] = [{} for _ in range(nfields)]
    for doc, per_field in enumerate(counts):
        for f, (names, tfs, _) in enumerate(per_field):
            docs, freqs = docs_of[f], tfs_of[f]
            for term, tf in zip(names, tfs):
                if term in docs:
                    docs[term].append(doc)
                    freqs[term].append(tf)
                else:
                    docs[term] = [doc]
                    freqs[term] = [tf]
    terms = set(chain.from_iterable(docs_of))
    lengths = [[per_field[f][2] for per_field in counts] for f in range(nfields)]
    rows = {}
    for term in terms:
        parts = []
        for f in range(nfields):
            docs = docs_of[f].get(term, [])
            parts += [_ints(map(sub, docs, chain((0,), docs))), _ints(tfs_of[f].get(term, [])),
                      _ints(map(lengths[f].__getitem__, docs))]
        rows[term] = b",".join(parts)
    return rows


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


def index_files(counts: Sequence[Sequence[FieldCounts]], fields: Sequence[tuple[str, int]]) -> tuple[dict, dict]:
    """(files, manifest part) of the postings and the dictionary, for documents numbered as in `counts`."""
    rows = posting_rows(counts, len(fields))
    numbers = {term: n for n, term in enumerate(term_order(counts))}
    entries = [(term, b"[" + _encode(term).encode() + b"," + str(numbers[term]).encode() + b"," + rows[term] + b"]")
               for term in sorted(rows)]
    total = sum(len(e) for _, e in entries)
    files: dict[str, bytes] = {}
    shards = []
    for group in _cut(entries, max(SHARD_BYTES, -(-total // SHARD_FILES))):
        data = b'{"terms":[' + b",".join(e for _, e in group) + b"]}"
        name = content_name("p", data)
        files[FOLDER + name] = data
        shards.append([group[0][0], name])
    words = []
    terms = sorted(rows)
    per_file = max(WORDS_PER_FILE, -(-len(terms) // WORD_FILES))
    for start in range(0, len(terms), per_file):
        block = terms[start:start + per_file]
        data = _encode({"terms": block}).encode()
        name = content_name("w", data)
        files[FOLDER + name] = data
        words.append([block[0], name])
    sums = [sum(per_field[f][2] for per_field in counts) for f in range(len(fields))]
    return files, {"lengths": sums, "postings": shards, "words": words}


def manifest(count: int, fields: Sequence[tuple[str, int]], parts: Sequence[dict]) -> bytes:
    data = {"format": FORMAT, "version": LUNR_VERSION, "pipeline": SEARCH_PIPELINE,
            "fields": [[name, boost] for name, boost in fields], "k1": K1, "b": B, "count": count}
    for part in parts:
        data.update(part)
    return _encode(data).encode()


ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"  # base64url: 6 bits a character


def column(values: Sequence[int], width: int) -> str:
    """Small non-negative integers as `width` base64url characters each, low six bits first."""
    chars = []
    for value in values:
        for _ in range(width):
            chars.append(ALPHABET[value & 63])
            value >>= 6
    return "".join(chars)


def filter_data(offers: Sequence, facets: Sequence, vocabularies: dict) -> dict:
    """For the counts and filters of the list page: per offer (in number order) its cost, grades and, per
    facet, the set of its values as a bit mask over the vocabulary's keys."""
    data: dict = {"count": len(offers),
                  "free": column([int(o.cost.free) for o in offers], 1),
                  "grades": [column([o.grades.low if o.grades else 0 for o in offers], 1),
                             column([o.grades.high if o.grades else 0 for o in offers], 1)],
                  "facets": {}}
    for facet in facets:
        keys = list(vocabularies[facet.vocabulary].terms)
        bit = {key: 1 << i for i, key in enumerate(keys)}
        masks = [sum(bit[t.key] for t in getattr(o, facet.vocabulary)) for o in offers]
        data["facets"][facet.key] = {"values": keys, "masks": column(masks, -(-len(keys) // 6))}
    return data


def catalog_files(offers: Sequence, sizes: Sequence[int], cards: Sequence[bytes], facets: Sequence,
                  vocabularies: dict) -> tuple[dict[str, bytes], dict]:
    """(files, manifest part) of the card buckets, the filter file and the two orders, for `offers` in
    number order; cards[n] is offer n's card as JSON."""
    files: dict[str, bytes] = {}
    tags = []
    start = 0
    for bucket, size in enumerate(sizes):
        data = b'{"cards":[' + b",".join(cards[start:start + size]) + b"]}"
        tag = bucket_tag(data)
        files[f"{FOLDER}k{bucket}.{tag}.json"] = data
        tags.append(tag)
        start += size
    filters = _encode(filter_data(offers, facets, vocabularies)).encode()
    by_title = sorted(range(len(offers)), key=lambda n: (offers[n].title.casefold(), offers[n].slug))
    # Newest first, ties in title order (list.js sorted the catalogue, which is in title order, stably).
    rank = {n: i for i, n in enumerate(by_title)}
    newest = sorted(range(len(offers)), key=lambda n: (-offers[n].last_updated.toordinal(), rank[n]))
    named = {}
    for prefix, data in (("f", filters), ("o", _encode({"order": by_title}).encode()),
                         ("n", _encode({"order": newest}).encode())):
        name = content_name(prefix, data)
        files[FOLDER + name] = data
        named[prefix] = name
    return files, {"cards": {"sizes": list(sizes), "tags": "".join(tags)},
                   "filters": named["f"], "title_order": named["o"], "newest_order": named["n"]}
