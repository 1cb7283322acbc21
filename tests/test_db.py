"""The engine's pool on PostgreSQL: a connection that died while idle is replaced unseen."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import OperationalError

from labbaik import db
from tests.conftest import PG_URL

pytestmark = pytest.mark.skipif(
    not PG_URL, reason="LABBAIK_TEST_POSTGRES_URL is not set: the pool test needs PostgreSQL"
)


def _backend_pid(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.scalar(text("SELECT pg_backend_pid()")) or 0)


def _kill(pid: int) -> None:
    admin = db.make_engine(PG_URL)
    with admin.begin() as conn:
        assert conn.scalar(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    admin.dispose()


def test_a_connection_killed_while_idle_is_replaced_before_use(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    engine = db.make_engine(PG_URL)
    try:
        first = _backend_pid(engine)
        _kill(first)
        monkeypatch.setattr(db, "IDLE_PING_SECONDS", 0.0)
        # The pooled connection is dead; the check on checkout finds it and takes a new one.
        second = _backend_pid(engine)
        assert second != first
    finally:
        engine.dispose()


def test_a_connection_in_steady_use_is_not_pinged(monkeypatch: pytest.MonkeyPatch) -> None:
    """No round trip is spent on a connection used a moment ago: one killed meanwhile fails
    the one request that finds it, and the pool then starts afresh."""
    engine = db.make_engine(PG_URL)
    try:
        first = _backend_pid(engine)
        _kill(first)
        monkeypatch.setattr(db, "IDLE_PING_SECONDS", 3600.0)
        with pytest.raises(OperationalError):
            _backend_pid(engine)
        assert _backend_pid(engine) != first
    finally:
        engine.dispose()
