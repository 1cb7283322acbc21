"""Plans of a season: run the planner on the database, check, store, publish and re-plan."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from labbaik.auth import service as auth_service
from labbaik.auth.roles import Actor, Scope
from labbaik.errors import Busy, FieldProblem
from labbaik.kit.timeutil import utcnow
from labbaik.registry import service as registry
from labbaik.tafweej.errors import PlanInvalid, PlanNotFound, UnknownCode
from labbaik.tafweej.models import Assignment, Plan, SlotGrid
from labbaik.tafweej.planning import format as fmt
from labbaik.tafweej.planning.errors import Infeasible
from labbaik.tafweej.planning.greedy import greedy
from labbaik.tafweej.planning.replan import replan
from labbaik.tafweej.planning.solver import plan as solve
from labbaik.tafweej.planning.validate import CheckReport, check
from labbaik.tafweej.schemas import (
    AssignmentRead,
    BusySlot,
    PlanDetail,
    PlanRead,
    ReplanRequest,
    RouteLoad,
)
from labbaik.tafweej.service._common import (
    grid,
    movements_by_code,
    routes_by_code,
    season,
    slot_start,
)
from labbaik.tafweej.service.instances import export_instance

# The violations kept with a plan: enough to see what is wrong, never a page of thousands.
KEPT_VIOLATIONS = 50

# progress(stage, done, total), as the planner reports it.
Progress = Callable[[str, int, int], None]


def _gap(objective: int, lower_bound: float) -> float | None:
    # Relative to the bound, as the planner's own report gives it.
    if objective == 0:
        return 0.0
    if lower_bound <= 0:
        return None
    return max(0.0, (objective - lower_bound) / lower_bound)


def _read(row: Plan) -> PlanRead:
    values = {c: getattr(row, c) for c in PlanRead.model_fields if c != "gap"}
    return PlanRead(**values, gap=_gap(row.objective, row.lower_bound))


def _plan_row(session: Session, plan_id: uuid.UUID) -> Plan:
    row = session.get(Plan, plan_id)
    if row is None:
        raise PlanNotFound("no such plan")
    return row


def _earlier(session: Session, season_id: uuid.UUID, client_key: str | None) -> PlanRead | None:
    """The plan a first call with this key made, for a retry to get it back."""
    if not client_key:
        return None
    row = session.scalar(
        select(Plan).where(Plan.season_id == season_id, Plan.client_key == client_key)
    )
    return _read(row) if row is not None else None


def _store(
    session: Session,
    *,
    season_id: uuid.UUID,
    instance: fmt.Instance,
    schedule: fmt.Schedule,
    report: CheckReport,
    greedy_objective: int | None,
    actor: Actor,
    kind: str,
    client_key: str | None = None,
    parent: Plan | None = None,
    changes: dict[str, Any] | None = None,
) -> Plan:
    group_ids = {
        g.code: g.id for g in registry.list_groups(session, actor=actor, with_counts=False)
    }
    movement_ids = {code: m.id for code, m in movements_by_code(session, season_id).items()}
    route_ids = {code: r.id for code, r in routes_by_code(session, season_id).items()}
    version = (
        session.scalar(select(func.max(Plan.version)).where(Plan.season_id == season_id)) or 0
    ) + 1
    row = Plan(
        season_id=season_id,
        version=version,
        kind=kind,
        parent_id=parent.id if parent else None,
        client_key=client_key,
        instance=instance.model_dump(mode="json", exclude_none=True),
        objective=report.objective,
        lower_bound=float(schedule.lower_bound if schedule.lower_bound is not None else 0),
        seconds=schedule.seconds,
        greedy_objective=greedy_objective,
        valid=report.ok,
        violations=[v.message for v in report.violations[:KEPT_VIOLATIONS]],
        groups=len(instance.groups),
        pilgrims=sum(g.size for g in instance.groups),
        created_by=actor.username,
        **(changes or {}),
    )
    session.add(row)
    try:
        session.flush()
    except IntegrityError:
        raise Busy("another plan of this season is being stored; try again") from None
    rows = []
    for a in schedule.assignments:
        if a.group not in group_ids or a.movement not in movement_ids or a.route not in route_ids:
            raise UnknownCode(
                f"the schedule names {a.group}/{a.movement}/{a.route}, "
                "which the season no longer has"
            )
        rows.append(
            {
                "plan_id": row.id,
                "group_id": group_ids[a.group],
                "movement_id": movement_ids[a.movement],
                "route_id": route_ids[a.route],
                "slot": a.slot,
            }
        )
    if rows:
        session.execute(insert(Assignment), rows)
    auth_service.record(
        session,
        actor=actor,
        action=f"tafweej.{kind}",
        object_type="tafweej_plan",
        object_id=row.id,
        detail={"version": version, "objective": row.objective, "valid": row.valid},
    )
    return row


def run_plan(
    session: Session,
    *,
    hijri_year: int | None,
    actor: Actor,
    time_limit: float,
    client_key: str | None = None,
    progress: Progress | None = None,
) -> PlanRead:
    """Plan the season from the database, run the validator on it, and store both.

    A retried call with the same client_key returns the plan the first call made.
    """
    auth_service.require(actor, Scope.TAFWEEJ_PLAN)
    found = season(session, hijri_year)
    earlier = _earlier(session, found.id, client_key)
    if earlier is not None:
        return earlier
    exported = export_instance(session, hijri_year=found.hijri_year, actor=actor)
    instance = exported.instance
    try:
        greedy_objective: int | None = greedy(instance).objective
    except Infeasible:
        # The planner explains an infeasible season better than greedy's first failure.
        greedy_objective = None
    schedule = solve(instance, time_limit=time_limit, progress=progress)
    report = check(instance, schedule)
    row = _store(
        session,
        season_id=found.id,
        instance=instance,
        schedule=schedule,
        report=report,
        greedy_objective=greedy_objective,
        actor=actor,
        kind="plan",
        client_key=client_key,
    )
    return _read(row)


def list_plans(session: Session, *, hijri_year: int | None, actor: Actor) -> list[PlanRead]:
    auth_service.require(actor, Scope.TAFWEEJ_PLAN)
    found = season(session, hijri_year)
    rows = session.scalars(
        select(Plan).where(Plan.season_id == found.id).order_by(Plan.version.desc())
    )
    return [_read(r) for r in rows]


def stored_schedule(session: Session, row: Plan, *, actor: Actor) -> fmt.Schedule:
    """A stored plan as an interchange schedule, with the codes of its season."""
    groups = {g.id: g.code for g in registry.list_groups(session, actor=actor, with_counts=False)}
    movements = {m.id: code for code, m in movements_by_code(session, row.season_id).items()}
    routes = {r.id: code for code, r in routes_by_code(session, row.season_id).items()}
    stored = list(session.scalars(select(Assignment).where(Assignment.plan_id == row.id)))
    # The registry lists its current season's groups; a plan of another season names its own.
    for group_id in {a.group_id for a in stored} - set(groups):
        groups[group_id] = registry.get_group(session, group_id=group_id, actor=actor).code
    assignments = [
        fmt.Assignment(
            group=groups[a.group_id],
            movement=movements[a.movement_id],
            slot=a.slot,
            route=routes[a.route_id],
        )
        for a in stored
    ]
    return fmt.Schedule(
        assignments=assignments,
        objective=row.objective,
        lower_bound=round(row.lower_bound),
        seconds=row.seconds,
    )


def get_plan(session: Session, *, plan_id: uuid.UUID, actor: Actor) -> PlanDetail:
    auth_service.require(actor, Scope.TAFWEEJ_PLAN)
    row = _plan_row(session, plan_id)
    slot_grid = grid(session, row.season_id)
    schedule = stored_schedule(session, row, actor=actor)
    return PlanDetail(
        **_read(row).model_dump(),
        assignments=[
            AssignmentRead(
                group=a.group,
                movement=a.movement,
                slot=a.slot,
                route=a.route,
                starts_at=slot_start(slot_grid, a.slot),
            )
            for a in sorted(schedule.assignments, key=lambda a: (a.group, a.slot))
        ],
    )


def publish_plan(session: Session, *, plan_id: uuid.UUID, actor: Actor) -> PlanRead:
    """Make this plan the one pilgrims and companies see; the season's others step back."""
    auth_service.require(actor, Scope.TAFWEEJ_PLAN)
    row = _plan_row(session, plan_id)
    if not row.valid:
        raise PlanInvalid(
            f"plan {row.version} breaks {len(row.violations)} rule(s) and cannot be published"
        )
    # Two operators publishing at once: the second waits for the first, so one plan stays.
    session.execute(select(Plan.id).where(Plan.season_id == row.season_id).with_for_update())
    session.execute(
        update(Plan)
        .where(Plan.season_id == row.season_id, Plan.id != row.id)
        .values(is_published=False)
    )
    row.is_published = True
    row.published_at = utcnow()
    session.flush()
    auth_service.record(
        session,
        actor=actor,
        action="tafweej.publish",
        object_type="tafweej_plan",
        object_id=row.id,
        detail={"version": row.version},
    )
    return _read(row)


def published_plan(session: Session, *, season_id: uuid.UUID) -> Plan | None:
    return session.scalar(
        select(Plan).where(Plan.season_id == season_id, Plan.is_published.is_(True))
    )


def _closed(
    instance: fmt.Instance, schedule: fmt.Schedule, codes: list[str], from_slot: int
) -> fmt.Instance:
    """The instance with the routes closed from from_slot: nobody new may enter them.

    A group already on a closed route when it closes finishes its way, so from that slot on
    the capacity left is what those groups still hold.
    """
    routes = {r.id: r for r in instance.routes}
    sizes = {g.id: g.size for g in instance.groups}
    held: dict[str, list[int]] = {code: [0] * instance.slots for code in codes}
    for a in schedule.assignments:
        if a.route in held and a.slot < from_slot:
            for t in range(
                max(a.slot, from_slot), min(a.slot + routes[a.route].duration, instance.slots)
            ):
                held[a.route][t] += sizes[a.group]
    changed = []
    for r in instance.routes:
        if r.id not in held:
            changed.append(r)
            continue
        capacity = [
            r.capacity_at(t) if t < from_slot else min(r.capacity_at(t), held[r.id][t])
            for t in range(instance.slots)
        ]
        changed.append(r.model_copy(update={"capacity": capacity}))
    return instance.model_copy(update={"routes": changed})


def replan_plan(
    session: Session,
    *,
    plan_id: uuid.UUID,
    request: ReplanRequest,
    actor: Actor,
    client_key: str | None = None,
) -> PlanRead:
    """Re-plan from a slot on, for late groups or closed routes; store it as a new version.

    The past stays as it was; the planner changes as few later assignments as it can and
    says how many groups moved. A re-plan of the published plan is published when it is valid.
    """
    auth_service.require(actor, Scope.TAFWEEJ_PLAN)
    base = _plan_row(session, plan_id)
    earlier = _earlier(session, base.season_id, client_key)
    if earlier is not None:
        return earlier
    instance = fmt.parse_instance(base.instance)
    schedule = stored_schedule(session, base, actor=actor)
    group_codes = {g.id for g in instance.groups}
    route_codes = {r.id for r in instance.routes}
    problems = [
        FieldProblem(field=f"late_groups[{code}]", message="not a group of the plan")
        for code in request.late_groups
        if code not in group_codes
    ] + [
        FieldProblem(field=f"closed_routes[{code}]", message="not a route of the plan")
        for code in request.closed_routes
        if code not in route_codes
    ]
    if problems:
        raise UnknownCode("the re-plan names what the plan does not have", problems=problems)
    if request.from_slot >= instance.slots:
        raise UnknownCode(f"from_slot: the plan's last slot is {instance.slots - 1}")
    new_schedule, moved = replan(
        instance,
        schedule,
        from_slot=request.from_slot,
        closed_routes=tuple(request.closed_routes),
        late_groups=dict(request.late_groups) or None,
        time_limit=request.time_limit,
    )
    judged = (
        _closed(instance, schedule, request.closed_routes, request.from_slot)
        if request.closed_routes
        else instance
    )
    report = check(judged, new_schedule)
    row = _store(
        session,
        season_id=base.season_id,
        instance=judged,
        schedule=new_schedule,
        report=report,
        greedy_objective=base.greedy_objective,
        actor=actor,
        kind="replan",
        client_key=client_key,
        parent=base,
        changes={
            "from_slot": request.from_slot,
            "closed_routes": list(request.closed_routes),
            "late_groups": dict(request.late_groups),
            "moved": moved,
        },
    )
    if base.is_published and row.valid:
        return publish_plan(session, plan_id=row.id, actor=actor)
    return _read(row)


# The load of each route ------------------------------------------------------------------------


def route_loads(session: Session, *, plan_id: uuid.UUID, actor: Actor) -> list[RouteLoad]:
    """Persons on each route in each slot, beside its capacity."""
    auth_service.require(actor, Scope.TAFWEEJ_PLAN)
    row = _plan_row(session, plan_id)
    instance = fmt.parse_instance(row.instance)
    schedule = stored_schedule(session, row, actor=actor)
    routes = routes_by_code(session, row.season_id)
    sizes = {g.id: g.size for g in instance.groups}
    load = {r.id: [0] * instance.slots for r in instance.routes}
    durations = {r.id: r.duration for r in instance.routes}
    for a in schedule.assignments:
        for t in range(a.slot, min(a.slot + durations[a.route], instance.slots)):
            load[a.route][t] += sizes[a.group]
    out = []
    for r in instance.routes:
        capacity = [r.capacity_at(t) for t in range(instance.slots)]
        peak = max(
            (load[r.id][t] / capacity[t] for t in range(instance.slots) if capacity[t]),
            default=0.0,
        )
        known = routes.get(r.id)
        out.append(
            RouteLoad(
                route=r.id,
                name=known.name if known else r.id,
                name_ar=known.name_ar if known else None,
                mode=known.mode if known else "walk",
                load=load[r.id],
                capacity=capacity,
                peak_percent=round(100 * peak, 1),
            )
        )
    return out


def busiest_slots(
    session: Session, *, plan_id: uuid.UUID, loads: list[RouteLoad], limit: int = 15
) -> list[BusySlot]:
    """The route-slots closest to their capacity, fullest first."""
    row = _plan_row(session, plan_id)
    slot_grid: SlotGrid = grid(session, row.season_id)
    cells = [
        (r.load[t] / r.capacity[t], r, t)
        for r in loads
        for t in range(len(r.load))
        if r.capacity[t] and r.load[t]
    ]
    cells.sort(key=lambda c: (-c[0], c[1].route, c[2]))
    return [
        BusySlot(
            route=r.route,
            slot=t,
            starts_at=slot_start(slot_grid, t),
            load=r.load[t],
            capacity=r.capacity[t],
            percent=round(100 * share, 1),
        )
        for share, r, t in cells[:limit]
    ]
