"""The index's .gz in content-defined chunks (search/gzip_chunks.py): plain gzip of exactly the index, the same
bytes in any process and whether a chunk was compressed now or remembered; a rebuild after one changed offer
compresses only a few chunks (issue 6, rebuild ≤ 0.25 s at 10,000 offers)."""

from __future__ import annotations

import dataclasses
import functools
import gzip
import hashlib
import json
import random
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from test_search import edited, sample_site

from offerdb import search as offer_search
from offerdb.memory import Memory
from offerdb.search import gzip_chunks

ROOT = Path(__file__).resolve().parents[1]
INDEX = offer_search.INDEX_PATH


@functools.lru_cache
def index_like(offers: int, seed: int = 0) -> bytes:
    """Bytes shaped like the compact index: refs, lengths, then one row per term of documents and term
    frequencies per field."""
    rng = random.Random(seed)
    rows = []
    for _ in range(120):
        row = []
        for _field in range(3):
            docs = sorted(rng.sample(range(offers), rng.randint(0, offers)))
            row.append([[b - a for a, b in zip([0, *docs], docs, strict=False)],
                        [rng.choice([1, 1, 1, 2, 3]) for _ in docs]])
        rows.append(row)
    return json.dumps({"refs": [f"angebot-{n}-{rng.randrange(10**6)}" for n in range(offers)],
                       "lengths": [[rng.randint(1, 9), rng.randint(5, 60), rng.randint(50, 900)]
                                   for _ in range(offers)],
                       "postings": rows}, separators=(",", ":")).encode()


@pytest.fixture
def deflated(monkeypatch):
    """The chunks gzip_chunks compresses (not taken from a ChunkedGzip's memory)."""
    seen = []
    deflate = gzip_chunks.deflate

    def counting(chunk: bytes, level: int) -> bytes:
        seen.append(chunk)
        return deflate(chunk, level)

    monkeypatch.setattr(gzip_chunks, "deflate", counting)
    return seen


def test_chunked_gzip_is_plain_gzip_of_exactly_the_data():
    data = index_like(2000)
    assert len(data) > 1_000_000
    packed = gzip_chunks.compress(data)
    assert gzip.decompress(packed) == data
    assert len(gzip_chunks.cuts(data)) > 10  # really in chunks
    # the header gzip.compress writes for the level (XFL 0 for 6, 2 for 9), mtime 0; OS 3 as zlib writes it
    for level in (6, 9):
        assert gzip_chunks.header(level)[:9] == gzip.compress(data[:100], level, mtime=0)[:9]
        assert gzip_chunks.compress(data, level)[:10] == gzip_chunks.header(level)
        assert gzip_chunks.header(level)[9] == 3
    # at most 3 % larger than gzip of the whole
    assert len(packed) <= 1.03 * len(gzip.compress(data, 6, mtime=0))
    if shutil.which("zcat"):
        assert subprocess.run(["zcat"], input=packed, capture_output=True, check=True).stdout == data
    for edge in (b"", b"x", b"]]],[[[", b"]]],[[[" * 50_000, bytes(range(256)) * 2000, b"1," * 300_000):
        assert gzip.decompress(gzip_chunks.compress(edge)) == edge


def test_chunks_are_cut_by_content_so_an_edit_moves_no_cut_far_from_it():
    data = index_like(2000)
    middle = data.index(b"]]],[[[", len(data) // 2) + 7
    edited = data[:middle] + b"0,1,1," + data[middle:]  # a row of the middle gains postings
    before, after = gzip_chunks.cuts(data), gzip_chunks.cuts(edited)
    assert before[-1] == len(data) and after[-1] == len(edited)
    assert [c for c in before if c < middle - gzip_chunks.MAX_CHUNK] == \
        [c for c in after if c < middle - gzip_chunks.MAX_CHUNK]
    late = [c + 6 for c in before if c > middle + 2 * gzip_chunks.MAX_CHUNK]
    assert late and late == [c for c in after if c > middle + 2 * gzip_chunks.MAX_CHUNK]


def test_a_remembered_chunk_is_not_compressed_again_and_the_bytes_equal_a_fresh_gzip(deflated):
    data = index_like(2000)
    chunks = gzip_chunks.ChunkedGzip()
    assert chunks.compress(data) == gzip_chunks.compress(data)
    deflated.clear()
    assert chunks.compress(data) == gzip_chunks.compress(data)  # nothing changed: nothing compressed
    assert len(deflated) == len(gzip_chunks.cuts(data))  # only by the fresh compress
    middle = data.index(b"]]],[[[", len(data) // 2) + 7
    for changed in (data[:middle] + b"0,1,1," + data[middle:], data[:middle] + data[middle + 4:],
                    data.replace(b'"angebot-17-', b'"angebot-17a-', 1)):
        deflated.clear()
        again = chunks.compress(changed)
        compressed_again = len(deflated)
        assert again == gzip_chunks.compress(changed)
        assert gzip.decompress(again) == changed
        assert 1 <= compressed_again <= 3, compressed_again


def test_chunked_gzip_is_the_same_in_another_process():
    data = index_like(2000, seed=7)
    script = ("import hashlib, sys; from offerdb.search import gzip_chunks; from test_search_stage_gzip import "
              "index_like; print(hashlib.sha256(gzip_chunks.compress(index_like(2000, seed=7))).hexdigest())")
    for seed in ("1", "2"):
        out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True,
                             cwd=ROOT, env={"PYTHONHASHSEED": seed, "PYTHONPATH": f"{ROOT}:{ROOT / 'tests'}"})
        assert out.stdout.strip() == hashlib.sha256(gzip_chunks.compress(data)).hexdigest()


def large_site(copies: int = 24):
    """The sample content with every offer `copies` times (other slugs, a sentence more): an index above
    GZIP_BEST_BELOW, so the .gz is written in chunks."""
    site = sample_site()
    offers = [edited(o, slug=f"{o.slug}-{n}", body_html=o.body_html + f"<p>Fassung {n}.</p>")
              for n in range(copies) for o in site.offers]
    return dataclasses.replace(site, offers=offers)


def with_body(site, i: int, html: str):
    offers = list(site.offers)
    offers[i] = edited(offers[i], body_html=html)
    return dataclasses.replace(site, offers=offers)


def test_build_search_rebuild_gives_the_bytes_of_a_cold_build_and_compresses_little(deflated):
    site = large_site()
    cache = Memory()
    files = offer_search.build_search(site, memory=cache)
    index = files[INDEX]
    assert len(index) >= offer_search.GZIP_BEST_BELOW
    assert gzip.decompress(files[INDEX + ".gz"]) == index
    assert files[INDEX + ".gz"] == gzip_chunks.compress(index, 6)
    chunks = len(gzip_chunks.cuts(index))
    assert chunks >= 12
    middle = len(site.offers) // 2
    # A word the content has, then one it has not (its terms get rows of their own). Not a word that is a
    # compound part of many others ("Klasse"): that changes the terms of every offer with "Klassenstufe".
    for n, sentence in enumerate(["<p>Mobbing</p>", "<p>Zusätzlich ein Elternabend.</p>"]):
        deflated.clear()
        site = with_body(site, middle + n, site.offers[middle + n].body_html + sentence)
        files = offer_search.build_search(site, memory=cache)
        assert 1 <= len(deflated) <= chunks // 3, (len(deflated), chunks)
        cold = offer_search.build_search(site, memory=None)
        assert files == cold
        assert gzip.decompress(files[INDEX + ".gz"]) == files[INDEX]
        cache.prune()
