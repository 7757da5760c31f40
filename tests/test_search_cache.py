"""The search index with a warm cache (issue 6): after changed, added and removed offers, a rebuild gives the
same bytes as a cold build, tokenizes only what it must, and the cache survives a round trip through the disk."""

from __future__ import annotations

import dataclasses
import gzip
import json
import random

import pytest
from test_search import edited, sample_site

from offerdb import search as offer_search
from offerdb.memory import Memory
from offerdb.search import german, lunr_index, terms

INDEX = offer_search.INDEX_PATH
NAMES = [name for name, _ in offer_search.FIELDS]


def cold(site) -> dict[str, bytes]:
    files = offer_search.build_search(site, memory=None)
    assert offer_search.build_search(site, memory=Memory()) == files
    return files


def reference(documents) -> bytes:
    """The index as the plain path writes it: tokenize, collect, compact, json.dumps (the code before the
    cache, kept for the comparisons with lunr.py in test_search_index.py)."""
    return json.dumps(lunr_index.compact(offer_search.collect(documents)), ensure_ascii=False,
                      separators=(",", ":")).encode()


@pytest.fixture
def tokenized(monkeypatch):
    """The bodies build_search turns into text, that is the offers it tokenizes (cache misses)."""
    seen = []
    plain_text = offer_search.plain_text

    def counting(html: str) -> str:
        seen.append(html)
        return plain_text(html)

    monkeypatch.setattr(offer_search, "plain_text", counting)
    return seen


def with_body(site, slug: str, html: str):
    offers = [edited(o, body_html=html) if o.slug == slug else o for o in site.offers]
    return dataclasses.replace(site, offers=offers)


def postings_of(index: bytes, word: str) -> dict[str, list[str]]:
    """Per field, the refs of the documents that have the term of `word`."""
    data = json.loads(index)
    term = german.stem(word)
    if term not in data["terms"]:
        return {}
    row = data["postings"][data["terms"].index(term)]
    result = {}
    for (name, _), (deltas, _) in zip(data["fields"], row, strict=True):
        docs, doc = [], 0
        for delta in deltas:
            doc += delta
            docs.append(data["refs"][doc])
        result[name] = docs
    return result


def test_build_search_without_cache_writes_what_the_plain_path_writes():
    site = sample_site()
    assert cold(site)[INDEX] == reference(offer_search.index_documents(site))


def test_one_changed_offer_is_tokenized_again_and_the_bytes_equal_a_cold_build(tokenized):
    site = sample_site()
    cache = Memory()
    assert offer_search.build_search(site, memory=cache) == cold(site)
    offer = site.offers[len(site.offers) // 2]
    changed = with_body(site, offer.slug, offer.body_html + "<p>Neu: ein Klettergartenprojekt für Lehrer*innen.</p>")
    tokenized.clear()
    files = offer_search.build_search(changed, memory=cache)
    assert tokenized == [changed.offers[len(site.offers) // 2].body_html]
    assert files == cold(changed)
    assert postings_of(files[INDEX], "klettergartenprojekt")["body"] == [offer.slug]
    tokenized.clear()
    assert offer_search.build_search(changed, memory=cache) == files  # nothing changed: nothing tokenized
    assert tokenized == []


def test_a_new_offer_whose_word_splits_a_compound_of_another_offer_and_its_removal(tokenized):
    site = sample_site()
    a, b = site.offers[3], site.offers[10]
    base = with_body(site, a.slug, a.body_html + "<p>Unser Klettergartenprojekt.</p>")
    cache = Memory()
    offer_search.build_search(base, memory=cache)
    assert postings_of(cold(base)[INDEX], "klettergarten") == {}  # not a word of the content yet

    # a new offer brings the word "Klettergarten": offer a's compound now splits into it
    new = edited(b, slug="neues-angebot", body_html="<p>Ein Klettergarten.</p>")
    added = dataclasses.replace(base, offers=[*base.offers[:5], new, *base.offers[5:]])
    tokenized.clear()
    files = offer_search.build_search(added, memory=cache)
    assert sorted(tokenized) == sorted([new.body_html, added.offers[3].body_html])  # the new one, and a again
    assert files == cold(added)
    assert postings_of(files[INDEX], "klettergarten")["body"] == sorted([a.slug, "neues-angebot"],
                                                                       key=[o.slug for o in added.offers].index)

    # and when it goes, a's compound no longer splits
    tokenized.clear()
    files = offer_search.build_search(base, memory=cache)
    assert tokenized == [base.offers[3].body_html]
    assert files == cold(base)
    assert postings_of(files[INDEX], "klettergarten") == {}


def test_an_entry_from_an_older_dictionary_is_not_reused():
    # a's first version is cached while "klettergarten" is no word of the content; then a changes and b brings
    # the word; then a's first version comes back: its cached entry (never pruned here) must not be used.
    site = sample_site()
    a, b = site.offers[3].slug, site.offers[10].slug
    first = with_body(site, a, "<p>Unser Klettergartenprojekt.</p>")
    cache = Memory()
    offer_search.build_search(first, memory=cache)
    second = with_body(with_body(site, a, "<p>Etwas anderes.</p>"), b, "<p>Ein Klettergarten.</p>")
    offer_search.build_search(second, memory=cache)
    third = with_body(first, b, "<p>Ein Klettergarten.</p>")
    files = offer_search.build_search(third, memory=cache)
    assert files == cold(third)
    assert a in postings_of(files[INDEX], "klettergarten")["body"]


def test_the_cache_survives_a_round_trip_through_the_disk(tmp_path, tokenized):
    site = sample_site()
    cache = Memory()
    offer_search.build_search(site, memory=cache)
    cache.save(tmp_path / "cache.pickle")
    loaded = Memory.load(tmp_path / "cache.pickle")
    offer = site.offers[-1]
    changed = with_body(site, offer.slug, offer.body_html * 2)  # no new word: only this offer changes
    tokenized.clear()
    files = offer_search.build_search(changed, memory=loaded)
    assert len(tokenized) == 1
    assert files == cold(changed)


# --- many random edits on small documents, against the plain path -----------------------------------------

POOL = [*sorted(terms.lexicon()), "klettergarten", "klettergartenprojekt", "gewaltpräventionsprogramm",
        "programm", "suchtprävention", "medienkompetenztraining", "Lehrer*innen", "SchülerInnen", "Polizist:innen",
        "lehrerinnen", "und", "der", "die", "schulsozialarbeit", "sozialarbeit", "elternabend", "abend", "Ärger",
        "Straße", "grundschule", "grund", "netzwerk", "werk", "fortbildungsreihe", "reihe", "x", "ab", "klassenrat"]


def random_text(rng: random.Random) -> str:
    return " ".join(rng.choice(POOL) for _ in range(rng.randint(0, 8))) + rng.choice(["", ".", "!"])


def random_document(rng: random.Random, number: int) -> tuple[str, dict[str, str]]:
    return f"doc-{number}", {name: random_text(rng) for name in NAMES}


@pytest.mark.parametrize("seed", range(6))
def test_random_changes_additions_removals_and_moves_equal_cold_builds(seed):
    rng = random.Random(seed)
    documents = [random_document(rng, n) for n in range(12)]
    cache, writer = Memory(), lunr_index.IndexWriter()
    made = len(documents)
    for _ in range(30):
        op = rng.choice(["change", "change", "change", "add", "remove", "move", "none"])
        if op == "change" and documents:
            ref, fields = documents[rng.randrange(len(documents))]
            fields[rng.choice(NAMES)] = random_text(rng)
        elif op == "add":
            documents.insert(rng.randint(0, len(documents)), random_document(rng, made))
            made += 1
        elif op == "remove" and documents:
            documents.pop(rng.randrange(len(documents)))
        elif op == "move" and documents:
            documents.insert(rng.randint(0, len(documents) - 1), documents.pop(rng.randrange(len(documents))))
        if rng.random() < 0.7:
            cache.prune()
        keys = [tuple(fields[name] for name in NAMES) for _, fields in documents]
        counts = terms.field_counts(keys, None, cache)
        data = writer.write([ref for ref, _ in documents], counts, offer_search.FIELDS)
        assert data == reference(documents), op


def test_gzip_is_deterministic_and_level_9_only_for_small_files():
    small = b'{"a":[1,2,3]}' * 100
    large = json.dumps(list(range(100_000))).encode()
    assert len(large) >= offer_search.GZIP_BEST_BELOW > len(small)
    assert offer_search.gzipped(small) == gzip.compress(small, compresslevel=9, mtime=0)
    assert offer_search.gzipped(large) == gzip.compress(large, compresslevel=6, mtime=0)
    assert gzip.decompress(offer_search.gzipped(large)) == large
