"""The PDF base: the merged font, shaped Arabic that copies as typed, a line fitted in its box."""

from __future__ import annotations

import io
import unicodedata

from pypdf import PdfReader

from labbaik.kit.pdf import ELLIPSIS, LabbaikPdf


def _text(pdf: LabbaikPdf) -> str:
    reader = PdfReader(io.BytesIO(bytes(pdf.output())))
    return unicodedata.normalize("NFKC", reader.pages[0].extract_text())


class TestArabic:
    def test_a_word_whose_dots_are_separate_glyphs_copies_as_it_was_typed(self) -> None:
        # In Noto Naskh the dotted letters of "البيك" and "تاريخ" are drawn as a dotless letter
        # and a dot; without a mapping for the dot, copying the word gave "ب$ي1".
        pdf = LabbaikPdf("A4", title="test", direction="rtl")
        pdf.add_page()
        pdf.text_at(10, 10, 150, "البيك منى", size=12)
        pdf.text_at(10, 20, 150, "تاريخ الطباعة", size=12)
        text = _text(pdf)
        assert "البيك منى" in text
        assert "تاريخ الطباعة" in text
        assert "$" not in text

    def test_latin_drawn_plainly_reads_the_same(self) -> None:
        pdf = LabbaikPdf("A4", title="test", shape_latin=False)
        pdf.add_page()
        pdf.text_at(10, 10, 150, "1,234.50 · Zamzam Water", size=10)
        pdf.text_at(10, 20, 150, "دفعة · Zamzam", size=10)
        text = _text(pdf)
        assert "1,234.50 · Zamzam Water" in text
        assert "Zamzam" in text
        assert "دفعة" in text


class TestFitting:
    def test_a_long_line_is_made_smaller_down_to_the_least_size(self) -> None:
        pdf = LabbaikPdf("A4", title="test")
        pdf.add_page()
        size, width = pdf.fitted_size("Muhammad Abdurrahman Nurhadi", 30, size=12, min_size=4)
        assert size < 12
        assert width <= 30
        assert size == pdf.fitted_size("Muhammad Abdurrahman Nurhadi", 30, size=12)[0]

    def test_a_line_still_too_long_is_cut_with_an_ellipsis_only_when_asked(self) -> None:
        name = "Muhammad Abdurrahman Nurhadi Wicaksono Setiawan of Yogyakarta"
        cut = LabbaikPdf("A4", title="test")
        cut.add_page()
        cut.text_at(10, 10, 20, name, size=10, min_size=9, cut=True)
        whole = LabbaikPdf("A4", title="test")
        whole.add_page()
        whole.text_at(10, 10, 20, name, size=10, min_size=9)
        # NFKC reads the ellipsis as three dots.
        assert _text(cut).strip().endswith(unicodedata.normalize("NFKC", ELLIPSIS))
        assert name not in _text(cut)
        assert name in _text(whole)
