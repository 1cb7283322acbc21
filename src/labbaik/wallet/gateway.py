"""Payment gateways for top-ups: the interface, signed webhooks, and the built-in sandbox."""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Literal, Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from labbaik.errors import InvalidInput
from labbaik.kit.timeutil import utcnow
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
    """A charge as the gateway answers when it is created: its outcome comes by webhook."""

    id: str
    reference: str
    amount: int
    currency: str
    status: str


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


class SandboxGateway:
    """A gateway that behaves like a real one, on this database: charges are answered
    "processing", and the outcome arrives later as a signed webhook that must be delivered
    (`deliver`), possibly twice or out of order, as real gateways do."""

    name = "sandbox"

    def __init__(self, secret: bytes, *, tolerance: int = 300) -> None:
        self.secret = secret
        self.tolerance = tolerance

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
        payload = {
            "id": event_id,
            "type": kind,
            "sequence": sequence,
            "created": int(utcnow().timestamp()),
            "data": {
                "id": intent.id,
                "reference": intent.reference,
                "amount": intent.amount,
                "currency": intent.currency,
                "failure_code": intent.failure_code if kind == "charge.failed" else None,
            },
        }
        session.add(
            SandboxEvent(id=event_id, intent_id=intent.id, sequence=sequence, payload=payload)
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
        newest_first: bool = False,
        again: bool = False,
        limit: int = 100,
    ) -> int:
        """POST the webhooks not yet delivered (or every one, `again`); returns how many the
        platform accepted. `newest_first` delivers them out of order, as networks do."""
        order = SandboxEvent.sequence.desc() if newest_first else SandboxEvent.sequence
        stmt = select(SandboxEvent).order_by(SandboxEvent.created_at, order).limit(limit)
        if newest_first:
            stmt = select(SandboxEvent).order_by(order, SandboxEvent.created_at).limit(limit)
        if not again:
            stmt = stmt.where(SandboxEvent.delivered_at.is_(None))
        accepted = 0
        for event in session.scalars(stmt).all():
            body, header = self.signed(event.payload)
            event.attempts += 1
            status = post(body, {SIGNATURE_HEADER: header, "Content-Type": "application/json"})
            if 200 <= status < 300:
                event.delivered_at = utcnow()
                accepted += 1
        session.flush()
        return accepted


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
