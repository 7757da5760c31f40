"""lunr 2.3.9's index, written directly, and a compact form of it for the browser.

lunr.py builds the same index but needs ~90 s for 10,000 offers (a Token object per word, a pipeline call per
token). Here each distinct word is stemmed once, and the scores follow lunr's arithmetic step for step, so
`serialize` equals lunr.py's `Index.serialize()` (tests/test_search_index.py compares them on the content).

In lunr's JSON every (term, field, document) appears twice, once with a three-decimal score; those scores
are three quarters of the gzip size. `compact` ships the postings with term frequencies and field lengths
only; search.js recomputes the scores with lunr.js's formula and hands lunr.Index.load the same JSON that
`serialize` writes (checked in node by tests/test_search_index.py).
"""

from __future__ import annotations

import json
import math
import threading
from bisect import bisect_left
from collections import Counter, deque
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from itertools import chain, repeat
from operator import sub

from . import german

K1 = 1.2  # lunr's BM25 defaults
B = 0.75
LUNR_VERSION = "2.3.9"
SEARCH_PIPELINE = ["trimmer-de", "stemmer-de"]  # what lunr.de registers as searchPipeline
FORMAT = "offerdb-lunr-1"


def make_term_function() -> Callable[[str], str | None]:
    """token -> index term, or None for a stop word: lunr.de's index pipeline, cached per distinct token."""
    stops = german.stop_words()
    cache: dict[str, str | None] = {}

    def term(token: str) -> str | None:
        try:
            return cache[token]
        except KeyError:
            trimmed = german.trim(token)
            result = None if not trimmed or trimmed in stops else german.stem(trimmed)
            cache[token] = result
            return result

    return term


@dataclass
class Postings:
    fields: list[tuple[str, int]]  # (name, boost)
    refs: list[str]
    terms: list[str]  # in lunr's _index order (first occurrence)
    lengths: list[list[int]]  # [document][field] -> number of terms
    postings: dict[tuple[int, int], list[tuple[int, int]]]  # (term, field) -> [(document, tf)], documents ascending
    frequencies: list[list[Counter]]  # [document][field] -> term number -> tf, in order of first occurrence


def collect(documents: Iterable[tuple[str, dict[str, Sequence[str]]]], fields: Sequence[tuple[str, int]]) -> Postings:
    """documents: (ref, {field: tokens}) with tokens from german.words (plus compound parts)."""
    term_of = make_term_function()
    numbers: dict[str, int] = {}
    number_of: dict[str, int] = {}  # token -> term number, -1 for a stop word; one pipeline run per token
    result = Postings(list(fields), [], [], [], {}, [])

    def number(token: str) -> int:
        term = term_of(token)
        if term is None:
            n = -1
        elif term in numbers:
            n = numbers[term]
        else:
            n = numbers[term] = len(result.terms)
            result.terms.append(term)
        number_of[token] = n
        return n

    for doc, (ref, values) in enumerate(documents):
        result.refs.append(ref)
        lengths, counters = [], []
        for f, (name, _) in enumerate(fields):
            counter: Counter = Counter()
            length = 0
            for token in values.get(name, ()):
                n = number_of.get(token)
                if n is None:
                    n = number(token)
                if n >= 0:
                    counter[n] += 1
                    length += 1
            for n, tf in counter.items():
                result.postings.setdefault((n, f), []).append((doc, tf))
            lengths.append(length)
            counters.append(counter)
        result.lengths.append(lengths)
        result.frequencies.append(counters)
    return result


def js_round3(score: float) -> float:
    """Math.round(score * 1000) / 1000 as lunr.js computes it (ties toward +infinity, on the product)."""
    product = score * 1000
    floor = math.floor(product)
    return (floor + (1 if product - floor >= 0.5 else 0)) / 1000


def serialize(p: Postings) -> dict:
    """lunr's serialized index (what lunr.py's Index.serialize() returns)."""
    names = [name for name, _ in p.fields]
    count = len(p.refs)
    average = [sum(lengths[f] for lengths in p.lengths) / count if count else 0 for f in range(len(names))]
    with_term = Counter()
    for (number, _), docs in p.postings.items():
        with_term[number] += len(docs)
    idf = {}
    for number, n in with_term.items():
        x = (count - n + 0.5) / (n + 0.5)
        idf[number] = math.log(1 + abs(x))
    vectors = []
    for doc, ref in enumerate(p.refs):
        for f, (name, boost) in enumerate(p.fields):
            length = p.lengths[doc][f]
            elements = []
            for number, tf in sorted(p.frequencies[doc][f].items()):
                score = idf[number] * ((K1 + 1) * tf) / (K1 * (1 - B + B * (length / average[f])) + tf)
                score *= boost
                score *= 1  # the document boost, multiplied in as lunr does (rounding sees the same float)
                elements += [number, js_round3(score)]
            vectors.append([f"{name}/{ref}", elements])
    inverted = {}
    for number, term in enumerate(p.terms):
        posting: dict = {name: {} for name in names}
        posting["_index"] = number
        inverted[term] = posting
    for (number, f), docs in p.postings.items():
        inverted[p.terms[number]][names[f]] = {p.refs[doc]: {} for doc, _ in docs}
    return {
        "version": LUNR_VERSION,
        "fields": names,
        "fieldVectors": vectors,
        "invertedIndex": [[term, inverted[term]] for term in sorted(inverted)],
        "pipeline": SEARCH_PIPELINE,
    }


def compact(p: Postings) -> dict:
    """The transport form search.js expands: per term and field the documents (as differences) and term
    frequencies, per document and field the number of terms."""
    postings = []
    for number in range(len(p.terms)):
        row = []
        for f in range(len(p.fields)):
            docs, tfs, previous = [], [], 0
            for doc, tf in p.postings.get((number, f), ()):
                docs.append(doc - previous)
                tfs.append(tf)
                previous = doc
            row.append([docs, tfs])
        postings.append(row)
    return {"format": FORMAT, "version": LUNR_VERSION, "pipeline": SEARCH_PIPELINE,
            "fields": [[name, boost] for name, boost in p.fields], "k1": K1, "b": B,
            "refs": p.refs, "terms": p.terms, "lengths": p.lengths, "postings": postings}


# A document's terms in one field: the terms in order of first occurrence, their frequencies, and the number
# of terms (stop words excluded) — what `collect` counts for that document and field.
FieldCounts = tuple[tuple[str, ...], tuple[int, ...], int]

_consume = deque(maxlen=0).extend  # runs an iterator to its end in C
_encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def term_order(counts: Sequence[Sequence[FieldCounts]]) -> list[str]:
    """The terms numbered as `collect` numbers them: by first occurrence in document, field and token order."""
    numbers: dict[str, None] = {}
    for per_field in counts:
        for names, _, _ in per_field:
            if not all(map(numbers.__contains__, names)):
                numbers.update(dict.fromkeys(names))
    return list(numbers)


class _Postings:
    """Per field, per term: the documents (ascending) and term frequencies, and each term's row of the
    compact JSON; built from `counts[document][field]`."""

    def __init__(self, counts: Sequence[Sequence[FieldCounts]], fields: Sequence[tuple[str, int]]) -> None:
        self.fields = tuple(fields)
        self.counts = list(counts)
        self.docs_of: list[dict[str, list[int]]] = [{} for _ in fields]
        self.tfs_of: list[dict[str, list[int]]] = [{} for _ in fields]
        self.rows: dict[str, bytes] = {}
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
        for term in self.docs_of[0] if fields else ():  # every field has every term
            self._encode_row(term)

    def _add_term(self, term: str) -> None:
        for f in range(len(self.fields)):
            self.docs_of[f][term] = []
            self.tfs_of[f][term] = []

    def _encode_row(self, term: str) -> None:
        row = []
        for f in range(len(self.fields)):
            docs = self.docs_of[f][term]
            row.append([list(map(sub, docs, chain((0,), docs))), self.tfs_of[f][term]])
        self.rows[term] = _encode(row).encode()

    def patch(self, counts: Sequence[Sequence[FieldCounts]], changed: Iterable[int]) -> None:
        """Make this the postings of `counts`, which differ from self.counts only in the documents `changed`.
        Only terms whose postings changed are touched: an edit usually keeps most of an offer's terms and
        their frequencies, and re-encoding a row costs ~1 ms (each has thousands of postings here)."""
        touched = set()
        for doc in changed:
            for f, ((old_names, old_tfs, _), (names, tfs, _)) in enumerate(zip(self.counts[doc], counts[doc],
                                                                                strict=True)):
                old, new = dict(zip(old_names, old_tfs, strict=True)), dict(zip(names, tfs, strict=True))
                if old == new:  # the same postings; only the order of first occurrence may differ
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
                        touched.add(term)
                for term, tf in new.items():
                    if term not in old:
                        if term not in docs_of:
                            self._add_term(term)
                        docs = docs_of[term]
                        i = bisect_left(docs, doc)
                        docs.insert(i, doc)
                        tfs_of[term].insert(i, tf)
                        touched.add(term)
        self.counts = list(counts)
        for term in touched:
            if any(docs_of[term] for docs_of in self.docs_of):
                self._encode_row(term)
            else:  # no document has it any more
                for f in range(len(self.fields)):
                    del self.docs_of[f][term], self.tfs_of[f][term]
                del self.rows[term]

    def term_order(self) -> list[str]:
        """term_order(self.counts) from the few documents where a term occurs first: any other document's
        terms all occurred in an earlier document, so it adds none (35 ms less at 10,000 offers)."""
        firsts = {min(docs_of[term][0] for docs_of in self.docs_of if docs_of[term])
                  for term in (self.docs_of[0] if self.fields else ())}
        return term_order([self.counts[doc] for doc in sorted(firsts)])

    def json(self, refs: Sequence[str]) -> bytes:
        """json.dumps(compact(...)) as build_search writes it, spliced from the rows."""
        terms = self.term_order()
        head = _encode({"format": FORMAT, "version": LUNR_VERSION, "pipeline": SEARCH_PIPELINE,
                        "fields": [[name, boost] for name, boost in self.fields], "k1": K1, "b": B,
                        "refs": list(refs), "terms": terms,
                        "lengths": [[length for _, _, length in per_field] for per_field in self.counts],
                        "postings": []})
        assert head.endswith("[]}")
        return b"".join((head[:-2].encode(), b",".join(map(self.rows.__getitem__, terms)), b"]}"))


class IndexWriter:
    """The compact index as JSON bytes from per-document term counts; equal to json.dumps(compact(collect(...)))
    (tests/test_search_cache.py compares them). It keeps the postings it built, so the next `write` whose
    documents are mostly the same, at the same positions (the live preview after an edit), changes only the
    changed documents' postings and re-encodes only their terms' rows."""

    # Above this share of changed documents, building from scratch is as fast as patching.
    MAX_CHANGED = 1 / 8

    def __init__(self) -> None:
        self._last: _Postings | None = None
        self._lock = threading.Lock()

    def __getstate__(self) -> dict:  # a saved memory keeps the postings; a lock belongs to one process
        return {"_last": self._last}

    def __setstate__(self, state: dict) -> None:
        self._last = state["_last"]
        self._lock = threading.Lock()

    def write(self, refs: Sequence[str], counts: Sequence[Sequence[FieldCounts]],
              fields: Sequence[tuple[str, int]]) -> bytes:
        with self._lock:
            last, self._last = self._last, None  # a failure half-way leaves no half-patched postings behind
            changed = None
            if last is not None and last.fields == tuple(fields) and len(last.counts) == len(counts):
                changed = [doc for doc, (old, new) in enumerate(zip(last.counts, counts, strict=True))
                           if old is not new and old != new]
                if len(changed) > self.MAX_CHANGED * len(counts):
                    changed = None
            if changed is None:
                postings = _Postings(counts, fields)
            else:
                postings = last
                postings.patch(counts, changed)
            data = postings.json(refs)
            self._last = postings
            return data
