"""One plain transfer a request: on PostgreSQL it is decided and written in one statement
(`store.try_single`); anything but a clean success falls back to the batch path. On SQLite both
calls take the batch path, so these tests also hold the two paths to the same answers."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, select

from labbaik.kit.timeutil import as_utc, utcnow
from labbaik.ledger import decide, service, store
from labbaik.ledger.models import ENTRIES, TRANSFERS, LedgerTransfer
from labbaik.ledger.schemas import MAX_AMOUNT, ResultCode
from tests.ledger.conftest import Ledger, transfer

R = ResultCode


def _rows(ledger: Ledger, transfer_id: uuid.UUID) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The transfer's row and its entries, without what differs between two runs: the ids,
    and the fingerprint (which hashes the account ids)."""
    conn = ledger.session.connection()
    found = conn.execute(select(TRANSFERS).where(TRANSFERS.c.id == transfer_id))
    row = dict(found.mappings().one())
    entries = [
        dict(e)
        for e in conn.execute(
            select(ENTRIES).where(ENTRIES.c.transfer_id == transfer_id).order_by(ENTRIES.c.is_debit)
        ).mappings()
    ]
    for key in ("id", "debit_account_id", "credit_account_id", "fingerprint"):
        row.pop(key)
    for e in entries:
        e.pop("account_id")
        e.pop("transfer_id")
    return row, entries


class TestOneStatementPath:
    @pytest.mark.parametrize(
        ("flags", "extra"),
        [((), {"reference": "dates, 2 kg"}), (("pending",), {"timeout_seconds": 60}), ((), {})],
        ids=["payment", "hold", "no-reference"],
    )
    def test_writes_exactly_what_the_batch_path_writes(
        self,
        ledger: Ledger,
        engine: Engine,
        monkeypatch: pytest.MonkeyPatch,
        flags: tuple[str, ...],
        extra: dict[str, Any],
    ) -> None:
        now = utcnow().replace(microsecond=0)
        written = []
        calls: list[bool] = []
        real = store.try_single

        def spy(*args: Any, **kwargs: Any) -> bool:
            calls.append(real(*args, **kwargs))
            return calls[-1]

        monkeypatch.setattr(store, "try_single", spy)
        for fast in (True, False):
            bank, wallet = ledger.account(), ledger.account("debits_must_not_exceed_credits")
            shop = ledger.account()
            ledger.send(transfer(bank, wallet, 500))
            calls.clear()
            if not fast:
                monkeypatch.setattr(service, "plain", lambda t: False)
            t = transfer(wallet, shop, 120, *flags, **extra)
            assert ledger.send(t, now=now) == [R.OK]
            assert calls == ([True] if fast and engine.dialect.name == "postgresql" else [])
            written.append(_rows(ledger, t.id))
            recorded = ledger.session.get(LedgerTransfer, t.id)
            assert recorded is not None
            assert recorded.fingerprint == decide.fingerprint(t)
            for account in (bank, wallet, shop):
                assert service.verify_statement(ledger.session, account_id=account)
        assert written[0] == written[1]
        row, entries = written[0]
        assert row["result"] == "ok"
        assert [e["seq"] for e in entries] == [1, 2]  # the shop's first, the wallet's second
        if flags:
            assert as_utc(row["expires_at"]) == now + timedelta(seconds=60)
            assert [e["pending"] for e in entries] == [120, 120]
        else:
            assert [e["posted"] for e in entries] == [120, 120]

    def test_a_refusal_writes_no_half_and_is_recorded_once(self, ledger: Ledger) -> None:
        bank, wallet = ledger.account(), ledger.account("debits_must_not_exceed_credits")
        shop = ledger.account()
        ledger.send(transfer(bank, wallet, 100))
        too_much = transfer(wallet, shop, 101)
        assert ledger.send(too_much) == [R.EXCEEDS_CREDITS]
        assert ledger.send(too_much) == [R.EXCEEDS_CREDITS]
        assert ledger.balance(wallet).debits_posted == 0
        assert ledger.balance(shop).credits_posted == 0
        assert ledger.send(transfer(wallet, shop, 100)) == [R.OK]
        for account in (bank, wallet, shop):
            assert service.verify_statement(ledger.session, account_id=account)

    def test_each_refusal_of_the_accounts_keeps_its_code(self, ledger: Ledger) -> None:
        bank, shop = ledger.account(), ledger.account()
        dollars = ledger.account(currency="USD")
        closed = ledger.account()
        service.close_account(ledger.session, account_id=closed, actor=ledger.actor)
        ledger.session.commit()
        assert ledger.send(transfer(bank, uuid.uuid4(), 1)) == [R.ACCOUNT_NOT_FOUND]
        assert ledger.send(transfer(bank, closed, 1)) == [R.ACCOUNT_CLOSED]
        assert ledger.send(transfer(bank, dollars, 1)) == [R.CURRENCY_MISMATCH]
        limited = ledger.account("credits_must_not_exceed_debits")
        assert ledger.send(transfer(bank, limited, 1)) == [R.EXCEEDS_DEBITS]
        assert ledger.send(transfer(bank, shop, 1)) == [R.OK]

    def test_a_total_past_the_largest_amount_is_refused_not_an_error(self, ledger: Ledger) -> None:
        bank, shop, other = ledger.account(), ledger.account(), ledger.account()
        assert ledger.send(transfer(bank, shop, MAX_AMOUNT - 5)) == [R.OK]
        assert ledger.send(transfer(bank, other, 10)) == [R.OVERFLOWS]
        assert ledger.send(transfer(other, shop, 10)) == [R.OVERFLOWS]
        assert ledger.send(transfer(bank, other, 5)) == [R.OK]
        assert ledger.balance(bank).debits_posted == MAX_AMOUNT

    def test_a_retry_with_other_fields_is_told_so(self, ledger: Ledger) -> None:
        bank, shop = ledger.account(), ledger.account()
        first = transfer(bank, shop, 10)
        assert ledger.send(first) == [R.OK]
        assert ledger.send(first) == [R.EXISTS]
        changed = transfer(bank, shop, 11, id=first.id)
        assert ledger.send(changed) == [R.EXISTS_WITH_DIFFERENT_FIELDS]
        assert ledger.balance(shop).credits_posted == 10


class TestSmallAndLargeBatches:
    """Up to 16 ids a list are sent as padded scalar parameters, more as one array: both lock
    every account and find every transfer recorded before."""

    @pytest.mark.parametrize("shops", [3, 15, 40])
    def test_a_batch_and_its_retry(self, ledger: Ledger, shops: int) -> None:
        bank = ledger.account()
        accounts = [ledger.account() for _ in range(shops)]
        items = [transfer(bank, a, n + 1) for n, a in enumerate(accounts)]
        assert ledger.send(*items) == [R.OK] * shops
        assert ledger.send(*items) == [R.EXISTS] * shops
        assert ledger.send(items[-1]) == [R.EXISTS]
        assert ledger.balance(bank).debits_posted == shops * (shops + 1) // 2
        assert [ledger.balance(a).credits_posted for a in accounts] == list(range(1, shops + 1))
