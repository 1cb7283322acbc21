"""JSON API of the health record: summary, record, entries, IPS, compliance, rules."""

from __future__ import annotations

import io
import uuid
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field

from labbaik.auth.deps import ApiActor
from labbaik.health import service
from labbaik.health.schemas import (
    CertificateRead,
    CompliancePage,
    ComplianceRead,
    HealthData,
    HealthRecordRead,
    HealthSummary,
    RuleSetIn,
    RuleSetRead,
)
from labbaik.kit.pagination import MAX_PAGE_SIZE, PageRequest
from labbaik.web.deps import DbSession

router = APIRouter(prefix="/api/v1/health", tags=["health"])
Reason = Annotated[str, Query(max_length=500, description="Why the record is read (audited).")]
_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@router.get("/pilgrims/{pilgrim_id}/summary")
def summary(
    session: DbSession, actor: ApiActor, pilgrim_id: uuid.UUID, reason: Reason = ""
) -> HealthSummary:
    return service.card_health_summary(session, pilgrim_id=pilgrim_id, actor=actor, reason=reason)


@router.get("/pilgrims/{pilgrim_id}")
def get_record(
    session: DbSession, actor: ApiActor, pilgrim_id: uuid.UUID, reason: Reason = ""
) -> HealthRecordRead:
    return service.get_record(session, pilgrim_id=pilgrim_id, actor=actor, reason=reason)


@router.put("/pilgrims/{pilgrim_id}")
def save_record(
    session: DbSession, actor: ApiActor, pilgrim_id: uuid.UUID, data: HealthData
) -> HealthRecordRead:
    return service.save_record(session, pilgrim_id=pilgrim_id, data=data, actor=actor)


@router.post("/pilgrims/{pilgrim_id}/entries")
def add_entries(
    session: DbSession, actor: ApiActor, pilgrim_id: uuid.UUID, data: HealthData
) -> ComplianceRead:
    """Add to the record; sending the same entries again adds nothing (safe to retry)."""
    return service.add_entries(session, pilgrim_id=pilgrim_id, data=data, actor=actor)


@router.get("/pilgrims/{pilgrim_id}/compliance")
def compliance(session: DbSession, actor: ApiActor, pilgrim_id: uuid.UUID) -> ComplianceRead:
    return service.compliance_status(session, pilgrim_id=pilgrim_id, actor=actor)


@router.post("/pilgrims/{pilgrim_id}/ips")
async def import_ips(
    request: Request, session: DbSession, actor: ApiActor, pilgrim_id: uuid.UUID
) -> ComplianceRead:
    """Import an IPS document Bundle (FHIR R4 JSON as the body); 422 lists every problem."""
    raw = await request.body()
    return service.import_ips(session, pilgrim_id=pilgrim_id, raw=raw, actor=actor)


@router.get("/pilgrims/{pilgrim_id}/ips")
def export_ips(
    session: DbSession, actor: ApiActor, pilgrim_id: uuid.UUID, reason: Reason = ""
) -> dict[str, Any]:
    return service.export_ips(session, pilgrim_id=pilgrim_id, actor=actor, reason=reason)


class CertificateIn(BaseModel):
    text: str = Field(min_length=1, max_length=8000, description="The QR text, 'HC1:...'.")


@router.post("/pilgrims/{pilgrim_id}/certificates")
def record_certificate(
    session: DbSession, actor: ApiActor, pilgrim_id: uuid.UUID, certificate: CertificateIn
) -> CertificateRead:
    """Verify an EU DCC / WHO GDHCN certificate and add the doses it proves (once)."""
    return service.record_certificate(
        session, pilgrim_id=pilgrim_id, text=certificate.text, actor=actor
    )


@router.post("/trust-list")
async def load_trust_list(request: Request, session: DbSession, actor: ApiActor) -> dict[str, int]:
    """Add signer certificates (PEM, or the JSON trust list) that certificates are checked with."""
    added = service.load_trust_list(session, raw=await request.body(), actor=actor)
    return {"added": added}


@router.get("/compliance")
def list_compliance(
    session: DbSession,
    actor: ApiActor,
    status: Literal["compliant", "not_compliant", "no_record", "no_rules"] | None = None,
    page: Annotated[int, Query(ge=1)] = 1,
    size: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = 50,
) -> CompliancePage:
    return service.list_compliance(
        session, actor=actor, page=PageRequest(page, size), status=status
    )


@router.get("/compliance.{fmt}")
def export_compliance(
    session: DbSession,
    actor: ApiActor,
    fmt: Literal["csv", "xlsx"],
    status: Literal["compliant", "not_compliant", "no_record", "no_rules"] | None = None,
) -> Response:
    stream = io.BytesIO()
    service.export_compliance(session, actor=actor, stream=stream, fmt=fmt, status=status)
    headers = {"Content-Disposition": f'attachment; filename="compliance.{fmt}"'}
    return Response(stream.getvalue(), media_type=_TYPES[fmt], headers=headers)


@router.get("/rules/{hijri_year}")
def get_rules(session: DbSession, _actor: ApiActor, hijri_year: int) -> RuleSetRead:
    return service.get_rules(session, hijri_year=hijri_year)


@router.put("/rules")
def load_rules(
    session: DbSession, actor: ApiActor, rules_in: Annotated[RuleSetIn, Body()]
) -> RuleSetRead:
    return service.load_rules(session, rules_in=rules_in, actor=actor)
