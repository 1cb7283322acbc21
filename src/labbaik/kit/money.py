"""Money as integer minor units with a currency: never a float near money."""

from __future__ import annotations

from dataclasses import dataclass

MINOR_UNITS = {"SAR": 2, "USD": 2, "EUR": 2, "IDR": 2, "PKR": 2, "INR": 2, "KWD": 3, "BHD": 3}


@dataclass(frozen=True, order=True)
class Money:
    amount: int
    currency: str = "SAR"

    def __post_init__(self) -> None:
        if not isinstance(self.amount, int) or isinstance(self.amount, bool):
            raise TypeError("money is an integer number of minor units (halalas for SAR)")
        if self.currency not in MINOR_UNITS:
            raise ValueError(f"unknown currency {self.currency!r}")

    def __add__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.amount + other.amount, self.currency)

    def __sub__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.amount - other.amount, self.currency)

    def _same(self, other: Money) -> None:
        if other.currency != self.currency:
            raise ValueError(f"cannot mix {self.currency} and {other.currency}")

    def format(self) -> str:
        places = MINOR_UNITS[self.currency]
        sign = "-" if self.amount < 0 else ""
        whole, frac = divmod(abs(self.amount), 10**places)
        return f"{sign}{whole:,}.{frac:0{places}d} {self.currency}"


def parse_major(text: str, currency: str) -> int:
    """Minor units of an amount written in major units ("1234.50" SAR is 123450 halalas).

    Exact or refused: no sign, no exponent, and never more decimals than the currency has
    (ISO 4217), because rounding a bank's amount would be guessing with money."""
    if currency not in MINOR_UNITS:
        raise ValueError(f"unknown currency {currency!r}")
    places = MINOR_UNITS[currency]
    whole, dot, frac = text.strip().partition(".")
    digits = whole + frac
    if not (whole and digits.isascii() and digits.isdigit()) or (dot and not frac):
        raise ValueError(f"{text.strip()!r} is not an amount")
    if len(frac) > places:
        raise ValueError(f"{text.strip()!r} has more decimals than {currency} has ({places})")
    if len(whole) > 15:
        raise ValueError(f"{text.strip()!r} is too large an amount")
    return int(whole + frac.ljust(places, "0"))
