"""Many phones at once: one wallet's payments never overdraw it nor pass its daily limit."""

from __future__ import annotations

import threading

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from labbaik.errors import DomainError
from labbaik.settings import Settings
from labbaik.wallet import service as wallet_service
from labbaik.wallet.gateway import SandboxGateway
from labbaik.wallet.schemas import PaymentConfirm, QuoteCreate
from tests.wallet.conftest import Pilgrim, Till, top_up

THREADS = 6


def test_concurrent_confirmations_pay_only_what_the_wallet_holds(
    engine: Engine,
    session: Session,
    pilgrim: Pilgrim,
    till: Till,
    gateway: SandboxGateway,
    settings: Settings,
) -> None:
    top_up(session, pilgrim, gateway, 25_000)
    quotes = [
        wallet_service.quote(
            session,
            actor=pilgrim.actor,
            quote_in=QuoteCreate(merchant_code=till.merchant.code, amount=9_900),  # 9,999 with fee
            settings=settings,
        )
        for _ in range(THREADS)
    ]
    session.commit()
    start = threading.Barrier(THREADS)
    outcomes: list[str] = []

    def pay(payment_id: object) -> None:
        with Session(engine, expire_on_commit=False, autoflush=False) as own:
            start.wait()
            try:
                wallet_service.confirm_payment(
                    own,
                    actor=pilgrim.actor,
                    payment_id=payment_id,  # type: ignore[arg-type]
                    confirm_in=PaymentConfirm(),
                    settings=settings,
                    idempotency_key=f"k-{payment_id}",
                )
                own.commit()
                outcomes.append("paid")
            except DomainError as exc:
                own.rollback()
                outcomes.append(exc.code)

    threads = [threading.Thread(target=pay, args=(q.id,)) for q in quotes]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcomes) == ["insufficient_funds"] * (THREADS - 2) + ["paid"] * 2
    session.expire_all()
    wallet = wallet_service.get_wallet(session, actor=pilgrim.actor, settings=settings)
    assert (wallet.balance, wallet.spent_today) == (25_000 - 2 * 9_999, 2 * 9_999)
