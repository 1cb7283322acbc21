"""The wallet's commands, run as an operator runs them: the installed `labbaik` script."""

from __future__ import annotations

import json
from pathlib import Path

from argon2 import PasswordHasher
from sqlalchemy.orm import Session

from labbaik.db import make_engine, upgrade
from labbaik.settings import Settings
from labbaik.wallet import merchants
from labbaik.wallet import service as wallet_service
from labbaik.wallet import topups as wallet_topups
from labbaik.wallet.bank import IBAN_SETTLES
from labbaik.wallet.gateway import SandboxGateway
from labbaik.wallet.schemas import BankAccountIn, MerchantCreate, PaymentConfirm, QuoteCreate
from tests.conftest import PASSWORD, World
from tests.test_cli import labbaik
from tests.wallet.conftest import OPERATOR, Pilgrim, top_up

SECRET = "wallet-cli-tests-secret-key-0123456789"


def _season_with_a_sale(path: Path) -> str:
    """A database where a pilgrim paid merchant 25.00 SAR; the merchant's code."""
    url = f"sqlite:///{path}"
    upgrade(url)
    engine = make_engine(url)
    settings = Settings(environment="test", secret_key=SECRET, database_url=url)
    gateway = wallet_topups.gateway_for(settings)
    assert isinstance(gateway, SandboxGateway)
    with Session(engine, expire_on_commit=False, autoflush=False) as session:
        world = World(session, PasswordHasher().hash(PASSWORD))
        wallet = wallet_service.open_wallet(
            session, pilgrim_id=world.pilgrim_a.id, actor=OPERATOR, settings=settings
        )
        pilgrim = Pilgrim(wallet=wallet, actor=world.actor("pilgrim"))  # type: ignore[arg-type]
        shop = merchants.create_merchant(
            session,
            merchant_in=MerchantCreate(
                name="Mina Dates",
                bank_account=BankAccountIn(iban=IBAN_SETTLES, holder="Mina Dates"),
            ),
            actor=OPERATOR,
            settings=settings,
        )
        session.commit()
        top_up(session, pilgrim, gateway, 10_000)
        quote = wallet_service.quote(
            session, actor=pilgrim.actor, settings=settings,
            quote_in=QuoteCreate(merchant_code=shop.code, amount=2_500),
        )  # fmt: skip
        wallet_service.confirm_payment(
            session, actor=pilgrim.actor, payment_id=quote.id, confirm_in=PaymentConfirm(),
            settings=settings, idempotency_key="p1",
        )  # fmt: skip
        session.commit()
    engine.dispose()
    return shop.code


def test_a_payout_empties_the_merchant_and_the_report_proves_it(tmp_path: Path) -> None:
    db = tmp_path / "labbaik.db"
    code = _season_with_a_sale(db)
    env = {"LABBAIK_DATABASE_URL": f"sqlite:///{db}", "LABBAIK_SECRET_KEY": SECRET}
    paid = labbaik("wallet", "payout", "--merchant", code, **env)
    assert paid.returncode == 0, paid.stderr
    # The bank has accepted the transfer; the sandbox bank pays it a couple of minutes later.
    assert "paid out 25.00 SAR to SA03 **** **** **** **** 7519 (in transit, bank transfer tr_" in (
        paid.stdout
    )
    report = labbaik("wallet", "reconcile", "--json", **env)
    assert report.returncode == 0, report.stderr
    line = json.loads(report.stdout.splitlines()[0])
    assert (line["payments"], line["payouts"], line["in_transit"], line["ledger_balance"]) == (
        2_500, 2_500, 2_500, 0,
    )  # fmt: skip
    assert line["difference"] == 0
    again = labbaik("wallet", "payout", "--merchant", code, **env)
    assert again.returncode == 1
    assert again.stderr.startswith("error [nothing_to_pay_out]:")


def test_the_bank_account_is_checked_and_the_jobs_report_what_they_did(tmp_path: Path) -> None:
    db = tmp_path / "labbaik.db"
    code = _season_with_a_sale(db)
    env = {"LABBAIK_DATABASE_URL": f"sqlite:///{db}", "LABBAIK_SECRET_KEY": SECRET}
    wrong = labbaik(
        "wallet", "bank-account", "--merchant", code, "--iban", "SA03 8000 0000 6080 1016 7518",
        "--holder", "Mina Dates", **env,
    )  # fmt: skip
    assert wrong.returncode == 2
    assert wrong.stderr.startswith("error [invalid_input]: --iban: the IBAN's check digits")
    moved = labbaik(
        "wallet", "bank-account", "--merchant", code, "--iban", "SA41 1000 0000 0000 0000 0201",
        "--holder", "Mina Dates", **env,
    )  # fmt: skip
    assert moved.returncode == 0, moved.stderr
    assert "payouts go to SA41 **** **** **** **** 0201" in moved.stdout
    assert labbaik("wallet", "payout", "--merchant", code, **env).returncode == 0
    synced = labbaik("wallet", "payouts-sync", **env)
    assert synced.returncode == 0, synced.stderr
    done = json.loads(synced.stdout.splitlines()[0])
    assert (done["waiting"], done["paid"]) == (1, 0)
    assert "in transit: 1 payout(s), 25.00 SAR; ledger 25.00 SAR; difference 0.00 SAR" in (
        synced.stdout
    )
    recovered = labbaik("wallet", "recover-topups", "--older-than", "1", **env)
    assert recovered.returncode == 0, recovered.stderr
    assert json.loads(recovered.stdout)["checked"] == 0
