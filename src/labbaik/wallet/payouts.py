"""Payouts: the merchant's bank account, bank transfers through the bank, what is in transit.

A payout takes the merchant's whole balance to the ledger's "payouts in transit" account and
records the transfer to make; the payout job (`sync_payouts`) instructs the bank, then asks it
what became of each transfer: paid, the money goes on to the bank's clearing account; returned,
it goes back to the merchant. The bank is instructed only after the payout is committed, so no
money leaves for a payout the platform has not recorded; the payout's id is the bank's
idempotency key, so an instruction repeated after a lost answer pays once.
"""

from __future__ import annotations

import logging
import uuid
from datetime import datetime

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from labbaik.auth import service as auth_service
from labbaik.auth.roles import Actor, Scope
from labbaik.errors import DomainError
from labbaik.kit import iban as ibans
from labbaik.kit.timeutil import utcnow
from labbaik.ledger.schemas import TransferCreate
from labbaik.settings import Settings
from labbaik.wallet import idempotency, ledgering
from labbaik.wallet.bank import BankRejected, BankTimeout, BankTransfer, PayoutBank, SandboxBank
from labbaik.wallet.errors import (
    MerchantNotFound,
    NoBankAccount,
    NothingToPayOut,
    PayoutBankUnavailable,
)
from labbaik.wallet.models import Merchant, MerchantMember, Payout
from labbaik.wallet.schemas import (
    BankAccountIn,
    InTransitReport,
    MerchantRead,
    PayoutRead,
    PayoutSync,
)

log = logging.getLogger("labbaik.wallet")
OPEN = ("pending", "in_transit")


def bank_for(settings: Settings) -> PayoutBank:
    """The configured payout bank; production names a real one or has none."""
    if settings.wallet_payout_bank_name == "sandbox":
        return SandboxBank()
    raise PayoutBankUnavailable("no payout bank is configured: payouts cannot be sent")


# The bank account on file -----------------------------------------------------------------------


def put_bank_account(merchant: Merchant, account_in: BankAccountIn) -> str | None:
    """Write the account on the merchant's row; the masked IBAN it replaces, for the audit."""
    before = ibans.mask(merchant.bank_iban) if merchant.bank_iban else None
    merchant.bank_iban = account_in.iban
    merchant.bank_holder = account_in.holder
    merchant.bank_updated_at = utcnow()
    return before


def set_bank_account(
    session: Session, *, merchant_id: uuid.UUID, account_in: BankAccountIn, actor: Actor
) -> MerchantRead:
    """An operator sets or changes where a merchant's payouts go; the change is audited.
    Payouts already made keep the account they were made to."""
    auth_service.require(actor, Scope.MERCHANT_MANAGE)
    merchant = session.get(Merchant, merchant_id, with_for_update=True)
    if merchant is None:
        raise MerchantNotFound("no such merchant")
    before = put_bank_account(merchant, account_in)
    auth_service.record(
        session,
        actor=actor,
        action="merchant.bank_account",
        object_type="merchant",
        object_id=merchant.id,
        detail={"iban": ibans.mask(account_in.iban), "holder": account_in.holder,
                "previous": before},
    )  # fmt: skip
    session.flush()
    return MerchantRead.model_validate(merchant)


# Payouts ----------------------------------------------------------------------------------------


def payout(
    session: Session, *, merchant_id: uuid.UUID, actor: Actor, idempotency_key: str | None
) -> PayoutRead:
    """Pay out everything the merchant holds to its bank account: the balance goes to "in
    transit" now, leaving the merchant at zero, and the payout job instructs the bank."""
    auth_service.require(actor, Scope.MERCHANT_MANAGE)

    def run() -> PayoutRead:
        merchant = session.get(Merchant, merchant_id, with_for_update=True)
        if merchant is None:
            raise MerchantNotFound("no such merchant")
        if not (merchant.bank_iban and merchant.bank_holder):
            raise NoBankAccount(
                f"the merchant {merchant.code} has no bank account on file: set its IBAN first"
            )
        balance = ledgering.balances(session, [merchant.ledger_account_id])
        amount = ledgering.available(balance[merchant.ledger_account_id])
        if amount <= 0:
            raise NothingToPayOut(f"the merchant {merchant.code} holds nothing to pay out")
        row = Payout(
            merchant_id=merchant.id,
            amount=amount,
            currency=merchant.currency,
            status="pending",
            iban=merchant.bank_iban,
            account_holder=merchant.bank_holder,
        )
        session.add(row)
        session.flush()
        ledgering.open_system_accounts(session, merchant.currency)
        ledgering.move(
            session,
            [
                TransferCreate(
                    id=ledgering.transfer_id(row.id, "payout"),
                    debit_account_id=merchant.ledger_account_id,
                    credit_account_id=ledgering.system_account(
                        ledgering.ACCOUNT_PAYOUTS_IN_TRANSIT, merchant.currency
                    ),
                    amount=amount,
                    currency=merchant.currency,
                    code=ledgering.PAYOUT,
                    reference=f"payout:{row.id}",
                )
            ],
            short="the merchant's balance changed during the payout: try again",
        )
        auth_service.record(
            session,
            actor=actor,
            action="merchant.payout",
            object_type="merchant",
            object_id=merchant.id,
            detail={"amount": amount, "payout": str(row.id), "iban": ibans.mask(row.iban or "")},
        )
        return PayoutRead.model_validate(row)

    return idempotency.once(
        session,
        actor=actor,
        operation="merchant.payout",
        key=idempotency_key,
        request={"merchant_id": str(merchant_id)},
        answer=PayoutRead,
        run=run,
    )


def _can_see(session: Session, actor: Actor, merchant_id: uuid.UUID) -> bool:
    if actor.can(Scope.MERCHANT_MANAGE):
        return True
    if not actor.can(Scope.MERCHANT_TILL) or actor.account_id is None:
        return False
    mine = session.scalar(
        select(MerchantMember.merchant_id).where(MerchantMember.account_id == actor.account_id)
    )
    return mine == merchant_id


def list_payouts(
    session: Session, *, merchant_id: uuid.UUID, actor: Actor, limit: int = 50
) -> list[PayoutRead]:
    """A merchant's payouts, newest first: for an operator, or the merchant's own till."""
    if session.get(Merchant, merchant_id) is None or not _can_see(session, actor, merchant_id):
        raise MerchantNotFound("no such merchant")
    rows = session.scalars(
        select(Payout)
        .where(Payout.merchant_id == merchant_id)
        .order_by(Payout.created_at.desc())
        .limit(limit)
    )
    return [PayoutRead.model_validate(p) for p in rows]


# The payout job ---------------------------------------------------------------------------------


def _leave_transit(session: Session, payout: Payout, *, to: uuid.UUID, code: int, leg: str) -> None:
    ledgering.move(
        session,
        [
            TransferCreate(
                id=ledgering.transfer_id(payout.id, leg),
                debit_account_id=ledgering.system_account(
                    ledgering.ACCOUNT_PAYOUTS_IN_TRANSIT, payout.currency
                ),
                credit_account_id=to,
                amount=payout.amount,
                currency=payout.currency,
                code=code,
                reference=f"payout:{payout.id}",
            )
        ],
        short="the payouts in transit hold less than this payout: it was settled already",
    )


def _paid(session: Session, payout: Payout, now: datetime) -> None:
    clearing = ledgering.system_account(ledgering.ACCOUNT_BANK_CLEARING, payout.currency)
    _leave_transit(session, payout, to=clearing, code=ledgering.PAYOUT_SETTLED, leg="settled")
    payout.status = "paid"
    payout.resolved_at = now


def _returned(session: Session, payout: Payout, code: str, now: datetime) -> None:
    merchant = session.get(Merchant, payout.merchant_id)
    assert merchant is not None
    _leave_transit(
        session, payout, to=merchant.ledger_account_id, code=ledgering.PAYOUT_RETURNED,
        leg="returned",
    )  # fmt: skip
    payout.status = "returned"
    payout.return_code = code
    payout.resolved_at = now


def _follow(session: Session, payout: Payout, transfer: BankTransfer, now: datetime) -> str:
    """Apply what the bank says of the payout's transfer; what it came to."""
    if transfer.amount != payout.amount or transfer.currency != payout.currency:
        # Never guess with money: the transfer stays in transit for an operator to look at.
        log.warning("payout %s: the bank's transfer %s does not match it", payout.id, transfer.id)
        return "conflict"
    if payout.bank_reference is None:
        payout.bank_reference = transfer.id
    if transfer.status == "settled":
        _paid(session, payout, now)
        return "paid"
    if transfer.status == "returned":
        _returned(session, payout, transfer.return_code or "returned", now)
        return "returned"
    return "waiting"


def instruction_reference(payout: Payout) -> str:
    """What the bank is given for the payout: its idempotency key, and the EndToEndId it books
    the transfer under on its statement. The payout id's 32 hex digits, because ISO 20022 holds
    35 characters there and the id's text form has 36."""
    return payout.id.hex


def _instruct(session: Session, payout: Payout, bank: PayoutBank, now: datetime) -> str:
    try:
        transfer = bank.create_transfer(
            session,
            reference=instruction_reference(payout),
            amount=payout.amount,
            currency=payout.currency,
            iban=payout.iban or "",
            holder=payout.account_holder or "",
            now=now,
        )
    except BankTimeout:
        return "unanswered"
    except BankRejected as exc:
        payout.bank = bank.name
        _returned(session, payout, exc.code, now)
        return "returned"
    payout.bank = bank.name
    payout.status = "in_transit"
    payout.instructed_at = now
    outcome = _follow(session, payout, transfer, now)
    return "instructed" if outcome == "waiting" else outcome


def _advance(session: Session, payout: Payout, bank: PayoutBank, now: datetime) -> str:
    if payout.status == "pending":
        return _instruct(session, payout, bank, now)
    try:
        transfer = bank.get_transfer(session, reference=instruction_reference(payout), now=now)
    except BankTimeout:
        return "unanswered"
    if transfer is None:
        # The bank has no such instruction (its acceptance was lost): give it again, under the
        # same reference.
        return _instruct(session, payout, bank, now)
    return _follow(session, payout, transfer, now)


def sync_payouts(
    session: Session,
    *,
    bank: PayoutBank,
    actor: Actor,
    now: datetime | None = None,
    limit: int = 200,
) -> PayoutSync:
    """The payout job: instruct the bank for the payouts not yet sent, and ask it what became
    of those in transit; each payout in its own savepoint, so one refusal stops no other."""
    auth_service.require(actor, Scope.MERCHANT_MANAGE)
    now = now or utcnow()
    rows = session.scalars(
        select(Payout)
        .where(Payout.status.in_(OPEN), or_(Payout.bank.is_(None), Payout.bank == bank.name))
        .order_by(Payout.created_at)
        .limit(limit)
        # Two jobs at once each take their own payouts (PostgreSQL; SQLite has one writer).
        .with_for_update(skip_locked=True)
    ).all()
    counts = {"instructed": 0, "paid": 0, "returned": 0, "waiting": 0, "unanswered": 0}
    for payout in rows:
        try:
            with session.begin_nested():
                outcome = _advance(session, payout, bank, now)
                session.flush()
        except DomainError:
            session.refresh(payout)
            outcome = "unanswered"
        if outcome == "conflict":
            outcome = "waiting"
        counts[outcome] += 1
        if outcome in ("paid", "returned"):
            auth_service.record(
                session,
                actor=actor,
                action=f"merchant.payout.{outcome}",
                object_type="merchant",
                object_id=payout.merchant_id,
                detail={"payout": str(payout.id), "amount": payout.amount,
                        "return_code": payout.return_code},
            )  # fmt: skip
    session.flush()
    return PayoutSync(**counts)


# What is in transit -----------------------------------------------------------------------------


def in_transit(
    session: Session, *, actor: Actor, currency: str = ledgering.CURRENCY
) -> InTransitReport:
    """The payouts the bank has not paid or returned, against the ledger's in-transit account."""
    auth_service.require(actor, Scope.MERCHANT_MANAGE)

    def total(*statuses: str) -> tuple[int, int]:
        count, amount = session.execute(
            select(func.count(), func.coalesce(func.sum(Payout.amount), 0)).where(
                Payout.currency == currency, Payout.status.in_(statuses)
            )
        ).one()
        return int(count), int(amount)

    transit_id = ledgering.system_account(ledgering.ACCOUNT_PAYOUTS_IN_TRANSIT, currency)
    clearing_id = ledgering.system_account(ledgering.ACCOUNT_BANK_CLEARING, currency)
    found = ledgering.balances(session, [transit_id, clearing_id])

    def held(account_id: uuid.UUID) -> int:
        balance = found.get(account_id)
        return balance.credits_posted - balance.debits_posted if balance else 0

    count, amount = total(*OPEN)
    return InTransitReport(
        currency=currency,
        payouts=count,
        amount=amount,
        ledger_in_transit=held(transit_id),
        difference=amount - held(transit_id),
        paid=total("paid")[1],
        ledger_bank_clearing=held(clearing_id),
        returned=total("returned")[1],
    )
