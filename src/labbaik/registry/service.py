"""The registry: seasons, companies, groups, lodgings and pilgrims, scoped to the actor."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import IO, Any, Literal

from sqlalchemy import Select, and_, false, func, select, update
from sqlalchemy.orm import Session

from labbaik.auth import service as auth_service
from labbaik.auth.roles import Actor, Scope
from labbaik.errors import FieldProblem, Forbidden, InvalidInput
from labbaik.kit import events
from labbaik.kit.pagination import PageRequest
from labbaik.registry import mrz, tabular
from labbaik.registry.errors import (
    CompanyNotFound,
    DuplicateCode,
    DuplicatePassport,
    GroupNotFound,
    InvalidMRZ,
    LodgingNotFound,
    NoCurrentSeason,
    PilgrimNotFound,
    SeasonNotFound,
)
from labbaik.registry.events import PilgrimChanged
from labbaik.registry.models import Company, Group, Lodging, Pilgrim, PilgrimPhoto, Season
from labbaik.registry.schemas import (
    CompanyCreate,
    CompanyRead,
    GroupCreate,
    GroupRead,
    LodgingCreate,
    LodgingRead,
    PilgrimCreate,
    PilgrimFields,
    PilgrimFromMRZ,
    PilgrimPage,
    PilgrimRead,
    PilgrimSummary,
    PilgrimUpdate,
    SeasonCreate,
    SeasonRead,
    SeasonUpdate,
)
from labbaik.registry.search import search_text, terms

PHOTO_TYPES = {"image/jpeg", "image/png", "image/webp"}
MAX_PHOTO_BYTES = 2_000_000


# Seasons ---------------------------------------------------------------------------------------


def create_season(session: Session, *, season_in: SeasonCreate, actor: Actor) -> SeasonRead:
    auth_service.require(actor, Scope.SEASON_MANAGE)
    if session.scalar(select(Season.id).where(Season.hijri_year == season_in.hijri_year)):
        raise DuplicateCode(f"a season for {season_in.hijri_year} AH already exists")
    first = session.scalar(select(func.count()).select_from(Season)) == 0
    season = Season(**season_in.model_dump(), is_current=first)
    session.add(season)
    session.flush()
    auth_service.record(
        session, actor=actor, action="season.create", object_type="season", object_id=season.id
    )
    return SeasonRead.model_validate(season)


def update_season(
    session: Session, *, season_id: uuid.UUID, season_in: SeasonUpdate, actor: Actor
) -> SeasonRead:
    auth_service.require(actor, Scope.SEASON_MANAGE)
    season = session.get(Season, season_id)
    if season is None:
        raise SeasonNotFound("no such season")
    changes = season_in.model_dump(exclude_unset=True)
    for key, value in changes.items():
        setattr(season, key, value)
    auth_service.record(
        session,
        actor=actor,
        action="season.update",
        object_type="season",
        object_id=season.id,
        detail={k: str(v) for k, v in changes.items()},
    )
    return SeasonRead.model_validate(season)


def set_current_season(session: Session, *, season_id: uuid.UUID, actor: Actor) -> SeasonRead:
    auth_service.require(actor, Scope.SEASON_MANAGE)
    season = session.get(Season, season_id)
    if season is None:
        raise SeasonNotFound("no such season")
    session.execute(update(Season).where(Season.id != season_id).values(is_current=False))
    season.is_current = True
    session.flush()
    auth_service.record(
        session,
        actor=actor,
        action="season.make_current",
        object_type="season",
        object_id=season_id,
    )
    return SeasonRead.model_validate(season)


def list_seasons(session: Session) -> list[SeasonRead]:
    rows = session.scalars(select(Season).order_by(Season.hijri_year.desc()))
    return [SeasonRead.model_validate(s) for s in rows]


def current_season(session: Session) -> SeasonRead:
    season = session.scalar(select(Season).where(Season.is_current.is_(True)))
    if season is None:
        raise NoCurrentSeason("no season is open yet: an operator must create one")
    return SeasonRead.model_validate(season)


def season_by_year(session: Session, *, hijri_year: int) -> SeasonRead:
    season = session.scalar(select(Season).where(Season.hijri_year == hijri_year))
    if season is None:
        raise SeasonNotFound(f"no season for {hijri_year} AH")
    return SeasonRead.model_validate(season)


# Companies -------------------------------------------------------------------------------------


def _companies_for(actor: Actor) -> Select[Company]:
    stmt = select(Company)
    if actor.can(Scope.REGISTRY_READ_ALL) or actor.can(Scope.COMPANY_MANAGE):
        return stmt
    if actor.company_id is not None:
        return stmt.where(Company.id == actor.company_id)
    return stmt.where(false())


def create_company(session: Session, *, company_in: CompanyCreate, actor: Actor) -> CompanyRead:
    auth_service.require(actor, Scope.COMPANY_MANAGE)
    if session.scalar(select(Company.id).where(Company.code == company_in.code)):
        raise DuplicateCode(f"a company with code {company_in.code} already exists")
    company = Company(**company_in.model_dump())
    session.add(company)
    session.flush()
    auth_service.record(
        session,
        actor=actor,
        action="company.create",
        object_type="company",
        object_id=company.id,
        detail={"code": company.code},
    )
    return CompanyRead.model_validate(company)


def list_companies(session: Session, *, actor: Actor) -> list[CompanyRead]:
    rows = session.scalars(_companies_for(actor).order_by(Company.code))
    return [CompanyRead.model_validate(c) for c in rows]


def get_company(session: Session, *, company_id: uuid.UUID, actor: Actor) -> CompanyRead:
    company = session.scalar(_companies_for(actor).where(Company.id == company_id))
    if company is None:
        raise CompanyNotFound("no such company")
    return CompanyRead.model_validate(company)


def get_company_by_code(session: Session, *, code: str, actor: Actor) -> CompanyRead:
    company = session.scalar(_companies_for(actor).where(Company.code == code.strip().upper()))
    if company is None:
        raise CompanyNotFound(f"no company with code {code!r}")
    return CompanyRead.model_validate(company)


def _require_company_access(session: Session, *, company_id: uuid.UUID, actor: Actor) -> None:
    if session.scalar(_companies_for(actor).where(Company.id == company_id)) is None:
        raise CompanyNotFound("no such company")


# Groups and lodgings ---------------------------------------------------------------------------


def create_group(session: Session, *, group_in: GroupCreate, actor: Actor) -> GroupRead:
    auth_service.require(actor, Scope.REGISTRY_WRITE)
    _require_company_access(session, company_id=group_in.company_id, actor=actor)
    season = current_season(session)
    exists = select(Group.id).where(Group.season_id == season.id, Group.code == group_in.code)
    if session.scalar(exists):
        raise DuplicateCode(f"a group with code {group_in.code} already exists this season")
    group = Group(season_id=season.id, **group_in.model_dump())
    session.add(group)
    session.flush()
    auth_service.record(
        session, actor=actor, action="group.create", object_type="group", object_id=group.id
    )
    return GroupRead.model_validate(group)


def list_groups(
    session: Session,
    *,
    actor: Actor,
    company_id: uuid.UUID | None = None,
    with_counts: bool = True,
) -> list[GroupRead]:
    """The season's groups the actor may see; counting their pilgrims reads the whole season,
    so a page that only needs codes asks without counts."""
    auth_service.require(actor, Scope.REGISTRY_READ)
    season = current_season(session)
    stmt = select(Group).where(Group.season_id == season.id)
    if not actor.can(Scope.REGISTRY_READ_ALL):
        stmt = stmt.where(Group.company_id == actor.company_id)
    if company_id is not None:
        stmt = stmt.where(Group.company_id == company_id)
    groups = [GroupRead.model_validate(g) for g in session.scalars(stmt.order_by(Group.code))]
    if with_counts and groups:
        counts = select(Pilgrim.group_id, func.count()).where(Pilgrim.season_id == season.id)
        if company_id is not None or not actor.can(Scope.REGISTRY_READ_ALL):
            counts = counts.where(Pilgrim.company_id == (company_id or actor.company_id))
        by_group = dict(session.execute(counts.group_by(Pilgrim.group_id)).all())
        for group in groups:
            group.pilgrim_count = by_group.get(group.id, 0)
    return groups


def get_group(session: Session, *, group_id: uuid.UUID, actor: Actor) -> GroupRead:
    group = session.get(Group, group_id)
    visible = group is not None and (
        actor.can(Scope.REGISTRY_READ_ALL)
        or actor.can(Scope.PILGRIM_LOOKUP)
        or group.company_id == actor.company_id
    )
    if group is None or not visible:
        raise GroupNotFound("no such group")
    return GroupRead.model_validate(group)


def create_lodging(session: Session, *, lodging_in: LodgingCreate, actor: Actor) -> LodgingRead:
    auth_service.require(actor, Scope.SEASON_MANAGE)
    if lodging_in.kind == "camp" and lodging_in.site not in ("mina", "arafat"):
        raise InvalidInput("camps stand in Mina or Arafat; hotels in Makkah or Madinah")
    if lodging_in.kind == "hotel" and lodging_in.site not in ("makkah", "madinah"):
        raise InvalidInput("hotels stand in Makkah or Madinah; camps in Mina or Arafat")
    season = current_season(session)
    exists = select(Lodging.id).where(
        Lodging.season_id == season.id, Lodging.code == lodging_in.code
    )
    if session.scalar(exists):
        raise DuplicateCode(f"a lodging with code {lodging_in.code} already exists this season")
    lodging = Lodging(season_id=season.id, **lodging_in.model_dump())
    session.add(lodging)
    session.flush()
    auth_service.record(
        session, actor=actor, action="lodging.create", object_type="lodging", object_id=lodging.id
    )
    return LodgingRead.model_validate(lodging)


_LODGING_COLUMNS = {
    "makkah": Pilgrim.makkah_lodging_id,
    "madinah": Pilgrim.madinah_lodging_id,
    "mina": Pilgrim.mina_camp_id,
    "arafat": Pilgrim.arafat_camp_id,
}


def list_lodgings(session: Session, *, site: str | None = None) -> list[LodgingRead]:
    season = current_season(session)
    stmt = select(Lodging).where(Lodging.season_id == season.id)
    if site:
        stmt = stmt.where(Lodging.site == site)
    lodgings = list(session.scalars(stmt.order_by(Lodging.site, Lodging.code)))
    occupants: dict[uuid.UUID, int] = {}
    for column in _LODGING_COLUMNS.values():
        rows = session.execute(
            select(column, func.count())
            .where(Pilgrim.season_id == season.id, column.is_not(None))
            .group_by(column)
        )
        for lodging_id, count in rows:
            if lodging_id is not None:
                occupants[lodging_id] = occupants.get(lodging_id, 0) + count
    out = []
    for lodging in lodgings:
        read = LodgingRead.model_validate(lodging)
        read.occupants = occupants.get(lodging.id, 0)
        out.append(read)
    return out


def get_lodging(session: Session, *, lodging_id: uuid.UUID) -> LodgingRead:
    lodging = session.get(Lodging, lodging_id)
    if lodging is None:
        raise LodgingNotFound("no such lodging")
    return LodgingRead.model_validate(lodging)


def _check_placement(
    session: Session, *, company_id: uuid.UUID, season_id: uuid.UUID, values: dict[str, Any]
) -> None:
    """A pilgrim's group belongs to the pilgrim's company, and each lodging sits where it should."""
    group_id = values.get("group_id")
    if group_id is not None:
        group = session.get(Group, group_id)
        if group is None or group.company_id != company_id or group.season_id != season_id:
            raise GroupNotFound("no such group in this company and season")
    for field, site in (
        ("makkah_lodging_id", "makkah"),
        ("madinah_lodging_id", "madinah"),
        ("mina_camp_id", "mina"),
        ("arafat_camp_id", "arafat"),
    ):
        lodging_id = values.get(field)
        if lodging_id is None:
            continue
        lodging = session.get(Lodging, lodging_id)
        if lodging is None or lodging.site != site or lodging.season_id != season_id:
            raise LodgingNotFound(f"{field}: no such lodging in {site} this season")


# Pilgrims --------------------------------------------------------------------------------------


def pilgrims_for(actor: Actor, *, lookup: bool = False) -> Select[Pilgrim]:
    """Every query of pilgrims starts here: the rows this actor may see, and no others.

    lookup=True is the reach of a field worker, medic or officer who helps one pilgrim at a
    time (after a card scan); it never opens a list.
    """
    stmt = select(Pilgrim)
    if actor.can(Scope.REGISTRY_READ_ALL) or (lookup and actor.can(Scope.PILGRIM_LOOKUP)):
        return stmt
    if actor.can(Scope.REGISTRY_READ) and actor.company_id is not None:
        return stmt.where(Pilgrim.company_id == actor.company_id)
    if actor.can(Scope.OWN_RECORD) and actor.pilgrim_id is not None:
        return stmt.where(Pilgrim.id == actor.pilgrim_id)
    return stmt.where(false())


_SEARCHED = ("surname", "given_names", "surname_ar", "given_names_ar", "passport_number")


def _fields_for_search(values: dict[str, Any]) -> str:
    return search_text(*(values.get(k) for k in _SEARCHED))


def pilgrim_row_values(fields: PilgrimFields) -> dict[str, Any]:
    """The column values of a pilgrim's own fields, with the search text derived from them."""
    values = fields.model_dump(include=set(PilgrimFields.model_fields))
    values["search_text"] = _fields_for_search(values)
    return values


def create_pilgrim(session: Session, *, pilgrim_in: PilgrimCreate, actor: Actor) -> PilgrimRead:
    auth_service.require(actor, Scope.REGISTRY_WRITE)
    _require_company_access(session, company_id=pilgrim_in.company_id, actor=actor)
    season = current_season(session)
    placement = pilgrim_in.model_dump(exclude=set(PilgrimFields.model_fields))
    _check_placement(
        session, company_id=pilgrim_in.company_id, season_id=season.id, values=placement
    )
    duplicate = select(Pilgrim.id).where(
        Pilgrim.season_id == season.id,
        Pilgrim.nationality == pilgrim_in.nationality,
        Pilgrim.passport_number == pilgrim_in.passport_number,
    )
    if session.scalar(duplicate):
        raise DuplicatePassport(
            f"a pilgrim with {pilgrim_in.nationality} passport {pilgrim_in.passport_number} "
            "is already registered this season"
        )
    pilgrim = Pilgrim(season_id=season.id, **placement, **pilgrim_row_values(pilgrim_in))
    session.add(pilgrim)
    session.flush()
    auth_service.record(
        session, actor=actor, action="pilgrim.create", object_type="pilgrim", object_id=pilgrim.id
    )
    return _read(session, pilgrim, actor)


def create_pilgrim_from_mrz(
    session: Session, *, pilgrim_in: PilgrimFromMRZ, actor: Actor
) -> PilgrimRead:
    try:
        parsed = mrz.parse(pilgrim_in.mrz)
    except mrz.MRZError as exc:
        raise InvalidMRZ(str(exc), problems=[FieldProblem(exc.field, exc.message)]) from None
    values = pilgrim_in.model_dump(exclude={"mrz"})
    values.update(
        surname=parsed.surname.title(),
        given_names=parsed.given_names.title(),
        sex=parsed.sex,
        date_of_birth=parsed.date_of_birth,
        nationality=parsed.nationality,
        passport_number=parsed.document_number,
        passport_expiry=parsed.date_of_expiry,
    )
    return create_pilgrim(session, pilgrim_in=PilgrimCreate(**values), actor=actor)


def _get_row(
    session: Session, *, pilgrim_id: uuid.UUID, actor: Actor, lookup: bool = False
) -> Pilgrim:
    pilgrim = session.scalar(pilgrims_for(actor, lookup=lookup).where(Pilgrim.id == pilgrim_id))
    if pilgrim is None:
        raise PilgrimNotFound("no such pilgrim")
    return pilgrim


def _read(session: Session, pilgrim: Pilgrim, actor: Actor) -> PilgrimRead:
    read = PilgrimRead.model_validate(pilgrim)
    read.has_photo = (
        session.scalar(select(PilgrimPhoto.pilgrim_id).where(PilgrimPhoto.pilgrim_id == pilgrim.id))
        is not None
    )
    own = actor.pilgrim_id == pilgrim.id
    if not (actor.can(Scope.PASSPORT_READ) or own):
        read.passport_number = None
        read.passport_expiry = None
        read.date_of_birth = None
    return read


def get_pilgrim(
    session: Session, *, pilgrim_id: uuid.UUID, actor: Actor, reason: str | None = None
) -> PilgrimRead:
    """One pilgrim's record. A read of personal data, so it is written to the audit log."""
    pilgrim = _get_row(session, pilgrim_id=pilgrim_id, actor=actor, lookup=True)
    auth_service.record(
        session,
        actor=actor,
        action="pilgrim.read",
        object_type="pilgrim",
        object_id=pilgrim.id,
        reason=reason,
    )
    return _read(session, pilgrim, actor)


def update_pilgrim(
    session: Session, *, pilgrim_id: uuid.UUID, pilgrim_in: PilgrimUpdate, actor: Actor
) -> PilgrimRead:
    auth_service.require(actor, Scope.REGISTRY_WRITE)
    pilgrim = _get_row(session, pilgrim_id=pilgrim_id, actor=actor)
    changes = pilgrim_in.model_dump(exclude_unset=True)
    _check_placement(
        session, company_id=pilgrim.company_id, season_id=pilgrim.season_id, values=changes
    )
    for key, value in changes.items():
        setattr(pilgrim, key, value)
    pilgrim.search_text = _fields_for_search({k: getattr(pilgrim, k) for k in _SEARCHED})
    session.flush()
    auth_service.record(
        session,
        actor=actor,
        action="pilgrim.update",
        object_type="pilgrim",
        object_id=pilgrim.id,
        detail={"fields": sorted(changes)},
    )
    if changes:
        events.publish(
            session, PilgrimChanged(pilgrim_id=pilgrim.id, fields=frozenset(changes), actor=actor)
        )
    return _read(session, pilgrim, actor)


def list_pilgrims(
    session: Session,
    *,
    actor: Actor,
    page: PageRequest,
    query: str = "",
    company_id: uuid.UUID | None = None,
    group_id: uuid.UUID | None = None,
) -> PilgrimPage:
    """Pilgrims the actor may see, searched by name in either script, passport number or group."""
    if not (actor.can(Scope.REGISTRY_READ) or actor.can(Scope.OWN_RECORD)):
        raise Forbidden(f"the {actor.role.value} role may not list pilgrims")
    season = current_season(session)
    stmt = pilgrims_for(actor).where(Pilgrim.season_id == season.id)
    words = terms(query)
    if words:
        stmt = stmt.where(and_(*(Pilgrim.search_text.contains(w, autoescape=True) for w in words)))
    if company_id is not None:
        stmt = stmt.where(Pilgrim.company_id == company_id)
    if group_id is not None:
        stmt = stmt.where(Pilgrim.group_id == group_id)
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = session.scalars(
        stmt.order_by(Pilgrim.surname, Pilgrim.given_names, Pilgrim.id)
        .offset(page.offset)
        .limit(page.size)
    )
    items = [PilgrimSummary.model_validate(p) for p in rows]
    if not actor.can(Scope.PASSPORT_READ):
        for item in items:
            item.passport_number = None
    auth_service.record(
        session,
        actor=actor,
        action="pilgrim.list",
        object_type="pilgrim",
        detail={"query": query[:100], "page": page.page, "returned": len(items)},
    )
    return PilgrimPage(items=items, total=total, page=page.page, size=page.size)


def set_photo(
    session: Session, *, pilgrim_id: uuid.UUID, content_type: str, data: bytes, actor: Actor
) -> None:
    auth_service.require(actor, Scope.REGISTRY_WRITE)
    pilgrim = _get_row(session, pilgrim_id=pilgrim_id, actor=actor)
    if content_type not in PHOTO_TYPES:
        raise InvalidInput(f"a photo is JPEG, PNG or WebP, not {content_type}")
    if not data or len(data) > MAX_PHOTO_BYTES:
        raise InvalidInput(f"a photo is between 1 byte and {MAX_PHOTO_BYTES // 1000} kB")
    photo = session.get(PilgrimPhoto, pilgrim.id)
    if photo is None:
        session.add(PilgrimPhoto(pilgrim_id=pilgrim.id, content_type=content_type, data=data))
    else:
        photo.content_type, photo.data = content_type, data
    auth_service.record(
        session,
        actor=actor,
        action="pilgrim.photo_write",
        object_type="pilgrim",
        object_id=pilgrim.id,
    )


def get_photo(session: Session, *, pilgrim_id: uuid.UUID, actor: Actor) -> tuple[str, bytes]:
    pilgrim = _get_row(session, pilgrim_id=pilgrim_id, actor=actor, lookup=True)
    photo = session.get(PilgrimPhoto, pilgrim.id)
    if photo is None:
        raise PilgrimNotFound("this pilgrim has no photo")
    # A face is personal data of its own: the read is logged like the record's.
    auth_service.record(
        session,
        actor=actor,
        action="pilgrim.photo_read",
        object_type="pilgrim",
        object_id=pilgrim.id,
    )
    return photo.content_type, photo.data


def count_pilgrims(session: Session, *, actor: Actor) -> int:
    season = current_season(session)
    stmt = pilgrims_for(actor).where(Pilgrim.season_id == season.id)
    return session.scalar(select(func.count()).select_from(stmt.subquery())) or 0


def write_table(
    stream: IO[bytes],
    *,
    rows: Iterable[tabular.ExportRow],
    columns: tuple[str, ...],
    fmt: Literal["csv", "xlsx"],
    title: str,
) -> int:
    """A list of pilgrims (of any domain) written as the registry writes its exports."""
    if fmt == "csv":
        return tabular.write_csv(stream, rows, columns=columns)
    return tabular.write_xlsx(stream, rows, columns=columns, title=title)
