"""The demo season: a deterministic, realistic Hajj season to try Labbaik on."""

from __future__ import annotations

import random
import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from typing import Literal

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from sqlalchemy.orm import Session

from labbaik.auth import service as auth_service
from labbaik.auth.roles import Actor, Role, system_actor
from labbaik.auth.schemas import AccountCreate
from labbaik.cards import keys as card_keys
from labbaik.cards import service as cards
from labbaik.db import session_scope, upgrade
from labbaik.errors import NotFound
from labbaik.health import service as health
from labbaik.kit.pagination import PageRequest
from labbaik.registry import importer, mrz
from labbaik.registry import service as registry
from labbaik.registry.demo_people import (
    COMPANY_TEMPLATES,
    HOTELS,
    CompanyTemplate,
    DemoPerson,
    generate_people,
)
from labbaik.registry.schemas import (
    CompanyCreate,
    CompanyRead,
    GroupCreate,
    LodgingCreate,
    LodgingRead,
    SeasonCreate,
)
from labbaik.registry.tabular import Row
from labbaik.settings import get_settings
from labbaik.tafweej import demo as tafweej_demo
from labbaik.wallet import demo as wallet_demo

HIJRI_YEAR = 1447
# 8 Dhu al-Hijjah 1447 by the Umm al-Qura calendar; a real season takes it from the sighting.
DAY_8 = date(2026, 5, 25)
# The demo's one password, printed for every role. Demo data only: never a real deployment.
DEMO_PASSWORD = "labbaik-demo-1447"  # noqa: S105
PILGRIMS_PER_COMPANY = 1_500
MINA_CAMP_SIZE = 2_000
ARAFAT_CAMP_SIZE = 3_000


@dataclass(frozen=True)
class DemoLogin:
    username: str
    role: Role
    note: str


def run(*, pilgrims: int, seed: int) -> None:
    """Migrate, build the season unless it is there already, and print the logins."""
    upgrade()
    with session_scope() as session:
        if _already_built(session):
            typer.echo(f"The demo season {HIJRI_YEAR} AH is already in the database.")
        else:
            build(session, pilgrims=pilgrims, seed=seed)
    with session_scope() as session:
        logins = _logins(session)
    typer.echo(f"\nLog in at http://127.0.0.1:8000 with the password {DEMO_PASSWORD!r} as:")
    for login in logins:
        typer.echo(f"  {login.username:<17} {login.role.value:<16} {login.note}")


def _already_built(session: Session) -> bool:
    try:
        registry.season_by_year(session, hijri_year=HIJRI_YEAR)
    except NotFound:
        return False
    return True


def build(session: Session, *, pilgrims: int, seed: int) -> None:
    """Everything of the demo season, in the caller's transaction."""
    rng = random.Random(seed)
    system = system_actor("demo")
    season = registry.create_season(
        session,
        season_in=SeasonCreate(hijri_year=HIJRI_YEAR, name=f"Hajj {HIJRI_YEAR}", day_8=DAY_8),
        actor=system,
    )
    people = generate_people(pilgrims, seed=seed, season_start=DAY_8)
    by_country: dict[str, list[DemoPerson]] = defaultdict(list)
    for person in people:
        by_country[person.nationality].append(person)

    hotels = _hotels(session, system)
    columns = [
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    ]
    companies: list[CompanyRead] = []
    with Progress(*columns) as progress:
        task = progress.add_task("pilgrims", total=len(people))
        for country in sorted(by_country, key=lambda c: -len(by_country[c])):
            members = by_country[country]
            count = max(1, round(len(members) / PILGRIMS_PER_COMPANY))
            templates = COMPANY_TEMPLATES.get(country) or COMPANY_TEMPLATES["*"]
            for index in range(count):
                share = members[index::count]
                company = _company(
                    session, system, country, index, templates[index % len(templates)]
                )
                companies.append(company)
                _company_pilgrims(session, system, rng, company, share, hotels)
                progress.advance(task, len(share))
        _cards(session, system, progress)
    _accounts(session, system, companies)
    tafweej_demo.build(session, season=season, actor=system, seed=seed)
    health.seed_demo(session, seed=seed, actor=system)
    wallet_demo.build(session, system=system, settings=get_settings(), seed=seed)


def _cards(session: Session, system: Actor, progress: Progress) -> None:
    """Every pilgrim's card, signed by the season's signer (made here on a first build)."""
    if not card_keys.list_keys(session):
        card_keys.init_keys(session, season=HIJRI_YEAR, actor=system)
    task = progress.add_task("cards", total=None)
    cards.issue_cards(
        session,
        actor=system,
        all=True,
        progress=lambda done, total: progress.update(task, completed=done, total=total),
    )


def _hotels(session: Session, system: Actor) -> dict[str, list[LodgingRead]]:
    out: dict[str, list[LodgingRead]] = {"makkah": [], "madinah": []}
    for index, hotel in enumerate(HOTELS, 1):
        lodging = registry.create_lodging(
            session,
            lodging_in=LodgingCreate(
                code=f"H-{hotel.city[:3].upper()}-{index:03d}",
                kind="hotel",
                site=hotel.city,
                name=hotel.name,
                name_ar=hotel.name_ar,
                capacity=hotel.capacity,
                address=f"{hotel.district}, {hotel.city.title()}",
            ),
            actor=system,
        )
        out[hotel.city].append(lodging)
    return out


def _company(
    session: Session, system: Actor, country: str, index: int, template: CompanyTemplate
) -> CompanyRead:
    name = template.name
    kind: Literal["domestic", "mission"] = "domestic" if country == "SAU" else "mission"
    return registry.create_company(
        session,
        company_in=CompanyCreate(
            code=f"{country}-{index + 1:02d}",
            kind=kind,
            name=name if index == 0 else f"{name} {index + 1}",
            name_ar=template.name_ar,
            licence_number=f"{kind[0].upper()}-{HIJRI_YEAR}-{country}-{index + 1:03d}",
            country=country,
            contact_name=template.contact,
            address=f"{template.address}, {template.city}",
        ),
        actor=system,
    )


def _company_pilgrims(
    session: Session,
    system: Actor,
    rng: random.Random,
    company: CompanyRead,
    people: list[DemoPerson],
    hotels: dict[str, list[LodgingRead]],
) -> None:
    """Groups of 40-250, camps in Mina and Arafat, hotels, and the pilgrims by bulk import."""
    camps = {
        site: [
            registry.create_lodging(
                session,
                lodging_in=LodgingCreate(
                    code=f"{site[:2].upper()}-{company.code}-{n + 1}",
                    kind="camp",
                    site=site,
                    name=f"{site.title()} camp {company.code}/{n + 1}",
                    capacity=size,
                    company_id=company.id,
                ),
                actor=system,
            )
            for n in range(max(1, -(-len(people) // size)))
        ]
        for site, size in (("mina", MINA_CAMP_SIZE), ("arafat", ARAFAT_CAMP_SIZE))
    }
    rows: list[Row] = []
    start, number = 0, 0
    while start < len(people):
        size = min(rng.randint(40, 250), len(people) - start)
        members = people[start : start + size]
        number += 1
        leader = members[0]
        group = registry.create_group(
            session,
            group_in=GroupCreate(
                code=f"{company.code}-G{number:03d}",
                name=f"{company.name[:150]} {number}",
                company_id=company.id,
                leader_name=_full_name(leader),
                leader_phone=leader.phone,
            ),
            actor=system,
        )
        makkah = rng.choice(hotels["makkah"])
        madinah = rng.choice(hotels["madinah"])
        mina = camps["mina"][(start // MINA_CAMP_SIZE) % len(camps["mina"])]
        arafat = camps["arafat"][(start // ARAFAT_CAMP_SIZE) % len(camps["arafat"])]
        for person in members:
            cells = _row(person, group.code, makkah, madinah, mina, arafat)
            rows.append(Row(number=len(rows) + 2, cells=cells))
        start += size
    plan = importer.plan_import(session, rows=rows, company_code=company.code, actor=system)
    importer.apply_import(session, plan=plan, actor=system)


def _full_name(person: DemoPerson) -> str:
    # A Malaysian's given names already end with "bin/binti <father>", who is also the surname.
    if " bin " in person.given_names or " binti " in person.given_names:
        return person.given_names
    return f"{person.given_names} {person.surname}"


def _row(
    person: DemoPerson,
    group: str,
    makkah: LodgingRead,
    madinah: LodgingRead,
    mina: LodgingRead,
    arafat: LodgingRead,
) -> dict[str, str]:
    # The identity comes from a valid passport MRZ, as a counter would scan it.
    zone = mrz.format_td3(
        issuing_state=person.nationality,
        surname=person.surname,
        given_names=person.given_names,
        document_number=person.passport_number,
        nationality=person.nationality,
        date_of_birth=person.date_of_birth,
        sex=person.sex,
        date_of_expiry=person.passport_expiry,
    )
    return {
        "mrz": zone,
        "surname": person.surname,
        "given_names": person.given_names,
        "surname_ar": person.surname_ar,
        "given_names_ar": person.given_names_ar,
        "sex": person.sex,
        "date_of_birth": person.date_of_birth.isoformat(),
        "nationality": person.nationality,
        "passport_number": person.passport_number,
        "passport_expiry": person.passport_expiry.isoformat(),
        "phone": person.phone,
        "language": person.language,
        "emergency_contact_name": person.emergency_contact_name,
        "emergency_contact_phone": person.emergency_contact_phone,
        "group": group,
        "makkah_hotel": makkah.code,
        "madinah_hotel": madinah.code,
        "mina_camp": mina.code,
        "arafat_camp": arafat.code,
    }


def _accounts(session: Session, system: Actor, companies: list[CompanyRead]) -> None:
    first, domestic = companies[0], next(c for c in companies if c.country == "SAU")
    pilgrim = registry.list_pilgrims(
        session,
        actor=system,
        page=PageRequest(1, 1),
        company_id=first.id,
    ).items[0]
    scope: dict[Role, dict[str, uuid.UUID]] = {
        Role.COMPANY: {"company_id": first.id},
        Role.PROVIDER: {"company_id": domestic.id},
        Role.PILGRIM: {"pilgrim_id": pilgrim.id},
    }
    for role in Role:
        auth_service.create_account(
            session,
            account_in=AccountCreate(
                username=role.value.replace("_", "-"),
                display_name=role.value.replace("_", " ").title(),
                password=DEMO_PASSWORD,
                role=role,
                **scope.get(role, {}),
            ),
            actor=system,
        )
    auth_service.create_account(
        session,
        account_in=AccountCreate(
            username="company-sa",
            display_name=domestic.name,
            password=DEMO_PASSWORD,
            role=Role.COMPANY,
            company_id=domestic.id,
        ),
        actor=system,
    )


def _logins(session: Session) -> list[DemoLogin]:
    system = system_actor("demo")
    notes = {
        Role.COMPANY: "a foreign mission: sees only its own pilgrims",
        Role.PILGRIM: "their own record and wallet (passkeys: use http://localhost:8000)",
        Role.MERCHANT: "the till of Mina Dates and Sweets: take payments, refunds",
        Role.OPERATOR: "the ministry's operations centre: everything, the audit log",
        Role.ADMIN: "everything, accounts too",
        Role.OFFICER: "every pilgrim, with passports",
        Role.FIELD_WORKER: "one pilgrim at a time, no passport data",
        Role.MEDIC: "one pilgrim at a time, with the health record (/health)",
    }
    out = [
        DemoLogin(a.username, a.role, notes.get(a.role, ""))
        for a in auth_service.list_accounts(session, actor=system)
    ]
    for login in out:
        if login.username == "company-sa":
            out[out.index(login)] = DemoLogin(login.username, login.role, "a Saudi company")
    return out
