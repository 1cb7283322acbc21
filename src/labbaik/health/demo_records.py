"""Deterministic demo health records: common conditions of older pilgrims, the season's doses."""

from __future__ import annotations

import random
from datetime import date, timedelta

from labbaik.health.rules import add_months
from labbaik.health.schemas import (
    ATC,
    CVX,
    SNOMED,
    Allergy,
    BloodType,
    Coding,
    Condition,
    Criticality,
    FitnessFlag,
    HealthData,
    Immunization,
    Medication,
)

# Blood groups in rough world proportions.
BLOOD: tuple[tuple[BloodType, int], ...] = (
    ("O+", 38), ("A+", 27), ("B+", 22), ("AB+", 5), ("O-", 3), ("A-", 2), ("B-", 2), ("AB-", 1),
)  # fmt: skip
CONDITIONS = (
    ("44054006", "Type 2 diabetes mellitus", 0.22, ("A10BA02", "Metformin 500 mg", "twice a day")),
    ("59621000", "Essential hypertension", 0.30, ("C08CA01", "Amlodipine 5 mg", "once a day")),
    ("53741008", "Coronary arteriosclerosis", 0.06, ("B01AC06", "Aspirin 100 mg", "once a day")),
    ("195967001", "Asthma", 0.05, ("R03AC02", "Salbutamol inhaler", "when needed")),
    ("709044004", "Chronic kidney disease", 0.02, None),
    ("13645005", "Chronic obstructive lung disease", 0.03, ("R03BB04", "Tiotropium", "daily")),
)
ALLERGIES: tuple[tuple[str, str, Criticality, str | None], ...] = (
    ("764146007", "Penicillin", "high", "anaphylaxis"),
    ("387207008", "Ibuprofen", "low", "rash"),
    ("256349002", "Peanut", "high", "swelling of the throat"),
    ("111088007", "Latex", "low", None),
    ("387406002", "Sulfonamide", "low", "rash"),
)
MENINGOCOCCAL = Coding(system=SNOMED, code="23511006", display="Meningococcal infectious disease")
POLIO = Coding(system=SNOMED, code="398102009", display="Acute poliomyelitis")
INFLUENZA = Coding(system=SNOMED, code="6142004", display="Influenza")
YELLOW_FEVER = Coding(system=SNOMED, code="16541001", display="Yellow fever")
POLIO_COUNTRIES = frozenset({"AFG", "PAK", "NGA", "SOM", "YEM", "COD", "MOZ", "TCD", "NER", "ETH"})
YELLOW_FEVER_COUNTRIES = frozenset({"NGA", "SEN", "GHA", "CMR", "MLI", "NER", "SDN", "ETH", "BRA"})


def _dose(text: str, cvx: str, day: date, target: Coding) -> Immunization:
    return Immunization(
        text=text, vaccine=Coding(system=CVX, code=cvx), date=day, target_diseases=[target]
    )


def _acwy(rng: random.Random, arrival: date) -> list[Immunization]:
    """Most pilgrims have a conjugate dose in time; a few are late, expired or have none."""
    roll = rng.random()
    if roll < 0.03:
        return []
    if roll < 0.06:
        # Given a few days before arrival: too late to protect.
        given = arrival - timedelta(days=rng.randint(1, 9))
        return [_dose("MenACWY conjugate", "114", given, MENINGOCOCCAL)]
    if roll < 0.09:
        # A polysaccharide dose of four years ago: valid for three only.
        return [_dose("MenACWY polysaccharide", "32", add_months(arrival, -48), MENINGOCOCCAL)]
    given = arrival - timedelta(days=rng.randint(20, 700))
    return [_dose("MenACWY conjugate", rng.choice(("114", "136", "203")), given, MENINGOCOCCAL)]


def demo_record(rng: random.Random, *, nationality: str, age: int, arrival: date) -> HealthData:
    conditions: list[Condition] = []
    medications: list[Medication] = []
    # Chronic conditions grow common with age; most pilgrims are past fifty.
    weight = 0.4 + min(age, 85) / 70
    for code, name, share, medicine in CONDITIONS:
        if rng.random() < share * weight:
            conditions.append(
                Condition(
                    text=name,
                    code=Coding(system=SNOMED, code=code, display=name),
                    onset=date(arrival.year - rng.randint(1, 20), rng.randint(1, 12), 1),
                )
            )
            if medicine:
                atc, label, dosage = medicine
                medications.append(
                    Medication(text=label, code=Coding(system=ATC, code=atc), dosage=dosage)
                )
    allergies = [
        Allergy(text=name, code=Coding(system=SNOMED, code=code, display=name),
                criticality=criticality, reaction=reaction)
        for code, name, criticality, reaction in ALLERGIES
        if rng.random() < 0.03
    ]  # fmt: skip
    doses = _acwy(rng, arrival)
    if nationality in POLIO_COUNTRIES and rng.random() < 0.93:
        doses.append(_dose("bOPV", "178", arrival - timedelta(days=rng.randint(30, 300)), POLIO))
    if nationality in YELLOW_FEVER_COUNTRIES and rng.random() < 0.95:
        given = date(arrival.year - rng.randint(1, 25), rng.randint(1, 12), 1)
        doses.append(_dose("Yellow fever", "37", given, YELLOW_FEVER))
    if rng.random() < 0.5:
        given = arrival - timedelta(days=rng.randint(15, 200))
        doses.append(_dose("Seasonal influenza", "141", given, INFLUENZA))
    flags: list[FitnessFlag] = []
    if age >= 75 and rng.random() < 0.3:
        flags.append("reduced_mobility")
    if age >= 80 and rng.random() < 0.25:
        flags.append("wheelchair")
    if any(c.code and c.code.code == "53741008" for c in conditions):
        flags.append("heat_risk")
    return HealthData(
        blood_type=rng.choices([b for b, _ in BLOOD], weights=[w for _, w in BLOOD])[0],
        allergies=allergies,
        conditions=conditions,
        medications=medications,
        immunizations=doses,
        fitness_flags=flags,
    )
