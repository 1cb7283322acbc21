"""The validator: it accepts a valid schedule and names each kind of violation."""

from __future__ import annotations

from typing import Any

import pytest

from labbaik.tafweej.planning.format import Assignment, Schedule, parse_instance
from labbaik.tafweej.planning.validate import check
from tests.tafweej.planning.instances import optimum, tiny, tiny_instance

# The tiny season's best schedule: all three stoning groups need the walk to themselves.
VALID = [
    ("G1", "to-arafat", 2, "metro"),
    ("G2", "to-arafat", 2, "walk"),
    ("G3", "to-arafat", 4, "walk"),
    ("G1", "stone", 10, "walk"),
    ("G2", "stone", 6, "walk"),
    ("G3", "stone", 8, "walk"),
]


def schedule(rows: list[tuple[str, str, int, str]], objective: int = 450) -> Schedule:
    return Schedule(
        assignments=[Assignment(group=g, movement=m, slot=s, route=r) for g, m, s, r in rows],
        objective=objective,
    )


def replace(group: str, movement: str, slot: int, route: str) -> list[tuple[str, str, int, str]]:
    return [
        (group, movement, slot, route) if (g, m) == (group, movement) else (g, m, s, r)
        for g, m, s, r in VALID
    ]


class TestCheck:
    def test_the_best_schedule_is_valid_and_its_objective_recomputed(self) -> None:
        report = check(tiny_instance(), schedule(VALID))
        assert report.ok, report.violations
        assert report.objective == 450
        assert optimum(tiny_instance()) == 450

    def test_a_missing_assignment(self) -> None:
        report = check(tiny_instance(), schedule(VALID[:-1], objective=250))
        assert [(v.kind, v.group, v.movement) for v in report.violations] == [
            ("missing", "G3", "stone")
        ]

    def test_a_group_scheduled_twice_for_a_movement(self) -> None:
        report = check(tiny_instance(), schedule([*VALID, ("G3", "stone", 9, "walk")]))
        assert report.counts() == {"duplicate": 1}

    @pytest.mark.parametrize(
        ("row", "kind"),
        [
            (("G3", "to-arafat", 4, "metro"), "route_not_allowed"),
            (("G1", "stone", 10, "metro"), "route_not_serving"),
            (("G3", "to-arafat", 0, "walk"), "outside_window"),
            (("G3", "to-arafat", 3, "walk"), "forbidden_for_movement"),
            (("G2", "stone", 8, "walk"), "forbidden_for_group"),
            (("G2", "to-arafat", 4, "metro"), "precedence"),
        ],
    )
    def test_each_rule_of_one_assignment(self, row: tuple[str, str, int, str], kind: str) -> None:
        report = check(tiny_instance(), schedule(replace(*row), objective=0))
        kinds = set(report.counts())
        assert kind in kinds, report.violations
        assert kinds <= {kind, "objective_mismatch", "over_capacity"}

    def test_a_start_whose_duration_passes_the_last_slot(self) -> None:
        data: dict[str, Any] = tiny()
        data["movements"][1]["window"] = [6, 11]
        report = check(parse_instance(data), schedule(replace("G1", "stone", 11, "walk")))
        assert [v.kind for v in report.violations] == ["past_end"]

    def test_a_capacity_exceeded_says_by_how_much(self) -> None:
        report = check(tiny_instance(), schedule(replace("G3", "to-arafat", 2, "walk")))
        over = [v for v in report.violations if v.kind == "over_capacity"]
        assert [(v.route, v.slot, v.excess) for v in over] == [("walk", 2, 50), ("walk", 3, 50)]
        assert "over by 50" in over[0].message

    def test_a_stated_objective_that_the_assignments_do_not_give(self) -> None:
        report = check(tiny_instance(), schedule(VALID, objective=449))
        assert report.counts() == {"objective_mismatch": 1}
        assert report.objective == 450

    def test_unknown_names_are_violations_not_crashes(self) -> None:
        rows = [*VALID, ("G9", "stone", 6, "walk"), ("G1", "to-haram", 6, "bus")]
        report = check(tiny_instance(), schedule(rows))
        assert report.counts() == {"unknown_group": 1, "unknown_movement": 1, "unknown_route": 1}
        assert "invalid: 3 violations" in report.summary()
