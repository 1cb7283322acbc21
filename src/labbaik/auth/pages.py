"""Pages: log in and out, API tokens, and the operator's audit log search."""

from __future__ import annotations

import math
from datetime import datetime
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError

from labbaik.auth import service
from labbaik.auth.deps import Csrf, PageActor
from labbaik.auth.errors import BadCredentials, TooManyLoginAttempts
from labbaik.auth.roles import Role
from labbaik.auth.schemas import AuditQuery
from labbaik.db import settle_error
from labbaik.errors import InvalidInput
from labbaik.kit.pagination import PageRequest, page_count
from labbaik.web import nav
from labbaik.web.deps import DbSession, client_address, origin
from labbaik.web.templating import render

router = APIRouter(include_in_schema=False)

nav.register("/tokens", "API tokens", roles={r.value for r in Role if r != Role.PILGRIM}, order=90)
nav.register("/audit", "Audit log", roles={"operator", "admin"}, order=80)


def _safe_next(target: str | None) -> str:
    # Only a path on this site: an open redirect would help a phishing page.
    if target and target.startswith("/") and not target.startswith("//"):
        return target
    return "/"


@router.get("/login")
def login_form(request: Request, next: str = "/") -> Response:
    return render(request, "auth/login.html", {"next": _safe_next(next), "username": ""})


@router.post("/login", dependencies=[Csrf])
def login(
    request: Request,
    session: DbSession,
    username: Annotated[str, Form()],
    password: Annotated[str, Form()],
    next: Annotated[str, Form()] = "/",
) -> Response:
    context: dict[str, object] = {"next": _safe_next(next), "username": username[:64]}
    try:
        actor = service.authenticate(
            session,
            username=username,
            password=password,
            origin=origin(request),
            address=client_address(request),
            settings=request.app.state.settings,
        )
    except BadCredentials as exc:
        # The failed attempt is recorded and counted: committed, then answered.
        settle_error(session, exc)
        refused = {"error": "Wrong username or password."}
        return render(request, "auth/login.html", context | refused, status=401)
    except TooManyLoginAttempts as exc:
        settle_error(session, exc)
        wait = {"retry_minutes": math.ceil(exc.retry_after / 60)}
        response = render(request, "auth/login.html", context | wait, status=429)
        response.headers["Retry-After"] = str(exc.retry_after)
        return response
    # A new session on login, so that a session id planted before login is worth nothing.
    request.session.clear()
    request.session["account_id"] = str(actor.account_id)
    if actor.account_id is not None:
        account = service.get_account_by_id(session, account_id=actor.account_id)
        if account is not None and account.language:
            request.state.lang = account.language
    return RedirectResponse(_safe_next(next), status_code=303)


@router.post("/logout", dependencies=[Csrf])
def logout(request: Request) -> Response:
    request.session.clear()
    return RedirectResponse("/login", status_code=303)


@router.get("/tokens")
def tokens(request: Request, session: DbSession, actor: PageActor) -> Response:
    return render(
        request, "auth/tokens.html", {"tokens": service.list_tokens(session, actor=actor)}
    )


@router.post("/tokens", dependencies=[Csrf])
def mint(
    request: Request, session: DbSession, actor: PageActor, name: Annotated[str, Form()]
) -> Response:
    name = name.strip()
    if not name or len(name) > 100:
        raise InvalidInput("a token needs a name of 1 to 100 characters")
    assert actor.account_id is not None  # a page actor always has an account
    minted = service.mint_token(session, account_id=actor.account_id, name=name, actor=actor)
    context = {"tokens": service.list_tokens(session, actor=actor), "minted": minted}
    return render(request, "auth/tokens.html", context)


def _audit_query(
    actor: str | None = None,
    action: str | None = None,
    object_type: str | None = None,
    object_id: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> AuditQuery:
    try:
        return AuditQuery(
            actor=actor or None,
            action=action or None,
            object_type=object_type or None,
            object_id=object_id or None,
            since=since,
            until=until,
        )
    except ValidationError as exc:
        raise InvalidInput(str(exc.errors()[0]["msg"])) from None


@router.get("/audit")
def audit(
    request: Request,
    session: DbSession,
    actor: PageActor,
    query: Annotated[AuditQuery, Depends(_audit_query)],
    page: Annotated[int, Query(ge=1)] = 1,
) -> Response:
    result = service.search_audit(session, query=query, page=PageRequest(page, 50), actor=actor)
    qs = urlencode({k: v for k, v in query.model_dump(mode="json").items() if v})
    context = {"result": result, "query": query, "qs": qs, "pages": page_count(result.total, 50)}
    return render(request, "auth/audit.html", context)
