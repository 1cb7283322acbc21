"""The printed card: ID-1 pages, Arabic in joined forms, A4 duplex sheets with crop marks."""

from __future__ import annotations

import io
import json
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
import uharfbuzz as hb
from fontTools.ttLib import TTFont
from PIL import Image
from pypdf import PdfReader
from pypdf.generic import ContentStream

from labbaik.cards.printing import (
    A4_H,
    A4_W,
    CARD_H,
    CARD_W,
    CompanyDetails,
    PrintedCard,
    arabic_digits,
    camp_number,
    card_pdf,
    sheets_pdf,
)
from labbaik.kit.pdf import FONTS
from tests.cards.test_cli import season  # noqa: F401 - the small demo season, with cards
from tests.test_cli import assert_one_line_error, labbaik

MM = 72 / 25.4


def _photo() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (350, 450), (180, 190, 200)).save(buffer, "JPEG")
    return buffer.getvalue()


CARD = PrintedCard(
    card_number="HC-1447-000012-3",
    qr_text="HJ1:6BFOXN*TS0BI$ZD4N9:9S6RCVN5+O30K3/XIV0W23NTDE",
    surname="Aminah",
    given_names="Siti",
    surname_ar="سيتي",
    given_names_ar=None,
    nationality="IDN",
    passport_number="C1234567",
    sex="F",
    date_of_birth=date(1951, 3, 2),
    group_code="IDN-001",
    camp="12/3",
    valid_from=date(2026, 5, 1),
    valid_until=date(2026, 7, 15),
    hijri_year=1447,
    company=CompanyDetails(
        name="Indonesian Hajj Mission",
        name_ar="البعثة الإندونيسية للحج",
        address="Jl. Lapangan Banteng Barat 3-4, Jakarta",
        phone="+62213811642",
    ),
    leader_phone="+6281234567890",
    photo=_photo(),
)


def _glyph_names(reader: PdfReader, page: int) -> dict[str, set[str]]:
    """The glyphs of every font subset the page embeds, by the font's name."""
    fonts = reader.pages[page]["/Resources"]["/Font"]
    out = {}
    for ref in fonts.values():
        font = ref.get_object()
        descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"].get_object()
        data = descriptor["/FontFile2"].get_object().get_data()
        out[str(font["/BaseFont"]).split("+")[-1]] = set(TTFont(io.BytesIO(data)).getGlyphOrder())
    return out


def _lines(reader: PdfReader, page: int) -> list[tuple[float, float, float, float]]:
    """Every straight segment the page strokes, in millimetres from the top-left corner."""
    content = ContentStream(reader.pages[page].get_contents(), reader)
    height = float(reader.pages[page].mediabox.height)
    segments = []
    start: tuple[float, float] | None = None
    for operands, operator in content.operations:
        if operator == b"m":
            start = (float(operands[0]), float(operands[1]))
        elif operator == b"l" and start is not None:
            x, y = float(operands[0]), float(operands[1])
            segments.append((start[0] / MM, (height - start[1]) / MM, x / MM, (height - y) / MM))
    return segments


def _text_x(reader: PdfReader, page: int, text: str) -> list[float]:
    found: list[float] = []

    def visit(chunk: str, _cm: object, tm: list[float], _font: object, _size: object) -> None:
        if text in chunk:
            found.append(tm[4] / MM)

    reader.pages[page].extract_text(visitor_text=visit)
    return found


class TestOneCard:
    def test_is_a_pdf_of_two_id1_pages(self) -> None:
        reader = PdfReader(io.BytesIO(card_pdf(CARD)))
        assert len(reader.pages) == 2
        for page in reader.pages:
            assert float(page.mediabox.width) == pytest.approx(CARD_W * MM, abs=0.05)
            assert float(page.mediabox.height) == pytest.approx(CARD_H * MM, abs=0.05)

    def test_front_shows_identity_and_back_the_contacts(self) -> None:
        reader = PdfReader(io.BytesIO(card_pdf(CARD)))
        front = reader.pages[0].extract_text()
        back = reader.pages[1].extract_text()
        for expected in ("AMINAH, Siti", "C1234567", "IDN-001", "Indonesia", "12/3", "1447"):
            assert expected in front
        assert "HC-1447-000012-3" in front
        assert "Indonesian Hajj Mission" in back
        for number in ("+62213811642", "+6281234567890", "911", "997", "999"):
            assert number in back

    def test_front_embeds_the_photo(self) -> None:
        reader = PdfReader(io.BytesIO(card_pdf(CARD)))
        assert len(reader.pages[0].images) == 1
        without = PdfReader(io.BytesIO(card_pdf(replace(CARD, photo=None))))
        assert len(without.pages[0].images) == 0

    def test_arabic_is_set_in_its_joined_forms(self) -> None:
        # "سيتي" joins every letter: a shaped line uses the initial form of seen, never the
        # isolated glyph that the character maps to, which an unshaped line would show.
        path = FONTS / "LabbaikCard-Bold.ttf"
        nominal = TTFont(path).getBestCmap()
        face = hb.Font(hb.Face(path.read_bytes()))
        buffer = hb.Buffer()
        buffer.add_str("سيتي")
        buffer.guess_segment_properties()
        hb.shape(face, buffer)
        shaped = {face.get_glyph_name(info.codepoint) for info in buffer.glyph_infos}
        assert nominal[ord("س")] not in shaped

        # The PDF's subset names each glyph by the character form it stands for (U+FEB3, seen's
        # initial form), and the isolated form of seen (U+0633) is not among them.
        reader = PdfReader(io.BytesIO(card_pdf(CARD)))
        bold = _glyph_names(reader, 0)["LabbaikCardBold"]
        assert "uniFEB3" in bold
        assert "uni0633" not in bold

    def test_camp_number_in_arabic_indic_digits_too(self) -> None:
        assert arabic_digits("Mina 12/3") == "Mina ١٢/٣"
        reader = PdfReader(io.BytesIO(card_pdf(CARD)))
        glyphs = _glyph_names(reader, 0)["LabbaikCardBold"]
        full = TTFont(FONTS / "LabbaikCard-Bold.ttf").getBestCmap()
        assert {full[ord("١")], full[ord("٢")], full[ord("٣")]} <= glyphs

    def test_the_camp_number_keeps_its_order_in_arabic(self) -> None:
        assert camp_number("MINA-12-3") == "12/3"
        assert arabic_digits(camp_number("MI-IDN-MORA-2")) == "٢"
        assert camp_number("NORTH") == "NORTH"

    def test_a_long_name_is_made_smaller_not_cut(self) -> None:
        long_name = replace(CARD, given_names="Muhammad Abdurrahman Nurhadi Wicaksono Setiawan")
        reader = PdfReader(io.BytesIO(card_pdf(long_name)))
        assert "Muhammad Abdurrahman Nurhadi Wicaksono Setiawan" in reader.pages[0].extract_text()


class TestSheets:
    def test_thirteen_cards_take_two_sheets_printed_both_sides(self) -> None:
        cards = [replace(CARD, card_number=f"HC-1447-{i:06d}-0") for i in range(13)]
        reader = PdfReader(io.BytesIO(sheets_pdf(cards)))
        assert len(reader.pages) == 4
        for page in reader.pages:
            assert float(page.mediabox.width) == pytest.approx(A4_W * MM, abs=0.05)
            assert float(page.mediabox.height) == pytest.approx(A4_H * MM, abs=0.05)
        assert "HC-1447-000012-0" in reader.pages[2].extract_text()
        assert "HC-1447-000009-0" not in reader.pages[2].extract_text()

    def test_a_back_lands_behind_its_front_after_a_long_edge_flip(self) -> None:
        cards = [replace(CARD, card_number=f"HC-1447-{i:06d}-0") for i in range(2)]
        reader = PdfReader(io.BytesIO(sheets_pdf(cards)))
        first_front = _text_x(reader, 0, "HC-1447-000000-0")
        first_back = _text_x(reader, 1, "HC-1447-000000-0")
        assert first_front
        assert first_back
        assert max(first_front) < A4_W / 2
        assert min(first_back) > A4_W / 2

    def test_crop_marks_lie_outside_the_cards_on_every_cut(self) -> None:
        reader = PdfReader(io.BytesIO(sheets_pdf([CARD] * 10)))
        marks = [
            seg
            for seg in _lines(reader, 0)
            if seg[0] == pytest.approx(seg[2]) or seg[1] == pytest.approx(seg[3])
        ]
        vertical_cuts = {round(x1, 1) for x1, y1, x2, y2 in marks if x1 == pytest.approx(x2)}
        horizontal = [seg for seg in marks if seg[1] == pytest.approx(seg[3])]
        # Two columns give four vertical cut lines; five rows give ten horizontal ones.
        left = (A4_W - 2 * CARD_W - 3) / 2
        expected_x = {round(left, 1), round(left + CARD_W, 1)}
        assert expected_x <= vertical_cuts
        in_margin = [seg for seg in horizontal if max(seg[0], seg[2]) < left]
        assert len(in_margin) == 10


class TestCommands:
    def test_a_card_and_a_companys_sheets_are_printed(
        self,
        season: dict[str, str],  # noqa: F811
    ) -> None:
        env = {k: v for k, v in season.items() if k.startswith("LABBAIK_")}
        folder = Path(season["folder"])
        listed = labbaik("card", "list", "--limit", "50", "--json", **env)
        cards = [json.loads(line) for line in listed.stdout.splitlines()]
        number, company = cards[0]["card_number"], cards[0]["claims"]["company_code"]
        one = folder / "card.pdf"
        shown = labbaik("card", "show", number, "--format", "pdf", "--out", str(one), **env)
        assert shown.returncode == 0, shown.stderr
        assert len(PdfReader(one).pages) == 2

        sheets = folder / "sheets.pdf"
        printed = labbaik("card", "print", "--company", company, "--out", str(sheets), **env)
        assert printed.returncode == 0, printed.stderr
        expected = sum(c["claims"]["company_code"] == company for c in cards)
        assert f"{expected} cards on " in printed.stdout
        assert len(PdfReader(sheets).pages) == 2 * -(-expected // 10)

    def test_an_unknown_company_is_one_line_of_error(
        self,
        season: dict[str, str],  # noqa: F811
    ) -> None:
        env = {k: v for k, v in season.items() if k.startswith("LABBAIK_")}
        out = Path(season["folder"]) / "none.pdf"
        result = labbaik("card", "print", "--company", "NOPE", "--out", str(out), **env)
        assert_one_line_error(result, "company_not_found")
        assert not out.exists()
