"""lunr 2.3.9's index, written directly: the reference the published search data is checked against.

lunr.py builds the same index but needs ~90 s for 10,000 offers (a Token object per word, a pipeline call per
token). Here each distinct word is stemmed once, and the scores follow lunr's arithmetic step for step, so
`serialize` equals lunr.py's `Index.serialize()` (tests/test_search_index.py compares them on the content).

The browser never gets this JSON: in it every (term, field, document) appears twice, once with a
three-decimal score. shards.py publishes the postings with term frequencies and field lengths, cut into
files by term range; search.js recomputes the scores of a query's terms with lunr.js's formula and hands
lunr.Index.load the part of this JSON that the query needs (tests/test_search_index.py checks that all parts
together are exactly `serialize`).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

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


# A document's terms in one field: the terms in order of first occurrence, their frequencies, and the number
# of terms (stop words excluded) — what `collect` counts for that document and field.
FieldCounts = tuple[tuple[str, ...], tuple[int, ...], int]

def term_order(counts: Sequence[Sequence[FieldCounts]]) -> list[str]:
    """The terms numbered as `collect` numbers them: by first occurrence in document, field and token order."""
    numbers: dict[str, None] = {}
    for per_field in counts:
        for names, _, _ in per_field:
            if not all(map(numbers.__contains__, names)):
                numbers.update(dict.fromkeys(names))
    return list(numbers)
