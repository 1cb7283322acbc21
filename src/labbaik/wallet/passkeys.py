"""Passkeys (WebAuthn): a pilgrim registers one, and it confirms payments above the limit.

A payment's challenge starts with the quote's id and is stored against it, so an assertion
made for one payment can confirm that payment only, and only once.

A pilgrim sees, renames and removes their own passkeys; another account's passkey is "not
found". Removing one is audited. The last passkey is not removed while a payment above the limit
waits for a passkey's confirmation (a quote the pilgrim opened, or a till's request): that payment
could then not be confirmed at all. Otherwise the last one may go, as a lost phone's should, and
the next payment above the limit asks for a new passkey.
"""

from __future__ import annotations

import json
import secrets
import uuid
from datetime import timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session
from webauthn import (
    generate_authentication_options,
    generate_registration_options,
    options_to_json,
    verify_authentication_response,
    verify_registration_response,
)
from webauthn.helpers import base64url_to_bytes, bytes_to_base64url
from webauthn.helpers.exceptions import InvalidAuthenticationResponse, InvalidRegistrationResponse
from webauthn.helpers.structs import (
    AuthenticatorSelectionCriteria,
    AuthenticatorTransport,
    PublicKeyCredentialDescriptor,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

from labbaik.auth import service as auth_service
from labbaik.auth.roles import Actor, Scope
from labbaik.kit.timeutil import as_utc, utcnow
from labbaik.settings import Settings
from labbaik.wallet.errors import (
    NoPasskey,
    PasskeyNotFound,
    PasskeyRegistrationFailed,
    PasskeyStillNeeded,
    StepUpFailed,
)
from labbaik.wallet.models import Passkey, PasskeyChallenge, Payment, Wallet
from labbaik.wallet.schemas import PasskeyRead, PasskeyRegister, PasskeyUpdate

CHALLENGE_SECONDS = 300
_TRANSPORTS = {t.value for t in AuthenticatorTransport}


def _account_id(actor: Actor) -> uuid.UUID:
    auth_service.require(actor, Scope.WALLET_OWN)
    if actor.account_id is None:
        raise StepUpFailed("passkeys belong to a person's account")
    return actor.account_id


def _descriptors(session: Session, account_id: uuid.UUID) -> list[PublicKeyCredentialDescriptor]:
    rows = session.scalars(select(Passkey).where(Passkey.account_id == account_id))
    return [
        PublicKeyCredentialDescriptor(
            id=row.credential_id,
            transports=[AuthenticatorTransport(t) for t in row.transports if t in _TRANSPORTS],
        )
        for row in rows
    ]


def _store_challenge(
    session: Session, *, account_id: uuid.UUID, purpose: str, challenge: bytes,
    payment_id: uuid.UUID | None = None,
) -> None:  # fmt: skip
    session.add(
        PasskeyChallenge(
            account_id=account_id,
            purpose=purpose,
            payment_id=payment_id,
            challenge=challenge,
            expires_at=utcnow() + timedelta(seconds=CHALLENGE_SECONDS),
        )
    )
    session.flush()


def registration_options(session: Session, *, actor: Actor, settings: Settings) -> dict[str, Any]:
    """What navigator.credentials.create() needs to make a passkey for this account."""
    account_id = _account_id(actor)
    challenge = secrets.token_bytes(32)
    options = generate_registration_options(
        rp_id=settings.webauthn_rp_id,
        rp_name=settings.webauthn_rp_name,
        user_name=actor.username,
        user_id=account_id.bytes,
        challenge=challenge,
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.PREFERRED,
            user_verification=UserVerificationRequirement.REQUIRED,
        ),
        exclude_credentials=_descriptors(session, account_id),
    )
    _store_challenge(session, account_id=account_id, purpose="register", challenge=challenge)
    out: dict[str, Any] = json.loads(options_to_json(options))
    return out


def _client_challenge(credential: dict[str, Any]) -> bytes:
    """The challenge the browser signed, read from clientDataJSON, to find our stored one."""
    try:
        client_data = json.loads(base64url_to_bytes(credential["response"]["clientDataJSON"]))
        return base64url_to_bytes(client_data["challenge"])
    except (KeyError, TypeError, ValueError):
        raise StepUpFailed("the passkey's answer is not readable") from None


def _take_challenge(
    session: Session, *, account_id: uuid.UUID, purpose: str, challenge: bytes
) -> PasskeyChallenge:
    row = session.scalar(
        select(PasskeyChallenge)
        .where(
            PasskeyChallenge.challenge == challenge,
            PasskeyChallenge.account_id == account_id,
            PasskeyChallenge.purpose == purpose,
        )
        .with_for_update()
    )
    if row is None or row.used_at is not None or as_utc(row.expires_at) <= utcnow():
        raise StepUpFailed("the passkey answered an unknown, used or expired challenge: try again")
    row.used_at = utcnow()
    return row


def register(
    session: Session, *, actor: Actor, register_in: PasskeyRegister, settings: Settings
) -> PasskeyRead:
    """Check the authenticator's attestation and keep its public key and sign count."""
    account_id = _account_id(actor)
    try:
        challenge = _client_challenge(register_in.credential)
        _take_challenge(session, account_id=account_id, purpose="register", challenge=challenge)
        verified = verify_registration_response(
            credential=register_in.credential,
            expected_challenge=challenge,
            expected_rp_id=settings.webauthn_rp_id,
            expected_origin=settings.webauthn_origins,
            require_user_verification=True,
        )
    except (InvalidRegistrationResponse, StepUpFailed) as exc:
        raise PasskeyRegistrationFailed(f"the passkey could not be registered: {exc}") from None
    if session.scalar(select(Passkey.id).where(Passkey.credential_id == verified.credential_id)):
        raise PasskeyRegistrationFailed("this passkey is registered already")
    transports = register_in.credential.get("response", {}).get("transports") or []
    row = Passkey(
        account_id=account_id,
        credential_id=verified.credential_id,
        public_key=verified.credential_public_key,
        sign_count=verified.sign_count,
        transports=[t for t in transports if t in _TRANSPORTS],
        name=register_in.name,
    )
    session.add(row)
    session.flush()
    auth_service.record(
        session, actor=actor, action="passkey.register", object_type="passkey", object_id=row.id
    )
    return PasskeyRead.model_validate(row)


def list_passkeys(session: Session, *, actor: Actor) -> list[PasskeyRead]:
    account_id = _account_id(actor)
    rows = session.scalars(
        select(Passkey).where(Passkey.account_id == account_id).order_by(Passkey.created_at)
    )
    return [PasskeyRead.model_validate(r) for r in rows]


def _own_passkey(session: Session, *, account_id: uuid.UUID, passkey_id: uuid.UUID) -> Passkey:
    row = session.scalar(
        select(Passkey)
        .where(Passkey.id == passkey_id, Passkey.account_id == account_id)
        .with_for_update()
    )
    if row is None:
        raise PasskeyNotFound(f"you have no passkey {passkey_id}")
    return row


def get_passkey(session: Session, *, actor: Actor, passkey_id: uuid.UUID) -> PasskeyRead:
    account_id = _account_id(actor)
    return PasskeyRead.model_validate(
        _own_passkey(session, account_id=account_id, passkey_id=passkey_id)
    )


def rename_passkey(
    session: Session, *, actor: Actor, passkey_id: uuid.UUID, update_in: PasskeyUpdate
) -> PasskeyRead:
    account_id = _account_id(actor)
    row = _own_passkey(session, account_id=account_id, passkey_id=passkey_id)
    before = row.name
    row.name = update_in.name
    session.flush()
    if before != row.name:
        auth_service.record(
            session,
            actor=actor,
            action="passkey.rename",
            object_type="passkey",
            object_id=row.id,
            detail={"from": before, "to": row.name},
        )
    return PasskeyRead.model_validate(row)


def _waiting_for_step_up(session: Session, actor: Actor) -> Payment | None:
    """The pilgrim's open payment that only a passkey can confirm, if there is one."""
    if actor.pilgrim_id is None:
        return None
    return session.scalar(
        select(Payment)
        .join(Wallet, Wallet.id == Payment.wallet_id)
        .where(
            Wallet.pilgrim_id == actor.pilgrim_id,
            Payment.status == "quoted",
            Payment.step_up_required.is_(True),
            Payment.expires_at > utcnow(),
        )
        .order_by(Payment.created_at)
        .limit(1)
    )


def delete_passkey(session: Session, *, actor: Actor, passkey_id: uuid.UUID) -> None:
    """Remove one of the pilgrim's passkeys (the page asks them to confirm first)."""
    account_id = _account_id(actor)
    row = _own_passkey(session, account_id=account_id, passkey_id=passkey_id)
    others = session.scalar(
        select(Passkey.id).where(Passkey.account_id == account_id, Passkey.id != row.id).limit(1)
    )
    if others is None:
        waiting = _waiting_for_step_up(session, actor)
        if waiting is not None:
            raise PasskeyStillNeeded(
                f"payment {waiting.id} above the limit waits for a passkey: confirm or decline "
                "it first (a quote not confirmed lapses within minutes), or register another "
                "passkey before removing this one"
            )
    detail = {"name": row.name, "credential": bytes_to_base64url(row.credential_id)[:16]}
    session.delete(row)
    session.flush()
    auth_service.record(
        session,
        actor=actor,
        action="passkey.delete",
        object_type="passkey",
        object_id=passkey_id,
        detail=detail,
    )


def payment_options(
    session: Session, *, actor: Actor, payment_id: uuid.UUID, settings: Settings
) -> dict[str, Any]:
    """What navigator.credentials.get() needs to confirm one payment."""
    account_id = _account_id(actor)
    allowed = _descriptors(session, account_id)
    if not allowed:
        raise NoPasskey("register a passkey on this phone first: this payment needs one")
    challenge = payment_id.bytes + secrets.token_bytes(16)
    options = generate_authentication_options(
        rp_id=settings.webauthn_rp_id,
        challenge=challenge,
        allow_credentials=allowed,
        user_verification=UserVerificationRequirement.REQUIRED,
    )
    _store_challenge(
        session,
        account_id=account_id,
        purpose="payment",
        challenge=challenge,
        payment_id=payment_id,
    )
    out: dict[str, Any] = json.loads(options_to_json(options))
    return out


def verify_payment(
    session: Session,
    *,
    actor: Actor,
    payment_id: uuid.UUID,
    assertion: dict[str, Any],
    settings: Settings,
) -> None:
    """The step-up: a user-verified assertion over a challenge issued for this payment."""
    account_id = _account_id(actor)
    challenge = _client_challenge(assertion)
    if challenge[:16] != payment_id.bytes:
        raise StepUpFailed("the passkey confirmed another payment, not this one")
    row = _take_challenge(session, account_id=account_id, purpose="payment", challenge=challenge)
    if row.payment_id != payment_id:
        raise StepUpFailed("the passkey confirmed another payment, not this one")
    try:
        raw_id = base64url_to_bytes(str(assertion.get("rawId") or assertion.get("id") or ""))
    except ValueError:
        raise StepUpFailed("the passkey's answer names no credential") from None
    passkey = session.scalar(
        select(Passkey).where(Passkey.credential_id == raw_id, Passkey.account_id == account_id)
    )
    if passkey is None:
        raise StepUpFailed("this passkey is not registered to your account")
    try:
        verified = verify_authentication_response(
            credential=assertion,
            expected_challenge=challenge,
            expected_rp_id=settings.webauthn_rp_id,
            expected_origin=settings.webauthn_origins,
            credential_public_key=passkey.public_key,
            credential_current_sign_count=passkey.sign_count,
            require_user_verification=True,
        )
    except InvalidAuthenticationResponse as exc:
        raise StepUpFailed(f"the passkey did not confirm the payment: {exc}") from None
    passkey.sign_count = verified.new_sign_count
    passkey.last_used_at = utcnow()
    auth_service.record(
        session,
        actor=actor,
        action="passkey.step_up",
        object_type="payment",
        object_id=payment_id,
        detail={"passkey": bytes_to_base64url(passkey.credential_id)[:16]},
    )
