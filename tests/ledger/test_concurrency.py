"""Many clients at once: no overdraft, no lost update, no deadlock, on both databases."""

from __future__ import annotations

import random
import threading
import uuid

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from labbaik.errors import Busy
from labbaik.ledger import service
from labbaik.ledger import store as ledger_store
from labbaik.ledger.schemas import ResultCode, TransferCreate
from tests.ledger.conftest import SYSTEM, Ledger, transfer

R = ResultCode
THREADS = 16
EACH = 50
PRICE = 7
FUNDS = 2_000


class TestManyClientsAtOnce:
    @pytest.mark.parametrize("singles", [False, True], ids=["batches", "singles-and-batches"])
    def test_they_drain_a_limited_account_exactly_and_never_below_zero(
        self, engine: Engine, ledger: Ledger, singles: bool
    ) -> None:
        """With `singles`, half the clients send one payment a call (one statement on
        PostgreSQL) over the accounts the others' linked batches lock: neither path waits on
        the other in a cycle, and together they never overdraw the wallet."""
        bank, wallet = ledger.account(), ledger.account("debits_must_not_exceed_credits")
        shops = [ledger.account() for _ in range(4)]
        ledger.send(transfer(bank, wallet, FUNDS))
        outcomes: list[ResultCode] = []
        lock_failures: list[str] = []
        errors: list[BaseException] = []
        record = threading.Lock()

        def client(seed: int) -> None:
            rng = random.Random(seed)
            with Session(engine, expire_on_commit=False, autoflush=False) as session:
                for _ in range(EACH):
                    # A payment and, linked to it, a move between two shops in a random order:
                    # batches lock overlapping accounts in opposite orders unless sorted.
                    one, two = rng.sample(shops, 2)
                    items: list[TransferCreate] = [
                        transfer(wallet, rng.choice(shops), PRICE, "linked"),
                        transfer(one, two, 1),
                    ]
                    if singles and seed % 2:
                        items = [transfer(wallet, rng.choice(shops), PRICE)]
                    while True:
                        try:
                            results = service.create_transfers(
                                session, transfers=items, actor=SYSTEM
                            )
                            session.commit()
                            break
                        except Busy as exc:
                            session.rollback()
                            with record:
                                lock_failures.append(repr(exc.__cause__))
                        except BaseException as exc:
                            session.rollback()
                            with record:
                                errors.append(exc)
                            return
                    with record:
                        outcomes.append(results[0].result)

        threads = [threading.Thread(target=client, args=(n,)) for n in range(THREADS)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=120)
        assert not any(t.is_alive() for t in threads), "a client never finished"
        assert not errors, errors[:3]
        assert not [f for f in lock_failures if "deadlock" in f.lower()], lock_failures[:3]
        assert len(outcomes) == THREADS * EACH
        paid = outcomes.count(R.OK)
        assert paid == FUNDS // PRICE
        assert set(outcomes) == {R.OK, R.EXCEEDS_CREDITS}
        left = ledger.balance(wallet)
        assert left.debits_posted == paid * PRICE
        assert left.credits_posted - left.debits_posted == FUNDS % PRICE
        assert sum(ledger.net(s) for s in shops) == paid * PRICE
        for account in [bank, wallet, *shops]:
            assert service.verify_statement(ledger.session, account_id=account)

    def test_the_same_transfer_sent_by_two_clients_moves_money_once(
        self, engine: Engine, ledger: Ledger
    ) -> None:
        a, b = ledger.account(), ledger.account()
        same = [transfer(a, b, 5, id=uuid.uuid4()) for _ in range(20)]
        answers: list[ResultCode] = []
        guard = threading.Lock()

        def client() -> None:
            with Session(engine, expire_on_commit=False, autoflush=False) as session:
                for t in same:
                    while True:
                        try:
                            result = service.create_transfers(session, transfers=[t], actor=SYSTEM)
                            session.commit()
                            break
                        except Busy:
                            session.rollback()
                    with guard:
                        answers.append(result[0].result)

        threads = [threading.Thread(target=client) for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
        assert answers.count(R.OK) == len(same)
        assert answers.count(R.EXISTS) == 3 * len(same)
        assert ledger.net(b) == 5 * len(same)


class TestLockTimeout:
    def test_a_lock_held_too_long_is_busy_with_retry_after(
        self, engine: Engine, ledger: Ledger, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        a, b = ledger.account(), ledger.account()
        monkeypatch.setattr(ledger_store, "LOCK_TIMEOUT_MS", 200)
        with engine.connect() as holder:
            if engine.dialect.name == "postgresql":
                holder.execute(
                    text("SELECT id FROM ledger_account WHERE id = :a FOR UPDATE"), {"a": a}
                )
            else:
                holder.execute(text("BEGIN IMMEDIATE"))
            with Session(engine) as session:
                if engine.dialect.name == "sqlite":
                    session.execute(text("PRAGMA busy_timeout = 200"))
                with pytest.raises(Busy) as refused:
                    service.create_transfers(session, transfers=[transfer(a, b, 1)], actor=SYSTEM)
            holder.rollback()
        assert refused.value.status == 409
        assert refused.value.retry_after == 1
        assert ledger.send(transfer(a, b, 1)) == [R.OK]
