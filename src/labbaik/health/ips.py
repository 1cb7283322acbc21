"""HL7 FHIR R4 International Patient Summary: reading one into a record, writing one from it.

fhir.resources (its R4B models, which read R4 data) checks the structure and the datatypes.
What the IPS guide adds and the library does not check is checked here: the Composition
comes first with its LOINC type, the required sections are there, every reference resolves
inside the bundle, and codes come from the systems IPS binds each element to.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from pydantic import ValidationError

from labbaik.errors import FieldProblem
from labbaik.health.errors import BundleRejected
from labbaik.health.schemas import (
    ABSENT_UNKNOWN,
    ATC,
    CVX,
    ICD10,
    ICD11,
    LOINC,
    SNOMED,
    Allergy,
    BloodType,
    Coding,
    Condition,
    HealthData,
    Immunization,
    Medication,
)

PATIENT_SUMMARY = "60591-5"
MEDICATIONS, ALLERGIES, PROBLEMS, IMMUNIZATIONS = "10160-0", "48765-2", "11450-4", "11369-6"
RESULTS = "30954-2"
REQUIRED_SECTIONS = {
    MEDICATIONS: "Medication Summary",
    ALLERGIES: "Allergies and Intolerances",
    PROBLEMS: "Problem List",
}
# What each section's entries may be.
SECTION_TYPES = {
    MEDICATIONS: {"MedicationStatement", "MedicationRequest"},
    ALLERGIES: {"AllergyIntolerance"},
    PROBLEMS: {"Condition"},
    IMMUNIZATIONS: {"Immunization"},
}
ABO_RH = "882-1"  # LOINC: ABO and Rh group [Type] in Blood
BLOOD_GROUPS: dict[str, BloodType] = {
    "278149003": "A+",
    "278152006": "A-",
    "278150003": "B+",
    "278153001": "B-",
    "278151004": "AB+",
    "278154007": "AB-",
    "278147001": "O+",
    "278148006": "O-",
}
BLOOD_GROUP_NAMES = {
    "A+": "Blood group A Rh(D) positive",
    "A-": "Blood group A Rh(D) negative",
    "B+": "Blood group B Rh(D) positive",
    "B-": "Blood group B Rh(D) negative",
    "AB+": "Blood group AB Rh(D) positive",
    "AB-": "Blood group AB Rh(D) negative",
    "O+": "Blood group O Rh(D) positive",
    "O-": "Blood group O Rh(D) negative",
}
# The code systems IPS binds each coded element to (its value sets draw on these).
SYSTEMS = {
    "AllergyIntolerance.code": {SNOMED, ATC, ABSENT_UNKNOWN},
    "Condition.code": {SNOMED, ICD10, ICD11, ABSENT_UNKNOWN},
    "Medication.code": {SNOMED, ATC, ABSENT_UNKNOWN},
    "Immunization.vaccineCode": {SNOMED, ATC, CVX, ABSENT_UNKNOWN},
    "Immunization.targetDisease": {SNOMED},
}
CLINICAL_STATUS = {
    "AllergyIntolerance": "http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical",
    "Condition": "http://terminology.hl7.org/CodeSystem/condition-clinical",
}
_SYSTEM_NAMES = {
    SNOMED: "SNOMED CT",
    LOINC: "LOINC",
    CVX: "CVX",
    ATC: "WHO ATC",
    ICD10: "ICD-10",
    ICD11: "ICD-11",
    ABSENT_UNKNOWN: "IPS absent/unknown",
}
MAX_BUNDLE_BYTES = 5_000_000


def _names(systems: set[str]) -> str:
    return ", ".join(sorted(_SYSTEM_NAMES.get(s, s) for s in systems))


@dataclass
class _Entry:
    index: int
    full_url: str
    resource: dict[str, Any]

    @property
    def kind(self) -> str:
        return str(self.resource.get("resourceType", ""))

    @property
    def path(self) -> str:
        return f"entry[{self.index}].resource"


class _Checker:
    def __init__(self, bundle: dict[str, Any]) -> None:
        self.bundle = bundle
        self.problems: list[FieldProblem] = []
        self.entries = [
            _Entry(i, str(e.get("fullUrl", "")), e.get("resource") or {})
            for i, e in enumerate(bundle.get("entry") or [])
        ]
        self.by_ref: dict[str, _Entry] = {}
        for entry in self.entries:
            if entry.full_url:
                self.by_ref[entry.full_url] = entry
            rid = entry.resource.get("id")
            if rid:
                self.by_ref[f"{entry.kind}/{rid}"] = entry

    def problem(self, path: str, message: str) -> None:
        self.problems.append(FieldProblem(path, message))

    def resolve(self, reference: str) -> _Entry | None:
        if reference in self.by_ref:
            return self.by_ref[reference]
        # "Patient/1" may name an entry whose fullUrl is "http://server/fhir/Patient/1".
        for url, entry in self.by_ref.items():
            if url.endswith("/" + reference):
                return entry
        return None

    def check(self) -> None:
        if self.bundle.get("type") != "document":
            self.problem("type", f"an IPS is a document bundle, not {self.bundle.get('type')!r}")
        if not (self.bundle.get("identifier") or {}).get("value"):
            self.problem("identifier", "a document bundle carries an identifier (bdl-9)")
        if not self.bundle.get("timestamp"):
            self.problem("timestamp", "a document bundle carries a timestamp (bdl-10)")
        if not self.entries:
            self.problem("entry", "the bundle has no entries")
            return
        for entry in self.entries:
            if not entry.full_url:
                self.problem(f"entry[{entry.index}].fullUrl", "every entry needs a fullUrl")
        self._references(self.bundle, "")
        composition = self.entries[0]
        if composition.kind != "Composition":
            self.problem(
                "entry[0].resource",
                f"the first entry must be the Composition, not a {composition.kind or 'nothing'}",
            )
            return
        self._composition(composition)
        for entry in self.entries[1:]:
            self._codes(entry)

    def _references(self, node: Any, path: str) -> None:
        if isinstance(node, dict):
            ref = node.get("reference")
            if isinstance(ref, str) and not ref.startswith("#") and self.resolve(ref) is None:
                self.problem(f"{path}.reference", f"{ref!r} is not an entry of this bundle")
            for key, value in node.items():
                self._references(value, f"{path}.{key}" if path else key)
        elif isinstance(node, list):
            for index, value in enumerate(node):
                self._references(value, f"{path}[{index}]")

    def _composition(self, entry: _Entry) -> None:
        res, path = entry.resource, entry.path
        if not _has_coding(res.get("type"), LOINC, PATIENT_SUMMARY):
            self.problem(f"{path}.type", "the Composition's type must be LOINC 60591-5")
        subject = self.resolve(str((res.get("subject") or {}).get("reference", "")))
        if subject is None or subject.kind != "Patient":
            self.problem(f"{path}.subject", "the Composition's subject must be the Patient entry")
        found: set[str] = set()
        for index, section in enumerate(res.get("section") or []):
            spath = f"{path}.section[{index}]"
            codes = [
                c.get("code")
                for c in (section.get("code") or {}).get("coding") or []
                if c.get("system") == LOINC
            ]
            if not codes:
                self.problem(f"{spath}.code", "a section is coded in LOINC")
                continue
            code = str(codes[0])
            found.add(code)
            refs = section.get("entry") or []
            if code in REQUIRED_SECTIONS and not refs and not section.get("emptyReason"):
                self.problem(
                    f"{spath}.entry",
                    f"the {REQUIRED_SECTIONS[code]} section needs entries or an emptyReason",
                )
            allowed = SECTION_TYPES.get(code)
            for rindex, ref in enumerate(refs):
                target = self.resolve(str(ref.get("reference", "")))
                if allowed and target is not None and target.kind not in allowed:
                    self.problem(
                        f"{spath}.entry[{rindex}]",
                        f"a {target.kind} does not belong in this section "
                        f"(expected {' or '.join(sorted(allowed))})",
                    )
        for code, name in REQUIRED_SECTIONS.items():
            if code not in found:
                self.problem(f"{path}.section", f"the required {name} section ({code}) is missing")

    def _codes(self, entry: _Entry) -> None:
        res, path, kind = entry.resource, entry.path, entry.kind
        if kind == "AllergyIntolerance":
            self._concept(res.get("code"), f"{path}.code", "AllergyIntolerance.code")
        elif kind == "Condition":
            self._concept(res.get("code"), f"{path}.code", "Condition.code")
        elif kind == "MedicationStatement":
            concept = res.get("medicationCodeableConcept")
            if concept is not None:
                self._concept(concept, f"{path}.medicationCodeableConcept", "Medication.code")
            elif not res.get("medicationReference"):
                self.problem(path, "a MedicationStatement names its medication")
        elif kind == "Medication":
            self._concept(res.get("code"), f"{path}.code", "Medication.code")
        elif kind == "Immunization":
            self._immunization(res, path)
        if kind in CLINICAL_STATUS and res.get("clinicalStatus"):
            for cindex, coding in enumerate(res["clinicalStatus"].get("coding") or []):
                if coding.get("system") != CLINICAL_STATUS[kind]:
                    self.problem(
                        f"{path}.clinicalStatus.coding[{cindex}].system",
                        f"the clinical status is coded in {CLINICAL_STATUS[kind]}",
                    )

    def _immunization(self, res: dict[str, Any], path: str) -> None:
        if not res.get("occurrenceDateTime"):
            self.problem(f"{path}.occurrenceDateTime", "the day the dose was given is needed")
        targeted = False
        for pindex, applied in enumerate(res.get("protocolApplied") or []):
            for tindex, target in enumerate(applied.get("targetDisease") or []):
                tpath = f"{path}.protocolApplied[{pindex}].targetDisease[{tindex}]"
                targeted |= self._concept(
                    target, tpath, "Immunization.targetDisease", text_ok=False
                )
        # A dose is judged by its vaccine or the disease it protects against: one of the two
        # must be coded.
        self._concept(
            res.get("vaccineCode"),
            f"{path}.vaccineCode",
            "Immunization.vaccineCode",
            text_ok=targeted,
        )

    def _concept(self, concept: Any, path: str, element: str, *, text_ok: bool = True) -> bool:
        """Whether the concept is coded in a system IPS binds the element to.

        IPS binds allergies, problems and medicines with "preferred" strength, so a clinician's
        words alone are kept (text_ok); a coding, where there is one, must be of the right system.
        """
        if not concept:
            self.problem(path, "a code is required here")
            return False
        allowed = SYSTEMS[element]
        codings = concept.get("coding") or []
        if not codings:
            if not (text_ok and concept.get("text")):
                self.problem(f"{path}.coding", f"code it in {_names(allowed)}, not only as text")
            return False
        if not any(c.get("system") in allowed for c in codings):
            systems = ", ".join(str(c.get("system")) for c in codings)
            self.problem(
                f"{path}.coding",
                f"{element} is coded in {_names(allowed)}; this one uses {systems}",
            )
            return False
        return True


def _has_coding(concept: Any, system: str, code: str) -> bool:
    return any(
        c.get("system") == system and c.get("code") == code
        for c in (concept or {}).get("coding") or []
    )


def _library_problems(exc: ValidationError) -> list[FieldProblem]:
    out = []
    for err in exc.errors()[:100]:
        parts: list[str] = []
        for p in err["loc"]:
            if isinstance(p, int):
                parts[-1:] = [f"{parts[-1]}[{p}]"] if parts else [f"[{p}]"]
            elif not str(p).startswith("function-"):
                parts.append(str(p))
        message = str(err["msg"]).removeprefix("Value error, ")
        out.append(FieldProblem(".".join(parts) or "bundle", message))
    return out


def load(raw: bytes | str) -> dict[str, Any]:
    """The bundle's JSON, or a refusal that says why it is not one."""
    if len(raw) > MAX_BUNDLE_BYTES:
        raise BundleRejected(f"the bundle is over {MAX_BUNDLE_BYTES // 1_000_000} MB")
    try:
        data = json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise BundleRejected(
            "the file is not JSON", problems=[FieldProblem("file", str(exc))]
        ) from None
    if not isinstance(data, dict) or data.get("resourceType") != "Bundle":
        raise BundleRejected(
            "this is not a FHIR Bundle",
            problems=[FieldProblem("resourceType", "an IPS is a Bundle resource")],
        )
    return data


def check(bundle: dict[str, Any]) -> None:
    """Every problem of the bundle at once: the library's, then the IPS guide's."""
    # Imported here, not with the module: fhir.resources takes 0.1 s, and every command of the
    # CLI imports the health service.
    from fhir.resources.R4B.bundle import Bundle  # noqa: PLC0415

    try:
        Bundle.model_validate(bundle)
    except ValidationError as exc:
        raise BundleRejected(
            "the bundle is not valid FHIR R4; nothing was imported",
            problems=_library_problems(exc),
        ) from None
    checker = _Checker(bundle)
    checker.check()
    if checker.problems:
        raise BundleRejected(
            "the bundle is not a valid International Patient Summary; nothing was imported",
            problems=checker.problems,
        )


PILGRIM_ID_SYSTEM = "urn:labbaik:pilgrim"


def check_subject(bundle: dict[str, Any], *, pilgrim_id: uuid.UUID) -> None:
    """A summary that names another pilgrim (by our identifier) is not read into this one."""
    checker = _Checker(bundle)
    subject = bundle["entry"][0]["resource"].get("subject") or {}
    patient = checker.resolve(str(subject.get("reference", "")))
    if patient is None:
        return
    for identifier in patient.resource.get("identifier") or []:
        if identifier.get("system") != PILGRIM_ID_SYSTEM:
            continue
        if identifier.get("value") != str(pilgrim_id):
            raise BundleRejected(
                "this summary is of another pilgrim; nothing was imported",
                problems=[FieldProblem(f"{patient.path}.identifier", "names another pilgrim")],
            )


# Reading into a record --------------------------------------------------------------------------


def _coding(concept: dict[str, Any] | None, element: str) -> Coding | None:
    for c in (concept or {}).get("coding") or []:
        if c.get("system") in SYSTEMS[element]:
            return Coding(system=c["system"], code=str(c["code"]), display=c.get("display"))
    return None


def _text(concept: dict[str, Any] | None) -> str:
    concept = concept or {}
    if concept.get("text"):
        return str(concept["text"])[:300]
    for c in concept.get("coding") or []:
        if c.get("display") or c.get("code"):
            return str(c.get("display") or c.get("code"))[:300]
    return "(not named)"


def _absent(coding: Coding | None) -> bool:
    """IPS's 'no known allergies', 'no information' and the like are not entries of a list."""
    return coding is not None and coding.system == ABSENT_UNKNOWN


def _day(value: Any) -> date | None:
    if not value:
        return None
    text = str(value)
    if len(text) == 4:
        return date(int(text), 1, 1)
    if len(text) == 7:
        return date(int(text[:4]), int(text[5:7]), 1)
    return datetime.fromisoformat(text[:10]).date()


def _section_entries(bundle: dict[str, Any], checker: _Checker) -> Iterator[_Entry]:
    for section in bundle["entry"][0]["resource"].get("section") or []:
        for ref in section.get("entry") or []:
            target = checker.resolve(str(ref.get("reference", "")))
            if target is not None:
                yield target


def to_record(bundle: dict[str, Any]) -> HealthData:
    """The record a checked bundle describes (call check() first)."""
    checker = _Checker(bundle)
    data = HealthData()
    # A resource listed in two sections is read once.
    listed = list({e.index: e for e in _section_entries(bundle, checker)}.values())
    for entry in listed:
        res = entry.resource
        if entry.kind == "AllergyIntolerance":
            code = _coding(res.get("code"), "AllergyIntolerance.code")
            if _absent(code):
                continue
            reaction = (res.get("reaction") or [{}])[0].get("manifestation") or []
            data.allergies.append(
                Allergy(
                    text=_text(res.get("code")),
                    code=code,
                    criticality=res.get("criticality"),
                    reaction=_text(reaction[0]) if reaction else None,
                )
            )
        elif entry.kind == "Condition":
            code = _coding(res.get("code"), "Condition.code")
            if _absent(code):
                continue
            data.conditions.append(
                Condition(
                    text=_text(res.get("code")), code=code, onset=_day(res.get("onsetDateTime"))
                )
            )
        elif entry.kind in ("MedicationStatement", "MedicationRequest"):
            concept = res.get("medicationCodeableConcept")
            if concept is None:
                target = checker.resolve(
                    str((res.get("medicationReference") or {}).get("reference"))
                )
                concept = target.resource.get("code") if target is not None else None
            code = _coding(concept, "Medication.code")
            if _absent(code):
                continue
            dosage = [
                d.get("text") for d in res.get("dosage") or res.get("dosageInstruction") or []
            ]
            data.medications.append(
                Medication(text=_text(concept), code=code, dosage=next(filter(None, dosage), None))
            )
        elif entry.kind == "Immunization":
            code = _coding(res.get("vaccineCode"), "Immunization.vaccineCode")
            if _absent(code):
                continue
            applied = (res.get("protocolApplied") or [{}])[0]
            targets = [
                t
                for t in (
                    _coding(d, "Immunization.targetDisease")
                    for d in applied.get("targetDisease") or []
                )
                if t
            ]
            given = _day(res.get("occurrenceDateTime"))
            if given is None:
                continue
            data.immunizations.append(
                Immunization(
                    text=_text(res.get("vaccineCode")),
                    vaccine=code,
                    date=given,
                    target_diseases=targets,
                    dose_number=applied.get("doseNumberPositiveInt"),
                    lot=res.get("lotNumber"),
                    source="ips",
                )
            )
    for entry in checker.entries:
        res = entry.resource
        if entry.kind == "Observation" and _has_coding(res.get("code"), LOINC, ABO_RH):
            for c in (res.get("valueCodeableConcept") or {}).get("coding") or []:
                if c.get("system") == SNOMED and c.get("code") in BLOOD_GROUPS:
                    data.blood_type = BLOOD_GROUPS[c["code"]]
    return data


# Writing from a record --------------------------------------------------------------------------


@dataclass(frozen=True)
class PatientFacts:
    pilgrim_id: uuid.UUID
    family: str
    given: str
    gender: str
    birth_date: date | None


def _concept_of(coding: Coding | None, text: str) -> dict[str, Any]:
    out: dict[str, Any] = {"text": text}
    if coding is not None:
        out["coding"] = [{k: v for k, v in coding.model_dump().items() if v is not None}]
    return out


_NO_INFORMATION: tuple[tuple[str, str, str, str, str, str, dict[str, str]], ...] = (
    (ALLERGIES, "AllergyIntolerance", "code", "patient", "no-allergy-info",
     "No information about allergies", {}),
    (PROBLEMS, "Condition", "code", "subject", "no-problem-info",
     "No information about problems", {}),
    (MEDICATIONS, "MedicationStatement", "medicationCodeableConcept", "subject",
     "no-medication-info", "No information about medications", {"status": "unknown"}),
)  # fmt: skip


def _absent_concept(code: str, display: str) -> dict[str, Any]:
    return {"coding": [{"system": ABSENT_UNKNOWN, "code": code, "display": display}]}


def to_bundle(data: HealthData, *, patient: PatientFacts, now: datetime) -> dict[str, Any]:
    """An IPS document bundle of the record, checked before it is handed out."""
    urls: dict[str, list[str]] = {
        k: [] for k in (MEDICATIONS, ALLERGIES, PROBLEMS, IMMUNIZATIONS, RESULTS)
    }
    resources: list[dict[str, Any]] = []
    patient_url = f"urn:uuid:{patient.pilgrim_id}"
    subject = {"reference": patient_url}

    def add(section: str | None, resource: dict[str, Any]) -> None:
        url = f"urn:uuid:{uuid.uuid4()}"
        resources.append({"fullUrl": url, "resource": resource})
        if section:
            urls[section].append(url)

    stamp = now.isoformat(timespec="seconds")
    allergy_status = {
        "coding": [{"system": CLINICAL_STATUS["AllergyIntolerance"], "code": "active"}]
    }
    condition_status = {"coding": [{"system": CLINICAL_STATUS["Condition"], "code": "active"}]}
    for allergy in data.allergies:
        res: dict[str, Any] = {
            "resourceType": "AllergyIntolerance",
            "clinicalStatus": allergy_status,
            "code": _concept_of(allergy.code, allergy.text),
            "patient": subject,
        }
        if allergy.criticality:
            res["criticality"] = allergy.criticality
        if allergy.reaction:
            res["reaction"] = [{"manifestation": [{"text": allergy.reaction}]}]
        add(ALLERGIES, res)
    for condition in data.conditions:
        res = {
            "resourceType": "Condition",
            "clinicalStatus": condition_status,
            "code": _concept_of(condition.code, condition.text),
            "subject": subject,
        }
        if condition.onset:
            res["onsetDateTime"] = condition.onset.isoformat()
        add(PROBLEMS, res)
    for medication in data.medications:
        res = {
            "resourceType": "MedicationStatement",
            "status": "active",
            "medicationCodeableConcept": _concept_of(medication.code, medication.text),
            "subject": subject,
        }
        if medication.dosage:
            res["dosage"] = [{"text": medication.dosage}]
        add(MEDICATIONS, res)
    # A required section with nothing to list says so with IPS's own "no information" code.
    for listed, (section, kind, element, who, code, display, extra) in zip(
        (data.allergies, data.conditions, data.medications), _NO_INFORMATION, strict=True
    ):
        if not listed:
            add(section, {"resourceType": kind, element: _absent_concept(code, display),
                          who: subject, **extra})  # fmt: skip
    for dose in data.immunizations:
        res = {
            "resourceType": "Immunization",
            "status": "completed",
            "vaccineCode": _concept_of(dose.vaccine, dose.text),
            "patient": subject,
            "occurrenceDateTime": dose.date.isoformat(),
        }
        if dose.lot:
            res["lotNumber"] = dose.lot
        if dose.target_diseases or dose.dose_number:
            applied: dict[str, Any] = {}
            if dose.target_diseases:
                applied["targetDisease"] = [
                    _concept_of(t, t.display or t.code) for t in dose.target_diseases
                ]
            # R4 requires a dose number once protocolApplied is there; "unknown" when it is not.
            if dose.dose_number:
                applied["doseNumberPositiveInt"] = dose.dose_number
            else:
                applied["doseNumberString"] = "unknown"
            res["protocolApplied"] = [applied]
        add(IMMUNIZATIONS, res)
    if data.blood_type:
        code = next(k for k, v in BLOOD_GROUPS.items() if v == data.blood_type)
        add(RESULTS, {
            "resourceType": "Observation",
            "status": "final",
            "code": {"coding": [{"system": LOINC, "code": ABO_RH,
                                 "display": "ABO and Rh group [Type] in Blood"}]},
            "subject": subject,
            "valueCodeableConcept": {"coding": [{
                "system": SNOMED, "code": code, "display": BLOOD_GROUP_NAMES[data.blood_type]
            }]},
        })  # fmt: skip
    sections = [
        (ALLERGIES, "Allergies and Intolerances"),
        (PROBLEMS, "Problem List"),
        (MEDICATIONS, "Medication Summary"),
        (IMMUNIZATIONS, "Immunizations"),
        (RESULTS, "Results"),
    ]
    composition = {
        "resourceType": "Composition",
        "status": "final",
        "type": {"coding": [{"system": LOINC, "code": PATIENT_SUMMARY,
                             "display": "Patient summary Document"}]},
        "subject": subject,
        "date": stamp,
        "author": [{"display": "Labbaik"}],
        "title": "International Patient Summary",
        "section": [
            {
                "title": title,
                "code": {"coding": [{"system": LOINC, "code": code}]},
                "entry": [{"reference": u} for u in urls[code]],
            }
            for code, title in sections
            if urls[code]
        ],
    }  # fmt: skip
    patient_res: dict[str, Any] = {
        "resourceType": "Patient",
        "identifier": [{"system": PILGRIM_ID_SYSTEM, "value": str(patient.pilgrim_id)}],
        "name": [{"family": patient.family, "given": patient.given.split() or [patient.family]}],
        "gender": {"M": "male", "F": "female"}.get(patient.gender, "other"),
    }
    if patient.birth_date:
        patient_res["birthDate"] = patient.birth_date.isoformat()
    bundle = {
        "resourceType": "Bundle",
        "identifier": {"system": "urn:labbaik:ips", "value": str(uuid.uuid4())},
        "type": "document",
        "timestamp": stamp,
        "entry": [
            {"fullUrl": f"urn:uuid:{uuid.uuid4()}", "resource": composition},
            {"fullUrl": patient_url, "resource": patient_res},
            *resources,
        ],
    }
    check(bundle)
    return bundle
