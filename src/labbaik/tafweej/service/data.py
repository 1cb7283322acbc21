"""A season's Tafweej data: the slot grid, places, movements, routes and groups' wishes."""

from __future__ import annotations

import uuid
from collections import defaultdict
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from labbaik.auth import service as auth_service
from labbaik.auth.roles import Actor, Scope
from labbaik.errors import InvalidInput
from labbaik.kit.timeutil import as_utc
from labbaik.registry import service as registry
from labbaik.registry.errors import GroupNotFound
from labbaik.tafweej.errors import InUse, MovementNotFound, RouteNotFound
from labbaik.tafweej.models import (
    Assignment,
    GroupData,
    GroupMovement,
    GroupRoute,
    Movement,
    Place,
    Route,
    RouteMovement,
    SlotGrid,
)
from labbaik.tafweej.schemas import (
    GroupDataRead,
    GroupDataWrite,
    GroupWish,
    MovementRead,
    MovementWrite,
    PlaceRead,
    PlaceWrite,
    RouteRead,
    RouteWrite,
    SeasonData,
    SlotGridRead,
    SlotGridWrite,
)
from labbaik.tafweej.service._common import (
    movements_by_code,
    places_by_code,
    require_current,
    resolve,
    routes_by_code,
    season,
)


def _audit(session: Session, actor: Actor, action: str, object_type: str, code: str) -> None:
    auth_service.record(
        session, actor=actor, action=action, object_type=object_type, detail={"code": code}
    )


# The slot grid ---------------------------------------------------------------------------------


def set_grid(
    session: Session, *, hijri_year: int | None, grid_in: SlotGridWrite, actor: Actor
) -> SlotGridRead:
    auth_service.require(actor, Scope.TAFWEEJ_MANAGE)
    found = season(session, hijri_year)
    row = session.get(SlotGrid, found.id)
    if row is None:
        row = SlotGrid(season_id=found.id)
        session.add(row)
    row.start = as_utc(grid_in.start)
    row.slot_minutes = grid_in.slot_minutes
    row.slots = grid_in.slots
    session.flush()
    _audit(session, actor, "tafweej.grid.set", "season", str(found.hijri_year))
    return SlotGridRead.model_validate(row)


# Places ----------------------------------------------------------------------------------------


def save_place(
    session: Session, *, hijri_year: int | None, place_in: PlaceWrite, actor: Actor
) -> PlaceRead:
    """Create the place, or update the one with the same code."""
    auth_service.require(actor, Scope.TAFWEEJ_MANAGE)
    found = season(session, hijri_year)
    row = places_by_code(session, found.id).get(place_in.code)
    if row is None:
        row = Place(season_id=found.id, code=place_in.code)
        session.add(row)
    for key, value in place_in.model_dump(exclude={"code"}).items():
        setattr(row, key, value)
    session.flush()
    _audit(session, actor, "tafweej.place.save", "tafweej_place", place_in.code)
    return PlaceRead.model_validate(row)


# Movements -------------------------------------------------------------------------------------


def _check_slots(slots: int | None, field: str, values: list[int]) -> None:
    if slots is not None and values and max(values) >= slots:
        raise InvalidInput(f"{field}: slot {max(values)} is past the grid's last slot {slots - 1}")


def save_movement(
    session: Session, *, hijri_year: int | None, movement_in: MovementWrite, actor: Actor
) -> MovementRead:
    """Create the movement, or update the one with the same code."""
    auth_service.require(actor, Scope.TAFWEEJ_MANAGE)
    found = season(session, hijri_year)
    slot_grid = session.get(SlotGrid, found.id)
    _check_slots(
        slot_grid.slots if slot_grid else None,
        "window",
        [movement_in.window_end, *movement_in.forbidden],
    )
    places = {code: p.id for code, p in places_by_code(session, found.id).items()}
    movements = movements_by_code(session, found.id)
    if movement_in.after == movement_in.code:
        raise InvalidInput("after: a movement cannot follow itself")
    after_id = resolve(
        {c: m.id for c, m in movements.items()}, movement_in.after, "movement", "after"
    )
    row = movements.get(movement_in.code)
    if row is None:
        row = Movement(season_id=found.id, code=movement_in.code)
        session.add(row)
    row.name, row.name_ar = movement_in.name, movement_in.name_ar
    row.hijri_day, row.position = movement_in.hijri_day, movement_in.position
    row.origin_id = resolve(places, movement_in.origin, "place", "origin")
    row.destination_id = resolve(places, movement_in.destination, "place", "destination")
    row.window_start, row.window_end = movement_in.window_start, movement_in.window_end
    row.forbidden = list(movement_in.forbidden)
    row.after_id, row.min_gap = after_id, movement_in.min_gap
    session.flush()
    _audit(session, actor, "tafweej.movement.save", "tafweej_movement", movement_in.code)
    place_codes = {place_id: code for code, place_id in places.items()}
    movement_codes = {m.id: m.code for m in movements_by_code(session, found.id).values()}
    return _movement_read(row, place_codes, movement_codes)


def _movement_read(
    row: Movement, place_codes: dict[uuid.UUID, str], movement_codes: dict[uuid.UUID, str]
) -> MovementRead:
    read = MovementRead.model_validate(row)
    read.origin = place_codes.get(row.origin_id) if row.origin_id else None
    read.destination = place_codes.get(row.destination_id) if row.destination_id else None
    read.after = movement_codes.get(row.after_id) if row.after_id else None
    return read


def _refuse_if_planned(session: Session, column: Any, row_id: uuid.UUID, what: str) -> None:
    if session.scalar(select(Assignment.plan_id).where(column == row_id).limit(1)):
        raise InUse(f"{what} is in a stored plan and cannot be deleted")


def delete_movement(session: Session, *, hijri_year: int | None, code: str, actor: Actor) -> None:
    auth_service.require(actor, Scope.TAFWEEJ_MANAGE)
    found = season(session, hijri_year)
    row = movements_by_code(session, found.id).get(code)
    if row is None:
        raise MovementNotFound(f"no movement has the code {code!r} this season")
    _refuse_if_planned(session, Assignment.movement_id, row.id, f"movement {code}")
    if session.scalar(select(Movement.id).where(Movement.after_id == row.id).limit(1)):
        raise InUse(f"another movement follows {code}: change that one first")
    session.delete(row)
    session.flush()
    _audit(session, actor, "tafweej.movement.delete", "tafweej_movement", code)


# Routes ----------------------------------------------------------------------------------------


def save_route(
    session: Session, *, hijri_year: int | None, route_in: RouteWrite, actor: Actor
) -> RouteRead:
    """Create the route, or update the one with the same code."""
    auth_service.require(actor, Scope.TAFWEEJ_MANAGE)
    found = season(session, hijri_year)
    slot_grid = session.get(SlotGrid, found.id)
    if isinstance(route_in.capacity, list) and (
        slot_grid is None or len(route_in.capacity) != slot_grid.slots
    ):
        expected = f"one per slot ({slot_grid.slots})" if slot_grid else "a grid first"
        raise InvalidInput(f"capacity: {len(route_in.capacity)} values, expected {expected}")
    places = {code: p.id for code, p in places_by_code(session, found.id).items()}
    movements = {code: m.id for code, m in movements_by_code(session, found.id).items()}
    served = [resolve(movements, code, "movement", "movements") for code in route_in.movements]
    row = routes_by_code(session, found.id).get(route_in.code)
    if row is None:
        row = Route(season_id=found.id, code=route_in.code)
        session.add(row)
    row.mode, row.name, row.name_ar = route_in.mode, route_in.name, route_in.name_ar
    row.capacity = route_in.capacity
    row.duration = route_in.duration
    row.assembly_id = resolve(places, route_in.assembly, "place", "assembly")
    row.destination_id = resolve(places, route_in.destination, "place", "destination")
    row.ticket_colour = route_in.ticket_colour
    row.bus_number, row.bus_colour = route_in.bus_number, route_in.bus_colour
    session.flush()
    session.execute(delete(RouteMovement).where(RouteMovement.route_id == row.id))
    session.add_all(RouteMovement(route_id=row.id, movement_id=m) for m in dict.fromkeys(served))
    session.flush()
    _audit(session, actor, "tafweej.route.save", "tafweej_route", route_in.code)
    return next(r for r in list_routes(session, season_id=found.id) if r.code == row.code)


def delete_route(session: Session, *, hijri_year: int | None, code: str, actor: Actor) -> None:
    auth_service.require(actor, Scope.TAFWEEJ_MANAGE)
    found = season(session, hijri_year)
    row = routes_by_code(session, found.id).get(code)
    if row is None:
        raise RouteNotFound(f"no route has the code {code!r} this season")
    _refuse_if_planned(session, Assignment.route_id, row.id, f"route {code}")
    session.delete(row)
    session.flush()
    _audit(session, actor, "tafweej.route.delete", "tafweej_route", code)


def list_routes(session: Session, *, season_id: uuid.UUID) -> list[RouteRead]:
    place_codes = {p.id: p.code for p in places_by_code(session, season_id).values()}
    movement_codes = {m.id: m.code for m in movements_by_code(session, season_id).values()}
    served: dict[uuid.UUID, list[str]] = defaultdict(list)
    links = session.execute(
        select(RouteMovement.route_id, RouteMovement.movement_id)
        .join(Route, Route.id == RouteMovement.route_id)
        .where(Route.season_id == season_id)
    )
    for route_id, movement_id in links:
        served[route_id].append(movement_codes[movement_id])
    out = []
    order = list(movement_codes.values())
    for row in routes_by_code(session, season_id).values():
        read = RouteRead.model_validate(row)
        read.movements = sorted(served[row.id], key=order.index)
        read.assembly = place_codes.get(row.assembly_id) if row.assembly_id else None
        read.destination = place_codes.get(row.destination_id) if row.destination_id else None
        out.append(read)
    return sorted(out, key=lambda r: (r.mode, r.code))


# Groups ----------------------------------------------------------------------------------------


def save_group_data(
    session: Session,
    *,
    hijri_year: int | None,
    group_id: uuid.UUID,
    data_in: GroupDataWrite,
    actor: Actor,
) -> GroupDataRead:
    """Set a registry group's allowed routes, camp, gathering point and wishes per movement."""
    auth_service.require(actor, Scope.TAFWEEJ_MANAGE)
    found = season(session, hijri_year)
    require_current(found)
    group = registry.get_group(session, group_id=group_id, actor=actor)
    if group.season_id != found.id:
        raise GroupNotFound("no such group this season")
    write_group_data(session, season_id=found.id, group_id=group.id, data_in=data_in)
    _audit(session, actor, "tafweej.group.save", "group", group.code)
    (read,) = list_group_data(session, hijri_year=hijri_year, actor=actor, group_ids={group.id})
    return read


def write_group_data(
    session: Session, *, season_id: uuid.UUID, group_id: uuid.UUID, data_in: GroupDataWrite
) -> None:
    routes = {code: r.id for code, r in routes_by_code(session, season_id).items()}
    movements = {code: m.id for code, m in movements_by_code(session, season_id).items()}
    places = {code: p.id for code, p in places_by_code(session, season_id).items()}
    route_ids = [resolve(routes, code, "route", "routes") for code in data_in.routes]
    slot_grid = session.get(SlotGrid, season_id)
    for code, wish in data_in.wishes.items():
        wanted = [wish.preferred] if wish.preferred is not None else []
        _check_slots(
            slot_grid.slots if slot_grid else None, f"wishes.{code}", wanted + wish.forbidden
        )
    wishes = {
        resolve(movements, code, "movement", f"wishes.{code}"): wish
        for code, wish in data_in.wishes.items()
    }
    if data_in.camp_id is not None:
        camp = registry.get_lodging(session, lodging_id=data_in.camp_id)
        if camp.kind != "camp":
            raise InvalidInput(f"camp_id: {camp.code} is a {camp.kind}, not a camp")
    row = session.scalar(
        select(GroupData).where(GroupData.season_id == season_id, GroupData.group_id == group_id)
    )
    if row is None:
        row = GroupData(season_id=season_id, group_id=group_id)
        session.add(row)
    row.camp_id = data_in.camp_id
    row.assembly_id = resolve(places, data_in.assembly, "place", "assembly")
    session.flush()
    session.execute(delete(GroupRoute).where(GroupRoute.group_data_id == row.id))
    session.execute(delete(GroupMovement).where(GroupMovement.group_data_id == row.id))
    session.add_all(GroupRoute(group_data_id=row.id, route_id=r) for r in dict.fromkeys(route_ids))
    session.add_all(
        GroupMovement(
            group_data_id=row.id,
            movement_id=movement_id,
            preferred=wish.preferred,
            forbidden=list(wish.forbidden),
        )
        for movement_id, wish in wishes.items()
        if wish.preferred is not None or wish.forbidden
    )
    session.flush()


def list_group_data(
    session: Session,
    *,
    hijri_year: int | None,
    actor: Actor,
    group_ids: set[uuid.UUID] | None = None,
) -> list[GroupDataRead]:
    """The season's groups (those the actor may see) that have Tafweej data, with their size."""
    auth_service.require(actor, Scope.TAFWEEJ_READ)
    found = season(session, hijri_year)
    require_current(found)
    groups = {g.id: g for g in registry.list_groups(session, actor=actor)}
    wanted = set(groups) if group_ids is None else set(groups) & group_ids
    if not wanted:
        return []
    rows = list(
        session.scalars(
            select(GroupData).where(GroupData.season_id == found.id, GroupData.group_id.in_(wanted))
        )
    )
    by_row = {r.id: r for r in rows}
    route_codes = {r.id: r.code for r in routes_by_code(session, found.id).values()}
    movement_codes = {m.id: m.code for m in movements_by_code(session, found.id).values()}
    place_codes = {p.id: p.code for p in places_by_code(session, found.id).values()}
    allowed: dict[uuid.UUID, list[str]] = defaultdict(list)
    wishes: dict[uuid.UUID, dict[str, GroupWish]] = defaultdict(dict)
    ids = list(by_row)
    for chunk in (ids[i : i + 500] for i in range(0, len(ids), 500)):
        for link in session.scalars(select(GroupRoute).where(GroupRoute.group_data_id.in_(chunk))):
            allowed[link.group_data_id].append(route_codes[link.route_id])
        for wish in session.scalars(
            select(GroupMovement).where(GroupMovement.group_data_id.in_(chunk))
        ):
            wishes[wish.group_data_id][movement_codes[wish.movement_id]] = GroupWish(
                preferred=wish.preferred, forbidden=list(wish.forbidden)
            )
    camp_ids = {r.camp_id for r in rows if r.camp_id is not None}
    camps = {c: registry.get_lodging(session, lodging_id=c).code for c in camp_ids}
    out = []
    for row in rows:
        group = groups[row.group_id]
        out.append(
            GroupDataRead(
                group_id=group.id,
                code=group.code,
                name=group.name,
                company_id=group.company_id,
                size=group.pilgrim_count,
                routes=sorted(allowed[row.id]),
                camp_id=row.camp_id,
                camp=camps.get(row.camp_id) if row.camp_id else None,
                assembly=place_codes.get(row.assembly_id) if row.assembly_id else None,
                wishes=wishes[row.id],
            )
        )
    return sorted(out, key=lambda g: g.code)


# The whole season ------------------------------------------------------------------------------


def season_data(
    session: Session, *, hijri_year: int | None, actor: Actor, with_groups: bool = True
) -> SeasonData:
    auth_service.require(actor, Scope.TAFWEEJ_READ)
    found = season(session, hijri_year)
    slot_grid = session.get(SlotGrid, found.id)
    places = places_by_code(session, found.id)
    place_codes = {p.id: p.code for p in places.values()}
    movements = movements_by_code(session, found.id)
    movement_codes = {m.id: m.code for m in movements.values()}
    groups = (
        list_group_data(session, hijri_year=found.hijri_year, actor=actor)
        if with_groups and found.is_current
        else []
    )
    return SeasonData(
        hijri_year=found.hijri_year,
        grid=SlotGridRead.model_validate(slot_grid) if slot_grid else None,
        places=[PlaceRead.model_validate(p) for p in sorted(places.values(), key=_place_order)],
        movements=[_movement_read(m, place_codes, movement_codes) for m in movements.values()],
        routes=list_routes(session, season_id=found.id),
        groups=groups,
    )


_PLACE_ORDER = ("haram", "mina", "arafat", "muzdalifah", "jamarat", "station", "assembly", "other")


def _place_order(place: Place) -> tuple[int, str]:
    kind = place.kind if place.kind in _PLACE_ORDER else "other"
    return _PLACE_ORDER.index(kind), place.code
