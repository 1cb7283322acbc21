"""Re-planning from a slot on: the past stays, as few later assignments change as possible.

An assignment that starts before `from_slot` is the past and never changes. A later one stays as
it is unless it became wrong: its route closed, its group late (no start before `from_slot` plus
the delay), or its previous movement moved past it. Those are placed again at the cheapest option
with room; where none has room, groups in the way move aside, each move weighing more than any
objective, so moves are minimised first and the objective second.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping

from labbaik.tafweej.planning.errors import Infeasible, InvalidSchedule, Shortfall
from labbaik.tafweej.planning.format import Instance, Route, Schedule
from labbaik.tafweej.planning.greedy import to_schedule
from labbaik.tafweej.planning.model import Compiled, compile_instance
from labbaik.tafweej.planning.rounding import Fitter, Pick
from labbaik.tafweej.planning.validate import check


def replan(
    instance: Instance,
    schedule: Schedule,
    *,
    from_slot: int,
    closed_routes: Iterable[str] = (),
    late_groups: Mapping[str, int] | None = None,
    time_limit: float = 60.0,
) -> tuple[Schedule, int]:
    """The re-planned schedule and how many groups have an assignment that changed."""
    started = time.monotonic()
    deadline = started + max(time_limit, 1.0)
    c = compile_instance(instance)
    closed = _route_indices(c, closed_routes)
    delays = _delays(c, late_groups or {})
    current = _current(c, schedule)
    n_groups = len(c.group_ids)
    # Every assignment holds its capacity until it is taken out to be placed again.
    free = c.capacity.astype(int).tolist()
    for m in range(len(c.movement_ids)):
        for g in range(n_groups):
            r, t = current[m][g]
            for u in range(t, t + c.durations[r]):
                free[r][u] -= c.sizes[g]

    new: list[list[Pick]] = []
    weight = sum(c.sizes) * c.slots + 1
    for m in range(len(c.movement_ids)):
        earliest = [_earliest(c, m, g, new, from_slot, delays) for g in range(n_groups)]

        def options(g: int, m: int = m, earliest: list[int] = earliest) -> list[Pick]:
            return c.options(m, g, earliest=earliest[g], closed=closed)

        def cost(g: int, o: Pick, m: int = m) -> int:
            moved = o != current[m][g]
            # A start that breaks the group's next movement as planned moves that one too.
            breaks = any(
                current[s][g][1] >= from_slot and current[s][g][1] < o[1] + gap
                for s, gap in c.successors[m]
            )
            return weight * (int(moved) + int(breaks)) + c.cost(m, g, o[1])

        fitter = Fitter(c, free, options, cost)
        displaced = []
        for g in range(n_groups):
            r, t = current[m][g]
            if t < from_slot:
                continue
            fitter.pick[g] = (r, t)
            for u in range(t, t + c.durations[r]):
                fitter.occupants.setdefault((r, u), set()).add(g)
            if r in closed or t < earliest[g] or t not in c.allowed[m][g]:
                displaced.append(g)
        for g in displaced:
            fitter.remove(g)
        unplaced = _place(c, fitter, displaced)
        if unplaced:
            _infeasible(c, m, unplaced, earliest, closed)
        if time.monotonic() < deadline:
            fitter.improve(
                passes=2, among=[g for g, o in fitter.pick.items() if o != current[m][g]]
            )
        new.append([fitter.pick.get(g, current[m][g]) for g in range(n_groups)])

    moved = sum(
        1
        for g in range(n_groups)
        if any(new[m][g] != current[m][g] for m in range(len(c.movement_ids)))
    )
    out = to_schedule(c, new, lower_bound=None, seconds=time.monotonic() - started)
    report = check(closed_instance(instance, schedule, closed_routes, from_slot), out)
    if not report.ok:
        raise InvalidSchedule(
            "the re-planned schedule failed its own check: " + report.violations[0].message
        )
    return out, moved


def _place(c: Compiled, fitter: Fitter, displaced: list[int]) -> list[int]:
    unplaced = []
    for g in sorted(displaced, key=lambda x: (-c.sizes[x], x)):
        o = fitter.cheapest_fit(g)
        if o is not None:
            fitter.place(g, o)
            continue
        # No option has room: take the one that overloads least, then move others aside.
        opts = fitter.options(g)
        if not opts:
            unplaced.append(g)
            continue
        size = c.sizes[g]

        def overload(o: Pick, size: int = size) -> int:
            r, t = o
            return max(size - fitter.free[r][u] for u in range(t, t + c.durations[r]))

        fitter.place(g, min(opts, key=lambda o: (overload(o), fitter.cost(g, o))))
        unplaced.extend(fitter.repair())
    for g in list(unplaced):
        o = fitter.cheapest_fit(g)
        if o is not None:
            fitter.place(g, o)
            unplaced.remove(g)
    return unplaced


def _infeasible(
    c: Compiled, m: int, unplaced: list[int], earliest: list[int], closed: frozenset[int]
) -> None:
    slots = sorted(
        {t for g in unplaced for _, t in c.options(m, g, earliest=earliest[g], closed=closed)}
    )
    raise Infeasible(
        [
            Shortfall(
                movement=c.movement_ids[m],
                slots=tuple(slots),
                groups=len(unplaced),
                pilgrims=sum(c.sizes[g] for g in unplaced),
                reason=(
                    "after the change no open route has room left for them"
                    if slots
                    else "the delay or the closed routes leave them no open slot in the window"
                )
                + ", e.g. group "
                + c.group_ids[unplaced[0]],
            )
        ]
    )


def _earliest(
    c: Compiled,
    m: int,
    g: int,
    new: list[list[Pick]],
    from_slot: int,
    delays: dict[int, int],
) -> int:
    earliest = from_slot + delays.get(g, 0)
    if m in c.predecessor:
        p, gap = c.predecessor[m]
        earliest = max(earliest, new[p][g][1] + gap)
    return earliest


def _route_indices(c: Compiled, routes: Iterable[str]) -> frozenset[int]:
    index = {rid: i for i, rid in enumerate(c.route_ids)}
    unknown = sorted(set(routes) - set(index))
    if unknown:
        raise InvalidSchedule(f"unknown routes to close: {', '.join(unknown)}")
    return frozenset(index[r] for r in routes)


def _delays(c: Compiled, late: Mapping[str, int]) -> dict[int, int]:
    index = {gid: i for i, gid in enumerate(c.group_ids)}
    unknown = sorted(set(late) - set(index))
    if unknown:
        raise InvalidSchedule(f"unknown late groups: {', '.join(unknown)}")
    bad = sorted(gid for gid, d in late.items() if d < 0)
    if bad:
        raise InvalidSchedule(f"a delay cannot be negative: {', '.join(bad)}")
    return {index[gid]: d for gid, d in late.items()}


def _current(c: Compiled, schedule: Schedule) -> list[list[Pick]]:
    groups = {gid: i for i, gid in enumerate(c.group_ids)}
    movements = {mid: i for i, mid in enumerate(c.movement_ids)}
    routes = {rid: i for i, rid in enumerate(c.route_ids)}
    current: list[list[Pick | None]] = [[None] * len(groups) for _ in movements]
    for a in schedule.assignments:
        if a.group not in groups or a.movement not in movements or a.route not in routes:
            raise InvalidSchedule(
                f"the schedule names what the instance does not have: {a.group} {a.movement} "
                f"{a.route}"
            )
        current[movements[a.movement]][groups[a.group]] = (routes[a.route], a.slot)
    out: list[list[Pick]] = []
    for m, row in enumerate(current):
        missing = [c.group_ids[g] for g, pick in enumerate(row) if pick is None]
        if missing:
            raise InvalidSchedule(
                f"the schedule has no assignment for movement {c.movement_ids[m]} of "
                f"{len(missing)} groups, e.g. {missing[0]}"
            )
        out.append([pick for pick in row if pick is not None])
    return out


def closed_instance(
    instance: Instance, schedule: Schedule, closed_routes: Iterable[str], from_slot: int
) -> Instance:
    """The instance with each closed route's capacity, from `from_slot` on, cut to what the
    groups already on it (started before that slot) occupy: the rules a re-plan must keep."""
    closed = set(closed_routes)
    if not closed:
        return instance
    sizes = {g.id: g.size for g in instance.groups}
    durations = {r.id: r.duration for r in instance.routes}
    held: dict[tuple[str, int], int] = {}
    for a in schedule.assignments:
        if a.route in closed and a.slot < from_slot:
            for u in range(a.slot, min(a.slot + durations[a.route], instance.slots)):
                held[a.route, u] = held.get((a.route, u), 0) + sizes.get(a.group, 0)
    routes: list[Route] = []
    for r in instance.routes:
        if r.id not in closed:
            routes.append(r)
            continue
        capacity = [
            r.capacity_at(u) if u < from_slot else min(r.capacity_at(u), held.get((r.id, u), 0))
            for u in range(instance.slots)
        ]
        routes.append(r.model_copy(update={"capacity": capacity}))
    return instance.model_copy(update={"routes": routes})
