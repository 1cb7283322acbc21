"""Commands of auth: mint a token, create an account."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from labbaik.auth import service
from labbaik.auth.models import ApiToken
from labbaik.cli import app
from labbaik.errors import NotFound
from labbaik.kit.timeutil import as_utc, utcnow
from labbaik.settings import get_settings


@pytest.fixture
def cli(db_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[CliRunner]:
    """A runner whose commands use the test database (settings are cached, so clear them)."""
    monkeypatch.setenv("LABBAIK_DATABASE_URL", db_url)
    get_settings.cache_clear()
    yield CliRunner()
    get_settings.cache_clear()


class TestToken:
    def test_prints_a_token_that_works(self, cli: CliRunner, client: TestClient) -> None:
        result = cli.invoke(app, ["auth", "token", "officer"])
        assert result.exit_code == 0, result.output
        token = result.stdout.strip()
        assert token.startswith("lbk_")
        me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
        assert me.status_code == 200
        assert me.json()["username"] == "officer"

    def test_takes_a_name_and_a_lifetime(self, cli: CliRunner, world: Any, engine: Engine) -> None:
        result = cli.invoke(app, ["auth", "token", "medic", "--name", "scanner-7", "--days", "1"])
        assert result.exit_code == 0, result.output
        with Session(engine) as session:
            row = session.scalar(select(ApiToken).where(ApiToken.name == "scanner-7"))
        assert row is not None
        assert row.account_id == world.accounts["medic"].id
        assert row.expires_at is not None
        hours = (as_utc(row.expires_at) - utcnow()).total_seconds() / 3600
        assert 23 < hours <= 24

    def test_an_unknown_user_is_a_not_found_error(self, cli: CliRunner, world: Any) -> None:
        # labbaik.cli.main() turns this into a one-line message (tests/test_cli.py).
        result = cli.invoke(app, ["auth", "token", "nosuchuser"])
        assert result.exit_code != 0
        assert isinstance(result.exception, NotFound)


class TestCreate:
    def test_creates_an_account_that_can_log_in(
        self, cli: CliRunner, world: Any, engine: Engine, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setenv("LABBAIK_NEW_PASSWORD", "a long enough password")
        result = cli.invoke(app, ["auth", "create", "watch.lead", "--role", "operator"])
        assert result.exit_code == 0, result.output
        assert result.stdout.startswith("created watch.lead (operator)")
        with Session(engine) as session:
            actor = service.authenticate(
                session, username="watch.lead", password="a long enough password", origin="t"
            )
        assert actor.role.value == "operator"
