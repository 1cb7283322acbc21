"""The wallet's history: every ledger entry of the wallet, with the merchant behind it."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from labbaik.auth import service as auth_service
from labbaik.auth.roles import Actor
from labbaik.kit.pagination import PageRequest
from labbaik.ledger import service as ledger_service
from labbaik.wallet import ledgering
from labbaik.wallet.models import Merchant, Payment, Refund
from labbaik.wallet.schemas import (
    HistoryItem,
    HistoryPage,
)
from labbaik.wallet.service import wallet_row

# History ----------------------------------------------------------------------------------------


def history(
    session: Session, *, actor: Actor, page: PageRequest, wallet_id: uuid.UUID | None = None
) -> HistoryPage:
    """The wallet's statement: every ledger entry, newest first, with the balance after it."""
    wallet = wallet_row(session, actor=actor, wallet_id=wallet_id)
    if actor.pilgrim_id != wallet.pilgrim_id:
        auth_service.record(
            session, actor=actor, action="wallet.history", object_type="wallet", object_id=wallet.id
        )
    entries = ledger_service.list_entries(
        session, account_id=wallet.ledger_account_id, actor=ledgering.LEDGER_ACTOR, page=page
    )
    names = _counterparties(session, [e.reference for e in entries.items])
    items = []
    for entry in entries.items:
        sign = 1 if entry.side == "credit" else -1
        kind = ledgering.KINDS.get(entry.code or 0, "other")
        change = entry.posted if entry.posted else entry.pending
        # The spendable balance counts posted credits, and posted and pending debits: money
        # coming in counts once the bank has confirmed it, money going out as soon as it is held.
        spendable = entry.posted if entry.side == "credit" else -(entry.posted + entry.pending)
        name, name_ar = names.get(entry.reference or "", (kind, None))
        items.append(
            HistoryItem(
                at=entry.at,
                kind=kind,
                amount=sign * change,
                pending=entry.posted == 0,
                balance_change=spendable,
                balance_after=entry.credits_posted - entry.debits_posted - entry.debits_pending,
                reference=entry.reference,
                description=name,
                description_ar=name_ar,
            )
        )
    return HistoryPage(items=items, total=entries.total, page=entries.page, size=entries.size)


def _counterparties(
    session: Session, references: list[str | None]
) -> dict[str, tuple[str, str | None]]:
    """The merchant behind each payment or refund reference, for the statement's lines: its
    name, and its Arabic name where it has one."""
    payment_ids: set[uuid.UUID] = set()
    refund_ids: set[uuid.UUID] = set()
    for ref in references:
        kind, _, raw = (ref or "").partition(":")
        try:
            value = uuid.UUID(raw)
        except ValueError:
            continue
        if kind == "payment":
            payment_ids.add(value)
        elif kind == "refund":
            refund_ids.add(value)
    out: dict[str, tuple[str, str | None]] = {}
    if payment_ids:
        for pid, name, name_ar in session.execute(
            select(Payment.id, Merchant.name, Merchant.name_ar)
            .join(Merchant, Merchant.id == Payment.merchant_id)
            .where(Payment.id.in_(payment_ids))
        ):
            out[f"payment:{pid}"] = (name, name_ar)
    if refund_ids:
        for rid, name, name_ar in session.execute(
            select(Refund.id, Merchant.name, Merchant.name_ar)
            .join(Payment, Payment.id == Refund.payment_id)
            .join(Merchant, Merchant.id == Payment.merchant_id)
            .where(Refund.id.in_(refund_ids))
        ):
            out[f"refund:{rid}"] = (name, name_ar)
    return out
