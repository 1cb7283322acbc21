"""Commands of the wallet: onboard merchants, pay them out, reconcile, deliver sandbox webhooks."""

from __future__ import annotations

import json
import uuid
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from labbaik.auth import service as auth_service
from labbaik.auth.roles import system_actor
from labbaik.db import session_scope
from labbaik.kit.money import Money
from labbaik.settings import get_settings
from labbaik.wallet import merchants, service
from labbaik.wallet.gateway import SandboxGateway, http_poster
from labbaik.wallet.schemas import MerchantCreate, Reconciliation

app = typer.Typer(help="The wallet and its merchants.", no_args_is_help=True)


def _sar(amount: int) -> str:
    return Money(amount).format()


def _report_table(reports: list[Reconciliation]) -> Table:
    table = Table("merchant", "payments", "refunds", "payouts", "ledger balance", "difference")
    for r in reports:
        table.add_row(
            r.merchant_code,
            _sar(r.payments),
            _sar(r.refunds),
            _sar(r.payouts),
            _sar(r.ledger_balance),
            _sar(r.difference),
        )
    return table


@app.command("merchant-add")
def merchant_add(
    name: Annotated[str, typer.Argument(help="The merchant's name.")],
    category: Annotated[str, typer.Option(help="food, water, transport, pharmacy, ...")] = "other",
    name_ar: Annotated[str | None, typer.Option(help="The name in Arabic.")] = None,
    site: Annotated[str | None, typer.Option(help="Where the till is.")] = None,
    account: Annotated[
        str | None, typer.Option(help="Username of the merchant-role account of its till.")
    ] = None,
) -> None:
    """Onboard a merchant (its ledger account is opened with it); prints its code."""
    actor = system_actor("cli")
    with session_scope() as session:
        created = merchants.create_merchant(
            session,
            merchant_in=MerchantCreate.model_validate(
                {"name": name, "name_ar": name_ar, "category": category, "site": site}
            ),
            actor=actor,
            settings=get_settings(),
        )
        if account:
            found = auth_service.get_account(session, username=account)
            merchants.add_member(session, merchant_id=created.id, account_id=found.id, actor=actor)
    typer.echo(f"{created.code}  {created.id}  {created.name}")


@app.command("payout")
def payout(
    merchant: Annotated[str, typer.Option("--merchant", help="The merchant's code.")],
) -> None:
    """Pay a merchant's whole balance to the settlement account, then prove it reconciles."""
    actor = system_actor("cli")
    with session_scope() as session:
        found = merchants.get_merchant_by_code(session, code=merchant, actor=actor)
        paid = merchants.payout(
            session,
            merchant_id=found.id,
            actor=actor,
            idempotency_key=f"cli-payout-{uuid.uuid4()}",
        )
        report = merchants.reconcile(session, merchant_id=found.id, actor=actor)
    typer.echo(f"paid out {_sar(paid.amount)} to settlement (payout {paid.id})")
    Console().print(_report_table([report]))
    if report.difference or report.ledger_balance:
        typer.echo("error [reconciliation]: the merchant does not reconcile to zero", err=True)
        raise typer.Exit(1)


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
    if as_json:
        for r in reports:
            typer.echo(r.model_dump_json())
    else:
        Console().print(_report_table(reports))
    if any(r.difference for r in reports):
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
    """POST the sandbox gateway's pending webhooks to a running Labbaik."""
    settings = get_settings()
    gateway = service.gateway_for(settings)
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
    typer.echo(json.dumps({"delivered": delivered}))
