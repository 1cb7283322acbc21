"""Commands of the health domain: IPS import and export, rules, key rotation, certificates."""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Annotated

import typer

from labbaik.auth.roles import system_actor
from labbaik.db import session_scope
from labbaik.errors import DomainError
from labbaik.health import service
from labbaik.health.crypto import keyring

app = typer.Typer(help="Health records, vaccination rules and certificates.", no_args_is_help=True)


def _fail(exc: DomainError) -> typer.Exit:
    typer.echo(f"error [{exc.code}]: {exc.message}", err=True)
    for problem in exc.problems:
        typer.echo(f"  {problem.field}: {problem.message}", err=True)
    return typer.Exit(2)


@app.command("import-ips")
def import_ips(
    file: Annotated[Path, typer.Argument(help="An IPS document Bundle (FHIR R4 JSON).")],
    pilgrim: Annotated[uuid.UUID, typer.Option(help="The pilgrim's id.")],
) -> None:
    """Read an International Patient Summary into a pilgrim's record; a bad one is refused whole."""
    try:
        raw = file.read_bytes()
    except OSError as exc:
        typer.echo(f"error: cannot read {file}: {exc.strerror}", err=True)
        raise typer.Exit(2) from None
    try:
        with session_scope() as session:
            status = service.import_ips(
                session, pilgrim_id=pilgrim, raw=raw, actor=system_actor("cli")
            )
    except DomainError as exc:
        raise _fail(exc) from None
    typer.echo(f"imported {file.name} into pilgrim {pilgrim}: {status.status}")
    for reason in status.reasons:
        typer.echo(f"  {reason.message}")


@app.command("export-ips")
def export_ips(
    pilgrim: Annotated[uuid.UUID, typer.Option(help="The pilgrim's id.")],
    out: Annotated[Path, typer.Option("--out", help="The JSON file to write.")],
    reason: Annotated[str, typer.Option(help="Why the record is read (audited).")] = "export",
) -> None:
    """Write a pilgrim's record as an IPS document Bundle (FHIR R4 JSON)."""
    try:
        with session_scope() as session:
            bundle = service.export_ips(
                session, pilgrim_id=pilgrim, actor=system_actor("cli"), reason=reason
            )
    except DomainError as exc:
        raise _fail(exc) from None
    partial = out.with_name(out.name + ".part")
    partial.write_text(json.dumps(bundle, ensure_ascii=False, indent=2), encoding="utf-8")
    partial.replace(out)
    typer.echo(f"exported the record of pilgrim {pilgrim} to {out}")


@app.command("load-rules")
def load_rules(
    file: Annotated[Path, typer.Argument(help="A season's rules file (JSON).")],
) -> None:
    """Replace a season's vaccination rules and judge every pilgrim of it again."""
    try:
        raw = file.read_bytes()
    except OSError as exc:
        typer.echo(f"error: cannot read {file}: {exc.strerror}", err=True)
        raise typer.Exit(2) from None
    try:
        rules_in = service.parse_rules(raw)
        with session_scope() as session:
            loaded = service.load_rules(session, rules_in=rules_in, actor=system_actor("cli"))
    except DomainError as exc:
        raise _fail(exc) from None
    codes = ", ".join(r.code for r in loaded.rules)
    typer.echo(f"loaded {len(loaded.rules)} rules for {loaded.hijri_year} AH: {codes}")


@app.command("rotate-key")
def rotate_key() -> None:
    """Re-encrypt every record under LABBAIK_HEALTH_KEY_ID (the old key must still be listed)."""
    keys = keyring()
    with session_scope() as session:
        count = service.rotate_key(session, keys=keys, actor=system_actor("cli"))
        usage = service.key_usage(session)
    typer.echo(f"re-encrypted {count} records under key {keys.current!r}")
    typer.echo("records by key: " + (", ".join(f"{k}={n}" for k, n in usage.items()) or "none"))
