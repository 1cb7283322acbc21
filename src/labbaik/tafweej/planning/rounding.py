"""From the LP's spread of pilgrims to whole groups: split classes, repair overloads, improve."""

from __future__ import annotations

from collections.abc import Callable, Iterable

import numpy as np

from labbaik.tafweej.planning.lp import Relaxation
from labbaik.tafweej.planning.model import Compiled
from labbaik.tafweej.planning.pieces import Classes

Pick = tuple[int, int]
# Cost of a group at an option: the objective, or (for re-planning) moves first, then objective.
CostFn = Callable[[int, Pick], int]


class RoundingFailed(Exception):
    """Whole groups could not be fitted where the LP spread pilgrims; the groups left over."""

    def __init__(self, groups: list[int]) -> None:
        super().__init__(f"{len(groups)} groups could not be fitted")
        self.groups = groups


class Fitter:
    """Whole-group moves on one movement under the free capacity left by everything else."""

    def __init__(
        self,
        c: Compiled,
        free: list[list[int]],
        options: Callable[[int], list[Pick]],
        cost: CostFn,
    ) -> None:
        self.c = c
        self.free = free
        self.cost = cost
        self._options_of = options
        self._sorted: dict[int, list[Pick]] = {}
        self.pick: dict[int, Pick] = {}
        self.occupants: dict[tuple[int, int], set[int]] = {}

    def options(self, g: int) -> list[Pick]:
        """Group g's options, cheapest first."""
        out = self._sorted.get(g)
        if out is None:
            out = self._sorted[g] = sorted(self._options_of(g), key=_by_cost(self.cost, g))
        return out

    def place(self, g: int, o: Pick) -> None:
        r, t = o
        size = self.c.sizes[g]
        row = self.free[r]
        for u in range(t, t + self.c.durations[r]):
            row[u] -= size
            self.occupants.setdefault((r, u), set()).add(g)
        self.pick[g] = o

    def remove(self, g: int) -> None:
        r, t = self.pick.pop(g)
        size = self.c.sizes[g]
        row = self.free[r]
        for u in range(t, t + self.c.durations[r]):
            row[u] += size
            self.occupants[r, u].discard(g)

    def fits(self, g: int, o: Pick) -> bool:
        r, t = o
        size = self.c.sizes[g]
        own = self.pick.get(g)
        row = self.free[r]
        for u in range(t, t + self.c.durations[r]):
            room = row[u]
            if own is not None and own[0] == r and own[1] <= u < own[1] + self.c.durations[r]:
                room += size
            if room < size:
                return False
        return True

    def cheapest_fit(self, g: int, *, avoid: tuple[int, int] | None = None) -> Pick | None:
        for o in self.options(g):
            if o == self.pick.get(g):
                continue
            if (
                avoid is not None
                and avoid[0] == o[0]
                and o[1] <= avoid[1] < o[1] + self.c.durations[o[0]]
            ):
                continue
            if self.fits(g, o):
                return o
        return None

    def repair(self) -> list[int]:
        """Move groups off overloaded cells at the least cost; the groups that could not move."""
        stuck: list[int] = []
        over = [(r, u) for (r, u), gs in self.occupants.items() if gs and self.free[r][u] < 0]
        while over:
            r, u = over.pop()
            while self.free[r][u] < 0:
                excess = -self.free[r][u]
                best: tuple[float, int, Pick] | None = None
                for g in self.occupants[r, u]:
                    o = self.cheapest_fit(g, avoid=(r, u))
                    if o is None:
                        continue
                    delta = self.cost(g, o) - self.cost(g, self.pick[g])
                    score = delta / min(self.c.sizes[g], excess)
                    if best is None or (score, g) < (best[0], best[1]):
                        best = (score, g, o)
                if best is None:
                    # Nothing can move elsewhere: take the smallest group out to be re-placed.
                    g = min(self.occupants[r, u], key=lambda x: (self.c.sizes[x], x))
                    self.remove(g)
                    stuck.append(g)
                    continue
                _, g, o = best
                self.remove(g)
                self.place(g, o)
        return stuck

    def improve(self, *, passes: int = 3, among: Iterable[int] | None = None) -> None:
        """Move each group to a cheaper option with room, costliest groups first, until none."""
        groups = list(self.pick if among is None else among)
        for _ in range(passes):
            moved = 0
            order = sorted(groups, key=lambda g: -self.cost(g, self.pick[g]))
            for g in order:
                now = self.cost(g, self.pick[g])
                if now <= 0:
                    break
                for o in self.options(g):
                    if self.cost(g, o) >= now:
                        break
                    if self.fits(g, o):
                        self.remove(g)
                        self.place(g, o)
                        moved += 1
                        break
            if not moved:
                return


def _by_cost(cost: CostFn, g: int) -> Callable[[Pick], tuple[int, Pick]]:
    return lambda o: (cost(g, o), o)


def round_relaxation(
    c: Compiled,
    classes: Classes,
    relaxation: Relaxation,
    free: list[list[int]],
    cost: CostFn,
) -> dict[int, Pick]:
    """Whole-group picks for one movement from its LP; `free` is updated in place."""
    options = {g: opts for k, opts in enumerate(classes.options) for g in classes.members[k]}
    fitter = Fitter(c, free, options.__getitem__, cost)
    first = classes.piece.first
    for k, groups in enumerate(classes.members):
        values = relaxation.values[first[k] : first[k + 1]].copy()
        opts = classes.options[k]
        for g in sorted(groups, key=lambda x: (-c.sizes[x], x)):
            j = int(np.argmax(values))
            values[j] -= c.sizes[g]
            fitter.place(g, opts[j])
    stuck = fitter.repair()
    for g in sorted(stuck, key=lambda x: (-c.sizes[x], x)):
        o = fitter.cheapest_fit(g)
        if o is None:
            raise RoundingFailed(stuck)
        fitter.place(g, o)
    fitter.improve()
    return fitter.pick
