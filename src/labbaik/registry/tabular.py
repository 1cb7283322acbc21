"""Pilgrim tables in files: reading and writing the import and export columns as CSV and XLSX."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import IO, Any, NamedTuple

from labbaik.errors import FieldProblem
from labbaik.registry.errors import ImportRejected

# openpyxl is imported where a workbook is read or written, not with this module: it takes
# 0.15 s, and every command of the CLI imports the registry.

# The columns of an import file and of an export, in the order an export writes them.
IDENTITY = (
    "surname",
    "given_names",
    "sex",
    "date_of_birth",
    "nationality",
    "passport_number",
    "passport_expiry",
)
OWN_FIELDS = (
    "surname",
    "given_names",
    "surname_ar",
    "given_names_ar",
    "sex",
    "date_of_birth",
    "nationality",
    "passport_number",
    "passport_expiry",
    "phone",
    "language",
    "emergency_contact_name",
    "emergency_contact_phone",
)
PLACEMENT = ("group", "makkah_hotel", "madinah_hotel", "mina_camp", "arafat_camp")
EXPORTED = OWN_FIELDS + PLACEMENT
COLUMNS = (*EXPORTED, "mrz")
# Without an mrz column every row must carry its identity in these; given_names may be empty
# (some passports print no given name).
REQUIRED = tuple(c for c in IDENTITY if c != "given_names")
DATE_COLUMNS = frozenset({"date_of_birth", "passport_expiry"})

# Other names that spreadsheets in the field give the same columns (compared after folding).
ALIASES = {
    "last_name": "surname",
    "family_name": "surname",
    "first_name": "given_names",
    "first_names": "given_names",
    "given_name": "given_names",
    "surname_arabic": "surname_ar",
    "given_names_arabic": "given_names_ar",
    "gender": "sex",
    "dob": "date_of_birth",
    "birth_date": "date_of_birth",
    "date_of_birth_yyyy_mm_dd": "date_of_birth",
    "nationality_code": "nationality",
    "passport": "passport_number",
    "passport_no": "passport_number",
    "passport_expiry_date": "passport_expiry",
    "expiry_date": "passport_expiry",
    "mobile": "phone",
    "phone_number": "phone",
    "emergency_name": "emergency_contact_name",
    "emergency_phone": "emergency_contact_phone",
    "group_code": "group",
    "makkah_lodging": "makkah_hotel",
    "madinah_lodging": "madinah_hotel",
    "mina_tent": "mina_camp",
    "arafat_tent": "arafat_camp",
    "mrz_lines": "mrz",
}

XLSX_MAGIC = b"PK\x03\x04"
_HEADER_FOLD = re.compile(r"[\s\-./]+")
# A spreadsheet runs a cell that starts with one of these as a formula (CSV injection); a
# number such as a phone's "+966..." is safe and kept as it is.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"^[+-]?[0-9][0-9 ]*$")
_ESCAPED = re.compile(r"'[=+\-@\t\r]")


class Row(NamedTuple):
    """One data row: its number as a spreadsheet shows it (the header is row 1) and its cells."""

    number: int
    cells: dict[str, str]
    # The letter of a column that holds a value but has no header, which the importer reports.
    stray: str | None = None


@dataclass
class Sheet:
    """An open table: the file's columns by their canonical names, and its rows, read lazily."""

    columns: tuple[str, ...]
    rows: Iterator[Row]
    # The number of rows to expect, for a progress bar; None when the file does not say.
    size_hint: int | None


def canonical_column(header: str) -> str:
    folded = _HEADER_FOLD.sub("_", header.strip().lower()).strip("_")
    return ALIASES.get(folded, folded)


def check_columns(columns: Iterable[str]) -> None:
    """Refuse a table whose columns are unknown, repeated, or miss a required one."""
    seen: list[str] = []
    problems: list[FieldProblem] = []
    for column in columns:
        if column in seen:
            problems.append(FieldProblem("columns", f"the column {column!r} appears twice"))
        seen.append(column)
    unknown = [c for c in seen if c not in COLUMNS]
    if unknown:
        problems.append(
            FieldProblem(
                "columns",
                f"unknown column(s): {', '.join(unknown)}; the columns are {', '.join(COLUMNS)} "
                "(see docs/import-format.md)",
            )
        )
    if "mrz" not in seen:
        missing = [c for c in REQUIRED if c not in seen]
        if missing:
            problems.append(
                FieldProblem(
                    "columns",
                    f"missing column(s): {', '.join(missing)} (or give an mrz column instead)",
                )
            )
    if problems:
        raise ImportRejected(
            "the file's header row does not match the import format", problems=problems
        )


def _header(cells: Iterable[object]) -> list[str | None]:
    """Canonical names by position; None for a position with no header (ignored if empty)."""
    names: list[str | None] = []
    for cell in cells:
        text = _cell_text(cell)
        names.append(canonical_column(text) if text else None)
    while names and names[-1] is None:
        names.pop()
    if not names:
        raise ImportRejected(
            "the first row must hold the column names",
            problems=[FieldProblem("columns", "the first row is empty")],
        )
    check_columns(n for n in names if n is not None)
    return names


def _unescape(text: str) -> str:
    # An export wrote a quote before a would-be formula; a re-import takes it off again.
    if len(text) > 1 and text[0] == "'" and text[1] in _FORMULA_START:
        return text[1:]
    return text


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return _unescape(value.strip())
    if isinstance(value, datetime):
        if value.time() == datetime.min.time():
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return str(value).upper()
    if isinstance(value, float) and value.is_integer():
        # A passport number typed into a number cell comes back as 1234567.0.
        return str(int(value))
    return str(value)


def _strip(value: str) -> str:
    text = value.strip()
    return _unescape(text) if text[:1] == "'" else text


def _rows(
    names: list[str | None],
    records: Iterable[tuple[int, Any]],
    cell_text: Callable[[Any], str] = _cell_text,
) -> Iterator[Row]:
    width = len(names)
    named = [(i, n) for i, n in enumerate(names) if n is not None]
    columns = [n for _, n in named]
    plain = len(columns) == width
    number = 1
    try:
        for number, record in records:
            texts = list(map(cell_text, record))
            if plain and len(texts) == width:
                # The usual row, one cell under each header: the quick way.
                if any(texts):
                    yield Row(number, dict(zip(columns, texts, strict=False)))
                continue
            if not any(texts):
                continue
            cells = {name: (texts[i] if i < len(texts) else "") for i, name in named}
            stray = next(
                (i for i, t in enumerate(texts) if t and (i >= width or not names[i])), None
            )
            yield Row(number, cells, None if stray is None else _column_letter(stray + 1))
    except csv.Error as exc:
        raise ImportRejected(
            f"row {number + 1} is not valid CSV ({exc}); nothing was imported",
            problems=[FieldProblem("file", str(exc), row=number + 1)],
        ) from None


def _read_csv(data: bytes) -> Sheet:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportRejected(
            "the file is not UTF-8 text; in Excel save it as 'CSV UTF-8 (comma delimited)'",
            problems=[FieldProblem("file", f"byte {exc.start} is not UTF-8")],
        ) from None
    end = text.find("\n")
    first_line = text[:end] if end >= 0 else text
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        names = _header(next(reader, []))
    except csv.Error as exc:
        raise ImportRejected(f"the header row is not valid CSV: {exc}") from None
    columns = tuple(n for n in names if n is not None)
    # Stripping in C is quicker; only a file holding "'=" or the like has an escaped formula.
    escaped = _ESCAPED.search(text) is not None
    cell_text = _strip if escaped else str.strip
    # Numbered by record, as a spreadsheet numbers the rows of a CSV it opens.
    records = enumerate(reader, start=2)
    return Sheet(columns, _rows(names, records, cell_text), text.count("\n") or None)


def _column_letter(number: int) -> str:
    """A spreadsheet's name of its number-th column: 1 is A, 27 is AA."""
    letters = ""
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


@contextmanager
def _read_xlsx(file: IO[bytes]) -> Iterator[Sheet]:
    from openpyxl import load_workbook  # noqa: PLC0415
    from openpyxl.utils.exceptions import InvalidFileException  # noqa: PLC0415

    try:
        # A file object, not a path: openpyxl would refuse a name that does not end in .xlsx.
        book = load_workbook(file, read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError) as exc:
        raise ImportRejected(
            "the file is not a readable XLSX workbook", problems=[FieldProblem("file", str(exc))]
        ) from None
    try:
        sheet = book.worksheets[0]
        # Some programs write a wrong size into the file; read what is there instead.
        sheet.reset_dimensions()
        values = sheet.iter_rows(values_only=True)
        names = _header(next(values, ()))
        columns = tuple(n for n in names if n is not None)
        yield Sheet(columns, _rows(names, enumerate(values, start=2)), sheet.max_row)
    finally:
        book.close()


@contextmanager
def open_table(path: Path) -> Iterator[Sheet]:
    """Open a CSV or XLSX file (told apart by content, not name) for reading, header checked."""
    try:
        file = path.open("rb")
    except OSError as exc:
        raise ImportRejected(f"cannot read {path.name}: {exc.strerror}") from None
    with file:
        head = file.read(4)
        if head == XLSX_MAGIC:
            file.seek(0)
            with _read_xlsx(file) as sheet:
                yield sheet
        elif head.startswith(b"\xd0\xcf\x11\xe0"):
            raise ImportRejected("this is an old Excel (.xls) file; save it as .xlsx or CSV UTF-8")
        else:
            yield _read_csv(head + file.read())


# Writing ----------------------------------------------------------------------------------------

ExportRow = Mapping[str, str | date]


def _escape(text: str) -> str:
    if text.startswith(_FORMULA_START) and not _PLAIN_NUMBER.match(text):
        return "'" + text
    return text


def write_csv(
    stream: IO[bytes], rows: Iterable[ExportRow], *, columns: tuple[str, ...] = EXPORTED
) -> int:
    """UTF-8 with a byte order mark, so that Excel shows Arabic; CRLF line ends. Rows written."""
    text = io.TextIOWrapper(stream, encoding="utf-8-sig", newline="")
    writer = csv.writer(text, lineterminator="\r\n")
    writer.writerow(columns)
    count = 0
    for row in rows:
        writer.writerow(
            [
                v.isoformat() if isinstance(v, date) else _escape(v)
                for v in (row.get(c, "") for c in columns)
            ]
        )
        count += 1
    text.flush()
    text.detach()
    return count


def write_xlsx(
    stream: IO[bytes],
    rows: Iterable[ExportRow],
    *,
    columns: tuple[str, ...] = EXPORTED,
    title: str = "Pilgrims",
) -> int:
    """One sheet: a bold, frozen header row; dates as date cells; passports as text cells."""
    from openpyxl import Workbook  # noqa: PLC0415
    from openpyxl.cell import WriteOnlyCell  # noqa: PLC0415
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE  # noqa: PLC0415
    from openpyxl.styles import Font  # noqa: PLC0415

    def value_of(value: str | date) -> object:
        if isinstance(value, date):
            return value
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
        if value.startswith("="):
            # openpyxl would store it as a formula; as a text cell it is only text.
            cell = WriteOnlyCell(sheet, value)
            cell.data_type = "s"
            return cell
        return value or None

    book = Workbook(write_only=True)
    sheet = book.create_sheet(title)
    sheet.freeze_panes = "A2"
    for index, column in enumerate(columns, start=1):
        width = 14 if column in DATE_COLUMNS or column in PLACEMENT else 22
        sheet.column_dimensions[_column_letter(index)].width = width
    bold = Font(bold=True)
    header = []
    for column in columns:
        cell = WriteOnlyCell(sheet, column)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    passport = columns.index("passport_number") if "passport_number" in columns else None
    count = 0
    for row in rows:
        values = [value_of(row.get(c, "")) for c in columns]
        if passport is not None:
            # The text format keeps a number typed over it later from losing its leading zeros.
            number = WriteOnlyCell(sheet, str(row.get("passport_number", "")))
            number.number_format = "@"
            values[passport] = number
        sheet.append(values)
        count += 1
    book.save(stream)
    return count
