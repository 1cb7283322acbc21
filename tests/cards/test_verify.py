"""The offline verifier: one verdict for any input, in the documented order of checks."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta

import cbor2
import pytest
from cryptography.hazmat.primitives import serialization
from hypothesis import given, settings
from hypothesis import strategies as st

from labbaik.cards import credential
from labbaik.cards.errors import BadStatusList, BadTrustList
from labbaik.cards.status import build_status_token, pack_statuses
from labbaik.cards.verify import StatusList, TrustStore, parse_status_token, verify_card
from labbaik.kit import base45, cose
from tests.cards.conftest import CLAIMS, EDDSA_ISSUER, ES256_ISSUER, ISSUED, make_issuer

TEXT = credential.qr_text_for(credential.sign_claims(CLAIMS, ES256_ISSUER.signer))
NOW = ISSUED + timedelta(days=1)


def _status(statuses: dict[int, int], size: int = 2000) -> StatusList:
    token = build_status_token(
        pack_statuses(statuses, size=size),
        signer=ES256_ISSUER.signer,
        sub="urn:labbaik:SA:cards:status",
        at=ISSUED,
        valid_for=timedelta(days=7),
        ttl=3600,
    )
    return parse_status_token(token, ES256_ISSUER.trust)


class TestVerdicts:
    def test_a_good_card_with_a_clean_status_list_is_valid(self) -> None:
        verdict = verify_card(TEXT, trust=ES256_ISSUER.trust, status=_status({}), at=NOW)
        assert verdict.verdict == "valid"
        assert verdict.status_checked
        assert verdict.claims == CLAIMS
        assert verdict.card_number == CLAIMS.card_number
        assert verdict.kid == base64.b64encode(ES256_ISSUER.signer.kid).decode()

    def test_an_eddsa_card_is_valid_too(self) -> None:
        text = credential.qr_text_for(credential.sign_claims(CLAIMS, EDDSA_ISSUER.signer))
        assert verify_card(text, trust=EDDSA_ISSUER.trust, at=NOW).verdict == "valid"

    def test_without_a_status_list_the_verdict_says_revocation_was_not_checked(self) -> None:
        verdict = verify_card(TEXT, trust=ES256_ISSUER.trust, at=NOW)
        assert verdict.verdict == "valid"
        assert not verdict.status_checked
        assert "not checked" in verdict.reason

    def test_the_nfc_bytes_verify_like_the_text(self) -> None:
        body = credential.body_from_text(TEXT)
        assert verify_card(body, trust=ES256_ISSUER.trust, at=NOW).verdict == "valid"

    def test_after_exp_the_card_is_expired(self) -> None:
        at = CLAIMS.expires_at + timedelta(seconds=1)
        assert verify_card(TEXT, trust=ES256_ISSUER.trust, at=at).verdict == "expired"

    def test_before_iat_beyond_the_clock_skew_it_is_not_yet_valid(self) -> None:
        assert verify_card(TEXT, trust=ES256_ISSUER.trust, at=ISSUED - timedelta(minutes=4)).ok
        early = verify_card(TEXT, trust=ES256_ISSUER.trust, at=ISSUED - timedelta(minutes=6))
        assert early.verdict == "not_yet_valid"

    def test_a_revoked_index_is_revoked_and_a_suspended_one_suspended(self) -> None:
        index = CLAIMS.status_index
        revoked = verify_card(TEXT, trust=ES256_ISSUER.trust, status=_status({index: 1}), at=NOW)
        suspended = verify_card(TEXT, trust=ES256_ISSUER.trust, status=_status({index: 2}), at=NOW)
        assert (revoked.verdict, suspended.verdict) == ("revoked", "suspended")
        assert revoked.claims == CLAIMS

    def test_the_neighbours_status_does_not_touch_the_card(self) -> None:
        index = CLAIMS.status_index
        status = _status({index - 1: 1, index + 1: 2})
        assert verify_card(TEXT, trust=ES256_ISSUER.trust, status=status, at=NOW).ok

    def test_a_card_newer_than_the_status_list_is_valid_but_unchecked(self) -> None:
        verdict = verify_card(TEXT, trust=ES256_ISSUER.trust, status=_status({}, 100), at=NOW)
        assert verdict.verdict == "valid"
        assert not verdict.status_checked

    def test_a_stale_status_list_is_still_used_and_said_to_be_stale(self) -> None:
        later = ISSUED + timedelta(days=30)
        verdict = verify_card(TEXT, trust=ES256_ISSUER.trust, status=_status({}), at=later)
        assert verdict.ok
        assert "out of date" in verdict.reason

    def test_a_signer_not_in_the_trust_list_is_unknown(self) -> None:
        verdict = verify_card(TEXT, trust=make_issuer().trust, at=NOW)
        assert verdict.verdict == "unknown_signer"
        assert verdict.claims is None

    def test_a_card_issued_before_its_signer_was_valid_is_refused(self) -> None:
        late = make_issuer(valid_from=ISSUED + timedelta(days=1))
        text = credential.qr_text_for(credential.sign_claims(CLAIMS, late.signer))
        assert verify_card(text, trust=late.trust, at=NOW).verdict == "unknown_signer"

    def test_a_changed_claim_is_tampered(self) -> None:
        message = cose.decode_sign1(credential.message_from_body(credential.body_from_text(TEXT)))
        forged_claims = CLAIMS.model_copy(update={"camp": "MI-OTHER-9"})
        forged = cbor2.dumps(
            cbor2.CBORTag(
                18,
                [message.protected_bytes, {}, credential.encode_claims(forged_claims),
                 message.signature],
            )
        )  # fmt: skip
        verdict = verify_card("HJ1:" + base45.encode(forged), trust=ES256_ISSUER.trust, at=NOW)
        assert verdict.verdict == "tampered"
        assert verdict.claims is None

    @pytest.mark.parametrize(
        ("text", "reason"),
        [
            ("", "HJ1:"),
            ("HC1:NCFOXN", "HJ1:"),
            ("HJ1:abc", "Base45"),
            ("HJ1:" + base45.encode(b"\x78\x9c\x00"), "zlib"),
            ("HJ1:" + base45.encode(cbor2.dumps([1, 2, 3, 4])), "COSE_Sign1"),
        ],
    )
    def test_what_is_not_a_card_is_unreadable(self, text: str, reason: str) -> None:
        verdict = verify_card(text, trust=ES256_ISSUER.trust, at=NOW)
        assert verdict.verdict == "unreadable"
        assert reason in verdict.reason

    def test_signed_claims_that_break_the_format_are_unreadable(self) -> None:
        message = cose.sign1(cbor2.dumps({1: "SA"}), ES256_ISSUER.signer)
        verdict = verify_card(credential.qr_text_for(message), trust=ES256_ISSUER.trust, at=NOW)
        assert verdict.verdict == "unreadable"
        assert verdict.reason.startswith("signed, but")

    @settings(max_examples=300, deadline=None)
    @given(st.binary(max_size=500))
    def test_random_bytes_always_get_a_verdict(self, data: bytes) -> None:
        assert verify_card(data, trust=ES256_ISSUER.trust, at=NOW).verdict != "valid"
        text = "HJ1:" + base45.encode(data)
        assert verify_card(text, trust=ES256_ISSUER.trust, at=NOW).verdict != "valid"

    @settings(max_examples=200, deadline=None)
    @given(st.text(max_size=300))
    def test_random_text_always_gets_a_verdict(self, text: str) -> None:
        assert verify_card(text, trust=ES256_ISSUER.trust, at=NOW).verdict != "valid"

    @settings(max_examples=400, deadline=None)
    @given(st.data())
    def test_a_mutated_real_card_is_refused_or_still_the_same_card(
        self, data: st.DataObject
    ) -> None:
        body = bytearray(credential.message_from_body(credential.body_from_text(TEXT)))
        for _ in range(data.draw(st.integers(1, 4))):
            body[data.draw(st.integers(0, len(body) - 1))] = data.draw(st.integers(0, 255))
        cut = data.draw(st.integers(1, len(body)))
        verdict = verify_card(bytes(body[:cut]), trust=ES256_ISSUER.trust, at=NOW)
        assert verdict.verdict in {"valid", "tampered", "unreadable", "unknown_signer"}
        if verdict.verdict == "valid":
            assert verdict.claims == CLAIMS


class TestStatusList:
    def test_index_i_is_the_two_bits_at_offset_2i_least_significant_first(self) -> None:
        packed = pack_statuses({0: 1, 1: 2, 5: 1, 7: 2}, size=8)
        assert packed == bytes([0b00001001, 0b10000100])

    def test_the_token_is_a_cwt_with_the_documented_claims(self) -> None:
        token = build_status_token(
            pack_statuses({3: 1}, size=10),
            signer=ES256_ISSUER.signer,
            sub="urn:x",
            at=ISSUED,
            valid_for=timedelta(days=7),
            ttl=3600,
        )
        message = cose.decode_sign1(token)
        assert message.protected[16] == "application/statuslist+cwt"
        claims = cbor2.loads(message.payload)
        assert claims[2] == "urn:x"
        assert claims[4] - claims[6] == 7 * 86400
        assert claims[65534] == 3600
        assert set(claims[65533]) == {"bits", "lst"}

    def test_a_list_signed_by_an_unknown_key_is_refused(self) -> None:
        token = build_status_token(
            b"\x00", signer=make_issuer().signer, sub="urn:x", at=ISSUED,
            valid_for=timedelta(days=1), ttl=60,
        )  # fmt: skip
        with pytest.raises(BadStatusList, match="not in the trust list"):
            parse_status_token(token, ES256_ISSUER.trust)

    def test_a_card_is_not_a_status_list(self) -> None:
        card = credential.message_from_body(credential.body_from_text(TEXT))
        with pytest.raises(BadStatusList, match="typ"):
            parse_status_token(card, ES256_ISSUER.trust)


class TestTrustStore:
    def test_the_pem_bundle_and_the_json_form_name_the_same_signer(self) -> None:
        cert = ES256_ISSUER.certificate
        spki = cert.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        document = {
            "keys": {
                base64.b64encode(ES256_ISSUER.signer.kid).decode(): {
                    "alg": "ES256",
                    "spki": base64.b64encode(spki).decode(),
                    "not_before": "2026-01-01T00:00:00Z",
                    "not_after": "2028-01-01T00:00:00Z",
                    "season": 1447,
                }
            }
        }
        from_json = TrustStore.load(json.dumps(document).encode())
        from_pem = TrustStore.load(ES256_ISSUER.pem)
        assert set(from_json.signers) == set(from_pem.signers) == {ES256_ISSUER.signer.kid}
        assert verify_card(TEXT, trust=from_json, at=NOW).ok

    def test_an_entry_whose_alg_is_not_its_keys_is_refused(self) -> None:
        spki = EDDSA_ISSUER.certificate.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        entry = {
            "alg": "ES256",
            "spki": base64.b64encode(spki).decode(),
            "not_before": "2026-01-01T00:00:00Z",
            "not_after": "2028-01-01T00:00:00Z",
        }
        with pytest.raises(BadTrustList, match="does not match"):
            TrustStore.from_json({"keys": {"AAAAAAAAAAA=": entry}})

    @pytest.mark.parametrize("data", [b"not pem", b"{not json", b'{"keys": 3}'])
    def test_what_is_not_a_trust_list_is_refused(self, data: bytes) -> None:
        with pytest.raises(BadTrustList):
            TrustStore.load(data)


def test_verification_needs_no_clock_when_given_a_time() -> None:
    assert verify_card(TEXT, trust=ES256_ISSUER.trust, at=datetime(2026, 5, 2, tzinfo=UTC)).ok
