"""The cards' JSON API: issue, read, change status, verify, look up; public trust and status
lists; scopes per role and another tenant's card answered as not found."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.orm import Session

from labbaik.auth.roles import system_actor
from labbaik.cards import nfc, qr, service, verify
from labbaik.cards.schemas import TrustKey
from tests.conftest import World


@pytest.fixture
def card_number(session: Session, world: World, card_keys: list[TrustKey]) -> str:
    card = service.issue_card(session, pilgrim_id=world.pilgrim_a.id, actor=system_actor("t"))
    session.commit()
    return card.card_number


class TestIssueAndRead:
    def test_a_company_issues_and_reads_its_pilgrims_card(
        self, client: Any, world: World, card_keys: list[TrustKey]
    ) -> None:
        headers = world.headers("company")
        made = client.post(
            "/api/v1/cards", json={"pilgrim_id": str(world.pilgrim_a.id)}, headers=headers
        )
        assert made.status_code == 201, made.text
        number = made.json()["card_number"]
        again = client.post(
            "/api/v1/cards", json={"pilgrim_id": str(world.pilgrim_a.id)}, headers=headers
        )
        assert again.json()["card_number"] == number
        read = client.get(f"/api/v1/cards/{number}", headers=headers)
        assert read.json()["claims"]["surname_ar"] == "آمنة"
        listed = client.get("/api/v1/cards", headers=headers).json()
        assert [c["card_number"] for c in listed["items"]] == [number]

    def test_another_tenants_card_is_404_and_cannot_be_revoked(
        self, client: Any, world: World, card_number: str
    ) -> None:
        other = world.headers("company_b")
        assert client.get(f"/api/v1/cards/{card_number}", headers=other).status_code == 404
        revoke = client.post(
            f"/api/v1/cards/{card_number}/revoke", json={"reason": "not mine"}, headers=other
        )
        assert revoke.status_code == 404
        assert revoke.json()["error"] == "card_not_found"
        assert client.get("/api/v1/cards", headers=other).json()["total"] == 0

    def test_the_png_and_the_ndef_forms_hold_the_card(
        self, client: Any, world: World, card_number: str
    ) -> None:
        headers = world.headers("company")
        text = client.get(f"/api/v1/cards/{card_number}", headers=headers).json()["qr_text"]
        png = client.get(f"/api/v1/cards/{card_number}/qr.png", headers=headers)
        assert png.headers["content-type"] == "image/png"
        assert qr.card_text_from_image(png.content) == text
        tag = client.get(f"/api/v1/cards/{card_number}/ndef", headers=headers)
        assert len(tag.content) <= nfc.MAX_MESSAGE_BYTES
        assert nfc.body_from_message(tag.content)

    def test_a_field_worker_may_not_issue(self, client: Any, world: World) -> None:
        response = client.post(
            "/api/v1/cards",
            json={"pilgrim_id": str(world.pilgrim_a.id)},
            headers=world.headers("field_worker"),
        )
        assert response.status_code == 403


class TestStatusAndLists:
    def test_revoke_then_the_public_lists_refuse_the_card_offline(
        self, client: Any, world: World, card_number: str
    ) -> None:
        headers = world.headers("company")
        text = client.get(f"/api/v1/cards/{card_number}", headers=headers).json()["qr_text"]
        revoked = client.post(
            f"/api/v1/cards/{card_number}/revoke", json={"reason": "lost"}, headers=headers
        )
        assert revoked.json()["status"] == "revoked"
        trust = verify.TrustStore.load(client.get("/api/v1/cards/trust").content)
        pem = verify.TrustStore.load(client.get("/api/v1/cards/trust.pem").content)
        assert set(trust.signers) == set(pem.signers)
        status = client.get("/api/v1/cards/status-list")
        assert status.headers["content-type"] == "application/statuslist+cwt"
        status_list = verify.parse_status_token(status.content, trust)
        assert verify.verify_card(text, trust=trust, status=status_list).verdict == "revoked"

    def test_a_reason_is_required(self, client: Any, world: World, card_number: str) -> None:
        response = client.post(
            f"/api/v1/cards/{card_number}/suspend",
            json={"reason": ""},
            headers=world.headers("company"),
        )
        assert response.status_code == 422

    def test_replace_revokes_and_issues_in_one_call(
        self, client: Any, world: World, card_number: str
    ) -> None:
        response = client.post(
            f"/api/v1/cards/{card_number}/replace",
            json={"reason": "lost in Arafat"},
            headers=world.headers("operator"),
        )
        assert response.status_code == 201
        assert response.json()["replaces"] == card_number


class TestScan:
    def test_verify_and_lookup_answer_by_role(
        self, client: Any, world: World, card_number: str
    ) -> None:
        text = client.get(f"/api/v1/cards/{card_number}", headers=world.headers("company")).json()[
            "qr_text"
        ]
        verdict = client.post(
            "/api/v1/cards/verify", json={"qr_text": text}, headers=world.headers("medic")
        )
        assert verdict.json()["verdict"] == "valid"
        body = {"qr_text": text, "reason": "lost pilgrim"}
        worker = client.post(
            "/api/v1/cards/lookup", json=body, headers=world.headers("field_worker")
        )
        officer = client.post("/api/v1/cards/lookup", json=body, headers=world.headers("officer"))
        assert worker.json()["passport"] is None
        assert officer.json()["passport"]["passport_number"] == "C1234567"
        scans = client.get("/api/v1/cards/scans", headers=world.headers("operator")).json()
        assert [s["actor_role"] for s in scans] == ["officer", "field_worker"]

    def test_a_company_may_not_scan(self, client: Any, world: World) -> None:
        response = client.post(
            "/api/v1/cards/lookup",
            json={"card_number": "47000000183", "reason": "curious"},
            headers=world.headers("company"),
        )
        assert response.status_code == 403


def test_the_card_endpoints_are_in_the_openapi_schema(client: Any) -> None:
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    for path in (
        "/api/v1/cards",
        "/api/v1/cards/{card_number}/revoke",
        "/api/v1/cards/lookup",
        "/api/v1/cards/verify",
        "/api/v1/cards/status-list",
        "/api/v1/cards/trust",
    ):
        assert path in paths
