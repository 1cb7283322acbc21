"""The planner: valid schedules, never over capacity, never below its proven bound, better than
the greedy baseline, and a clear explanation when no schedule exists."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from labbaik.tafweej.planning.errors import Infeasible
from labbaik.tafweej.planning.format import Instance, Schedule, parse_instance
from labbaik.tafweej.planning.generate import generate
from labbaik.tafweej.planning.greedy import greedy
from labbaik.tafweej.planning.solver import plan
from labbaik.tafweej.planning.validate import check
from tests.tafweej.planning.instances import optimum, tiny, tiny_instance


def planned(instance: Instance, time_limit: float = 10.0) -> Schedule:
    schedule = plan(instance, time_limit=time_limit)
    report = check(instance, schedule)
    assert report.ok, report.violations[:5]
    assert schedule.lower_bound is not None
    assert schedule.lower_bound <= schedule.objective == report.objective
    return schedule


class TestPlan:
    def test_the_tiny_season_is_planned_at_its_optimum(self) -> None:
        schedule = planned(tiny_instance())
        assert schedule.objective == optimum(tiny_instance()) == 450
        assert schedule.lower_bound is not None
        assert schedule.lower_bound <= 450

    def test_a_generated_season_beats_greedy_within_a_small_gap(self) -> None:
        instance = generate(300, seed=5)
        schedule = planned(instance)
        baseline = greedy(instance)
        assert check(instance, baseline).ok
        assert schedule.objective < baseline.objective
        assert schedule.lower_bound is not None
        assert schedule.objective <= schedule.lower_bound * 1.10

    def test_a_route_shared_by_overlapping_movements_is_never_over_capacity(self) -> None:
        # A shuttle serving both the last stoning and the way to the Haram couples the two
        # movements' capacity: they form one piece of the bound and share its room.
        data = json.loads(generate(250, seed=8).to_json())
        data["routes"].append(
            {
                "id": "shuttle",
                "capacity": 3000,
                "duration": 2,
                "movements": ["stone-12", "to-haram"],
            }
        )
        for g in data["groups"]:
            g["routes"].append("shuttle")
        instance = parse_instance(data)
        schedule = planned(instance)
        assert any(a.route == "shuttle" for a in schedule.assignments)
        assert schedule.objective < greedy(instance).objective

    def test_progress_reports_each_stage(self) -> None:
        stages: list[str] = []
        plan(tiny_instance(), time_limit=5, progress=lambda s, d, t: stages.append(s))
        assert {"greedy", "bound", "schedule", "done"} <= set(stages)

    def test_movements_without_wishes_still_get_every_group_a_place(self) -> None:
        data = tiny()
        for g in data["groups"]:
            g["preferred"] = {}
        schedule = planned(parse_instance(data))
        assert schedule.objective == 0
        assert schedule.lower_bound == 0


class TestInfeasible:
    def test_too_little_capacity_says_which_movement_slots_and_pilgrims(self) -> None:
        data = tiny()
        data["routes"][1]["capacity"] = [150] * 12
        with pytest.raises(Infeasible) as caught:
            plan(parse_instance(data), time_limit=5)
        (shortfall,) = caught.value.shortfalls
        assert shortfall.movement == "stone"
        assert shortfall.pilgrims >= 1
        assert shortfall.slots == (6, 7, 8, 9, 10)
        assert "movement stone" in caught.value.one_line()

    def test_a_group_with_no_route_for_a_movement_is_named(self) -> None:
        data = tiny()
        data["groups"][2]["routes"] = ["metro"]
        with pytest.raises(Infeasible) as caught:
            plan(parse_instance(data), time_limit=5)
        assert "group G3" in caught.value.message
        assert caught.value.shortfalls[0].pilgrims == 200


@st.composite
def small_instances(draw: st.DrawFn) -> dict[str, Any]:
    slots = 10
    n_routes = draw(st.integers(1, 2))
    routes = [
        {
            "id": f"r{i}",
            "capacity": draw(st.integers(300, 1200)),
            "duration": draw(st.integers(1, 2)),
            "movements": ["a", "b"],
        }
        for i in range(n_routes)
    ]
    lo = draw(st.integers(0, 3))
    movements = [
        {"id": "a", "window": [lo, lo + draw(st.integers(1, 3))]},
        {
            "id": "b",
            "window": [5, 7],
            "forbidden": draw(st.lists(st.integers(5, 7), max_size=1)),
            "after": {"movement": "a", "min_gap": draw(st.integers(0, 2))},
        },
    ]
    groups = []
    for i in range(draw(st.integers(1, 3))):
        groups.append(
            {
                "id": f"G{i}",
                "size": draw(st.integers(150, 400)),
                "routes": [r["id"] for r in routes],
                "preferred": {
                    "a": draw(st.integers(0, 6)),
                    "b": draw(st.integers(4, 9)),
                },
            }
        )
    return {
        "slot_minutes": 60,
        "start": "2026-05-25T00:00:00+03:00",
        "slots": slots,
        "routes": routes,
        "movements": movements,
        "groups": groups,
    }


class TestProperties:
    @settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(small_instances())
    def test_a_planned_schedule_is_valid_and_its_bound_below_the_optimum(
        self, data: dict[str, Any]
    ) -> None:
        instance = parse_instance(data)
        best = optimum(instance)
        try:
            schedule = plan(instance, time_limit=5)
        except Infeasible:
            assert best is None
            return
        report = check(instance, schedule)
        assert report.ok, report.violations
        assert best is not None
        assert schedule.lower_bound is not None
        assert schedule.lower_bound <= best <= schedule.objective
