"""The registry service: seasons, companies, groups, lodgings and pilgrims."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

import pytest
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from labbaik.auth.models import AuditEntry
from labbaik.auth.roles import system_actor
from labbaik.errors import Forbidden, InvalidInput
from labbaik.kit.pagination import PageRequest, page_count
from labbaik.kit.timeutil import hijri_parts
from labbaik.registry import mrz, service
from labbaik.registry.errors import (
    CompanyNotFound,
    DuplicateCode,
    DuplicatePassport,
    GroupNotFound,
    InvalidMRZ,
    LodgingNotFound,
    NoCurrentSeason,
)
from labbaik.registry.schemas import (
    CompanyCreate,
    GroupCreate,
    LodgingCreate,
    PilgrimCreate,
    PilgrimFromMRZ,
    PilgrimUpdate,
    SeasonCreate,
    SeasonRead,
    SeasonUpdate,
)

SYSTEM = system_actor("test")


def season_in(year: int = 1447, **kw: Any) -> SeasonCreate:
    return SeasonCreate(hijri_year=year, name=f"Hajj {year}", **kw)


def pilgrim_in(world: Any, **kw: Any) -> PilgrimCreate:
    values: dict[str, Any] = {
        "surname": "Yılmaz",
        "given_names": "Ayşe",
        "sex": "F",
        "date_of_birth": date(1965, 4, 1),
        "nationality": "TUR",
        "passport_number": "U12345678",
        "passport_expiry": date(2031, 1, 1),
        "company_id": world.company_a.id,
    }
    return PilgrimCreate(**(values | kw))


def search(session: Session, world: Any, query: str, key: str = "operator") -> list[str]:
    page = service.list_pilgrims(
        session, actor=world.actor(key), page=PageRequest(1, 50), query=query
    )
    return [f"{p.given_names} {p.surname}" for p in page.items]


def audited(session: Session, action: str) -> list[AuditEntry]:
    session.flush()
    return list(session.scalars(select(AuditEntry).where(AuditEntry.action == action)))


class TestSeasons:
    def test_the_first_season_becomes_current(self, session: Session) -> None:
        season = service.create_season(session, season_in=season_in(1447), actor=SYSTEM)
        assert season.is_current
        assert service.current_season(session).id == season.id

    def test_a_later_season_does_not_take_over_by_itself(self, session: Session) -> None:
        first = service.create_season(session, season_in=season_in(1447), actor=SYSTEM)
        later = service.create_season(session, season_in=season_in(1448), actor=SYSTEM)
        assert not later.is_current
        assert service.current_season(session).id == first.id

    def test_making_a_season_current_leaves_only_it_current(self, session: Session) -> None:
        service.create_season(session, season_in=season_in(1447), actor=SYSTEM)
        later = service.create_season(session, season_in=season_in(1448), actor=SYSTEM)
        service.set_current_season(session, season_id=later.id, actor=SYSTEM)
        assert [s.hijri_year for s in service.list_seasons(session) if s.is_current] == [1448]
        assert service.current_season(session).id == later.id

    def test_one_season_per_hijri_year(self, session: Session) -> None:
        service.create_season(session, season_in=season_in(1447), actor=SYSTEM)
        with pytest.raises(DuplicateCode):
            service.create_season(session, season_in=season_in(1447), actor=SYSTEM)

    def test_before_any_season_there_is_no_current_one(self, session: Session) -> None:
        with pytest.raises(NoCurrentSeason) as missing:
            service.current_season(session)
        assert missing.value.status == 404

    def test_a_company_may_not_open_a_season(self, session: Session, world: Any) -> None:
        with pytest.raises(Forbidden):
            service.create_season(session, season_in=season_in(1448), actor=world.actor("company"))

    def test_hajj_days_run_from_the_8th_to_the_13th(self) -> None:
        season = SeasonRead(
            id=uuid.uuid4(),
            hijri_year=1447,
            name="Hajj 1447",
            day_8=date(2026, 5, 25),
            is_current=True,
        )
        days = season.hajj_days()
        assert sorted(days) == [8, 9, 10, 11, 12, 13]
        assert days[9] == date(2026, 5, 26)
        assert days[13] == date(2026, 5, 30)
        assert hijri_parts(days[9]) == (1447, 12, 9)

    def test_without_the_8th_there_are_no_hajj_days_yet(self, session: Session) -> None:
        season = service.create_season(session, season_in=season_in(1447), actor=SYSTEM)
        assert season.hajj_days() == {}

    def test_the_operator_enters_the_8th_later(self, session: Session, world: Any) -> None:
        season = service.create_season(session, season_in=season_in(1448), actor=SYSTEM)
        updated = service.update_season(
            session,
            season_id=season.id,
            season_in=SeasonUpdate(day_8=date(2027, 5, 14)),
            actor=world.actor("operator"),
        )
        assert updated.hajj_days()[10] == date(2027, 5, 16)


class TestCompanies:
    def _company(self, code: str = "PAK-HUJJAJ") -> CompanyCreate:
        return CompanyCreate(
            code=code, kind="mission", name="Pakistan Hajj Mission", licence_number="M-9",
            country="pak",
        )  # fmt: skip

    def test_the_operator_registers_a_company(self, session: Session, world: Any) -> None:
        company = service.create_company(
            session, company_in=self._company(), actor=world.actor("operator")
        )
        assert company.country == "PAK"
        found = service.get_company_by_code(
            session, code="pak-hujjaj ", actor=world.actor("officer")
        )
        assert found.id == company.id

    def test_a_duplicate_code_is_a_409_conflict(self, session: Session, world: Any) -> None:
        with pytest.raises(DuplicateCode) as duplicate:
            service.create_company(
                session, company_in=self._company("IDN-MORA"), actor=world.actor("operator")
            )
        assert duplicate.value.code == "duplicate_code"
        assert duplicate.value.status == 409

    def test_a_duplicate_code_over_the_api(self, client: Any, world: Any) -> None:
        body = self._company("SAU-RAHMA").model_dump()
        response = client.post("/api/v1/companies", json=body, headers=world.headers("operator"))
        assert response.status_code == 409
        assert response.json()["error"] == "duplicate_code"

    def test_a_company_may_not_register_companies(self, session: Session, world: Any) -> None:
        with pytest.raises(Forbidden):
            service.create_company(
                session, company_in=self._company(), actor=world.actor("company")
            )

    def test_a_country_must_be_iso_alpha_3(self) -> None:
        with pytest.raises(ValidationError, match="alpha-3"):
            CompanyCreate.model_validate(self._company().model_dump() | {"country": "XX"})


class TestGroups:
    def _group(self, world: Any, code: str = "IDN-002", company: str = "company_a") -> GroupCreate:
        return GroupCreate(code=code, name="Jakarta 2", company_id=getattr(world, company).id)

    def test_a_company_forms_a_group_in_the_current_season(
        self, session: Session, world: Any
    ) -> None:
        group = service.create_group(
            session, group_in=self._group(world), actor=world.actor("company")
        )
        assert group.season_id == world.season.id
        assert group.company_id == world.company_a.id

    def test_a_group_code_is_unique_in_a_season(self, session: Session, world: Any) -> None:
        with pytest.raises(DuplicateCode):
            service.create_group(
                session, group_in=self._group(world, code="SAU-001"), actor=world.actor("operator")
            )

    def test_a_company_may_not_form_a_group_for_another(self, session: Session, world: Any) -> None:
        with pytest.raises(CompanyNotFound):
            service.create_group(
                session,
                group_in=self._group(world, company="company_b"),
                actor=world.actor("company"),
            )

    def test_the_list_counts_each_groups_pilgrims(self, session: Session, world: Any) -> None:
        service.create_pilgrim(
            session, pilgrim_in=pilgrim_in(world, group_id=world.group_a.id), actor=SYSTEM
        )
        groups = service.list_groups(session, actor=world.actor("operator"))
        assert {(g.code, g.pilgrim_count) for g in groups} == {("IDN-001", 2), ("SAU-001", 1)}

    def test_a_company_lists_only_its_own_groups(self, session: Session, world: Any) -> None:
        groups = service.list_groups(session, actor=world.actor("company_b"))
        assert [g.code for g in groups] == ["SAU-001"]

    def test_another_companys_group_is_not_found(self, session: Session, world: Any) -> None:
        with pytest.raises(GroupNotFound):
            service.get_group(session, group_id=world.group_b.id, actor=world.actor("company"))

    def test_a_field_worker_looks_up_a_lost_pilgrims_group(
        self, session: Session, world: Any
    ) -> None:
        group = service.get_group(
            session, group_id=world.group_a.id, actor=world.actor("field_worker")
        )
        assert group.leader_phone == "+6281234567890"


class TestLodgings:
    def _lodging(self, kind: str, site: str, code: str = "L-1") -> LodgingCreate:
        return LodgingCreate(code=code, kind=kind, site=site, name="Somewhere", capacity=100)  # type: ignore[arg-type]

    def test_a_camp_in_arafat_is_taken(self, session: Session, world: Any) -> None:
        camp = service.create_lodging(
            session, lodging_in=self._lodging("camp", "arafat"), actor=world.actor("operator")
        )
        assert (camp.kind, camp.site) == ("camp", "arafat")

    @pytest.mark.parametrize(("kind", "site"), [("camp", "makkah"), ("camp", "madinah")])
    def test_a_camp_in_a_city_is_refused(
        self, session: Session, world: Any, kind: str, site: str
    ) -> None:
        with pytest.raises(InvalidInput, match="Mina or Arafat"):
            service.create_lodging(
                session, lodging_in=self._lodging(kind, site), actor=world.actor("operator")
            )

    @pytest.mark.parametrize("site", ["mina", "arafat"])
    def test_a_hotel_in_the_holy_sites_is_refused(
        self, session: Session, world: Any, site: str
    ) -> None:
        with pytest.raises(InvalidInput, match="Makkah or Madinah"):
            service.create_lodging(
                session, lodging_in=self._lodging("hotel", site), actor=world.actor("operator")
            )

    def test_a_lodging_code_is_unique_in_a_season(self, session: Session, world: Any) -> None:
        with pytest.raises(DuplicateCode):
            service.create_lodging(
                session,
                lodging_in=self._lodging("camp", "mina", code="MINA-12-3"),
                actor=world.actor("operator"),
            )

    def test_the_list_counts_occupants(self, session: Session, world: Any) -> None:
        counts = {lodging.code: lodging.occupants for lodging in service.list_lodgings(session)}
        assert counts == {"H-AZIZ-1": 1, "MINA-12-3": 1}

    def test_a_company_may_not_add_lodgings(self, session: Session, world: Any) -> None:
        with pytest.raises(Forbidden):
            service.create_lodging(
                session, lodging_in=self._lodging("camp", "mina"), actor=world.actor("company")
            )


class TestCreatePilgrim:
    def test_a_company_registers_a_pilgrim(self, session: Session, world: Any) -> None:
        created = service.create_pilgrim(
            session, pilgrim_in=pilgrim_in(world), actor=world.actor("company")
        )
        assert created.season_id == world.season.id
        assert created.passport_number == "U12345678"
        [entry] = audited(session, "pilgrim.create")[-1:]
        assert (entry.actor_username, entry.object_id) == ("company", str(created.id))

    def test_a_passport_is_registered_once_a_season(self, session: Session, world: Any) -> None:
        with pytest.raises(DuplicatePassport) as duplicate:
            service.create_pilgrim(
                session,
                pilgrim_in=pilgrim_in(world, nationality="IDN", passport_number="c 1234567"),
                actor=SYSTEM,
            )
        assert duplicate.value.status == 409
        assert "C1234567" in duplicate.value.message

    def test_the_same_number_of_another_country_is_another_passport(
        self, session: Session, world: Any
    ) -> None:
        created = service.create_pilgrim(
            session,
            pilgrim_in=pilgrim_in(world, nationality="MYS", passport_number="C1234567"),
            actor=SYSTEM,
        )
        assert created.nationality == "MYS"

    def test_the_same_passport_comes_again_next_season(self, session: Session, world: Any) -> None:
        later = service.create_season(session, season_in=season_in(1448), actor=SYSTEM)
        service.set_current_season(session, season_id=later.id, actor=SYSTEM)
        again = service.create_pilgrim(
            session,
            pilgrim_in=pilgrim_in(world, nationality="IDN", passport_number="C1234567"),
            actor=SYSTEM,
        )
        assert again.season_id == later.id

    def test_a_group_of_another_company_is_refused(self, session: Session, world: Any) -> None:
        with pytest.raises(GroupNotFound):
            service.create_pilgrim(
                session, pilgrim_in=pilgrim_in(world, group_id=world.group_b.id), actor=SYSTEM
            )

    def test_a_hotel_is_not_a_mina_camp(self, session: Session, world: Any) -> None:
        with pytest.raises(LodgingNotFound, match="mina_camp_id"):
            service.create_pilgrim(
                session, pilgrim_in=pilgrim_in(world, mina_camp_id=world.hotel.id), actor=SYSTEM
            )

    def test_a_helper_may_not_register_pilgrims(self, session: Session, world: Any) -> None:
        with pytest.raises(Forbidden):
            service.create_pilgrim(
                session, pilgrim_in=pilgrim_in(world), actor=world.actor("field_worker")
            )


class TestCreatePilgrimFromMRZ:
    def _mrz(self, **kw: Any) -> str:
        values: dict[str, Any] = {
            "document_number": "P9876543",
            "issuing_state": "MYS",
            "surname": "BINTI ISMAIL",
            "given_names": "NUR AISYAH",
            "nationality": "MYS",
            "date_of_birth": date(1972, 8, 15),
            "sex": "F",
            "date_of_expiry": date(2030, 9, 30),
        }
        return mrz.format_td3(**(values | kw))

    def test_takes_the_identity_from_the_machine_readable_zone(
        self, session: Session, world: Any
    ) -> None:
        created = service.create_pilgrim_from_mrz(
            session,
            pilgrim_in=PilgrimFromMRZ(
                mrz=self._mrz(), company_id=world.company_a.id, surname_ar="إسماعيل"
            ),
            actor=world.actor("company"),
        )
        assert (created.surname, created.given_names) == ("Binti Ismail", "Nur Aisyah")
        assert (created.nationality, created.sex) == ("MYS", "F")
        assert created.passport_number == "P9876543"
        assert created.date_of_birth == date(1972, 8, 15)
        assert created.passport_expiry == date(2030, 9, 30)
        assert created.surname_ar == "إسماعيل"
        assert search(session, world, "aisyah") == ["Nur Aisyah Binti Ismail"]

    def test_a_wrong_check_digit_is_invalid_mrz_naming_the_field(
        self, session: Session, world: Any
    ) -> None:
        line1, line2 = self._mrz().splitlines()
        # The passport number's check digit is the tenth character of the second line.
        wrong = str((int(line2[9]) + 1) % 10)
        broken = f"{line1}\n{line2[:9]}{wrong}{line2[10:]}"
        with pytest.raises(InvalidMRZ) as invalid:
            service.create_pilgrim_from_mrz(
                session,
                pilgrim_in=PilgrimFromMRZ(mrz=broken, company_id=world.company_a.id),
                actor=world.actor("company"),
            )
        assert invalid.value.code == "invalid_mrz"
        assert invalid.value.status == 422
        [problem] = invalid.value.problems
        assert problem.field == "document_number"

    def test_an_mrz_passport_already_registered_is_refused(
        self, session: Session, world: Any
    ) -> None:
        pilgrim = PilgrimFromMRZ(mrz=self._mrz(), company_id=world.company_a.id)
        service.create_pilgrim_from_mrz(session, pilgrim_in=pilgrim, actor=SYSTEM)
        with pytest.raises(DuplicatePassport):
            service.create_pilgrim_from_mrz(session, pilgrim_in=pilgrim, actor=SYSTEM)


class TestUpdatePilgrim:
    def test_a_new_name_is_found_and_the_old_one_is_not(self, session: Session, world: Any) -> None:
        service.update_pilgrim(
            session,
            pilgrim_id=world.pilgrim_a.id,
            pilgrim_in=PilgrimUpdate(surname="Rahmawati", given_names_ar="ستي"),
            actor=world.actor("company"),
        )
        assert search(session, world, "rahmawati") == ["Siti Rahmawati"]
        assert search(session, world, "aminah") == []
        assert search(session, world, "ستي") == ["Siti Rahmawati"]

    def test_an_update_is_audited_with_the_fields_changed(
        self, session: Session, world: Any
    ) -> None:
        service.update_pilgrim(
            session,
            pilgrim_id=world.pilgrim_a.id,
            pilgrim_in=PilgrimUpdate(phone="+6281200000002"),
            actor=world.actor("company"),
        )
        [entry] = audited(session, "pilgrim.update")
        assert entry.detail == {"fields": ["phone"]}

    def test_another_companys_pilgrim_is_not_found(self, session: Session, world: Any) -> None:
        with pytest.raises(Exception, match="no such pilgrim"):
            service.update_pilgrim(
                session,
                pilgrim_id=world.pilgrim_a.id,
                pilgrim_in=PilgrimUpdate(surname="X"),
                actor=world.actor("company_b"),
            )


class TestSearch:
    @pytest.mark.parametrize("query", ["ayse yilmaz", "AYSE", "Ayşe", "yılmaz", "YILMAZ ayse"])
    def test_latin_diacritics_and_case_are_folded(
        self, session: Session, world: Any, query: str
    ) -> None:
        service.create_pilgrim(session, pilgrim_in=pilgrim_in(world), actor=SYSTEM)
        assert search(session, world, query) == ["Ayşe Yılmaz"]

    @pytest.mark.parametrize(
        ("stored", "query"),
        [
            ("أحمد", "احمد"),
            ("احمد", "أحمد"),
            ("إبراهيم", "ابراهيم"),
            ("آدم", "ادم"),
            ("فاطمة", "فاطمه"),
            ("مؤمن", "مومن"),
            ("عائشة", "عايشه"),
            ("مُحَمَّد", "محمد"),
        ],
    )
    def test_arabic_hamza_forms_and_marks_are_folded(
        self, session: Session, world: Any, stored: str, query: str
    ) -> None:
        service.create_pilgrim(
            session, pilgrim_in=pilgrim_in(world, surname_ar=stored), actor=SYSTEM
        )
        assert search(session, world, query) == ["Ayşe Yılmaz"]

    def test_every_word_of_the_query_must_match(self, session: Session, world: Any) -> None:
        service.create_pilgrim(session, pilgrim_in=pilgrim_in(world), actor=SYSTEM)
        assert search(session, world, "ayse aminah") == []

    def test_by_passport_number(self, session: Session, world: Any) -> None:
        assert search(session, world, "a7654321") == ["Abdullah Al-Qahtani"]

    def test_like_wildcards_match_only_themselves(self, session: Session, world: Any) -> None:
        assert search(session, world, "a%z") == []


class TestPages:
    def test_pages_split_the_list_without_overlap(self, session: Session, world: Any) -> None:
        for n in range(5):
            service.create_pilgrim(
                session,
                pilgrim_in=pilgrim_in(world, surname=f"Test{n}", passport_number=f"T{n}000000"),
                actor=SYSTEM,
            )
        company = world.actor("company")  # sees its 5 and the world's Siti Aminah
        pages = [
            service.list_pilgrims(session, actor=company, page=PageRequest(n, 4)) for n in (1, 2, 3)
        ]
        assert [p.total for p in pages] == [6, 6, 6]
        assert [len(p.items) for p in pages] == [4, 2, 0]
        ids = [item.id for p in pages for item in p.items]
        assert len(set(ids)) == 6
        assert page_count(pages[0].total, 4) == 2
        assert [i.surname for i in pages[0].items] == ["Aminah", "Test0", "Test1", "Test2"]

    def test_counting_pilgrims_follows_the_actors_scope(self, session: Session, world: Any) -> None:
        assert service.count_pilgrims(session, actor=world.actor("operator")) == 2
        assert service.count_pilgrims(session, actor=world.actor("company_b")) == 1
        assert service.count_pilgrims(session, actor=world.actor("merchant")) == 0

    @pytest.mark.parametrize(("total", "pages"), [(0, 1), (1, 1), (50, 1), (51, 2), (100, 2)])
    def test_page_count(self, total: int, pages: int) -> None:
        assert page_count(total, 50) == pages
