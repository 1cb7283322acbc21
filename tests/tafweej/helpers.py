"""A small Tafweej season on the test world: two movements, two routes, both groups."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from sqlalchemy.orm import Session

from labbaik.auth.roles import Actor
from labbaik.tafweej import service
from labbaik.tafweej.schemas import (
    GroupDataWrite,
    GroupWish,
    MovementWrite,
    PlaceWrite,
    RouteWrite,
    SlotGridWrite,
)
from tests.conftest import World

START = datetime(2026, 5, 25, 0, 0, tzinfo=timezone(timedelta(hours=3)))
YEAR = 1447


def small_season(session: Session, world: World) -> Actor:
    """The season's data as an operator enters it; returns the operator."""
    operator = world.actor("operator")
    assert isinstance(operator, Actor)
    service.set_grid(
        session,
        hijri_year=YEAR,
        grid_in=SlotGridWrite(start=START, slot_minutes=60, slots=48),
        actor=operator,
    )
    for code, kind, name in (
        ("mina", "mina", "Mina"),
        ("arafat", "arafat", "Arafat"),
        ("muzdalifah", "muzdalifah", "Muzdalifah"),
        ("st-mina-3", "station", "Mina station 3"),
    ):
        service.save_place(
            session,
            hijri_year=YEAR,
            place_in=PlaceWrite(code=code, kind=kind, name=name),  # type: ignore[arg-type]
            actor=operator,
        )
    service.save_movement(
        session,
        hijri_year=YEAR,
        movement_in=MovementWrite(
            code="to-arafat", name="Mina to Arafat", name_ar="من منى إلى عرفات", hijri_day=9,
            position=1, origin="mina", destination="arafat", window_start=28, window_end=36,
            forbidden=[30],
        ),
        actor=operator,
    )  # fmt: skip
    service.save_movement(
        session,
        hijri_year=YEAR,
        movement_in=MovementWrite(
            code="to-muzdalifah", name="Arafat to Muzdalifah", hijri_day=9, position=2,
            origin="arafat", destination="muzdalifah", window_start=40, window_end=46,
            after="to-arafat", min_gap=6,
        ),
        actor=operator,
    )  # fmt: skip
    service.save_route(
        session,
        hijri_year=YEAR,
        route_in=RouteWrite(
            code="metro-red", mode="metro", name="Mashaer metro, red", capacity=1, duration=1,
            movements=["to-arafat", "to-muzdalifah"], assembly="st-mina-3", ticket_colour="red",
        ),
        actor=operator,
    )  # fmt: skip
    service.save_route(
        session,
        hijri_year=YEAR,
        route_in=RouteWrite(
            code="walk-1", mode="walk", name="Pedestrian way 1", capacity=5, duration=2,
            movements=["to-muzdalifah"], destination="muzdalifah",
        ),
        actor=operator,
    )  # fmt: skip
    for group in (world.group_a, world.group_b):
        service.save_group_data(
            session,
            hijri_year=YEAR,
            group_id=group.id,
            data_in=GroupDataWrite(
                routes=["metro-red", "walk-1"],
                camp_id=world.camp.id,
                wishes={
                    "to-arafat": GroupWish(preferred=29),
                    "to-muzdalifah": GroupWish(preferred=41, forbidden=[40]),
                },
            ),
            actor=operator,
        )
    session.flush()
    return operator
