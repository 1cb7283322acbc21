"""The status list: two bits a card (valid, revoked, suspended), signed, for offline verifiers."""

from __future__ import annotations

import zlib
from collections.abc import Mapping
from datetime import datetime, timedelta

import cbor2
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from labbaik.cards import credential, keys
from labbaik.cards.models import Card
from labbaik.cards.verify import (
    CWT_STATUS_LIST,
    CWT_TTL,
    STATUS_INVALID,
    STATUS_LIST_TYP,
    STATUS_SUSPENDED,
)
from labbaik.kit import cose
from labbaik.kit.timeutil import utcnow
from labbaik.settings import get_settings

LIST_VALIDITY = timedelta(days=7)
LIST_TTL = 3600
_LIST_STATUS = {"revoked": STATUS_INVALID, "retired": STATUS_INVALID, "suspended": STATUS_SUSPENDED}


def pack_statuses(statuses: Mapping[int, int], *, size: int) -> bytes:
    """Two bits per index, least significant first in each byte; indices not named are 0."""
    out = bytearray((size + 3) // 4)
    for index, status in statuses.items():
        out[index >> 2] |= (status & 3) << ((index & 3) * 2)
    return bytes(out)


def build_status_token(
    statuses: bytes, *, signer: cose.Signer, sub: str, at: datetime, valid_for: timedelta, ttl: int
) -> bytes:
    """The status list CWT (docs/credential.md, section 5) over packed statuses."""
    claims = {
        credential.CWT_SUB: sub,
        credential.CWT_IAT: int(at.timestamp()),
        credential.CWT_EXP: int((at + valid_for).timestamp()),
        CWT_TTL: ttl,
        CWT_STATUS_LIST: {"bits": 2, "lst": zlib.compress(statuses, 9)},
    }
    return cose.sign1(cbor2.dumps(claims), signer, protected={cose.HEADER_TYP: STATUS_LIST_TYP})


def list_subject() -> str:
    return f"urn:labbaik:{get_settings().card_issuer}:cards:status"


def status_token(session: Session, *, at: datetime | None = None) -> bytes:
    """The signed list of every card ever issued, from the database as it is now."""
    at = (at or utcnow()).replace(microsecond=0)
    size = (session.scalar(select(func.max(Card.serial))) or 0) + 1
    changed = session.execute(
        select(Card.serial, Card.status).where(Card.status.in_(tuple(_LIST_STATUS)))
    )
    packed = pack_statuses({serial: _LIST_STATUS[state] for serial, state in changed}, size=size)
    _, signer = keys.any_current_signer(session)
    return build_status_token(
        packed, signer=signer, sub=list_subject(), at=at, valid_for=LIST_VALIDITY, ttl=LIST_TTL
    )
