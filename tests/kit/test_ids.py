"""Identifiers: UUIDv7 inside, human numbers with check characters outside."""

from __future__ import annotations

import time
import uuid

import pytest
from hypothesis import given
from hypothesis import strategies as st

from labbaik.kit.ids import _ALPHABET, is_valid_check, uuid7, with_check

bodies = st.text(alphabet=_ALPHABET, min_size=1, max_size=16)


class TestUuid7:
    def test_is_version_7_of_the_rfc_variant(self) -> None:
        value = uuid7()
        assert value.version == 7
        assert value.variant == uuid.RFC_4122

    def test_carries_the_current_time_in_milliseconds(self) -> None:
        before = time.time_ns() // 1_000_000
        value = uuid7()
        after = time.time_ns() // 1_000_000
        assert before <= value.int >> 80 <= after

    def test_ids_made_one_after_another_increase(self) -> None:
        ids = [uuid7() for _ in range(10_000)]
        assert ids == sorted(ids)
        assert len(set(ids)) == len(ids)


class TestHumanNumbers:
    def test_appends_two_check_digits_to_the_body(self) -> None:
        number = with_check("AB12")
        assert number.startswith("AB12")
        assert len(number) == 6
        assert number[-2:].isdigit()

    def test_lower_case_is_read_as_upper_case(self) -> None:
        assert with_check("ab12") == with_check("AB12")

    @pytest.mark.parametrize("body", ["", "AB-12", "IO1", "ÄB"])
    def test_refuses_a_body_outside_the_alphabet(self, body: str) -> None:
        with pytest.raises(ValueError, match="human number"):
            with_check(body)

    def test_a_number_read_back_with_spaces_or_hyphens_is_valid(self) -> None:
        number = with_check("K7M2Q9")
        spaced = f"{number[:4]}-{number[4:]} ".lower()
        assert is_valid_check(spaced)

    @pytest.mark.parametrize("number", ["", "1", "12", "AB!12", "AB1?"])
    def test_garbage_is_not_valid(self, number: str) -> None:
        assert not is_valid_check(number)

    @given(bodies)
    def test_every_number_made_is_valid(self, body: str) -> None:
        assert is_valid_check(with_check(body))

    @given(bodies, st.data())
    def test_every_single_character_change_is_caught(self, body: str, data: st.DataObject) -> None:
        number = with_check(body)
        position = data.draw(st.integers(0, len(number) - 1), label="position")
        typed = data.draw(st.sampled_from(_ALPHABET).filter(lambda c: c != number[position]))
        changed = number[:position] + typed + number[position + 1 :]
        assert not is_valid_check(changed)

    @given(bodies, st.data())
    def test_every_swap_of_two_neighbours_is_caught(self, body: str, data: st.DataObject) -> None:
        number = with_check(body)
        position = data.draw(st.integers(0, len(number) - 2), label="position")
        a, b = number[position], number[position + 1]
        swapped = number[:position] + b + a + number[position + 2 :]
        assert swapped == number or not is_valid_check(swapped)

    def test_every_single_change_of_one_number_is_caught_exhaustively(self) -> None:
        # Hypothesis samples; this walks every change of one number that mixes letters and digits.
        number = with_check("EFKG")
        for position, original in enumerate(number):
            for typed in _ALPHABET:
                if typed != original:
                    changed = number[:position] + typed + number[position + 1 :]
                    assert not is_valid_check(changed), changed
