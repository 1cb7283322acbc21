"""The wallet's part of the demo season: merchants, wallets topped up, a few payments."""

from __future__ import annotations

import random
from datetime import timedelta

from sqlalchemy.orm import Session

from labbaik.auth import service as auth_service
from labbaik.auth.roles import Actor, Role
from labbaik.kit.pagination import PageRequest
from labbaik.registry import service as registry_service
from labbaik.settings import Settings
from labbaik.wallet import merchants, payouts, service, topups
from labbaik.wallet.bank import SandboxBank
from labbaik.wallet.gateway import CARD_SUCCEEDS, SandboxGateway
from labbaik.wallet.schemas import (
    BankAccountIn,
    MerchantCreate,
    PaymentConfirm,
    QuoteCreate,
    TopUpCreate,
)

WALLETS = 20
# (name, Arabic name, kind, place, IBAN); the first works the demo "merchant" account's till,
# the second is paid out. The IBANs are valid Saudi ones the sandbox bank pays.
MERCHANTS = (
    ("Mina Dates and Sweets", "تمور وحلويات منى", "food", "Mina, street 204",
     "SA0380000000608010167519"),
    ("Zamzam Water Kiosk", "كشك ماء زمزم", "water", "Ajyad, gate 5", "SA4110000000000000000201"),
    ("Mashaer Transport Card", "بطاقة نقل المشاعر", "transport", "Mina station 3",
     "SA4020000000000000000202"),
    ("Al-Shifa Pharmacy", "صيدلية الشفاء", "pharmacy", "Aziziyah", "SA7105000000000000000203"),
)  # fmt: skip


def _pay_as(session: Session, actor: Actor, code: str, amount: int, settings: Settings) -> None:
    quote = service.quote(
        session,
        actor=actor,
        quote_in=QuoteCreate(merchant_code=code, amount=amount),
        settings=settings,
    )
    service.confirm_payment(
        session,
        actor=actor,
        payment_id=quote.id,
        confirm_in=PaymentConfirm(),
        settings=settings,
        idempotency_key=f"demo-{quote.id}",
    )


def build(session: Session, *, system: Actor, settings: Settings, seed: int) -> None:
    """Merchants with a till login, wallets for the demo pilgrim and others, sales."""
    rng = random.Random(seed)
    shops = [
        merchants.create_merchant(
            session,
            merchant_in=MerchantCreate(
                name=name,
                name_ar=name_ar,
                category=kind,
                site=site,
                bank_account=BankAccountIn(iban=iban, holder=name),
            ),
            actor=system,
            settings=settings,
        )
        for name, name_ar, kind, site, iban in MERCHANTS
    ]
    till = auth_service.get_account(session, username="merchant")
    merchants.add_member(session, merchant_id=shops[0].id, account_id=till.id, actor=system)
    demo_pilgrim = auth_service.get_account(session, username="pilgrim")
    pilgrims = registry_service.list_pilgrims(
        session, actor=system, page=PageRequest(1, WALLETS)
    ).items
    ids = [p.id for p in pilgrims if p.id != demo_pilgrim.pilgrim_id][: WALLETS - 1]
    if demo_pilgrim.pilgrim_id is not None:
        ids.insert(0, demo_pilgrim.pilgrim_id)
    gateway = SandboxGateway(
        merchants.derived_key(settings, "sandbox-webhook"),
        tolerance=settings.wallet_webhook_tolerance_seconds,
    )
    for index, pilgrim_id in enumerate(ids):
        service.open_wallet(session, pilgrim_id=pilgrim_id, actor=system, settings=settings)
        # Each pilgrim acts for themself: top-ups and payments are the wallet owner's.
        actor = Actor(
            account_id=None,
            username=f"demo-pilgrim-{index}",
            role=Role.PILGRIM,
            pilgrim_id=pilgrim_id,
            origin="demo",
        )
        topups.start_topup(
            session,
            actor=actor,
            topup_in=TopUpCreate(amount=rng.choice((50_000, 100_000, 150_000)), card=CARD_SUCCEEDS),
            gateway=gateway,
            idempotency_key=f"demo-topup-{pilgrim_id}",
        )
        # The gateway's notifications, as its webhooks bring them, settle the top-up.
        gateway.deliver(session, post=lambda body, headers: _apply(session, gateway, body, headers))
        for _ in range(rng.randint(1, 3)):
            shop = rng.choice(shops)
            _pay_as(session, actor, shop.code, rng.randint(5, 60) * 100, settings)
        if index == 0:
            # Every merchant has something to show, the one paid out below above all.
            _pay_as(session, actor, shops[1].code, 2_000, settings)
    # One payout the bank has paid: the merchants' page shows it, and nothing in transit.
    payouts.payout(
        session, merchant_id=shops[1].id, actor=system, idempotency_key="demo-payout-zamzam"
    )
    payouts.sync_payouts(session, bank=SandboxBank(settles_after=timedelta(0)), actor=system)


def _apply(session: Session, gateway: SandboxGateway, body: bytes, headers: dict[str, str]) -> int:
    topups.handle_notification(session, gateway=gateway, body=body, headers=headers)
    return 200
