"""Card pages: the scanner's lists and lookups by role, the pilgrim's own card, status changes."""

from __future__ import annotations

import io
import re
import uuid
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pypdf import PdfReader
from sqlalchemy import select
from sqlalchemy.orm import Session

from labbaik.auth.models import AuditEntry
from labbaik.auth.roles import system_actor
from labbaik.cards import sdjwt, service
from labbaik.cards.schemas import CardRead, TrustKey
from tests.registry.test_pages import csrf_of, log_in

REASON = "helping a lost pilgrim"


@pytest.fixture
def cards(session: Session, world: Any, card_keys: list[TrustKey]) -> dict[str, CardRead]:
    system = system_actor("test")
    issued = {
        key: service.issue_card(session, pilgrim_id=pilgrim.id, actor=system)
        for key, pilgrim in (("a", world.pilgrim_a), ("b", world.pilgrim_b))
    }
    session.commit()
    return issued


def _scan(client: TestClient, body: dict[str, Any], *, csrf: str | None = None) -> Any:
    page = client.get("/cards/scan")
    assert page.status_code == 200
    token = csrf or re.search(r'data-csrf="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
    return client.post("/cards/scan", json=body, headers={"X-CSRF-Token": token})


def _audit(session: Session, action: str) -> list[AuditEntry]:
    session.expire_all()
    return list(session.scalars(select(AuditEntry).where(AuditEntry.action == action)))


class TestScanner:
    def test_a_field_worker_gets_the_page_and_both_lists(
        self, client: TestClient, cards: dict[str, CardRead]
    ) -> None:
        log_in(client, "field-worker")
        page = client.get("/cards/scan")
        assert page.status_code == 200
        assert 'src="/static/cards/scan.js"' in page.text
        assert "<script>" not in page.text  # the CSP allows no inline script
        trust = client.get("/cards/trust.json").json()
        assert cards["a"].kid in trust["keys"]
        status = client.get("/cards/status-list")
        assert status.headers["content-type"] == "application/statuslist+cwt"
        assert status.content[:1] == b"\xd2"  # a tagged COSE_Sign1

    def test_a_company_may_not_scan(self, client: TestClient, cards: dict[str, CardRead]) -> None:
        log_in(client, "company")
        assert client.get("/cards/scan").status_code == 403
        assert client.get("/cards/trust.json").status_code == 403

    def test_the_service_worker_covers_the_card_pages(self, client: TestClient) -> None:
        response = client.get("/cards/sw.js")
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/javascript")
        assert response.headers["service-worker-allowed"] == "/cards/"

    def test_a_field_worker_sees_the_holder_but_no_passport(
        self, client: TestClient, session: Session, cards: dict[str, CardRead]
    ) -> None:
        log_in(client, "field-worker")
        response = _scan(client, {"qr_text": cards["a"].qr_text, "reason": REASON, "nonce": "n1"})
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["verdict"] == "valid"
        assert "Siti Aminah" in body["html"]
        assert "+6281234567890" in body["html"]  # the group leader's phone
        assert "C1234567" not in body["html"]
        scans = _audit(session, "card.scan")
        assert [(e.actor_username, e.reason) for e in scans] == [("field-worker", REASON)]

    def test_an_officer_also_sees_the_passport(
        self, client: TestClient, cards: dict[str, CardRead]
    ) -> None:
        log_in(client, "officer")
        response = _scan(client, {"qr_text": cards["a"].qr_text, "reason": "identity check"})
        assert 'id="holder-passport">C1234567<' in response.json()["html"]

    def test_a_retried_scan_is_recorded_once(
        self, client: TestClient, session: Session, cards: dict[str, CardRead]
    ) -> None:
        log_in(client, "medic")
        body = {"qr_text": cards["b"].qr_text, "reason": "medical assistance", "nonce": "same"}
        first = _scan(client, body)
        again = _scan(client, body)
        assert first.json() == again.json()
        assert len(_audit(session, "card.scan")) == 1

    def test_a_revoked_card_is_refused_and_the_refusal_recorded(
        self, client: TestClient, session: Session, cards: dict[str, CardRead]
    ) -> None:
        service.revoke(
            session, card_number=cards["a"].card_number, reason="lost", actor=system_actor("t")
        )
        session.commit()
        log_in(client, "field-worker")
        response = _scan(client, {"qr_text": cards["a"].qr_text, "reason": REASON})
        body = response.json()
        assert body["verdict"] == "revoked"
        assert "Aminah" not in body["html"]
        assert 'id="holder-refused"' in body["html"]
        (entry,) = _audit(session, "card.scan")
        assert entry.detail == {"verdict": "revoked", "card_number": cards["a"].card_number}

    def test_a_typed_card_number_is_looked_up(
        self, client: TestClient, session: Session, cards: dict[str, CardRead]
    ) -> None:
        log_in(client, "field-worker")
        response = _scan(client, {"card_number": cards["b"].card_number, "reason": REASON})
        body = response.json()
        assert body["verdict"] == "valid"
        assert "Al-Qahtani" in body["html"]
        wrong = cards["b"].card_number[:-1] + ("0" if cards["b"].card_number[-1] != "0" else "1")
        assert _scan(client, {"card_number": wrong, "reason": REASON}).json()["verdict"] == (
            "unreadable"
        )
        assert len(_audit(session, "card.scan")) == 2

    def test_garbage_is_a_verdict_not_an_error(
        self, client: TestClient, session: Session, cards: dict[str, CardRead]
    ) -> None:
        log_in(client, "field-worker")
        response = _scan(client, {"qr_text": "HJ1:NOT A CARD", "reason": REASON})
        assert response.json()["verdict"] == "unreadable"
        assert len(_audit(session, "card.scan")) == 1

    def test_a_scan_without_the_page_token_is_refused_in_json(
        self, client: TestClient, cards: dict[str, CardRead]
    ) -> None:
        log_in(client, "field-worker")
        response = _scan(client, {"qr_text": cards["a"].qr_text, "reason": REASON}, csrf="x")
        assert response.status_code == 403
        assert response.json()["error"] == "forbidden"

    def test_a_scan_without_a_reason_is_invalid(
        self, client: TestClient, cards: dict[str, CardRead]
    ) -> None:
        log_in(client, "field-worker")
        response = _scan(client, {"qr_text": cards["a"].qr_text, "reason": ""})
        assert response.status_code == 422
        assert response.json()["error"] == "invalid_input"


class TestMyCard:
    def test_the_pilgrim_sees_the_qr_and_the_lost_view_in_their_language(
        self, client: TestClient, cards: dict[str, CardRead]
    ) -> None:
        log_in(client, "pilgrim")
        page = client.get("/cards/me")
        assert page.status_code == 200
        assert cards["a"].card_number in page.text
        assert 'src="data:image/svg+xml' in page.text
        # Siti Aminah speaks Indonesian: Arabic first, then her language.
        assert 'lang="ar" dir="rtl" class="lost-ar"' in page.text
        assert "Saya tersesat" in page.text
        assert "أنا تائه" in page.text
        assert "Mina camp 12/3" in page.text
        assert "+6281234567890" in page.text
        assert "Aziziyah Tower" in page.text
        assert 'src="/static/cards/me.js"' in page.text

    def test_other_roles_have_no_card_page_of_their_own(self, client: TestClient) -> None:
        log_in(client, "field-worker")
        assert client.get("/cards/me").status_code == 403


class TestCardList:
    def test_a_company_lists_its_own_cards_only(
        self, client: TestClient, cards: dict[str, CardRead]
    ) -> None:
        log_in(client, "company")
        page = client.get("/cards")
        assert f'href="/cards/{cards["a"].card_number}"' in page.text
        assert cards["b"].card_number not in page.text

    def test_a_card_number_goes_to_its_page(
        self, client: TestClient, cards: dict[str, CardRead]
    ) -> None:
        log_in(client, "operator")
        number = cards["b"].card_number
        response = client.get("/cards", params={"q": f" {number} "}, follow_redirects=False)
        assert response.headers["location"] == f"/cards/{number}"
        assert client.get("/cards", params={"status": "lost"}).status_code == 422


class TestCardPage:
    def test_another_company_gets_not_found(
        self, client: TestClient, cards: dict[str, CardRead]
    ) -> None:
        log_in(client, "company-b")
        assert client.get(f"/cards/{cards['a'].card_number}").status_code == 404
        assert client.get(f"/cards/{cards['b'].card_number}").status_code == 200

    def test_a_company_suspends_and_reinstates_with_a_reason(
        self, client: TestClient, session: Session, cards: dict[str, CardRead]
    ) -> None:
        log_in(client, "company")
        number = cards["a"].card_number
        page = client.get(f"/cards/{number}")
        assert 'id="form-suspend"' in page.text
        form = {"csrf_token": csrf_of(page.text), "action": "suspend", "reason": "under review"}
        response = client.post(f"/cards/{number}/status", data=form, follow_redirects=False)
        assert response.status_code == 303
        page = client.get(f"/cards/{number}")
        assert 'class="status-word status-suspended"' in page.text
        assert 'id="form-reinstate"' in page.text
        form |= {"action": "reinstate", "reason": "cleared"}
        client.post(f"/cards/{number}/status", data=form)
        assert service.get_card(session, card_number=number, actor=system_actor("t")).status == (
            "valid"
        )
        assert [e.reason for e in _audit(session, "card.suspend")] == ["under review"]

    def test_a_change_without_a_reason_is_sent_back(
        self, client: TestClient, cards: dict[str, CardRead]
    ) -> None:
        log_in(client, "operator")
        number = cards["b"].card_number
        token = csrf_of(client.get(f"/cards/{number}").text)
        response = client.post(
            f"/cards/{number}/status", data={"csrf_token": token, "action": "revoke", "reason": " "}
        )
        assert 'id="reason-missing"' in response.text
        assert 'status-valid"' in response.text

    def test_a_lost_card_is_replaced_in_one_step(
        self, client: TestClient, session: Session, cards: dict[str, CardRead]
    ) -> None:
        log_in(client, "operator")
        old = cards["b"].card_number
        token = csrf_of(client.get(f"/cards/{old}").text)
        form = {"csrf_token": token, "action": "replace", "reason": "lost in Mina"}
        response = client.post(f"/cards/{old}/status", data=form, follow_redirects=False)
        new = response.headers["location"].rsplit("/", 1)[1]
        assert new != old
        assert f'href="/cards/{old}"' in client.get(f"/cards/{new}").text
        system = system_actor("t")
        assert service.get_card(session, card_number=old, actor=system).status == "revoked"

    def test_a_field_worker_cannot_change_a_status(
        self, client: TestClient, cards: dict[str, CardRead]
    ) -> None:
        log_in(client, "field-worker")
        page = client.get("/cards/scan")
        token = re.search(r'data-csrf="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
        form = {"csrf_token": token, "action": "revoke", "reason": "no reason"}
        response = client.post(f"/cards/{cards['a'].card_number}/status", data=form)
        assert response.status_code in {403, 404}

    def test_the_printed_card_downloads_as_a_pdf(
        self, client: TestClient, cards: dict[str, CardRead]
    ) -> None:
        log_in(client, "company")
        response = client.get(f"/cards/{cards['a'].card_number}/card.pdf")
        assert response.status_code == 200
        assert response.headers["content-type"] == "application/pdf"
        reader = PdfReader(io.BytesIO(response.content))
        assert len(reader.pages) == 2
        assert cards["a"].card_number in reader.pages[1].extract_text()


def _check_presentation(client: TestClient, username: str, presentation: str) -> Any:
    client.cookies.clear()
    log_in(client, username)
    token = re.search(r'data-csrf="([^"]+)"', client.get("/cards/scan").text).group(1)  # type: ignore[union-attr]
    return client.post(
        "/cards/phone/verify",
        json={"presentation": presentation, "reason": REASON},
        headers={"X-CSRF-Token": token},
    ).json()


class TestPhoneCredential:
    def test_the_pilgrim_takes_the_credential_and_a_field_worker_checks_it(
        self, client: TestClient, session: Session, cards: dict[str, CardRead]
    ) -> None:
        log_in(client, "pilgrim")
        response = client.get("/cards/me/credential")
        assert response.status_code == 200, response.text.split("<main>")[-1][:600]
        assert response.headers["content-type"].startswith("application/dc+sd-jwt")
        shown = sdjwt.present(response.text, health=False)

        checked = _check_presentation(client, "field-worker", shown)
        assert checked["verdict"] == "valid"
        assert checked["claims"]["sub"] == cards["a"].card_number
        assert checked["claims"]["group"]["leader_phone"] == "+6281234567890"
        assert checked["claims"]["residence"]["mina"]["code"] == "MINA-12-3"
        assert "health" not in checked["claims"]
        (entry,) = _audit(session, "card.phone_verify")
        assert entry.reason == REASON
        assert entry.detail["verdict"] == "valid"  # type: ignore[index]

    def test_the_health_summary_reaches_a_medic_only(
        self, client: TestClient, cards: dict[str, CardRead]
    ) -> None:
        log_in(client, "pilgrim")
        with_health = sdjwt.present(client.get("/cards/me/credential").text, health=True)
        medic = _check_presentation(client, "medic", with_health)
        assert medic["verdict"] == "valid"
        assert set(medic["claims"]["health"]) >= {"allergies", "conditions", "compliance"}
        worker = _check_presentation(client, "field-worker", with_health)
        assert worker["verdict"] == "valid"
        assert "health" not in worker["claims"]

    def test_a_forged_presentation_is_refused(
        self, client: TestClient, cards: dict[str, CardRead]
    ) -> None:
        log_in(client, "medic")
        token = re.search(r'data-csrf="([^"]+)"', client.get("/cards/scan").text).group(1)  # type: ignore[union-attr]
        checked = client.post(
            "/cards/phone/verify",
            json={"presentation": "eyJhbGciOiJFUzI1NiJ9.e30.AAAA~", "reason": "medical check"},
            headers={"X-CSRF-Token": token},
        ).json()
        assert checked["verdict"] in {"unreadable", "unknown_signer", "tampered"}
        assert checked["claims"] is None


class TestHolderView:
    def test_a_medic_sees_allergies_and_conditions_first(self) -> None:
        from labbaik.cards.schemas import CardHolderView, Verdict  # noqa: PLC0415
        from labbaik.web.templating import env  # noqa: PLC0415

        pilgrim_id = uuid.uuid4()
        view = CardHolderView(
            verdict=Verdict(verdict="valid", reason="good"),
            scan_id=uuid.uuid4(),
            pilgrim_id=pilgrim_id,
            card_number="47000001235",
            surname="Aminah",
            given_names="Siti",
            health={
                "pilgrim_id": pilgrim_id,
                "compliance": {"pilgrim_id": pilgrim_id, "status": "compliant"},
                "updated_at": None,
                "blood_type": "O+",
                "allergies": [{"text": "Penicillin", "code": None, "criticality": "high"}],
                "conditions": [{"text": "Diabetes type 2", "code": None, "onset": None}],
                "medications": [],
                "fitness_flags": ["heat_risk"],
            },
        )
        html = env.get_template("cards/_holder.html").render(
            v=view, places=[], _=lambda text: text, show_date=str
        )
        allergies, conditions = html.index("Penicillin"), html.index("Diabetes type 2")
        assert allergies < conditions < html.index("No medications recorded")
        assert "High risk" in html
        assert "At risk in the heat" in html
