"""What every part of the Tafweej service shares: the season, its grid and look-ups by code."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from labbaik.kit.timeutil import as_utc
from labbaik.registry import service as registry
from labbaik.registry.schemas import SeasonRead
from labbaik.tafweej.errors import SeasonNotCurrent, TafweejNotSetUp, UnknownCode
from labbaik.tafweej.models import Movement, Place, Route, SlotGrid


def season(session: Session, hijri_year: int | None) -> SeasonRead:
    """The season of that Hijri year, or the current one."""
    if hijri_year is None:
        return registry.current_season(session)
    return registry.season_by_year(session, hijri_year=hijri_year)


def require_current(found: SeasonRead) -> None:
    # The registry lists the groups of its current season only.
    if not found.is_current:
        raise SeasonNotCurrent(
            f"the groups of {found.hijri_year} AH are not open: make it the current season first"
        )


def grid(session: Session, season_id: uuid.UUID) -> SlotGrid:
    row = session.get(SlotGrid, season_id)
    if row is None:
        raise TafweejNotSetUp("the season has no slot grid yet (start, slot minutes, slots)")
    return row


def slot_start(row: SlotGrid, slot: int) -> datetime:
    return as_utc(row.start) + timedelta(minutes=row.slot_minutes * slot)


def places_by_code(session: Session, season_id: uuid.UUID) -> dict[str, Place]:
    rows = session.scalars(select(Place).where(Place.season_id == season_id))
    return {p.code: p for p in rows}


def routes_by_code(session: Session, season_id: uuid.UUID) -> dict[str, Route]:
    rows = session.scalars(select(Route).where(Route.season_id == season_id))
    return {r.code: r for r in rows}


def movements_by_code(session: Session, season_id: uuid.UUID) -> dict[str, Movement]:
    rows = session.scalars(
        select(Movement)
        .where(Movement.season_id == season_id)
        .order_by(Movement.position, Movement.window_start, Movement.code)
    )
    return {m.code: m for m in rows}


def resolve(
    codes: dict[str, uuid.UUID], code: str | None, what: str, field: str
) -> uuid.UUID | None:
    if code is None:
        return None
    if code not in codes:
        raise UnknownCode(f"{field}: no {what} has the code {code!r} this season")
    return codes[code]
