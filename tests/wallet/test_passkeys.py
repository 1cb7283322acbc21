"""Passkeys: registration with attestation "none", and the step-up bound to one payment."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.orm import Session

from labbaik.settings import Settings
from labbaik.wallet import passkeys
from labbaik.wallet import service as wallet_service
from labbaik.wallet.errors import NoPasskey, PasskeyRegistrationFailed, StepUpFailed
from labbaik.wallet.gateway import SandboxGateway
from labbaik.wallet.schemas import PasskeyRegister, PaymentConfirm, PaymentRead, QuoteCreate
from tests.wallet.authenticator import SoftwareAuthenticator
from tests.wallet.conftest import Pilgrim, Till, top_up


def _register(
    session: Session, pilgrim: Pilgrim, settings: Settings, phone: SoftwareAuthenticator
) -> None:
    options = passkeys.registration_options(session, actor=pilgrim.actor, settings=settings)
    passkeys.register(
        session,
        actor=pilgrim.actor,
        register_in=PasskeyRegister(credential=phone.create(options), name="my phone"),
        settings=settings,
    )


def _big_quote(session: Session, pilgrim: Pilgrim, till: Till, settings: Settings) -> PaymentRead:
    return wallet_service.quote(
        session,
        actor=pilgrim.actor,
        quote_in=QuoteCreate(merchant_code=till.merchant.code, amount=30_000),
        settings=settings,
    )


def _ready(
    session: Session, pilgrim: Pilgrim, till: Till, gateway: SandboxGateway, settings: Settings
) -> tuple[SoftwareAuthenticator, PaymentRead, dict[str, Any]]:
    """A registered phone, money in the wallet, a quote above the limit and its step-up."""
    phone = SoftwareAuthenticator()
    _register(session, pilgrim, settings, phone)
    top_up(session, pilgrim, gateway, 90_000)
    quote = _big_quote(session, pilgrim, till, settings)
    options = passkeys.payment_options(
        session, actor=pilgrim.actor, payment_id=quote.id, settings=settings
    )
    return phone, quote, options


def _confirm(
    session: Session, pilgrim: Pilgrim, settings: Settings, quote: PaymentRead, assertion: object
) -> PaymentRead:
    return wallet_service.confirm_payment(
        session,
        actor=pilgrim.actor,
        payment_id=quote.id,
        confirm_in=PaymentConfirm(assertion=assertion),  # type: ignore[arg-type]
        settings=settings,
        idempotency_key=f"pay-{quote.id}",
    )


class TestRegister:
    def test_a_passkey_is_kept_with_its_public_key_sign_count_and_transports(
        self, session: Session, pilgrim: Pilgrim, settings: Settings
    ) -> None:
        _register(session, pilgrim, settings, SoftwareAuthenticator())
        [key] = passkeys.list_passkeys(session, actor=pilgrim.actor)
        assert (key.name, key.sign_count, key.transports) == ("my phone", 0, ["internal", "hybrid"])

    def test_an_answer_from_another_origin_is_refused(
        self, session: Session, pilgrim: Pilgrim, settings: Settings
    ) -> None:
        phone = SoftwareAuthenticator(origin="https://phishing.example")
        with pytest.raises(PasskeyRegistrationFailed):
            _register(session, pilgrim, settings, phone)

    def test_a_replayed_registration_is_refused(
        self, session: Session, pilgrim: Pilgrim, settings: Settings
    ) -> None:
        phone = SoftwareAuthenticator()
        options = passkeys.registration_options(session, actor=pilgrim.actor, settings=settings)
        answer = phone.create(options)
        passkeys.register(
            session, actor=pilgrim.actor, register_in=PasskeyRegister(credential=answer),
            settings=settings,
        )  # fmt: skip
        with pytest.raises(PasskeyRegistrationFailed):
            passkeys.register(
                session, actor=pilgrim.actor, register_in=PasskeyRegister(credential=answer),
                settings=settings,
            )  # fmt: skip


class TestStepUp:
    def test_the_passkey_confirms_a_payment_above_the_limit(
        self,
        session: Session,
        pilgrim: Pilgrim,
        till: Till,
        gateway: SandboxGateway,
        settings: Settings,
    ) -> None:
        phone = SoftwareAuthenticator()
        _register(session, pilgrim, settings, phone)
        top_up(session, pilgrim, gateway, 90_000)
        quote = _big_quote(session, pilgrim, till, settings)
        assert quote.step_up_required
        options = passkeys.payment_options(
            session, actor=pilgrim.actor, payment_id=quote.id, settings=settings
        )
        paid = _confirm(session, pilgrim, settings, quote, phone.get(options))
        assert paid.status == "paid"
        [key] = passkeys.list_passkeys(session, actor=pilgrim.actor)
        assert key.sign_count == 1

    def test_an_assertion_for_one_payment_cannot_confirm_another(
        self,
        session: Session,
        pilgrim: Pilgrim,
        till: Till,
        gateway: SandboxGateway,
        settings: Settings,
    ) -> None:
        phone = SoftwareAuthenticator()
        _register(session, pilgrim, settings, phone)
        top_up(session, pilgrim, gateway, 90_000)
        first = _big_quote(session, pilgrim, till, settings)
        second = _big_quote(session, pilgrim, till, settings)
        options = passkeys.payment_options(
            session, actor=pilgrim.actor, payment_id=first.id, settings=settings
        )
        with pytest.raises(StepUpFailed):
            _confirm(session, pilgrim, settings, second, phone.get(options))

    def test_an_assertion_without_user_verification_is_refused(
        self,
        session: Session,
        pilgrim: Pilgrim,
        till: Till,
        gateway: SandboxGateway,
        settings: Settings,
    ) -> None:
        phone, quote, options = _ready(session, pilgrim, till, gateway, settings)
        phone.user_verified = False
        with pytest.raises(StepUpFailed):
            _confirm(session, pilgrim, settings, quote, phone.get(options))

    def test_a_used_challenge_cannot_be_replayed(
        self,
        session: Session,
        pilgrim: Pilgrim,
        till: Till,
        gateway: SandboxGateway,
        settings: Settings,
    ) -> None:
        phone, quote, options = _ready(session, pilgrim, till, gateway, settings)
        assertion = phone.get(options)
        passkeys.verify_payment(
            session, actor=pilgrim.actor, payment_id=quote.id, assertion=assertion,
            settings=settings,
        )  # fmt: skip
        with pytest.raises(StepUpFailed):
            passkeys.verify_payment(
                session, actor=pilgrim.actor, payment_id=quote.id, assertion=assertion,
                settings=settings,
            )  # fmt: skip

    def test_without_a_passkey_there_is_no_step_up(
        self, session: Session, pilgrim: Pilgrim, till: Till, settings: Settings
    ) -> None:
        with pytest.raises(NoPasskey):
            passkeys.payment_options(
                session, actor=pilgrim.actor, payment_id=pilgrim.wallet.id, settings=settings
            )
