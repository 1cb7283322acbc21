"""The offline verifier: QR text or NFC bytes, a trust list and a status list in, one verdict out.

Pure: no database, no network, no clock unless none is given. Whatever the input, the answer
is a `Verdict`; docs/credential.md, section 7, is the order of the checks.
"""

from __future__ import annotations

import base64
import json
import zlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519

from labbaik.cards import credential
from labbaik.cards.errors import BadStatusList, BadTrustList
from labbaik.cards.schemas import Verdict
from labbaik.kit import cose

CLOCK_SKEW = timedelta(seconds=300)
STATUS_VALID, STATUS_INVALID, STATUS_SUSPENDED = 0, 1, 2
STATUS_LIST_TYP = "application/statuslist+cwt"
CWT_TTL, CWT_STATUS_LIST = 65534, 65533
# A list of ten million cards is 2.5 MB before compression; more is not a list of ours.
MAX_STATUS_BYTES = 16 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class TrustedSigner:
    kid: bytes
    alg: cose.Algorithm
    public_key: cose.PublicKey
    not_before: datetime
    not_after: datetime
    season: int | None = None


class TrustStore:
    """The signers a verifier believes, by kid."""

    def __init__(self, signers: Iterable[TrustedSigner]) -> None:
        self.signers: dict[bytes, TrustedSigner] = {s.kid: s for s in signers}

    def __len__(self) -> int:
        return len(self.signers)

    def get(self, kid: bytes | None) -> TrustedSigner | None:
        return self.signers.get(kid) if kid is not None else None

    @classmethod
    def from_certificates(cls, certificates: Iterable[x509.Certificate]) -> TrustStore:
        signers = []
        for cert in certificates:
            key = cert.public_key()
            if not isinstance(key, ec.EllipticCurvePublicKey | ed25519.Ed25519PublicKey):
                raise BadTrustList(f"a trust-list key is {type(key).__name__}, not EC or Ed25519")
            try:
                alg = cose.algorithm_for(key)
            except cose.CoseAlgorithmError as exc:
                raise BadTrustList(str(exc)) from None
            signers.append(
                TrustedSigner(
                    kid=cose.key_id(cert.public_bytes(serialization.Encoding.DER)),
                    alg=alg,
                    public_key=key,
                    not_before=cert.not_valid_before_utc,
                    not_after=cert.not_valid_after_utc,
                )
            )
        return cls(signers)

    @classmethod
    def from_pem(cls, data: bytes) -> TrustStore:
        """A PEM bundle of signer certificates (`labbaik keys export-trust`)."""
        try:
            certificates = x509.load_pem_x509_certificates(data)
        except ValueError as exc:
            raise BadTrustList(f"not a PEM bundle of certificates: {exc}") from None
        return cls.from_certificates(certificates)

    @classmethod
    def from_json(cls, document: Mapping[str, Any]) -> TrustStore:
        """The JSON form (docs/credential.md, section 6)."""
        keys = document.get("keys")
        if not isinstance(keys, Mapping):
            raise BadTrustList("the trust list has no 'keys' object")
        signers = []
        for kid_text, entry in keys.items():
            try:
                kid = base64.b64decode(kid_text, validate=True)
                key = serialization.load_der_public_key(base64.b64decode(entry["spki"]))
                alg = {"ES256": cose.Algorithm.ES256, "EdDSA": cose.Algorithm.EDDSA}[entry["alg"]]
                not_before = _parse_time(entry["not_before"])
                not_after = _parse_time(entry["not_after"])
            except (KeyError, TypeError, ValueError) as exc:
                raise BadTrustList(f"trust-list entry {kid_text!r} is malformed: {exc}") from None
            if not isinstance(key, ec.EllipticCurvePublicKey | ed25519.Ed25519PublicKey):
                raise BadTrustList(f"trust-list entry {kid_text!r} is not an EC or Ed25519 key")
            if cose.algorithm_for(key) != alg:
                raise BadTrustList(f"trust-list entry {kid_text!r}: alg does not match the key")
            signers.append(
                TrustedSigner(
                    kid=kid,
                    alg=alg,
                    public_key=key,
                    not_before=not_before,
                    not_after=not_after,
                    season=entry.get("season"),
                )
            )
        return cls(signers)

    @classmethod
    def load(cls, data: bytes) -> TrustStore:
        """A PEM bundle or the JSON form, whichever the bytes are."""
        if data.lstrip().startswith(b"{"):
            try:
                return cls.from_json(json.loads(data))
            except json.JSONDecodeError as exc:
                raise BadTrustList(f"the trust list is not JSON: {exc}") from None
        return cls.from_pem(data)


@dataclass(frozen=True, slots=True)
class StatusList:
    """An inflated, verified status list."""

    sub: str
    issued_at: datetime
    expires_at: datetime
    ttl: int | None
    bits: int
    statuses: bytes
    kid: bytes | None

    def status(self, index: int) -> int | None:
        """The status of index, or None when the list is too short to know it."""
        per_byte = 8 // self.bits
        byte = index // per_byte
        if index < 0 or byte >= len(self.statuses):
            return None
        mask = (1 << self.bits) - 1
        return (self.statuses[byte] >> ((index % per_byte) * self.bits)) & mask


def parse_status_token(data: bytes, trust: TrustStore) -> StatusList:
    """A status list token whose signature a trusted signer made; BadStatusList otherwise."""
    try:
        message = cose.decode_sign1(data, max_size=MAX_STATUS_BYTES)
    except cose.CoseError as exc:
        raise BadStatusList(f"the status list is not a COSE_Sign1: {exc}") from None
    if message.protected.get(cose.HEADER_TYP) != STATUS_LIST_TYP:
        raise BadStatusList(f"the status list's typ is not {STATUS_LIST_TYP}")
    signer = trust.get(message.kid)
    if signer is None:
        raise BadStatusList("the status list is signed by a key not in the trust list")
    try:
        cose.verify_signature(message, signer.public_key)
        claims = cose.loads(message.payload)
    except cose.CoseError as exc:
        raise BadStatusList(f"the status list does not verify: {exc}") from None
    try:
        status_list = claims[CWT_STATUS_LIST]
        bits = status_list["bits"]
        inflater = zlib.decompressobj()
        statuses = inflater.decompress(status_list["lst"], MAX_STATUS_BYTES)
        sub = claims[credential.CWT_SUB]
        issued = datetime.fromtimestamp(claims[credential.CWT_IAT], UTC)
        expires = datetime.fromtimestamp(claims[credential.CWT_EXP], UTC)
        ttl = claims.get(CWT_TTL)
    except (KeyError, TypeError, ValueError, OverflowError, OSError, zlib.error) as exc:
        raise BadStatusList(f"the status list's claims are malformed: {exc}") from None
    if bits not in (1, 2, 4, 8) or inflater.unconsumed_tail or not isinstance(sub, str):
        raise BadStatusList("the status list's bits, size or subject are not acceptable")
    return StatusList(
        sub=sub,
        issued_at=issued,
        expires_at=expires,
        ttl=ttl if isinstance(ttl, int) else None,
        bits=bits,
        statuses=statuses,
        kid=message.kid,
    )


def _verdict(**fields: Any) -> Verdict:
    # Every value below is built here, of the right type: pydantic's validation would only
    # slow down the path whose speed bounds a scanner.
    return Verdict.model_construct(**fields)


def verify_card(
    card: str | bytes,
    *,
    trust: TrustStore,
    status: StatusList | None = None,
    at: datetime | None = None,
) -> Verdict:
    """The verdict on a card: QR text (`HJ1:...`) as str, or the NFC record's bytes."""
    try:
        body = credential.body_from_text(card) if isinstance(card, str) else bytes(card)
        message = cose.decode_sign1(
            credential.message_from_body(body), max_size=credential.MAX_TOKEN_BYTES
        )
    except (credential.CredentialError, cose.CoseAlgorithmError) as exc:
        return _verdict(verdict="unreadable", reason=str(exc))
    except cose.CoseError as exc:
        return _verdict(verdict="unreadable", reason=f"not a COSE_Sign1: {exc}")
    except TypeError:
        return _verdict(verdict="unreadable", reason="the card is neither text nor bytes")
    kid_text = base64.b64encode(message.kid).decode() if message.kid else None
    signer = trust.get(message.kid)
    if signer is None:
        return _verdict(
            verdict="unknown_signer", reason="the signer is not in the trust list", kid=kid_text
        )
    try:
        cose.verify_signature(message, signer.public_key)
    except cose.CoseError as exc:
        return _verdict(verdict="tampered", reason=str(exc), kid=kid_text)
    try:
        claims = credential.decode_claims(message.payload)
    except credential.CredentialError as exc:
        return _verdict(verdict="unreadable", reason=f"signed, but {exc}", kid=kid_text)
    number = claims.card_number
    if not signer.not_before <= claims.issued_at <= signer.not_after:
        return _verdict(
            verdict="unknown_signer",
            reason="the card was issued outside its signer's validity",
            claims=claims,
            kid=kid_text,
            card_number=number,
        )
    now = at or datetime.now(UTC)
    if now > claims.expires_at:
        return _verdict(
            verdict="expired",
            reason=f"expired {claims.expires_at:%Y-%m-%d %H:%M} UTC",
            claims=claims,
            kid=kid_text,
            card_number=number,
        )
    starts = claims.not_before or claims.issued_at
    if now + CLOCK_SKEW < starts:
        return _verdict(
            verdict="not_yet_valid",
            reason=f"valid from {starts:%Y-%m-%d %H:%M} UTC",
            claims=claims,
            kid=kid_text,
            card_number=number,
        )
    if status is None:
        return _verdict(
            verdict="valid",
            reason="signature and dates are good; no status list given, revocation not checked",
            claims=claims,
            kid=kid_text,
            card_number=number,
        )
    state = status.status(claims.status_index)
    if state is None:
        return _verdict(
            verdict="valid",
            reason="signature and dates are good; the card is newer than the status list",
            claims=claims,
            kid=kid_text,
            card_number=number,
        )
    stale = " (the status list is out of date)" if now > status.expires_at else ""
    if state == STATUS_SUSPENDED:
        verdict, reason = "suspended", "the card is suspended" + stale
    elif state != STATUS_VALID:
        verdict, reason = "revoked", "the card is revoked" + stale
    else:
        verdict, reason = "valid", "signature, dates and status are good" + stale
    return _verdict(
        verdict=verdict,
        reason=reason,
        claims=claims,
        kid=kid_text,
        card_number=number,
        status_checked=True,
    )


def _parse_time(text: str) -> datetime:
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        raise ValueError(f"{text!r} names no time zone")
    return moment.astimezone(UTC)
