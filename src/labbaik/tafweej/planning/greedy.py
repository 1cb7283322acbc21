"""The greedy baseline: big groups first, each at the open slot nearest its wish."""

from __future__ import annotations

import time

import numpy as np

from labbaik.tafweej.planning.errors import Infeasible, Shortfall
from labbaik.tafweej.planning.format import Assignment, Instance, Schedule
from labbaik.tafweej.planning.model import Compiled, compile_instance


def greedy(instance: Instance) -> Schedule:
    """A schedule by the baseline rule; Infeasible when it leaves a group without a place."""
    started = time.perf_counter()
    c = compile_instance(instance)
    starts = greedy_starts(c)
    return to_schedule(c, starts, lower_bound=None, seconds=time.perf_counter() - started)


def greedy_starts(c: Compiled) -> list[list[tuple[int, int]]]:
    """Per movement, per group, the (route, slot) the baseline rule picks."""
    free = c.capacity.astype(np.int64).tolist()
    by_size = sorted(range(len(c.group_ids)), key=lambda g: (-c.sizes[g], g))
    chosen: list[list[tuple[int, int]]] = []
    for m, mid in enumerate(c.movement_ids):
        picks: list[tuple[int, int]] = [(-1, -1)] * len(c.group_ids)
        unplaced: list[int] = []
        for g in by_size:
            earliest = 0
            if m in c.predecessor:
                p, gap = c.predecessor[m]
                earliest = chosen[p][g][1] + gap
            pick = _nearest(c, free, m, g, earliest)
            if pick is None:
                unplaced.append(g)
                continue
            r, t = pick
            size = c.sizes[g]
            row = free[r]
            for u in range(t, t + c.durations[r]):
                row[u] -= size
            picks[g] = pick
        if unplaced:
            allowed = sorted({t for g in unplaced for t in c.allowed[m][g]})
            raise Infeasible(
                [
                    Shortfall(
                        movement=mid,
                        slots=tuple(allowed),
                        groups=len(unplaced),
                        pilgrims=sum(c.sizes[g] for g in unplaced),
                        reason="the greedy rule found no route with room left, "
                        "e.g. for group " + c.group_ids[unplaced[0]],
                    )
                ]
            )
        chosen.append(picks)
    return chosen


def _nearest(
    c: Compiled, free: list[list[int]], m: int, g: int, earliest: int
) -> tuple[int, int] | None:
    size = c.sizes[g]
    slots = [t for t in c.allowed[m][g] if t >= earliest]
    if not slots:
        return None
    wish = c.preferred[m][g]
    target = slots[0] if wish is None else wish
    slots.sort(key=lambda t: (abs(t - target), t))
    for t in slots:
        best: tuple[int, int] | None = None
        best_room = -1
        for r in c.routes[m][g]:
            end = t + c.durations[r]
            if end > c.slots:
                continue
            room = min(free[r][t:end])
            if room >= size and room - size > best_room:
                best, best_room = (r, t), room - size
        if best is not None:
            return best
    return None


def to_schedule(
    c: Compiled,
    starts: list[list[tuple[int, int]]],
    *,
    lower_bound: int | None,
    seconds: float,
) -> Schedule:
    """The format's schedule of chosen (route, slot) pairs, with its objective."""
    assignments = []
    objective = 0
    for m, mid in enumerate(c.movement_ids):
        for g, (r, t) in enumerate(starts[m]):
            assignments.append(
                Assignment(group=c.group_ids[g], movement=mid, slot=t, route=c.route_ids[r])
            )
            objective += c.cost(m, g, t)
    return Schedule(
        assignments=assignments,
        objective=objective,
        lower_bound=lower_bound,
        seconds=round(seconds, 3),
    )
