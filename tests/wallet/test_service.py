"""The wallet's service: top-ups through the gateway, quotes, payments, refunds, limits."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import update
from sqlalchemy.orm import Session

from labbaik.kit.pagination import PageRequest
from labbaik.kit.timeutil import to_riyadh, utcnow
from labbaik.ledger import service as ledger_service
from labbaik.settings import Settings
from labbaik.wallet import history as wallet_history
from labbaik.wallet import merchants, payouts
from labbaik.wallet import service as wallet_service
from labbaik.wallet import topups as wallet_topups
from labbaik.wallet.errors import (
    DailyLimitExceeded,
    IdempotencyKeyRequired,
    IdempotencyKeyReused,
    InsufficientFunds,
    InvalidMerchantQR,
    QuoteNotOpen,
    RefundTooLarge,
    StepUpRequired,
    WalletExists,
)
from labbaik.wallet.gateway import (
    CARD_DECLINED,
    CARD_SUCCEEDS,
    CARD_TIMEOUT,
    CardRejected,
    SandboxGateway,
)
from labbaik.wallet.models import TopUp
from labbaik.wallet.schemas import (
    PaymentConfirm,
    QuoteCreate,
    RefundCreate,
    TopUpCreate,
    TopUpRead,
)
from tests.conftest import World
from tests.wallet.conftest import OPERATOR, Pilgrim, Till, deliver_directly, top_up


def _start(
    session: Session, pilgrim: Pilgrim, gateway: SandboxGateway, amount: int, card: str,
    key: str | None = "t1",
) -> TopUpRead:  # fmt: skip
    return wallet_topups.start_topup(
        session,
        actor=pilgrim.actor,
        topup_in=TopUpCreate(amount=amount, card=card),
        gateway=gateway,
        idempotency_key=key,
    )


def _balance(session: Session, pilgrim: Pilgrim, settings: Settings) -> int:
    return wallet_service.get_wallet(session, actor=pilgrim.actor, settings=settings).balance


def _pay(
    session: Session, pilgrim: Pilgrim, till: Till, settings: Settings, amount: int, key: str
) -> object:
    quote = wallet_service.quote(
        session,
        actor=pilgrim.actor,
        quote_in=QuoteCreate(merchant_code=till.merchant.code, amount=amount),
        settings=settings,
    )
    return wallet_service.confirm_payment(
        session,
        actor=pilgrim.actor,
        payment_id=quote.id,
        confirm_in=PaymentConfirm(),
        settings=settings,
        idempotency_key=key,
    )


class TestOpenWallet:
    def test_a_new_wallet_is_empty_in_riyals(
        self, session: Session, pilgrim: Pilgrim, settings: Settings
    ) -> None:
        wallet = wallet_service.get_wallet(session, actor=pilgrim.actor, settings=settings)
        assert (wallet.currency, wallet.balance, wallet.pending_in) == ("SAR", 0, 0)

    def test_a_second_wallet_for_the_same_pilgrim_is_refused(
        self, session: Session, world: World, pilgrim: Pilgrim, settings: Settings
    ) -> None:
        with pytest.raises(WalletExists):
            wallet_service.open_wallet(
                session, pilgrim_id=world.pilgrim_a.id, actor=OPERATOR, settings=settings
            )


class TestTopUp:
    def test_a_top_up_is_pending_until_the_gateway_confirms_it(
        self, session: Session, pilgrim: Pilgrim, gateway: SandboxGateway, settings: Settings
    ) -> None:
        topup = _start(session, pilgrim, gateway, 50_000, "4242 4242 4242 4242")
        wallet = wallet_service.get_wallet(session, actor=pilgrim.actor, settings=settings)
        assert (topup.status, wallet.balance, wallet.pending_in) == ("pending", 0, 50_000)
        assert deliver_directly(session, gateway) == ["applied", "applied"]
        wallet = wallet_service.get_wallet(session, actor=pilgrim.actor, settings=settings)
        assert (wallet.balance, wallet.pending_in) == (50_000, 0)
        done = wallet_topups.get_topup(session, actor=pilgrim.actor, topup_id=topup.id)
        assert done.status == "succeeded"

    def test_a_declined_card_releases_the_hold(
        self, session: Session, pilgrim: Pilgrim, gateway: SandboxGateway, settings: Settings
    ) -> None:
        topup = _start(session, pilgrim, gateway, 9_000, CARD_DECLINED)
        deliver_directly(session, gateway)
        wallet = wallet_service.get_wallet(session, actor=pilgrim.actor, settings=settings)
        assert (wallet.balance, wallet.pending_in) == (0, 0)
        failed = wallet_topups.get_topup(session, actor=pilgrim.actor, topup_id=topup.id)
        assert (failed.status, failed.failure_code) == ("failed", "card_declined")

    def test_a_gateway_timeout_is_settled_by_the_late_webhook(
        self, session: Session, pilgrim: Pilgrim, gateway: SandboxGateway, settings: Settings
    ) -> None:
        topup = _start(session, pilgrim, gateway, 7_000, CARD_TIMEOUT)
        assert (topup.status, topup.gateway_intent_id) == ("pending", None)
        deliver_directly(session, gateway)
        assert _balance(session, pilgrim, settings) == 7_000

    def test_a_confirmation_after_the_hold_expired_still_credits_the_wallet(
        self, session: Session, pilgrim: Pilgrim, gateway: SandboxGateway, settings: Settings
    ) -> None:
        topup = _start(session, pilgrim, gateway, 4_000, CARD_SUCCEEDS)
        released = ledger_service.expire_pending(session, now=utcnow() + timedelta(days=2))
        assert released == 1
        # Two days on, as the pilgrim sees it: the hold has lapsed.
        session.execute(
            update(TopUp)
            .values(created_at=utcnow() - timedelta(days=2))
            .where(TopUp.id == topup.id)
        )
        lapsed = wallet_topups.get_topup(session, actor=pilgrim.actor, topup_id=topup.id)
        assert lapsed.status == "expired"
        assert deliver_directly(session, gateway) == ["applied", "applied"]
        assert _balance(session, pilgrim, settings) == 4_000
        settled = wallet_topups.get_topup(session, actor=pilgrim.actor, topup_id=topup.id)
        assert settled.status == "succeeded"

    def test_duplicate_and_out_of_order_notifications_change_nothing(
        self, session: Session, pilgrim: Pilgrim, gateway: SandboxGateway, settings: Settings
    ) -> None:
        _start(session, pilgrim, gateway, 5_000, "4242424242424242")
        # The success arrives before "processing", then everything arrives again.
        assert deliver_directly(session, gateway, newest_first=True) == ["applied", "stale"]
        assert deliver_directly(session, gateway, again=True) == ["duplicate", "duplicate"]
        assert _balance(session, pilgrim, settings) == 5_000

    def test_an_invalid_card_number_is_refused_and_nothing_is_held(
        self, session: Session, pilgrim: Pilgrim, gateway: SandboxGateway, settings: Settings
    ) -> None:
        with pytest.raises(CardRejected):
            _start(session, pilgrim, gateway, 5_000, "4242424242424241")

    def test_the_same_key_replays_the_first_answer(
        self, session: Session, pilgrim: Pilgrim, gateway: SandboxGateway, settings: Settings
    ) -> None:
        topup_in = TopUpCreate(amount=5_000, card="4242424242424242")
        first = wallet_topups.start_topup(
            session, actor=pilgrim.actor, topup_in=topup_in, gateway=gateway, idempotency_key="k"
        )
        again = wallet_topups.start_topup(
            session, actor=pilgrim.actor, topup_in=topup_in, gateway=gateway, idempotency_key="k"
        )
        assert again == first
        wallet = wallet_service.get_wallet(session, actor=pilgrim.actor, settings=settings)
        assert wallet.pending_in == 5_000

    def test_the_same_key_with_another_amount_is_refused(
        self, session: Session, pilgrim: Pilgrim, gateway: SandboxGateway
    ) -> None:
        _start(session, pilgrim, gateway, 5_000, "4242424242424242", key="k")
        with pytest.raises(IdempotencyKeyReused):
            _start(session, pilgrim, gateway, 6_000, "4242424242424242", key="k")

    def test_a_top_up_without_a_key_is_refused(
        self, session: Session, pilgrim: Pilgrim, gateway: SandboxGateway
    ) -> None:
        with pytest.raises(IdempotencyKeyRequired):
            _start(session, pilgrim, gateway, 5_000, "4242424242424242", key=None)


class TestPay:
    def test_the_quote_shows_the_fee_and_the_payment_moves_amount_and_fee(
        self,
        session: Session,
        pilgrim: Pilgrim,
        till: Till,
        gateway: SandboxGateway,
        settings: Settings,
    ) -> None:
        top_up(session, pilgrim, gateway, 50_000)
        quote = wallet_service.quote(
            session,
            actor=pilgrim.actor,
            quote_in=QuoteCreate(merchant_code=till.merchant.code, amount=1_250),
            settings=settings,
        )
        # 1 % of 12.50 SAR is 12.5 halalas, rounded up.
        assert (quote.amount, quote.fee, quote.total, quote.status) == (1_250, 13, 1_263, "quoted")
        assert _balance(session, pilgrim, settings) == 50_000
        paid = wallet_service.confirm_payment(
            session,
            actor=pilgrim.actor,
            payment_id=quote.id,
            confirm_in=PaymentConfirm(),
            settings=settings,
            idempotency_key="p1",
        )
        assert paid.status == "paid"
        assert _balance(session, pilgrim, settings) == 50_000 - 1_263
        takings = merchants.takings(session, actor=till.actor, day=to_riyadh(paid.paid_at).date())
        assert (takings.payments, takings.gross, takings.balance) == (1, 1_250, 1_250)

    def test_a_signed_merchant_qr_fixes_the_amount(
        self,
        session: Session,
        pilgrim: Pilgrim,
        till: Till,
        gateway: SandboxGateway,
        settings: Settings,
    ) -> None:
        top_up(session, pilgrim, gateway, 10_000)
        qr = merchants.merchant_qr(session, actor=till.actor, settings=settings, amount=800)
        quote = wallet_service.quote(
            session,
            actor=pilgrim.actor,
            quote_in=QuoteCreate(merchant_qr=qr.text),
            settings=settings,
        )
        assert (quote.merchant_id, quote.amount) == (till.merchant.id, 800)

    def test_a_forged_qr_is_refused(
        self, session: Session, pilgrim: Pilgrim, till: Till, settings: Settings
    ) -> None:
        qr = merchants.merchant_qr(session, actor=till.actor, settings=settings, amount=800)
        forged = qr.text.replace(":800:", ":8:")
        with pytest.raises(InvalidMerchantQR):
            wallet_service.quote(
                session,
                actor=pilgrim.actor,
                quote_in=QuoteCreate(merchant_qr=forged),
                settings=settings,
            )

    def test_more_than_the_balance_is_refused_at_the_quote(
        self,
        session: Session,
        pilgrim: Pilgrim,
        till: Till,
        gateway: SandboxGateway,
        settings: Settings,
    ) -> None:
        top_up(session, pilgrim, gateway, 1_000)
        with pytest.raises(InsufficientFunds):
            _pay(session, pilgrim, till, settings, 1_000, "p1")  # the fee makes it 1,010

    def test_a_confirmed_quote_cannot_be_paid_twice_with_another_key(
        self,
        session: Session,
        pilgrim: Pilgrim,
        till: Till,
        gateway: SandboxGateway,
        settings: Settings,
    ) -> None:
        top_up(session, pilgrim, gateway, 10_000)
        paid = _pay(session, pilgrim, till, settings, 1_000, "p1")
        with pytest.raises(QuoteNotOpen):
            wallet_service.confirm_payment(
                session,
                actor=pilgrim.actor,
                payment_id=paid.id,  # type: ignore[attr-defined]
                confirm_in=PaymentConfirm(),
                settings=settings,
                idempotency_key="p2",
            )
        assert _balance(session, pilgrim, settings) == 10_000 - 1_010

    def test_the_daily_limit_counts_the_riyadh_day(
        self,
        session: Session,
        pilgrim: Pilgrim,
        till: Till,
        gateway: SandboxGateway,
        settings: Settings,
    ) -> None:
        top_up(session, pilgrim, gateway, 200_000)
        _pay(session, pilgrim, till, settings, 19_000, "p1")
        _pay(session, pilgrim, till, settings, 19_000, "p2")
        _pay(session, pilgrim, till, settings, 19_000, "p3")
        _pay(session, pilgrim, till, settings, 19_000, "p4")
        _pay(session, pilgrim, till, settings, 19_000, "p5")  # 95,950 spent of 100,000
        with pytest.raises(DailyLimitExceeded):
            _pay(session, pilgrim, till, settings, 5_000, "p6")

    def test_above_the_step_up_limit_a_passkey_is_required(
        self,
        session: Session,
        pilgrim: Pilgrim,
        till: Till,
        gateway: SandboxGateway,
        settings: Settings,
    ) -> None:
        top_up(session, pilgrim, gateway, 50_000)
        with pytest.raises(StepUpRequired):
            _pay(session, pilgrim, till, settings, 25_000, "p1")
        assert _balance(session, pilgrim, settings) == 50_000


class TestRefund:
    def test_partial_refunds_return_the_fee_in_proportion_and_never_more_than_paid(
        self,
        session: Session,
        pilgrim: Pilgrim,
        till: Till,
        gateway: SandboxGateway,
        settings: Settings,
    ) -> None:
        top_up(session, pilgrim, gateway, 10_000)
        paid = _pay(session, pilgrim, till, settings, 5_000, "p1")  # fee 50
        pid = paid.id  # type: ignore[attr-defined]
        first = wallet_service.refund(
            session, actor=till.actor, payment_id=pid, refund_in=RefundCreate(amount=2_000),
            idempotency_key="r1",
        )  # fmt: skip
        assert (first.amount, first.fee) == (2_000, 20)
        with pytest.raises(RefundTooLarge):
            wallet_service.refund(
                session, actor=till.actor, payment_id=pid, refund_in=RefundCreate(amount=3_001),
                idempotency_key="r2",
            )  # fmt: skip
        rest = wallet_service.refund(
            session,
            actor=till.actor,
            payment_id=pid,
            refund_in=RefundCreate(),
            idempotency_key="r3",
        )
        assert (rest.amount, rest.fee) == (3_000, 30)
        assert _balance(session, pilgrim, settings) == 10_000

    def test_a_refund_after_the_payout_is_refused(
        self,
        session: Session,
        pilgrim: Pilgrim,
        till: Till,
        gateway: SandboxGateway,
        settings: Settings,
    ) -> None:
        top_up(session, pilgrim, gateway, 10_000)
        paid = _pay(session, pilgrim, till, settings, 5_000, "p1")
        payouts.payout(session, merchant_id=till.merchant.id, actor=OPERATOR, idempotency_key="o1")
        with pytest.raises(InsufficientFunds):
            wallet_service.refund(
                session, actor=till.actor, payment_id=paid.id,  # type: ignore[attr-defined]
                refund_in=RefundCreate(), idempotency_key="r1",
            )  # fmt: skip


class TestPayout:
    def test_a_payout_leaves_the_merchant_at_zero_and_reconciles(
        self,
        session: Session,
        pilgrim: Pilgrim,
        till: Till,
        gateway: SandboxGateway,
        settings: Settings,
    ) -> None:
        top_up(session, pilgrim, gateway, 10_000)
        paid = _pay(session, pilgrim, till, settings, 4_000, "p1")
        _pay(session, pilgrim, till, settings, 1_000, "p2")
        wallet_service.refund(
            session, actor=till.actor, payment_id=paid.id,  # type: ignore[attr-defined]
            refund_in=RefundCreate(amount=500), idempotency_key="r1",
        )  # fmt: skip
        out = payouts.payout(
            session, merchant_id=till.merchant.id, actor=OPERATOR, idempotency_key="o1"
        )
        assert (out.amount, out.status) == (4_500, "pending")
        report = merchants.reconcile(session, merchant_id=till.merchant.id, actor=OPERATOR)
        assert (report.payments, report.refunds, report.payouts) == (5_000, 500, 4_500)
        # The bank has not paid it yet: the merchant is at zero, the payout in transit.
        assert (report.in_transit, report.ledger_balance, report.difference) == (4_500, 0, 0)


class TestHistory:
    def test_every_movement_is_a_line_with_the_balance_after_it(
        self,
        session: Session,
        pilgrim: Pilgrim,
        till: Till,
        gateway: SandboxGateway,
        settings: Settings,
    ) -> None:
        top_up(session, pilgrim, gateway, 10_000)
        _pay(session, pilgrim, till, settings, 2_000, "p1")
        page = wallet_history.history(session, actor=pilgrim.actor, page=PageRequest(1, 50))
        posted = [(i.kind, i.amount, i.balance_after) for i in page.items if not i.pending]
        assert posted == [
            ("topup", 10_000, 10_000),
            ("payment", -2_000, 8_000),
            ("fee", -20, 7_980),
        ]
        assert page.items[-2].description == till.merchant.name


class TestRefundFee:
    @given(
        amount=st.integers(min_value=1, max_value=10_000_000),
        fee_bps=st.integers(min_value=0, max_value=1_000),
        cuts=st.lists(st.integers(min_value=1, max_value=10_000_000), max_size=8),
    )
    def test_partial_refunds_give_back_the_whole_fee_and_never_more(
        self, amount: int, fee_bps: int, cuts: list[int]
    ) -> None:
        fee = wallet_service.fee_for(amount, fee_bps)
        refunded, fee_back = 0, 0
        for cut in [*cuts, amount]:
            part = min(cut, amount - refunded)
            if part <= 0:
                break
            back = wallet_service.refund_fee(
                fee=fee, amount=amount, refunded_before=refunded, refund=part
            )
            assert back >= 0
            refunded, fee_back = refunded + part, fee_back + back
            assert fee_back <= fee
        assert (refunded, fee_back) == (amount, fee)


class TestRiyadhDay:
    def test_the_day_ends_at_midnight_in_riyadh_not_in_utc(self) -> None:
        start, end = wallet_service.riyadh_day_bounds(datetime(2026, 5, 25, 20, 59, tzinfo=UTC))
        assert (start, end) == (
            datetime(2026, 5, 24, 21, 0, tzinfo=UTC),
            datetime(2026, 5, 25, 21, 0, tzinfo=UTC),
        )
        after, _ = wallet_service.riyadh_day_bounds(datetime(2026, 5, 25, 21, 0, tzinfo=UTC))
        assert after == end
