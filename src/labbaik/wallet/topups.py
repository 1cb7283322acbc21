"""Top-ups: a charge at the payment gateway, a hold on the wallet, settled by the gateway's word.

The gateway answers a charge "processing"; its signed webhook (or, when every webhook was lost,
the answer to a status query, `wallet.tasks`) then posts or voids the hold on the wallet, once.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from labbaik.auth import service as auth_service
from labbaik.auth.roles import Actor, Scope
from labbaik.kit.timeutil import as_utc, utcnow
from labbaik.ledger import service as ledger_service
from labbaik.ledger.schemas import ResultCode, TransferCreate, TransferFlag
from labbaik.settings import Settings
from labbaik.wallet import idempotency, ledgering, merchants
from labbaik.wallet.errors import (
    GatewayUnavailable,
    TopUpNotFound,
    WebhookTooEarly,
)
from labbaik.wallet.gateway import GatewayTimeout, PaymentGateway, SandboxGateway
from labbaik.wallet.models import GatewayEvent, TopUp, Wallet
from labbaik.wallet.schemas import (
    TopUpCreate,
    TopUpRead,
    WebhookAck,
)
from labbaik.wallet.service import wallet_row, wallets_for

# Gateways ---------------------------------------------------------------------------------------


def gateway_for(settings: Settings) -> PaymentGateway:
    """The configured payment gateway; production names a real one or has none."""
    if settings.wallet_gateway_name == "sandbox":
        return SandboxGateway(
            merchants.derived_key(settings, "sandbox-webhook"),
            tolerance=settings.wallet_webhook_tolerance_seconds,
        )
    raise GatewayUnavailable("no payment gateway is configured: top-ups are not possible")


# Top-ups ----------------------------------------------------------------------------------------


def _topup_read(topup: TopUp) -> TopUpRead:
    read = TopUpRead.model_validate(topup)
    lapsed = as_utc(topup.created_at) + timedelta(seconds=ledgering.TOPUP_TIMEOUT_SECONDS)
    if read.status == "pending" and lapsed <= utcnow():
        # The ledger has let the hold go; a late confirmation would still credit the wallet.
        read.status = "expired"
    return read


def start_topup(
    session: Session,
    *,
    actor: Actor,
    topup_in: TopUpCreate,
    gateway: PaymentGateway,
    idempotency_key: str | None,
) -> TopUpRead:
    """Charge a card through the gateway: a pending credit now, posted when it confirms."""
    auth_service.require(actor, Scope.WALLET_OWN)

    def run() -> TopUpRead:
        wallet = wallet_row(session, actor=actor)
        topup = TopUp(
            wallet_id=wallet.id,
            amount=topup_in.amount,
            currency=wallet.currency,
            gateway=gateway.name,
        )
        session.add(topup)
        session.flush()
        ledgering.move(session, [_topup_credit(topup, wallet, leg="hold", pending=True)])
        try:
            intent = gateway.create_intent(
                session,
                reference=str(topup.id),
                amount=topup.amount,
                currency=topup.currency,
                card=topup_in.card,
            )
            topup.gateway_intent_id = intent.id
        except GatewayTimeout:
            # The charge may exist on the gateway's side: its webhook names our reference, so
            # the top-up stays pending and is settled when the notification arrives.
            pass
        auth_service.record(
            session,
            actor=actor,
            action="wallet.topup",
            object_type="topup",
            object_id=topup.id,
            detail={"amount": topup.amount},
        )
        session.flush()
        return _topup_read(topup)

    return idempotency.once(
        session,
        actor=actor,
        operation="wallet.topup",
        key=idempotency_key,
        request=topup_in.model_dump(),
        answer=TopUpRead,
        run=run,
    )


def get_topup(session: Session, *, actor: Actor, topup_id: uuid.UUID) -> TopUpRead:
    topup = session.scalar(
        select(TopUp)
        .join(Wallet, Wallet.id == TopUp.wallet_id)
        .where(TopUp.id == topup_id, Wallet.id.in_(wallets_for(actor).with_only_columns(Wallet.id)))
    )
    if topup is None:
        raise TopUpNotFound("no such top-up")
    return _topup_read(topup)


def list_topups(session: Session, *, actor: Actor, limit: int = 20) -> list[TopUpRead]:
    wallet = wallet_row(session, actor=actor)
    rows = session.scalars(
        select(TopUp)
        .where(TopUp.wallet_id == wallet.id)
        .order_by(TopUp.created_at.desc())
        .limit(limit)
    )
    return [_topup_read(t) for t in rows]


def _topup_credit(topup: TopUp, wallet: Wallet, *, leg: str, pending: bool) -> TransferCreate:
    """Gateway clearing to the wallet: a hold while the charge is pending, or a plain credit."""
    return TransferCreate(
        id=ledgering.transfer_id(topup.id, leg),
        debit_account_id=ledgering.system_account(ledgering.ACCOUNT_GATEWAY),
        credit_account_id=wallet.ledger_account_id,
        amount=topup.amount,
        currency=topup.currency,
        code=ledgering.TOPUP,
        reference=f"topup:{topup.id}",
        flags=[TransferFlag.PENDING] if pending else None,
        timeout_seconds=ledgering.TOPUP_TIMEOUT_SECONDS if pending else None,
    )


def _resolve_hold(session: Session, topup: TopUp, flag: TransferFlag) -> ResultCode:
    """Post or void the top-up's hold. A hold the ledger already let expire is no error: the
    caller decides what the gateway's late word means."""
    leg = "post" if flag == TransferFlag.POST_PENDING else "void"
    results = ledger_service.create_transfers(
        session,
        transfers=[
            TransferCreate(
                id=ledgering.transfer_id(topup.id, leg),
                pending_id=ledgering.transfer_id(topup.id, "hold"),
                flags=[flag],
                reference=f"topup:{topup.id}",
            )
        ],
        actor=ledgering.LEDGER_ACTOR,
    )
    if results[0].result != ResultCode.PENDING_EXPIRED:
        ledgering.check(results)
    return results[0].result


def handle_notification(
    session: Session,
    *,
    gateway: PaymentGateway,
    body: bytes,
    headers: dict[str, str],
    now: datetime | None = None,
) -> WebhookAck:
    """A gateway's webhook: verified, applied once, and never allowed to undo a later state."""
    note = gateway.parse_notification(body=body, headers=headers, now=now or utcnow())
    try:
        topup_id = uuid.UUID(note.reference)
    except ValueError:
        topup_id = None
    topup = (
        session.scalar(select(TopUp).where(TopUp.id == topup_id).with_for_update())
        if topup_id
        else None
    )
    if topup is None:
        # Not stored yet (its transaction may still be open) or not ours: the gateway retries.
        raise WebhookTooEarly(f"no top-up {note.reference!r} yet; deliver the event again later")
    event = GatewayEvent(
        gateway=gateway.name, event_id=note.id, type=note.type, topup_id=topup.id, outcome=""
    )
    try:
        with session.begin_nested():
            session.add(event)
            session.flush()
    except IntegrityError:
        return WebhookAck(received=True, outcome="duplicate")
    event.outcome = apply_outcome(
        session, topup, note.type, note.amount, note.currency, note.failure_code
    )
    if note.intent_id and topup.gateway_intent_id is None:
        topup.gateway_intent_id = note.intent_id
    session.flush()
    return WebhookAck(received=True, outcome=event.outcome)


def apply_outcome(
    session: Session,
    topup: TopUp,
    kind: str,
    amount: int,
    currency: str,
    failure_code: str | None,
) -> str:
    """What the gateway says of a locked top-up's charge, applied once: by its webhook, or by
    the answer to a status query when the webhooks were lost (wallet.tasks)."""
    if amount != topup.amount or currency != topup.currency:
        return "conflict"
    if kind == "charge.processing":
        return "applied" if topup.status == "pending" else "stale"
    if topup.status != "pending":
        same = (topup.status == "succeeded") == (kind == "charge.succeeded")
        return "stale" if same else "conflict"
    if kind == "charge.succeeded":
        if _resolve_hold(session, topup, TransferFlag.POST_PENDING) == ResultCode.PENDING_EXPIRED:
            # The gateway took the money after the hold lapsed: credit it all the same.
            wallet = session.get(Wallet, topup.wallet_id)
            assert wallet is not None
            ledgering.move(session, [_topup_credit(topup, wallet, leg="late", pending=False)])
        topup.status = "succeeded"
    else:
        _resolve_hold(session, topup, TransferFlag.VOID_PENDING)
        topup.status = "failed"
        topup.failure_code = failure_code or "failed"
    topup.settled_at = utcnow()
    return "applied"
