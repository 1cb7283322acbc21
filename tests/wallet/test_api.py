"""The wallet's and merchants' JSON API: webhooks over HTTP, Idempotency-Key, step-up, scoping."""

from __future__ import annotations

import uuid

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from labbaik.auth import service as auth_service
from labbaik.auth.models import Account
from labbaik.wallet.gateway import CARD_SUCCEEDS, SandboxGateway
from tests.conftest import World
from tests.wallet.authenticator import SoftwareAuthenticator
from tests.wallet.conftest import OPERATOR, Pilgrim, Till, deliver_over_http


def _key() -> dict[str, str]:
    return {"Idempotency-Key": uuid.uuid4().hex}


def _top_up(
    api: TestClient, world: World, session: Session, gateway: SandboxGateway, amount: int
) -> dict[str, object]:
    response = api.post(
        "/api/v1/wallet/topups",
        json={"amount": amount, "card": CARD_SUCCEEDS},
        headers=world.headers("pilgrim") | _key(),
    )
    assert response.status_code == 201, response.text
    assert deliver_over_http(session, gateway, api) == [200, 200]
    body: dict[str, object] = response.json()
    return body


class TestWebhook:
    def test_a_signed_webhook_over_http_credits_the_wallet(
        self, api: TestClient, world: World, session: Session, gateway: SandboxGateway,
        pilgrim: Pilgrim,
    ) -> None:  # fmt: skip
        _top_up(api, world, session, gateway, 12_000)
        wallet = api.get("/api/v1/wallet", headers=world.headers("pilgrim")).json()
        assert (wallet["balance"], wallet["pending_in"]) == (12_000, 0)

    def test_a_webhook_with_a_wrong_signature_is_refused_and_changes_nothing(
        self, api: TestClient, world: World, session: Session, gateway: SandboxGateway,
        pilgrim: Pilgrim,
    ) -> None:  # fmt: skip
        api.post(
            "/api/v1/wallet/topups",
            json={"amount": 3_000, "card": CARD_SUCCEEDS},
            headers=world.headers("pilgrim") | _key(),
        )

        def tamper(body: bytes, headers: dict[str, str]) -> int:
            forged = body.replace(b'"amount":3000', b'"amount":300000')
            return api.post(
                "/api/v1/wallet/gateway/webhook", content=forged, headers=headers
            ).status_code

        assert gateway.deliver(session, post=tamper) == 0
        wallet = api.get("/api/v1/wallet", headers=world.headers("pilgrim")).json()
        assert (wallet["balance"], wallet["pending_in"]) == (0, 3_000)

    def test_an_old_webhook_is_refused_as_a_replay(
        self, api: TestClient, gateway: SandboxGateway
    ) -> None:
        from datetime import timedelta  # noqa: PLC0415

        from labbaik.kit.timeutil import utcnow  # noqa: PLC0415

        body, header = gateway.signed({"id": "evt_1"}, now=utcnow() - timedelta(hours=1))
        response = api.post(
            "/api/v1/wallet/gateway/webhook",
            content=body,
            headers={"Labbaik-Signature": header},
        )
        assert (response.status_code, response.json()["error"]) == (400, "webhook_rejected")

    def test_a_webhook_for_an_unknown_top_up_asks_the_gateway_to_retry(
        self, api: TestClient, gateway: SandboxGateway
    ) -> None:
        payload = {
            "id": "evt_x", "type": "charge.succeeded", "sequence": 2,
            "data": {"id": "ch_x", "reference": str(uuid.uuid4()), "amount": 100,
                     "currency": "SAR"},
        }  # fmt: skip
        body, header = gateway.signed(payload)
        response = api.post(
            "/api/v1/wallet/gateway/webhook", content=body, headers={"Labbaik-Signature": header}
        )
        assert (response.status_code, response.json()["error"]) == (409, "webhook_too_early")


class TestIdempotencyKey:
    def test_a_call_that_moves_money_without_the_header_is_refused(
        self, api: TestClient, world: World, pilgrim: Pilgrim
    ) -> None:
        response = api.post(
            "/api/v1/wallet/topups",
            json={"amount": 3_000, "card": CARD_SUCCEEDS},
            headers=world.headers("pilgrim"),
        )
        assert response.status_code == 422
        assert "Idempotency-Key" in response.json()["detail"]

    def test_a_replay_gets_the_first_answer_and_another_body_is_refused(
        self, api: TestClient, world: World, pilgrim: Pilgrim
    ) -> None:
        headers = world.headers("pilgrim") | {"Idempotency-Key": "order-17"}
        first = api.post(
            "/api/v1/wallet/topups", json={"amount": 3_000, "card": CARD_SUCCEEDS}, headers=headers
        )
        again = api.post(
            "/api/v1/wallet/topups", json={"amount": 3_000, "card": CARD_SUCCEEDS}, headers=headers
        )
        other = api.post(
            "/api/v1/wallet/topups", json={"amount": 4_000, "card": CARD_SUCCEEDS}, headers=headers
        )
        assert first.status_code == again.status_code == 201
        assert again.json() == first.json()
        assert (other.status_code, other.json()["error"]) == (422, "idempotency_key_reused")
        wallet = api.get("/api/v1/wallet", headers=world.headers("pilgrim")).json()
        assert wallet["pending_in"] == 3_000

    def test_the_openapi_schema_requires_the_header_on_every_money_call(
        self, api: TestClient
    ) -> None:
        schema = api.get("/api/v1/openapi.json").json()
        for path in (
            "/api/v1/wallet/topups",
            "/api/v1/wallet/payments/{payment_id}/confirm",
            "/api/v1/merchants/me/payments/{payment_id}/refunds",
            "/api/v1/merchants/{merchant_id}/payouts",
        ):
            params = schema["paths"][path]["post"]["parameters"]
            header = next(p for p in params if p["name"] == "Idempotency-Key")
            assert (header["in"], header["required"]) == ("header", True), path


class TestPayByApi:
    def test_quote_confirm_with_a_passkey_refund_and_payout(
        self, api: TestClient, world: World, session: Session, gateway: SandboxGateway,
        pilgrim: Pilgrim, till: Till,
    ) -> None:  # fmt: skip
        pilgrim_h, till_h, op_h = (world.headers(k) for k in ("pilgrim", "merchant", "operator"))
        phone = SoftwareAuthenticator()
        options = api.post("/api/v1/wallet/passkeys/options", headers=pilgrim_h).json()
        created = api.post(
            "/api/v1/wallet/passkeys", json={"credential": phone.create(options)}, headers=pilgrim_h
        )
        assert created.status_code == 201, created.text
        _top_up(api, world, session, gateway, 60_000)
        qr = api.get("/api/v1/merchants/me/qr", params={"amount": 30_000}, headers=till_h).json()
        quote = api.post(
            "/api/v1/wallet/quotes", json={"merchant_qr": qr["text"]}, headers=pilgrim_h
        ).json()
        assert (quote["total"], quote["step_up_required"]) == (30_300, True)
        url = f"/api/v1/wallet/payments/{quote['id']}"
        refused = api.post(f"{url}/confirm", headers=pilgrim_h | _key())
        assert (refused.status_code, refused.json()["error"]) == (401, "step_up_required")
        request_options = api.post(f"{url}/step-up", headers=pilgrim_h).json()
        paid = api.post(
            f"{url}/confirm", json={"assertion": phone.get(request_options)},
            headers=pilgrim_h | _key(),
        )  # fmt: skip
        assert (paid.status_code, paid.json()["status"]) == (200, "paid"), paid.text
        refund = api.post(
            f"/api/v1/merchants/me/payments/{quote['id']}/refunds",
            json={"amount": 10_000},
            headers=till_h | _key(),
        )
        assert (refund.status_code, refund.json()["fee"]) == (201, 100)
        payout = api.post(f"/api/v1/merchants/{till.merchant.id}/payouts", headers=op_h | _key())
        assert (payout.status_code, payout.json()["amount"]) == (201, 20_000)
        report = api.get(
            f"/api/v1/merchants/{till.merchant.id}/reconciliation", headers=op_h
        ).json()
        assert (report["ledger_balance"], report["difference"]) == (0, 0)
        wallet = api.get("/api/v1/wallet", headers=pilgrim_h).json()
        assert wallet["balance"] == 60_000 - 30_300 + 10_100

    def test_a_till_request_is_paid_when_the_pilgrim_confirms_it(
        self, api: TestClient, world: World, session: Session, gateway: SandboxGateway,
        pilgrim: Pilgrim, till: Till,
    ) -> None:  # fmt: skip
        _top_up(api, world, session, gateway, 5_000)
        asked = api.post(
            "/api/v1/merchants/me/requests",
            json={"pilgrim_id": str(world.pilgrim_a.id), "amount": 1_500, "note": "dates"},
            headers=world.headers("merchant"),
        )
        assert asked.status_code == 201, asked.text
        waiting = api.get("/api/v1/wallet/requests", headers=world.headers("pilgrim")).json()
        assert [w["id"] for w in waiting] == [asked.json()["id"]]
        paid = api.post(
            f"/api/v1/wallet/payments/{asked.json()['id']}/confirm",
            headers=world.headers("pilgrim") | _key(),
        )
        assert paid.json()["status"] == "paid"
        seen = api.get(
            f"/api/v1/merchants/me/payments/{asked.json()['id']}", headers=world.headers("merchant")
        )
        assert seen.json()["status"] == "paid"


class TestTillRequests:
    def test_a_retried_request_with_its_key_asks_the_pilgrim_once(
        self, api: TestClient, world: World, pilgrim: Pilgrim, till: Till
    ) -> None:
        body = {"pilgrim_id": str(world.pilgrim_a.id), "amount": 700}
        headers = world.headers("merchant") | {"Idempotency-Key": "till-7"}
        first = api.post("/api/v1/merchants/me/requests", json=body, headers=headers).json()
        again = api.post("/api/v1/merchants/me/requests", json=body, headers=headers).json()
        assert again["id"] == first["id"]
        waiting = api.get("/api/v1/wallet/requests", headers=world.headers("pilgrim")).json()
        assert [w["id"] for w in waiting] == [first["id"]]

    def test_an_operator_reads_a_wallet_s_history_and_the_read_is_audited(
        self, api: TestClient, world: World, session: Session, gateway: SandboxGateway,
        pilgrim: Pilgrim,
    ) -> None:  # fmt: skip
        _top_up(api, world, session, gateway, 2_000)
        page = api.get(
            f"/api/v1/wallets/{pilgrim.wallet.id}/history", headers=world.headers("operator")
        ).json()
        assert [(i["kind"], i["amount"], i["pending"]) for i in page["items"]] == [
            ("topup", 2_000, True), ("topup", 2_000, False),
        ]  # fmt: skip
        audit = api.get(
            "/api/v1/audit", params={"action": "wallet.history"}, headers=world.headers("operator")
        )
        assert audit.status_code == 200, audit.text
        assert audit.json()["total"] == 1


class TestScoping:
    def test_another_pilgrim_cannot_see_or_pay_with_this_wallet(
        self, api: TestClient, world: World, session: Session, pilgrim: Pilgrim, till: Till,
    ) -> None:  # fmt: skip
        other = Account(
            username="pilgrim-b", display_name="B", password_hash="x", role="pilgrim",
            pilgrim_id=world.pilgrim_b.id,
        )  # fmt: skip
        session.add(other)
        session.flush()
        token = auth_service.mint_token(session, account_id=other.id, name="t", actor=OPERATOR)
        session.commit()
        headers = {"Authorization": f"Bearer {token.token}"}
        assert api.get(f"/api/v1/wallets/{pilgrim.wallet.id}", headers=headers).status_code == 404
        quote = api.post(
            "/api/v1/wallet/quotes",
            json={"merchant_code": till.merchant.code, "amount": 100},
            headers=world.headers("pilgrim"),
        )
        assert quote.status_code == 409  # the wallet is empty: refused at the quote already
        assert api.get("/api/v1/wallet", headers=headers).json()["error"] == "wallet_not_found"

    def test_only_an_operator_onboards_merchants_and_pays_them_out(
        self, api: TestClient, world: World, till: Till
    ) -> None:
        body = {"name": "Mina Bakery", "category": "food"}
        assert (
            api.post("/api/v1/merchants", json=body, headers=world.headers("merchant")).status_code
            == 403
        )
        created = api.post("/api/v1/merchants", json=body, headers=world.headers("operator"))
        assert created.status_code == 201
        payout = api.post(
            f"/api/v1/merchants/{till.merchant.id}/payouts",
            headers=world.headers("merchant") | _key(),
        )
        assert payout.status_code == 403

    def test_a_merchant_account_without_a_binding_is_told_so(
        self, api: TestClient, world: World
    ) -> None:
        response = api.get("/api/v1/merchants/me", headers=world.headers("merchant"))
        assert (response.status_code, response.json()["error"]) == (403, "not_a_merchant")
