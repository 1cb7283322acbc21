"""The published schedule as people read it: a group's steps and a pilgrim's next step."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from labbaik.auth import service as auth_service
from labbaik.auth.roles import Actor, Scope, system_actor
from labbaik.kit.timeutil import hijri_parts, to_riyadh, utcnow
from labbaik.registry import service as registry
from labbaik.registry.errors import GroupNotFound
from labbaik.registry.schemas import GroupRead
from labbaik.tafweej.errors import NoPublishedPlan
from labbaik.tafweej.models import Assignment, GroupData, Movement, Place, Route
from labbaik.tafweej.schemas import GroupSchedule, NextStep, PlaceRef, RouteRef
from labbaik.tafweej.service._common import grid, slot_start
from labbaik.tafweej.service.plans import published_plan


def _place(place: Place | None) -> PlaceRef | None:
    if place is None:
        return None
    return PlaceRef(
        code=place.code,
        name=place.name,
        name_ar=place.name_ar,
        latitude=place.latitude,
        longitude=place.longitude,
    )


def _steps(
    session: Session, *, season_id: uuid.UUID, group_id: uuid.UUID
) -> tuple[int, uuid.UUID, list[NextStep]]:
    """Every step of the group in the season's published plan, in time order."""
    plan = published_plan(session, season_id=season_id)
    if plan is None:
        raise NoPublishedPlan("the season's Tafweej schedule is not published yet")
    slot_grid = grid(session, season_id)
    rows = session.execute(
        select(Assignment, Movement, Route)
        .join(Movement, Movement.id == Assignment.movement_id)
        .join(Route, Route.id == Assignment.route_id)
        .where(Assignment.plan_id == plan.id, Assignment.group_id == group_id)
        .order_by(Assignment.slot, Movement.position)
    ).all()
    own = session.scalar(
        select(GroupData).where(GroupData.season_id == season_id, GroupData.group_id == group_id)
    )
    wanted = {r.Movement.origin_id for r in rows} | {r.Route.assembly_id for r in rows}
    wanted |= {r.Route.destination_id for r in rows} | {r.Movement.destination_id for r in rows}
    if own is not None:
        wanted.add(own.assembly_id)
    wanted.discard(None)
    places = {p.id: p for p in session.scalars(select(Place).where(Place.id.in_(wanted)))}
    steps = []
    for assignment, movement, route in rows:
        starts = slot_start(slot_grid, assignment.slot)
        ends = starts + timedelta(minutes=slot_grid.slot_minutes * route.duration)
        year, month, day = hijri_parts(to_riyadh(starts).date())
        # Where to be: the route's boarding point, else the group's own gathering point, else
        # where the movement starts.
        assembly_id = route.assembly_id or (own.assembly_id if own else None) or movement.origin_id
        destination_id = route.destination_id or movement.destination_id
        steps.append(
            NextStep(
                movement=movement.code,
                name=movement.name,
                name_ar=movement.name_ar,
                slot=assignment.slot,
                starts_at=starts,
                ends_at=ends,
                hijri_day=day,
                hijri_month=month,
                hijri_year=year,
                assembly=_place(places.get(assembly_id)) if assembly_id else None,
                destination=_place(places.get(destination_id)) if destination_id else None,
                route=RouteRef(
                    code=route.code,
                    mode=route.mode,
                    name=route.name,
                    name_ar=route.name_ar,
                    ticket_colour=route.ticket_colour,
                    bus_number=route.bus_number,
                    bus_colour=route.bus_colour,
                ),
            )
        )
    return plan.version, plan.id, steps


def _upcoming(steps: list[NextStep], at: datetime | None, limit: int) -> list[NextStep]:
    moment = at or utcnow()
    return [s for s in steps if s.ends_at > moment][:limit]


def next_steps(
    session: Session,
    *,
    pilgrim_id: uuid.UUID,
    actor: Actor,
    at: datetime | None = None,
    limit: int = 3,
) -> list[NextStep]:
    """The pilgrim's next movements (the one under way first) from the published plan.

    Anyone who may read the pilgrim may read this: the pilgrim, their company, a field worker
    who has scanned their card. Empty when the pilgrim has no group or the season is over.
    """
    pilgrim = registry.get_pilgrim(
        session, pilgrim_id=pilgrim_id, actor=actor, reason="tafweej: next step"
    )
    if pilgrim.group_id is None:
        return []
    _, _, steps = _steps(session, season_id=pilgrim.season_id, group_id=pilgrim.group_id)
    return _upcoming(steps, at, limit)


def _visible_group(session: Session, *, group_id: uuid.UUID, actor: Actor) -> GroupRead:
    if actor.pilgrim_id is not None and not actor.can(Scope.REGISTRY_READ):
        own = registry.get_pilgrim(
            session, pilgrim_id=actor.pilgrim_id, actor=actor, reason="tafweej: own group"
        )
        if own.group_id != group_id:
            raise GroupNotFound("no such group")
        return registry.get_group(session, group_id=group_id, actor=system_actor("tafweej"))
    return registry.get_group(session, group_id=group_id, actor=actor)


def group_next_steps(
    session: Session,
    *,
    group_id: uuid.UUID,
    actor: Actor,
    at: datetime | None = None,
    limit: int = 3,
) -> list[NextStep]:
    """The group's next movements; another company's group is not found (404)."""
    group = _visible_group(session, group_id=group_id, actor=actor)
    _, _, steps = _steps(session, season_id=group.season_id, group_id=group.id)
    return _upcoming(steps, at, limit)


def _schedule(session: Session, group: GroupRead, *, size: int | None) -> GroupSchedule:
    version, plan_id, steps = _steps(session, season_id=group.season_id, group_id=group.id)
    return GroupSchedule(
        group_id=group.id,
        code=group.code,
        name=group.name,
        company_id=group.company_id,
        size=size,
        plan_id=plan_id,
        plan_version=version,
        steps=steps,
    )


def group_schedule(session: Session, *, group_id: uuid.UUID, actor: Actor) -> GroupSchedule:
    """Every step of a group in the published plan."""
    group = _visible_group(session, group_id=group_id, actor=actor)
    return _schedule(session, group, size=None)


def company_schedules(session: Session, *, actor: Actor) -> list[GroupSchedule]:
    """The schedules of the groups the actor may list (a company: its own), by group code."""
    auth_service.require(actor, Scope.TAFWEEJ_READ)
    try:
        return [
            _schedule(session, group, size=group.pilgrim_count)
            for group in registry.list_groups(session, actor=actor)
        ]
    except NoPublishedPlan:
        return []
