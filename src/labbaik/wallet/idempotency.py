"""Idempotency-Key: the first answer to a request is kept and replayed to its retries."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any, TypeVar

from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from labbaik.auth.roles import Actor
from labbaik.errors import DomainError
from labbaik.wallet.errors import IdempotencyKeyRequired, IdempotencyKeyReused
from labbaik.wallet.models import IdempotentRequest

T = TypeVar("T", bound=BaseModel)
MAX_KEY = 200


def _principal(actor: Actor) -> str:
    # Keys are per caller: two merchants' systems may well both send "order-1".
    return f"account:{actor.account_id}" if actor.account_id else f"system:{actor.username}"


def _hash(request: dict[str, Any]) -> str:
    canonical = json.dumps(request, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def once(
    session: Session,
    *,
    actor: Actor,
    operation: str,
    key: str | None,
    request: dict[str, Any],
    answer: type[T],
    run: Callable[[], T],
) -> T:
    """Run `run` once per (caller, operation, key); a retry with the same request gets the
    first answer back, and the same key with another request is refused."""
    key = (key or "").strip()
    if not key:
        raise IdempotencyKeyRequired(
            "send an Idempotency-Key header (a unique value per operation, such as a UUID): "
            "a retry with the same key is then answered without moving money twice"
        )
    if len(key) > MAX_KEY:
        raise IdempotencyKeyRequired(f"the Idempotency-Key is longer than {MAX_KEY} characters")
    principal = _principal(actor)
    digest = _hash(request)
    stmt = select(IdempotentRequest).where(
        IdempotentRequest.principal == principal,
        IdempotentRequest.operation == operation,
        IdempotentRequest.key == key,
    )
    row = session.scalar(stmt)
    if row is None:
        row = IdempotentRequest(
            principal=principal, operation=operation, key=key, request_hash=digest, response=""
        )
        try:
            # The key is claimed before any money moves: a concurrent twin waits on the unique
            # index until this transaction ends, then finds the answer instead of acting again.
            with session.begin_nested():
                session.add(row)
                session.flush()
        except IntegrityError:
            row = session.scalars(stmt.execution_options(populate_existing=True)).one()
        else:
            try:
                result = run()
            except DomainError as exc:
                if exc.keeps_record:
                    # The refusal's record is committed, but no answer was given: the claim
                    # goes with it, so a retry is a new attempt, never a replay of nothing.
                    session.delete(row)
                    session.flush()
                raise
            row.response = result.model_dump_json()
            session.flush()
            return result
    if row.request_hash != digest:
        raise IdempotencyKeyReused(
            f"the Idempotency-Key {key!r} was used for a different {operation} request; "
            "use a new key for a new request"
        )
    return answer.model_validate_json(row.response)
