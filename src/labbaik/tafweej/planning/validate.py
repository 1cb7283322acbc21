"""The validator: every way a schedule breaks an instance's rules, and its objective recomputed.

It shares no code or bookkeeping with the planner on purpose: it is the independent judge of what
the planner (or anyone else) produced, written straight from the format's definition.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from labbaik.tafweej.planning.format import Assignment, Group, Instance, Movement, Route, Schedule

KINDS = (
    "unknown_group",
    "unknown_movement",
    "unknown_route",
    "missing",
    "duplicate",
    "route_not_allowed",
    "route_not_serving",
    "outside_window",
    "forbidden_for_movement",
    "forbidden_for_group",
    "past_end",
    "over_capacity",
    "precedence",
    "objective_mismatch",
)


@dataclass(frozen=True)
class Violation:
    """One broken rule, with what it concerns; `excess` is the persons over a route's capacity."""

    kind: str
    message: str
    group: str | None = None
    movement: str | None = None
    route: str | None = None
    slot: int | None = None
    excess: int = 0


@dataclass
class CheckReport:
    """Every violation found and the objective recomputed from the assignments."""

    violations: list[Violation] = field(default_factory=list)
    objective: int = 0
    assignments: int = 0

    @property
    def ok(self) -> bool:
        return not self.violations

    def counts(self) -> dict[str, int]:
        out: dict[str, int] = defaultdict(int)
        for v in self.violations:
            out[v.kind] += 1
        return dict(out)

    def summary(self) -> str:
        if self.ok:
            return f"valid: {self.assignments} assignments, objective {self.objective}"
        kinds = ", ".join(f"{n} {k}" for k, n in sorted(self.counts().items()))
        return (
            f"invalid: {len(self.violations)} violations ({kinds}); "
            f"{self.assignments} assignments, objective recomputed {self.objective}"
        )


def check(instance: Instance, schedule: Schedule) -> CheckReport:
    """Judge a schedule against an instance: list every violation and recompute the objective."""
    report = CheckReport(assignments=len(schedule.assignments))
    out = report.violations
    groups = {g.id: g for g in instance.groups}
    movements = {m.id: m for m in instance.movements}
    routes = {r.id: r for r in instance.routes}

    chosen: dict[tuple[str, str], Assignment] = {}
    for a in schedule.assignments:
        known = True
        if a.group not in groups:
            out.append(Violation("unknown_group", f"unknown group {a.group!r}", group=a.group))
            known = False
        if a.movement not in movements:
            out.append(Violation("unknown_movement", f"unknown movement {a.movement!r}", a.group))
            known = False
        if a.route not in routes:
            out.append(
                Violation(
                    "unknown_route",
                    f"group {a.group} movement {a.movement}: unknown route {a.route!r}",
                    a.group,
                    a.movement,
                    a.route,
                )
            )
            known = False
        if not known:
            continue
        key = (a.group, a.movement)
        if key in chosen:
            out.append(
                Violation(
                    "duplicate",
                    f"group {a.group} is scheduled more than once for movement {a.movement}",
                    a.group,
                    a.movement,
                )
            )
            continue
        chosen[key] = a
        _check_assignment(instance, a, groups[a.group], movements[a.movement], routes[a.route], out)

    for g in instance.groups:
        for m in instance.movements:
            if (g.id, m.id) not in chosen:
                out.append(
                    Violation(
                        "missing",
                        f"group {g.id} has no assignment for movement {m.id}",
                        g.id,
                        m.id,
                    )
                )

    _check_capacity(instance, chosen.values(), out)
    _check_precedence(instance, chosen, out)

    objective = 0
    for (gid, mid), a in chosen.items():
        preferred = groups[gid].preferred.get(mid)
        if preferred is not None:
            objective += groups[gid].size * abs(a.slot - preferred)
    report.objective = objective
    if schedule.objective != objective:
        out.append(
            Violation(
                "objective_mismatch",
                f"the schedule states objective {schedule.objective}, "
                f"its assignments give {objective}",
            )
        )
    if schedule.lower_bound is not None and schedule.lower_bound > objective:
        out.append(
            Violation(
                "objective_mismatch",
                f"the stated lower bound {schedule.lower_bound} exceeds the objective {objective}",
            )
        )
    return report


def _check_assignment(
    instance: Instance,
    a: Assignment,
    g: Group,
    m: Movement,
    r: Route,
    out: list[Violation],
) -> None:
    where = f"group {a.group} movement {a.movement} slot {a.slot} route {a.route}"

    def bad(kind: str, why: str) -> None:
        out.append(Violation(kind, f"{where}: {why}", a.group, a.movement, a.route, a.slot))

    if a.route not in g.routes:
        bad("route_not_allowed", "the group may not take this route")
    if a.movement not in r.movements:
        bad("route_not_serving", "the route does not serve this movement")
    lo, hi = m.window
    if not lo <= a.slot <= hi:
        bad("outside_window", f"outside the movement's window [{lo}, {hi}]")
    if a.slot in m.forbidden:
        bad("forbidden_for_movement", "the slot is forbidden for the movement")
    if a.slot in g.forbidden.get(a.movement, []):
        bad("forbidden_for_group", "the slot is forbidden for the group")
    if a.slot + r.duration > instance.slots:
        bad("past_end", f"start + duration {r.duration} passes the last slot {instance.slots - 1}")


def _check_capacity(
    instance: Instance, assignments: Iterable[Assignment], out: list[Violation]
) -> None:
    sizes = {g.id: g.size for g in instance.groups}
    routes = {r.id: r for r in instance.routes}
    load: dict[tuple[str, int], int] = defaultdict(int)
    for a in assignments:
        for slot in range(a.slot, min(a.slot + routes[a.route].duration, instance.slots)):
            load[a.route, slot] += sizes[a.group]
    for (rid, slot), persons in sorted(load.items()):
        capacity = routes[rid].capacity_at(slot)
        if persons > capacity:
            out.append(
                Violation(
                    "over_capacity",
                    f"route {rid} slot {slot}: {persons} persons for a capacity of {capacity} "
                    f"(over by {persons - capacity})",
                    route=rid,
                    slot=slot,
                    excess=persons - capacity,
                )
            )


def _check_precedence(
    instance: Instance, chosen: dict[tuple[str, str], Assignment], out: list[Violation]
) -> None:
    for m in instance.movements:
        if m.after is None:
            continue
        for g in instance.groups:
            this = chosen.get((g.id, m.id))
            before = chosen.get((g.id, m.after.movement))
            if this is None or before is None:
                continue
            if this.slot < before.slot + m.after.min_gap:
                out.append(
                    Violation(
                        "precedence",
                        f"group {g.id}: movement {m.id} at slot {this.slot} must be at least "
                        f"{m.after.min_gap} slots after {m.after.movement} at slot {before.slot}",
                        g.id,
                        m.id,
                        this.route,
                        this.slot,
                    )
                )
