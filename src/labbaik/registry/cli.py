"""Commands of the registry: list pilgrims, import and export them, check a passport's MRZ."""

from __future__ import annotations

import json
import sys
from typing import Annotated

import typer

from labbaik.auth.roles import system_actor
from labbaik.db import session_scope
from labbaik.kit.pagination import MAX_PAGE_SIZE, PageRequest
from labbaik.registry import mrz, service

app = typer.Typer(help="Pilgrims, companies and groups.", no_args_is_help=True)
passport_app = typer.Typer(help="Passports.", no_args_is_help=True)


@passport_app.command("check")
def passport_check() -> None:
    """Read MRZ lines from standard input; print the fields as JSON, or the error (exit 1)."""
    text = sys.stdin.read()
    try:
        parsed = mrz.parse(text)
    except mrz.MRZError as exc:
        typer.echo(json.dumps({"valid": False, "field": exc.field, "error": str(exc)}))
        raise typer.Exit(1) from None
    typer.echo(json.dumps({"valid": True, **parsed.as_dict()}, ensure_ascii=False, indent=2))


@app.command("list")
def list_pilgrims(
    limit: Annotated[int, typer.Option(min=1, max=MAX_PAGE_SIZE)] = 20,
    query: Annotated[str, typer.Option("--query", "-q", help="Name or passport number.")] = "",
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per line.")] = False,
) -> None:
    """List pilgrims of the current season with their ids."""
    with session_scope() as session:
        page = service.list_pilgrims(
            session, actor=system_actor("cli"), page=PageRequest(1, limit), query=query
        )
    for item in page.items:
        if as_json:
            typer.echo(item.model_dump_json())
        else:
            names = f"{item.surname}, {item.given_names}"
            typer.echo(f"{item.id}  {item.nationality}  {item.passport_number or '':<10}  {names}")
    if not as_json:
        typer.echo(f"({len(page.items)} of {page.total})", err=True)
