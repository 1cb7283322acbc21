"""COSE_Sign1: signing and verifying with ES256 and EdDSA, refusing everything malformed,
and agreeing with an independent implementation (pycose) in both directions."""

from __future__ import annotations

import cbor2
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from hypothesis import given, settings
from hypothesis import strategies as st
from pycose.headers import KID
from pycose.headers import Algorithm as PyCoseAlg
from pycose.keys import CoseKey
from pycose.messages import Sign1Message

from labbaik.kit import cose
from labbaik.kit.cose import (
    Algorithm,
    CoseAlgorithmError,
    CoseError,
    CoseFormatError,
    CoseSignatureError,
    PrivateKeySigner,
)

P256 = ec.generate_private_key(ec.SECP256R1())
ED = ed25519.Ed25519PrivateKey.generate()
KID_ES = b"\x01" * 8
KID_ED = b"\x02" * 8
ES_SIGNER = PrivateKeySigner(P256, kid=KID_ES)
ED_SIGNER = PrivateKeySigner(ED, kid=KID_ED)
PAYLOAD = cbor2.dumps({1: "issuer", 4: 1_900_000_000, -65537: {2: "عبد الله"}})
ES_MESSAGE = cose.sign1(PAYLOAD, ES_SIGNER)


class TestKeyId:
    def test_is_the_first_eight_bytes_of_the_sha256_of_the_certificate(self) -> None:
        # SHA-256("abc") = ba7816bf8f01cfea 414140de...
        assert cose.key_id(b"abc") == bytes.fromhex("ba7816bf8f01cfea")


class TestSign1:
    def test_es256_message_verifies_with_the_signers_public_key(self) -> None:
        assert cose.verify(ES_MESSAGE, P256.public_key()) == PAYLOAD

    def test_eddsa_message_verifies_with_the_signers_public_key(self) -> None:
        message = cose.sign1(PAYLOAD, ED_SIGNER)
        assert cose.verify(message, ED.public_key()) == PAYLOAD

    def test_puts_alg_and_kid_in_the_protected_header_and_tags_18(self) -> None:
        item = cbor2.loads(ES_MESSAGE)
        assert item.tag == 18
        protected, unprotected, payload, signature = item.value
        assert cbor2.loads(protected) == {1: -7, 4: KID_ES}
        assert unprotected == {}
        assert payload == PAYLOAD
        assert len(signature) == 64

    def test_extra_protected_labels_follow_alg_and_kid(self) -> None:
        message = cose.decode_sign1(cose.sign1(b"x", ES_SIGNER, protected={16: "a/b"}))
        assert list(message.protected) == [1, 4, 16]

    def test_refuses_an_extra_label_that_would_override_the_algorithm(self) -> None:
        with pytest.raises(CoseFormatError, match="label 1"):
            cose.sign1(b"x", ES_SIGNER, protected={1: -8})

    def test_untagged_and_cwt_tagged_messages_are_read_too(self) -> None:
        untagged = cose.sign1(PAYLOAD, ES_SIGNER, tagged=False)
        cwt = cbor2.dumps(cbor2.CBORTag(61, cbor2.loads(ES_MESSAGE)))
        assert cose.verify(untagged, P256.public_key()) == PAYLOAD
        assert cose.verify(cwt, P256.public_key()) == PAYLOAD

    def test_a_signer_key_on_another_curve_is_refused(self) -> None:
        with pytest.raises(CoseAlgorithmError, match="secp384r1"):
            PrivateKeySigner(ec.generate_private_key(ec.SECP384R1()), kid=KID_ES)


class TestVerify:
    def test_another_key_does_not_verify(self) -> None:
        other = ec.generate_private_key(ec.SECP256R1()).public_key()
        with pytest.raises(CoseSignatureError):
            cose.verify(ES_MESSAGE, other)

    def test_a_changed_payload_does_not_verify(self) -> None:
        protected, unprotected, _, signature = cbor2.loads(ES_MESSAGE).value
        forged = cbor2.dumps(cbor2.CBORTag(18, [protected, unprotected, b"forged", signature]))
        with pytest.raises(CoseSignatureError):
            cose.verify(forged, P256.public_key())

    def test_an_ed25519_key_is_refused_for_an_es256_message(self) -> None:
        with pytest.raises(CoseAlgorithmError, match="ES256"):
            cose.verify(ES_MESSAGE, ED.public_key())

    def test_a_signature_of_the_wrong_length_does_not_verify(self) -> None:
        protected, unprotected, payload, signature = cbor2.loads(ES_MESSAGE).value
        short = cbor2.dumps(cbor2.CBORTag(18, [protected, unprotected, payload, signature[:-1]]))
        with pytest.raises(CoseSignatureError, match="64 bytes"):
            cose.verify(short, P256.public_key())

    def test_external_aad_is_bound_into_the_signature(self) -> None:
        message = cose.decode_sign1(cose.sign1(b"x", ES_SIGNER, external_aad=b"ctx"))
        cose.verify_signature(message, P256.public_key(), external_aad=b"ctx")
        with pytest.raises(CoseSignatureError):
            cose.verify_signature(message, P256.public_key())


class TestDecode:
    def test_exposes_algorithm_and_key_id(self) -> None:
        message = cose.decode_sign1(ES_MESSAGE)
        assert message.alg is Algorithm.ES256
        assert message.kid == KID_ES

    def test_a_key_id_in_the_unprotected_header_is_read(self) -> None:
        protected = cbor2.dumps({1: -7})
        data = cbor2.dumps(cbor2.CBORTag(18, [protected, {4: KID_ES}, b"", b"s" * 64]))
        assert cose.decode_sign1(data).kid == KID_ES

    def test_an_algorithm_only_in_the_unprotected_header_is_refused(self) -> None:
        data = cbor2.dumps(cbor2.CBORTag(18, [b"", {1: -7}, b"", b"s" * 64]))
        with pytest.raises(CoseFormatError, match="no algorithm"):
            cose.decode_sign1(data)

    def test_a_label_in_both_headers_is_refused(self) -> None:
        protected = cbor2.dumps({1: -7, 4: KID_ES})
        data = cbor2.dumps(cbor2.CBORTag(18, [protected, {4: KID_ES}, b"", b"s" * 64]))
        with pytest.raises(CoseFormatError, match="both"):
            cose.decode_sign1(data)

    @pytest.mark.parametrize("alg", [-35, -257, "ES256", True])
    def test_an_algorithm_other_than_es256_or_eddsa_is_refused(self, alg: object) -> None:
        data = cbor2.dumps(cbor2.CBORTag(18, [cbor2.dumps({1: alg}), {}, b"", b"s" * 64]))
        with pytest.raises(CoseAlgorithmError):
            cose.decode_sign1(data)

    def test_trailing_bytes_are_refused(self) -> None:
        with pytest.raises(CoseFormatError, match="1 bytes follow"):
            cose.decode_sign1(ES_MESSAGE + b"\x00")

    def test_another_tag_is_refused(self) -> None:
        data = cbor2.dumps(cbor2.CBORTag(98, cbor2.loads(ES_MESSAGE).value))
        with pytest.raises(CoseFormatError, match="tag 98"):
            cose.decode_sign1(data)

    def test_a_detached_payload_is_refused(self) -> None:
        protected, unprotected, _, signature = cbor2.loads(ES_MESSAGE).value
        data = cbor2.dumps(cbor2.CBORTag(18, [protected, unprotected, None, signature]))
        with pytest.raises(CoseFormatError, match="detached"):
            cose.decode_sign1(data)

    def test_a_message_larger_than_the_limit_is_refused_before_parsing(self) -> None:
        with pytest.raises(CoseFormatError, match="more than 100"):
            cose.decode_sign1(b"\x00" * 101, max_size=100)

    def test_deep_nesting_is_refused(self) -> None:
        with pytest.raises(CoseFormatError, match="not valid CBOR"):
            cose.decode_sign1(b"\x81" * 5000 + b"\x00")

    def test_a_length_beyond_the_data_is_refused(self) -> None:
        with pytest.raises(CoseFormatError, match="not valid CBOR"):
            cose.decode_sign1(bytes.fromhex("5b7fffffffffffffff"))

    @settings(max_examples=300)
    @given(st.binary(max_size=400))
    def test_random_bytes_give_a_cose_error_and_nothing_else(self, data: bytes) -> None:
        try:
            message = cose.decode_sign1(data)
            cose.verify_signature(message, P256.public_key())
        except CoseError:
            return
        pytest.fail("random bytes verified")

    @settings(max_examples=300)
    @given(st.data())
    def test_a_mutated_message_is_refused_or_still_carries_the_signed_payload(
        self, data: st.DataObject
    ) -> None:
        message = bytearray(ES_MESSAGE)
        for _ in range(data.draw(st.integers(1, 3))):
            index = data.draw(st.integers(0, len(message) - 1))
            message[index] = data.draw(st.integers(0, 255))
        try:
            payload = cose.verify(bytes(message), P256.public_key())
        except CoseError:
            return
        assert payload == PAYLOAD


class TestInteroperability:
    def _pycose_key(self, private: bool) -> CoseKey:
        if private:
            pem = P256.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
            return CoseKey.from_pem_private_key(pem.decode())
        pem = P256.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        return CoseKey.from_pem_public_key(pem.decode())

    def test_pycose_verifies_our_message(self) -> None:
        # pycose 1.1 wants a list and a dict where cbor2 6 gives a tag's content as a tuple
        # and a frozendict, so the array is handed over as such; pycose does the rest.
        item = cbor2.loads(ES_MESSAGE)
        assert item.tag == 18
        protected, unprotected, payload, signature = item.value
        message = Sign1Message.from_cose_obj(
            [protected, dict(unprotected), payload, signature], allow_unknown_attributes=False
        )
        message.key = self._pycose_key(private=False)
        assert message.verify_signature()
        assert message.payload == PAYLOAD

    def test_we_verify_a_message_pycose_signed(self) -> None:
        message = Sign1Message(phdr={PyCoseAlg: -7, KID: KID_ES}, payload=PAYLOAD)
        message.key = self._pycose_key(private=True)
        assert cose.verify(message.encode(), P256.public_key()) == PAYLOAD
