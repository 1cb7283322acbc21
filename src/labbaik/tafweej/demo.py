"""The demo season's Tafweej: places, routes, movements, groups' wishes and a published plan.

Capacities are sized from the demo's own groups: each route's busiest movement uses 85 % of what
the route carries in the slots that movement allows, which comes to about 70 % of the season's
capacity overall (a route serves several movements): feasible, and full at the popular times.
"""

from __future__ import annotations

import math
import random
import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, time

from sqlalchemy.orm import Session

from labbaik.auth.roles import Actor
from labbaik.kit.pagination import PageRequest
from labbaik.kit.timeutil import RIYADH
from labbaik.registry import service as registry
from labbaik.registry.schemas import GroupRead, SeasonRead
from labbaik.tafweej import service
from labbaik.tafweej.schemas import (
    GroupDataWrite,
    GroupWish,
    MovementWrite,
    PlaceWrite,
    PlanRead,
    RouteWrite,
    SlotGridWrite,
)
from labbaik.tafweej.service import data

SLOT_MINUTES = 30
PER_DAY = 24 * 60 // SLOT_MINUTES
DAYS = 6  # 8 to 13 Dhu al-Hijjah
TARGET_USE = 0.85


def slot(day: int, hour: int, minute: int = 0) -> int:
    """The slot of a time on a day of Dhu al-Hijjah (8 to 13), Riyadh time."""
    return (day - 8) * PER_DAY + (hour * 60 + minute) // SLOT_MINUTES


def span(first: int, last: int) -> list[int]:
    return list(range(first, last + 1))


# Site-level coordinates (WGS 84) from the project's key places (Wikipedia and atlases); good for
# a map, not for navigation. Stations and assembly points have none: OpenStreetMap holds them.
PLACES = [
    PlaceWrite(code="haram", kind="haram", name="Masjid al-Haram", name_ar="المسجد الحرام",
               latitude=21.4225, longitude=39.8262),
    PlaceWrite(code="mina", kind="mina", name="Mina", name_ar="منى",
               latitude=21.413498, longitude=39.893811),
    PlaceWrite(code="arafat", kind="arafat", name="Arafat (Jabal al-Rahmah)", name_ar="عرفات",
               latitude=21.354722, longitude=39.983889),
    PlaceWrite(code="namirah", kind="arafat", name="Masjid Namirah", name_ar="مسجد نمرة",
               latitude=21.3529556, longitude=39.9667528),
    PlaceWrite(code="muzdalifah", kind="muzdalifah", name="Muzdalifah", name_ar="مزدلفة",
               latitude=21.3925, longitude=39.937778),
    PlaceWrite(code="mashar", kind="muzdalifah", name="Al-Mash'ar al-Haram",
               name_ar="المشعر الحرام", latitude=21.386111, longitude=39.912222),
    *(
        PlaceWrite(code=f"jamarat-{level}", kind="jamarat", name=f"Jamarat, {name}",
                   name_ar=f"منشأة الجمرات، {name_ar}", latitude=21.421579, longitude=39.872173)
        for level, name, name_ar in (
            ("g", "ground level", "الدور الأرضي"),
            ("1", "level 1", "الدور الأول"),
            ("2", "level 2", "الدور الثاني"),
            ("3", "level 3", "الدور الثالث"),
        )
    ),
    PlaceWrite(code="st-mina-3", kind="station", name="Mina station 3 (Mashaer line)",
               name_ar="محطة منى ٣ (قطار المشاعر)"),
    PlaceWrite(code="st-arafat-1", kind="station", name="Arafat station 1 (Mashaer line)",
               name_ar="محطة عرفات ١ (قطار المشاعر)"),
    PlaceWrite(code="st-arafat-3", kind="station", name="Arafat station 3 (Mashaer line)",
               name_ar="محطة عرفات ٣ (قطار المشاعر)"),
    PlaceWrite(code="ap-aziziyah", kind="assembly", name="Aziziyah bus assembly point",
               name_ar="نقطة تجمع الحافلات بالعزيزية"),
    PlaceWrite(code="ap-mina-king-fahd", kind="assembly", name="Mina, King Fahd Road bus stands",
               name_ar="منى، مواقف الحافلات بطريق الملك فهد"),
    PlaceWrite(code="ap-arafat-gate", kind="assembly", name="Arafat, camp gates on Road 6",
               name_ar="عرفات، بوابات المخيمات على الطريق ٦"),
]  # fmt: skip


@dataclass(frozen=True)
class DemoMovement:
    code: str
    name: str
    name_ar: str
    day: int
    origin: str
    destination: str
    window: tuple[int, int]
    forbidden: tuple[int, ...]
    after: str | None
    min_gap: int
    preferred: tuple[int, int]  # groups prefer a slot in this range


# The windows and the authority's forbidden hours follow the usual Tafweej rules: stoning after
# midday on the days of Tashreeq, and no stoning in the hottest, most crowded hours.
MOVEMENTS = [
    DemoMovement("to-mina", "To Mina (day of Tarwiyah)", "التصعيد إلى منى (يوم التروية)", 8,
                 "haram", "mina", (slot(8, 6), slot(8, 22)), (), None, 0,
                 (slot(8, 8), slot(8, 12))),
    DemoMovement("to-arafat", "Mina to Arafat", "من منى إلى عرفات", 9, "mina", "arafat",
                 (slot(9, 0), slot(9, 11, 30)), (), "to-mina", 8, (slot(9, 5), slot(9, 9))),
    DemoMovement("to-muzdalifah", "Arafat to Muzdalifah (after sunset)",
                 "النفرة من عرفات إلى مزدلفة (بعد الغروب)", 9, "arafat", "muzdalifah",
                 (slot(9, 18, 30), slot(9, 23, 30)), (), "to-arafat", 12,
                 (slot(9, 19), slot(9, 20))),
    DemoMovement("stone-10", "Stoning of Jamrat al-Aqabah", "رمي جمرة العقبة", 10, "muzdalifah",
                 "mina", (slot(10, 0), slot(10, 23, 30)),
                 tuple(span(slot(10, 6), slot(10, 10))), "to-muzdalifah", 4,
                 (slot(10, 6, 30), slot(10, 9))),
    DemoMovement("stone-11", "Stoning, 11 Dhu al-Hijjah", "رمي الجمرات ١١ ذو الحجة", 11, "mina",
                 "mina", (slot(11, 12), slot(11, 23, 30)),
                 tuple(span(slot(11, 14), slot(11, 17, 30))), "stone-10", 8,
                 (slot(11, 12, 30), slot(11, 14))),
    DemoMovement("stone-12", "Stoning, 12 Dhu al-Hijjah", "رمي الجمرات ١٢ ذو الحجة", 12, "mina",
                 "mina", (slot(12, 12), slot(12, 23, 30)),
                 tuple(span(slot(12, 12), slot(12, 13, 30))), "stone-11", 8,
                 (slot(12, 14), slot(12, 16))),
    DemoMovement("to-haram", "Mina to the Haram (Tawaf al-Wada)", "من منى إلى الحرم (طواف الوداع)",
                 12, "mina", "haram", (slot(12, 16), slot(13, 12)), (), "stone-12", 3,
                 (slot(12, 18), slot(12, 22))),
]  # fmt: skip


@dataclass(frozen=True)
class DemoRoute:
    code: str
    mode: str
    name: str
    name_ar: str
    duration: int
    movements: tuple[str, ...]
    assembly: str | None = None
    destination: str | None = None
    ticket_colour: str | None = None
    bus_number: str | None = None
    bus_colour: str | None = None


ROUTES = [
    DemoRoute("bus-m1", "bus", "Bus M1 Aziziyah-Mina", "حافلة م١ العزيزية-منى", 2, ("to-mina",),
              "ap-aziziyah", "mina", bus_number="M1", bus_colour="green"),
    DemoRoute("bus-m2", "bus", "Bus M2 Aziziyah-Mina", "حافلة م٢ العزيزية-منى", 2, ("to-mina",),
              "ap-aziziyah", "mina", bus_number="M2", bus_colour="blue"),
    DemoRoute("walk-mina", "walk", "Pedestrian way Makkah-Mina", "طريق المشاة مكة-منى", 4,
              ("to-mina",), None, "mina"),
    DemoRoute("metro-red", "metro", "Mashaer metro, red tickets", "قطار المشاعر، التذاكر الحمراء",
              1, ("to-arafat", "to-muzdalifah"), "st-mina-3", None, ticket_colour="red"),
    DemoRoute("metro-yellow", "metro", "Mashaer metro, yellow tickets",
              "قطار المشاعر، التذاكر الصفراء", 1, ("to-arafat", "to-muzdalifah"), "st-mina-3",
              None, ticket_colour="yellow"),
    DemoRoute("bus-a7", "bus", "Bus A7 Mina-Arafat-Muzdalifah", "حافلة ع٧ منى-عرفات-مزدلفة", 2,
              ("to-arafat", "to-muzdalifah"), "ap-mina-king-fahd", None, bus_number="A7",
              bus_colour="white"),
    DemoRoute("walk-muzdalifah", "walk", "Pedestrian way Arafat-Muzdalifah",
              "طريق المشاة عرفات-مزدلفة", 4, ("to-muzdalifah",), "ap-arafat-gate", "muzdalifah"),
    *(
        DemoRoute(f"jamarat-{level}", "walk", f"Walk to the Jamarat, {name}",
                  f"المشي إلى الجمرات، {name_ar}", 2, ("stone-10", "stone-11", "stone-12"),
                  None, f"jamarat-{level}")
        for level, name, name_ar in (
            ("g", "ground level", "الدور الأرضي"),
            ("1", "level 1", "الدور الأول"),
            ("2", "level 2", "الدور الثاني"),
            ("3", "level 3", "الدور الثالث"),
        )
    ),
    DemoRoute("bus-h3", "bus", "Bus H3 Mina-Haram", "حافلة ح٣ منى-الحرم", 2, ("to-haram",),
              "ap-mina-king-fahd", "haram", bus_number="H3", bus_colour="green"),
    DemoRoute("walk-haram", "walk", "Pedestrian way Mina-Haram", "طريق المشاة منى-الحرم", 3,
              ("to-haram",), None, "haram"),
]  # fmt: skip

_JAMARAT_PAIRS = (
    ("jamarat-g", "jamarat-1"),
    ("jamarat-1", "jamarat-2"),
    ("jamarat-2", "jamarat-3"),
    ("jamarat-3", "jamarat-g"),
)


def _group_routes(index: int, company_index: int) -> list[str]:
    """A group's routes: its company's bus and metro tickets, walking, and two Jamarat levels."""
    routes = ["bus-m1" if company_index % 2 == 0 else "bus-m2", "walk-mina"]
    # Metro tickets go by company, as the ministry allocates them; about a third take the bus.
    routes.append(("metro-red", "metro-yellow", "bus-a7")[company_index % 3])
    routes += ["walk-muzdalifah", *_JAMARAT_PAIRS[index % 4], "bus-h3", "walk-haram"]
    return routes


def _movement_routes(routes: list[str], movement: str) -> list[str]:
    serving = {r.code for r in ROUTES if movement in r.movements}
    return [r for r in routes if r in serving]


def _capacities(groups: list[tuple[GroupRead, list[str]]]) -> dict[str, int]:
    """Persons per slot for each route so that its busiest movement uses TARGET_USE of it."""
    demand: dict[tuple[str, str], float] = defaultdict(float)
    for group, routes in groups:
        for movement in MOVEMENTS:
            options = _movement_routes(routes, movement.code)
            for code in options:
                demand[code, movement.code] += group.pilgrim_count / len(options)
    out: dict[str, int] = {}
    for route in ROUTES:
        need = 0.0
        for movement in MOVEMENTS:
            if movement.code not in route.movements:
                continue
            open_slots = movement.window[1] - movement.window[0] + 1 - len(movement.forbidden)
            need = max(need, demand[route.code, movement.code] * route.duration / open_slots)
        # Never below the biggest group, so that every group fits somewhere.
        out[route.code] = max(250, math.ceil(need / TARGET_USE / 10) * 10)
    return out


def _camp(session: Session, group: GroupRead, actor: Actor) -> uuid.UUID | None:
    """The Mina camp of the group's first pilgrim: the demo puts a group in one camp."""
    first = registry.list_pilgrims(session, actor=actor, page=PageRequest(1, 1), group_id=group.id)
    if not first.items:
        return None
    pilgrim = registry.get_pilgrim(
        session, pilgrim_id=first.items[0].id, actor=actor, reason="demo: the group's camp"
    )
    return pilgrim.mina_camp_id


def build(
    session: Session,
    *,
    season: SeasonRead,
    actor: Actor,
    seed: int,
    time_limit: float | None = None,
) -> PlanRead | None:
    """Write the demo's Tafweej data, plan it, check it and publish the plan."""
    rng = random.Random(seed)
    year = season.hijri_year
    day_8 = season.day_8
    if day_8 is None:
        return None
    start = datetime.combine(day_8, time(0), tzinfo=RIYADH)
    service.set_grid(
        session,
        hijri_year=year,
        grid_in=SlotGridWrite(start=start, slot_minutes=SLOT_MINUTES, slots=DAYS * PER_DAY),
        actor=actor,
    )
    for place in PLACES:
        service.save_place(session, hijri_year=year, place_in=place, actor=actor)
    for position, m in enumerate(MOVEMENTS):
        service.save_movement(
            session,
            hijri_year=year,
            movement_in=MovementWrite(
                code=m.code, name=m.name, name_ar=m.name_ar, hijri_day=m.day, position=position,
                origin=m.origin, destination=m.destination, window_start=m.window[0],
                window_end=m.window[1], forbidden=list(m.forbidden), after=m.after,
                min_gap=m.min_gap,
            ),
            actor=actor,
        )  # fmt: skip
    groups = [g for g in registry.list_groups(session, actor=actor) if g.pilgrim_count]
    companies = {c: i for i, c in enumerate(sorted({g.company_id for g in groups}))}
    chosen = [(g, _group_routes(index, companies[g.company_id])) for index, g in enumerate(groups)]
    capacity = _capacities(chosen)
    for r in ROUTES:
        service.save_route(
            session,
            hijri_year=year,
            route_in=RouteWrite(
                code=r.code, mode=r.mode, name=r.name, name_ar=r.name_ar,
                capacity=capacity[r.code], duration=r.duration, movements=list(r.movements),
                assembly=r.assembly, destination=r.destination, ticket_colour=r.ticket_colour,
                bus_number=r.bus_number, bus_colour=r.bus_colour,
            ),
            actor=actor,
        )  # fmt: skip
    for group, routes in chosen:
        wishes = {m.code: GroupWish(preferred=rng.randint(*m.preferred)) for m in MOVEMENTS}
        if rng.random() < 0.1:
            # The hotel lets this group go only after its midday check-out.
            wishes["to-mina"] = GroupWish(
                preferred=slot(8, 13), forbidden=span(slot(8, 6), slot(8, 11, 30))
            )
        data.write_group_data(
            session,
            season_id=season.id,
            group_id=group.id,
            data_in=GroupDataWrite(
                routes=routes, camp_id=_camp(session, group, actor), wishes=wishes
            ),
        )
    if not groups:
        return None
    # About 0.1 s a group, at most 15 s: the full demo plans in 15 s, a test's small one in 1 s.
    limit = time_limit if time_limit is not None else min(15.0, max(1.0, 0.1 * len(groups)))
    plan = service.run_plan(session, hijri_year=year, actor=actor, time_limit=limit)
    return service.publish_plan(session, plan_id=plan.id, actor=actor)
