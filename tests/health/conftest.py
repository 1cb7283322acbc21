"""Fixtures of the health tests: the season's rules and a typical record."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from labbaik.auth.roles import system_actor
from labbaik.health import service
from labbaik.health.schemas import (
    CVX,
    SNOMED,
    Allergy,
    Coding,
    Condition,
    HealthData,
    Immunization,
    Medication,
)

DATA = Path(__file__).parent / "data"
MENINGOCOCCAL = Coding(system=SNOMED, code="23511006", display="Meningococcal infectious disease")


def acwy(day: date, cvx: str = "114") -> Immunization:
    return Immunization(
        text="MenACWY",
        vaccine=Coding(system=CVX, code=cvx),
        date=day,
        target_diseases=[MENINGOCOCCAL],
    )


def record(**changes: object) -> HealthData:
    data = HealthData(
        blood_type="O+",
        allergies=[
            Allergy(
                text="Penicillin",
                code=Coding(system=SNOMED, code="764146007", display="Penicillin"),
                criticality="high",
                reaction="anaphylaxis",
            ),
            Allergy(text="Dust mites", criticality="low"),
        ],
        conditions=[
            Condition(
                text="Type 2 diabetes mellitus",
                code=Coding(system=SNOMED, code="44054006", display="Diabetes mellitus type 2"),
                onset=date(2015, 4, 1),
            )
        ],
        medications=[Medication(text="Metformin 500 mg", dosage="twice a day")],
        immunizations=[acwy(date(2025, 9, 1))],
        fitness_flags=["reduced_mobility"],
        notes="Walks slowly; needs shade at Arafat.",
    )
    return data.model_copy(update=changes)


@pytest.fixture
def rules(session: Session, world: object) -> None:
    rules_in = service.parse_rules(service.RULES_1447.read_bytes())
    service.load_rules(session, rules_in=rules_in, actor=system_actor("test"))
    session.commit()
