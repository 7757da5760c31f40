"""german.unify_gender skips its two patterns when a cheaper search rules out a hit (build speed); the result
must be what the patterns alone give, for every text."""

from __future__ import annotations

import random

import pytest

from offerdb.search import german


def unify_gender_plain(text: str) -> str:
    """unify_gender without the shortcuts, as it was written first."""
    text = german._GENDER_MARK.sub(r"\1\2", text)
    return german._BINNEN_I.sub(lambda m: m[1] + m[2].lower(), text)


TRICKY = ["Schüler*innen", "Schüler:innen", "Schüler_innen", "Schüler·innen", "Schüler/-innen", "Schüler/innen",
          "Schüler(innen)", "Schüler(in)", "SchülerInnen", "LehrerIn", "Lehrer*in*innen", "LehrerInnenIn", "aInIn",
          "Informationen", "Inhalt", "In der Schule", "Termin", "Berlin", "Medizin", "x*in", "ab*in", "Ärzt*innen",
          "ÄrztInnen", "StraßeIn", "Lehrer*Innen", "Lehrer: innen", "Lehrer*innenraum", "Lehrer(innen", ""]
PIECES = ["Lehrer", "Schüler", "a", "ä", "ß", "X", "*", ":", "_", "·", "/", "/-", "-", "(", ")", "in", "innen",
          "In", "Innen", "nen", " ", "\n", ".", "Ü", "1"]


@pytest.mark.parametrize("text", TRICKY)
def test_tricky_gender_forms(text):
    assert german.unify_gender(text) == unify_gender_plain(text)


def test_random_texts_of_gender_pieces():
    rng = random.Random(6)
    for _ in range(5000):
        text = "".join(rng.choice(PIECES) for _ in range(rng.randint(1, 12)))
        assert german.unify_gender(text) == unify_gender_plain(text), text
