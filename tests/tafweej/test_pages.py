"""Tafweej pages: my next step, a company's schedules, the planner and the season's data."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from labbaik.tafweej import service
from tests.conftest import World
from tests.registry.test_pages import csrf_of, log_in
from tests.tafweej.helpers import YEAR, small_season


def _publish(session: Session, world: World) -> None:
    operator = small_season(session, world)
    plan = service.run_plan(session, hijri_year=YEAR, actor=operator, time_limit=2)
    service.publish_plan(session, plan_id=plan.id, actor=operator)
    session.commit()


class TestMyNextStep:
    def test_a_pilgrim_sees_the_schedule_with_ticket_and_assembly_point(
        self, client: TestClient, session: Session, world: World
    ) -> None:
        _publish(session, world)
        log_in(client, "pilgrim")
        page = client.get("/tafweej/next")
        assert page.status_code == 200
        assert "Mina station 3" in page.text
        assert "ticket-red" in page.text
        assert "9 Dhu al-Hijjah 1447 AH" in page.text

    def test_the_page_speaks_arabic(
        self, client: TestClient, session: Session, world: World
    ) -> None:
        _publish(session, world)
        log_in(client, "pilgrim")
        page = client.get("/tafweej/next?lang=ar")
        assert 'dir="rtl"' in page.text
        assert "خطوتي التالية" in page.text
        assert "ذو الحجة" in page.text

    def test_before_publication_the_pilgrim_is_told_so(
        self, client: TestClient, session: Session, world: World
    ) -> None:
        small_season(session, world)
        session.commit()
        log_in(client, "pilgrim")
        assert "not published yet" in client.get("/tafweej/next").text


class TestCompanySchedules:
    def test_a_company_sees_its_groups_only(
        self, client: TestClient, session: Session, world: World
    ) -> None:
        _publish(session, world)
        log_in(client, "company")
        page = client.get("/tafweej/groups")
        assert "IDN-001" in page.text
        assert "SAU-001" not in page.text
        assert client.get(f"/tafweej/groups/{world.group_a.id}").status_code == 200
        assert client.get(f"/tafweej/groups/{world.group_b.id}").status_code == 404


class TestPlanner:
    def test_the_planner_shows_figures_a_chart_and_the_busiest_slots(
        self, client: TestClient, session: Session, world: World
    ) -> None:
        _publish(session, world)
        log_in(client, "operator")
        page = client.get("/tafweej/planner")
        assert page.status_code == 200
        assert "<svg" in page.text
        assert "Busiest slots" in page.text
        assert re.search(r"<td>100</td>|>100<", page.text)

    def test_an_operator_runs_and_publishes_a_plan_from_the_page(
        self, client: TestClient, session: Session, world: World
    ) -> None:
        small_season(session, world)
        session.commit()
        log_in(client, "operator")
        token = csrf_of(client.get("/tafweej/planner").text)
        ran = client.post(
            "/tafweej/planner/run",
            data={"time_limit": "2", "season": str(YEAR), "csrf_token": token},
            follow_redirects=False,
        )
        assert ran.status_code == 303
        plan_id = ran.headers["location"].split("plan=")[1]
        published = client.post(
            f"/tafweej/planner/{plan_id}/publish",
            data={"csrf_token": token},
            follow_redirects=False,
        )
        assert published.status_code == 303
        assert "Published" in client.get(ran.headers["location"]).text

    def test_an_operator_marks_a_group_late_and_sees_the_re_plan(
        self, client: TestClient, session: Session, world: World
    ) -> None:
        _publish(session, world)
        log_in(client, "operator")
        page = client.get("/tafweej/planner").text
        plan_id = re.search(r'action="/tafweej/planner/([0-9a-f-]{36})/replan"', page)
        assert plan_id is not None
        form = {
            "csrf_token": csrf_of(page), "from_slot": "38", "late_group": "idn-001",
            "late_slots": "4", "closed_route": "",
        }  # fmt: skip
        replanned = client.post(
            f"/tafweej/planner/{plan_id.group(1)}/replan", data=form, follow_redirects=False
        )
        assert replanned.status_code == 303
        shown = client.get(replanned.headers["location"]).text
        assert "late by 4 slots" in shown
        assert "groups moved" in shown

    def test_a_company_may_not_open_the_planner(
        self, client: TestClient, session: Session, world: World
    ) -> None:
        small_season(session, world)
        session.commit()
        log_in(client, "company")
        assert client.get("/tafweej/planner").status_code == 403


class TestSeasonData:
    def test_an_operator_adds_a_movement_on_the_page(
        self, client: TestClient, session: Session, world: World
    ) -> None:
        small_season(session, world)
        session.commit()
        log_in(client, "operator")
        token = csrf_of(client.get("/tafweej/season").text)
        form = {
            "csrf_token": token, "season": str(YEAR), "code": "to-haram", "name": "To the Haram",
            "hijri_day": "12", "window_start": "40", "window_end": "47", "forbidden": "41, 43-44",
            "after": "to-muzdalifah", "min_gap": "2",
        }  # fmt: skip
        saved = client.post("/tafweej/season/movements", data=form, follow_redirects=False)
        assert saved.status_code == 303
        page = client.get("/tafweej/season?movement=to-haram")
        assert "41, 43-44" in page.text

    def test_an_operator_sets_a_groups_wishes_on_its_page(
        self, client: TestClient, session: Session, world: World
    ) -> None:
        small_season(session, world)
        session.commit()
        log_in(client, "operator")
        url = f"/tafweej/season/groups/{world.group_a.id}"
        page = client.get(url)
        assert "Routes the group may take" in page.text
        form = {
            "csrf_token": csrf_of(page.text), "season": str(YEAR),
            "routes": ["walk-1", "metro-red"], "preferred-to-arafat": "33",
            "forbidden-to-arafat": "34-35", "camp_id": "",
        }  # fmt: skip
        saved = client.post(url, data=form, follow_redirects=False)
        assert saved.status_code == 303
        operator = world.actor("operator")
        (group,) = service.list_group_data(
            session,
            hijri_year=YEAR,
            actor=operator,
            group_ids={world.group_a.id},  # type: ignore[arg-type]
        )
        assert group.wishes["to-arafat"].preferred == 33
        assert group.wishes["to-arafat"].forbidden == [34, 35]
        assert "to-muzdalifah" not in group.wishes

    def test_a_bad_slot_list_gets_a_clear_message(
        self, client: TestClient, session: Session, world: World
    ) -> None:
        small_season(session, world)
        session.commit()
        log_in(client, "operator")
        token = csrf_of(client.get("/tafweej/season").text)
        form = {
            "csrf_token": token, "season": str(YEAR), "code": "x", "name": "X", "hijri_day": "9",
            "window_start": "1", "window_end": "2", "forbidden": "soon",
        }  # fmt: skip
        refused = client.post("/tafweej/season/movements", data=form)
        assert refused.status_code == 422
        assert "is not a slot or a range" in refused.text
