"""Small hand-made instances for the planning tests, and an exhaustive search for their optimum."""

from __future__ import annotations

import copy
from typing import Any

from labbaik.tafweej.planning.format import Instance, parse_instance

TINY: dict[str, Any] = {
    "slot_minutes": 30,
    "start": "2026-05-25T00:00:00+03:00",
    "slots": 12,
    "routes": [
        {"id": "metro", "capacity": 500, "duration": 1, "movements": ["to-arafat"]},
        {"id": "walk", "capacity": [400] * 12, "duration": 2, "movements": ["to-arafat", "stone"]},
    ],
    "movements": [
        {"id": "to-arafat", "window": [1, 5], "forbidden": [3]},
        {"id": "stone", "window": [6, 10], "after": {"movement": "to-arafat", "min_gap": 3}},
    ],
    "groups": [
        {"id": "G1", "size": 300, "routes": ["metro", "walk"], "preferred": {"to-arafat": 2}},
        {
            "id": "G2",
            "size": 250,
            "routes": ["metro", "walk"],
            "preferred": {"to-arafat": 2, "stone": 7},
            "forbidden": {"stone": [8]},
        },
        {"id": "G3", "size": 200, "routes": ["walk"], "preferred": {"stone": 7}},
    ],
}


def tiny(**changes: Any) -> dict[str, Any]:
    """A copy of TINY's data with top-level keys replaced."""
    data = copy.deepcopy(TINY)
    data.update(changes)
    return data


def tiny_instance() -> Instance:
    return parse_instance(tiny())


def optimum(instance: Instance) -> int | None:
    """The least objective of any valid schedule, by exhaustive search; None when none exists.

    Written from the format's rules alone, to judge the planner and its bound on tiny cases.
    """
    movements = {m.id: m for m in instance.movements}
    routes = {r.id: r for r in instance.routes}
    order: list[str] = []
    while len(order) < len(movements):
        for m in instance.movements:
            if m.id not in order and (m.after is None or m.after.movement in order):
                order.append(m.id)
    pairs = [(g, movements[mid]) for mid in order for g in instance.groups]
    load: dict[tuple[str, int], int] = {}
    slot_of: dict[tuple[str, str], int] = {}
    best: list[int | None] = [None]

    def search(i: int, cost: int) -> None:
        if best[0] is not None and cost >= best[0]:
            return
        if i == len(pairs):
            best[0] = cost
            return
        g, m = pairs[i]
        for t in range(m.window[0], m.window[1] + 1):
            if t in m.forbidden or t in g.forbidden.get(m.id, []):
                continue
            if m.after and t < slot_of[g.id, m.after.movement] + m.after.min_gap:
                continue
            for rid in g.routes:
                r = routes[rid]
                cells = [(rid, u) for u in range(t, t + r.duration)]
                if m.id not in r.movements or t + r.duration > instance.slots:
                    continue
                if any(load.get(cell, 0) + g.size > r.capacity_at(cell[1]) for cell in cells):
                    continue
                for cell in cells:
                    load[cell] = load.get(cell, 0) + g.size
                slot_of[g.id, m.id] = t
                wish = g.preferred.get(m.id)
                search(i + 1, cost + (0 if wish is None else g.size * abs(t - wish)))
                for cell in cells:
                    load[cell] -= g.size

    search(0, 0)
    return best[0]
