"""The planner: per-movement LP relaxations, rounded to whole groups, with a proven lower bound.

Relaxing the precedence links, the season falls apart into pieces (movements that share a route
over overlapping slots); the pieces' LP bounds add up to a lower bound of the whole season. The
schedule is built movement by movement in precedence order: each movement's LP over the capacity
the earlier ones left, with each group's earliest slot from its previous movement, rounded to
whole groups and repaired. The greedy baseline runs too, and the better schedule is returned.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable

import numpy as np

from labbaik.tafweej.planning import lp
from labbaik.tafweej.planning.errors import Infeasible, PlannerFailed, Shortfall
from labbaik.tafweej.planning.exact import EXACT_LIMIT, binaries, solve_exact
from labbaik.tafweej.planning.format import Instance, Schedule
from labbaik.tafweej.planning.greedy import greedy_starts, to_schedule
from labbaik.tafweej.planning.model import Compiled, compile_instance
from labbaik.tafweej.planning.pieces import Classes, build_classes, join, movement_pieces
from labbaik.tafweej.planning.rounding import CostFn, Pick, RoundingFailed, round_relaxation
from labbaik.tafweej.planning.validate import check

# progress(stage, done, total)
Progress = Callable[[str, int, int], None]


def plan(instance: Instance, *, time_limit: float, progress: Progress | None = None) -> Schedule:
    """The best schedule found within the time limit, checked by the validator, with its bound."""
    started = time.monotonic()
    deadline = started + max(time_limit, 1.0)
    say = progress or (lambda stage, done, total: None)
    c = compile_instance(instance)
    n_moves = len(c.movement_ids)
    say("greedy", 0, 1)
    try:
        baseline: list[list[tuple[int, int]]] | None = greedy_starts(c)
    except Infeasible:
        baseline = None
    say("greedy", 1, 1)

    bound, reusable = lower_bound(c, deadline=deadline, say=say)
    starts, failure = _primal(c, reusable, deadline=deadline, say=say)
    candidates = [s for s in (starts, baseline) if s is not None]
    if binaries(c) <= EXACT_LIMIT:
        say("exact", 0, 1)
        seed = min(candidates, key=lambda s: _objective(c, s)) if candidates else None
        exact = solve_exact(c, deadline=deadline, start=seed)
        if exact.infeasible:
            raise Infeasible([_whole_groups_shortfall(c, failure)])
        if exact.picks is not None:
            picks = exact.picks
            candidates.append(
                [[picks[m, g] for g in range(len(c.group_ids))] for m in range(n_moves)]
            )
        bound = max(bound, exact.bound)
        say("exact", 1, 1)
    if not candidates:
        raise PlannerFailed(
            "the LP relaxation is feasible but no schedule of whole groups was found "
            "within the time limit; try a longer time limit"
        )
    best = min(candidates, key=lambda s: _objective(c, s))
    objective = _objective(c, best)
    proven = min(objective, max(0, math.ceil(bound - 1e-6 * abs(bound) - 1e-6)))
    schedule = to_schedule(c, best, lower_bound=proven, seconds=time.monotonic() - started)
    report = check(instance, schedule)
    if not report.ok:
        raise PlannerFailed(
            "the planner's schedule failed its own check: " + report.violations[0].message
        )
    say("done", n_moves, n_moves)
    return schedule


def _whole_groups_shortfall(c: Compiled, failure: tuple[int, list[int]] | None) -> Shortfall:
    m, groups = failure if failure is not None else (0, [])
    return Shortfall(
        movement=c.movement_ids[m],
        slots=tuple(sorted({t for g in groups for t in c.allowed[m][g]})),
        groups=len(groups),
        pilgrims=sum(c.sizes[g] for g in groups),
        reason="the routes have room for them only if groups are split; "
        "the exact model proves that whole groups do not fit",
    )


def _objective(c: Compiled, starts: list[list[tuple[int, int]]]) -> int:
    return sum(c.cost(m, g, t) for m, picks in enumerate(starts) for g, (_, t) in enumerate(picks))


def lower_bound(
    c: Compiled, *, deadline: float, say: Progress
) -> tuple[float, dict[int, tuple[Classes, lp.Relaxation]]]:
    """The sum of the pieces' LP bounds; raises Infeasible when a piece cannot hold its pilgrims.

    Also returns, per movement that is a piece on its own, its classes and LP, which the schedule
    reuses when precedence does not narrow that movement further.
    """
    pieces = movement_pieces(c)
    total = 0.0
    reusable: dict[int, tuple[Classes, lp.Relaxation]] = {}
    for i, movements in enumerate(pieces):
        say("bound", i, len(pieces))
        parts = [build_classes(c, m, c.allowed[m], c.capacity) for m in movements]
        piece = parts[0].piece if len(parts) == 1 else join(parts)
        # Share the time left among the pieces still to solve, keeping a third for rounding.
        share = (deadline - time.monotonic()) * (2 / 3) / (len(pieces) - i)
        relaxation = lp.solve(piece, deadline=time.monotonic() + max(share, 0.5))
        if relaxation.solved and relaxation.unplaced.sum() > 1e-6:
            _explain(c, parts, piece)
        total += relaxation.bound
        if len(parts) == 1:
            reusable[movements[0]] = (parts[0], relaxation)
    say("bound", len(pieces), len(pieces))
    return total, reusable


def _explain(c: Compiled, parts: list[Classes], piece: lp.Piece) -> None:
    unplaced = lp.least_unplaced(piece)
    shortfalls = []
    k0 = 0
    for part in parts:
        k1 = k0 + len(part.members)
        short = unplaced[k0:k1]
        k0 = k1
        if short.sum() <= 1e-6:
            continue
        hit = [k for k in range(len(part.members)) if short[k] > 1e-6]
        groups = [g for k in hit for g in part.members[k]]
        slots = sorted({t for k in hit for _, t in part.options[k]})
        routes = sorted({c.route_ids[r] for k in hit for r, _ in part.options[k]})
        shortfalls.append(
            Shortfall(
                movement=c.movement_ids[part.movement],
                slots=tuple(slots),
                groups=len(groups),
                pilgrims=math.ceil(float(short.sum()) - 1e-6),
                reason=f"routes {', '.join(routes)} do not have room for them in those slots, "
                "even with groups split",
            )
        )
    if shortfalls:
        raise Infeasible(shortfalls)


def objective_cost(c: Compiled, m: int) -> CostFn:
    """The objective's cost of a group at an option of movement m."""

    def cost(g: int, o: Pick) -> int:
        return c.cost(m, g, o[1])

    return cost


def _primal(
    c: Compiled,
    reusable: dict[int, tuple[Classes, lp.Relaxation]],
    *,
    deadline: float,
    say: Progress,
) -> tuple[list[list[tuple[int, int]]] | None, tuple[int, list[int]] | None]:
    """The schedule movement by movement, or None and the movement and groups that failed."""
    free = c.capacity.astype(np.int64).tolist()
    starts: list[list[tuple[int, int]]] = []
    n_moves = len(c.movement_ids)
    for m in range(n_moves):
        say("schedule", m, n_moves)
        if time.monotonic() > deadline:
            return None, None
        allowed = c.allowed[m]
        if m in c.predecessor:
            p, gap = c.predecessor[m]
            allowed = [
                tuple(t for t in slots if t >= starts[p][g][1] + gap)
                for g, slots in enumerate(allowed)
            ]
        if m in reusable and allowed == c.allowed[m]:
            classes, relaxation = reusable[m]
        else:
            classes = build_classes(c, m, allowed, np.asarray(free))
            left = (deadline - time.monotonic()) / (n_moves - m)
            relaxation = lp.solve(classes.piece, deadline=time.monotonic() + max(left, 0.5))
        if not relaxation.solved:
            return None, None
        if relaxation.unplaced.sum() > 1e-6:
            short = np.flatnonzero(relaxation.unplaced > 1e-6)
            return None, (m, [g for k in short for g in classes.members[k]])
        try:
            picks = round_relaxation(c, classes, relaxation, free, objective_cost(c, m))
        except RoundingFailed as exc:
            return None, (m, exc.groups)
        starts.append([picks[g] for g in range(len(c.group_ids))])
    return starts, None
