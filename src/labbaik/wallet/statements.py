"""The wallet's statement, in the reader's language: CSV (UTF-8 with BOM) and a shaped PDF.

A statement covers a period of Riyadh days. Its opening balance is the balance after the last
line before the period, its closing balance the balance after the last line in it, and the
lines in between add up from the one to the other: each line carries what it did to the balance
that can be spent (a top-up held until the bank confirms it does nothing yet), as the ledger's
entries give it. The PDF lists the lines that moved that balance; the CSV lists every line.
"""

from __future__ import annotations

import csv
import io
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.orm import Session

from labbaik.auth.roles import Actor
from labbaik.errors import InvalidInput, NotFound
from labbaik.kit.money import Money
from labbaik.kit.pagination import MAX_PAGE_SIZE, PageRequest
from labbaik.kit.pdf import INK, LabbaikPdf
from labbaik.kit.timeutil import format_gregorian, format_hijri, to_riyadh, utcnow
from labbaik.registry import service as registry_service
from labbaik.settings import Settings
from labbaik.wallet import history, service
from labbaik.wallet.schemas import HistoryItem, WalletRead
from labbaik.web.i18n import LANGUAGES, direction, translations

Gettext = Callable[[str], str]


def kind_label(kind: str, _: Gettext) -> str:
    labels = {
        "topup": _("Top-up"),
        "payment": _("Payment"),
        "fee": _("Fee"),
        "refund": _("Refund"),
        "fee_refund": _("Fee refund"),
    }
    return labels.get(kind, _("Other"))


@dataclass(frozen=True)
class Holder:
    """Whose wallet it is, as the registry names them to the reader."""

    name: str | None
    name_ar: str | None


@dataclass(frozen=True)
class Statement:
    wallet: WalletRead
    holder: Holder
    # Riyadh days, both included; no start is "since the wallet was opened".
    start: date | None
    end: date
    opening: int
    closing: int
    # Every line of the period, oldest first, holds included.
    items: list[HistoryItem]
    printed_at: datetime

    @property
    def moved(self) -> list[HistoryItem]:
        """The lines that changed the balance: what the PDF lists."""
        return [item for item in self.items if item.balance_change]

    @property
    def money_in(self) -> int:
        return sum(i.balance_change for i in self.items if i.balance_change > 0)

    @property
    def money_out(self) -> int:
        return -sum(i.balance_change for i in self.items if i.balance_change < 0)


def parse_day(text: str | None, field: str) -> date | None:
    """A day of the period as typed in a link ("2026-05-31"); empty is no bound."""
    if text is None or not text.strip():
        return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise InvalidInput(f"{field}: {text[:20]!r} is not a date like 2026-05-31") from None


def _holder(session: Session, *, actor: Actor, pilgrim_id: uuid.UUID) -> Holder:
    try:
        pilgrim = registry_service.get_pilgrim(
            session, pilgrim_id=pilgrim_id, actor=actor, reason="wallet statement"
        )
    except NotFound:
        # A reader who may see the wallet but not the registry gets the wallet's number only.
        return Holder(name=None, name_ar=None)
    latin = " ".join(p for p in (pilgrim.given_names, pilgrim.surname) if p)
    arabic = " ".join(p for p in (pilgrim.given_names_ar, pilgrim.surname_ar) if p)
    return Holder(name=latin or None, name_ar=arabic or None)


def statement(
    session: Session,
    *,
    actor: Actor,
    settings: Settings,
    wallet_id: uuid.UUID | None = None,
    start: date | None = None,
    end: date | None = None,
) -> Statement:
    """The wallet's lines of a period of Riyadh days, with its opening and closing balance."""
    printed_at = utcnow()
    last_day = end or to_riyadh(printed_at).date()
    if start is not None and start > last_day:
        raise InvalidInput(
            f"from: the period starts on {start.isoformat()}, after it ends "
            f"({last_day.isoformat()})"
        )
    wallet = service.get_wallet(session, actor=actor, settings=settings, wallet_id=wallet_id)
    opening = 0
    closing: int | None = None
    items: list[HistoryItem] = []
    page = 1
    while True:
        chunk = history.history(
            session, actor=actor, wallet_id=wallet.id, page=PageRequest(page, MAX_PAGE_SIZE)
        )
        for item in chunk.items:
            day = to_riyadh(item.at).date()
            if start is not None and day < start:
                opening = item.balance_after
            elif day <= last_day:
                items.append(item)
                closing = item.balance_after
        if page * MAX_PAGE_SIZE >= chunk.total:
            break
        page += 1
    return Statement(
        wallet=wallet,
        holder=_holder(session, actor=actor, pilgrim_id=wallet.pilgrim_id),
        start=start,
        end=last_day,
        opening=opening,
        closing=opening if closing is None else closing,
        items=items,
        printed_at=printed_at,
    )


def language(lang: str | None) -> str:
    """The statement's language: one the pages are written in, else English."""
    return lang if lang in LANGUAGES else "en"


def _amount(amount: int, currency: str) -> str:
    return Money(amount, currency).format().removesuffix(f" {currency}")


def _merchant(item: HistoryItem, lang: str) -> tuple[str, str | None]:
    """The merchant's name in the reader's script first, and in the other where it has one."""
    if item.kind not in ("payment", "fee", "refund", "fee_refund") or item.description == item.kind:
        return "", None
    if lang == "ar" and item.description_ar:
        return item.description_ar, item.description
    return item.description, item.description_ar


def to_csv(statement: Statement, *, lang: str = "en") -> bytes:
    lang = language(lang)
    _ = translations(lang).gettext
    currency = statement.wallet.currency
    out = io.StringIO()
    writer = csv.writer(out)
    # Lower-case headers, as spreadsheets and scripts have read them since the first version.
    writer.writerow(
        [
            _("time (Riyadh)"),
            _("hijri date"),
            _("kind"),
            _("description"),
            _("amount (%(currency)s)") % {"currency": currency},
            _("state"),
            _("balance after (%(currency)s)") % {"currency": currency},
            _("reference"),
        ]
    )
    for item in statement.items:
        local = to_riyadh(item.at)
        name = _merchant(item, lang)[0]
        writer.writerow(
            [
                local.strftime("%Y-%m-%d %H:%M"),
                format_hijri(local.date(), lang),
                kind_label(item.kind, _),
                name or kind_label(item.kind, _),
                _amount(item.amount, currency),
                _("pending") if item.pending else _("posted"),
                _amount(item.balance_after, currency),
                item.reference or "",
            ]
        )
    # The byte-order mark makes spreadsheet programs read the file as UTF-8.
    return "\ufeff".encode() + out.getvalue().encode("utf-8")


# The PDF ----------------------------------------------------------------------------------------

PAGE_W = 210.0
PAGE_H = 297.0
MARGIN = 14.0
CONTENT_W = PAGE_W - 2 * MARGIN
ROW_H = 9.0
TABLE_HEAD_H = 7.0
FIRST_TABLE_TOP = 92.0
NEXT_TABLE_TOP = 38.0
TABLE_BOTTOM = PAGE_H - 20.0
CLOSING_H = 30.0

GREEN = (11, 107, 79)
GREY = (92, 100, 96)
PALE = (234, 243, 239)
RULE = (200, 208, 204)
WHITE = (255, 255, 255)

FOOTNOTE = (
    "Amounts in Saudi riyals. Each line is an entry of the Labbaik ledger with the balance after "
    "it; the opening balance and the lines add up to the closing balance. A top-up counts once "
    "the bank has confirmed it; the CSV statement also lists top-ups while they were waiting for "
    "the bank."
)

# Columns in reading order: (key, width in mm). An Arabic statement mirrors them.
COLUMNS = (("date", 40.0), ("what", 68.0), ("out", 24.0), ("in", 24.0), ("balance", 26.0))


def paginate(rows: int) -> list[tuple[int, int]]:
    """The [start, stop) rows of each page, and room on the last page for the closing lines."""
    first = int((TABLE_BOTTOM - FIRST_TABLE_TOP - TABLE_HEAD_H) // ROW_H)
    later = int((TABLE_BOTTOM - NEXT_TABLE_TOP - TABLE_HEAD_H) // ROW_H)
    pages = [(0, min(rows, first))]
    while pages[-1][1] < rows:
        start = pages[-1][1]
        pages.append((start, min(rows, start + later)))
    top = FIRST_TABLE_TOP if len(pages) == 1 else NEXT_TABLE_TOP
    last_rows = pages[-1][1] - pages[-1][0]
    if top + TABLE_HEAD_H + max(last_rows, 1) * ROW_H + CLOSING_H > TABLE_BOTTOM:
        pages.append((rows, rows))
    return pages


class _StatementPdf(LabbaikPdf):
    def __init__(self, lang: str, title: str) -> None:
        self.rtl = direction(lang) == "rtl"
        super().__init__(
            "A4", title=title, direction="rtl" if self.rtl else "ltr", shape_latin=False
        )
        self.set_auto_page_break(auto=False)
        self.set_margins(MARGIN, MARGIN, MARGIN)

    def box_x(self, offset: float, w: float) -> float:
        """The page's x of a box `offset` mm from where reading starts."""
        return MARGIN + (CONTENT_W - offset - w if self.rtl else offset)

    def align_start(self) -> str:
        return "R" if self.rtl else "L"

    def align_end(self) -> str:
        return "L" if self.rtl else "R"

    def put(
        self, offset: float, y: float, w: float, text: str, *, size: float,
        bold: bool = False, align: str | None = None, colour: tuple[int, int, int] = INK,
        numeric: bool = False,
    ) -> None:  # fmt: skip
        """A line in a box placed in reading order; numbers always read left to right."""
        self.text_at(
            self.box_x(offset, w), y, w, text, size=size, bold=bold, colour=colour, cut=True,
            align=align or ("R" if numeric else self.align_start()), min_size=size * 0.75,
            direction="ltr" if numeric else None,
        )  # fmt: skip


class _Writer:
    """Draws one statement: the header of each page, the summary, the lines, the footer."""

    def __init__(self, statement: Statement, lang: str) -> None:
        self.s = statement
        self.lang = lang
        self._ = translations(lang).gettext
        self.pdf = _StatementPdf(lang, self._("Wallet statement"))
        self.currency = statement.wallet.currency

    def day(self, value: date) -> str:
        return format_gregorian(value, self.lang)

    def day_with_hijri(self, value: date) -> str:
        hijri = format_hijri(value, self.lang)
        return f"{self.day(value)} ({hijri})" if hijri else self.day(value)

    def money(self, amount: int) -> str:
        return _amount(amount, self.currency)

    def period(self) -> str:
        first = self.s.start or to_riyadh(self.s.wallet.created_at).date()
        first = min(first, self.s.end)
        return f"{self.day_with_hijri(first)} – {self.day_with_hijri(self.s.end)}"

    def holder(self) -> str:
        names = [self.s.holder.name_ar, self.s.holder.name]
        if self.lang != "ar":
            names.reverse()
        return " · ".join(n for n in names if n) or str(self.s.wallet.id)

    def band(self) -> None:
        pdf, _ = self.pdf, self._
        pdf.set_fill_color(*GREEN)
        pdf.rect(0, 0, PAGE_W, 22, style="F")
        pdf.put(0, 7, 120, _("Wallet statement"), size=15, bold=True, colour=WHITE)
        brand = "لبيك · Labbaik" if self.lang == "ar" else "Labbaik · لبيك"
        pdf.put(CONTENT_W - 60, 7.3, 60, brand, size=12, bold=True, colour=WHITE,
                align=pdf.align_end())  # fmt: skip

    def first_header(self) -> None:
        pdf, _ = self.pdf, self._
        self.band()
        y = 28.0
        rows = (
            (_("Wallet holder"), self.holder()),
            (_("Wallet"), str(self.s.wallet.id)),
            (_("Period"), self.period()),
            (_("Printed"), self.moment(self.s.printed_at)),
        )
        for label, value in rows:
            pdf.put(0, y, 34, label, size=8.5, colour=GREY)
            pdf.put(36, y - 0.4, CONTENT_W - 36, value, size=10, bold=label == rows[0][0])
            y += 6.5
        self.summary(y + 2)

    def moment(self, moment: datetime) -> str:
        local = to_riyadh(moment)
        return f"{self.day_with_hijri(local.date())} {local:%H:%M} ({self._('Riyadh time')})"

    def summary(self, y: float) -> None:
        pdf, _ = self.pdf, self._
        pdf.set_fill_color(*PALE)
        pdf.rect(MARGIN, y, CONTENT_W, 20, style="F")
        boxes = (
            (_("Opening balance"), self.s.opening),
            (_("Money in"), self.s.money_in),
            (_("Money out"), self.s.money_out),
            (_("Closing balance"), self.s.closing),
        )
        w = CONTENT_W / len(boxes)
        for index, (label, amount) in enumerate(boxes):
            offset = index * w
            pdf.put(offset + 3, y + 3, w - 6, label, size=8, colour=GREY)
            pdf.put(offset + 3, y + 9, w - 6, f"{self.money(amount)} {self.currency_name()}",
                    size=12, bold=True, colour=GREEN, align=pdf.align_start())  # fmt: skip
        if self.s.wallet.pending_in and self.s.end >= to_riyadh(self.s.printed_at).date():
            waiting = f"{self.money(self.s.wallet.pending_in)} {self.currency_name()}"
            note = f"{_('Waiting for the bank')}: {waiting}"
            pdf.put(0, y + 22, CONTENT_W, note, size=8, colour=GREY)

    def currency_name(self) -> str:
        return "ر.س" if self.lang == "ar" and self.currency == "SAR" else self.currency

    def next_header(self) -> None:
        pdf, _ = self.pdf, self._
        self.band()
        pdf.put(0, 27, CONTENT_W, f"{_('Wallet holder')}: {self.holder()}", size=9, bold=True)
        pdf.put(0, 32, CONTENT_W, f"{_('Period')}: {self.period()}", size=8.5, colour=GREY)

    def table_head(self, y: float) -> float:
        pdf, _ = self.pdf, self._
        heads = {
            "date": _("Date"),
            "what": _("Description"),
            "out": _("Money out"),
            "in": _("Money in"),
            "balance": _("Balance"),
        }
        offset = 0.0
        for key, w in COLUMNS:
            numeric = key in ("out", "in", "balance")
            pdf.put(offset + 1, y + 1.5, w - 2, heads[key], size=8, bold=True, colour=GREY,
                    align="R" if numeric else None)  # fmt: skip
            offset += w
        pdf.set_draw_color(*GREEN)
        pdf.set_line_width(0.4)
        pdf.line(MARGIN, y + TABLE_HEAD_H, MARGIN + CONTENT_W, y + TABLE_HEAD_H)
        return y + TABLE_HEAD_H

    def row(self, item: HistoryItem, y: float, *, new_day: bool) -> None:
        """One line; the day (Gregorian, the Hijri under it) on the first line of each day on
        a page, the time on every line."""
        pdf, _ = self.pdf, self._
        local = to_riyadh(item.at)
        name, other = _merchant(item, self.lang)
        what = kind_label(item.kind, _) + (f" · {name}" if name else "")
        change = item.balance_change
        when = (
            (f"{self.day(local.date())} {local:%H:%M}", format_hijri(local.date(), self.lang))
            if new_day
            else (f"{local:%H:%M}", "")
        )
        cells = (
            when,
            (what, other or ""),
            (self.money(-change) if change < 0 else "", ""),
            (self.money(change) if change > 0 else "", ""),
            (self.money(item.balance_after), ""),
        )
        offset = 0.0
        for (key, w), (first, second) in zip(COLUMNS, cells, strict=True):
            numeric = key in ("out", "in", "balance")
            if first:
                pdf.put(offset + 1, y + 1.3, w - 2, first, size=8.5, numeric=numeric,
                        bold=key == "balance")  # fmt: skip
            if second:
                pdf.put(offset + 1, y + 5.2, w - 2, second, size=6.8, colour=GREY)
            offset += w
        pdf.set_draw_color(*RULE)
        pdf.set_line_width(0.15)
        pdf.line(MARGIN, y + ROW_H, MARGIN + CONTENT_W, y + ROW_H)

    def closing(self, y: float, empty: bool) -> None:
        pdf, _ = self.pdf, self._
        y += 3
        if empty:
            pdf.put(0, y, CONTENT_W, _("No movements in this period."), size=9, colour=GREY)
            y += 7
        label = f"{_('Closing balance')}: {self.money(self.s.closing)} {self.currency_name()}"
        pdf.put(0, y, CONTENT_W, label, size=10.5, bold=True, colour=GREEN)
        pdf.set_font(pdf.font_family, "", 7.5)
        pdf.set_text_color(*GREY)
        pdf.set_xy(MARGIN, y + 7)
        pdf.multi_cell(
            CONTENT_W,
            3.6,
            _(FOOTNOTE),
            align=pdf.align_start(),
        )

    def footer(self, page: int, pages: int) -> None:
        pdf, _ = self.pdf, self._
        y = PAGE_H - 13
        pdf.set_draw_color(*RULE)
        pdf.set_line_width(0.2)
        pdf.line(MARGIN, y, MARGIN + CONTENT_W, y)
        number = _("Page %(page)s of %(pages)s") % {"page": page, "pages": pages}
        pdf.put(0, y + 2, 80, f"Labbaik · {str(self.s.wallet.id)[:8]}", size=7.5, colour=GREY)
        pdf.put(CONTENT_W - 60, y + 2, 60, number, size=7.5, colour=GREY, align=pdf.align_end())

    def draw(self) -> bytes:
        rows: Sequence[HistoryItem] = self.s.moved
        pages = paginate(len(rows))
        for number, (start, stop) in enumerate(pages, 1):
            self.pdf.add_page()
            if number == 1:
                self.first_header()
                top = FIRST_TABLE_TOP
            else:
                self.next_header()
                top = NEXT_TABLE_TOP
            # A last page that holds only the closing lines has no table head.
            y = self.table_head(top) if start < stop or number == 1 else top
            shown: date | None = None
            for item in rows[start:stop]:
                day = to_riyadh(item.at).date()
                self.row(item, y, new_day=day != shown)
                shown = day
                y += ROW_H
            if number == len(pages):
                self.closing(y, empty=not rows)
            self.footer(number, len(pages))
        return bytes(self.pdf.output())


def to_pdf(statement: Statement, *, lang: str = "en") -> bytes:
    """The statement as an A4 PDF in the reader's language (Arabic right to left)."""
    return _Writer(statement, language(lang)).draw()
