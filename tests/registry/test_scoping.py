"""What each role sees of the registry: a company only its pilgrims, a helper only what it needs."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient

from labbaik.auth.roles import Role

# How far a role reaches: "all" pilgrims, its "own" tenant, only "self", "one" pilgrim at a time
# (after a card scan, never a list) or "none".


@dataclass(frozen=True)
class Reach:
    list_status: int
    listed: str  # which pilgrims the list holds: "all", "own", "self" or "" when refused
    own_pilgrim: int  # GET of a pilgrim of the role's own tenant (or the role's own record)
    other_pilgrim: int  # GET of another tenant's pilgrim
    other_company: int  # GET of a company the role does not work for
    passport: bool  # whether a pilgrim read shows the passport number and date of birth


EXPECTED: dict[Role, Reach] = {
    Role.PILGRIM: Reach(200, "self", 200, 404, 404, passport=True),
    Role.COMPANY: Reach(200, "own", 200, 404, 404, passport=True),
    Role.PROVIDER: Reach(403, "", 404, 404, 404, passport=False),
    Role.FIELD_WORKER: Reach(403, "", 200, 200, 404, passport=False),
    Role.MEDIC: Reach(403, "", 200, 200, 404, passport=False),
    Role.OFFICER: Reach(200, "all", 200, 200, 200, passport=True),
    Role.BAGGAGE_HANDLER: Reach(403, "", 404, 404, 404, passport=False),
    Role.MERCHANT: Reach(403, "", 404, 404, 404, passport=False),
    Role.OPERATOR: Reach(200, "all", 200, 200, 200, passport=True),
    Role.ADMIN: Reach(200, "all", 200, 200, 200, passport=True),
}


def test_the_table_covers_every_role() -> None:
    assert set(EXPECTED) == set(Role)


def _own_and_other(world: Any, role: Role) -> tuple[Any, Any, Any]:
    """(a pilgrim of the role's own tenant, another tenant's pilgrim, another company).

    The world's provider works for company B; every other role is measured from company A's side.
    """
    if role == Role.PROVIDER:
        return world.pilgrim_b, world.pilgrim_a, world.company_a
    return world.pilgrim_a, world.pilgrim_b, world.company_b


def _roles(*only: Role) -> pytest.MarkDecorator:
    chosen = list(only or Role)
    return pytest.mark.parametrize("role", chosen, ids=[r.value for r in chosen])


roles = _roles()
readers = _roles(*(r for r, reach in EXPECTED.items() if reach.own_pilgrim == 200))
listers = _roles(*(r for r, reach in EXPECTED.items() if reach.list_status == 200))


class TestEachRole:
    @roles
    def test_listing_pilgrims(self, client: TestClient, world: Any, role: Role) -> None:
        expected = EXPECTED[role]
        response = client.get("/api/v1/pilgrims", headers=world.headers(role.value))
        assert response.status_code == expected.list_status, response.text
        if response.status_code != 200:
            assert response.json()["error"] == "forbidden"
            return
        listed = {item["id"] for item in response.json()["items"]}
        everyone = {str(world.pilgrim_a.id), str(world.pilgrim_b.id)}
        wanted = {"all": everyone, "own": {str(world.pilgrim_a.id)}}.get(
            expected.listed, {str(world.pilgrim_a.id)}
        )
        assert listed == wanted
        assert response.json()["total"] == len(wanted)

    @roles
    def test_reading_a_pilgrim_of_its_own(self, client: TestClient, world: Any, role: Role) -> None:
        own, _, _ = _own_and_other(world, role)
        response = client.get(f"/api/v1/pilgrims/{own.id}", headers=world.headers(role.value))
        assert response.status_code == EXPECTED[role].own_pilgrim, response.text
        if response.status_code == 404:
            assert response.json() == {"error": "pilgrim_not_found", "detail": "no such pilgrim"}

    @roles
    def test_reading_another_tenants_pilgrim(
        self, client: TestClient, world: Any, role: Role
    ) -> None:
        _, other, _ = _own_and_other(world, role)
        response = client.get(f"/api/v1/pilgrims/{other.id}", headers=world.headers(role.value))
        assert response.status_code == EXPECTED[role].other_pilgrim, response.text
        if response.status_code == 404:
            # Exactly what an id that does not exist gets: nothing tells the two apart.
            assert response.json() == {"error": "pilgrim_not_found", "detail": "no such pilgrim"}

    @roles
    def test_reading_another_company(self, client: TestClient, world: Any, role: Role) -> None:
        _, _, company = _own_and_other(world, role)
        response = client.get(f"/api/v1/companies/{company.id}", headers=world.headers(role.value))
        assert response.status_code == EXPECTED[role].other_company, response.text
        if response.status_code == 200:
            assert response.json()["code"] == company.code

    @readers
    def test_passport_and_birth_date_only_where_the_role_needs_them(
        self, client: TestClient, world: Any, role: Role
    ) -> None:
        own, _, _ = _own_and_other(world, role)
        response = client.get(f"/api/v1/pilgrims/{own.id}", headers=world.headers(role.value))
        assert response.status_code == 200
        pilgrim = response.json()
        private = (pilgrim["passport_number"], pilgrim["date_of_birth"], pilgrim["passport_expiry"])
        if EXPECTED[role].passport:
            assert None not in private
            assert pilgrim["passport_number"] == own.passport_number
        else:
            assert private == (None, None, None)
            # What helps a lost pilgrim home is still there.
            assert pilgrim["surname"] == own.surname
            assert pilgrim["company_id"] == str(own.company_id)
            assert pilgrim["group_id"] == str(own.group_id)

    @listers
    def test_passport_numbers_in_a_list_only_where_the_role_needs_them(
        self, client: TestClient, world: Any, role: Role
    ) -> None:
        response = client.get("/api/v1/pilgrims", headers=world.headers(role.value))
        assert response.status_code == 200
        numbers = {item["passport_number"] for item in response.json()["items"]}
        if role in (Role.COMPANY, Role.OFFICER, Role.OPERATOR, Role.ADMIN):
            assert None not in numbers
        else:
            assert numbers == {None}


class TestTenantWalls:
    def test_a_company_cannot_widen_its_list_with_a_filter(
        self, client: TestClient, world: Any
    ) -> None:
        response = client.get(
            "/api/v1/pilgrims",
            params={"company_id": str(world.company_b.id)},
            headers=world.headers("company"),
        )
        assert response.status_code == 200
        assert response.json()["items"] == []
        assert response.json()["total"] == 0

    def test_a_company_cannot_find_another_companys_pilgrim_by_search(
        self, client: TestClient, world: Any
    ) -> None:
        for query in ("Qahtani", "A7654321", "القحطاني"):
            response = client.get(
                "/api/v1/pilgrims", params={"q": query}, headers=world.headers("company")
            )
            assert response.json()["total"] == 0, query

    def test_a_company_lists_only_its_companies(self, client: TestClient, world: Any) -> None:
        response = client.get("/api/v1/companies", headers=world.headers("company"))
        assert [c["id"] for c in response.json()] == [str(world.company_a.id)]

    def test_a_company_lists_only_its_groups(self, client: TestClient, world: Any) -> None:
        response = client.get(
            "/api/v1/groups",
            params={"company_id": str(world.company_b.id)},
            headers=world.headers("company"),
        )
        assert response.status_code == 200
        assert response.json() == []

    def test_a_company_cannot_change_another_companys_pilgrim(
        self, client: TestClient, world: Any
    ) -> None:
        response = client.patch(
            f"/api/v1/pilgrims/{world.pilgrim_b.id}",
            json={"surname": "Changed"},
            headers=world.headers("company"),
        )
        assert response.status_code == 404
        back = client.get(
            f"/api/v1/pilgrims/{world.pilgrim_b.id}", headers=world.headers("operator")
        )
        assert back.json()["surname"] == "Al-Qahtani"

    def test_a_company_cannot_register_a_pilgrim_for_another_company(
        self, client: TestClient, world: Any
    ) -> None:
        body = {
            "surname": "Planted",
            "sex": "M",
            "date_of_birth": "1980-01-01",
            "nationality": "SAU",
            "passport_number": "Z0000001",
            "passport_expiry": "2030-01-01",
            "company_id": str(world.company_b.id),
        }
        response = client.post("/api/v1/pilgrims", json=body, headers=world.headers("company"))
        assert response.status_code == 404
        assert response.json()["error"] == "company_not_found"

    def test_a_company_cannot_put_its_pilgrim_in_another_companys_group(
        self, client: TestClient, world: Any
    ) -> None:
        response = client.patch(
            f"/api/v1/pilgrims/{world.pilgrim_a.id}",
            json={"group_id": str(world.group_b.id)},
            headers=world.headers("company"),
        )
        assert response.status_code == 404
        assert response.json()["error"] == "group_not_found"

    def test_a_company_cannot_see_another_companys_photo(
        self, client: TestClient, world: Any
    ) -> None:
        png = b"\x89PNG\r\n\x1a\n" + b"\0" * 16
        put = client.put(
            f"/api/v1/pilgrims/{world.pilgrim_b.id}/photo",
            files={"photo": ("f.png", png, "image/png")},
            headers=world.headers("company_b"),
        )
        assert put.status_code == 204
        response = client.get(
            f"/api/v1/pilgrims/{world.pilgrim_b.id}/photo", headers=world.headers("company")
        )
        assert response.status_code == 404

    @pytest.mark.parametrize("key", ["field_worker", "medic", "officer"])
    def test_helpers_who_read_may_not_write(self, client: TestClient, world: Any, key: str) -> None:
        response = client.patch(
            f"/api/v1/pilgrims/{world.pilgrim_a.id}",
            json={"surname": "Changed"},
            headers=world.headers(key),
        )
        assert response.status_code == 403
