"""Payouts to the merchant's bank account: instructed, in transit, paid or returned, reconciled."""

from __future__ import annotations

import time
import uuid
from datetime import datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from labbaik.app import create_app
from labbaik.auth.models import AuditEntry
from labbaik.errors import Forbidden
from labbaik.kit.timeutil import utcnow
from labbaik.ledger import service as ledger_service
from labbaik.ledger.schemas import TransferCreate
from labbaik.settings import Settings, UnsafeSettings
from labbaik.wallet import ledgering, merchants, payouts, tasks
from labbaik.wallet import service as wallet_service
from labbaik.wallet import topups as wallet_topups
from labbaik.wallet.bank import (
    IBAN_CLOSED,
    IBAN_SETTLES,
    SETTLES_AFTER,
    BankTimeout,
    BankTransfer,
    SandboxBank,
)
from labbaik.wallet.errors import NoBankAccount, NothingToPayOut, PayoutBankUnavailable
from labbaik.wallet.gateway import CARD_SUCCEEDS, SandboxGateway
from labbaik.wallet.models import Payout, SandboxBankTransfer
from labbaik.wallet.schemas import (
    BankAccountIn,
    MerchantCreate,
    PaymentConfirm,
    PayoutRead,
    QuoteCreate,
    TopUpCreate,
)
from tests.conftest import World, free_socket, production_settings, running
from tests.wallet.conftest import OPERATOR, Pilgrim, Till, top_up

OTHER_IBAN = "SA4110000000000000000201"


def _sell(
    session: Session, pilgrim: Pilgrim, till: Till, settings: Settings, amount: int, key: str
) -> None:
    quote = wallet_service.quote(
        session, actor=pilgrim.actor, settings=settings,
        quote_in=QuoteCreate(merchant_code=till.merchant.code, amount=amount),
    )  # fmt: skip
    wallet_service.confirm_payment(
        session, actor=pilgrim.actor, payment_id=quote.id, confirm_in=PaymentConfirm(),
        settings=settings, idempotency_key=key,
    )  # fmt: skip
    session.commit()


@pytest.fixture
def sold(
    session: Session, pilgrim: Pilgrim, till: Till, gateway: SandboxGateway, settings: Settings
) -> Till:
    """The till's merchant after selling 40.00 SAR."""
    top_up(session, pilgrim, gateway, 10_000)
    _sell(session, pilgrim, till, settings, 4_000, "p1")
    return till


def _pay_out(session: Session, till: Till, key: str = "o1") -> PayoutRead:
    made = payouts.payout(
        session, merchant_id=till.merchant.id, actor=OPERATOR, idempotency_key=key
    )
    session.commit()
    return made


def _sync(session: Session, bank: SandboxBank, at: datetime) -> dict[str, int]:
    done = payouts.sync_payouts(session, bank=bank, actor=OPERATOR, now=at)
    session.commit()
    return {k: v for k, v in done.model_dump().items() if v}


def _status(session: Session, till: Till) -> PayoutRead:
    return payouts.list_payouts(session, merchant_id=till.merchant.id, actor=OPERATOR)[0]


def _set_account(session: Session, till: Till, iban: str) -> None:
    payouts.set_bank_account(
        session,
        merchant_id=till.merchant.id,
        account_in=BankAccountIn(iban=iban, holder="Zamzam Water Co"),
        actor=OPERATOR,
    )
    session.commit()


class TestBankAccount:
    def test_onboarding_keeps_the_account_and_shows_it_masked(self, till: Till) -> None:
        account = till.merchant.bank_account
        assert account is not None
        assert (account.iban, account.holder) == (
            "SA03 **** **** **** **** 7519",
            "Zamzam Water Co",
        )

    def test_a_change_by_an_operator_is_audited_with_both_accounts_masked(
        self, session: Session, till: Till
    ) -> None:
        _set_account(session, till, "sa41 1000 0000 0000 0000 0201")
        found = merchants.get_merchant(session, merchant_id=till.merchant.id, actor=OPERATOR)
        assert found.bank_account is not None
        assert found.bank_account.iban == "SA41 **** **** **** **** 0201"
        entry = session.scalars(
            select(AuditEntry).where(AuditEntry.action == "merchant.bank_account")
        ).one()
        assert entry.detail == {
            "iban": "SA41 **** **** **** **** 0201",
            "holder": "Zamzam Water Co",
            "previous": "SA03 **** **** **** **** 7519",
        }

    def test_an_iban_with_a_wrong_check_digit_is_refused(self) -> None:
        with pytest.raises(ValueError, match="check digits do not match"):
            BankAccountIn(iban=IBAN_SETTLES[:-1] + "8", holder="Zamzam Water Co")

    def test_the_till_may_not_change_where_its_money_goes(
        self, session: Session, till: Till
    ) -> None:
        with pytest.raises(Forbidden, match="merchant role may not"):
            payouts.set_bank_account(
                session, merchant_id=till.merchant.id, actor=till.actor,
                account_in=BankAccountIn(iban=OTHER_IBAN, holder="Someone Else"),
            )  # fmt: skip


class TestPayout:
    def test_a_payout_goes_in_transit_then_the_bank_pays_it(
        self, session: Session, sold: Till
    ) -> None:
        bank = SandboxBank()
        made = _pay_out(session, sold)
        assert (made.amount, made.status, made.iban) == (
            4_000, "pending", "SA03 **** **** **** **** 7519",
        )  # fmt: skip
        transit = payouts.in_transit(session, actor=OPERATOR)
        assert (transit.payouts, transit.amount, transit.ledger_in_transit) == (1, 4_000, 4_000)

        now = utcnow()
        assert _sync(session, bank, now) == {"instructed": 1}
        accepted = _status(session, sold)
        assert (accepted.status, accepted.bank) == ("in_transit", "sandbox")
        assert (accepted.bank_reference or "").startswith("tr_")
        # The bank's reference is the payout id in 32 hex digits: an ISO 20022 EndToEndId
        # holds 35 characters, the id's text form 36.
        instructed = session.scalars(select(SandboxBankTransfer)).one()
        assert instructed.reference == made.id.hex
        assert _sync(session, bank, now + SETTLES_AFTER / 2) == {"waiting": 1}

        assert _sync(session, bank, now + SETTLES_AFTER) == {"paid": 1}
        paid = _status(session, sold)
        assert (paid.status, paid.resolved_at is not None) == ("paid", True)
        transit = payouts.in_transit(session, actor=OPERATOR)
        assert (transit.payouts, transit.amount, transit.ledger_in_transit) == (0, 0, 0)
        assert (transit.paid, transit.ledger_bank_clearing, transit.difference) == (4_000, 4_000, 0)
        report = merchants.reconcile(session, merchant_id=sold.merchant.id, actor=OPERATOR)
        assert (report.payouts, report.in_transit, report.ledger_balance) == (4_000, 0, 0)
        assert report.difference == 0
        # Nothing more to do, and nothing paid twice.
        assert _sync(session, bank, now + 2 * SETTLES_AFTER) == {}
        assert session.scalars(select(SandboxBankTransfer)).all()[0].amount == 4_000

    def test_a_closed_account_returns_the_money_to_the_merchant(
        self, session: Session, sold: Till
    ) -> None:
        _set_account(session, sold, IBAN_CLOSED)
        bank = SandboxBank()
        _pay_out(session, sold)
        now = utcnow()
        _sync(session, bank, now)
        assert _sync(session, bank, now + SETTLES_AFTER) == {"returned": 1}
        returned = _status(session, sold)
        assert (returned.status, returned.return_code) == ("returned", "account_closed")
        report = merchants.reconcile(session, merchant_id=sold.merchant.id, actor=OPERATOR)
        assert (report.payouts, report.returned, report.ledger_balance) == (0, 4_000, 4_000)
        assert report.difference == 0
        transit = payouts.in_transit(session, actor=OPERATOR)
        assert (transit.amount, transit.ledger_in_transit, transit.returned) == (0, 0, 4_000)

        # With a working account on file, the money goes out again and arrives.
        _set_account(session, sold, OTHER_IBAN)
        again = _pay_out(session, sold, key="o2")
        assert (again.amount, again.iban) == (4_000, "SA41 **** **** **** **** 0201")
        _sync(session, bank, now)
        assert _sync(session, bank, now + SETTLES_AFTER) == {"paid": 1}
        report = merchants.reconcile(session, merchant_id=sold.merchant.id, actor=OPERATOR)
        assert (report.payouts, report.returned, report.ledger_balance) == (4_000, 4_000, 0)

    def test_a_payout_keeps_the_account_it_was_made_to(self, session: Session, sold: Till) -> None:
        bank = SandboxBank()
        _pay_out(session, sold)
        _set_account(session, sold, IBAN_CLOSED)
        _sync(session, bank, utcnow())
        assert _sync(session, bank, utcnow() + SETTLES_AFTER) == {"paid": 1}
        sent = session.scalars(select(SandboxBankTransfer)).one()
        assert sent.iban == IBAN_SETTLES

    def test_a_retried_payout_answers_the_first_and_pays_once(
        self, session: Session, sold: Till
    ) -> None:
        first = _pay_out(session, sold, key="same")
        assert _pay_out(session, sold, key="same") == first
        assert len(session.scalars(select(Payout)).all()) == 1
        with pytest.raises(NothingToPayOut):
            _pay_out(session, sold, key="other")

    def test_without_a_bank_account_nothing_moves(
        self, session: Session, pilgrim: Pilgrim, gateway: SandboxGateway, settings: Settings
    ) -> None:
        shop = merchants.create_merchant(
            session, merchant_in=MerchantCreate(name="No Bank Yet"), actor=OPERATOR,
            settings=settings,
        )  # fmt: skip
        session.commit()
        top_up(session, pilgrim, gateway, 5_000)
        till = Till(merchant=shop, actor=OPERATOR)
        _sell(session, pilgrim, till, settings, 1_000, "p1")
        with pytest.raises(NoBankAccount, match="no bank account on file"):
            _pay_out(session, till)
        session.rollback()
        report = merchants.reconcile(session, merchant_id=shop.id, actor=OPERATOR)
        assert (report.payouts, report.ledger_balance) == (0, 1_000)

    def test_settling_a_payout_twice_is_refused_by_the_ledger(
        self, session: Session, sold: Till
    ) -> None:
        made = _pay_out(session, sold)
        in_transit = ledgering.system_account(ledgering.ACCOUNT_PAYOUTS_IN_TRANSIT)
        clearing = ledgering.system_account(ledgering.ACCOUNT_BANK_CLEARING)
        results = ledger_service.create_transfers(
            session,
            transfers=[
                TransferCreate(
                    id=uuid.uuid4(), debit_account_id=in_transit, credit_account_id=clearing,
                    amount=made.amount + 1, currency="SAR", code=ledgering.PAYOUT_SETTLED,
                )
            ],
            actor=ledgering.LEDGER_ACTOR,
        )  # fmt: skip
        assert results[0].result == "exceeds_credits"


class FlakyBank(SandboxBank):
    """A bank whose answers are lost `lost` times before it answers."""

    def __init__(self, lost: int) -> None:
        super().__init__(settles_after=timedelta(0))
        self.lost = lost

    def create_transfer(self, session: Session, **kwargs: object) -> BankTransfer:
        transfer = super().create_transfer(session, **kwargs)  # type: ignore[arg-type]
        if self.lost:
            self.lost -= 1
            raise BankTimeout("the answer was lost")
        return transfer


class TestBankTimeouts:
    def test_a_lost_answer_is_asked_again_and_the_merchant_is_paid_once(
        self, session: Session, sold: Till
    ) -> None:
        bank = FlakyBank(lost=1)
        _pay_out(session, sold)
        assert _sync(session, bank, utcnow()) == {"unanswered": 1}
        assert _status(session, sold).status == "pending"
        # The bank did receive it: the next run finds the transfer, paid, under the same reference.
        assert _sync(session, bank, utcnow()) == {"paid": 1}
        assert len(session.scalars(select(SandboxBankTransfer)).all()) == 1
        assert payouts.in_transit(session, actor=OPERATOR).ledger_in_transit == 0


class TestSettings:
    def test_production_refuses_the_sandbox_bank(self) -> None:
        with pytest.raises(UnsafeSettings, match="PAYOUT_BANK"):
            production_settings(wallet_payout_bank="sandbox")

    def test_production_has_no_payout_bank_unless_one_is_named(self) -> None:
        with pytest.raises(PayoutBankUnavailable):
            payouts.bank_for(production_settings())
        assert isinstance(payouts.bank_for(Settings(environment="test")), SandboxBank)


def _key() -> dict[str, str]:
    return {"Idempotency-Key": str(uuid.uuid4())}


class TestPayoutApi:
    def test_an_operator_sets_the_account_pays_out_and_follows_the_transfer(
        self, api: TestClient, world: World, session: Session, gateway: SandboxGateway,
        pilgrim: Pilgrim, till: Till, settings: Settings,
    ) -> None:  # fmt: skip
        op = world.headers("operator")
        url = f"/api/v1/merchants/{till.merchant.id}"
        wrong = api.put(
            f"{url}/bank-account", json={"iban": "SA03 8000 0000 6080 1016 7518", "holder": "Z Co"},
            headers=op,
        )  # fmt: skip
        assert wrong.status_code == 422
        assert "check digits do not match" in wrong.json()["detail"]
        changed = api.put(
            f"{url}/bank-account", json={"iban": OTHER_IBAN, "holder": "Zamzam Water Co"},
            headers=op,
        )  # fmt: skip
        assert changed.json()["bank_account"]["iban"] == "SA41 **** **** **** **** 0201"
        refused = api.put(
            f"{url}/bank-account", json={"iban": OTHER_IBAN, "holder": "Till"},
            headers=world.headers("merchant"),
        )  # fmt: skip
        assert refused.status_code == 403

        top_up(session, pilgrim, gateway, 10_000)
        _sell(session, pilgrim, till, settings, 2_500, "p1")
        made = api.post(f"{url}/payouts", headers=op | _key())
        assert (made.status_code, made.json()["status"], made.json()["amount"]) == (
            201, "pending", 2_500,
        )  # fmt: skip
        # Once the payout is committed, the bank is instructed (after the response).
        listed = api.get(f"{url}/payouts", headers=op).json()
        assert [(p["status"], p["bank_reference"][:3]) for p in listed] == [("in_transit", "tr_")]
        mine = api.get(f"{url}/payouts", headers=world.headers("merchant"))
        assert mine.status_code == 200
        transit = api.get("/api/v1/payouts/in-transit", headers=op).json()
        assert (transit["amount"], transit["ledger_in_transit"], transit["difference"]) == (
            2_500, 2_500, 0,
        )  # fmt: skip
        report = api.get(f"{url}/reconciliation", headers=op).json()
        assert (report["in_transit"], report["ledger_balance"], report["difference"]) == (
            2_500, 0, 0,
        )  # fmt: skip
        assert (
            api.get("/api/v1/payouts/in-transit", headers=world.headers("merchant")).status_code
            == 403
        )

    def test_another_merchant_does_not_see_the_payouts(
        self, api: TestClient, world: World, till: Till, session: Session, settings: Settings
    ) -> None:
        other = merchants.create_merchant(
            session, merchant_in=MerchantCreate(name="Other Shop"), actor=OPERATOR,
            settings=settings,
        )  # fmt: skip
        session.commit()
        found = api.get(f"/api/v1/merchants/{other.id}/payouts", headers=world.headers("merchant"))
        assert (found.status_code, found.json()["error"]) == (404, "merchant_not_found")

    def test_the_openapi_schema_documents_the_payout_paths(self, api: TestClient) -> None:
        schema = api.get("/api/v1/openapi.json").json()
        assert "put" in schema["paths"]["/api/v1/merchants/{merchant_id}/bank-account"]
        assert "get" in schema["paths"]["/api/v1/merchants/{merchant_id}/payouts"]
        assert "get" in schema["paths"]["/api/v1/payouts/in-transit"]
        payout = schema["components"]["schemas"]["PayoutRead"]["properties"]
        assert payout["status"]["enum"] == ["pending", "in_transit", "paid", "returned"]


def test_the_sandbox_bank_answers_what_it_decided(session: Session) -> None:
    bank = SandboxBank(settles_after=timedelta(minutes=5))
    now = utcnow()
    made = bank.create_transfer(
        session, reference="r1", amount=100, currency="SAR", iban=IBAN_SETTLES, holder="A B",
        now=now,
    )  # fmt: skip
    assert made.status == "accepted"
    again = bank.create_transfer(
        session, reference="r1", amount=100, currency="SAR", iban=IBAN_SETTLES, holder="A B",
        now=now,
    )  # fmt: skip
    assert again.id == made.id
    later = bank.get_transfer(session, reference="r1", now=now + timedelta(minutes=5))
    assert later is not None
    assert later.status == "settled"
    assert bank.get_transfer(session, reference="nothing", now=now) is None


class TestDevelopmentJobs:
    def test_in_development_the_app_delivers_webhooks_and_sends_payouts_by_itself(
        self, engine: Engine, session: Session, sold: Till, pilgrim: Pilgrim,
        gateway: SandboxGateway, settings: Settings, monkeypatch: pytest.MonkeyPatch,
    ) -> None:  # fmt: skip
        monkeypatch.setattr(tasks, "DEVELOPMENT_INTERVAL_SECONDS", 0.1)
        _pay_out(session, sold)
        started = wallet_topups.start_topup(
            session, actor=pilgrim.actor, gateway=gateway, idempotency_key="t-dev",
            topup_in=TopUpCreate(amount=2_000, card=CARD_SUCCEEDS),
        )  # fmt: skip
        session.commit()
        sock = free_socket()
        base = f"http://127.0.0.1:{sock.getsockname()[1]}"
        app = create_app(
            settings.model_copy(
                update={
                    "database_url": engine.url.render_as_string(hide_password=False),
                    "wallet_sandbox_autodeliver": True,
                    "wallet_sandbox_webhook_url": base + "/api/v1/wallet/gateway/webhook",
                }
            ),
            engine=engine,
        )
        with running(app, sock):
            deadline = time.monotonic() + 20
            while True:
                session.rollback()
                topup = wallet_topups.get_topup(session, actor=pilgrim.actor, topup_id=started.id)
                if topup.status == "succeeded" and _status(session, sold).status == "in_transit":
                    break
                assert time.monotonic() < deadline, "the development jobs did not run"
                time.sleep(0.1)
