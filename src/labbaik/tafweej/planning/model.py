"""The planner's compiled view of an instance: indices, capacities and each group's options."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from labbaik.tafweej.planning.errors import Infeasible, Shortfall
from labbaik.tafweej.planning.format import Instance

IntArray = npt.NDArray[np.int64]


@dataclass
class Compiled:
    """Everything the planner reads, by index: route r, slot t, group g, movement m."""

    instance: Instance
    slots: int
    route_ids: list[str]
    durations: list[int]
    capacity: IntArray  # (routes, slots), persons
    group_ids: list[str]
    sizes: list[int]
    movement_ids: list[str]  # in precedence order: a movement after the one it follows
    predecessor: dict[int, tuple[int, int]]  # movement -> (movement it follows, min gap)
    successors: dict[int, list[tuple[int, int]]]
    # Per movement, per group: the routes it may take and the start slots allowed on any of
    # them (window, forbidden slots, the end of the season, and what precedence implies).
    routes: list[list[tuple[int, ...]]] = field(default_factory=list)
    allowed: list[list[tuple[int, ...]]] = field(default_factory=list)
    preferred: list[list[int | None]] = field(default_factory=list)

    def options(
        self, m: int, g: int, *, earliest: int = 0, closed: frozenset[int] = frozenset()
    ) -> list[tuple[int, int]]:
        """(route, start slot) pairs open to group g for movement m."""
        out = []
        for t in self.allowed[m][g]:
            if t < earliest:
                continue
            for r in self.routes[m][g]:
                if r not in closed and t + self.durations[r] <= self.slots:
                    out.append((r, t))
        return out

    def cost(self, m: int, g: int, t: int) -> int:
        p = self.preferred[m][g]
        return 0 if p is None else self.sizes[g] * abs(t - p)


def compile_instance(instance: Instance) -> Compiled:
    """Index an instance and narrow each group's slots by precedence; say why if none is left."""
    slots = instance.slots
    route_index = {r.id: i for i, r in enumerate(instance.routes)}
    capacity = np.zeros((len(instance.routes), slots), dtype=np.int64)
    for i, r in enumerate(instance.routes):
        capacity[i, :] = r.capacity
    order = instance.movement_order()
    movement_index = {mid: i for i, mid in enumerate(order)}
    movements = {m.id: m for m in instance.movements}
    predecessor: dict[int, tuple[int, int]] = {}
    successors: dict[int, list[tuple[int, int]]] = {i: [] for i in range(len(order))}
    for mid in order:
        after = movements[mid].after
        if after is not None:
            p = movement_index[after.movement]
            predecessor[movement_index[mid]] = (p, after.min_gap)
            successors[p].append((movement_index[mid], after.min_gap))

    c = Compiled(
        instance=instance,
        slots=slots,
        route_ids=[r.id for r in instance.routes],
        durations=[r.duration for r in instance.routes],
        capacity=capacity,
        group_ids=[g.id for g in instance.groups],
        sizes=[g.size for g in instance.groups],
        movement_ids=order,
        predecessor=predecessor,
        successors=successors,
    )
    serving: dict[str, set[int]] = {mid: set() for mid in order}
    for r in instance.routes:
        for mid in r.movements:
            serving[mid].add(route_index[r.id])
    shortfalls: list[Shortfall] = []
    for mid in order:
        mv = movements[mid]
        lo, hi = mv.window
        open_slots = set(range(lo, hi + 1)) - set(mv.forbidden)
        routes_m: list[tuple[int, ...]] = []
        allowed_m: list[tuple[int, ...]] = []
        for g in instance.groups:
            rs = tuple(sorted(route_index[r] for r in g.routes if route_index[r] in serving[mid]))
            last = slots - min((c.durations[r] for r in rs), default=slots + 1)
            banned = set(g.forbidden.get(mid, ()))
            allowed_m.append(tuple(t for t in sorted(open_slots) if t <= last and t not in banned))
            routes_m.append(rs)
        c.routes.append(routes_m)
        c.allowed.append(allowed_m)
        c.preferred.append([g.preferred.get(mid) for g in instance.groups])
    _narrow_by_precedence(c)
    for m, mid in enumerate(order):
        empty = [g for g in range(len(c.group_ids)) if not c.allowed[m][g]]
        if empty:
            lo, hi = movements[mid].window
            shortfalls.append(
                Shortfall(
                    movement=mid,
                    slots=tuple(range(lo, hi + 1)),
                    groups=len(empty),
                    pilgrims=sum(c.sizes[g] for g in empty),
                    reason="no slot and route is open to them (routes, forbidden slots and "
                    "precedence leave none), e.g. group " + c.group_ids[empty[0]],
                )
            )
    if shortfalls:
        raise Infeasible(shortfalls)
    return c


def _narrow_by_precedence(c: Compiled) -> None:
    # Any schedule has t_m >= min(allowed of the predecessor) + gap and t_m + gap_s <=
    # max(allowed of each successor): keeping only such slots loses no schedule.
    n_groups = len(c.group_ids)
    for m in range(len(c.movement_ids)):
        if m in c.predecessor:
            p, gap = c.predecessor[m]
            for g in range(n_groups):
                if c.allowed[p][g]:
                    first = c.allowed[p][g][0] + gap
                    c.allowed[m][g] = tuple(t for t in c.allowed[m][g] if t >= first)
    for m in reversed(range(len(c.movement_ids))):
        for s, gap in c.successors[m]:
            for g in range(n_groups):
                if c.allowed[s][g]:
                    last = c.allowed[s][g][-1] - gap
                    c.allowed[m][g] = tuple(t for t in c.allowed[m][g] if t <= last)
