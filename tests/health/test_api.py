"""The health JSON API: who gets what, and a refused bundle's problems as JSON."""

from __future__ import annotations

import json
from typing import Any

from fastapi.testclient import TestClient

from tests.health.conftest import DATA

EXAMPLE = (DATA / "ips_example.json").read_bytes()


class TestApi:
    def test_a_medic_imports_then_reads_the_summary(self, client: TestClient, world: Any) -> None:
        base = f"/api/v1/health/pilgrims/{world.pilgrim_a.id}"
        imported = client.post(base + "/ips", content=EXAMPLE, headers=world.headers("medic"))
        assert imported.status_code == 200, imported.text
        summary = client.get(base + "/summary?reason=triage", headers=world.headers("medic"))
        assert summary.status_code == 200
        assert summary.json()["allergies"][0]["text"] == "Penicillin"

    def test_a_bad_bundle_answers_422_with_every_problem(
        self, client: TestClient, world: Any
    ) -> None:
        bundle = json.loads(EXAMPLE)
        bundle["entry"][0]["resource"]["section"] = []
        answer = client.post(
            f"/api/v1/health/pilgrims/{world.pilgrim_a.id}/ips",
            content=json.dumps(bundle),
            headers=world.headers("medic"),
        )
        assert answer.status_code == 422
        body = answer.json()
        assert body["error"] == "ips_rejected"
        assert len(body["problems"]) == 3

    def test_a_field_worker_gets_403_and_another_company_404(
        self, client: TestClient, world: Any
    ) -> None:
        base = f"/api/v1/health/pilgrims/{world.pilgrim_a.id}"
        worker = client.get(base + "/summary?reason=x", headers=world.headers("field_worker"))
        assert worker.status_code == 403
        other = client.get(base + "/compliance", headers=world.headers("company_b"))
        assert other.status_code == 404
        own = client.get(base + "/compliance", headers=world.headers("company"))
        assert own.json()["status"] == "no_record"

    def test_the_compliance_list_exports_as_xlsx(self, client: TestClient, world: Any) -> None:
        answer = client.get("/api/v1/health/compliance.xlsx", headers=world.headers("company"))
        assert answer.status_code == 200
        assert answer.content.startswith(b"PK")
