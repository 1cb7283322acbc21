"""A printed card verified by code written apart from the issuer's: Base45, zlib, CBOR and the
signature done by hand here (cbor2 and cryptography only), and by pycose; from the exported
PEM trust bundle alone."""

from __future__ import annotations

import hashlib
import zlib

import cbor2
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from pycose.keys import CoseKey
from pycose.messages import Sign1Message
from sqlalchemy.orm import Session

from labbaik.auth.roles import system_actor
from labbaik.cards import service
from labbaik.cards.schemas import TrustKey
from tests.conftest import World

ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"


def base45_decode(text: str) -> bytes:
    """RFC 9285 section 4.2, written from the RFC."""
    out = bytearray()
    for i in range(0, len(text), 3):
        chunk = [ALPHABET.index(c) for c in text[i : i + 3]]
        value = sum(v * 45**k for k, v in enumerate(chunk))
        out += value.to_bytes(2 if len(chunk) == 3 else 1, "big")
    return bytes(out)


def test_the_printed_token_verifies_from_the_pem_bundle_alone(
    session: Session, world: World, card_keys: list[TrustKey]
) -> None:
    card = service.issue_card(session, pilgrim_id=world.pilgrim_a.id, actor=system_actor("t"))
    bundle = service.trust_bundle_pem(session)
    session.commit()

    # What a third-party verifier does, knowing only docs/credential.md:
    assert card.qr_text.startswith("HJ1:")
    body = base45_decode(card.qr_text[4:])
    message = zlib.decompress(body) if body[0] == 0x78 else body
    tag = cbor2.loads(message)
    assert tag.tag == 18
    protected, _unprotected, payload, signature = tag.value
    header = cbor2.loads(protected)
    assert header[1] == -7
    by_kid = {
        hashlib.sha256(c.public_bytes(serialization.Encoding.DER)).digest()[:8]: c
        for c in x509.load_pem_x509_certificates(bundle)
    }
    public_key = by_kid[header[4]].public_key()
    assert isinstance(public_key, ec.EllipticCurvePublicKey)
    to_be_signed = cbor2.dumps(["Signature1", protected, b"", payload])
    der = encode_dss_signature(
        int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big")
    )
    public_key.verify(der, to_be_signed, ec.ECDSA(hashes.SHA256()))

    claims = cbor2.loads(payload)
    person = claims[-65537]
    assert (person[1], person[2], person[4], person[6]) == (
        card.card_number, "Aminah", "آمنة", "C1234567"
    )  # fmt: skip
    assert claims[4] > claims[6]

    # And pycose, handed the array (pycose 1.1 wants a list and a dict, cbor2 6 gives a tuple
    # and a frozendict).
    pycose_message = Sign1Message.from_cose_obj(
        [protected, dict(tag.value[1]), payload, signature], allow_unknown_attributes=False
    )
    pem = public_key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    pycose_message.key = CoseKey.from_pem_public_key(pem.decode())
    assert pycose_message.verify_signature()
