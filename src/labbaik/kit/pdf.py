"""PDF documents in the platform's font: Arabic shaped and right to left, Latin beside it.

The printed card and the wallet statement are both set through `LabbaikPdf`, so that a fix to
shaping, fonts or fitting is made once.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from fpdf import FPDF

# One font with Noto Sans (Latin and Latin Extended) and Noto Naskh Arabic merged, so that a line
# mixing both scripts is shaped and ordered as one run instead of being split between fonts.
FONTS = Path(__file__).parent / "fonts"
FAMILY = "LabbaikCard"

INK = (20, 24, 22)
ELLIPSIS = "…"

Direction = Literal["ltr", "rtl"]


def _latin(text: str) -> bool:
    # Below U+0300 (combining marks) every character is Latin, a digit or punctuation.
    return all(ord(c) < 0x300 for c in text)


class _NoText(int):
    """A ToUnicode destination that is empty: the glyph stands for no character of its own."""

    def __format__(self, spec: str) -> str:
        return ""


class LabbaikPdf(FPDF):
    """An FPDF in millimetres with the merged font registered and HarfBuzz shaping on.

    `direction` is the base direction of every paragraph ("rtl" for an Arabic document); left
    unset, each line takes the direction of its first letter, which suits a bilingual card.
    """

    def __init__(
        self,
        page: tuple[float, float] | str,
        *,
        title: str,
        orientation: Literal["P", "L"] = "P",
        direction: Direction | None = None,
        shape_latin: bool = True,
    ) -> None:
        self._widths: dict[tuple[object, ...], Any] = {}
        super().__init__(orientation=orientation, unit="mm", format=page)
        self.add_font(FAMILY, "", FONTS / "LabbaikCard-Regular.ttf")
        self.add_font(FAMILY, "B", FONTS / "LabbaikCard-Bold.ttf")
        self.base_direction: Direction | None = direction
        # The card shapes every line, Latin too (kerning); a long table may draw Latin plainly.
        self.shape_latin = shape_latin
        self._direction: Direction | None = direction
        self.set_text_shaping(use_shaping_engine=True, direction=direction)
        self.set_creator("Labbaik")
        self.set_title(title)

    def output(self, *args: Any, **kwargs: Any) -> Any:
        # HarfBuzz draws some Arabic letters as a dotless base and a separate dot; the base
        # carries the letter, and fpdf2 leaves the dot out of the ToUnicode table, so a reader
        # copying or searching the text got the dot's raw code ("$", "1") inside the word. An
        # empty mapping makes the dot stand for nothing, and the word copies as it was typed.
        # fpdf2 (pinned, 2.8.9) writes each code of a destination with "{:04X}", which _NoText
        # answers with nothing; tests/kit/test_pdf.py fails if a new fpdf2 changes that.
        for font in self.fonts.values():
            subset = getattr(font, "subset", None)
            for glyph, _code in subset.items() if subset is not None else ():
                if glyph is not None and glyph.unicode == ():
                    glyph.unicode = (_NoText(0),)
        return super().output(*args, **kwargs)

    def get_string_width(self, s: str, normalized: bool = False, markdown: bool = False) -> Any:
        # Shaping a text to measure it costs as much as drawing it; a table measures the same
        # dates and names again and again, so each width is measured once per font and size.
        key = (
            s, normalized, markdown, self.font_family, self.font_style, self.font_size_pt,
            self.text_shaping is not None, self._direction,
        )  # fmt: skip
        width = self._widths.get(key)
        if width is None:
            width = self._widths[key] = super().get_string_width(s, normalized, markdown)
        return width

    def _set_direction(self, direction: Direction | None) -> None:
        if direction != self._direction:
            self.set_text_shaping(use_shaping_engine=True, direction=direction)
            self._direction = direction

    def fitted_size(
        self, text: str, w: float, *, size: float, bold: bool = False, min_size: float = 4.5
    ) -> tuple[float, float]:
        """The largest size, from `size` down by quarter points to `min_size`, at which the
        text fits in `w`, and the text's width at it; the font is left set at that size."""
        self.set_font(FAMILY, "B" if bold else "", size)
        width = self.get_string_width(text)
        while size > min_size and width > w:
            size -= 0.25
            self.set_font(FAMILY, "B" if bold else "", size)
            width = self.get_string_width(text)
        return size, width

    def _cut(self, text: str, w: float) -> str:
        # The longest start of the text that fits with an ellipsis after it.
        low, high = 0, len(text)
        while low < high:
            middle = (low + high + 1) // 2
            if self.get_string_width(text[:middle].rstrip() + ELLIPSIS) <= w:
                low = middle
            else:
                high = middle - 1
        return text[:low].rstrip() + ELLIPSIS

    def text_at(
        self,
        x: float,
        y: float,
        w: float,
        text: str,
        *,
        size: float,
        bold: bool = False,
        align: str = "L",
        colour: tuple[int, int, int] = INK,
        min_size: float = 4.5,
        cut: bool = False,
        direction: Direction | None = None,
    ) -> None:
        """One line in a box, shrunk until it fits: a long name is smaller, never cut.

        With `cut`, a text still too long at `min_size` ends in an ellipsis instead of running
        out of its box (a table's column). `direction` overrides the document's base direction
        for this line: amounts and numbers read left to right in an Arabic document too.
        """
        shaping = self.text_shaping
        if not self.shape_latin and _latin(text):
            # Latin letters and digits need no shaping and read left to right: fpdf2's plain
            # path draws them at a fraction of the cost, which counts in a table of thousands.
            self.text_shaping = None
        else:
            self._set_direction(direction or self.base_direction)
        size, width = self.fitted_size(text, w, size=size, bold=bold, min_size=min_size)
        if cut and width > w:
            text = self._cut(text, w)
        self.set_text_color(*colour)
        self.set_xy(x, y)
        self.cell(w, size * 0.42, text, align=align)
        self.text_shaping = shaping
