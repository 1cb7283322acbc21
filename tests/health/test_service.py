"""The health record service: encryption at rest, who reads what, audit, compliance, rotation."""

from __future__ import annotations

import base64
import csv
import io
import json
from datetime import date

import pytest
from openpyxl import load_workbook
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from labbaik.auth.models import AuditEntry
from labbaik.auth.roles import system_actor
from labbaik.errors import Forbidden, NotFound
from labbaik.health import service
from labbaik.health.crypto import Keyring, parse_keys
from labbaik.health.errors import HealthKeyError, ReasonRequired, RecordUnreadable
from labbaik.health.models import HealthRecord
from labbaik.kit.pagination import PageRequest
from labbaik.settings import DEV_HEALTH_KEY, Settings, UnsafeSettings
from tests.health.conftest import acwy, record

READ = "treatment at the Mina clinic"


def _save(session: Session, world: object, pilgrim: str = "pilgrim_a", **changes: object) -> None:
    service.save_record(
        session,
        pilgrim_id=getattr(world, pilgrim).id,
        data=record(**changes),
        actor=world.actor("medic"),  # type: ignore[attr-defined]
    )
    session.commit()


class TestEncryptionAtRest:
    def test_the_stored_row_holds_no_clinical_text(self, session, world) -> None:
        _save(session, world)
        row = session.get(HealthRecord, world.pilgrim_a.id)
        assert row.key_id == "dev"
        assert b"Penicillin" not in row.sealed
        assert b"diabetes" not in row.sealed.lower()

    def test_a_ciphertext_copied_to_another_pilgrim_does_not_decrypt(self, session, world) -> None:
        _save(session, world)
        _save(session, world, pilgrim="pilgrim_b", blood_type="A-")
        stolen = session.get(HealthRecord, world.pilgrim_a.id).sealed
        session.execute(
            update(HealthRecord)
            .where(HealthRecord.pilgrim_id == world.pilgrim_b.id)
            .values(sealed=stolen)
        )
        session.commit()
        with pytest.raises(RecordUnreadable):
            service.get_record(
                session, pilgrim_id=world.pilgrim_b.id, actor=world.actor("medic"), reason=READ
            )

    def test_a_changed_byte_does_not_decrypt(self, session, world) -> None:
        _save(session, world)
        row = session.get(HealthRecord, world.pilgrim_a.id)
        row.sealed = row.sealed[:-1] + bytes([row.sealed[-1] ^ 1])
        session.commit()
        with pytest.raises(RecordUnreadable):
            service.get_record(
                session, pilgrim_id=world.pilgrim_a.id, actor=world.actor("medic"), reason=READ
            )

    def test_production_refuses_the_development_key(self) -> None:
        with pytest.raises(UnsafeSettings, match="LABBAIK_HEALTH_KEYS"):
            Settings(environment="production", secret_key="x" * 40)

    def test_production_accepts_a_key_of_its_own(self) -> None:
        own = base64.b64encode(bytes(range(32))).decode()
        settings = Settings(
            environment="production",
            secret_key="x" * 40,
            health_keys=json.dumps({"2026a": own}),
            health_key_id="2026a",
        )
        assert settings.health_key_id == "2026a"

    @pytest.mark.parametrize(
        ("raw", "message"),
        [
            ("not json", "not JSON"),
            ('{"k": "c2hvcnQ="}', "has 5 bytes"),
            ('{"k": "***"}', "not base64"),
            ("[]", "JSON object"),
        ],
    )
    def test_a_bad_key_setting_is_named(self, raw: str, message: str) -> None:
        with pytest.raises(HealthKeyError, match=message):
            parse_keys(raw)


class TestRotation:
    def test_rotation_re_encrypts_every_record_under_the_new_key(self, session, world) -> None:
        _save(session, world)
        _save(session, world, pilgrim="pilgrim_b")
        new = base64.b64encode(b"n" * 32).decode()
        keys = Keyring(parse_keys(json.dumps({"dev": DEV_HEALTH_KEY, "k2": new})), "k2")
        assert service.rotate_key(session, keys=keys, actor=system_actor("test")) == 2
        session.commit()
        assert service.key_usage(session) == {"k2": 2}
        row = session.get(HealthRecord, world.pilgrim_a.id)
        assert service.unseal(row, keys=keys).blood_type == "O+"
        # The old key alone no longer opens it: the rotation really re-encrypted.
        old_only = Keyring(parse_keys(json.dumps({"dev": DEV_HEALTH_KEY})), "dev")
        with pytest.raises(HealthKeyError, match="k2"):
            service.unseal(row, keys=old_only)

    def test_a_second_rotation_has_nothing_to_do(self, session, world) -> None:
        _save(session, world)
        new = base64.b64encode(b"n" * 32).decode()
        keys = Keyring(parse_keys(json.dumps({"dev": DEV_HEALTH_KEY, "k2": new})), "k2")
        service.rotate_key(session, keys=keys, actor=system_actor("test"))
        assert service.rotate_key(session, keys=keys, actor=system_actor("test")) == 0


class TestWhoReads:
    def test_a_medic_reads_the_summary_dangerous_allergy_first(self, session, world) -> None:
        _save(session, world)
        summary = service.card_health_summary(
            session, pilgrim_id=world.pilgrim_a.id, actor=world.actor("medic"), reason=READ
        )
        assert summary.blood_type == "O+"
        assert [a.text for a in summary.allergies] == ["Penicillin", "Dust mites"]
        assert summary.allergies[0].criticality == "high"
        assert summary.conditions[0].text == "Type 2 diabetes mellitus"
        assert summary.fitness_flags == ["reduced_mobility"]

    def test_the_read_is_audited_with_who_and_why(self, session, world) -> None:
        _save(session, world)
        service.card_health_summary(
            session, pilgrim_id=world.pilgrim_a.id, actor=world.actor("medic"), reason=READ
        )
        session.commit()
        entry = session.scalars(
            select(AuditEntry).where(AuditEntry.action == "health.summary")
        ).one()
        assert entry.actor_username == "medic"
        assert entry.object_id == str(world.pilgrim_a.id)
        assert entry.reason == READ

    def test_a_medic_must_say_why(self, session, world) -> None:
        _save(session, world)
        with pytest.raises(ReasonRequired):
            service.get_record(
                session, pilgrim_id=world.pilgrim_a.id, actor=world.actor("medic"), reason=" "
            )

    def test_the_pilgrim_reads_their_own_record_without_a_reason(self, session, world) -> None:
        _save(session, world)
        own = service.get_record(
            session, pilgrim_id=world.pilgrim_a.id, actor=world.actor("pilgrim"), reason=""
        )
        assert own.data.notes.startswith("Walks slowly")

    def test_a_scan_of_a_pilgrim_without_a_record_shows_an_empty_summary(
        self, session, world
    ) -> None:
        summary = service.card_health_summary(
            session, pilgrim_id=world.pilgrim_b.id, actor=world.actor("medic"), reason=READ
        )
        assert summary.allergies == []
        assert summary.compliance.status == "no_record"

    @pytest.mark.parametrize("who", ["field_worker", "officer", "company", "company_b", "operator"])
    def test_others_are_refused_before_anything_is_looked_up(self, session, world, who) -> None:
        _save(session, world)
        for pilgrim_id in (world.pilgrim_a.id, world.season.id):
            with pytest.raises(Forbidden):
                service.card_health_summary(
                    session, pilgrim_id=pilgrim_id, actor=world.actor(who), reason=READ
                )
            with pytest.raises(Forbidden):
                service.get_record(
                    session, pilgrim_id=pilgrim_id, actor=world.actor(who), reason=READ
                )

    def test_another_pilgrim_gets_not_found(self, session, world) -> None:
        _save(session, world, pilgrim="pilgrim_b")
        with pytest.raises(NotFound):
            service.card_health_summary(
                session, pilgrim_id=world.pilgrim_b.id, actor=world.actor("pilgrim"), reason=READ
            )
        with pytest.raises(NotFound):
            service.compliance_status(
                session, pilgrim_id=world.pilgrim_b.id, actor=world.actor("pilgrim")
            )

    def test_a_refusal_writes_no_read_to_the_audit_log(self, session, world) -> None:
        _save(session, world)
        with pytest.raises(Forbidden):
            service.get_record(
                session, pilgrim_id=world.pilgrim_a.id, actor=world.actor("officer"), reason=READ
            )
        reads = session.scalars(
            select(AuditEntry).where(AuditEntry.action.startswith("health.read"))
        ).all()
        assert reads == []


class TestCompanyCompliance:
    def test_the_company_sees_its_pilgrims_status_without_clinical_detail(
        self, session, world, rules
    ) -> None:
        _save(session, world)
        status = service.compliance_status(
            session, pilgrim_id=world.pilgrim_a.id, actor=world.actor("company")
        )
        assert status.status == "compliant"
        assert "Penicillin" not in status.model_dump_json()

    def test_another_company_gets_not_found(self, session, world, rules) -> None:
        _save(session, world)
        with pytest.raises(NotFound):
            service.compliance_status(
                session, pilgrim_id=world.pilgrim_a.id, actor=world.actor("company_b")
            )

    @pytest.mark.parametrize("who", ["field_worker", "officer"])
    def test_field_workers_and_officers_see_no_compliance(self, session, world, who) -> None:
        with pytest.raises(Forbidden):
            service.compliance_status(
                session, pilgrim_id=world.pilgrim_a.id, actor=world.actor(who)
            )
        with pytest.raises(Forbidden):
            service.list_compliance(session, actor=world.actor(who), page=PageRequest())

    def test_a_company_enters_a_record_it_cannot_read_back(self, session, world, rules) -> None:
        result = service.add_entries(
            session,
            pilgrim_id=world.pilgrim_a.id,
            data=record(immunizations=[acwy(date(2026, 5, 5))]),
            actor=world.actor("company"),
        )
        assert result.status == "not_compliant"
        assert result.reasons[0].kind == "too_late"
        with pytest.raises(Forbidden):
            service.get_record(
                session, pilgrim_id=world.pilgrim_a.id, actor=world.actor("company"), reason=READ
            )

    def test_a_company_cannot_write_another_companys_pilgrim(self, session, world) -> None:
        with pytest.raises(NotFound):
            service.add_entries(
                session,
                pilgrim_id=world.pilgrim_b.id,
                data=record(),
                actor=world.actor("company"),
            )

    def test_added_entries_join_the_record_once(self, session, world, rules) -> None:
        _save(session, world)
        for _ in range(2):
            service.add_entries(
                session,
                pilgrim_id=world.pilgrim_a.id,
                data=record(allergies=[], conditions=[], medications=[]),
                actor=world.actor("company"),
            )
        full = service.get_record(
            session, pilgrim_id=world.pilgrim_a.id, actor=world.actor("medic"), reason=READ
        )
        assert len(full.data.immunizations) == 1
        assert len(full.data.allergies) == 2

    def test_the_list_names_the_non_compliant_and_why(self, session, world, rules) -> None:
        _save(session, world, immunizations=[acwy(date(2020, 1, 1), cvx="32")])
        page = service.list_compliance(
            session, actor=world.actor("company"), page=PageRequest(), status="not_compliant"
        )
        assert [i.pilgrim_id for i in page.items] == [world.pilgrim_a.id]
        reason = page.items[0].reasons[0]
        assert (reason.kind, reason.limit) == ("expires", date(2022, 12, 31))
        assert page.counts["not_compliant"] == 1

    def test_a_pilgrim_without_a_record_is_listed_as_such(self, session, world, rules) -> None:
        page = service.list_compliance(session, actor=world.actor("company"), page=PageRequest())
        assert [(i.pilgrim_id, i.status) for i in page.items] == [(world.pilgrim_a.id, "no_record")]

    def test_the_csv_export_has_a_bom_and_the_reasons(self, session, world, rules) -> None:
        _save(session, world, immunizations=[])
        stream = io.BytesIO()
        count = service.export_compliance(
            session, actor=world.actor("company"), stream=stream, fmt="csv"
        )
        assert count == 1
        data = stream.getvalue()
        assert data.startswith(b"\xef\xbb\xbf")
        rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
        assert rows[0]["status"] == "not_compliant"
        assert rows[0]["reasons"] == "Meningococcal ACWY: no dose recorded"

    def test_the_xlsx_export_opens_with_the_same_rows(self, session, world, rules) -> None:
        _save(session, world)
        stream = io.BytesIO()
        service.export_compliance(session, actor=world.actor("operator"), stream=stream, fmt="xlsx")
        stream.seek(0)
        sheet = load_workbook(stream, read_only=True).worksheets[0]
        rows = list(sheet.iter_rows(values_only=True))
        assert rows[0][:5] == ("surname", "given_names", "nationality", "passport_number", "status")
        assert sorted(r[4] for r in rows[1:]) == ["compliant", "no_record"]
