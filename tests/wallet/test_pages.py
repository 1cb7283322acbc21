"""The wallet's pages: the pilgrim pays and tops up on the phone, the till takes and refunds."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from labbaik.cards import service as cards_service
from labbaik.cards.models import Scan
from labbaik.cards.schemas import CardRead
from labbaik.errors import Busy
from labbaik.wallet import service as wallet_service
from labbaik.wallet.gateway import CARD_DECLINED, CARD_SUCCEEDS, SandboxGateway
from labbaik.wallet.models import Payment
from tests.conftest import World
from tests.registry.test_pages import csrf_of, log_in
from tests.wallet.conftest import OPERATOR, Pilgrim, Till, deliver_over_http


def _form_value(html: str, name: str) -> str:
    found = re.search(rf'name="{name}" value="([^"]*)"', html)
    assert found, f"no {name} in the form"
    return found.group(1)


def _top_up_on_the_page(client: TestClient, card: str, amount: str) -> str:
    page = client.get("/wallet/topup").text
    response = client.post(
        "/wallet/topup",
        data={"csrf_token": csrf_of(page), "key": _form_value(page, "key"), "amount": amount,
              "card": card},
        follow_redirects=False,
    )  # fmt: skip
    assert response.status_code == 303, response.text
    return str(response.headers["location"])


class TestWalletPage:
    def test_a_pilgrim_without_a_wallet_can_open_one(self, api: TestClient, world: World) -> None:
        log_in(api, "pilgrim")
        page = api.get("/wallet")
        assert "Open my wallet" in page.text
        api.post("/wallet/open", data={"csrf_token": csrf_of(page.text)})
        assert 'id="balance"' in api.get("/wallet").text

    def test_a_top_up_waits_for_the_bank_then_shows_in_the_balance(
        self, api: TestClient, world: World, session: Session, gateway: SandboxGateway,
        pilgrim: Pilgrim,
    ) -> None:  # fmt: skip
        log_in(api, "pilgrim")
        status_url = _top_up_on_the_page(api, CARD_SUCCEEDS, "150.50")
        assert "Waiting for the bank" in api.get(status_url).text
        deliver_over_http(session, gateway, api)
        assert "The money is in your wallet." in api.get(status_url).text
        assert "150.50 SAR" in api.get("/wallet").text

    def test_a_declined_card_says_nothing_was_taken(
        self, api: TestClient, world: World, session: Session, gateway: SandboxGateway,
        pilgrim: Pilgrim,
    ) -> None:  # fmt: skip
        log_in(api, "pilgrim")
        status_url = _top_up_on_the_page(api, CARD_DECLINED, "20")
        deliver_over_http(session, gateway, api)
        assert "Nothing was taken" in api.get(status_url).text

    def test_paying_by_typed_code_shows_the_fee_before_confirming(
        self, api: TestClient, world: World, session: Session, gateway: SandboxGateway,
        pilgrim: Pilgrim, till: Till,
    ) -> None:  # fmt: skip
        log_in(api, "pilgrim")
        _top_up_on_the_page(api, CARD_SUCCEEDS, "100")
        deliver_over_http(session, gateway, api)
        page = api.get("/wallet/pay").text
        quoted = api.post(
            "/wallet/pay",
            data={"csrf_token": csrf_of(page), "code": till.merchant.code, "amount": "20"},
        )
        assert "0.20 SAR" in quoted.text
        assert "20.20 SAR" in quoted.text
        paid = api.post(
            quoted.url.path + "/confirm",
            data={"csrf_token": csrf_of(quoted.text), "key": _form_value(quoted.text, "key")},
        )
        assert 'id="paid"' in paid.text
        assert "79.80 SAR" in api.get("/wallet").text

    def test_a_refused_payment_keeps_nothing_and_says_why_in_arabic(
        self, api: TestClient, world: World, session: Session, pilgrim: Pilgrim, till: Till
    ) -> None:
        log_in(api, "pilgrim")
        page = api.get("/wallet/pay?lang=ar").text
        refused = api.post(
            "/wallet/pay",
            data={"csrf_token": csrf_of(page), "code": till.merchant.code, "amount": "20"},
        )
        assert refused.status_code == 409
        assert "رصيد المحفظة لا يكفي لهذا." in refused.text
        assert 'dir="rtl"' in refused.text
        assert session.scalar(select(func.count()).select_from(Payment)) == 0

    def test_the_statements_download_as_pdf_and_csv_with_a_bom(
        self, api: TestClient, world: World, pilgrim: Pilgrim
    ) -> None:
        log_in(api, "pilgrim")
        pdf = api.get("/wallet/statement.pdf")
        csv = api.get("/wallet/statement.csv")
        assert pdf.content.startswith(b"%PDF-")
        assert csv.content.startswith("\ufeff".encode() + b"time (Riyadh)")


class TestTill:
    def test_the_till_shows_a_signed_code_for_the_amount(
        self, api: TestClient, world: World, till: Till
    ) -> None:
        log_in(api, "merchant")
        page = api.get("/till?amount=12.50").text
        assert 'id="till-qr"' in page
        assert "data:image/svg+xml;charset=utf-8," in page
        assert "12.50 SAR" in page
        assert till.merchant.code in page

    def test_the_till_asks_the_holder_of_a_typed_card_number(
        self, api: TestClient, world: World, session: Session, pilgrim: Pilgrim, till: Till,
        card: CardRead,
    ) -> None:  # fmt: skip
        log_in(api, "merchant")
        page = api.get("/till").text
        asked = api.post(
            "/till/request",
            data={"csrf_token": csrf_of(page), "card": card.card_number, "amount": "7.50"},
            follow_redirects=False,
        )
        assert asked.status_code == 303, asked.text
        waiting = api.get("/api/v1/wallet/requests", headers=world.headers("pilgrim")).json()
        assert [w["amount"] for w in waiting] == [750]

    def test_a_revoked_card_is_refused_on_the_till_in_arabic(
        self, api: TestClient, world: World, session: Session, pilgrim: Pilgrim, till: Till,
        card: CardRead,
    ) -> None:  # fmt: skip
        cards_service.revoke(session, card_number=card.card_number, reason="stolen", actor=OPERATOR)
        session.commit()
        log_in(api, "merchant")
        page = api.get("/till?lang=ar").text
        refused = api.post(
            "/till/request",
            data={"csrf_token": csrf_of(page), "card": card.qr_text, "amount": "5"},
        )
        assert refused.status_code == 422
        assert "هذه البطاقة ملغاة ولا يمكن الدفع بها." in refused.text
        session.rollback()
        assert session.scalar(select(func.count()).select_from(Payment)) == 0
        # The refused read itself is kept, as every read of a card is.
        scans = session.scalars(select(Scan.verdict).where(Scan.card_number == card.card_number))
        assert list(scans) == ["revoked"]

    def test_the_till_refunds_part_of_a_payment(
        self, api: TestClient, world: World, session: Session, gateway: SandboxGateway,
        pilgrim: Pilgrim, till: Till,
    ) -> None:  # fmt: skip
        log_in(api, "pilgrim")
        _top_up_on_the_page(api, CARD_SUCCEEDS, "100")
        deliver_over_http(session, gateway, api)
        page = api.get("/wallet/pay").text
        quoted = api.post(
            "/wallet/pay",
            data={"csrf_token": csrf_of(page), "code": till.merchant.code, "amount": "40"},
        )
        api.post(
            quoted.url.path + "/confirm",
            data={"csrf_token": csrf_of(quoted.text), "key": _form_value(quoted.text, "key")},
        )
        api.cookies.clear()
        log_in(api, "merchant")
        till_page = api.get("/till").text
        assert "40.00 SAR" in till_page
        action = re.search(r'action="(/till/refund/[^"]+)"', till_page)
        assert action
        api.post(
            action.group(1),
            data={"csrf_token": csrf_of(till_page), "key": "r1", "amount": "10"},
        )
        assert "30.00 SAR" in api.get("/till").text  # takings net of the refund


class TestARefusalAfterADatabaseError:
    def test_the_till_shows_the_refusal_and_keeps_nothing_of_the_failed_statement(
        self, api: TestClient, world: World, session: Session, pilgrim: Pilgrim, till: Till,
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:  # fmt: skip
        """As when the ledger turns a unique-key race into Busy: a statement failed (on
        PostgreSQL that aborts the transaction) and a refusal follows. The page settles the
        unit of work before it reads what it shows, so it answers the refusal, not a 500."""

        def refund_that_races(session: Session, **_: object) -> None:
            session.add(Payment(**_A_PAYMENT, wallet_id=pilgrim.wallet.id,
                                merchant_id=till.merchant.id))  # fmt: skip
            session.flush()
            try:
                session.execute(text("SELECT * FROM no_such_table"))
            except DBAPIError:
                raise Busy("the ledger accounts are busy with other transfers") from None

        monkeypatch.setattr(wallet_service, "refund", refund_that_races)
        log_in(api, "merchant")
        page = api.get("/till").text
        refused = api.post(
            f"/till/refund/{uuid.uuid4()}",
            data={"csrf_token": csrf_of(page), "key": "r1", "amount": "1"},
        )
        assert refused.status_code == 409, refused.text
        assert "busy with other transfers" in refused.text
        assert 'id="till-qr"' in refused.text
        session.rollback()
        assert session.scalar(select(func.count()).select_from(Payment)) == 0


_A_PAYMENT = {
    "amount": 100, "fee": 1, "currency": "SAR", "status": "quoted", "initiated_by": "merchant",
    "expires_at": datetime(2030, 1, 1, tzinfo=UTC),
}  # fmt: skip


class TestMerchantsPage:
    def test_an_operator_onboards_a_merchant_with_its_till_account(
        self, api: TestClient, world: World
    ) -> None:
        log_in(api, "operator")
        page = api.get("/merchants").text
        done = api.post(
            "/merchants",
            data={"csrf_token": csrf_of(page), "name": "Jamarat Juice", "category": "food",
                  "username": "merchant"},
        )  # fmt: skip
        assert "Jamarat Juice" in done.text
        api.cookies.clear()
        log_in(api, "merchant")
        assert "Jamarat Juice" in api.get("/till").text

    def test_an_operator_changes_the_bank_account_and_pays_out_on_the_page(
        self, api: TestClient, world: World, session: Session, gateway: SandboxGateway,
        pilgrim: Pilgrim, till: Till,
    ) -> None:  # fmt: skip
        log_in(api, "pilgrim")
        _top_up_on_the_page(api, CARD_SUCCEEDS, "50")
        deliver_over_http(session, gateway, api)
        quote = api.post(
            "/wallet/pay",
            data={"csrf_token": csrf_of(api.get("/wallet/pay").text), "code": till.merchant.code,
                  "amount": "20"},
            follow_redirects=True,
        )  # fmt: skip
        api.post(
            f"{quote.url.path}/confirm",
            data={"csrf_token": csrf_of(quote.text), "key": _form_value(quote.text, "key")},
        )  # fmt: skip
        api.cookies.clear()
        log_in(api, "operator")
        page = api.get("/merchants").text
        assert "SA03 **** **** **** **** 7519" in page
        wrong = api.post(
            f"/merchants/{till.merchant.id}/bank-account",
            data={"csrf_token": csrf_of(page), "iban": "SA03 8000 0000 6080 1016 7518",
                  "holder": "Zamzam Water Co"},
        )  # fmt: skip
        assert wrong.status_code == 422
        assert "check digits do not match" in wrong.text
        moved = api.post(
            f"/merchants/{till.merchant.id}/bank-account",
            data={"csrf_token": csrf_of(page), "iban": "SA41 1000 0000 0000 0000 0201",
                  "holder": "Zamzam Water Co"},
        )  # fmt: skip
        assert "SA41 **** **** **** **** 0201" in moved.text
        paid = api.post(
            f"/merchants/{till.merchant.id}/payout",
            data={"csrf_token": csrf_of(moved.text), "key": _form_value(moved.text, "key")},
        )  # fmt: skip
        assert paid.status_code == 200
        assert "1 payout is on its way to the bank." in paid.text
        assert "In transit" in paid.text
        arabic = api.get("/merchants?lang=ar").text
        assert "مبلغ صرف واحد في الطريق إلى البنك" in arabic
