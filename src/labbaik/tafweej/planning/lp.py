"""The LP relaxation of a piece, by column generation on HiGHS, and its Lagrangian lower bound.

A piece is a set of demand classes (groups with the same options and wish, their sizes added up),
each to be spread over its (route, start slot) options, under the capacity of every route and
slot. Splitting a class's pilgrims is what the relaxation allows; with the classes' masses fixed it
is a transportation problem with interval rows, nearly integral. Columns start near each class's
wish and are priced in with the duals until none has a negative reduced cost.

For any duals pi <= 0 of the capacity rows, sum_k S_k min_j (c_j - pi(j)) + sum cap * pi is a
lower bound of the piece (Lagrangian relaxation of the capacities), whatever the columns: that is
the bound reported, so it is proven even when the time limit stops the pricing early.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import highspy
import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

_EPS = 1e-9


@dataclass
class Piece:
    """Demand classes and their options, flattened; options of a class are contiguous."""

    mass: FloatArray  # per class, pilgrims
    first: IntArray  # per class, index of its first option (len classes + 1)
    route: IntArray  # per option
    slot: IntArray  # per option
    cost: FloatArray  # per option, per pilgrim
    capacity: FloatArray  # (routes, slots), persons still free
    durations: IntArray  # per route

    @property
    def classes(self) -> int:
        return len(self.mass)

    def option_class(self) -> IntArray:
        return np.repeat(np.arange(self.classes), np.diff(self.first))


@dataclass
class Relaxation:
    """The LP's values per option, the pilgrims it could not place per class, and its bound."""

    values: FloatArray
    unplaced: FloatArray
    objective: float
    bound: float
    converged: bool
    solved: bool


def solve(piece: Piece, *, deadline: float, window: int = 1) -> Relaxation:
    """Solve the relaxation by column generation until no column prices in or the deadline."""
    cls = piece.option_class()
    n_routes, n_slots = piece.capacity.shape
    dur = piece.durations[piece.route]
    # Rows: one per class, then one per (route, slot) that some option occupies.
    occupied = np.zeros((n_routes, n_slots), dtype=bool)
    maxd = int(piece.durations.max()) if len(piece.durations) else 1
    for k in range(maxd):
        live = dur > k
        occupied[piece.route[live], piece.slot[live] + k] = True
    cell_row = np.full((n_routes, n_slots), -1, dtype=np.int64)
    cell_row[occupied] = piece.classes + np.arange(int(occupied.sum()))
    n_cells = int(occupied.sum())

    h = highspy.Highs()  # type: ignore[no-untyped-call]
    h.silent()
    h.setOptionValue("presolve", "off")
    k_rows = piece.classes
    lower = np.concatenate([piece.mass, np.full(n_cells, -highspy.kHighsInf)])
    upper = np.concatenate([piece.mass, piece.capacity[occupied]])
    empty = np.zeros(0, dtype=np.int32)
    h.addRows(k_rows + n_cells, lower, upper, 0, empty, empty, np.zeros(0))
    # An artificial column per class keeps every restricted LP feasible; its price is far above
    # any real column's, so it carries mass only when the capacity cannot.
    big = float(piece.cost.max(initial=0.0) + 1.0) * 1000.0
    h.addCols(
        k_rows,
        np.full(k_rows, big),
        np.zeros(k_rows),
        np.full(k_rows, highspy.kHighsInf),
        k_rows,
        np.arange(k_rows, dtype=np.int32),
        np.arange(k_rows, dtype=np.int32),
        np.ones(k_rows),
    )
    best = np.full(piece.classes, np.inf)
    np.minimum.at(best, cls, piece.cost)
    active = np.zeros(len(cls), dtype=bool)
    column_of = np.full(len(cls), -1, dtype=np.int64)
    new = piece.cost <= best[cls] + window
    n_cols = k_rows
    bound = 0.0  # the objective is never negative
    converged = False
    col_value: FloatArray | None = None  # of the last restricted LP solved to optimality
    while True:
        idx = np.flatnonzero(new & ~active)
        if len(idx) == 0:
            converged = True
            break
        _add_columns(h, piece, idx, cls, cell_row, dur, maxd)
        active[idx] = True
        column_of[idx] = n_cols + np.arange(len(idx))
        n_cols += len(idx)
        h.setOptionValue("time_limit", max(1.0, deadline - time.monotonic()))
        h.run()
        if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            break
        sol = h.getSolution()
        col_value = np.asarray(sol.col_value)
        duals = np.asarray(sol.row_dual)
        u = duals[:k_rows]
        pi = np.zeros((n_routes, n_slots))
        pi[occupied] = np.minimum(duals[k_rows:], 0.0)
        along = _along(pi, piece.route, piece.slot, dur)
        priced = piece.cost - along
        bound = max(bound, _lagrangian(piece, cls, priced, pi))
        reduced = priced - u[cls]
        new = reduced < -1e-7 * (1.0 + np.abs(piece.cost))
        if time.monotonic() > deadline:
            break
    values = np.zeros(len(cls))
    if col_value is None:
        # Stopped by the deadline before any restricted LP was solved: nothing is known.
        return Relaxation(values, piece.mass.copy(), 0.0, bound, converged=False, solved=False)
    # Columns added after the last LP solved carry nothing.
    known = np.flatnonzero(active & (column_of < len(col_value)))
    values[known] = col_value[column_of[known]]
    unplaced = col_value[:k_rows].copy()
    objective = float(np.dot(values, piece.cost))
    return Relaxation(values, unplaced, objective, bound, converged=converged, solved=True)


def _along(pi: FloatArray, route: IntArray, slot: IntArray, dur: IntArray) -> FloatArray:
    # Sum of pi over the slots each option occupies, by prefix sums along each route.
    prefix = np.zeros((pi.shape[0], pi.shape[1] + 1))
    np.cumsum(pi, axis=1, out=prefix[:, 1:])
    out: FloatArray = prefix[route, slot + dur] - prefix[route, slot]
    return out


def _lagrangian(piece: Piece, cls: IntArray, priced: FloatArray, pi: FloatArray) -> float:
    cheapest = np.full(piece.classes, np.inf)
    np.minimum.at(cheapest, cls, priced)
    return float(np.dot(piece.mass, cheapest) + np.sum(piece.capacity * pi))


def _add_columns(
    h: highspy.Highs,
    piece: Piece,
    idx: IntArray,
    cls: IntArray,
    cell_row: IntArray,
    dur: IntArray,
    maxd: int,
) -> None:
    d = dur[idx]
    rows = np.full((len(idx), 1 + maxd), -1, dtype=np.int64)
    rows[:, 0] = cls[idx]
    for k in range(maxd):
        live = d > k
        rows[live, 1 + k] = cell_row[piece.route[idx[live]], piece.slot[idx[live]] + k]
    mask = rows >= 0
    counts = mask.sum(axis=1)
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]]).astype(np.int32)
    indices = rows[mask].astype(np.int32)
    h.addCols(
        len(idx),
        piece.cost[idx],
        np.zeros(len(idx)),
        np.full(len(idx), highspy.kHighsInf),
        len(indices),
        starts,
        indices,
        np.ones(len(indices)),
    )


def least_unplaced(piece: Piece) -> FloatArray:
    """Per class, the pilgrims that no fractional spreading can place (all columns, phase one)."""
    zero_cost = Piece(
        mass=piece.mass,
        first=piece.first,
        route=piece.route,
        slot=piece.slot,
        cost=np.zeros(len(piece.cost)),
        capacity=piece.capacity,
        durations=piece.durations,
    )
    return solve(zero_cost, deadline=time.monotonic() + 600.0, window=10**9).unplaced
