"""German text handling shared by the index (Python) and the browser (search.js): word splitting, gender
forms, stop words, compound parts and the Snowball stemmer of lunr-languages 1.22.0 (lunr.de.js).

Every rule here has a twin in templates/assets/search.js; tests/test_search_agreement.py runs both over the
shipped content and fails on the first difference.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

# lunr.de.wordCharacters: the letters the German trimmer keeps. Digits and punctuation separate words.
WORD_CHARACTERS = (
    "A-Za-z\xaa\xba\xc0-\xd6\xd8-\xf6\xf8-\u02b8\u02e0-\u02e4\u1d00-\u1d25\u1d2c-\u1d5c\u1d62-\u1d65"
    "\u1d6b-\u1d77\u1d79-\u1dbe\u1e00-\u1eff\u2071\u207f\u2090-\u209c\u212a\u212b\u2132\u214e\u2160-\u2188"
    "\u2c60-\u2c7f\ua722-\ua787\ua78b-\ua7ad\ua7b0-\ua7b7\ua7f7-\ua7ff\uab30-\uab5a\uab5c-\uab64\ufb00-\ufb06"
    "\uff21-\uff3a\uff41-\uff5a"
)
WORD = re.compile(f"[{WORD_CHARACTERS}]+")
_TRIM = re.compile(f"^[^{WORD_CHARACTERS}]+|[^{WORD_CHARACTERS}]+$")

# "Schüler*innen", "Schüler:innen", "Schüler_innen", "Schüler/-innen", "Schüler(innen)" -> "Schülerinnen";
# "SchülerInnen" -> "Schülerinnen". Then a feminine word also yields its masculine base (see `words`).
_GENDER_MARK = re.compile(r"([A-Za-zÄÖÜäöüß]{2,})(?:[*:_·]|/-?|\()(in|innen)\)?(?![A-Za-zÄÖÜäöüß])")
_BINNEN_I = re.compile(r"([a-zäöüß])(In|Innen)(?![A-Za-zÄÖÜäöüß])")
# Necessary conditions of the two patterns above, much cheaper to search for (no group of letters to try at
# every position): a text without a hit is left as it is without running the patterns (build speed).
_GENDER_HINT = re.compile(r"[*:_·/(]-?in")
_BINNEN_HINT = re.compile(r"In(?:nen)?(?![A-Za-zÄÖÜäöüß])")
# Masculine bases that take -in/-innen: Lehrer, Polizist, Pädagoge, Kollege, Student, Praktikant, Friseur,
# Experte. Restricting the endings keeps "Termin", "Medizin", "Berlin" whole.
_FEMININE = re.compile(r"^(.{2,}(?:er|ist|og|eg|ent|ant|eur|ert))(?:in|innen)$")

MIN_PART = 4  # shortest head or tail of a compound that is indexed on its own


@lru_cache(maxsize=1)
def stop_words() -> frozenset[str]:
    text = (Path(__file__).parent / "stoppwoerter.txt").read_text(encoding="utf-8")
    return frozenset(line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#"))


def unify_gender(text: str) -> str:
    if any(mark in text for mark in "*:_·/(") and _GENDER_HINT.search(text):
        text = _GENDER_MARK.sub(r"\1\2", text)
    if "In" in text and _BINNEN_HINT.search(text):
        text = _BINNEN_I.sub(lambda m: m[1] + m[2].lower(), text)
    return text


def masculine(word: str) -> str | None:
    """The masculine base of a lowercase feminine person noun ("lehrerinnen" -> "lehrer"), else None."""
    if not word.endswith("in") and not word.endswith("innen"):
        return None
    match = _FEMININE.match(word)
    return match[1] if match else None


def raw_words(text: str) -> list[str]:
    # Soft hyphens (in a title copied from a page, or pasted into content from a word processor) join a word.
    return WORD.findall(unify_gender(text.replace("\u00ad", "")).lower())


def words(text: str) -> list[str]:
    """Lowercase words as the index and the query see them; a feminine noun is followed by its base."""
    result = []
    for word in raw_words(text):
        result.append(word)
        base = masculine(word)
        if base:
            result.append(base)
    return result


def trim(word: str) -> str:
    """lunr.de.trimmer (identity on the output of `words`, kept so the pipeline matches lunr.de.js)."""
    return _TRIM.sub("", word)


def compound_parts(word: str, dictionary: frozenset[str] | set[str]) -> list[str]:
    """Parts of a compound that are words of `dictionary`: "gewaltpräventionsprogramm" -> ["gewaltprävention",
    "gewalt", "prävention", "programm"]. The longest known tail wins; a linking s ("Präventions-") is dropped."""
    for i in range(MIN_PART, len(word) - MIN_PART + 1):
        tail = word[i:]
        if tail not in dictionary or tail in stop_words():
            continue
        head = word[:i]
        if head not in dictionary and head.endswith("s") and head[:-1] in dictionary and len(head) > MIN_PART:
            head = head[:-1]
        parts = []
        if head in dictionary and head not in stop_words():
            parts += [head] + compound_parts(head, dictionary)
        parts += [tail] + compound_parts(tail, dictionary)
        return list(dict.fromkeys(parts))
    return []


# --- the Snowball German stemmer exactly as generated in lunr.de.js (an older Snowball than NLTK's) -------

_VOWELS = frozenset("aeiouyäöü")
_S_ENDING = frozenset("bdfghklmnrt")
_ST_ENDING = frozenset("bdfghklmnt")
_STEP1 = (("ern", 1), ("em", 1), ("er", 1), ("en", 2), ("es", 2), ("e", 2), ("s", 3))
_STEP2 = (("est", 1), ("en", 1), ("er", 1), ("st", 2))
_STEP3 = (("lich", 3), ("heit", 3), ("keit", 4), ("isch", 2), ("end", 1), ("ung", 1), ("ig", 2), ("ik", 2))
_POSTLUDE = str.maketrans("UYäöü", "uyaou")


def _longest_suffix(word: str, table: tuple[tuple[str, int], ...]) -> tuple[str, int] | None:
    # Each table is ordered so that no entry is a suffix of an earlier, shorter one: the first hit is Snowball's
    # "among" (longest match).
    for suffix, action in table:
        if word.endswith(suffix):
            return suffix, action
    return None


def _region_after_vowel_consonant(word: str, start: int) -> int:
    """Position after the first non-vowel that follows a vowel, from `start`; len(word) if there is none."""
    i = start
    while i < len(word) and word[i] not in _VOWELS:
        i += 1
    i += 1
    while i < len(word) and word[i] in _VOWELS:
        i += 1
    return i + 1 if i < len(word) else len(word)


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """Stem of a lowercase word; identical to lunr.de.stemmer (tests compare every word of the content)."""
    chars = list(word.replace("ß", "ss"))
    for i in range(len(chars) - 2):
        if chars[i] in _VOWELS and chars[i + 1] in "uy" and chars[i + 2] in _VOWELS:
            chars[i + 1] = chars[i + 1].upper()
    w = "".join(chars)
    n = len(w)
    p1 = p2 = n
    if n >= 3:
        p1 = _region_after_vowel_consonant(w, 0)
        if p1 < n:
            p2 = _region_after_vowel_consonant(w, p1)
        p1 = max(p1, 3)
        if p1 > n:
            p1 = p2 = n

    hit = _longest_suffix(w, _STEP1)
    if hit and len(w) - len(hit[0]) >= p1:
        suffix, action = hit
        start = len(w) - len(suffix)
        if action == 1:
            w = w[:start]
        elif action == 2:
            w = w[:start]
            if w.endswith("niss"):
                w = w[:-1]
        elif start > 0 and w[start - 1] in _S_ENDING:
            w = w[:start]

    hit = _longest_suffix(w, _STEP2)
    if hit and len(w) - len(hit[0]) >= p1:
        suffix, action = hit
        start = len(w) - len(suffix)
        if action == 1:
            w = w[:start]
        elif start >= 4 and w[start - 1] in _ST_ENDING:
            w = w[:start]

    hit = _longest_suffix(w, _STEP3)
    if hit and len(w) - len(hit[0]) >= p2:
        suffix, action = hit
        start = len(w) - len(suffix)
        if action == 1:
            w = w[:start]
            if w.endswith("ig") and not w.endswith("eig") and len(w) - 2 >= p2:
                w = w[:-2]
        elif action == 2:
            if not (start > 0 and w[start - 1] == "e"):
                w = w[:start]
        elif action == 3:
            w = w[:start]
            if (w.endswith("er") or w.endswith("en")) and len(w) - 2 >= p1:
                w = w[:-2]
        else:
            w = w[:start]
            for tail in ("lich", "ig"):
                if w.endswith(tail):
                    if len(w) - len(tail) >= p2:
                        w = w[: -len(tail)]
                    break
    return w.translate(_POSTLUDE)
