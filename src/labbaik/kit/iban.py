"""IBANs (ISO 13616): normalise, check the mod-97 digits and the country's length, mask, build."""

from __future__ import annotations

import string

# The length of the IBAN in each country of the SWIFT IBAN registry that Labbaik's merchants and
# providers are likely to bank in. A country not listed is still checked: 15 to 34 characters
# and the mod-97 check digits, which catch every single wrong character and most swaps.
LENGTHS: dict[str, int] = {
    # The Gulf, the Levant, North Africa, and the countries that send the most pilgrims.
    "SA": 24, "AE": 23, "BH": 22, "KW": 30, "QA": 29, "OM": 23, "JO": 30, "LB": 28, "IQ": 23,
    "PS": 29, "EG": 29, "LY": 25, "TN": 24, "DZ": 26, "MA": 28, "MR": 27, "SD": 18, "YE": 30,
    "TR": 26, "PK": 24, "AZ": 28, "KZ": 20, "IR": 26,
    # Europe, where many acquirers and payment providers hold their accounts.
    "GB": 22, "IE": 22, "DE": 22, "FR": 27, "NL": 18, "BE": 16, "LU": 20, "ES": 24, "PT": 25,
    "IT": 27, "CH": 21, "AT": 20, "SE": 24, "NO": 15, "DK": 18, "FI": 18, "PL": 28, "CZ": 24,
    "GR": 27, "RO": 24, "BG": 22, "HU": 28, "HR": 21, "SI": 19, "SK": 24, "CY": 28, "MT": 31,
    "BA": 20, "AL": 28, "XK": 20,
}  # fmt: skip
MIN_LENGTH, MAX_LENGTH = 15, 34
_ALPHANUMERIC = frozenset(string.ascii_uppercase + string.digits)


class InvalidIban(ValueError):
    """The text is not a valid IBAN; the message says what is wrong with it."""


def normalise(text: str) -> str:
    """Upper case without the spaces and dashes people type and print IBANs with."""
    return "".join(text.split()).replace("-", "").upper()


def _as_number(text: str) -> int:
    # A=10 ... Z=35, digits as they are (ISO 7064 MOD 97-10).
    return int("".join(str(int(c, 36)) for c in text))


def check_digits(country: str, bban: str) -> str:
    """The two check digits of an IBAN of `country` with this basic bank account number."""
    return f"{98 - _as_number(bban + country + '00') % 97:02d}"


def build(country: str, bban: str) -> str:
    """The IBAN of `country` and `bban` with its check digits."""
    country, bban = country.upper(), normalise(bban)
    return f"{country}{check_digits(country, bban)}{bban}"


def validate(text: str) -> str:
    """The IBAN in its electronic form (no spaces), or InvalidIban saying what is wrong."""
    iban = normalise(text)
    if not iban:
        raise InvalidIban("the IBAN is empty")
    if not set(iban) <= _ALPHANUMERIC:
        bad = next(c for c in iban if c not in _ALPHANUMERIC)
        raise InvalidIban(f"an IBAN has letters and digits only, not {bad!r}")
    country, digits = iban[:2], iban[2:4]
    if not (country.isalpha() and digits.isdigit()):
        raise InvalidIban(
            "an IBAN starts with its country's two letters and two check digits, like SA03"
        )
    expected = LENGTHS.get(country)
    if expected is not None and len(iban) != expected:
        raise InvalidIban(
            f"an IBAN of {country} has {expected} characters ({country} and {expected - 2} more), "
            f"this one has {len(iban)}"
        )
    if expected is None and not MIN_LENGTH <= len(iban) <= MAX_LENGTH:
        raise InvalidIban(f"an IBAN has {MIN_LENGTH} to {MAX_LENGTH} characters, not {len(iban)}")
    if country == "SA" and not iban[4:6].isdigit():
        raise InvalidIban("a Saudi IBAN has the bank's two-digit code after its check digits")
    if _as_number(iban[4:] + iban[:4]) % 97 != 1:
        raise InvalidIban(
            "the IBAN's check digits do not match the rest: a character is wrong or two are swapped"
        )
    return iban


def is_valid(text: str) -> bool:
    try:
        validate(text)
    except InvalidIban:
        return False
    return True


def grouped(iban: str) -> str:
    """The printed form: groups of four, as bank statements show it."""
    return " ".join(iban[i : i + 4] for i in range(0, len(iban), 4))


def mask(iban: str) -> str:
    """The country, check digits and last four characters: enough to recognise an account."""
    if len(iban) <= 8:
        return iban
    hidden = iban[:4] + "*" * (len(iban) - 8) + iban[-4:]
    return grouped(hidden)
