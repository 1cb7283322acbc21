"""Languages: every text of the pages has an Arabic translation, and the language is negotiated."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from labbaik import app
from labbaik.auth.roles import Role
from labbaik.web.i18n import LOCALE_DIR, negotiate, parse_accept_language, translations

SRC = Path(app.__file__).parent
_STRING = r'"((?:[^"\\]|\\.)*)"|\'((?:[^\'\\]|\\.)*)\''
GETTEXT = re.compile(rf"\b_\(\s*(?:{_STRING})\s*\)")
NGETTEXT = re.compile(rf"\bngettext\(\s*(?:{_STRING})\s*,\s*(?:{_STRING})")
NAV_LABEL = re.compile(rf"nav\.register\(\s*(?:{_STRING})\s*,\s*(?:{_STRING})")
# Pages hand a message to their template, which shows it through _(error).
PAGE_ERROR = re.compile(rf"[\"']error[\"']\s*:\s*(?:{_STRING})")


def _texts(pattern: re.Pattern[str], text: str, group: int = 0) -> list[str]:
    """The string literal at position `group` of each match (each literal is two groups)."""
    return [m.group(2 * group + 1) or m.group(2 * group + 2) or "" for m in pattern.finditer(text)]


def _templates() -> list[Path]:
    return sorted(SRC.glob("**/templates/**/*.html"))


def _pages() -> list[Path]:
    return sorted(SRC.glob("**/*pages.py"))


def msgids() -> set[str]:
    """Every text the pages put through the catalogue."""
    found: set[str] = set()
    for path in _templates():
        text = path.read_text(encoding="utf-8")
        found.update(_texts(GETTEXT, text))
        for match in NGETTEXT.finditer(text):
            found.add(match.group(1) or match.group(2))
    for path in _pages():
        text = path.read_text(encoding="utf-8")
        found.update(_texts(NAV_LABEL, text, group=1))
        found.update(_texts(PAGE_ERROR, text))
    found.update(role.value for role in Role)
    found.update(app._TITLES.values())
    return found


def plural_msgids() -> set[str]:
    found = set()
    for path in _templates():
        for match in NGETTEXT.finditer(path.read_text(encoding="utf-8")):
            found.add(match.group(1) or match.group(2))
    return found


@pytest.fixture(scope="module")
def arabic() -> dict[str, object]:
    with (LOCALE_DIR / "ar" / "LC_MESSAGES" / "labbaik.po").open("rb") as handle:
        catalog = read_po(handle, locale="ar")
    return {str(m.id if isinstance(m.id, str) else m.id[0]): m.string for m in catalog if m.id}


class TestArabicCatalogue:
    def test_the_extraction_finds_the_texts(self) -> None:
        found = msgids()
        for known in (
            "Log in",
            "Pilgrims",
            "Not found",
            "field_worker",
            "Wrong username or password.",
        ):
            assert known in found
        assert "%(num)s pilgrim" in plural_msgids()

    def test_every_text_has_an_arabic_translation(self, arabic: dict[str, object]) -> None:
        missing = sorted(m for m in msgids() if not arabic.get(m))
        assert not missing, f"no Arabic for: {missing}"

    def test_every_plural_has_all_six_arabic_forms(self, arabic: dict[str, object]) -> None:
        for msgid in plural_msgids():
            forms = arabic[msgid]
            assert isinstance(forms, tuple | list)
            assert len(forms) == 6
            assert all(forms), msgid

    def test_placeholders_survive_translation(self, arabic: dict[str, object]) -> None:
        for msgid, translated in arabic.items():
            wanted = set(re.findall(r"%\(\w+\)s", msgid))
            forms = translated if isinstance(translated, tuple | list) else [translated]
            for form in forms:
                # The forms for one and two say the number in words, as Arabic does.
                assert set(re.findall(r"%\(\w+\)s", str(form))) <= wanted, msgid
            if not isinstance(translated, tuple | list):
                assert set(re.findall(r"%\(\w+\)s", str(translated))) == wanted, msgid

    def test_the_catalogue_compiles_and_translates(self) -> None:
        catalogue = translations("ar")
        assert catalogue.gettext("Log in") == "تسجيل الدخول"
        assert catalogue.ngettext("%(num)s pilgrim", "%(num)s pilgrims", 1) == "حاج واحد"
        assert catalogue.ngettext("%(num)s pilgrim", "%(num)s pilgrims", 2) == "حاجان"
        few = catalogue.ngettext("%(num)s pilgrim", "%(num)s pilgrims", 5)
        many = catalogue.ngettext("%(num)s pilgrim", "%(num)s pilgrims", 11)
        hundreds = catalogue.ngettext("%(num)s pilgrim", "%(num)s pilgrims", 100)
        assert (few, many, hundreds) == ("%(num)s حجاج", "%(num)s حاجًا", "%(num)s حاج")

    def test_a_language_without_a_catalogue_shows_the_english(self) -> None:
        assert translations("en").gettext("Log in") == "Log in"


class TestParseAcceptLanguage:
    def test_nothing_sent(self) -> None:
        assert parse_accept_language(None) == []
        assert parse_accept_language("") == []

    def test_orders_by_quality(self) -> None:
        assert parse_accept_language("en;q=0.5, ar;q=0.9, fr") == ["fr", "ar", "en"]

    def test_keeps_the_sent_order_for_equal_quality(self) -> None:
        assert parse_accept_language("ur, ar, en") == ["ur", "ar", "en"]

    def test_drops_the_region_and_lowers_the_case(self) -> None:
        assert parse_accept_language("AR-sa,en-GB;q=0.8") == ["ar", "en"]

    def test_a_malformed_quality_counts_as_least_wanted(self) -> None:
        assert parse_accept_language("ar;q=high, en;q=0.1") == ["en", "ar"]

    def test_ignores_empty_parts(self) -> None:
        assert parse_accept_language("ar,,  ,en") == ["ar", "en"]

    def test_a_language_with_quality_zero_is_not_wanted(self) -> None:
        assert parse_accept_language("fr, ar;q=0") == ["fr"]


class TestNegotiate:
    def test_the_explicit_choice_wins(self) -> None:
        chosen = negotiate(chosen="ar", account="en", cookie="en", accept="en", default="en")
        assert chosen == "ar"

    def test_then_the_account_s_language(self) -> None:
        assert negotiate(chosen=None, account="ar", cookie="en", accept="en", default="en") == "ar"

    def test_then_the_cookie(self) -> None:
        assert negotiate(chosen=None, account=None, cookie="ar", accept="en", default="en") == "ar"

    def test_then_the_browser(self) -> None:
        lang = negotiate(chosen=None, account=None, cookie=None, accept="ar-SA,en", default="en")
        assert lang == "ar"

    def test_skips_languages_the_pages_are_not_in(self) -> None:
        lang = negotiate(
            chosen="xx", account="ur", cookie="de", accept="fr-FR, ar;q=0.5", default="en"
        )
        assert lang == "ar"

    def test_falls_back_to_the_default(self) -> None:
        assert negotiate(chosen=None, account=None, cookie=None, accept="fr", default="ar") == "ar"
        assert negotiate(chosen=None, account=None, cookie=None, accept=None, default="en") == "en"
