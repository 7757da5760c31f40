"""A rebuild of the search data with the memory of the build before does only the work an edit needs (issue 6,
rebuild ≤ 0.25 s at 10,000 offers); each test also checks that the bytes equal a build from nothing."""

from __future__ import annotations

import dataclasses

from test_search import sample_site

from offerdb import search as offer_search
from offerdb.memory import Memory
from offerdb.search import lunr_index, shards, terms


def test_a_rebuild_encodes_only_the_entries_an_edit_changed(monkeypatch):
    names = [name for name, _ in offer_search.FIELDS]
    documents = [(f"doc-{n}", {"title": f"Projekttag {n % 3}", "text": "Mobbing Schule Klasse",
                               "body": "Wir arbeiten mit der Klasse gegen Mobbing. " * (1 + n % 4)})
                 for n in range(40)]

    def counts_of(docs):
        return terms.field_counts([tuple(fields[name] for name in names) for _, fields in docs], None, None)

    def write(writer, docs):
        return writer.write(counts_of(docs), len(names))

    term = lunr_index.make_term_function()
    writer = shards.IndexWriter()
    write(writer, documents)
    encoded = []
    encode = shards.Postings._encode
    monkeypatch.setattr(shards.Postings, "_encode", lambda self, t, f, lengths_only=False: (
        encoded.append((t, f, lengths_only)), encode(self, t, f, lengths_only)))
    # the body gets longer: each entry of its terms carries the body's length, so only its lengths change;
    # the new terms are encoded whole, in each field (empty in the title and text)
    fields = dict(documents[20][1], body=documents[20][1]["body"] + "Neu: Probe.")
    documents[20] = ("doc-20", fields)
    data = write(writer, documents)
    new = {term("neu"), term("probe")}
    body = set(counts_of(documents)[20][2][0])
    assert sorted(encoded) == sorted([(t, 2, True) for t in body - new] +
                                     [(t, f, False) for t in new for f in range(3)])
    assert data == write(shards.IndexWriter(), documents)
    # a word for another, the same length: the new term's entry is made, the old one's goes, no other changes
    encoded.clear()
    documents[20] = ("doc-20", dict(fields, body=fields["body"].replace("Probe", "Reise")))
    data = write(writer, documents)
    assert sorted(encoded) == [(term("reise"), f, False) for f in range(3)]
    assert b'"prob"' not in b"".join(data[0].values())
    assert data == write(shards.IndexWriter(), documents)
    # the terms leave the document again: their entries go
    encoded.clear()
    documents[20] = ("doc-20", dict(fields, body="Wir arbeiten mit der Klasse gegen Mobbing."))
    data = write(writer, documents)
    shard_bytes = b"".join(data[0].values())
    assert b'"reis"' not in shard_bytes and b'"neu"' not in shard_bytes
    assert data == write(shards.IndexWriter(), documents)


def test_an_offer_is_tokenized_again_when_its_file_its_partner_or_the_vocabularies_change(monkeypatch):
    """Term counts are keyed by the hashes an offer is made of (its file, its partner's file, the
    vocabularies' labels), never by the objects: equal models from the same files cost no tokenizing."""
    site = sample_site()
    memory = Memory()
    offer_search.build_search(site, memory)
    tokenized: list[str] = []
    plain_text = offer_search.plain_text
    monkeypatch.setattr(offer_search, "plain_text", lambda html: (tokenized.append(html), plain_text(html))[1])

    copies = dataclasses.replace(site, offers=[dataclasses.replace(o) for o in site.offers])  # new objects
    offer_search.build_search(copies, memory)
    assert tokenized == []

    first, other = site.offers[0], site.offers[1]
    moved = dataclasses.replace(first.partner, source=first.partner.source + " geändert")
    changed = dataclasses.replace(site, offers=[dataclasses.replace(first, partner=moved), *site.offers[1:]])
    files = offer_search.build_search(changed, memory)
    assert tokenized == [first.body_html]  # only the offer whose partner file changed
    assert files == offer_search.build_search(changed, None)

    tokenized.clear()
    relabelled = dataclasses.replace(site, vocabulary_data={**site.vocabulary_data, "neu": {}})
    offer_search.build_search(relabelled, memory)
    assert len(tokenized) == len(site.offers) and other.body_html in tokenized
