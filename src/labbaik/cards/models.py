"""Tables of the card domain: signer certificates, cards and scans (no private key, ever)."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import (
    Boolean,
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


class CardKey(Base):
    """A public certificate: the root, or a season's signer. The private half is a file."""

    __tablename__ = "cards_key"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid7)
    kind: Mapped[str] = mapped_column(String(8))  # "root" | "signer"
    kid: Mapped[bytes] = mapped_column(LargeBinary(8), unique=True)
    alg: Mapped[str] = mapped_column(String(8))  # "ES256" | "EdDSA"
    season: Mapped[int | None] = mapped_column(Integer)
    certificate: Mapped[bytes] = mapped_column(LargeBinary)
    not_before: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    not_after: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # The one signer new cards are signed with; a rotated signer keeps its row (and stays in
    # the trust list until its last card expires).
    is_current: Mapped[bool] = mapped_column(Boolean, default=False)
    retired_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Card(Base):
    __tablename__ = "cards_card"
    __table_args__ = (Index("ix_cards_card_pilgrim_status", "pilgrim_id", "status"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid7)
    card_number: Mapped[str] = mapped_column(String(16), unique=True)
    # One counter for the issuer: it numbers the cards and is each card's status-list index.
    serial: Mapped[int] = mapped_column(Integer, unique=True)
    pilgrim_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("registry_pilgrim.id"))
    company_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("registry_company.id"), index=True)
    season_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("registry_season.id"))
    status: Mapped[str] = mapped_column(String(12))  # valid | suspended | revoked | retired
    status_reason: Mapped[str | None] = mapped_column(String(500))
    status_changed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    signer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("cards_key.id"), index=True)
    issued_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # The bytes the QR code's Base45 and the NFC record carry (COSE_Sign1, maybe zlib).
    body: Mapped[bytes] = mapped_column(LargeBinary)
    replaces_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("cards_card.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Scan(Base):
    """Every lookup of a card, accepted or refused, with the verdict."""

    __tablename__ = "cards_scan"
    __table_args__ = (UniqueConstraint("actor_username", "nonce"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid7)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    actor_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    actor_username: Mapped[str] = mapped_column(String(64))
    actor_role: Mapped[str] = mapped_column(String(32))
    card_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("cards_card.id"), index=True)
    card_number: Mapped[str | None] = mapped_column(String(16))
    verdict: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(String(500))
    lookup_reason: Mapped[str] = mapped_column(String(500))
    # The client's nonce: a retried scan finds its first answer instead of a second row.
    nonce: Mapped[str | None] = mapped_column(String(64))
    origin: Mapped[str] = mapped_column(String(200), default="")
