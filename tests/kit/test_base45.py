"""Base45 (RFC 9285): the RFC's examples, round trips, and strict refusal of anything else."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from labbaik.kit.base45 import ALPHABET, Base45Error, decode, encode


class TestEncode:
    @pytest.mark.parametrize(
        ("data", "text"),
        [(b"AB", "BB8"), (b"Hello!!", "%69 VD92EX0"), (b"base-45", "UJCLQE7W581"), (b"", "")],
    )
    def test_matches_the_examples_of_rfc_9285(self, data: bytes, text: str) -> None:
        assert encode(data) == text

    def test_uses_only_the_qr_alphanumeric_alphabet(self) -> None:
        assert set(encode(bytes(range(256)))) <= set(ALPHABET)

    def test_two_bytes_become_three_characters_and_a_last_byte_two(self) -> None:
        assert len(encode(b"\x00" * 10)) == 15
        assert len(encode(b"\x00" * 11)) == 17


class TestDecode:
    def test_reads_the_example_of_rfc_9285(self) -> None:
        assert decode("QED8WEX0") == b"ietf!"

    def test_accepts_ascii_bytes_as_well_as_text(self) -> None:
        assert decode(b"BB8") == b"AB"

    @given(st.binary(max_size=600))
    def test_decoding_an_encoding_gives_the_bytes_back(self, data: bytes) -> None:
        assert decode(encode(data)) == data

    def test_refuses_a_lower_case_letter(self) -> None:
        with pytest.raises(Base45Error, match="'b' at 0"):
            decode("bb8")

    def test_refuses_text_outside_ascii(self) -> None:
        with pytest.raises(Base45Error, match="outside ASCII"):
            decode("BBé")

    def test_refuses_a_length_of_3n_plus_1(self) -> None:
        with pytest.raises(Base45Error, match="4 characters"):
            decode("BB8B")

    def test_refuses_a_chunk_worth_more_than_two_bytes(self) -> None:
        # ":::" is 44 + 44*45 + 44*2025 = 91124, beyond 65535.
        with pytest.raises(Base45Error, match="more than two bytes"):
            decode(":::")

    def test_refuses_a_last_pair_worth_more_than_one_byte(self) -> None:
        with pytest.raises(Base45Error, match="more than one byte"):
            decode("BB8::")

    def test_refuses_what_is_neither_text_nor_bytes(self) -> None:
        with pytest.raises(Base45Error, match="not int"):
            decode(12)  # type: ignore[arg-type]

    @given(st.text(max_size=60))
    def test_any_text_decodes_or_raises_base45_error(self, text: str) -> None:
        try:
            data = decode(text)
        except Base45Error:
            return
        assert encode(data) == text

    @given(st.binary(max_size=60))
    def test_any_bytes_decode_or_raise_base45_error(self, raw: bytes) -> None:
        try:
            data = decode(raw)
        except Base45Error:
            return
        assert encode(data) == raw.decode("ascii")
