"""Tables of the health record (encrypted), the season's vaccination rules and trusted signers."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    UniqueConstraint,
    Uuid,
)
from sqlalchemy.orm import Mapped, mapped_column

from labbaik.db import Base
from labbaik.kit.ids import uuid7
from labbaik.kit.timeutil import utcnow


class HealthRecord(Base):
    """One pilgrim's record: the clinical part only as ciphertext, the derived status in clear."""

    __tablename__ = "health_record"
    __table_args__ = (Index("ix_health_record_status", "compliance_status"),)

    pilgrim_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("registry_pilgrim.id", ondelete="CASCADE"), primary_key=True
    )
    key_id: Mapped[str] = mapped_column(String(32))
    # AES-GCM nonce, ciphertext and tag of the JSON record (schemas.HealthData).
    sealed: Mapped[bytes] = mapped_column(LargeBinary)
    # Derived from the record and the season's rules, so that a company's list needs no key.
    compliance_status: Mapped[str] = mapped_column(String(16))
    compliance_reasons: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    assessed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_by: Mapped[str] = mapped_column(String(64))


class RuleSet(Base):
    """The dates a season's compliance is judged at."""

    __tablename__ = "health_rule_set"

    season_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("registry_season.id"), primary_key=True)
    arrival_date: Mapped[date] = mapped_column(Date)
    valid_through: Mapped[date] = mapped_column(Date)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_by: Mapped[str] = mapped_column(String(64))


class VaccinationRule(Base):
    __tablename__ = "health_vaccination_rule"
    __table_args__ = (UniqueConstraint("season_id", "code"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid7)
    season_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("health_rule_set.season_id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer)
    code: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(200))
    name_ar: Mapped[str | None] = mapped_column(String(200))
    target_disease: Mapped[dict[str, Any]] = mapped_column(JSON)
    vaccines: Mapped[dict[str, str]] = mapped_column(JSON)
    validity_months: Mapped[dict[str, int | None]] = mapped_column(JSON)
    min_days_before_arrival: Mapped[int] = mapped_column(Integer)
    countries: Mapped[list[str] | None] = mapped_column(JSON)


class TrustedSigner(Base):
    """A health certificate signer's certificate that the operator trusts (EU DCC / GDHCN)."""

    __tablename__ = "health_trusted_signer"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid7)
    # First 8 bytes of the SHA-256 of the certificate's DER, in hex, as COSE headers carry it.
    kid: Mapped[str] = mapped_column(String(16), index=True)
    fingerprint: Mapped[str] = mapped_column(String(64), unique=True)
    country: Mapped[str | None] = mapped_column(String(2))
    subject: Mapped[str] = mapped_column(String(500))
    certificate: Mapped[bytes] = mapped_column(LargeBinary)
    loaded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
