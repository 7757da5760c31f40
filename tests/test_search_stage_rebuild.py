"""A rebuild of the search index with the cache of the build before does only the work an edit needs (issue 6,
rebuild ≤ 0.25 s at 10,000 offers); each test also checks that the bytes equal a build from nothing."""

from __future__ import annotations

import dataclasses

from test_search import sample_site

from offerdb import search as offer_search
from offerdb.search import lunr_index, terms


def test_a_rebuild_encodes_only_the_rows_whose_postings_changed(monkeypatch):
    names = [name for name, _ in offer_search.FIELDS]
    documents = [(f"doc-{n}", {"title": f"Projekttag {n % 3}", "text": "Mobbing Schule Klasse",
                               "body": "Wir arbeiten mit der Klasse gegen Mobbing. " * (1 + n % 4)})
                 for n in range(40)]

    def write(writer, docs):
        keys = [tuple(fields[name] for name in names) for _, fields in docs]
        return writer.write([ref for ref, _ in docs], terms.field_counts(keys, None, None), offer_search.FIELDS)

    writer = lunr_index.IndexWriter()
    write(writer, documents)
    encoded = []
    encode_row = lunr_index._Postings._encode_row
    monkeypatch.setattr(lunr_index._Postings, "_encode_row", lambda self, term: (encoded.append(term),
                                                                                 encode_row(self, term)))
    fields = dict(documents[20][1], body=documents[20][1]["body"] + "Neu: Elternabend.")
    documents[20] = ("doc-20", fields)
    data = write(writer, documents)
    assert sorted(encoded) == sorted({lunr_index.make_term_function()(w) for w in ("neu", "elternabend")})
    assert data == write(lunr_index.IndexWriter(), documents)
    # a term's frequency changes ("mobbing" once more), the others stay
    encoded.clear()
    documents[20] = ("doc-20", dict(fields, body=fields["body"] + " Mobbing"))
    data = write(writer, documents)
    assert encoded == [lunr_index.make_term_function()("mobbing")]
    assert data == write(lunr_index.IndexWriter(), documents)
    # the terms leave the document again: their rows go
    encoded.clear()
    documents[20] = ("doc-20", dict(fields, body="Wir arbeiten mit der Klasse gegen Mobbing."))
    data = write(writer, documents)
    assert b"elternab" not in data and b"neu" not in data
    assert encoded == [lunr_index.make_term_function()("mobbing")]  # tf 2 -> 1; "arbeit", "klass" stay
    assert data == write(lunr_index.IndexWriter(), documents)


def test_key_digests_are_reused_for_the_same_offer_and_body_objects(monkeypatch):
    """An unchanged offer object costs a lookup; a new offer around the same body object hashes only its
    small fields; an equal body in another object is hashed; all give the digest of the plain key."""
    offers = list(sample_site().offers)
    state = offer_search._Incremental()

    def plain(offer) -> str:
        return terms.digest((offer.title, offer_search._text_field(offer), terms.digest((offer.body_html,))))

    first = state.key_digests(offers)
    assert first == [plain(o) for o in offers]
    hashed = []
    digest = terms.digest
    monkeypatch.setattr(terms, "digest", lambda texts: (hashed.append(texts), digest(texts))[1])
    assert state.key_digests(offers) == first
    assert hashed == []  # the same objects: nothing hashed
    renamed = dataclasses.replace(offers[0], title="Ein anderer Titel")  # the same body object
    copied = dataclasses.replace(offers[1], body_html="".join(list(offers[1].body_html)))  # an equal body
    assert copied.body_html == offers[1].body_html and copied.body_html is not offers[1].body_html
    result = state.key_digests([renamed, copied, *offers[2:]])
    assert [texts[0] for texts in hashed] == [renamed.title, copied.body_html, copied.title]
    assert result == [plain(renamed), *first[1:]]
    assert result[0] != first[0]
    assert [hit[0] for hit in state.offers.values()] == [renamed, copied, *offers[2:]]  # old objects let go
