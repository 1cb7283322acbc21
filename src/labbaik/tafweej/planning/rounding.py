"""From the LP's spread of pilgrims to whole groups: split classes, repair overloads, improve."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable

import numpy as np

from labbaik.tafweej.planning.lp import Relaxation
from labbaik.tafweej.planning.model import Compiled
from labbaik.tafweej.planning.pieces import Classes

Pick = tuple[int, int]
# Cost of a group at an option: the objective, or (for re-planning) moves first, then objective.
CostFn = Callable[[int, Pick], int]


# How many groups in the way an ejection tries to move aside for one better option.
EJECT_TRIES = 8


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
        self._ranked: dict[int, list[tuple[int, Pick]]] = {}
        self.pick: dict[int, Pick] = {}
        self.occupants: dict[tuple[int, int], set[int]] = {}

    def ranked(self, g: int) -> list[tuple[int, Pick]]:
        """Group g's options with their costs, cheapest first."""
        out = self._ranked.get(g)
        if out is None:
            cost = self.cost
            out = self._ranked[g] = sorted((cost(g, o), o) for o in self._options_of(g))
        return out

    def options(self, g: int) -> list[Pick]:
        """Group g's options, cheapest first."""
        return [o for _, o in self.ranked(g)]

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

    def cheapest_fit(
        self, g: int, *, avoid: tuple[int, int] | None = None, below: int | None = None
    ) -> Pick | None:
        """g's cheapest option with room, other than its own, not on `avoid`, costing < below."""
        own = self.pick.get(g)
        for cost, o in self.ranked(g):
            if below is not None and cost >= below:
                return None
            if o == own:
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
                for cost, o in self.ranked(g):
                    if cost >= now:
                        break
                    if self.fits(g, o):
                        self.remove(g)
                        self.place(g, o)
                        moved += 1
                        break
            if not moved:
                return

    def eject(self, *, deadline: float) -> None:
        """Move a group to a cheaper option by moving one group in its way elsewhere, when the
        two moves together lower the cost; costliest groups first, until the deadline."""
        order = sorted(self.pick, key=lambda g: -self.cost(g, self.pick[g]))
        for g in order:
            if time.monotonic() > deadline:
                return
            now = self.cost(g, self.pick[g])
            if now <= 0:
                return
            for cost, o in self.ranked(g):
                gain = now - cost
                if gain <= 0:
                    break
                if self._eject_for(g, o, gain):
                    break

    def _eject_for(self, g: int, o: Pick, gain: int) -> bool:
        r, t = o
        size = self.c.sizes[g]
        old = self.pick[g]
        blocked = [u for u in range(t, t + self.c.durations[r]) if self.free[r][u] < size]
        if not blocked:
            return False
        need = max(size - self.free[r][u] for u in blocked)
        # Only a group that occupies every blocked slot can clear them all at once.
        candidates = set.intersection(*(self.occupants.get((r, u), set()) for u in blocked))
        candidates.discard(g)
        sizes = self.c.sizes
        # The smallest groups that are big enough: they cost least to move.
        fit = sorted((sizes[h], h) for h in candidates if sizes[h] >= need)[:EJECT_TRIES]
        for _, h in fit:
            h_old = self.pick[h]
            self.remove(h)
            if not self.fits(g, o):
                self.place(h, h_old)
                continue
            self.remove(g)
            self.place(g, o)
            # h's move must cost less than g gains, which bounds the options worth a look; the
            # room g left is open to h (a swap).
            target = self.cheapest_fit(h, below=self.cost(h, h_old) + gain)
            if target is not None:
                self.place(h, target)
                return True
            self.remove(g)
            self.place(g, old)
            self.place(h, h_old)
        return False


def round_relaxation(
    c: Compiled,
    classes: Classes,
    relaxation: Relaxation,
    free: list[list[int]],
    cost: CostFn,
    *,
    deadline: float,
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
    fitter.eject(deadline=deadline)
    fitter.improve()
    return fitter.pick
