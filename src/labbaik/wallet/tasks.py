"""Background work of the wallet: top-ups whose webhooks were lost, and the sandboxes' own jobs.

A top-up is settled by the gateway's webhook. When every webhook of a charge is lost (the
gateway gave up, an endpoint was misconfigured for days), the top-up would stay pending: the
status job asks the gateway what became of each charge pending for longer than a threshold,
and settles or fails it exactly as the webhook would have (a webhook arriving after that is
acknowledged as stale and changes nothing). Run it every few minutes (`labbaik wallet
recover-topups`), as the payout job (`labbaik wallet payouts-sync`).
"""

from __future__ import annotations

import logging
import uuid
from datetime import datetime, timedelta

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from labbaik.auth import service as auth_service
from labbaik.auth.roles import Actor, Scope, system_actor
from labbaik.db import session_scope
from labbaik.errors import DomainError
from labbaik.kit.timeutil import utcnow
from labbaik.settings import Settings
from labbaik.wallet import payouts, topups
from labbaik.wallet.gateway import GatewayTimeout, PaymentGateway, SandboxGateway, http_poster
from labbaik.wallet.models import GatewayEvent, TopUp
from labbaik.wallet.schemas import TopUpRecovery

log = logging.getLogger("labbaik.wallet")

# Longer than the gateway's own first retries (a minute, two, four...): most top-ups are settled
# by a late webhook before the platform needs to ask.
RECOVER_AFTER = timedelta(minutes=15)


def recover_topups(
    session: Session,
    *,
    gateway: PaymentGateway,
    actor: Actor,
    now: datetime | None = None,
    older_than: timedelta = RECOVER_AFTER,
    limit: int = 200,
) -> TopUpRecovery:
    """Ask the gateway for the status of every top-up pending for longer than `older_than`,
    and settle or fail it as its webhook would; each in its own savepoint."""
    auth_service.require(actor, Scope.WALLET_MANAGE)
    now = now or utcnow()
    ids = session.scalars(
        select(TopUp.id)
        .where(
            TopUp.status == "pending",
            TopUp.gateway == gateway.name,
            TopUp.created_at <= now - older_than,
        )
        .order_by(TopUp.created_at)
        .limit(limit)
    ).all()
    counts = {"succeeded": 0, "failed": 0, "processing": 0, "unanswered": 0}
    for topup_id in ids:
        try:
            with session.begin_nested():
                outcome = _recover(session, topup_id=topup_id, gateway=gateway, actor=actor)
        except GatewayTimeout:
            outcome = "unanswered"
        except DomainError as exc:
            log.warning("top-up %s not recovered: %s", topup_id, exc)
            outcome = "unanswered"
        if outcome in counts:
            counts[outcome] += 1
    session.flush()
    return TopUpRecovery(checked=len(ids), **counts)


def _recover(
    session: Session, *, topup_id: uuid.UUID, gateway: PaymentGateway, actor: Actor
) -> str:
    # The same row lock as the webhook's: whichever comes second sees the other's outcome.
    topup = session.scalar(
        select(TopUp)
        .where(TopUp.id == topup_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if topup is None or topup.status != "pending":
        return "settled"
    intent = gateway.retrieve_intent(session, reference=str(topup.id))
    failure: str | None
    if intent is None:
        # No charge was ever made for it (the gateway was never reached): nothing will come.
        kind, failure, amount, currency = "charge.failed", "no_charge", topup.amount, topup.currency
    elif intent.status in ("succeeded", "failed"):
        kind, failure = f"charge.{intent.status}", intent.failure_code
        amount, currency = intent.amount, intent.currency
        topup.gateway_intent_id = topup.gateway_intent_id or intent.id
    else:
        return "processing"
    outcome = topups.apply_outcome(session, topup, kind, amount, currency, failure)
    # Kept beside the webhooks received, so that the top-up's story says how it was settled;
    # once, though a conflict (the gateway's amount is not ours) is asked about at every run.
    event_id = f"query:{topup.id}"
    known = session.scalar(
        select(GatewayEvent.id).where(
            GatewayEvent.gateway == gateway.name, GatewayEvent.event_id == event_id
        )
    )
    if known is None:
        session.add(
            GatewayEvent(
                gateway=gateway.name,
                event_id=event_id,
                type=f"query.{kind}",
                topup_id=topup.id,
                outcome=outcome,
            )
        )
    auth_service.record(
        session,
        actor=actor,
        action="wallet.topup.recover",
        object_type="topup",
        object_id=topup.id,
        detail={"status": topup.status, "outcome": outcome, "failure_code": topup.failure_code},
    )
    session.flush()
    if outcome != "applied":
        log.warning("top-up %s: the gateway's charge does not match it (%s)", topup.id, outcome)
        return "conflict"
    return "succeeded" if topup.status == "succeeded" else "failed"


# The sandboxes in development -------------------------------------------------------------------

DEVELOPMENT_INTERVAL_SECONDS = 5.0


def deliver_sandbox_webhooks(engine: Engine, settings: Settings) -> int:
    """The sandbox gateway's own delivery: POST its webhooks that are due to the app."""
    gateway = topups.gateway_for(settings)
    if not isinstance(gateway, SandboxGateway):
        return 0
    with session_scope(engine) as session:
        delivered = gateway.deliver(session, post=http_poster(settings.wallet_sandbox_webhook_url))
    if delivered:
        log.info("sandbox gateway delivered %d webhook(s)", delivered)
    return delivered


def run_development_jobs(engine: Engine, settings: Settings) -> None:
    """One round of what would run on its own outside this process: the sandbox gateway's
    retries of its webhooks, and the payout job against the sandbox bank."""
    deliver_sandbox_webhooks(engine, settings)
    if settings.wallet_payout_bank_name == "sandbox":
        with session_scope(engine) as session:
            payouts.sync_payouts(
                session, bank=payouts.bank_for(settings), actor=system_actor("sandbox")
            )
