"""The auth service: password login, API tokens, accounts, the audit log and safe settings."""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, func, select, text, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from labbaik.auth import service
from labbaik.auth.errors import BadCredentials, InvalidToken, TooManyLoginAttempts, UsernameTaken
from labbaik.auth.models import Account, ApiToken, AuditEntry, LoginFailure
from labbaik.auth.roles import Actor, Role, Scope, system_actor
from labbaik.auth.schemas import AccountCreate, AuditQuery
from labbaik.db import session_scope
from labbaik.errors import Forbidden, InvalidInput
from labbaik.kit.pagination import PageRequest
from labbaik.kit.timeutil import as_utc, utcnow
from labbaik.settings import DEV_SECRET, Settings, UnsafeSettings
from tests.conftest import production_settings

# The password every account of the test world has (tests/conftest.py).
PASSWORD = "correct horse battery"


def audit_rows(session: Session, **where: Any) -> list[AuditEntry]:
    stmt = select(AuditEntry).filter_by(**where).order_by(AuditEntry.at, AuditEntry.id)
    return list(session.scalars(stmt))


class TestAuthenticate:
    def test_the_right_password_gives_the_accounts_actor(
        self, session: Session, world: Any
    ) -> None:
        actor = service.authenticate(
            session, username="company", password=PASSWORD, origin="10.0.0.7 Firefox"
        )
        assert actor.username == "company"
        assert actor.role == Role.COMPANY
        assert actor.company_id == world.company_a.id
        assert actor.origin == "10.0.0.7 Firefox"

    def test_the_username_is_read_without_case_or_surrounding_space(
        self, session: Session, world: Any
    ) -> None:
        actor = service.authenticate(session, username="  Company ", password=PASSWORD, origin="x")
        assert actor.username == "company"

    def test_a_login_is_written_to_the_audit_log(self, session: Session, world: Any) -> None:
        service.authenticate(session, username="medic", password=PASSWORD, origin="10.0.0.9 x")
        session.flush()
        [entry] = audit_rows(session, action="auth.login")
        assert entry.actor_username == "medic"
        assert entry.object_id == str(world.accounts["medic"].id)
        assert entry.origin == "10.0.0.9 x"

    def test_a_login_is_remembered_on_the_account(self, session: Session, world: Any) -> None:
        before = utcnow()
        service.authenticate(session, username="officer", password=PASSWORD, origin="x")
        last = world.accounts["officer"].last_login_at
        assert last is not None
        assert as_utc(last) >= before

    def test_a_wrong_password_is_refused(self, session: Session, world: Any) -> None:
        with pytest.raises(BadCredentials) as refused:
            service.authenticate(session, username="company", password="wrong-one!", origin="x")
        assert refused.value.status == 401
        assert refused.value.code == "bad_credentials"

    def test_an_unknown_user_gets_the_same_answer_as_a_wrong_password(
        self, session: Session, world: Any
    ) -> None:
        with pytest.raises(BadCredentials) as unknown:
            service.authenticate(session, username="nobody", password=PASSWORD, origin="x")
        with pytest.raises(BadCredentials) as wrong:
            service.authenticate(session, username="company", password="nope-nope", origin="x")
        assert unknown.value.as_dict() == wrong.value.as_dict()

    def test_a_disabled_account_cannot_log_in(self, session: Session, world: Any) -> None:
        world.accounts["company"].is_active = False
        session.flush()
        with pytest.raises(BadCredentials):
            service.authenticate(session, username="company", password=PASSWORD, origin="x")

    def test_a_refused_login_writes_no_login_entry(self, session: Session, world: Any) -> None:
        with pytest.raises(BadCredentials):
            service.authenticate(session, username="company", password="wrong-one!", origin="x")
        session.flush()
        assert audit_rows(session, action="auth.login") == []


LIMITS = Settings(environment="test", login_max_failures=3, login_failure_window_seconds=600)


def _try(session: Session, username: str, password: str, address: str = "10.0.0.1") -> Actor:
    return service.authenticate(
        session,
        username=username,
        password=password,
        origin=f"{address} TestAgent",
        address=address,
        settings=LIMITS,
    )


def _fail(session: Session, username: str, address: str = "10.0.0.1") -> None:
    with pytest.raises(BadCredentials):
        _try(session, username, "wrong-one!", address)


class TestFailedLogins:
    def test_each_failure_is_in_the_audit_log_with_the_username_and_address(
        self, session: Session, world: Any
    ) -> None:
        _fail(session, "Company ")
        with pytest.raises(BadCredentials):
            _try(session, "nobody", PASSWORD, "10.0.0.2")
        world.accounts["medic"].is_active = False
        session.flush()
        with pytest.raises(BadCredentials):
            _try(session, "medic", PASSWORD, "10.0.0.3")
        rows = audit_rows(session, action="auth.login_failed")
        assert [(r.actor_username, r.actor_role, r.detail) for r in rows] == [
            ("company", "anonymous", {"username": "company", "address": "10.0.0.1",
                                      "why": "wrong_password"}),
            ("nobody", "anonymous", {"username": "nobody", "address": "10.0.0.2",
                                     "why": "unknown_user"}),
            ("medic", "anonymous", {"username": "medic", "address": "10.0.0.3",
                                    "why": "disabled"}),
        ]  # fmt: skip
        assert rows[0].object_id == str(world.accounts["company"].id)
        assert rows[1].object_id is None
        assert all(PASSWORD not in repr(r.detail) + r.origin for r in rows)

    def test_the_refusal_keeps_its_record_for_the_edge_to_commit(
        self, engine: Engine, world: Any
    ) -> None:
        with pytest.raises(BadCredentials), session_scope(engine) as unit:
            _try(unit, "company", "wrong-one!")
        with Session(engine) as fresh:
            assert len(audit_rows(fresh, action="auth.login_failed")) == 1
            assert fresh.scalar(select(func.count()).select_from(LoginFailure)) == 1

    def test_after_the_limit_a_username_is_refused_even_with_the_right_password(
        self, session: Session, world: Any
    ) -> None:
        for address in ("10.0.0.1", "10.0.0.2", "10.0.0.3"):
            _fail(session, "company", address)
        with pytest.raises(TooManyLoginAttempts) as refused:
            _try(session, "company", PASSWORD, "10.0.0.4")
        assert (refused.value.status, refused.value.code) == (429, "too_many_login_attempts")
        assert 590 <= refused.value.retry_after <= 600
        assert "for this username" in refused.value.message
        [throttled] = audit_rows(session, action="auth.login_throttled")
        assert throttled.detail == {"username": "company", "address": "10.0.0.4",
                                    "limit": "username"}  # fmt: skip
        assert audit_rows(session, action="auth.login") == []

    def test_after_the_limit_an_address_is_refused_for_any_username(
        self, session: Session, world: Any
    ) -> None:
        for username in ("company", "medic", "nobody"):
            _fail(session, username, "192.0.2.7")
        with pytest.raises(TooManyLoginAttempts, match="from this address"):
            _try(session, "officer", PASSWORD, "192.0.2.7")
        assert _try(session, "officer", PASSWORD, "192.0.2.8").username == "officer"

    def test_below_the_limit_the_right_password_still_works(
        self, session: Session, world: Any
    ) -> None:
        _fail(session, "company")
        _fail(session, "company")
        assert _try(session, "company", PASSWORD).username == "company"

    def test_a_success_does_not_reset_the_count_of_an_address(
        self, session: Session, world: Any
    ) -> None:
        _fail(session, "company", "192.0.2.9")
        _fail(session, "medic", "192.0.2.9")
        assert _try(session, "officer", PASSWORD, "192.0.2.9").username == "officer"
        _fail(session, "nobody", "192.0.2.9")
        with pytest.raises(TooManyLoginAttempts):
            _try(session, "officer", PASSWORD, "192.0.2.9")

    def test_failures_age_out_of_the_window_and_are_deleted(
        self, session: Session, world: Any
    ) -> None:
        for address in ("10.0.0.1", "10.0.0.2", "10.0.0.3"):
            _fail(session, "company", address)
        session.execute(update(LoginFailure).values(at=utcnow() - timedelta(seconds=601)))
        assert _try(session, "company", PASSWORD).username == "company"
        assert session.scalar(select(func.count()).select_from(LoginFailure)) == 0

    def test_each_failure_sweeps_aged_out_failures_of_names_never_tried_again(
        self, session: Session, world: Any
    ) -> None:
        old = utcnow() - timedelta(seconds=601)
        session.add_all(
            LoginFailure(
                username=f"guess{n}",
                address=f"198.51.100.{n}",
                at=old - timedelta(seconds=service.SWEEP + 5 - n),  # guess0 the oldest
            )
            for n in range(service.SWEEP + 5)
        )
        session.add(LoginFailure(username="recent", address="198.51.100.250"))
        session.flush()
        _fail(session, "company")
        left = session.scalars(select(LoginFailure.username).order_by(LoginFailure.username))
        # The oldest SWEEP went; five aged-out ones wait for the next failure; nothing recent.
        assert sorted(left) == sorted(
            [f"guess{n}" for n in range(service.SWEEP, service.SWEEP + 5)] + ["company", "recent"]
        )
        _fail(session, "company")
        assert session.scalar(select(func.count()).select_from(LoginFailure)) == 3

    def test_the_wait_is_until_enough_failures_leave_the_window(
        self, session: Session, world: Any
    ) -> None:
        for address in ("10.0.0.1", "10.0.0.2", "10.0.0.3"):
            _fail(session, "company", address)
        oldest = session.scalars(select(LoginFailure).order_by(LoginFailure.at)).first()
        assert oldest is not None
        oldest.at = utcnow() - timedelta(seconds=500)
        session.flush()
        with pytest.raises(TooManyLoginAttempts) as refused:
            _try(session, "company", PASSWORD, "10.0.0.5")
        assert 95 <= refused.value.retry_after <= 100


class TestTokens:
    def _mint(self, session: Session, world: Any, key: str = "company", **kw: Any) -> Any:
        account = world.accounts[key]
        return service.mint_token(
            session, account_id=account.id, name="ci", actor=world.actor(key), **kw
        )

    def test_a_minted_token_identifies_its_account(self, session: Session, world: Any) -> None:
        minted = self._mint(session, world)
        actor = service.actor_from_token(session, token=minted.token, origin="10.1.1.1")
        assert actor.username == "company"
        assert actor.company_id == world.company_a.id
        assert actor.origin == "10.1.1.1"

    def test_only_a_hash_and_the_prefix_are_stored(self, session: Session, world: Any) -> None:
        minted = self._mint(session, world)
        row = session.get(ApiToken, minted.id)
        assert row is not None
        assert minted.token.startswith("lbk_")
        assert row.prefix == minted.token[:12]
        assert minted.token not in (row.token_hash, row.prefix)

    def test_the_clear_token_is_never_listed_again(self, session: Session, world: Any) -> None:
        minted = self._mint(session, world)
        listed = service.list_tokens(session, actor=world.actor("company"))
        assert minted.id in {t.id for t in listed}
        assert all(t.token is None for t in listed)

    def test_an_expired_token_is_refused(self, session: Session, world: Any) -> None:
        minted = self._mint(session, world)
        session.execute(
            update(ApiToken)
            .where(ApiToken.id == minted.id)
            .values(expires_at=utcnow() - timedelta(seconds=1))
        )
        with pytest.raises(InvalidToken, match="expired"):
            service.actor_from_token(session, token=minted.token, origin="x")

    def test_a_revoked_token_is_refused(self, session: Session, world: Any) -> None:
        minted = self._mint(session, world)
        service.revoke_token(session, token_id=minted.id, actor=world.actor("company"))
        session.flush()
        with pytest.raises(InvalidToken, match="revoked"):
            service.actor_from_token(session, token=minted.token, origin="x")

    def test_a_revoked_token_is_no_longer_listed(self, session: Session, world: Any) -> None:
        minted = self._mint(session, world)
        service.revoke_token(session, token_id=minted.id, actor=world.actor("company"))
        session.flush()
        assert minted.id not in {
            t.id for t in service.list_tokens(session, actor=world.actor("company"))
        }

    def test_a_token_of_a_disabled_account_is_refused(self, session: Session, world: Any) -> None:
        minted = self._mint(session, world)
        world.accounts["company"].is_active = False
        session.flush()
        with pytest.raises(InvalidToken, match="disabled"):
            service.actor_from_token(session, token=minted.token, origin="x")

    @pytest.mark.parametrize("garbage", ["", "nonsense", "lbk_", "lbk_" + "A" * 43, "Bearer lbk_x"])
    def test_garbage_is_refused(self, session: Session, world: Any, garbage: str) -> None:
        with pytest.raises(InvalidToken):
            service.actor_from_token(session, token=garbage, origin="x")

    def test_one_may_not_mint_a_token_for_someone_else(self, session: Session, world: Any) -> None:
        with pytest.raises(Forbidden):
            service.mint_token(
                session,
                account_id=world.accounts["operator"].id,
                name="stolen",
                actor=world.actor("company"),
            )

    def test_one_may_not_revoke_someone_elses_token(self, session: Session, world: Any) -> None:
        minted = self._mint(session, world, key="operator")
        with pytest.raises(Exception, match="no such token"):
            service.revoke_token(session, token_id=minted.id, actor=world.actor("company"))

    def test_minting_is_audited_without_the_token(self, session: Session, world: Any) -> None:
        minted = self._mint(session, world)
        session.flush()
        entries = audit_rows(session, action="token.mint", actor_username="company")
        assert len(entries) == 1
        assert entries[0].detail == {"token": minted.token[:12], "name": "ci"}


class TestAccounts:
    def _account(self, **kw: Any) -> AccountCreate:
        values: dict[str, Any] = {
            "username": "new.user",
            "display_name": "New User",
            "password": "a long enough password",
            "role": Role.OPERATOR,
        }
        return AccountCreate(**(values | kw))

    def test_an_admin_creates_an_account_that_can_log_in(
        self, session: Session, world: Any
    ) -> None:
        created = service.create_account(
            session, account_in=self._account(), actor=world.actor("admin")
        )
        assert created.role == Role.OPERATOR
        actor = service.authenticate(
            session, username="new.user", password="a long enough password", origin="x"
        )
        assert actor.account_id == created.id

    def test_an_operator_may_not_create_accounts(self, session: Session, world: Any) -> None:
        with pytest.raises(Forbidden):
            service.create_account(
                session, account_in=self._account(), actor=world.actor("operator")
            )

    def test_a_company_account_must_name_its_company(self, session: Session, world: Any) -> None:
        with pytest.raises(InvalidInput, match="company"):
            service.create_account(
                session, account_in=self._account(role=Role.COMPANY), actor=world.actor("admin")
            )

    def test_a_taken_username_is_refused_with_409(self, session: Session, world: Any) -> None:
        with pytest.raises(UsernameTaken) as taken:
            service.create_account(
                session, account_in=self._account(username="medic"), actor=world.actor("admin")
            )
        assert taken.value.status == 409

    def test_the_password_is_stored_hashed(self, session: Session, world: Any) -> None:
        created = service.create_account(
            session, account_in=self._account(), actor=world.actor("admin")
        )
        account = session.get(Account, created.id)
        assert account is not None
        assert "a long enough password" not in account.password_hash
        assert account.password_hash.startswith("$argon2")


class TestAuditLog:
    def test_an_entry_records_who_what_when_and_from_where(
        self, session: Session, world: Any
    ) -> None:
        before = utcnow()
        actor = Actor(
            account_id=world.accounts["officer"].id,
            username="officer",
            role=Role.OFFICER,
            origin="192.0.2.5 Labbaik-Counter/1.0",
        )
        service.record(
            session,
            actor=actor,
            action="permit.issue",
            object_type="pilgrim",
            object_id=world.pilgrim_a.id,
            reason="at the counter",
        )
        session.flush()
        [entry] = audit_rows(session, action="permit.issue")
        assert entry.actor_id == world.accounts["officer"].id
        assert (entry.actor_username, entry.actor_role) == ("officer", "officer")
        assert (entry.object_type, entry.object_id) == ("pilgrim", str(world.pilgrim_a.id))
        assert entry.reason == "at the counter"
        assert entry.origin == "192.0.2.5 Labbaik-Counter/1.0"
        assert before <= as_utc(entry.at) <= utcnow()

    @pytest.mark.parametrize(
        "statement",
        [
            "UPDATE auth_audit_entry SET action = 'nothing.happened'",
            "UPDATE auth_audit_entry SET actor_username = 'someone-else'",
            "DELETE FROM auth_audit_entry",
        ],
    )
    def test_the_database_refuses_to_change_or_delete_entries(
        self, engine: Engine, world: Any, statement: str
    ) -> None:
        with engine.connect() as conn:
            count = conn.scalar(select(func.count()).select_from(AuditEntry))
            assert count
            with pytest.raises(DBAPIError, match="append-only"):
                conn.execute(text(statement))
            conn.rollback()
            assert conn.scalar(select(func.count()).select_from(AuditEntry)) == count
            changed = (
                select(func.count())
                .where(AuditEntry.action == "nothing.happened")
                .select_from(AuditEntry)
            )
            assert conn.scalar(changed) == 0

    def test_the_database_still_takes_new_entries(self, engine: Engine, world: Any) -> None:
        with Session(engine) as session:
            service.record(
                session, actor=system_actor("test"), action="test.append", object_type="test"
            )
            session.commit()
            assert len(audit_rows(session, action="test.append")) == 1

    def test_search_by_user_and_action(self, session: Session, world: Any) -> None:
        for key in ("company", "company_b"):
            service.record(
                session, actor=world.actor(key), action="pilgrim.read", object_type="pilgrim"
            )
        service.record(
            session, actor=world.actor("company"), action="group.create", object_type="group"
        )
        session.flush()
        page = service.search_audit(
            session,
            query=AuditQuery(actor="Company", action="pilgrim."),
            page=PageRequest(1, 50),
            actor=world.actor("operator"),
        )
        assert page.total == 1
        assert [(e.actor_username, e.action) for e in page.items] == [("company", "pilgrim.read")]

    def test_search_pages_newest_first(self, session: Session, world: Any) -> None:
        for n in range(5):
            service.record(
                session, actor=world.actor("medic"), action=f"test.{n}", object_type="test"
            )
            session.flush()
        page = service.search_audit(
            session,
            query=AuditQuery(actor="medic", action="test."),
            page=PageRequest(1, 2),
            actor=world.actor("operator"),
        )
        assert page.total == 5
        assert [e.action for e in page.items] == ["test.4", "test.3"]

    @pytest.mark.parametrize("key", ["company", "field_worker", "officer", "pilgrim"])
    def test_only_those_who_watch_may_search(self, session: Session, world: Any, key: str) -> None:
        assert not world.actor(key).can(Scope.AUDIT_READ)
        with pytest.raises(Forbidden):
            service.search_audit(
                session, query=AuditQuery(), page=PageRequest(1, 50), actor=world.actor(key)
            )


class TestSettings:
    def test_production_refuses_the_default_secret_key(self) -> None:
        with pytest.raises(UnsafeSettings, match="LABBAIK_SECRET_KEY"):
            Settings(environment="production", secret_key=DEV_SECRET)

    def test_production_refuses_a_short_secret_key(self) -> None:
        with pytest.raises(UnsafeSettings):
            Settings(environment="production", secret_key="x" * 31)

    def test_production_takes_a_long_random_secret_key(self) -> None:
        key = secrets.token_urlsafe(36)
        assert len(key) == 48
        settings = production_settings(secret_key=key)
        assert settings.is_production

    def test_development_runs_with_the_default(self) -> None:
        assert Settings(environment="development").secret_key == DEV_SECRET

    def test_the_environment_cannot_smuggle_the_default_into_production(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setenv("LABBAIK_ENVIRONMENT", "production")
        monkeypatch.delenv("LABBAIK_SECRET_KEY", raising=False)
        with pytest.raises(UnsafeSettings):
            Settings()
