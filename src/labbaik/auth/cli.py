"""Commands for accounts and API tokens."""

from __future__ import annotations

import getpass
import uuid
from typing import Annotated

import typer

from labbaik.auth import service
from labbaik.auth.roles import Role, system_actor
from labbaik.auth.schemas import AccountCreate
from labbaik.db import session_scope

app = typer.Typer(help="Accounts and API tokens.", no_args_is_help=True)


@app.command("token")
def token(
    username: str,
    name: Annotated[str, typer.Option(help="What the token is for.")] = "cli",
    days: Annotated[int, typer.Option(min=1, max=3650, help="Days it stays valid.")] = 90,
) -> None:
    """Mint an API bearer token for USERNAME and print it (shown once)."""
    with session_scope() as session:
        account = service.get_account(session, username=username)
        minted = service.mint_token(
            session,
            account_id=account.id,
            name=name,
            actor=system_actor("cli"),
            valid_days=days,
        )
    typer.echo(minted.token)


@app.command("create")
def create(
    username: str,
    role: Annotated[Role, typer.Option(help="The account's role.")],
    display_name: Annotated[str | None, typer.Option(help="Name shown on pages.")] = None,
    company_id: Annotated[str | None, typer.Option(help="Company id, for company roles.")] = None,
) -> None:
    """Create an account; the password is asked for (or read from LABBAIK_NEW_PASSWORD)."""
    import os  # noqa: PLC0415

    password = os.environ.get("LABBAIK_NEW_PASSWORD") or getpass.getpass("Password: ")
    account_in = AccountCreate(
        username=username,
        display_name=display_name or username,
        password=password,
        role=role,
        company_id=uuid.UUID(company_id) if company_id else None,
    )
    with session_scope() as session:
        created = service.create_account(session, account_in=account_in, actor=system_actor("cli"))
    typer.echo(f"created {created.username} ({created.role.value}) {created.id}")
