"""The card domain's operations: issue, read, change status, replace, export trust and status,
verify and look up by scan (written in `scanning`, re-exported here: the service stays the one
way in). Scoped to the actor; never commits."""

from __future__ import annotations

import base64
import uuid
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, time, timedelta
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from labbaik.auth import service as auth_service
from labbaik.auth.roles import Actor, Scope, system_actor
from labbaik.cards import credential, keys, status
from labbaik.cards.errors import CardNotFound, CardStatusConflict, CardTooLarge, NoValidCard
from labbaik.cards.models import Card
from labbaik.cards.reading import (
    Registry,
    cards_for,
    claims_of,
    pilgrims_query,
    read_card,
    require_any,
)
from labbaik.cards.scanning import list_scans as list_scans  # noqa: PLC0414
from labbaik.cards.scanning import lookup as lookup  # noqa: PLC0414
from labbaik.cards.scanning import read_for_payment as read_for_payment  # noqa: PLC0414
from labbaik.cards.scanning import trust_store as trust_store  # noqa: PLC0414
from labbaik.cards.scanning import verify_text as verify_text  # noqa: PLC0414
from labbaik.cards.schemas import (
    CardClaims,
    CardPage,
    CardRead,
    CardStatus,
    IssueResult,
    TrustKey,
)
from labbaik.errors import Busy, InvalidInput
from labbaik.kit import events
from labbaik.kit.ids import uuid7, with_check
from labbaik.kit.timeutil import RIYADH, as_utc, utcnow
from labbaik.registry import service as registry_service
from labbaik.registry.errors import PilgrimNotFound
from labbaik.registry.events import PilgrimChanged
from labbaik.registry.schemas import SeasonRead
from labbaik.settings import get_settings

CURRENT: tuple[CardStatus, ...] = ("valid", "suspended")
# A card serves its season: until 60 days after 8 Dhu al-Hijjah, the last pilgrims' departure.
DAYS_AFTER_HAJJ = 60
DAYS_WITHOUT_SEASON_DATE = 180
# The claims that make a card; a change elsewhere in the record does not re-issue it.
_IDENTITY = (
    "surname",
    "given_names",
    "surname_ar",
    "given_names_ar",
    "passport_number",
    "nationality",
    "sex",
    "date_of_birth",
    "group_code",
    "camp",
    "company_code",
)

Progress = Callable[[int, int], None]


# Building claims ---------------------------------------------------------------------------


def expiry_for(season: SeasonRead, issued_at: datetime) -> datetime:
    """The end of the season; 180 days when its date is unknown or already past."""
    if season.day_8 is not None:
        end = datetime.combine(season.day_8 + timedelta(days=DAYS_AFTER_HAJJ), time(), RIYADH)
        if end > issued_at:
            return end.astimezone(UTC)
    return issued_at + timedelta(days=DAYS_WITHOUT_SEASON_DATE)


def card_number_for(season: SeasonRead, serial: int) -> str:
    if serial >= 10**7:
        raise InvalidInput("the card serial passed 9,999,999: the numbering needs a new prefix")
    return with_check(f"{season.hijri_year % 100:02d}{serial:07d}")


def _claims(
    pilgrim: Any,
    reg: Registry,
    *,
    card_number: str,
    serial: int,
    issued_at: datetime,
    expires_at: datetime,
) -> CardClaims:
    group = reg.group(pilgrim.group_id)
    camp = reg.lodging(pilgrim.mina_camp_id or pilgrim.arafat_camp_id)
    return CardClaims(
        issuer=get_settings().card_issuer,
        card_number=card_number,
        surname=pilgrim.surname,
        given_names=pilgrim.given_names,
        surname_ar=pilgrim.surname_ar or None,
        given_names_ar=pilgrim.given_names_ar or None,
        passport_number=pilgrim.passport_number,
        nationality=pilgrim.nationality,
        sex=pilgrim.sex,
        date_of_birth=pilgrim.date_of_birth,
        group_code=group.code if group else None,
        camp=camp.code if camp else None,
        company_code=reg.company(pilgrim.company_id).code,
        issued_at=issued_at,
        expires_at=expires_at,
        status_index=serial,
    )


def _identity(claims: CardClaims) -> tuple[Any, ...]:
    return tuple(getattr(claims, name) for name in _IDENTITY)


# Issuing -----------------------------------------------------------------------------------


def _next_serial(session: Session) -> int:
    return (session.scalar(select(func.max(Card.serial))) or 0) + 1


def _current_cards(session: Session, pilgrim_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, Card]:
    out: dict[uuid.UUID, Card] = {}
    for start in range(0, len(pilgrim_ids), 500):
        chunk = pilgrim_ids[start : start + 500]
        rows = session.scalars(
            select(Card).where(Card.pilgrim_id.in_(chunk), Card.status.in_(CURRENT))
        )
        for card in rows:
            out[card.pilgrim_id] = card
    return out


def _issue_rows(
    session: Session,
    pilgrims: Sequence[Any],
    reg: Registry,
    *,
    season: SeasonRead,
    actor: Actor,
    replacing: dict[uuid.UUID, Card] | None = None,
    progress: Progress | None = None,
) -> list[tuple[uuid.UUID, str]]:
    """Sign and insert one card per pilgrim in one statement; replaced cards are retired.
    The new cards' ids and numbers, in the order of their serials."""
    signer_row, signer = keys.current_signer(session, season=season.hijri_year)
    issued_at = utcnow().replace(microsecond=0)
    expires_at = expiry_for(season, issued_at)
    serial = _next_serial(session)
    rows: list[dict[str, Any]] = []
    replacing = replacing or {}
    for done, pilgrim in enumerate(pilgrims, 1):
        number = card_number_for(season, serial)
        claims = _claims(
            pilgrim,
            reg,
            card_number=number,
            serial=serial,
            issued_at=issued_at,
            expires_at=expires_at,
        )
        _, body = credential.fit(claims, signer)
        text_length = len(credential.PREFIX) + credential.base45_length(len(body))
        if text_length > credential.MAX_QR_CHARS:
            raise CardTooLarge(
                f"pilgrim {pilgrim.id}: the card needs {text_length} QR characters, more than "
                f"{credential.MAX_QR_CHARS} (version 15, level Q) even with shortened names"
            )
        old = replacing.get(pilgrim.id)
        rows.append(
            {
                "id": uuid7(),
                "card_number": number,
                "serial": serial,
                "pilgrim_id": pilgrim.id,
                "company_id": pilgrim.company_id,
                "season_id": pilgrim.season_id,
                "status": old.status if old is not None else "valid",
                "status_reason": old.status_reason if old is not None else None,
                "signer_id": signer_row.id,
                "issued_at": issued_at,
                "expires_at": expires_at,
                "body": body,
                "replaces_id": old.id if old is not None else None,
                "created_at": issued_at,
            }
        )
        serial += 1
        if progress is not None and (done % 200 == 0 or done == len(pilgrims)):
            progress(done, len(pilgrims))
    for old in replacing.values():
        old.status = "retired"
        old.status_reason = "replaced by a new card: the pilgrim's record changed"
        old.status_changed_at = issued_at
    try:
        session.flush()
        for start in range(0, len(rows), 1000):
            session.execute(insert(Card), rows[start : start + 1000])
    except IntegrityError:
        # Another issuer took the same serials at the same moment.
        raise Busy("cards are being issued elsewhere right now; try again", retry_after=2) from None
    return [(r["id"], r["card_number"]) for r in rows]


def _one_card(session: Session, issued: list[tuple[uuid.UUID, str]]) -> Card:
    ((card_id, _),) = issued
    card = session.get(Card, card_id)
    assert card is not None  # just inserted
    return card


def issue_card(session: Session, *, pilgrim_id: uuid.UUID, actor: Actor) -> CardRead:
    """The pilgrim's current card: the one they have if it still says what the registry says,
    else a new one (the old one is retired)."""
    auth_service.require(actor, Scope.CARD_ISSUE)
    pilgrim = session.scalar(pilgrims_query(actor).filter_by(id=pilgrim_id))
    if pilgrim is None:
        raise PilgrimNotFound("no such pilgrim")
    reg = Registry(session, actor)
    card = _ensure_current(session, pilgrim, reg, actor=actor)
    replaced = session.get(Card, card.replaces_id) if card.replaces_id else None
    return read_card(card, reg, replaces=replaced.card_number if replaced else None)


def _ensure_current(session: Session, pilgrim: Any, reg: Registry, *, actor: Actor) -> Card:
    season = registry_service.current_season(session)
    current = _current_cards(session, [pilgrim.id]).get(pilgrim.id)
    if current is not None:
        wanted = _claims(
            pilgrim,
            reg,
            card_number=current.card_number,
            serial=current.serial,
            issued_at=as_utc(current.issued_at),
            expires_at=as_utc(current.expires_at),
        )
        if _identity(wanted) == _identity(_unshortened(claims_of(current), wanted)):
            return current
    issued = _issue_rows(
        session,
        [pilgrim],
        reg,
        season=season,
        actor=actor,
        replacing={pilgrim.id: current} if current is not None else None,
    )
    card = _one_card(session, issued)
    auth_service.record(
        session,
        actor=actor,
        action="card.issue",
        object_type="card",
        object_id=card.id,
        detail={
            "card_number": card.card_number,
            "replaces": current.card_number if current else None,
        },
    )
    return card


def _unshortened(signed: CardClaims, wanted: CardClaims) -> CardClaims:
    # A card whose names were shortened to fit still matches the record it was made from.
    if signed.names_shortened:
        return signed.model_copy(
            update={"given_names": wanted.given_names, "given_names_ar": wanted.given_names_ar}
        )
    return signed


def issue_cards(
    session: Session,
    *,
    actor: Actor,
    pilgrim_ids: Sequence[uuid.UUID] | None = None,
    group_id: uuid.UUID | None = None,
    company_id: uuid.UUID | None = None,
    all: bool = False,
    progress: Progress | None = None,
) -> IssueResult:
    """Cards for many pilgrims at once: those without a current card get one."""
    auth_service.require(actor, Scope.CARD_ISSUE)
    chosen = sum(x is not None for x in (pilgrim_ids, group_id, company_id)) + int(all)
    if chosen != 1:
        raise InvalidInput("name exactly one of: pilgrims, a group, a company, or all")
    season = registry_service.current_season(session)
    stmt = pilgrims_query(actor).filter_by(season_id=season.id)
    if pilgrim_ids is not None:
        stmt = stmt.where(stmt.selected_columns["id"].in_(list(pilgrim_ids)))
    elif group_id is not None:
        registry_service.get_group(session, group_id=group_id, actor=actor)
        stmt = stmt.filter_by(group_id=group_id)
    elif company_id is not None:
        registry_service.get_company(session, company_id=company_id, actor=actor)
        stmt = stmt.filter_by(company_id=company_id)
    pilgrims = list(session.scalars(stmt))
    if pilgrim_ids is not None and len(pilgrims) != len(set(pilgrim_ids)):
        raise PilgrimNotFound("some of these pilgrims do not exist (or are not yours)")
    have = _current_cards(session, [p.id for p in pilgrims])
    todo = [p for p in pilgrims if p.id not in have]
    reg = Registry(session, actor)
    issued = _issue_rows(session, todo, reg, season=season, actor=actor, progress=progress)
    auth_service.record(
        session,
        actor=actor,
        action="card.issue_batch",
        object_type="card",
        detail={
            "issued": len(issued),
            "unchanged": len(have),
            "group_id": str(group_id) if group_id else None,
            "company_id": str(company_id) if company_id else None,
        },
    )
    return IssueResult(
        issued=len(issued), unchanged=len(have), card_numbers=[number for _, number in issued]
    )


def _on_pilgrim_changed(session: Session, event: PilgrimChanged) -> None:
    """A changed record gets a new card if the card no longer says the same (subscribed below)."""
    pilgrim = session.scalar(
        registry_service.pilgrims_for(system_actor("cards")).filter_by(id=event.pilgrim_id)
    )
    if pilgrim is None or not _current_cards(session, [pilgrim.id]):
        return
    _ensure_current(session, pilgrim, Registry(session, event.actor), actor=event.actor)


events.subscribe(PilgrimChanged, _on_pilgrim_changed)


# Reading -----------------------------------------------------------------------------------


def _get(session: Session, *, card_number: str, actor: Actor) -> Card:
    number = card_number.strip().upper().replace(" ", "").replace("-", "")
    card = session.scalar(cards_for(actor).where(Card.card_number == number))
    if card is None:
        raise CardNotFound(f"no card {card_number!r}")
    return card


def _requireread_card(actor: Actor) -> None:
    require_any(actor, Scope.CARD_ISSUE, Scope.CARD_MANAGE, Scope.REGISTRY_READ, Scope.OWN_RECORD)


def get_card(session: Session, *, card_number: str, actor: Actor) -> CardRead:
    _requireread_card(actor)
    card = _get(session, card_number=card_number, actor=actor)
    auth_service.record(
        session, actor=actor, action="card.read", object_type="card", object_id=card.id
    )
    return read_card(card, Registry(session, actor), replaces=_replaced_number(session, card))


def card_for_pilgrim(session: Session, *, pilgrim_id: uuid.UUID, actor: Actor) -> CardRead:
    """The pilgrim's current valid card (a pilgrim may read their own)."""
    _requireread_card(actor)
    card = session.scalar(
        cards_for(actor)
        .where(Card.pilgrim_id == pilgrim_id, Card.status == "valid")
        .order_by(Card.serial.desc())
    )
    if card is None:
        raise NoValidCard("this pilgrim has no valid card")
    auth_service.record(
        session, actor=actor, action="card.read", object_type="card", object_id=card.id
    )
    return read_card(card, Registry(session, actor), replaces=_replaced_number(session, card))


def _replaced_number(session: Session, card: Card) -> str | None:
    if card.replaces_id is None:
        return None
    return session.scalar(select(Card.card_number).where(Card.id == card.replaces_id))


def list_cards(
    session: Session,
    *,
    actor: Actor,
    limit: int = 50,
    offset: int = 0,
    pilgrim_id: uuid.UUID | None = None,
    status: CardStatus | None = None,
) -> CardPage:
    _requireread_card(actor)
    stmt = cards_for(actor)
    if pilgrim_id is not None:
        stmt = stmt.where(Card.pilgrim_id == pilgrim_id)
    if status is not None:
        stmt = stmt.where(Card.status == status)
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = session.scalars(stmt.order_by(Card.serial.desc()).offset(offset).limit(limit))
    reg = Registry(session, actor)
    items = [read_card(card, reg) for card in rows]
    auth_service.record(
        session,
        actor=actor,
        action="card.list",
        object_type="card",
        detail={"returned": len(items), "offset": offset},
    )
    return CardPage(items=items, total=total)


# Status ------------------------------------------------------------------------------------


_ACTIONS = {"revoked": "card.revoke", "suspended": "card.suspend", "valid": "card.reinstate"}


def _change(
    session: Session,
    *,
    card_number: str,
    reason: str,
    actor: Actor,
    allowed_from: tuple[str, ...],
    to: CardStatus,
) -> CardRead:
    auth_service.require(actor, Scope.CARD_MANAGE)
    reason = " ".join(reason.split())
    if len(reason) < 3:
        raise InvalidInput("give a reason (three characters or more)")
    card = _get(session, card_number=card_number, actor=actor)
    if card.status == to:
        # A retried request finds its work done and gets the same answer.
        return read_card(card, Registry(session, actor))
    if card.status not in allowed_from:
        raise CardStatusConflict(f"card {card.card_number} is {card.status}; it cannot become {to}")
    before = card.status
    card.status, card.status_reason, card.status_changed_at = to, reason[:500], utcnow()
    session.flush()
    auth_service.record(
        session,
        actor=actor,
        action=_ACTIONS[to],
        object_type="card",
        object_id=card.id,
        reason=reason,
        detail={"card_number": card.card_number, "from": before, "to": to},
    )
    return read_card(card, Registry(session, actor))


def revoke(session: Session, *, card_number: str, reason: str, actor: Actor) -> CardRead:
    return _change(
        session,
        card_number=card_number,
        reason=reason,
        actor=actor,
        allowed_from=("valid", "suspended"),
        to="revoked",
    )


def suspend(session: Session, *, card_number: str, reason: str, actor: Actor) -> CardRead:
    return _change(
        session,
        card_number=card_number,
        reason=reason,
        actor=actor,
        allowed_from=("valid",),
        to="suspended",
    )


def reinstate(session: Session, *, card_number: str, reason: str, actor: Actor) -> CardRead:
    return _change(
        session,
        card_number=card_number,
        reason=reason,
        actor=actor,
        allowed_from=("suspended",),
        to="valid",
    )


def replace_lost(session: Session, *, card_number: str, reason: str, actor: Actor) -> CardRead:
    """A lost (or stolen, or damaged) card is revoked and a new one issued, in one step.
    Retried, it answers with the card issued the first time."""
    auth_service.require(actor, Scope.CARD_ISSUE)
    first = _get(session, card_number=card_number, actor=actor)
    successor = session.scalar(select(Card).where(Card.replaces_id == first.id))
    if successor is not None and first.status == "revoked":
        return read_card(successor, Registry(session, actor), replaces=first.card_number)
    old = revoke(session, card_number=card_number, reason=reason, actor=actor)
    pilgrim = session.scalar(pilgrims_query(actor).filter_by(id=old.pilgrim_id))
    if pilgrim is None:
        raise PilgrimNotFound("the card's pilgrim is not in the registry")
    reg = Registry(session, actor)
    season = registry_service.current_season(session)
    card = _one_card(session, _issue_rows(session, [pilgrim], reg, season=season, actor=actor))
    card.replaces_id = old.id
    session.flush()
    auth_service.record(
        session,
        actor=actor,
        action="card.replace",
        object_type="card",
        object_id=card.id,
        reason=reason,
        detail={"card_number": card.card_number, "replaces": old.card_number},
    )
    return read_card(card, reg, replaces=old.card_number)


# Trust and status ---------------------------------------------------------------------------


def trust_bundle_pem(session: Session) -> bytes:
    return keys.trust_pem(session)


def trust_keys(session: Session) -> list[TrustKey]:
    """The signers a verifier should hold now (the JSON form is `trust_document`)."""
    return [k for k in keys.list_keys(session) if k.kid in _trusted_kids(session)]


def _trusted_kids(session: Session) -> set[str]:
    return {base64.b64encode(r.kid).decode() for r in keys.trusted_signers(session)}


def trust_document(session: Session) -> dict[str, Any]:
    return keys.trust_json(session)


def status_list_token(session: Session) -> bytes:
    return status.status_token(session)
