"""The gateway's webhooks on a schedule, and top-ups settled by asking the gateway.

Time is driven by the `now` each job is given, never by sleeping."""

from __future__ import annotations

import itertools
import random
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from labbaik.kit.timeutil import as_utc, utcnow
from labbaik.settings import Settings
from labbaik.wallet import merchants, tasks
from labbaik.wallet import service as wallet_service
from labbaik.wallet import topups as wallet_topups
from labbaik.wallet.gateway import (
    CARD_DECLINED,
    CARD_SUCCEEDS,
    CARD_TIMEOUT,
    FIRST_RETRY,
    GIVE_UP_AFTER,
    JITTER,
    MAX_RETRY_DELAY,
    GatewayIntent,
    GatewayNotification,
    GatewayTimeout,
    SandboxGateway,
    retry_delay,
)
from labbaik.wallet.models import GatewayEvent, SandboxEvent
from labbaik.wallet.schemas import TopUpCreate, TopUpRead
from tests.wallet.conftest import OPERATOR, Pilgrim

LATER = tasks.RECOVER_AFTER + timedelta(seconds=1)


@pytest.fixture
def seeded(settings: Settings) -> SandboxGateway:
    """The sandbox with a seeded jitter, so that a failure can be replayed."""
    return SandboxGateway(
        merchants.derived_key(settings, "sandbox-webhook"),
        tolerance=settings.wallet_webhook_tolerance_seconds,
        rng=random.Random(1447),
    )


def _start(
    session: Session, pilgrim: Pilgrim, gateway: SandboxGateway, card: str = CARD_SUCCEEDS
) -> TopUpRead:
    started = wallet_topups.start_topup(
        session,
        actor=pilgrim.actor,
        topup_in=TopUpCreate(amount=10_000, card=card),
        gateway=gateway,
        idempotency_key=f"t-{card}",
    )
    session.commit()
    return started


class Platform:
    """The platform's webhook endpoint as the sandbox reaches it, refusing (503) the first
    `refuse` attempts of each event, as an app that is down or being deployed does."""

    def __init__(self, session: Session, gateway: SandboxGateway, refuse: int = 0) -> None:
        self.session, self.gateway, self.refuse = session, gateway, refuse
        self.now = utcnow()
        self.calls: list[str] = []
        self.outcomes: list[str] = []

    def post(self, body: bytes, headers: dict[str, str]) -> int:
        note = self.gateway.parse_notification(body=body, headers=headers, now=self.now)
        self.calls.append(note.id)
        if self.calls.count(note.id) <= self.refuse:
            return 503
        ack = wallet_topups.handle_notification(
            self.session, gateway=self.gateway, body=body, headers=headers, now=self.now
        )
        self.outcomes.append(ack.outcome)
        return 200

    def deliver(self, at: datetime) -> int:
        self.now = at
        return self.gateway.deliver(self.session, post=self.post, now=at)


def _events(session: Session) -> list[SandboxEvent]:
    session.expire_all()
    return list(session.scalars(select(SandboxEvent).order_by(SandboxEvent.sequence)))


def _due(events: list[SandboxEvent]) -> list[datetime]:
    return [as_utc(e.next_attempt_at) for e in events if e.next_attempt_at is not None]


def _balance(session: Session, pilgrim: Pilgrim, settings: Settings) -> tuple[int, int]:
    wallet = wallet_service.get_wallet(session, actor=pilgrim.actor, settings=settings)
    return wallet.balance, wallet.pending_in


class TestRetryDelay:
    def test_the_delay_doubles_from_a_minute_up_to_twelve_hours_with_jitter(self) -> None:
        rng = random.Random(3)
        for attempts in range(1, 30):
            base = min(FIRST_RETRY * 2 ** (attempts - 1), MAX_RETRY_DELAY)
            delay = retry_delay(attempts, rng=rng)
            assert base * (1 - JITTER) <= delay <= base * (1 + JITTER)

    def test_the_jitter_spreads_the_retries_of_one_outage(self) -> None:
        rng = random.Random(4)
        delays = {retry_delay(5, rng=rng) for _ in range(50)}
        assert len(delays) == 50


class TestDeliverySchedule:
    def test_a_webhook_refused_twice_is_delivered_at_the_third_attempt_when_due(
        self, session: Session, pilgrim: Pilgrim, seeded: SandboxGateway, settings: Settings
    ) -> None:
        _start(session, pilgrim, seeded)
        platform = Platform(session, seeded, refuse=2)
        t0 = utcnow()

        assert platform.deliver(t0) == 0
        first = _events(session)
        assert [(e.attempts, e.last_status) for e in first] == [(1, 503), (1, 503)]
        for due in _due(first):
            assert t0 + FIRST_RETRY * (1 - JITTER) <= due <= t0 + FIRST_RETRY * (1 + JITTER)

        # Nothing is sent before an event is due.
        calls = len(platform.calls)
        assert platform.deliver(min(_due(first)) - timedelta(seconds=1)) == 0
        assert len(platform.calls) == calls

        t1 = max(_due(first))
        assert platform.deliver(t1) == 0
        second = _events(session)
        assert [e.attempts for e in second] == [2, 2]
        for due in _due(second):
            assert t1 + 2 * FIRST_RETRY * (1 - JITTER) <= due <= t1 + 2 * FIRST_RETRY * (1 + JITTER)
        assert _balance(session, pilgrim, settings) == (0, 10_000)

        t2 = max(_due(second))
        assert platform.deliver(t2) == 2
        session.commit()
        third = _events(session)
        assert [(e.attempts, e.last_status) for e in third] == [(3, 200), (3, 200)]
        assert [as_utc(e.delivered_at) for e in third if e.delivered_at] == [t2, t2]
        assert _due(third) == []
        assert platform.outcomes == ["applied", "applied"]
        assert _balance(session, pilgrim, settings) == (10_000, 0)
        # Delivered events are not sent again.
        assert platform.deliver(t2 + timedelta(days=1)) == 0
        assert len(platform.calls) == 6

    def test_an_event_refused_for_three_days_is_given_up_after_its_last_attempt(
        self, session: Session, pilgrim: Pilgrim, seeded: SandboxGateway
    ) -> None:
        _start(session, pilgrim, seeded)
        platform = Platform(session, seeded, refuse=10_000)
        created = as_utc(_events(session)[0].created_at)
        clock = utcnow()
        attempts: list[datetime] = []
        while True:
            platform.deliver(clock)
            event = _events(session)[0]
            if event.attempts > len(attempts):
                attempts.append(as_utc(event.last_attempt_at))  # type: ignore[arg-type]
            due = _due(_events(session))
            if not due:
                break
            clock = min(due)
        event = _events(session)[0]
        assert event.delivered_at is None
        assert as_utc(event.failed_at) == attempts[-1]  # type: ignore[arg-type]
        assert event.attempts == len(attempts)
        # Every attempt within three days; the gaps doubling up to twelve hours.
        assert attempts[-1] <= created + GIVE_UP_AFTER
        gaps = [b - a for a, b in itertools.pairwise(attempts)]
        assert max(gaps) <= MAX_RETRY_DELAY * (1 + JITTER)
        assert all(later > earlier for earlier, later in itertools.pairwise(gaps[:9]))
        assert 12 <= len(attempts) <= 18
        # Given up: nothing is sent any more, however late it gets.
        calls = len(platform.calls)
        assert platform.deliver(clock + timedelta(days=30)) == 0
        assert len(platform.calls) == calls
        counts = seeded.counts(session, now=clock + timedelta(days=30))
        assert (counts.failed, counts.due, counts.delivered) == (2, 0, 0)

    def test_an_event_sent_again_by_hand_does_not_change_its_schedule(
        self, session: Session, pilgrim: Pilgrim, seeded: SandboxGateway
    ) -> None:
        _start(session, pilgrim, seeded)
        platform = Platform(session, seeded)
        now = utcnow()
        assert platform.deliver(now) == 2
        assert seeded.deliver(session, post=platform.post, now=now, again=True) == 2
        assert platform.outcomes == ["applied", "applied", "duplicate", "duplicate"]
        assert all(e.attempts == 2 and e.next_attempt_at is None for e in _events(session))


class TestRecoverTopUps:
    def test_a_top_up_whose_webhooks_were_lost_is_settled_by_asking_the_gateway(
        self, session: Session, pilgrim: Pilgrim, gateway: SandboxGateway, settings: Settings
    ) -> None:
        started = _start(session, pilgrim, gateway)
        done = tasks.recover_topups(session, gateway=gateway, actor=OPERATOR, now=utcnow() + LATER)
        session.commit()
        assert (done.checked, done.succeeded) == (1, 1)
        assert _balance(session, pilgrim, settings) == (10_000, 0)
        topup = wallet_topups.get_topup(session, actor=pilgrim.actor, topup_id=started.id)
        assert topup.status == "succeeded"
        trail = session.scalars(
            select(GatewayEvent.type).where(GatewayEvent.topup_id == started.id)
        )
        assert list(trail) == ["query.charge.succeeded"]

    def test_a_webhook_arriving_after_the_query_changes_nothing(
        self, session: Session, pilgrim: Pilgrim, gateway: SandboxGateway, settings: Settings
    ) -> None:
        _start(session, pilgrim, gateway)
        later = utcnow() + LATER
        tasks.recover_topups(session, gateway=gateway, actor=OPERATOR, now=later)
        session.commit()
        platform = Platform(session, gateway)
        assert platform.deliver(later) == 2
        session.commit()
        assert platform.outcomes == ["stale", "stale"]
        assert _balance(session, pilgrim, settings) == (10_000, 0)
        # And asking again finds nothing left to settle.
        again = tasks.recover_topups(session, gateway=gateway, actor=OPERATOR, now=later)
        assert again.checked == 0

    def test_a_query_after_the_webhook_finds_nothing_to_do(
        self, session: Session, pilgrim: Pilgrim, gateway: SandboxGateway, settings: Settings
    ) -> None:
        _start(session, pilgrim, gateway)
        Platform(session, gateway).deliver(utcnow())
        session.commit()
        done = tasks.recover_topups(session, gateway=gateway, actor=OPERATOR, now=utcnow() + LATER)
        assert (done.checked, done.succeeded) == (0, 0)
        assert _balance(session, pilgrim, settings) == (10_000, 0)

    def test_a_top_up_younger_than_the_threshold_is_left_to_its_webhook(
        self, session: Session, pilgrim: Pilgrim, gateway: SandboxGateway
    ) -> None:
        _start(session, pilgrim, gateway)
        done = tasks.recover_topups(session, gateway=gateway, actor=OPERATOR)
        assert done.checked == 0

    def test_a_declined_charge_is_failed_and_its_hold_released(
        self, session: Session, pilgrim: Pilgrim, gateway: SandboxGateway, settings: Settings
    ) -> None:
        started = _start(session, pilgrim, gateway, CARD_DECLINED)
        done = tasks.recover_topups(session, gateway=gateway, actor=OPERATOR, now=utcnow() + LATER)
        session.commit()
        assert done.failed == 1
        topup = wallet_topups.get_topup(session, actor=pilgrim.actor, topup_id=started.id)
        assert (topup.status, topup.failure_code) == ("failed", "card_declined")
        assert _balance(session, pilgrim, settings) == (0, 0)

    def test_a_charge_whose_answer_timed_out_gets_its_id_from_the_query(
        self, session: Session, pilgrim: Pilgrim, gateway: SandboxGateway, settings: Settings
    ) -> None:
        started = _start(session, pilgrim, gateway, CARD_TIMEOUT)
        assert started.gateway_intent_id is None
        tasks.recover_topups(session, gateway=gateway, actor=OPERATOR, now=utcnow() + LATER)
        session.commit()
        topup = wallet_topups.get_topup(session, actor=pilgrim.actor, topup_id=started.id)
        assert topup.status == "succeeded"
        assert (topup.gateway_intent_id or "").startswith("ch_")


class Unreachable:
    """A gateway the platform never reached: it holds no charge, or does not answer at all."""

    name = "unreachable"

    def __init__(self, *, answers: bool) -> None:
        self.answers = answers

    def create_intent(
        self, session: Session, *, reference: str, amount: int, currency: str, card: str
    ) -> GatewayIntent:
        raise GatewayTimeout("no answer")

    def parse_notification(
        self, *, body: bytes, headers: dict[str, str], now: datetime
    ) -> GatewayNotification:
        raise AssertionError("no webhook ever comes")

    def retrieve_intent(self, session: Session, *, reference: str) -> GatewayIntent | None:
        if not self.answers:
            raise GatewayTimeout("no answer")
        return None


class TestUnreachableGateway:
    def _start(self, session: Session, pilgrim: Pilgrim, gateway: Unreachable) -> TopUpRead:
        started = wallet_topups.start_topup(
            session,
            actor=pilgrim.actor,
            topup_in=TopUpCreate(amount=5_000, card=CARD_SUCCEEDS),
            gateway=gateway,  # type: ignore[arg-type]
            idempotency_key="t-lost",
        )
        session.commit()
        return started

    def test_a_charge_the_gateway_never_made_is_failed(
        self, session: Session, pilgrim: Pilgrim, settings: Settings
    ) -> None:
        gateway = Unreachable(answers=True)
        started = self._start(session, pilgrim, gateway)
        done = tasks.recover_topups(
            session,
            gateway=gateway,
            actor=OPERATOR,
            now=utcnow() + LATER,  # type: ignore[arg-type]
        )
        session.commit()
        assert done.failed == 1
        topup = wallet_topups.get_topup(session, actor=pilgrim.actor, topup_id=started.id)
        assert (topup.status, topup.failure_code) == ("failed", "no_charge")
        assert _balance(session, pilgrim, settings) == (0, 0)

    def test_a_gateway_that_does_not_answer_leaves_the_top_up_for_the_next_run(
        self, session: Session, pilgrim: Pilgrim, settings: Settings
    ) -> None:
        gateway = Unreachable(answers=False)
        self._start(session, pilgrim, gateway)
        done = tasks.recover_topups(
            session,
            gateway=gateway,
            actor=OPERATOR,
            now=utcnow() + LATER,  # type: ignore[arg-type]
        )
        assert (done.checked, done.unanswered) == (1, 1)
        assert _balance(session, pilgrim, settings) == (0, 5_000)


class Mismatched(SandboxGateway):
    """A gateway whose charge is for another amount than the top-up it names."""

    def retrieve_intent(self, session: Session, *, reference: str) -> GatewayIntent | None:
        found = super().retrieve_intent(session, reference=reference)
        assert found is not None
        return GatewayIntent(
            id=found.id, reference=found.reference, amount=found.amount + 1,
            currency=found.currency, status=found.status,
        )  # fmt: skip


def test_a_charge_for_another_amount_settles_nothing_run_after_run(
    session: Session, pilgrim: Pilgrim, settings: Settings
) -> None:
    gateway = Mismatched(merchants.derived_key(settings, "sandbox-webhook"))
    started = _start(session, pilgrim, gateway)
    for _ in range(2):
        done = tasks.recover_topups(session, gateway=gateway, actor=OPERATOR, now=utcnow() + LATER)
        session.commit()
        assert (done.checked, done.succeeded, done.failed) == (1, 0, 0)
    assert _balance(session, pilgrim, settings) == (0, 10_000)
    trail = session.scalars(select(GatewayEvent.outcome).where(GatewayEvent.topup_id == started.id))
    assert list(trail) == ["conflict"]
