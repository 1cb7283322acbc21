"""The whole season as one MIP on HiGHS: exact for small seasons, where rounding is hardest.

A group is a large share of a route's slot in a small season, so rounding the LP may leave no
room for whole groups; the MIP then finds a schedule (or proves that none exists) and its dual
bound is a proven lower bound too. It does not scale, so the planner uses it only when small.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import highspy
import numpy as np
import numpy.typing as npt

from labbaik.tafweej.planning.model import Compiled

# Above this many binaries the MIP is not worth its time next to the decomposition.
EXACT_LIMIT = 6000


Pick = tuple[int, int]


@dataclass
class ExactResult:
    picks: dict[tuple[int, int], Pick] | None  # (movement, group) -> (route, slot)
    bound: float
    infeasible: bool
    optimal: bool


def binaries(c: Compiled, movements: list[int] | None = None) -> int:
    return sum(
        len(c.routes[m][g]) * len(c.allowed[m][g])
        for m in (range(len(c.movement_ids)) if movements is None else movements)
        for g in range(len(c.group_ids))
    )


def solve_exact(c: Compiled, *, deadline: float, start: list[list[Pick]] | None) -> ExactResult:
    """The whole season: the best schedule HiGHS finds by the deadline and its dual bound."""
    every = list(range(len(c.movement_ids)))
    return solve_mip(
        c,
        movements=every,
        options=c.options,
        capacity=c.capacity,
        deadline=deadline,
        start=None
        if start is None
        else {(m, g): start[m][g] for m in every for g in range(len(c.group_ids))},
    )


def solve_mip(
    c: Compiled,
    *,
    movements: list[int],
    options: Callable[[int, int], list[Pick]],
    capacity: npt.ArrayLike,
    deadline: float,
    start: dict[tuple[int, int], Pick] | None,
) -> ExactResult:
    """Some movements as one MIP under `capacity`, with the precedence links among them."""
    n_g = len(c.group_ids)
    cap = np.asarray(capacity)
    cols: list[tuple[int, int, int, int]] = []  # (movement, group, route, slot)
    for m in movements:
        for g in range(n_g):
            cols.extend((m, g, r, t) for r, t in options(m, g))
    assign = {(m, g): i for i, (m, g) in enumerate((m, g) for m in movements for g in range(n_g))}
    cells: dict[tuple[int, int], int] = {}
    for _, _, r, t in cols:
        for u in range(t, t + c.durations[r]):
            cells.setdefault((r, u), len(assign) + len(cells))
    prec_row: dict[tuple[int, int], int] = {}
    base = len(assign) + len(cells)
    inside = set(movements)
    for m in movements:
        if m in c.predecessor and c.predecessor[m][0] in inside:
            for g in range(n_g):
                prec_row[m, g] = base + len(prec_row)
    n_rows = base + len(prec_row)

    lower = np.ones(n_rows)
    upper = np.ones(n_rows)
    for (r, u), row in cells.items():
        lower[row], upper[row] = -highspy.kHighsInf, float(cap[r, u])
    for (m, _), row in prec_row.items():
        lower[row], upper[row] = float(c.predecessor[m][1]), highspy.kHighsInf

    starts_idx: list[int] = []
    indices: list[int] = []
    values: list[float] = []
    for m, g, r, t in cols:
        starts_idx.append(len(indices))
        indices.append(assign[m, g])
        values.append(1.0)
        for u in range(t, t + c.durations[r]):
            indices.append(cells[r, u])
            values.append(float(c.sizes[g]))
        if (m, g) in prec_row:
            indices.append(prec_row[m, g])
            values.append(float(t))
        for s, _ in c.successors[m]:
            if (s, g) in prec_row:
                indices.append(prec_row[s, g])
                values.append(-float(t))

    h = highspy.Highs()  # type: ignore[no-untyped-call]
    h.silent()
    empty = np.zeros(0, dtype=np.int32)
    h.addRows(n_rows, lower, upper, 0, empty, empty, np.zeros(0))
    n = len(cols)
    h.addCols(
        n,
        np.array([float(c.cost(m, g, t)) for m, g, _, t in cols]),
        np.zeros(n),
        np.ones(n),
        len(indices),
        np.array(starts_idx, dtype=np.int32),
        np.array(indices, dtype=np.int32),
        np.array(values),
    )
    h.changeColsIntegrality(
        n, np.arange(n, dtype=np.int32), np.full(n, highspy.HighsVarType.kInteger)
    )
    h.setOptionValue("time_limit", max(0.5, deadline - time.monotonic()))
    h.setOptionValue("mip_rel_gap", 0.0)
    h.setOptionValue("threads", 1)
    if start is not None:
        index = {col: j for j, col in enumerate(cols)}
        hint = np.zeros(n)
        for (m, g), (r, t) in start.items():
            j = index.get((m, g, r, t))
            if j is not None:
                hint[j] = 1.0
        solution = highspy.HighsSolution()
        solution.col_value = hint.tolist()
        h.setSolution(solution)
    h.run()
    status = h.getModelStatus()
    if status == highspy.HighsModelStatus.kInfeasible:
        return ExactResult(picks=None, bound=float("inf"), infeasible=True, optimal=True)
    info = h.getInfo()
    bound = float(info.mip_dual_bound) if np.isfinite(info.mip_dual_bound) else 0.0
    optimal = status == highspy.HighsModelStatus.kOptimal
    if info.primal_solution_status != 2:  # no feasible solution found
        return ExactResult(picks=None, bound=bound, infeasible=False, optimal=False)
    x = np.asarray(h.getSolution().col_value)
    picks = {}
    for chosen in np.flatnonzero(x > 0.5):
        m, g, r, t = cols[int(chosen)]
        picks[m, g] = (r, t)
    return ExactResult(picks=picks, bound=bound, infeasible=False, optimal=optimal)
