"""Pages of the card: the field worker's scanner, the pilgrim's own card, a card's status."""

from __future__ import annotations

import secrets
import uuid
from pathlib import Path
from typing import Annotated, Any, get_args
from urllib.parse import quote

from babel import Locale
from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import FileResponse, JSONResponse, RedirectResponse, Response
from pydantic import ValidationError

from labbaik.auth import service as auth_service
from labbaik.auth.deps import Csrf, PageActor
from labbaik.auth.roles import Scope, system_actor
from labbaik.cards import printing, qr, sdjwt, service
from labbaik.cards.errors import NoValidCard
from labbaik.cards.lost_phrases import phrases_for
from labbaik.cards.schemas import CardHolderView, CardStatus, LookupRequest
from labbaik.db import settle_error
from labbaik.errors import DomainError, Forbidden, InvalidInput
from labbaik.kit.timeutil import to_riyadh
from labbaik.registry import service as registry_service
from labbaik.registry.countries import country_name
from labbaik.registry.schemas import LodgingRead
from labbaik.web import nav
from labbaik.web.deps import DbSession
from labbaik.web.templating import lang_of, render

router = APIRouter(include_in_schema=False)

STATIC = Path(__file__).resolve().parents[1] / "web" / "static" / "cards"
SCANNING_ROLES = {"field_worker", "medic", "officer", "operator", "admin"}
STATUS_ACTIONS = ("suspend", "reinstate", "revoke", "replace")

nav.register("/cards/scan", "Scan a card", roles=SCANNING_ROLES, order=5)
nav.register("/cards/me", "My card", roles={"pilgrim"}, order=5)
nav.register("/cards", "Cards", roles={"company", "officer", "operator", "admin"}, order=12)
LIST_SIZE = 50
STATUSES: dict[str, CardStatus] = {code: code for code in get_args(CardStatus)}


def _check_csrf_header(request: Request) -> None:
    # A script's POST carries the session's token in a header, as a form carries it in a field.
    sent = request.headers.get("x-csrf-token", "")
    expected = request.session.get("csrf")
    if not isinstance(expected, str) or not secrets.compare_digest(sent, expected):
        raise Forbidden("the page has expired; reload it and scan again")


# The scanner -----------------------------------------------------------------------------------


@router.get("/cards/scan")
def scanner(request: Request, actor: PageActor) -> Response:
    auth_service.require(actor, Scope.CARD_SCAN)
    response = render(request, "cards/scan.html")
    # The worker keeps a copy; it holds no personal data, only the form and its texts.
    response.headers["Cache-Control"] = "private, no-cache"
    return response


@router.get("/cards/sw.js")
def service_worker() -> Response:
    # Served from /cards/ rather than /static/ so that its scope covers the card pages.
    return FileResponse(
        STATIC / "sw.js",
        media_type="text/javascript",
        headers={"Cache-Control": "no-cache", "Service-Worker-Allowed": "/cards/"},
    )


@router.get("/cards/trust.json")
def trust_list(session: DbSession, actor: PageActor) -> Response:
    auth_service.require(actor, Scope.CARD_SCAN)
    return JSONResponse(service.trust_document(session), headers={"Cache-Control": "no-store"})


@router.get("/cards/status-list")
def status_list(session: DbSession, actor: PageActor) -> Response:
    auth_service.require(actor, Scope.CARD_SCAN)
    return Response(
        service.status_list_token(session),
        media_type="application/statuslist+cwt",
        headers={"Cache-Control": "no-store"},
    )


def _place_name(place: Any, lang: str) -> str:
    if place is None:
        return ""
    return str(place.name_ar if lang == "ar" and place.name_ar else place.name)


def _language_name(code: str, lang: str) -> str:
    name = Locale.parse(lang).languages.get(code)
    return str(name) if name else code


def _holder_html(request: Request, view: CardHolderView) -> str:
    lang = lang_of(request)
    context = {
        "v": view,
        "nationality": country_name(view.nationality, lang) if view.nationality else "",
        "language": _language_name(view.language, lang) if view.language else "",
        "photo_url": f"/pilgrims/{view.pilgrim_id}/photo" if view.photo_url else None,
        "places": [
            (label, _place_name(place, lang))
            for label, place in (
                ("Mina camp", view.mina_camp),
                ("Arafat camp", view.arafat_camp),
                ("Makkah hotel", view.makkah_lodging),
                ("Madinah hotel", view.madinah_lodging),
            )
            if place is not None
        ],
    }
    return bytes(render(request, "cards/_holder.html", context).body).decode()


@router.post("/cards/scan")
async def scan(request: Request, session: DbSession, actor: PageActor) -> Response:
    """A scan from the scanner page (or its offline queue): recorded once per nonce."""
    try:
        _check_csrf_header(request)
        try:
            lookup_in = LookupRequest.model_validate(await request.json())
        except (ValidationError, ValueError) as exc:
            raise InvalidInput(f"the scan is not valid: {str(exc)[:200]}") from None
        view = service.lookup(
            session,
            qr_text=lookup_in.qr_text,
            card_number=lookup_in.card_number,
            reason=lookup_in.reason,
            nonce=lookup_in.nonce,
            actor=actor,
        )
    except DomainError as exc:
        # The script reads JSON, never the error page; nothing of a refused request is kept
        # but the record a refusal keeps.
        settle_error(session, exc)
        return JSONResponse(exc.as_dict(), status_code=exc.status)
    return JSONResponse(
        {"verdict": view.verdict.verdict, "html": _holder_html(request, view)},
        headers={"Cache-Control": "no-store"},
    )


# The pilgrim's own card ------------------------------------------------------------------------


def _qr_data_uri(text: str) -> str:
    uri: str = qr.make(text).svg_data_uri(scale=8, border=4, omitsize=True)
    return uri


def _lodging(lodging_id: uuid.UUID | None, session: Any) -> LodgingRead | None:
    return registry_service.get_lodging(session, lodging_id=lodging_id) if lodging_id else None


@router.get("/cards/me")
def my_card(request: Request, session: DbSession, actor: PageActor) -> Response:
    auth_service.require(actor, Scope.OWN_RECORD)
    if actor.pilgrim_id is None:
        raise NoValidCard("this account is not a pilgrim's")
    lang = lang_of(request)
    pilgrim = registry_service.get_pilgrim(
        session, pilgrim_id=actor.pilgrim_id, actor=actor, reason="the pilgrim's own card"
    )
    try:
        card = service.card_for_pilgrim(session, pilgrim_id=pilgrim.id, actor=actor)
    except NoValidCard:
        card = None
    # The group and the camps are the pilgrim's own: read for them, not as a registry search.
    reader = system_actor("cards.me")
    group = (
        registry_service.get_group(session, group_id=pilgrim.group_id, actor=reader)
        if pilgrim.group_id
        else None
    )
    camp = _lodging(pilgrim.mina_camp_id or pilgrim.arafat_camp_id, session)
    hotel = _lodging(pilgrim.makkah_lodging_id or pilgrim.madinah_lodging_id, session)
    context = {
        "p": pilgrim,
        "card": card,
        "qr": _qr_data_uri(card.qr_text) if card else None,
        "valid_until": to_riyadh(card.expires_at).date() if card else None,
        "group": group,
        "camp": camp,
        "hotel": hotel,
        "camp_digits": printing.arabic_digits(printing.camp_number(camp.code)) if camp else "",
        "phrases": phrases_for(pilgrim.language),
        "nationality": country_name(pilgrim.nationality, lang),
    }
    response = render(request, "cards/me.html", context)
    response.headers["Cache-Control"] = "private, no-cache"
    return response


@router.get("/cards/me/credential")
def my_phone_credential(session: DbSession, actor: PageActor) -> Response:
    """The SD-JWT VC for the pilgrim's phone wallet: the fuller record, disclosed selectively."""
    auth_service.require(actor, Scope.OWN_RECORD)
    if actor.pilgrim_id is None:
        raise NoValidCard("this account is not a pilgrim's")
    token = sdjwt.issue_for_pilgrim(session, pilgrim_id=actor.pilgrim_id, actor=actor)
    return Response(
        token,
        media_type="application/dc+sd-jwt",
        headers={
            "Content-Disposition": 'attachment; filename="hajj-card.sd-jwt"',
            "Cache-Control": "private, no-store",
        },
    )


@router.post("/cards/phone/verify")
async def verify_phone_credential(
    request: Request, session: DbSession, actor: PageActor
) -> Response:
    """A presentation shown by a pilgrim's phone, checked for the worker's role."""
    try:
        _check_csrf_header(request)
        try:
            body = await request.json()
            presentation, reason = str(body["presentation"])[:20_000], str(body["reason"])
        except (ValueError, KeyError, TypeError):
            raise InvalidInput("send the presentation and the reason as JSON") from None
        if len(" ".join(reason.split())) < 3:
            raise InvalidInput("say why you check this credential (three characters or more)")
        verdict = sdjwt.verify_presentation(
            session, presentation=presentation, reason=reason, actor=actor
        )
    except DomainError as exc:
        settle_error(session, exc)
        return JSONResponse(exc.as_dict(), status_code=exc.status)
    return JSONResponse(
        {"verdict": verdict.verdict, "reason": verdict.reason, "claims": verdict.claims},
        headers={"Cache-Control": "no-store"},
    )


# A card's page: status, replacement, the printed card ------------------------------------------


@router.get("/cards")
def card_list(
    request: Request,
    session: DbSession,
    actor: PageActor,
    q: Annotated[str, Query(max_length=32)] = "",
    status: Annotated[str, Query(max_length=16)] = "",
) -> Response:
    number = q.strip().upper().replace(" ", "").replace("-", "")
    if number:
        return RedirectResponse(f"/cards/{quote(number)}", status_code=303)
    if status and status not in STATUSES:
        raise InvalidInput(f"status: {status[:16]!r} is not a card status")
    page = service.list_cards(session, actor=actor, limit=LIST_SIZE, status=STATUSES.get(status))
    return render(request, "cards/list.html", {"page": page, "status": status})


@router.get("/cards/{card_number}")
def card_page(request: Request, session: DbSession, actor: PageActor, card_number: str) -> Response:
    card = service.get_card(session, card_number=card_number, actor=actor)
    context = {
        "card": card,
        "can_manage": actor.can(Scope.CARD_MANAGE),
        "can_replace": actor.can(Scope.CARD_ISSUE),
        "nationality": country_name(card.claims.nationality, lang_of(request)),
        "reason_missing": request.query_params.get("missing") == "reason",
    }
    return render(request, "cards/card.html", context)


@router.post("/cards/{card_number}/status", dependencies=[Csrf])
def change_status(
    session: DbSession,
    actor: PageActor,
    card_number: str,
    action: Annotated[str, Form()] = "",
    reason: Annotated[str, Form()] = "",
) -> Response:
    if action not in STATUS_ACTIONS:
        raise InvalidInput(f"action: {action[:20]!r} is not one of {', '.join(STATUS_ACTIONS)}")
    if len(" ".join(reason.split())) < 3:
        return RedirectResponse(f"/cards/{card_number}?missing=reason", status_code=303)
    change = {
        "suspend": service.suspend,
        "reinstate": service.reinstate,
        "revoke": service.revoke,
        "replace": service.replace_lost,
    }[action]
    card = change(session, card_number=card_number, reason=reason, actor=actor)
    return RedirectResponse(f"/cards/{card.card_number}", status_code=303)


@router.get("/cards/{card_number}/card.pdf")
def card_pdf(session: DbSession, actor: PageActor, card_number: str) -> Response:
    number = card_number.strip().upper()
    return Response(
        printing.card_document(session, card_number=number, actor=actor),
        media_type="application/pdf",
        headers={
            "Content-Disposition": f'inline; filename="card-{number}.pdf"',
            "Cache-Control": "private, no-store",
        },
    )
