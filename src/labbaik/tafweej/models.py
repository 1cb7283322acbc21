"""Tables of Tafweej: a season's slot grid, places, routes, movements, groups' data and plans."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
    Uuid,
)
from sqlalchemy.orm import Mapped, mapped_column

from labbaik.db import Base
from labbaik.kit.ids import uuid7
from labbaik.kit.timeutil import utcnow


class SlotGrid(Base):
    """The season's clock: slot s starts at start + s x slot_minutes."""

    __tablename__ = "tafweej_slot_grid"

    season_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("registry_season.id"), primary_key=True)
    start: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    slot_minutes: Mapped[int] = mapped_column(Integer)
    slots: Mapped[int] = mapped_column(Integer)


class Place(Base):
    """Mina, Arafat, Muzdalifah, a Jamarat level, the Haram, a station or an assembly point."""

    __tablename__ = "tafweej_place"
    __table_args__ = (UniqueConstraint("season_id", "code"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid7)
    season_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("registry_season.id"), index=True)
    code: Mapped[str] = mapped_column(String(40))
    kind: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(200))
    name_ar: Mapped[str | None] = mapped_column(String(200))
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)


class Movement(Base):
    """One movement of every group, within its window and outside the forbidden slots."""

    __tablename__ = "tafweej_movement"
    __table_args__ = (UniqueConstraint("season_id", "code"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid7)
    season_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("registry_season.id"), index=True)
    code: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(200))
    name_ar: Mapped[str | None] = mapped_column(String(200))
    hijri_day: Mapped[int] = mapped_column(Integer)  # of Dhu al-Hijjah, 8 to 13
    position: Mapped[int] = mapped_column(Integer, default=0)
    origin_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("tafweej_place.id"))
    destination_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("tafweej_place.id"))
    # Both ends inclusive, as the interchange format writes them.
    window_start: Mapped[int] = mapped_column(Integer)
    window_end: Mapped[int] = mapped_column(Integer)
    # The slots the authority forbids this year.
    forbidden: Mapped[list[int]] = mapped_column(JSON, default=list)
    after_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("tafweej_movement.id"))
    min_gap: Mapped[int] = mapped_column(Integer, default=0)


class Route(Base):
    """A way to move (walk, bus, metro) with its capacity in persons per slot."""

    __tablename__ = "tafweej_route"
    __table_args__ = (UniqueConstraint("season_id", "code"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid7)
    season_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("registry_season.id"), index=True)
    code: Mapped[str] = mapped_column(String(40))
    mode: Mapped[str] = mapped_column(String(8))  # "walk" | "bus" | "metro"
    name: Mapped[str] = mapped_column(String(200))
    name_ar: Mapped[str | None] = mapped_column(String(200))
    # One integer for every slot, or a list with one value per slot.
    capacity: Mapped[Any] = mapped_column(JSON)
    duration: Mapped[int] = mapped_column(Integer, default=1)
    # Where a group boards or gathers for this route: a station, a bus stop, a camp gate.
    assembly_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("tafweej_place.id"))
    destination_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("tafweej_place.id"))
    ticket_colour: Mapped[str | None] = mapped_column(String(32))  # metro
    bus_number: Mapped[str | None] = mapped_column(String(16))  # bus
    bus_colour: Mapped[str | None] = mapped_column(String(32))  # bus


class RouteMovement(Base):
    __tablename__ = "tafweej_route_movement"

    route_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("tafweej_route.id", ondelete="CASCADE"), primary_key=True
    )
    movement_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("tafweej_movement.id", ondelete="CASCADE"), primary_key=True
    )


class GroupData(Base):
    """A registry group's Tafweej data; its size is always its pilgrims in the registry."""

    __tablename__ = "tafweej_group"
    __table_args__ = (UniqueConstraint("season_id", "group_id"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid7)
    season_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("registry_season.id"), index=True)
    group_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("registry_group.id"))
    camp_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("registry_lodging.id"))
    assembly_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("tafweej_place.id"))


class GroupRoute(Base):
    __tablename__ = "tafweej_group_route"

    group_data_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("tafweej_group.id", ondelete="CASCADE"), primary_key=True
    )
    route_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("tafweej_route.id", ondelete="CASCADE"), primary_key=True
    )


class GroupMovement(Base):
    """A group's wish for one movement: its preferred slot and the slots it cannot take."""

    __tablename__ = "tafweej_group_movement"

    group_data_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("tafweej_group.id", ondelete="CASCADE"), primary_key=True
    )
    movement_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("tafweej_movement.id", ondelete="CASCADE"), primary_key=True
    )
    preferred: Mapped[int | None] = mapped_column(Integer)
    forbidden: Mapped[list[int]] = mapped_column(JSON, default=list)


class Plan(Base):
    """One version of a season's schedule, with the instance it was made from and its figures."""

    __tablename__ = "tafweej_plan"
    __table_args__ = (
        UniqueConstraint("season_id", "version"),
        UniqueConstraint("season_id", "client_key"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid7)
    season_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("registry_season.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(8))  # "plan" | "replan"
    parent_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("tafweej_plan.id"))
    # A retried "run" with the same key gets this plan back instead of a second one.
    client_key: Mapped[str | None] = mapped_column(String(100))
    # The exact interchange instance planned, so the validator and re-planning can run again.
    instance: Mapped[dict[str, Any]] = mapped_column(JSON)
    objective: Mapped[int] = mapped_column(BigInteger)
    lower_bound: Mapped[float] = mapped_column(Float)
    seconds: Mapped[float] = mapped_column(Float)
    greedy_objective: Mapped[int | None] = mapped_column(BigInteger)
    valid: Mapped[bool] = mapped_column(Boolean)
    violations: Mapped[list[str]] = mapped_column(JSON, default=list)
    groups: Mapped[int] = mapped_column(Integer)
    pilgrims: Mapped[int] = mapped_column(Integer)
    # Re-planning: from which slot on, what changed, and how many groups moved.
    from_slot: Mapped[int | None] = mapped_column(Integer)
    closed_routes: Mapped[list[str]] = mapped_column(JSON, default=list)
    late_groups: Mapped[dict[str, int]] = mapped_column(JSON, default=dict)
    moved: Mapped[int | None] = mapped_column(Integer)
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    published_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    is_published: Mapped[bool] = mapped_column(Boolean, default=False)


class Assignment(Base):
    """A group's slot and route for one movement in one plan."""

    __tablename__ = "tafweej_assignment"
    __table_args__ = (Index("ix_tafweej_assignment_group", "group_id", "plan_id"),)

    plan_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("tafweej_plan.id", ondelete="CASCADE"), primary_key=True
    )
    group_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("registry_group.id"), primary_key=True)
    movement_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("tafweej_movement.id"), primary_key=True
    )
    route_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tafweej_route.id"))
    slot: Mapped[int] = mapped_column(Integer)
