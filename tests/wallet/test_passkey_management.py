"""A pilgrim's own passkeys: listed, renamed and removed, audited, and no one else's."""

from __future__ import annotations

import re
import uuid

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from labbaik.auth import service as auth_service
from labbaik.auth.models import Account, AuditEntry
from labbaik.auth.roles import Actor
from labbaik.settings import Settings
from labbaik.wallet import passkeys
from labbaik.wallet.errors import PasskeyNotFound, PasskeyStillNeeded
from labbaik.wallet.gateway import SandboxGateway
from labbaik.wallet.schemas import PasskeyRead, PasskeyRegister, PasskeyUpdate
from tests.conftest import World
from tests.registry.test_pages import csrf_of, log_in
from tests.wallet.authenticator import SoftwareAuthenticator
from tests.wallet.conftest import Pilgrim, Till
from tests.wallet.test_passkeys import _confirm, _ready


def _registered(
    session: Session, pilgrim: Pilgrim, settings: Settings, name: str = "my phone"
) -> PasskeyRead:
    options = passkeys.registration_options(session, actor=pilgrim.actor, settings=settings)
    found = passkeys.register(
        session,
        actor=pilgrim.actor,
        register_in=PasskeyRegister(credential=SoftwareAuthenticator().create(options), name=name),
        settings=settings,
    )
    session.commit()
    return found


def _audited(session: Session, action: str) -> list[AuditEntry]:
    session.flush()
    return list(session.scalars(select(AuditEntry).where(AuditEntry.action == action)))


@pytest.fixture
def other_pilgrim(session: Session, world: World, password_hash: str) -> tuple[Actor, str]:
    """A second pilgrim's account: its actor and a bearer token."""
    account = Account(
        username="pilgrim-b", display_name="Abdullah", password_hash=password_hash,
        role="pilgrim", pilgrim_id=world.pilgrim_b.id,
    )  # fmt: skip
    session.add(account)
    session.flush()
    actor = auth_service.actor_for(account, origin="test")
    token = auth_service.mint_token(session, account_id=account.id, name="test", actor=actor).token
    session.commit()
    return actor, token


class TestService:
    def test_the_list_gives_name_device_and_when_added_and_used(
        self, session: Session, pilgrim: Pilgrim, till: Till, gateway: SandboxGateway,
        settings: Settings,
    ) -> None:  # fmt: skip
        phone, quote, options = _ready(session, pilgrim, till, gateway, settings)
        [before] = passkeys.list_passkeys(session, actor=pilgrim.actor)
        assert before.last_used_at is None
        _confirm(session, pilgrim, settings, quote, phone.get(options))
        [after] = passkeys.list_passkeys(session, actor=pilgrim.actor)
        assert after.name == "my phone"
        assert after.transports == ["internal", "hybrid"]
        assert after.last_used_at is not None
        assert after.last_used_at >= after.created_at

    def test_a_rename_is_kept_tidied_and_audited(
        self, session: Session, pilgrim: Pilgrim, settings: Settings
    ) -> None:
        key = _registered(session, pilgrim, settings)
        renamed = passkeys.rename_passkey(
            session,
            actor=pilgrim.actor,
            passkey_id=key.id,
            update_in=PasskeyUpdate(name="  Siti's   phone "),
        )
        assert renamed.name == "Siti's phone"
        [entry] = _audited(session, "passkey.rename")
        assert entry.detail == {"from": "my phone", "to": "Siti's phone"}

    def test_a_blank_name_is_refused(self) -> None:
        with pytest.raises(ValueError, match="the name is empty"):
            PasskeyUpdate(name="   ")

    def test_a_removed_passkey_no_longer_confirms_a_payment(
        self, session: Session, pilgrim: Pilgrim, till: Till, gateway: SandboxGateway,
        settings: Settings,
    ) -> None:  # fmt: skip
        phone, quote, options = _ready(session, pilgrim, till, gateway, settings)
        _confirm(session, pilgrim, settings, quote, phone.get(options))
        [key] = passkeys.list_passkeys(session, actor=pilgrim.actor)
        passkeys.delete_passkey(session, actor=pilgrim.actor, passkey_id=key.id)
        assert passkeys.list_passkeys(session, actor=pilgrim.actor) == []
        [entry] = _audited(session, "passkey.delete")
        assert (entry.object_id, entry.detail["name"]) == (str(key.id), "my phone")

    def test_the_last_passkey_stays_while_a_payment_above_the_limit_waits_for_it(
        self, session: Session, pilgrim: Pilgrim, till: Till, gateway: SandboxGateway,
        settings: Settings,
    ) -> None:  # fmt: skip
        _phone, quote, _options = _ready(session, pilgrim, till, gateway, settings)
        [key] = passkeys.list_passkeys(session, actor=pilgrim.actor)
        with pytest.raises(PasskeyStillNeeded, match=str(quote.id)):
            passkeys.delete_passkey(session, actor=pilgrim.actor, passkey_id=key.id)
        assert _audited(session, "passkey.delete") == []
        # With a second passkey registered, the first may go: the payment can still be confirmed.
        second = _registered(session, pilgrim, settings, name="tablet")
        passkeys.delete_passkey(session, actor=pilgrim.actor, passkey_id=key.id)
        assert [p.id for p in passkeys.list_passkeys(session, actor=pilgrim.actor)] == [second.id]

    def test_the_last_passkey_may_go_when_nothing_waits_for_it(
        self, session: Session, pilgrim: Pilgrim, till: Till, settings: Settings
    ) -> None:
        key = _registered(session, pilgrim, settings)
        passkeys.delete_passkey(session, actor=pilgrim.actor, passkey_id=key.id)
        assert passkeys.list_passkeys(session, actor=pilgrim.actor) == []

    def test_another_pilgrims_passkey_is_not_found(
        self, session: Session, pilgrim: Pilgrim, settings: Settings,
        other_pilgrim: tuple[Actor, str],
    ) -> None:  # fmt: skip
        key = _registered(session, pilgrim, settings)
        intruder, _token = other_pilgrim
        with pytest.raises(PasskeyNotFound):
            passkeys.get_passkey(session, actor=intruder, passkey_id=key.id)
        with pytest.raises(PasskeyNotFound):
            passkeys.rename_passkey(
                session, actor=intruder, passkey_id=key.id, update_in=PasskeyUpdate(name="mine")
            )
        with pytest.raises(PasskeyNotFound):
            passkeys.delete_passkey(session, actor=intruder, passkey_id=key.id)
        assert passkeys.get_passkey(session, actor=pilgrim.actor, passkey_id=key.id).name == (
            "my phone"
        )


class TestApi:
    def test_list_rename_and_delete(
        self, api: TestClient, world: World, session: Session, pilgrim: Pilgrim,
        settings: Settings,
    ) -> None:  # fmt: skip
        key = _registered(session, pilgrim, settings)
        headers = world.headers("pilgrim")
        listed = api.get("/api/v1/wallet/passkeys", headers=headers).json()
        assert [(p["id"], p["name"], p["last_used_at"]) for p in listed] == [
            (str(key.id), "my phone", None)
        ]
        renamed = api.patch(
            f"/api/v1/wallet/passkeys/{key.id}", json={"name": "old phone"}, headers=headers
        )
        assert (renamed.status_code, renamed.json()["name"]) == (200, "old phone")
        blank = api.patch(f"/api/v1/wallet/passkeys/{key.id}", json={"name": " "}, headers=headers)
        assert blank.status_code == 422
        deleted = api.delete(f"/api/v1/wallet/passkeys/{key.id}", headers=headers)
        assert deleted.status_code == 204
        assert api.get("/api/v1/wallet/passkeys", headers=headers).json() == []
        again = api.delete(f"/api/v1/wallet/passkeys/{key.id}", headers=headers)
        assert (again.status_code, again.json()["error"]) == (404, "passkey_not_found")

    def test_another_pilgrims_passkey_answers_404(
        self, api: TestClient, world: World, session: Session, pilgrim: Pilgrim,
        settings: Settings, other_pilgrim: tuple[Actor, str],
    ) -> None:  # fmt: skip
        key = _registered(session, pilgrim, settings)
        _actor, token = other_pilgrim
        theirs = {"Authorization": f"Bearer {token}"}
        assert api.get("/api/v1/wallet/passkeys", headers=theirs).json() == []
        for response in (
            api.get(f"/api/v1/wallet/passkeys/{key.id}", headers=theirs),
            api.patch(f"/api/v1/wallet/passkeys/{key.id}", json={"name": "x"}, headers=theirs),
            api.delete(f"/api/v1/wallet/passkeys/{key.id}", headers=theirs),
        ):
            assert (response.status_code, response.json()["error"]) == (404, "passkey_not_found")
        mine = api.get(f"/api/v1/wallet/passkeys/{key.id}", headers=world.headers("pilgrim"))
        assert mine.json()["name"] == "my phone"

    def test_the_last_passkey_is_kept_while_a_big_payment_waits(
        self, api: TestClient, world: World, session: Session, pilgrim: Pilgrim, till: Till,
        gateway: SandboxGateway, settings: Settings,
    ) -> None:  # fmt: skip
        _ready(session, pilgrim, till, gateway, settings)
        session.commit()
        [key] = passkeys.list_passkeys(session, actor=pilgrim.actor)
        refused = api.delete(f"/api/v1/wallet/passkeys/{key.id}", headers=world.headers("pilgrim"))
        assert (refused.status_code, refused.json()["error"]) == (409, "passkey_still_needed")

    def test_the_openapi_schema_documents_the_passkey_calls(self, api: TestClient) -> None:
        paths = api.get("/api/v1/openapi.json").json()["paths"]
        one = paths["/api/v1/wallet/passkeys/{passkey_id}"]
        assert {"get", "patch", "delete"} <= set(one)
        assert "404" in one["delete"]["responses"]
        assert "409" in one["delete"]["responses"]


class TestPages:
    def test_the_wallet_lists_the_passkeys_in_arabic(
        self, api: TestClient, world: World, session: Session, pilgrim: Pilgrim,
        settings: Settings,
    ) -> None:  # fmt: skip
        _registered(session, pilgrim, settings, name="هاتف سيتي")
        log_in(api, "pilgrim")
        page = api.get("/wallet?lang=ar").text
        assert "مفاتيح المرور" in page
        assert "هاتف سيتي" in page
        assert "مدمج في هذا الهاتف أو الحاسوب" in page
        assert "لم يُستخدم بعد" in page

    def test_a_passkey_is_renamed_then_removed_after_a_confirmation(
        self, api: TestClient, world: World, session: Session, pilgrim: Pilgrim,
        settings: Settings,
    ) -> None:  # fmt: skip
        key = _registered(session, pilgrim, settings)
        log_in(api, "pilgrim")
        page = api.get("/wallet").text
        renamed = api.post(
            f"/wallet/passkeys/{key.id}/rename",
            data={"csrf_token": csrf_of(page), "name": "work phone"},
            follow_redirects=False,
        )
        assert renamed.status_code == 303
        page = api.get("/wallet").text
        assert "work phone" in page
        assert f'href="/wallet/passkeys/{key.id}/delete"' in page

        confirm = api.get(f"/wallet/passkeys/{key.id}/delete").text
        assert "This is your only passkey" in confirm
        assert "work phone" in confirm
        assert len(passkeys.list_passkeys(session, actor=pilgrim.actor)) == 1  # asking removed none
        removed = api.post(
            f"/wallet/passkeys/{key.id}/delete",
            data={"csrf_token": csrf_of(confirm)},
            follow_redirects=False,
        )
        assert removed.status_code == 303
        session.expire_all()
        assert passkeys.list_passkeys(session, actor=pilgrim.actor) == []
        assert "No passkey yet" in api.get("/wallet").text

    def test_removing_without_the_pages_token_is_refused(
        self, api: TestClient, world: World, session: Session, pilgrim: Pilgrim,
        settings: Settings,
    ) -> None:  # fmt: skip
        key = _registered(session, pilgrim, settings)
        log_in(api, "pilgrim")
        refused = api.post(f"/wallet/passkeys/{key.id}/delete", data={"csrf_token": "forged"})
        assert refused.status_code == 403
        session.expire_all()
        assert len(passkeys.list_passkeys(session, actor=pilgrim.actor)) == 1

    def test_the_page_says_why_the_last_passkey_stays(
        self, api: TestClient, world: World, session: Session, pilgrim: Pilgrim, till: Till,
        gateway: SandboxGateway, settings: Settings,
    ) -> None:  # fmt: skip
        _ready(session, pilgrim, till, gateway, settings)
        session.commit()
        [key] = passkeys.list_passkeys(session, actor=pilgrim.actor)
        log_in(api, "pilgrim")
        confirm = api.get(f"/wallet/passkeys/{key.id}/delete?lang=ar").text
        refused = api.post(
            f"/wallet/passkeys/{key.id}/delete", data={"csrf_token": csrf_of(confirm)}
        )
        assert refused.status_code == 409
        assert "بانتظار مفتاح المرور" in refused.text

    def test_another_pilgrims_passkey_page_is_not_found(
        self, api: TestClient, world: World, session: Session, pilgrim: Pilgrim,
        settings: Settings,
    ) -> None:  # fmt: skip
        log_in(api, "pilgrim")
        assert api.get(f"/wallet/passkeys/{uuid.uuid4()}/delete").status_code == 404

    def test_a_blank_name_on_the_page_says_what_is_wrong(
        self, api: TestClient, world: World, session: Session, pilgrim: Pilgrim,
        settings: Settings,
    ) -> None:  # fmt: skip
        key = _registered(session, pilgrim, settings)
        log_in(api, "pilgrim")
        page = api.get("/wallet").text
        refused = api.post(
            f"/wallet/passkeys/{key.id}/rename", data={"csrf_token": csrf_of(page), "name": "  "}
        )
        assert refused.status_code == 422
        assert re.search(r"name: give the passkey a name", refused.text)
        assert "my phone" in refused.text
