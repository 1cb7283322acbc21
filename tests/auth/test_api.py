"""The auth API: who am I, bearer tokens refused in the one error format, and the audit trail."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select, update
from sqlalchemy.orm import Session

from labbaik.app import create_app
from labbaik.auth.models import ApiToken, AuditEntry
from labbaik.kit.timeutil import as_utc, utcnow
from labbaik.settings import Settings


def entries(engine: Engine, **where: Any) -> list[AuditEntry]:
    with Session(engine) as session:
        stmt = select(AuditEntry).filter_by(**where).order_by(AuditEntry.at, AuditEntry.id)
        return list(session.scalars(stmt))


def assert_error(response: Any, status: int, code: str) -> None:
    assert response.status_code == status
    body = response.json()
    assert set(body) == {"error", "detail"}
    assert body["error"] == code
    assert body["detail"]


class TestMe:
    def test_a_token_says_who_is_calling(self, client: TestClient, world: Any) -> None:
        response = client.get("/api/v1/me", headers=world.headers("company"))
        assert response.status_code == 200
        me = response.json()
        assert me["username"] == "company"
        assert me["role"] == "company"
        assert me["company_id"] == str(world.company_a.id)
        assert me["scopes"] == sorted(me["scopes"])
        assert "registry:read" in me["scopes"]
        assert "audit:read" not in me["scopes"]

    def test_an_account_without_a_company_has_none(self, client: TestClient, world: Any) -> None:
        me = client.get("/api/v1/me", headers=world.headers("medic")).json()
        assert me["company_id"] is None
        assert "health:read" in me["scopes"]


class TestRefusedTokens:
    def test_no_token_is_401(self, client: TestClient) -> None:
        assert_error(client.get("/api/v1/me"), 401, "not_authenticated")

    @pytest.mark.parametrize(
        "header", ["Basic Y29tcGFueTpwYXNz", "Bearer", "Bearer   ", "lbk_no_scheme"]
    )
    def test_a_malformed_header_is_401(self, client: TestClient, header: str) -> None:
        response = client.get("/api/v1/me", headers={"Authorization": header})
        assert_error(response, 401, "not_authenticated")

    @pytest.mark.parametrize("token", ["garbage", "lbk_" + "x" * 43, "eyJhbGciOiJIUzI1NiJ9.e30.x"])
    def test_a_garbage_token_is_401(self, client: TestClient, world: Any, token: str) -> None:
        response = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
        assert_error(response, 401, "invalid_token")

    def test_an_expired_token_is_401(
        self, client: TestClient, world: Any, session: Session
    ) -> None:
        session.execute(
            update(ApiToken)
            .where(ApiToken.account_id == world.accounts["company"].id)
            .values(expires_at=utcnow() - timedelta(minutes=1))
        )
        session.commit()
        response = client.get("/api/v1/me", headers=world.headers("company"))
        assert_error(response, 401, "invalid_token")
        assert "expired" in response.json()["detail"]

    def test_a_revoked_token_is_401(self, client: TestClient, world: Any, session: Session) -> None:
        session.execute(
            update(ApiToken)
            .where(ApiToken.account_id == world.accounts["company"].id)
            .values(revoked_at=utcnow())
        )
        session.commit()
        response = client.get("/api/v1/me", headers=world.headers("company"))
        assert_error(response, 401, "invalid_token")

    def test_a_disabled_accounts_token_is_401(
        self, client: TestClient, world: Any, session: Session
    ) -> None:
        world.accounts["company"].is_active = False
        session.commit()
        assert_error(
            client.get("/api/v1/me", headers=world.headers("company")), 401, "invalid_token"
        )

    def test_other_accounts_keep_working(
        self, client: TestClient, world: Any, session: Session
    ) -> None:
        world.accounts["company"].is_active = False
        session.commit()
        assert client.get("/api/v1/me", headers=world.headers("company_b")).status_code == 200

    def test_a_used_token_is_marked_as_used(
        self, client: TestClient, world: Any, engine: Engine
    ) -> None:
        before = utcnow()
        client.get("/api/v1/me", headers=world.headers("officer"))
        with Session(engine) as session:
            used = session.scalar(
                select(ApiToken.last_used_at).where(
                    ApiToken.account_id == world.accounts["officer"].id
                )
            )
        assert used is not None
        assert as_utc(used) >= before


class TestAuditApi:
    def test_the_operator_searches_by_user_and_action(self, client: TestClient, world: Any) -> None:
        client.get(f"/api/v1/pilgrims/{world.pilgrim_a.id}", headers=world.headers("company"))
        response = client.get(
            "/api/v1/audit",
            params={"actor": "company", "action": "pilgrim.read"},
            headers=world.headers("operator"),
        )
        assert response.status_code == 200
        page = response.json()
        assert page["total"] == 1
        [entry] = page["items"]
        assert entry["actor_username"] == "company"
        assert entry["object_id"] == str(world.pilgrim_a.id)

    @pytest.mark.parametrize("key", ["company", "company_b", "officer", "pilgrim", "medic"])
    def test_others_get_403(self, client: TestClient, world: Any, key: str) -> None:
        response = client.get("/api/v1/audit", headers=world.headers(key))
        assert_error(response, 403, "forbidden")

    def test_the_admin_may_search_too(self, client: TestClient, world: Any) -> None:
        assert client.get("/api/v1/audit", headers=world.headers("admin")).status_code == 200


def _pilgrim(world: Any) -> dict[str, Any]:
    return {
        "surname": "Rahman",
        "given_names": "Fatima",
        "sex": "F",
        "date_of_birth": "1970-01-31",
        "nationality": "PAK",
        "passport_number": "AB1234567",
        "passport_expiry": "2030-12-31",
        "company_id": str(world.company_a.id),
    }


class TestAuditTrail:
    """Every write and every read of a pilgrim: who, what, when and from where."""

    def _one(self, engine: Engine, **where: Any) -> AuditEntry:
        found = entries(engine, **where)
        assert len(found) == 1, [(e.action, e.actor_username) for e in found]
        return found[0]

    def test_creating_a_pilgrim(self, client: TestClient, world: Any, engine: Engine) -> None:
        before = utcnow()
        response = client.post(
            "/api/v1/pilgrims", json=_pilgrim(world), headers=world.headers("company")
        )
        assert response.status_code == 201
        entry = self._one(engine, action="pilgrim.create", object_id=response.json()["id"])
        assert (entry.actor_username, entry.actor_role) == ("company", "company")
        assert entry.actor_id == world.accounts["company"].id
        assert entry.origin.startswith("testclient")
        assert before <= as_utc(entry.at) <= utcnow()

    def test_reading_a_pilgrim_with_the_reason_given(
        self, client: TestClient, world: Any, engine: Engine
    ) -> None:
        response = client.get(
            f"/api/v1/pilgrims/{world.pilgrim_b.id}",
            params={"reason": "lost pilgrim at gate 7"},
            headers=world.headers("field_worker"),
        )
        assert response.status_code == 200
        entry = self._one(engine, action="pilgrim.read")
        assert entry.actor_username == "field-worker"
        assert entry.object_id == str(world.pilgrim_b.id)
        assert entry.reason == "lost pilgrim at gate 7"
        assert entry.origin.startswith("testclient")

    def test_listing_pilgrims(self, client: TestClient, world: Any, engine: Engine) -> None:
        client.get("/api/v1/pilgrims", params={"q": "aminah"}, headers=world.headers("officer"))
        entry = self._one(engine, action="pilgrim.list")
        assert entry.actor_username == "officer"
        assert entry.detail is not None
        assert entry.detail["query"] == "aminah"
        assert entry.detail["returned"] == 1

    def test_updating_a_pilgrim_names_the_fields(
        self, client: TestClient, world: Any, engine: Engine
    ) -> None:
        response = client.patch(
            f"/api/v1/pilgrims/{world.pilgrim_a.id}",
            json={"phone": "+6281299999999", "surname": "Aminah Binti"},
            headers=world.headers("company"),
        )
        assert response.status_code == 200
        entry = self._one(engine, action="pilgrim.update")
        assert entry.actor_username == "company"
        assert entry.detail == {"fields": ["phone", "surname"]}

    def test_putting_a_photo(self, client: TestClient, world: Any, engine: Engine) -> None:
        png = b"\x89PNG\r\n\x1a\n" + b"\0" * 32
        response = client.put(
            f"/api/v1/pilgrims/{world.pilgrim_a.id}/photo",
            files={"photo": ("face.png", png, "image/png")},
            headers=world.headers("company"),
        )
        assert response.status_code == 204
        entry = self._one(engine, action="pilgrim.photo_write")
        assert entry.object_id == str(world.pilgrim_a.id)

    def test_reading_a_photo(self, client: TestClient, world: Any, engine: Engine) -> None:
        png = b"\x89PNG\r\n\x1a\n" + b"\0" * 32
        client.put(
            f"/api/v1/pilgrims/{world.pilgrim_a.id}/photo",
            files={"photo": ("face.png", png, "image/png")},
            headers=world.headers("company"),
        )
        response = client.get(
            f"/api/v1/pilgrims/{world.pilgrim_a.id}/photo", headers=world.headers("field_worker")
        )
        assert response.status_code == 200
        assert response.content == png
        entry = self._one(engine, action="pilgrim.photo_read")
        assert entry.actor_username == "field-worker"

    def test_a_refused_write_leaves_no_entry(
        self, client: TestClient, world: Any, engine: Engine
    ) -> None:
        response = client.patch(
            f"/api/v1/pilgrims/{world.pilgrim_a.id}",
            json={"phone": "+6281299999999"},
            headers=world.headers("company_b"),
        )
        assert response.status_code == 404
        assert entries(engine, action="pilgrim.update") == []


class TestOrigin:
    @pytest.fixture
    def behind_proxies(self, engine: Engine, world: Any) -> Iterator[TestClient]:
        """The app behind two proxies it trusts: the test client itself and 10.0.0.2."""
        settings = Settings(
            environment="test",
            database_url=engine.url.render_as_string(hide_password=False),
            trusted_proxies=["testclient", "10.0.0.2"],
        )
        with TestClient(create_app(settings, engine=engine)) as client:
            yield client

    def _origin(self, client: TestClient, world: Any, engine: Engine, forwarded: str) -> str:
        headers = world.headers("company") | {
            "X-Forwarded-For": forwarded,
            "User-Agent": "Labbaik-Scanner/2.1",
        }
        client.get(f"/api/v1/pilgrims/{world.pilgrim_a.id}", headers=headers)
        [entry] = entries(engine, action="pilgrim.read")
        return entry.origin

    def test_a_forwarded_address_from_a_stranger_is_not_believed(
        self, client: TestClient, world: Any, engine: Engine
    ) -> None:
        origin = self._origin(client, world, engine, "203.0.113.9")
        assert origin == "testclient Labbaik-Scanner/2.1"

    def test_the_address_a_trusted_proxy_saw_is_recorded(
        self, behind_proxies: TestClient, world: Any, engine: Engine
    ) -> None:
        origin = self._origin(behind_proxies, world, engine, "198.51.100.4")
        assert origin == "198.51.100.4 Labbaik-Scanner/2.1"

    def test_an_address_the_caller_wrote_itself_is_not_believed(
        self, behind_proxies: TestClient, world: Any, engine: Engine
    ) -> None:
        # The caller sent "X-Forwarded-For: 203.0.113.9"; our proxy appended the real address.
        origin = self._origin(behind_proxies, world, engine, "203.0.113.9, 198.51.100.4")
        assert origin == "198.51.100.4 Labbaik-Scanner/2.1"

    def test_a_chain_of_trusted_proxies_is_walked_back_to_the_caller(
        self, behind_proxies: TestClient, world: Any, engine: Engine
    ) -> None:
        origin = self._origin(behind_proxies, world, engine, "198.51.100.4, 10.0.0.2")
        assert origin == "198.51.100.4 Labbaik-Scanner/2.1"
