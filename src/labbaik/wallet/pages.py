"""Pages of the wallet: the pilgrim's wallet, pay, top up, passkeys; the till; the merchants."""

from __future__ import annotations

import json
import secrets
import uuid
from collections.abc import Callable
from datetime import date
from typing import Annotated, Any

import segno
from fastapi import APIRouter, Depends, Form, Query, Request, UploadFile
from fastapi.responses import JSONResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy.orm import Session
from starlette.background import BackgroundTask

from labbaik.auth import service as auth_service
from labbaik.auth.deps import Csrf, PageActor
from labbaik.auth.roles import Actor, Scope
from labbaik.db import settle_error
from labbaik.errors import DomainError, Forbidden, InvalidInput
from labbaik.kit.money import Money
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
    topups,
)
from labbaik.wallet.api import deliver_sandbox_webhooks, send_payouts
from labbaik.wallet.errors import StatementUnreadable, WalletNotFound
from labbaik.wallet.gateway import CARD_DECLINED, CARD_SUCCEEDS, CARD_TIMEOUT
from labbaik.wallet.schemas import (
    BankAccountIn,
    HistoryItem,
    MerchantCreate,
    PasskeyRegister,
    PasskeyUpdate,
    PaymentConfirm,
    PaymentRequestCreate,
    QuoteCreate,
    RefundCreate,
    TopUpCreate,
)
from labbaik.web import nav
from labbaik.web.deps import DbSession
from labbaik.web.templating import lang_of, render

router = APIRouter(include_in_schema=False)

nav.register("/wallet", "Wallet", roles={"pilgrim"}, order=15)
nav.register("/till", "Till", roles={"merchant"}, order=15)
nav.register("/merchants", "Merchants", roles={"operator", "admin"}, order=40)

TEST_CARDS = (
    (CARD_SUCCEEDS, "Succeeds"),
    (CARD_DECLINED, "Declined"),
    (CARD_TIMEOUT, "Gateway timeout, then succeeds"),
)
RECENT = 20


def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def money(amount: int, currency: str = "SAR") -> str:
    return Money(amount, currency).format()


def _halalas(text: str, field: str) -> int:
    """An amount typed in riyals ("12.5", "12,50") as halalas."""
    cleaned = text.strip().replace(",", ".").replace(" ", "")
    whole, _, frac = cleaned.partition(".")
    if not whole.isdigit() or (frac and not frac.isdigit()) or len(frac) > 2:
        raise InvalidInput(f"{field}: {text[:20]!r} is not an amount in riyals (like 12.50)")
    amount = int(whole) * 100 + int((frac + "00")[:2])
    if amount <= 0:
        raise InvalidInput(f"{field}: must be more than zero")
    return amount


def _fail(
    request: Request,
    session: Session,
    template: str,
    exc: DomainError,
    context: Callable[[], dict[str, Any]],
) -> Response:
    """The page again, with the refusal's message. The unit of work is settled first and the
    page's context read after: nothing of the refused action is kept or shown (its flushed
    writes are rolled back, and on PostgreSQL a transaction that a failed statement aborted
    is usable again), but for the record a refusal keeps, such as the scan of a refused card."""
    settle_error(session, exc)
    full = {"error_code": exc.code, "error_detail": exc.message, **context()}
    return render(request, template, full, status=exc.status)


def _check_json_csrf(request: Request) -> None:
    sent = request.headers.get("x-csrf-token", "")
    expected = request.session.get("csrf")
    if not isinstance(expected, str) or not secrets.compare_digest(sent, expected):
        raise Forbidden("the page has expired; reload it and try again")


JsonCsrf = Depends(_check_json_csrf)


# The pilgrim's wallet ---------------------------------------------------------------------------


def _recent(session: Session, actor: Actor) -> list[HistoryItem]:
    """The newest lines, without the hold of a top-up that has since been settled: the
    statement keeps both, but on a phone one line per top-up is what the pilgrim expects."""
    # One read of the ledger for almost every pilgrim: a season is rarely 500 movements.
    first = history.history(session, actor=actor, page=PageRequest(1, MAX_PAGE_SIZE))
    items = first.items
    last_page = -(-first.total // MAX_PAGE_SIZE)
    if last_page > 1:
        last = history.history(session, actor=actor, page=PageRequest(last_page, MAX_PAGE_SIZE))
        items = last.items
        if len(items) < RECENT:
            before = (
                first.items
                if last_page == 2
                else history.history(
                    session, actor=actor, page=PageRequest(last_page - 1, MAX_PAGE_SIZE)
                ).items
            )
            items = before[-RECENT:] + items
    settled = {i.reference for i in items if not i.pending or i.amount < 0}
    shown = [i for i in items if not (i.pending and (i.amount < 0 or i.reference in settled))]
    return list(reversed(shown))[:RECENT]


@router.get("/wallet")
def wallet_page(request: Request, session: DbSession, actor: PageActor) -> Response:
    auth_service.require(actor, Scope.WALLET_OWN)
    try:
        context = _wallet_context(request, session, actor)
    except WalletNotFound:
        return render(request, "wallet/open.html", {})
    return render(request, "wallet/wallet.html", context)


def _wallet_context(request: Request, session: Session, actor: Actor) -> dict[str, Any]:
    settings = _settings(request)
    return {
        "wallet": service.get_wallet(session, actor=actor, settings=settings),
        "money": money,
        "requests": service.open_requests(session, actor=actor),
        "history": _recent(session, actor),
        "topups": [t for t in topups.list_topups(session, actor=actor) if t.status == "pending"],
        "passkeys": passkeys.list_passkeys(session, actor=actor),
        "step_up_above": settings.wallet_step_up_above,
    }


@router.post("/wallet/open", dependencies=[Csrf])
def open_wallet(request: Request, session: DbSession, actor: PageActor) -> Response:
    if actor.pilgrim_id is None:
        raise Forbidden("only a pilgrim opens their own wallet")
    service.open_wallet(
        session, pilgrim_id=actor.pilgrim_id, actor=actor, settings=_settings(request)
    )
    return RedirectResponse("/wallet", status_code=303)


def _statement(
    request: Request, session: Session, actor: Actor, start: str | None, end: str | None
) -> statements.Statement:
    return statements.statement(
        session,
        actor=actor,
        settings=_settings(request),
        start=statements.parse_day(start, "from"),
        end=statements.parse_day(end, "to"),
    )


def _download(name: str) -> dict[str, str]:
    return {"Content-Disposition": f'attachment; filename="{name}"'}


StatementFrom = Annotated[str | None, Query(alias="from", max_length=20)]
StatementTo = Annotated[str | None, Query(alias="to", max_length=20)]


@router.get("/wallet/statement.csv")
def statement_csv(
    request: Request,
    session: DbSession,
    actor: PageActor,
    start: StatementFrom = None,
    end: StatementTo = None,
) -> Response:
    """The statement in the page's language (the link passes ?lang=), of a period if given."""
    found = _statement(request, session, actor, start, end)
    return Response(
        statements.to_csv(found, lang=lang_of(request)),
        media_type="text/csv; charset=utf-8",
        headers=_download("labbaik-wallet.csv"),
    )


@router.get("/wallet/statement.pdf")
def statement_pdf(
    request: Request,
    session: DbSession,
    actor: PageActor,
    start: StatementFrom = None,
    end: StatementTo = None,
) -> Response:
    found = _statement(request, session, actor, start, end)
    return Response(
        statements.to_pdf(found, lang=lang_of(request)),
        media_type="application/pdf",
        headers=_download("labbaik-wallet.pdf"),
    )


# Top up -----------------------------------------------------------------------------------------


def _topup_context(amount: str = "") -> dict[str, Any]:
    return {"cards": TEST_CARDS, "amount": amount, "key": uuid.uuid4().hex}


@router.get("/wallet/topup")
def topup_form(request: Request, actor: PageActor) -> Response:
    auth_service.require(actor, Scope.WALLET_OWN)
    return render(request, "wallet/topup.html", _topup_context())


@router.post("/wallet/topup", dependencies=[Csrf])
def topup(
    request: Request,
    session: DbSession,
    actor: PageActor,
    amount: Annotated[str, Form(max_length=20)],
    card: Annotated[str, Form(max_length=23)],
    key: Annotated[str, Form(max_length=64)],
) -> Response:
    settings = _settings(request)
    try:
        started = topups.start_topup(
            session,
            actor=actor,
            topup_in=TopUpCreate(amount=_halalas(amount, "amount"), card=card),
            gateway=topups.gateway_for(settings),
            idempotency_key=key,
        )
    except DomainError as exc:
        return _fail(request, session, "wallet/topup.html", exc, lambda: _topup_context(amount))
    session.commit()
    if settings.wallet_sandbox_delivers:
        # The sandbox answers later, as a real gateway does: its webhook settles the top-up.
        from starlette.background import BackgroundTask  # noqa: PLC0415

        task = BackgroundTask(deliver_sandbox_webhooks, request.app.state.engine, settings)
        return RedirectResponse(f"/wallet/topup/{started.id}", status_code=303, background=task)
    return RedirectResponse(f"/wallet/topup/{started.id}", status_code=303)


@router.get("/wallet/topup/{topup_id}")
def topup_status(
    request: Request, session: DbSession, actor: PageActor, topup_id: uuid.UUID
) -> Response:
    found = topups.get_topup(session, actor=actor, topup_id=topup_id)
    return render(request, "wallet/topup_status.html", {"topup": found, "money": money})


# Pay --------------------------------------------------------------------------------------------


@router.get("/wallet/pay")
def pay_form(request: Request, actor: PageActor, code: str = "") -> Response:
    auth_service.require(actor, Scope.WALLET_OWN)
    return render(request, "wallet/pay.html", {"code": code[:300], "amount": ""})


@router.post("/wallet/pay", dependencies=[Csrf])
def pay_quote(
    request: Request,
    session: DbSession,
    actor: PageActor,
    code: Annotated[str, Form(max_length=300)],
    amount: Annotated[str, Form(max_length=20)] = "",
) -> Response:
    text = code.strip()
    try:
        quote_in = QuoteCreate(
            merchant_qr=text if text.upper().startswith(merchants.QR_PREFIX) else None,
            merchant_code=None if text.upper().startswith(merchants.QR_PREFIX) else text[:16],
            amount=_halalas(amount, "amount") if amount.strip() else None,
        )
        found = service.quote(session, actor=actor, quote_in=quote_in, settings=_settings(request))
    except DomainError as exc:
        return _fail(
            request, session, "wallet/pay.html", exc, lambda: {"code": code, "amount": amount}
        )
    return RedirectResponse(f"/wallet/pay/{found.id}", status_code=303)


def _review_context(session: Session, actor: Actor, payment_id: uuid.UUID) -> dict[str, Any]:
    return {
        "payment": service.get_payment(session, actor=actor, payment_id=payment_id),
        "money": money,
        # A new key per page shown: a double tap sends the same one and pays once.
        "key": uuid.uuid4().hex,
        "has_passkey": bool(passkeys.list_passkeys(session, actor=actor)),
    }


@router.get("/wallet/pay/{payment_id}")
def pay_review(
    request: Request, session: DbSession, actor: PageActor, payment_id: uuid.UUID
) -> Response:
    return render(request, "wallet/review.html", _review_context(session, actor, payment_id))


@router.post("/wallet/pay/{payment_id}/step-up", dependencies=[JsonCsrf])
def pay_step_up(
    request: Request, session: DbSession, actor: PageActor, payment_id: uuid.UUID
) -> Response:
    service.get_payment(session, actor=actor, payment_id=payment_id)
    options = passkeys.payment_options(
        session, actor=actor, payment_id=payment_id, settings=_settings(request)
    )
    return JSONResponse(options)


@router.post("/wallet/pay/{payment_id}/confirm", dependencies=[Csrf])
def pay_confirm(
    request: Request,
    session: DbSession,
    actor: PageActor,
    payment_id: uuid.UUID,
    key: Annotated[str, Form(max_length=64)],
    assertion: Annotated[str, Form(max_length=20_000)] = "",
) -> Response:
    try:
        parsed = json.loads(assertion) if assertion else None
    except ValueError:
        parsed = None
    try:
        service.confirm_payment(
            session,
            actor=actor,
            payment_id=payment_id,
            confirm_in=PaymentConfirm(assertion=parsed if isinstance(parsed, dict) else None),
            settings=_settings(request),
            idempotency_key=key,
        )
    except DomainError as exc:
        return _fail(
            request, session, "wallet/review.html", exc,
            lambda: _review_context(session, actor, payment_id),
        )  # fmt: skip
    return RedirectResponse(f"/wallet/pay/{payment_id}", status_code=303)


@router.post("/wallet/pay/{payment_id}/decline", dependencies=[Csrf])
def pay_decline(session: DbSession, actor: PageActor, payment_id: uuid.UUID) -> Response:
    service.decline_request(session, actor=actor, payment_id=payment_id)
    return RedirectResponse("/wallet", status_code=303)


# Passkeys (called by wallet.js) -----------------------------------------------------------------


@router.post("/wallet/passkeys/options", dependencies=[JsonCsrf])
def passkey_options(request: Request, session: DbSession, actor: PageActor) -> Response:
    options = passkeys.registration_options(session, actor=actor, settings=_settings(request))
    return JSONResponse(options)


async def _json_body(request: Request) -> Any:
    try:
        return await request.json()
    except ValueError:
        raise InvalidInput("the passkey's answer is not JSON") from None


@router.post("/wallet/passkeys", dependencies=[JsonCsrf])
def passkey_register(
    request: Request,
    session: DbSession,
    actor: PageActor,
    credential: Annotated[Any, Depends(_json_body)],
    name: Annotated[str, Query(max_length=100)] = "",
) -> Response:
    if not isinstance(credential, dict):
        raise InvalidInput("the passkey's answer is not a JSON object")
    registered = passkeys.register(
        session,
        actor=actor,
        register_in=PasskeyRegister(credential=credential, name=" ".join(name.split()) or "phone"),
        settings=_settings(request),
    )
    return JSONResponse(registered.model_dump(mode="json"), status_code=201)


# The pilgrim's passkeys: rename, and remove after a confirmation page.


@router.post("/wallet/passkeys/{passkey_id}/rename", dependencies=[Csrf])
def passkey_rename(
    request: Request,
    session: DbSession,
    actor: PageActor,
    passkey_id: uuid.UUID,
    name: Annotated[str, Form(max_length=200)],
) -> Response:
    try:
        try:
            update_in = PasskeyUpdate(name=name)
        except ValueError:
            raise InvalidInput("name: give the passkey a name of 1 to 100 characters") from None
        passkeys.rename_passkey(session, actor=actor, passkey_id=passkey_id, update_in=update_in)
    except DomainError as exc:
        return _fail(
            request,
            session,
            "wallet/wallet.html",
            exc,
            lambda: _wallet_context(request, session, actor),
        )
    return RedirectResponse("/wallet#passkeys", status_code=303)


@router.get("/wallet/passkeys/{passkey_id}/delete")
def passkey_delete_form(
    request: Request, session: DbSession, actor: PageActor, passkey_id: uuid.UUID
) -> Response:
    """Ask before removing: a phone's passkey is what confirms the larger payments."""
    found = passkeys.get_passkey(session, actor=actor, passkey_id=passkey_id)
    context = {"passkey": found, "last": len(passkeys.list_passkeys(session, actor=actor)) == 1}
    return render(request, "wallet/passkey_delete.html", context)


@router.post("/wallet/passkeys/{passkey_id}/delete", dependencies=[Csrf])
def passkey_delete(
    request: Request, session: DbSession, actor: PageActor, passkey_id: uuid.UUID
) -> Response:
    try:
        passkeys.delete_passkey(session, actor=actor, passkey_id=passkey_id)
    except DomainError as exc:

        def context() -> dict[str, Any]:
            found = passkeys.get_passkey(session, actor=actor, passkey_id=passkey_id)
            return {"passkey": found, "last": True}

        return _fail(request, session, "wallet/passkey_delete.html", exc, context)
    return RedirectResponse("/wallet#passkeys", status_code=303)


# The merchant's till ----------------------------------------------------------------------------


def _qr_data_uri(text: str) -> str:
    # Alphanumeric mode (the code's text is upper case, digits and ':'): a small version 2 QR.
    return str(segno.make(text, error="m").svg_data_uri(scale=6, border=4))


def _till_context(
    session: Session, actor: Actor, settings: Settings, *, day: date | None = None
) -> dict[str, Any]:
    merchant = merchants.my_merchant(session, actor=actor)
    today = day or to_riyadh(utcnow()).date()
    return {
        "merchant": merchant,
        "takings": merchants.takings(session, actor=actor, day=today),
        "requests": service.till_requests(session, actor=actor),
        "money": money,
        "fee_percent": f"{merchant.fee_bps / 100:g}",
    }


def _till_refused(
    request: Request, session: Session, actor: Actor, settings: Settings, exc: DomainError
) -> Response:
    def context() -> dict[str, Any]:
        qr = merchants.merchant_qr(session, actor=actor, settings=settings)
        return _till_context(session, actor, settings) | {
            "qr": qr, "qr_image": _qr_data_uri(qr.text), "amount": ""
        }  # fmt: skip

    return _fail(request, session, "wallet/till.html", exc, context)


@router.get("/till")
def till(request: Request, session: DbSession, actor: PageActor, amount: str = "") -> Response:
    settings = _settings(request)
    context = _till_context(session, actor, settings)
    if amount.strip():
        try:
            halalas = _halalas(amount, "amount")
        except DomainError as exc:
            return _fail(
                request, session, "wallet/till.html", exc, lambda: context | {"amount": amount}
            )
        qr = merchants.merchant_qr(session, actor=actor, settings=settings, amount=halalas)
    else:
        qr = merchants.merchant_qr(session, actor=actor, settings=settings)
    context |= {"qr": qr, "qr_image": _qr_data_uri(qr.text), "amount": amount}
    return render(request, "wallet/till.html", context)


@router.post("/till/request", dependencies=[Csrf])
def till_request(
    request: Request,
    session: DbSession,
    actor: PageActor,
    card: Annotated[str, Form(max_length=4000)],
    amount: Annotated[str, Form(max_length=20)],
) -> Response:
    settings = _settings(request)
    try:
        service.request_payment(
            session,
            actor=actor,
            request_in=PaymentRequestCreate(card=card, amount=_halalas(amount, "amount")),
            settings=settings,
        )
    except DomainError as exc:
        return _till_refused(request, session, actor, settings, exc)
    return RedirectResponse("/till", status_code=303)


@router.post("/till/refund/{payment_id}", dependencies=[Csrf])
def till_refund(
    request: Request,
    session: DbSession,
    actor: PageActor,
    payment_id: uuid.UUID,
    key: Annotated[str, Form(max_length=64)],
    amount: Annotated[str, Form(max_length=20)] = "",
) -> Response:
    settings = _settings(request)
    try:
        service.refund(
            session,
            actor=actor,
            payment_id=payment_id,
            refund_in=RefundCreate(amount=_halalas(amount, "amount") if amount.strip() else None),
            idempotency_key=key,
        )
    except DomainError as exc:
        return _till_refused(request, session, actor, settings, exc)
    return RedirectResponse("/till", status_code=303)


# The operator's merchants -----------------------------------------------------------------------


def _merchants_context(session: Session, actor: Actor) -> dict[str, Any]:
    listed = merchants.list_merchants(session, actor=actor)
    return {
        "merchants": listed,
        "reports": {
            m.id: merchants.reconcile(session, merchant_id=m.id, actor=actor) for m in listed
        },
        "payouts": {
            m.id: payouts.list_payouts(session, merchant_id=m.id, actor=actor, limit=1)
            for m in listed
        },
        "transit": payouts.in_transit(session, actor=actor),
        "statements": bankmatching.recent_statements(session, actor=actor),
        "max_statement_mb": bankstatement.MAX_BYTES // (1024 * 1024),
        "money": money,
        "key": uuid.uuid4().hex,
    }


def _merchants_refused(
    request: Request, session: Session, actor: Actor, exc: DomainError
) -> Response:
    return _fail(
        request, session, "wallet/merchants.html", exc, lambda: _merchants_context(session, actor)
    )


def _invalid(exc: ValueError, what: str) -> InvalidInput:
    if isinstance(exc, ValidationError) and exc.errors():
        problem = exc.errors()[0]
        field = ".".join(str(p) for p in problem["loc"])
        reason = str(problem["msg"]).removeprefix("Value error, ")
        return InvalidInput(f"{what}: {field}: {reason}")
    return InvalidInput(f"{what}: {str(exc).splitlines()[0]}")


@router.get("/merchants")
def merchants_page(request: Request, session: DbSession, actor: PageActor) -> Response:
    return render(request, "wallet/merchants.html", _merchants_context(session, actor))


@router.post("/merchants", dependencies=[Csrf])
def merchants_create(
    request: Request,
    session: DbSession,
    actor: PageActor,
    name: Annotated[str, Form(max_length=200)],
    name_ar: Annotated[str, Form(max_length=200)] = "",
    category: Annotated[str, Form(max_length=32)] = "other",
    site: Annotated[str, Form(max_length=100)] = "",
    username: Annotated[str, Form(max_length=64)] = "",
    iban: Annotated[str, Form(max_length=42)] = "",
    holder: Annotated[str, Form(max_length=140)] = "",
) -> Response:
    try:
        bank = BankAccountIn(iban=iban, holder=holder or name) if iban.strip() else None
        created = merchants.create_merchant(
            session,
            merchant_in=MerchantCreate.model_validate(
                {"name": name, "name_ar": name_ar or None, "category": category,
                 "site": site or None, "bank_account": bank}
            ),
            actor=actor,
            settings=_settings(request),
        )  # fmt: skip
        if username.strip():
            account = auth_service.get_account(session, username=username.strip())
            merchants.add_member(
                session, merchant_id=created.id, account_id=account.id, actor=actor
            )
    except DomainError as exc:
        return _merchants_refused(request, session, actor, exc)
    except ValueError as exc:
        return _merchants_refused(
            request, session, actor, _invalid(exc, "the merchant is not valid")
        )
    return RedirectResponse("/merchants", status_code=303)


@router.post("/merchants/{merchant_id}/bank-account", dependencies=[Csrf])
def merchants_bank_account(
    request: Request,
    session: DbSession,
    actor: PageActor,
    merchant_id: uuid.UUID,
    iban: Annotated[str, Form(max_length=42)],
    holder: Annotated[str, Form(max_length=140)],
) -> Response:
    try:
        payouts.set_bank_account(
            session,
            merchant_id=merchant_id,
            account_in=BankAccountIn(iban=iban, holder=holder),
            actor=actor,
        )
    except DomainError as exc:
        return _merchants_refused(request, session, actor, exc)
    except ValueError as exc:
        return _merchants_refused(
            request, session, actor, _invalid(exc, "the bank account is not valid")
        )
    return RedirectResponse("/merchants", status_code=303)


@router.post("/merchants/{merchant_id}/payout", dependencies=[Csrf])
def merchants_payout(
    request: Request,
    session: DbSession,
    actor: PageActor,
    merchant_id: uuid.UUID,
    # The page's key and the merchant's id: one payout per merchant per page shown.
    key: Annotated[str, Form(max_length=100)],
) -> Response:
    settings = _settings(request)
    try:
        payouts.bank_for(settings)
        payouts.payout(session, merchant_id=merchant_id, actor=actor, idempotency_key=key)
    except DomainError as exc:
        return _merchants_refused(request, session, actor, exc)
    session.commit()
    # The bank is instructed once the payout is committed.
    task = BackgroundTask(send_payouts, request.app.state.engine, settings)
    return RedirectResponse("/merchants", status_code=303, background=task)


@router.post("/merchants/bank-statement", dependencies=[Csrf])
def merchants_bank_statement(
    request: Request, session: DbSession, actor: PageActor, file: UploadFile
) -> Response:
    """Import the bank's statement (camt.053) and show how it matched the payouts."""
    try:
        auth_service.require(actor, Scope.MERCHANT_MANAGE)
        document = file.file.read(bankstatement.MAX_BYTES + 1)
        if len(document) > bankstatement.MAX_BYTES:
            raise StatementUnreadable(
                f"the file is larger than {bankstatement.MAX_BYTES // (1024 * 1024)} MB"
            )
        report = bankmatching.import_statement(session, document=document, actor=actor)
    except DomainError as exc:
        return _merchants_refused(request, session, actor, exc)
    return RedirectResponse(f"/merchants/bank-statements/{report.id}", status_code=303)


@router.get("/merchants/bank-statements/{statement_id}")
def merchants_bank_statement_report(
    request: Request, session: DbSession, actor: PageActor, statement_id: uuid.UUID
) -> Response:
    report = bankmatching.get_statement_report(session, statement_id=statement_id, actor=actor)
    attention = [line for line in report.lines if line.outcome in bankmatching.ATTENTION]
    days = None
    if report.from_at and report.to_at:
        first, last = to_riyadh(report.from_at).date(), to_riyadh(report.to_at).date()
        days = str(first) if first == last else f"{first} – {last}"
    context = {"report": report, "attention": attention, "days": days, "money": money}
    return render(request, "wallet/bank_statement.html", context)
