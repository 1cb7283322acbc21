"""Passports' machine-readable zones (ICAO 9303): TD3 passports and TD1 cards, parsed and built."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

_VALID = re.compile(r"^[A-Z0-9<]+$")
_WEIGHTS = (7, 3, 1)
# ICAO 9303 part 3: Germany writes "D", padded with fillers; every other state its alpha-3.
_STATE_ALIASES = {"D": "DEU"}
_TRANSLITERATE = str.maketrans(
    {"Ä": "AE", "Ö": "OE", "Ü": "UE", "Å": "AA", "Æ": "AE", "Ø": "OE", "ß": "SS", "Ð": "D",
     "Þ": "TH", "Ĳ": "IJ", "Œ": "OE", "Ł": "L", "İ": "I", "ı": "I"}
)  # fmt: skip


class MRZError(ValueError):
    """What is wrong with a machine-readable zone, and in which field."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


@dataclass(frozen=True)
class MRZ:
    format: Literal["TD3", "TD1"]
    document_type: str
    issuing_state: str
    surname: str
    given_names: str
    document_number: str
    nationality: str
    date_of_birth: date
    sex: Literal["M", "F", "X"]
    date_of_expiry: date
    optional_data: str

    def as_dict(self) -> dict[str, Any]:
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


def _char_value(char: str) -> int:
    if char == "<":
        return 0
    if char.isdigit():
        return int(char)
    if "A" <= char <= "Z":
        return ord(char) - ord("A") + 10
    raise MRZError("format", f"{char!r} cannot stand in a machine-readable zone")


def compute_check_digit(text: str) -> int:
    return sum(_char_value(c) * _WEIGHTS[i % 3] for i, c in enumerate(text)) % 10


def _check(field: str, text: str, digit: str, *, may_be_empty: bool = False) -> None:
    if may_be_empty and set(text) <= {"<"} and digit in ("<", "0"):
        return
    if not digit.isdigit():
        raise MRZError(field, f"the check digit {digit!r} is not a digit")
    expected = compute_check_digit(text)
    if int(digit) != expected:
        raise MRZError(field, f"check digit {digit} does not match the computed {expected}")


def _state(code: str, field: str) -> str:
    code = code.replace("<", "")
    if not code.isalpha() or not 1 <= len(code) <= 3:
        raise MRZError(field, f"{code!r} is not a state code")
    return _STATE_ALIASES.get(code, code)


def _date(text: str, field: str, *, today: date, birth: bool) -> date:
    if not text.isdigit():
        raise MRZError(field, f"{text!r} is not a date in YYMMDD")
    yy, mm, dd = int(text[:2]), int(text[2:4]), int(text[4:6])
    if birth:
        # Born in 20yy only if that is not in the future: "40" is 1940 for the elderly.
        year = 2000 + yy if 2000 + yy <= today.year else 1900 + yy
    else:
        # Documents expire at most a few decades ahead; anything further is last century.
        year = 2000 + yy if 2000 + yy <= today.year + 50 else 1900 + yy
    try:
        value = date(year, mm, dd)
    except ValueError:
        raise MRZError(field, f"{text} is not a calendar date") from None
    if birth and value > today:
        value = date(year - 100, mm, dd)
    return value


def _names(text: str) -> tuple[str, str]:
    surname, _, given = text.partition("<<")
    return surname.replace("<", " ").strip(), given.replace("<", " ").strip()


def _sex(char: str) -> Literal["M", "F", "X"]:
    if char == "M":
        return "M"
    if char == "F":
        return "F"
    if char == "<":
        return "X"
    raise MRZError("sex", f"{char!r} is not M, F or <")


def _lines(text: str) -> list[str]:
    lines = [line.strip().upper().replace(" ", "") for line in text.strip().splitlines()]
    lines = [line for line in lines if line]
    lengths = [len(line) for line in lines]
    if not ((len(lines) == 2 and lengths == [44, 44]) or (len(lines) == 3 and lengths == [30] * 3)):
        raise MRZError(
            "line_length",
            "a passport (TD3) has 2 lines of 44 characters and an identity card (TD1) 3 lines "
            f"of 30; found {len(lines)} line(s) of {', '.join(map(str, lengths)) or 'no'} "
            "characters",
        )
    for number, line in enumerate(lines, 1):
        if not _VALID.match(line):
            bad = sorted({c for c in line if not _VALID.match(c)})
            raise MRZError(
                "format", f"line {number} holds characters other than A-Z, 0-9, <: {bad}"
            )
    return lines


def parse(text: str, *, today: date | None = None) -> MRZ:
    """Parse and check a TD3 or TD1 zone; any fault raises MRZError naming its field."""
    today = today or date.today()
    lines = _lines(text)
    return _parse_td3(lines, today) if len(lines) == 2 else _parse_td1(lines, today)


def _parse_td3(lines: list[str], today: date) -> MRZ:
    top, bottom = lines
    if not top[0].isalpha():
        raise MRZError("document_type", f"{top[:2]!r} is not a document type")
    number, number_cd = bottom[0:9], bottom[9]
    birth, birth_cd = bottom[13:19], bottom[19]
    expiry, expiry_cd = bottom[21:27], bottom[27]
    optional, optional_cd = bottom[28:42], bottom[42]
    _check("document_number", number, number_cd)
    _check("date_of_birth", birth, birth_cd)
    _check("date_of_expiry", expiry, expiry_cd)
    _check("optional_data", optional, optional_cd, may_be_empty=True)
    composite = bottom[0:10] + bottom[13:20] + bottom[21:43]
    _check("composite", composite, bottom[43])
    surname, given = _names(top[5:44])
    if not surname:
        raise MRZError("surname", "the name field holds no surname")
    return MRZ(
        format="TD3",
        document_type=top[0:2].replace("<", ""),
        issuing_state=_state(top[2:5], "issuing_state"),
        surname=surname,
        given_names=given,
        document_number=number.replace("<", ""),
        nationality=_state(bottom[10:13], "nationality"),
        date_of_birth=_date(birth, "date_of_birth", today=today, birth=True),
        sex=_sex(bottom[20]),
        date_of_expiry=_date(expiry, "date_of_expiry", today=today, birth=False),
        optional_data=optional.replace("<", " ").strip(),
    )


def _parse_td1(lines: list[str], today: date) -> MRZ:
    first, second, third = lines
    if not first[0].isalpha():
        raise MRZError("document_type", f"{first[:2]!r} is not a document type")
    number, number_cd = first[5:14], first[14]
    optional1 = first[15:30]
    if number_cd == "<" and optional1.strip("<"):
        # A number longer than 9 characters continues in the optional data, and its check
        # digit is the last character before the fillers there (ICAO 9303 part 5, 4.2.4).
        rest = optional1.rstrip("<")
        number, number_cd = number + rest[:-1], rest[-1]
        optional1 = ""
    _check("document_number", number, number_cd)
    birth, birth_cd = second[0:6], second[6]
    expiry, expiry_cd = second[8:14], second[14]
    _check("date_of_birth", birth, birth_cd)
    _check("date_of_expiry", expiry, expiry_cd)
    composite = first[5:30] + second[0:7] + second[8:15] + second[18:29]
    _check("composite", composite, second[29])
    surname, given = _names(third)
    if not surname:
        raise MRZError("surname", "the name field holds no surname")
    optional = (optional1 + second[18:29]).replace("<", " ")
    return MRZ(
        format="TD1",
        document_type=first[0:2].replace("<", ""),
        issuing_state=_state(first[2:5], "issuing_state"),
        surname=surname,
        given_names=given,
        document_number=number.replace("<", ""),
        nationality=_state(second[15:18], "nationality"),
        date_of_birth=_date(birth, "date_of_birth", today=today, birth=True),
        sex=_sex(second[7]),
        date_of_expiry=_date(expiry, "date_of_expiry", today=today, birth=False),
        optional_data=" ".join(optional.split()),
    )


def _field(text: str) -> str:
    """Upper case A-Z and fillers: diacritics dropped, spaces, hyphens and apostrophes as <."""
    text = text.upper().translate(_TRANSLITERATE)
    text = unicodedata.normalize("NFKD", text)
    out = []
    for char in text:
        if unicodedata.combining(char):
            continue
        if "A" <= char <= "Z" or char.isdigit():
            out.append(char)
        elif char in " -'’,.":
            out.append("<")
    return re.sub("<+", "<", "".join(out)).strip("<")


def _name_field(surname: str, given_names: str, width: int) -> str:
    field = _field(surname) + "<<" + _field(given_names)
    return field[:width].ljust(width, "<")


def _yymmdd(value: date) -> str:
    return value.strftime("%y%m%d")


def _state_field(code: str) -> str:
    return code.upper()[:3].ljust(3, "<")


def _sex_char(sex: str) -> str:
    return sex if sex in ("M", "F") else "<"


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
    """The two lines of a passport's zone, with every check digit computed."""
    top = document_type.upper()[:2].ljust(2, "<") + _state_field(issuing_state)
    top += _name_field(surname, given_names, 39)
    number = _field(document_number)[:9].ljust(9, "<")
    optional = _field(optional_data)[:14].ljust(14, "<")
    optional_cd = "<" if set(optional) == {"<"} else str(compute_check_digit(optional))
    birth, expiry = _yymmdd(date_of_birth), _yymmdd(date_of_expiry)
    bottom = (
        number + str(compute_check_digit(number)) + _state_field(nationality)
        + birth + str(compute_check_digit(birth)) + _sex_char(sex)
        + expiry + str(compute_check_digit(expiry)) + optional + optional_cd
    )  # fmt: skip
    composite = bottom[0:10] + bottom[13:20] + bottom[21:43]
    return top + "\n" + bottom + str(compute_check_digit(composite))


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
    """The three lines of an identity card's zone (numbers of up to 9 characters)."""
    number = _field(document_number)[:9].ljust(9, "<")
    first = document_type.upper()[:2].ljust(2, "<") + _state_field(issuing_state) + number
    first += str(compute_check_digit(number)) + _field(optional_data)[:15].ljust(15, "<")
    birth, expiry = _yymmdd(date_of_birth), _yymmdd(date_of_expiry)
    second = (
        birth + str(compute_check_digit(birth)) + _sex_char(sex)
        + expiry + str(compute_check_digit(expiry)) + _state_field(nationality) + "<" * 11
    )  # fmt: skip
    composite = first[5:30] + second[0:7] + second[8:15] + second[18:29]
    second += str(compute_check_digit(composite))
    return "\n".join((first, second, _name_field(surname, given_names, 30)))
