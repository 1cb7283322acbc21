"""Incoming signed health certificates: the operator's trust list, and recording what they prove."""

from __future__ import annotations

import hashlib
import uuid
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from labbaik.auth import service as auth_service
from labbaik.auth.roles import Actor, Scope
from labbaik.errors import FieldProblem
from labbaik.health import dcc
from labbaik.health.errors import CertificateRefused, HealthRecordNotFound
from labbaik.health.models import HealthRecord, TrustedSigner
from labbaik.health.schemas import CertificateRead, HealthData
from labbaik.health.service import Pilgrim, compliance_of, store, unseal
from labbaik.kit.timeutil import utcnow
from labbaik.registry import service as registry_service


def load_trust_list(session: Session, *, raw: bytes, actor: Actor) -> int:
    """Add the signer certificates of a trust list file; how many were new."""
    auth_service.require(actor, Scope.SEASON_MANAGE)
    added = 0
    for cert in dcc.parse_trust_list(raw):
        fingerprint = hashlib.sha256(cert.der).hexdigest()
        if session.scalar(select(TrustedSigner.id).where(TrustedSigner.fingerprint == fingerprint)):
            continue
        session.add(
            TrustedSigner(
                kid=cert.kid.hex(),
                fingerprint=fingerprint,
                country=cert.country[:2] if cert.country else None,
                subject=cert.subject,
                certificate=cert.der,
            )
        )
        added += 1
    session.flush()
    auth_service.record(
        session,
        actor=actor,
        action="health.trust_load",
        object_type="trusted_signer",
        detail={"added": added},
    )
    return added


def trust_list(session: Session) -> list[dcc.TrustedCertificate]:
    return [dcc.trusted(der) for der in session.scalars(select(TrustedSigner.certificate))]


def _born_as_stated(stated: str | None, born: date) -> bool:
    # A certificate may give only the year, or the year and month.
    return not stated or born.isoformat().startswith(stated[:10])


def record_certificate(
    session: Session,
    *,
    pilgrim_id: uuid.UUID,
    text: str,
    actor: Actor,
    at: datetime | None = None,
) -> CertificateRead:
    """Verify a pilgrim's EU DCC / GDHCN certificate against the trust list; add what it proves.

    Only a valid certificate of this pilgrim (same date of birth) changes the record; the same
    certificate again adds nothing.
    """
    auth_service.require(actor, Scope.HEALTH_WRITE)
    lookup = actor.can(Scope.HEALTH_READ)
    stmt = registry_service.pilgrims_for(actor, lookup=lookup).subquery()
    row = session.execute(
        select(
            stmt.c.id, stmt.c.season_id, stmt.c.company_id, stmt.c.nationality, stmt.c.date_of_birth
        ).where(stmt.c.id == pilgrim_id)
    ).first()
    if row is None:
        raise HealthRecordNotFound("no such pilgrim")
    pilgrim = Pilgrim(row[0], row[1], row[2], row[3])
    result = dcc.verify(text, trust_list(session), at=at or utcnow())
    if result.verdict != dcc.Verdict.VALID:
        raise CertificateRefused(
            f"the certificate is not accepted: {result.verdict.value} ({result.message})",
            problems=[FieldProblem("certificate", result.message)],
        )
    if not _born_as_stated(result.date_of_birth, row[4]):
        raise CertificateRefused(
            "the certificate is of another person: the date of birth differs",
            problems=[FieldProblem("certificate", "the date of birth differs")],
        )
    record_row = session.get(HealthRecord, pilgrim.id)
    old = unseal(record_row) if record_row is not None else HealthData()
    known = {d.certificate_id for d in old.immunizations if d.certificate_id}
    proved = [d for d in dcc.immunizations(result) if d.certificate_id not in known]
    data = old.model_copy(update={"immunizations": [*old.immunizations, *proved]})
    record_row = store(
        session, pilgrim=pilgrim, row=record_row, data=data, actor=actor, action="health.dcc"
    )
    return CertificateRead(
        verdict=result.verdict.value,
        message=result.message,
        issuer_country=result.issuer_country,
        issued_at=result.issued_at,
        expires_at=result.expires_at,
        doses_added=len(proved),
        compliance=compliance_of(record_row, pilgrim.id),
    )
