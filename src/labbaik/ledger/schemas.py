"""In and out shapes of the ledger, as the API and the other domains' services see them."""

from __future__ import annotations

import enum
import uuid
from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

# The largest batch one call may carry; chosen so that one batch's writes stay well within
# one lock hold of a few tens of milliseconds and within the bind-parameter limits of SQLite.
MAX_BATCH = 8_000
# Balances are 64-bit signed integers in the database; no amount or total may pass this.
MAX_AMOUNT = 2**63 - 1
MAX_TIMEOUT_SECONDS = 366 * 86_400

Currency = Annotated[str, Field(pattern=r"^[A-Z]{3}$", examples=["SAR"])]
Code = Annotated[int, Field(ge=1, le=2**31 - 1, description="the kind of account or reason")]


class AccountFlag(enum.StrEnum):
    DEBITS_MUST_NOT_EXCEED_CREDITS = "debits_must_not_exceed_credits"
    CREDITS_MUST_NOT_EXCEED_DEBITS = "credits_must_not_exceed_debits"
    CLOSED = "closed"


class TransferFlag(enum.StrEnum):
    PENDING = "pending"
    POST_PENDING = "post_pending"
    VOID_PENDING = "void_pending"
    LINKED = "linked"


class ResultCode(enum.StrEnum):
    """The outcome of one item of a batch. Every refusal has its own stable code."""

    OK = "ok"
    EXISTS = "exists"
    EXISTS_WITH_DIFFERENT_FIELDS = "exists_with_different_fields"
    LINKED_EVENT_FAILED = "linked_event_failed"
    LINKED_EVENT_CHAIN_OPEN = "linked_event_chain_open"
    FLAGS_ARE_MUTUALLY_EXCLUSIVE = "flags_are_mutually_exclusive"
    CURRENCY_UNKNOWN = "currency_unknown"
    AMOUNT_MUST_NOT_BE_ZERO = "amount_must_not_be_zero"
    SAME_ACCOUNT = "same_account"
    PENDING_ID_REQUIRED = "pending_id_required"
    PENDING_ID_MUST_BE_ABSENT = "pending_id_must_be_absent"
    TIMEOUT_RESERVED_FOR_PENDING = "timeout_reserved_for_pending"
    ACCOUNT_NOT_FOUND = "account_not_found"
    ACCOUNT_CLOSED = "account_closed"
    CURRENCY_MISMATCH = "currency_mismatch"
    PENDING_NOT_FOUND = "pending_not_found"
    PENDING_HAS_DIFFERENT_ACCOUNTS = "pending_has_different_accounts"
    PENDING_HAS_DIFFERENT_AMOUNT = "pending_has_different_amount"
    PENDING_ALREADY_POSTED = "pending_already_posted"
    PENDING_ALREADY_VOIDED = "pending_already_voided"
    PENDING_EXPIRED = "pending_expired"
    EXCEEDS_PENDING_AMOUNT = "exceeds_pending_amount"
    EXCEEDS_CREDITS = "exceeds_credits"
    EXCEEDS_DEBITS = "exceeds_debits"
    OVERFLOWS = "overflows"


class AccountCreate(BaseModel):
    """One account to open. The id is the client's: sending it again is harmless."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": "01937a4e-8b1c-7d2e-9f00-1a2b3c4d5e6f",
                    "currency": "SAR",
                    "code": 10,
                    "flags": ["debits_must_not_exceed_credits"],
                }
            ]
        }
    )

    id: uuid.UUID
    currency: Currency
    code: Code
    flags: list[AccountFlag] = Field(default_factory=list)
    owner_type: str | None = Field(default=None, max_length=32, examples=["pilgrim"])
    owner_id: uuid.UUID | None = None
    reference: str | None = Field(default=None, max_length=200)


class TransferCreate(BaseModel):
    """One movement of money. A post or void may leave out what the pending one already says."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": "01937a4f-0000-7000-8000-000000000001",
                    "debit_account_id": "01937a4e-8b1c-7d2e-9f00-1a2b3c4d5e6f",
                    "credit_account_id": "01937a4e-8b1c-7d2e-9f00-1a2b3c4d5e70",
                    "amount": 2500,
                    "currency": "SAR",
                    "code": 1,
                    "reference": "order 1447-0001",
                }
            ]
        }
    )

    id: uuid.UUID
    debit_account_id: uuid.UUID | None = None
    credit_account_id: uuid.UUID | None = None
    amount: int | None = Field(
        default=None,
        ge=0,
        le=MAX_AMOUNT,
        description="minor units (halalas for SAR); a post may leave it out to post in full",
    )
    currency: Currency | None = None
    code: Code | None = None
    reference: str | None = Field(default=None, max_length=200)
    flags: list[TransferFlag] | None = None
    pending_id: uuid.UUID | None = None
    timeout_seconds: int | None = Field(default=None, ge=1, le=MAX_TIMEOUT_SECONDS)

    @property
    def flag_set(self) -> frozenset[TransferFlag]:
        return frozenset(self.flags or ())

    @property
    def resolves_pending(self) -> bool:
        return bool(self.flag_set & {TransferFlag.POST_PENDING, TransferFlag.VOID_PENDING})

    @model_validator(mode="after")
    def _complete(self) -> TransferCreate:
        if self.resolves_pending:
            return self
        missing = [
            name
            for name in ("debit_account_id", "credit_account_id", "amount", "currency", "code")
            if getattr(self, name) is None
        ]
        if missing:
            raise ValueError(
                f"{', '.join(missing)} required unless the transfer posts or voids a pending one"
            )
        return self


class CreateResult(BaseModel):
    id: uuid.UUID
    result: ResultCode


class AccountBalance(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    debits_posted: int
    credits_posted: int
    debits_pending: int
    credits_pending: int


class AccountRead(AccountBalance):
    currency: str
    code: int
    flags: list[AccountFlag]
    owner_type: str | None
    owner_id: uuid.UUID | None
    reference: str | None
    created_at: datetime


class AccountPage(BaseModel):
    items: list[AccountRead]
    total: int
    page: int
    size: int


class TransferRead(BaseModel):
    id: uuid.UUID
    debit_account_id: uuid.UUID | None
    credit_account_id: uuid.UUID | None
    amount: int
    currency: str | None
    code: int | None
    reference: str | None
    flags: list[TransferFlag]
    pending_id: uuid.UUID | None
    timeout_seconds: int | None
    expires_at: datetime | None
    # True for the void the ledger itself made when a pending transfer's timeout passed.
    expired: bool
    result: ResultCode
    created_at: datetime


class EntryRead(BaseModel):
    """One line of an account's statement: what moved on which side, and the totals after it."""

    account_id: uuid.UUID
    seq: int
    transfer_id: uuid.UUID
    at: datetime
    side: Literal["debit", "credit"]
    posted: int = Field(description="change of the posted total of this side")
    pending: int = Field(description="change of the pending total of this side (may be < 0)")
    code: int | None
    reference: str | None
    debits_posted: int
    credits_posted: int
    debits_pending: int
    credits_pending: int


class EntryPage(BaseModel):
    items: list[EntryRead]
    total: int
    page: int
    size: int


# What the batch endpoints accept: at least one item, at most MAX_BATCH.
AccountBatch = Annotated[list[AccountCreate], Field(min_length=1, max_length=MAX_BATCH)]
TransferBatch = Annotated[list[TransferCreate], Field(min_length=1, max_length=MAX_BATCH)]
