"""The demo season's Tafweej: a published plan the validator accepts, a next step for everyone."""

from __future__ import annotations

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from labbaik import demo
from labbaik.auth.roles import system_actor
from labbaik.kit.pagination import PageRequest
from labbaik.registry import service as registry
from labbaik.tafweej import service
from labbaik.tafweej.models import Plan
from labbaik.tafweej.planning import format as fmt
from labbaik.tafweej.planning.validate import check
from labbaik.tafweej.service.plans import stored_schedule


def test_every_demo_pilgrim_has_a_next_step_from_a_valid_published_plan(engine: Engine) -> None:
    with Session(engine) as session:
        demo.build(session, pilgrims=200, seed=3)
        session.commit()
    system = system_actor("test")
    with Session(engine) as session:
        plan = session.scalar(select(Plan).where(Plan.is_published.is_(True)))
        assert plan is not None
        instance = fmt.parse_instance(plan.instance)
        assert check(instance, stored_schedule(session, plan, actor=system)).ok
        assert plan.pilgrims == 200
        start = fmt.parse_instance(plan.instance).start
        pilgrims = registry.list_pilgrims(session, actor=system, page=PageRequest(1, 500)).items
        for pilgrim in pilgrims[::25]:
            steps = service.next_steps(session, pilgrim_id=pilgrim.id, actor=system, at=start)
            assert steps[0].movement == "to-mina"
            assert steps[0].assembly is not None
        groups = service.company_schedules(session, actor=system)
        assert sum(g.size or 0 for g in groups) == 200
        assert all(len(g.steps) == len(instance.movements) for g in groups)
