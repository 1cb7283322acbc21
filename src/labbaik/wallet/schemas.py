"""In and out shapes of wallets, top-ups, payments, refunds, merchants, payouts and passkeys."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

# One top-up or payment at most 100,000 SAR: far above any pilgrim's need, far below overflow.
MAX_AMOUNT = 10_000_000
Amount = Annotated[
    int, Field(gt=0, le=MAX_AMOUNT, description="minor units (halalas)", examples=[2500])
]
MerchantCategory = Literal["food", "water", "transport", "pharmacy", "shop", "telecom", "other"]


class WalletCreate(BaseModel):
    pilgrim_id: uuid.UUID


class WalletRead(BaseModel):
    id: uuid.UUID
    pilgrim_id: uuid.UUID
    currency: str
    balance: int = Field(description="what the pilgrim can spend now, in halalas")
    pending_in: int = Field(description="top-ups not yet confirmed by the gateway")
    spent_today: int = Field(description="payments of this Riyadh day, fees included")
    daily_limit: int
    created_at: datetime


class TopUpCreate(BaseModel):
    amount: Amount
    card: str = Field(
        min_length=12,
        max_length=23,
        description="the sandbox's test card number, which chooses the outcome",
        examples=["4242 4242 4242 4242"],
    )


class TopUpRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    wallet_id: uuid.UUID
    amount: int
    currency: str
    gateway: str
    gateway_intent_id: str | None
    status: Literal["pending", "succeeded", "failed", "expired"]
    failure_code: str | None
    created_at: datetime
    settled_at: datetime | None


class QuoteCreate(BaseModel):
    """What the pilgrim's phone read: the merchant's signed QR text, or its typed code."""

    merchant_qr: str | None = Field(default=None, max_length=300)
    merchant_code: str | None = Field(default=None, max_length=16)
    amount: Amount | None = None
    note: str | None = Field(default=None, max_length=200)


class PaymentRequestCreate(BaseModel):
    """A till asks a pilgrim's wallet for a payment; the pilgrim confirms it on the phone.
    Name the payer by `card` (the card's QR text or its number); `wallet_id` and `pilgrim_id`
    remain for systems that already know them."""

    card: str | None = Field(
        default=None,
        max_length=4000,
        description="the pilgrim's card: the text of its QR code (HJ1:...) or its number",
    )
    wallet_id: uuid.UUID | None = None
    pilgrim_id: uuid.UUID | None = None
    amount: Amount
    note: str | None = Field(default=None, max_length=200)


class PaymentConfirm(BaseModel):
    assertion: dict[str, Any] | None = Field(
        default=None,
        description="the passkey's answer (navigator.credentials.get) when step_up_required",
    )


class PaymentRead(BaseModel):
    """A quote before the pilgrim confirms it, and the payment after."""

    id: uuid.UUID
    wallet_id: uuid.UUID
    merchant_id: uuid.UUID
    merchant_code: str
    merchant_name: str
    merchant_name_ar: str | None
    amount: int
    fee: int
    total: int
    currency: str
    status: Literal["quoted", "paid", "cancelled", "expired"]
    initiated_by: Literal["pilgrim", "merchant"]
    note: str | None
    step_up_required: bool
    expires_at: datetime
    created_at: datetime
    paid_at: datetime | None
    refunded: int
    fee_refunded: int
    payer: str | None = Field(
        default=None,
        description='the card holder\'s masked name ("Ahmed K."), when the till read a card',
    )


class RefundCreate(BaseModel):
    amount: Amount | None = Field(
        default=None, description="leave out to refund everything not yet refunded"
    )
    reason: str | None = Field(default=None, max_length=200)


class RefundRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    payment_id: uuid.UUID
    amount: int
    fee: int
    reason: str | None
    created_at: datetime


class HistoryItem(BaseModel):
    """One line of the wallet's statement, from the ledger's entries."""

    at: datetime
    kind: Literal["topup", "payment", "fee", "refund", "fee_refund", "other"]
    amount: int = Field(description="signed: money in is positive")
    pending: bool
    balance_change: int = Field(
        description="what the line did to the balance that can be spent: the amount, or 0 for "
        "a top-up held until the bank confirms it (and for the release of that hold)"
    )
    balance_after: int
    reference: str | None
    description: str
    description_ar: str | None = Field(
        default=None, description="the merchant's Arabic name, where it has one"
    )


class HistoryPage(BaseModel):
    items: list[HistoryItem]
    total: int
    page: int
    size: int


class MerchantCreate(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    name_ar: str | None = Field(default=None, max_length=200)
    category: MerchantCategory = "other"
    site: str | None = Field(default=None, max_length=100, examples=["Mina, street 204"])
    fee_bps: int | None = Field(
        default=None, ge=0, le=1000, description="the pilgrim's fee in hundredths of a percent"
    )


class MerchantRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    code: str
    name: str
    name_ar: str | None
    category: str
    site: str | None
    currency: str
    fee_bps: int
    is_active: bool
    created_at: datetime


class MerchantMemberCreate(BaseModel):
    account_id: uuid.UUID


class MerchantQR(BaseModel):
    merchant_id: uuid.UUID
    code: str
    amount: int | None
    text: str = Field(description="the signed text to print or show as a QR code")


class Takings(BaseModel):
    merchant_id: uuid.UUID
    day: date
    payments: int
    gross: int
    refunds: int
    net: int
    balance: int = Field(description="the merchant's ledger balance, not yet paid out")
    items: list[PaymentRead]


class PayoutRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    merchant_id: uuid.UUID
    amount: int
    currency: str
    created_at: datetime


class Reconciliation(BaseModel):
    """Paid in, refunded and paid out, against the ledger: the difference must be zero."""

    merchant_id: uuid.UUID
    merchant_code: str
    payments: int
    refunds: int
    payouts: int
    ledger_balance: int
    difference: int = Field(description="payments - refunds - payouts - ledger balance")


class PasskeyRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    name: str
    transports: list[str] = Field(
        description="how the browser reached the authenticator, as it told at registration: "
        "'internal' (built into this phone), 'hybrid' (a phone nearby), 'usb', 'nfc', 'ble'"
    )
    sign_count: int
    created_at: datetime
    last_used_at: datetime | None = Field(description="the last payment it confirmed")


class PasskeyRegister(BaseModel):
    credential: dict[str, Any] = Field(description="navigator.credentials.create()'s answer")
    name: str = Field(default="passkey", min_length=1, max_length=100)


class PasskeyUpdate(BaseModel):
    name: str = Field(
        min_length=1, max_length=100, description="what the pilgrim calls it, such as 'my phone'"
    )

    @field_validator("name")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        cleaned = " ".join(value.split())
        if not cleaned:
            raise ValueError("the name is empty")
        return cleaned


class WebhookAck(BaseModel):
    received: bool
    outcome: str
