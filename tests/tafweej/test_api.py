"""The Tafweej API: season data, plans (run, get, publish, re-plan), schedules, next steps."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.conftest import World
from tests.tafweej.helpers import START, YEAR, small_season


def _published(client: TestClient, session: Session, world: World) -> dict[str, Any]:
    small_season(session, world)
    session.commit()
    ran = client.post(
        f"/api/v1/tafweej/seasons/{YEAR}/plans",
        json={"time_limit": 2},
        headers=world.headers("operator"),
    )
    assert ran.status_code == 201, ran.text
    plan = ran.json()
    published = client.post(
        f"/api/v1/tafweej/plans/{plan['id']}/publish", headers=world.headers("operator")
    )
    assert published.status_code == 200
    return dict(published.json())


class TestSeasonData:
    def test_an_operator_writes_a_route_and_reads_the_season(
        self, client: TestClient, session: Session, world: World
    ) -> None:
        small_season(session, world)
        session.commit()
        route = {
            "code": "bus-7", "mode": "bus", "name": "Bus 7", "capacity": 50,
            "movements": ["to-arafat"], "bus_number": "7", "bus_colour": "green",
        }  # fmt: skip
        put = client.put(
            f"/api/v1/tafweej/seasons/{YEAR}/routes", json=route, headers=world.headers("operator")
        )
        assert put.status_code == 200, put.text
        data = client.get(f"/api/v1/tafweej/seasons/{YEAR}", headers=world.headers("operator"))
        assert "bus-7" in [r["code"] for r in data.json()["routes"]]

    def test_a_company_may_not_write_season_data(
        self, client: TestClient, session: Session, world: World
    ) -> None:
        small_season(session, world)
        session.commit()
        put = client.put(
            f"/api/v1/tafweej/seasons/{YEAR}/grid",
            json={"start": START.isoformat(), "slot_minutes": 30, "slots": 10},
            headers=world.headers("company"),
        )
        assert put.status_code == 403

    def test_the_instance_exports_and_imports_again(
        self, client: TestClient, session: Session, world: World
    ) -> None:
        small_season(session, world)
        session.commit()
        headers = world.headers("operator")
        exported = client.get(f"/api/v1/tafweej/seasons/{YEAR}/instance", headers=headers)
        assert exported.status_code == 200
        instance = exported.json()
        assert {g["id"] for g in instance["groups"]} == {"IDN-001", "SAU-001"}
        imported = client.post(
            f"/api/v1/tafweej/seasons/{YEAR}/instance", json=instance, headers=headers
        )
        assert imported.status_code == 200, imported.text
        assert imported.json()["groups"] == 2

    def test_a_broken_instance_is_refused_naming_the_field(
        self, client: TestClient, session: Session, world: World
    ) -> None:
        small_season(session, world)
        session.commit()
        headers = world.headers("operator")
        instance = client.get(f"/api/v1/tafweej/seasons/{YEAR}/instance", headers=headers).json()
        instance["groups"][0]["routes"] = ["nowhere"]
        refused = client.post(
            f"/api/v1/tafweej/seasons/{YEAR}/instance", json=instance, headers=headers
        )
        assert refused.status_code == 422
        assert refused.json()["problems"][0]["field"] == "groups[IDN-001].routes"


class TestPlans:
    def test_a_run_plan_is_valid_and_a_retry_with_its_key_returns_it(
        self, client: TestClient, session: Session, world: World
    ) -> None:
        small_season(session, world)
        session.commit()
        headers = world.headers("operator") | {"Idempotency-Key": "run-1"}
        first = client.post(
            f"/api/v1/tafweej/seasons/{YEAR}/plans", json={"time_limit": 2}, headers=headers
        )
        again = client.post(
            f"/api/v1/tafweej/seasons/{YEAR}/plans", json={"time_limit": 2}, headers=headers
        )
        assert first.json()["id"] == again.json()["id"]
        assert first.json()["valid"] is True
        detail = client.get(f"/api/v1/tafweej/plans/{first.json()['id']}", headers=headers)
        assert len(detail.json()["assignments"]) == 4

    def test_a_late_group_is_re_planned_and_the_moves_counted(
        self, client: TestClient, session: Session, world: World
    ) -> None:
        plan = _published(client, session, world)
        replanned = client.post(
            f"/api/v1/tafweej/plans/{plan['id']}/replan",
            json={"from_slot": 38, "late_groups": {"IDN-001": 4}, "time_limit": 2},
            headers=world.headers("operator"),
        )
        assert replanned.status_code == 201, replanned.text
        body = replanned.json()
        assert body["moved"] == 1
        assert body["is_published"] is True
        assert body["valid"] is True

    def test_a_replan_without_a_change_is_refused(
        self, client: TestClient, session: Session, world: World
    ) -> None:
        plan = _published(client, session, world)
        refused = client.post(
            f"/api/v1/tafweej/plans/{plan['id']}/replan",
            json={"from_slot": 38},
            headers=world.headers("operator"),
        )
        assert refused.status_code == 422

    def test_a_company_may_not_run_or_read_plans(
        self, client: TestClient, session: Session, world: World
    ) -> None:
        plan = _published(client, session, world)
        headers = world.headers("company")
        ran = client.post(
            f"/api/v1/tafweej/seasons/{YEAR}/plans", json={"time_limit": 1}, headers=headers
        )
        assert ran.status_code == 403
        assert client.get(f"/api/v1/tafweej/plans/{plan['id']}", headers=headers).status_code == 403


class TestSchedules:
    def test_a_company_reads_its_groups_and_not_another_companys(
        self, client: TestClient, session: Session, world: World
    ) -> None:
        _published(client, session, world)
        headers = world.headers("company")
        listed = client.get("/api/v1/tafweej/groups", headers=headers)
        assert [g["code"] for g in listed.json()] == ["IDN-001"]
        own = client.get(f"/api/v1/tafweej/groups/{world.group_a.id}/schedule", headers=headers)
        assert own.status_code == 200
        other = client.get(f"/api/v1/tafweej/groups/{world.group_b.id}/schedule", headers=headers)
        assert other.status_code == 404

    def test_a_pilgrim_reads_their_own_next_steps_only(
        self, client: TestClient, session: Session, world: World
    ) -> None:
        _published(client, session, world)
        headers = world.headers("pilgrim")
        mine = client.get(
            "/api/v1/tafweej/me/next-steps", params={"at": START.isoformat()}, headers=headers
        )
        assert mine.status_code == 200
        steps = mine.json()
        assert steps[0]["movement"] == "to-arafat"
        assert steps[0]["route"]["ticket_colour"] == "red"
        other = client.get(
            f"/api/v1/tafweej/pilgrims/{world.pilgrim_b.id}/next-steps", headers=headers
        )
        assert other.status_code == 404

    def test_next_steps_need_a_token(self, client: TestClient, world: World) -> None:
        assert client.get("/api/v1/tafweej/me/next-steps").status_code == 401
