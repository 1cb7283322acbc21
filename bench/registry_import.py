"""Benchmark: importing pilgrims from CSV, beside a bare executemany and COPY of the same rows.

Run: .venv/bin/python bench/registry_import.py [--rows 100000] [--postgres URL]

For SQLite (a fresh migrated file) and PostgreSQL (a fresh migrated schema; the URL defaults to
LABBAIK_TEST_POSTGRES_URL, and PostgreSQL is skipped when neither is given) it measures, in rows
per second:

- ours: `labbaik registry import`'s path, timed from opening the file to the commit (read,
  validate, compare with what is stored, insert, audit, commit);
- bare: the same rows, already prepared as the database stores them, inserted into the same
  table with the driver alone: sqlite3 / psycopg executemany, and COPY on PostgreSQL.

Each is measured --rounds times (3), interleaved, on a fresh table, and the best round kept: the
one least disturbed by the rest of the machine. The goal is ours >= 50 % of bare. Results go to
bench/results/registry_import.json.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import shutil
import sqlite3
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any, Literal

import psycopg
from sqlalchemy import Engine, text

from labbaik.auth.roles import system_actor
from labbaik.db import make_engine, normalise_url, session_scope, upgrade
from labbaik.kit.ids import uuid7
from labbaik.kit.timeutil import utcnow
from labbaik.models_index import import_all_models
from labbaik.registry import importer, service, tabular
from labbaik.registry.demo_people import generate_people
from labbaik.registry.models import Pilgrim
from labbaik.registry.schemas import (
    LANGUAGES,
    CompanyCreate,
    GroupCreate,
    LodgingCreate,
    SeasonCreate,
)

RESULTS = Path(__file__).parent / "results" / "registry_import.json"
SEASON_START = date(2026, 5, 25)
COMPANY = "IDN-BENCH"
GROUPS = 200
Site = Literal["makkah", "madinah", "mina", "arafat"]
LODGINGS: dict[Site, int] = {"makkah": 20, "madinah": 10, "mina": 20, "arafat": 20}
SYSTEM = system_actor("bench")
TABLE = "registry_pilgrim"


def write_csv(path: Path, count: int) -> None:
    """count valid pilgrims, the same on every run: realistic names in both scripts."""
    with path.open("w", encoding="utf-8-sig", newline="") as file:
        writer = csv.writer(file, lineterminator="\r\n")
        writer.writerow([*tabular.OWN_FIELDS, *tabular.PLACEMENT])
        for i, p in enumerate(generate_people(count, seed=1447, season_start=SEASON_START)):
            group = i // 45  # a group is a bus load
            # The sites in the order of the placement columns: Makkah, Madinah, Mina, Arafat.
            placement = [f"G-{group % GROUPS:04d}"] + [
                f"{site.upper()}-{group % count:02d}" for site, count in LODGINGS.items()
            ]
            writer.writerow(
                [
                    p.surname, p.given_names, p.surname_ar, p.given_names_ar, p.sex,
                    p.date_of_birth.isoformat(), p.nationality, p.passport_number,
                    p.passport_expiry.isoformat(), p.phone,
                    p.language if p.language in LANGUAGES else "en",
                    p.emergency_contact_name, p.emergency_contact_phone, *placement,
                ]
            )  # fmt: skip


def set_up(url: str) -> None:
    """Migrate, then a season, the company, its groups and the season's lodgings."""
    upgrade(url)
    engine = make_engine(url)
    with session_scope(engine) as session:
        service.create_season(
            session, season_in=SeasonCreate(hijri_year=1447, name="Hajj 1447"), actor=SYSTEM
        )
        company = service.create_company(
            session,
            company_in=CompanyCreate(
                code=COMPANY, kind="mission", name="Bench Mission", licence_number="B-1",
                country="IDN",
            ),
            actor=SYSTEM,
        )  # fmt: skip
        for g in range(GROUPS):
            group_in = GroupCreate(code=f"G-{g:04d}", name=f"Group {g}", company_id=company.id)
            service.create_group(session, group_in=group_in, actor=SYSTEM)
        for site, count in LODGINGS.items():
            kind: Literal["hotel", "camp"] = "hotel" if site in ("makkah", "madinah") else "camp"
            for n in range(count):
                lodging_in = LodgingCreate(
                    code=f"{site.upper()}-{n:02d}", kind=kind, site=site,
                    name=f"{site} {n}", capacity=5000,
                )  # fmt: skip
                service.create_lodging(session, lodging_in=lodging_in, actor=SYSTEM)
    engine.dispose()


def ours(engine: Engine, path: Path, rows: int) -> tuple[float, importer.ImportPlan]:
    """Rows per second of the import, from opening the file to the commit."""
    started = time.perf_counter()
    with session_scope(engine) as session, tabular.open_table(path) as sheet:
        plan = importer.plan_import(session, rows=sheet.rows, company_code=COMPANY, actor=SYSTEM)
        importer.apply_import(session, plan=plan, actor=SYSTEM)
    elapsed = time.perf_counter() - started
    if len(plan.new) != rows or plan.problems:
        sys.exit(f"the import did not take every row: {len(plan.new)} new, {plan.problems[:3]}")
    return rows / elapsed, plan


def prepared(engine: Engine, plan: importer.ImportPlan) -> tuple[list[str], list[tuple[Any, ...]]]:
    """The plan's rows as whole table rows, in the form the database driver is handed them."""
    now = utcnow()
    fixed = (plan.season_id, plan.company_id, now, now)
    columns = ["id", "season_id", "company_id", "created_at", "updated_at", *plan.new[0].values]
    rows = [(uuid7(), *fixed, *p.values.values()) for p in plan.new]
    if engine.dialect.name != "sqlite":
        return columns, rows
    # What SQLAlchemy's types turn each value into for sqlite3 (UUIDs as hex, dates as text).
    dialect = engine.dialect
    table = Pilgrim.__table__
    binders = [table.c[name].type.dialect_impl(dialect).bind_processor(dialect) for name in columns]
    rows = [
        tuple(b(v) if b is not None else v for b, v in zip(binders, row, strict=True))
        for row in rows
    ]
    return columns, rows


def sqlite_executemany(path: Path, statement: str, rows: list[tuple[Any, ...]]) -> float:
    connection = sqlite3.connect(path)
    # The same settings as the application's connections (labbaik.db).
    for pragma in ("journal_mode=WAL", "synchronous=NORMAL", "foreign_keys=ON"):
        connection.execute(f"PRAGMA {pragma}")
    started = time.perf_counter()
    connection.executemany(statement, rows)
    connection.commit()
    elapsed = time.perf_counter() - started
    connection.close()
    return len(rows) / elapsed


def empty(driver: psycopg.Connection[Any]) -> None:
    driver.execute(f"TRUNCATE {TABLE} CASCADE")
    driver.commit()


def pg_executemany(
    driver: psycopg.Connection[Any], statement: str, rows: list[tuple[Any, ...]]
) -> float:
    started = time.perf_counter()
    with driver.cursor() as cursor:
        cursor.executemany(statement, rows)
    driver.commit()
    return len(rows) / (time.perf_counter() - started)


def pg_copy(driver: psycopg.Connection[Any], statement: str, rows: list[tuple[Any, ...]]) -> float:
    started = time.perf_counter()
    with driver.cursor() as cursor, cursor.copy(statement) as stream:
        for row in rows:
            stream.write_row(row)
    driver.commit()
    return len(rows) / (time.perf_counter() - started)


def summary(rates: dict[str, list[float]]) -> dict[str, Any]:
    """The best round of each (the one least disturbed by the rest of the machine), and ratios."""
    best = {name: max(values) for name, values in rates.items()}
    out: dict[str, Any] = {"rounds": rates, **best}
    for anchor in ("executemany", "copy"):
        if anchor in best:
            out[f"ratio_{anchor}"] = best["ours"] / best[anchor]
    return out


def bench_sqlite(workdir: Path, csv_path: Path, rows: int, rounds: int) -> dict[str, Any]:
    template = workdir / "template.db"
    set_up(f"sqlite:///{template}")
    rates: dict[str, list[float]] = {"ours": [], "executemany": []}
    statement = ""
    prepared_rows: list[tuple[Any, ...]] = []
    for round_ in range(rounds):
        # A fresh copy of the migrated, set-up database for each measurement.
        target = workdir / f"ours-{round_}.db"
        shutil.copyfile(template, target)
        engine = make_engine(f"sqlite:///{target}")
        rate, plan = ours(engine, csv_path, rows)
        rates["ours"].append(rate)
        if not prepared_rows:
            columns, prepared_rows = prepared(engine, plan)
            marks = ", ".join("?" * len(columns))
            statement = f"INSERT INTO {TABLE} ({', '.join(columns)}) VALUES ({marks})"
        engine.dispose()

        bare_path = workdir / f"bare-{round_}.db"
        shutil.copyfile(template, bare_path)
        rates["executemany"].append(sqlite_executemany(bare_path, statement, prepared_rows))
    return summary(rates)


def bench_postgres(url: str, csv_path: Path, rows: int, rounds: int) -> dict[str, Any]:
    schema = "labbaik_bench"
    admin = make_engine(url)
    with admin.begin() as connection:
        connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    joiner = "&" if "?" in url else "?"
    schema_url = normalise_url(url) + f"{joiner}options=-csearch_path%3D{schema}"
    plain_url = url.replace("postgresql+psycopg://", "postgresql://")
    rates: dict[str, list[float]] = {"ours": [], "executemany": [], "copy": []}
    try:
        set_up(schema_url)
        engine = make_engine(schema_url)
        driver = psycopg.connect(plain_url, options=f"-csearch_path={schema}")
        prepared_rows: list[tuple[Any, ...]] = []
        insert, copy_statement = "", ""
        for _ in range(rounds):
            empty(driver)
            rate, plan = ours(engine, csv_path, rows)
            rates["ours"].append(rate)
            if not prepared_rows:
                columns, prepared_rows = prepared(engine, plan)
                names = ", ".join(columns)
                marks = ", ".join(["%s"] * len(columns))
                insert = f"INSERT INTO {TABLE} ({names}) VALUES ({marks})"
                copy_statement = f"COPY {TABLE} ({names}) FROM STDIN"
            empty(driver)
            rates["executemany"].append(pg_executemany(driver, insert, prepared_rows))
            empty(driver)
            rates["copy"].append(pg_copy(driver, copy_statement, prepared_rows))
        driver.close()
        engine.dispose()
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()
    return summary(rates)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--postgres", default=os.environ.get("LABBAIK_TEST_POSTGRES_URL"))
    parser.add_argument("--rounds", type=int, default=3, help="measurements of each; best kept")
    args = parser.parse_args()
    import_all_models()
    results: dict[str, Any] = {
        "rows": args.rows,
        "rounds": args.rounds,
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "machine": f"{platform.machine()}, {os.cpu_count()} CPUs",
    }
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        csv_path = workdir / "pilgrims.csv"
        write_csv(csv_path, args.rows)
        print(f"{args.rows} rows, {csv_path.stat().st_size / 1e6:.1f} MB of CSV")
        results["SQLite"] = bench_sqlite(workdir, csv_path, args.rows, args.rounds)
        if args.postgres:
            results["PostgreSQL"] = bench_postgres(args.postgres, csv_path, args.rows, args.rounds)
        else:
            print("PostgreSQL skipped: give --postgres URL or set LABBAIK_TEST_POSTGRES_URL")
    print(f"{'database':<11} {'ours rows/s':>12} {'executemany':>12} {'COPY':>10}  ours/bare")
    for name in ("SQLite", "PostgreSQL"):
        if name not in results:
            continue
        got = results[name]
        copy = f"{got['copy']:>10,.0f}" if "copy" in got else f"{'-':>10}"
        ratios = f"{got['ratio_executemany']:.0%} of executemany"
        if "ratio_copy" in got:
            ratios += f", {got['ratio_copy']:.0%} of COPY"
        print(f"{name:<11} {got['ours']:>12,.0f} {got['executemany']:>12,.0f} {copy}  {ratios}")
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(f"written to {RESULTS}")


if __name__ == "__main__":
    main()
