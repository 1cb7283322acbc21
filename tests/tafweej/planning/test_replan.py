"""Re-planning: the past stays fixed, late groups and closed routes are honoured, few move."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from labbaik.tafweej.planning.errors import Infeasible, InvalidSchedule
from labbaik.tafweej.planning.format import Instance, Schedule, parse_instance
from labbaik.tafweej.planning.generate import generate
from labbaik.tafweej.planning.replan import closed_instance, replan
from labbaik.tafweej.planning.solver import plan
from labbaik.tafweej.planning.validate import check
from tests.tafweej.planning.instances import tiny_instance
from tests.tafweej.planning.test_solver import small_instances
from tests.tafweej.planning.test_validate import VALID, schedule

FROM = 130  # in the middle of the stoning on the 10th


@pytest.fixture(scope="module")
def season() -> tuple[Instance, Schedule]:
    instance = generate(200, seed=11)
    return instance, plan(instance, time_limit=10)


def by_key(s: Schedule) -> dict[tuple[str, str], tuple[int, str]]:
    return {(a.group, a.movement): (a.slot, a.route) for a in s.assignments}


class TestReplan:
    def test_nothing_changed_moves_nobody(self, season: tuple[Instance, Schedule]) -> None:
        instance, planned = season
        new, moved = replan(instance, planned, from_slot=FROM, time_limit=5)
        assert moved == 0
        assert by_key(new) == by_key(planned)

    def test_a_late_group_moves_and_the_past_stays(self, season: tuple[Instance, Schedule]) -> None:
        instance, planned = season
        before = by_key(planned)
        # The group whose next start is soonest after FROM, made late past it.
        nxt = min((a for a in planned.assignments if a.slot >= FROM), key=lambda a: a.slot)
        delay = nxt.slot - FROM + 2
        new, moved = replan(
            instance, planned, from_slot=FROM, late_groups={nxt.group: delay}, time_limit=5
        )
        after = by_key(new)
        assert check(instance, new).ok
        assert 1 <= moved <= 5
        for key, (slot, route) in before.items():
            if slot < FROM:
                assert after[key] == (slot, route)
        late = [s for (g, _), (s, _) in after.items() if g == nxt.group and s >= FROM]
        assert min(late) >= FROM + delay

    def test_a_closed_route_is_not_used_from_the_slot_on(
        self, season: tuple[Instance, Schedule]
    ) -> None:
        instance, planned = season
        new, moved = replan(
            instance, planned, from_slot=FROM, closed_routes=["jamarat-l2-10"], time_limit=5
        )
        assert moved > 0
        assert not [a for a in new.assignments if a.route == "jamarat-l2-10" and a.slot >= FROM]
        assert check(closed_instance(instance, planned, ["jamarat-l2-10"], FROM), new).ok

    def test_a_delay_that_leaves_no_room_is_explained(self) -> None:
        # G3 cannot stone before slot 9: the walk then has no two free slots for G1 and G2.
        with pytest.raises(Infeasible) as caught:
            replan(tiny_instance(), schedule(VALID), from_slot=5, late_groups={"G3": 4})
        assert caught.value.shortfalls[0].movement == "stone"

    def test_an_unknown_late_group_is_refused(self) -> None:
        with pytest.raises(InvalidSchedule, match="G7"):
            replan(tiny_instance(), schedule(VALID), from_slot=5, late_groups={"G7": 1})


class TestReplanProperties:
    @settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(small_instances(), st.integers(0, 9), st.integers(0, 3))
    def test_the_past_never_changes_and_the_result_is_valid(
        self, data: dict[str, Any], from_slot: int, delay: int
    ) -> None:
        instance = parse_instance(data)
        try:
            planned = plan(instance, time_limit=5)
        except Infeasible:
            return
        late = {instance.groups[0].id: delay}
        try:
            new, moved = replan(
                instance, planned, from_slot=from_slot, late_groups=late, time_limit=5
            )
        except Infeasible:
            return
        assert check(instance, new).ok
        before, after = by_key(planned), by_key(new)
        assert all(after[k] == v for k, v in before.items() if v[0] < from_slot)
        changed = {g for (g, m), v in after.items() if before[g, m] != v}
        assert moved == len(changed)
        for (g, m), (slot, _) in after.items():
            if g == instance.groups[0].id and before[g, m][0] >= from_slot:
                assert slot >= from_slot + delay
