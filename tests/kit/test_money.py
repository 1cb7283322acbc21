"""Money: integer minor units with a currency, never a float."""

from __future__ import annotations

from decimal import Decimal

import pytest

from labbaik.kit.money import Money


class TestMoney:
    def test_is_integer_halalas_in_riyals_by_default(self) -> None:
        price = Money(1_250_00)
        assert price.amount == 125_000
        assert price.currency == "SAR"

    @pytest.mark.parametrize("amount", [12.5, 12.0, Decimal("12.50"), "1250", True])
    def test_refuses_anything_but_an_integer(self, amount: object) -> None:
        with pytest.raises(TypeError, match="integer"):
            Money(amount)  # type: ignore[arg-type]

    def test_refuses_an_unknown_currency(self) -> None:
        with pytest.raises(ValueError, match="unknown currency"):
            Money(100, "XYZ")

    def test_adds_and_subtracts_in_one_currency(self) -> None:
        assert Money(1000) + Money(250) == Money(1250)
        assert Money(1000) - Money(1250) == Money(-250)

    @pytest.mark.parametrize("operation", ["add", "sub"])
    def test_refuses_to_mix_currencies(self, operation: str) -> None:
        riyals, dollars = Money(1000, "SAR"), Money(1000, "USD")
        with pytest.raises(ValueError, match="cannot mix SAR and USD"):
            riyals + dollars if operation == "add" else riyals - dollars

    def test_is_immutable(self) -> None:
        price = Money(100)
        with pytest.raises(AttributeError):
            price.amount = 200  # type: ignore[misc]

    @pytest.mark.parametrize(
        ("money", "shown"),
        [
            (Money(123_456_78), "123,456.78 SAR"),
            (Money(5), "0.05 SAR"),
            (Money(-1_050), "-10.50 SAR"),
            (Money(1_234, "KWD"), "1.234 KWD"),
        ],
    )
    def test_formats_with_the_currencys_minor_units(self, money: Money, shown: str) -> None:
        assert money.format() == shown
