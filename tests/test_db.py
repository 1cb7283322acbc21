"""The unit of work: committed when it ends, rolled back on an error, but for the record that
a refusal keeps; and the pool on PostgreSQL, which replaces a connection that died idle."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, func, select, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from labbaik import db
from labbaik.auth import service as auth_service
from labbaik.auth.models import AuditEntry
from labbaik.auth.roles import system_actor
from labbaik.db import session_scope
from labbaik.errors import Conflict, DomainError
from tests.conftest import PG_URL

SYSTEM = system_actor("test")
needs_postgres = pytest.mark.skipif(
    not PG_URL, reason="LABBAIK_TEST_POSTGRES_URL is not set: the pool test needs PostgreSQL"
)


class RefusedAfterItsRecord(DomainError):
    code = "refused_after_its_record"
    keeps_record = True


def _write_entry(session: Session, action: str) -> None:
    auth_service.record(session, actor=SYSTEM, action=action, object_type="test")
    session.flush()


def _entries(engine: Engine, action: str) -> int:
    with Session(engine) as session:
        count = session.scalar(
            select(func.count()).select_from(AuditEntry).where(AuditEntry.action == action)
        )
    return count or 0


def _unit_that_fails(engine: Engine, action: str, error: BaseException) -> None:
    """A unit of work that writes an audit entry, then fails with `error`."""
    with session_scope(engine) as session:
        _write_entry(session, action)
        raise error


class TestSessionScope:
    def test_commits_when_the_block_ends(self, engine: Engine) -> None:
        with session_scope(engine) as session:
            _write_entry(session, "test.done")
        assert _entries(engine, "test.done") == 1

    def test_a_refusal_rolls_everything_back(self, engine: Engine) -> None:
        with pytest.raises(Conflict):
            _unit_that_fails(engine, "test.refused", Conflict("no"))
        assert _entries(engine, "test.refused") == 0

    def test_an_unexpected_error_rolls_everything_back(self, engine: Engine) -> None:
        with pytest.raises(RuntimeError):
            _unit_that_fails(engine, "test.crashed", RuntimeError("bug"))
        assert _entries(engine, "test.crashed") == 0

    def test_a_refusal_that_keeps_its_record_commits_it_and_is_still_raised(
        self, engine: Engine
    ) -> None:
        with pytest.raises(RefusedAfterItsRecord):
            _unit_that_fails(engine, "test.kept", RefusedAfterItsRecord("refused, recorded"))
        assert _entries(engine, "test.kept") == 1

    def test_the_flag_may_be_given_to_one_refusal_of_a_class(self, engine: Engine) -> None:
        with pytest.raises(Conflict):
            _unit_that_fails(engine, "test.kept-once", Conflict("recorded", keeps_record=True))
        refused = RefusedAfterItsRecord("refused", keeps_record=False)
        with pytest.raises(RefusedAfterItsRecord):
            _unit_that_fails(engine, "test.not-kept", refused)
        assert (_entries(engine, "test.kept-once"), _entries(engine, "test.not-kept")) == (1, 0)


# The pool ---------------------------------------------------------------------------------


def _backend_pid(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.scalar(text("SELECT pg_backend_pid()")) or 0)


def _kill(pid: int) -> None:
    admin = db.make_engine(PG_URL)
    with admin.begin() as conn:
        assert conn.scalar(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    admin.dispose()


@needs_postgres
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


@needs_postgres
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
