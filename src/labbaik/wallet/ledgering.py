"""How the wallet keeps its money in the ledger: account and reason codes, ids, refusals."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy.orm import Session

from labbaik.auth.roles import system_actor
from labbaik.ledger import service as ledger_service
from labbaik.ledger.schemas import (
    AccountBalance,
    AccountCreate,
    AccountFlag,
    CreateResult,
    ResultCode,
    TransferCreate,
    TransferFlag,
)
from labbaik.wallet.errors import InsufficientFunds, LedgerRefused

CURRENCY = "SAR"

# Kinds of ledger account the wallet opens.
ACCOUNT_WALLET = 20
ACCOUNT_MERCHANT = 21
ACCOUNT_GATEWAY = 22  # money the gateway owes us for confirmed top-ups
ACCOUNT_FEES = 23  # the platform's fee income
# Payouts: a merchant's money leaves its account for "in transit" when the payout is made, and
# goes on to the bank's clearing account when the bank has paid it (or back to the merchant
# when the bank returns it), so "in transit" holds exactly the payouts not yet settled. The
# clearing account is the one older payouts went to directly, hence its ledger name.
ACCOUNT_BANK_CLEARING = 24
ACCOUNT_PAYOUTS_IN_TRANSIT = 25

# Reasons of the transfers it makes.
TOPUP = 201
PAYMENT = 202
FEE = 203
REFUND = 204
FEE_REFUND = 205
PAYOUT = 206  # merchant to in transit
PAYOUT_SETTLED = 207  # in transit to the bank's clearing account
PAYOUT_RETURNED = 208  # in transit back to the merchant

KINDS = {TOPUP: "topup", PAYMENT: "payment", FEE: "fee", REFUND: "refund", FEE_REFUND: "fee_refund"}

# A top-up the gateway never confirms gives its hold back after a day.
TOPUP_TIMEOUT_SECONDS = 86_400

_NAMESPACE = uuid.UUID("5b0f3c38-6a0e-4c1b-9a53-7a3f0e2c1d00")
# The ledger is reached with the platform's authority once the wallet has checked the actor's.
LEDGER_ACTOR = system_actor("wallet")


def transfer_id(owner: uuid.UUID, leg: str) -> uuid.UUID:
    """The client id of one leg of one business event: a retry of the event sends the same id,
    and the ledger answers "exists" instead of moving the money twice."""
    return uuid.uuid5(_NAMESPACE, f"{owner}:{leg}")


def system_account(code: int, currency: str = CURRENCY) -> uuid.UUID:
    return uuid.uuid5(_NAMESPACE, f"system:{code}:{currency}")


def open_system_accounts(session: Session, currency: str = CURRENCY) -> None:
    """The platform's own accounts; opening them again is harmless (the ledger says "exists")."""
    # In transit can never pay out more than came in: a payout settled or returned twice
    # would be refused by the ledger itself.
    limited = [AccountFlag.DEBITS_MUST_NOT_EXCEED_CREDITS]
    accounts = [
        AccountCreate(
            id=system_account(code, currency),
            currency=currency,
            code=code,
            flags=flags,
            owner_type="platform",
            reference=name,
        )
        for code, name, flags in (
            (ACCOUNT_GATEWAY, "gateway clearing", []),
            (ACCOUNT_FEES, "wallet fees", []),
            (ACCOUNT_BANK_CLEARING, "merchant settlement", []),
            (ACCOUNT_PAYOUTS_IN_TRANSIT, "payouts in transit", limited),
        )
    ]
    check(ledger_service.create_accounts(session, accounts=accounts, actor=LEDGER_ACTOR))


def open_account(
    session: Session,
    *,
    account_id: uuid.UUID,
    code: int,
    owner_type: str,
    owner_id: uuid.UUID,
    limited: bool,
    currency: str = CURRENCY,
) -> None:
    open_system_accounts(session, currency)
    flags = [AccountFlag.DEBITS_MUST_NOT_EXCEED_CREDITS] if limited else []
    account = AccountCreate(
        id=account_id,
        currency=currency,
        code=code,
        flags=flags,
        owner_type=owner_type,
        owner_id=owner_id,
    )
    check(ledger_service.create_accounts(session, accounts=[account], actor=LEDGER_ACTOR))


def move(
    session: Session,
    transfers: Sequence[TransferCreate],
    *,
    short: str = "the wallet does not hold enough for this payment",
) -> None:
    """Make the transfers, all or none (linked), or raise the refusal as a wallet error;
    `short` says whose money was short when a limited account would go below zero."""
    chain = list(transfers)
    if len(chain) > 1:
        chain = [
            t.model_copy(update={"flags": [*(t.flags or []), TransferFlag.LINKED]})
            for t in chain[:-1]
        ] + [chain[-1]]
    check(
        ledger_service.create_transfers(session, transfers=chain, actor=LEDGER_ACTOR), short=short
    )


def balances(session: Session, account_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, AccountBalance]:
    found = ledger_service.get_balances(session, account_ids=list(account_ids), actor=LEDGER_ACTOR)
    return {b.id: b for b in found}


def available(balance: AccountBalance) -> int:
    """What a limited account may still spend: posted credits less every debit, held ones too."""
    return balance.credits_posted - balance.debits_posted - balance.debits_pending


def check(results: Sequence[CreateResult], *, short: str = "") -> None:
    fine = {ResultCode.OK, ResultCode.EXISTS}
    for item in results:
        code = item.result
        if code in fine:
            continue
        if code == ResultCode.LINKED_EVENT_FAILED:
            continue  # the cause is another item of the chain, reported on its own
        if code == ResultCode.EXCEEDS_CREDITS:
            raise InsufficientFunds(short)
        raise LedgerRefused(f"the ledger refused the movement ({code})")
