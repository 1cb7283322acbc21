"""JSON API of the registry: seasons, companies, groups, lodgings, pilgrims."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Request, UploadFile
from fastapi.responses import Response

from labbaik.auth.deps import ApiActor
from labbaik.kit.pagination import MAX_PAGE_SIZE, PageRequest
from labbaik.registry import service
from labbaik.registry.schemas import (
    CompanyCreate,
    CompanyRead,
    GroupCreate,
    GroupRead,
    LodgingCreate,
    LodgingRead,
    PilgrimCreate,
    PilgrimFromMRZ,
    PilgrimPage,
    PilgrimRead,
    PilgrimUpdate,
    SeasonCreate,
    SeasonRead,
    SeasonUpdate,
)
from labbaik.web.deps import DbSession

router = APIRouter(prefix="/api/v1", tags=["registry"])


@router.get("/seasons")
def list_seasons(session: DbSession, _actor: ApiActor) -> list[SeasonRead]:
    return service.list_seasons(session)


@router.post("/seasons", status_code=201)
def create_season(session: DbSession, actor: ApiActor, season_in: SeasonCreate) -> SeasonRead:
    return service.create_season(session, season_in=season_in, actor=actor)


@router.patch("/seasons/{season_id}")
def update_season(
    session: DbSession, actor: ApiActor, season_id: uuid.UUID, season_in: SeasonUpdate
) -> SeasonRead:
    return service.update_season(session, season_id=season_id, season_in=season_in, actor=actor)


@router.get("/companies")
def list_companies(session: DbSession, actor: ApiActor) -> list[CompanyRead]:
    return service.list_companies(session, actor=actor)


@router.post("/companies", status_code=201)
def create_company(session: DbSession, actor: ApiActor, company_in: CompanyCreate) -> CompanyRead:
    return service.create_company(session, company_in=company_in, actor=actor)


@router.get("/companies/{company_id}")
def get_company(session: DbSession, actor: ApiActor, company_id: uuid.UUID) -> CompanyRead:
    return service.get_company(session, company_id=company_id, actor=actor)


@router.get("/groups")
def list_groups(
    session: DbSession, actor: ApiActor, company_id: uuid.UUID | None = None
) -> list[GroupRead]:
    return service.list_groups(session, actor=actor, company_id=company_id)


@router.post("/groups", status_code=201)
def create_group(session: DbSession, actor: ApiActor, group_in: GroupCreate) -> GroupRead:
    return service.create_group(session, group_in=group_in, actor=actor)


@router.get("/lodgings")
def list_lodgings(
    session: DbSession, _actor: ApiActor, site: str | None = None
) -> list[LodgingRead]:
    return service.list_lodgings(session, site=site)


@router.post("/lodgings", status_code=201)
def create_lodging(session: DbSession, actor: ApiActor, lodging_in: LodgingCreate) -> LodgingRead:
    return service.create_lodging(session, lodging_in=lodging_in, actor=actor)


@router.get("/pilgrims")
def list_pilgrims(
    session: DbSession,
    actor: ApiActor,
    q: str = "",
    company_id: uuid.UUID | None = None,
    group_id: uuid.UUID | None = None,
    page: Annotated[int, Query(ge=1)] = 1,
    size: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = 50,
) -> PilgrimPage:
    return service.list_pilgrims(
        session,
        actor=actor,
        page=PageRequest(page, size),
        query=q,
        company_id=company_id,
        group_id=group_id,
    )


@router.post("/pilgrims", status_code=201)
def create_pilgrim(session: DbSession, actor: ApiActor, pilgrim_in: PilgrimCreate) -> PilgrimRead:
    return service.create_pilgrim(session, pilgrim_in=pilgrim_in, actor=actor)


@router.post("/pilgrims/from-mrz", status_code=201)
def create_pilgrim_from_mrz(
    session: DbSession, actor: ApiActor, pilgrim_in: PilgrimFromMRZ
) -> PilgrimRead:
    return service.create_pilgrim_from_mrz(session, pilgrim_in=pilgrim_in, actor=actor)


@router.get("/pilgrims/{pilgrim_id}")
def get_pilgrim(
    session: DbSession, actor: ApiActor, pilgrim_id: uuid.UUID, reason: str | None = None
) -> PilgrimRead:
    return service.get_pilgrim(session, pilgrim_id=pilgrim_id, actor=actor, reason=reason)


@router.patch("/pilgrims/{pilgrim_id}")
def update_pilgrim(
    session: DbSession, actor: ApiActor, pilgrim_id: uuid.UUID, pilgrim_in: PilgrimUpdate
) -> PilgrimRead:
    return service.update_pilgrim(
        session, pilgrim_id=pilgrim_id, pilgrim_in=pilgrim_in, actor=actor
    )


@router.put("/pilgrims/{pilgrim_id}/photo", status_code=204)
async def put_photo(
    request: Request, session: DbSession, actor: ApiActor, pilgrim_id: uuid.UUID, photo: UploadFile
) -> Response:
    data = await photo.read(service.MAX_PHOTO_BYTES + 1)
    service.set_photo(
        session,
        pilgrim_id=pilgrim_id,
        content_type=photo.content_type or "",
        data=data,
        actor=actor,
    )
    return Response(status_code=204)


@router.get("/pilgrims/{pilgrim_id}/photo")
def get_photo(session: DbSession, actor: ApiActor, pilgrim_id: uuid.UUID) -> Response:
    content_type, data = service.get_photo(session, pilgrim_id=pilgrim_id, actor=actor)
    return Response(
        data, media_type=content_type, headers={"Cache-Control": "private, max-age=300"}
    )
