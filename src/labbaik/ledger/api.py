"""JSON API of the ledger, for operators and integrators: batches of accounts and transfers."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Body, Query

from labbaik.auth.deps import ApiActor
from labbaik.kit.pagination import MAX_PAGE_SIZE, PageRequest
from labbaik.ledger import service
from labbaik.ledger.schemas import (
    MAX_BATCH,
    AccountBalance,
    AccountBatch,
    CreateResult,
    EntryPage,
    TransferBatch,
    TransferRead,
)
from labbaik.web.deps import DbSession

router = APIRouter(prefix="/api/v1/ledger", tags=["ledger"])

_BATCH_NOTE = (
    f"A list of at most {MAX_BATCH} items, answered by one result per item in the same order. "
    "The whole list is one transaction. Each item is idempotent by its id: sent again with the "
    "same fields it answers `exists` (or its first refusal), with other fields "
    "`exists_with_different_fields`. Needs the `ledger:write` scope (operators, admins). "
    "409 `busy` with Retry-After when the accounts stay locked by other writers."
)

_ACCOUNTS_EXAMPLE: list[dict[str, Any]] = [
    {
        "id": "01937a4e-8b1c-7d2e-9f00-1a2b3c4d5e6f",
        "currency": "SAR",
        "code": 10,
        "flags": ["debits_must_not_exceed_credits"],
    },
    {"id": "01937a4e-8b1c-7d2e-9f00-1a2b3c4d5e70", "currency": "SAR", "code": 20, "flags": []},
]
_TRANSFERS_EXAMPLE: list[dict[str, Any]] = [
    {
        "id": "01937a4f-0000-7000-8000-000000000001",
        "debit_account_id": "01937a4e-8b1c-7d2e-9f00-1a2b3c4d5e70",
        "credit_account_id": "01937a4e-8b1c-7d2e-9f00-1a2b3c4d5e6f",
        "amount": 10000,
        "currency": "SAR",
        "code": 1,
        "reference": "top-up 1447-0001",
        "flags": ["linked"],
    },
    {
        "id": "01937a4f-0000-7000-8000-000000000002",
        "debit_account_id": "01937a4e-8b1c-7d2e-9f00-1a2b3c4d5e6f",
        "credit_account_id": "01937a4e-8b1c-7d2e-9f00-1a2b3c4d5e70",
        "amount": 2500,
        "currency": "SAR",
        "code": 2,
        "flags": ["pending"],
        "timeout_seconds": 600,
    },
]


@router.post("/accounts", summary="Open accounts (a batch)", description=_BATCH_NOTE)
def create_accounts(
    session: DbSession,
    actor: ApiActor,
    accounts: Annotated[AccountBatch, Body(examples=[_ACCOUNTS_EXAMPLE])],
) -> list[CreateResult]:
    return service.create_accounts(session, accounts=accounts, actor=actor)


@router.post("/transfers", summary="Move money (a batch)", description=_BATCH_NOTE)
def create_transfers(
    session: DbSession,
    actor: ApiActor,
    transfers: Annotated[TransferBatch, Body(examples=[_TRANSFERS_EXAMPLE])],
) -> list[CreateResult]:
    return service.create_transfers(session, transfers=transfers, actor=actor)


@router.get("/accounts/{account_id}", summary="An account's posted and pending totals")
def get_account(session: DbSession, actor: ApiActor, account_id: uuid.UUID) -> AccountBalance:
    balances = service.get_balances(session, account_ids=[account_id], actor=actor)
    if not balances:
        service.get_account(session, account_id=account_id, actor=actor)
    return balances[0]


@router.get("/accounts/{account_id}/entries", summary="An account's statement, oldest first")
def list_entries(
    session: DbSession,
    actor: ApiActor,
    account_id: uuid.UUID,
    page: Annotated[int, Query(ge=1)] = 1,
    size: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = 100,
) -> EntryPage:
    return service.list_entries(
        session, account_id=account_id, actor=actor, page=PageRequest(page, size)
    )


@router.get("/transfers/{transfer_id}", summary="One transfer and its outcome")
def get_transfer(session: DbSession, actor: ApiActor, transfer_id: uuid.UUID) -> TransferRead:
    return service.get_transfer(session, transfer_id=transfer_id, actor=actor)
