"""A seeded generator of season instances for tests, the benchmark and the demo season.

Six days of half-hour slots from the 8th of Dhu al-Hijjah: to Mina on the 8th, to Arafat on the
night to the 9th, to Muzdalifah after sunset, stoning on the 10th, 11th and 12th, then to the
Haram. Walk, bus and metro routes per movement, each zone of camps allowed some of them; camps
wish for nearly the same slot, so that wishes peak above capacity, while capacity overall is
about `utilisation` of what the groups need.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from labbaik.tafweej.planning.format import Instance

SLOT_MINUTES = 30
DAY = 24 * 60 // SLOT_MINUTES
SLOTS = 6 * DAY
START = datetime(2026, 5, 25, tzinfo=timezone(timedelta(hours=3)))
ZONES = 3


@dataclass(frozen=True)
class _Movement:
    id: str
    window: tuple[int, int]
    forbidden: tuple[int, ...]
    after: tuple[str, int] | None
    peaks: tuple[int, ...]  # the slots wishes cluster around
    # (route id, duration, share of the pilgrims, zones that may take it)
    routes: tuple[tuple[str, int, float, tuple[int, ...]], ...]


def _d(day: int, hour: float) -> int:
    return (day - 8) * DAY + round(hour * 60 / SLOT_MINUTES)


MOVEMENTS = (
    _Movement(
        "to-mina",
        (_d(8, 4), _d(8, 22)),
        tuple(range(_d(8, 12), _d(8, 13))),
        None,
        (_d(8, 8), _d(8, 16)),
        (
            ("bus-mina-1", 2, 0.4, (0, 1)),
            ("bus-mina-2", 2, 0.35, (1, 2)),
            ("walk-mina", 4, 0.25, (0, 1, 2)),
        ),
    ),
    _Movement(
        "to-arafat",
        (_d(8, 22), _d(9, 11)),
        (),
        ("to-mina", 6),
        (_d(9, 2), _d(9, 7)),
        (
            ("metro-arafat", 2, 0.45, (0, 1)),
            ("bus-arafat", 3, 0.35, (1, 2)),
            ("walk-arafat", 8, 0.2, (0, 2)),
        ),
    ),
    _Movement(
        "to-muzdalifah",
        (_d(9, 18.5), _d(10, 1)),
        (),
        ("to-arafat", 10),
        (_d(9, 19.5), _d(9, 21)),
        (
            ("metro-muzdalifah", 1, 0.5, (0, 1)),
            ("bus-muzdalifah", 2, 0.3, (1, 2)),
            ("walk-muzdalifah", 4, 0.2, (0, 1, 2)),
        ),
    ),
    _Movement(
        "stone-10",
        (_d(10, 3), _d(10, 22)),
        tuple(range(_d(10, 6), _d(10, 10))),
        ("to-muzdalifah", 4),
        (_d(10, 4), _d(10, 11)),
        (
            ("jamarat-l0-10", 2, 0.34, (0, 1, 2)),
            ("jamarat-l1-10", 2, 0.33, (0, 1)),
            ("jamarat-l2-10", 2, 0.33, (1, 2)),
        ),
    ),
    _Movement(
        "stone-11",
        (_d(11, 10), _d(11, 23)),
        tuple(range(_d(11, 14), _d(11, 17))),
        ("stone-10", 24),
        (_d(11, 12), _d(11, 18)),
        (
            ("jamarat-l0-11", 2, 0.34, (0, 1, 2)),
            ("jamarat-l1-11", 2, 0.33, (0, 1)),
            ("jamarat-l2-11", 2, 0.33, (1, 2)),
        ),
    ),
    _Movement(
        "stone-12",
        (_d(12, 9), _d(12, 17)),
        tuple(range(_d(12, 10), _d(12, 13))),
        ("stone-11", 24),
        (_d(12, 9.5), _d(12, 14)),
        (
            ("jamarat-l0-12", 2, 0.34, (0, 1, 2)),
            ("jamarat-l1-12", 2, 0.33, (0, 1)),
            ("jamarat-l2-12", 2, 0.33, (1, 2)),
        ),
    ),
    _Movement(
        "to-haram",
        (_d(12, 13), _d(13, 6)),
        (),
        ("stone-12", 2),
        (_d(12, 17), _d(12, 21)),
        (
            ("bus-haram", 2, 0.6, (0, 1, 2)),
            ("walk-haram", 4, 0.4, (0, 1, 2)),
        ),
    ),
)


def generate(groups: int, *, seed: int = 0, utilisation: float = 0.7) -> Instance:
    """`groups` groups of 150-400 pilgrims in camps of 5-15; the same seed, the same instance."""
    rng = random.Random(seed)
    sizes: list[int] = []
    camps: list[int] = []
    camp = 0
    while len(sizes) < groups:
        for _ in range(min(rng.randint(5, 15), groups - len(sizes))):
            sizes.append(rng.randint(150, 400))
            camps.append(camp)
        camp += 1
    zone_of_camp = [rng.randrange(ZONES) for _ in range(camp)]
    pilgrims = sum(sizes)

    routes = []
    for mv in MOVEMENTS:
        lo, hi = mv.window
        usable = hi - lo + 1 - len(mv.forbidden)
        for rid, duration, share, _ in mv.routes:
            # Each route carries its share of the pilgrims at `utilisation` of its capacity.
            per_slot = round(pilgrims * share * duration / (usable * utilisation))
            capacity: int | list[int] = per_slot
            if rid.startswith("metro"):
                # The metro runs at a reduced rate for its first hour.
                capacity = [
                    per_slot * 3 // 4 if lo <= s < lo + 2 else per_slot for s in range(SLOTS)
                ]
            routes.append(
                {"id": rid, "capacity": capacity, "duration": duration, "movements": [mv.id]}
            )

    wishes: dict[tuple[int, str], int | None] = {}
    for k in range(camp):
        for mv in MOVEMENTS:
            lo, hi = mv.window
            if mv.id == "to-haram" and rng.random() < 0.3:
                wishes[k, mv.id] = None
                continue
            peak = rng.choice(mv.peaks)
            wish = min(hi, max(lo, round(rng.gauss(peak, 2.0))))
            wishes[k, mv.id] = wish

    out_groups = []
    for i, (size, k) in enumerate(zip(sizes, camps, strict=True)):
        zone = zone_of_camp[k]
        allowed = [rid for mv in MOVEMENTS for rid, _, _, zones in mv.routes if zone in zones]
        preferred: dict[str, int] = {}
        forbidden: dict[str, list[int]] = {}
        for mv in MOVEMENTS:
            camp_wish = wishes[k, mv.id]
            if camp_wish is not None:
                if rng.random() < 0.2:
                    shifted = camp_wish + rng.choice((-1, 1))
                    camp_wish = min(mv.window[1], max(mv.window[0], shifted))
                preferred[mv.id] = camp_wish
            if rng.random() < 0.15:
                lo, hi = mv.window
                forbidden[mv.id] = sorted(rng.sample(range(lo, hi + 1), rng.randint(1, 3)))
        group: dict[str, object] = {
            "id": f"G{i + 1:05d}",
            "size": size,
            "routes": allowed,
            "preferred": preferred,
        }
        if forbidden:
            group["forbidden"] = forbidden
        out_groups.append(group)

    return Instance.model_validate(
        {
            "slot_minutes": SLOT_MINUTES,
            "start": START.isoformat(),
            "slots": SLOTS,
            "routes": routes,
            "movements": [
                {
                    "id": mv.id,
                    "window": list(mv.window),
                    "forbidden": list(mv.forbidden),
                    **(
                        {"after": {"movement": mv.after[0], "min_gap": mv.after[1]}}
                        if mv.after
                        else {}
                    ),
                }
                for mv in MOVEMENTS
            ],
            "groups": out_groups,
        }
    )
