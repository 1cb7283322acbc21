"""The till reads the pilgrim's card, and the pilgrim confirms the request on the phone."""

from __future__ import annotations

import uuid

import cbor2
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select, update
from sqlalchemy.orm import Session

from labbaik.auth import service as auth_service
from labbaik.auth.models import Account, AuditEntry
from labbaik.auth.roles import system_actor
from labbaik.cards import credential
from labbaik.cards import service as cards_service
from labbaik.cards.models import Scan
from labbaik.cards.schemas import CardRead
from labbaik.db import session_scope
from labbaik.kit import cose
from labbaik.settings import Settings
from labbaik.wallet import merchants
from labbaik.wallet import service as wallet_service
from labbaik.wallet.errors import CardRevoked, PaymentNotFound
from labbaik.wallet.models import IdempotentRequest, Merchant, Payment
from labbaik.wallet.schemas import MerchantCreate, PaymentRequestCreate
from tests.conftest import World, unique
from tests.registry.test_pages import log_in
from tests.wallet.conftest import OPERATOR, Pilgrim, Till, top_up

SYSTEM = system_actor("test")
REQUESTS = "/api/v1/merchants/me/requests"


def _forged(qr_text: str) -> str:
    """The card's text with another name in its claims and the original signature."""
    message = cose.decode_sign1(credential.message_from_body(credential.body_from_text(qr_text)))
    claims = credential.decode_claims(message.payload)
    forged = claims.model_copy(update={"given_names": "Somebody"})
    tagged = cbor2.CBORTag(
        18, [message.protected_bytes, {}, credential.encode_claims(forged), message.signature]
    )
    return credential.qr_text_for(credential.body_for(cbor2.dumps(tagged)))


def _payments(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Payment)) or 0


class TestRequestByCard:
    def test_a_valid_card_s_qr_text_asks_its_holder_who_confirms_on_the_phone(
        self, api: TestClient, world: World, session: Session, gateway: object,
        pilgrim: Pilgrim, till: Till, card: CardRead,
    ) -> None:  # fmt: skip
        top_up(session, pilgrim, gateway, 5_000)  # type: ignore[arg-type]
        asked = api.post(
            REQUESTS,
            json={"card": card.qr_text, "amount": 1_500, "note": "dates"},
            headers=world.headers("merchant"),
        )
        assert asked.status_code == 201, asked.text
        body = asked.json()
        assert (body["wallet_id"], body["payer"]) == (str(pilgrim.wallet.id), "Siti A.")
        assert not {"passport_number", "pilgrim_id", "surname", "camp"} & set(body)
        waiting = api.get("/api/v1/wallet/requests", headers=world.headers("pilgrim")).json()
        assert [w["id"] for w in waiting] == [body["id"]]
        paid = api.post(
            f"/api/v1/wallet/payments/{body['id']}/confirm",
            headers=world.headers("pilgrim") | {"Idempotency-Key": uuid.uuid4().hex},
        )
        assert paid.json()["status"] == "paid", paid.text

    def test_the_card_read_is_recorded_as_a_scan_and_in_the_audit_log(
        self, session: Session, pilgrim: Pilgrim, till: Till, card: CardRead, settings: Settings
    ) -> None:
        wallet_service.request_payment(
            session,
            actor=till.actor,
            request_in=PaymentRequestCreate(card=card.qr_text, amount=500),
            settings=settings,
        )
        scans = cards_service.list_scans(session, actor=OPERATOR)
        assert [(s.card_number, s.verdict, s.actor_username) for s in scans] == [
            (card.card_number, "valid", "merchant")
        ]
        audited = session.scalars(
            select(AuditEntry.actor_username).where(AuditEntry.action == "card.payment_read")
        ).all()
        assert audited == ["merchant"]

    def test_a_typed_card_number_works_too(
        self, api: TestClient, world: World, pilgrim: Pilgrim, till: Till, card: CardRead
    ) -> None:
        typed = card.card_number[:4] + " " + card.card_number[4:].lower()
        asked = api.post(
            REQUESTS, json={"card": typed, "amount": 800}, headers=world.headers("merchant")
        )
        assert asked.status_code == 201, asked.text
        assert asked.json()["wallet_id"] == str(pilgrim.wallet.id)

    def test_a_revoked_card_is_refused_and_nothing_is_asked(
        self, session: Session, pilgrim: Pilgrim, till: Till, card: CardRead, settings: Settings
    ) -> None:
        cards_service.revoke(session, card_number=card.card_number, reason="stolen", actor=SYSTEM)
        with pytest.raises(CardRevoked, match="revoked"):
            wallet_service.request_payment(
                session,
                actor=till.actor,
                request_in=PaymentRequestCreate(card=card.qr_text, amount=500),
                settings=settings,
            )
        assert _payments(session) == 0

    def test_a_tampered_text_is_refused_with_its_code_and_nothing_is_asked(
        self, api: TestClient, world: World, session: Session, pilgrim: Pilgrim, till: Till,
        card: CardRead,
    ) -> None:  # fmt: skip
        refused = api.post(
            REQUESTS, json={"card": _forged(card.qr_text), "amount": 500},
            headers=world.headers("merchant"),
        )  # fmt: skip
        assert (refused.status_code, refused.json()["error"]) == (422, "card_tampered")
        assert _payments(session) == 0

    def test_an_unknown_number_is_unreadable(
        self, api: TestClient, world: World, pilgrim: Pilgrim, till: Till, card: CardRead
    ) -> None:
        refused = api.post(
            REQUESTS, json={"card": "NOT-A-CARD", "amount": 500}, headers=world.headers("merchant")
        )
        assert (refused.status_code, refused.json()["error"]) == (422, "card_unreadable")
        assert "check digits" in refused.json()["detail"]

    def test_a_card_and_a_pilgrim_id_together_are_refused(
        self, api: TestClient, world: World, till: Till, card: CardRead
    ) -> None:
        both = {"card": card.card_number, "pilgrim_id": str(world.pilgrim_a.id), "amount": 5}
        refused = api.post(REQUESTS, json=both, headers=world.headers("merchant"))
        assert (refused.status_code, refused.json()["error"]) == (422, "invalid_input")

    def test_a_retry_with_the_same_key_returns_the_first_answer(
        self, api: TestClient, world: World, pilgrim: Pilgrim, till: Till, card: CardRead
    ) -> None:
        body = {"card": card.qr_text, "amount": 700}
        headers = world.headers("merchant") | {"Idempotency-Key": "till-card-7"}
        first = api.post(REQUESTS, json=body, headers=headers)
        again = api.post(REQUESTS, json=body, headers=headers)
        assert (first.status_code, again.json()) == (201, first.json())
        waiting = api.get("/api/v1/wallet/requests", headers=world.headers("pilgrim")).json()
        assert [w["id"] for w in waiting] == [first.json()["id"]]


class TestAnotherMerchant:
    def test_cannot_see_the_request(
        self, session: Session, world: World, pilgrim: Pilgrim, till: Till, card: CardRead,
        settings: Settings,
    ) -> None:  # fmt: skip
        asked = wallet_service.request_payment(
            session,
            actor=till.actor,
            request_in=PaymentRequestCreate(card=card.card_number, amount=500),
            settings=settings,
        )
        other = merchants.create_merchant(
            session,
            merchant_in=MerchantCreate(name=unique("Other Shop "), category="food"),
            actor=OPERATOR,
            settings=settings,
        )
        account = Account(
            username=unique("merchant-b-"),
            display_name="Other",
            password_hash=world.accounts["merchant"].password_hash,
            role="merchant",
        )
        session.add(account)
        session.flush()
        merchants.add_member(session, merchant_id=other.id, account_id=account.id, actor=OPERATOR)
        stranger = auth_service.actor_for(account, origin="test")
        with pytest.raises(PaymentNotFound):
            wallet_service.get_payment(session, actor=stranger, payment_id=asked.id)


def _scans(session: Session, card_number: str) -> list[str]:
    session.rollback()  # a fresh snapshot: the request committed in its own session
    rows = session.scalars(select(Scan.verdict).where(Scan.card_number == card_number))
    return list(rows)


def _payment_reads(session: Session) -> list[str]:
    rows = session.scalars(
        select(AuditEntry.detail).where(AuditEntry.action == "card.payment_read")
    )
    return [d["verdict"] for d in rows if d]


class TestARefusedReadIsKept:
    """Every read of a card is recorded, the refused ones too: the refusal undoes everything of
    the request but the scan and its audit entry."""

    def test_a_revoked_card_s_read_is_in_the_database_after_the_refusal(
        self, api: TestClient, world: World, session: Session, pilgrim: Pilgrim, till: Till,
        card: CardRead,
    ) -> None:  # fmt: skip
        cards_service.revoke(session, card_number=card.card_number, reason="stolen", actor=SYSTEM)
        session.commit()
        refused = api.post(
            REQUESTS, json={"card": card.qr_text, "amount": 500}, headers=world.headers("merchant")
        )
        assert (refused.status_code, refused.json()["error"]) == (422, "card_revoked")
        assert _scans(session, card.card_number) == ["revoked"]
        assert _payment_reads(session) == ["revoked"]
        assert _payments(session) == 0

    def test_a_valid_card_of_a_pilgrim_without_a_wallet_is_refused_and_its_read_kept(
        self, api: TestClient, world: World, session: Session, till: Till, card: CardRead
    ) -> None:
        refused = api.post(
            REQUESTS, json={"card": card.qr_text, "amount": 500}, headers=world.headers("merchant")
        )
        assert (refused.status_code, refused.json()["error"]) == (404, "wallet_not_found")
        assert _scans(session, card.card_number) == ["valid"]
        assert _payments(session) == 0

    def test_a_refusal_before_any_read_keeps_nothing(
        self, api: TestClient, world: World, session: Session, till: Till, card: CardRead
    ) -> None:
        both = {"card": card.card_number, "pilgrim_id": str(world.pilgrim_a.id), "amount": 5}
        refused = api.post(REQUESTS, json=both, headers=world.headers("merchant"))
        assert refused.status_code == 422
        assert _scans(session, card.card_number) == []

    def test_an_inactive_merchant_is_refused_before_the_card_is_read(
        self, api: TestClient, world: World, session: Session, pilgrim: Pilgrim, till: Till,
        card: CardRead,
    ) -> None:  # fmt: skip
        session.execute(update(Merchant).values(is_active=False))
        session.commit()
        refused = api.post(
            REQUESTS, json={"card": card.qr_text, "amount": 500}, headers=world.headers("merchant")
        )
        assert (refused.status_code, refused.json()["error"]) == (409, "merchant_inactive")
        assert _scans(session, card.card_number) == []

    def test_a_retry_with_the_same_key_is_read_again_and_then_pays_once_reinstated(
        self, api: TestClient, world: World, session: Session, pilgrim: Pilgrim, till: Till,
        card: CardRead,
    ) -> None:  # fmt: skip
        cards_service.suspend(session, card_number=card.card_number, reason="check", actor=OPERATOR)
        session.commit()
        body = {"card": card.qr_text, "amount": 900}
        headers = world.headers("merchant") | {"Idempotency-Key": "till-suspended-1"}
        first = api.post(REQUESTS, json=body, headers=headers)
        again = api.post(REQUESTS, json=body, headers=headers)
        assert [first.json()["error"], again.json()["error"]] == ["card_suspended"] * 2
        # No half-written answer was kept for the key: each retry is a new, recorded read.
        assert _scans(session, card.card_number) == ["suspended", "suspended"]
        assert session.scalar(select(func.count()).select_from(IdempotentRequest)) == 0
        cards_service.reinstate(
            session, card_number=card.card_number, reason="checked", actor=OPERATOR
        )
        session.commit()
        paid = api.post(REQUESTS, json=body, headers=headers)
        replayed = api.post(REQUESTS, json=body, headers=headers)
        assert (paid.status_code, replayed.json()) == (201, paid.json())
        assert _scans(session, card.card_number) == ["suspended", "suspended", "valid"]
        assert _payments(session) == 1

    def test_the_service_leaves_the_read_for_the_edge_to_commit(
        self, engine: Engine, session: Session, pilgrim: Pilgrim, till: Till, card: CardRead,
        settings: Settings,
    ) -> None:  # fmt: skip
        cards_service.revoke(session, card_number=card.card_number, reason="stolen", actor=SYSTEM)
        session.commit()
        with pytest.raises(CardRevoked), session_scope(engine) as unit:
            wallet_service.request_payment(
                unit,
                actor=till.actor,
                request_in=PaymentRequestCreate(card=card.card_number, amount=500),
                settings=settings,
                idempotency_key="cli-1",
            )
        assert _scans(session, card.card_number) == ["revoked"]
        assert session.scalar(select(func.count()).select_from(IdempotentRequest)) == 0


class TestThePayerOnTheTill:
    def test_the_masked_name_is_kept_with_the_request_for_the_merchant(
        self, api: TestClient, world: World, pilgrim: Pilgrim, till: Till, card: CardRead
    ) -> None:
        asked = api.post(
            REQUESTS, json={"card": card.qr_text, "amount": 650}, headers=world.headers("merchant")
        ).json()
        read = api.get(f"/api/v1/merchants/me/payments/{asked['id']}",
                       headers=world.headers("merchant")).json()  # fmt: skip
        listed = api.get(REQUESTS, headers=world.headers("merchant")).json()
        assert read["payer"] == "Siti A."
        assert [(r["id"], r["payer"]) for r in listed] == [(asked["id"], "Siti A.")]

    def test_a_request_by_pilgrim_id_names_no_payer(
        self, api: TestClient, world: World, pilgrim: Pilgrim, till: Till
    ) -> None:
        asked = api.post(
            REQUESTS, json={"pilgrim_id": str(world.pilgrim_a.id), "amount": 650},
            headers=world.headers("merchant"),
        )  # fmt: skip
        assert asked.status_code == 201, asked.text
        assert api.get(REQUESTS, headers=world.headers("merchant")).json()[0]["payer"] is None

    def test_the_till_page_lists_the_payer_in_english_and_arabic(
        self, api: TestClient, world: World, pilgrim: Pilgrim, till: Till, card: CardRead
    ) -> None:
        api.post(REQUESTS, json={"card": card.card_number, "amount": 650},
                 headers=world.headers("merchant"))  # fmt: skip
        log_in(api, "merchant")
        english = api.get("/till?lang=en").text
        arabic = api.get("/till?lang=ar").text
        assert 'Pilgrim (from the card): <bdi class="payer">Siti A.</bdi>' in english
        assert 'الحاج (من البطاقة): <bdi class="payer">Siti A.</bdi>' in arabic
        assert "6.50 SAR" in english
