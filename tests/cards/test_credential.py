"""The card token: claims to CBOR and back, the HJ1: text, zlib only when shorter, and
shortening names so that every card fits a version-15 QR code at level Q."""

from __future__ import annotations

import zlib
from datetime import date, timedelta

import cbor2
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from labbaik.cards import credential
from labbaik.cards.credential import CredentialError
from labbaik.cards.schemas import CardClaims
from labbaik.kit import base45, cose
from tests.cards.conftest import CLAIMS, ES256_ISSUER, ISSUED

names = st.text(
    alphabet=st.characters(categories=("L", "M", "Zs")),
    min_size=1,
    max_size=40,
).map(lambda t: " ".join(t.split()) or "X")


class TestClaims:
    def test_the_card_map_sits_under_a_private_use_claim_key(self) -> None:
        decoded = cbor2.loads(credential.encode_claims(CLAIMS))
        assert set(decoded) == {1, 4, 6, -65537}
        assert decoded[1] == "SA"
        assert decoded[6] == int(ISSUED.timestamp())
        card = decoded[-65537]
        assert card[1] == "47000001234"
        assert card[4] == "العبد الرحمن"
        assert card[9] == (date(1958, 3, 14) - date(1970, 1, 1)).days
        assert card[13] == 1234

    def test_absent_optional_claims_are_left_out(self) -> None:
        bare = CLAIMS.model_copy(update={"surname_ar": None, "group_code": None, "camp": None})
        card = cbor2.loads(credential.encode_claims(bare))[-65537]
        assert not {4, 10, 11, 14} & set(card)

    def test_nbf_is_written_only_when_later_than_iat(self) -> None:
        later = CLAIMS.model_copy(update={"not_before": ISSUED + timedelta(days=2)})
        assert 5 in cbor2.loads(credential.encode_claims(later))
        same = CLAIMS.model_copy(update={"not_before": ISSUED})
        assert 5 not in cbor2.loads(credential.encode_claims(same))

    @settings(max_examples=60)
    @given(
        surname=names,
        given=names,
        surname_ar=names,
        born=st.dates(date(1900, 1, 1), date(2026, 12, 31)),
    )
    def test_any_names_in_any_script_come_back_unchanged(
        self, surname: str, given: str, surname_ar: str, born: date
    ) -> None:
        claims = CLAIMS.model_copy(
            update={
                "surname": surname,
                "given_names": given,
                "surname_ar": surname_ar,
                "date_of_birth": born,
            }
        )
        assert credential.decode_claims(credential.encode_claims(claims)) == claims

    @pytest.mark.parametrize(
        ("claims", "message"),
        [
            ({1: "SA", 4: 1, 6: 1}, "the card"),
            ({1: 7, 4: 1, 6: 1, -65537: {}}, "iss"),
            ({1: "SA", 4: 1, 6: 1, -65537: {9: "1958-03-14", 13: 1}}, "date of birth"),
            ({1: "SA", 4: 1, 6: 1, -65537: {9: 0, 13: -1}}, "status index"),
            ({1: "SA", 4: "x", 6: 1, -65537: {1: "n", 2: "s", 3: "g", 6: "p", 7: "PAK",
              8: "M", 9: 0, 12: "C", 13: 0}}, "claim 4"),
        ],
    )  # fmt: skip
    def test_claims_that_do_not_follow_the_format_are_refused(
        self, claims: dict[int, object], message: str
    ) -> None:
        with pytest.raises(CredentialError, match=message):
            credential.decode_claims(cbor2.dumps(claims))

    def test_claims_that_are_not_a_map_are_refused(self) -> None:
        with pytest.raises(CredentialError, match="not a map"):
            credential.decode_claims(cbor2.dumps([1, 2]))


class TestQrText:
    def test_is_the_prefix_and_base45_of_the_body(self) -> None:
        body = credential.sign_claims(CLAIMS, ES256_ISSUER.signer)
        text = credential.qr_text_for(body)
        assert text.startswith("HJ1:")
        assert base45.decode(text[4:]) == body
        assert credential.body_from_text(f"  {text}\n") == body

    def test_zlib_is_used_only_when_it_makes_the_body_shorter(self) -> None:
        repeated = CLAIMS.model_copy(update={"given_names": "Abdul Rahman " * 4})
        packed = credential.sign_claims(repeated, ES256_ISSUER.signer)
        assert packed[0] == 0x78
        assert cose.decode_sign1(credential.message_from_body(packed)).kid is not None
        message = cose.sign1(b"\x00", ES256_ISSUER.signer)
        assert credential.body_for(message) == message

    def test_a_wrong_prefix_is_refused(self) -> None:
        with pytest.raises(CredentialError, match="HJ1:"):
            credential.body_from_text("HC1:6BFOXN")

    def test_a_zlib_bomb_is_refused(self) -> None:
        with pytest.raises(CredentialError, match="larger than 4096"):
            credential.message_from_body(zlib.compress(b"\x00" * 1_000_000))

    def test_truncated_zlib_is_refused(self) -> None:
        with pytest.raises(CredentialError, match="truncated"):
            credential.message_from_body(zlib.compress(b"abc" * 50)[:-3])


class TestFit:
    def test_a_card_that_fits_is_left_alone(self) -> None:
        claims, body = credential.fit(CLAIMS, ES256_ISSUER.signer)
        assert claims == CLAIMS
        assert not claims.names_shortened
        assert len(credential.qr_text_for(body)) <= credential.MAX_QR_CHARS

    def test_long_given_names_are_shortened_word_by_word_and_flagged(self) -> None:
        long = CLAIMS.model_copy(
            update={
                "given_names": "Muhammad Abdullah Ibrahim Khalil Mustafa Abdulaziz Hamza Yusuf",
                "given_names_ar": "محمد عبد الله إبراهيم خليل مصطفى عبد العزيز حمزة يوسف",
            }
        )
        claims, body = credential.fit(long, ES256_ISSUER.signer)
        assert claims.names_shortened
        assert len(credential.qr_text_for(body)) <= credential.MAX_QR_CHARS
        assert long.given_names.startswith(claims.given_names)
        assert claims.given_names.startswith("Muhammad")
        assert claims.surname == long.surname
        signed = cose.decode_sign1(credential.message_from_body(body))
        assert credential.decode_claims(signed.payload) == claims


def test_claims_model_matches_the_documented_keys() -> None:
    # Every field of CardClaims is written (or derived, for the issuer and times).
    assert set(CardClaims.model_fields) == {
        "issuer", "card_number", "surname", "given_names", "surname_ar", "given_names_ar",
        "passport_number", "nationality", "sex", "date_of_birth", "group_code", "camp",
        "company_code", "issued_at", "not_before", "expires_at", "status_index",
        "names_shortened",
    }  # fmt: skip
