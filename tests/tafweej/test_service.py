"""The Tafweej service: season data, export and import, plans, re-plans and next steps."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from pydantic import ValidationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from labbaik.auth.models import AuditEntry
from labbaik.auth.roles import Actor
from labbaik.errors import Forbidden, InvalidInput
from labbaik.registry.errors import GroupNotFound, PilgrimNotFound
from labbaik.tafweej import service
from labbaik.tafweej.errors import InUse, NoPublishedPlan, PlanInvalid, TafweejNotSetUp, UnknownCode
from labbaik.tafweej.models import Plan
from labbaik.tafweej.planning import format as fmt
from labbaik.tafweej.planning.errors import Infeasible, InvalidInstance
from labbaik.tafweej.planning.validate import check
from labbaik.tafweej.schemas import GroupDataWrite, GroupWish, PlanRead, ReplanRequest, RouteWrite
from labbaik.tafweej.service.plans import stored_schedule
from tests.conftest import World
from tests.tafweej.helpers import START, YEAR, small_season


def _actor(world: World, key: str) -> Actor:
    actor = world.actor(key)
    assert isinstance(actor, Actor)
    return actor


def _planned(session: Session, world: World, *, publish: bool = True) -> tuple[Actor, PlanRead]:
    operator = small_season(session, world)
    plan = service.run_plan(session, hijri_year=YEAR, actor=operator, time_limit=2)
    if publish:
        plan = service.publish_plan(session, plan_id=plan.id, actor=operator)
    return operator, plan


def _stored_check(session: Session, plan_id: uuid.UUID, actor: Actor) -> bool:
    row = session.get(Plan, plan_id)
    assert row is not None
    return check(fmt.parse_instance(row.instance), stored_schedule(session, row, actor=actor)).ok


class TestSeasonData:
    def test_an_operator_enters_the_season_and_reads_it_back(
        self, session: Session, world: World
    ) -> None:
        operator = small_season(session, world)
        data = service.season_data(session, hijri_year=YEAR, actor=operator)
        assert data.grid is not None
        assert data.grid.slots == 48
        assert [m.code for m in data.movements] == ["to-arafat", "to-muzdalifah"]
        assert data.movements[1].after == "to-arafat"
        metro = next(r for r in data.routes if r.code == "metro-red")
        assert metro.movements == ["to-arafat", "to-muzdalifah"]
        assert metro.assembly == "st-mina-3"
        assert metro.ticket_colour == "red"
        sizes = {g.code: g.size for g in data.groups}
        assert sizes == {"IDN-001": 1, "SAU-001": 1}
        assert data.groups[0].camp == "MINA-12-3"

    def test_a_route_naming_an_unknown_movement_is_refused(
        self, session: Session, world: World
    ) -> None:
        operator = small_season(session, world)
        with pytest.raises(UnknownCode, match="to-haram"):
            service.save_route(
                session,
                hijri_year=YEAR,
                route_in=RouteWrite(
                    code="bus-1", mode="bus", name="Bus 1", capacity=50, movements=["to-haram"]
                ),
                actor=operator,
            )

    def test_a_ticket_colour_belongs_to_a_metro_only(self) -> None:
        with pytest.raises(ValidationError, match="ticket colour"):
            RouteWrite(
                code="walk-9",
                mode="walk",
                name="W",
                capacity=5,
                movements=["x"],
                ticket_colour="red",
            )

    def test_a_capacity_per_slot_needs_one_value_per_slot(
        self, session: Session, world: World
    ) -> None:
        operator = small_season(session, world)
        with pytest.raises(Exception, match="one per slot"):
            service.save_route(
                session,
                hijri_year=YEAR,
                route_in=RouteWrite(
                    code="bus-1", mode="bus", name="Bus", capacity=[5, 5], movements=["to-arafat"]
                ),
                actor=operator,
            )

    def test_a_wish_past_the_last_slot_is_refused(self, session: Session, world: World) -> None:
        operator = small_season(session, world)
        with pytest.raises(InvalidInput, match=r"wishes\.to-arafat"):
            service.save_group_data(
                session,
                hijri_year=YEAR,
                group_id=world.group_a.id,
                data_in=GroupDataWrite(
                    routes=["metro-red"], wishes={"to-arafat": GroupWish(preferred=48)}
                ),
                actor=operator,
            )

    def test_a_company_may_not_edit_the_season(self, session: Session, world: World) -> None:
        small_season(session, world)
        with pytest.raises(Forbidden):
            service.save_route(
                session,
                hijri_year=YEAR,
                route_in=RouteWrite(
                    code="bus-1", mode="bus", name="Bus", capacity=5, movements=["to-arafat"]
                ),
                actor=_actor(world, "company"),
            )

    def test_a_company_sees_only_its_own_groups_data(self, session: Session, world: World) -> None:
        small_season(session, world)
        data = service.season_data(session, hijri_year=YEAR, actor=_actor(world, "company"))
        assert [g.code for g in data.groups] == ["IDN-001"]


class TestExportAndImport:
    def test_the_season_exports_as_a_valid_instance(self, session: Session, world: World) -> None:
        operator = small_season(session, world)
        exported = service.export_instance(session, hijri_year=YEAR, actor=operator)
        instance = exported.instance
        assert instance.slots == 48
        assert instance.start == START
        assert {g.id: g.size for g in instance.groups} == {"IDN-001": 1, "SAU-001": 1}
        assert instance.movements[1].after == fmt.After(movement="to-arafat", min_gap=6)
        assert instance.groups[0].forbidden == {"to-muzdalifah": [40]}
        # The file round-trips through the format's own parser.
        assert fmt.parse_instance(instance.model_dump(mode="json")) == instance

    def test_a_season_without_a_grid_cannot_be_exported(
        self, session: Session, world: World
    ) -> None:
        with pytest.raises(TafweejNotSetUp, match="slot grid"):
            service.export_instance(session, hijri_year=YEAR, actor=_actor(world, "operator"))

    def test_a_group_left_without_routes_is_named_by_the_export(
        self, session: Session, world: World
    ) -> None:
        operator = small_season(session, world)
        service.delete_route(session, hijri_year=YEAR, code="metro-red", actor=operator)
        service.delete_route(session, hijri_year=YEAR, code="walk-1", actor=operator)
        with pytest.raises(InvalidInstance) as caught:
            service.export_instance(session, hijri_year=YEAR, actor=operator)
        fields = {p.field for p in caught.value.problems}
        assert "groups[IDN-001].routes" in fields

    def test_an_instance_imports_into_the_season_matching_groups_by_code(
        self, session: Session, world: World
    ) -> None:
        operator = small_season(session, world)
        instance = service.export_instance(session, hijri_year=YEAR, actor=operator).instance
        changed = instance.model_copy(
            update={
                "groups": [
                    g.model_copy(update={"preferred": {"to-arafat": 33}, "size": 40})
                    for g in instance.groups
                ]
            }
        )
        summary = service.import_instance(
            session, hijri_year=YEAR, instance=changed, actor=operator
        )
        assert (summary.groups, summary.routes, summary.movements) == (2, 2, 2)
        assert len(summary.size_differences) == 2
        again = service.export_instance(session, hijri_year=YEAR, actor=operator).instance
        assert {g.preferred["to-arafat"] for g in again.groups} == {33}
        # The sizes stay the registry's.
        assert {g.size for g in again.groups} == {1}

    def test_an_instance_with_an_unknown_group_writes_nothing(
        self, session: Session, world: World
    ) -> None:
        operator = small_season(session, world)
        instance = service.export_instance(session, hijri_year=YEAR, actor=operator).instance
        stranger = instance.groups[0].model_copy(update={"id": "NOPE-1"})
        bad = instance.model_copy(update={"groups": [*instance.groups, stranger]})
        with pytest.raises(UnknownCode) as caught:
            service.import_instance(session, hijri_year=YEAR, instance=bad, actor=operator)
        assert caught.value.problems[0].field == "groups[NOPE-1]"


class TestPlans:
    def test_a_plan_from_the_database_passes_the_validator_and_keeps_its_figures(
        self, session: Session, world: World
    ) -> None:
        operator, _ = _planned(session, world, publish=False)
        (plan,) = service.list_plans(session, hijri_year=YEAR, actor=operator)
        assert plan.valid
        assert plan.violations == []
        assert plan.version == 1
        assert plan.created_by == "operator"
        assert plan.lower_bound <= plan.objective
        assert plan.greedy_objective is not None
        assert plan.objective <= plan.greedy_objective
        assert plan.groups == 2
        assert plan.pilgrims == 2
        detail = service.get_plan(session, plan_id=plan.id, actor=operator)
        assert len(detail.assignments) == 4
        # Capacity 1 on the metro: the two groups cannot both go at their preferred slot 29.
        arafat = sorted(a.slot for a in detail.assignments if a.movement == "to-arafat")
        assert arafat[0] != arafat[1]
        assert 30 not in arafat
        assert _stored_check(session, plan.id, operator)

    def test_a_season_that_cannot_fit_says_which_movement_and_stores_nothing(
        self, session: Session, world: World
    ) -> None:
        operator = small_season(session, world)
        service.save_route(
            session,
            hijri_year=YEAR,
            route_in=RouteWrite(
                code="metro-red", mode="metro", name="Metro", capacity=0,
                movements=["to-arafat", "to-muzdalifah"],
            ),
            actor=operator,
        )  # fmt: skip
        with pytest.raises(Infeasible, match="to-arafat"):
            service.run_plan(session, hijri_year=YEAR, actor=operator, time_limit=1)
        assert service.list_plans(session, hijri_year=YEAR, actor=operator) == []

    def test_a_retried_run_with_the_same_key_returns_the_first_plan(
        self, session: Session, world: World
    ) -> None:
        operator = small_season(session, world)
        first = service.run_plan(
            session, hijri_year=YEAR, actor=operator, time_limit=2, client_key="k-1"
        )
        again = service.run_plan(
            session, hijri_year=YEAR, actor=operator, time_limit=2, client_key="k-1"
        )
        assert again.id == first.id
        assert session.scalar(select(func.count()).select_from(Plan)) == 1

    def test_publishing_one_plan_unpublishes_the_others(
        self, session: Session, world: World
    ) -> None:
        operator, _ = _planned(session, world)
        second = service.run_plan(session, hijri_year=YEAR, actor=operator, time_limit=2)
        service.publish_plan(session, plan_id=second.id, actor=operator)
        plans = service.list_plans(session, hijri_year=YEAR, actor=operator)
        published = [p for p in plans if p.is_published]
        assert [p.version for p in published] == [2]

    def test_a_route_in_a_stored_plan_cannot_be_deleted(
        self, session: Session, world: World
    ) -> None:
        operator, _ = _planned(session, world, publish=False)
        with pytest.raises(InUse, match="metro-red"):
            service.delete_route(session, hijri_year=YEAR, code="metro-red", actor=operator)
        with pytest.raises(InUse, match="movement to-arafat is in a stored plan"):
            service.delete_movement(session, hijri_year=YEAR, code="to-arafat", actor=operator)

    def test_an_unused_route_is_deleted(self, session: Session, world: World) -> None:
        operator = small_season(session, world)
        service.delete_route(session, hijri_year=YEAR, code="walk-1", actor=operator)
        routes = service.season_data(session, hijri_year=YEAR, actor=operator).routes
        assert [r.code for r in routes] == ["metro-red"]

    def test_an_invalid_plan_cannot_be_published(self, session: Session, world: World) -> None:
        operator, plan = _planned(session, world, publish=False)
        row = session.get(Plan, plan.id)
        assert row is not None
        row.valid, row.violations = False, ["route metro-red slot 29: over by 1"]
        session.flush()
        with pytest.raises(PlanInvalid):
            service.publish_plan(session, plan_id=row.id, actor=operator)

    def test_a_company_may_not_run_a_plan(self, session: Session, world: World) -> None:
        small_season(session, world)
        with pytest.raises(Forbidden):
            service.run_plan(session, hijri_year=YEAR, actor=_actor(world, "company"), time_limit=1)

    def test_route_loads_never_pass_capacity(self, session: Session, world: World) -> None:
        operator, plan = _planned(session, world)
        loads = service.route_loads(session, plan_id=plan.id, actor=operator)
        for load in loads:
            assert all(used <= c for used, c in zip(load.load, load.capacity, strict=True))
        metro = next(r for r in loads if r.route == "metro-red")
        assert sum(metro.load) >= 2
        assert metro.peak_percent == 100.0
        busiest = service.busiest_slots(session, plan_id=plan.id, loads=loads)
        assert busiest[0].percent == 100.0
        assert busiest[0].route == "metro-red"


class TestReplan:
    def test_a_late_group_changes_only_later_assignments(
        self, session: Session, world: World
    ) -> None:
        operator, plan = _planned(session, world)
        before = service.get_plan(session, plan_id=plan.id, actor=operator)
        from_slot = 38
        replanned = service.replan_plan(
            session,
            plan_id=plan.id,
            request=ReplanRequest(from_slot=from_slot, late_groups={"IDN-001": 4}, time_limit=2),
            actor=operator,
        )
        assert replanned.valid
        assert replanned.kind == "replan"
        assert replanned.version == 2
        assert replanned.moved == 1
        assert replanned.late_groups == {"IDN-001": 4}
        assert replanned.is_published
        assert replanned.parent_id == plan.id
        after = service.get_plan(session, plan_id=replanned.id, actor=operator)
        old = {(a.group, a.movement): a for a in before.assignments}
        new = {(a.group, a.movement): a for a in after.assignments}
        for key, a in old.items():
            if a.slot < from_slot:
                assert new[key] == a
        late = new["IDN-001", "to-muzdalifah"]
        assert late.slot >= from_slot + 4
        assert new["SAU-001", "to-muzdalifah"] == old["SAU-001", "to-muzdalifah"]
        assert _stored_check(session, replanned.id, operator)

    def test_a_closed_route_takes_no_group_from_its_slot_on(
        self, session: Session, world: World
    ) -> None:
        operator, plan = _planned(session, world)
        replanned = service.replan_plan(
            session,
            plan_id=plan.id,
            request=ReplanRequest(from_slot=38, closed_routes=["metro-red"], time_limit=2),
            actor=operator,
        )
        after = service.get_plan(session, plan_id=replanned.id, actor=operator)
        later = [a for a in after.assignments if a.slot >= 38]
        assert later
        assert all(a.route == "walk-1" for a in later)
        assert replanned.valid
        assert _stored_check(session, replanned.id, operator)

    def test_a_replan_naming_an_unknown_group_is_refused(
        self, session: Session, world: World
    ) -> None:
        operator, plan = _planned(session, world)
        with pytest.raises(UnknownCode) as caught:
            service.replan_plan(
                session,
                plan_id=plan.id,
                request=ReplanRequest(from_slot=38, late_groups={"NOPE": 2}),
                actor=operator,
            )
        assert caught.value.problems[0].field == "late_groups[NOPE]"


class TestNextSteps:
    def test_a_pilgrim_sees_their_next_steps_with_time_place_and_ticket(
        self, session: Session, world: World
    ) -> None:
        _planned(session, world)
        steps = service.next_steps(
            session, pilgrim_id=world.pilgrim_a.id, actor=_actor(world, "pilgrim"), at=START
        )
        assert [s.movement for s in steps] == ["to-arafat", "to-muzdalifah"]
        first = steps[0]
        assert first.route.code == "metro-red"
        assert first.route.ticket_colour == "red"
        assert first.assembly is not None
        assert first.assembly.code == "st-mina-3"
        assert first.starts_at == START + timedelta(hours=first.slot)
        assert (first.hijri_day, first.hijri_month, first.hijri_year) == (9, 12, 1447)

    def test_steps_already_over_are_not_next(self, session: Session, world: World) -> None:
        _planned(session, world)
        pilgrim = _actor(world, "pilgrim")
        steps = service.next_steps(session, pilgrim_id=world.pilgrim_a.id, actor=pilgrim, at=START)
        later = service.next_steps(
            session, pilgrim_id=world.pilgrim_a.id, actor=pilgrim, at=steps[0].ends_at
        )
        assert [s.movement for s in later] == ["to-muzdalifah"]

    def test_a_pilgrim_cannot_read_another_pilgrims_steps(
        self, session: Session, world: World
    ) -> None:
        _planned(session, world)
        with pytest.raises(PilgrimNotFound):
            service.next_steps(
                session, pilgrim_id=world.pilgrim_b.id, actor=_actor(world, "pilgrim"), at=START
            )

    def test_a_pilgrim_reads_only_their_own_groups_schedule(
        self, session: Session, world: World
    ) -> None:
        _planned(session, world)
        pilgrim = _actor(world, "pilgrim")
        own = service.group_schedule(session, group_id=world.group_a.id, actor=pilgrim)
        assert own.code == "IDN-001"
        assert len(own.steps) == 2
        with pytest.raises(GroupNotFound):
            service.group_schedule(session, group_id=world.group_b.id, actor=pilgrim)

    def test_another_companys_group_is_not_found(self, session: Session, world: World) -> None:
        _planned(session, world)
        with pytest.raises(GroupNotFound):
            service.group_next_steps(
                session, group_id=world.group_b.id, actor=_actor(world, "company"), at=START
            )

    def test_a_company_lists_its_own_groups_schedules(self, session: Session, world: World) -> None:
        _planned(session, world)
        schedules = service.company_schedules(session, actor=_actor(world, "company"))
        assert [s.code for s in schedules] == ["IDN-001"]
        assert schedules[0].size == 1

    def test_nothing_is_shown_before_a_plan_is_published(
        self, session: Session, world: World
    ) -> None:
        _planned(session, world, publish=False)
        with pytest.raises(NoPublishedPlan):
            service.next_steps(
                session, pilgrim_id=world.pilgrim_a.id, actor=_actor(world, "pilgrim")
            )

    def test_reading_next_steps_is_audited(self, session: Session, world: World) -> None:
        _planned(session, world)
        service.next_steps(
            session, pilgrim_id=world.pilgrim_a.id, actor=_actor(world, "pilgrim"), at=START
        )
        session.flush()
        reasons = session.scalars(
            select(AuditEntry.reason).where(AuditEntry.action == "pilgrim.read")
        ).all()
        assert "tafweej: next step" in reasons
