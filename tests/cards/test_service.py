"""The card service: issuing, re-issuing on a changed record, status changes, lost cards,
tenant scoping, and the scan lookup shaped by role and always recorded."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from labbaik.auth.models import AuditEntry
from labbaik.auth.roles import Actor, system_actor
from labbaik.cards import service, verify
from labbaik.cards.errors import CardNotFound, CardStatusConflict, NoSigningKey, NoValidCard
from labbaik.cards.models import Card, Scan
from labbaik.cards.schemas import TrustKey
from labbaik.errors import Forbidden, InvalidInput
from labbaik.kit.ids import is_valid_check
from labbaik.registry import service as registry_service
from labbaik.registry.errors import CompanyNotFound, PilgrimNotFound
from labbaik.registry.schemas import PilgrimUpdate
from tests.conftest import World

SYSTEM = system_actor("test")


def actor(world: World, key: str) -> Actor:
    found: Any = world.actor(key)
    return found


def audit(session: Session, action: str) -> list[AuditEntry]:
    session.flush()
    return list(session.scalars(select(AuditEntry).where(AuditEntry.action == action)))


@pytest.fixture
def card_a(session: Session, world: World, card_keys: list[TrustKey]) -> str:
    return service.issue_card(session, pilgrim_id=world.pilgrim_a.id, actor=SYSTEM).card_number


class TestIssueCard:
    def test_the_card_carries_the_registry_record_and_a_checked_number(
        self, session: Session, world: World, card_keys: list[TrustKey]
    ) -> None:
        card = service.issue_card(
            session, pilgrim_id=world.pilgrim_a.id, actor=actor(world, "company")
        )
        claims = card.claims
        assert is_valid_check(card.card_number)
        assert card.card_number.startswith("47")
        assert (claims.surname, claims.surname_ar, claims.given_names_ar) == (
            "Aminah", "آمنة", "سيتي"
        )  # fmt: skip
        assert (claims.group_code, claims.camp, claims.company_code) == (
            "IDN-001", "MINA-12-3", "IDN-MORA"
        )  # fmt: skip
        assert claims.passport_number == "C1234567"
        assert card.status == "valid"
        assert card.company_name == "Indonesian Hajj Mission"
        assert claims.expires_at > claims.issued_at
        assert len(audit(session, "card.issue")) == 1

    def test_issuing_again_returns_the_same_card(
        self, session: Session, card_a: str, world: World
    ) -> None:
        again = service.issue_card(session, pilgrim_id=world.pilgrim_a.id, actor=SYSTEM)
        assert again.card_number == card_a
        assert session.scalar(select(func.count()).select_from(Card)) == 1

    def test_another_companys_pilgrim_is_not_found(
        self, session: Session, world: World, card_keys: list[TrustKey]
    ) -> None:
        with pytest.raises(PilgrimNotFound):
            service.issue_card(
                session, pilgrim_id=world.pilgrim_b.id, actor=actor(world, "company")
            )

    def test_a_field_worker_may_not_issue(self, session: Session, world: World) -> None:
        with pytest.raises(Forbidden, match="card:issue"):
            service.issue_card(
                session, pilgrim_id=world.pilgrim_a.id, actor=actor(world, "field_worker")
            )

    def test_without_signing_keys_the_error_says_what_to_run(
        self, session: Session, world: World, key_dir: object
    ) -> None:
        with pytest.raises(NoSigningKey, match="labbaik keys init"):
            service.issue_card(session, pilgrim_id=world.pilgrim_a.id, actor=SYSTEM)


class TestIssueCards:
    def test_all_gives_every_pilgrim_without_a_card_one(
        self, session: Session, world: World, card_a: str
    ) -> None:
        calls: list[tuple[int, int]] = []
        result = service.issue_cards(
            session, actor=SYSTEM, all=True, progress=lambda d, t: calls.append((d, t))
        )
        assert (result.issued, result.unchanged) == (1, 1)
        assert calls[-1] == (1, 1)
        serials = session.scalars(select(Card.serial).order_by(Card.serial)).all()
        assert serials == [1, 2]

    def test_a_company_issues_its_own_group_but_not_anothers(
        self, session: Session, world: World, card_keys: list[TrustKey]
    ) -> None:
        company = actor(world, "company")
        result = service.issue_cards(session, actor=company, group_id=world.group_a.id)
        assert result.issued == 1
        with pytest.raises(CompanyNotFound):
            service.issue_cards(session, actor=company, company_id=world.company_b.id)

    def test_exactly_one_choice_is_required(self, session: Session, world: World) -> None:
        with pytest.raises(InvalidInput, match="exactly one"):
            service.issue_cards(session, actor=SYSTEM, all=True, group_id=world.group_a.id)


class TestChangedRecord:
    def test_a_change_the_card_shows_issues_a_new_card_and_retires_the_old(
        self, session: Session, world: World, card_a: str
    ) -> None:
        registry_service.update_pilgrim(
            session,
            pilgrim_id=world.pilgrim_a.id,
            pilgrim_in=PilgrimUpdate(given_names="Siti Nur"),
            actor=actor(world, "company"),
        )
        old = session.scalar(select(Card).where(Card.card_number == card_a))
        assert old is not None
        assert old.status == "retired"
        new = service.card_for_pilgrim(session, pilgrim_id=world.pilgrim_a.id, actor=SYSTEM)
        assert new.claims.given_names == "Siti Nur"
        assert new.replaces == card_a
        assert service.verify_text(session, text=_qr(session, card_a), actor=SYSTEM).verdict == (
            "revoked"
        )

    def test_a_change_the_card_does_not_show_keeps_the_card(
        self, session: Session, world: World, card_a: str
    ) -> None:
        registry_service.update_pilgrim(
            session,
            pilgrim_id=world.pilgrim_a.id,
            pilgrim_in=PilgrimUpdate(phone="+6281200000999"),
            actor=actor(world, "company"),
        )
        assert service.card_for_pilgrim(
            session, pilgrim_id=world.pilgrim_a.id, actor=SYSTEM
        ).card_number == card_a  # fmt: skip


def _qr(session: Session, card_number: str) -> str:
    return service.get_card(session, card_number=card_number, actor=SYSTEM).qr_text


class TestStatus:
    def test_suspend_reinstate_revoke_with_reasons_in_the_audit_log(
        self, session: Session, world: World, card_a: str
    ) -> None:
        company = actor(world, "company")
        assert service.suspend(session, card_number=card_a, reason="held at the border",
                               actor=company).status == "suspended"  # fmt: skip
        assert service.verify_text(session, text=_qr(session, card_a), actor=SYSTEM).verdict == (
            "suspended"
        )
        assert service.reinstate(session, card_number=card_a, reason="cleared",
                                 actor=company).status == "valid"  # fmt: skip
        revoked = service.revoke(session, card_number=card_a, reason="fraud", actor=company)
        assert (revoked.status, revoked.status_reason) == ("revoked", "fraud")
        assert [e.reason for e in audit(session, "card.suspend")] == ["held at the border"]
        with pytest.raises(CardStatusConflict, match="revoked"):
            service.reinstate(session, card_number=card_a, reason="oops", actor=company)

    def test_a_repeated_revoke_answers_the_same(
        self, session: Session, world: World, card_a: str
    ) -> None:
        service.revoke(session, card_number=card_a, reason="lost", actor=SYSTEM)
        again = service.revoke(session, card_number=card_a, reason="lost", actor=SYSTEM)
        assert again.status == "revoked"
        assert len(audit(session, "card.revoke")) == 1

    def test_another_tenants_card_is_not_found(
        self, session: Session, world: World, card_a: str
    ) -> None:
        with pytest.raises(CardNotFound):
            service.revoke(
                session, card_number=card_a, reason="not mine", actor=actor(world, "company_b")
            )
        with pytest.raises(CardNotFound):
            service.get_card(session, card_number=card_a, actor=actor(world, "company_b"))

    def test_the_status_list_says_what_the_database_says(
        self, session: Session, world: World, card_a: str
    ) -> None:
        service.issue_cards(session, actor=SYSTEM, all=True)
        card_b = service.card_for_pilgrim(session, pilgrim_id=world.pilgrim_b.id, actor=SYSTEM)
        service.suspend(session, card_number=card_b.card_number, reason="check", actor=SYSTEM)
        service.revoke(session, card_number=card_a, reason="lost", actor=SYSTEM)
        trust = verify.TrustStore.from_pem(service.trust_bundle_pem(session))
        status = verify.parse_status_token(service.status_list_token(session), trust)
        assert [status.status(i) for i in (0, 1, 2)] == [0, 1, 2]
        assert verify.verify_card(_qr(session, card_a), trust=trust, status=status).verdict == (
            "revoked"
        )


class TestReplaceLost:
    def test_revokes_the_lost_card_and_issues_a_new_one_in_one_step(
        self, session: Session, world: World, card_a: str
    ) -> None:
        new = service.replace_lost(session, card_number=card_a, reason="lost in Mina", actor=SYSTEM)
        assert new.replaces == card_a
        assert new.card_number != card_a
        assert service.get_card(session, card_number=card_a, actor=SYSTEM).status == "revoked"
        retried = service.replace_lost(session, card_number=card_a, reason="lost in Mina",
                                       actor=SYSTEM)  # fmt: skip
        assert retried.card_number == new.card_number

    def test_a_pilgrim_reads_their_own_card_only(
        self, session: Session, world: World, card_a: str
    ) -> None:
        pilgrim = actor(world, "pilgrim")
        assert service.card_for_pilgrim(
            session, pilgrim_id=world.pilgrim_a.id, actor=pilgrim
        ).card_number == card_a  # fmt: skip
        with pytest.raises(NoValidCard):
            service.card_for_pilgrim(session, pilgrim_id=world.pilgrim_b.id, actor=pilgrim)


class TestLookup:
    def test_a_field_worker_sees_identity_group_camp_and_leader_but_no_passport(
        self, session: Session, world: World, card_a: str
    ) -> None:
        view = service.lookup(
            session, qr_text=_qr(session, card_a), reason="lost pilgrim",
            actor=actor(world, "field_worker"),
        )  # fmt: skip
        assert view.verdict.verdict == "valid"
        assert (view.surname, view.given_names_ar, view.language) == ("Aminah", "سيتي", "id")
        assert (view.group_code, view.leader_phone) == ("IDN-001", "+6281234567890")
        assert view.mina_camp is not None
        assert view.mina_camp.code == "MINA-12-3"
        assert view.makkah_lodging is not None
        assert view.makkah_lodging.name == "Aziziyah Tower"
        assert view.company_name == "Indonesian Hajj Mission"
        assert view.passport is None
        assert view.health is None

    def test_an_officer_also_sees_the_passport(
        self, session: Session, world: World, card_a: str
    ) -> None:
        view = service.lookup(
            session, card_number=card_a, reason="checkpoint", actor=actor(world, "officer")
        )
        assert view.passport is not None
        assert view.passport.passport_number == "C1234567"

    def test_a_medic_also_sees_the_health_summary_and_the_read_is_audited(
        self, session: Session, world: World, card_a: str
    ) -> None:
        medic = service.lookup(
            session, card_number=card_a, reason="collapsed in Mina", actor=actor(world, "medic")
        )
        worker = service.lookup(
            session, card_number=card_a, reason="lost", actor=actor(world, "field_worker")
        )
        assert medic.health is not None
        assert medic.health.pilgrim_id == world.pilgrim_a.id
        assert medic.passport is None
        assert worker.health is None
        assert [e.reason for e in audit(session, "health.summary")] == ["collapsed in Mina"]

    def test_a_refused_scan_shows_nothing_and_is_recorded_with_its_verdict(
        self, session: Session, world: World, card_a: str
    ) -> None:
        service.revoke(session, card_number=card_a, reason="stolen", actor=SYSTEM)
        worker = actor(world, "field_worker")
        view = service.lookup(session, qr_text=_qr(session, card_a), reason="check", actor=worker)
        junk = service.lookup(session, qr_text="HJ1:NOPE", reason="check", actor=worker)
        assert (view.verdict.verdict, junk.verdict.verdict) == ("revoked", "unreadable")
        assert view.surname is None
        assert view.pilgrim_id is None
        scans = session.scalars(select(Scan).order_by(Scan.at)).all()
        assert [s.verdict for s in scans] == ["revoked", "unreadable"]
        assert [e.detail["verdict"] for e in audit(session, "card.scan")] == [  # type: ignore[index]
            "revoked", "unreadable"
        ]  # fmt: skip

    def test_a_retried_scan_with_the_same_nonce_is_recorded_once(
        self, session: Session, world: World, card_a: str
    ) -> None:
        worker = actor(world, "field_worker")
        first = service.lookup(session, card_number=card_a, reason="help", actor=worker, nonce="n1")
        again = service.lookup(session, card_number=card_a, reason="help", actor=worker, nonce="n1")
        assert again.scan_id == first.scan_id
        assert again.surname == first.surname == "Aminah"
        assert session.scalar(select(func.count()).select_from(Scan)) == 1

    def test_a_mistyped_card_number_is_unreadable(
        self, session: Session, world: World, card_a: str
    ) -> None:
        typo = card_a[:-1] + str((int(card_a[-1]) + 1) % 10)
        view = service.lookup(
            session, card_number=typo, reason="help", actor=actor(world, "field_worker")
        )
        assert view.verdict.verdict == "unreadable"
        assert "check digits" in view.verdict.reason

    def test_a_company_may_not_scan(self, session: Session, world: World, card_a: str) -> None:
        with pytest.raises(Forbidden, match="card:scan"):
            service.lookup(
                session, card_number=card_a, reason="x" * 5, actor=actor(world, "company")
            )
