"""Folding names for search, so that 'Ayse' finds 'Ayşe' and 'احمد' finds 'أحمد'."""

from __future__ import annotations

import re
import unicodedata

_ARABIC_MARKS = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640]")
_ARABIC_FOLD = str.maketrans(
    {
        "أ": "ا",
        "إ": "ا",
        "آ": "ا",
        "ٱ": "ا",
        "ى": "ي",
        "ی": "ي",  # Persian and Urdu yeh
        "ے": "ي",  # Urdu barree yeh
        "ک": "ك",  # Persian keheh
        "ة": "ه",
        "ۃ": "ه",
        "ؤ": "و",
        "ئ": "ي",
        "ہ": "ه",
        "ھ": "ه",
    }
)
_LATIN_EXTRA = str.maketrans({"ı": "i", "ß": "ss", "đ": "d", "ø": "o", "æ": "ae", "ł": "l"})
_SPACES = re.compile(r"[\s\-'’`.,]+")


def fold(text: str) -> str:
    """Lower case, no diacritics, Arabic letter variants unified, one space between words."""
    text = _ARABIC_MARKS.sub("", text).translate(_ARABIC_FOLD)
    text = unicodedata.normalize("NFKD", text.casefold()).translate(_LATIN_EXTRA)
    text = "".join(c for c in text if not unicodedata.combining(c) or "\u0600" <= c <= "\u06ff")
    return _SPACES.sub(" ", text).strip()


def search_text(*parts: str | None) -> str:
    return " ".join(fold(p) for p in parts if p)[:700]


def terms(query: str) -> list[str]:
    """The words of a query, folded; LIKE's wildcards are removed so they match literally."""
    return [t for t in fold(query.replace("%", " ").replace("_", " ")).split(" ") if t][:6]
