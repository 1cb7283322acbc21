"""The wallet's statement as CSV (UTF-8 with BOM, for spreadsheets) and as PDF.

The PDF is in Latin script with the built-in Helvetica: it names merchants by their Latin
names and ships no font. An Arabic statement needs a shaped Arabic font and is not made here.
"""

from __future__ import annotations

import csv
import io
import uuid
from dataclasses import dataclass

from fpdf import FPDF
from sqlalchemy.orm import Session

from labbaik.auth.roles import Actor
from labbaik.kit.money import Money
from labbaik.kit.pagination import MAX_PAGE_SIZE, PageRequest
from labbaik.kit.timeutil import format_hijri, to_riyadh, utcnow
from labbaik.settings import Settings
from labbaik.wallet import service
from labbaik.wallet.schemas import HistoryItem, WalletRead

KIND_LABELS = {
    "topup": "Top-up",
    "payment": "Payment",
    "fee": "Fee",
    "refund": "Refund",
    "fee_refund": "Fee refund",
    "other": "Other",
}


@dataclass(frozen=True)
class Statement:
    wallet: WalletRead
    items: list[HistoryItem]


def statement(
    session: Session, *, actor: Actor, settings: Settings, wallet_id: uuid.UUID | None = None
) -> Statement:
    """Every line of the wallet, oldest first, as the ledger's entries give them."""
    wallet = service.get_wallet(session, actor=actor, settings=settings, wallet_id=wallet_id)
    items: list[HistoryItem] = []
    page = 1
    while True:
        chunk = service.history(
            session, actor=actor, wallet_id=wallet.id, page=PageRequest(page, MAX_PAGE_SIZE)
        )
        items.extend(chunk.items)
        if page * MAX_PAGE_SIZE >= chunk.total:
            return Statement(wallet=wallet, items=items)
        page += 1


def _money(amount: int, currency: str) -> str:
    return Money(amount, currency).format().removesuffix(f" {currency}")


def to_csv(statement: Statement) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        ["time (Riyadh)", "hijri date", "kind", "description", "amount (SAR)", "state",
         "balance after (SAR)", "reference"]
    )  # fmt: skip
    for item in statement.items:
        local = to_riyadh(item.at)
        writer.writerow(
            [
                local.strftime("%Y-%m-%d %H:%M"),
                format_hijri(local.date()),
                KIND_LABELS[item.kind],
                item.description,
                _money(item.amount, statement.wallet.currency),
                "pending" if item.pending else "posted",
                _money(item.balance_after, statement.wallet.currency),
                item.reference or "",
            ]
        )
    # The byte-order mark makes spreadsheet programs read the file as UTF-8.
    return "\ufeff".encode() + out.getvalue().encode("utf-8")


def _latin(text: str) -> str:
    # The core PDF fonts hold Latin-1 only.
    return text.encode("latin-1", "replace").decode("latin-1")


def to_pdf(statement: Statement, *, holder: str) -> bytes:
    pdf = FPDF(format="A4")
    pdf.set_title("Labbaik wallet statement")
    pdf.set_creator("Labbaik")
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 16)
    pdf.cell(0, 10, "Labbaik wallet statement", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", size=10)
    now = to_riyadh(utcnow())
    wallet = statement.wallet
    for line in (
        f"Holder: {_latin(holder)}",
        f"Wallet: {wallet.id}",
        f"Printed: {now:%Y-%m-%d %H:%M} Riyadh time ({format_hijri(now.date())})",
        f"Balance: {_money(wallet.balance, wallet.currency)} {wallet.currency}"
        + (
            f" (+{_money(wallet.pending_in, wallet.currency)} pending)" if wallet.pending_in else ""
        ),
    ):
        pdf.cell(0, 6, line, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    widths = (34, 22, 62, 28, 12, 32)
    headers = ("Time (Riyadh)", "Kind", "Description", "Amount", "", "Balance after")
    pdf.set_font("Helvetica", "B", 9)
    for width, header in zip(widths, headers, strict=True):
        pdf.cell(width, 7, header, border="B")
    pdf.ln()
    pdf.set_font("Helvetica", size=9)
    for item in statement.items:
        cells = (
            f"{to_riyadh(item.at):%Y-%m-%d %H:%M}",
            KIND_LABELS[item.kind],
            _latin(item.description)[:38],
            _money(item.amount, wallet.currency),
            "held" if item.pending else "",
            _money(item.balance_after, wallet.currency),
        )
        for index, (width, text) in enumerate(zip(widths, cells, strict=True)):
            pdf.cell(width, 6, text, align="R" if index in (3, 5) else "L")
        pdf.ln()
    if not statement.items:
        pdf.cell(0, 8, "No movements yet.", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    pdf.set_font("Helvetica", "I", 8)
    pdf.multi_cell(
        0,
        4,
        "Amounts in SAR. Each line is an entry of the Labbaik ledger with the balance after it; "
        "held lines are top-ups the payment gateway has not confirmed yet.",
    )
    return bytes(pdf.output())
