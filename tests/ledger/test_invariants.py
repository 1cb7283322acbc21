"""Whatever happens to the ledger, it balances: a hypothesis state machine against a model.

The machine opens accounts (with and without balance limits, some closed later), sends single
transfers, pending holds with timeouts, posts in part or in full, voids, lets the clock run
and expires holds, sends linked chains, and retries earlier transfers with the same id (with
the same fields and with others). A plain model predicts every answer; after every step the
database must agree with the model, each currency must sum to zero, every limit must hold and
every statement must rebuild.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import hypothesis.strategies as st
from hypothesis import HealthCheck, settings
from hypothesis.stateful import (
    Bundle,
    MultipleResults,
    RuleBasedStateMachine,
    consumes,
    initialize,
    invariant,
    multiple,
    rule,
    run_state_machine_as_test,
)
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from labbaik.kit.timeutil import utcnow
from labbaik.ledger import service
from labbaik.ledger.schemas import AccountCreate, ResultCode, TransferCreate
from tests.ledger.conftest import SYSTEM

R = ResultCode
LIMIT_DEBITS = "debits_must_not_exceed_credits"
LIMIT_CREDITS = "credits_must_not_exceed_debits"


@dataclass
class Account:
    currency: str
    flags: frozenset[str]
    closed: bool = False
    dp: int = 0
    cp: int = 0
    dpend: int = 0
    cpend: int = 0


@dataclass
class Hold:
    debit: uuid.UUID
    credit: uuid.UUID
    amount: int
    expires_at: datetime | None
    state: str = "open"  # open, posted, voided, expired


@dataclass
class Model:
    accounts: dict[uuid.UUID, Account] = field(default_factory=dict)
    holds: dict[uuid.UUID, Hold] = field(default_factory=dict)

    def single(self, t: TransferCreate) -> ResultCode:
        """The answer to a single or pending transfer, applied to the model if ok."""
        assert t.debit_account_id
        assert t.credit_account_id
        assert t.amount
        dr, cr = self.accounts[t.debit_account_id], self.accounts[t.credit_account_id]
        if dr.closed or cr.closed:
            return R.ACCOUNT_CLOSED
        if dr.currency != t.currency or cr.currency != t.currency:
            return R.CURRENCY_MISMATCH
        if LIMIT_DEBITS in dr.flags and dr.dp + dr.dpend + t.amount > dr.cp:
            return R.EXCEEDS_CREDITS
        if LIMIT_CREDITS in cr.flags and cr.cp + cr.cpend + t.amount > cr.dp:
            return R.EXCEEDS_DEBITS
        if "pending" in t.flag_set:
            dr.dpend += t.amount
            cr.cpend += t.amount
        else:
            dr.dp += t.amount
            cr.cp += t.amount
        return R.OK

    def expire_due(self, hold_ids: set[uuid.UUID], now: datetime) -> int:
        released = 0
        for hold_id in hold_ids:
            hold = self.holds[hold_id]
            if hold.state == "open" and hold.expires_at is not None and hold.expires_at <= now:
                self._release(hold, posted=0)
                hold.state = "expired"
                released += 1
        return released

    def resolve(self, t: TransferCreate) -> ResultCode:
        assert t.pending_id is not None
        hold = self.holds[t.pending_id]
        if hold.state != "open":
            return {
                "posted": R.PENDING_ALREADY_POSTED,
                "voided": R.PENDING_ALREADY_VOIDED,
                "expired": R.PENDING_EXPIRED,
            }[hold.state]
        post = "post_pending" in t.flag_set
        amount = (t.amount or hold.amount) if post else hold.amount
        if post and amount > hold.amount:
            return R.EXCEEDS_PENDING_AMOUNT
        if post and (self.accounts[hold.debit].closed or self.accounts[hold.credit].closed):
            return R.ACCOUNT_CLOSED
        self._release(hold, posted=amount if post else 0)
        hold.state = "posted" if post else "voided"
        return R.OK

    def _release(self, hold: Hold, *, posted: int) -> None:
        dr, cr = self.accounts[hold.debit], self.accounts[hold.credit]
        dr.dpend -= hold.amount
        cr.cpend -= hold.amount
        dr.dp += posted
        cr.cp += posted

    def snapshot(self) -> tuple[dict[uuid.UUID, Account], dict[uuid.UUID, Hold]]:
        return (
            {k: Account(**vars(v)) for k, v in self.accounts.items()},
            {k: Hold(**vars(v)) for k, v in self.holds.items()},
        )


class LedgerMachine(RuleBasedStateMachine):
    accounts = Bundle("accounts")
    sent = Bundle("sent")
    holds = Bundle("holds")

    def __init__(self, engine: Engine) -> None:
        super().__init__()
        self.session = Session(engine, expire_on_commit=False, autoflush=False)
        self.model = Model()
        self.now = utcnow()
        self.answers: dict[uuid.UUID, ResultCode] = {}

    def teardown(self) -> None:
        self.session.close()

    def _send(self, *items: TransferCreate) -> list[ResultCode]:
        results = service.create_transfers(
            self.session, transfers=list(items), actor=SYSTEM, now=self.now
        )
        self.session.commit()
        return [r.result for r in results]

    def _remember(self, t: TransferCreate, code: ResultCode) -> TransferCreate:
        self.answers[t.id] = code
        return t

    @initialize(target=accounts)
    def a_bank(self) -> uuid.UUID:
        self.bank = self.open_account(currency="SAR", limit=None)
        return self.bank

    @initialize(target=accounts)
    def wallets(self) -> MultipleResults[uuid.UUID]:
        return multiple(
            self.open_account(currency="SAR", limit=LIMIT_DEBITS),
            self.open_account(currency="SAR", limit=LIMIT_DEBITS),
            self.open_account(currency="SAR", limit=LIMIT_CREDITS),
            self.open_account(currency="SAR", limit=None),
            self.open_account(currency="USD", limit=None),
        )

    @rule(account=accounts, amount=st.integers(1, 400))
    def fund(self, account: uuid.UUID, amount: int) -> None:
        """Money in from the bank, so that limited accounts have something to spend."""
        self.single(self.bank, account, amount, self.model.accounts[account].currency)

    @rule(
        target=accounts,
        currency=st.sampled_from(["SAR", "SAR", "USD"]),
        limit=st.sampled_from([None, None, LIMIT_DEBITS, LIMIT_CREDITS]),
    )
    def open_account(self, currency: str, limit: str | None) -> uuid.UUID:
        account_id = uuid.uuid4()
        flags = [limit] if limit else []
        results = service.create_accounts(
            self.session,
            accounts=[AccountCreate(id=account_id, currency=currency, code=1, flags=flags)],
            actor=SYSTEM,
        )
        self.session.commit()
        assert results[0].result == R.OK
        self.model.accounts[account_id] = Account(currency, frozenset(flags))
        return account_id

    @rule(account=accounts, extra=st.sampled_from([0, 1]), pending=st.booleans())
    def spend_to_the_limit(self, account: uuid.UUID, extra: int, pending: bool) -> None:
        """Spend what a limited account has left (holds count as spent), or one more."""
        a = self.model.accounts[account]
        available = a.cp - a.dp - a.dpend
        if account == self.bank or available + extra <= 0 or a.currency != "SAR":
            return
        if pending:
            self.hold(account, self.bank, available + extra, None)
        else:
            self.single(account, self.bank, available + extra, a.currency)

    @rule(account=accounts, roll=st.integers(0, 5))
    def close(self, account: uuid.UUID, roll: int) -> None:
        if roll or account == self.bank:
            return  # closing is rare, or there is soon nothing left to test
        service.close_account(self.session, account_id=account, actor=SYSTEM)
        self.session.commit()
        self.model.accounts[account].closed = True

    @rule(
        target=sent,
        debit=accounts,
        credit=accounts,
        amount=st.integers(1, 500),
        currency=st.sampled_from(["debit's", "debit's", "debit's", "SAR", "USD"]),
    )
    def single(
        self, debit: uuid.UUID, credit: uuid.UUID, amount: int, currency: str
    ) -> TransferCreate:
        if currency == "debit's":
            currency = self.model.accounts[debit].currency
        t = TransferCreate(
            id=uuid.uuid4(), debit_account_id=debit, credit_account_id=credit, amount=amount,
            currency=currency, code=1,
        )  # fmt: skip
        expected = R.SAME_ACCOUNT if debit == credit else self.model.single(t)
        assert self._send(t) == [expected]
        return self._remember(t, expected)

    @rule(
        target=holds,
        debit=accounts,
        credit=accounts,
        amount=st.integers(1, 500),
        timeout=st.sampled_from([None, 5, 60]),
    )
    def hold(
        self, debit: uuid.UUID, credit: uuid.UUID, amount: int, timeout: int | None
    ) -> uuid.UUID:
        currency = self.model.accounts[debit].currency
        t = TransferCreate(
            id=uuid.uuid4(), debit_account_id=debit, credit_account_id=credit, amount=amount,
            currency=currency, code=2, flags=["pending"], timeout_seconds=timeout,
        )  # fmt: skip
        expected = R.SAME_ACCOUNT if debit == credit else self.model.single(t)
        assert self._send(t) == [expected]
        if expected == R.OK:
            expires = self.now + timedelta(seconds=timeout) if timeout else None
            self.model.holds[t.id] = Hold(debit, credit, amount, expires)
        # A refused hold is still a pending id to try to post: it must be "not found".
        return t.id

    @rule(hold=holds, part=st.sampled_from([None, 1, 250, 10_000]), post=st.booleans())
    def resolve(self, hold: uuid.UUID, part: int | None, post: bool) -> None:
        t = TransferCreate(
            id=uuid.uuid4(),
            pending_id=hold,
            amount=part if post else None,
            flags=["post_pending" if post else "void_pending"],
        )
        if hold not in self.model.holds:
            assert self._send(t) == [R.PENDING_NOT_FOUND]
            return
        self.model.expire_due({hold}, self.now)
        expected = self.model.resolve(t)
        assert self._send(t) == [expected]

    @rule(seconds=st.sampled_from([1, 10, 100]))
    def time_passes(self, seconds: int) -> None:
        self.now += timedelta(seconds=seconds)

    @rule()
    def expiry_job(self) -> None:
        released = service.expire_pending(self.session, now=self.now)
        self.session.commit()
        # Other examples share the database; only this machine's holds are counted.
        assert released >= self.model.expire_due(set(self.model.holds), self.now)

    @rule(
        target=sent,
        path=st.lists(st.tuples(st.integers(0, 50), st.integers(1, 300)), min_size=2, max_size=4),
        data=st.data(),
    )
    def chain(self, path: list[tuple[int, int]], data: st.DataObject) -> TransferCreate:
        """A linked chain of transfers: all go through, or none does."""
        ids = list(self.model.accounts)
        items = []
        for i, (seed, amount) in enumerate(path):
            debit = ids[seed % len(ids)]
            credit = ids[(seed * 7 + 1 + i) % len(ids)]
            items.append(
                TransferCreate(
                    id=uuid.uuid4(), debit_account_id=debit, credit_account_id=credit,
                    amount=amount, currency=self.model.accounts[debit].currency, code=3,
                    flags=["linked"] if i < len(path) - 1 else None,
                )
            )  # fmt: skip
        saved = self.model.snapshot()
        expected = [R.OK] * len(items)
        for i, t in enumerate(items):
            code = (
                R.SAME_ACCOUNT
                if t.debit_account_id == t.credit_account_id
                else self.model.single(t)
            )
            if code != R.OK:
                self.model.accounts, self.model.holds = saved
                expected = [R.LINKED_EVENT_FAILED] * len(items)
                expected[i] = code
                break
        assert self._send(*items) == expected
        for t, code in zip(items, expected, strict=True):
            self._remember(t, code)
        return items[-1]

    @rule(t=sent)
    def retry(self, t: TransferCreate) -> None:
        first = self.answers[t.id]
        again = R.EXISTS if first == R.OK else first
        if "linked" not in t.flag_set:
            assert self._send(t) == [again]

    @rule(t=consumes(sent), amount=st.integers(1, 500))
    def retry_changed(self, t: TransferCreate, amount: int) -> None:
        changed = t.model_copy(update={"amount": (t.amount or 0) + amount, "flags": None})
        assert self._send(changed) == [R.EXISTS_WITH_DIFFERENT_FIELDS]

    @invariant()
    def agrees_with_the_model_and_balances(self) -> None:
        ids = list(self.model.accounts)
        found = {b.id: b for b in service.get_balances(self.session, account_ids=ids, actor=SYSTEM)}
        sums: dict[str, list[int]] = {}
        for account_id, want in self.model.accounts.items():
            got = found[account_id]
            have = (got.debits_posted, got.credits_posted, got.debits_pending, got.credits_pending)
            assert have == (want.dp, want.cp, want.dpend, want.cpend), account_id
            if LIMIT_DEBITS in want.flags:
                assert got.debits_posted + got.debits_pending <= got.credits_posted
            if LIMIT_CREDITS in want.flags:
                assert got.credits_posted + got.credits_pending <= got.debits_posted
            total = sums.setdefault(want.currency, [0, 0])
            total[0] += got.debits_posted - got.credits_posted
            total[1] += got.debits_pending - got.credits_pending
        assert all(t == [0, 0] for t in sums.values()), sums

    def check_statements(self) -> None:
        for account_id in self.model.accounts:
            assert service.verify_statement(self.session, account_id=account_id)


class TestTheLedgerAlwaysBalances:
    def test_after_any_sequence_of_operations(self, engine: Engine) -> None:
        def machine() -> LedgerMachine:
            return _Checked(engine)

        run_state_machine_as_test(
            machine,
            settings=settings(
                max_examples=25,
                stateful_step_count=40,
                deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
            ),
        )


class _Checked(LedgerMachine):
    """The machine, rebuilding every statement at the end of each example."""

    def teardown(self) -> None:
        try:
            self.check_statements()
        finally:
            super().teardown()
