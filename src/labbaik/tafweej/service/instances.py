"""A season as an interchange instance (export), and an instance into a season (import)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy.orm import Session

from labbaik.auth import service as auth_service
from labbaik.auth.roles import Actor, Scope
from labbaik.errors import FieldProblem
from labbaik.kit.timeutil import to_riyadh
from labbaik.registry import service as registry
from labbaik.tafweej.errors import TafweejNotSetUp, UnknownCode
from labbaik.tafweej.planning import format as fmt
from labbaik.tafweej.schemas import (
    GroupDataWrite,
    GroupWish,
    ImportSummary,
    MovementWrite,
    RouteWrite,
    SlotGridWrite,
)
from labbaik.tafweej.service import data
from labbaik.tafweej.service._common import grid, movements_by_code, require_current, season


@dataclass(frozen=True)
class Exported:
    """The instance, and the season's groups it had to leave out (no Tafweej data, no pilgrims)."""

    instance: fmt.Instance
    group_ids: dict[str, uuid.UUID]
    left_out: list[str] = field(default_factory=list)


def export_instance(session: Session, *, hijri_year: int | None, actor: Actor) -> Exported:
    """The season's data in the interchange format, validated by the format's own models."""
    auth_service.require(actor, Scope.TAFWEEJ_PLAN)
    found = season(session, hijri_year)
    require_current(found)
    slot_grid = grid(session, found.id)
    movements = movements_by_code(session, found.id)
    if not movements:
        raise TafweejNotSetUp(f"the season {found.hijri_year} AH has no movements yet")
    by_id = {m.id: m.code for m in movements.values()}
    routes = data.list_routes(session, season_id=found.id)
    groups = data.list_group_data(session, hijri_year=found.hijri_year, actor=actor)
    with_data = {g.group_id for g in groups}
    left_out = [
        g.code
        for g in registry.list_groups(session, actor=actor, with_counts=False)
        if g.id not in with_data
    ]
    planned = []
    for g in groups:
        if g.size == 0:
            left_out.append(g.code)
            continue
        planned.append(g)
    # Through the format's parser, so that anything wrong is named field by field.
    instance = fmt.parse_instance(
        {
            "slot_minutes": slot_grid.slot_minutes,
            "start": to_riyadh(slot_grid.start).isoformat(),
            "slots": slot_grid.slots,
            "routes": [
                {"id": r.code, "capacity": r.capacity, "duration": r.duration,
                 "movements": r.movements}
                for r in routes
            ],
            "movements": [
                {"id": m.code, "window": [m.window_start, m.window_end],
                 "forbidden": list(m.forbidden),
                 **({"after": {"movement": by_id[m.after_id], "min_gap": m.min_gap}}
                    if m.after_id else {})}
                for m in movements.values()
            ],
            "groups": [
                {"id": g.code, "size": g.size, "routes": g.routes,
                 "preferred": {k: w.preferred for k, w in g.wishes.items()
                               if w.preferred is not None},
                 "forbidden": {k: w.forbidden for k, w in g.wishes.items() if w.forbidden}}
                for g in planned
            ],
        }
    )  # fmt: skip
    return Exported(
        instance=instance,
        group_ids={g.code: g.group_id for g in planned},
        left_out=sorted(left_out),
    )


_MODES = ("walk", "bus", "metro")


def import_instance(
    session: Session, *, hijri_year: int | None, instance: fmt.Instance, actor: Actor
) -> ImportSummary:
    """Write an instance into a season: the grid, movements, routes, and the groups' data.

    Movements and routes are created or updated by their id; groups are matched to the
    registry's groups by code, and every unknown code is refused before anything is written.
    A group's size stays its pilgrims in the registry; differences are reported.
    """
    auth_service.require(actor, Scope.TAFWEEJ_MANAGE)
    found = season(session, hijri_year)
    require_current(found)
    registry_groups = {g.code: g for g in registry.list_groups(session, actor=actor)}
    unknown = [g.id for g in instance.groups if g.id not in registry_groups]
    if unknown:
        raise UnknownCode(
            f"{len(unknown)} group(s) of the file are not groups of {found.hijri_year} AH",
            problems=[
                FieldProblem(field=f"groups[{code}]", message="no such group") for code in unknown
            ],
        )
    data.set_grid(
        session,
        hijri_year=found.hijri_year,
        grid_in=SlotGridWrite(
            start=instance.start, slot_minutes=instance.slot_minutes, slots=instance.slots
        ),
        actor=actor,
    )
    existing = movements_by_code(session, found.id)
    for position, code in enumerate(instance.movement_order()):
        m = next(x for x in instance.movements if x.id == code)
        old = existing.get(code)
        slot_day = to_riyadh(
            instance.start + timedelta(minutes=instance.slot_minutes * m.window[0])
        )
        day = 8 + (slot_day.date() - found.day_8).days if found.day_8 else 8
        data.save_movement(
            session,
            hijri_year=found.hijri_year,
            movement_in=MovementWrite(
                code=code,
                name=old.name if old else code,
                name_ar=old.name_ar if old else None,
                hijri_day=old.hijri_day if old else min(13, max(8, day)),
                position=position,
                window_start=m.window[0],
                window_end=m.window[1],
                forbidden=m.forbidden,
                after=m.after.movement if m.after else None,
                min_gap=m.after.min_gap if m.after else 0,
            ),
            actor=actor,
        )
    old_routes = {r.code: r for r in data.list_routes(session, season_id=found.id)}
    for r in instance.routes:
        old_route = old_routes.get(r.id)
        guess = next((mode for mode in _MODES if r.id.lower().startswith(mode)), "walk")
        data.save_route(
            session,
            hijri_year=found.hijri_year,
            route_in=RouteWrite(
                code=r.id,
                mode=old_route.mode if old_route else guess,
                name=old_route.name if old_route else r.id,
                name_ar=old_route.name_ar if old_route else None,
                capacity=r.capacity,
                duration=r.duration,
                movements=r.movements,
                assembly=old_route.assembly if old_route else None,
                destination=old_route.destination if old_route else None,
                ticket_colour=old_route.ticket_colour if old_route else None,
                bus_number=old_route.bus_number if old_route else None,
                bus_colour=old_route.bus_colour if old_route else None,
            ),
            actor=actor,
        )
    current = {
        g.code: g for g in data.list_group_data(session, hijri_year=found.hijri_year, actor=actor)
    }
    differences = []
    for g in instance.groups:
        group = registry_groups[g.id]
        old_group = current.get(g.id)
        wishes = {
            code: GroupWish(preferred=g.preferred.get(code), forbidden=g.forbidden.get(code, []))
            for code in {*g.preferred, *g.forbidden}
        }
        data.write_group_data(
            session,
            season_id=found.id,
            group_id=group.id,
            data_in=GroupDataWrite(
                routes=g.routes,
                camp_id=old_group.camp_id if old_group else None,
                assembly=old_group.assembly if old_group else None,
                wishes=wishes,
            ),
        )
        if g.size != group.pilgrim_count:
            differences.append(f"{g.id}: {g.size} in the file, {group.pilgrim_count} registered")
    auth_service.record(
        session,
        actor=actor,
        action="tafweej.instance.import",
        object_type="season",
        object_id=found.id,
        detail={"groups": len(instance.groups), "routes": len(instance.routes)},
    )
    return ImportSummary(
        routes=len(instance.routes),
        movements=len(instance.movements),
        groups=len(instance.groups),
        size_differences=differences,
    )
