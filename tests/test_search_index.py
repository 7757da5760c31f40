"""Agreement of the Python-built index with lunr (issue 4, items 1, 3 and 5): stems, stop words and words
against lunr.de.js, the directly written index against lunr.py, the compact form against what search.js
expands, and search results against an index that lunr.js builds itself."""

from __future__ import annotations

import gzip
import json
import re

import pytest
from lunr.builder import Builder
from lunr.pipeline import Pipeline
from test_search import ROOT, node, sample_site, search

from offerdb import search as offer_search
from offerdb.search import german, gzip_chunks, lunr_index


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
    assert node("words", {"texts": texts, "index": lunr_index.compact(lunr_index.collect([], []))})["words"] == \
        [german.words(t) for t in texts]


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


def test_search_js_expands_the_compact_index_to_exactly_that_index(postings):
    assert node("expand", lunr_index.compact(postings)) == lunr_index.serialize(postings)


QUERIES = ["Schüler", "Schülerinnen", "Lehrkräfte", "Prävention", "Mobbing", "Cybermobbing", "Demokratie",
           "Sucht", "Alkohol Cannabis", "Eltern", "Grundschule", "Fortbildung", "Klassenchat Regeln", "Gewalt",
           "Theater", "Medien", "Polizei", "Zivilcourage", "Vielfalt", "Rassismus", "Körper Grenzen",
           "Prüfung Stress", "Demokr", "Schueler", "Medienkompetnz", "Strasse", "Lehrerin"]


def test_python_index_and_lunr_js_index_give_the_same_results(documents, postings):
    tokenized = offer_search.tokenize(documents)
    built_by_js = node("build", {"fields": [list(f) for f in offer_search.FIELDS],
                                 "documents": [[ref, {n: " ".join(t) for n, t in fields.items()}]
                                               for ref, fields in tokenized]})
    assert built_by_js["invertedIndex"] == lunr_index.serialize(postings)["invertedIndex"]
    assert built_by_js["fieldVectors"] == lunr_index.serialize(postings)["fieldVectors"]
    ours = search(lunr_index.compact(postings), QUERIES)
    theirs = node("search", {"queries": QUERIES, "index": lunr_index.compact(postings),
                             "lunrIndex": built_by_js})["results"]
    assert sum(len(r) for r in ours.values()) > 100
    assert ours == theirs


def test_build_search_publishes_index_scripts_and_deterministic_gzip():
    files = offer_search.build_search(sample_site())
    index = json.loads(files[offer_search.INDEX_PATH])
    assert index["format"] == lunr_index.FORMAT
    assert sorted(index["refs"]) == sorted(o.slug for o in sample_site().offers)
    for path, data in files.items():
        if not path.endswith(".gz"):
            assert gzip.decompress(files[path + ".gz"]) == data
            assert files[path + ".gz"][4:8] == b"\0\0\0\0"  # mtime 0: the same content gives the same bytes
    assert offer_search.build_search(sample_site()) == files
    # search.js loads exactly the scripts that are published
    source = (ROOT / "templates" / "assets" / "search.js").read_text(encoding="utf-8")
    scripts = re.search(r"var SCRIPTS = \[(.*?)\];", source, re.S)[1]
    assert set(re.findall(r'"([^"]+)"', scripts)) == {p for p in files if p.startswith("assets/") and
                                                      not p.endswith(".gz")}
    assert f'"{offer_search.INDEX_PATH}"' in source


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


@pytest.mark.parametrize("level, xfl", [(1, 4), (0, 4), (6, 0), (9, 2)])
def test_the_gzip_header_is_what_gzip_writes(level, xfl):
    assert gzip_chunks.header(level) == b"\x1f\x8b\x08\x00\x00\x00\x00\x00" + bytes((xfl, 3))
    assert gzip_chunks.header(level) == gzip.compress(b"x", level, mtime=0)[:10]
    assert gzip_chunks.compress(b"abc" * 1000, level) == gzip.compress(b"abc" * 1000, level, mtime=0)[:10] + \
        gzip_chunks.compress(b"abc" * 1000, level)[10:]


def test_cuts_end_rows_and_split_long_rows_at_commas():
    block = gzip_chunks.BLOCK
    row = b"[[[" + b"1," * (3 * block // 2) + b"2]]],"  # a row of 3 blocks: split at commas past a block
    data = row * 3
    ends = gzip_chunks.cuts(data)
    assert ends[-1] == len(data) and ends == sorted(set(ends))
    # a row longer than two blocks is cut at the first comma past a block, then rows end chunks
    assert ends == [block + 1, 3 * block + 8, 4 * block + 9, 6 * block + 16, 7 * block + 17, 9 * block + 24]
    assert all(data[end - 1:end] in (b",",) for end in ends[:-1])
    assert gzip.decompress(gzip_chunks.compress(data)) == data
    assert gzip_chunks.cuts(b"") == [] and gzip_chunks.cuts(b"[[[1]]],") == [8]
    small = b"[[[1]]],[[[2]]],"
    assert gzip_chunks.cuts(small) == [len(small)]  # pieces below the minimum stay one chunk


def test_collect_reads_a_document_without_a_field_as_empty():
    with_all = offer_search.collect([("a", {"title": "Mobbing", "text": "", "body": ""})])
    without = offer_search.collect([("a", {"title": "Mobbing"})])
    assert lunr_index.compact(without) == lunr_index.compact(with_all)
