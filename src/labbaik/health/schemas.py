"""In and out shapes of the health record, its compliance and the season's vaccination rules."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

SNOMED = "http://snomed.info/sct"
LOINC = "http://loinc.org"
CVX = "http://hl7.org/fhir/sid/cvx"
ATC = "http://www.whocc.no/atc"
ICD10 = "http://hl7.org/fhir/sid/icd-10"
ICD11 = "http://id.who.int/icd/release/11/mms"
# IPS's own codes for "no known allergies", "no information about problems" and the like.
ABSENT_UNKNOWN = "http://hl7.org/fhir/uv/ips/CodeSystem/absent-unknown-uv-ips"

BloodType = Literal["A+", "A-", "B+", "B-", "AB+", "AB-", "O+", "O-"]
Criticality = Literal["low", "high", "unable-to-assess"]
ComplianceState = Literal["compliant", "not_compliant", "no_record", "no_rules"]
# What a medic or a bus driver must know before the pilgrim moves with the crowd.
FitnessFlag = Literal[
    "wheelchair",
    "reduced_mobility",
    "oxygen",
    "dialysis",
    "pregnancy",
    "cognitive_impairment",
    "heat_risk",
    "not_fit_to_travel",
]
FITNESS_FLAGS: tuple[str, ...] = FitnessFlag.__args__  # type: ignore[attr-defined]
ImmunizationSource = Literal["entered", "ips", "dcc"]


class Coding(BaseModel):
    system: str = Field(min_length=1, max_length=200)
    code: str = Field(min_length=1, max_length=64)
    display: str | None = Field(default=None, max_length=300)

    @property
    def key(self) -> str:
        return f"{self.system}|{self.code}"


class Allergy(BaseModel):
    text: str = Field(min_length=1, max_length=300)
    code: Coding | None = None
    criticality: Criticality | None = None
    reaction: str | None = Field(default=None, max_length=300)


class Condition(BaseModel):
    text: str = Field(min_length=1, max_length=300)
    code: Coding | None = None
    onset: date | None = None


class Medication(BaseModel):
    text: str = Field(min_length=1, max_length=300)
    code: Coding | None = None
    dosage: str | None = Field(default=None, max_length=300)


class Immunization(BaseModel):
    text: str = Field(min_length=1, max_length=300)
    vaccine: Coding | None = None
    # The day the dose was given.
    date: date
    target_diseases: list[Coding] = Field(default_factory=list, max_length=10)
    dose_number: int | None = Field(default=None, ge=1, le=20)
    lot: str | None = Field(default=None, max_length=64)
    country: str | None = Field(default=None, max_length=3)
    source: ImmunizationSource = "entered"
    # The certificate's identifier when a signed certificate proved the dose.
    certificate_id: str | None = Field(default=None, max_length=200)


class HealthData(BaseModel):
    """The clinical record, as it is encrypted: nothing of it is stored in clear."""

    blood_type: BloodType | None = None
    allergies: list[Allergy] = Field(default_factory=list, max_length=100)
    conditions: list[Condition] = Field(default_factory=list, max_length=100)
    medications: list[Medication] = Field(default_factory=list, max_length=100)
    immunizations: list[Immunization] = Field(default_factory=list, max_length=100)
    fitness_flags: list[FitnessFlag] = Field(default_factory=list)
    notes: str = Field(default="", max_length=4000)
    # Where the pilgrim travels from and through, for the rules that depend on it.
    origin_country: str | None = Field(default=None, min_length=3, max_length=3)
    transit_countries: list[str] = Field(default_factory=list, max_length=10)
    # The pilgrim's own arrival, when known; otherwise the season's rules give one.
    arrival_date: date | None = None

    @field_validator("fitness_flags")
    @classmethod
    def _unique_flags(cls, value: list[FitnessFlag]) -> list[FitnessFlag]:
        return list(dict.fromkeys(value))

    @field_validator("transit_countries")
    @classmethod
    def _upper(cls, value: list[str]) -> list[str]:
        return [v.strip().upper() for v in value if v.strip()]


ReasonKind = Literal["missing", "too_late", "expires", "no_record", "no_rules"]


class ComplianceReason(BaseModel):
    """Why a pilgrim is not compliant with one rule; the pages word it in the reader's language."""

    kind: ReasonKind
    rule: str = ""
    rule_name: str = ""
    rule_name_ar: str | None = None
    dose_date: date | None = None
    # For "too_late": the latest day a dose could be given; for "expires": the dose's last day.
    limit: date | None = None

    @property
    def message(self) -> str:
        if self.kind == "no_record":
            return "no health record"
        if self.kind == "no_rules":
            return "the season has no vaccination rules yet"
        if self.kind == "missing":
            return f"{self.rule_name}: no dose recorded"
        if self.kind == "too_late":
            return f"{self.rule_name}: given {self.dose_date}, later than {self.limit}"
        return f"{self.rule_name}: the dose of {self.dose_date} is valid only until {self.limit}"


class ComplianceRead(BaseModel):
    """Whether a pilgrim meets the season's vaccination rules, and why not; no clinical detail."""

    pilgrim_id: uuid.UUID
    status: ComplianceState
    reasons: list[ComplianceReason] = Field(default_factory=list)
    assessed_at: datetime | None = None


class HealthRecordRead(BaseModel):
    pilgrim_id: uuid.UUID
    data: HealthData
    compliance: ComplianceRead
    updated_at: datetime
    updated_by: str


class AllergySummary(BaseModel):
    text: str
    code: Coding | None
    criticality: Criticality | None


class HealthSummary(BaseModel):
    """What a medic sees after a card scan and what the phone card discloses to a medic."""

    pilgrim_id: uuid.UUID
    blood_type: BloodType | None
    allergies: list[AllergySummary]
    conditions: list[Condition]
    medications: list[Medication]
    fitness_flags: list[FitnessFlag]
    compliance: ComplianceRead
    updated_at: datetime | None


class ComplianceRow(BaseModel):
    """One line of a company's compliance list."""

    pilgrim_id: uuid.UUID
    surname: str
    given_names: str
    nationality: str
    passport_number: str | None
    group_id: uuid.UUID | None
    status: ComplianceState
    reasons: list[ComplianceReason]


class CompliancePage(BaseModel):
    items: list[ComplianceRow]
    total: int
    page: int
    size: int
    counts: dict[str, int]


# Rules -----------------------------------------------------------------------------------------


def _for_life() -> dict[str, int | None]:
    return {"unspecified": None}


class VaccinationRuleIn(BaseModel):
    """One rule of a season, as an operator writes it in a rules file or on the rules page."""

    model_config = ConfigDict(extra="forbid")

    code: str = Field(min_length=1, max_length=32, pattern=r"^[a-z0-9][a-z0-9_-]*$")
    name: str = Field(min_length=1, max_length=200)
    name_ar: str | None = Field(default=None, max_length=200)
    # The disease a dose must protect against (SNOMED CT), and vaccine codes "system|code"
    # mapped to their type, from which the validity is taken.
    target_disease: Coding
    vaccines: dict[str, str] = Field(default_factory=dict)
    # Months a dose stays valid, by vaccine type; "unspecified" when a dose names no known
    # vaccine; null means for life.
    validity_months: dict[str, int | None] = Field(default_factory=_for_life)
    min_days_before_arrival: int = Field(default=0, ge=0, le=365)
    # Null: everyone. Otherwise pilgrims from or through these ISO 3166 alpha-3 countries.
    countries: list[str] | None = None

    @field_validator("countries")
    @classmethod
    def _countries(cls, value: list[str] | None) -> list[str] | None:
        if value is None:
            return None
        out = [v.strip().upper() for v in value]
        bad = [v for v in out if len(v) != 3 or not v.isalpha()]
        if bad:
            raise ValueError(f"not ISO 3166 alpha-3 codes: {', '.join(bad)}")
        return sorted(set(out))

    @field_validator("validity_months")
    @classmethod
    def _validity(cls, value: dict[str, int | None]) -> dict[str, int | None]:
        if "unspecified" not in value:
            raise ValueError("give the validity of a dose of unspecified type ('unspecified')")
        for kind, months in value.items():
            if months is not None and not 1 <= months <= 1200:
                raise ValueError(f"{kind}: a validity is 1 to 1200 months, or null for life")
        return value


class RuleSetIn(BaseModel):
    """A season's rules file: the dates compliance is judged at, and the rules."""

    model_config = ConfigDict(extra="forbid")

    hijri_year: int = Field(ge=1440, le=1500)
    # A pilgrim's arrival when their record names none, and the last day a dose must cover.
    arrival_date: date
    valid_through: date
    rules: list[VaccinationRuleIn] = Field(min_length=1, max_length=100)


class VaccinationRuleRead(VaccinationRuleIn):
    model_config = ConfigDict(from_attributes=True, extra="ignore")

    id: uuid.UUID


class RuleSetRead(BaseModel):
    season_id: uuid.UUID
    hijri_year: int
    arrival_date: date
    valid_through: date
    rules: list[VaccinationRuleRead]
    updated_at: datetime


class CertificateRead(BaseModel):
    """What a signed health certificate proved, and what of it joined the record."""

    verdict: str
    message: str
    issuer_country: str | None
    issued_at: datetime | None
    expires_at: datetime | None
    doses_added: int
    compliance: ComplianceRead
