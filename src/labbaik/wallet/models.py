"""Tables of wallets, merchants, payments, top-ups, passkeys, bank statements; the money itself
is in the ledger."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    Uuid,
)
from sqlalchemy.orm import Mapped, mapped_column

from labbaik.db import Base
from labbaik.kit.ids import uuid7
from labbaik.kit.timeutil import utcnow

# Ledger account ids are plain columns, not foreign keys: the ledger is reached through its
# service, and its tables may live elsewhere one day.


class Wallet(Base):
    """A pilgrim's wallet: a ledger account whose debits may never exceed its credits."""

    __tablename__ = "wallet_wallet"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid7)
    pilgrim_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("registry_pilgrim.id", ondelete="RESTRICT"), unique=True
    )
    # The company the pilgrim belongs to, kept so that a company-scoped query needs no join.
    company_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, index=True)
    ledger_account_id: Mapped[uuid.UUID] = mapped_column(Uuid, unique=True)
    currency: Mapped[str] = mapped_column(String(3))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # Touched by every payment: the row lock that serialises one pilgrim's payments (daily limit).
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Merchant(Base):
    __tablename__ = "wallet_merchant"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid7)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    name_ar: Mapped[str | None] = mapped_column(String(200))
    category: Mapped[str] = mapped_column(String(32))
    site: Mapped[str | None] = mapped_column(String(100))
    ledger_account_id: Mapped[uuid.UUID] = mapped_column(Uuid, unique=True)
    currency: Mapped[str] = mapped_column(String(3))
    fee_bps: Mapped[int] = mapped_column(Integer)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # The bank account payouts go to: a validated IBAN (electronic form) and its holder's name.
    bank_iban: Mapped[str | None] = mapped_column(String(34))
    bank_holder: Mapped[str | None] = mapped_column(String(140))
    bank_updated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class MerchantMember(Base):
    """An account that works the till of a merchant (the merchant role's binding)."""

    __tablename__ = "wallet_merchant_member"

    account_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("auth_account.id", ondelete="CASCADE"), primary_key=True
    )
    merchant_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("wallet_merchant.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Payment(Base):
    """A payment from a wallet to a merchant: quoted first, then confirmed by the pilgrim."""

    __tablename__ = "wallet_payment"
    __table_args__ = (
        Index("ix_wallet_payment_wallet_paid", "wallet_id", "paid_at"),
        Index("ix_wallet_payment_merchant_paid", "merchant_id", "paid_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid7)
    wallet_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("wallet_wallet.id"))
    merchant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("wallet_merchant.id"))
    amount: Mapped[int] = mapped_column(BigInteger)
    fee: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    # "quoted", "paid", "cancelled"; an open quote past expires_at is expired.
    status: Mapped[str] = mapped_column(String(16), default="quoted")
    # Who started it: the pilgrim scanning the merchant's code, or the merchant's till.
    initiated_by: Mapped[str] = mapped_column(String(16))
    note: Mapped[str | None] = mapped_column(String(200))
    # The payer's masked name ("Ahmed K.") when the till read the pilgrim's card: what the
    # merchant may know of who pays, shown on the till's list of requests.
    payer_name: Mapped[str | None] = mapped_column(String(100))
    step_up_required: Mapped[bool] = mapped_column(Boolean, default=False)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    paid_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    refunded: Mapped[int] = mapped_column(BigInteger, default=0)
    fee_refunded: Mapped[int] = mapped_column(BigInteger, default=0)


class Refund(Base):
    __tablename__ = "wallet_refund"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid7)
    payment_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("wallet_payment.id"), index=True)
    amount: Mapped[int] = mapped_column(BigInteger)
    fee: Mapped[int] = mapped_column(BigInteger)
    reason: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class TopUp(Base):
    """Money coming in from the payment gateway: a pending ledger transfer until it confirms."""

    __tablename__ = "wallet_topup"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid7)
    wallet_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("wallet_wallet.id"), index=True)
    amount: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    gateway: Mapped[str] = mapped_column(String(32))
    gateway_intent_id: Mapped[str | None] = mapped_column(String(64))
    # "pending", "succeeded", "failed".
    status: Mapped[str] = mapped_column(String(16), default="pending")
    failure_code: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    settled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class Payout(Base):
    """A merchant's takings sent to its bank account by a bank transfer.

    "pending": recorded, the money is in transit on the ledger, the bank not yet instructed;
    "in_transit": the bank accepted the instruction; "paid": the bank settled it; "returned":
    the bank gave the money back (a closed account...), and the ledger gave it to the merchant.
    """

    __tablename__ = "wallet_payout"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid7)
    merchant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("wallet_merchant.id"), index=True)
    amount: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    status: Mapped[str] = mapped_column(String(16), default="pending", index=True)
    # The account as it was on file when the payout was made: a later change does not move it.
    iban: Mapped[str | None] = mapped_column(String(34))
    account_holder: Mapped[str | None] = mapped_column(String(140))
    bank: Mapped[str | None] = mapped_column(String(32))
    bank_reference: Mapped[str | None] = mapped_column(String(64))
    instructed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    return_code: Mapped[str | None] = mapped_column(String(64))


class IdempotentRequest(Base):
    """The first answer to a request that carried an Idempotency-Key, to replay on a retry."""

    __tablename__ = "wallet_idempotent_request"
    __table_args__ = (UniqueConstraint("principal", "operation", "key"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid7)
    principal: Mapped[str] = mapped_column(String(64))
    operation: Mapped[str] = mapped_column(String(64))
    key: Mapped[str] = mapped_column(String(200))
    request_hash: Mapped[str] = mapped_column(String(64))
    response: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Passkey(Base):
    """A WebAuthn credential of a pilgrim's account."""

    __tablename__ = "wallet_passkey"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid7)
    account_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("auth_account.id", ondelete="CASCADE"), index=True
    )
    credential_id: Mapped[bytes] = mapped_column(LargeBinary(1024), unique=True)
    public_key: Mapped[bytes] = mapped_column(LargeBinary(2048))
    sign_count: Mapped[int] = mapped_column(BigInteger, default=0)
    transports: Mapped[list[str]] = mapped_column(JSON, default=list)
    name: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class PasskeyChallenge(Base):
    """A challenge handed to the browser; used once. A payment's carries the quote's id."""

    __tablename__ = "wallet_passkey_challenge"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid7)
    account_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("auth_account.id", ondelete="CASCADE"), index=True
    )
    # "register" or "payment".
    purpose: Mapped[str] = mapped_column(String(16))
    payment_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    challenge: Mapped[bytes] = mapped_column(LargeBinary(64), unique=True)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class GatewayEvent(Base):
    """A gateway notification received: stored once, so that a duplicate changes nothing."""

    __tablename__ = "wallet_gateway_event"
    __table_args__ = (UniqueConstraint("gateway", "event_id"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid7)
    gateway: Mapped[str] = mapped_column(String(32))
    event_id: Mapped[str] = mapped_column(String(64))
    type: Mapped[str] = mapped_column(String(64))
    topup_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, index=True)
    # What the event did: "applied", "stale" (arrived after a later state), "conflict".
    outcome: Mapped[str] = mapped_column(String(16))
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class SandboxIntent(Base):
    """The sandbox gateway's own record of a charge, as a real gateway keeps on its side."""

    __tablename__ = "wallet_sandbox_intent"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    reference: Mapped[str] = mapped_column(String(64), unique=True)
    amount: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    status: Mapped[str] = mapped_column(String(16))
    failure_code: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class SandboxEvent(Base):
    """A webhook the sandbox owes the platform, delivered by POSTing it to the app."""

    __tablename__ = "wallet_sandbox_event"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    intent_id: Mapped[str] = mapped_column(ForeignKey("wallet_sandbox_intent.id"), index=True)
    sequence: Mapped[int] = mapped_column(Integer)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    delivered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    # The delivery schedule: when the next attempt is due (none once delivered or given up),
    # what the last attempt got (0: no answer), and when the sandbox gave up on it.
    next_attempt_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), index=True)
    last_attempt_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_status: Mapped[int | None] = mapped_column(Integer)
    failed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class SandboxBankTransfer(Base):
    """The sandbox bank's own record of a transfer instruction, as a real bank keeps it."""

    __tablename__ = "wallet_sandbox_bank_transfer"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    reference: Mapped[str] = mapped_column(String(64), unique=True)
    amount: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    iban: Mapped[str] = mapped_column(String(34))
    holder: Mapped[str] = mapped_column(String(140))
    # "accepted", then "settled" or "returned" once decides_at has passed.
    status: Mapped[str] = mapped_column(String(16))
    return_code: Mapped[str | None] = mapped_column(String(64))
    accepted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    decides_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class BankStatement(Base):
    """A camt.053 statement of the platform's bank account, as imported: once per account and
    statement Id; `sha256` of the file tells a replay from a different file under the same Id,
    and `report` is the matching's answer as it was at the import, to answer a replay with."""

    __tablename__ = "wallet_bank_statement"
    __table_args__ = (UniqueConstraint("iban", "statement_id"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid7)
    statement_id: Mapped[str] = mapped_column(String(35))
    iban: Mapped[str] = mapped_column(String(34))
    currency: Mapped[str] = mapped_column(String(3))
    from_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    to_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Signed minor units: a debit (overdrawn) balance is negative.
    opening_balance: Mapped[int] = mapped_column(BigInteger)
    closing_balance: Mapped[int] = mapped_column(BigInteger)
    imported_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    imported_by: Mapped[str] = mapped_column(String(64))
    sha256: Mapped[str] = mapped_column(String(64))
    report: Mapped[str] = mapped_column(Text)


class BankStatementLine(Base):
    """One booked entry of an imported statement and what matching made of it."""

    __tablename__ = "wallet_bank_statement_line"
    __table_args__ = (UniqueConstraint("statement_id", "line"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid7)
    statement_id: Mapped[uuid.UUID] = mapped_column(
        # Named here: the convention's name is longer than PostgreSQL's 63 characters.
        ForeignKey(
            "wallet_bank_statement.id",
            ondelete="CASCADE",
            name="fk_wallet_bank_statement_line_statement",
        )
    )
    line: Mapped[int] = mapped_column(Integer)
    amount: Mapped[int] = mapped_column(BigInteger)
    # "DBIT" (money left the account) or "CRDT".
    direction: Mapped[str] = mapped_column(String(4))
    booked_on: Mapped[date | None] = mapped_column(Date)
    reversal: Mapped[bool] = mapped_column(Boolean, default=False)
    end_to_end_id: Mapped[str | None] = mapped_column(String(35))
    bank_reference: Mapped[str | None] = mapped_column(String(35))
    return_code: Mapped[str | None] = mapped_column(String(35))
    payout_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("wallet_payout.id"), index=True)
    outcome: Mapped[str] = mapped_column(String(24))
