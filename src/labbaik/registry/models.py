"""Tables of seasons, companies and missions, groups, lodgings and pilgrims."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import (
    Boolean,
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


class Season(Base):
    __tablename__ = "registry_season"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid7)
    hijri_year: Mapped[int] = mapped_column(Integer, unique=True)
    name: Mapped[str] = mapped_column(String(100))
    # The Gregorian date of 8 Dhu al-Hijjah follows the moon sighting, so the operator enters
    # it; 9 to 13 follow day by day.
    day_8: Mapped[date | None] = mapped_column(Date)
    is_current: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Company(Base):
    """A domestic Hajj company or a foreign mission: the tenant that owns pilgrims."""

    __tablename__ = "registry_company"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid7)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    kind: Mapped[str] = mapped_column(String(16))  # "domestic" | "mission"
    name: Mapped[str] = mapped_column(String(200))
    name_ar: Mapped[str | None] = mapped_column(String(200))
    licence_number: Mapped[str] = mapped_column(String(64))
    country: Mapped[str] = mapped_column(String(3))
    contact_name: Mapped[str | None] = mapped_column(String(200))
    contact_phone: Mapped[str | None] = mapped_column(String(32))
    contact_email: Mapped[str | None] = mapped_column(String(200))
    address: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Lodging(Base):
    __tablename__ = "registry_lodging"
    __table_args__ = (UniqueConstraint("season_id", "code"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid7)
    season_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("registry_season.id"), index=True)
    code: Mapped[str] = mapped_column(String(32))
    kind: Mapped[str] = mapped_column(String(16))  # "hotel" | "camp"
    site: Mapped[str] = mapped_column(String(16))  # "makkah" | "madinah" | "mina" | "arafat"
    name: Mapped[str] = mapped_column(String(200))
    name_ar: Mapped[str | None] = mapped_column(String(200))
    capacity: Mapped[int] = mapped_column(Integer)
    address: Mapped[str | None] = mapped_column(String(500))
    # Camps are let to one company; hotels may be shared.
    company_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("registry_company.id"))


class Group(Base):
    __tablename__ = "registry_group"
    __table_args__ = (UniqueConstraint("season_id", "code"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid7)
    season_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("registry_season.id"), index=True)
    company_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("registry_company.id"), index=True)
    code: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(200))
    leader_name: Mapped[str | None] = mapped_column(String(200))
    leader_phone: Mapped[str | None] = mapped_column(String(32))


class Pilgrim(Base):
    __tablename__ = "registry_pilgrim"
    __table_args__ = (
        UniqueConstraint("season_id", "nationality", "passport_number"),
        # The list pages sort by name within a season, or within a company.
        Index("ix_registry_pilgrim_season_name", "season_id", "surname", "given_names", "id"),
        Index("ix_registry_pilgrim_company_name", "company_id", "surname", "given_names", "id"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid7)
    season_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("registry_season.id"))
    company_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("registry_company.id"))
    group_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("registry_group.id"), index=True)
    surname: Mapped[str] = mapped_column(String(100))
    given_names: Mapped[str] = mapped_column(String(200))
    surname_ar: Mapped[str | None] = mapped_column(String(100))
    given_names_ar: Mapped[str | None] = mapped_column(String(200))
    sex: Mapped[str] = mapped_column(String(1))
    date_of_birth: Mapped[date] = mapped_column(Date)
    nationality: Mapped[str] = mapped_column(String(3))
    passport_number: Mapped[str] = mapped_column(String(20), index=True)
    passport_expiry: Mapped[date] = mapped_column(Date)
    phone: Mapped[str | None] = mapped_column(String(32))
    language: Mapped[str] = mapped_column(String(8))
    emergency_contact_name: Mapped[str | None] = mapped_column(String(200))
    emergency_contact_phone: Mapped[str | None] = mapped_column(String(32))
    makkah_lodging_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("registry_lodging.id"))
    madinah_lodging_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("registry_lodging.id"))
    mina_camp_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("registry_lodging.id"))
    arafat_camp_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("registry_lodging.id"))
    # Names in both scripts and the passport number, folded for search (see search.fold).
    search_text: Mapped[str] = mapped_column(String(700))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )


class PilgrimPhoto(Base):
    """Kept apart so that lists and imports never drag image bytes along."""

    __tablename__ = "registry_pilgrim_photo"

    pilgrim_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("registry_pilgrim.id", ondelete="CASCADE"), primary_key=True
    )
    content_type: Mapped[str] = mapped_column(String(32))
    data: Mapped[bytes] = mapped_column(LargeBinary)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
