"""Accounts, password login, API tokens and the audit log."""

from __future__ import annotations

import contextlib
import functools
import hashlib
import math
import secrets
import uuid
from datetime import datetime, timedelta
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from labbaik.auth.errors import BadCredentials, InvalidToken, TooManyLoginAttempts, UsernameTaken
from labbaik.auth.models import Account, ApiToken, AuditEntry, LoginFailure
from labbaik.auth.roles import COMPANY_BOUND, Actor, Role, Scope
from labbaik.auth.schemas import (
    AccountCreate,
    AccountRead,
    AuditPage,
    AuditQuery,
    AuditRead,
    TokenRead,
)
from labbaik.errors import Forbidden, InvalidInput, NotFound
from labbaik.kit.pagination import PageRequest
from labbaik.kit.timeutil import as_utc, utcnow
from labbaik.settings import Settings, get_settings

_hasher = PasswordHasher()


@functools.cache
def _dummy_hash() -> str:
    """Verifying against this when the user does not exist keeps the answer time the same,
    so timing does not tell which usernames exist. Made when a server starts (`prepare_logins`)
    or at the first login, not at import: hashing takes 0.15 s, and every command of the CLI
    imports this module."""
    return _hasher.hash("not-a-real-password-" + secrets.token_hex(8))


def prepare_logins() -> None:
    """Make the stand-in hash now, so that not even a server's first login takes longer."""
    _dummy_hash()


TOKEN_PREFIX = "lbk_"  # noqa: S105 - a marker, not a secret
# Aged-out failed logins of anyone deleted with each new failure: more than one a failure, so
# the table shrinks back to what the window holds however the names were spread.
SWEEP = 20


def require(actor: Actor, scope: Scope) -> None:
    if not actor.can(scope):
        raise Forbidden(f"the {actor.role.value} role may not do this ({scope.value})")


def record(
    session: Session,
    *,
    actor: Actor,
    action: str,
    object_type: str,
    object_id: str | uuid.UUID | None = None,
    reason: str | None = None,
    detail: dict[str, Any] | None = None,
) -> None:
    """Append one entry to the audit log, in the caller's transaction."""
    session.add(
        AuditEntry(
            actor_id=actor.account_id,
            actor_username=actor.username,
            actor_role=actor.role.value,
            action=action,
            object_type=object_type,
            object_id=str(object_id) if object_id is not None else None,
            reason=reason,
            origin=actor.origin[:200],
            detail=detail,
        )
    )


def actor_for(account: Account, *, origin: str) -> Actor:
    return Actor(
        account_id=account.id,
        username=account.username,
        role=Role(account.role),
        company_id=account.company_id,
        group_id=account.group_id,
        pilgrim_id=account.pilgrim_id,
        origin=origin,
    )


def create_account(session: Session, *, account_in: AccountCreate, actor: Actor) -> AccountRead:
    require(actor, Scope.ACCOUNT_MANAGE)
    if account_in.role in COMPANY_BOUND and account_in.company_id is None:
        raise InvalidInput(f"a {account_in.role.value} account must name its company")
    if account_in.role == Role.PILGRIM and account_in.pilgrim_id is None:
        raise InvalidInput("a pilgrim account must name its pilgrim")
    if session.scalar(select(Account.id).where(Account.username == account_in.username)):
        raise UsernameTaken(f"the username {account_in.username!r} is taken")
    account = Account(
        username=account_in.username,
        display_name=account_in.display_name,
        password_hash=_hasher.hash(account_in.password),
        role=account_in.role.value,
        company_id=account_in.company_id,
        group_id=account_in.group_id,
        pilgrim_id=account_in.pilgrim_id,
        language=account_in.language,
    )
    session.add(account)
    session.flush()
    record(
        session,
        actor=actor,
        action="account.create",
        object_type="account",
        object_id=account.id,
        detail={"username": account.username, "role": account.role},
    )
    return AccountRead.model_validate(account)


def get_account(session: Session, *, username: str) -> Account:
    account = session.scalar(select(Account).where(Account.username == username.lower()))
    if account is None:
        raise NotFound(f"no account {username!r}")
    return account


def get_account_by_id(session: Session, *, account_id: uuid.UUID) -> Account | None:
    return session.get(Account, account_id)


def list_accounts(session: Session, *, actor: Actor) -> list[AccountRead]:
    require(actor, Scope.ACCOUNT_MANAGE)
    rows = session.scalars(select(Account).order_by(Account.role, Account.username))
    return [AccountRead.model_validate(a) for a in rows]


def authenticate(
    session: Session,
    *,
    username: str,
    password: str,
    origin: str,
    address: str | None = None,
    settings: Settings | None = None,
) -> Actor:
    """The actor of a username and password, or a refusal that is recorded and counted.

    A failure (unknown user, wrong password, disabled account) is written to the audit log and
    counted for the username and for the caller's `address`; past the limit of settings within
    the window, attempts are refused without checking the password. The refusals keep their
    record: the edge commits it and then answers the error."""
    settings = settings or get_settings()
    tried = username.strip().lower()[:64]
    address = (address or "")[:64]
    now = utcnow()
    _refuse_when_throttled(
        session, tried=tried, address=address, origin=origin, settings=settings, now=now
    )
    account = session.scalar(select(Account).where(Account.username == tried))
    if account is None or not account.is_active:
        with contextlib.suppress(VerificationError):
            _hasher.verify(_dummy_hash(), password)
        why = "unknown_user" if account is None else "disabled"
        _record_failure(
            session, tried=tried, address=address, origin=origin, account=account, why=why
        )
        _sweep_failures(session, settings=settings, now=now)
        raise BadCredentials("wrong username or password", keeps_record=True)
    try:
        _hasher.verify(account.password_hash, password)
    except (VerificationError, InvalidHashError):
        _record_failure(
            session,
            tried=tried,
            address=address,
            origin=origin,
            account=account,
            why="wrong_password",
        )
        _sweep_failures(session, settings=settings, now=now)
        raise BadCredentials("wrong username or password", keeps_record=True) from None
    if _hasher.check_needs_rehash(account.password_hash):
        account.password_hash = _hasher.hash(password)
    account.last_login_at = now
    actor = actor_for(account, origin=origin)
    record(session, actor=actor, action="auth.login", object_type="account", object_id=account.id)
    return actor


def _login_audit(
    session: Session,
    *,
    action: str,
    tried: str,
    origin: str,
    account: Account | None,
    detail: dict[str, Any],
) -> None:
    # Nobody is logged in: the entry names the username tried (never the password).
    session.add(
        AuditEntry(
            actor_id=None,
            actor_username=tried,
            actor_role="anonymous",
            action=action,
            object_type="account",
            object_id=str(account.id) if account is not None else None,
            origin=origin[:200],
            detail=detail,
        )
    )


def _record_failure(
    session: Session, *, tried: str, address: str, origin: str, account: Account | None, why: str
) -> None:
    _login_audit(
        session,
        action="auth.login_failed",
        tried=tried,
        origin=origin,
        account=account,
        detail={"username": tried, "address": address or None, "why": why},
    )
    session.add(LoginFailure(username=tried, address=address))
    session.flush()


def _sweep_failures(session: Session, *, settings: Settings, now: datetime) -> None:
    """Delete up to SWEEP failures of anyone that have left the window, oldest first. Rows
    another login is sweeping are skipped (PostgreSQL), so two sweeps never wait on each other."""
    cutoff = now - timedelta(seconds=settings.login_failure_window_seconds)
    aged = (
        select(LoginFailure.id)
        .where(LoginFailure.at <= cutoff)
        .order_by(LoginFailure.at)
        .limit(SWEEP)
        .with_for_update(skip_locked=True)
    )
    session.execute(delete(LoginFailure).where(LoginFailure.id.in_(aged.scalar_subquery())))


def _retry_after(
    session: Session, column: Any, value: str, *, settings: Settings, now: datetime
) -> int | None:
    """Seconds until `value` may try again, or None when it is under the limit.

    The count falls below the limit when the newest `limit`-th failure leaves the window."""
    window = timedelta(seconds=settings.login_failure_window_seconds)
    oldest_that_counts = session.scalar(
        select(LoginFailure.at)
        .where(column == value, LoginFailure.at > now - window)
        .order_by(LoginFailure.at.desc())
        .offset(settings.login_max_failures - 1)
        .limit(1)
    )
    if oldest_that_counts is None:
        return None
    return max(1, math.ceil((as_utc(oldest_that_counts) + window - now).total_seconds()))


def _refuse_when_throttled(
    session: Session, *, tried: str, address: str, origin: str, settings: Settings, now: datetime
) -> None:
    cutoff = now - timedelta(seconds=settings.login_failure_window_seconds)
    counted: list[tuple[str, Any, str]] = [("username", LoginFailure.username, tried)]
    if address:
        counted.append(("address", LoginFailure.address, address))
    hit: list[tuple[int, str]] = []
    for by, column, value in counted:
        # The failures that have aged out go first; the delete and the count use one index.
        session.execute(delete(LoginFailure).where(column == value, LoginFailure.at <= cutoff))
        wait = _retry_after(session, column, value, settings=settings, now=now)
        if wait is not None:
            hit.append((wait, by))
    if not hit:
        return
    wait, by = max(hit)
    _login_audit(
        session,
        action="auth.login_throttled",
        tried=tried,
        origin=origin,
        account=None,
        detail={"username": tried, "address": address or None, "limit": by},
    )
    session.flush()
    whose = "for this username" if by == "username" else "from this address"
    minutes = math.ceil(wait / 60)
    raise TooManyLoginAttempts(
        f"too many failed logins {whose}: try again in {minutes} minute(s)", retry_after=wait
    )


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def mint_token(
    session: Session,
    *,
    account_id: uuid.UUID,
    name: str,
    actor: Actor,
    valid_days: int | None = 90,
) -> TokenRead:
    """A new bearer token for the API. The clear token is returned once and never stored."""
    if actor.account_id != account_id:
        require(actor, Scope.ACCOUNT_MANAGE)
    account = session.get(Account, account_id)
    if account is None or not account.is_active:
        raise NotFound("no such active account")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(
        account_id=account.id,
        name=name,
        token_hash=_hash_token(token),
        prefix=token[:12],
        expires_at=utcnow() + timedelta(days=valid_days) if valid_days else None,
    )
    session.add(row)
    session.flush()
    record(
        session,
        actor=actor,
        action="token.mint",
        object_type="account",
        object_id=account.id,
        detail={"token": row.prefix, "name": name},
    )
    return TokenRead(
        id=row.id,
        name=row.name,
        prefix=row.prefix,
        created_at=row.created_at,
        expires_at=row.expires_at,
        token=token,
    )


def actor_from_token(session: Session, *, token: str, origin: str) -> Actor:
    if not token.startswith(TOKEN_PREFIX):
        raise InvalidToken("the bearer token is not a Labbaik token")
    row = session.scalar(select(ApiToken).where(ApiToken.token_hash == _hash_token(token)))
    now = utcnow()
    if row is None or row.revoked_at is not None:
        raise InvalidToken("the bearer token is unknown or revoked")
    if row.expires_at is not None and as_utc(row.expires_at) <= now:
        raise InvalidToken("the bearer token has expired")
    account = session.get(Account, row.account_id)
    if account is None or not account.is_active:
        raise InvalidToken("the token's account is disabled")
    # Touch at most once a minute: a busy integrator must not turn every read into a write.
    if row.last_used_at is None or now - as_utc(row.last_used_at) > timedelta(minutes=1):
        row.last_used_at = now
    return actor_for(account, origin=origin)


def revoke_token(session: Session, *, token_id: uuid.UUID, actor: Actor) -> None:
    row = session.get(ApiToken, token_id)
    if row is None or (row.account_id != actor.account_id and not actor.can(Scope.ACCOUNT_MANAGE)):
        raise NotFound("no such token")
    row.revoked_at = utcnow()
    record(session, actor=actor, action="token.revoke", object_type="token", object_id=row.id)


def list_tokens(session: Session, *, actor: Actor) -> list[TokenRead]:
    rows = session.scalars(
        select(ApiToken)
        .where(ApiToken.account_id == actor.account_id, ApiToken.revoked_at.is_(None))
        .order_by(ApiToken.created_at.desc())
    )
    return [
        TokenRead(
            id=r.id, name=r.name, prefix=r.prefix, created_at=r.created_at, expires_at=r.expires_at
        )
        for r in rows
    ]


def search_audit(
    session: Session, *, query: AuditQuery, page: PageRequest, actor: Actor
) -> AuditPage:
    require(actor, Scope.AUDIT_READ)
    stmt = select(AuditEntry)
    if query.actor:
        stmt = stmt.where(AuditEntry.actor_username == query.actor.strip().lower())
    if query.action:
        stmt = stmt.where(AuditEntry.action.startswith(query.action.strip()))
    if query.object_type:
        stmt = stmt.where(AuditEntry.object_type == query.object_type.strip())
    if query.object_id:
        stmt = stmt.where(AuditEntry.object_id == query.object_id.strip())
    if query.since:
        stmt = stmt.where(AuditEntry.at >= query.since)
    if query.until:
        stmt = stmt.where(AuditEntry.at < query.until)
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = session.scalars(
        stmt.order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
        .offset(page.offset)
        .limit(page.size)
    )
    return AuditPage(
        items=[AuditRead.model_validate(r) for r in rows],
        total=total,
        page=page.page,
        size=page.size,
    )
