"""Card keys: a root that certifies per-season signers, rotation, and the trust list.

Private keys live only in files encrypted with the passphrase from settings; the database
holds certificates. Everything that signs goes through `kit.cose.Signer`, so a PKCS#11 module
can stand in for `FileKeyStore` without the rest of the domain noticing.
"""

from __future__ import annotations

import base64
import os
import threading
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Protocol

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from cryptography.x509.oid import NameOID
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from labbaik.auth import service as auth_service
from labbaik.auth.roles import Actor, Scope
from labbaik.cards.errors import KeysExist, KeyStoreError, NoSigningKey
from labbaik.cards.models import Card, CardKey
from labbaik.cards.schemas import Algorithm, TrustKey
from labbaik.kit import cose
from labbaik.kit.timeutil import as_utc, utcnow
from labbaik.settings import DEV_CARD_PASSPHRASE, Settings, UnsafeSettings, get_settings

ROOT_VALIDITY = timedelta(days=10 * 365)
# A signer signs for one season and must outlive the cards it signed (a season's cards
# expire within months), hence two years.
SIGNER_VALIDITY = timedelta(days=2 * 365)
_ALGS: dict[str, cose.Algorithm] = {"ES256": cose.Algorithm.ES256, "EdDSA": cose.Algorithm.EDDSA}


class KeyStore(Protocol):
    """What issuing needs from wherever the private keys are: a signer for a kid. A PKCS#11
    module implements this one method; making and certifying keys stays a ceremony of its own
    (here, `FileKeyStore.create`)."""

    def signer(self, kid: bytes) -> cose.Signer: ...


class FileKeyStore:
    """Keys as PKCS#8 PEM files encrypted with the passphrase, one per kid."""

    def __init__(self, directory: Path, passphrase: str) -> None:
        self.directory = directory
        self._passphrase = passphrase.encode()
        self._signers: dict[bytes, cose.Signer] = {}
        self._lock = threading.Lock()

    def _path(self, name: str) -> Path:
        return self.directory / f"{name}.pem"

    def create(self, *, alg: Algorithm) -> tuple[str, cose.PrivateKey]:
        """A new key in a file under a temporary name, until `bind` names it by its kid."""
        key: cose.PrivateKey = (
            ec.generate_private_key(ec.SECP256R1())
            if alg == "ES256"
            else ed25519.Ed25519PrivateKey.generate()
        )
        pem = key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.BestAvailableEncryption(self._passphrase),
        )
        handle = "new-" + os.urandom(8).hex()
        try:
            self.directory.mkdir(mode=0o700, parents=True, exist_ok=True)
            fd = os.open(self._path(handle), os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as out:
                out.write(pem)
        except OSError as exc:
            raise KeyStoreError(f"cannot write a key in {self.directory}: {exc}") from None
        return handle, key

    def bind(self, handle: str, *, kid: bytes) -> None:
        try:
            self._path(handle).rename(self._path(kid.hex()))
        except OSError as exc:
            raise KeyStoreError(f"cannot name the key file in {self.directory}: {exc}") from None

    def signer(self, kid: bytes) -> cose.Signer:
        # Opening an encrypted key costs a key derivation: once per process and key.
        with self._lock:
            found = self._signers.get(kid)
            if found is None:
                found = self._signers[kid] = cose.PrivateKeySigner(self.load(kid), kid=kid)
            return found

    def load(self, kid: bytes) -> cose.PrivateKey:
        path = self._path(kid.hex())
        try:
            pem = path.read_bytes()
        except OSError:
            raise KeyStoreError(
                f"the key file {path} is missing: the signing keys live in "
                "LABBAIK_CARD_KEY_DIR on the machine that issues cards"
            ) from None
        try:
            key = serialization.load_pem_private_key(pem, password=self._passphrase)
        except (ValueError, TypeError):
            raise KeyStoreError(
                f"cannot open {path}: wrong LABBAIK_CARD_KEY_PASSPHRASE or a damaged file"
            ) from None
        if not isinstance(key, ec.EllipticCurvePrivateKey | ed25519.Ed25519PrivateKey):
            raise KeyStoreError(f"{path} holds a {type(key).__name__}, not a card key")
        return key


_stores: dict[tuple[Path, str], FileKeyStore] = {}


def key_store(settings: Settings | None = None) -> FileKeyStore:
    """The process's key store for the settings in force (production refuses the default
    passphrase here, where keys are opened, rather than for every command)."""
    settings = settings or get_settings()
    if settings.is_production and (
        settings.card_key_passphrase == DEV_CARD_PASSPHRASE
        or len(settings.card_key_passphrase) < 20
    ):
        raise UnsafeSettings(
            "LABBAIK_CARD_KEY_PASSPHRASE must be set to a random value of 20 characters or more "
            "in production: it encrypts the card signing keys"
        )
    index = (settings.card_key_dir.resolve(), settings.card_key_passphrase)
    store = _stores.get(index)
    if store is None:
        store = _stores[index] = FileKeyStore(*index)
    return store


def _name(common_name: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Labbaik"),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def _hash_for(key: cose.PrivateKey | cose.PublicKey) -> hashes.SHA256 | None:
    # Ed25519 signs the certificate without a separate hash.
    return (
        None
        if isinstance(key, ed25519.Ed25519PrivateKey | ed25519.Ed25519PublicKey)
        else (hashes.SHA256())
    )


def _certificate(
    *,
    subject: x509.Name,
    public_key: cose.PublicKey,
    issuer: x509.Name,
    issuer_key: cose.PrivateKey,
    validity: timedelta,
    ca: bool,
) -> x509.Certificate:
    not_before = utcnow().replace(microsecond=0) - timedelta(hours=1)
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_before + validity)
        .add_extension(x509.BasicConstraints(ca=ca, path_length=0 if ca else None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=not ca,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=ca,
                crl_sign=ca,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
    )
    return builder.sign(issuer_key, _hash_for(issuer_key))


def _add_key(
    session: Session,
    store: FileKeyStore,
    *,
    alg: Algorithm,
    season: int | None,
    common_name: str,
    root: CardKey | None,
) -> CardKey:
    """A new key pair, its certificate (self-signed for the root, by the root for a signer),
    and the row that publishes the certificate."""
    handle, key = store.create(alg=alg)
    subject = _name(common_name)
    if root is None:
        cert = _certificate(
            subject=subject,
            public_key=key.public_key(),
            issuer=subject,
            issuer_key=key,
            validity=ROOT_VALIDITY,
            ca=True,
        )
    else:
        cert = _certificate(
            subject=subject,
            public_key=key.public_key(),
            issuer=x509.load_der_x509_certificate(root.certificate).subject,
            issuer_key=store.load(root.kid),
            validity=SIGNER_VALIDITY,
            ca=False,
        )
    der = cert.public_bytes(serialization.Encoding.DER)
    kid = cose.key_id(der)
    store.bind(handle, kid=kid)
    row = CardKey(
        kind="root" if root is None else "signer",
        kid=kid,
        alg=alg,
        season=season,
        certificate=der,
        not_before=cert.not_valid_before_utc,
        not_after=cert.not_valid_after_utc,
        is_current=root is not None,
    )
    session.add(row)
    session.flush()
    return row


def _root(session: Session) -> CardKey | None:
    return session.scalar(select(CardKey).where(CardKey.kind == "root"))


def init_keys(
    session: Session, *, season: int, alg: Algorithm = "ES256", actor: Actor
) -> list[TrustKey]:
    """The root key and the season's first signer. Refused when a root exists."""
    auth_service.require(actor, Scope.CARD_KEYS)
    if _root(session) is not None:
        raise KeysExist("the card keys exist already: rotate the signer with `labbaik keys rotate`")
    store = key_store()
    issuer = get_settings().card_issuer
    root = _add_key(
        session,
        store,
        alg=alg,
        season=None,
        common_name=f"Labbaik card root {issuer}",
        root=None,
    )
    signer = _add_key(
        session,
        store,
        alg=alg,
        season=season,
        common_name=f"Labbaik card signer {issuer} {season}",
        root=root,
    )
    auth_service.record(
        session,
        actor=actor,
        action="cards.keys_init",
        object_type="card_key",
        object_id=signer.id,
        detail={"root": _b64(root.kid), "signer": _b64(signer.kid), "season": season},
    )
    return [_trust_key(root), _trust_key(signer)]


def rotate(
    session: Session, *, season: int, alg: Algorithm | None = None, actor: Actor
) -> TrustKey:
    """A new signer for the season; the old one signs no more but stays trusted."""
    auth_service.require(actor, Scope.CARD_KEYS)
    root = _root(session)
    if root is None:
        raise NoSigningKey("no card keys yet: run `labbaik keys init` first")
    current = session.scalars(
        select(CardKey).where(CardKey.kind == "signer", CardKey.is_current.is_(True))
    ).all()
    now = utcnow()
    for old in current:
        if old.season == season:
            old.is_current = False
            old.retired_at = now
    count = session.scalar(
        select(func.count()).select_from(CardKey).where(CardKey.season == season)
    )
    issuer = get_settings().card_issuer
    signer = _add_key(
        session,
        key_store(),
        alg=alg or _stored_alg(root.alg),
        season=season,
        common_name=f"Labbaik card signer {issuer} {season} #{(count or 0) + 1}",
        root=root,
    )
    auth_service.record(
        session,
        actor=actor,
        action="cards.keys_rotate",
        object_type="card_key",
        object_id=signer.id,
        detail={"signer": _b64(signer.kid), "season": season},
    )
    return _trust_key(signer)


def current_signer(session: Session, *, season: int) -> tuple[CardKey, cose.Signer]:
    row = session.scalar(
        select(CardKey).where(
            CardKey.kind == "signer", CardKey.is_current.is_(True), CardKey.season == season
        )
    )
    if row is None:
        raise NoSigningKey(
            f"no signer key for season {season}: run `labbaik keys init` "
            f"(or `labbaik keys rotate --season {season}`)"
        )
    return row, key_store().signer(row.kid)


def any_current_signer(session: Session) -> tuple[CardKey, cose.Signer]:
    """The newest current signer of any season, for what is not a season's card."""
    row = session.scalar(
        select(CardKey)
        .where(CardKey.kind == "signer", CardKey.is_current.is_(True))
        .order_by(CardKey.season.desc(), CardKey.created_at.desc())
    )
    if row is None:
        raise NoSigningKey("no card keys yet: run `labbaik keys init` first")
    return row, key_store().signer(row.kid)


def trusted_signers(session: Session, *, at: datetime | None = None) -> list[CardKey]:
    """Current signers, and retired ones while a card they signed has not expired."""
    at = at or utcnow()
    per_signer = select(Card.signer_id, func.max(Card.expires_at)).group_by(Card.signer_id)
    last_expiry: dict[Any, datetime] = dict(session.execute(per_signer).all())
    rows = session.scalars(
        select(CardKey).where(CardKey.kind == "signer").order_by(CardKey.created_at)
    )
    out = []
    for row in rows:
        last = last_expiry.get(row.id)
        if as_utc(row.not_after) <= at:
            continue
        if row.is_current or (last is not None and as_utc(last) > at):
            out.append(row)
    return out


def list_keys(session: Session) -> list[TrustKey]:
    rows = session.scalars(select(CardKey).order_by(CardKey.kind.desc(), CardKey.created_at))
    return [_trust_key(r) for r in rows]


def root_pem(session: Session) -> bytes:
    root = _root(session)
    if root is None:
        raise NoSigningKey("no card keys yet: run `labbaik keys init` first")
    return x509.load_der_x509_certificate(root.certificate).public_bytes(serialization.Encoding.PEM)


def trust_pem(session: Session) -> bytes:
    return b"".join(
        x509.load_der_x509_certificate(r.certificate).public_bytes(serialization.Encoding.PEM)
        for r in trusted_signers(session)
    )


def trust_json(session: Session) -> dict[str, Any]:
    keys = {}
    for row in trusted_signers(session):
        key = _trust_key(row)
        keys[key.kid] = {
            "alg": key.alg,
            "spki": key.spki,
            "not_before": _iso(key.not_before),
            "not_after": _iso(key.not_after),
            "season": key.season,
            "certificate": key.certificate,
        }
    return {"issuer": get_settings().card_issuer, "generated_at": _iso(utcnow()), "keys": keys}


def _trust_key(row: CardKey) -> TrustKey:
    cert = x509.load_der_x509_certificate(row.certificate)
    spki = cert.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return TrustKey(
        kid=_b64(row.kid),
        kind=row.kind,
        alg=row.alg,
        spki=_b64(spki),
        not_before=as_utc(row.not_before),
        not_after=as_utc(row.not_after),
        season=row.season or 0,
        certificate=_b64(row.certificate),
        is_current=row.is_current,
        retired_at=as_utc(row.retired_at) if row.retired_at else None,
    )


def cose_alg(alg: str) -> cose.Algorithm:
    return _ALGS[alg]


_NAMES: dict[str, Algorithm] = {"ES256": "ES256", "EdDSA": "EdDSA"}


def _stored_alg(value: str) -> Algorithm:
    """A key's algorithm as its row holds it (a plain string column), checked."""
    try:
        return _NAMES[value]
    except KeyError:
        raise KeyStoreError(f"the stored key names an unknown algorithm {value!r}") from None


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _iso(moment: datetime) -> str:
    return as_utc(moment).strftime("%Y-%m-%dT%H:%M:%SZ")
