"""The wallet's part of the demo season: merchants paid out to their banks, books at zero."""

from __future__ import annotations

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from labbaik import demo
from labbaik.wallet import merchants, payouts
from tests.wallet.conftest import OPERATOR


def test_the_demo_merchants_have_banks_and_one_was_paid_out(engine: Engine) -> None:
    with Session(engine) as session:
        demo.build(session, pilgrims=60, seed=7)
        session.commit()
    with Session(engine) as session:
        shops = merchants.list_merchants(session, actor=OPERATOR)
        assert len(shops) == 4
        assert all(m.bank_account and m.bank_account.iban.startswith("SA") for m in shops)
        reports = [merchants.reconcile(session, merchant_id=m.id, actor=OPERATOR) for m in shops]
        assert all(r.difference == 0 for r in reports)
        zamzam = next(m for m in shops if m.name == "Zamzam Water Kiosk")
        [made] = payouts.list_payouts(session, merchant_id=zamzam.id, actor=OPERATOR)
        assert (made.status, made.amount > 0) == ("paid", True)
        transit = payouts.in_transit(session, actor=OPERATOR)
        assert (transit.amount, transit.ledger_in_transit, transit.difference) == (0, 0, 0)
        assert transit.paid == transit.ledger_bank_clearing == made.amount
