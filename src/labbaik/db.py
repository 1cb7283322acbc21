"""The declarative base, engines and the unit of work that the edges open and commit."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from typing import Any

from sqlalchemy import Engine, MetaData, create_engine, event
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker

from labbaik.errors import keeps_record
from labbaik.settings import get_settings

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def normalise_url(url: str) -> str:
    """Let operators write the usual postgresql:// URL and still get the psycopg 3 driver."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def _on_sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    # WAL lets readers go on while one writer writes; the busy timeout turns a short lock
    # wait into a wait instead of an immediate "database is locked".
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


def make_engine(url: str, *, echo: bool = False) -> Engine:
    url = normalise_url(url)
    if url.startswith("sqlite"):
        engine = create_engine(url, echo=echo, connect_args={"check_same_thread": False})
        event.listen(engine, "connect", _on_sqlite_connect)
        return engine
    engine = create_engine(url, echo=echo, pool_size=10, max_overflow=20)
    _ping_when_idle(engine)
    return engine


# A pooled connection idle longer than this is checked before use (PostgreSQL restarted, a
# firewall dropped it). A connection in steady use is not: a ping on every checkout
# (`pool_pre_ping`) would add a round trip to every request.
IDLE_PING_SECONDS = 30.0


def _ping_when_idle(engine: Engine) -> None:
    def checkin(_dbapi_connection: Any, record: Any) -> None:
        record.info["idle_since"] = time.monotonic()

    def checkout(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        idle_since = record.info.pop("idle_since", None)
        if idle_since is None or time.monotonic() - idle_since < IDLE_PING_SECONDS:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except Exception as exc:
            # The pool discards this connection and checks out another (a new one if need be).
            raise DisconnectionError(f"a pooled connection was dead: {exc}") from exc

    event.listen(engine, "checkin", checkin)
    event.listen(engine, "checkout", checkout)


@lru_cache(maxsize=8)
def engine_for(url: str) -> Engine:
    return make_engine(url, echo=get_settings().sql_echo)


def get_engine() -> Engine:
    return engine_for(get_settings().database_url)


def session_factory(engine: Engine | None = None) -> sessionmaker[Session]:
    return _session_factory(engine or get_engine())


# One factory an engine: each sessionmaker makes a Session class of its own, whose event set-up
# costs more than a small request's queries.
@lru_cache(maxsize=16)
def _session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, expire_on_commit=False, autoflush=False)


def settle_error(session: Session, error: BaseException) -> None:
    """End the unit of work that `error` interrupted: roll it back, unless the error is a
    refusal that keeps its record (`DomainError.keeps_record`); that record is committed.

    Every edge (a request, a page that shows its own error, a CLI command, a job) ends a
    failed unit here, so that a refused card read or a failed login is never lost.
    """
    if not keeps_record(error):
        session.rollback()
        return
    try:
        session.commit()
    except BaseException:
        session.rollback()
        raise


@contextmanager
def session_scope(engine: Engine | None = None) -> Iterator[Session]:
    """One unit of work: commit when the block ends, roll back on an error (keeping the
    record of a refusal that keeps one, see `settle_error`)."""
    session = session_factory(engine)()
    try:
        yield session
        session.commit()
    except BaseException as exc:
        settle_error(session, exc)
        raise
    finally:
        session.close()


def alembic_config(url: str | None = None) -> Any:
    """The Alembic configuration of this checkout, pointed at url (default: settings)."""
    from pathlib import Path  # noqa: PLC0415

    from alembic.config import Config  # noqa: PLC0415

    root = Path(__file__).resolve().parents[2]
    cfg = Config(str(root / "alembic.ini"))
    cfg.set_main_option("script_location", str(root / "migrations"))
    cfg.attributes["url"] = url or get_settings().database_url
    return cfg


def upgrade(url: str | None = None, revision: str = "heads") -> None:
    """Migrate to revision; "heads" is the newest of every domain's branch of the tree."""
    from alembic import command  # noqa: PLC0415

    url = url or get_settings().database_url
    command.upgrade(alembic_config(url), revision)
    # The migration ran on the shared engine of this URL. Closing its pooled connection lets
    # SQLite fold the write-ahead log back into the file, so that the file alone is the whole
    # database (the tests copy it as a template).
    engine_for(normalise_url(url)).dispose()
