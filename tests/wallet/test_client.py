"""The Python client against a running server, as a merchant's or a bank's system calls it."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from labbaik.app import create_app
from labbaik.cards.schemas import CardRead
from labbaik.settings import Settings
from labbaik.wallet.gateway import CARD_SUCCEEDS, SandboxGateway, http_poster
from labbaik_client import LabbaikClient, LabbaikError
from tests.conftest import World, free_socket, running
from tests.wallet.conftest import Pilgrim, Till
from tests.wallet.test_bank_statements import V02


@pytest.fixture
def server(engine: Engine, world: World, settings: Settings) -> Iterator[str]:
    """The app on the test database, served by uvicorn on a free local port."""
    url = engine.url.render_as_string(hide_password=False)
    app = create_app(settings.model_copy(update={"database_url": url}), engine=engine)
    sock = free_socket()
    port = sock.getsockname()[1]
    with running(app, sock):
        yield f"http://127.0.0.1:{port}"


class TestLabbaikClient:
    def test_a_merchant_system_takes_refunds_and_a_bank_pays_out(
        self, server: str, world: World, session: Session, gateway: SandboxGateway,
        pilgrim: Pilgrim, till: Till,
    ) -> None:  # fmt: skip
        phone = LabbaikClient(server, world.tokens["pilgrim"])
        shop = LabbaikClient(server, world.tokens["merchant"])
        bank = LabbaikClient(server, world.tokens["operator"])
        key = str(uuid.uuid4())
        first = phone.top_up(8_000, card=CARD_SUCCEEDS, idempotency_key=key)
        assert phone.top_up(8_000, card=CARD_SUCCEEDS, idempotency_key=key) == first
        # The sandbox gateway calls the server's webhook over HTTP, as a real one would.
        assert (
            gateway.deliver(session, post=http_poster(server + "/api/v1/wallet/gateway/webhook"))
            == 2
        )
        session.commit()
        assert phone.wallet().balance == 8_000

        qr = shop.payment_qr(2_500)
        quote = phone.quote(merchant_qr=qr.text)
        assert (quote.merchant_code, quote.total) == (shop.merchant().code, 2_525)
        paid = phone.confirm(quote.id)
        assert paid.status == "paid"
        assert shop.takings().gross == 2_500

        refund = shop.refund(paid.id, amount=500, reason="one bottle short")
        assert (refund.amount, refund.fee) == (500, 5)
        with pytest.raises(LabbaikError) as refused:
            shop.refund(paid.id, amount=5_000)
        assert (refused.value.status, refused.value.code) == (409, "refund_too_large")

        with pytest.raises(LabbaikError) as wrong:
            bank.set_bank_account(
                till.merchant.id, iban="SA03 8000 0000 6080 1016 7518", holder="Z"
            )
        assert (wrong.value.status, wrong.value.code) == (422, "invalid_input")
        moved = bank.set_bank_account(
            till.merchant.id, iban="SA41 1000 0000 0000 0000 0201", holder="Zamzam Water Co"
        )
        assert moved.bank_account is not None
        assert moved.bank_account.iban == "SA41 **** **** **** **** 0201"
        out = bank.payout(till.merchant.id)
        assert (out.amount, out.status, out.iban) == (2_000, "pending", moved.bank_account.iban)
        report = bank.reconciliation(till.merchant.id)
        assert (report.in_transit, report.ledger_balance, report.difference) == (2_000, 0, 0)
        assert (bank.in_transit().amount, bank.in_transit().difference) == (2_000, 0)
        # The bank is instructed once the payout is committed, just after the answer.
        deadline = time.monotonic() + 10
        while bank.payouts(till.merchant.id)[0].status == "pending":
            assert time.monotonic() < deadline, "the bank was never instructed"
            time.sleep(0.05)
        sent = bank.payouts(till.merchant.id)[0]
        assert (sent.id, sent.status, (sent.bank_reference or "")[:3]) == (
            out.id,
            "in_transit",
            "tr_",
        )
        assert phone.wallet().balance == 8_000 - 2_525 + 505

    def test_a_till_request_is_confirmed_by_the_pilgrim(
        self, server: str, world: World, session: Session, gateway: SandboxGateway,
        pilgrim: Pilgrim, till: Till,
    ) -> None:  # fmt: skip
        phone = LabbaikClient(server, world.tokens["pilgrim"])
        shop = LabbaikClient(server, world.tokens["merchant"])
        phone.top_up(3_000, card=CARD_SUCCEEDS)
        gateway.deliver(session, post=http_poster(server + "/api/v1/wallet/gateway/webhook"))
        session.commit()
        asked = shop.request_payment(pilgrim_id=world.pilgrim_a.id, amount=1_000, note="bus")
        phone.confirm(asked.id)
        assert shop.payment(asked.id).status == "paid"

    def test_a_till_asks_the_holder_of_a_scanned_card(
        self, server: str, world: World, pilgrim: Pilgrim, till: Till, card: CardRead
    ) -> None:
        shop = LabbaikClient(server, world.tokens["merchant"])
        asked = shop.request_payment(card=card.qr_text, amount=400, idempotency_key="card-1")
        assert (asked.wallet_id, asked.payer) == (pilgrim.wallet.id, "Siti A.")
        assert (
            shop.request_payment(card=card.qr_text, amount=400, idempotency_key="card-1") == asked
        )
        waiting = shop.requests()
        assert [r.id for r in waiting] == [asked.id]
        assert (waiting[0].status, waiting[0].payer) == ("quoted", "Siti A.")
        with pytest.raises(LabbaikError) as refused:
            shop.request_payment(card="NOT-A-CARD", amount=400)
        assert (refused.value.status, refused.value.code) == (422, "card_unreadable")

    def test_a_wrong_token_is_a_clear_error(self, server: str) -> None:
        with pytest.raises(LabbaikError) as refused:
            LabbaikClient(server, "lbk_not-a-token").merchant()
        assert (refused.value.status, refused.value.code) == (401, "invalid_token")


def test_an_operator_imports_the_bank_statement(
    server: str, world: World, session: Session
) -> None:
    bank = LabbaikClient(server, world.tokens["operator"])
    report = bank.import_bank_statement(V02.format(amount="40.50").encode())
    assert (report.statement_id, report.closing_balance, report.not_a_payout) == (
        "S-0002", 3_050, 1,
    )  # fmt: skip
    assert [line.outcome for line in report.lines] == ["not_a_payout"]
    assert bank.bank_statement(report.id) == report
    with pytest.raises(LabbaikError) as refused:
        bank.import_bank_statement(V02.format(amount="40.505").encode())
    assert (refused.value.status, refused.value.code) == (422, "statement_unreadable")
