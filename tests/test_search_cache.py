"""The search index with a warm cache (issue 6): after changed, added and removed offers, a rebuild gives the
same bytes as a cold build, tokenizes only what it must, and the cache survives a round trip through the disk."""

from __future__ import annotations

import dataclasses
import gzip
import itertools
import json
import random

import pytest
from test_search import edited, sample_site

from offerdb import search as offer_search
from offerdb.memory import Memory
from offerdb.search import german, shards, terms

NAMES = [name for name, _ in offer_search.FIELDS]


def cold(site) -> dict[str, bytes]:
    files = offer_search.build_search(site, memory=None)
    assert offer_search.build_search(site, memory=Memory()) == files
    return files


def index_part(files: dict[str, bytes]) -> dict[str, bytes]:
    """The posting shards and dictionary blocks (what the cards and filters do not decide)."""
    return {p: d for p, d in files.items() if p.startswith((shards.FOLDER + "p.", shards.FOLDER + "w."))}


def reference(documents) -> dict[str, bytes]:
    """The index files as the plain path writes them: each document's texts tokenized without a cache."""
    return index_part(offer_search.search_data(documents)[0])


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


def postings_of(files: dict[str, bytes], word: str) -> dict[str, list[str]]:
    """Per field, the slugs (sorted) of the offers that have the term of `word`, read from the published files."""
    manifest = json.loads(files[shards.MANIFEST])
    term = german.stem(word)
    version = manifest["cards"]["version"]
    slugs = [card[0] for b in range(len(manifest["cards"]["sizes"]))
             for card in json.loads(files[f"{shards.FOLDER}k{b}.{version}.json"])["cards"]]
    for _, name in manifest["postings"]:
        for row in json.loads(files[shards.FOLDER + name])["terms"]:
            if row[0] == term:
                result = {}
                for f, (field, _) in enumerate(manifest["fields"]):
                    docs = list(itertools.accumulate(row[2 + 3 * f]))
                    if docs:
                        result[field] = sorted(slugs[d] for d in docs)
                return result
    return {}


def test_build_search_without_cache_writes_what_the_plain_path_writes():
    site = sample_site()
    assert index_part(cold(site)) == reference(offer_search.index_documents(site))


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
    assert postings_of(files, "klettergartenprojekt")["body"] == [offer.slug]
    tokenized.clear()
    assert offer_search.build_search(changed, memory=cache) == files  # nothing changed: nothing tokenized
    assert tokenized == []


def test_a_rebuild_patches_the_postings_of_the_last_build_instead_of_building_them_anew(monkeypatch):
    site = sample_site()
    cache = Memory()
    offer_search.build_search(site, memory=cache)
    built, patched = [], []
    init, patch = shards.Postings.__init__, shards.Postings.patch
    monkeypatch.setattr(shards.Postings, "__init__", lambda self, *a: built.append(1) or init(self, *a))
    monkeypatch.setattr(shards.Postings, "patch", lambda self, *a: patched.append(1) or patch(self, *a))
    offer = site.offers[5]
    changed = with_body(site, offer.slug, offer.body_html + "<p>Neu: Klettergarten.</p>")
    files = offer_search.build_search(changed, memory=cache)
    assert (built, patched) == ([], [1])
    assert postings_of(files, "klettergarten")["body"] == [offer.slug]
    offer_search.build_search(changed, memory=None)  # without memory: built anew
    assert (built, patched) == ([1], [1])


def test_a_new_word_expands_again_only_itself_and_the_known_words_that_contain_it(monkeypatch):
    expanded = []
    expand = terms.expand
    monkeypatch.setattr(terms, "expand", lambda word, *a: expanded.append(word) or expand(word, *a))
    first = [("doc-1", {"title": "Klettergarten", "text": "Sport am Nachmittag", "body": ""})]
    second = first + [("doc-2", {"title": "Garten", "text": "", "body": ""})]
    cache = Memory()
    for documents in (first, second):
        expanded.clear()
        keys = [tuple(fields[name] for name in NAMES) for _, fields in documents]
        counts = terms.field_counts(keys, None, cache)
        done = sorted(expanded)
        files, _ = shards.IndexWriter().write([counts[i] for i in shards.numbering([r for r, _ in documents])[0]],
                                              len(offer_search.FIELDS))
        assert files == reference(documents)
    # "garten" is a new compound part: of the known words only "klettergarten" may split differently now
    assert done == ["garten", "klettergarten"]


def test_copies_of_a_known_document_come_and_go_as_in_a_cold_build():
    """Two offers may have the same text (a copy not yet edited): adding or removing a copy of a document the
    last build knew changes how many documents hold its words, and the index equals a cold build's."""
    rng = random.Random(3)
    a, b = random_document(rng, 1), random_document(rng, 2)
    assert all(a[1].values())
    copy = ("doc-3", dict(a[1]))
    cache, writer = Memory(), shards.IndexWriter()
    for documents in ([a, b], [a, b, copy], [b, copy], [a, b, copy], [b]):
        keys = [tuple(fields[name] for name in NAMES) for _, fields in documents]
        counts = terms.field_counts(keys, None, cache)
        order, _ = shards.numbering([ref for ref, _ in documents])
        files, _ = writer.write([counts[i] for i in order], len(offer_search.FIELDS))
        assert files == reference(documents), [ref for ref, _ in documents]


def test_a_new_offer_whose_word_splits_a_compound_of_another_offer_and_its_removal(tokenized):
    site = sample_site()
    a, b = site.offers[3], site.offers[10]
    base = with_body(site, a.slug, a.body_html + "<p>Unser Klettergartenprojekt.</p>")
    cache = Memory()
    offer_search.build_search(base, memory=cache)
    assert postings_of(cold(base), "klettergarten") == {}  # not a word of the content yet

    # a new offer brings the word "Klettergarten": offer a's compound now splits into it
    new = edited(b, slug="neues-angebot", body_html="<p>Ein Klettergarten.</p>")
    added = dataclasses.replace(base, offers=[*base.offers[:5], new, *base.offers[5:]])
    tokenized.clear()
    files = offer_search.build_search(added, memory=cache)
    assert sorted(tokenized) == sorted([new.body_html, added.offers[3].body_html])  # the new one, and a again
    assert files == cold(added)
    assert postings_of(files, "klettergarten")["body"] == sorted([a.slug, "neues-angebot"])

    # and when it goes, a's compound no longer splits
    tokenized.clear()
    files = offer_search.build_search(base, memory=cache)
    assert tokenized == [base.offers[3].body_html]
    assert files == cold(base)
    assert postings_of(files, "klettergarten") == {}


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
    assert a in postings_of(files, "klettergarten")["body"]


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
    cache, writer = Memory(), shards.IndexWriter()
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
        order, _ = shards.numbering([ref for ref, _ in documents])
        files, _ = writer.write([counts[i] for i in order], len(offer_search.FIELDS))
        assert files == reference(documents), op


def test_gzip_is_deterministic_and_level_9_only_for_small_files():
    small = b'{"a":[1,2,3]}' * 100
    large = json.dumps(list(range(100_000))).encode()
    assert len(large) >= offer_search.GZIP_BEST_BELOW > len(small)
    assert offer_search.gzipped(small) == gzip.compress(small, compresslevel=9, mtime=0)
    assert offer_search.gzipped(large) == gzip.compress(large, compresslevel=6, mtime=0)
    assert gzip.decompress(offer_search.gzipped(large)) == large
