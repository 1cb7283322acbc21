"""Helpers of the ledger tests: open accounts and send transfers as the platform."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from sqlalchemy.orm import Session

from labbaik.auth.roles import Actor, system_actor
from labbaik.ledger import service
from labbaik.ledger.schemas import AccountBalance, AccountCreate, ResultCode, TransferCreate

SYSTEM = system_actor("test")


class Ledger:
    """Small verbs over the service, each its own committed transaction, as an edge would."""

    def __init__(self, session: Session, actor: Actor = SYSTEM) -> None:
        self.session = session
        self.actor = actor

    def account(self, *flags: str, currency: str = "SAR", code: int = 1) -> uuid.UUID:
        account_id = uuid.uuid4()
        results = service.create_accounts(
            self.session,
            accounts=[
                AccountCreate(id=account_id, currency=currency, code=code, flags=list(flags))
            ],
            actor=self.actor,
        )
        self.session.commit()
        assert results[0].result == ResultCode.OK
        return account_id

    def send(self, *items: TransferCreate, **kwargs: Any) -> list[ResultCode]:
        results = service.create_transfers(
            self.session, transfers=list(items), actor=self.actor, **kwargs
        )
        self.session.commit()
        return [r.result for r in results]

    def balance(self, account_id: uuid.UUID) -> AccountBalance:
        return service.get_balances(self.session, account_ids=[account_id], actor=self.actor)[0]

    def net(self, account_id: uuid.UUID) -> int:
        b = self.balance(account_id)
        return b.credits_posted - b.debits_posted


def transfer(
    debit: uuid.UUID | None,
    credit: uuid.UUID | None,
    amount: int | None,
    *flags: str,
    currency: str | None = "SAR",
    code: int | None = 1,
    **kwargs: Any,
) -> TransferCreate:
    return TransferCreate(
        id=kwargs.pop("id", None) or uuid.uuid4(),
        debit_account_id=debit,
        credit_account_id=credit,
        amount=amount,
        currency=currency,
        code=code,
        flags=list(flags) or None,
        **kwargs,
    )


def post(pending_id: uuid.UUID, amount: int | None = None, *flags: str) -> TransferCreate:
    return TransferCreate(
        id=uuid.uuid4(), pending_id=pending_id, amount=amount, flags=["post_pending", *flags]
    )


def void(pending_id: uuid.UUID) -> TransferCreate:
    return TransferCreate(id=uuid.uuid4(), pending_id=pending_id, flags=["void_pending"])


@pytest.fixture
def ledger(session: Session) -> Ledger:
    return Ledger(session)
