"""Fixtures of the wallet: settings with small limits, a wallet, a merchant and its till."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from labbaik.auth.roles import Actor, system_actor
from labbaik.cards import keys
from labbaik.cards import service as cards_service
from labbaik.cards.schemas import CardRead
from labbaik.settings import Settings, get_settings
from labbaik.wallet import merchants
from labbaik.wallet import service as wallet_service
from labbaik.wallet import topups as wallet_topups
from labbaik.wallet.bank import IBAN_SETTLES
from labbaik.wallet.gateway import CARD_SUCCEEDS, SandboxGateway
from labbaik.wallet.schemas import (
    BankAccountIn,
    MerchantCreate,
    MerchantRead,
    TopUpCreate,
    WalletRead,
)
from tests.conftest import World, unique

OPERATOR = system_actor("test")


@pytest.fixture
def settings() -> Settings:
    return Settings(
        environment="test",
        secret_key="wallet-tests-secret-key-0123456789",
        wallet_daily_limit=100_000,
        wallet_step_up_above=20_000,
        wallet_fee_bps=100,
        webauthn_rp_id="localhost",
        webauthn_origins=["http://localhost:8000"],
    )


@pytest.fixture
def gateway(settings: Settings) -> SandboxGateway:
    found = wallet_topups.gateway_for(settings)
    assert isinstance(found, SandboxGateway)
    return found


@dataclass
class Till:
    """A merchant and the account that works its till."""

    merchant: MerchantRead
    actor: Actor


@dataclass
class Pilgrim:
    wallet: WalletRead
    actor: Actor


@pytest.fixture
def pilgrim(session: Session, world: World, settings: Settings) -> Pilgrim:
    actor = world.actor("pilgrim")
    assert isinstance(actor, Actor)
    wallet = wallet_service.open_wallet(
        session, pilgrim_id=world.pilgrim_a.id, actor=OPERATOR, settings=settings
    )
    session.commit()
    return Pilgrim(wallet=wallet, actor=actor)


@pytest.fixture
def till(session: Session, world: World, settings: Settings) -> Till:
    merchant = merchants.create_merchant(
        session,
        merchant_in=MerchantCreate(
            name=unique("Zamzam Water "),
            category="water",
            bank_account=BankAccountIn(iban=IBAN_SETTLES, holder="Zamzam Water Co"),
        ),
        actor=OPERATOR,
        settings=settings,
    )
    merchants.add_member(
        session,
        merchant_id=merchant.id,
        account_id=world.accounts["merchant"].id,
        actor=OPERATOR,
    )
    session.commit()
    actor = world.actor("merchant")
    assert isinstance(actor, Actor)
    return Till(merchant=merchant, actor=actor)


def deliver_directly(session: Session, gateway: SandboxGateway, **kwargs: object) -> list[str]:
    """Hand the sandbox's webhooks to the service (the API tests go through HTTP instead)."""
    outcomes: list[str] = []

    def post(body: bytes, headers: dict[str, str]) -> int:
        ack = wallet_topups.handle_notification(
            session, gateway=gateway, body=body, headers=headers
        )
        outcomes.append(ack.outcome)
        return 200

    gateway.deliver(session, post=post, **kwargs)  # type: ignore[arg-type]
    return outcomes


def top_up(
    session: Session, pilgrim: Pilgrim, gateway: SandboxGateway, amount: int, key: str = ""
) -> None:
    wallet_topups.start_topup(
        session,
        actor=pilgrim.actor,
        topup_in=TopUpCreate(amount=amount, card=CARD_SUCCEEDS),
        gateway=gateway,
        idempotency_key=key or unique("topup-"),
    )
    deliver_directly(session, gateway)
    session.commit()


@pytest.fixture
def card(
    session: Session, world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[CardRead]:
    """Signing keys in a temporary folder and pilgrim A's card."""
    monkeypatch.setenv("LABBAIK_CARD_KEY_DIR", str(tmp_path / "card-keys"))
    monkeypatch.setenv("LABBAIK_CARD_KEY_PASSPHRASE", "test passphrase of the card keys")
    get_settings.cache_clear()
    keys.init_keys(session, season=1447, actor=OPERATOR)
    issued = cards_service.issue_card(session, pilgrim_id=world.pilgrim_a.id, actor=OPERATOR)
    session.commit()
    yield issued
    get_settings.cache_clear()


@pytest.fixture
def api(engine: Engine, world: World, settings: Settings) -> Iterator[TestClient]:
    """The app with the wallet's test settings, as phones and merchants' systems call it."""
    from labbaik.app import create_app  # noqa: PLC0415

    url = engine.url.render_as_string(hide_password=False)
    app_settings = settings.model_copy(update={"database_url": url})
    with TestClient(create_app(app_settings, engine=engine)) as client:
        yield client


def deliver_over_http(session: Session, gateway: SandboxGateway, client: TestClient) -> list[int]:
    """The sandbox POSTs its webhooks to the app's real endpoint; the statuses it got."""
    statuses: list[int] = []

    def post(body: bytes, headers: dict[str, str]) -> int:
        response = client.post("/api/v1/wallet/gateway/webhook", content=body, headers=headers)
        statuses.append(response.status_code)
        return response.status_code

    gateway.deliver(session, post=post)
    session.commit()
    return statuses
