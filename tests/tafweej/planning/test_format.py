"""The interchange format: what loads, and how a bad instance is named field by field."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from labbaik.tafweej.planning.errors import InvalidInstance, InvalidSchedule
from labbaik.tafweej.planning.format import load_instance, parse_instance, parse_schedule
from tests.tafweej.planning.instances import TINY, tiny


def problems(data: object) -> list[str]:
    with pytest.raises(InvalidInstance) as caught:
        parse_instance(data)
    return [f"{p.field}: {p.message}" for p in caught.value.problems]


class TestLoading:
    def test_the_issue_s_example_loads_with_its_defaults(self) -> None:
        instance = parse_instance(TINY)
        assert instance.slots == 12
        assert instance.routes[0].duration == 1
        assert instance.routes[1].capacity_at(3) == 400
        assert instance.movements[1].after is not None
        assert instance.movement_order() == ["to-arafat", "stone"]

    def test_to_json_loads_back_to_the_same_instance(self) -> None:
        instance = parse_instance(TINY)
        assert parse_instance(json.loads(instance.to_json())) == instance

    def test_an_unknown_route_of_a_group_is_named_with_the_group(self) -> None:
        data = tiny()
        data["groups"][0]["routes"] = ["metro", "cable-car"]
        assert problems(data) == ["groups[G1].routes: unknown route 'cable-car'"]

    def test_a_window_past_the_last_slot_is_refused(self) -> None:
        data = tiny()
        data["movements"][1]["window"] = [6, 12]
        assert problems(data) == ["movements[stone].window: [6, 12] goes past the last slot 11"]

    def test_a_capacity_list_of_the_wrong_length_is_refused(self) -> None:
        data = tiny()
        data["routes"][1]["capacity"] = [400] * 11
        assert problems(data) == [
            "routes[walk].capacity: has 11 values, expected one per slot (12)"
        ]

    def test_duplicate_ids_are_refused(self) -> None:
        data = tiny()
        data["groups"][2]["id"] = "G1"
        assert "groups: id 'G1' appears more than once" in problems(data)

    def test_a_cycle_in_after_is_refused(self) -> None:
        data = tiny()
        data["movements"][0]["after"] = {"movement": "stone", "min_gap": 1}
        found = problems(data)
        assert any("precedence forms a cycle" in p for p in found), found

    def test_a_structural_error_names_the_group_by_id(self) -> None:
        data = tiny()
        data["groups"][1]["size"] = 0
        (problem,) = problems(data)
        assert problem.startswith("groups[G2].size:")

    def test_every_problem_is_listed_at_once(self) -> None:
        data = tiny()
        data["groups"][0]["routes"] = ["nowhere"]
        data["movements"][0]["window"] = [5, 20]
        data["routes"][0]["movements"] = ["to-mars"]
        assert len(problems(data)) == 3

    def test_a_file_that_is_not_json_gets_one_clear_error(self, tmp_path: Path) -> None:
        path = tmp_path / "season.json"
        path.write_text("{not json", encoding="utf-8")
        with pytest.raises(InvalidInstance, match="is not JSON"):
            load_instance(path)

    def test_a_schedule_with_a_negative_slot_is_refused(self) -> None:
        with pytest.raises(InvalidSchedule):
            parse_schedule(
                {
                    "assignments": [{"group": "G1", "movement": "m", "slot": -1, "route": "r"}],
                    "objective": 0,
                }
            )
