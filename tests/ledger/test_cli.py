"""Commands of the ledger: accounts, balance, statement --verify, expire-pending."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import timedelta

import pytest
from typer.testing import CliRunner

from labbaik.cli import app
from labbaik.kit.timeutil import utcnow
from labbaik.ledger.errors import LedgerAccountNotFound
from labbaik.settings import get_settings
from tests.ledger.conftest import Ledger, transfer


@pytest.fixture
def cli(db_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[CliRunner]:
    monkeypatch.setenv("LABBAIK_DATABASE_URL", db_url)
    get_settings.cache_clear()
    yield CliRunner()
    get_settings.cache_clear()


class TestCommands:
    def test_lists_accounts_with_their_balance(self, cli: CliRunner, ledger: Ledger) -> None:
        a, b = ledger.account(), ledger.account("debits_must_not_exceed_credits")
        ledger.send(transfer(a, b, 1234))
        result = cli.invoke(app, ["ledger", "accounts"])
        assert result.exit_code == 0, result.output
        line = next(x for x in result.stdout.splitlines() if x.startswith(str(b)))
        assert "12.34 SAR" in line
        assert "debits_must_not_exceed_credits" in line

    def test_shows_a_balance(self, cli: CliRunner, ledger: Ledger) -> None:
        a, b = ledger.account(), ledger.account()
        ledger.send(transfer(a, b, 500, "pending"))
        result = cli.invoke(app, ["ledger", "balance", str(b)])
        assert result.exit_code == 0, result.output
        assert "credits_pending" in result.stdout
        assert "5.00 SAR" in result.stdout

    def test_prints_and_verifies_a_statement(self, cli: CliRunner, ledger: Ledger) -> None:
        a, b = ledger.account(), ledger.account()
        ledger.send(transfer(a, b, 500, reference="top-up"), transfer(b, a, 200))
        result = cli.invoke(app, ["ledger", "statement", str(b), "--verify"])
        assert result.exit_code == 0, result.output
        lines = result.stdout.splitlines()
        assert "balance" in lines[0]
        assert "5.00 SAR" in lines[0]
        assert "top-up" in lines[0]
        assert "3.00 SAR" in lines[1]
        assert lines[-1] == "verified: the entries rebuild the balance"

    def test_an_unknown_account_is_one_line_and_exit_1(
        self, cli: CliRunner, ledger: Ledger
    ) -> None:
        result = cli.invoke(app, ["ledger", "balance", str(uuid.uuid4())])
        # labbaik.cli.main turns the error into its one line and exit 1.
        assert isinstance(result.exception, LedgerAccountNotFound)
        assert result.exception.one_line().startswith("error [ledger_account_not_found]: no")

    def test_expires_holds_whose_time_has_passed(self, cli: CliRunner, ledger: Ledger) -> None:
        a, b = ledger.account(), ledger.account()
        ledger.send(
            transfer(a, b, 10, "pending", timeout_seconds=1), now=utcnow() - timedelta(seconds=5)
        )
        result = cli.invoke(app, ["ledger", "expire-pending"])
        assert result.exit_code == 0, result.output
        assert "released 1 " in result.stdout
        ledger.session.rollback()
        assert ledger.balance(a).debits_pending == 0

    def test_the_trial_balance_balances(self, cli: CliRunner, ledger: Ledger) -> None:
        a, b = ledger.account(), ledger.account()
        ledger.send(transfer(a, b, 10))
        result = cli.invoke(app, ["ledger", "trial-balance"])
        assert result.exit_code == 0, result.output
        assert result.stdout.strip() == "SAR  debits 10  credits 10  balanced"
