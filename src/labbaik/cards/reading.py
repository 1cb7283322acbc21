"""What every card operation reads: the registry's companies, groups and camps (once per
operation), the cards the actor may see, and a card as the API shows it."""

from __future__ import annotations

import base64
import uuid
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from labbaik.auth.roles import Actor, Scope, system_actor
from labbaik.cards import credential
from labbaik.cards.models import Card, CardKey
from labbaik.cards.schemas import CardClaims, CardRead
from labbaik.errors import Forbidden
from labbaik.kit import cose
from labbaik.kit.timeutil import as_utc
from labbaik.registry import service as registry_service
from labbaik.registry.schemas import CompanyRead, GroupRead, LodgingRead


@dataclass
class Registry:
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


def pilgrims_query(actor: Actor) -> Select[Any]:
    return registry_service.pilgrims_for(actor)


def visible_pilgrim_ids(actor: Actor) -> Select[Any]:
    sub = registry_service.pilgrims_for(actor).subquery()
    return select(sub.c.id)


def cards_for(actor: Actor) -> Select[Card]:
    """Every card query starts here: the cards of the pilgrims the actor may see."""
    stmt = select(Card)
    if actor.can(Scope.REGISTRY_READ_ALL):
        return stmt
    return stmt.where(Card.pilgrim_id.in_(visible_pilgrim_ids(actor)))


def require_any(actor: Actor, *scopes: Scope) -> None:
    if not any(actor.can(s) for s in scopes):
        raise Forbidden(f"the {actor.role.value} role may not do this ({scopes[0].value})")


def claims_of(card: Card) -> CardClaims:
    message = cose.decode_sign1(credential.message_from_body(card.body))
    return credential.decode_claims(message.payload)


def read_card(card: Card, reg: Registry, *, replaces: str | None = None) -> CardRead:
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
