"""Each document's term counts for the index, cached by content so a rebuild tokenizes only what changed.

A document's terms depend on its own text and on one thing outside it: the dictionary of compound parts
(wortteile.txt plus every word of the content of at least MIN_PART letters, plus masculine bases). A word's
expansion looks up only substrings of the word in that dictionary, so when the dictionary changes, only words
that contain an added or removed entry can expand differently. The cache keeps one state per `source`
("search-state", RULES, source), made of the last build's:

- dictionary, and each word's masculine base and terms under it;
- documents: per digest, its distinct raw words and, per field, its terms in order of first occurrence, their
  frequencies and the field length;
- how many documents hold each word, and how many documents have each digest: so the distinct words of a
  rebuild come from the documents that changed, not from a pass over all of them.

A build reuses a document's entry if the state lists it and none of its words expands differently under the
new dictionary; every other document is tokenized again. Documents the last build did not have are forgotten.
The result equals a build without cache (tests in tests/test_search_cache.py rebuild after changes, additions
and removals and compare the bytes).
"""

from __future__ import annotations

import hashlib
import sys
from collections import _count_elements  # type: ignore[attr-defined]  # Counter's C helper
from collections.abc import Callable, Hashable, Iterable, Sequence
from functools import lru_cache
from itertools import chain
from pathlib import Path
from typing import Any, Protocol

from . import german, lunr_index
from .lunr_index import FieldCounts

HERE = Path(__file__).resolve().parent
# Everything a cached entry depends on besides the text: the word rules and word lists. A disk cache written
# by another version of them is never used.
RULES = hashlib.blake2b(b"".join((HERE / name).read_bytes() for name in
                                 ("__init__.py", "german.py", "terms.py", "lunr_index.py", "shards.py", "wortteile.txt",
                                  "stoppwoerter.txt")),
                        digest_size=8).hexdigest()
STATE = "search-state"

# Above this many (changed dictionary entries x known words) substring tests, every word is expanded again
# instead (about as fast, and simpler).
MAX_SUBSTRING_TESTS = 2_000_000


class Cache(Protocol):
    def get(self, key: Any) -> Any | None: ...

    def put(self, key: Any, value: Any) -> None: ...


@lru_cache(maxsize=1)
def lexicon() -> frozenset[str]:
    text = (HERE / "wortteile.txt").read_text(encoding="utf-8")
    return frozenset(line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#"))


def dictionary_of(words: Iterable[str], bases: Iterable[str | None]) -> frozenset[str]:
    """The compound-part dictionary for a content whose distinct words are `words`."""
    dictionary = set(lexicon())
    dictionary.update(w for w in words if len(w) >= german.MIN_PART)
    dictionary.update(b for b in bases if b)
    return frozenset(dictionary)


def expand(word: str, base: str | None, dictionary: frozenset[str]) -> list[str]:
    """The tokens a word stands for in the index: the word, its masculine base, and their compound parts that
    are in `dictionary`, so "Prävention" finds "Gewaltprävention"."""
    found = [word] + ([base] if base else [])
    for form in found[:]:
        if len(form) >= 2 * german.MIN_PART:
            found += german.compound_parts(form, dictionary)
    return list(dict.fromkeys(found))


def digest(texts: Sequence[str]) -> str:
    h = hashlib.blake2b(digest_size=16)
    for text in texts:
        data = text.encode()
        h.update(len(data).to_bytes(8, "little"))
        h.update(data)
    return h.hexdigest()


def _words(texts: Sequence[str]) -> tuple[tuple[str, ...], list[list[str]]]:
    """A document's distinct words (interned: thousands of documents share them) and its words per field."""
    raw = [list(map(sys.intern, german.raw_words(text))) for text in texts]
    return tuple(dict.fromkeys(chain.from_iterable(raw))), raw


def _field_counts(raw: list[str], terms_of: dict[str, tuple[str, ...]]) -> FieldCounts:
    # The token stream of `collect` (each word followed by its expansion), stop words already left out,
    # counted in C (what Counter() does, without its per-call checks); a dict keeps the order of first
    # occurrence.
    counts: dict[str, int] = {}
    _count_elements(counts, chain.from_iterable(map(terms_of.__getitem__, raw)))
    tfs = tuple(counts.values())
    return tuple(counts), tfs, sum(tfs)


def field_counts(keys: Sequence[Sequence[str]], fields_of: Callable[[int], Sequence[str]] | None,
                 cache: Cache | None, source: str = "fields",
                 digests: Sequence[Hashable] | None = None) -> list[tuple[FieldCounts, ...]]:
    """Per document, per index field: (terms in order of first occurrence, frequencies, length), as
    lunr_index.collect(tokenize(documents)) counts them.

    keys[i] are the texts document i's fields are made of; `fields_of(i)` gives its field texts (in index
    field order) and is called only for documents not in the cache; None means the keys are the field texts.
    `source` names how keys become fields, so keys of one kind never find entries of another.
    `digests[i]`, if given, stands for keys[i] instead of digest(keys[i]): e.g. the hashes of the files
    keys[i] was made of, which identify it as well and cost nothing to hash again."""
    if fields_of is None:
        fields_of = keys.__getitem__
    state_key = (STATE, RULES, source)
    state = cache.get(state_key) if cache is not None else None
    old_dictionary, old_words, old_docs, old_word_docs, old_copies = state or (frozenset(), {}, {}, {}, {})

    digests = [digest(k) for k in keys] if digests is None else list(digests)
    entries: list[Any] = [None] * len(keys)  # (words, counts) reused from the last build
    raws: dict[int, tuple[tuple[str, ...], list[list[str]]]] = {}  # documents to count: words, words per field
    new_docs: dict[Hashable, tuple[str, ...]] = {}  # digest -> distinct words, of documents the state lacks
    for i, h in enumerate(digests):
        entry = old_docs.get(h)
        if entry is None:
            raws[i] = _words(fields_of(i))
            new_docs[h] = raws[i][0]
        else:
            entries[i] = entry

    # How many documents hold each word, updated by the documents that came, went or changed their number of
    # copies: the distinct words of the content without a pass over every document's words.
    copies: dict[Hashable, int] = {}
    _count_elements(copies, digests)
    word_docs = dict(old_word_docs)
    for h, n in old_copies.items() - copies.items():
        for w in old_docs[h][0]:
            if word_docs[w] == n:
                del word_docs[w]
            else:
                word_docs[w] -= n
    for h, n in copies.items() - old_copies.items():
        for w in new_docs[h] if h in new_docs else old_docs[h][0]:
            word_docs[w] = word_docs.get(w, 0) + n
    distinct = word_docs.keys()

    if state is not None and distinct == old_word_docs.keys():
        # The same words: the same dictionary, so every known word keeps its terms.
        dictionary, words = old_dictionary, old_words
    else:
        dictionary, words = _words_under(distinct, old_words, old_dictionary)
        changed = {w for w, new in words.items()
                   if (old := old_words.get(w)) is not None and old is not new and old[1] != new[1]}
        if changed:  # known words that expand differently under the new dictionary: their documents anew
            for i, entry in enumerate(entries):
                if entry is not None and not changed.isdisjoint(entry[0]):
                    entries[i] = None
                    raws[i] = _words(fields_of(i))
    if raws:
        terms_of = {w: words[w][1] for distinct_words, _ in raws.values() for w in distinct_words}
        for i, (distinct_words, raw) in raws.items():
            entries[i] = (distinct_words, tuple(_field_counts(r, terms_of) for r in raw))
    if cache is not None:
        cache.put(state_key, (dictionary, words, dict(zip(digests, entries, strict=True)), word_docs, copies))
    return [entry[1] for entry in entries]


Words = dict[str, tuple[str | None, tuple[str, ...]]]  # word -> (its masculine base, its terms)


def _words_under(distinct: Iterable[str], old_words: Words,
                 old_dictionary: frozenset[str]) -> tuple[frozenset[str], Words]:
    """The dictionary of a content with the words `distinct` and each word's masculine base and terms: taken
    from the last build's where the word cannot expand differently under the new dictionary."""
    bases = {w: old_words[w][0] if w in old_words else german.masculine(w) for w in distinct}
    dictionary = dictionary_of(bases, bases.values())
    if dictionary == old_dictionary:
        suspects: set[str] = set()
    else:
        changed_parts = [c for c in dictionary ^ old_dictionary if len(c) >= german.MIN_PART]
        known = [w for w in bases if w in old_words]
        if len(changed_parts) * len(known) > MAX_SUBSTRING_TESTS:
            suspects = set(known)
        else:
            suspects = {w for c in changed_parts for w in known if c in w}
    term_of = lunr_index.make_term_function()
    words: Words = {}
    for w, base in bases.items():
        old = old_words.get(w)
        if old is not None and w not in suspects:
            words[w] = old
            continue
        tokens = (term_of(token) for token in expand(w, base, dictionary))
        words[w] = (base, tuple(t for t in tokens if t is not None))
    return dictionary, words

