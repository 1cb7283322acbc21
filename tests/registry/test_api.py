"""The registry's JSON API: shapes, errors and the tenant's walls."""

from __future__ import annotations

from typing import Any


class TestScoping:
    def test_a_company_sees_its_own_pilgrim(self, client: Any, world: Any) -> None:
        response = client.get(
            f"/api/v1/pilgrims/{world.pilgrim_a.id}", headers=world.headers("company")
        )
        assert response.status_code == 200
        assert response.json()["passport_number"] == "C1234567"

    def test_another_company_gets_404(self, client: Any, world: Any) -> None:
        response = client.get(
            f"/api/v1/pilgrims/{world.pilgrim_a.id}", headers=world.headers("company_b")
        )
        assert response.status_code == 404
        assert response.json() == {"error": "pilgrim_not_found", "detail": "no such pilgrim"}

    def test_a_company_lists_only_its_pilgrims(self, client: Any, world: Any) -> None:
        response = client.get("/api/v1/pilgrims", headers=world.headers("company_b"))
        assert response.status_code == 200
        ids = [p["id"] for p in response.json()["items"]]
        assert ids == [str(world.pilgrim_b.id)]


class TestErrors:
    def test_no_token_is_401_in_the_one_error_format(self, client: Any) -> None:
        response = client.get("/api/v1/pilgrims")
        assert response.status_code == 401
        assert response.json()["error"] == "not_authenticated"

    def test_invalid_body_names_the_field(self, client: Any, world: Any) -> None:
        response = client.post(
            "/api/v1/pilgrims",
            headers=world.headers("operator"),
            json={"surname": "X", "sex": "Q"},
        )
        assert response.status_code == 422
        body = response.json()
        assert body["error"] == "invalid_input"
        assert "sex" in {p["field"] for p in body["problems"]}
