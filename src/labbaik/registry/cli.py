"""Commands of the registry: list pilgrims, import and export them, check a passport's MRZ."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)

from labbaik.auth.roles import system_actor
from labbaik.db import session_scope
from labbaik.errors import DomainError
from labbaik.kit.pagination import MAX_PAGE_SIZE, PageRequest
from labbaik.registry import importer, mrz, service, tabular
from labbaik.registry.importer import ImportPlan

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


# Import and export ----------------------------------------------------------------------------

_SHOWN_PROBLEMS = 50
_WRITERS = {".csv": tabular.write_csv, ".xlsx": tabular.write_xlsx}


def _progress(console: Console) -> Progress:
    return Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        # In a log or a pipe a bar is noise; the summary lines say what happened.
        disable=not console.is_terminal,
    )


def _counted(
    rows: Iterator[tabular.Row], progress: Progress, task: TaskID
) -> Iterator[tabular.Row]:
    for count, row in enumerate(rows, start=1):
        if count % 1000 == 0:
            progress.update(task, completed=count)
        yield row


def _summary(plan: ImportPlan) -> str:
    return (
        f"{len(plan.new)} new, {len(plan.changed)} changed, {plan.unchanged} unchanged, "
        f"{plan.bad_rows} bad row(s)"
    )


@app.command("import")
def import_pilgrims(
    file: Annotated[
        Path, typer.Argument(help="A CSV (UTF-8) or XLSX file; see docs/import-format.md.")
    ],
    company: Annotated[str, typer.Option(help="Code of the company the pilgrims belong to.")],
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Check and compare only; write nothing.")
    ] = False,
    season: Annotated[
        int | None, typer.Option(help="Hijri year of the season (default: the current one).")
    ] = None,
) -> None:
    """Import pilgrims: the good rows in one transaction, every bad row listed.

    Exit 0 when every row was good, 1 when some were bad (the good ones are still imported,
    unless --dry-run), 2 when nothing was imported (the file or the command was refused).
    """
    actor = system_actor("cli")
    console = Console(stderr=True)
    try:
        with session_scope() as session, _progress(console) as progress:
            with tabular.open_table(file) as sheet:
                task = progress.add_task("Checking rows", total=sheet.size_hint)
                plan = importer.plan_import(
                    session,
                    rows=_counted(sheet.rows, progress, task),
                    company_code=company,
                    actor=actor,
                    season=season,
                )
            progress.update(task, completed=plan.rows_read, total=plan.rows_read)
            typer.echo(f"checked {plan.rows_read} rows of {file.name}: {_summary(plan)}")
            if not dry_run:
                writing = progress.add_task("Writing", total=len(plan.new) + len(plan.changed))
                importer.apply_import(
                    session,
                    plan=plan,
                    actor=actor,
                    progress=lambda n: progress.advance(writing, n),
                )
    except DomainError as exc:
        typer.echo(exc.one_line(), err=True)
        raise typer.Exit(2) from None
    for problem in plan.problems[:_SHOWN_PROBLEMS]:
        typer.echo(f"row {problem.row}, {problem.field}: {problem.message}")
    if len(plan.problems) > _SHOWN_PROBLEMS:
        typer.echo(f"and {len(plan.problems) - _SHOWN_PROBLEMS} more")
    if dry_run:
        typer.echo("dry run: nothing was written")
    else:
        written = f"{len(plan.new)} added, {len(plan.changed)} updated"
        typer.echo(f"imported into {plan.company_code} ({plan.hijri_year} AH): {written}")
    if plan.problems:
        raise typer.Exit(1)


@app.command("export")
def export_pilgrims(
    out: Annotated[Path, typer.Option("--out", help="The file to write: FILE.csv or FILE.xlsx.")],
    company: Annotated[
        str | None, typer.Option(help="Code of one company (default: every company).")
    ] = None,
    season: Annotated[
        int | None, typer.Option(help="Hijri year of the season (default: the current one).")
    ] = None,
) -> None:
    """Export pilgrims in the import format (CSV in UTF-8 with BOM, or XLSX)."""
    writer = _WRITERS.get(out.suffix.lower())
    if writer is None:
        typer.echo("error [invalid_input]: --out must end in .csv or .xlsx", err=True)
        raise typer.Exit(2)
    # Written beside the target and renamed at the end, so that a failure leaves no half file.
    partial = out.with_name(out.name + ".part")
    try:
        with session_scope() as session, partial.open("wb") as stream:
            rows = importer.export_pilgrims(
                session, actor=system_actor("cli"), company_code=company, season=season
            )
            count = writer(stream, rows)
        partial.replace(out)
    finally:
        partial.unlink(missing_ok=True)
    typer.echo(f"exported {count} pilgrims to {out}")
