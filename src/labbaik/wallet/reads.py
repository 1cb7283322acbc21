"""Row helpers the wallet's services share: adding a unique row, reading a payment."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from labbaik.db import Base
from labbaik.errors import DomainError
from labbaik.kit.timeutil import as_utc, utcnow
from labbaik.wallet.models import Merchant, Payment
from labbaik.wallet.schemas import PaymentRead


def add_unique(session: Session, row: Base, refusal: DomainError) -> None:
    """Insert a row whose unique key a concurrent request may take first; that is `refusal`,
    and the caller's transaction goes on unharmed (the insert is in a savepoint)."""
    try:
        with session.begin_nested():
            session.add(row)
            session.flush()
    except IntegrityError:
        raise refusal from None


def payment_read(
    payment: Payment, merchant: Merchant, *, now: datetime | None = None
) -> PaymentRead:
    status = payment.status
    if status == "quoted" and as_utc(payment.expires_at) <= (now or utcnow()):
        status = "expired"
    return PaymentRead(
        id=payment.id,
        wallet_id=payment.wallet_id,
        merchant_id=merchant.id,
        merchant_code=merchant.code,
        merchant_name=merchant.name,
        merchant_name_ar=merchant.name_ar,
        amount=payment.amount,
        fee=payment.fee,
        total=payment.amount + payment.fee,
        currency=payment.currency,
        status=status,
        initiated_by=payment.initiated_by,
        note=payment.note,
        step_up_required=payment.step_up_required,
        expires_at=payment.expires_at,
        created_at=payment.created_at,
        paid_at=payment.paid_at,
        refunded=payment.refunded,
        fee_refunded=payment.fee_refunded,
        payer=payment.payer_name,
    )
