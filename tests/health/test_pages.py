"""Pages of the health record: the medic's view, the pilgrim's own, entry, compliance, rules."""

from __future__ import annotations

import json
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from labbaik.auth.models import AuditEntry
from labbaik.health import service
from labbaik.health.service import RULES_1447
from tests.health.conftest import DATA
from tests.registry.test_pages import csrf_of, log_in


def _import_example(session: Session, world: Any) -> None:
    service.import_ips(
        session,
        pilgrim_id=world.pilgrim_a.id,
        raw=(DATA / "ips_example.json").read_bytes(),
        actor=world.actor("medic"),
    )
    session.commit()


class TestMedicView:
    def test_the_record_opens_only_after_a_reason(
        self, client: TestClient, session: Session, world: Any, rules: None
    ) -> None:
        _import_example(session, world)
        log_in(client, "medic")
        url = f"/health/pilgrims/{world.pilgrim_a.id}"
        asking = client.get(url)
        assert asking.status_code == 200
        assert "Penicillin" not in asking.text
        shown = client.post(url, data={"reason": "Emergency", "csrf_token": csrf_of(asking.text)})
        assert shown.status_code == 200
        # Allergies come first, before the conditions and the medications.
        text = shown.text
        assert text.index("Penicillin") < text.index("Type 2 diabetes") < text.index("Amlodipine")
        assert "High risk" in text
        entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "health.summary"))
        assert [e.reason for e in entry] == ["Emergency"]

    def test_the_view_is_in_arabic_right_to_left(
        self, client: TestClient, session: Session, world: Any
    ) -> None:
        _import_example(session, world)
        log_in(client, "medic")
        url = f"/health/pilgrims/{world.pilgrim_a.id}"
        token = csrf_of(client.get(url).text)
        shown = client.post(url + "?lang=ar", data={"reason": "Treatment", "csrf_token": token})
        assert 'dir="rtl"' in shown.text
        assert "الحساسية" in shown.text

    def test_a_field_worker_is_refused(self, client: TestClient, world: Any) -> None:
        log_in(client, "field-worker")
        assert client.get(f"/health/pilgrims/{world.pilgrim_a.id}").status_code == 403
        assert client.get("/health").status_code == 403


class TestOwnView:
    def test_the_pilgrim_sees_their_own_summary(
        self, client: TestClient, session: Session, world: Any
    ) -> None:
        _import_example(session, world)
        log_in(client, "pilgrim")
        page = client.get("/health/me")
        assert page.status_code == 200
        assert "Peanut" in page.text


class TestEntryAndCompliance:
    def test_a_company_adds_a_vaccination_and_sees_the_status(
        self, client: TestClient, session: Session, world: Any, rules: None
    ) -> None:
        log_in(client, "company")
        url = f"/health/pilgrims/{world.pilgrim_a.id}/entries"
        form = client.get(url)
        assert form.status_code == 200
        choice = "men-acwy|http://hl7.org/fhir/sid/cvx|114"
        assert choice in form.text
        saved = client.post(
            url,
            data={
                "vaccine": choice,
                "vaccine_date": "2025-06-01",
                "csrf_token": csrf_of(form.text),
            },
        )
        assert saved.status_code == 200
        assert "The pilgrim meets the season" in saved.text
        listing = client.get("/health/compliance?status=compliant")
        assert "Aminah" in listing.text

    def test_a_dose_without_a_date_is_refused_with_a_message(
        self, client: TestClient, world: Any, rules: None
    ) -> None:
        log_in(client, "company")
        url = f"/health/pilgrims/{world.pilgrim_a.id}/entries"
        token = csrf_of(client.get(url).text)
        choice = "men-acwy|http://hl7.org/fhir/sid/cvx|114"
        refused = client.post(url, data={"vaccine": choice, "csrf_token": token})
        assert refused.status_code == 422
        assert "the day the dose was given is needed" in refused.text

    def test_another_companys_pilgrim_is_not_found(self, client: TestClient, world: Any) -> None:
        log_in(client, "company")
        assert client.get(f"/health/pilgrims/{world.pilgrim_b.id}/entries").status_code == 404

    def test_the_list_shows_why_and_exports(
        self, client: TestClient, world: Any, rules: None
    ) -> None:
        log_in(client, "company")
        page = client.get("/health/compliance")
        assert page.status_code == 200
        assert "No health record" in page.text
        export = client.get("/health/compliance/export?fmt=csv&status=not_compliant")
        assert export.content.startswith(b"\xef\xbb\xbf")
        assert b"no_record" in export.content


class TestRulesPage:
    def test_the_operator_loads_a_rules_file_and_downloads_it_again(
        self, client: TestClient, world: Any
    ) -> None:
        log_in(client, "operator")
        page = client.get("/health/rules")
        assert "This season has no vaccination rules yet." in page.text
        loaded = client.post(
            "/health/rules",
            data={"csrf_token": csrf_of(page.text)},
            files={"file": ("rules.json", RULES_1447.read_bytes(), "application/json")},
        )
        assert loaded.status_code == 200
        assert "Meningococcal ACWY" in loaded.text
        again = client.get("/health/rules/1447.json").json()
        assert [r["code"] for r in again["rules"]] == ["men-acwy", "polio", "yellow-fever"]

    def test_a_bad_file_names_what_is_wrong(self, client: TestClient, world: Any) -> None:
        log_in(client, "operator")
        page = client.get("/health/rules")
        rules = json.loads(RULES_1447.read_text())
        rules["rules"][1]["countries"] = ["PAKISTAN"]
        refused = client.post(
            "/health/rules",
            data={"csrf_token": csrf_of(page.text)},
            files={"file": ("rules.json", json.dumps(rules).encode(), "application/json")},
        )
        assert refused.status_code == 422
        assert "rules.1.countries" in refused.text

    def test_a_company_may_not_manage_rules(self, client: TestClient, world: Any) -> None:
        log_in(client, "company")
        assert client.get("/health/rules").status_code == 403
