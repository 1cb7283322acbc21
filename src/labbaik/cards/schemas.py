"""In and out shapes of cards, verdicts, scans, keys and the role-shaped holder view."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from labbaik.health.schemas import HealthSummary

CardStatus = Literal["valid", "suspended", "revoked", "retired"]
VerdictCode = Literal[
    "valid",
    "expired",
    "not_yet_valid",
    "suspended",
    "revoked",
    "unknown_signer",
    "tampered",
    "unreadable",
]
CardFormat = Literal["qr", "nfc", "png", "pdf"]
Algorithm = Literal["ES256", "EdDSA"]


class CardClaims(BaseModel):
    """What the signed token says (docs/credential.md, section 2): no more, no less."""

    model_config = ConfigDict(frozen=True)

    issuer: str
    card_number: str
    surname: str
    given_names: str
    surname_ar: str | None = None
    given_names_ar: str | None = None
    passport_number: str
    nationality: str
    sex: str
    date_of_birth: date
    group_code: str | None = None
    camp: str | None = None
    company_code: str
    issued_at: datetime
    not_before: datetime | None = None
    expires_at: datetime
    status_index: int = Field(ge=0)
    names_shortened: bool = False


class CardRead(BaseModel):
    """A card as the issuer keeps it. `qr_text` is what the QR code holds."""

    id: uuid.UUID
    card_number: str
    pilgrim_id: uuid.UUID
    company_id: uuid.UUID
    season_id: uuid.UUID
    status: CardStatus
    status_reason: str | None
    issued_at: datetime
    expires_at: datetime
    qr_text: str
    kid: str  # standard base64, as in the trust list
    alg: Algorithm
    claims: CardClaims
    # Not in the token (it would not fit the QR code): for the printed card and the pages.
    company_name: str
    replaces: str | None = None  # the card number this card replaced, if any


class CardPage(BaseModel):
    items: list[CardRead]
    total: int


class IssueResult(BaseModel):
    """A batch: how many cards were made, and the pilgrims that already had a current one."""

    issued: int
    unchanged: int
    card_numbers: list[str]


class Verdict(BaseModel):
    """The one answer of a verifier (docs/credential.md, section 7)."""

    verdict: VerdictCode
    reason: str
    claims: CardClaims | None = None
    kid: str | None = None
    card_number: str | None = None
    # False when no status list was given, or the card is newer than the list.
    status_checked: bool = False

    @property
    def ok(self) -> bool:
        return self.verdict == "valid"


class TrustKey(BaseModel):
    """One signer of the trust list's JSON form (docs/credential.md, section 6)."""

    kid: str
    kind: Literal["root", "signer"] = "signer"
    alg: Algorithm
    spki: str
    not_before: datetime
    not_after: datetime
    season: int
    certificate: str
    is_current: bool = False
    retired_at: datetime | None = None


class StatusChange(BaseModel):
    reason: str = Field(min_length=3, max_length=500)


class VerifyRequest(BaseModel):
    qr_text: str = Field(max_length=8000)
    at: datetime | None = None


class LookupRequest(BaseModel):
    """A scan: the QR text read by the camera, or a card number typed by hand."""

    qr_text: str | None = Field(default=None, max_length=8000)
    card_number: str | None = Field(default=None, max_length=32)
    reason: str = Field(min_length=3, max_length=500)
    # A client nonce: a retried scan is recorded once and answered the same.
    nonce: str | None = Field(default=None, max_length=64)


class PlaceView(BaseModel):
    code: str
    name: str
    name_ar: str | None
    address: str | None


class PassportView(BaseModel):
    passport_number: str
    passport_expiry: date | None
    date_of_birth: date | None
    nationality: str


class PaymentCard(BaseModel):
    """A card read at a till: the verdict, and only what a payment needs to name its payer."""

    verdict: VerdictCode
    reason: str
    card_number: str | None = None
    pilgrim_id: uuid.UUID | None = None
    masked_name: str | None = None

    @property
    def ok(self) -> bool:
        return self.verdict == "valid"


class CardHolderView(BaseModel):
    """What a scan shows, shaped by the actor's scopes.

    A refused scan carries the verdict and nothing about the holder. A field worker (and a
    medic, for now) sees identity, photo, group, camp, lodging, leader's phone and language;
    an officer also `passport`.
    """

    verdict: Verdict
    scan_id: uuid.UUID
    pilgrim_id: uuid.UUID | None = None
    card_number: str | None = None
    card_status: CardStatus | None = None
    surname: str | None = None
    given_names: str | None = None
    surname_ar: str | None = None
    given_names_ar: str | None = None
    sex: str | None = None
    nationality: str | None = None
    language: str | None = None
    photo_url: str | None = None
    company_code: str | None = None
    company_name: str | None = None
    company_phone: str | None = None
    group_code: str | None = None
    group_name: str | None = None
    leader_name: str | None = None
    leader_phone: str | None = None
    mina_camp: PlaceView | None = None
    arafat_camp: PlaceView | None = None
    makkah_lodging: PlaceView | None = None
    madinah_lodging: PlaceView | None = None
    # Officers only (scope passport:read).
    passport: PassportView | None = None
    # Medics only (scope health:read): the health domain's summary, allergies first.
    health: HealthSummary | None = None


class ScanRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    at: datetime
    actor_username: str
    actor_role: str
    card_number: str | None
    verdict: str
    reason: str
    lookup_reason: str
