"""The ledger's JSON API: batches answered item by item, balances, statements, scopes."""

from __future__ import annotations

import uuid
from typing import Any

from labbaik.ledger.schemas import MAX_BATCH

ACCOUNTS = "/api/v1/ledger/accounts"
TRANSFERS = "/api/v1/ledger/transfers"


def _open(client: Any, world: Any, *flags: str) -> str:
    account_id = str(uuid.uuid4())
    response = client.post(
        ACCOUNTS,
        headers=world.headers("operator"),
        json=[{"id": account_id, "currency": "SAR", "code": 10, "flags": list(flags)}],
    )
    assert response.status_code == 200, response.text
    assert response.json() == [{"id": account_id, "result": "ok"}]
    return account_id


def _pay(debit: str, credit: str, amount: int, **extra: Any) -> dict[str, Any]:
    return {
        "id": str(uuid.uuid4()),
        "debit_account_id": debit,
        "credit_account_id": credit,
        "amount": amount,
        "currency": "SAR",
        "code": 1,
        **extra,
    }


class TestTransfers:
    def test_answers_one_result_per_item_in_order(self, client: Any, world: Any) -> None:
        bank, wallet = _open(client, world), _open(client, world, "debits_must_not_exceed_credits")
        batch = [_pay(bank, wallet, 100), _pay(wallet, bank, 101), _pay(wallet, bank, 40)]
        response = client.post(TRANSFERS, headers=world.headers("operator"), json=batch)
        assert response.status_code == 200
        assert [r["result"] for r in response.json()] == ["ok", "exceeds_credits", "ok"]
        assert [r["id"] for r in response.json()] == [t["id"] for t in batch]

    def test_a_retry_answers_exists(self, client: Any, world: Any) -> None:
        a, b = _open(client, world), _open(client, world)
        batch = [_pay(a, b, 5)]
        client.post(TRANSFERS, headers=world.headers("operator"), json=batch)
        again = client.post(TRANSFERS, headers=world.headers("operator"), json=batch)
        assert again.json()[0]["result"] == "exists"

    def test_gives_the_balances(self, client: Any, world: Any) -> None:
        a, b = _open(client, world), _open(client, world)
        hold = _pay(a, b, 30, flags=["pending"], timeout_seconds=600)
        client.post(TRANSFERS, headers=world.headers("operator"), json=[_pay(a, b, 70), hold])
        response = client.get(f"{ACCOUNTS}/{b}", headers=world.headers("operator"))
        assert response.json() == {
            "id": b,
            "debits_posted": 0,
            "credits_posted": 70,
            "debits_pending": 0,
            "credits_pending": 30,
        }

    def test_gives_the_statement(self, client: Any, world: Any) -> None:
        a, b = _open(client, world), _open(client, world)
        client.post(
            TRANSFERS,
            headers=world.headers("operator"),
            json=[_pay(a, b, 70, reference="r1"), _pay(b, a, 20)],
        )
        response = client.get(f"{ACCOUNTS}/{b}/entries", headers=world.headers("operator"))
        body = response.json()
        assert body["total"] == 2
        assert [
            (e["side"], e["posted"], e["credits_posted"] - e["debits_posted"])
            for e in body["items"]
        ] == [
            ("credit", 70, 70),
            ("debit", 20, 50),
        ]
        assert body["items"][0]["reference"] == "r1"

    def test_gives_one_transfer_and_its_outcome(self, client: Any, world: Any) -> None:
        a = _open(client, world)
        t = _pay(a, a, 1)
        client.post(TRANSFERS, headers=world.headers("operator"), json=[t])
        response = client.get(f"{TRANSFERS}/{t['id']}", headers=world.headers("operator"))
        assert response.json()["result"] == "same_account"


class TestRefusals:
    def test_an_unknown_account_is_404(self, client: Any, world: Any) -> None:
        response = client.get(f"{ACCOUNTS}/{uuid.uuid4()}", headers=world.headers("operator"))
        assert response.status_code == 404
        assert response.json()["error"] == "ledger_account_not_found"

    def test_a_company_may_not_use_the_ledger(self, client: Any, world: Any) -> None:
        response = client.post(
            ACCOUNTS,
            headers=world.headers("company"),
            json=[{"id": str(uuid.uuid4()), "currency": "SAR", "code": 1, "flags": []}],
        )
        assert response.status_code == 403
        assert "ledger:write" in response.json()["detail"]

    def test_a_batch_above_the_maximum_is_422(self, client: Any, world: Any) -> None:
        a = str(uuid.uuid4())
        batch = [_pay(a, a, 1) for _ in range(MAX_BATCH + 1)]
        response = client.post(TRANSFERS, headers=world.headers("operator"), json=batch)
        assert response.status_code == 422
        assert response.json()["error"] == "invalid_input"

    def test_a_missing_field_names_the_item(self, client: Any, world: Any) -> None:
        response = client.post(
            TRANSFERS,
            headers=world.headers("operator"),
            json=[{"id": str(uuid.uuid4()), "amount": 5, "currency": "SAR", "code": 1}],
        )
        assert response.status_code == 422
        assert response.json()["problems"][0]["field"] == "0"
        assert "debit_account_id" in response.json()["detail"]

    def test_a_negative_amount_is_422(self, client: Any, world: Any) -> None:
        a, b = str(uuid.uuid4()), str(uuid.uuid4())
        response = client.post(TRANSFERS, headers=world.headers("operator"), json=[_pay(a, b, -5)])
        assert response.status_code == 422
        assert response.json()["problems"][0]["field"] == "0.amount"


class TestOpenApi:
    def test_the_ledger_is_documented_with_examples(self, client: Any) -> None:
        schema = client.get("/api/v1/openapi.json").json()
        paths = schema["paths"]
        for path in (
            ACCOUNTS,
            TRANSFERS,
            ACCOUNTS + "/{account_id}",
            ACCOUNTS + "/{account_id}/entries",
        ):
            assert path in paths
        body = paths[TRANSFERS]["post"]["requestBody"]["content"]["application/json"]
        assert body["schema"]["examples"][0][0]["currency"] == "SAR"
        assert body["schema"]["maxItems"] == MAX_BATCH
        results = schema["components"]["schemas"]["ResultCode"]["enum"]
        assert {"ok", "exists", "exceeds_credits", "linked_event_failed"} <= set(results)
