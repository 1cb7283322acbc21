"""IBANs: the ISO 13616 check digits, each country's length, the Saudi form, masking."""

from __future__ import annotations

import string

import pytest
from hypothesis import given
from hypothesis import strategies as st

from labbaik.kit import iban

SAUDI = "SA0380000000608010167519"  # the example of the SWIFT IBAN registry


class TestValidate:
    @pytest.mark.parametrize(
        "text",
        [
            "SA03 8000 0000 6080 1016 7519",
            "sa0380000000608010167519",
            "GB82 WEST 1234 5698 7654 32",
            "DE89 3704 0044 0532 0130 00",
            "AE07 0331 2345 6789 0123 456",
        ],
    )
    def test_a_valid_iban_comes_back_in_its_electronic_form(self, text: str) -> None:
        assert iban.validate(text) == iban.normalise(text)
        assert " " not in iban.validate(text)

    def test_one_wrong_digit_fails_the_check_digits(self) -> None:
        with pytest.raises(iban.InvalidIban, match="check digits do not match"):
            iban.validate(SAUDI[:-1] + "8")

    def test_two_swapped_characters_fail_the_check_digits(self) -> None:
        swapped = SAUDI[:12] + SAUDI[13] + SAUDI[12] + SAUDI[14:]
        assert swapped != SAUDI
        assert not iban.is_valid(swapped)

    def test_a_saudi_iban_has_sa_and_22_characters(self) -> None:
        with pytest.raises(iban.InvalidIban, match="SA has 24 characters"):
            iban.validate(SAUDI[:-1])
        with pytest.raises(iban.InvalidIban, match="SA has 24 characters"):
            iban.validate(SAUDI + "0")

    def test_a_saudi_bank_code_is_two_digits(self) -> None:
        bad = iban.build("SA", "8A" + SAUDI[6:])
        with pytest.raises(iban.InvalidIban, match="bank's two-digit code"):
            iban.validate(bad)

    def test_a_country_outside_the_table_is_checked_by_its_digits(self) -> None:
        made = iban.build("ZZ", "1234567890123")
        assert iban.validate(made) == made
        assert not iban.is_valid(made[:-1] + ("1" if made[-1] != "1" else "2"))

    @pytest.mark.parametrize(
        ("text", "reason"),
        [
            ("", "empty"),
            ("SA03 8000 0000 6080 1016 751!", "letters and digits only"),
            ("3A0380000000608010167519", "starts with its country's two letters"),
            ("SAXX80000000608010167519", "starts with its country's two letters"),
            ("ZZ12345", "15 to 34 characters"),
        ],
    )
    def test_what_is_wrong_is_said(self, text: str, reason: str) -> None:
        with pytest.raises(iban.InvalidIban, match=reason):
            iban.validate(text)

    @given(
        country=st.sampled_from(sorted(iban.LENGTHS)),
        seed=st.text(alphabet=string.digits, min_size=30, max_size=30),
    )
    def test_every_built_iban_validates_and_any_changed_digit_does_not(
        self, country: str, seed: str
    ) -> None:
        made = iban.build(country, seed[: iban.LENGTHS[country] - 4])
        assert iban.validate(made) == made
        position = len(made) - 1
        changed = made[:position] + str((int(made[position]) + 1) % 10)
        assert not iban.is_valid(changed)


class TestShow:
    def test_the_printed_form_is_in_groups_of_four(self) -> None:
        assert iban.grouped(SAUDI) == "SA03 8000 0000 6080 1016 7519"

    def test_a_masked_iban_keeps_the_country_check_digits_and_last_four(self) -> None:
        assert iban.mask(SAUDI) == "SA03 **** **** **** **** 7519"
