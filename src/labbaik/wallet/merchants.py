"""Merchants: onboarding, the accounts that work a till, signed payment codes, takings, and
their books against the ledger (payouts themselves are in wallet.payouts)."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import uuid
from datetime import date, datetime, time, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from labbaik.auth import service as auth_service
from labbaik.auth.roles import Actor, Role, Scope
from labbaik.errors import InvalidInput
from labbaik.kit import iban as ibans
from labbaik.kit.ids import is_valid_check, with_check
from labbaik.kit.timeutil import RIYADH, as_utc, utcnow
from labbaik.settings import Settings
from labbaik.wallet import ledgering
from labbaik.wallet.errors import (
    DuplicateMerchant,
    InvalidMerchantQR,
    MerchantNotFound,
    NotAMerchant,
)
from labbaik.wallet.models import Merchant, MerchantMember, Payment, Payout, Refund
from labbaik.wallet.reads import add_unique, payment_read
from labbaik.wallet.schemas import (
    MerchantCreate,
    MerchantQR,
    MerchantRead,
    Reconciliation,
    Takings,
)

QR_PREFIX = "LBKPAY1"
# 80 bits of HMAC: forging one code takes 2^80 tries against a server that sees each one.
_QR_MAC_HEX = 20


def derived_key(settings: Settings, purpose: str) -> bytes:
    """A key for one purpose from the one secret that production already refuses to default."""
    return hmac.new(
        settings.secret_key.encode(), f"labbaik:{purpose}".encode(), hashlib.sha256
    ).digest()


# Onboarding -------------------------------------------------------------------------------------


def create_merchant(
    session: Session, *, merchant_in: MerchantCreate, actor: Actor, settings: Settings
) -> MerchantRead:
    """An operator onboards a merchant: its record and its ledger account."""
    auth_service.require(actor, Scope.MERCHANT_MANAGE)
    name_taken = session.scalar(
        select(Merchant.id).where(func.lower(Merchant.name) == merchant_in.name.strip().lower())
    )
    if name_taken:
        raise DuplicateMerchant(f"a merchant named {merchant_in.name!r} exists already")
    merchant = Merchant(
        code=with_check(f"M{secrets.randbelow(10**6):06d}"),
        name=merchant_in.name.strip(),
        name_ar=merchant_in.name_ar,
        category=merchant_in.category,
        site=merchant_in.site,
        ledger_account_id=uuid.uuid4(),
        currency=ledgering.CURRENCY,
        fee_bps=settings.wallet_fee_bps if merchant_in.fee_bps is None else merchant_in.fee_bps,
    )
    if merchant_in.bank_account is not None:
        merchant.bank_iban = merchant_in.bank_account.iban
        merchant.bank_holder = merchant_in.bank_account.holder
        merchant.bank_updated_at = utcnow()
    add_unique(
        session, merchant, DuplicateMerchant("that merchant code was taken a moment ago: try again")
    )
    ledgering.open_account(
        session,
        account_id=merchant.ledger_account_id,
        code=ledgering.ACCOUNT_MERCHANT,
        owner_type="merchant",
        owner_id=merchant.id,
        limited=True,
    )
    auth_service.record(
        session,
        actor=actor,
        action="merchant.create",
        object_type="merchant",
        object_id=merchant.id,
        detail={"code": merchant.code, "iban": ibans.mask(merchant.bank_iban or "") or None},
    )
    return MerchantRead.model_validate(merchant)


def list_merchants(session: Session, *, actor: Actor) -> list[MerchantRead]:
    auth_service.require(actor, Scope.MERCHANT_MANAGE)
    rows = session.scalars(select(Merchant).order_by(Merchant.name))
    return [MerchantRead.model_validate(m) for m in rows]


def get_merchant(session: Session, *, merchant_id: uuid.UUID, actor: Actor) -> MerchantRead:
    merchant = session.get(Merchant, merchant_id)
    mine = actor.can(Scope.MERCHANT_TILL) and _member_merchant_id(session, actor) == merchant_id
    if merchant is None or not (mine or actor.can(Scope.MERCHANT_MANAGE)):
        raise MerchantNotFound("no such merchant")
    return MerchantRead.model_validate(merchant)


def get_merchant_by_code(session: Session, *, code: str, actor: Actor) -> MerchantRead:
    auth_service.require(actor, Scope.MERCHANT_MANAGE)
    merchant = session.scalar(select(Merchant).where(Merchant.code == code.strip().upper()))
    if merchant is None:
        raise MerchantNotFound(f"no merchant {code.strip().upper()!r}")
    return MerchantRead.model_validate(merchant)


def set_active(
    session: Session, *, merchant_id: uuid.UUID, active: bool, actor: Actor
) -> MerchantRead:
    auth_service.require(actor, Scope.MERCHANT_MANAGE)
    merchant = session.get(Merchant, merchant_id)
    if merchant is None:
        raise MerchantNotFound("no such merchant")
    merchant.is_active = active
    auth_service.record(
        session,
        actor=actor,
        action="merchant.activate" if active else "merchant.suspend",
        object_type="merchant",
        object_id=merchant.id,
    )
    session.flush()
    return MerchantRead.model_validate(merchant)


def add_member(
    session: Session, *, merchant_id: uuid.UUID, account_id: uuid.UUID, actor: Actor
) -> MerchantRead:
    """Bind a merchant-role account to the merchant whose till it works."""
    auth_service.require(actor, Scope.MERCHANT_MANAGE)
    merchant = session.get(Merchant, merchant_id)
    if merchant is None:
        raise MerchantNotFound("no such merchant")
    account = auth_service.get_account_by_id(session, account_id=account_id)
    if account is None:
        raise InvalidInput("account_id: no such account")
    if account.role != Role.MERCHANT.value:
        raise InvalidInput(
            f"the account {account.username!r} has the {account.role} role, not merchant"
        )
    member = session.get(MerchantMember, account_id)
    if member is None:
        session.add(MerchantMember(account_id=account_id, merchant_id=merchant_id))
    else:
        member.merchant_id = merchant_id
    session.flush()
    auth_service.record(
        session,
        actor=actor,
        action="merchant.member",
        object_type="merchant",
        object_id=merchant.id,
        detail={"account": account.username},
    )
    return MerchantRead.model_validate(merchant)


def _member_merchant_id(session: Session, actor: Actor) -> uuid.UUID | None:
    if actor.account_id is None:
        return None
    return session.scalar(
        select(MerchantMember.merchant_id).where(MerchantMember.account_id == actor.account_id)
    )


def merchant_of(session: Session, *, actor: Actor) -> Merchant:
    """The merchant whose till this account works; every till query starts here."""
    auth_service.require(actor, Scope.MERCHANT_TILL)
    merchant_id = _member_merchant_id(session, actor)
    merchant = session.get(Merchant, merchant_id) if merchant_id else None
    if merchant is None:
        raise NotAMerchant("this account is not bound to a merchant yet: ask an operator")
    return merchant


def my_merchant(session: Session, *, actor: Actor) -> MerchantRead:
    return MerchantRead.model_validate(merchant_of(session, actor=actor))


# Payment codes ----------------------------------------------------------------------------------


def _mac(settings: Settings, body: str) -> str:
    key = derived_key(settings, "merchant-qr")
    return hmac.new(key, body.encode(), hashlib.sha256).hexdigest()[:_QR_MAC_HEX].upper()


def qr_text(settings: Settings, *, code: str, amount: int | None) -> str:
    """The QR's text: prefix, merchant code, amount (empty for "any"), MAC. Upper-case letters,
    digits and ':' only, so the QR uses its compact alphanumeric mode."""
    body = f"{QR_PREFIX}:{code}:{amount if amount is not None else ''}"
    return f"{body}:{_mac(settings, body)}"


def merchant_qr(
    session: Session, *, actor: Actor, settings: Settings, amount: int | None = None
) -> MerchantQR:
    merchant = merchant_of(session, actor=actor)
    if amount is not None and amount <= 0:
        raise InvalidInput("amount: must be more than zero")
    return MerchantQR(
        merchant_id=merchant.id,
        code=merchant.code,
        amount=amount,
        text=qr_text(settings, code=merchant.code, amount=amount),
    )


def parse_qr(settings: Settings, text: str) -> tuple[str, int | None]:
    """The merchant code and amount of a scanned code, or InvalidMerchantQR if forged."""
    parts = text.strip().upper().split(":")
    if len(parts) != 4 or parts[0] != QR_PREFIX:
        raise InvalidMerchantQR("this is not a Labbaik merchant payment code")
    body = ":".join(parts[:3])
    if not hmac.compare_digest(_mac(settings, body), parts[3]):
        raise InvalidMerchantQR("this merchant code's signature is wrong: it may be forged")
    amount = int(parts[2]) if parts[2].isdigit() else None
    if parts[2] and amount is None:
        raise InvalidMerchantQR("this merchant code's amount is not a number")
    return parts[1], amount


def resolve(
    session: Session, *, qr: str | None, code: str | None, settings: Settings
) -> tuple[Merchant, int | None]:
    """The merchant a pilgrim pays: from a scanned QR (which may fix the amount) or a typed code."""
    amount: int | None = None
    if qr:
        code, amount = parse_qr(settings, qr)
    elif code:
        code = code.strip().upper().replace("-", "").replace(" ", "")
        if not is_valid_check(code):
            raise InvalidInput(f"merchant_code: {code!r} is not a valid merchant code (check it)")
    else:
        raise InvalidInput("scan the merchant's code or type it")
    merchant = session.scalar(select(Merchant).where(Merchant.code == code))
    if merchant is None:
        raise MerchantNotFound(f"no merchant {code}")
    return merchant, amount


# Takings and payouts ----------------------------------------------------------------------------


def takings(session: Session, *, actor: Actor, day: date) -> Takings:
    """A till's day: every payment of that Riyadh day, refunds, and what is not paid out."""
    merchant = merchant_of(session, actor=actor)
    start = as_utc(datetime.combine(day, time.min, tzinfo=RIYADH))
    end = start + timedelta(days=1)
    rows = list(
        session.scalars(
            select(Payment)
            .where(
                Payment.merchant_id == merchant.id,
                Payment.status == "paid",
                Payment.paid_at >= start,
                Payment.paid_at < end,
            )
            .order_by(Payment.paid_at.desc())
        )
    )
    refunds = session.scalar(
        select(func.coalesce(func.sum(Refund.amount), 0))
        .join(Payment, Payment.id == Refund.payment_id)
        .where(
            Payment.merchant_id == merchant.id, Refund.created_at >= start, Refund.created_at < end
        )
    )
    balance = ledgering.balances(session, [merchant.ledger_account_id])[merchant.ledger_account_id]
    gross = sum(p.amount for p in rows)
    return Takings(
        merchant_id=merchant.id,
        day=day,
        payments=len(rows),
        gross=gross,
        refunds=int(refunds or 0),
        net=gross - int(refunds or 0),
        balance=ledgering.available(balance),
        items=[payment_read(p, merchant) for p in rows],
    )


def reconcile(session: Session, *, merchant_id: uuid.UUID, actor: Actor) -> Reconciliation:
    """The merchant's payments, refunds and payouts against its ledger account."""
    merchant = session.get(Merchant, merchant_id)
    mine = actor.can(Scope.MERCHANT_TILL) and _member_merchant_id(session, actor) == merchant_id
    if merchant is None or not (mine or actor.can(Scope.MERCHANT_MANAGE)):
        raise MerchantNotFound("no such merchant")
    paid = session.scalar(
        select(func.coalesce(func.sum(Payment.amount), 0)).where(
            Payment.merchant_id == merchant.id, Payment.status == "paid"
        )
    )
    refunded = session.scalar(
        select(func.coalesce(func.sum(Refund.amount), 0))
        .join(Payment, Payment.id == Refund.payment_id)
        .where(Payment.merchant_id == merchant.id)
    )
    by_status = dict(
        session.execute(
            select(Payout.status, func.coalesce(func.sum(Payout.amount), 0))
            .where(Payout.merchant_id == merchant.id)
            .group_by(Payout.status)
        ).all()
    )
    balance = ledgering.balances(session, [merchant.ledger_account_id])[merchant.ledger_account_id]
    ledger_balance = balance.credits_posted - balance.debits_posted
    payments, refunds = int(paid or 0), int(refunded or 0)
    in_transit = sum(int(by_status.get(s, 0)) for s in ("pending", "in_transit"))
    # A returned payout's money is back on the balance: it is not paid out.
    payouts = in_transit + int(by_status.get("paid", 0))
    return Reconciliation(
        merchant_id=merchant.id,
        merchant_code=merchant.code,
        payments=payments,
        refunds=refunds,
        payouts=payouts,
        in_transit=in_transit,
        returned=int(by_status.get("returned", 0)),
        ledger_balance=ledger_balance,
        difference=payments - refunds - payouts - ledger_balance,
    )
