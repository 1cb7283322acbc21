"""In and out shapes of wallets, top-ups, payments, refunds, merchants, payouts and passkeys."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from labbaik.kit import iban as ibans

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


class BankAccountIn(BaseModel):
    """The bank account a merchant is paid out to."""

    iban: str = Field(
        min_length=15,
        max_length=42,
        description="the IBAN, with or without spaces; its check digits are verified",
        examples=["SA03 8000 0000 6080 1016 7519"],
    )
    holder: str = Field(
        min_length=2, max_length=140, description="the account holder's name, as the bank has it"
    )

    @field_validator("iban")
    @classmethod
    def _valid_iban(cls, value: str) -> str:
        try:
            return ibans.validate(value)
        except ibans.InvalidIban as exc:
            raise ValueError(str(exc)) from None

    @field_validator("holder")
    @classmethod
    def _holder(cls, value: str) -> str:
        value = " ".join(value.split())
        if len(value) < 2:
            raise ValueError("the account holder's name is missing")
        return value


def _masked(value: str | None) -> str | None:
    # A full IBAN is never answered; an answer stored and read back is masked already.
    return value if value is None or "*" in value else ibans.mask(value)


class BankAccountRead(BaseModel):
    iban: str = Field(description="masked: the country, check digits and last four characters")
    holder: str
    updated_at: datetime | None

    @field_validator("iban")
    @classmethod
    def _mask(cls, value: str | None) -> str | None:
        return _masked(value)


class MerchantCreate(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    name_ar: str | None = Field(default=None, max_length=200)
    category: MerchantCategory = "other"
    site: str | None = Field(default=None, max_length=100, examples=["Mina, street 204"])
    fee_bps: int | None = Field(
        default=None, ge=0, le=1000, description="the pilgrim's fee in hundredths of a percent"
    )
    bank_account: BankAccountIn | None = Field(
        default=None, description="where payouts go; may be set later (PUT .../bank-account)"
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
    bank_account: BankAccountRead | None = Field(
        default=None, description="where payouts go (none yet: payouts are refused)"
    )

    @model_validator(mode="before")
    @classmethod
    def _from_row(cls, data: Any) -> Any:
        # A merchant's row keeps the account in three columns; the API shows it as one object.
        if isinstance(data, dict) or not hasattr(data, "bank_iban"):
            return data
        fields = {name: getattr(data, name) for name in cls.model_fields if name != "bank_account"}
        if data.bank_iban:
            fields["bank_account"] = {
                "iban": data.bank_iban,
                "holder": data.bank_holder,
                "updated_at": data.bank_updated_at,
            }
        return fields


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


PayoutStatus = Literal["pending", "in_transit", "paid", "returned"]


class PayoutRead(BaseModel):
    """A payout: "pending" until the bank accepts the transfer, then "in_transit", then
    "paid", or "returned" (the money is back on the merchant's balance, `return_code` says
    why)."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    merchant_id: uuid.UUID
    amount: int
    currency: str
    created_at: datetime
    status: PayoutStatus
    iban: str | None = Field(description="the account paid, masked; as it was at the payout")
    account_holder: str | None
    bank: str | None
    bank_reference: str | None = Field(description="the bank's id of the transfer, once accepted")
    instructed_at: datetime | None
    resolved_at: datetime | None = Field(description="when the bank paid or returned it")
    return_code: str | None

    @field_validator("iban")
    @classmethod
    def _mask(cls, value: str | None) -> str | None:
        return _masked(value)


class Reconciliation(BaseModel):
    """Paid in, refunded and paid out, against the ledger: the difference must be zero."""

    merchant_id: uuid.UUID
    merchant_code: str
    payments: int
    refunds: int
    payouts: int = Field(description="payouts made and not returned: paid or in transit")
    in_transit: int = Field(description="the part of the payouts the bank has not paid yet")
    returned: int = Field(description="payouts the bank returned (back on the balance)")
    ledger_balance: int
    difference: int = Field(description="payments - refunds - payouts - ledger balance")


class InTransitReport(BaseModel):
    """The payouts in transit against the ledger's "payouts in transit" account: when every
    transfer is paid or returned, both are zero."""

    currency: str
    payouts: int = Field(description="how many payouts are pending or in transit")
    amount: int = Field(description="what those payouts add up to")
    ledger_in_transit: int = Field(description="the balance of the ledger's in-transit account")
    difference: int = Field(description="amount - ledger_in_transit: zero")
    paid: int = Field(description="every payout the bank has paid, in total")
    ledger_bank_clearing: int = Field(description="the bank's clearing account: what it paid")
    returned: int


class PayoutSync(BaseModel):
    """What one run of the payout job did."""

    instructed: int = Field(description="transfers the bank accepted in this run")
    paid: int
    returned: int
    waiting: int = Field(description="still in transit at the bank")
    unanswered: int = Field(description="the bank did not answer; tried again next run")


class TopUpRecovery(BaseModel):
    """What one run of the top-up status job did."""

    checked: int
    succeeded: int
    failed: int
    processing: int = Field(description="the gateway is still processing them")
    unanswered: int = Field(description="the gateway did not answer; asked again next run")


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


BankLineOutcome = Literal[
    "matched",
    "booked_not_settled",
    "amount_mismatch",
    "returned",
    "return_not_recorded",
    "status_mismatch",
    "duplicate",
    "unexplained_credit",
    "not_a_payout",
]


class BankStatementLineRead(BaseModel):
    """One booked entry of the bank's statement and what it was matched with."""

    model_config = ConfigDict(from_attributes=True)

    line: int = Field(description="the entry's place in the statement (Ntry), from 1")
    amount: int = Field(description="minor units, positive; `direction` says which way")
    direction: Literal["DBIT", "CRDT"]
    booked_on: date | None
    reversal: bool
    end_to_end_id: str | None = Field(description="the reference Labbaik gave: a payout's id")
    bank_reference: str | None = Field(description="the bank's own reference (AcctSvcrRef)")
    return_code: str | None = Field(description="a return's reason (RtrInf/Rsn), e.g. AC04")
    payout_id: uuid.UUID | None
    outcome: BankLineOutcome = Field(
        description="matched: a settled payout, same amount; booked_not_settled: the bank "
        "booked a payout its API has not yet called settled; amount_mismatch: the amounts or "
        "currencies differ; returned: a returned payout's money back; return_not_recorded: the "
        "bank returned a payout Labbaik holds as paid or in transit; status_mismatch: booked "
        "for a payout never instructed; duplicate: a second debit for one payout; "
        "unexplained_credit: a credit naming a payout with no return reason; not_a_payout: "
        "another movement of the account (a gateway's settlement, fees)"
    )


class PaidNotOnStatement(BaseModel):
    """A payout Labbaik holds as paid in the statement's period that no imported statement
    shows the bank debiting."""

    payout_id: uuid.UUID
    merchant_id: uuid.UUID
    amount: int
    currency: str
    resolved_at: datetime | None


class BankStatementReport(BaseModel):
    """An imported bank statement matched against the payouts, as it was at its import."""

    id: uuid.UUID
    statement_id: str = Field(description="the bank's Id of the statement (Stmt/Id)")
    iban: str
    currency: str
    from_at: datetime | None
    to_at: datetime | None
    opening_balance: int = Field(description="signed minor units; overdrawn is negative")
    closing_balance: int
    credits: int
    debits: int
    pending_skipped: int = Field(description="entries not yet booked (PDNG), left out")
    imported_at: datetime
    imported_by: str
    sha256: str
    matched: int = Field(description="debits that are settled payouts of the same amount")
    matched_amount: int
    booked_not_settled: int
    amount_mismatches: int
    returns: int
    not_a_payout: int
    needs_attention: int = Field(
        description="lines an operator must look at (amount_mismatch, return_not_recorded, "
        "status_mismatch, duplicate, unexplained_credit) plus paid_not_on_statement: zero "
        "when the bank and Labbaik agree"
    )
    difference: int = Field(
        description="over the lines naming a payout: the bank's amounts less the payouts' "
        "amounts (zero when every amount agrees)"
    )
    lines: list[BankStatementLineRead]
    paid_not_on_statement: list[PaidNotOnStatement]
