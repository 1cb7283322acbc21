"""Request-scoped dependencies: the unit of work and where the request comes from."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from labbaik.db import session_factory, settle_error


def db_session(request: Request) -> Iterator[Session]:
    """The request's one transaction: committed when the handler returns, rolled back on an
    error, except for the record a refusal keeps (`labbaik.db.settle_error`)."""
    session = session_factory(request.app.state.engine)()
    try:
        yield session
        session.commit()
    except BaseException as exc:
        settle_error(session, exc)
        raise
    finally:
        session.close()


# scope="function": the commit happens before the response is sent, so a failed commit is an
# error the client sees, never a success that was not stored.
DbSession = Annotated[Session, Depends(db_session, scope="function")]


def client_address(request: Request) -> str:
    """The caller's address, believing X-Forwarded-For only from a proxy we trust.

    Each proxy appends the address it was called from, so the caller can write anything to
    the left: the address is the right-most one that is not one of our proxies.
    """
    peer = request.client.host if request.client else "unknown"
    trusted = request.app.state.settings.trusted_proxies
    forwarded = request.headers.get("x-forwarded-for")
    if not forwarded or peer not in trusted:
        return peer
    hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
    for hop in reversed(hops):
        if hop not in trusted:
            return hop[:64]
    return hops[0][:64] if hops else peer


def origin(request: Request) -> str:
    agent = request.headers.get("user-agent", "")[:80]
    return f"{client_address(request)} {agent}".strip()
