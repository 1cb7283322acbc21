"""The demo season's health records: every pilgrim has one, most compliant, some not and why."""

from __future__ import annotations

from collections import Counter
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from labbaik.auth.roles import system_actor
from labbaik.health import service
from labbaik.health.models import HealthRecord
from labbaik.registry import service as registry_service
from labbaik.registry.schemas import PilgrimCreate


def _pilgrims(session: Session, world, count: int) -> None:
    for n in range(count):
        registry_service.create_pilgrim(
            session,
            pilgrim_in=PilgrimCreate(
                surname=f"Demo{n:03d}", given_names="Test", sex="M" if n % 2 else "F",
                date_of_birth=date(1940 + n % 40, 1, 1), nationality=("PAK", "NGA", "IDN")[n % 3],
                passport_number=f"D{n:07d}", passport_expiry=date(2030, 1, 1),
                company_id=world.company_a.id,
            ),
            actor=system_actor("test"),
        )  # fmt: skip


def test_every_pilgrim_gets_a_record_most_compliant(session: Session, world) -> None:
    _pilgrims(session, world, 120)
    count = service.seed_demo(session, seed=7, actor=system_actor("demo"))
    session.commit()
    assert count == 122
    rows = session.scalars(select(HealthRecord)).all()
    statuses = Counter(r.compliance_status for r in rows)
    assert statuses["compliant"] > 90
    assert statuses["not_compliant"] >= 3
    failing = [r for r in rows if r.compliance_status == "not_compliant"]
    assert all(r.compliance_reasons for r in failing)
    # What was bulk-inserted decrypts and validates like any record.
    records = [service.unseal(r) for r in rows]
    assert sum(bool(d.conditions) for d in records) > 30
    assert sum(bool(d.immunizations) for d in records) > 110


def test_the_same_seed_gives_the_same_statuses(session: Session, world) -> None:
    _pilgrims(session, world, 30)
    service.seed_demo(session, seed=7, actor=system_actor("demo"))
    first = {r.pilgrim_id: r.compliance_status for r in session.scalars(select(HealthRecord))}
    session.rollback()
    _pilgrims(session, world, 30)
    service.seed_demo(session, seed=7, actor=system_actor("demo"))
    again = session.scalars(select(HealthRecord)).all()
    assert sorted(Counter(r.compliance_status for r in again).items()) == sorted(
        Counter(first.values()).items()
    )
