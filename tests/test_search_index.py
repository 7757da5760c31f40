"""Agreement of the Python-built index with lunr (issue 4, items 1, 3 and 5; issue 14, item 3): stems, stop
words and words against lunr.de.js, the directly written index against lunr.py, the index search.js assembles
from the shards against both, and the sharded path's results against the full index's and an index that lunr.js
builds itself."""

from __future__ import annotations

import gzip
import json
import re

import pytest
from lunr.builder import Builder
from lunr.pipeline import Pipeline
from test_search import ROOT, indexed, node, sample_site, searched

from offerdb import exports, models, pipeline
from offerdb import search as offer_search
from offerdb.search import german, lunr_index, shards


@pytest.fixture(scope="module")
def documents():
    return offer_search.index_documents(sample_site())


@pytest.fixture(scope="module")
def postings(documents):
    return offer_search.collect(documents)


def test_every_token_of_the_content_gets_the_same_stem_as_in_lunr_de_js(documents):
    tokens = sorted({t for _, fields in offer_search.tokenize(documents) for ts in fields.values() for t in ts})
    assert len(tokens) > 1000
    js = node("stem", {"words": tokens})
    assert dict(zip(tokens, js["stems"], strict=True)) == {t: german.stem(t) for t in tokens}
    assert js["wordCharacters"] == german.WORD_CHARACTERS


def test_the_stop_word_file_is_lunr_de_js_list():
    words = sorted(german.stop_words())
    assert node("stem", {"words": words + ["schule"]})["stop"] == words


def test_search_js_splits_words_like_the_index(documents):
    texts = [value for _, fields in documents for value in fields.values()]
    texts.append("Schüler*innen, Lehrer/-innen und SchülerInnen; E-Mail: info@example.org, Klasse 5–7")
    assert node("words", {"texts": texts}, str(indexed([]).folder))["words"] == [german.words(t) for t in texts]


def _lunr_py_index(tokenized) -> dict:
    """The same documents indexed by lunr.py with the German pipeline functions of german.py."""
    term_of = lunr_index.make_term_function()

    def trimmer(token, i=None, tokens=None):
        return token.update(lambda s, metadata=None: german.trim(s))

    def stop_word_filter(token, i=None, tokens=None):
        return None if term_of(str(token)) is None else token

    def stemmer(token, i=None, tokens=None):
        return token.update(lambda s, metadata=None: german.stem(s))

    for fn, label in ((trimmer, "trimmer-de"), (stop_word_filter, "stopWordFilter-de"), (stemmer, "stemmer-de")):
        Pipeline.register_function(fn, label)
    builder = Builder()
    builder.pipeline.add(trimmer, stop_word_filter, stemmer)
    builder.search_pipeline.add(trimmer, stemmer)
    builder.ref("ref")
    for name, boost in offer_search.FIELDS:
        builder.field(name, boost=boost)
    for ref, fields in tokenized:
        builder.add({"ref": ref, **{name: " ".join(tokens) for name, tokens in fields.items()}})
    return builder.build().serialize()


def test_the_directly_written_index_equals_lunr_py_output(documents, postings):
    expected = _lunr_py_index(offer_search.tokenize(documents))
    written = lunr_index.serialize(postings)
    assert written["invertedIndex"] == expected["invertedIndex"]
    assert written["fieldVectors"] == expected["fieldVectors"]
    assert written == expected


def numbered(documents):
    """The documents as search.js numbers them (shards.numbering), each ref its number."""
    order, _ = shards.numbering([ref for ref, _ in documents])
    return [(str(n), documents[i][1]) for n, i in enumerate(order)]


def test_search_js_assembles_from_every_shard_exactly_that_index(documents):
    assert node("assemble", {}, str(indexed(documents).folder)) == \
        lunr_index.serialize(offer_search.collect(numbered(documents)))


QUERIES = ["Schüler", "Schülerinnen", "Lehrkräfte", "Prävention", "Mobbing", "Cybermobbing", "Demokratie",
           "Sucht", "Alkohol Cannabis", "Eltern", "Grundschule", "Fortbildung", "Klassenchat Regeln", "Gewalt",
           "Theater", "Medien", "Polizei", "Zivilcourage", "Vielfalt", "Rassismus", "Körper Grenzen",
           "Prüfung Stress", "Demokr", "Schueler", "Medienkompetnz", "Strasse", "Lehrerin",
           "Suchtpräventionsprojekt", "Gewaltpräventionstag", "Lehrer*innen Demokratie", "Kl", "Mobb Elter"]


def test_python_index_and_lunr_js_index_give_the_same_results(documents):
    tokenized = offer_search.tokenize(numbered(documents))
    built_by_js = node("build", {"fields": [list(f) for f in offer_search.FIELDS],
                                 "documents": [[ref, {n: " ".join(t) for n, t in fields.items()}]
                                               for ref, fields in tokenized]})
    written = lunr_index.serialize(offer_search.collect(numbered(documents)))
    assert built_by_js["invertedIndex"] == written["invertedIndex"]
    assert built_by_js["fieldVectors"] == written["fieldVectors"]
    index = indexed(documents)
    ours = searched(index, QUERIES, full=True)["results"]
    theirs = node("search", {"queries": QUERIES, "full": True, "lunrIndex": built_by_js}, str(index.folder))["results"]
    assert sum(len(r) for r in ours.values()) > 100
    assert ours == {q: [dict(hit, ref=index.refs[hit["ref"]]) for hit in hits] for q, hits in theirs.items()}


def test_the_sharded_path_ranks_exactly_like_the_full_index(documents):
    index = indexed(documents)
    sharded = searched(index, QUERIES)
    full = searched(index, QUERIES, full=True)["results"]
    assert sum(len(r) for r in full.values()) > 100
    assert sharded["results"] == full  # refs, order, scores to the last bit, matched terms
    # and it got there with a part of the data: the dictionary is one block here, the postings are not
    shard_count = len(json.loads((index.folder / shards.MANIFEST).read_text())["postings"])
    assert shard_count > 5
    for query, paths in sharded["requests"].items():
        assert len([p for p in paths if "/p." in p]) < shard_count, query


def test_a_typed_words_shards_are_asked_for_beside_the_dictionary_not_after_it(documents):
    """A slow school network pays one round trip less: the manifest's ranges name the shards of a typed word and
    its completions, so they are requested before the dictionary block has arrived (typos and compound parts,
    which need the dictionary, come after it)."""
    index = indexed(documents)
    postings = json.loads((index.folder / shards.MANIFEST).read_text())["postings"]
    for query, term in [("Mobbing", "mobbing"), ("Demokr", "demokr")]:
        paths = searched(index, [query])["requests"][query]  # a fresh page: nothing loaded yet
        assert len(paths) == len(set(paths)), query  # nothing asked for twice
        holder = [name for first, name in postings if first <= term][-1]
        dictionary = min(i for i, p in enumerate(paths) if "/w." in p)
        assert paths.index(f"/{shards.FOLDER}{holder}") < dictionary, query


# The benchmark's kinds of query (benchmarks/search_browser.py) and words of the generated material.
GENERATED_QUERIES = QUERIES + ["Achtsamkeit", "Sucht Alkohol", "Verschwörungserzählungen", "Zivilcourag",
                               "Medienkompetnz", "Klasse", "Teilnehmende", "Rasismus", "Extrem", "Workshop Eltern"]


def test_the_sharded_path_ranks_exactly_like_the_full_index_on_1000_generated_offers(tmp_path):
    from benchmarks import generate

    content, config = generate.generate(1000, tmp_path)
    checked = pipeline.check(content, config, generate.TODAY)
    assert checked.settings is not None and checked.validated.ok
    site = models.build_site(checked.validated, checked.settings, generate.TODAY)
    index = indexed(offer_search.index_documents(site))
    sharded = searched(index, GENERATED_QUERIES)
    full = searched(index, GENERATED_QUERIES, full=True)["results"]
    assert sum(len(r) for r in full.values()) > 5000
    assert sharded["results"] == full
    shard_count = len(json.loads((index.folder / shards.MANIFEST).read_text())["postings"])
    assert max(len([p for p in paths if "/p." in p]) for paths in sharded["requests"].values()) < shard_count / 3


def test_build_search_publishes_the_manifest_the_files_it_names_scripts_and_deterministic_gzip():
    site = sample_site()
    files = offer_search.build_search(site)
    manifest = json.loads(files[shards.MANIFEST])
    assert manifest["format"] == shards.FORMAT and manifest["count"] == len(site.offers)
    named = {name for _, name in manifest["postings"] + manifest["words"]}
    named |= {manifest["filters"], manifest["title_order"], manifest["newest_order"], manifest["titles"]}
    cards, version = manifest["cards"], manifest["cards"]["version"]
    buckets = len(cards["sizes"])
    named |= {f"k{b}.{version}.json" for b in range(buckets)}
    named |= {f"c{g}.{version}.json" for g in range(-(-buckets // cards["contact_buckets"]))}
    data_files = {p for p in files if p.startswith(shards.FOLDER) and p != shards.MANIFEST}
    assert data_files == {shards.FOLDER + name for name in named}  # nothing unnamed, nothing missing
    order, sizes = shards.numbering([o.slug for o in site.offers])
    assert cards["sizes"] == shards.column(sizes, 1) and cards["width"] == 1
    numbered = [site.offers[i] for i in order]
    shown = [card for b in range(buckets) for card in json.loads(files[f"{shards.FOLDER}k{b}.{version}.json"])["cards"]]
    assert shown == [exports.card(o) for o in numbered]
    assert dict(zip(exports.CARD_FIELDS, shown[0], strict=True))["slug"] == numbered[0].slug
    contacts = [c for g in range(-(-buckets // cards["contact_buckets"]))
                for c in json.loads(files[f"{shards.FOLDER}c{g}.{version}.json"])["contacts"]]
    assert contacts == [exports.contact(o) for o in numbered]
    assert version == shards.numbering_version([o.slug for o in numbered])
    assert json.loads(files[shards.FOLDER + manifest["titles"]])["titles"] == [[o.slug, o.title] for o in site.offers]
    title_order = json.loads(files[shards.FOLDER + manifest["title_order"]])["order"]
    assert [numbered[n].slug for n in title_order] == [o.slug for o in site.offers]
    for path, data in files.items():
        if path.startswith("assets/") and not path.endswith(".gz"):
            assert gzip.decompress(files[path + ".gz"]) == data
            assert files[path + ".gz"][4:8] == b"\0\0\0\0"  # mtime 0: the same content gives the same bytes
    assert offer_search.build_search(sample_site()) == files
    # search.js loads exactly the scripts that are published
    source = (ROOT / "templates" / "assets" / "search.js").read_text(encoding="utf-8")
    scripts = re.findall(r'var LUNR = "([^"]+)";', source)
    assert scripts == [p for p in files if p.startswith("assets/") and not p.endswith(".gz")]
    assert f'var FOLDER = "{shards.FOLDER}"' in source and 'FOLDER + "manifest.json"' in source


def test_missing_node_modules_is_reported_in_german(tmp_path):
    with pytest.raises(offer_search.SearchError, match="make deps"):
        offer_search.script_files(tmp_path)


def test_search_scripts_need_no_eval():
    # The CSP has no 'unsafe-eval': neither lunr nor search.js may compile code from strings.
    for path, data in offer_search.script_files().items():
        text = data.decode("utf-8")
        assert not re.search(r"\beval\s*\(|new Function\b|\bFunction\s*\(", text), path
    source = (ROOT / "templates" / "assets" / "search.js").read_text(encoding="utf-8")
    assert "innerHTML" not in source and "eval(" not in source


# Words that reach each rule of the German Snowball stemmer at its edges: short words, R1 and R2 starting at the
# end or near the start, ge- words, umlauts and ß, u/y between vowels, every suffix group, -nis/-keit/-lich/-isch.
EDGE_WORDS = ["a", "ab", "abe", "aber", "abend", "aufeinanderfolgenden", "bayern", "bs", "bücher", "eigenes",
              "ems", "ende", "endlich", "erst", "erzählerisch", "feiernd", "freundlichkeit", "gegangen", "gesetzlich",
              "häusern", "ig", "isch", "kategorisch", "keit", "kenntnisse", "kindheit", "kreuzen", "langsamkeit",
              "lehrerinnen", "lichkeit", "möglichkeit", "nisse", "qu", "quälend", "sanft", "schnellsten", "straßen",
              "täglich", "ueber", "uneinig", "ung", "uu", "vollständig", "yacht", "zeugnisses", "abenteuerlich",
              "heiterkeit", "bergig", "lustigkeit", "fischen", "erde", "er", "eres", "sichere", "ergebnissen",
              "bitterlich", "meinungen", "entwicklungen", "tätigkeiten", "europäischen", "aktivität"]


def test_stems_at_the_edges_of_every_rule_agree_with_lunr_de_js():
    js = node("stem", {"words": EDGE_WORDS})
    assert dict(zip(EDGE_WORDS, js["stems"], strict=True)) == {w: german.stem(w) for w in EDGE_WORDS}


def test_collect_reads_a_document_without_a_field_as_empty():
    with_all = offer_search.collect([("a", {"title": "Mobbing", "text": "", "body": ""})])
    without = offer_search.collect([("a", {"title": "Mobbing"})])
    assert lunr_index.serialize(without) == lunr_index.serialize(with_all)


def test_a_large_vocabulary_gets_larger_dictionary_blocks_not_more_files(monkeypatch):
    """Hosts limit the number of files: above WORD_FILES blocks of WORDS_PER_FILE terms the blocks grow."""
    monkeypatch.setattr(shards, "WORD_FILES", 3)
    monkeypatch.setattr(shards, "WORDS_PER_FILE", 2)
    names = [f"wort{n:02}" for n in range(10)]
    counts = [((tuple(names), (1,) * 10, 10), ((), (), 0), ((), (), 0))]
    files, part = shards.index_files(shards.Postings(counts, 3))
    blocks = [json.loads(files[shards.FOLDER + name])["terms"] for _, name in part["words"]]
    assert blocks == [names[0:4], names[4:8], names[8:10]]  # ceil(10 / 3) terms a block, three files
    monkeypatch.setattr(shards, "WORD_FILES", 30)
    files, part = shards.index_files(shards.Postings(counts, 3))
    assert [len(json.loads(files[shards.FOLDER + name])["terms"]) for _, name in part["words"]] == [2] * 5
