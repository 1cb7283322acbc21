"""Commands of the ledger: list accounts, show a balance and a statement, expire holds."""

from __future__ import annotations

import uuid
from typing import Annotated

import typer

from labbaik.auth.roles import system_actor
from labbaik.db import session_scope
from labbaik.kit.money import MINOR_UNITS, Money
from labbaik.kit.pagination import MAX_PAGE_SIZE, PageRequest
from labbaik.ledger import service
from labbaik.ledger.schemas import AccountRead

app = typer.Typer(help="The double-entry ledger.", no_args_is_help=True)


def _money(amount: int, currency: str) -> str:
    return Money(amount, currency).format() if currency in MINOR_UNITS else f"{amount} {currency}"


def _line(a: AccountRead) -> str:
    owner = f"{a.owner_type}:{a.owner_id}" if a.owner_type else "-"
    flags = ",".join(f.value for f in a.flags) or "-"
    net = _money(a.credits_posted - a.debits_posted, a.currency)
    return f"{a.id}  {a.currency}  code {a.code:<5}  {net:>20}  {flags}  {owner}"


@app.command("accounts")
def accounts(
    limit: Annotated[int, typer.Option(min=1, max=MAX_PAGE_SIZE)] = 50,
    page: Annotated[int, typer.Option(min=1)] = 1,
    owner_type: Annotated[
        str | None, typer.Option(help="Only accounts of this owner kind.")
    ] = None,
) -> None:
    """List accounts with their posted balance (credits minus debits)."""
    with session_scope() as session:
        found = service.list_accounts(
            session, actor=system_actor("cli"), page=PageRequest(page, limit), owner_type=owner_type
        )
    for item in found.items:
        typer.echo(_line(item))
    typer.echo(f"({len(found.items)} of {found.total})", err=True)


@app.command("balance")
def balance(account_id: Annotated[uuid.UUID, typer.Argument(help="The account's id.")]) -> None:
    """Show an account's posted and pending debits and credits."""
    with session_scope() as session:
        a = service.get_account(session, account_id=account_id, actor=system_actor("cli"))
    typer.echo(_line(a))
    for name in ("debits_posted", "credits_posted", "debits_pending", "credits_pending"):
        typer.echo(f"  {name:<16} {_money(getattr(a, name), a.currency):>20}")


@app.command("statement")
def statement(
    account_id: Annotated[uuid.UUID, typer.Argument(help="The account's id.")],
    verify: Annotated[
        bool, typer.Option("--verify", help="Rebuild the balance from the entries and compare.")
    ] = False,
    limit: Annotated[int, typer.Option(min=1, max=MAX_PAGE_SIZE)] = 100,
    page: Annotated[int, typer.Option(min=1)] = 1,
) -> None:
    """Print an account's statement, oldest line first, with the balance after each line."""
    actor = system_actor("cli")
    with session_scope() as session:
        account = service.get_account(session, account_id=account_id, actor=actor)
        lines = service.list_entries(
            session, account_id=account_id, actor=actor, page=PageRequest(page, limit)
        )
        sound = service.verify_statement(session, account_id=account_id) if verify else None
    cur = account.currency
    for e in lines.items:
        moved = e.posted if e.side == "credit" else -e.posted
        held = e.pending if e.side == "credit" else -e.pending
        after = _money(e.credits_posted - e.debits_posted, cur)
        typer.echo(
            f"{e.seq:>6}  {e.at:%Y-%m-%d %H:%M:%S}  {e.side:<6}  {_money(moved, cur):>18}  "
            f"held {_money(held, cur):>16}  balance {after:>18}  {e.reference or ''}"
        )
    typer.echo(f"({len(lines.items)} of {lines.total} lines)", err=True)
    if sound is not None:
        if not sound:
            typer.echo(
                "error [statement_mismatch]: the entries do not rebuild the balance", err=True
            )
            raise typer.Exit(1)
        typer.echo("verified: the entries rebuild the balance")


@app.command("expire-pending")
def expire_pending() -> None:
    """Release every pending transfer whose timeout has passed."""
    total = 0
    while True:
        with session_scope() as session:
            released = service.expire_pending(session)
        total += released
        if released < service.EXPIRE_BATCH:
            break
    typer.echo(f"released {total} expired pending transfer(s)")


@app.command("trial-balance")
def trial_balance() -> None:
    """Per currency, the posted debits and credits of all accounts: they must be equal."""
    with session_scope() as session:
        totals = service.trial_balance(session, actor=system_actor("cli"))
    unbalanced = False
    for currency, (debits, credits) in totals.items():
        mark = "balanced" if debits == credits else "UNBALANCED"
        unbalanced |= debits != credits
        typer.echo(f"{currency}  debits {debits}  credits {credits}  {mark}")
    if unbalanced:
        raise typer.Exit(1)
