"""Commands of the wallet: onboard merchants, pay them out, reconcile, and the wallet's jobs."""

from __future__ import annotations

import json
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Annotated

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.table import Table

from labbaik.auth import service as auth_service
from labbaik.auth.roles import system_actor
from labbaik.db import session_scope
from labbaik.kit.money import Money
from labbaik.settings import get_settings
from labbaik.wallet import bankmatching, merchants, payouts, tasks, topups
from labbaik.wallet.gateway import SandboxGateway, http_poster
from labbaik.wallet.schemas import (
    BankAccountIn,
    BankStatementReport,
    InTransitReport,
    MerchantCreate,
    Reconciliation,
)

app = typer.Typer(help="The wallet and its merchants.", no_args_is_help=True)


def _sar(amount: int) -> str:
    return Money(amount).format()


def _report_table(reports: list[Reconciliation]) -> Table:
    table = Table(
        "merchant", "payments", "refunds", "payouts", "in transit", "ledger balance", "difference"
    )
    for r in reports:
        table.add_row(
            r.merchant_code,
            _sar(r.payments),
            _sar(r.refunds),
            _sar(r.payouts),
            _sar(r.in_transit),
            _sar(r.ledger_balance),
            _sar(r.difference),
        )
    return table


def _transit_line(report: InTransitReport) -> str:
    return (
        f"in transit: {report.payouts} payout(s), {_sar(report.amount)}; ledger "
        f"{_sar(report.ledger_in_transit)}; difference {_sar(report.difference)}; paid by the "
        f"bank {_sar(report.paid)}, returned {_sar(report.returned)}"
    )


def _bank_account(iban: str | None, holder: str | None) -> BankAccountIn | None:
    if iban is None and holder is None:
        return None
    if not (iban and holder):
        typer.echo("error [invalid_input]: give both --iban and --holder", err=True)
        raise typer.Exit(2)
    try:
        return BankAccountIn(iban=iban, holder=holder)
    except ValidationError as exc:
        problem = exc.errors()[0]
        reason = str(problem["msg"]).removeprefix("Value error, ")
        typer.echo(f"error [invalid_input]: --{problem['loc'][0]}: {reason}", err=True)
        raise typer.Exit(2) from None


@app.command("merchant-add")
def merchant_add(
    name: Annotated[str, typer.Argument(help="The merchant's name.")],
    category: Annotated[str, typer.Option(help="food, water, transport, pharmacy, ...")] = "other",
    name_ar: Annotated[str | None, typer.Option(help="The name in Arabic.")] = None,
    site: Annotated[str | None, typer.Option(help="Where the till is.")] = None,
    account: Annotated[
        str | None, typer.Option(help="Username of the merchant-role account of its till.")
    ] = None,
    iban: Annotated[str | None, typer.Option(help="The IBAN payouts go to.")] = None,
    holder: Annotated[str | None, typer.Option(help="The bank account holder's name.")] = None,
) -> None:
    """Onboard a merchant (its ledger account is opened with it); prints its code."""
    actor = system_actor("cli")
    bank_account = _bank_account(iban, holder)
    with session_scope() as session:
        created = merchants.create_merchant(
            session,
            merchant_in=MerchantCreate.model_validate(
                {"name": name, "name_ar": name_ar, "category": category, "site": site}
            ).model_copy(update={"bank_account": bank_account}),
            actor=actor,
            settings=get_settings(),
        )
        if account:
            found = auth_service.get_account(session, username=account)
            merchants.add_member(session, merchant_id=created.id, account_id=found.id, actor=actor)
    typer.echo(f"{created.code}  {created.id}  {created.name}")


@app.command("bank-account")
def bank_account(
    merchant: Annotated[str, typer.Option("--merchant", help="The merchant's code.")],
    iban: Annotated[str, typer.Option(help="The IBAN (its check digits are verified).")],
    holder: Annotated[str, typer.Option(help="The account holder's name.")],
) -> None:
    """Set or change the bank account a merchant is paid out to (audited)."""
    account_in = _bank_account(iban, holder)
    assert account_in is not None
    actor = system_actor("cli")
    with session_scope() as session:
        found = merchants.get_merchant_by_code(session, code=merchant, actor=actor)
        changed = payouts.set_bank_account(
            session, merchant_id=found.id, account_in=account_in, actor=actor
        )
    assert changed.bank_account is not None
    typer.echo(f"{changed.code}: payouts go to {changed.bank_account.iban} ({account_in.holder})")


@app.command("payout")
def payout(
    merchant: Annotated[str, typer.Option("--merchant", help="The merchant's code.")],
) -> None:
    """Pay a merchant's whole balance out to its bank account, instruct the bank, then prove
    the merchant reconciles (what the bank has not paid yet is shown in transit)."""
    actor = system_actor("cli")
    settings = get_settings()
    bank = payouts.bank_for(settings)
    with session_scope() as session:
        found = merchants.get_merchant_by_code(session, code=merchant, actor=actor)
        paid = payouts.payout(
            session,
            merchant_id=found.id,
            actor=actor,
            idempotency_key=f"cli-payout-{uuid.uuid4()}",
        )
    # The bank is instructed once the payout is committed, as the API does.
    with session_scope() as session:
        payouts.sync_payouts(session, bank=bank, actor=actor)
        now = next(p for p in payouts.list_payouts(session, merchant_id=found.id, actor=actor)
                   if p.id == paid.id)  # fmt: skip
        report = merchants.reconcile(session, merchant_id=found.id, actor=actor)
    where = f"{now.status.replace('_', ' ')}, bank transfer {now.bank_reference or 'not yet sent'}"
    typer.echo(f"paid out {_sar(paid.amount)} to {now.iban} ({where}; payout {paid.id})")
    Console().print(_report_table([report]))
    if report.difference or report.ledger_balance:
        typer.echo("error [reconciliation]: the merchant does not reconcile to zero", err=True)
        raise typer.Exit(1)


@app.command("payouts-sync")
def payouts_sync() -> None:
    """The payout job: instruct the bank for new payouts, and learn which transfers it paid or
    returned. Run it every few minutes; prints what it did and what is in transit."""
    actor = system_actor("cli")
    bank = payouts.bank_for(get_settings())
    with session_scope() as session:
        done = payouts.sync_payouts(session, bank=bank, actor=actor)
        transit = payouts.in_transit(session, actor=actor)
    typer.echo(done.model_dump_json())
    typer.echo(_transit_line(transit))
    if transit.difference:
        typer.echo("error [reconciliation]: in transit differs from the ledger", err=True)
        raise typer.Exit(1)


def _statement_lines(report: BankStatementReport) -> Table:
    table = Table("line", "booked", "direction", "amount", "end-to-end id", "outcome")
    for line in report.lines:
        if line.outcome == "matched":
            continue
        table.add_row(
            str(line.line),
            line.booked_on.isoformat() if line.booked_on else "",
            line.direction,
            Money(line.amount, report.currency).format(),
            line.end_to_end_id or "",
            line.outcome.replace("_", " ") + (f" ({line.return_code})" if line.return_code else ""),
        )
    return table


@app.command("bank-statement")
def bank_statement(
    file: Annotated[Path, typer.Argument(help="The bank's camt.053 statement (XML).")],
    as_json: Annotated[bool, typer.Option("--json", help="The report as one JSON object.")] = False,
) -> None:
    """Import the bank's end-of-day statement (camt.053) and match it against the payouts.
    Importing the same file again answers the first report. Exit 1 when a line or a payout
    needs an operator (an amount that differs, a payout paid but on no statement...)."""
    try:
        document = file.read_bytes()
    except OSError as exc:
        typer.echo(f"error [statement_unreadable]: {file}: {exc.strerror}", err=True)
        raise typer.Exit(1) from None
    with session_scope() as session:
        report = bankmatching.import_statement(
            session, document=document, actor=system_actor("cli")
        )
    if as_json:
        typer.echo(report.model_dump_json())
    else:
        money = report.currency

        def fmt(amount: int) -> str:
            return Money(amount, money).format()

        typer.echo(
            f"statement {report.statement_id} of {report.iban}: opening "
            f"{fmt(report.opening_balance)}, credits {fmt(report.credits)}, debits "
            f"{fmt(report.debits)}, closing "
            f"{fmt(report.closing_balance)}; {len(report.lines)} line(s)"
            + (f", {report.pending_skipped} pending left out" if report.pending_skipped else "")
        )
        typer.echo(
            f"matched {report.matched} payout(s), {fmt(report.matched_amount)}; booked, not yet "
            f"settled {report.booked_not_settled}; amount mismatches {report.amount_mismatches}; "
            f"returns {report.returns}; not a payout {report.not_a_payout}; difference "
            f"{fmt(report.difference)}"
        )
        if any(line.outcome != "matched" for line in report.lines):
            Console().print(_statement_lines(report))
        for missing in report.paid_not_on_statement:
            typer.echo(
                f"paid, not on a statement: payout {missing.payout_id}, "
                f"{Money(missing.amount, missing.currency).format()}"
            )
    if report.needs_attention:
        typer.echo(
            f"error [reconciliation]: {report.needs_attention} line(s) or payout(s) of the "
            "statement need an operator",
            err=True,
        )
        raise typer.Exit(1)


@app.command("recover-topups")
def recover_topups(
    older_than: Annotated[
        int, typer.Option(help="Minutes a top-up has been pending before the gateway is asked.")
    ] = int(tasks.RECOVER_AFTER.total_seconds() // 60),
) -> None:
    """Ask the gateway for the status of top-ups whose webhooks never came, and settle or fail
    them as the webhook would. Run it every few minutes; prints what it did."""
    if older_than < 1:
        typer.echo("error [invalid_input]: --older-than is at least 1 minute", err=True)
        raise typer.Exit(2)
    gateway = topups.gateway_for(get_settings())
    with session_scope() as session:
        done = tasks.recover_topups(
            session,
            gateway=gateway,
            actor=system_actor("cli"),
            older_than=timedelta(minutes=older_than),
        )
    typer.echo(done.model_dump_json())


@app.command("reconcile")
def reconcile(
    merchant: Annotated[
        str | None, typer.Option("--merchant", help="One merchant's code (default: all).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per line.")] = False,
) -> None:
    """Payments, refunds and payouts of each merchant against the ledger. Exit 1 on a difference."""
    actor = system_actor("cli")
    with session_scope() as session:
        chosen = (
            [merchants.get_merchant_by_code(session, code=merchant, actor=actor)]
            if merchant
            else merchants.list_merchants(session, actor=actor)
        )
        reports = [merchants.reconcile(session, merchant_id=m.id, actor=actor) for m in chosen]
        transit = payouts.in_transit(session, actor=actor)
    if as_json:
        for r in reports:
            typer.echo(r.model_dump_json())
    else:
        Console().print(_report_table(reports))
        typer.echo(_transit_line(transit))
    if any(r.difference for r in reports) or transit.difference:
        typer.echo("error [reconciliation]: a merchant's books differ from the ledger", err=True)
        raise typer.Exit(1)


@app.command("sandbox-deliver")
def sandbox_deliver(
    url: Annotated[
        str | None, typer.Option(help="The webhook endpoint (default: from settings).")
    ] = None,
    again: Annotated[bool, typer.Option("--again", help="Deliver every event once more.")] = False,
    newest_first: Annotated[
        bool, typer.Option("--newest-first", help="Deliver out of order, as networks do.")
    ] = False,
) -> None:
    """POST the sandbox gateway's webhooks that are due to a running Labbaik; a refused one
    is tried again on the schedule (run the command again later), and given up after 3 days."""
    settings = get_settings()
    gateway = topups.gateway_for(settings)
    if not isinstance(gateway, SandboxGateway):
        typer.echo("error [gateway]: the configured gateway is not the sandbox", err=True)
        raise typer.Exit(1)
    with session_scope() as session:
        delivered = gateway.deliver(
            session,
            post=http_poster(url or settings.wallet_sandbox_webhook_url),
            again=again,
            newest_first=newest_first,
        )
        counts = gateway.counts(session)
    summary = {"delivered": delivered, "due": counts.due, "scheduled": counts.scheduled}
    typer.echo(json.dumps(summary | {"failed": counts.failed}))
