"""Pages of Tafweej: my next step, a company's schedules, the planner and the season's data."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Query, Request, UploadFile
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError

from labbaik.auth import service as auth_service
from labbaik.auth.deps import Csrf, PageActor
from labbaik.auth.roles import Scope
from labbaik.errors import InvalidInput
from labbaik.kit.timeutil import format_hijri, hijri_parts, to_riyadh, utcnow
from labbaik.registry import service as registry
from labbaik.tafweej import service
from labbaik.tafweej.errors import NoPublishedPlan
from labbaik.tafweej.planning.format import parse_instance
from labbaik.tafweej.schemas import (
    GroupDataWrite,
    GroupWish,
    MovementWrite,
    NextStep,
    PlanRead,
    ReplanRequest,
    RouteLoad,
    RouteWrite,
    SlotGridRead,
    SlotGridWrite,
)
from labbaik.web import nav
from labbaik.web.deps import DbSession
from labbaik.web.templating import lang_of, render

router = APIRouter(include_in_schema=False)

nav.register("/tafweej/next", "My next step", roles={"pilgrim"}, order=5)
nav.register("/tafweej/groups", "Schedules", roles={"company"}, order=40)
nav.register("/tafweej/planner", "Tafweej planner", roles={"operator", "admin"}, order=40)
nav.register("/tafweej/season", "Tafweej data", roles={"operator", "admin"}, order=41)

MAX_IMPORT_BYTES = 20_000_000


def _local(name: str, name_ar: str | None, lang: str) -> str:
    return name_ar if lang == "ar" and name_ar else name


def _parse_slots(text: str, field: str) -> list[int]:
    """'30, 34-36' -> [30, 34, 35, 36]: how an operator writes forbidden slots."""
    out: list[int] = []
    for raw in text.replace(";", ",").split(","):
        part = raw.strip()
        if not part:
            continue
        first, sep, last = part.partition("-")
        try:
            if sep:
                out.extend(range(int(first), int(last) + 1))
            else:
                out.append(int(part))
        except ValueError:
            raise InvalidInput(
                f"{field}: {part!r} is not a slot or a range such as 34-36"
            ) from None
    return out


def _slots_text(slots: list[int]) -> str:
    runs: list[str] = []
    for s in sorted(slots):
        if runs and "-" in runs[-1] and int(runs[-1].split("-")[1]) == s - 1:
            runs[-1] = f"{runs[-1].split('-')[0]}-{s}"
        elif runs and "-" not in runs[-1] and int(runs[-1]) == s - 1:
            runs[-1] = f"{runs[-1]}-{s}"
        else:
            runs.append(str(s))
    return ", ".join(runs)


def _slot_label(grid: SlotGridRead | None) -> Callable[[int], str]:
    """slot -> '10/12 06:30': the day of Dhu al-Hijjah and the Riyadh time the slot starts."""

    def label(slot: int) -> str:
        if grid is None:
            return ""
        when = to_riyadh(grid.start) + timedelta(minutes=grid.slot_minutes * slot)
        try:
            _, month, day = hijri_parts(when.date())
        except (ValueError, OverflowError):
            return f"{when:%H:%M}"
        return f"{day}/{month} {when:%H:%M}"

    return label


def _invalid(exc: ValidationError) -> InvalidInput:
    detail = "; ".join(
        f"{'.'.join(str(p) for p in err['loc']) or 'form'}: {err['msg']}" for err in exc.errors()
    )
    return InvalidInput(f"the form is not valid: {detail}")


# My next step ----------------------------------------------------------------------------------


def _step_view(step: NextStep, lang: str) -> dict[str, Any]:
    local = to_riyadh(step.starts_at)
    return {
        "s": step,
        "name": _local(step.name, step.name_ar, lang),
        "time": f"{local:%H:%M}",
        "until": f"{to_riyadh(step.ends_at):%H:%M}",
        "hijri": format_hijri(local.date(), lang),
        "route": _local(step.route.name, step.route.name_ar, lang),
        "assembly": _local(step.assembly.name, step.assembly.name_ar, lang)
        if step.assembly
        else "",
        "destination": _local(step.destination.name, step.destination.name_ar, lang)
        if step.destination
        else "",
    }


def _next_page(request: Request, steps: list[NextStep], all_steps: list[NextStep]) -> Response:
    lang = lang_of(request)
    context = {
        "steps": [_step_view(s, lang) for s in steps],
        "season_over": not steps and bool(all_steps),
        "schedule": [_step_view(s, lang) for s in all_steps] if not steps else [],
        "published": True,
    }
    return render(request, "tafweej/next.html", context)


def _pilgrim_steps(
    request: Request, session: DbSession, actor: PageActor, pilgrim_id: uuid.UUID
) -> Response:
    try:
        steps = service.next_steps(session, pilgrim_id=pilgrim_id, actor=actor, limit=4)
        # Past the season every step is over: the whole schedule is still worth showing.
        everything = (
            []
            if steps
            else service.next_steps(
                session,
                pilgrim_id=pilgrim_id,
                actor=actor,
                at=datetime.min.replace(tzinfo=UTC),
                limit=20,
            )
        )
    except NoPublishedPlan:
        return render(request, "tafweej/next.html", {"steps": [], "published": False})
    return _next_page(request, steps, everything)


@router.get("/tafweej/next")
def my_next_step(request: Request, session: DbSession, actor: PageActor) -> Response:
    if actor.pilgrim_id is None:
        raise InvalidInput("this page is for a pilgrim's account")
    return _pilgrim_steps(request, session, actor, actor.pilgrim_id)


@router.get("/tafweej/pilgrims/{pilgrim_id:uuid}")
def pilgrim_next_step(
    request: Request, session: DbSession, actor: PageActor, pilgrim_id: uuid.UUID
) -> Response:
    return _pilgrim_steps(request, session, actor, pilgrim_id)


# A company's groups ----------------------------------------------------------------------------


@router.get("/tafweej/groups")
def company_groups(request: Request, session: DbSession, actor: PageActor) -> Response:
    lang = lang_of(request)
    schedules = service.company_schedules(session, actor=actor)
    movements: list[dict[str, str]] = []
    for schedule in schedules:
        for step in schedule.steps:
            if step.movement not in [m["code"] for m in movements]:
                movements.append(
                    {"code": step.movement, "name": _local(step.name, step.name_ar, lang)}
                )
    rows = [
        {
            "g": schedule,
            "steps": {step.movement: _step_view(step, lang) for step in schedule.steps},
        }
        for schedule in schedules
    ]
    return render(request, "tafweej/groups.html", {"rows": rows, "movements": movements})


@router.get("/tafweej/groups/{group_id:uuid}")
def group_page(
    request: Request, session: DbSession, actor: PageActor, group_id: uuid.UUID
) -> Response:
    lang = lang_of(request)
    schedule = service.group_schedule(session, group_id=group_id, actor=actor)
    context = {"g": schedule, "steps": [_step_view(s, lang) for s in schedule.steps]}
    return render(request, "tafweej/group.html", context)


# The planner -----------------------------------------------------------------------------------

CHART_WIDTH = 720
CHART_HEIGHT = 160
_MINUTE = timedelta(minutes=1)


def _chart(load: RouteLoad, grid: SlotGridRead, lang: str) -> dict[str, Any] | None:
    """An inline SVG of a route's load per slot against its capacity, over the slots it is used."""
    used = [t for t, v in enumerate(load.load) if v]
    if not used:
        return None
    first, last = max(0, used[0] - 2), min(len(load.load) - 1, used[-1] + 2)
    slots = list(range(first, last + 1))
    top = max(*(load.capacity[t] for t in slots), *(load.load[t] for t in slots), 1)
    width = CHART_WIDTH / len(slots)

    def y(value: int) -> float:
        return round(CHART_HEIGHT - CHART_HEIGHT * value / top, 1)

    bars = []
    for i, t in enumerate(slots):
        value = load.load[t]
        capacity = load.capacity[t]
        share = value / capacity if capacity else 0
        when = to_riyadh(grid.start) + (t * grid.slot_minutes) * _MINUTE
        bars.append(
            {
                "x": round(i * width, 1),
                "y": y(value),
                "w": max(round(width - 1, 1), 1),
                "h": round(CHART_HEIGHT - y(value), 1),
                "full": share >= 0.9,
                "title": f"{format_hijri(when.date(), lang)} {when:%H:%M}: {value:,}/{capacity:,}",
            }
        )
    points = []
    for i, t in enumerate(slots):
        points += [
            f"{round(i * width, 1)},{y(load.capacity[t])}",
            f"{round((i + 1) * width, 1)},{y(load.capacity[t])}",
        ]
    days = []
    for i, t in enumerate(slots):
        when = to_riyadh(grid.start) + (t * grid.slot_minutes) * _MINUTE
        if i == 0 or (when.hour == 0 and when.minute == 0):
            days.append(
                {
                    "x": round(i * width, 1),
                    "label": format_hijri(when.date(), lang).split(" ")[0],
                    "time": f"{when:%H:%M}",
                }
            )
    return {
        "route": load,
        "name": _local(load.name, load.name_ar, lang),
        "bars": bars,
        "capacity": " ".join(points),
        "days": days,
        "top": top,
        "width": CHART_WIDTH,
        "height": CHART_HEIGHT,
    }


def _selected(plans: list[PlanRead], plan: str) -> PlanRead | None:
    if plan:
        return next((p for p in plans if str(p.id) == plan), None)
    return next((p for p in plans if p.is_published), plans[0] if plans else None)


@router.get("/tafweej/planner")
def planner(
    request: Request,
    session: DbSession,
    actor: PageActor,
    plan: Annotated[str, Query(max_length=40)] = "",
    season: int | None = None,
) -> Response:
    auth_service.require(actor, Scope.TAFWEEJ_PLAN)
    lang = lang_of(request)
    data = service.season_data(session, hijri_year=season, actor=actor, with_groups=False)
    plans = service.list_plans(session, hijri_year=data.hijri_year, actor=actor)
    chosen = _selected(plans, plan)
    charts: list[dict[str, Any]] = []
    busiest = []
    if chosen is not None and data.grid is not None:
        loads = service.route_loads(session, plan_id=chosen.id, actor=actor)
        charts = [c for c in (_chart(load, data.grid, lang) for load in loads) if c]
        busiest = service.busiest_slots(session, plan_id=chosen.id, loads=loads)
    context = {
        "data": data,
        "plans": plans,
        "chosen": chosen,
        "charts": charts,
        "busiest": busiest,
        "routes": {r.code: _local(r.name, r.name_ar, lang) for r in data.routes},
    }
    return render(request, "tafweej/planner.html", context)


@router.post("/tafweej/planner/run", dependencies=[Csrf])
def run_plan(
    session: DbSession,
    actor: PageActor,
    time_limit: Annotated[float, Form(gt=0, le=600)] = 20,
    season: Annotated[int | None, Form()] = None,
) -> Response:
    plan = service.run_plan(session, hijri_year=season, actor=actor, time_limit=time_limit)
    return RedirectResponse(f"/tafweej/planner?plan={plan.id}", status_code=303)


@router.post("/tafweej/planner/{plan_id:uuid}/publish", dependencies=[Csrf])
def publish_plan(session: DbSession, actor: PageActor, plan_id: uuid.UUID) -> Response:
    service.publish_plan(session, plan_id=plan_id, actor=actor)
    return RedirectResponse(f"/tafweej/planner?plan={plan_id}", status_code=303)


@router.post("/tafweej/planner/{plan_id:uuid}/replan", dependencies=[Csrf])
def replan(
    session: DbSession,
    actor: PageActor,
    plan_id: uuid.UUID,
    from_slot: Annotated[int, Form(ge=0)],
    late_group: Annotated[str, Form(max_length=40)] = "",
    late_slots: Annotated[int, Form(ge=0, le=1000)] = 0,
    closed_route: Annotated[str, Form(max_length=40)] = "",
) -> Response:
    try:
        request = ReplanRequest(
            from_slot=from_slot,
            late_groups={late_group.strip().upper(): late_slots} if late_group.strip() else {},
            closed_routes=[closed_route] if closed_route else [],
            time_limit=10,
        )
    except ValidationError as exc:
        raise _invalid(exc) from None
    plan = service.replan_plan(session, plan_id=plan_id, request=request, actor=actor)
    return RedirectResponse(f"/tafweej/planner?plan={plan.id}", status_code=303)


# The season's data -----------------------------------------------------------------------------


@router.get("/tafweej/season")
def season_page(
    request: Request,
    session: DbSession,
    actor: PageActor,
    season: int | None = None,
    movement: Annotated[str, Query(max_length=40)] = "",
    route: Annotated[str, Query(max_length=40)] = "",
) -> Response:
    auth_service.require(actor, Scope.TAFWEEJ_MANAGE)
    lang = lang_of(request)
    data = service.season_data(session, hijri_year=season, actor=actor)
    context = {
        "data": data,
        "lang_names": {p.code: _local(p.name, p.name_ar, lang) for p in data.places},
        "movement": next((m for m in data.movements if m.code == movement), None),
        "route": next((r for r in data.routes if r.code == route), None),
        "slots_text": _slots_text,
        "slot_label": _slot_label(data.grid),
        "start_local": to_riyadh(data.grid.start).strftime("%Y-%m-%dT%H:%M") if data.grid else "",
    }
    return render(request, "tafweej/season.html", context)


def _back(year: int) -> Response:
    return RedirectResponse(f"/tafweej/season?season={year}", status_code=303)


@router.post("/tafweej/season/grid", dependencies=[Csrf])
def save_grid(
    session: DbSession,
    actor: PageActor,
    season: Annotated[int, Form()],
    start: Annotated[str, Form(max_length=40)],
    slot_minutes: Annotated[int, Form()],
    slots: Annotated[int, Form()],
) -> Response:
    try:
        moment = datetime.fromisoformat(start)
    except ValueError:
        raise InvalidInput(f"start: {start!r} is not a date and time") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=to_riyadh(utcnow()).tzinfo)
    try:
        grid_in = SlotGridWrite(start=moment, slot_minutes=slot_minutes, slots=slots)
    except ValidationError as exc:
        raise _invalid(exc) from None
    service.set_grid(session, hijri_year=season, grid_in=grid_in, actor=actor)
    return _back(season)


@router.post("/tafweej/season/movements", dependencies=[Csrf])
def save_movement(
    session: DbSession,
    actor: PageActor,
    season: Annotated[int, Form()],
    code: Annotated[str, Form(max_length=40)],
    name: Annotated[str, Form(max_length=200)],
    hijri_day: Annotated[int, Form()],
    window_start: Annotated[int, Form()],
    window_end: Annotated[int, Form()],
    name_ar: Annotated[str, Form(max_length=200)] = "",
    position: Annotated[int, Form()] = 0,
    origin: Annotated[str, Form(max_length=40)] = "",
    destination: Annotated[str, Form(max_length=40)] = "",
    forbidden: Annotated[str, Form(max_length=4000)] = "",
    after: Annotated[str, Form(max_length=40)] = "",
    min_gap: Annotated[int, Form()] = 0,
) -> Response:
    try:
        movement_in = MovementWrite(
            code=code.strip(), name=name.strip(), name_ar=name_ar.strip() or None,
            hijri_day=hijri_day, position=position, origin=origin or None,
            destination=destination or None, window_start=window_start, window_end=window_end,
            forbidden=_parse_slots(forbidden, "forbidden"), after=after or None, min_gap=min_gap,
        )  # fmt: skip
    except ValidationError as exc:
        raise _invalid(exc) from None
    service.save_movement(session, hijri_year=season, movement_in=movement_in, actor=actor)
    return _back(season)


@router.post("/tafweej/season/routes", dependencies=[Csrf])
def save_route(
    session: DbSession,
    actor: PageActor,
    season: Annotated[int, Form()],
    code: Annotated[str, Form(max_length=40)],
    mode: Annotated[str, Form(max_length=8)],
    name: Annotated[str, Form(max_length=200)],
    capacity: Annotated[str, Form(max_length=20_000)],
    movements: Annotated[list[str], Form()],
    name_ar: Annotated[str, Form(max_length=200)] = "",
    duration: Annotated[int, Form()] = 1,
    assembly: Annotated[str, Form(max_length=40)] = "",
    destination: Annotated[str, Form(max_length=40)] = "",
    ticket_colour: Annotated[str, Form(max_length=32)] = "",
    bus_number: Annotated[str, Form(max_length=16)] = "",
    bus_colour: Annotated[str, Form(max_length=32)] = "",
) -> Response:
    values = _parse_slots(capacity, "capacity")
    try:
        route_in = RouteWrite.model_validate(
            {
                "code": code.strip(), "mode": mode, "name": name.strip(),
                "name_ar": name_ar.strip() or None,
                "capacity": values[0] if len(values) == 1 else values, "duration": duration,
                "movements": movements, "assembly": assembly or None,
                "destination": destination or None, "ticket_colour": ticket_colour or None,
                "bus_number": bus_number or None, "bus_colour": bus_colour or None,
            }
        )  # fmt: skip
    except ValidationError as exc:
        raise _invalid(exc) from None
    service.save_route(session, hijri_year=season, route_in=route_in, actor=actor)
    return _back(season)


@router.get("/tafweej/season/groups/{group_id:uuid}")
def group_data_page(
    request: Request,
    session: DbSession,
    actor: PageActor,
    group_id: uuid.UUID,
    season: int | None = None,
) -> Response:
    auth_service.require(actor, Scope.TAFWEEJ_MANAGE)
    data = service.season_data(session, hijri_year=season, actor=actor, with_groups=False)
    group = registry.get_group(session, group_id=group_id, actor=actor)
    found = service.list_group_data(
        session, hijri_year=data.hijri_year, actor=actor, group_ids={group.id}
    )
    camps = [
        c
        for c in registry.list_lodgings(session, site="mina")
        if c.company_id in (None, group.company_id)
    ]
    context = {
        "data": data,
        "group": group,
        "current": found[0] if found else None,
        "camps": camps,
        "slots_text": _slots_text,
        "slot_label": _slot_label(data.grid),
    }
    return render(request, "tafweej/group_data.html", context)


@router.post("/tafweej/season/groups/{group_id:uuid}", dependencies=[Csrf])
async def save_group_data(
    request: Request, session: DbSession, actor: PageActor, group_id: uuid.UUID
) -> Response:
    form = await request.form()
    year = str(form.get("season") or "")
    if year and not year.isdigit():
        raise InvalidInput(f"season: {year[:10]!r} is not a Hijri year")
    season = int(year) if year else None
    data = service.season_data(session, hijri_year=season, actor=actor, with_groups=False)
    wishes = {}
    for m in data.movements:
        preferred = str(form.get(f"preferred-{m.code}") or "").strip()
        forbidden = _parse_slots(str(form.get(f"forbidden-{m.code}") or ""), f"forbidden {m.code}")
        if not preferred.isdigit() and preferred:
            raise InvalidInput(f"preferred {m.code}: {preferred!r} is not a slot")
        wishes[m.code] = GroupWish(
            preferred=int(preferred) if preferred else None, forbidden=forbidden
        )
    camp = str(form.get("camp_id") or "")
    try:
        data_in = GroupDataWrite(
            routes=[str(r) for r in form.getlist("routes")],
            camp_id=uuid.UUID(camp) if camp else None,
            assembly=str(form.get("assembly") or "") or None,
            wishes=wishes,
        )
    except (ValidationError, ValueError) as exc:
        if isinstance(exc, ValidationError):
            raise _invalid(exc) from None
        raise InvalidInput(f"camp_id: {camp!r} is not an id") from None
    service.save_group_data(
        session, hijri_year=data.hijri_year, group_id=group_id, data_in=data_in, actor=actor
    )
    return _back(data.hijri_year)


@router.post("/tafweej/season/import", dependencies=[Csrf])
async def import_instance(
    request: Request,
    session: DbSession,
    actor: PageActor,
    season: Annotated[int, Form()],
    file: Annotated[UploadFile, File()],
) -> Response:
    raw = await file.read(MAX_IMPORT_BYTES + 1)
    if len(raw) > MAX_IMPORT_BYTES:
        raise InvalidInput(f"the file is larger than {MAX_IMPORT_BYTES // 1_000_000} MB")
    try:
        decoded = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InvalidInput(f"{file.filename}: not a JSON file ({exc})") from None
    summary = service.import_instance(
        session, hijri_year=season, instance=parse_instance(decoded), actor=actor
    )
    return render(request, "tafweej/imported.html", {"summary": summary, "season": season})
