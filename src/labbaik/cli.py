"""The command line: serve, demo, database upgrades, and each domain's sub-commands."""

from __future__ import annotations

import sys
from typing import Annotated

import typer
from sqlalchemy.exc import OperationalError

from labbaik.auth import cli as auth_cli
from labbaik.cards import cli as cards_cli
from labbaik.errors import DomainError
from labbaik.health import cli as health_cli
from labbaik.ledger import cli as ledger_cli
from labbaik.registry import cli as registry_cli
from labbaik.settings import UnsafeSettings, get_settings
from labbaik.tafweej import cli as tafweej_cli
from labbaik.wallet import cli as wallet_cli

app = typer.Typer(
    name="labbaik",
    help="Labbaik: run a Hajj season.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
db_app = typer.Typer(help="The database: migrations.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(auth_cli.app, name="auth")
app.add_typer(registry_cli.app, name="registry")
app.add_typer(registry_cli.passport_app, name="passport")
app.add_typer(tafweej_cli.app, name="tafweej")
app.add_typer(health_cli.app, name="health")
app.add_typer(ledger_cli.app, name="ledger")
app.add_typer(wallet_cli.app, name="wallet")
app.add_typer(cards_cli.app, name="card")
app.add_typer(cards_cli.keys_app, name="keys")


@db_app.command("upgrade")
def db_upgrade(revision: Annotated[str, typer.Argument()] = "heads") -> None:
    """Apply the migrations up to REVISION (default: the newest of every domain)."""
    from labbaik.db import upgrade  # noqa: PLC0415 - alembic loads only when needed

    upgrade(revision=revision)
    typer.echo(f"database at {revision}: {_describe_url(get_settings().database_url)}")


def _describe_url(url: str) -> str:
    # Never print a password.
    scheme, _, rest = url.partition("://")
    if "@" in rest:
        rest = rest.split("@", 1)[1]
    return f"{scheme}://{rest}"


@app.command()
def serve(
    port: Annotated[int | None, typer.Option(help="Port to listen on.")] = None,
    host: Annotated[str | None, typer.Option(help="Address to listen on.")] = None,
) -> None:
    """Serve the API and the pages from the database that settings name."""
    import uvicorn  # noqa: PLC0415

    from labbaik.app import create_app  # noqa: PLC0415

    settings = get_settings()
    uvicorn.run(
        create_app(settings),
        host=host or settings.host,
        port=port or settings.port,
        proxy_headers=True,
        forwarded_allow_ips=",".join(settings.trusted_proxies),
    )


@app.command()
def demo(
    pilgrims: Annotated[int, typer.Option(min=10, max=2_000_000, help="How many.")] = 20_000,
    port: Annotated[int | None, typer.Option(help="Port to serve on.")] = None,
    serve_after: Annotated[
        bool, typer.Option("--serve/--no-serve", help="Serve when the data is built.")
    ] = True,
    seed: Annotated[int, typer.Option(help="Seed of the generator.")] = 1447,
) -> None:
    """Build a deterministic demo season (migrating first), print the logins, then serve."""
    from labbaik import demo as demo_module  # noqa: PLC0415

    demo_module.run(pilgrims=pilgrims, seed=seed)
    if serve_after:
        serve(port=port, host=None)


def main() -> None:
    """Entry point: a user sees a one-line error and a non-zero exit, never a stack trace."""
    try:
        app()
    except DomainError as exc:
        typer.echo(exc.one_line(), err=True)
        sys.exit(1)
    except UnsafeSettings as exc:
        typer.echo(f"error [unsafe_settings]: {exc}", err=True)
        sys.exit(2)
    except OperationalError as exc:
        # The database is down, unreachable or not migrated: one line, not a driver's traceback.
        reason = str(exc.orig or exc).strip().splitlines()[0]
        typer.echo(f"error [database]: {reason}", err=True)
        sys.exit(1)
    except (OSError, ValueError) as exc:
        typer.echo(f"error: {exc}", err=True)
        sys.exit(1)
