"""How a payment row and its merchant read to a caller; shared by the wallet and the till."""

from __future__ import annotations

from datetime import datetime

from labbaik.kit.timeutil import as_utc, utcnow
from labbaik.wallet.models import Merchant, Payment
from labbaik.wallet.schemas import PaymentRead


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
    )
