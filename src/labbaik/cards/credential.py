"""The card token: claims to CBOR and back, the `HJ1:` QR text, and fitting in a QR code.

Pure functions of bytes and claims, no database: the issuer and every verifier share them.
The format is docs/credential.md; the keys below are its tables.
"""

from __future__ import annotations

import zlib
from datetime import UTC, date, datetime, timedelta
from typing import Any

import cbor2

from labbaik.cards.schemas import CardClaims
from labbaik.kit import base45, cose

PREFIX = "HJ1:"
CARD_CLAIM = -65537
# Alphanumeric characters a version-15 QR code holds at error correction Q.
MAX_QR_CHARS = 426
MAX_TOKEN_BYTES = 4096
ZLIB_FIRST_BYTE = 0x78

CWT_ISS, CWT_SUB, CWT_EXP, CWT_NBF, CWT_IAT = 1, 2, 4, 5, 6
(
    K_NUMBER,
    K_SURNAME,
    K_GIVEN,
    K_SURNAME_AR,
    K_GIVEN_AR,
    K_PASSPORT,
    K_NATIONALITY,
    K_SEX,
    K_BORN,
    K_GROUP,
    K_CAMP,
    K_COMPANY,
    K_STATUS,
    K_SHORTENED,
) = range(1, 15)

_EPOCH_DAY = date(1970, 1, 1)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class CredentialError(ValueError):
    """The bytes or text are not a card token of this format."""


def _seconds(moment: datetime) -> int:
    return int((moment.astimezone(UTC) - _EPOCH).total_seconds())


def claims_map(claims: CardClaims) -> dict[int, Any]:
    card: dict[int, Any] = {
        K_NUMBER: claims.card_number,
        K_SURNAME: claims.surname,
        K_GIVEN: claims.given_names,
    }
    if claims.surname_ar:
        card[K_SURNAME_AR] = claims.surname_ar
    if claims.given_names_ar:
        card[K_GIVEN_AR] = claims.given_names_ar
    card[K_PASSPORT] = claims.passport_number
    card[K_NATIONALITY] = claims.nationality
    card[K_SEX] = claims.sex
    card[K_BORN] = (claims.date_of_birth - _EPOCH_DAY).days
    if claims.group_code:
        card[K_GROUP] = claims.group_code
    if claims.camp:
        card[K_CAMP] = claims.camp
    card[K_COMPANY] = claims.company_code
    card[K_STATUS] = claims.status_index
    if claims.names_shortened:
        card[K_SHORTENED] = True
    out: dict[int, Any] = {
        CWT_ISS: claims.issuer,
        CWT_EXP: _seconds(claims.expires_at),
    }
    iat = _seconds(claims.issued_at)
    if claims.not_before is not None and _seconds(claims.not_before) > iat:
        out[CWT_NBF] = _seconds(claims.not_before)
    out[CWT_IAT] = iat
    out[CARD_CLAIM] = card
    return out


def encode_claims(claims: CardClaims) -> bytes:
    return cbor2.dumps(claims_map(claims))


def _text(card: Any, key: int, *, optional: bool = False) -> Any:
    value = card.get(key)
    if value is None and optional:
        return None
    if type(value) is not str:
        raise CredentialError(f"card claim {key} is not text")
    return value


def _uint(claims: Any, key: int) -> int:
    value = claims.get(key)
    if type(value) is not int or not 0 <= value < 2**40:
        raise CredentialError(f"claim {key} is not a time in seconds")
    return value


def decode_claims(payload: bytes) -> CardClaims:
    """The claims of a payload whose signature has been checked; CredentialError if they do not
    follow the format. Checked by hand, as this sits on every verification's hot path."""
    try:
        claims = cose.loads(payload)
    except cose.CoseError as exc:
        raise CredentialError(f"the claims are not CBOR: {exc}") from None
    if not hasattr(claims, "get"):
        raise CredentialError("the claims are not a map")
    card = claims.get(CARD_CLAIM)
    if not hasattr(card, "get"):
        raise CredentialError(f"claim {CARD_CLAIM} (the card) is missing")
    issuer = claims.get(CWT_ISS)
    if type(issuer) is not str:
        raise CredentialError("claim 1 (iss) is not text")
    born = card.get(K_BORN)
    if type(born) is not int or not -60_000 <= born <= 60_000:
        raise CredentialError(f"card claim {K_BORN} (date of birth) is not a day number")
    status = card.get(K_STATUS)
    if type(status) is not int or not 0 <= status < 2**32:
        raise CredentialError(f"card claim {K_STATUS} (status index) is not an index")
    nbf = claims.get(CWT_NBF)
    shortened = card.get(K_SHORTENED, False)
    if type(shortened) is not bool:
        raise CredentialError(f"card claim {K_SHORTENED} is not a boolean")
    # model_construct skips pydantic's validation: every field was checked above.
    return CardClaims.model_construct(
        issuer=issuer,
        card_number=_text(card, K_NUMBER),
        surname=_text(card, K_SURNAME),
        given_names=_text(card, K_GIVEN),
        surname_ar=_text(card, K_SURNAME_AR, optional=True),
        given_names_ar=_text(card, K_GIVEN_AR, optional=True),
        passport_number=_text(card, K_PASSPORT),
        nationality=_text(card, K_NATIONALITY),
        sex=_text(card, K_SEX),
        date_of_birth=_EPOCH_DAY + timedelta(days=born),
        group_code=_text(card, K_GROUP, optional=True),
        camp=_text(card, K_CAMP, optional=True),
        company_code=_text(card, K_COMPANY),
        issued_at=_EPOCH + timedelta(seconds=_uint(claims, CWT_IAT)),
        not_before=None if nbf is None else _EPOCH + timedelta(seconds=_uint(claims, CWT_NBF)),
        expires_at=_EPOCH + timedelta(seconds=_uint(claims, CWT_EXP)),
        status_index=status,
        names_shortened=shortened,
    )


def body_for(message: bytes) -> bytes:
    """What the QR code and the tag carry: the COSE message, or its zlib form if shorter."""
    packed = zlib.compress(message, 9)
    return packed if len(packed) < len(message) else message


def qr_text_for(body: bytes) -> str:
    return PREFIX + base45.encode(body)


def body_from_text(text: str) -> bytes:
    """The body a QR text carries; CredentialError if it is not `HJ1:` and Base45."""
    if not isinstance(text, str):
        raise CredentialError("the QR text is not text")
    text = text.strip()
    if not text.startswith(PREFIX):
        raise CredentialError(f"the text does not start with {PREFIX}")
    if len(text) > 2 * MAX_TOKEN_BYTES:
        raise CredentialError("the text is far longer than any card")
    try:
        return base45.decode(text[len(PREFIX) :])
    except base45.Base45Error as exc:
        raise CredentialError(f"not Base45: {exc}") from None


def message_from_body(body: bytes) -> bytes:
    """The COSE message of a body, inflated if it is zlib, never more than MAX_TOKEN_BYTES."""
    if not body:
        raise CredentialError("the card holds no bytes")
    if body[0] != ZLIB_FIRST_BYTE:
        return body
    inflater = zlib.decompressobj()
    try:
        message = inflater.decompress(body, MAX_TOKEN_BYTES)
    except zlib.error as exc:
        raise CredentialError(f"bad zlib data: {exc}") from None
    if inflater.unconsumed_tail:
        raise CredentialError(f"the inflated card is larger than {MAX_TOKEN_BYTES} bytes")
    if not inflater.eof or inflater.unused_data:
        raise CredentialError("the zlib data is truncated or followed by other bytes")
    return message


def sign_claims(claims: CardClaims, signer: cose.Signer) -> bytes:
    return body_for(cose.sign1(encode_claims(claims), signer))


def _drop_last_word(text: str | None) -> str | None:
    if not text or " " not in text:
        return None
    return text.rsplit(" ", 1)[0]


def fit(claims: CardClaims, signer: cose.Signer) -> tuple[CardClaims, bytes]:
    """Sign, shortening the given names word by word (the longer script first, never the first
    word) while the QR text would pass version 15 at level Q. docs/credential.md, section 3."""
    body = sign_claims(claims, signer)
    while len(PREFIX) + base45_length(len(body)) > MAX_QR_CHARS:
        latin = _drop_last_word(claims.given_names)
        arabic = _drop_last_word(claims.given_names_ar)
        longer_first = sorted(
            [("given_names", latin), ("given_names_ar", arabic)],
            key=lambda item: -len((getattr(claims, item[0]) or "").encode()),
        )
        field, shorter = next(((f, v) for f, v in longer_first if v is not None), (None, None))
        if field is None:
            break
        claims = claims.model_copy(update={field: shorter, "names_shortened": True})
        body = sign_claims(claims, signer)
    return claims, body


def base45_length(size: int) -> int:
    return size // 2 * 3 + (2 if size % 2 else 0)
