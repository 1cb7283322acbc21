"""Incoming signed health certificates: EU DCC / WHO GDHCN ("HC1:" QR codes).

The QR text is "HC1:" + Base45(zlib(COSE_Sign1)); the COSE payload is a CBOR Web Token whose
claim -260 (hcert) holds the certificate. A verifier answers with one verdict, whatever the
input: valid, expired, not yet valid, unknown signer, tampered or unreadable.
"""

from __future__ import annotations

import base64
import binascii
import enum
import json
import re
import zlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from cryptography.hazmat.primitives.serialization import Encoding

from labbaik.errors import FieldProblem
from labbaik.health.errors import TrustListRejected
from labbaik.health.schemas import SNOMED, Coding, Immunization
from labbaik.kit import base45, cose

PREFIX = "HC1:"
CLAIM_ISSUER, CLAIM_EXPIRY, CLAIM_ISSUED = 1, 4, 6
CLAIM_HCERT = -260
# Bounds the work of a hostile QR: a real certificate inflates to a few hundred bytes.
MAX_TEXT = 8_000
MAX_INFLATED = 64 * 1024
_ZLIB_HEADER = re.compile(rb"\x78[\x01\x5e\x9c\xda]")


class Verdict(enum.StrEnum):
    VALID = "valid"
    EXPIRED = "expired"
    NOT_YET_VALID = "not yet valid"
    UNKNOWN_SIGNER = "unknown signer"
    TAMPERED = "tampered"
    UNREADABLE = "unreadable"


@dataclass(frozen=True)
class TrustedCertificate:
    der: bytes
    kid: bytes
    public_key: ec.EllipticCurvePublicKey | ed25519.Ed25519PublicKey | None
    country: str | None
    subject: str
    not_before: datetime
    not_after: datetime


@dataclass
class Vaccination:
    disease: str
    vaccine: str
    product: str
    manufacturer: str
    dose: int | None
    of_doses: int | None
    given: date | None
    country: str
    issuer: str
    certificate_id: str


@dataclass
class Result:
    verdict: Verdict
    message: str
    kid: str | None = None
    issuer_country: str | None = None
    issued_at: datetime | None = None
    expires_at: datetime | None = None
    name: str | None = None
    date_of_birth: str | None = None
    vaccinations: list[Vaccination] = field(default_factory=list)
    # Tests and recoveries are shown but prove no vaccination.
    other_entries: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "verdict": self.verdict.value,
            "message": self.message,
            "kid": self.kid,
            "issuer_country": self.issuer_country,
            "issued_at": self.issued_at.isoformat() if self.issued_at else None,
            "expires_at": self.expires_at.isoformat() if self.expires_at else None,
            "name": self.name,
            "date_of_birth": self.date_of_birth,
            "vaccinations": [
                {**v.__dict__, "given": v.given.isoformat() if v.given else None}
                for v in self.vaccinations
            ],
            "other_entries": self.other_entries,
        }


# Trust lists ------------------------------------------------------------------------------------


def trusted(der: bytes) -> TrustedCertificate:
    """One signer certificate (DER); its key id as DCC defines it."""
    try:
        certificate = x509.load_der_x509_certificate(der)
    except ValueError as exc:
        raise TrustListRejected(f"not an X.509 certificate: {exc}") from None
    key = certificate.public_key()
    usable = key if isinstance(key, ec.EllipticCurvePublicKey | ed25519.Ed25519PublicKey) else None
    countries = certificate.subject.get_attributes_for_oid(x509.NameOID.COUNTRY_NAME)
    return TrustedCertificate(
        der=der,
        kid=cose.key_id(der),
        public_key=usable,
        country=str(countries[0].value) if countries else None,
        subject=certificate.subject.rfc4514_string()[:500],
        not_before=certificate.not_valid_before_utc,
        not_after=certificate.not_valid_after_utc,
    )


def _entry_der(entry: Any) -> bytes:
    if isinstance(entry, Mapping):
        entry = entry.get("certificate") or entry.get("CERTIFICATE") or entry.get("rawData")
    if not isinstance(entry, str):
        raise ValueError("an entry is a base64 certificate or an object with 'certificate'")
    try:
        return base64.b64decode(entry, validate=True)
    except (binascii.Error, ValueError):
        raise ValueError("the certificate is not base64") from None


def parse_trust_list(raw: bytes) -> list[TrustedCertificate]:
    """A trust list file: PEM certificates, or JSON (a list of base64 DER certificates or of
    objects with "certificate" / "rawData", an object with "certificates", or a DCC test vector
    with "CERTIFICATE")."""
    if b"-----BEGIN CERTIFICATE-----" in raw:
        try:
            certificates = x509.load_pem_x509_certificates(raw)
        except ValueError as exc:
            raise TrustListRejected(f"the PEM file does not read: {exc}") from None
        return [trusted(c.public_bytes(Encoding.DER)) for c in certificates]
    try:
        data = json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise TrustListRejected(f"the trust list is neither PEM nor JSON: {exc}") from None
    if isinstance(data, Mapping):
        entries = data.get("certificates", [data] if "CERTIFICATE" in data else None)
    else:
        entries = data
    if not isinstance(entries, list) or not entries:
        raise TrustListRejected("the trust list holds no certificates")
    out: list[TrustedCertificate] = []
    problems: list[FieldProblem] = []
    for index, entry in enumerate(entries):
        try:
            out.append(trusted(_entry_der(entry)))
        except (ValueError, TrustListRejected) as exc:
            problems.append(FieldProblem(f"certificates[{index}]", str(exc)))
    if problems:
        raise TrustListRejected("the trust list has unreadable entries", problems=problems)
    return out


# Verifying --------------------------------------------------------------------------------------


def _moment(value: Any) -> datetime | None:
    if isinstance(value, int | float) and not isinstance(value, bool) and 0 <= value < 2**35:
        return datetime.fromtimestamp(int(value), UTC)
    return None


def _inflate(data: bytes) -> bytes:
    inflater = zlib.decompressobj()
    out = inflater.decompress(data, MAX_INFLATED)
    if inflater.unconsumed_tail:
        raise ValueError(f"it inflates to more than {MAX_INFLATED} bytes")
    if not inflater.eof:
        raise zlib.error("the compressed data ends early")
    return out


def _day(value: Any) -> date | None:
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _content(result: Result, claims: Mapping[Any, Any]) -> None:
    hcert = claims.get(CLAIM_HCERT)
    dcc = hcert.get(1) if isinstance(hcert, Mapping) else None
    if not isinstance(dcc, Mapping):
        return
    names = dcc.get("nam")
    if not isinstance(names, Mapping):
        names = {}
    result.name = " ".join(str(names.get(k, "")) for k in ("gn", "fn")).strip() or None
    result.date_of_birth = str(dcc.get("dob", "")) or None
    doses = dcc.get("v")
    for entry in doses if isinstance(doses, list | tuple) else []:
        if not isinstance(entry, Mapping):
            continue
        result.vaccinations.append(
            Vaccination(
                disease=str(entry.get("tg", "")),
                vaccine=str(entry.get("vp", "")),
                product=str(entry.get("mp", "")),
                manufacturer=str(entry.get("ma", "")),
                dose=_int(entry.get("dn")),
                of_doses=_int(entry.get("sd")),
                given=_day(entry.get("dt")),
                country=str(entry.get("co", ""))[:3],
                issuer=str(entry.get("is", ""))[:200],
                certificate_id=str(entry.get("ci", ""))[:200],
            )
        )
    for kind, label in (("t", "test"), ("r", "recovery")):
        entries = dcc.get(kind)
        for entry in entries if isinstance(entries, list | tuple) else []:
            if isinstance(entry, Mapping):
                result.other_entries.append(f"{label} {entry.get('ci', '')}".strip())


def _unreadable(why: str) -> Result:
    return Result(Verdict.UNREADABLE, why)


def verify(text: str | bytes, trust: Iterable[TrustedCertificate], *, at: datetime) -> Result:
    """The verdict on one QR text at a moment; never raises for any input."""
    try:
        return _verify(text, list(trust), at=at)
    except Exception as exc:
        return _unreadable(f"the certificate could not be read ({type(exc).__name__})")


def _verify(text: str | bytes, trust: list[TrustedCertificate], *, at: datetime) -> Result:
    if isinstance(text, bytes):
        try:
            text = text.decode("ascii")
        except UnicodeDecodeError:
            return _unreadable("the QR text is not ASCII")
    text = text.strip()
    if len(text) > MAX_TEXT:
        return _unreadable(f"the QR text is longer than {MAX_TEXT} characters")
    if not text.startswith(PREFIX):
        return _unreadable("a health certificate starts with HC1:")
    try:
        compressed = base45.decode(text[len(PREFIX) :])
    except base45.Base45Error as exc:
        return _unreadable(f"not Base45: {exc}")
    if _ZLIB_HEADER.match(compressed):
        try:
            message_bytes = _inflate(compressed)
        except zlib.error:
            # A genuine certificate's stream with a changed character fails its own checks.
            return Result(Verdict.TAMPERED, "the compressed certificate is damaged or altered")
        except ValueError as exc:
            return _unreadable(f"the certificate is too large: {exc}")
    else:
        # The specification allows an uncompressed COSE message.
        message_bytes = compressed
    try:
        message = cose.decode_sign1(message_bytes)
    except cose.CoseAlgorithmError as exc:
        return _unreadable(f"the signature algorithm is not supported: {exc}")
    except cose.CoseError as exc:
        return _unreadable(f"not a COSE_Sign1 message: {exc}")
    kid = message.kid.hex() if message.kid else None
    candidates = [c for c in trust if message.kid is not None and c.kid == message.kid]
    if not candidates:
        result = Result(Verdict.UNKNOWN_SIGNER, f"no trusted signer has the key id {kid}")
        result.kid = kid
        return result
    signer = None
    for candidate in candidates:
        if candidate.public_key is None:
            continue
        try:
            cose.verify_signature(message, candidate.public_key)
        except cose.CoseError:
            continue
        signer = candidate
        break
    if signer is None:
        result = Result(Verdict.TAMPERED, "the signature does not match the content")
        result.kid = kid
        return result
    try:
        claims = cose.loads(message.payload)
    except cose.CoseError:
        return _unreadable("the signed content is not CBOR")
    if not isinstance(claims, Mapping):
        return _unreadable("the signed content is not a CWT claims map")
    result = Result(Verdict.VALID, "the signature is valid and the certificate is in force")
    result.kid = kid
    issuer = claims.get(CLAIM_ISSUER)
    result.issuer_country = issuer if isinstance(issuer, str) else signer.country
    result.issued_at = _moment(claims.get(CLAIM_ISSUED))
    result.expires_at = _moment(claims.get(CLAIM_EXPIRY))
    _content(result, claims)
    if result.expires_at is None:
        result.verdict, result.message = Verdict.UNREADABLE, "the certificate has no expiry"
    elif at >= result.expires_at:
        result.verdict = Verdict.EXPIRED
        result.message = f"the certificate expired at {result.expires_at.isoformat()}"
    elif result.issued_at is not None and at < result.issued_at:
        result.verdict = Verdict.NOT_YET_VALID
        result.message = f"the certificate is issued at {result.issued_at.isoformat()}"
    elif not signer.not_before <= at <= signer.not_after:
        result.verdict = Verdict.EXPIRED
        result.message = (
            f"the signer's certificate is valid from {signer.not_before.date()} "
            f"to {signer.not_after.date()}"
        )
    return result


def immunizations(result: Result) -> list[Immunization]:
    """The doses a valid certificate proves, as entries of the health record."""
    out = []
    for v in result.vaccinations:
        if v.given is None:
            continue
        out.append(
            Immunization(
                text=f"{v.product or 'vaccine'} (signed certificate, {v.issuer or v.country})"[
                    :300
                ],
                vaccine=Coding(system=SNOMED, code=v.vaccine) if v.vaccine else None,
                date=v.given,
                target_diseases=[Coding(system=SNOMED, code=v.disease)] if v.disease else [],
                dose_number=v.dose if v.dose and 1 <= v.dose <= 20 else None,
                country=v.country or None,
                source="dcc",
                certificate_id=v.certificate_id or None,
            )
        )
    return out
