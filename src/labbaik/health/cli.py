"""Commands of the health domain: IPS import and export, rules, key rotation, certificates."""

from __future__ import annotations

import json
import sys
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer

from labbaik.auth.roles import system_actor
from labbaik.db import session_scope
from labbaik.errors import DomainError
from labbaik.health import dcc, service
from labbaik.health.crypto import keyring
from labbaik.kit.timeutil import utcnow

app = typer.Typer(help="Health records, vaccination rules and certificates.", no_args_is_help=True)


def _fail(exc: DomainError) -> typer.Exit:
    typer.echo(f"error [{exc.code}]: {exc.message}", err=True)
    for problem in exc.problems:
        typer.echo(f"  {problem.field}: {problem.message}", err=True)
    return typer.Exit(2)


def _read(file: Path) -> bytes:
    try:
        return file.read_bytes()
    except OSError as exc:
        typer.echo(f"error: cannot read {file}: {exc.strerror}", err=True)
        raise typer.Exit(2) from None


@app.command("import-ips")
def import_ips(
    file: Annotated[Path, typer.Argument(help="An IPS document Bundle (FHIR R4 JSON).")],
    pilgrim: Annotated[uuid.UUID, typer.Option(help="The pilgrim's id.")],
) -> None:
    """Read an International Patient Summary into a pilgrim's record; a bad one is refused whole."""
    raw = _read(file)
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
    raw = _read(file)
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


def _moment(text: str | None) -> datetime:
    if not text:
        return utcnow()
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        typer.echo(f"error [invalid_input]: --at {text!r} is not an ISO 8601 time", err=True)
        raise typer.Exit(2) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _certificate_text(text: str) -> str:
    return sys.stdin.read() if text == "-" else text


def _print_result(result: dcc.Result) -> None:
    typer.echo(f"verdict: {result.verdict.value}")
    typer.echo(result.message)
    lines = [
        ("signer key id", result.kid),
        ("issuer", result.issuer_country),
        ("issued", result.issued_at.isoformat() if result.issued_at else None),
        ("expires", result.expires_at.isoformat() if result.expires_at else None),
        ("holder", result.name),
        ("born", result.date_of_birth),
    ]
    for label, value in lines:
        if value:
            typer.echo(f"{label}: {value}")
    for v in result.vaccinations:
        dose = f"dose {v.dose}/{v.of_doses}" if v.dose else "dose"
        typer.echo(
            f"vaccination: disease {v.disease}, vaccine {v.vaccine} {v.product}, {dose} "
            f"on {v.given} in {v.country} by {v.issuer}; certificate {v.certificate_id}"
        )
    for other in result.other_entries:
        typer.echo(f"also: {other}")


@app.command("verify-dcc")
def verify_dcc(
    text: Annotated[str, typer.Argument(help="The QR text, 'HC1:...' ('-': standard input).")],
    trust: Annotated[Path, typer.Option(help="Trust list: PEM certificates or JSON (see docs).")],
    at: Annotated[
        str | None, typer.Option(help="Verify at this ISO 8601 time (default: now).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="The verdict as JSON.")] = False,
) -> None:
    """Verify an EU DCC / WHO GDHCN certificate; exit 0 only when it is valid."""
    moment = _moment(at)
    raw = _read(trust)
    try:
        signers = dcc.parse_trust_list(raw)
    except DomainError as exc:
        raise _fail(exc) from None
    result = dcc.verify(_certificate_text(text), signers, at=moment)
    if as_json:
        typer.echo(json.dumps(result.as_dict(), ensure_ascii=False, indent=2))
    else:
        _print_result(result)
    if result.verdict != dcc.Verdict.VALID:
        raise typer.Exit(1)


@app.command("load-trust")
def load_trust(
    file: Annotated[Path, typer.Argument(help="Trust list: PEM certificates or JSON.")],
) -> None:
    """Add signer certificates to the trust list that certificates are verified against."""
    raw = _read(file)
    try:
        with session_scope() as session:
            added = service.load_trust_list(session, raw=raw, actor=system_actor("cli"))
    except DomainError as exc:
        raise _fail(exc) from None
    typer.echo(f"added {added} signer certificate(s) to the trust list")


@app.command("record-dcc")
def record_dcc(
    text: Annotated[str, typer.Argument(help="The QR text, 'HC1:...' ('-': standard input).")],
    pilgrim: Annotated[uuid.UUID, typer.Option(help="The pilgrim's id.")],
    at: Annotated[
        str | None, typer.Option(help="Verify at this ISO 8601 time (default: now).")
    ] = None,
) -> None:
    """Verify a pilgrim's certificate against the stored trust list and record its doses."""
    moment = _moment(at)
    try:
        with session_scope() as session:
            result = service.record_certificate(
                session,
                pilgrim_id=pilgrim,
                text=_certificate_text(text),
                actor=system_actor("cli"),
                at=moment,
            )
    except DomainError as exc:
        raise _fail(exc) from None
    typer.echo(
        f"{result.verdict}: {result.doses_added} dose(s) added; "
        f"the pilgrim is {result.compliance.status}"
    )
