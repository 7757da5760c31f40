"""Line breaks for display: soft hyphens between the known parts of long German compounds, and no-break spaces
inside legal forms ("e. V."). Used as a template filter only, so the search index, the open data and the
scripts' catalogue keep the plain words.

Chromium without hyphenation dictionaries (as on many school PCs) ignores `hyphens: auto` and, with
`overflow-wrap`, breaks a long word anywhere and without a hyphen ("Radikalisierungsprä|vention"). Soft
hyphens work in every browser; where a browser has dictionaries, `hyphens: auto` still adds its own breaks.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from markupsafe import Markup, escape

from .search import terms

HERE = Path(__file__).resolve().parent
SHY = "\u00ad"
NBSP = "\u00a0"
MIN_WORD = 10  # shorter words fit every box at 320 px
MIN_PART = 4  # as the search's compound parts: "netz", "sucht"
# Between two parts ("Radikalisierung-s-prävention") and after the last ("Verschwörungserzählung-en").
LINKS = ("", "s", "es", "n", "en", "e", "er")
ENDINGS = ("", "e", "en", "n", "s", "es", "er", "ern", "in", "innen")

_WORD = re.compile(rf"[A-Za-zÄÖÜäöüß]{{{MIN_WORD},}}")
_LEGAL_FORM = re.compile(r"\be\. V\.")
_SLASH = re.compile(r"(?<=[A-Za-zÄÖÜäöüß])/(?=[A-Za-zÄÖÜäöüß])")


@lru_cache(maxsize=1)
def parts() -> frozenset[str]:
    """The search's compound parts (search/wortteile.txt) and a few more that only line breaks need
    (wortteile_anzeige.txt: adding them to the search list would change what a search finds)."""
    text = (HERE / "wortteile_anzeige.txt").read_text(encoding="utf-8")
    extra = {line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")}
    return frozenset(terms.lexicon() | extra)


@lru_cache(maxsize=65536)
def _known(word: str) -> tuple[int, ...] | None:
    """Break positions inside `word` if it is made of known parts only (with linking letters and an inflected
    ending), else None. The longest first part wins."""
    dictionary = parts()
    for end in range(len(word), MIN_PART - 1, -1):
        if word[:end] not in dictionary:
            continue
        rest = word[end:]
        if rest in ENDINGS:
            return ()
        for link in LINKS:
            tail = rest[len(link):]
            if rest.startswith(link) and len(tail) >= MIN_PART:
                inner = _known(tail)
                if inner is not None:
                    at = end + len(link)
                    return (at, *(at + i for i in inner))
    return None


@lru_cache(maxsize=65536)
def breaks(word: str) -> tuple[int, ...]:
    """Where soft hyphens go in a lower-case word: between its known parts, and before the longest known tail
    of a word whose beginning is unknown ("radikalisierungs|prävention")."""
    whole = _known(word)
    if whole is not None:
        return whole
    for start in range(MIN_PART, len(word) - MIN_PART + 1):
        tail = _known(word[start:])
        if tail is not None:
            return (*breaks(word[:start]), start, *(start + i for i in tail))
    return ()


def _hyphenate_word(match: re.Match[str]) -> str:
    word = match.group(0)
    at = breaks(word.lower())
    if not at:
        return word
    pieces = [word[a:b] for a, b in zip((0, *at), (*at, len(word)), strict=True)]
    return SHY.join(pieces)


def hyphenate(text: str) -> Markup:
    """Plain text (a title, a label, a name; never HTML) as HTML: escaped, with soft hyphens in long compounds,
    a break opportunity (<wbr>, which copying ignores) after a slash between words ("Gemeinschaftskunde/
    Rechtserziehung") and a no-break space inside "e. V.", so a legal form never wraps."""
    html = str(escape(str(text)))  # a Markup value is escaped too: the filter is for text, not for HTML
    html = _LEGAL_FORM.sub("e." + NBSP + "V.", html)
    html = _SLASH.sub("/<wbr>", html)
    return Markup(_WORD.sub(_hyphenate_word, html))
