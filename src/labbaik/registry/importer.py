"""Bulk import and export of pilgrims: check a whole table, then apply it in one transaction."""

from __future__ import annotations

import contextlib
import gc
import itertools
import json
import operator
import re
import uuid
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any

import psycopg
from pydantic import ValidationError
from sqlalchemy import ARRAY, Connection, Select, String, any_, bindparam, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from labbaik.auth import service as auth_service
from labbaik.auth.roles import Actor, Scope
from labbaik.errors import Conflict, FieldProblem
from labbaik.kit.ids import uuid7
from labbaik.kit.timeutil import utcnow
from labbaik.registry import mrz, service
from labbaik.registry.countries import is_country
from labbaik.registry.models import Group, Lodging, Pilgrim
from labbaik.registry.schemas import LANGUAGES, PilgrimFields, SeasonRead
from labbaik.registry.search import fold, search_text
from labbaik.registry.tabular import (
    DATE_COLUMNS,
    IDENTITY,
    OWN_FIELDS,
    PLACEMENT,
    ExportRow,
    Row,
    check_columns,
)

Progress = Callable[[int], None]

# Where each placement column points, and the site its lodging must stand in.
_PLACEMENT_IDS = {
    "group": "group_id",
    "makkah_hotel": "makkah_lodging_id",
    "madinah_hotel": "madinah_lodging_id",
    "mina_camp": "mina_camp_id",
    "arafat_camp": "arafat_camp_id",
}
_COLUMN_OF = {field: column for column, field in _PLACEMENT_IDS.items()}
_SITES = {
    "makkah_hotel": "makkah",
    "madinah_hotel": "madinah",
    "mina_camp": "mina",
    "arafat_camp": "arafat",
}
# The fields search_text is made of, in service.pilgrim_row_values' order.
_SEARCHED = ("surname", "given_names", "surname_ar", "given_names_ar", "passport_number")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_DAY_FIRST = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")
_PHONE = re.compile(r"\+[1-9][0-9]{6,14}")
_PASSPORT = re.compile(r"[A-Z0-9]{1,20}")
_EARLIEST_BIRTH = date(1900, 1, 1)
_LANGUAGES = frozenset(LANGUAGES)
# What PilgrimFields gives a field that the row leaves empty.
_DEFAULTS: dict[str, Any] = {**dict.fromkeys(OWN_FIELDS), "given_names": "", "language": "en"}
_MRZ_SPELLING = str.maketrans(
    {"ä": "ae", "ö": "oe", "ü": "ue", "å": "aa", "æ": "ae", "ø": "oe", "ß": "ss", "þ": "th"}
)
_MRZ_NAME_WIDTH = {"TD3": 39, "TD1": 30}
_TABLE = Pilgrim.metadata.tables[Pilgrim.__tablename__]
_KEY_CHUNK = 5000
_BATCH = 2000


@dataclass(slots=True)
class PlannedRow:
    """A row that will be written: its number in the file and the pilgrim's column values."""

    row: int
    values: dict[str, Any]
    pilgrim_id: uuid.UUID | None = None
    # The file's columns whose values differ from what is stored.
    changed_fields: tuple[str, ...] = ()


@dataclass
class ImportPlan:
    """What applying a file would do; nothing has been written yet."""

    company_id: uuid.UUID
    company_code: str
    season_id: uuid.UUID
    hijri_year: int
    # The pilgrim columns the file sets; a column the file lacks is left as it is.
    fields: tuple[str, ...]
    new: list[PlannedRow]
    changed: list[PlannedRow]
    unchanged: int
    problems: list[FieldProblem]
    rows_read: int

    @property
    def bad_rows(self) -> int:
        return len({p.row for p in self.problems})


@dataclass(frozen=True)
class ImportResult:
    new: int
    changed: int
    unchanged: int
    bad_rows: int
    problems: list[FieldProblem]


# Reading one row -------------------------------------------------------------------------------


# Dates repeat from row to row (the expiry dates of a batch of passports above all).
@lru_cache(maxsize=1 << 16)
def _parse_date(text: str) -> date:
    if len(text) == 10 and text[4] == text[7] == "-":
        # The usual case, parsed in C; anything odd falls through for its own message.
        with contextlib.suppress(ValueError):
            return date.fromisoformat(text)
    if _ISO_DATE.fullmatch(text):
        year, month, day = int(text[:4]), int(text[5:7]), int(text[8:10])
    elif found := _DAY_FIRST.fullmatch(text):
        day, month, year = (int(g) for g in found.groups())
    else:
        raise ValueError(f"{text!r} is not a date; write YYYY-MM-DD or DD/MM/YYYY")
    try:
        return date(year, month, day)
    except ValueError:
        raise ValueError(f"{text!r} is not a calendar date") from None


_fold_name = lru_cache(maxsize=1 << 16)(fold)


def _tidy(text: str | None, limit: int) -> bool:
    return text is None or (len(text) <= limit and " ".join(text.split()) == text)


def _canonical(raw: dict[str, Any], today: date) -> dict[str, Any] | None:
    """The row's values when each is already in the form PilgrimFields gives it, so validating
    would change nothing; None sends the row through PilgrimFields for its rules and messages.

    Most files are clean, and checking a clean row by hand is several times faster.
    """
    values = {**_DEFAULTS, **raw}
    surname, given, surname_ar, given_ar = (
        values["surname"], values["given_names"], values["surname_ar"], values["given_names_ar"]
    )  # fmt: skip
    born, number = values["date_of_birth"], values["passport_number"]
    phone, other_phone = values["phone"], values["emergency_contact_phone"]
    if not (
        surname
        and _tidy(surname, 100)
        and _tidy(given, 200)
        and _tidy(surname_ar, 100)
        and _tidy(given_ar, 200)
        and values["sex"] is not None
        and born is not None
        and _EARLIEST_BIRTH <= born <= today
        and is_country(values["nationality"])
        and number is not None
        and _PASSPORT.fullmatch(number)
        and values["passport_expiry"] is not None
        and values["language"] in _LANGUAGES
        and len(values["emergency_contact_name"] or "") <= 200
        and (phone is None or _PHONE.fullmatch(phone))
        and (other_phone is None or _PHONE.fullmatch(other_phone))
    ):
        return None
    parts = [_fold_name(text) for text in (surname, given, surname_ar, given_ar) if text]
    # fold() of a passport number (A-Z, 0-9 only) is its lower case.
    parts.append(number.lower())
    values["search_text"] = " ".join(parts)[:700]
    return values


def _schema_problems(exc: ValidationError, row: int, reported: set[str]) -> list[FieldProblem]:
    problems = []
    for error in exc.errors(include_url=False):
        column = str(error["loc"][0]) if error["loc"] else "row"
        if column in reported:
            continue
        reported.add(column)
        context = error.get("ctx") or {}
        kind = error["type"]
        if kind == "missing" or (kind == "string_too_short" and context.get("min_length") == 1):
            message = "a value is required"
        elif kind == "value_error":
            message = str(context.get("error", error["msg"]))
        elif kind == "string_too_long":
            message = f"at most {context.get('max_length')} characters"
        else:
            message = error["msg"]
        problems.append(FieldProblem(column, message, row=row))
    return problems


def _zone_lines(text: str) -> str:
    """The zone's lines; a cell may hold them one under the other or run together in one."""
    joined = "".join(text.split())
    if "\n" not in text.strip() and len(joined) in (88, 90):
        width = 44 if len(joined) == 88 else 30
        return "\n".join(joined[i : i + width] for i in range(0, len(joined), width))
    return text


def _compact(text: str) -> str:
    return "".join(fold(text).split())


def _same_name(written: str, in_zone: str, *, cut: bool) -> bool:
    """Whether a name as written agrees with the MRZ's, which has no case, no diacritics, spells
    some letters as two (Ä as AE) and may be cut short where the zone ran out of room."""
    zone = _compact(in_zone)
    for form in {_compact(written), _compact(written.lower().translate(_MRZ_SPELLING))}:
        if form == zone or (cut and zone and form.startswith(zone)):
            return True
    return False


class _RowChecker:
    """Checks rows of one file against one company's groups and the season's lodgings."""

    def __init__(
        self,
        *,
        columns: tuple[str, ...],
        company_code: str,
        groups: dict[str, uuid.UUID],
        lodgings: dict[str, tuple[uuid.UUID, str]],
    ) -> None:
        self.has_mrz = "mrz" in columns
        self.own = tuple(c for c in OWN_FIELDS if c in columns or (self.has_mrz and c in IDENTITY))
        self.texts = tuple(c for c in self.own if c not in DATE_COLUMNS)
        self.dates = tuple(c for c in self.own if c in DATE_COLUMNS)
        self.placement = tuple(c for c in PLACEMENT if c in columns)
        # Per column, the codes it may name: a Makkah hotel column names Makkah hotels only.
        self.refs = {
            column: groups
            if column == "group"
            else {code: ref for code, (ref, site) in lodgings.items() if site == _SITES[column]}
            for column in self.placement
        }
        self.company_code = company_code
        self.lodgings = lodgings
        self.today = date.today()

    def check(self, row: Row) -> tuple[dict[str, Any] | None, list[FieldProblem]]:
        number, cells = row.number, row.cells
        problems: list[FieldProblem] = []
        if row.stray is not None:
            problems.append(
                FieldProblem(f"column {row.stray}", "a value in a column with no header", number)
            )
        raw: dict[str, Any] = {c: text for c in self.texts if (text := cells.get(c))}
        reported: set[str] = set()
        for column in self.dates:
            if text := cells.get(column):
                try:
                    raw[column] = _parse_date(text)
                except ValueError as exc:
                    problems.append(FieldProblem(column, str(exc), number))
                    reported.add(column)
        if sex := raw.get("sex"):
            if sex.upper() in ("M", "F", "X"):
                raw["sex"] = sex.upper()
            else:
                del raw["sex"]
                problems.append(FieldProblem("sex", f"{sex!r} is not M, F or X", number))
                reported.add("sex")
        zone = cells.get("mrz", "") if self.has_mrz else ""
        if zone:
            problems += self._take_identity_from_zone(zone, raw, number, reported)
        values = None if problems else _canonical(raw, self.today)
        if values is None:
            try:
                values = service.pilgrim_row_values(PilgrimFields.model_validate(raw))
            except ValidationError as exc:
                problems += _schema_problems(exc, number, reported)
        for column in self.placement:
            ref = None
            if code := cells.get(column):
                ref = self.refs[column].get(code.upper())
                if ref is None:
                    problems.append(FieldProblem(column, self._unknown(column, code), number))
                    continue
            if values is not None:
                values[_PLACEMENT_IDS[column]] = ref
        return (None if problems else values), problems

    def _unknown(self, column: str, code: str) -> str:
        code = code.upper()
        if column == "group":
            return f"no group {code} in {self.company_code} this season"
        found = self.lodgings.get(code)
        if found is None:
            return f"no lodging {code} this season"
        return f"{code} is in {found[1].title()}, not {_SITES[column].title()}"

    def _take_identity_from_zone(
        self, zone: str, raw: dict[str, Any], number: int, reported: set[str]
    ) -> list[FieldProblem]:
        """Put the zone's identity into raw; each identity column given must agree with it."""
        try:
            parsed = mrz.parse(_zone_lines(zone))
        except mrz.MRZError as exc:
            reported.update(IDENTITY)
            return [FieldProblem("mrz", f"{exc.field}: {exc.message}", number)]
        width = _MRZ_NAME_WIDTH[parsed.format]
        cut = len(parsed.surname) + 2 + len(parsed.given_names) >= width
        read: dict[str, Any] = {
            "surname": parsed.surname,
            "given_names": parsed.given_names,
            "sex": parsed.sex,
            "date_of_birth": parsed.date_of_birth,
            "nationality": parsed.nationality,
            "passport_number": parsed.document_number,
            "passport_expiry": parsed.date_of_expiry,
        }
        problems = []
        for column, value in read.items():
            given = raw.get(column)
            if column in reported:
                continue
            if given is None:
                raw[column] = value.title() if column in ("surname", "given_names") else value
                continue
            if column in ("surname", "given_names"):
                agrees = _same_name(given, value, cut=cut)
            elif column in ("nationality", "passport_number"):
                agrees = given.upper().replace(" ", "") == value
            else:
                agrees = given == value
            if not agrees:
                shown = value.isoformat() if isinstance(value, date) else value
                problems.append(
                    FieldProblem(column, f"does not match the MRZ, which reads {shown}", number)
                )
                reported.add(column)
            elif column not in ("surname", "given_names"):
                raw[column] = value
        return problems


# Planning --------------------------------------------------------------------------------------


@contextmanager
def _no_cycle_collection() -> Iterator[None]:
    """Pause Python's cycle collector while rows pile up.

    An import makes hundreds of thousands of dicts that live to its end and form no cycles; the
    collector would walk them over and over for nothing, a tenth of the import's time. Reference
    counting still frees everything else as usual.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _season(session: Session, season: int | None) -> SeasonRead:
    if season is None:
        return service.current_season(session)
    return service.season_by_year(session, hijri_year=season)


def _existing(
    session: Session, *, season_id: uuid.UUID, keys: list[tuple[str, str]], fields: tuple[str, ...]
) -> Iterator[Any]:
    """The season's pilgrims with these (nationality, passport) keys: a query for each chunk of
    numbers of one nationality, so that the season's unique index answers it whole."""
    names = dict.fromkeys(("id", "company_id", "nationality", *fields, *_SEARCHED))
    columns = [getattr(Pilgrim, name) for name in names]
    by_country: dict[str, list[str]] = {}
    for country, number in keys:
        by_country.setdefault(country, []).append(number)
    postgres = session.get_bind().dialect.name == "postgresql"
    for country, numbers in sorted(by_country.items()):
        numbers.sort()
        for start in range(0, len(numbers), _KEY_CHUNK):
            chunk = numbers[start : start + _KEY_CHUNK]
            # One parameter holding the chunk, not one per number: several times faster to
            # bind and plan, and clear of SQLite's limit on the number of parameters.
            if postgres:
                among = Pilgrim.passport_number == any_(bindparam("numbers", chunk, ARRAY(String)))
            else:
                listed = func.json_each(json.dumps(chunk)).table_valued("value")
                among = Pilgrim.passport_number.in_(select(listed.c.value))
            yield from session.execute(
                select(*columns).where(
                    Pilgrim.season_id == season_id, Pilgrim.nationality == country, among
                )
            )


def plan_import(
    session: Session,
    *,
    rows: Iterable[Row],
    company_code: str,
    actor: Actor,
    season: int | None = None,
) -> ImportPlan:
    """Check every row and compare it with what is stored; write nothing.

    Bad rows, rows repeating a passport and passports of another company are problems; the
    other rows are new, changed or unchanged.
    """
    auth_service.require(actor, Scope.REGISTRY_IMPORT)
    company = service.get_company_by_code(session, code=company_code, actor=actor)
    season_read = _season(session, season)
    iterator = iter(rows)
    first = next(iterator, None)
    columns = tuple(first.cells) if first is not None else ()
    if first is not None:
        check_columns(columns)
    groups: dict[str, uuid.UUID] = {}
    if "group" in columns:
        in_company = select(Group.code, Group.id).where(
            Group.season_id == season_read.id, Group.company_id == company.id
        )
        groups = dict(session.execute(in_company).all())
    lodgings: dict[str, tuple[uuid.UUID, str]] = {}
    if any(c in columns for c in _SITES):
        lodgings = {
            code: (lodging_id, site)
            for code, lodging_id, site in session.execute(
                select(Lodging.code, Lodging.id, Lodging.site).where(
                    Lodging.season_id == season_read.id
                )
            )
        }
    checker = _RowChecker(
        columns=columns, company_code=company.code, groups=groups, lodgings=lodgings
    )
    problems: list[FieldProblem] = []
    valid: dict[tuple[str, str], PlannedRow] = {}
    # The later rows of each passport that appears more than once: all its rows are held back.
    repeats: dict[tuple[str, str], list[int]] = {}
    rows_read = 0
    with _no_cycle_collection():
        for row in itertools.chain((first,), iterator) if first is not None else ():
            rows_read += 1
            values, row_problems = checker.check(row)
            if values is None:
                problems += row_problems
                continue
            key = (values["nationality"], values["passport_number"])
            if key in valid:
                repeats.setdefault(key, []).append(row.number)
            else:
                valid[key] = PlannedRow(row.number, values)
    for key, later in repeats.items():
        held = valid.pop(key).row
        again = f"the same passport appears again in row {later[0]}"
        problems.append(FieldProblem("passport_number", again, held))
        problems += [
            FieldProblem("passport_number", f"the same passport as row {held}", n) for n in later
        ]
    fields = (*checker.own, *(_PLACEMENT_IDS[c] for c in checker.placement))
    changed: list[PlannedRow] = []
    unchanged = 0
    for stored in _existing(session, season_id=season_read.id, keys=list(valid), fields=fields):
        planned = valid.pop((stored.nationality, stored.passport_number))
        if stored.company_id != company.id:
            problems.append(
                FieldProblem(
                    "passport_number",
                    "this passport is registered with another company this season",
                    planned.row,
                )
            )
            continue
        differ = tuple(f for f in fields if getattr(stored, f) != planned.values[f])
        if not differ:
            unchanged += 1
            continue
        values = {f: planned.values[f] for f in fields}
        merged = {f: values[f] if f in values else getattr(stored, f) for f in _SEARCHED}
        values["search_text"] = search_text(*(merged[f] for f in _SEARCHED))
        columns_changed = tuple(_COLUMN_OF.get(f, f) for f in differ)
        changed.append(PlannedRow(planned.row, values, stored.id, columns_changed))
    # In row order already: rows were added in file order, and only removed since.
    new = list(valid.values())
    changed.sort(key=lambda p: p.row)
    problems.sort(key=lambda p: p.row or 0)
    return ImportPlan(
        company_id=company.id,
        company_code=company.code,
        season_id=season_read.id,
        hijri_year=season_read.hijri_year,
        fields=fields,
        new=new,
        changed=changed,
        unchanged=unchanged,
        problems=problems,
        rows_read=rows_read,
    )


# Applying --------------------------------------------------------------------------------------


def _insert(session: Session, plan: ImportPlan, progress: Progress | None) -> None:
    """Insert the new rows through the database driver itself, in the session's transaction.

    Building SQLAlchemy's parameters row by row costs more than the insert does; the driver is
    handed the values SQLAlchemy's own column types would bind, so what is stored is the same.
    """
    if not plan.new:
        return
    now = utcnow()
    fixed = (plan.season_id, plan.company_id, now, now)
    own = tuple(plan.new[0].values)
    columns = ("id", "season_id", "company_id", "created_at", "updated_at", *own)
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        _copy(connection, plan, columns, fixed, progress)
        return
    dialect = connection.dialect
    binders = [_TABLE.c[c].type.dialect_impl(dialect).bind_processor(dialect) for c in columns]
    new_id = binders[0] or _same
    constant = tuple((b or _same)(v) for b, v in zip(binders[1:5], fixed, strict=True))
    # Groups, lodgings and dates repeat from row to row: each distinct value is bound once.
    converted: list[tuple[int, Callable[[Any], Any], dict[Any, Any]]] = [
        (i, b, {}) for i, b in enumerate(binders[5:]) if b is not None
    ]
    # Only our own column names go into the text; pysqlite's paramstyle is qmark.
    marks = ", ".join("?" * len(columns))
    statement = f"INSERT INTO {_TABLE.name} ({', '.join(columns)}) VALUES ({marks})"  # noqa: S608
    own_values = operator.itemgetter(*own)
    for start in range(0, len(plan.new), _BATCH):
        batch = []
        for planned in plan.new[start : start + _BATCH]:
            row = list(own_values(planned.values))
            for i, bind, bound in converted:
                value = row[i]
                try:
                    row[i] = bound[value]
                except KeyError:
                    row[i] = bound[value] = bind(value)
            batch.append((new_id(uuid7()), *constant, *row))
        connection.exec_driver_sql(statement, batch)
        if progress is not None:
            progress(len(batch))


def _same(value: Any) -> Any:
    return value


def _copy(
    connection: Connection,
    plan: ImportPlan,
    columns: tuple[str, ...],
    fixed: tuple[Any, ...],
    progress: Progress | None,
) -> None:
    """COPY is several times faster than INSERT on PostgreSQL; it runs on the session's own
    connection, in its transaction, so a failure anywhere undoes it too."""
    own = columns[len(fixed) + 1 :]
    driver = connection.connection.driver_connection
    assert driver is not None  # a connection in use always has its driver's
    statement = f"COPY {_TABLE.name} ({', '.join(columns)}) FROM STDIN"
    with driver.cursor() as cursor, cursor.copy(statement) as copy:
        for index, planned in enumerate(plan.new, start=1):
            values = planned.values
            copy.write_row((uuid7(), *fixed, *[values[c] for c in own]))
            if progress is not None and index % _BATCH == 0:
                progress(_BATCH)
    if progress is not None and len(plan.new) % _BATCH:
        progress(len(plan.new) % _BATCH)


def _update(session: Session, plan: ImportPlan, progress: Progress | None) -> None:
    stmt = update(_TABLE).where(_TABLE.c.id == bindparam("pilgrim_id"))
    now = utcnow()
    for start in range(0, len(plan.changed), _BATCH):
        batch = plan.changed[start : start + _BATCH]
        session.execute(
            stmt, [{"pilgrim_id": p.pilgrim_id, **p.values, "updated_at": now} for p in batch]
        )
        if progress is not None:
            progress(len(batch))


def apply_import(
    session: Session, *, plan: ImportPlan, actor: Actor, progress: Progress | None = None
) -> ImportResult:
    """Insert the new rows and update the changed ones, in the caller's transaction.

    progress, if given, is called with the number of rows written after each batch.
    """
    auth_service.require(actor, Scope.REGISTRY_IMPORT)
    # The plan names its company; the actor must still be allowed to write there.
    service.get_company(session, company_id=plan.company_id, actor=actor)
    try:
        with _no_cycle_collection():
            _insert(session, plan, progress)
            _update(session, plan, progress)
    except (IntegrityError, psycopg.errors.IntegrityError):
        raise Conflict(
            "some of these pilgrims were registered by someone else while the file was being "
            "imported; nothing was imported, run the import again"
        ) from None
    auth_service.record(
        session,
        actor=actor,
        action="pilgrim.import",
        object_type="company",
        object_id=plan.company_id,
        detail={
            "company": plan.company_code,
            "season": plan.hijri_year,
            "rows": plan.rows_read,
            "new": len(plan.new),
            "changed": len(plan.changed),
            "unchanged": plan.unchanged,
            "bad_rows": plan.bad_rows,
        },
    )
    return ImportResult(
        new=len(plan.new),
        changed=len(plan.changed),
        unchanged=plan.unchanged,
        bad_rows=plan.bad_rows,
        problems=plan.problems,
    )


# Exporting -------------------------------------------------------------------------------------

_EXPORT_ORDER = (Pilgrim.surname, Pilgrim.given_names, Pilgrim.id)


def export_pilgrims(
    session: Session, *, actor: Actor, company_code: str | None = None, season: int | None = None
) -> Iterator[ExportRow]:
    """The pilgrims the actor may see, as rows in the import format (so they re-import as they
    are). The export is written to the audit log when this is called, before the rows are read.
    """
    auth_service.require(actor, Scope.REGISTRY_READ)
    auth_service.require(actor, Scope.PASSPORT_READ)
    season_read = _season(session, season)
    stmt = service.pilgrims_for(actor).where(Pilgrim.season_id == season_read.id)
    company = None
    if company_code:
        company = service.get_company_by_code(session, code=company_code, actor=actor)
        stmt = stmt.where(Pilgrim.company_id == company.id)
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    auth_service.record(
        session,
        actor=actor,
        action="pilgrim.export",
        object_type="pilgrim",
        detail={
            "company": company.code if company else None,
            "season": season_read.hijri_year,
            "rows": total,
        },
    )
    codes: dict[uuid.UUID, str] = {}
    for table in (Group, Lodging):
        query = select(table.id, table.code).where(table.season_id == season_read.id)
        codes.update(session.execute(query).all())
    return _export_rows(session, stmt, codes)


def _export_rows(
    session: Session, stmt: Select[Any], codes: dict[uuid.UUID, str]
) -> Iterator[ExportRow]:
    own = [getattr(Pilgrim, f) for f in OWN_FIELDS]
    placement = [getattr(Pilgrim, _PLACEMENT_IDS[c]) for c in PLACEMENT]
    query = stmt.with_only_columns(*own, *placement).order_by(*_EXPORT_ORDER)
    width = len(OWN_FIELDS)
    for found in session.execute(query.execution_options(yield_per=2000)):
        row: dict[str, str | date] = {
            f: ("" if v is None else v) for f, v in zip(OWN_FIELDS, found[:width], strict=True)
        }
        for column, ref in zip(PLACEMENT, found[width:], strict=True):
            row[column] = codes.get(ref, "") if ref is not None else ""
        yield row
