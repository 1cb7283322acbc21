"""The ledger's service: accounts, transfers, pending holds, chains, idempotency, statements."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from labbaik.auth.roles import Actor, Role
from labbaik.errors import Forbidden
from labbaik.kit.pagination import PageRequest
from labbaik.kit.timeutil import utcnow
from labbaik.ledger import decide, service
from labbaik.ledger.errors import BatchTooLarge, LedgerAccountNotFound
from labbaik.ledger.schemas import MAX_BATCH, AccountCreate, ResultCode
from tests.ledger.conftest import SYSTEM, Ledger, post, transfer, void

R = ResultCode


class TestAccounts:
    def test_opens_accounts_with_zero_totals(self, ledger: Ledger) -> None:
        a = ledger.account("debits_must_not_exceed_credits")
        read = service.get_account(ledger.session, account_id=a, actor=SYSTEM)
        assert read.flags == ["debits_must_not_exceed_credits"]
        assert (read.debits_posted, read.credits_posted) == (0, 0)

    def test_the_same_account_again_exists(self, ledger: Ledger) -> None:
        a = AccountCreate(id=uuid.uuid4(), currency="SAR", code=7)
        first = service.create_accounts(ledger.session, accounts=[a], actor=SYSTEM)
        again = service.create_accounts(ledger.session, accounts=[a, a], actor=SYSTEM)
        assert [r.result for r in first] == [R.OK]
        assert [r.result for r in again] == [R.EXISTS, R.EXISTS]

    def test_the_same_id_with_other_fields_is_refused(self, ledger: Ledger) -> None:
        a = ledger.account(code=7)
        other = AccountCreate(id=a, currency="SAR", code=8)
        results = service.create_accounts(ledger.session, accounts=[other], actor=SYSTEM)
        assert results[0].result == R.EXISTS_WITH_DIFFERENT_FIELDS

    def test_both_balance_limits_at_once_are_refused(self, ledger: Ledger) -> None:
        a = AccountCreate(
            id=uuid.uuid4(),
            currency="SAR",
            code=1,
            flags=["debits_must_not_exceed_credits", "credits_must_not_exceed_debits"],
        )
        results = service.create_accounts(ledger.session, accounts=[a], actor=SYSTEM)
        assert results[0].result == R.FLAGS_ARE_MUTUALLY_EXCLUSIVE

    def test_an_unknown_currency_is_refused(self, ledger: Ledger) -> None:
        a = AccountCreate(id=uuid.uuid4(), currency="XXX", code=1)
        results = service.create_accounts(ledger.session, accounts=[a], actor=SYSTEM)
        assert results[0].result == R.CURRENCY_UNKNOWN

    def test_a_pilgrim_may_not_open_accounts(self, ledger: Ledger) -> None:
        pilgrim = Actor(account_id=uuid.uuid4(), username="p", role=Role.PILGRIM)
        with pytest.raises(Forbidden):
            service.create_accounts(
                ledger.session,
                accounts=[AccountCreate(id=uuid.uuid4(), currency="SAR", code=1)],
                actor=pilgrim,
            )

    def test_a_batch_above_the_maximum_is_refused_whole(self, ledger: Ledger) -> None:
        too_many = [AccountCreate(id=uuid.uuid4(), currency="SAR", code=1)] * (MAX_BATCH + 1)
        with pytest.raises(BatchTooLarge):
            service.create_accounts(ledger.session, accounts=too_many, actor=SYSTEM)

    def test_lists_accounts_by_owner(self, ledger: Ledger) -> None:
        owner = uuid.uuid4()
        a = AccountCreate(
            id=uuid.uuid4(), currency="SAR", code=1, owner_type="pilgrim", owner_id=owner
        )
        service.create_accounts(ledger.session, accounts=[a], actor=SYSTEM)
        ledger.account()
        page = service.list_accounts(
            ledger.session, actor=SYSTEM, page=PageRequest(1, 10), owner_id=owner
        )
        assert [x.id for x in page.items] == [a.id]


class TestSinglePhase:
    def test_moves_money_from_debit_to_credit(self, ledger: Ledger) -> None:
        a, b = ledger.account(), ledger.account()
        assert ledger.send(transfer(a, b, 2500)) == [R.OK]
        assert ledger.balance(a).debits_posted == 2500
        assert ledger.balance(b).credits_posted == 2500

    def test_a_constrained_account_cannot_go_below_zero(self, ledger: Ledger) -> None:
        bank, wallet, shop = (
            ledger.account(),
            ledger.account("debits_must_not_exceed_credits"),
            ledger.account(),
        )
        assert ledger.send(transfer(bank, wallet, 1000)) == [R.OK]
        assert ledger.send(transfer(wallet, shop, 1001)) == [R.EXCEEDS_CREDITS]
        assert ledger.send(transfer(wallet, shop, 1000)) == [R.OK]
        assert ledger.net(wallet) == 0

    def test_credits_must_not_exceed_debits(self, ledger: Ledger) -> None:
        loan, other = ledger.account("credits_must_not_exceed_debits"), ledger.account()
        assert ledger.send(transfer(other, loan, 1)) == [R.EXCEEDS_DEBITS]
        assert ledger.send(transfer(loan, other, 50), transfer(other, loan, 50)) == [R.OK, R.OK]

    @pytest.mark.parametrize(
        ("change", "code"),
        [
            ({"amount": 0}, R.AMOUNT_MUST_NOT_BE_ZERO),
            ({"currency": "USD"}, R.CURRENCY_MISMATCH),
            ({"currency": "XXX"}, R.CURRENCY_UNKNOWN),
            ({"timeout_seconds": 60}, R.TIMEOUT_RESERVED_FOR_PENDING),
            ({"pending_id": uuid.UUID(int=1)}, R.PENDING_ID_MUST_BE_ABSENT),
        ],
    )
    def test_refusals_have_their_own_code(self, ledger: Ledger, change: dict, code: R) -> None:
        a, b = ledger.account(), ledger.account()
        fields = {"amount": 10, "currency": "SAR", **change}
        amount, currency = fields.pop("amount"), fields.pop("currency")
        assert ledger.send(transfer(a, b, amount, currency=currency, **fields)) == [code]
        assert ledger.balance(a).debits_posted == 0

    def test_same_account_on_both_sides(self, ledger: Ledger) -> None:
        a = ledger.account()
        assert ledger.send(transfer(a, a, 10)) == [R.SAME_ACCOUNT]

    def test_unknown_account(self, ledger: Ledger) -> None:
        a = ledger.account()
        assert ledger.send(transfer(a, uuid.uuid4(), 10)) == [R.ACCOUNT_NOT_FOUND]

    def test_two_kinds_at_once(self, ledger: Ledger) -> None:
        a, b = ledger.account(), ledger.account()
        code = ledger.send(transfer(a, b, 10, "pending", "void_pending", pending_id=uuid.uuid4()))
        assert code == [R.FLAGS_ARE_MUTUALLY_EXCLUSIVE]

    def test_a_closed_account_takes_no_transfer(self, ledger: Ledger) -> None:
        a, b = ledger.account(), ledger.account()
        service.close_account(ledger.session, account_id=b, actor=SYSTEM)
        assert ledger.send(transfer(a, b, 10)) == [R.ACCOUNT_CLOSED]
        assert ledger.send(transfer(b, a, 10)) == [R.ACCOUNT_CLOSED]

    def test_many_transfers_on_one_account_in_one_batch(self, ledger: Ledger) -> None:
        bank, shop = ledger.account(), ledger.account()
        payers = [ledger.account("debits_must_not_exceed_credits") for _ in range(5)]
        ledger.send(*(transfer(bank, p, 100) for p in payers))
        results = ledger.send(*(transfer(p, shop, 60) for p in payers + payers))
        assert results == [R.OK] * 5 + [R.EXCEEDS_CREDITS] * 5
        assert ledger.net(shop) == 300
        assert service.verify_statement(ledger.session, account_id=shop)


class TestReads:
    def test_transfers_are_read_back_in_the_order_asked(self, ledger: Ledger) -> None:
        a, b = ledger.account(), ledger.account()
        first, refused = transfer(a, b, 10, reference="one"), transfer(a, a, 5)
        ledger.send(first, refused)
        found = service.get_transfers(
            ledger.session, transfer_ids=[refused.id, uuid.uuid4(), first.id], actor=SYSTEM
        )
        assert [(t.id, t.result) for t in found] == [
            (refused.id, R.SAME_ACCOUNT),
            (first.id, R.OK),
        ]
        assert (found[1].amount, found[1].reference, found[1].flags) == (10, "one", [])

    def test_the_trial_balance_sums_each_currency(self, ledger: Ledger) -> None:
        a, b = ledger.account(), ledger.account()
        c, d = ledger.account(currency="USD"), ledger.account(currency="USD")
        ledger.send(transfer(a, b, 10), transfer(c, d, 3, currency="USD"))
        assert service.trial_balance(ledger.session, actor=SYSTEM) == {
            "SAR": (10, 10),
            "USD": (3, 3),
        }


class TestIdempotency:
    def test_a_retry_answers_exists_and_moves_nothing(self, ledger: Ledger) -> None:
        a, b = ledger.account(), ledger.account()
        t = transfer(a, b, 10)
        assert ledger.send(t) == [R.OK]
        assert ledger.send(t) == [R.EXISTS]
        assert ledger.balance(b).credits_posted == 10

    def test_a_retry_of_a_refusal_answers_the_first_refusal(self, ledger: Ledger) -> None:
        bank, wallet = ledger.account(), ledger.account("debits_must_not_exceed_credits")
        spend = transfer(wallet, bank, 10)
        assert ledger.send(spend) == [R.EXCEEDS_CREDITS]
        ledger.send(transfer(bank, wallet, 100))
        assert ledger.send(spend) == [R.EXCEEDS_CREDITS]
        assert ledger.net(wallet) == 100

    def test_the_same_id_with_other_fields_is_refused(self, ledger: Ledger) -> None:
        a, b = ledger.account(), ledger.account()
        t = transfer(a, b, 10)
        ledger.send(t)
        changed = t.model_copy(update={"amount": 11})
        assert ledger.send(changed) == [R.EXISTS_WITH_DIFFERENT_FIELDS]
        assert ledger.balance(b).credits_posted == 10

    def test_the_same_id_twice_in_one_batch(self, ledger: Ledger) -> None:
        a, b = ledger.account(), ledger.account()
        t = transfer(a, b, 10)
        assert ledger.send(t, t) == [R.OK, R.EXISTS]
        assert ledger.balance(b).credits_posted == 10


class TestLinked:
    def test_a_chain_goes_through_whole(self, ledger: Ledger) -> None:
        a, b, c = ledger.account(), ledger.account(), ledger.account()
        assert ledger.send(transfer(a, b, 10, "linked"), transfer(b, c, 10)) == [R.OK, R.OK]
        assert ledger.net(b) == 0
        assert ledger.net(c) == 10

    def test_one_failure_undoes_the_whole_chain(self, ledger: Ledger) -> None:
        a, b = ledger.account(), ledger.account("debits_must_not_exceed_credits")
        c = ledger.account()
        results = ledger.send(
            transfer(a, c, 5),
            transfer(a, b, 10, "linked"),
            transfer(b, c, 10, "linked"),
            transfer(b, c, 1),
            transfer(a, c, 7),
        )
        assert results == [
            R.OK,
            R.LINKED_EVENT_FAILED,
            R.LINKED_EVENT_FAILED,
            R.EXCEEDS_CREDITS,
            R.OK,
        ]
        assert ledger.net(b) == 0
        assert ledger.net(c) == 12
        assert all(service.verify_statement(ledger.session, account_id=x) for x in (a, b, c))

    def test_the_same_id_twice_in_a_chain_fails_it(self, ledger: Ledger) -> None:
        a, b = ledger.account(), ledger.account()
        t = transfer(a, b, 1, "linked")
        assert ledger.send(t, t.model_copy(update={"flags": None})) == [
            R.LINKED_EVENT_FAILED,
            R.EXISTS_WITH_DIFFERENT_FIELDS,
        ]
        assert ledger.net(b) == 0
        assert ledger.send(t, transfer(a, b, 2)) == [R.LINKED_EVENT_FAILED, R.LINKED_EVENT_FAILED]

    def test_a_chain_left_open_fails(self, ledger: Ledger) -> None:
        a, b = ledger.account(), ledger.account()
        results = ledger.send(transfer(a, b, 1, "linked"), transfer(a, b, 2, "linked"))
        assert results == [R.LINKED_EVENT_FAILED, R.LINKED_EVENT_CHAIN_OPEN]
        assert ledger.net(b) == 0

    def test_a_failed_chain_frees_the_pending_it_posted(self, ledger: Ledger) -> None:
        a, b = ledger.account(), ledger.account("credits_must_not_exceed_debits")
        hold = transfer(a, b, 10, "pending", currency="SAR")
        ledger.send(transfer(b, a, 10))
        ledger.send(hold)
        results = ledger.send(post(hold.id, None, "linked"), transfer(a, b, 5))
        assert results == [R.LINKED_EVENT_FAILED, R.EXCEEDS_DEBITS]
        assert ledger.send(void(hold.id)) == [R.OK]


class TestPending:
    def test_a_hold_reserves_and_a_post_moves(self, ledger: Ledger) -> None:
        bank, wallet = ledger.account(), ledger.account("debits_must_not_exceed_credits")
        shop = ledger.account()
        ledger.send(transfer(bank, wallet, 100))
        hold = transfer(wallet, shop, 80, "pending")
        assert ledger.send(hold) == [R.OK]
        assert ledger.balance(wallet).debits_pending == 80
        assert ledger.send(transfer(wallet, shop, 30)) == [R.EXCEEDS_CREDITS]
        assert ledger.send(post(hold.id, 50)) == [R.OK]
        after = ledger.balance(wallet)
        assert (after.debits_posted, after.debits_pending) == (50, 0)
        assert ledger.send(post(hold.id)) == [R.PENDING_ALREADY_POSTED]
        assert ledger.send(void(hold.id)) == [R.PENDING_ALREADY_POSTED]

    def test_a_post_without_amount_posts_in_full(self, ledger: Ledger) -> None:
        a, b = ledger.account(), ledger.account()
        hold = transfer(a, b, 70, "pending")
        ledger.send(hold, post(hold.id))
        assert ledger.balance(b).credits_posted == 70

    def test_a_post_cannot_exceed_the_hold(self, ledger: Ledger) -> None:
        a, b = ledger.account(), ledger.account()
        hold = transfer(a, b, 70, "pending")
        ledger.send(hold)
        assert ledger.send(post(hold.id, 71)) == [R.EXCEEDS_PENDING_AMOUNT]

    def test_a_void_releases_the_hold(self, ledger: Ledger) -> None:
        a, b = ledger.account(), ledger.account()
        hold = transfer(a, b, 70, "pending")
        ledger.send(hold)
        assert ledger.send(void(hold.id)) == [R.OK]
        assert ledger.balance(a).debits_pending == 0
        assert ledger.send(void(hold.id)) == [R.PENDING_ALREADY_VOIDED]

    def test_post_or_void_of_what_is_not_a_hold(self, ledger: Ledger) -> None:
        a, b = ledger.account(), ledger.account()
        single = transfer(a, b, 10)
        ledger.send(single)
        assert ledger.send(post(single.id)) == [R.PENDING_NOT_FOUND]
        assert ledger.send(post(uuid.uuid4())) == [R.PENDING_NOT_FOUND]

    def test_a_post_must_name_the_holds_accounts(self, ledger: Ledger) -> None:
        a, b, c = ledger.account(), ledger.account(), ledger.account()
        hold = transfer(a, b, 10, "pending")
        ledger.send(hold)
        wrong = transfer(a, c, None, "post_pending", pending_id=hold.id)
        assert ledger.send(wrong) == [R.PENDING_HAS_DIFFERENT_ACCOUNTS]

    def test_a_hold_expires_on_time(self, ledger: Ledger) -> None:
        a, b = ledger.account(), ledger.account()
        start = utcnow()
        hold = transfer(a, b, 10, "pending", timeout_seconds=60)
        ledger.send(hold, now=start)
        assert service.expire_pending(ledger.session, now=start + timedelta(seconds=59)) == 0
        assert service.expire_pending(ledger.session, now=start + timedelta(seconds=61)) == 1
        ledger.session.commit()
        assert ledger.balance(a).debits_pending == 0
        later = start + timedelta(seconds=62)
        assert ledger.send(post(hold.id), now=later) == [R.PENDING_EXPIRED]
        release = service.get_transfer(
            ledger.session, transfer_id=decide.expiry_id(hold.id), actor=SYSTEM
        )
        assert (release.expired, release.pending_id, release.amount) == (True, hold.id, 10)

    def test_a_late_post_is_refused_and_releases_the_hold(self, ledger: Ledger) -> None:
        a, b = ledger.account(), ledger.account()
        start = utcnow()
        hold = transfer(a, b, 10, "pending", timeout_seconds=1)
        ledger.send(hold, now=start)
        assert ledger.send(post(hold.id), now=start + timedelta(seconds=2)) == [R.PENDING_EXPIRED]
        assert ledger.balance(a).debits_pending == 0
        assert service.expire_pending(ledger.session, now=start + timedelta(seconds=3)) == 0

    def test_a_closed_account_still_lets_a_hold_go(self, ledger: Ledger) -> None:
        a, b = ledger.account(), ledger.account()
        hold = transfer(a, b, 10, "pending")
        ledger.send(hold)
        service.close_account(ledger.session, account_id=a, actor=SYSTEM)
        assert ledger.send(post(hold.id)) == [R.ACCOUNT_CLOSED]
        assert ledger.send(void(hold.id)) == [R.OK]


class TestStatement:
    def test_each_line_carries_the_totals_after_it(self, ledger: Ledger) -> None:
        a, b = ledger.account(), ledger.account()
        ledger.send(transfer(a, b, 10, reference="first"), transfer(a, b, 5))
        hold = transfer(b, a, 3, "pending")
        ledger.send(hold, post(hold.id, 2))
        page = service.list_entries(ledger.session, account_id=b, actor=SYSTEM, page=PageRequest())
        lines = [
            (e.seq, e.side, e.posted, e.pending, e.credits_posted, e.debits_pending)
            for e in page.items
        ]
        assert lines == [
            (1, "credit", 10, 0, 10, 0),
            (2, "credit", 5, 0, 15, 0),
            (3, "debit", 0, 3, 15, 3),
            (4, "debit", 2, -3, 15, 0),
        ]
        assert page.items[0].reference == "first"
        assert service.verify_statement(ledger.session, account_id=b)

    def test_reading_a_statement_is_audited(self, ledger: Ledger) -> None:
        a = ledger.account()
        service.list_entries(ledger.session, account_id=a, actor=SYSTEM, page=PageRequest())
        ledger.session.commit()
        count = ledger.session.scalar(
            text("SELECT count(*) FROM auth_audit_entry WHERE action = 'ledger.statement.read'")
        )
        assert count == 1

    def test_an_unknown_account_has_no_statement(self, ledger: Ledger) -> None:
        with pytest.raises(LedgerAccountNotFound):
            service.list_entries(
                ledger.session, account_id=uuid.uuid4(), actor=SYSTEM, page=PageRequest()
            )


class TestImmutable:
    @pytest.mark.parametrize("table", ["ledger_transfer", "ledger_entry"])
    @pytest.mark.parametrize("statement", ["UPDATE {t} SET created_by = 'x'", "DELETE FROM {t}"])
    def test_the_database_refuses_to_change_history(
        self, ledger: Ledger, table: str, statement: str
    ) -> None:
        a, b = ledger.account(), ledger.account()
        ledger.send(transfer(a, b, 10))
        sql = statement.format(t=table).replace(
            "posted = 0", "amount = 0" if table == "ledger_transfer" else "posted = 0"
        )
        with pytest.raises(DBAPIError):
            ledger.session.execute(text(sql))
        ledger.session.rollback()
        assert ledger.balance(b).credits_posted == 10
