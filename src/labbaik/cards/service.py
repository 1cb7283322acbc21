"""The card domain's operations: issue, read, change status, replace, export trust and status,
verify and look up by scan. Scoped to the actor; never commits."""

from __future__ import annotations

import base64
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from typing import Any

from sqlalchemy import Select, func, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from labbaik.auth import service as auth_service
from labbaik.auth.roles import Actor, Scope, system_actor
from labbaik.cards import credential, keys, status, verify
from labbaik.cards.errors import (
    CardNotFound,
    CardStatusConflict,
    CardTooLarge,
    NoValidCard,
)
from labbaik.cards.models import Card, CardKey, Scan
from labbaik.cards.schemas import (
    CardClaims,
    CardHolderView,
    CardPage,
    CardRead,
    CardStatus,
    IssueResult,
    PassportView,
    PlaceView,
    ScanRead,
    TrustKey,
    Verdict,
)
from labbaik.errors import Busy, Forbidden, InvalidInput
from labbaik.kit import cose, events
from labbaik.kit.ids import is_valid_check, uuid7, with_check
from labbaik.kit.timeutil import RIYADH, as_utc, utcnow
from labbaik.registry import service as registry_service
from labbaik.registry.errors import PilgrimNotFound
from labbaik.registry.events import PilgrimChanged
from labbaik.registry.schemas import CompanyRead, GroupRead, LodgingRead, SeasonRead
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


# Reading the registry ----------------------------------------------------------------------


@dataclass
class _Registry:
    """Companies, groups and camps read once per operation, for many cards."""

    session: Session
    actor: Actor
    companies: dict[uuid.UUID, CompanyRead] = field(default_factory=dict)
    groups: dict[uuid.UUID, GroupRead] = field(default_factory=dict)
    lodgings: dict[uuid.UUID, LodgingRead] = field(default_factory=dict)

    def company(self, company_id: uuid.UUID) -> CompanyRead:
        found = self.companies.get(company_id)
        if found is None:
            # Companies are not personal data: a field worker needs the name on a scan.
            found = self.companies[company_id] = registry_service.get_company(
                self.session, company_id=company_id, actor=system_actor("cards")
            )
        return found

    def group(self, group_id: uuid.UUID | None) -> GroupRead | None:
        if group_id is None:
            return None
        found = self.groups.get(group_id)
        if found is None:
            found = self.groups[group_id] = registry_service.get_group(
                self.session, group_id=group_id, actor=system_actor("cards")
            )
        return found

    def lodging(self, lodging_id: uuid.UUID | None) -> LodgingRead | None:
        if lodging_id is None:
            return None
        found = self.lodgings.get(lodging_id)
        if found is None:
            found = self.lodgings[lodging_id] = registry_service.get_lodging(
                self.session, lodging_id=lodging_id
            )
        return found


def _pilgrims(actor: Actor) -> Select[Any]:
    return registry_service.pilgrims_for(actor)


def _visible_pilgrim_ids(actor: Actor) -> Select[Any]:
    sub = registry_service.pilgrims_for(actor).subquery()
    return select(sub.c.id)


def _cards_for(actor: Actor) -> Select[Card]:
    """Every card query starts here: the cards of the pilgrims the actor may see."""
    stmt = select(Card)
    if actor.can(Scope.REGISTRY_READ_ALL):
        return stmt
    return stmt.where(Card.pilgrim_id.in_(_visible_pilgrim_ids(actor)))


def _require_any(actor: Actor, *scopes: Scope) -> None:
    if not any(actor.can(s) for s in scopes):
        raise Forbidden(f"the {actor.role.value} role may not do this ({scopes[0].value})")


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
    reg: _Registry,
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


def claims_of(card: Card) -> CardClaims:
    message = cose.decode_sign1(credential.message_from_body(card.body))
    return credential.decode_claims(message.payload)


def _read(card: Card, reg: _Registry, *, replaces: str | None = None) -> CardRead:
    claims = claims_of(card)
    signer = reg.session.get(CardKey, card.signer_id)
    assert signer is not None  # a foreign key
    return CardRead(
        id=card.id,
        card_number=card.card_number,
        pilgrim_id=card.pilgrim_id,
        company_id=card.company_id,
        season_id=card.season_id,
        status=card.status,
        status_reason=card.status_reason,
        issued_at=as_utc(card.issued_at),
        expires_at=as_utc(card.expires_at),
        qr_text=credential.qr_text_for(card.body),
        kid=base64.b64encode(signer.kid).decode(),
        alg=signer.alg,
        claims=claims,
        company_name=reg.company(card.company_id).name,
        replaces=replaces,
    )


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
    reg: _Registry,
    *,
    season: SeasonRead,
    actor: Actor,
    replacing: dict[uuid.UUID, Card] | None = None,
    progress: Progress | None = None,
) -> list[Card]:
    """Sign and insert one card per pilgrim in one statement; replaced cards are retired."""
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
    ids = [r["id"] for r in rows]
    cards: list[Card] = []
    for start in range(0, len(ids), 500):
        cards.extend(session.scalars(select(Card).where(Card.id.in_(ids[start : start + 500]))))
    cards.sort(key=lambda c: c.serial)
    return cards


def issue_card(session: Session, *, pilgrim_id: uuid.UUID, actor: Actor) -> CardRead:
    """The pilgrim's current card: the one they have if it still says what the registry says,
    else a new one (the old one is retired)."""
    auth_service.require(actor, Scope.CARD_ISSUE)
    pilgrim = session.scalar(_pilgrims(actor).filter_by(id=pilgrim_id))
    if pilgrim is None:
        raise PilgrimNotFound("no such pilgrim")
    reg = _Registry(session, actor)
    card = _ensure_current(session, pilgrim, reg, actor=actor)
    replaced = session.get(Card, card.replaces_id) if card.replaces_id else None
    return _read(card, reg, replaces=replaced.card_number if replaced else None)


def _ensure_current(session: Session, pilgrim: Any, reg: _Registry, *, actor: Actor) -> Card:
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
    (card,) = _issue_rows(
        session,
        [pilgrim],
        reg,
        season=season,
        actor=actor,
        replacing={pilgrim.id: current} if current is not None else None,
    )
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
    stmt = _pilgrims(actor).filter_by(season_id=season.id)
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
    reg = _Registry(session, actor)
    cards = _issue_rows(session, todo, reg, season=season, actor=actor, progress=progress)
    auth_service.record(
        session,
        actor=actor,
        action="card.issue_batch",
        object_type="card",
        detail={
            "issued": len(cards),
            "unchanged": len(have),
            "group_id": str(group_id) if group_id else None,
            "company_id": str(company_id) if company_id else None,
        },
    )
    return IssueResult(
        issued=len(cards), unchanged=len(have), card_numbers=[c.card_number for c in cards]
    )


def _on_pilgrim_changed(session: Session, event: PilgrimChanged) -> None:
    """A changed record gets a new card if the card no longer says the same (subscribed below)."""
    pilgrim = session.scalar(
        registry_service.pilgrims_for(system_actor("cards")).filter_by(id=event.pilgrim_id)
    )
    if pilgrim is None or not _current_cards(session, [pilgrim.id]):
        return
    _ensure_current(session, pilgrim, _Registry(session, event.actor), actor=event.actor)


events.subscribe(PilgrimChanged, _on_pilgrim_changed)


# Reading -----------------------------------------------------------------------------------


def _get(session: Session, *, card_number: str, actor: Actor) -> Card:
    number = card_number.strip().upper().replace(" ", "").replace("-", "")
    card = session.scalar(_cards_for(actor).where(Card.card_number == number))
    if card is None:
        raise CardNotFound(f"no card {card_number!r}")
    return card


def _require_read(actor: Actor) -> None:
    _require_any(actor, Scope.CARD_ISSUE, Scope.CARD_MANAGE, Scope.REGISTRY_READ, Scope.OWN_RECORD)


def get_card(session: Session, *, card_number: str, actor: Actor) -> CardRead:
    _require_read(actor)
    card = _get(session, card_number=card_number, actor=actor)
    auth_service.record(
        session, actor=actor, action="card.read", object_type="card", object_id=card.id
    )
    return _read(card, _Registry(session, actor), replaces=_replaced_number(session, card))


def card_for_pilgrim(session: Session, *, pilgrim_id: uuid.UUID, actor: Actor) -> CardRead:
    """The pilgrim's current valid card (a pilgrim may read their own)."""
    _require_read(actor)
    card = session.scalar(
        _cards_for(actor)
        .where(Card.pilgrim_id == pilgrim_id, Card.status == "valid")
        .order_by(Card.serial.desc())
    )
    if card is None:
        raise NoValidCard("this pilgrim has no valid card")
    auth_service.record(
        session, actor=actor, action="card.read", object_type="card", object_id=card.id
    )
    return _read(card, _Registry(session, actor), replaces=_replaced_number(session, card))


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
    _require_read(actor)
    stmt = _cards_for(actor)
    if pilgrim_id is not None:
        stmt = stmt.where(Card.pilgrim_id == pilgrim_id)
    if status is not None:
        stmt = stmt.where(Card.status == status)
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = session.scalars(stmt.order_by(Card.serial.desc()).offset(offset).limit(limit))
    reg = _Registry(session, actor)
    items = [_read(card, reg) for card in rows]
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
        return _read(card, _Registry(session, actor))
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
    return _read(card, _Registry(session, actor))


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
        return _read(successor, _Registry(session, actor), replaces=first.card_number)
    old = revoke(session, card_number=card_number, reason=reason, actor=actor)
    pilgrim = session.scalar(_pilgrims(actor).filter_by(id=old.pilgrim_id))
    if pilgrim is None:
        raise PilgrimNotFound("the card's pilgrim is not in the registry")
    reg = _Registry(session, actor)
    season = registry_service.current_season(session)
    (card,) = _issue_rows(session, [pilgrim], reg, season=season, actor=actor)
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
    return _read(card, reg, replaces=old.card_number)


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


def trust_store(session: Session) -> verify.TrustStore:
    from cryptography import x509  # noqa: PLC0415 - a parse of our own certificates

    return verify.TrustStore.from_certificates(
        x509.load_der_x509_certificate(r.certificate) for r in keys.trusted_signers(session)
    )


# Verifying and looking up -------------------------------------------------------------------


def verify_text(
    session: Session, *, text: str | bytes, actor: Actor, at: datetime | None = None
) -> Verdict:
    """The offline verifier run against this server's trust and the cards' status now."""
    auth_service.require(actor, Scope.CARD_SCAN)
    verdict = verify.verify_card(text, trust=trust_store(session), at=at)
    return _with_database_status(session, verdict)


def _with_database_status(session: Session, verdict: Verdict) -> Verdict:
    """The server knows the status first-hand: no list needed."""
    if verdict.verdict != "valid" or verdict.card_number is None:
        return verdict
    state = session.scalar(select(Card.status).where(Card.card_number == verdict.card_number))
    if state is None:
        return verdict.model_copy(
            update={"verdict": "revoked", "reason": "no such card in the registry"}
        )
    update: dict[str, Any] = {"status_checked": True}
    if state == "suspended":
        update |= {"verdict": "suspended", "reason": "the card is suspended"}
    elif state in ("revoked", "retired"):
        update |= {"verdict": "revoked", "reason": f"the card is {state}"}
    else:
        update |= {"reason": "signature, dates and status are good"}
    return verdict.model_copy(update=update)


def _verdict_for_number(session: Session, number: str) -> tuple[Verdict, Card | None]:
    number = number.strip().upper().replace(" ", "").replace("-", "")
    if not is_valid_check(number):
        return Verdict(
            verdict="unreadable", reason="the card number's check digits are wrong"
        ), None
    card = session.scalar(select(Card).where(Card.card_number == number))
    if card is None:
        return Verdict(verdict="unreadable", reason="no card with this number"), None
    claims = claims_of(card)
    base = {"claims": claims, "card_number": card.card_number, "status_checked": True}
    if utcnow() > as_utc(card.expires_at):
        return Verdict(verdict="expired", reason="the card has expired", **base), card
    if card.status == "suspended":
        return Verdict(verdict="suspended", reason="the card is suspended", **base), card
    if card.status in ("revoked", "retired"):
        return Verdict(verdict="revoked", reason=f"the card is {card.status}", **base), card
    return Verdict(verdict="valid", reason="the card is valid (typed by hand)", **base), card


def lookup(
    session: Session,
    *,
    qr_text: str | None = None,
    card_number: str | None = None,
    reason: str,
    actor: Actor,
    nonce: str | None = None,
) -> CardHolderView:
    """A scan: verify, record it (accepted or refused), and show what the actor's role may see."""
    auth_service.require(actor, Scope.CARD_SCAN)
    reason = " ".join(reason.split())
    if len(reason) < 3:
        raise InvalidInput("say why you look this card up (three characters or more)")
    if (qr_text is None) == (card_number is None):
        raise InvalidInput("give either the QR text or the card number")
    if nonce:
        first = session.scalar(
            select(Scan).where(Scan.actor_username == actor.username, Scan.nonce == nonce)
        )
        if first is not None:
            return _replay(session, first, actor)
    if qr_text is not None:
        verdict = verify_text(session, text=qr_text, actor=actor)
        card = (
            session.scalar(select(Card).where(Card.card_number == verdict.card_number))
            if verdict.card_number
            else None
        )
    else:
        verdict, card = _verdict_for_number(session, card_number or "")
    scan = Scan(
        id=uuid7(),
        actor_id=actor.account_id,
        actor_username=actor.username,
        actor_role=actor.role.value,
        card_id=card.id if card else None,
        card_number=verdict.card_number,
        verdict=verdict.verdict,
        reason=verdict.reason[:500],
        lookup_reason=reason[:500],
        nonce=nonce or None,
        origin=actor.origin[:200],
    )
    session.add(scan)
    session.flush()
    auth_service.record(
        session,
        actor=actor,
        action="card.scan",
        object_type="card",
        object_id=card.id if card else None,
        reason=reason,
        detail={"verdict": verdict.verdict, "card_number": verdict.card_number},
    )
    return _view(session, verdict, card, scan, actor)


def _replay(session: Session, scan: Scan, actor: Actor) -> CardHolderView:
    card = session.get(Card, scan.card_id) if scan.card_id else None
    verdict = Verdict(
        verdict=scan.verdict,
        reason=scan.reason,
        claims=claims_of(card) if card else None,
        card_number=scan.card_number,
        status_checked=card is not None,
    )
    return _view(session, verdict, card, scan, actor)


def _place(lodging: LodgingRead | None) -> PlaceView | None:
    if lodging is None:
        return None
    return PlaceView(
        code=lodging.code, name=lodging.name, name_ar=lodging.name_ar, address=lodging.address
    )


def _view(
    session: Session, verdict: Verdict, card: Card | None, scan: Scan, actor: Actor
) -> CardHolderView:
    if verdict.verdict != "valid" or card is None:
        return CardHolderView(verdict=verdict, scan_id=scan.id, card_number=verdict.card_number)
    pilgrim = registry_service.get_pilgrim(
        session, pilgrim_id=card.pilgrim_id, actor=actor, reason=scan.lookup_reason
    )
    reg = _Registry(session, actor)
    company = reg.company(pilgrim.company_id)
    group = reg.group(pilgrim.group_id)
    passport = None
    if actor.can(Scope.PASSPORT_READ) and pilgrim.passport_number:
        passport = PassportView(
            passport_number=pilgrim.passport_number,
            passport_expiry=pilgrim.passport_expiry,
            date_of_birth=pilgrim.date_of_birth,
            nationality=pilgrim.nationality,
        )
    return CardHolderView(
        verdict=verdict,
        scan_id=scan.id,
        pilgrim_id=pilgrim.id,
        card_number=card.card_number,
        card_status=card.status,
        surname=pilgrim.surname,
        given_names=pilgrim.given_names,
        surname_ar=pilgrim.surname_ar,
        given_names_ar=pilgrim.given_names_ar,
        sex=pilgrim.sex,
        nationality=pilgrim.nationality,
        language=pilgrim.language,
        photo_url=f"/api/v1/pilgrims/{pilgrim.id}/photo" if pilgrim.has_photo else None,
        company_code=company.code,
        company_name=company.name,
        company_phone=company.contact_phone,
        group_code=group.code if group else None,
        group_name=group.name if group else None,
        leader_name=group.leader_name if group else None,
        leader_phone=group.leader_phone if group else None,
        mina_camp=_place(reg.lodging(pilgrim.mina_camp_id)),
        arafat_camp=_place(reg.lodging(pilgrim.arafat_camp_id)),
        makkah_lodging=_place(reg.lodging(pilgrim.makkah_lodging_id)),
        madinah_lodging=_place(reg.lodging(pilgrim.madinah_lodging_id)),
        passport=passport,
    )


def list_scans(session: Session, *, actor: Actor, limit: int = 50) -> list[ScanRead]:
    """The latest scans, accepted and refused, for the audit."""
    auth_service.require(actor, Scope.AUDIT_READ)
    rows = session.scalars(select(Scan).order_by(Scan.at.desc(), Scan.id.desc()).limit(limit))
    return [ScanRead.model_validate(r) for r in rows]
