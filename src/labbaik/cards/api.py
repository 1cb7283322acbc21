"""JSON API of the cards: issue, read, change status, verify, look up; trust and status lists."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import Response
from pydantic import BaseModel

from labbaik.auth.deps import ApiActor
from labbaik.cards import credential, nfc, qr, service
from labbaik.cards.schemas import (
    CardHolderView,
    CardPage,
    CardRead,
    CardStatus,
    IssueResult,
    LookupRequest,
    ScanRead,
    StatusChange,
    TrustKey,
    Verdict,
    VerifyRequest,
)
from labbaik.cards.verify import STATUS_LIST_TYP
from labbaik.web.deps import DbSession

router = APIRouter(prefix="/api/v1/cards", tags=["cards"])


class IssueRequest(BaseModel):
    pilgrim_id: uuid.UUID


class BatchRequest(BaseModel):
    """Exactly one of: pilgrim ids, a group, a company, or all of the season."""

    pilgrim_ids: list[uuid.UUID] | None = None
    group_id: uuid.UUID | None = None
    company_id: uuid.UUID | None = None
    all: bool = False


# Public: what an offline verifier downloads. Neither names a person.


@router.get("/trust")
def get_trust(session: DbSession) -> dict[str, Any]:
    """The trust list's JSON form (docs/credential.md, section 6)."""
    return service.trust_document(session)


@router.get("/trust.pem", response_class=Response)
def get_trust_pem(session: DbSession) -> Response:
    return Response(service.trust_bundle_pem(session), media_type="application/x-pem-file")


@router.get("/status-list", response_class=Response)
def get_status_list(session: DbSession) -> Response:
    """The signed status list (docs/credential.md, section 5)."""
    return Response(
        service.status_list_token(session),
        media_type=STATUS_LIST_TYP,
        headers={"Cache-Control": "max-age=300"},
    )


@router.get("/signers")
def get_signers(session: DbSession, _actor: ApiActor) -> list[TrustKey]:
    return service.trust_keys(session)


# Scanning.


@router.post("/verify")
def post_verify(session: DbSession, actor: ApiActor, body: VerifyRequest) -> Verdict:
    """Verify a QR text against this server's trust list and the cards' status now."""
    return service.verify_text(session, text=body.qr_text, actor=actor, at=body.at)


@router.post("/lookup")
def post_lookup(session: DbSession, actor: ApiActor, body: LookupRequest) -> CardHolderView:
    """A scan: verified, recorded (refused ones too), and answered as the role may see."""
    return service.lookup(
        session,
        qr_text=body.qr_text,
        card_number=body.card_number,
        reason=body.reason,
        actor=actor,
        nonce=body.nonce,
    )


@router.get("/scans")
def get_scans(
    session: DbSession, actor: ApiActor, limit: Annotated[int, Query(ge=1, le=500)] = 50
) -> list[ScanRead]:
    return service.list_scans(session, actor=actor, limit=limit)


# Issuing and managing.


@router.get("")
def get_cards(
    session: DbSession,
    actor: ApiActor,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
    pilgrim_id: uuid.UUID | None = None,
    status: CardStatus | None = None,
) -> CardPage:
    return service.list_cards(
        session, actor=actor, limit=limit, offset=offset, pilgrim_id=pilgrim_id, status=status
    )


@router.post("", status_code=201)
def post_card(session: DbSession, actor: ApiActor, body: IssueRequest) -> CardRead:
    """The pilgrim's current card, issued if they have none (a retry gets the same card)."""
    return service.issue_card(session, pilgrim_id=body.pilgrim_id, actor=actor)


@router.post("/batch")
def post_batch(session: DbSession, actor: ApiActor, body: BatchRequest) -> IssueResult:
    return service.issue_cards(
        session,
        actor=actor,
        pilgrim_ids=body.pilgrim_ids,
        group_id=body.group_id,
        company_id=body.company_id,
        all=body.all,
    )


@router.get("/for-pilgrim/{pilgrim_id}")
def get_card_for_pilgrim(session: DbSession, actor: ApiActor, pilgrim_id: uuid.UUID) -> CardRead:
    return service.card_for_pilgrim(session, pilgrim_id=pilgrim_id, actor=actor)


@router.get("/{card_number}")
def get_card(session: DbSession, actor: ApiActor, card_number: str) -> CardRead:
    return service.get_card(session, card_number=card_number, actor=actor)


@router.get("/{card_number}/qr.png", response_class=Response)
def get_card_png(session: DbSession, actor: ApiActor, card_number: str) -> Response:
    card = service.get_card(session, card_number=card_number, actor=actor)
    return Response(qr.png(card.qr_text, scale=6), media_type="image/png")


@router.get("/{card_number}/ndef", response_class=Response)
def get_card_ndef(session: DbSession, actor: ApiActor, card_number: str) -> Response:
    """The NDEF message to write to the card's NFC tag."""
    card = service.get_card(session, card_number=card_number, actor=actor)
    message = nfc.message_for(credential.body_from_text(card.qr_text))
    return Response(message, media_type="application/octet-stream")


@router.post("/{card_number}/revoke")
def post_revoke(
    session: DbSession, actor: ApiActor, card_number: str, body: StatusChange
) -> CardRead:
    return service.revoke(session, card_number=card_number, reason=body.reason, actor=actor)


@router.post("/{card_number}/suspend")
def post_suspend(
    session: DbSession, actor: ApiActor, card_number: str, body: StatusChange
) -> CardRead:
    return service.suspend(session, card_number=card_number, reason=body.reason, actor=actor)


@router.post("/{card_number}/reinstate")
def post_reinstate(
    session: DbSession, actor: ApiActor, card_number: str, body: StatusChange
) -> CardRead:
    return service.reinstate(session, card_number=card_number, reason=body.reason, actor=actor)


@router.post("/{card_number}/replace", status_code=201)
def post_replace(
    session: DbSession, actor: ApiActor, card_number: str, body: StatusChange
) -> CardRead:
    """A lost card: revoked, and a new one issued, in one step."""
    return service.replace_lost(session, card_number=card_number, reason=body.reason, actor=actor)
