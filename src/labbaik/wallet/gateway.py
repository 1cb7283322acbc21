"""Payment gateways for top-ups: the interface, signed webhooks, and the built-in sandbox."""

from __future__ import annotations

import hashlib
import hmac
import json
import random
import secrets
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal, Protocol

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from labbaik.errors import InvalidInput
from labbaik.kit.timeutil import as_utc, utcnow
from labbaik.wallet.errors import WebhookRejected
from labbaik.wallet.models import SandboxEvent, SandboxIntent

SIGNATURE_HEADER = "Labbaik-Signature"
EventType = Literal["charge.processing", "charge.succeeded", "charge.failed"]
TERMINAL: frozenset[str] = frozenset({"charge.succeeded", "charge.failed"})


class GatewayTimeout(Exception):
    """The gateway did not answer in time; the charge may still go through on its side."""


class CardRejected(InvalidInput):
    code = "card_rejected"


@dataclass(frozen=True)
class GatewayIntent:
    """A charge as the gateway answers: "processing" when it is created (its outcome comes by
    webhook), and "processing", "succeeded" or "failed" when it is asked for its status."""

    id: str
    reference: str
    amount: int
    currency: str
    status: str
    failure_code: str | None = None


@dataclass(frozen=True)
class GatewayNotification:
    """One verified webhook: what happened to the charge made for `reference`."""

    id: str
    type: EventType
    intent_id: str
    reference: str
    amount: int
    currency: str
    sequence: int
    failure_code: str | None


class PaymentGateway(Protocol):
    """What the wallet needs of a card acquirer. A real one is added beside the sandbox."""

    name: str

    def create_intent(
        self, session: Session, *, reference: str, amount: int, currency: str, card: str
    ) -> GatewayIntent:
        """Start a charge. The same reference again returns the same charge (the gateway's own
        idempotency key), so a retry after a timeout never charges twice."""
        ...

    def parse_notification(
        self, *, body: bytes, headers: Mapping[str, str], now: datetime
    ) -> GatewayNotification:
        """Verify a webhook's signature and freshness and read it; WebhookRejected otherwise."""
        ...

    def retrieve_intent(self, session: Session, *, reference: str) -> GatewayIntent | None:
        """The charge made for `reference` as the gateway knows it now, or None if it has none
        (the charge was never created). Asked when no webhook came; may raise GatewayTimeout."""
        ...


# Signatures -------------------------------------------------------------------------------------


def sign(secret: bytes, body: bytes, timestamp: int) -> str:
    """The signature header: HMAC-SHA256 over "<timestamp>.<raw body>", as Stripe signs."""
    mac = hmac.new(secret, f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={mac}"


def verify(
    secret: bytes, body: bytes, header: str | None, *, now: datetime, tolerance: int
) -> None:
    """Refuse a body whose signature is wrong or whose timestamp is outside the replay window."""
    if not header:
        raise WebhookRejected(f"the {SIGNATURE_HEADER} header is missing")
    parts: dict[str, list[str]] = {}
    for item in header.split(","):
        name, _, value = item.strip().partition("=")
        parts.setdefault(name, []).append(value)
    try:
        timestamp = int(parts.get("t", [""])[0])
    except ValueError:
        raise WebhookRejected(f"the {SIGNATURE_HEADER} header has no timestamp") from None
    if abs(now.timestamp() - timestamp) > tolerance:
        raise WebhookRejected(
            f"the webhook's timestamp is more than {tolerance} s from now: refused as a replay"
        )
    expected = sign(secret, body, timestamp).partition("v1=")[2]
    # Any of several v1 signatures may match: a gateway signs with old and new secrets while
    # it rotates them.
    if not any(hmac.compare_digest(expected, given) for given in parts.get("v1", [])):
        raise WebhookRejected("the webhook's signature does not match its body")


def _read(body: bytes) -> GatewayNotification:
    try:
        data = json.loads(body)
        kind = data["type"]
        if kind not in ("charge.processing", "charge.succeeded", "charge.failed"):
            raise ValueError(kind)
        charge = data["data"]
        return GatewayNotification(
            id=str(data["id"]),
            type=kind,
            intent_id=str(charge["id"]),
            reference=str(charge["reference"]),
            amount=int(charge["amount"]),
            currency=str(charge["currency"]),
            sequence=int(data["sequence"]),
            failure_code=charge.get("failure_code"),
        )
    except (ValueError, KeyError, TypeError) as exc:
        raise WebhookRejected(f"the webhook's body is not a charge event ({exc})") from None


# The sandbox ------------------------------------------------------------------------------------

# Test cards, as acquirers publish them: the number chooses what happens to the charge.
CARD_SUCCEEDS = "4242424242424242"
CARD_DECLINED = "4000000000000002"
CARD_INSUFFICIENT = "4000000000009995"
CARD_TIMEOUT = "4000000000000119"
_FAILURES = {CARD_DECLINED: "card_declined", CARD_INSUFFICIENT: "insufficient_funds"}


def _luhn_ok(number: str) -> bool:
    digits = [int(c) for c in number]
    total = 0
    for index, digit in enumerate(reversed(digits)):
        doubled = digit * 2 if index % 2 else digit
        total += doubled - 9 if doubled > 9 else doubled
    return total % 10 == 0


# The delivery schedule of webhooks, as acquirers document theirs: a webhook the platform does
# not acknowledge with a 2xx is tried again after a minute, then after twice as long each time
# (at most 12 hours apart), each delay spread by +/-20 % so that the retries after an outage do
# not all arrive at once; after 3 days the event is given up (Stripe retries "for up to three
# days with an exponential back off"; Adyen from 2 minutes to 8 hours apart).
FIRST_RETRY = timedelta(minutes=1)
MAX_RETRY_DELAY = timedelta(hours=12)
GIVE_UP_AFTER = timedelta(days=3)
JITTER = 0.2


def retry_delay(attempts: int, *, rng: random.Random) -> timedelta:
    """How long after its `attempts`-th failed attempt an event is tried again."""
    base = FIRST_RETRY.total_seconds() * 2 ** min(max(attempts, 1) - 1, 20)
    base = min(base, MAX_RETRY_DELAY.total_seconds())
    return timedelta(seconds=base * rng.uniform(1 - JITTER, 1 + JITTER))


@dataclass(frozen=True)
class DeliveryCounts:
    """Where the sandbox's webhooks stand: what the delivery job still has to do."""

    delivered: int
    due: int
    scheduled: int
    failed: int


class SandboxGateway:
    """A gateway that behaves like a real one, on this database: charges are answered
    "processing", and the outcome arrives later as a signed webhook that must be delivered
    (`deliver`), possibly twice or out of order, as real gateways do; a webhook refused is
    retried on a schedule for three days, and a charge's status can be asked for."""

    name = "sandbox"

    def __init__(
        self, secret: bytes, *, tolerance: int = 300, rng: random.Random | None = None
    ) -> None:
        self.secret = secret
        self.tolerance = tolerance
        # The jitter of the schedule; a test passes a seeded one.
        self.rng = rng or random.SystemRandom()

    def create_intent(
        self, session: Session, *, reference: str, amount: int, currency: str, card: str
    ) -> GatewayIntent:
        number = card.replace(" ", "").replace("-", "")
        if not (number.isdigit() and 12 <= len(number) <= 19 and _luhn_ok(number)):
            raise CardRejected("the card number is not valid (check its digits)")
        intent = session.scalar(select(SandboxIntent).where(SandboxIntent.reference == reference))
        if intent is None:
            failure = _FAILURES.get(number)
            intent = SandboxIntent(
                id="ch_" + secrets.token_hex(12),
                reference=reference,
                amount=amount,
                currency=currency,
                status="failed" if failure else "succeeded",
                failure_code=failure,
            )
            session.add(intent)
            session.flush()
            self._emit(session, intent, 1, "charge.processing")
            self._emit(session, intent, 2, "charge.failed" if failure else "charge.succeeded")
            if number == CARD_TIMEOUT:
                # The charge exists on the gateway's side; only the answer was lost.
                raise GatewayTimeout(f"the sandbox gateway timed out on charge {reference}")
        return GatewayIntent(
            id=intent.id,
            reference=intent.reference,
            amount=intent.amount,
            currency=intent.currency,
            status="processing",
        )

    def _emit(self, session: Session, intent: SandboxIntent, sequence: int, kind: str) -> None:
        event_id = "evt_" + secrets.token_hex(12)
        now = utcnow()
        payload = {
            "id": event_id,
            "type": kind,
            "sequence": sequence,
            "created": int(now.timestamp()),
            "data": {
                "id": intent.id,
                "reference": intent.reference,
                "amount": intent.amount,
                "currency": intent.currency,
                "failure_code": intent.failure_code if kind == "charge.failed" else None,
            },
        }
        session.add(
            SandboxEvent(
                id=event_id,
                intent_id=intent.id,
                sequence=sequence,
                payload=payload,
                created_at=now,
                next_attempt_at=now,
            )
        )

    def retrieve_intent(self, session: Session, *, reference: str) -> GatewayIntent | None:
        intent = session.scalar(select(SandboxIntent).where(SandboxIntent.reference == reference))
        if intent is None:
            return None
        return GatewayIntent(
            id=intent.id,
            reference=intent.reference,
            amount=intent.amount,
            currency=intent.currency,
            status=intent.status,
            failure_code=intent.failure_code,
        )

    def parse_notification(
        self, *, body: bytes, headers: Mapping[str, str], now: datetime
    ) -> GatewayNotification:
        header = headers.get(SIGNATURE_HEADER) or headers.get(SIGNATURE_HEADER.lower())
        verify(self.secret, body, header, now=now, tolerance=self.tolerance)
        return _read(body)

    def signed(
        self, payload: Mapping[str, object], *, now: datetime | None = None
    ) -> tuple[bytes, str]:
        """The raw body and signature header of one webhook, as the sandbox sends it."""
        body = json.dumps(payload, separators=(",", ":"), sort_keys=True).encode()
        return body, sign(self.secret, body, int((now or utcnow()).timestamp()))

    def deliver(
        self,
        session: Session,
        *,
        post: Callable[[bytes, dict[str, str]], int],
        now: datetime | None = None,
        newest_first: bool = False,
        again: bool = False,
        limit: int = 100,
    ) -> int:
        """POST the webhooks whose attempt is due at `now` (or every one once more, `again`);
        returns how many the platform accepted. One refused (not 2xx, or no answer) is
        scheduled again, or given up after three days. `newest_first` delivers them out of
        order, as networks do."""
        now = now or utcnow()
        order = SandboxEvent.sequence.desc() if newest_first else SandboxEvent.sequence
        stmt = select(SandboxEvent).order_by(SandboxEvent.created_at, order)
        if newest_first:
            stmt = select(SandboxEvent).order_by(order, SandboxEvent.created_at)
        if not again:
            stmt = stmt.where(
                SandboxEvent.delivered_at.is_(None),
                SandboxEvent.failed_at.is_(None),
                SandboxEvent.next_attempt_at <= now,
            )
        # Two delivery jobs at once each take their own events (PostgreSQL; SQLite has one
        # writer), though a webhook sent twice would change nothing on the platform's side.
        stmt = stmt.limit(limit).with_for_update(skip_locked=True)
        accepted = 0
        for event in session.scalars(stmt).all():
            body, header = self.signed(event.payload, now=now)
            status = post(body, {SIGNATURE_HEADER: header, "Content-Type": "application/json"})
            accepted += self._attempted(event, status, now)
        session.flush()
        return accepted

    def _attempted(self, event: SandboxEvent, status: int, now: datetime) -> bool:
        event.attempts += 1
        event.last_attempt_at = now
        event.last_status = status
        if 200 <= status < 300:
            event.delivered_at = event.delivered_at or now
            event.next_attempt_at = None
            return True
        if event.delivered_at is not None or event.failed_at is not None:
            return False  # a copy sent again (`again`): the event's own fate is settled
        due = now + retry_delay(event.attempts, rng=self.rng)
        if due > as_utc(event.created_at) + GIVE_UP_AFTER:
            event.failed_at = now
            event.next_attempt_at = None
        else:
            event.next_attempt_at = due
        return False

    def counts(self, session: Session, *, now: datetime | None = None) -> DeliveryCounts:
        now = now or utcnow()
        waiting = (SandboxEvent.delivered_at.is_(None), SandboxEvent.failed_at.is_(None))

        def count(*where: ColumnElement[bool]) -> int:
            stmt = select(func.count()).select_from(SandboxEvent).where(*where)
            return int(session.scalar(stmt) or 0)

        return DeliveryCounts(
            delivered=count(SandboxEvent.delivered_at.is_not(None)),
            due=count(*waiting, SandboxEvent.next_attempt_at <= now),
            scheduled=count(*waiting, SandboxEvent.next_attempt_at > now),
            failed=count(SandboxEvent.delivered_at.is_(None), SandboxEvent.failed_at.is_not(None)),
        )


def http_poster(url: str, *, timeout: float = 10.0) -> Callable[[bytes, dict[str, str]], int]:
    """POST a webhook to the platform over HTTP, as the gateway would; answers the status."""
    if not url.startswith(("http://", "https://")):
        raise InvalidInput(f"the webhook URL must be http(s), not {url!r}")

    def post(body: bytes, headers: dict[str, str]) -> int:
        request = urllib.request.Request(url, data=body, headers=headers, method="POST")  # noqa: S310
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
                return int(response.status)
        except urllib.error.HTTPError as exc:
            return int(exc.code)
        except (urllib.error.URLError, TimeoutError):
            return 0

    return post
