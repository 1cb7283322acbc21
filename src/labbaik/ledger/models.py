"""Tables of the ledger: accounts with their running totals, immutable transfers and entries."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import cast

from sqlalchemy import (
    BigInteger,
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Uuid,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from labbaik.db import Base
from labbaik.kit.timeutil import utcnow


class LedgerAccount(Base):
    """An account. Its four totals are the sums of its entries, kept here for one-row checks."""

    __tablename__ = "ledger_account"
    __table_args__ = (Index("ix_ledger_account_owner", "owner_type", "owner_id"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    currency: Mapped[str] = mapped_column(String(3))
    code: Mapped[int] = mapped_column(Integer)
    # Bits: 1 debits must not exceed credits, 2 credits must not exceed debits, 4 closed.
    flags: Mapped[int] = mapped_column(Integer, default=0)
    owner_type: Mapped[str | None] = mapped_column(String(32))
    owner_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    reference: Mapped[str | None] = mapped_column(String(200))
    debits_posted: Mapped[int] = mapped_column(BigInteger, default=0)
    credits_posted: Mapped[int] = mapped_column(BigInteger, default=0)
    debits_pending: Mapped[int] = mapped_column(BigInteger, default=0)
    credits_pending: Mapped[int] = mapped_column(BigInteger, default=0)
    # The sequence number of the account's last entry: entries are numbered 1, 2, ... per account.
    entry_count: Mapped[int] = mapped_column(BigInteger, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class LedgerTransfer(Base):
    """One requested transfer and its outcome, refused ones included, so a retry gets the same.

    No foreign keys to accounts: a refusal records the ids the client sent, found or not.
    Triggers in the migration forbid UPDATE and DELETE.
    """

    __tablename__ = "ledger_transfer"
    # Partial: most transfers are single-phase, with neither a pending id nor a timeout.
    __table_args__ = (
        Index(
            "ix_ledger_transfer_pending_id",
            "pending_id",
            postgresql_where=text("pending_id IS NOT NULL"),
            sqlite_where=text("pending_id IS NOT NULL"),
        ),
        Index(
            "ix_ledger_transfer_expires_at",
            "expires_at",
            postgresql_where=text("expires_at IS NOT NULL"),
            sqlite_where=text("expires_at IS NOT NULL"),
        ),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    debit_account_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    credit_account_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    amount: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str | None] = mapped_column(String(3))
    code: Mapped[int | None] = mapped_column(Integer)
    reference: Mapped[str | None] = mapped_column(String(200))
    # Bits: 1 pending, 2 post pending, 4 void pending, 8 linked, 16 made by expiry.
    flags: Mapped[int] = mapped_column(Integer)
    pending_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    # Set only on a post, void or expiry that succeeded: unique, so a pending resolves once.
    resolved_pending_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, unique=True)
    timeout_seconds: Mapped[int | None] = mapped_column(Integer)
    expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    result: Mapped[str] = mapped_column(String(40))
    # SHA-256 of the request's fields: a retry must match it to be "exists".
    fingerprint: Mapped[str] = mapped_column(String(64))
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class LedgerEntry(Base):
    """One side of one transfer on one account, with the account's totals after it."""

    __tablename__ = "ledger_entry"

    account_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("ledger_account.id"), primary_key=True)
    # Unique per account by the primary key: a lost update would collide here.
    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    transfer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("ledger_transfer.id"), index=True)
    is_debit: Mapped[bool] = mapped_column(Boolean)
    posted: Mapped[int] = mapped_column(BigInteger)
    pending: Mapped[int] = mapped_column(BigInteger)
    debits_posted: Mapped[int] = mapped_column(BigInteger)
    credits_posted: Mapped[int] = mapped_column(BigInteger)
    debits_pending: Mapped[int] = mapped_column(BigInteger)
    credits_pending: Mapped[int] = mapped_column(BigInteger)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


# The tables themselves, for the set-based statements of the engine.
ACCOUNTS = cast(Table, LedgerAccount.__table__)
TRANSFERS = cast(Table, LedgerTransfer.__table__)
ENTRIES = cast(Table, LedgerEntry.__table__)
