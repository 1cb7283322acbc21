"""COSE_Sign1 (RFC 9052) with ES256 and EdDSA: sign, parse strictly, verify.

Parsing never trusts its input: any bytes give a `Sign1` or a `CoseError`, never another
exception. Verification is kept lean because a verifier's rate is bounded by it.
"""

from __future__ import annotations

import enum
import hashlib
import io
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

import cbor2
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from cryptography.hazmat.primitives.asymmetric.utils import (
    decode_dss_signature,
    encode_dss_signature,
)

HEADER_ALG = 1
HEADER_KID = 4
HEADER_TYP = 16
TAG_SIGN1 = 18
TAG_CWT = 61
# Larger than any credential meant for a QR code or a tag; refusing more bounds the work
# a hostile input can cause.
DEFAULT_MAX_SIZE = 64 * 1024
KID_SIZE = 8

# What cbor2 decodes a map to: a dict, or a frozendict inside a tag. Checked by type rather
# than against collections.abc.Mapping, whose isinstance is slow on the verification path.
_MAPS = (dict, cbor2.frozendict)
_ECDSA_SHA256 = ec.ECDSA(hashes.SHA256())

PublicKey = ec.EllipticCurvePublicKey | ed25519.Ed25519PublicKey
PrivateKey = ec.EllipticCurvePrivateKey | ed25519.Ed25519PrivateKey


class Algorithm(enum.IntEnum):
    """The COSE algorithm identifiers (IANA COSE Algorithms registry) this module signs with."""

    ES256 = -7
    EDDSA = -8


class CoseError(ValueError):
    """Base of every error this module raises."""


class CoseFormatError(CoseError):
    """The bytes are not a well-formed COSE_Sign1 message."""


class CoseAlgorithmError(CoseError):
    """The message names an algorithm this module does not accept, or one its key cannot do."""


class CoseSignatureError(CoseError):
    """The signature does not verify with the given key."""


def key_id(certificate_der: bytes) -> bytes:
    """The key id of a signer: the first 8 bytes of SHA-256 over its certificate (DER),
    as the EU Digital COVID Certificate defines it."""
    return hashlib.sha256(certificate_der).digest()[:KID_SIZE]


_ALG_BY_TYPE: dict[type, Algorithm] = {}


def algorithm_for(key: PublicKey | PrivateKey) -> Algorithm:
    """The one algorithm a key may sign or verify with: a P-256 key ES256, Ed25519 EdDSA."""
    # Key classes are ABCs, whose isinstance is slow on the verification path: an Ed25519 key's
    # concrete type is remembered, and an EC key's curve is told by its name.
    found = _ALG_BY_TYPE.get(type(key))
    if found is not None:
        return found
    if isinstance(key, ed25519.Ed25519PublicKey | ed25519.Ed25519PrivateKey):
        _ALG_BY_TYPE[type(key)] = Algorithm.EDDSA
        return Algorithm.EDDSA
    if key.curve.name == ec.SECP256R1.name:
        return Algorithm.ES256
    raise CoseAlgorithmError(f"no accepted COSE algorithm for a {key.curve.name} key")


class Signer(Protocol):
    """Anything that signs: a key file in memory, or a hardware module behind PKCS#11."""

    @property
    def alg(self) -> Algorithm: ...

    @property
    def kid(self) -> bytes: ...

    def sign(self, data: bytes) -> bytes:
        """The signature of data in COSE form (ES256: r || s, 32 bytes each)."""
        ...


class PrivateKeySigner:
    """A Signer over a private key held in this process."""

    def __init__(self, private_key: PrivateKey, *, kid: bytes) -> None:
        self._key = private_key
        self._alg = algorithm_for(private_key)
        self._kid = kid

    @property
    def alg(self) -> Algorithm:
        return self._alg

    @property
    def kid(self) -> bytes:
        return self._kid

    def sign(self, data: bytes) -> bytes:
        if isinstance(self._key, ed25519.Ed25519PrivateKey):
            return self._key.sign(data)
        r, s = decode_dss_signature(self._key.sign(data, ec.ECDSA(hashes.SHA256())))
        return r.to_bytes(32, "big") + s.to_bytes(32, "big")


@dataclass(frozen=True, slots=True)
class Sign1:
    """A parsed COSE_Sign1: the protected header as sent (it is signed as bytes) and decoded."""

    protected_bytes: bytes
    protected: Mapping[Any, Any]
    unprotected: Mapping[Any, Any]
    payload: bytes
    signature: bytes
    alg: Algorithm
    kid: bytes | None

    def to_be_signed(self, external_aad: bytes = b"") -> bytes:
        return sig_structure(self.protected_bytes, self.payload, external_aad)


def sig_structure(protected_bytes: bytes, payload: bytes, external_aad: bytes = b"") -> bytes:
    """The bytes a COSE_Sign1 signature covers (RFC 9052, section 4.4)."""
    return cbor2.dumps(["Signature1", protected_bytes, external_aad, payload])


def sign1(
    payload: bytes,
    signer: Signer,
    *,
    protected: dict[int, Any] | None = None,
    external_aad: bytes = b"",
    tagged: bool = True,
) -> bytes:
    """A COSE_Sign1 message over payload, with alg and kid in the protected header.

    The header map is written alg, kid, then any extra labels, in that order, so that the
    same inputs always give the same bytes.
    """
    header: dict[int, Any] = {HEADER_ALG: int(signer.alg), HEADER_KID: signer.kid}
    for label, value in (protected or {}).items():
        if label in header:
            raise CoseFormatError(f"header label {label} is set by the signer")
        header[label] = value
    protected_bytes = cbor2.dumps(header)
    signature = signer.sign(sig_structure(protected_bytes, payload, external_aad))
    message = [protected_bytes, {}, payload, signature]
    return cbor2.dumps(cbor2.CBORTag(TAG_SIGN1, message) if tagged else message)


def loads(data: bytes) -> Any:
    """Exactly one CBOR item; trailing bytes, truncation or nonsense raise CoseFormatError."""
    stream = io.BytesIO(data)
    try:
        value = cbor2.CBORDecoder(stream).decode()
    except Exception as exc:
        # The decoder raises more than CBORDecodeError on hostile input (RecursionError,
        # OverflowError, errors from tag hooks); every one of them means "not CBOR for us".
        raise CoseFormatError(f"not valid CBOR: {_short(exc)}") from None
    if stream.tell() != len(data):
        raise CoseFormatError(f"{len(data) - stream.tell()} bytes follow the CBOR item")
    return value


def decode_sign1(data: bytes, *, max_size: int = DEFAULT_MAX_SIZE) -> Sign1:
    """Parse a COSE_Sign1 (tagged 18, untagged, or inside a CWT tag 61) without verifying it."""
    if not isinstance(data, bytes | bytearray | memoryview):
        raise CoseFormatError(f"a COSE message is bytes, not {type(data).__name__}")
    data = bytes(data)
    if not data:
        raise CoseFormatError("the COSE message is empty")
    if len(data) > max_size:
        raise CoseFormatError(f"the COSE message is {len(data)} bytes, more than {max_size}")
    item = loads(data)
    if isinstance(item, cbor2.CBORTag) and item.tag == TAG_CWT:
        item = item.value
    if isinstance(item, cbor2.CBORTag):
        if item.tag != TAG_SIGN1:
            raise CoseFormatError(f"CBOR tag {item.tag} is not COSE_Sign1 (18)")
        item = item.value
    # cbor2 gives a tag's content as immutable containers: a tuple, a frozendict.
    if not isinstance(item, list | tuple) or len(item) != 4:
        raise CoseFormatError("a COSE_Sign1 is an array of four items")
    protected_bytes, unprotected, payload, signature = item
    if not isinstance(protected_bytes, bytes):
        raise CoseFormatError("the protected header is not a byte string")
    if not isinstance(unprotected, _MAPS):
        raise CoseFormatError("the unprotected header is not a map")
    if not isinstance(payload, bytes):
        raise CoseFormatError("the payload is not a byte string (a detached payload is refused)")
    if not isinstance(signature, bytes):
        raise CoseFormatError("the signature is not a byte string")
    protected = loads(protected_bytes) if protected_bytes else {}
    if not isinstance(protected, _MAPS):
        raise CoseFormatError("the protected header is not a map")
    if protected.keys() & unprotected.keys():
        raise CoseFormatError("a header label is both protected and unprotected")
    # The algorithm must be protected, or an attacker could swap it (RFC 9052, section 3.1).
    alg_value = protected.get(HEADER_ALG)
    if alg_value is None:
        raise CoseFormatError("the protected header names no algorithm")
    if type(alg_value) is not int or alg_value not in Algorithm._value2member_map_:
        raise CoseAlgorithmError(f"algorithm {alg_value!r} is not accepted (ES256 or EdDSA)")
    kid = protected.get(HEADER_KID, unprotected.get(HEADER_KID))
    if kid is not None and not isinstance(kid, bytes):
        raise CoseFormatError("the key id is not a byte string")
    return Sign1(
        protected_bytes=protected_bytes,
        protected=protected,
        unprotected=unprotected,
        payload=payload,
        signature=signature,
        alg=Algorithm(alg_value),
        kid=kid,
    )


def verify_signature(message: Sign1, public_key: PublicKey, *, external_aad: bytes = b"") -> None:
    """Raise CoseSignatureError unless public_key signed message; CoseAlgorithmError when the
    message's algorithm is not the key's (no algorithm confusion)."""
    key_alg = algorithm_for(public_key)
    if key_alg != message.alg:
        raise CoseAlgorithmError(
            f"the message says {message.alg.name}, the key is for {key_alg.name}"
        )
    data = sig_structure(message.protected_bytes, message.payload, external_aad)
    signature = message.signature
    try:
        if key_alg is Algorithm.EDDSA:
            public_key.verify(signature, data)  # type: ignore[call-arg]
            return
        if len(signature) != 64:
            raise CoseSignatureError(f"an ES256 signature is 64 bytes, not {len(signature)}")
        der = encode_dss_signature(
            int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big")
        )
        public_key.verify(der, data, _ECDSA_SHA256)  # type: ignore[call-arg]
    except InvalidSignature:
        raise CoseSignatureError("the signature does not verify") from None


def verify(data: bytes, public_key: PublicKey, *, max_size: int = DEFAULT_MAX_SIZE) -> bytes:
    """Parse and verify in one step; the verified payload."""
    message = decode_sign1(data, max_size=max_size)
    verify_signature(message, public_key)
    return message.payload


def _short(exc: BaseException) -> str:
    text = str(exc) or type(exc).__name__
    return text if len(text) <= 120 else text[:117] + "..."
