"""The demo season: deterministic, realistic, and built again without harm."""

from __future__ import annotations

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from labbaik import demo
from labbaik.auth.models import Account
from labbaik.registry import mrz
from labbaik.registry.models import Company, Group, Pilgrim


def _build(engine: Engine, pilgrims: int) -> None:
    with Session(engine) as session:
        demo.build(session, pilgrims=pilgrims, seed=7)
        session.commit()


class TestBuild:
    def test_every_pilgrim_has_a_group_camps_and_both_scripts(self, engine: Engine) -> None:
        _build(engine, 600)
        with Session(engine) as session:
            assert session.scalar(select(func.count()).select_from(Pilgrim)) == 600
            rows = session.scalars(select(Pilgrim)).all()
            assert all(p.group_id and p.mina_camp_id and p.arafat_camp_id for p in rows)
            assert all(p.surname_ar and p.makkah_lodging_id for p in rows)
            assert len({p.nationality for p in rows}) >= 10

    def test_groups_hold_40_to_250_except_a_company_remainder(self, engine: Engine) -> None:
        _build(engine, 600)
        with Session(engine) as session:
            sizes = session.execute(
                select(Pilgrim.group_id, func.count()).group_by(Pilgrim.group_id)
            ).all()
            assert max(n for _, n in sizes) <= 250
            assert session.scalar(select(func.count()).select_from(Group)) == len(sizes)

    def test_passports_make_valid_mrz(self, engine: Engine) -> None:
        _build(engine, 200)
        with Session(engine) as session:
            for p in session.scalars(select(Pilgrim)):
                zone = mrz.format_td3(
                    issuing_state=p.nationality, surname=p.surname, given_names=p.given_names,
                    document_number=p.passport_number, nationality=p.nationality,
                    date_of_birth=p.date_of_birth, sex=p.sex, date_of_expiry=p.passport_expiry,
                )  # fmt: skip
                assert mrz.parse(zone).date_of_birth == p.date_of_birth

    def test_one_account_per_role_and_a_second_company(self, engine: Engine) -> None:
        _build(engine, 200)
        with Session(engine) as session:
            roles = set(session.scalars(select(Account.role)))
            assert {"operator", "company", "pilgrim", "field_worker", "medic"} <= roles
            company = session.scalar(select(Account).where(Account.username == "company"))
            assert company is not None
            assert session.get(Company, company.company_id) is not None

    def test_same_seed_same_season(self, engine: Engine, tmp_path: object) -> None:
        _build(engine, 150)
        with Session(engine) as session:
            first = sorted(session.scalars(select(Pilgrim.passport_number)))
        from labbaik.db import make_engine, upgrade  # noqa: PLC0415

        url = f"sqlite:///{tmp_path}/again.db"
        upgrade(url)
        other = make_engine(url)
        _build(other, 150)
        with Session(other) as session:
            assert sorted(session.scalars(select(Pilgrim.passport_number))) == first
        other.dispose()
