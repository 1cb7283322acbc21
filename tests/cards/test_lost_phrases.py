"""The "I am lost" sentences: Arabic always, then the pilgrim's own language."""

from __future__ import annotations

from dataclasses import astuple

from labbaik.cards.lost_phrases import PHRASES, phrases_for
from labbaik.web.i18n import RTL


class TestPhrases:
    def test_every_language_has_every_sentence(self) -> None:
        assert {"ar", "en", "id", "ur", "tr", "bn", "fa", "ms", "fr", "ha"} <= set(PHRASES)
        for phrases in PHRASES.values():
            assert all(text.strip() for text in astuple(phrases))
            assert phrases.direction == ("rtl" if phrases.lang in RTL else "ltr")

    def test_arabic_comes_first_then_the_pilgrims_language(self) -> None:
        assert [p.lang for p in phrases_for("ur")] == ["ar", "ur"]

    def test_an_arabic_speaker_gets_arabic_once(self) -> None:
        assert [p.lang for p in phrases_for("ar")] == ["ar"]

    def test_a_language_not_in_the_table_falls_back_to_english(self) -> None:
        assert [p.lang for p in phrases_for("uz")] == ["ar", "en"]
