"""In and out shapes of the registry."""

from __future__ import annotations

import re
import uuid
from datetime import date, timedelta
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator

from labbaik.registry.countries import is_country

_PHONE = re.compile(r"^\+[1-9][0-9]{6,14}$")
_PASSPORT = re.compile(r"^[A-Z0-9]{1,20}$")
LANGUAGES = (
    "ar", "en", "ur", "id", "ms", "bn", "hi", "fa", "tr", "fr", "ha", "so", "uz", "ru", "am", "bs",
    "kk", "ps", "zh",
)  # fmt: skip


def _country(value: str) -> str:
    value = value.strip().upper()
    if not is_country(value):
        raise ValueError(f"{value!r} is not an ISO 3166 alpha-3 country code")
    return value


def _phone(value: str | None) -> str | None:
    if value is None:
        return None
    cleaned = re.sub(r"[\s\-().]", "", value)
    if cleaned.startswith("00"):
        cleaned = "+" + cleaned[2:]
    if not cleaned:
        return None
    if not _PHONE.match(cleaned):
        raise ValueError("a phone number is written in international form, such as +966501234567")
    return cleaned


def _language(value: str) -> str:
    value = value.strip().lower()
    if value not in LANGUAGES:
        raise ValueError(f"language must be one of {', '.join(LANGUAGES)}")
    return value


Country = Annotated[str, AfterValidator(_country)]
Language = Annotated[str, AfterValidator(_language)]
Phone = Annotated[str | None, AfterValidator(_phone)]
Sex = Literal["M", "F", "X"]


class SeasonCreate(BaseModel):
    hijri_year: int = Field(ge=1440, le=1500)
    name: str = Field(min_length=1, max_length=100)
    day_8: date | None = None


class SeasonUpdate(BaseModel):
    name: str | None = Field(default=None, min_length=1, max_length=100)
    day_8: date | None = None


class SeasonRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    hijri_year: int
    name: str
    day_8: date | None
    is_current: bool

    def hajj_days(self) -> dict[int, date]:
        """The Gregorian dates of 8 to 13 Dhu al-Hijjah, once the operator has entered day 8."""
        if self.day_8 is None:
            return {}
        return {d: self.day_8 + timedelta(days=d - 8) for d in range(8, 14)}


class CompanyCreate(BaseModel):
    code: str = Field(min_length=2, max_length=32, pattern=r"^[A-Z0-9-]+$")
    kind: Literal["domestic", "mission"]
    name: str = Field(min_length=2, max_length=200)
    name_ar: str | None = Field(default=None, max_length=200)
    licence_number: str = Field(min_length=1, max_length=64)
    country: Country
    contact_name: str | None = Field(default=None, max_length=200)
    contact_phone: Phone = None
    contact_email: str | None = Field(default=None, max_length=200)
    address: str | None = Field(default=None, max_length=500)


class CompanyRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    code: str
    kind: str
    name: str
    name_ar: str | None
    licence_number: str
    country: str
    contact_name: str | None
    contact_phone: str | None
    contact_email: str | None
    address: str | None


class GroupCreate(BaseModel):
    code: str = Field(min_length=1, max_length=32, pattern=r"^[A-Z0-9-]+$")
    name: str = Field(min_length=1, max_length=200)
    company_id: uuid.UUID
    leader_name: str | None = Field(default=None, max_length=200)
    leader_phone: Phone = None


class GroupRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    season_id: uuid.UUID
    company_id: uuid.UUID
    code: str
    name: str
    leader_name: str | None
    leader_phone: str | None
    pilgrim_count: int = 0


class LodgingCreate(BaseModel):
    code: str = Field(min_length=1, max_length=32, pattern=r"^[A-Z0-9-]+$")
    kind: Literal["hotel", "camp"]
    site: Literal["makkah", "madinah", "mina", "arafat"]
    name: str = Field(min_length=1, max_length=200)
    name_ar: str | None = Field(default=None, max_length=200)
    capacity: int = Field(gt=0, le=100_000)
    address: str | None = Field(default=None, max_length=500)
    company_id: uuid.UUID | None = None


class LodgingRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    code: str
    kind: str
    site: str
    name: str
    name_ar: str | None
    capacity: int
    address: str | None
    company_id: uuid.UUID | None
    occupants: int = 0


class PilgrimFields(BaseModel):
    """What a person enters or an import row carries (everything but the tenant)."""

    surname: str = Field(min_length=1, max_length=100)
    given_names: str = Field(default="", max_length=200)
    surname_ar: str | None = Field(default=None, max_length=100)
    given_names_ar: str | None = Field(default=None, max_length=200)
    sex: Sex
    date_of_birth: date
    nationality: Country
    passport_number: str = Field(min_length=1, max_length=20)
    passport_expiry: date
    phone: Phone = None
    language: Language = "en"
    emergency_contact_name: str | None = Field(default=None, max_length=200)
    emergency_contact_phone: Phone = None

    @field_validator("surname", "given_names", "surname_ar", "given_names_ar")
    @classmethod
    def _strip(cls, value: str | None) -> str | None:
        return " ".join(value.split()) if value else value

    @field_validator("passport_number")
    @classmethod
    def _passport(cls, value: str) -> str:
        value = value.strip().upper().replace(" ", "")
        if not _PASSPORT.match(value):
            raise ValueError("a passport number holds only the letters A-Z and digits")
        return value

    @field_validator("date_of_birth")
    @classmethod
    def _born(cls, value: date) -> date:
        if not date(1900, 1, 1) <= value <= date.today():
            raise ValueError("the date of birth is not a plausible one")
        return value


class PilgrimCreate(PilgrimFields):
    company_id: uuid.UUID
    group_id: uuid.UUID | None = None
    makkah_lodging_id: uuid.UUID | None = None
    madinah_lodging_id: uuid.UUID | None = None
    mina_camp_id: uuid.UUID | None = None
    arafat_camp_id: uuid.UUID | None = None


class PilgrimFromMRZ(BaseModel):
    """A pilgrim whose identity is read from the passport's machine-readable zone."""

    mrz: str = Field(min_length=60, max_length=200)
    company_id: uuid.UUID
    group_id: uuid.UUID | None = None
    surname_ar: str | None = None
    given_names_ar: str | None = None
    phone: Phone = None
    language: Language = "en"
    emergency_contact_name: str | None = None
    emergency_contact_phone: Phone = None


class PilgrimUpdate(BaseModel):
    surname: str | None = Field(default=None, min_length=1, max_length=100)
    given_names: str | None = Field(default=None, max_length=200)
    surname_ar: str | None = Field(default=None, max_length=100)
    given_names_ar: str | None = Field(default=None, max_length=200)
    phone: Phone = None
    language: Language | None = None
    emergency_contact_name: str | None = Field(default=None, max_length=200)
    emergency_contact_phone: Phone = None
    group_id: uuid.UUID | None = None
    makkah_lodging_id: uuid.UUID | None = None
    madinah_lodging_id: uuid.UUID | None = None
    mina_camp_id: uuid.UUID | None = None
    arafat_camp_id: uuid.UUID | None = None


class PilgrimSummary(BaseModel):
    """One row of a list: no date of birth, no contact details."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    surname: str
    given_names: str
    surname_ar: str | None
    given_names_ar: str | None
    nationality: str
    passport_number: str | None
    company_id: uuid.UUID
    group_id: uuid.UUID | None


class PilgrimRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    season_id: uuid.UUID
    company_id: uuid.UUID
    group_id: uuid.UUID | None
    surname: str
    given_names: str
    surname_ar: str | None
    given_names_ar: str | None
    sex: str
    date_of_birth: date | None
    nationality: str
    passport_number: str | None
    passport_expiry: date | None
    phone: str | None
    language: str
    emergency_contact_name: str | None
    emergency_contact_phone: str | None
    makkah_lodging_id: uuid.UUID | None
    madinah_lodging_id: uuid.UUID | None
    mina_camp_id: uuid.UUID | None
    arafat_camp_id: uuid.UUID | None
    has_photo: bool = False


class PilgrimPage(BaseModel):
    items: list[PilgrimSummary]
    total: int
    page: int
    size: int
