"""Languages of the pages: catalogues from .po files, negotiation, and the text direction."""

from __future__ import annotations

from functools import lru_cache
from io import BytesIO
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

LOCALE_DIR = Path(__file__).parent / "locale"
LANGUAGES = {"en": "English", "ar": "العربية"}
RTL = frozenset({"ar", "ur", "fa", "ps", "ug"})
LANG_COOKIE = "labbaik_lang"


@lru_cache(maxsize=16)
def translations(lang: str) -> NullTranslations:
    """The catalogue of a language, compiled in memory from its .po file (no build step)."""
    po = LOCALE_DIR / lang / "LC_MESSAGES" / "labbaik.po"
    if not po.exists():
        return NullTranslations()
    with po.open("rb") as handle:
        catalog = read_po(handle, locale=lang)
    buffer = BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(buffer)


def direction(lang: str) -> str:
    return "rtl" if lang in RTL else "ltr"


def parse_accept_language(header: str | None) -> list[str]:
    """Languages from an Accept-Language header, most wanted first."""
    if not header:
        return []
    weighted = []
    for index, part in enumerate(header.split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.001  # malformed: kept, but least wanted
        if tag and quality > 0:  # q=0 means "not acceptable" (RFC 9110, 12.4.2)
            weighted.append((-quality, index, tag.split("-")[0].lower()))
    return [tag for _, _, tag in sorted(weighted)]


def negotiate(
    *, chosen: str | None, account: str | None, cookie: str | None, accept: str | None, default: str
) -> str:
    """The user's explicit choice, then their account's, then the cookie, then the browser's."""
    for candidate in (chosen, account, cookie, *parse_accept_language(accept)):
        if candidate in LANGUAGES:
            return candidate
    return default
