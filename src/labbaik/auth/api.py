"""JSON API: who am I, and the audit log for operators."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel

from labbaik.auth import service
from labbaik.auth.deps import ApiActor
from labbaik.auth.schemas import AuditPage, AuditQuery
from labbaik.kit.pagination import MAX_PAGE_SIZE, PageRequest
from labbaik.web.deps import DbSession

router = APIRouter(prefix="/api/v1", tags=["auth"])


class Me(BaseModel):
    username: str
    role: str
    scopes: list[str]
    company_id: str | None


@router.get("/me")
def me(actor: ApiActor) -> Me:
    return Me(
        username=actor.username,
        role=actor.role.value,
        scopes=sorted(s.value for s in actor.scopes),
        company_id=str(actor.company_id) if actor.company_id else None,
    )


@router.get("/audit")
def audit(
    session: DbSession,
    actor: ApiActor,
    query: Annotated[AuditQuery, Depends()],
    page: Annotated[int, Query(ge=1)] = 1,
    size: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = 50,
) -> AuditPage:
    return service.search_audit(session, query=query, page=PageRequest(page, size), actor=actor)
