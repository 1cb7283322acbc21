"""The test vectors of docs/credential.md: made here from published test keys, with
deterministic signatures (RFC 6979 for ES256, Ed25519 by nature), and checked against the page.

Rewrite the page's section after a deliberate format change:
    .venv/bin/python -m tests.cards.test_vectors --write
"""

from __future__ import annotations

import base64
import hashlib
import re
import sys
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
from cryptography.x509.oid import NameOID

from labbaik.cards import credential, nfc
from labbaik.cards.schemas import CardClaims
from labbaik.cards.status import build_status_token, pack_statuses
from labbaik.cards.verify import TrustStore, parse_status_token, verify_card
from labbaik.kit import cose

DOC = Path(__file__).parents[2] / "docs" / "credential.md"
BEGIN, END = "<!-- vectors:begin -->", "<!-- vectors:end -->"
NOT_BEFORE = datetime(2026, 1, 1, tzinfo=UTC)
ISSUED = datetime(2026, 5, 1, 9, 0, tzinfo=UTC)
VALID_AT = datetime(2026, 5, 2, tzinfo=UTC)
CLAIMS = CardClaims(
    issuer="SA",
    card_number="47000001235",
    surname="Al-Qahtani",
    given_names="Abdullah",
    surname_ar="القحطاني",
    given_names_ar="عبدالله",
    passport_number="A7654321",
    nationality="SAU",
    sex="M",
    date_of_birth=date(1960, 7, 14),
    group_code="SAU-001",
    camp="MI-SAU-01-1",
    company_code="SAU-RAHMA",
    issued_at=ISSUED,
    expires_at=ISSUED + timedelta(days=60),
    status_index=1,
)


class DeterministicES256:
    """A Signer with RFC 6979 nonces, so that a vector is the same on every run."""

    def __init__(self, key: ec.EllipticCurvePrivateKey, kid: bytes) -> None:
        self.key, self._kid = key, kid

    @property
    def alg(self) -> cose.Algorithm:
        return cose.Algorithm.ES256

    @property
    def kid(self) -> bytes:
        return self._kid

    def sign(self, data: bytes) -> bytes:
        der = self.key.sign(data, ec.ECDSA(hashes.SHA256(), deterministic_signing=True))
        r, s = decode_dss_signature(der)
        return r.to_bytes(32, "big") + s.to_bytes(32, "big")


@dataclass(frozen=True)
class Vector:
    alg: str
    private_key: str
    certificate: str
    kid: bytes
    signer: cose.Signer

    @property
    def trust(self) -> TrustStore:
        return TrustStore.from_pem(self.certificate.encode())


def _certificate(key: ec.EllipticCurvePrivateKey | ed25519.Ed25519PrivateKey, alg: str) -> str:
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, f"Labbaik test vector {alg}")])
    builder = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(1447)
        .not_valid_before(NOT_BEFORE)
        .not_valid_after(NOT_BEFORE + timedelta(days=730))
    )
    if isinstance(key, ed25519.Ed25519PrivateKey):
        cert = builder.sign(key, None)
    else:
        cert = builder.sign(key, hashes.SHA256(), ecdsa_deterministic=True)
    return cert.public_bytes(serialization.Encoding.PEM).decode()


def vectors() -> list[Vector]:
    seed = hashlib.sha256(b"labbaik test vector ES256").digest()
    es_key = ec.derive_private_key(int.from_bytes(seed, "big"), ec.SECP256R1())
    ed_key = ed25519.Ed25519PrivateKey.from_private_bytes(
        hashlib.sha256(b"labbaik test vector EdDSA").digest()
    )
    out = []
    for alg, key in (("ES256", es_key), ("EdDSA", ed_key)):
        pem = _certificate(key, alg)
        der = x509.load_pem_x509_certificate(pem.encode()).public_bytes(serialization.Encoding.DER)
        kid = cose.key_id(der)
        signer: cose.Signer = (
            DeterministicES256(key, kid)
            if isinstance(key, ec.EllipticCurvePrivateKey)
            else cose.PrivateKeySigner(key, kid=kid)
        )
        private = key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ).decode()
        out.append(Vector(alg, private, pem, kid, signer))
    return out


def _wrap(hex_text: str) -> str:
    return "\n".join(hex_text[i : i + 96] for i in range(0, len(hex_text), 96))


def render() -> str:
    lines = [
        BEGIN,
        "",
        "Made by `tests/cards/test_vectors.py` from the test keys below (never use them for "
        "anything else). ES256 signatures use RFC 6979 nonces so that they can be reproduced; "
        "an issuer may use random nonces. Every vector is checked at "
        f"`{VALID_AT:%Y-%m-%dT%H:%M:%SZ}` unless said otherwise.",
        "",
        "Claims (both cards):",
        "",
        "```json",
        CLAIMS.model_dump_json(indent=2),
        "```",
        "",
        "Payload (CBOR, hex):",
        "",
        "```",
        _wrap(credential.encode_claims(CLAIMS).hex()),
        "```",
    ]
    for vector in vectors():
        message = cose.sign1(credential.encode_claims(CLAIMS), vector.signer)
        body = credential.body_for(message)
        lines += [
            "",
            f"### {vector.alg}",
            "",
            "Test private key:",
            "",
            "```",
            vector.private_key.strip(),
            "```",
            "",
            "Signer certificate (the trust list's PEM bundle for this vector):",
            "",
            "```",
            vector.certificate.strip(),
            "```",
            "",
            f"kid: `{vector.kid.hex()}` (base64 `{base64.b64encode(vector.kid).decode()}`)",
            "",
            "COSE_Sign1 (hex; the body is the message itself, zlib would not shorten it):"
            if body == message
            else "zlib body (hex):",
            "",
            "```",
            _wrap(body.hex()),
            "```",
            "",
            f"QR text (verdict `valid`; `expired` after `{CLAIMS.expires_at:%Y-%m-%dT%H:%M:%SZ}`):",
            "",
            "```",
            credential.qr_text_for(body),
            "```",
            "",
            "NDEF message (hex):",
            "",
            "```",
            _wrap(nfc.message_for(body).hex()),
            "```",
        ]
    es256 = vectors()[0]
    statuses = pack_statuses({1: 1, 2: 2}, size=16)
    token = build_status_token(
        statuses,
        signer=es256.signer,
        sub="urn:labbaik:SA:cards:status",
        at=ISSUED,
        valid_for=timedelta(days=7),
        ttl=3600,
    )
    lines += [
        "",
        "### Status list (signed with the ES256 test key)",
        "",
        "Index 1 (the cards above) is revoked, index 2 suspended, the rest valid. The status "
        f"array before compression is `{statuses.hex()}`. The token (hex):",
        "",
        "```",
        _wrap(token.hex()),
        "```",
        "",
        "With it, the ES256 card's verdict is `revoked`.",
        "",
        END,
    ]
    return "\n".join(lines)


def _documented() -> str:
    text = DOC.read_text(encoding="utf-8")
    match = re.search(re.escape(BEGIN) + ".*?" + re.escape(END), text, flags=re.DOTALL)
    assert match, f"{DOC} has no test vector section"
    return match.group(0)


def _blocks(section: str) -> list[str]:
    return re.findall(r"```[a-z]*\n(.*?)\n```", section, flags=re.DOTALL)


class TestVectors:
    def test_the_page_holds_the_vectors_the_code_makes(self) -> None:
        assert _documented() == render()

    def test_the_documented_cards_verify_as_documented(self) -> None:
        blocks = _blocks(_documented())
        texts = [b for b in blocks if b.startswith("HJ1:")]
        pems = [b for b in blocks if b.startswith("-----BEGIN CERTIFICATE-----")]
        assert len(texts) == len(pems) == 2
        for text, pem in zip(texts, pems, strict=True):
            trust = TrustStore.from_pem(pem.encode())
            verdict = verify_card(text, trust=trust, at=VALID_AT)
            assert verdict.verdict == "valid"
            assert verdict.claims == CLAIMS
            later = CLAIMS.expires_at + timedelta(seconds=1)
            assert verify_card(text, trust=trust, at=later).verdict == "expired"

    def test_the_documented_status_list_revokes_the_card(self) -> None:
        blocks = _blocks(_documented())
        token = bytes.fromhex("".join(blocks[-1].split()))
        trust = TrustStore.from_pem(next(b for b in blocks if "CERTIFICATE" in b).encode())
        status = parse_status_token(token, trust)
        assert [status.status(i) for i in range(4)] == [0, 1, 2, 0]
        text = next(b for b in blocks if b.startswith("HJ1:"))
        assert verify_card(text, trust=trust, status=status, at=VALID_AT).verdict == "revoked"


if __name__ == "__main__":
    if "--write" in sys.argv:
        page = DOC.read_text(encoding="utf-8")
        if BEGIN in page:
            page = page.replace(_documented(), render())
        else:
            page = page.rstrip("\n") + "\n\n## 8. Test vectors\n\n" + render() + "\n"
        DOC.write_text(page, encoding="utf-8")
    else:
        print(render())
