"""Demand classes of a movement and the pieces a season falls into once precedence is relaxed."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from labbaik.tafweej.planning.lp import Piece
from labbaik.tafweej.planning.model import Compiled


@dataclass
class Classes:
    """Groups of one movement that share options and wish, and the LP piece built from them."""

    movement: int
    members: list[list[int]]  # per class, its groups
    options: list[list[tuple[int, int]]]  # per class, (route, slot) in the piece's order
    piece: Piece


def movement_pieces(c: Compiled) -> list[list[int]]:
    """Movements joined when they share a route over overlapping slots (their capacity couples)."""
    parent = list(range(len(c.movement_ids)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    spans: dict[int, list[tuple[int, int, int]]] = {}
    movements = {mv.id: mv for mv in c.instance.movements}
    index = {rid: i for i, rid in enumerate(c.route_ids)}
    for route in c.instance.routes:
        r = index[route.id]
        for mid in route.movements:
            lo, hi = movements[mid].window
            m = c.movement_ids.index(mid)
            spans.setdefault(r, []).append((lo, hi + c.durations[r] - 1, m))
    for items in spans.values():
        for i, (lo1, hi1, m1) in enumerate(items):
            for lo2, hi2, m2 in items[i + 1 :]:
                if lo1 <= hi2 and lo2 <= hi1:
                    parent[root(m1)] = root(m2)
    out: dict[int, list[int]] = {}
    for m in range(len(c.movement_ids)):
        out.setdefault(root(m), []).append(m)
    return list(out.values())


def build_classes(
    c: Compiled,
    m: int,
    allowed: list[tuple[int, ...]],
    capacity: np.ndarray,
    *,
    closed: frozenset[int] = frozenset(),
) -> Classes:
    """Aggregate movement m's groups by (routes, allowed slots, wish) into an LP piece."""
    keyed: dict[tuple[tuple[int, ...], tuple[int, ...], int | None], list[int]] = {}
    for g in range(len(c.group_ids)):
        keyed.setdefault((c.routes[m][g], allowed[g], c.preferred[m][g]), []).append(g)
    members: list[list[int]] = []
    options: list[list[tuple[int, int]]] = []
    mass: list[float] = []
    first = [0]
    route: list[int] = []
    slot: list[int] = []
    cost: list[float] = []
    for (routes, slots, wish), groups in keyed.items():
        opts = [
            (r, t)
            for t in slots
            for r in routes
            if r not in closed and t + c.durations[r] <= c.slots
        ]
        members.append(groups)
        options.append(opts)
        mass.append(float(sum(c.sizes[g] for g in groups)))
        first.append(first[-1] + len(opts))
        route.extend(r for r, _ in opts)
        slot.extend(t for _, t in opts)
        cost.extend(0.0 if wish is None else float(abs(t - wish)) for _, t in opts)
    piece = Piece(
        mass=np.asarray(mass, dtype=np.float64),
        first=np.asarray(first, dtype=np.int64),
        route=np.asarray(route, dtype=np.int64),
        slot=np.asarray(slot, dtype=np.int64),
        cost=np.asarray(cost, dtype=np.float64),
        capacity=capacity.astype(np.float64),
        durations=np.asarray(c.durations, dtype=np.int64),
    )
    return Classes(movement=m, members=members, options=options, piece=piece)


def join(parts: list[Classes]) -> Piece:
    """One LP piece over several movements' classes sharing the same capacity."""
    firsts = [parts[0].piece.first]
    offset = int(parts[0].piece.first[-1])
    for p in parts[1:]:
        firsts.append(p.piece.first[1:] + offset)
        offset += int(p.piece.first[-1])
    return Piece(
        mass=np.concatenate([p.piece.mass for p in parts]),
        first=np.concatenate(firsts),
        route=np.concatenate([p.piece.route for p in parts]),
        slot=np.concatenate([p.piece.slot for p in parts]),
        cost=np.concatenate([p.piece.cost for p in parts]),
        capacity=parts[0].piece.capacity,
        durations=parts[0].piece.durations,
    )
