"""Who is calling: a bearer token for the API, a session cookie for the pages."""

from __future__ import annotations

import secrets
import uuid
from typing import Annotated

from fastapi import Depends, Request

from labbaik.auth import service
from labbaik.auth.roles import Actor
from labbaik.errors import DomainError, Forbidden, NotAuthenticated
from labbaik.web.deps import DbSession, origin
from labbaik.web.i18n import LANGUAGES


class LoginRequired(DomainError):
    """A page needs a logged-in user; the app answers with a redirect to the login page."""

    code = "login_required"
    status = 401


def api_actor(request: Request, session: DbSession) -> Actor:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise NotAuthenticated(
            "send an API token as 'Authorization: Bearer lbk_...' "
            "(mint one on the Tokens page or with 'labbaik auth token USERNAME')"
        )
    return service.actor_from_token(session, token=token.strip(), origin=origin(request))


def page_actor(request: Request, session: DbSession) -> Actor:
    raw = request.session.get("account_id")
    account = None
    if isinstance(raw, str):
        try:
            account = service.get_account_by_id(session, account_id=uuid.UUID(raw))
        except ValueError:
            account = None
    if account is None or not account.is_active:
        request.session.pop("account_id", None)
        raise LoginRequired("please log in")
    actor = service.actor_for(account, origin=origin(request))
    request.state.actor = actor
    # The language the user picks follows them to any device; otherwise their saved choice wins.
    if getattr(request.state, "lang_chosen", None):
        account.language = request.state.lang
    elif account.language in LANGUAGES:
        request.state.lang = account.language
    return actor


async def verify_csrf(request: Request) -> None:
    """Every form a page posts carries the session's token; a forged cross-site post does not."""
    form = await request.form()
    sent = form.get("csrf_token")
    expected = request.session.get("csrf")
    if not isinstance(sent, str) or not isinstance(expected, str):
        raise Forbidden("the form has expired; reload the page and try again")
    if not secrets.compare_digest(sent, expected):
        raise Forbidden("the form has expired; reload the page and try again")


ApiActor = Annotated[Actor, Depends(api_actor)]
PageActor = Annotated[Actor, Depends(page_actor)]
Csrf = Depends(verify_csrf)
