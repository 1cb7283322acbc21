"""Pages of the registry: the pilgrim list and search, a pilgrim, the companies, the seasons."""

from __future__ import annotations

import uuid
from collections import Counter
from datetime import date
from typing import Annotated, Any
from urllib.parse import urlencode

from babel import Locale
from babel.dates import format_date as babel_format_date
from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy.orm import Session

from labbaik.auth import service as auth_service
from labbaik.auth.deps import Csrf, PageActor
from labbaik.auth.roles import Actor, Scope
from labbaik.db import settle_error
from labbaik.errors import InvalidInput
from labbaik.kit.pagination import PageRequest, page_count
from labbaik.kit.timeutil import format_gregorian, format_hijri, hijri_parts, to_riyadh, utcnow
from labbaik.registry import service
from labbaik.registry.countries import country_name
from labbaik.registry.errors import CompanyNotFound, DuplicateCode, GroupNotFound
from labbaik.registry.schemas import (
    CompanyRead,
    GroupRead,
    SeasonCreate,
    SeasonRead,
    SeasonUpdate,
)
from labbaik.web import nav
from labbaik.web.deps import DbSession
from labbaik.web.templating import lang_of, render

router = APIRouter(include_in_schema=False)

PAGE_SIZE = 50
# Past this many groups (an operator's whole season) a drop-down is too long to scroll on a phone
# and too heavy to send with every page: the filter becomes a field for the group's code.
GROUP_CHOICES = 200

nav.register("/pilgrims", "Pilgrims", roles={"operator", "admin", "officer", "company"}, order=10)
nav.register("/companies", "Companies", roles={"operator", "admin", "officer"}, order=20)
# A company works for one company: its link goes straight to that company's page.
nav.register("/company", "My company", roles={"company"}, order=20)
nav.register("/seasons", "Seasons", roles={"operator", "admin"}, order=30)


def _optional_id(value: str, field: str) -> uuid.UUID | None:
    # A form's "all" option sends an empty value, which a UUID parameter would refuse.
    if not value:
        return None
    try:
        return uuid.UUID(value)
    except ValueError:
        raise InvalidInput(f"{field}: {value[:40]!r} is not an id") from None


def _local_name(name: str, name_ar: str | None, lang: str) -> str:
    return name_ar if lang == "ar" and name_ar else name


# Pilgrims --------------------------------------------------------------------------------------


@router.get("/pilgrims")
def pilgrims(
    request: Request,
    session: DbSession,
    actor: PageActor,
    q: Annotated[str, Query(max_length=200)] = "",
    group: Annotated[str, Query(max_length=32)] = "",
    group_id: str = "",
    company_id: str = "",
    page: Annotated[int, Query(ge=1)] = 1,
) -> Response:
    lang = lang_of(request)
    company_filter = _optional_id(company_id, "company_id")
    company = (
        service.get_company(session, company_id=company_filter, actor=actor)
        if company_filter
        else None
    )
    # One query for the groups gives the group code of every row and the filter's choices.
    groups = (
        service.list_groups(session, actor=actor, company_id=company_filter, with_counts=False)
        if actor.can(Scope.REGISTRY_READ)
        else []
    )
    group_filter = _optional_id(group_id, "group_id")
    code = group.strip().upper()
    if code:
        group_filter = next((g.id for g in groups if g.code == code), None)
        if group_filter is None:
            raise GroupNotFound(f"no group has the code {code!r} this season")
    result = service.list_pilgrims(
        session,
        actor=actor,
        page=PageRequest(page, PAGE_SIZE),
        query=q,
        company_id=company_filter,
        group_id=group_filter,
    )
    filters = {"q": q, "group": group, "group_id": group_id, "company_id": company_id}
    kept = {key: value for key, value in filters.items() if value}
    pages = page_count(result.total, PAGE_SIZE)
    codes = {g.id: g.code for g in groups}
    context = {
        "result": result,
        "pages": pages,
        "q": q,
        "group_id": group_filter,
        "group_code": codes.get(group_filter) if group_filter else "",
        "groups": groups if len(groups) <= GROUP_CHOICES else [],
        "group_codes": codes,
        "company": company,
        "company_name": _local_name(company.name, company.name_ar, lang) if company else "",
        "countries": {c: country_name(c, lang) for c in {p.nationality for p in result.items}},
        "prev_url": f"/pilgrims?{urlencode(kept | {'page': page - 1})}" if page > 1 else None,
        "next_url": f"/pilgrims?{urlencode(kept | {'page': page + 1})}" if page < pages else None,
    }
    return render(request, "registry/pilgrims.html", context)


def _visible_company(session: Session, company_id: uuid.UUID, actor: Actor) -> CompanyRead | None:
    # A field worker may look up a pilgrim but not read the company's record: show what is allowed.
    try:
        return service.get_company(session, company_id=company_id, actor=actor)
    except CompanyNotFound:
        return None


def _visible_group(session: Session, group_id: uuid.UUID | None, actor: Actor) -> GroupRead | None:
    if group_id is None:
        return None
    try:
        return service.get_group(session, group_id=group_id, actor=actor)
    except GroupNotFound:
        return None


def _language_name(code: str, lang: str) -> str:
    name = Locale.parse(lang).languages.get(code)
    return str(name) if name else code


def _lodging_name(session: Session, lodging_id: uuid.UUID, lang: str) -> str:
    lodging = service.get_lodging(session, lodging_id=lodging_id)
    return _local_name(lodging.name, lodging.name_ar, lang)


@router.get("/pilgrims/{pilgrim_id:uuid}")
def pilgrim(
    request: Request, session: DbSession, actor: PageActor, pilgrim_id: uuid.UUID
) -> Response:
    lang = lang_of(request)
    record = service.get_pilgrim(session, pilgrim_id=pilgrim_id, actor=actor)
    company = _visible_company(session, record.company_id, actor)
    lodging_ids = {
        "makkah": record.makkah_lodging_id,
        "madinah": record.madinah_lodging_id,
        "mina": record.mina_camp_id,
        "arafat": record.arafat_camp_id,
    }
    initials = (record.given_names[:1] + record.surname[:1]).upper()
    context = {
        "p": record,
        "initials": initials,
        "company": company,
        "company_name": _local_name(company.name, company.name_ar, lang) if company else "",
        "group": _visible_group(session, record.group_id, actor),
        "lodgings": {
            site: _lodging_name(session, lodging_id, lang) if lodging_id else None
            for site, lodging_id in lodging_ids.items()
        },
        "nationality": country_name(record.nationality, lang),
        "language": _language_name(record.language, lang),
    }
    return render(request, "registry/pilgrim.html", context)


@router.get("/pilgrims/{pilgrim_id:uuid}/photo")
def pilgrim_photo(session: DbSession, actor: PageActor, pilgrim_id: uuid.UUID) -> Response:
    content_type, data = service.get_photo(session, pilgrim_id=pilgrim_id, actor=actor)
    # A face is personal data: no shared cache may keep it.
    return Response(
        data, media_type=content_type, headers={"Cache-Control": "private, max-age=300"}
    )


# Companies -------------------------------------------------------------------------------------


@router.get("/companies")
def companies(request: Request, session: DbSession, actor: PageActor) -> Response:
    lang = lang_of(request)
    listed = service.list_companies(session, actor=actor)
    # The groups of the season, once, give every company's counts (and refuse roles that may not
    # read the registry).
    groups = service.list_groups(session, actor=actor)
    group_counts = Counter(g.company_id for g in groups)
    pilgrim_counts: Counter[uuid.UUID] = Counter()
    for g in groups:
        pilgrim_counts[g.company_id] += g.pilgrim_count
    rows = [
        {
            "company": c,
            "name": _local_name(c.name, c.name_ar, lang),
            "country": country_name(c.country, lang),
            "groups": group_counts[c.id],
            "pilgrims": pilgrim_counts[c.id],
        }
        for c in listed
    ]
    return render(request, "registry/companies.html", {"rows": rows})


@router.get("/company")
def my_company(actor: PageActor) -> Response:
    if actor.company_id is None:
        raise CompanyNotFound("this account does not work for a company")
    return RedirectResponse(f"/companies/{actor.company_id}", status_code=303)


@router.get("/companies/{company_id:uuid}")
def company(
    request: Request, session: DbSession, actor: PageActor, company_id: uuid.UUID
) -> Response:
    lang = lang_of(request)
    record = service.get_company(session, company_id=company_id, actor=actor)
    groups = service.list_groups(session, actor=actor, company_id=record.id)
    context = {
        "c": record,
        "name": _local_name(record.name, record.name_ar, lang),
        "country": country_name(record.country, lang),
        "groups": groups,
        "total": sum(g.pilgrim_count for g in groups),
    }
    return render(request, "registry/company.html", context)


# Seasons ---------------------------------------------------------------------------------------


def _hajj_days(season: SeasonRead, lang: str) -> list[dict[str, Any]]:
    return [
        {
            "day": day,
            "weekday": babel_format_date(when, "EEEE", locale=lang),
            "gregorian": format_gregorian(when, lang),
        }
        for day, when in season.hajj_days().items()
    ]


def _calendar_note(season: SeasonRead, lang: str) -> str:
    """The Umm al-Qura date of the entered day 8 when it is not 8 Dhu al-Hijjah of that year.

    The sighting of the moon may move the day from the calendar; a different year is a typing
    error. Either way the operator should see it.
    """
    if season.day_8 is None:
        return ""
    try:
        if hijri_parts(season.day_8) == (season.hijri_year, 12, 8):
            return ""
    except (ValueError, OverflowError):
        return ""
    return format_hijri(season.day_8, lang)


def _hijri_year_today() -> int:
    return hijri_parts(to_riyadh(utcnow()).date())[0]


def _seasons_page(
    request: Request,
    session: Session,
    *,
    errors: frozenset[str] = frozenset(),
    form: dict[str, str] | None = None,
    failed_season: uuid.UUID | None = None,
    duplicate_year: int | None = None,
    status: int = 200,
) -> Response:
    lang = lang_of(request)
    listed = service.list_seasons(session)
    seasons = [
        {"s": s, "days": _hajj_days(s, lang), "calendar_note": _calendar_note(s, lang)}
        for s in listed
    ]
    context = {
        "seasons": seasons,
        "next_year": max(s.hijri_year for s in listed) + 1 if listed else _hijri_year_today(),
        "errors": errors,
        "form": form or {},
        "failed_season": failed_season,
        "duplicate_year": duplicate_year,
    }
    return render(request, "registry/seasons.html", context, status=status)


def _invalid_fields(exc: ValidationError) -> frozenset[str]:
    return frozenset(str(err["loc"][0]) for err in exc.errors() if err.get("loc"))


@router.get("/seasons")
def seasons(request: Request, session: DbSession, actor: PageActor) -> Response:
    auth_service.require(actor, Scope.SEASON_MANAGE)
    return _seasons_page(request, session)


@router.post("/seasons", dependencies=[Csrf])
def create_season(
    request: Request,
    session: DbSession,
    actor: PageActor,
    hijri_year: Annotated[str, Form()] = "",
    name: Annotated[str, Form()] = "",
    day_8: Annotated[str, Form()] = "",
) -> Response:
    auth_service.require(actor, Scope.SEASON_MANAGE)
    form = {"hijri_year": hijri_year, "name": name, "day_8": day_8}
    try:
        season_in = SeasonCreate.model_validate(
            {"hijri_year": hijri_year, "name": name.strip(), "day_8": day_8 or None}
        )
    except ValidationError as exc:
        return _seasons_page(request, session, errors=_invalid_fields(exc), form=form, status=422)
    try:
        service.create_season(session, season_in=season_in, actor=actor)
    except DuplicateCode as exc:
        settle_error(session, exc)
        return _seasons_page(
            request, session, form=form, duplicate_year=season_in.hijri_year, status=409
        )
    return RedirectResponse("/seasons", status_code=303)


@router.post("/seasons/{season_id:uuid}/day-8", dependencies=[Csrf])
def set_day_8(
    request: Request,
    session: DbSession,
    actor: PageActor,
    season_id: uuid.UUID,
    day_8: Annotated[str, Form()] = "",
) -> Response:
    auth_service.require(actor, Scope.SEASON_MANAGE)
    try:
        when = date.fromisoformat(day_8)
    except ValueError:
        return _seasons_page(
            request, session, errors=frozenset({"day_8"}), failed_season=season_id, status=422
        )
    season_in = SeasonUpdate(day_8=when)
    service.update_season(session, season_id=season_id, season_in=season_in, actor=actor)
    return RedirectResponse("/seasons", status_code=303)


@router.post("/seasons/{season_id:uuid}/current", dependencies=[Csrf])
def make_current(session: DbSession, actor: PageActor, season_id: uuid.UUID) -> Response:
    service.set_current_season(session, season_id=season_id, actor=actor)
    return RedirectResponse("/seasons", status_code=303)
