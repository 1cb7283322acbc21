"""Fixtures of the card tests: signing keys in a temporary folder, cards for the world."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from cryptography.x509.oid import NameOID
from sqlalchemy.orm import Session

from labbaik.auth.roles import system_actor
from labbaik.cards import keys
from labbaik.cards.schemas import CardClaims, TrustKey
from labbaik.cards.verify import TrustStore
from labbaik.kit import cose
from labbaik.settings import get_settings

PASSPHRASE = "test passphrase of the card keys"


@pytest.fixture
def key_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    directory = tmp_path / "card-keys"
    monkeypatch.setenv("LABBAIK_CARD_KEY_DIR", str(directory))
    monkeypatch.setenv("LABBAIK_CARD_KEY_PASSPHRASE", PASSPHRASE)
    get_settings.cache_clear()
    yield directory
    get_settings.cache_clear()


@pytest.fixture
def card_keys(session: Session, world: object, key_dir: Path) -> list[TrustKey]:
    """A root and the 1447 signer (ES256), committed."""
    made = keys.init_keys(session, season=1447, actor=system_actor("test"))
    session.commit()
    return made


@dataclass(frozen=True)
class Issuer:
    """A signer made in memory, its certificate, and the trust store that holds it."""

    signer: cose.PrivateKeySigner
    certificate: x509.Certificate
    trust: TrustStore

    @property
    def pem(self) -> bytes:
        return self.certificate.public_bytes(serialization.Encoding.PEM)


def make_issuer(alg: str = "ES256", *, valid_from: datetime | None = None) -> Issuer:
    key: cose.PrivateKey = (
        ec.generate_private_key(ec.SECP256R1())
        if alg == "ES256"
        else ed25519.Ed25519PrivateKey.generate()
    )
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, f"test signer {alg}")])
    start = valid_from or datetime(2026, 1, 1, tzinfo=UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(start + timedelta(days=730))
        .sign(key, None if alg == "EdDSA" else hashes.SHA256())
    )
    kid = cose.key_id(cert.public_bytes(serialization.Encoding.DER))
    return Issuer(cose.PrivateKeySigner(key, kid=kid), cert, TrustStore.from_certificates([cert]))


ES256_ISSUER = make_issuer("ES256")
EDDSA_ISSUER = make_issuer("EdDSA")
ISSUED = datetime(2026, 5, 1, 8, 0, tzinfo=UTC)
CLAIMS = CardClaims(
    issuer="SA",
    card_number="47000001234",
    surname="Al-Abdulrahman",
    given_names="Muhammad Abdullah",
    surname_ar="العبد الرحمن",
    given_names_ar="محمد عبد الله",
    passport_number="A1234567",
    nationality="PAK",
    sex="M",
    date_of_birth=date(1958, 3, 14),
    group_code="PAK-01-G012",
    camp="MI-PAK-01-3",
    company_code="PAK-01",
    issued_at=ISSUED,
    expires_at=ISSUED + timedelta(days=90),
    status_index=1234,
)
