"""Machine-readable zones (ICAO 9303) of passports (TD3) and identity cards (TD1)."""

from __future__ import annotations

import re
import string
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime
from typing import Final, Literal

__all__ = ["MRZ", "MRZError", "compute_check_digit", "format_td1", "format_td3", "parse"]

MRZFormat = Literal["TD3", "TD1"]
Sex = Literal["M", "F", "X"]

_TD3_WIDTH: Final = 44
_TD1_WIDTH: Final = 30
_TD3_NAME_WIDTH: Final = 39
_TD1_NAME_WIDTH: Final = 30
_TD3_NUMBER_WIDTH: Final = 9
_TD3_OPTIONAL_WIDTH: Final = 14
_TD1_NUMBER_WIDTH: Final = 9
_TD1_OPTIONAL_WIDTHS: Final = (15, 11)
# ICAO 9303 part 5: a longer number continues in line 1's optional data, followed by its check
# digit and a filler, so at most 13 more characters fit there.
_TD1_LONGEST_NUMBER: Final = _TD1_NUMBER_WIDTH + _TD1_OPTIONAL_WIDTHS[0] - 2
# Documents are issued for at most a few decades; an expiry further ahead is last century's.
_EXPIRY_HORIZON_YEARS: Final = 50

_WEIGHTS: Final = (7, 3, 1)
_VALUES: Final[dict[str, int]] = {
    "<": 0,
    **{digit: int(digit) for digit in string.digits},
    **{letter: 10 + i for i, letter in enumerate(string.ascii_uppercase)},
}
# Only ASCII is lifted: str.upper() would turn "ß" into two letters and "ı" into a valid "I",
# which would shift or forge characters in a zone that must be read exactly as printed.
_ASCII_UPPER: Final = str.maketrans(string.ascii_lowercase, string.ascii_uppercase)
_ALPHA3: Final = re.compile(r"[A-Z]{3}")
# ICAO 9303 part 3: Germany's code is the single letter D, padded with fillers.
_GERMANY_IN_ZONE: Final = "D<<"
_GERMANY: Final = "DEU"

# ICAO 9303 part 3, section 6: letters that are not a base letter plus diacritics.
_TRANSLITERATIONS: Final = str.maketrans(
    {"Ä": "AE", "Ö": "OE", "Ü": "UE", "Å": "AA", "Æ": "AE", "Ø": "OE", "Œ": "OE", "ß": "SS",
     "Þ": "TH", "Ð": "D", "Đ": "D", "Ħ": "H", "Ĳ": "IJ", "Ł": "L", "Ŧ": "T", "Ŋ": "N", "ı": "I"}
)  # fmt: skip
# ICAO writes spaces and hyphens as fillers and leaves apostrophes and other punctuation out
# (O'CONNOR is OCONNOR), so only whitespace and these dashes become "<".
_SEPARATORS: Final = frozenset(" \t-\u2010\u2011\u2012\u2013\u2014_")


class MRZError(ValueError):
    """What is wrong with a machine-readable zone, naming the field it is wrong in."""

    field: str
    message: str

    def __init__(self, field: str, message: str) -> None:
        # Both go into args so that the error survives pickling, e.g. across worker processes.
        super().__init__(field, message)
        self.field = field
        self.message = message

    def __str__(self) -> str:
        return f"{self.field}: {self.message}"


@dataclass(frozen=True, slots=True)
class MRZ:
    """The fields of a zone whose every check digit matched."""

    format: MRZFormat
    document_type: str
    issuing_state: str
    surname: str
    given_names: str
    document_number: str
    nationality: str
    date_of_birth: date
    sex: Sex
    date_of_expiry: date
    optional_data: str

    def as_dict(self) -> dict[str, str]:
        """The fields as JSON-ready strings, dates in ISO 8601."""
        return {
            "format": self.format,
            "document_type": self.document_type,
            "issuing_state": self.issuing_state,
            "surname": self.surname,
            "given_names": self.given_names,
            "document_number": self.document_number,
            "nationality": self.nationality,
            "date_of_birth": self.date_of_birth.isoformat(),
            "sex": self.sex,
            "date_of_expiry": self.date_of_expiry.isoformat(),
            "optional_data": self.optional_data,
        }


def compute_check_digit(s: str) -> int:
    """The ICAO 9303 check digit of s: weights 7, 3, 1 repeating; < counts 0 and A-Z 10-35."""
    total = 0
    for i, char in enumerate(s):
        value = _VALUES.get(char)
        if value is None:
            raise MRZError("format", f"{char!r} cannot stand in a machine-readable zone")
        total += value * _WEIGHTS[i % 3]
    return total % 10


# Reading


def parse(text: str, *, today: date | None = None) -> MRZ:
    """Read a TD3 (2 x 44) or TD1 (3 x 30) zone; the first fault raises MRZError naming its field.

    Two-digit years are placed by `today` (default: the current date): a birth date is the
    latest one not after today, an expiry the latest one at most 50 years after today.
    """
    if today is None:
        today = date.today()
    elif isinstance(today, datetime):
        # A datetime cannot be compared with a date, and only the day matters here.
        today = today.date()
    lines = _zone_lines(text)
    if len(lines) == 2:
        return _parse_td3(lines[0], lines[1], today)
    return _parse_td1(lines[0], lines[1], lines[2], today)


def _zone_lines(text: str) -> list[str]:
    lines = [line.strip().translate(_ASCII_UPPER) for line in text.splitlines()]
    lines = [line for line in lines if line]
    found = ", ".join(str(len(line)) for line in lines)
    if not lines:
        raise MRZError("format", "the text holds no zone: there are no lines")
    if len(lines) not in (2, 3):
        raise MRZError(
            "format",
            f"a zone is 2 lines of {_TD3_WIDTH} characters (TD3 passport) or 3 lines of "
            f"{_TD1_WIDTH} (TD1 card); found {len(lines)} line(s) of {found} characters",
        )
    if len(lines) == 2 and any(len(line) != _TD3_WIDTH for line in lines):
        td2 = " (TD2 zones of 2 x 36 are not read)" if found == "36, 36" else ""
        raise MRZError(
            "line_length",
            f"a two-line zone (TD3 passport) has 2 lines of {_TD3_WIDTH} characters; "
            f"found lines of {found}{td2}",
        )
    if len(lines) == 3 and any(len(line) != _TD1_WIDTH for line in lines):
        raise MRZError(
            "line_length",
            f"a three-line zone (TD1 card) has 3 lines of {_TD1_WIDTH} characters; "
            f"found lines of {found}",
        )
    for number, line in enumerate(lines, 1):
        for position, char in enumerate(line, 1):
            if char not in _VALUES:
                raise MRZError(
                    "format",
                    f"line {number}, position {position}: {char!r} is not A-Z, 0-9 or <",
                )
    return lines


def _td3_composite(bottom: str) -> str:
    return bottom[0:10] + bottom[13:20] + bottom[21:43]


def _td1_composite(first: str, second: str) -> str:
    return first[5:30] + second[0:7] + second[8:15] + second[18:29]


def _parse_td3(top: str, bottom: str, today: date) -> MRZ:
    document_type = _document_type(top[0:2], "P", "TD3")
    issuing_state = _state(top[2:5], "issuing_state")
    surname, given_names = _names(top[5:_TD3_WIDTH])
    _check("document_number", bottom[0:9], bottom[9])
    document_number = _document_number(bottom[0:9])
    nationality = _state(bottom[10:13], "nationality")
    _check("date_of_birth", bottom[13:19], bottom[19])
    date_of_birth = _date("date_of_birth", bottom[13:19], latest=today)
    sex = _sex(bottom[20])
    _check("date_of_expiry", bottom[21:27], bottom[27])
    date_of_expiry = _date("date_of_expiry", bottom[21:27], latest=_expiry_horizon(today))
    # ICAO lets an empty personal number have "<" or "0" as its check digit.
    _check("optional_data", bottom[28:42], bottom[42], blank_may_be_zero=True)
    _check("composite", _td3_composite(bottom), bottom[43])
    return MRZ(
        format="TD3",
        document_type=document_type,
        issuing_state=issuing_state,
        surname=surname,
        given_names=given_names,
        document_number=document_number,
        nationality=nationality,
        date_of_birth=date_of_birth,
        sex=sex,
        date_of_expiry=date_of_expiry,
        optional_data=_words(bottom[28:42]),
    )


def _parse_td1(first: str, second: str, third: str, today: date) -> MRZ:
    document_type = _document_type(first[0:2], "ACI", "TD1")
    issuing_state = _state(first[2:5], "issuing_state")
    number, number_digit, optional_first = _td1_number(first[5:30])
    _check("document_number", number, number_digit)
    document_number = _document_number(number)
    _check("date_of_birth", second[0:6], second[6])
    date_of_birth = _date("date_of_birth", second[0:6], latest=today)
    sex = _sex(second[7])
    _check("date_of_expiry", second[8:14], second[14])
    date_of_expiry = _date("date_of_expiry", second[8:14], latest=_expiry_horizon(today))
    nationality = _state(second[15:18], "nationality")
    _check("composite", _td1_composite(first, second), second[29])
    surname, given_names = _names(third)
    return MRZ(
        format="TD1",
        document_type=document_type,
        issuing_state=issuing_state,
        surname=surname,
        given_names=given_names,
        document_number=document_number,
        nationality=nationality,
        date_of_birth=date_of_birth,
        sex=sex,
        date_of_expiry=date_of_expiry,
        optional_data=_words(optional_first + second[18:29]),
    )


def _td1_number(field: str) -> tuple[str, str, str]:
    """The number, its check digit and the rest of line 1's optional data (positions 6-30)."""
    principal, digit, optional = field[0:9], field[9], field[10:]
    if digit != "<" or optional.startswith("<"):
        return principal, digit, optional
    # ICAO 9303 part 5: a "<" in the check digit's place means the number runs on into the
    # optional data, where its last character before the next filler is the check digit.
    run = optional.split("<", 1)[0]
    if len(run) < 2:
        raise MRZError(
            "document_number",
            "the number runs on into the optional data but leaves no room for its check digit",
        )
    if "<" in principal:
        raise MRZError("document_number", "a number that runs on must first fill all nine places")
    return principal + run[:-1], run[-1], optional[len(run) + 1 :]


def _check(field: str, data: str, digit: str, *, blank_may_be_zero: bool = False) -> None:
    if blank_may_be_zero and not data.strip("<") and digit in ("<", "0"):
        return
    if digit not in string.digits:
        raise MRZError(field, f"the check digit is {digit!r}, not a digit 0-9")
    computed = compute_check_digit(data)
    if int(digit) != computed:
        raise MRZError(field, f"check digit {digit} does not match the computed {computed}")


def _document_type(code: str, first_letters: str, form: MRZFormat) -> str:
    if code[0] not in first_letters or code[1] not in string.ascii_uppercase + "<":
        wanted = " or ".join(first_letters)
        raise MRZError(
            "document_type", f"a {form} zone begins with {wanted} and a letter or <, not {code!r}"
        )
    return code.rstrip("<")


def _state(code: str, field: str) -> str:
    if code == _GERMANY_IN_ZONE:
        return _GERMANY
    if not _ALPHA3.fullmatch(code):
        raise MRZError(field, f"{code!r} is not an ICAO three-letter code")
    return code


def _document_number(field: str) -> str:
    number = field.rstrip("<")
    if not number:
        raise MRZError("document_number", "the document number is empty")
    if "<" in number:
        raise MRZError("document_number", f"{field!r} has a filler inside the number")
    return number


def _names(field: str) -> tuple[str, str]:
    primary, _, secondary = field.partition("<<")
    for name, part in (("surname", primary), ("given_names", secondary)):
        digit = next((char for char in part if char in string.digits), None)
        if digit is not None:
            raise MRZError(name, f"the digit {digit} cannot stand in a name")
    surname = _words(primary)
    if not surname:
        raise MRZError("surname", "the name field holds no surname (primary identifier)")
    return surname, _words(secondary)


def _words(field: str) -> str:
    return " ".join(field.replace("<", " ").split())


def _sex(char: str) -> Sex:
    if char == "M":
        return "M"
    if char == "F":
        return "F"
    if char == "<":
        return "X"
    raise MRZError("sex", f"{char!r} is not M, F or <")


def _date(field: str, text: str, *, latest: date) -> date:
    """The date written YYMMDD in text: the latest such day not after `latest`."""
    if "<" in text:
        raise MRZError(field, f"{text} is not a full date: its unknown parts are fillers")
    if any(char not in string.digits for char in text):
        raise MRZError(field, f"{text} is not a date written YYMMDD")
    yy, month, day = int(text[0:2]), int(text[2:4]), int(text[4:6])
    try:
        # 2000 is a leap year, so 29 February passes here and is judged with its century below.
        date(2000, month, day)
    except ValueError:
        raise MRZError(field, f"{text} is not a calendar date (YYMMDD)") from None
    year = latest.year - (latest.year - yy) % 100
    for candidate in (year, year - 100):
        try:
            value = date(candidate, month, day)
        except ValueError:
            # 29 February in a year without one (1900, 2100), or before year 1.
            continue
        if value <= latest:
            return value
    raise MRZError(
        field, f"{text} falls on no real day in the hundred years up to {latest.isoformat()}"
    )


def _expiry_horizon(today: date) -> date:
    year = today.year + _EXPIRY_HORIZON_YEARS
    if year > date.max.year:
        return date.max
    # 29 February has no twin in a common year; the day before is as good a horizon.
    day = 28 if (today.month, today.day) == (2, 29) else today.day
    return today.replace(year=year, day=day)


# Building


def format_td3(
    *,
    document_type: str = "P",
    issuing_state: str,
    surname: str,
    given_names: str,
    document_number: str,
    nationality: str,
    date_of_birth: date,
    sex: str,
    date_of_expiry: date,
    optional_data: str = "",
) -> str:
    """The two lines of a passport's zone (joined by a newline), every check digit computed.

    Names are transliterated to A-Z and cut to fit; a field that cannot be written at all
    (a 10-character number, a state code that is not ICAO's) raises MRZError naming it.
    """
    number = _number_text(document_number)
    if len(number) > _TD3_NUMBER_WIDTH:
        raise MRZError(
            "document_number",
            f"{number} has {len(number)} characters; a passport zone holds {_TD3_NUMBER_WIDTH}",
        )
    optional = _zone_text(optional_data, digits=True)
    _fits("optional_data", optional, _TD3_OPTIONAL_WIDTH)
    number_field = number.ljust(_TD3_NUMBER_WIDTH, "<")
    optional_field = optional.ljust(_TD3_OPTIONAL_WIDTH, "<")
    top = (
        _document_type_field(document_type, "P", "TD3")
        + _state_field(issuing_state, "issuing_state")
        + _name_field(surname, given_names, _TD3_NAME_WIDTH)
    )
    bottom = (
        _with_check_digit(number_field)
        + _state_field(nationality, "nationality")
        + _with_check_digit(_yymmdd(date_of_birth))
        + _sex_field(sex)
        + _with_check_digit(_yymmdd(date_of_expiry))
        + (_with_check_digit(optional_field) if optional else optional_field + "<")
    )
    return f"{top}\n{bottom}{compute_check_digit(_td3_composite(bottom))}"


def format_td1(
    *,
    document_type: str = "I",
    issuing_state: str,
    surname: str,
    given_names: str,
    document_number: str,
    nationality: str,
    date_of_birth: date,
    sex: str,
    date_of_expiry: date,
    optional_data: str = "",
) -> str:
    """The three lines of an identity card's zone (joined by newlines), check digits computed.

    A number longer than nine characters (up to 22) runs on into the optional data as ICAO
    9303 part 5 prescribes; optional data fills line 1 and continues on line 2.
    """
    number = _number_text(document_number)
    if len(number) > _TD1_LONGEST_NUMBER:
        raise MRZError(
            "document_number",
            f"{number} has {len(number)} characters; a card zone holds {_TD1_LONGEST_NUMBER}",
        )
    if len(number) <= _TD1_NUMBER_WIDTH:
        number_part = _with_check_digit(number.ljust(_TD1_NUMBER_WIDTH, "<"))
        run_on = ""
    else:
        number_part = number[:_TD1_NUMBER_WIDTH] + "<"
        run_on = number[_TD1_NUMBER_WIDTH:] + str(compute_check_digit(number)) + "<"
    room_first = _TD1_OPTIONAL_WIDTHS[0] - len(run_on)
    optional = _zone_text(optional_data, digits=True)
    _fits("optional_data", optional, room_first + _TD1_OPTIONAL_WIDTHS[1])
    first = (
        _document_type_field(document_type, "ACI", "TD1")
        + _state_field(issuing_state, "issuing_state")
        + number_part
        + run_on
        + optional[:room_first].ljust(room_first, "<")
    )
    second = (
        _with_check_digit(_yymmdd(date_of_birth))
        + _sex_field(sex)
        + _with_check_digit(_yymmdd(date_of_expiry))
        + _state_field(nationality, "nationality")
        + optional[room_first:].ljust(_TD1_OPTIONAL_WIDTHS[1], "<")
    )
    second += str(compute_check_digit(_td1_composite(first, second)))
    return "\n".join((first, second, _name_field(surname, given_names, _TD1_NAME_WIDTH)))


def _with_check_digit(field: str) -> str:
    return field + str(compute_check_digit(field))


def _fits(field: str, text: str, width: int) -> None:
    if len(text) > width:
        raise MRZError(field, f"{text} has {len(text)} characters; there is room for {width}")


def _latin(text: str) -> str:
    """Upper case with ICAO's transliterations, then diacritics dropped (É is E)."""
    decomposed = unicodedata.normalize("NFKD", text.upper().translate(_TRANSLITERATIONS))
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def _zone_text(text: str, *, digits: bool) -> str:
    """A-Z (and 0-9 if digits), with single fillers where words were separated."""
    allowed = string.ascii_uppercase + (string.digits if digits else "")
    out = []
    for char in _latin(text):
        if char in allowed:
            out.append(char)
        elif char in _SEPARATORS or char.isspace():
            out.append("<")
    return re.sub("<+", "<", "".join(out)).strip("<")


def _number_text(document_number: str) -> str:
    # Spaces and dashes printed to group a number's digits are no part of it.
    number = _zone_text(document_number, digits=True).replace("<", "")
    if not number:
        raise MRZError("document_number", f"{document_number!r} holds no letters or digits")
    return number


def _name_field(surname: str, given_names: str, width: int) -> str:
    primary = _zone_text(surname, digits=False)
    secondary = _zone_text(given_names, digits=False)
    if not primary:
        raise MRZError("surname", f"{surname!r} leaves no letters A-Z to write")
    if given_names.strip() and not secondary:
        raise MRZError("given_names", f"{given_names!r} leaves no letters A-Z to write")
    name = f"{primary}<<{secondary}" if secondary else primary
    # ICAO cuts a name that does not fit from its end, so the given names go first; a cut name
    # shows itself by a letter in the last place.
    return name[:width].ljust(width, "<")


def _document_type_field(document_type: str, first_letters: str, form: MRZFormat) -> str:
    code = document_type.strip().translate(_ASCII_UPPER)
    if not (
        1 <= len(code) <= 2
        and code[0] in first_letters
        and all(char in string.ascii_uppercase + "<" for char in code[1:])
    ):
        wanted = " or ".join(first_letters)
        raise MRZError(
            "document_type",
            f"{document_type!r} cannot open a {form} zone, which begins with {wanted}",
        )
    return code.ljust(2, "<")


def _state_field(code: str, field: str) -> str:
    value = code.strip().translate(_ASCII_UPPER)
    if value in ("D", _GERMANY):
        return _GERMANY_IN_ZONE
    if not _ALPHA3.fullmatch(value):
        raise MRZError(field, f"{code!r} is not an ICAO three-letter code")
    return value


def _sex_field(sex: str) -> str:
    value = sex.strip().translate(_ASCII_UPPER)
    if value in ("M", "F"):
        return value
    if value in ("X", "<"):
        return "<"
    raise MRZError("sex", f"{sex!r} is not M, F or X")


def _yymmdd(day: date) -> str:
    return f"{day.year % 100:02d}{day.month:02d}{day.day:02d}"
