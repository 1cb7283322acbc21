"""Tables of accounts, API tokens and the append-only audit log."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, DateTime, ForeignKey, Index, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from labbaik.db import Base
from labbaik.kit.ids import uuid7
from labbaik.kit.timeutil import utcnow


class Account(Base):
    __tablename__ = "auth_account"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid7)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(32))
    # The tenant the account works for. Not foreign keys: platform tables know no domain.
    company_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, index=True)
    group_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    pilgrim_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    language: Mapped[str | None] = mapped_column(String(8))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class ApiToken(Base):
    __tablename__ = "auth_api_token"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid7)
    account_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("auth_account.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(100))
    # Only a hash is kept: a leaked database does not leak working tokens.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class AuditEntry(Base):
    """One write, or one read of sensitive data. Triggers in the migration forbid change."""

    __tablename__ = "auth_audit_entry"
    __table_args__ = (
        Index("ix_auth_audit_entry_at", "at"),
        Index("ix_auth_audit_entry_object", "object_type", "object_id"),
        Index("ix_auth_audit_entry_actor", "actor_username", "at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid7)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    actor_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    actor_username: Mapped[str] = mapped_column(String(64))
    actor_role: Mapped[str] = mapped_column(String(32))
    action: Mapped[str] = mapped_column(String(64))
    object_type: Mapped[str] = mapped_column(String(64))
    object_id: Mapped[str | None] = mapped_column(String(64))
    reason: Mapped[str | None] = mapped_column(String(500))
    origin: Mapped[str] = mapped_column(String(200))
    detail: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class LoginFailure(Base):
    """A failed login, counted to refuse guessing: by the username tried and by the address.

    The audit log keeps the lasting record; these rows only matter within the window. A later
    failure of the same username or address deletes the ones that have aged out, and every
    failure also sweeps a few aged-out rows of anyone (`auth.service.SWEEP`), so names tried
    once by a guesser do not pile up."""

    __tablename__ = "auth_login_failure"
    __table_args__ = (
        Index("ix_auth_login_failure_username", "username", "at"),
        Index("ix_auth_login_failure_address", "address", "at"),
        Index("ix_auth_login_failure_at", "at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid7)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    username: Mapped[str] = mapped_column(String(64))
    address: Mapped[str] = mapped_column(String(64))
