"""Bulk import and export of pilgrims: files in, every bad row reported, files out, round trips."""

from __future__ import annotations

import csv
import io
import re
from datetime import date, datetime
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from labbaik.auth.models import AuditEntry
from labbaik.auth.roles import Actor, system_actor
from labbaik.errors import Conflict, Forbidden
from labbaik.kit.pagination import PageRequest
from labbaik.registry import importer, mrz, service, tabular
from labbaik.registry.errors import CompanyNotFound, ImportRejected
from labbaik.registry.models import Pilgrim
from labbaik.registry.schemas import PilgrimCreate, PilgrimFields
from labbaik.registry.search import fold

SYSTEM = system_actor("test")
TODAY = date.today()


def person(**changes: str) -> dict[str, str]:
    values = {
        "surname": "Santoso",
        "given_names": "Budi",
        "surname_ar": "سانتوسو",
        "given_names_ar": "بودي",
        "sex": "M",
        "date_of_birth": "1958-02-03",
        "nationality": "IDN",
        "passport_number": "B1000001",
        "passport_expiry": "2031-06-30",
        "phone": "+6281200000002",
        "language": "id",
        "group": "IDN-001",
    }
    return values | changes


def people(count: int) -> list[dict[str, str]]:
    return [
        person(passport_number=f"B{1000001 + i}", surname=f"Santoso{'a' * i}") for i in range(count)
    ]


def csv_file(
    path: Path,
    rows: list[dict[str, str]],
    *,
    columns: list[str] | None = None,
    delimiter: str = ",",
    bom: bool = True,
) -> Path:
    columns = columns or list(rows[0])
    text = io.StringIO()
    writer = csv.writer(text, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([row.get(c, "") for c in columns])
    path.write_bytes(("\ufeff" if bom else "").encode() + text.getvalue().encode())
    return path


def plan(
    session: Session, path: Path, *, company: str = "IDN-MORA", actor: Actor = SYSTEM
) -> importer.ImportPlan:
    with tabular.open_table(path) as sheet:
        return importer.plan_import(session, rows=sheet.rows, company_code=company, actor=actor)


def run(
    session: Session, path: Path, *, company: str = "IDN-MORA", actor: Actor = SYSTEM
) -> importer.ImportPlan:
    planned = plan(session, path, company=company, actor=actor)
    importer.apply_import(session, plan=planned, actor=actor)
    session.commit()
    return planned


def where(planned: importer.ImportPlan) -> list[tuple[int | None, str]]:
    return [(p.row, p.field) for p in planned.problems]


def stored(session: Session, passport: str) -> Pilgrim:
    found = session.scalar(select(Pilgrim).where(Pilgrim.passport_number == passport))
    assert found is not None
    return found


def count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Pilgrim)) or 0


def td3(**changes: Any) -> str:
    values: dict[str, Any] = {
        "issuing_state": "IDN",
        "surname": "Santoso",
        "given_names": "Budi",
        "document_number": "B1000001",
        "nationality": "IDN",
        "date_of_birth": date(1958, 2, 3),
        "sex": "M",
        "date_of_expiry": date(2031, 6, 30),
    }
    return mrz.format_td3(**(values | changes))


class TestReading:
    @pytest.mark.parametrize("bom", [True, False])
    def test_utf8_csv_with_or_without_a_byte_order_mark(self, tmp_path: Path, bom: bool) -> None:
        path = csv_file(tmp_path / "p.csv", [person()], bom=bom)
        with tabular.open_table(path) as sheet:
            assert sheet.columns[0] == "surname"
            [row] = list(sheet.rows)
        assert row.number == 2
        assert row.cells["surname"] == "Santoso"
        assert row.cells["surname_ar"] == "سانتوسو"

    def test_semicolons_as_excel_writes_them_where_the_comma_is_a_decimal_mark(
        self, tmp_path: Path
    ) -> None:
        path = csv_file(tmp_path / "p.csv", [person(given_names="Budi; Agus")], delimiter=";")
        with tabular.open_table(path) as sheet:
            [row] = list(sheet.rows)
        assert row.cells["given_names"] == "Budi; Agus"
        assert row.cells["passport_number"] == "B1000001"

    def test_header_names_ignore_case_spaces_and_take_aliases(self, tmp_path: Path) -> None:
        path = tmp_path / "p.csv"
        path.write_text(
            " Family Name ,First name,GENDER,DOB,Nationality,Passport No,Expiry Date,Group code\n"
            "Santoso,Budi,M,1958-02-03,IDN,B1000001,2031-06-30,IDN-001\n",
            encoding="utf-8",
        )
        with tabular.open_table(path) as sheet:
            assert sheet.columns == (
                "surname", "given_names", "sex", "date_of_birth", "nationality",
                "passport_number", "passport_expiry", "group",
            )  # fmt: skip

    def test_an_unknown_column_is_refused_by_name(self, tmp_path: Path) -> None:
        path = csv_file(tmp_path / "p.csv", [person(religion="x")])
        with pytest.raises(ImportRejected) as caught, tabular.open_table(path):
            pass
        [problem] = caught.value.problems
        assert problem.field == "columns"
        assert problem.message.startswith("unknown column(s): religion;")

    def test_a_missing_required_column_is_refused_by_name(self, tmp_path: Path) -> None:
        row = person()
        del row["passport_expiry"], row["sex"]
        path = csv_file(tmp_path / "p.csv", [row])
        with pytest.raises(ImportRejected) as caught, tabular.open_table(path):
            pass
        [problem] = caught.value.problems
        assert problem.message.startswith("missing column(s): sex, passport_expiry")

    def test_a_column_named_twice_is_refused(self, tmp_path: Path) -> None:
        path = csv_file(tmp_path / "p.csv", [person()], columns=[*person(), "family_name"])
        with pytest.raises(ImportRejected) as caught, tabular.open_table(path):
            pass
        assert caught.value.problems[0].message == "the column 'surname' appears twice"

    def test_a_file_that_is_not_utf8_is_refused(self, tmp_path: Path) -> None:
        path = tmp_path / "p.csv"
        path.write_bytes("surname,sex\nMüller,M\n".encode("cp1252"))
        with pytest.raises(ImportRejected, match="not UTF-8"), tabular.open_table(path):
            pass

    def test_an_empty_file_is_refused(self, tmp_path: Path) -> None:
        path = tmp_path / "p.csv"
        path.write_bytes(b"")
        with pytest.raises(ImportRejected, match="column names"), tabular.open_table(path):
            pass

    def test_broken_quoting_refuses_the_file_at_its_row(self, tmp_path: Path) -> None:
        path = tmp_path / "p.csv"
        path.write_text(
            "surname,sex,date_of_birth,nationality,passport_number,passport_expiry\n"
            "Santoso,M,1958-02-03,IDN,B1,2031-06-30\n"
            'Santoso,"M"x,1958-02-03,IDN,B2,2031-06-30\n',
            encoding="utf-8",
        )
        with tabular.open_table(path) as sheet, pytest.raises(ImportRejected) as caught:
            list(sheet.rows)
        assert caught.value.message.startswith("row 3 is not valid CSV")

    def test_blank_rows_are_skipped_and_rows_keep_their_numbers(self, tmp_path: Path) -> None:
        path = tmp_path / "p.csv"
        path.write_text(
            "surname,sex,date_of_birth,nationality,passport_number,passport_expiry\n"
            ",,,,,\n\nSantoso,M,1958-02-03,IDN,B1000001,2031-06-30\n",
            encoding="utf-8",
        )
        with tabular.open_table(path) as sheet:
            assert [r.number for r in sheet.rows] == [4]

    def test_xlsx_with_date_cells_iso_text_and_a_number_for_a_passport(
        self, tmp_path: Path
    ) -> None:
        book = openpyxl.Workbook()
        sheet = book.active
        assert sheet is not None
        sheet.append(["Surname", "Sex", "Date of birth", "Nationality", "Passport",
                      "Passport expiry"])  # fmt: skip
        sheet.append(["Santoso", "M", datetime(1958, 2, 3), "IDN", 12345678, "2031-06-30"])
        book.save(tmp_path / "p.xlsx")
        # Named .csv on purpose: the content, not the name, tells the format.
        (tmp_path / "p.xlsx").rename(tmp_path / "p.csv")
        with tabular.open_table(tmp_path / "p.csv") as table:
            [row] = list(table.rows)
        assert row.number == 2
        assert row.cells["date_of_birth"] == "1958-02-03"
        assert row.cells["passport_number"] == "12345678"
        assert row.cells["passport_expiry"] == "2031-06-30"

    def test_a_broken_workbook_is_refused(self, tmp_path: Path) -> None:
        path = tmp_path / "p.xlsx"
        path.write_bytes(b"PK\x03\x04 not really a zip")
        with pytest.raises(ImportRejected, match="not a readable XLSX"), tabular.open_table(path):
            pass


BAD_ROWS = [
    ({"date_of_birth": "1958-02-30"}, "date_of_birth", "'1958-02-30' is not a calendar date"),
    (
        {"passport_expiry": "30.06.2031"},
        "passport_expiry",
        "'30.06.2031' is not a date; write YYYY-MM-DD or DD/MM/YYYY",
    ),
    ({"nationality": "XYZ"}, "nationality", "'XYZ' is not an ISO 3166 alpha-3 country code"),
    ({"sex": "male"}, "sex", "'male' is not M, F or X"),
    ({"surname": ""}, "surname", "a value is required"),
    ({"passport_number": "B-100/1"}, "passport_number", "letters A-Z and digits"),
    ({"phone": "12345"}, "phone", "international form"),
    ({"language": "xx"}, "language", "language must be one of"),
    ({"group": "SAU-001"}, "group", "no group SAU-001 in IDN-MORA this season"),
    ({"group": "NOPE"}, "group", "no group NOPE in IDN-MORA this season"),
    ({"makkah_hotel": "MINA-12-3"}, "makkah_hotel", "MINA-12-3 is in Mina, not Makkah"),
    ({"mina_camp": "MINA-99"}, "mina_camp", "no lodging MINA-99 this season"),
]


class TestBadRows:
    @pytest.mark.parametrize(("change", "column", "reason"), BAD_ROWS)
    def test_each_bad_row_is_reported_with_its_row_and_column(
        self,
        session: Session,
        world: Any,
        tmp_path: Path,
        change: dict[str, str],
        column: str,
        reason: str,
    ) -> None:
        bad = person(**({"passport_number": "B2000002"} | change))
        rows = [person(), bad, person(passport_number="B3")]
        columns = [*person(), "makkah_hotel", "mina_camp"]
        planned = plan(session, csv_file(tmp_path / "p.csv", rows, columns=columns))
        assert where(planned) == [(3, column)]
        assert reason in planned.problems[0].message
        assert [p.row for p in planned.new] == [2, 4]

    def test_dates_may_be_written_day_first(
        self, session: Session, world: Any, tmp_path: Path
    ) -> None:
        rows = [person(date_of_birth="03/02/1958", passport_expiry="30/6/2031")]
        planned = plan(session, csv_file(tmp_path / "p.csv", rows))
        assert planned.problems == []
        assert planned.new[0].values["date_of_birth"] == date(1958, 2, 3)
        assert planned.new[0].values["passport_expiry"] == date(2031, 6, 30)

    def test_every_problem_of_a_row_is_reported(
        self, session: Session, world: Any, tmp_path: Path
    ) -> None:
        rows = [person(sex="?", date_of_birth="yesterday", nationality="Indonesia", surname="")]
        planned = plan(session, csv_file(tmp_path / "p.csv", rows))
        assert sorted(where(planned)) == [
            (2, "date_of_birth"), (2, "nationality"), (2, "sex"), (2, "surname"),
        ]  # fmt: skip

    def test_a_passport_twice_in_the_file_holds_back_both_rows(
        self, session: Session, world: Any, tmp_path: Path
    ) -> None:
        rows = [person(), person(passport_number="B2"), person(given_names="Agus")]
        planned = plan(session, csv_file(tmp_path / "p.csv", rows))
        assert [(p.row, p.field, p.message) for p in planned.problems] == [
            (2, "passport_number", "the same passport appears again in row 4"),
            (4, "passport_number", "the same passport as row 2"),
        ]
        assert [p.row for p in planned.new] == [3]

    def test_the_same_number_of_another_nationality_is_another_passport(
        self, session: Session, world: Any, tmp_path: Path
    ) -> None:
        rows = [person(), person(nationality="MYS")]
        planned = plan(session, csv_file(tmp_path / "p.csv", rows))
        assert planned.problems == []
        assert len(planned.new) == 2

    def test_a_passport_of_another_company_is_refused_without_naming_it(
        self, session: Session, world: Any, tmp_path: Path
    ) -> None:
        rows = [person(nationality="SAU", passport_number="A7654321")]
        planned = plan(session, csv_file(tmp_path / "p.csv", rows))
        [problem] = planned.problems
        assert (problem.row, problem.field) == (2, "passport_number")
        assert problem.message == "this passport is registered with another company this season"
        assert planned.new == []
        assert planned.changed == []

    def test_a_value_under_no_header_is_reported(
        self, session: Session, world: Any, tmp_path: Path
    ) -> None:
        path = tmp_path / "p.csv"
        path.write_text(
            "surname,sex,date_of_birth,nationality,passport_number,passport_expiry\n"
            "Santoso,M,1958-02-03,IDN,B1000001,2031-06-30,extra\n",
            encoding="utf-8",
        )
        planned = plan(session, path)
        assert [(p.row, p.field, p.message) for p in planned.problems] == [
            (2, "column G", "a value in a column with no header")
        ]


@pytest.mark.parametrize("block", [0, 1])
def test_the_examples_of_the_documentation_import(
    session: Session, world: Any, tmp_path: Path, block: int
) -> None:
    doc = (Path(__file__).parents[2] / "docs" / "import-format.md").read_text(encoding="utf-8")
    example = re.findall(r"```csv\n(.*?)```", doc, re.DOTALL)[block]
    path = tmp_path / "example.csv"
    path.write_text(example, encoding="utf-8")
    planned = plan(session, path)
    assert planned.problems == []
    assert planned.rows_read == [3, 2][block]


class TestMRZ:
    def test_the_identity_comes_from_the_mrz(
        self, session: Session, world: Any, tmp_path: Path
    ) -> None:
        rows = [{"mrz": td3(surname="Eriksson", given_names="Anna Maria", sex="F"),
                 "language": "en", "surname_ar": "إريكسون"}]  # fmt: skip
        planned = plan(session, csv_file(tmp_path / "p.csv", rows))
        assert planned.problems == []
        values = planned.new[0].values
        assert (values["surname"], values["given_names"], values["sex"]) == (
            "Eriksson", "Anna Maria", "F",
        )  # fmt: skip
        assert values["passport_number"] == "B1000001"
        assert values["date_of_birth"] == date(1958, 2, 3)

    def test_the_two_lines_may_run_together_in_one_cell(
        self, session: Session, world: Any, tmp_path: Path
    ) -> None:
        rows = [{"mrz": td3().replace("\n", " ")}]
        planned = plan(session, csv_file(tmp_path / "p.csv", rows))
        assert planned.problems == []

    def test_columns_that_agree_keep_their_spelling(
        self, session: Session, world: Any, tmp_path: Path
    ) -> None:
        zone = td3(surname="Müller", given_names="Jürgen", nationality="DEU", issuing_state="D")
        rows = [person(mrz=zone, surname="Müller", given_names="Jürgen", nationality="deu")]
        planned = plan(session, csv_file(tmp_path / "p.csv", rows))
        assert planned.problems == []
        values = planned.new[0].values
        assert (values["surname"], values["nationality"]) == ("Müller", "DEU")

    @pytest.mark.parametrize(
        ("column", "value", "zone_reads"),
        [
            ("date_of_birth", "1958-03-02", "1958-02-03"),
            ("surname", "Susanto", "SANTOSO"),
            ("passport_number", "B1000002", "B1000001"),
            ("sex", "F", "M"),
            ("nationality", "MYS", "IDN"),
            ("passport_expiry", "2031-07-30", "2031-06-30"),
        ],
    )
    def test_a_column_that_disagrees_with_the_mrz_is_a_row_error(
        self,
        session: Session,
        world: Any,
        tmp_path: Path,
        column: str,
        value: str,
        zone_reads: str,
    ) -> None:
        rows = [person(mrz=td3(), **{column: value})]
        planned = plan(session, csv_file(tmp_path / "p.csv", rows))
        assert [(p.row, p.field, p.message) for p in planned.problems] == [
            (2, column, f"does not match the MRZ, which reads {zone_reads}")
        ]

    def test_a_broken_mrz_is_a_row_error(
        self, session: Session, world: Any, tmp_path: Path
    ) -> None:
        zone = td3()
        broken = zone[:-1] + str((int(zone[-1]) + 1) % 10)
        planned = plan(session, csv_file(tmp_path / "p.csv", [{"mrz": broken}]))
        [problem] = planned.problems
        assert (problem.row, problem.field) == (2, "mrz")
        assert problem.message.startswith("composite: check digit")

    def test_a_row_without_an_mrz_needs_its_identity_columns(
        self, session: Session, world: Any, tmp_path: Path
    ) -> None:
        rows = [{"mrz": td3(), "surname": ""}, {"mrz": "", "surname": "Santoso"}]
        planned = plan(session, csv_file(tmp_path / "p.csv", rows))
        assert (3, "passport_number") in where(planned)
        assert [p.row for p in planned.new] == [2]


class TestApply:
    def test_the_good_rows_go_in_and_the_bad_are_left_out(
        self, session: Session, world: Any, tmp_path: Path
    ) -> None:
        rows = [*people(2), person(passport_number="B9", sex="?")]
        planned = run(session, csv_file(tmp_path / "p.csv", rows))
        assert (len(planned.new), planned.bad_rows) == (2, 1)
        assert count(session) == 2 + 2  # and the world's two
        pilgrim = stored(session, "B1000001")
        assert pilgrim.company_id == world.company_a.id
        assert pilgrim.group_id == world.group_a.id
        assert pilgrim.season_id == world.season.id
        assert pilgrim.search_text == "santoso budi سانتوسو بودي b1000001"

    def test_importing_the_same_file_again_changes_nothing(
        self, session: Session, world: Any, tmp_path: Path
    ) -> None:
        path = csv_file(tmp_path / "p.csv", people(3))
        run(session, path)
        before = stored(session, "B1000002").updated_at
        again = run(session, path)
        assert (len(again.new), len(again.changed), again.unchanged) == (0, 0, 3)
        session.expire_all()
        assert stored(session, "B1000002").updated_at == before
        assert count(session) == 3 + 2

    def test_stored_pilgrims_are_found_in_chunks_of_each_nationality(
        self, session: Session, world: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setattr(importer, "_KEY_CHUNK", 2)
        rows = [*people(3), *(person(nationality="MYS", passport_number=f"M{n}") for n in range(3))]
        path = csv_file(tmp_path / "p.csv", rows)
        run(session, path)
        again = plan(session, path)
        assert (len(again.new), len(again.changed), again.unchanged) == (0, 0, 6)

    def test_a_changed_row_updates_its_pilgrim(
        self, session: Session, world: Any, tmp_path: Path
    ) -> None:
        run(session, csv_file(tmp_path / "p.csv", people(3)))
        rows = people(3)
        rows[1] |= {"phone": "+6281299999999", "surname": "Wijaya"}
        again = run(session, csv_file(tmp_path / "p2.csv", rows))
        assert (len(again.new), len(again.changed), again.unchanged) == (0, 1, 2)
        assert again.changed[0].changed_fields == ("surname", "phone")
        session.expire_all()
        pilgrim = stored(session, "B1000002")
        assert (pilgrim.surname, pilgrim.phone) == ("Wijaya", "+6281299999999")
        found = service.list_pilgrims(
            session, actor=SYSTEM, page=PageRequest(1, 10), query="wijaya"
        )
        assert [p.passport_number for p in found.items] == ["B1000002"]

    def test_a_column_the_file_lacks_is_left_as_it_is(
        self, session: Session, world: Any, tmp_path: Path
    ) -> None:
        run(session, csv_file(tmp_path / "p.csv", people(2)))
        short = [person(passport_number="B1000001", given_names="Budi Agus")]
        columns = ["surname", "given_names", "sex", "date_of_birth", "nationality",
                   "passport_number", "passport_expiry"]  # fmt: skip
        again = run(session, csv_file(tmp_path / "p2.csv", short, columns=columns))
        assert again.changed[0].changed_fields == ("given_names",)
        session.expire_all()
        pilgrim = stored(session, "B1000001")
        assert (pilgrim.phone, pilgrim.surname_ar, pilgrim.group_id) == (
            "+6281200000002", "سانتوسو", world.group_a.id,
        )  # fmt: skip
        assert pilgrim.search_text == "santoso budi agus سانتوسو بودي b1000001"

    def test_an_empty_cell_of_a_column_the_file_has_clears_it(
        self, session: Session, world: Any, tmp_path: Path
    ) -> None:
        run(session, csv_file(tmp_path / "p.csv", people(1)))
        run(session, csv_file(tmp_path / "p2.csv", [person(group="", phone="")]))
        session.expire_all()
        pilgrim = stored(session, "B1000001")
        assert (pilgrim.group_id, pilgrim.phone) == (None, None)

    def test_an_imported_pilgrim_is_stored_as_the_service_stores_one(
        self, session: Session, world: Any, tmp_path: Path
    ) -> None:
        run(session, csv_file(tmp_path / "p.csv", [person(makkah_hotel="H-AZIZ-1")],
                              columns=[*person(), "makkah_hotel"]))  # fmt: skip
        query = (
            "SELECT id, group_id, makkah_lodging_id, date_of_birth, passport_expiry, created_at, "
            "updated_at FROM registry_pilgrim WHERE passport_number = '{}'"
        )

        def shape(number: str) -> list[tuple[type, int | None]]:
            stored = session.connection().exec_driver_sql(query.format(number)).one()
            return [(type(v), len(v) if isinstance(v, str) else None) for v in stored]

        assert shape("B1000001") == shape("C1234567")

    def test_planning_alone_writes_nothing(
        self, session: Session, world: Any, tmp_path: Path
    ) -> None:
        planned = plan(session, csv_file(tmp_path / "p.csv", people(3)))
        session.commit()
        assert len(planned.new) == 3
        assert count(session) == 2

    def test_one_audit_entry_with_the_counts(
        self, session: Session, world: Any, tmp_path: Path
    ) -> None:
        run(session, csv_file(tmp_path / "p.csv", [*people(2), person(sex="?")]))
        [entry] = session.scalars(select(AuditEntry).where(AuditEntry.action == "pilgrim.import"))
        assert entry.object_id == str(world.company_a.id)
        assert entry.detail == {
            "company": "IDN-MORA", "season": 1447, "rows": 3, "new": 2, "changed": 0,
            "unchanged": 0, "bad_rows": 1,
        }  # fmt: skip
        assert (
            session.scalar(select(func.count()).where(AuditEntry.action == "pilgrim.create")) == 2
        )  # the world's, none for the import's rows

    def test_a_company_imports_into_its_own_company(
        self, session: Session, world: Any, tmp_path: Path
    ) -> None:
        planned = run(
            session, csv_file(tmp_path / "p.csv", people(2)), actor=world.actor("company")
        )
        assert len(planned.new) == 2

    def test_a_company_cannot_import_into_another_company(
        self, session: Session, world: Any, tmp_path: Path
    ) -> None:
        path = csv_file(tmp_path / "p.csv", people(2))
        with pytest.raises(CompanyNotFound):
            plan(session, path, company="SAU-RAHMA", actor=world.actor("company"))

    def test_applying_checks_the_company_again(
        self, session: Session, world: Any, tmp_path: Path
    ) -> None:
        planned = plan(session, csv_file(tmp_path / "p.csv", people(2)), company="SAU-RAHMA")
        with pytest.raises(CompanyNotFound):
            importer.apply_import(session, plan=planned, actor=world.actor("company"))

    @pytest.mark.parametrize("role", ["field_worker", "officer", "medic", "pilgrim"])
    def test_roles_that_may_not_import(
        self, session: Session, world: Any, tmp_path: Path, role: str
    ) -> None:
        with pytest.raises(Forbidden):
            plan(session, csv_file(tmp_path / "p.csv", people(1)), actor=world.actor(role))

    def test_lodgings_are_placed(self, session: Session, world: Any, tmp_path: Path) -> None:
        rows = [person(makkah_hotel="h-aziz-1", mina_camp="MINA-12-3")]
        run(session, csv_file(tmp_path / "p.csv", rows))
        pilgrim = stored(session, "B1000001")
        assert (pilgrim.makkah_lodging_id, pilgrim.mina_camp_id) == (world.hotel.id, world.camp.id)

    def test_a_pilgrim_registered_meanwhile_makes_the_import_a_conflict(
        self, session: Session, world: Any, tmp_path: Path
    ) -> None:
        planned = plan(session, csv_file(tmp_path / "p.csv", people(3)))
        service.create_pilgrim(
            session,
            pilgrim_in=PilgrimCreate(
                surname="Santoso", sex="M", date_of_birth=date(1958, 2, 3), nationality="IDN",
                passport_number="B1000003", passport_expiry=date(2031, 6, 30),
                company_id=world.company_a.id,
            ),
            actor=SYSTEM,
        )  # fmt: skip
        with pytest.raises(Conflict, match="run the import again"):
            importer.apply_import(session, plan=planned, actor=SYSTEM)
        session.rollback()
        assert count(session) == 2


def export(session: Session, fmt: str, path: Path, **kw: Any) -> Path:
    rows = importer.export_pilgrims(session, **({"actor": SYSTEM} | kw))
    writer = tabular.write_csv if fmt == "csv" else tabular.write_xlsx
    with path.open("wb") as stream:
        writer(stream, rows)
    return path


class TestExport:
    @pytest.mark.parametrize("fmt", ["csv", "xlsx"])
    def test_an_export_imports_again_without_change(
        self, session: Session, world: Any, tmp_path: Path, fmt: str
    ) -> None:
        rows = [*people(3), person(passport_number="B7", surname_ar="", phone="",
                                   given_names="", group="", makkah_hotel="H-AZIZ-1")]  # fmt: skip
        run(session, csv_file(tmp_path / "in.csv", rows, columns=[*person(), "makkah_hotel"]))
        path = export(session, fmt, tmp_path / f"out.{fmt}", company_code="IDN-MORA")
        again = plan(session, path)
        assert again.problems == []
        assert (len(again.new), len(again.changed), again.unchanged) == (0, 0, 5)

    def test_the_csv_has_a_byte_order_mark_and_crlf_and_shows_arabic(
        self, session: Session, world: Any, tmp_path: Path
    ) -> None:
        data = export(session, "csv", tmp_path / "out.csv").read_bytes()
        assert data.startswith(b"\xef\xbb\xbfsurname,given_names,surname_ar,")
        lines = data.decode("utf-8-sig").split("\r\n")
        assert lines[-1] == ""
        assert len(lines) == 1 + 2 + 1
        assert "Al-Qahtani,Abdullah,القحطاني,عبدالله,M,1960-07-14,SAU,A7654321" in lines[1]
        assert lines[2].endswith(",IDN-001,H-AZIZ-1,,MINA-12-3,")

    def test_the_xlsx_has_a_bold_frozen_header_dates_and_text_passports(
        self, session: Session, world: Any, tmp_path: Path
    ) -> None:
        path = export(session, "xlsx", tmp_path / "out.xlsx")
        sheet = openpyxl.load_workbook(path).worksheets[0]
        assert sheet.freeze_panes == "A2"
        assert sheet["A1"].value == "surname"
        assert sheet["A1"].font.b
        assert sheet["F2"].value == datetime(1960, 7, 14)
        assert sheet["H2"].value == "A7654321"
        assert sheet["H2"].number_format == "@"

    def test_a_would_be_formula_is_written_as_text(
        self, session: Session, world: Any, tmp_path: Path
    ) -> None:
        rows = [person(surname='=HYPERLINK("http://x")', given_names="@SUM(1)")]
        run(session, csv_file(tmp_path / "in.csv", rows))
        csv_out = export(session, "csv", tmp_path / "out.csv", company_code="IDN-MORA")
        assert "'=HYPERLINK" in csv_out.read_text(encoding="utf-8-sig")
        assert ",+6281200000002," in csv_out.read_text(encoding="utf-8-sig")
        xlsx_out = export(session, "xlsx", tmp_path / "out.xlsx", company_code="IDN-MORA")
        cells = openpyxl.load_workbook(xlsx_out).worksheets[0]["A"]
        assert [c.data_type for c in cells if str(c.value).startswith("=")] == ["s"]
        for path in (csv_out, xlsx_out):
            again = plan(session, path)
            assert (again.unchanged, len(again.changed), again.problems) == (2, 0, [])

    def test_a_company_exports_only_its_own(
        self, session: Session, world: Any, tmp_path: Path
    ) -> None:
        rows = list(importer.export_pilgrims(session, actor=world.actor("company")))
        assert [r["passport_number"] for r in rows] == ["C1234567"]
        with pytest.raises(CompanyNotFound):
            importer.export_pilgrims(
                session, actor=world.actor("company"), company_code="SAU-RAHMA"
            )

    def test_roles_that_may_not_export(self, session: Session, world: Any) -> None:
        for role in ("field_worker", "medic", "pilgrim"):
            with pytest.raises(Forbidden):
                importer.export_pilgrims(session, actor=world.actor(role))

    def test_the_export_is_audited_once(self, session: Session, world: Any) -> None:
        assert len(list(importer.export_pilgrims(session, actor=SYSTEM))) == 2
        session.flush()
        [entry] = session.scalars(select(AuditEntry).where(AuditEntry.action == "pilgrim.export"))
        assert entry.detail == {"company": None, "season": 1447, "rows": 2}


# The fast path of clean rows must give what PilgrimFields gives, or step aside.

_SAMPLES: dict[str, list[Any]] = {
    "surname": ["Santoso", " Santoso", "Al  Qahtani", "", "a" * 100, "a" * 101, "Yılmaz"],
    "given_names": ["Budi", "", "Budi  Agus", "b" * 201, None],
    "surname_ar": ["القحطاني", "عبد  الله", "", None],
    "given_names_ar": ["بودي", None],
    "sex": ["M", "F", "X", None],
    "date_of_birth": [date(1958, 2, 3), date(1899, 12, 31), TODAY, date(2999, 1, 1), None],
    "nationality": ["IDN", "idn", "XYZ", " SAU", None],
    "passport_number": ["B1000001", "b1000001", "B 100", "A" * 20, "A" * 21, "B-1", None],
    "passport_expiry": [date(2031, 6, 30), None],
    "phone": ["+6281200000002", "0812", "+62 812 0000 0002", "00966501234567", None],
    "language": ["id", "ID", "xx", None],
    "emergency_contact_name": ["Agus", "  Agus ", "c" * 201, None],
    "emergency_contact_phone": ["+966501234567", "+0123", None],
}


@settings(max_examples=400, deadline=None)
@given(st.fixed_dictionaries({k: st.sampled_from(v) for k, v in _SAMPLES.items()}))
def test_the_fast_path_agrees_with_the_schema(sample: dict[str, Any]) -> None:
    raw = {k: v for k, v in sample.items() if v is not None}
    fast = importer._canonical(raw, TODAY)
    try:
        expected = service.pilgrim_row_values(PilgrimFields.model_validate(raw))
    except ValueError:
        assert fast is None
        return
    assert fast is None or fast == expected


@given(st.from_regex(r"[A-Z0-9]{1,20}", fullmatch=True))
def test_a_passport_number_folds_to_its_lower_case(number: str) -> None:
    assert fold(number) == number.lower()
