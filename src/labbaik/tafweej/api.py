"""JSON API of Tafweej: season data, instances, plans, schedules and a pilgrim's next steps."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Body, Header, Query
from fastapi.responses import JSONResponse

from labbaik.auth.deps import ApiActor
from labbaik.errors import Forbidden
from labbaik.tafweej import service
from labbaik.tafweej.planning.format import parse_instance
from labbaik.tafweej.schemas import (
    GroupDataRead,
    GroupDataWrite,
    GroupSchedule,
    ImportSummary,
    MovementRead,
    MovementWrite,
    NextStep,
    PlaceRead,
    PlaceWrite,
    PlanDetail,
    PlanRead,
    PlanRun,
    ReplanRequest,
    RouteLoad,
    RouteRead,
    RouteWrite,
    SeasonData,
    SlotGridRead,
    SlotGridWrite,
)
from labbaik.web.deps import DbSession

router = APIRouter(prefix="/api/v1/tafweej", tags=["tafweej"])

IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        max_length=100,
        description="A retried request with the same key gets the first answer.",
    ),
]
At = Annotated[datetime | None, Query(description="As at this moment (default: now).")]
Limit = Annotated[int, Query(ge=1, le=20)]


# Season data -----------------------------------------------------------------------------------


@router.get("/seasons/{year}")
def get_season(session: DbSession, actor: ApiActor, year: int) -> SeasonData:
    return service.season_data(session, hijri_year=year, actor=actor)


@router.put("/seasons/{year}/grid")
def put_grid(
    session: DbSession, actor: ApiActor, year: int, grid_in: SlotGridWrite
) -> SlotGridRead:
    return service.set_grid(session, hijri_year=year, grid_in=grid_in, actor=actor)


@router.put("/seasons/{year}/places")
def put_place(session: DbSession, actor: ApiActor, year: int, place_in: PlaceWrite) -> PlaceRead:
    return service.save_place(session, hijri_year=year, place_in=place_in, actor=actor)


@router.put("/seasons/{year}/movements")
def put_movement(
    session: DbSession, actor: ApiActor, year: int, movement_in: MovementWrite
) -> MovementRead:
    return service.save_movement(session, hijri_year=year, movement_in=movement_in, actor=actor)


@router.delete("/seasons/{year}/movements/{code}", status_code=204)
def delete_movement(session: DbSession, actor: ApiActor, year: int, code: str) -> None:
    service.delete_movement(session, hijri_year=year, code=code, actor=actor)


@router.put("/seasons/{year}/routes")
def put_route(session: DbSession, actor: ApiActor, year: int, route_in: RouteWrite) -> RouteRead:
    return service.save_route(session, hijri_year=year, route_in=route_in, actor=actor)


@router.delete("/seasons/{year}/routes/{code}", status_code=204)
def delete_route(session: DbSession, actor: ApiActor, year: int, code: str) -> None:
    service.delete_route(session, hijri_year=year, code=code, actor=actor)


@router.put("/seasons/{year}/groups/{group_id}")
def put_group(
    session: DbSession, actor: ApiActor, year: int, group_id: uuid.UUID, data_in: GroupDataWrite
) -> GroupDataRead:
    return service.save_group_data(
        session, hijri_year=year, group_id=group_id, data_in=data_in, actor=actor
    )


@router.get("/seasons/{year}/instance", response_class=JSONResponse)
def export_instance(session: DbSession, actor: ApiActor, year: int) -> JSONResponse:
    """The season as an interchange instance (docs/tafweej-format.md)."""
    exported = service.export_instance(session, hijri_year=year, actor=actor)
    return JSONResponse(exported.instance.model_dump(mode="json", exclude_none=True))


@router.post("/seasons/{year}/instance")
def import_instance(
    session: DbSession,
    actor: ApiActor,
    year: int,
    instance: Annotated[dict[str, Any], Body(description="An interchange instance.")],
) -> ImportSummary:
    return service.import_instance(
        session, hijri_year=year, instance=parse_instance(instance), actor=actor
    )


# Plans -----------------------------------------------------------------------------------------


@router.get("/seasons/{year}/plans")
def list_plans(session: DbSession, actor: ApiActor, year: int) -> list[PlanRead]:
    return service.list_plans(session, hijri_year=year, actor=actor)


@router.post("/seasons/{year}/plans", status_code=201)
def run_plan(
    session: DbSession,
    actor: ApiActor,
    year: int,
    run: PlanRun,
    idempotency_key: IdempotencyKey = None,
) -> PlanRead:
    """Plan the season from its data, run the validator, and store the plan (not published)."""
    return service.run_plan(
        session,
        hijri_year=year,
        actor=actor,
        time_limit=run.time_limit,
        client_key=idempotency_key,
    )


@router.get("/plans/{plan_id}")
def get_plan(session: DbSession, actor: ApiActor, plan_id: uuid.UUID) -> PlanDetail:
    return service.get_plan(session, plan_id=plan_id, actor=actor)


@router.get("/plans/{plan_id}/loads")
def plan_loads(session: DbSession, actor: ApiActor, plan_id: uuid.UUID) -> list[RouteLoad]:
    return service.route_loads(session, plan_id=plan_id, actor=actor)


@router.post("/plans/{plan_id}/publish")
def publish_plan(session: DbSession, actor: ApiActor, plan_id: uuid.UUID) -> PlanRead:
    return service.publish_plan(session, plan_id=plan_id, actor=actor)


@router.post("/plans/{plan_id}/replan", status_code=201)
def replan(
    session: DbSession,
    actor: ApiActor,
    plan_id: uuid.UUID,
    request: ReplanRequest,
    idempotency_key: IdempotencyKey = None,
) -> PlanRead:
    """Re-plan from a slot on for late groups or closed routes; says how many groups moved."""
    return service.replan_plan(
        session, plan_id=plan_id, request=request, actor=actor, client_key=idempotency_key
    )


# Schedules -------------------------------------------------------------------------------------


@router.get("/groups")
def list_group_schedules(session: DbSession, actor: ApiActor) -> list[GroupSchedule]:
    """The published schedules of the groups the caller may list (a company: its own)."""
    return service.company_schedules(session, actor=actor)


@router.get("/groups/{group_id}/schedule")
def group_schedule(session: DbSession, actor: ApiActor, group_id: uuid.UUID) -> GroupSchedule:
    return service.group_schedule(session, group_id=group_id, actor=actor)


@router.get("/groups/{group_id}/next-steps")
def group_next_steps(
    session: DbSession, actor: ApiActor, group_id: uuid.UUID, at: At = None, limit: Limit = 3
) -> list[NextStep]:
    return service.group_next_steps(session, group_id=group_id, actor=actor, at=at, limit=limit)


@router.get("/pilgrims/{pilgrim_id}/next-steps")
def pilgrim_next_steps(
    session: DbSession, actor: ApiActor, pilgrim_id: uuid.UUID, at: At = None, limit: Limit = 3
) -> list[NextStep]:
    return service.next_steps(session, pilgrim_id=pilgrim_id, actor=actor, at=at, limit=limit)


@router.get("/me/next-steps")
def my_next_steps(
    session: DbSession, actor: ApiActor, at: At = None, limit: Limit = 3
) -> list[NextStep]:
    """The calling pilgrim's own next steps."""
    if actor.pilgrim_id is None:
        raise Forbidden("only a pilgrim's account has its own next steps")
    return service.next_steps(session, pilgrim_id=actor.pilgrim_id, actor=actor, at=at, limit=limit)
