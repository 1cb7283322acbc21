"""FHIR IPS import and export: what the library checks, what IPS adds, and the round trip."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from labbaik.health import ips, service
from labbaik.health.errors import BundleRejected
from labbaik.health.models import HealthRecord
from tests.health.conftest import DATA, record

READ = "pre-departure check"
EXAMPLE = (DATA / "ips_example.json").read_bytes()


def example() -> dict[str, Any]:
    return json.loads(EXAMPLE)


def problems_of(bundle: dict[str, Any]) -> list[tuple[str, str]]:
    with pytest.raises(BundleRejected) as caught:
        ips.check(bundle)
    return [(p.field, p.message) for p in caught.value.problems]


def _drop_section(code: str) -> Callable[[dict[str, Any]], None]:
    def change(bundle: dict[str, Any]) -> None:
        sections = bundle["entry"][0]["resource"]["section"]
        sections[:] = [s for s in sections if s["code"]["coding"][0]["code"] != code]

    return change


class TestChecks:
    def test_the_example_is_a_valid_ips(self) -> None:
        ips.check(example())

    def test_the_example_reads_into_a_record(self) -> None:
        data = ips.to_record(example())
        assert data.blood_type == "O+"
        assert [(a.text, a.criticality) for a in data.allergies] == [
            ("Penicillin", "high"),
            ("Peanut", "low"),
        ]
        assert [c.text for c in data.conditions] == [
            "Type 2 diabetes mellitus",
            "Essential hypertension",
        ]
        # A MedicationStatement may name its medication by reference to a Medication entry.
        assert data.medications[0].code.code == "A10BA02"
        assert data.immunizations[0].vaccine.code == "114"
        assert data.immunizations[0].target_diseases[0].code == "23511006"

    def test_the_composition_must_come_first(self) -> None:
        bundle = example()
        bundle["entry"].reverse()
        assert problems_of(bundle) == [
            ("entry[0].resource", "the first entry must be the Composition, not a Observation")
        ]

    def test_the_composition_type_must_be_the_patient_summary(self) -> None:
        bundle = example()
        bundle["entry"][0]["resource"]["type"]["coding"][0]["code"] = "34133-9"
        assert problems_of(bundle) == [
            ("entry[0].resource.type", "the Composition's type must be LOINC 60591-5")
        ]

    @pytest.mark.parametrize(
        ("code", "name"),
        [("10160-0", "Medication Summary"), ("48765-2", "Allergies and Intolerances"),
         ("11450-4", "Problem List")],
    )  # fmt: skip
    def test_each_required_section_is_needed(self, code: str, name: str) -> None:
        bundle = example()
        _drop_section(code)(bundle)
        assert (
            "entry[0].resource.section",
            f"the required {name} section ({code}) is missing",
        ) in problems_of(bundle)

    def test_a_reference_outside_the_bundle_is_named_with_its_path(self) -> None:
        bundle = example()
        bundle["entry"][4]["resource"]["subject"]["reference"] = "urn:uuid:not-here"
        assert problems_of(bundle) == [
            (
                "entry[4].resource.subject.reference",
                "'urn:uuid:not-here' is not an entry of this bundle",
            )
        ]

    def test_a_code_of_the_wrong_system_is_refused(self) -> None:
        bundle = example()
        coding = bundle["entry"][6]["resource"]["code"]["coding"][0]
        coding["system"] = "http://example.org/my-allergies"
        [(path, message)] = problems_of(bundle)
        assert path == "entry[6].resource.code.coding"
        assert "AllergyIntolerance.code is coded in" in message
        assert "SNOMED CT" in message

    def test_a_vaccine_named_only_in_words_is_refused(self) -> None:
        bundle = example()
        dose = bundle["entry"][11]["resource"]
        del dose["vaccineCode"]["coding"]
        del dose["protocolApplied"]
        [(path, message)] = problems_of(bundle)
        assert path == "entry[11].resource.vaccineCode.coding"
        assert "CVX" in message

    def test_a_vaccine_in_words_with_a_coded_disease_is_accepted(self) -> None:
        bundle = example()
        del bundle["entry"][11]["resource"]["vaccineCode"]["coding"]
        ips.check(bundle)
        dose = ips.to_record(bundle).immunizations[0]
        assert (dose.vaccine, dose.target_diseases[0].code) == (None, "23511006")

    def test_a_condition_in_a_clinicians_words_is_kept(self) -> None:
        bundle = example()
        del bundle["entry"][4]["resource"]["code"]["coding"]
        ips.check(bundle)
        assert ips.to_record(bundle).conditions[0].code is None

    def test_an_entry_in_the_wrong_section_is_named(self) -> None:
        bundle = example()
        problems = bundle["entry"][0]["resource"]["section"][0]
        problems["entry"].append({"reference": "urn:uuid:6e3c1f70-8a2b-4d55-9a4e-0b1f3e2d4c20"})
        [(path, message)] = problems_of(bundle)
        assert path == "entry[0].resource.section[0].entry[2]"
        assert message.startswith("a AllergyIntolerance does not belong in this section")

    def test_the_library_finds_a_bad_date_and_says_where(self) -> None:
        bundle = example()
        bundle["entry"][4]["resource"]["onsetDateTime"] = "first of April"
        [(path, _message)] = problems_of(bundle)
        assert path.startswith("entry[4].resource")

    def test_every_problem_is_listed_at_once(self) -> None:
        bundle = example()
        bundle["entry"][0]["resource"]["type"]["coding"][0]["code"] = "34133-9"
        _drop_section("11450-4")(bundle)
        del bundle["identifier"]
        assert len(problems_of(bundle)) == 3

    def test_a_collection_bundle_is_not_a_document(self) -> None:
        bundle = example()
        bundle["type"] = "collection"
        assert ("type", "an IPS is a document bundle, not 'collection'") in problems_of(bundle)

    @pytest.mark.parametrize("raw", [b"", b"{", b"[]", b'{"resourceType": "Patient"}'])
    def test_what_is_not_a_bundle_is_refused(self, raw: bytes) -> None:
        with pytest.raises(BundleRejected):
            ips.load(raw)


class TestImport:
    def test_an_import_fills_the_record(self, session: Session, world, rules) -> None:
        status = service.import_ips(
            session, pilgrim_id=world.pilgrim_a.id, raw=EXAMPLE, actor=world.actor("medic")
        )
        assert status.status == "compliant"
        summary = service.card_health_summary(
            session, pilgrim_id=world.pilgrim_a.id, actor=world.actor("medic"), reason=READ
        )
        assert [a.text for a in summary.allergies] == ["Penicillin", "Peanut"]

    def test_a_bad_bundle_stores_nothing(self, session: Session, world) -> None:
        bundle = example()
        _drop_section("10160-0")(bundle)
        with pytest.raises(BundleRejected):
            service.import_ips(
                session,
                pilgrim_id=world.pilgrim_a.id,
                raw=json.dumps(bundle),
                actor=world.actor("medic"),
            )
        assert session.scalar(select(func.count()).select_from(HealthRecord)) == 0

    def test_the_export_re_imports_to_the_same_record(self, session: Session, world) -> None:
        medic = world.actor("medic")
        service.import_ips(session, pilgrim_id=world.pilgrim_a.id, raw=EXAMPLE, actor=medic)
        before = service.get_record(
            session, pilgrim_id=world.pilgrim_a.id, actor=medic, reason=READ
        ).data
        exported = service.export_ips(
            session, pilgrim_id=world.pilgrim_a.id, actor=medic, reason=READ
        )
        service.import_ips(
            session, pilgrim_id=world.pilgrim_a.id, raw=json.dumps(exported), actor=medic
        )
        after = service.get_record(
            session, pilgrim_id=world.pilgrim_a.id, actor=medic, reason=READ
        ).data
        assert after == before

    def test_an_empty_record_exports_as_a_valid_ips(self, session: Session, world) -> None:
        medic = world.actor("medic")
        service.add_entries(
            session,
            pilgrim_id=world.pilgrim_b.id,
            data=service.HealthData(blood_type="A-"),
            actor=medic,
        )
        bundle = service.export_ips(
            session, pilgrim_id=world.pilgrim_b.id, actor=medic, reason=READ
        )
        ips.check(copy.deepcopy(bundle))
        assert ips.to_record(bundle).allergies == []

    def test_a_record_entered_by_hand_exports_and_re_imports(self, session: Session, world) -> None:
        medic = world.actor("medic")
        service.save_record(session, pilgrim_id=world.pilgrim_a.id, data=record(), actor=medic)
        bundle = service.export_ips(
            session, pilgrim_id=world.pilgrim_a.id, actor=medic, reason=READ
        )
        back = ips.to_record(bundle)
        assert back.immunizations[0].date == record().immunizations[0].date
        assert back.immunizations[0].dose_number is None
        assert [a.text for a in back.allergies] == ["Penicillin", "Dust mites"]

    def test_a_summary_of_another_pilgrim_is_refused(self, session: Session, world) -> None:
        medic = world.actor("medic")
        service.import_ips(session, pilgrim_id=world.pilgrim_a.id, raw=EXAMPLE, actor=medic)
        exported = service.export_ips(
            session, pilgrim_id=world.pilgrim_a.id, actor=medic, reason=READ
        )
        with pytest.raises(BundleRejected, match="another pilgrim"):
            service.import_ips(
                session, pilgrim_id=world.pilgrim_b.id, raw=json.dumps(exported), actor=medic
            )

    def test_a_company_imports_for_its_own_pilgrim_only(self, session: Session, world) -> None:
        company = world.actor("company")
        service.import_ips(session, pilgrim_id=world.pilgrim_a.id, raw=EXAMPLE, actor=company)
        with pytest.raises(service.HealthRecordNotFound):
            service.import_ips(session, pilgrim_id=world.pilgrim_b.id, raw=EXAMPLE, actor=company)
        with pytest.raises(service.Forbidden):
            service.export_ips(session, pilgrim_id=world.pilgrim_a.id, actor=company, reason=READ)
