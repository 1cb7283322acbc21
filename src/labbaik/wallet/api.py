"""JSON API of the wallet and the merchants; a call that moves money takes an Idempotency-Key."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import AsyncIterator
from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, BackgroundTasks, Depends, FastAPI, Header, Query, Request
from fastapi.responses import Response
from sqlalchemy import Engine

from labbaik.auth.deps import ApiActor
from labbaik.auth.roles import system_actor
from labbaik.db import session_scope
from labbaik.errors import InvalidInput
from labbaik.kit.pagination import MAX_PAGE_SIZE, PageRequest
from labbaik.kit.timeutil import to_riyadh, utcnow
from labbaik.settings import Settings
from labbaik.wallet import (
    bankmatching,
    bankstatement,
    history,
    merchants,
    passkeys,
    payouts,
    service,
    statements,
    tasks,
    topups,
)
from labbaik.wallet.errors import StatementUnreadable
from labbaik.wallet.schemas import (
    BankAccountIn,
    BankStatementReport,
    HistoryPage,
    InTransitReport,
    MerchantCreate,
    MerchantMemberCreate,
    MerchantQR,
    MerchantRead,
    PasskeyRead,
    PasskeyRegister,
    PasskeyUpdate,
    PaymentConfirm,
    PaymentRead,
    PaymentRequestCreate,
    PayoutRead,
    QuoteCreate,
    Reconciliation,
    RefundCreate,
    RefundRead,
    Takings,
    TopUpCreate,
    TopUpRead,
    WalletCreate,
    WalletRead,
    WebhookAck,
)
from labbaik.web.deps import DbSession

log = logging.getLogger("labbaik.wallet")
# The sandbox gateway's delivery, as the top-up endpoints and pages hand it the new webhooks.
deliver_sandbox_webhooks = tasks.deliver_sandbox_webhooks


async def _development_loop(engine: Engine, settings: Settings) -> None:
    while True:
        await asyncio.sleep(tasks.DEVELOPMENT_INTERVAL_SECONDS)
        try:
            await asyncio.to_thread(tasks.run_development_jobs, engine, settings)
        except Exception:
            log.exception("the sandboxes' development jobs failed; trying again")


@contextlib.asynccontextmanager
async def _development_jobs(app: FastAPI) -> AsyncIterator[None]:
    """With the sandbox delivering by itself (development), this process also plays the
    sandboxes' clocks: webhook retries when due, and the payout job against the sandbox bank.
    Elsewhere the two jobs are commands run on a schedule (`labbaik wallet ...`)."""
    settings: Settings = app.state.settings
    if not settings.wallet_sandbox_delivers:
        yield
        return
    task = asyncio.create_task(_development_loop(app.state.engine, settings))
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


router = APIRouter(prefix="/api/v1", tags=["wallet"], lifespan=_development_jobs)
merchant_router = APIRouter(prefix="/api/v1/merchants", tags=["merchants"])

IdempotencyKey = Annotated[
    str,
    Header(
        alias="Idempotency-Key",
        min_length=1,
        max_length=200,
        description="A unique value per operation (a UUID). A retry with the same key and "
        "body gets the first answer and moves no money again; the same key with another "
        "body is refused (422 idempotency_key_reused).",
    ),
]


def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


AppSettings = Annotated[Settings, Depends(_settings)]


async def _raw_body(request: Request) -> bytes:
    """The request's body, read up to the largest statement accepted and refused beyond."""
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > bankstatement.MAX_BYTES:
            raise StatementUnreadable(
                f"the file is larger than {bankstatement.MAX_BYTES // (1024 * 1024)} MB"
            )
        chunks.append(chunk)
    return b"".join(chunks)


def send_payouts(engine: Engine, settings: Settings) -> None:
    """Instruct the bank for the payouts just recorded, once they are committed."""
    with session_scope(engine) as session:
        payouts.sync_payouts(
            session, bank=payouts.bank_for(settings), actor=system_actor("payouts")
        )


# The pilgrim's wallet ---------------------------------------------------------------------------


@router.post("/wallet", status_code=201)
def open_my_wallet(session: DbSession, actor: ApiActor, settings: AppSettings) -> WalletRead:
    """Open the calling pilgrim's wallet (SAR)."""
    if actor.pilgrim_id is None:
        raise InvalidInput(
            "only a pilgrim opens their own wallet; an operator names the pilgrim "
            "(POST /api/v1/wallets)"
        )
    return service.open_wallet(session, pilgrim_id=actor.pilgrim_id, actor=actor, settings=settings)


@router.post("/wallets", status_code=201)
def open_wallet(
    session: DbSession, actor: ApiActor, settings: AppSettings, wallet_in: WalletCreate
) -> WalletRead:
    """Open a wallet for a pilgrim (operators)."""
    return service.open_wallet(
        session, pilgrim_id=wallet_in.pilgrim_id, actor=actor, settings=settings
    )


@router.get("/wallet")
def my_wallet(session: DbSession, actor: ApiActor, settings: AppSettings) -> WalletRead:
    """The calling pilgrim's wallet: what can be spent, what is pending, today's spending."""
    return service.get_wallet(session, actor=actor, settings=settings)


@router.get("/wallets/{wallet_id}")
def get_wallet(
    session: DbSession, actor: ApiActor, settings: AppSettings, wallet_id: uuid.UUID
) -> WalletRead:
    return service.get_wallet(session, actor=actor, settings=settings, wallet_id=wallet_id)


@router.get("/wallets/{wallet_id}/history")
def wallet_history(
    session: DbSession,
    actor: ApiActor,
    wallet_id: uuid.UUID,
    page: Annotated[int, Query(ge=1)] = 1,
    size: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = 50,
) -> HistoryPage:
    """Any wallet's movements (operators; each read is audited)."""
    return history.history(session, actor=actor, page=PageRequest(page, size), wallet_id=wallet_id)


@router.get("/wallet/history")
def my_history(
    session: DbSession,
    actor: ApiActor,
    page: Annotated[int, Query(ge=1)] = 1,
    size: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = 50,
) -> HistoryPage:
    """Every movement of the wallet, oldest first, with the balance after each."""
    return history.history(session, actor=actor, page=PageRequest(page, size))


StatementLang = Annotated[
    Literal["en", "ar"],
    Query(description="the statement's language; Arabic is set right to left"),
]
StatementFrom = Annotated[
    date | None,
    Query(alias="from", description="first Riyadh day of the period (default: the opening)"),
]
StatementTo = Annotated[
    date | None, Query(alias="to", description="last Riyadh day of the period (default: today)")
]


def _attachment(name: str) -> dict[str, str]:
    return {"Content-Disposition": f'attachment; filename="{name}"'}


@router.get(
    "/wallet/statement.csv",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}}}},
)
def my_statement_csv(
    session: DbSession,
    actor: ApiActor,
    settings: AppSettings,
    lang: StatementLang = "en",
    start: StatementFrom = None,
    end: StatementTo = None,
) -> Response:
    """Every line of a period (holds of top-ups too), UTF-8 with a byte-order mark."""
    found = statements.statement(session, actor=actor, settings=settings, start=start, end=end)
    return Response(
        statements.to_csv(found, lang=lang),
        media_type="text/csv; charset=utf-8",
        headers=_attachment("labbaik-wallet.csv"),
    )


@router.get(
    "/wallet/statement.pdf",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}}}},
)
def my_statement_pdf(
    session: DbSession,
    actor: ApiActor,
    settings: AppSettings,
    lang: StatementLang = "en",
    start: StatementFrom = None,
    end: StatementTo = None,
) -> Response:
    """The statement of a period as A4 pages: the holder, the opening and closing balance,
    and the lines that moved the balance between them, with page numbers."""
    found = statements.statement(session, actor=actor, settings=settings, start=start, end=end)
    return Response(
        statements.to_pdf(found, lang=lang),
        media_type="application/pdf",
        headers=_attachment("labbaik-wallet.pdf"),
    )


@router.post("/wallet/topups", status_code=201)
def top_up(
    request: Request,
    session: DbSession,
    actor: ApiActor,
    settings: AppSettings,
    background: BackgroundTasks,
    topup_in: TopUpCreate,
    idempotency_key: IdempotencyKey,
) -> TopUpRead:
    """Start a top-up: pending until the gateway's signed webhook confirms or fails it."""
    topup = topups.start_topup(
        session,
        actor=actor,
        topup_in=topup_in,
        gateway=topups.gateway_for(settings),
        idempotency_key=idempotency_key,
    )
    if settings.wallet_sandbox_delivers:
        background.add_task(deliver_sandbox_webhooks, request.app.state.engine, settings)
    return topup


@router.get("/wallet/topups/{topup_id}")
def get_topup(session: DbSession, actor: ApiActor, topup_id: uuid.UUID) -> TopUpRead:
    return topups.get_topup(session, actor=actor, topup_id=topup_id)


@router.post("/wallet/gateway/webhook")
def gateway_webhook(
    request: Request,
    session: DbSession,
    settings: AppSettings,
    body: Annotated[bytes, Depends(_raw_body)],
) -> WebhookAck:
    """The payment gateway's notifications, signed with HMAC-SHA256 over the raw body.

    A duplicate is acknowledged and changes nothing; a notification older than the state it
    would undo is acknowledged as stale; one about a top-up not stored yet answers 409 so that
    the gateway delivers it again later."""
    return topups.handle_notification(
        session,
        gateway=topups.gateway_for(settings),
        body=body,
        headers=dict(request.headers),
    )


@router.post("/wallet/quotes", status_code=201)
def quote(
    session: DbSession, actor: ApiActor, settings: AppSettings, quote_in: QuoteCreate
) -> PaymentRead:
    """What paying a merchant will cost, fee included; nothing moves until it is confirmed."""
    return service.quote(session, actor=actor, quote_in=quote_in, settings=settings)


@router.get("/wallet/requests")
def open_requests(session: DbSession, actor: ApiActor) -> list[PaymentRead]:
    """Tills' payment requests waiting for the pilgrim's confirmation."""
    return service.open_requests(session, actor=actor)


@router.get("/wallet/payments/{payment_id}")
def get_payment(session: DbSession, actor: ApiActor, payment_id: uuid.UUID) -> PaymentRead:
    return service.get_payment(session, actor=actor, payment_id=payment_id)


@router.post("/wallet/payments/{payment_id}/step-up")
def step_up_options(
    session: DbSession, actor: ApiActor, settings: AppSettings, payment_id: uuid.UUID
) -> dict[str, Any]:
    """WebAuthn request options whose challenge is bound to this payment."""
    service.get_payment(session, actor=actor, payment_id=payment_id)
    return passkeys.payment_options(session, actor=actor, payment_id=payment_id, settings=settings)


@router.post("/wallet/payments/{payment_id}/confirm")
def confirm(
    session: DbSession,
    actor: ApiActor,
    settings: AppSettings,
    payment_id: uuid.UUID,
    idempotency_key: IdempotencyKey,
    confirm_in: PaymentConfirm | None = None,
) -> PaymentRead:
    """Pay the quote. Above the step-up limit, send the passkey's assertion with it."""
    return service.confirm_payment(
        session,
        actor=actor,
        payment_id=payment_id,
        confirm_in=confirm_in or PaymentConfirm(),
        settings=settings,
        idempotency_key=idempotency_key,
    )


@router.post("/wallet/payments/{payment_id}/decline")
def decline(session: DbSession, actor: ApiActor, payment_id: uuid.UUID) -> PaymentRead:
    return service.decline_request(session, actor=actor, payment_id=payment_id)


@router.post("/wallet/passkeys/options")
def passkey_options(session: DbSession, actor: ApiActor, settings: AppSettings) -> dict[str, Any]:
    """WebAuthn creation options for a new passkey of the calling pilgrim."""
    return passkeys.registration_options(session, actor=actor, settings=settings)


@router.post("/wallet/passkeys", status_code=201)
def register_passkey(
    session: DbSession, actor: ApiActor, settings: AppSettings, register_in: PasskeyRegister
) -> PasskeyRead:
    return passkeys.register(session, actor=actor, register_in=register_in, settings=settings)


@router.get("/wallet/passkeys")
def list_passkeys(session: DbSession, actor: ApiActor) -> list[PasskeyRead]:
    """The calling pilgrim's passkeys, oldest first: name, when added, when last used."""
    return passkeys.list_passkeys(session, actor=actor)


@router.get("/wallet/passkeys/{passkey_id}", responses={404: {"description": "not yours"}})
def get_passkey(session: DbSession, actor: ApiActor, passkey_id: uuid.UUID) -> PasskeyRead:
    """One of the calling pilgrim's passkeys; another account's answers 404."""
    return passkeys.get_passkey(session, actor=actor, passkey_id=passkey_id)


@router.patch("/wallet/passkeys/{passkey_id}", responses={404: {"description": "not yours"}})
def rename_passkey(
    session: DbSession, actor: ApiActor, passkey_id: uuid.UUID, update_in: PasskeyUpdate
) -> PasskeyRead:
    """Rename one of the calling pilgrim's passkeys (audited)."""
    return passkeys.rename_passkey(session, actor=actor, passkey_id=passkey_id, update_in=update_in)


@router.delete(
    "/wallet/passkeys/{passkey_id}",
    status_code=204,
    response_class=Response,
    responses={
        404: {"description": "not yours"},
        409: {
            "description": "passkey_still_needed: it is the last passkey and a payment above "
            "the limit waits for a passkey's confirmation"
        },
    },
)
def delete_passkey(session: DbSession, actor: ApiActor, passkey_id: uuid.UUID) -> Response:
    """Remove one of the calling pilgrim's passkeys (audited). The call is the confirmation:
    a client asks the pilgrim before it sends it."""
    passkeys.delete_passkey(session, actor=actor, passkey_id=passkey_id)
    return Response(status_code=204)


# Merchants --------------------------------------------------------------------------------------


@merchant_router.post("", status_code=201)
def create_merchant(
    session: DbSession, actor: ApiActor, settings: AppSettings, merchant_in: MerchantCreate
) -> MerchantRead:
    """Onboard a merchant (operators): its record and its ledger account."""
    return merchants.create_merchant(
        session, merchant_in=merchant_in, actor=actor, settings=settings
    )


@merchant_router.get("")
def list_merchants(session: DbSession, actor: ApiActor) -> list[MerchantRead]:
    return merchants.list_merchants(session, actor=actor)


@merchant_router.get("/me")
def my_merchant(session: DbSession, actor: ApiActor) -> MerchantRead:
    """The merchant whose till the calling account works."""
    return merchants.my_merchant(session, actor=actor)


@merchant_router.get("/me/qr")
def my_qr(
    session: DbSession,
    actor: ApiActor,
    settings: AppSettings,
    amount: Annotated[int | None, Query(gt=0, le=10_000_000)] = None,
) -> MerchantQR:
    """The signed text of the till's payment QR, for an amount or for any amount."""
    return merchants.merchant_qr(session, actor=actor, settings=settings, amount=amount)


@merchant_router.post("/me/requests", status_code=201)
def request_payment(
    session: DbSession,
    actor: ApiActor,
    settings: AppSettings,
    request_in: PaymentRequestCreate,
    idempotency_key: Annotated[
        str | None,
        Header(
            alias="Idempotency-Key",
            max_length=200,
            description="Optional: a retry with the same key does not ask the pilgrim twice.",
        ),
    ] = None,
) -> PaymentRead:
    """Ask a pilgrim's wallet for a payment; it moves when the pilgrim confirms it."""
    return service.request_payment(
        session,
        actor=actor,
        request_in=request_in,
        settings=settings,
        idempotency_key=idempotency_key,
    )


@merchant_router.get("/me/requests")
def my_requests(session: DbSession, actor: ApiActor) -> list[PaymentRead]:
    """The till's latest requests to pilgrims' wallets, newest first, whatever became of them;
    `payer` is the masked name read from the pilgrim's card."""
    return service.till_requests(session, actor=actor)


@merchant_router.get("/me/payments/{payment_id}")
def my_payment(session: DbSession, actor: ApiActor, payment_id: uuid.UUID) -> PaymentRead:
    return service.get_payment(session, actor=actor, payment_id=payment_id)


@merchant_router.get("/me/takings")
def my_takings(session: DbSession, actor: ApiActor, day: date | None = None) -> Takings:
    """The till's payments of a Riyadh day (default today), refunds, and the unpaid balance."""
    return merchants.takings(session, actor=actor, day=day or to_riyadh(utcnow()).date())


@merchant_router.post("/me/payments/{payment_id}/refunds", status_code=201)
def refund(
    session: DbSession,
    actor: ApiActor,
    payment_id: uuid.UUID,
    refund_in: RefundCreate,
    idempotency_key: IdempotencyKey,
) -> RefundRead:
    """Give money back to the pilgrim's wallet: in part, or all that is left (no amount)."""
    return service.refund(
        session,
        actor=actor,
        payment_id=payment_id,
        refund_in=refund_in,
        idempotency_key=idempotency_key,
    )


@merchant_router.get("/{merchant_id}")
def get_merchant(session: DbSession, actor: ApiActor, merchant_id: uuid.UUID) -> MerchantRead:
    return merchants.get_merchant(session, merchant_id=merchant_id, actor=actor)


@merchant_router.post("/{merchant_id}/members")
def add_member(
    session: DbSession, actor: ApiActor, merchant_id: uuid.UUID, member_in: MerchantMemberCreate
) -> MerchantRead:
    """Bind a merchant-role account to this merchant's till (operators)."""
    return merchants.add_member(
        session, merchant_id=merchant_id, account_id=member_in.account_id, actor=actor
    )


@merchant_router.put("/{merchant_id}/bank-account")
def set_bank_account(
    session: DbSession, actor: ApiActor, merchant_id: uuid.UUID, account_in: BankAccountIn
) -> MerchantRead:
    """Set or change the bank account payouts go to (operators; audited). The IBAN's check
    digits are verified; payouts already made keep the account they were made to."""
    return payouts.set_bank_account(
        session, merchant_id=merchant_id, account_in=account_in, actor=actor
    )


@merchant_router.post("/{merchant_id}/payouts", status_code=201)
def payout(
    request: Request,
    session: DbSession,
    actor: ApiActor,
    settings: AppSettings,
    background: BackgroundTasks,
    merchant_id: uuid.UUID,
    idempotency_key: IdempotencyKey,
) -> PayoutRead:
    """Pay the merchant's whole balance out to its bank account (operators).

    The balance moves to "payouts in transit" at once and the payout answers "pending"; the
    bank is then instructed ("in_transit"), and the payout job learns from it whether the
    transfer was paid ("paid") or returned ("returned": the money is back on the balance).
    Follow it with GET .../payouts."""
    payouts.bank_for(settings)
    made = payouts.payout(
        session, merchant_id=merchant_id, actor=actor, idempotency_key=idempotency_key
    )
    background.add_task(send_payouts, request.app.state.engine, settings)
    return made


@merchant_router.get("/{merchant_id}/payouts")
def list_payouts(
    session: DbSession,
    actor: ApiActor,
    merchant_id: uuid.UUID,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> list[PayoutRead]:
    """The merchant's payouts, newest first, with where each stands at the bank."""
    return payouts.list_payouts(session, merchant_id=merchant_id, actor=actor, limit=limit)


@merchant_router.get("/{merchant_id}/reconciliation")
def reconciliation(session: DbSession, actor: ApiActor, merchant_id: uuid.UUID) -> Reconciliation:
    """Payments, refunds and payouts (what is still in transit among them) against the ledger;
    the difference is zero."""
    return merchants.reconcile(session, merchant_id=merchant_id, actor=actor)


@router.get("/payouts/in-transit", tags=["merchants"])
def payouts_in_transit(session: DbSession, actor: ApiActor) -> InTransitReport:
    """Every payout the bank has not yet paid or returned, against the ledger's "payouts in
    transit" account (operators): the difference is zero, and both are zero once the bank has
    answered for every transfer."""
    return payouts.in_transit(session, actor=actor)


_XML_BODY = {
    "requestBody": {
        "required": True,
        "description": "the bank's camt.053 statement file (BkToCstmrStmt), as downloaded",
        "content": {"application/xml": {"schema": {"type": "string", "format": "binary"}}},
    }
}


@router.post(
    "/payouts/bank-statements",
    status_code=201,
    tags=["merchants"],
    openapi_extra=_XML_BODY,
    responses={
        409: {"description": "statement_exists_with_different_content"},
        422: {"description": "statement_unreadable (says where) or statement_unbalanced"},
    },
)
def import_bank_statement(
    session: DbSession, actor: ApiActor, body: Annotated[bytes, Depends(_raw_body)]
) -> BankStatementReport:
    """Import the bank's end-of-day statement of the platform's account (camt.053, the raw
    XML as the body) and match it against the payouts (operators; audited). The same file
    again answers the first report and changes nothing; another file under the same statement
    Id is refused, and so is a statement whose balances do not add up."""
    return bankmatching.import_statement(session, document=body, actor=actor)


@router.get("/payouts/bank-statements/{statement_id}", tags=["merchants"])
def bank_statement_report(
    session: DbSession, actor: ApiActor, statement_id: uuid.UUID
) -> BankStatementReport:
    """An imported statement's report, as it was at its import (operators)."""
    return bankmatching.get_statement_report(session, statement_id=statement_id, actor=actor)
