"""Fixtures: a migrated database per test on SQLite, and on PostgreSQL when it is reachable."""

from __future__ import annotations

import base64
import functools
import json
import os
import secrets
import shutil
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from fastapi import FastAPI
from sqlalchemy import Engine, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from labbaik.db import Base, make_engine, normalise_url, upgrade
from labbaik.models_index import import_all_models
from labbaik.settings import Settings

PG_URL = os.environ.get("LABBAIK_TEST_POSTGRES_URL")

import_all_models()


@pytest.fixture(autouse=True, scope="session")
def card_key_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Card signing keys made by any test (the demo's too) go to a temporary folder."""
    from labbaik.settings import get_settings  # noqa: PLC0415

    os.environ["LABBAIK_CARD_KEY_DIR"] = str(tmp_path_factory.mktemp("card-keys"))
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def pytest_report_header() -> str:
    if PG_URL:
        return f"PostgreSQL tests: on ({PG_URL.split('@')[-1]})"
    return "PostgreSQL tests: SKIPPED, LABBAIK_TEST_POSTGRES_URL is not set"


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file; each test gets a copy, which is faster than migrating again."""
    path = tmp_path_factory.mktemp("template") / "template.db"
    upgrade(f"sqlite:///{path}")
    return path


def _worker_schema() -> str:
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    return f"labbaik_test_{worker}_{os.getpid()}"


@pytest.fixture(scope="session")
def pg_schema_url() -> Iterator[str]:
    """A migrated schema of its own for this test process, dropped at the end."""
    if not PG_URL:
        pytest.skip("LABBAIK_TEST_POSTGRES_URL is not set: PostgreSQL variant not run")
    schema = _worker_schema()
    admin = make_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    joiner = "&" if "?" in PG_URL else "?"
    url = normalise_url(PG_URL) + f"{joiner}options=-csearch_path%3D{schema}"
    upgrade(url)
    yield url
    _cleaner(url).dispose()
    _cleaner.cache_clear()
    with admin.begin() as conn:
        conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        template: Path = request.getfixturevalue("sqlite_template")
        path = tmp_path / "labbaik.db"
        shutil.copyfile(template, path)
        return f"sqlite:///{path}"
    url: str = request.getfixturevalue("pg_schema_url")
    _empty_schema(url)
    return url


@functools.cache
def _cleaner(url: str) -> Engine:
    return make_engine(url)


_RESET_SEQUENCES = text(
    "SELECT setval(c.oid, 1, false) FROM pg_class AS c JOIN pg_namespace AS n "
    "ON n.oid = c.relnamespace WHERE c.relkind = 'S' AND n.nspname = current_schema()"
)


def _empty_schema(url: str) -> None:
    """Every table of the test schema emptied for the next test.

    DELETE, not TRUNCATE: truncating the 46 small tables made new files for each and took
    200 ms a test, deleting their few rows 15 ms. The replica role (this transaction only)
    skips the foreign keys and the triggers that forbid deleting ledger history; without the
    right to take it, TRUNCATE does the same work slowly."""
    names = [t.name for t in reversed(Base.metadata.sorted_tables)]
    try:
        with _cleaner(url).begin() as conn:
            conn.execute(text("SET LOCAL session_replication_role = replica"))
            for name in names:
                conn.execute(text(f'DELETE FROM "{name}"'))
            conn.execute(_RESET_SEQUENCES)
    except DBAPIError as exc:
        if getattr(exc.orig, "sqlstate", None) != "42501":  # insufficient privilege
            raise
        tables = ", ".join(f'"{n}"' for n in names)
        with _cleaner(url).begin() as conn:
            conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    engine = make_engine(db_url)
    yield engine
    engine.dispose()


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    with Session(engine, expire_on_commit=False, autoflush=False) as session:
        yield session


def production_settings(**overrides: Any) -> Settings:
    """Settings as a production deployment sets them, every secret its own; a test overrides
    the one it is about, so that another domain's production check never answers for it."""
    values: dict[str, Any] = {
        "environment": "production",
        "secret_key": secrets.token_urlsafe(36),
        "health_keys": json.dumps({"p1": base64.b64encode(secrets.token_bytes(32)).decode()}),
        "health_key_id": "p1",
        "card_key_passphrase": secrets.token_urlsafe(24),
    }
    values.update(overrides)
    return Settings(**values)


def free_socket() -> socket.socket:
    """A socket bound to a free local port, handed to uvicorn so no other process can take the
    port in between."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    return sock


@contextmanager
def running(app: FastAPI, sock: socket.socket) -> Iterator[None]:
    """Serve the app with uvicorn on a bound socket until the block ends."""
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert thread.is_alive(), "uvicorn stopped while starting"
        assert time.monotonic() < deadline, "uvicorn did not start within 20 seconds"
        time.sleep(0.05)
    try:
        yield
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


def unique(prefix: str) -> str:
    return f"{prefix}{uuid.uuid4().hex[:8].upper()}"


# A small world every test can start from -------------------------------------------------------

PASSWORD = "correct horse battery"


@pytest.fixture(scope="session")
def password_hash() -> str:
    from argon2 import PasswordHasher  # noqa: PLC0415

    return PasswordHasher().hash(PASSWORD)


class World:
    """Two companies with a group and pilgrims each, lodgings, and one account per role."""

    def __init__(self, session: Session, password_hash: str) -> None:
        from datetime import date  # noqa: PLC0415

        from labbaik.auth import service as auth_service  # noqa: PLC0415
        from labbaik.auth.models import Account  # noqa: PLC0415
        from labbaik.auth.roles import Role, system_actor  # noqa: PLC0415
        from labbaik.registry import service as reg  # noqa: PLC0415
        from labbaik.registry.schemas import (  # noqa: PLC0415
            CompanyCreate,
            GroupCreate,
            LodgingCreate,
            PilgrimCreate,
            SeasonCreate,
        )

        system = system_actor("test")
        self.season = reg.create_season(
            session,
            season_in=SeasonCreate(hijri_year=1447, name="Hajj 1447", day_8=date(2026, 5, 25)),
            actor=system,
        )
        self.company_a = reg.create_company(
            session,
            company_in=CompanyCreate(
                code="IDN-MORA", kind="mission", name="Indonesian Hajj Mission",
                licence_number="M-001", country="IDN",
            ),
            actor=system,
        )  # fmt: skip
        self.company_b = reg.create_company(
            session,
            company_in=CompanyCreate(
                code="SAU-RAHMA", kind="domestic", name="Rahma Hajj Company",
                name_ar="شركة رحمة للحج", licence_number="D-077", country="SAU",
            ),
            actor=system,
        )  # fmt: skip
        self.hotel = reg.create_lodging(
            session,
            lodging_in=LodgingCreate(
                code="H-AZIZ-1", kind="hotel", site="makkah", name="Aziziyah Tower", capacity=900
            ),
            actor=system,
        )
        self.camp = reg.create_lodging(
            session,
            lodging_in=LodgingCreate(
                code="MINA-12-3", kind="camp", site="mina", name="Mina camp 12/3", capacity=400
            ),
            actor=system,
        )
        self.group_a = reg.create_group(
            session,
            group_in=GroupCreate(
                code="IDN-001", name="Jakarta 1", company_id=self.company_a.id,
                leader_name="Budi Santoso", leader_phone="+6281234567890",
            ),
            actor=system,
        )  # fmt: skip
        self.group_b = reg.create_group(
            session,
            group_in=GroupCreate(code="SAU-001", name="Riyadh 1", company_id=self.company_b.id),
            actor=system,
        )
        self.pilgrim_a = reg.create_pilgrim(
            session,
            pilgrim_in=PilgrimCreate(
                surname="Aminah", given_names="Siti", surname_ar="آمنة", given_names_ar="سيتي",
                sex="F", date_of_birth=date(1951, 3, 2), nationality="IDN",
                passport_number="C1234567", passport_expiry=date(2030, 1, 1), language="id",
                phone="+6281200000001", company_id=self.company_a.id, group_id=self.group_a.id,
                makkah_lodging_id=self.hotel.id, mina_camp_id=self.camp.id,
            ),
            actor=system,
        )  # fmt: skip
        self.pilgrim_b = reg.create_pilgrim(
            session,
            pilgrim_in=PilgrimCreate(
                surname="Al-Qahtani", given_names="Abdullah", surname_ar="القحطاني",
                given_names_ar="عبدالله", sex="M", date_of_birth=date(1960, 7, 14),
                nationality="SAU", passport_number="A7654321", passport_expiry=date(2031, 5, 5),
                language="ar", company_id=self.company_b.id, group_id=self.group_b.id,
            ),
            actor=system,
        )  # fmt: skip
        self.accounts: dict[str, Account] = {}
        scopes = {
            Role.COMPANY: {"company_id": self.company_a.id},
            Role.PROVIDER: {"company_id": self.company_b.id},
            Role.PILGRIM: {"pilgrim_id": self.pilgrim_a.id},
        }
        for role in Role:
            account = Account(
                username=role.value.replace("_", "-"),
                display_name=role.value,
                password_hash=password_hash,
                role=role.value,
                **scopes.get(role, {}),
            )
            session.add(account)
            self.accounts[role.value] = account
        other = Account(
            username="company-b", display_name="Rahma", password_hash=password_hash,
            role="company", company_id=self.company_b.id,
        )  # fmt: skip
        session.add(other)
        self.accounts["company_b"] = other
        session.flush()
        self.tokens = {
            key: auth_service.mint_token(
                session, account_id=account.id, name="test", actor=system
            ).token
            for key, account in self.accounts.items()
        }
        session.commit()

    def headers(self, key: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[key]}"}

    def actor(self, key: str) -> object:
        from labbaik.auth.service import actor_for  # noqa: PLC0415

        return actor_for(self.accounts[key], origin="test")


@pytest.fixture
def world(session: Session, password_hash: str) -> World:
    return World(session, password_hash)


@pytest.fixture
def client(engine: Engine, world: World) -> Iterator[object]:
    from fastapi.testclient import TestClient  # noqa: PLC0415

    from labbaik.app import create_app  # noqa: PLC0415
    from labbaik.settings import Settings  # noqa: PLC0415

    settings = Settings(
        environment="test", database_url=engine.url.render_as_string(hide_password=False)
    )
    with TestClient(create_app(settings, engine=engine)) as test_client:
        yield test_client
