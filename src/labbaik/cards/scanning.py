"""Verifying cards against this server's trust list and the cards' status, and the scan:
verify, record (accepted or refused), and show the holder as the actor's role may see."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from labbaik.auth import service as auth_service
from labbaik.auth.roles import Actor, Scope
from labbaik.cards import credential, keys, verify
from labbaik.cards.models import Card, Scan
from labbaik.cards.reading import Registry, claims_of
from labbaik.cards.schemas import (
    CardHolderView,
    PassportView,
    PaymentCard,
    PlaceView,
    ScanRead,
    Verdict,
)
from labbaik.errors import InvalidInput
from labbaik.health import service as health_service
from labbaik.kit.ids import is_valid_check, uuid7
from labbaik.kit.timeutil import as_utc, utcnow
from labbaik.registry import service as registry_service
from labbaik.registry.schemas import LodgingRead


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
    verdict = _verified(session, text, at=at)
    # The claims name the holder, so even a bare verification is in the audit log.
    auth_service.record(
        session,
        actor=actor,
        action="card.verify",
        object_type="card",
        detail={"verdict": verdict.verdict, "card_number": verdict.card_number},
    )
    return verdict


def _verified(session: Session, text: str | bytes, *, at: datetime | None = None) -> Verdict:
    return _with_database_status(
        session, verify.verify_card(text, trust=trust_store(session), at=at)
    )


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


def _read(
    session: Session, *, qr_text: str | None, card_number: str | None
) -> tuple[Verdict, Card | None]:
    if qr_text is None:
        return _verdict_for_number(session, card_number or "")
    verdict = _verified(session, qr_text)
    if verdict.card_number is None:
        return verdict, None
    return verdict, session.scalar(select(Card).where(Card.card_number == verdict.card_number))


def _record(
    session: Session,
    *,
    actor: Actor,
    verdict: Verdict,
    card: Card | None,
    action: str,
    reason: str,
    nonce: str | None = None,
) -> Scan:
    """Every read of a card, accepted or refused, is a scan and an entry of the audit log."""
    scan = Scan(
        id=uuid7(),
        actor_id=actor.account_id,
        actor_username=actor.username,
        actor_role=actor.role.value,
        card_id=card.id if card else None,
        card_number=card.card_number if card else None,
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
        action=action,
        object_type="card",
        object_id=card.id if card else None,
        reason=reason,
        detail={"verdict": verdict.verdict, "card_number": verdict.card_number},
    )
    return scan


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
    if nonce and len(nonce) > 64:
        raise InvalidInput("a scan's nonce is at most 64 characters")
    if nonce:
        first = session.scalar(
            select(Scan).where(Scan.actor_username == actor.username, Scan.nonce == nonce)
        )
        if first is not None:
            return _replay(session, first, actor)
    verdict, card = _read(session, qr_text=qr_text, card_number=card_number)
    scan = _record(
        session, actor=actor, verdict=verdict, card=card, action="card.scan", reason=reason,
        nonce=nonce,
    )  # fmt: skip
    return _view(session, verdict, card, scan, actor)


def masked_name(given_names: str, surname: str) -> str:
    """Given names "Ahmed Ali", surname "Khan": "Ahmed K.", enough for a till to greet the payer."""
    parts = [*given_names.split(maxsplit=1)[:1], *(f"{c}." for c in surname.strip()[:1])]
    return " ".join(parts)


def read_for_payment(session: Session, *, card: str, actor: Actor) -> PaymentCard:
    """A till reads a card (its QR text or its number) to ask its holder for a payment.

    Narrower than `lookup`: the merchant gets the verdict and a masked name, never the holder's
    record, so the till's scope suffices and no `card:scan` is needed. The read is recorded as a
    scan and in the audit log either way."""
    auth_service.require(actor, Scope.MERCHANT_TILL)
    text = card.strip()
    if not text:
        raise InvalidInput("card: scan the pilgrim's card or type its number")
    qr_text, number = (text, None) if text.startswith(credential.PREFIX) else (None, text)
    verdict, row = _read(session, qr_text=qr_text, card_number=number)
    _record(
        session, actor=actor, verdict=verdict, card=row, action="card.payment_read",
        reason="payment at a till",
    )  # fmt: skip
    if not verdict.ok or row is None:
        return PaymentCard(
            verdict=verdict.verdict, reason=verdict.reason, card_number=verdict.card_number
        )
    claims = verdict.claims or claims_of(row)
    return PaymentCard(
        verdict="valid",
        reason=verdict.reason,
        card_number=row.card_number,
        pilgrim_id=row.pilgrim_id,
        masked_name=masked_name(claims.given_names, claims.surname),
    )


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
    reg = Registry(session, actor)
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
    health = None
    if actor.can(Scope.HEALTH_READ):
        # The health domain checks and audits this read itself, with the scan's reason.
        health = health_service.card_health_summary(
            session, pilgrim_id=pilgrim.id, actor=actor, reason=scan.lookup_reason
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
        health=health,
    )


def list_scans(session: Session, *, actor: Actor, limit: int = 50) -> list[ScanRead]:
    """The latest scans, accepted and refused, for the audit."""
    auth_service.require(actor, Scope.AUDIT_READ)
    rows = session.scalars(select(Scan).order_by(Scan.at.desc(), Scan.id.desc()).limit(limit))
    return [ScanRead.model_validate(r) for r in rows]
