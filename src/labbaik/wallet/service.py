"""The pilgrim's wallet: open it, read it, pay merchants after a quote, refunds.

The wallet keeps no balance of its own: each wallet is a ledger account whose debits may not
exceed its credits, and every movement is a ledger transfer with a reason code, a reference,
and a client id derived from the business event, so that a retry never moves money twice.
"""

from __future__ import annotations

import uuid
from datetime import datetime, time, timedelta

from sqlalchemy import Select, func, select, update
from sqlalchemy.orm import Session

from labbaik.auth import service as auth_service
from labbaik.auth.roles import Actor, Scope
from labbaik.cards import service as cards_service
from labbaik.errors import Forbidden, InvalidInput
from labbaik.kit.timeutil import RIYADH, as_utc, to_riyadh, utcnow
from labbaik.ledger.schemas import TransferCreate
from labbaik.registry import service as registry_service
from labbaik.settings import Settings
from labbaik.wallet import idempotency, ledgering, merchants, passkeys
from labbaik.wallet.errors import (
    CARD_REFUSALS,
    CardRefused,
    DailyLimitExceeded,
    InsufficientFunds,
    MerchantInactive,
    PaymentNotFound,
    QuoteExpired,
    QuoteNotOpen,
    RefundTooLarge,
    StepUpRequired,
    WalletExists,
    WalletNotFound,
)
from labbaik.wallet.models import Merchant, Payment, Refund, Wallet
from labbaik.wallet.reads import add_unique, payment_read
from labbaik.wallet.schemas import (
    PaymentConfirm,
    PaymentRead,
    PaymentRequestCreate,
    QuoteCreate,
    RefundCreate,
    RefundRead,
    WalletRead,
)

# Wallets ----------------------------------------------------------------------------------------


def wallets_for(actor: Actor) -> Select[Wallet]:
    """Every query of wallets starts here: the wallets this actor may see."""
    stmt = select(Wallet)
    if actor.can(Scope.WALLET_READ_ALL):
        return stmt
    if actor.can(Scope.WALLET_OWN) and actor.pilgrim_id is not None:
        return stmt.where(Wallet.pilgrim_id == actor.pilgrim_id)
    return stmt.where(Wallet.id.is_(None))


def open_wallet(
    session: Session, *, pilgrim_id: uuid.UUID, actor: Actor, settings: Settings
) -> WalletRead:
    """A wallet in SAR for a pilgrim: by an operator, or by the pilgrim for themself."""
    own = actor.can(Scope.WALLET_OWN) and actor.pilgrim_id == pilgrim_id
    if not own:
        auth_service.require(actor, Scope.WALLET_MANAGE)
    pilgrim = registry_service.get_pilgrim(
        session, pilgrim_id=pilgrim_id, actor=actor, reason="open a wallet"
    )
    if session.scalar(select(Wallet.id).where(Wallet.pilgrim_id == pilgrim_id)):
        raise WalletExists("this pilgrim has a wallet already")
    wallet = Wallet(
        pilgrim_id=pilgrim_id,
        company_id=pilgrim.company_id,
        ledger_account_id=uuid.uuid4(),
        currency=ledgering.CURRENCY,
    )
    add_unique(session, wallet, WalletExists("this pilgrim has a wallet already"))
    ledgering.open_account(
        session,
        account_id=wallet.ledger_account_id,
        code=ledgering.ACCOUNT_WALLET,
        owner_type="wallet",
        owner_id=wallet.id,
        limited=True,
    )
    auth_service.record(
        session, actor=actor, action="wallet.open", object_type="wallet", object_id=wallet.id
    )
    return _read_wallet(session, wallet, settings=settings)


def wallet_row(session: Session, *, actor: Actor, wallet_id: uuid.UUID | None = None) -> Wallet:
    stmt = wallets_for(actor)
    if wallet_id is not None:
        stmt = stmt.where(Wallet.id == wallet_id)
    elif actor.pilgrim_id is not None:
        stmt = stmt.where(Wallet.pilgrim_id == actor.pilgrim_id)
    else:
        raise InvalidInput("name the wallet")
    wallet = session.scalar(stmt)
    if wallet is None:
        raise WalletNotFound("no such wallet" if wallet_id else "you have no wallet yet")
    return wallet


def riyadh_day_bounds(moment: datetime) -> tuple[datetime, datetime]:
    day = to_riyadh(moment).date()
    start = datetime.combine(day, time.min, tzinfo=RIYADH)
    return as_utc(start), as_utc(start + timedelta(days=1))


def spent_today(session: Session, *, wallet_id: uuid.UUID, now: datetime | None = None) -> int:
    """Payments of this Riyadh day, fees included: what the daily limit counts."""
    start, end = riyadh_day_bounds(now or utcnow())
    total = session.scalar(
        select(func.coalesce(func.sum(Payment.amount + Payment.fee), 0)).where(
            Payment.wallet_id == wallet_id,
            Payment.status == "paid",
            Payment.paid_at >= start,
            Payment.paid_at < end,
        )
    )
    return int(total or 0)


def _read_wallet(session: Session, wallet: Wallet, *, settings: Settings) -> WalletRead:
    balance = ledgering.balances(session, [wallet.ledger_account_id])[wallet.ledger_account_id]
    return WalletRead(
        id=wallet.id,
        pilgrim_id=wallet.pilgrim_id,
        currency=wallet.currency,
        balance=ledgering.available(balance),
        pending_in=balance.credits_pending,
        spent_today=spent_today(session, wallet_id=wallet.id),
        daily_limit=settings.wallet_daily_limit,
        created_at=wallet.created_at,
    )


def get_wallet(
    session: Session, *, actor: Actor, settings: Settings, wallet_id: uuid.UUID | None = None
) -> WalletRead:
    """A wallet and its balance: the pilgrim's own (no id), or any for an operator."""
    wallet = wallet_row(session, actor=actor, wallet_id=wallet_id)
    if actor.pilgrim_id != wallet.pilgrim_id:
        auth_service.record(
            session, actor=actor, action="wallet.read", object_type="wallet", object_id=wallet.id
        )
    return _read_wallet(session, wallet, settings=settings)


def wallet_of_pilgrim(session: Session, *, pilgrim_id: uuid.UUID) -> uuid.UUID | None:
    """The wallet's id of a pilgrim, for a till that asks for a payment (no balance shown)."""
    return session.scalar(select(Wallet.id).where(Wallet.pilgrim_id == pilgrim_id))


# Quotes and payments ----------------------------------------------------------------------------


def fee_for(amount: int, fee_bps: int) -> int:
    # Rounded up to the halala: the fee shown is never less than the fee charged.
    return -(-amount * fee_bps // 10_000)


def _check_can_pay(
    session: Session, wallet: Wallet, total: int, settings: Settings, *, now: datetime
) -> None:
    spent = spent_today(session, wallet_id=wallet.id, now=now)
    if spent + total > settings.wallet_daily_limit:
        left = max(0, settings.wallet_daily_limit - spent)
        raise DailyLimitExceeded(
            f"this payment of {total} halalas passes today's limit of "
            f"{settings.wallet_daily_limit}: {left} halalas are left until midnight Riyadh time"
        )
    balance = ledgering.balances(session, [wallet.ledger_account_id])[wallet.ledger_account_id]
    if ledgering.available(balance) < total:
        raise InsufficientFunds(
            f"the wallet holds {ledgering.available(balance)} halalas; this payment needs {total}"
        )


def _check_takes_payments(merchant: Merchant) -> None:
    if not merchant.is_active:
        raise MerchantInactive(f"the merchant {merchant.code} does not take payments now")


def _new_quote(
    session: Session,
    *,
    wallet: Wallet,
    merchant: Merchant,
    amount: int,
    note: str | None,
    initiated_by: str,
    settings: Settings,
    payer_name: str | None = None,
) -> Payment:
    _check_takes_payments(merchant)
    fee = fee_for(amount, merchant.fee_bps)
    now = utcnow()
    payment = Payment(
        wallet_id=wallet.id,
        merchant_id=merchant.id,
        amount=amount,
        fee=fee,
        currency=wallet.currency,
        status="quoted",
        initiated_by=initiated_by,
        note=note,
        payer_name=payer_name,
        step_up_required=amount + fee > settings.wallet_step_up_above,
        expires_at=now + timedelta(seconds=settings.wallet_quote_seconds),
        created_at=now,
    )
    session.add(payment)
    session.flush()
    return payment


def quote(
    session: Session, *, actor: Actor, quote_in: QuoteCreate, settings: Settings
) -> PaymentRead:
    """What a payment will cost, fee included, before the pilgrim confirms it."""
    auth_service.require(actor, Scope.WALLET_OWN)
    wallet = wallet_row(session, actor=actor)
    merchant, qr_amount = merchants.resolve(
        session, qr=quote_in.merchant_qr, code=quote_in.merchant_code, settings=settings
    )
    if qr_amount is not None and quote_in.amount not in (None, qr_amount):
        raise InvalidInput(
            f"the merchant's code asks for {qr_amount} halalas, not {quote_in.amount}"
        )
    amount = qr_amount if qr_amount is not None else quote_in.amount
    if amount is None:
        raise InvalidInput("amount: say how much to pay (the merchant's code names no amount)")
    payment = _new_quote(
        session,
        wallet=wallet,
        merchant=merchant,
        amount=amount,
        note=quote_in.note,
        initiated_by="pilgrim",
        settings=settings,
    )
    _check_can_pay(session, wallet, payment.amount + payment.fee, settings, now=utcnow())
    return payment_read(payment, merchant)


def request_payment(
    session: Session,
    *,
    actor: Actor,
    request_in: PaymentRequestCreate,
    settings: Settings,
    idempotency_key: str | None = None,
) -> PaymentRead:
    """A till asks a pilgrim's wallet for a payment, which the pilgrim confirms on the phone.
    Nothing moves yet, so a key is optional; with one, a retried request is not asked twice."""
    merchant = merchants.merchant_of(session, actor=actor)
    # Checked before the card is read: a refusal after the read keeps the read's record (and
    # commits it), so nothing that could refuse may come between the read and the request.
    _check_takes_payments(merchant)

    named = [request_in.card, request_in.wallet_id, request_in.pilgrim_id]
    if sum(v is not None for v in named) != 1:
        raise InvalidInput("card: name the payer once, by the card (or a wallet or pilgrim id)")

    def run() -> PaymentRead:
        payer = None
        wallet_id = request_in.wallet_id
        if request_in.card is not None:
            card = cards_service.read_for_payment(session, card=request_in.card, actor=actor)
            if not card.ok or card.pilgrim_id is None:
                refusal = CARD_REFUSALS.get(card.verdict, CardRefused)
                raise refusal(f"card: {card.reason}")
            payer = card.masked_name[:100] if card.masked_name else None
            wallet_id = wallet_of_pilgrim(session, pilgrim_id=card.pilgrim_id)
        elif request_in.pilgrim_id is not None:
            wallet_id = wallet_of_pilgrim(session, pilgrim_id=request_in.pilgrim_id)
        wallet = session.get(Wallet, wallet_id) if wallet_id else None
        if wallet is None:
            # After a card read, the read is recorded whatever else the answer is.
            raise WalletNotFound(
                "this pilgrim has no wallet", keeps_record=request_in.card is not None
            )
        payment = _new_quote(
            session,
            wallet=wallet,
            merchant=merchant,
            amount=request_in.amount,
            note=request_in.note,
            initiated_by="merchant",
            settings=settings,
            payer_name=payer,
        )
        auth_service.record(
            session,
            actor=actor,
            action="wallet.request",
            object_type="payment",
            object_id=payment.id,
            detail={"amount": payment.amount, "by_card": request_in.card is not None},
        )
        return payment_read(payment, merchant)

    if idempotency_key is None:
        return run()
    return idempotency.once(
        session,
        actor=actor,
        operation="merchant.request",
        key=idempotency_key,
        request=request_in.model_dump(mode="json"),
        answer=PaymentRead,
        run=run,
    )


def _own_payment(
    session: Session, *, actor: Actor, payment_id: uuid.UUID
) -> tuple[Payment, Merchant]:
    row = session.execute(
        select(Payment, Merchant)
        .join(Merchant, Merchant.id == Payment.merchant_id)
        .where(
            Payment.id == payment_id,
            Payment.wallet_id.in_(wallets_for(actor).with_only_columns(Wallet.id)),
        )
    ).first()
    if row is None:
        raise PaymentNotFound("no such payment")
    return row[0], row[1]


def get_payment(session: Session, *, actor: Actor, payment_id: uuid.UUID) -> PaymentRead:
    """A payment as its pilgrim, or the merchant it was made to, sees it."""
    if actor.can(Scope.MERCHANT_TILL):
        merchant = merchants.merchant_of(session, actor=actor)
        payment = session.get(Payment, payment_id)
        if payment is None or payment.merchant_id != merchant.id:
            raise PaymentNotFound("no such payment")
        return payment_read(payment, merchant)
    payment, merchant = _own_payment(session, actor=actor, payment_id=payment_id)
    return payment_read(payment, merchant)


def open_requests(session: Session, *, actor: Actor) -> list[PaymentRead]:
    """The tills' requests waiting for this pilgrim's confirmation."""
    wallet = wallet_row(session, actor=actor)
    rows = session.execute(
        select(Payment, Merchant)
        .join(Merchant, Merchant.id == Payment.merchant_id)
        .where(
            Payment.wallet_id == wallet.id,
            Payment.status == "quoted",
            Payment.initiated_by == "merchant",
            Payment.expires_at > utcnow(),
        )
        .order_by(Payment.created_at.desc())
    ).all()
    return [payment_read(p, m) for p, m in rows]


def till_requests(session: Session, *, actor: Actor, limit: int = 10) -> list[PaymentRead]:
    """The till's latest requests to pilgrims' wallets, whatever became of them."""
    merchant = merchants.merchant_of(session, actor=actor)
    rows = session.scalars(
        select(Payment)
        .where(Payment.merchant_id == merchant.id, Payment.initiated_by == "merchant")
        .order_by(Payment.created_at.desc())
        .limit(limit)
    )
    return [payment_read(p, merchant) for p in rows]


def confirm_payment(
    session: Session,
    *,
    actor: Actor,
    payment_id: uuid.UUID,
    confirm_in: PaymentConfirm,
    settings: Settings,
    idempotency_key: str | None,
) -> PaymentRead:
    """The pilgrim confirms a quote: the money moves, fee and all, or nothing moves."""
    auth_service.require(actor, Scope.WALLET_OWN)

    def run() -> PaymentRead:
        payment, merchant = _own_payment(session, actor=actor, payment_id=payment_id)
        # One pilgrim's payments one at a time: the daily limit is then checked on the truth.
        session.execute(
            update(Wallet).where(Wallet.id == payment.wallet_id).values(updated_at=utcnow())
        )
        session.refresh(payment, with_for_update=True)
        now = utcnow()
        if payment.status != "quoted":
            raise QuoteNotOpen(f"this quote is {payment.status}, it cannot be paid again")
        if as_utc(payment.expires_at) <= now:
            raise QuoteExpired("this quote has expired: ask for a new one")
        if not merchant.is_active:
            raise MerchantInactive(f"the merchant {merchant.code} does not take payments now")
        if payment.step_up_required:
            if confirm_in.assertion is None:
                raise StepUpRequired(
                    "this payment is above the limit: confirm it with your passkey"
                )
            passkeys.verify_payment(
                session,
                actor=actor,
                payment_id=payment.id,
                assertion=confirm_in.assertion,
                settings=settings,
            )
        wallet = session.get(Wallet, payment.wallet_id)
        assert wallet is not None
        _check_can_pay(session, wallet, payment.amount + payment.fee, settings, now=now)
        legs = [
            TransferCreate(
                id=ledgering.transfer_id(payment.id, "payment"),
                debit_account_id=wallet.ledger_account_id,
                credit_account_id=merchant.ledger_account_id,
                amount=payment.amount,
                currency=payment.currency,
                code=ledgering.PAYMENT,
                reference=f"payment:{payment.id}",
            )
        ]
        if payment.fee:
            legs.append(
                TransferCreate(
                    id=ledgering.transfer_id(payment.id, "fee"),
                    debit_account_id=wallet.ledger_account_id,
                    credit_account_id=ledgering.system_account(ledgering.ACCOUNT_FEES),
                    amount=payment.fee,
                    currency=payment.currency,
                    code=ledgering.FEE,
                    reference=f"payment:{payment.id}",
                )
            )
        ledgering.move(session, legs)
        payment.status = "paid"
        payment.paid_at = now
        auth_service.record(
            session,
            actor=actor,
            action="wallet.pay",
            object_type="payment",
            object_id=payment.id,
            detail={"amount": payment.amount, "fee": payment.fee, "merchant": merchant.code},
        )
        session.flush()
        return payment_read(payment, merchant, now=now)

    return idempotency.once(
        session,
        actor=actor,
        operation="wallet.pay",
        key=idempotency_key,
        request={"payment_id": str(payment_id), **confirm_in.model_dump()},
        answer=PaymentRead,
        run=run,
    )


def decline_request(session: Session, *, actor: Actor, payment_id: uuid.UUID) -> PaymentRead:
    """The pilgrim says no to a quote or a till's request."""
    auth_service.require(actor, Scope.WALLET_OWN)
    payment, merchant = _own_payment(session, actor=actor, payment_id=payment_id)
    if payment.status != "quoted":
        raise QuoteNotOpen(f"this quote is {payment.status} already")
    payment.status = "cancelled"
    session.flush()
    return payment_read(payment, merchant)


# Refunds ----------------------------------------------------------------------------------------


def refund_fee(*, fee: int, amount: int, refunded_before: int, refund: int) -> int:
    """The part of the fee a refund gives back: the fee in proportion to what has been refunded
    so far, less what earlier refunds gave, so that partial refunds add up to the whole fee."""
    return fee * (refunded_before + refund) // amount - fee * refunded_before // amount


def refund(
    session: Session,
    *,
    actor: Actor,
    payment_id: uuid.UUID,
    refund_in: RefundCreate,
    idempotency_key: str | None,
) -> RefundRead:
    """Money back from the merchant to the wallet, in full or in part, never more than paid.
    The fee comes back in the same proportion, so a full refund returns every halala."""

    def run() -> RefundRead:
        if actor.can(Scope.MERCHANT_MANAGE):
            payment = session.get(Payment, payment_id, with_for_update=True)
            merchant = session.get(Merchant, payment.merchant_id) if payment else None
        else:
            merchant = merchants.merchant_of(session, actor=actor)
            payment = session.get(Payment, payment_id, with_for_update=True)
            if payment is not None and payment.merchant_id != merchant.id:
                payment = None
        if payment is None or merchant is None:
            raise PaymentNotFound("no such payment")
        if payment.status != "paid":
            raise QuoteNotOpen("only a paid payment can be refunded")
        left = payment.amount - payment.refunded
        amount = left if refund_in.amount is None else refund_in.amount
        if amount <= 0 or amount > left:
            raise RefundTooLarge(
                f"at most {left} halalas of this payment can still be refunded, not {amount}"
            )
        refunded = payment.refunded + amount
        fee = refund_fee(
            fee=payment.fee, amount=payment.amount, refunded_before=payment.refunded, refund=amount
        )
        fee_total = payment.fee_refunded + fee
        wallet = session.get(Wallet, payment.wallet_id)
        assert wallet is not None
        row = Refund(payment_id=payment.id, amount=amount, fee=fee, reason=refund_in.reason)
        session.add(row)
        session.flush()
        legs = [
            TransferCreate(
                id=ledgering.transfer_id(row.id, "refund"),
                debit_account_id=merchant.ledger_account_id,
                credit_account_id=wallet.ledger_account_id,
                amount=amount,
                currency=payment.currency,
                code=ledgering.REFUND,
                reference=f"refund:{row.id}",
            )
        ]
        if fee:
            legs.append(
                TransferCreate(
                    id=ledgering.transfer_id(row.id, "fee"),
                    debit_account_id=ledgering.system_account(ledgering.ACCOUNT_FEES),
                    credit_account_id=wallet.ledger_account_id,
                    amount=fee,
                    currency=payment.currency,
                    code=ledgering.FEE_REFUND,
                    reference=f"refund:{row.id}",
                )
            )
        ledgering.move(
            session,
            legs,
            short="the merchant's balance is lower than this refund (it has been paid out)",
        )
        payment.refunded = refunded
        payment.fee_refunded = fee_total
        auth_service.record(
            session,
            actor=actor,
            action="wallet.refund",
            object_type="payment",
            object_id=payment.id,
            detail={"amount": amount, "fee": fee},
        )
        session.flush()
        return RefundRead.model_validate(row)

    if not (actor.can(Scope.MERCHANT_TILL) or actor.can(Scope.MERCHANT_MANAGE)):
        raise Forbidden(f"the {actor.role.value} role may not refund payments")
    return idempotency.once(
        session,
        actor=actor,
        operation="wallet.refund",
        key=idempotency_key,
        request={"payment_id": str(payment_id), **refund_in.model_dump()},
        answer=RefundRead,
        run=run,
    )
