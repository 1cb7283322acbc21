"""The printed card: a PDF at ID-1 size (front and back), and A4 sheets of cards with crop marks."""

from __future__ import annotations

import io
import re
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from labbaik.auth.roles import Actor
from labbaik.cards import qr, service
from labbaik.cards.errors import NoValidCard
from labbaik.cards.schemas import CardRead
from labbaik.errors import InvalidInput, NotFound
from labbaik.kit.pdf import FAMILY, LabbaikPdf
from labbaik.kit.timeutil import to_riyadh
from labbaik.registry import service as registry_service
from labbaik.registry.countries import country_name
from labbaik.registry.schemas import CompanyRead

Progress = Callable[[int, int], None]

# ISO/IEC 7810 ID-1, the size of a bank card.
CARD_W = 85.6
CARD_H = 54.0
A4_W = 210.0
A4_H = 297.0
SHEET_COLUMNS = 2
SHEET_ROWS = 5
# Between two cards on a sheet, so that a guillotine cut has room on either side of the line.
GUTTER = 3.0
CROP_MARK = 4.0
CROP_OFFSET = 1.5
# A season's largest company prints in one run; more than this is split by group.
BATCH_LIMIT = 50_000

GREEN = (11, 107, 79)
GREY = (92, 100, 96)
PALE = (234, 243, 239)

ARABIC_DIGITS = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")

# Numbers that answer anywhere in the Kingdom; the card's back names the pilgrim's own contacts too.
EMERGENCY_NUMBERS = (
    ("Emergency", "الطوارئ", "911"),
    ("Ambulance", "الإسعاف", "997"),
    ("Police", "الشرطة", "999"),
    ("Civil defence", "الدفاع المدني", "998"),
)


@dataclass(frozen=True)
class CompanyDetails:
    """Who the pilgrim travels with, as printed on the back of the card."""

    name: str
    name_ar: str | None = None
    address: str | None = None
    phone: str | None = None


@dataclass(frozen=True)
class PrintedCard:
    """Everything one printed card shows: the credential's claims and what the back adds."""

    card_number: str
    qr_text: str
    surname: str
    given_names: str
    surname_ar: str | None
    given_names_ar: str | None
    nationality: str
    passport_number: str
    sex: str
    date_of_birth: date | None
    group_code: str | None
    camp: str | None
    valid_from: date
    valid_until: date
    hijri_year: int
    company: CompanyDetails
    leader_phone: str | None = None
    photo: bytes | None = None
    # The camp's Arabic name when the registry has one; otherwise its code in Arabic digits.
    camp_ar: str | None = None


def printed_card(
    card: CardRead,
    *,
    company: CompanyRead,
    hijri_year: int,
    leader_phone: str | None = None,
    camp_ar: str | None = None,
    photo: bytes | None = None,
) -> PrintedCard:
    """The printed card of an issued card: its claims, and the company's details for the back."""
    claims = card.claims
    return PrintedCard(
        card_number=card.card_number,
        qr_text=card.qr_text,
        surname=claims.surname,
        given_names=claims.given_names,
        surname_ar=claims.surname_ar,
        given_names_ar=claims.given_names_ar,
        nationality=claims.nationality,
        passport_number=claims.passport_number,
        sex=claims.sex,
        date_of_birth=claims.date_of_birth,
        group_code=claims.group_code,
        camp=claims.camp,
        camp_ar=camp_ar,
        valid_from=to_riyadh(claims.not_before or claims.issued_at).date(),
        valid_until=to_riyadh(claims.expires_at).date(),
        hijri_year=hijri_year,
        company=CompanyDetails(
            name=company.name,
            name_ar=company.name_ar,
            address=company.address,
            phone=company.contact_phone,
        ),
        leader_phone=leader_phone,
        photo=photo,
    )


def printable(
    session: Session,
    cards: Sequence[CardRead],
    *,
    actor: Actor,
    progress: Progress | None = None,
) -> list[PrintedCard]:
    """The printed form of issued cards, with what the back needs from the registry.

    Each photo read is audited by the registry, as any read of a face is.
    """
    seasons = {s.id: s.hijri_year for s in registry_service.list_seasons(session)}
    companies: dict[uuid.UUID, CompanyRead] = {}
    out = []
    for done, card in enumerate(cards, 1):
        pilgrim = registry_service.get_pilgrim(
            session, pilgrim_id=card.pilgrim_id, actor=actor, reason="print the card"
        )
        if card.company_id not in companies:
            companies[card.company_id] = registry_service.get_company(
                session, company_id=card.company_id, actor=actor
            )
        group = (
            registry_service.get_group(session, group_id=pilgrim.group_id, actor=actor)
            if pilgrim.group_id
            else None
        )
        camp_id = pilgrim.mina_camp_id or pilgrim.arafat_camp_id
        camp = registry_service.get_lodging(session, lodging_id=camp_id) if camp_id else None
        photo = None
        if pilgrim.has_photo:
            try:
                photo = registry_service.get_photo(session, pilgrim_id=pilgrim.id, actor=actor)[1]
            except NotFound:
                photo = None
        out.append(
            printed_card(
                card,
                company=companies[card.company_id],
                hijri_year=seasons.get(card.season_id, 0),
                leader_phone=group.leader_phone if group else None,
                camp_ar=camp.name_ar if camp else None,
                photo=photo,
            )
        )
        if progress:
            progress(done, len(cards))
    return out


def card_document(session: Session, *, card_number: str, actor: Actor) -> bytes:
    """The PDF of one issued card, front and back."""
    card = service.get_card(session, card_number=card_number, actor=actor)
    (printed,) = printable(session, [card], actor=actor)
    return card_pdf(printed)


def batch_document(
    session: Session,
    *,
    actor: Actor,
    group_id: uuid.UUID | None = None,
    company_code: str | None = None,
    progress: Progress | None = None,
) -> tuple[bytes, int]:
    """A4 sheets of the valid cards of a group or a company, and how many cards they hold.

    `progress(done, total)` is told of each card read from the registry, then of each drawn.
    """
    if (group_id is None) == (company_code is None):
        raise InvalidInput("print the cards of either a group or a company")
    if group_id is not None:
        group = registry_service.get_group(session, group_id=group_id, actor=actor)
        company_id, group_code = group.company_id, group.code
    else:
        company = registry_service.get_company_by_code(
            session, code=(company_code or "").strip().upper(), actor=actor
        )
        company_id, group_code = company.id, None
    page = service.list_cards(session, actor=actor, status="valid", limit=BATCH_LIMIT)
    chosen = sorted(
        (
            card
            for card in page.items
            if card.company_id == company_id
            and (group_code is None or card.claims.group_code == group_code)
        ),
        key=lambda card: (card.claims.group_code or "", card.claims.surname, card.card_number),
    )
    if not chosen:
        raise NoValidCard("no valid card to print: issue the cards first (labbaik card issue)")
    total = 2 * len(chosen)
    printed = printable(
        session,
        chosen,
        actor=actor,
        progress=(lambda done, _n: progress(done, total)) if progress else None,
    )
    drawn = (lambda done, n: progress(n + done, total)) if progress else None
    return sheets_pdf(printed, progress=drawn), len(chosen)


def arabic_digits(text: str) -> str:
    """The same text with Arabic-Indic digits, as an Arabic reader writes camp numbers."""
    return text.translate(ARABIC_DIGITS)


def camp_number(code: str) -> str:
    """The numbers of a camp's code, as people say them ("MINA-12-3" is camp 12/3).

    A slash, not a hyphen, joins them: between Arabic-Indic digits a hyphen lets the
    bidirectional algorithm swap the numbers in right-to-left text, and a slash does not.
    """
    return "/".join(re.findall(r"[0-9]+", code)) or code


class _CardPdf(LabbaikPdf):
    def __init__(self, page: tuple[float, float]) -> None:
        super().__init__(page, title="Hajj card")
        self.set_auto_page_break(auto=False)
        self.set_margins(0, 0, 0)


def _draw_qr(pdf: _CardPdf, text: str, x: float, y: float, size: float) -> None:
    # Vector modules, one rectangle per dark run of a row: sharp at any printer resolution.
    rows = [list(row) for row in qr.make(text).matrix_iter(border=4)]
    module = size / len(rows)
    pdf.set_fill_color(255, 255, 255)
    pdf.rect(x, y, size, size, style="F")
    pdf.set_fill_color(0, 0, 0)
    for r, row in enumerate(rows):
        c = 0
        while c < len(row):
            if not row[c]:
                c += 1
                continue
            start = c
            while c < len(row) and row[c]:
                c += 1
            # A hair wider and taller than the module, so that no white seam shows between runs.
            pdf.rect(
                x + start * module, y + r * module, (c - start) * module + 0.01, module + 0.01, "F"
            )


def _draw_photo(pdf: _CardPdf, card: PrintedCard, x: float, y: float, w: float, h: float) -> None:
    pdf.set_fill_color(*PALE)
    pdf.rect(x, y, w, h, style="F")
    if card.photo:
        pdf.image(io.BytesIO(card.photo), x=x, y=y, w=w, h=h, keep_aspect_ratio=True)
    else:
        initials = (card.given_names[:1] + card.surname[:1]).upper()
        pdf.text_at(x, y + h / 2 - 3, w, initials, size=16, bold=True, align="C", colour=GREY)
    pdf.set_draw_color(*GREY)
    pdf.set_line_width(0.15)
    pdf.rect(x, y, w, h)


def _label(pdf: _CardPdf, x: float, y: float, w: float, en: str, ar: str) -> None:
    pdf.text_at(x, y, w / 2, en, size=4.6, colour=GREY)
    pdf.text_at(x + w / 2, y, w / 2, ar, size=4.8, colour=GREY, align="R")


def _front(pdf: _CardPdf, card: PrintedCard, ox: float, oy: float) -> None:
    pdf.set_fill_color(*GREEN)
    pdf.rect(ox, oy, CARD_W, 8.5, style="F")
    year = str(card.hijri_year)
    white = (255, 255, 255)
    pdf.text_at(ox + 3, oy + 2.2, 38, f"HAJJ CARD {year} AH", size=7.5, bold=True, colour=white)
    pdf.text_at(
        ox + 42,
        oy + 1.6,
        CARD_W - 45,
        f"بطاقة الحاج {arabic_digits(year)} هـ",
        size=9,
        bold=True,
        align="R",
        colour=white,
    )

    _draw_photo(pdf, card, ox + 3, oy + 11, 20, 25.7)
    pdf.text_at(ox + 3, oy + 38, 20, card.card_number, size=5.5, bold=True, align="C")

    x = ox + 26
    w = CARD_W - 29
    latin = f"{card.surname.upper()}, {card.given_names}" if card.given_names else card.surname
    pdf.text_at(x, oy + 10.5, w, latin, size=8.5, bold=True)
    arabic = " ".join(part for part in (card.given_names_ar, card.surname_ar) if part)
    if arabic:
        pdf.text_at(x, oy + 14.6, w, arabic, size=10, bold=True, align="R")

    half = (w - 2) / 2
    rows = (
        (
            ("Nationality", "الجنسية", country_name(card.nationality, "en")),
            ("", "", country_name(card.nationality, "ar")),
        ),
        (
            ("Passport", "جواز السفر", card.passport_number),
            ("Group", "المجموعة", card.group_code or "–"),
        ),
    )
    y = oy + 20
    for left, right in rows:
        for i, (en, ar, value) in enumerate((left, right)):
            cx = x + i * (half + 2)
            if en:
                _label(pdf, cx, y, half, en, ar)
            pdf.text_at(cx, y + 2.3, half, value, size=6.8, bold=True, align="R" if i else "L")
        y += 6.4

    # The camp is what a lost pilgrim is asked for: large, in both kinds of digits.
    camp = card.camp or "–"
    pdf.set_fill_color(*PALE)
    pdf.rect(x, y + 0.4, w, 8.2, style="F")
    _label(pdf, x + 1, y + 0.9, w - 2, "Camp", "المخيم")
    pdf.text_at(x + 1, y + 3.4, half, camp, size=10, bold=True, colour=GREEN)
    pdf.text_at(
        x + half + 1,
        y + 3.1,
        half,
        card.camp_ar or arabic_digits(camp_number(camp)),
        size=11,
        bold=True,
        colour=GREEN,
        align="R",
    )

    pdf.set_draw_color(*GREEN)
    pdf.set_line_width(0.3)
    pdf.line(ox + 3, oy + 46.2, ox + CARD_W - 3, oy + 46.2)
    pdf.text_at(ox + 3, oy + 47.2, 40, card.company.name, size=6, bold=True)
    if card.company.name_ar:
        pdf.text_at(ox + 43, oy + 46.9, CARD_W - 46, card.company.name_ar, size=7, align="R")
    validity = f"Valid {card.valid_from.isoformat()} to {card.valid_until.isoformat()}"
    pdf.text_at(ox + 3, oy + 50.4, CARD_W - 6, validity, size=5, colour=GREY)


def _back(pdf: _CardPdf, card: PrintedCard, ox: float, oy: float) -> None:
    qr = CARD_H - 6
    _draw_qr(pdf, card.qr_text, ox + 2.5, oy + 3, qr)
    x = ox + qr + 5
    w = CARD_W - qr - 7.5
    pdf.text_at(x, oy + 3, w, card.card_number, size=8, bold=True)
    pdf.text_at(x, oy + 6.6, w, card.company.name, size=5.8, bold=True)
    y = oy + 9.3
    if card.company.name_ar:
        pdf.text_at(x, y, w, card.company.name_ar, size=6.5, align="R")
        y += 3.2
    if card.company.address:
        pdf.set_font(FAMILY, "", 4.8)
        pdf.set_text_color(*GREY)
        pdf.set_xy(x, y)
        pdf.multi_cell(w, 2.1, card.company.address, align="L", max_line_height=2.1)
        y = min(pdf.get_y(), oy + 20) + 0.6
    contacts = []
    if card.company.phone:
        contacts.append(("Company", "الشركة", card.company.phone))
    if card.leader_phone:
        contacts.append(("Group leader", "قائد المجموعة", card.leader_phone))
    for en, ar, number in contacts:
        _label(pdf, x, y, w, en, ar)
        pdf.text_at(x, y + 2.1, w, number, size=6.2, bold=True)
        y += 5

    pdf.set_fill_color(*PALE)
    top = oy + CARD_H - 3 - len(EMERGENCY_NUMBERS) * 2.9 - 3.2
    pdf.rect(x - 1, top, w + 1.5, oy + CARD_H - 3 - top, style="F")
    pdf.text_at(x, top + 0.6, w / 2, "EMERGENCY", size=5.4, bold=True, colour=GREEN)
    pdf.text_at(
        x + w / 2, top + 0.4, w / 2, "أرقام الطوارئ", size=5.8, bold=True, colour=GREEN, align="R"
    )
    y = top + 3.3
    for en, ar, number in EMERGENCY_NUMBERS:
        pdf.text_at(x, y, w / 2 - 1, f"{en} {number}", size=5, bold=True)
        pdf.text_at(x + w / 2, y, w / 2, f"{ar} {arabic_digits(number)}", size=5.4, align="R")
        y += 2.9


def card_pdf(card: PrintedCard) -> bytes:
    """One card as a two-page PDF at ID-1 size: the front, then the back."""
    pdf = _CardPdf((CARD_W, CARD_H))
    pdf.add_page()
    _front(pdf, card, 0, 0)
    pdf.add_page()
    _back(pdf, card, 0, 0)
    return bytes(pdf.output())


def _crop_marks(pdf: _CardPdf, origins: Sequence[tuple[float, float]]) -> None:
    # Marks sit outside the block of cards, on the lines of every card edge, so none is printed
    # on a card and every cut has a mark at both ends.
    pdf.set_draw_color(0, 0, 0)
    pdf.set_line_width(0.1)
    xs = sorted({x for x, _ in origins} | {x + CARD_W for x, _ in origins})
    ys = sorted({y for _, y in origins} | {y + CARD_H for _, y in origins})
    left, right, top, bottom = xs[0], xs[-1], ys[0], ys[-1]
    for x in xs:
        pdf.line(x, top - CROP_OFFSET - CROP_MARK, x, top - CROP_OFFSET)
        pdf.line(x, bottom + CROP_OFFSET, x, bottom + CROP_OFFSET + CROP_MARK)
    for y in ys:
        pdf.line(left - CROP_OFFSET - CROP_MARK, y, left - CROP_OFFSET, y)
        pdf.line(right + CROP_OFFSET, y, right + CROP_OFFSET + CROP_MARK, y)


def _slots(count: int, *, mirrored: bool) -> list[tuple[float, float]]:
    block_w = SHEET_COLUMNS * CARD_W + (SHEET_COLUMNS - 1) * GUTTER
    block_h = SHEET_ROWS * CARD_H + (SHEET_ROWS - 1) * GUTTER
    left = (A4_W - block_w) / 2
    top = (A4_H - block_h) / 2
    slots = []
    for i in range(count):
        row, column = divmod(i, SHEET_COLUMNS)
        if mirrored:
            column = SHEET_COLUMNS - 1 - column
        slots.append((left + column * (CARD_W + GUTTER), top + row * (CARD_H + GUTTER)))
    return slots


def sheets_pdf(cards: Iterable[PrintedCard], *, progress: Progress | None = None) -> bytes:
    """A4 sheets for a duplex printer: each sheet of fronts is followed by its sheet of backs.

    The backs are mirrored left to right, so that after a long-edge flip every back lands behind
    its own front.
    """
    per_sheet = SHEET_COLUMNS * SHEET_ROWS
    batch = list(cards)
    pdf = _CardPdf((A4_W, A4_H))
    for start in range(0, len(batch), per_sheet):
        chunk = batch[start : start + per_sheet]
        for side, mirrored in ((_front, False), (_back, True)):
            pdf.add_page()
            slots = _slots(len(chunk), mirrored=mirrored)
            for card, (x, y) in zip(chunk, slots, strict=True):
                side(pdf, card, x, y)
            _crop_marks(pdf, slots)
        if progress:
            progress(start + len(chunk), len(batch))
    return bytes(pdf.output())
