"""Benchmark: ledger transfers per second through the service, beside bare set-based SQL.

Run: .venv/bin/python bench/ledger.py [--transfers 20000] [--requests 8000] [--clients 4]
     [--batch 1000] [--postgres URL] [--no-sqlite]

For SQLite (a fresh migrated file) and PostgreSQL (a fresh migrated schema; the URL defaults to
LABBAIK_TEST_POSTGRES_URL, and PostgreSQL is skipped when neither is given), with 1,000 pilgrim
wallets (debits must not exceed credits, funded first) paying 100 merchants, it measures:

- per request: each transfer its own `create_transfers` call and its own transaction (as one
  API call would be), from --clients processes at once (as a server's workers);
- batched: --batch transfers a call, one transaction each;
- hot: the same two, with every transfer crediting one merchant account;
- anchor: the same transfers written as bare set-based SQL in one transaction with the driver
  alone (insert the transfers, insert the entries, one UPDATE of every account from a VALUES
  list): the ceiling of what the database can do with these rows.

Each figure is transfers per second and its ratio to the anchor. The goals on PostgreSQL on a
2-core machine: >= 1,000/s per request, >= 5,000/s batched, >= 3,000/s on the hot account.
Every run ends by checking that the ledger balances and every statement rebuilds. Results go
to bench/results/ledger.json, with the machine's load average.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import platform
import random
import sqlite3
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psycopg
from sqlalchemy import text

from labbaik.auth.roles import system_actor
from labbaik.db import make_engine, normalise_url, session_scope, upgrade
from labbaik.ledger import service
from labbaik.ledger.schemas import AccountCreate, ResultCode, TransferCreate

RESULTS = Path(__file__).parent / "results" / "ledger.json"
SYSTEM = system_actor("bench")
WALLETS = 1_000
MERCHANTS = 100
FUNDS = 10**12  # each wallet's top-up: no payment in the run is refused for lack of money


class Setup:
    """A migrated database with a bank, the wallets (funded), the merchants and a hot one."""

    def __init__(self, url: str) -> None:
        upgrade(url)
        self.url = url
        self.engine = make_engine(url)
        self.bank = uuid.uuid4()
        self.hot = uuid.uuid4()
        self.wallets = [uuid.uuid4() for _ in range(WALLETS)]
        self.merchants = [uuid.uuid4() for _ in range(MERCHANTS)]
        accounts = [AccountCreate(id=self.bank, currency="SAR", code=1)]
        accounts += [
            AccountCreate(id=w, currency="SAR", code=2, flags=["debits_must_not_exceed_credits"])
            for w in self.wallets
        ]
        accounts += [
            AccountCreate(id=m, currency="SAR", code=3) for m in [*self.merchants, self.hot]
        ]
        with session_scope(self.engine) as session:
            service.create_accounts(session, accounts=accounts, actor=SYSTEM)
            service.create_transfers(
                session,
                transfers=[
                    TransferCreate(
                        id=uuid.uuid4(), debit_account_id=self.bank, credit_account_id=w,
                        amount=FUNDS, currency="SAR", code=1,
                    )
                    for w in self.wallets
                ],
                actor=SYSTEM,
            )  # fmt: skip

    def payments(self, count: int, *, hot: bool, seed: int) -> list[TransferCreate]:
        rng = random.Random(seed)
        return [
            TransferCreate(
                id=uuid.uuid4(),
                debit_account_id=rng.choice(self.wallets),
                credit_account_id=self.hot if hot else rng.choice(self.merchants),
                amount=rng.randint(100, 50_000),
                currency="SAR",
                code=20,
                reference=f"bench {i}",
            )
            for i in range(count)
        ]

    def check(self) -> None:
        with session_scope(self.engine) as session:
            totals = service.trial_balance(session, actor=SYSTEM)
            assert all(d == c for d, c in totals.values()), totals
            for account in [self.bank, self.hot, *self.merchants[:5], *self.wallets[:5]]:
                assert service.verify_statement(session, account_id=account), account


def _client(url: str, items: list[TransferCreate], ready: Any, go: Any, failures: Any) -> None:
    """One client process (as one API worker): each transfer its own call and transaction."""
    engine = make_engine(url)
    with engine.connect():
        pass  # the pool's first connection, outside the timing
    ready.release()
    go.wait()
    for item in items:
        with session_scope(engine) as session:
            result = service.create_transfers(session, transfers=[item], actor=SYSTEM)
        if result[0].result != ResultCode.OK:
            failures.put(result[0].result.value)
    engine.dispose()


def per_request(setup: Setup, items: list[TransferCreate], clients: int) -> float:
    """Each transfer its own call and transaction, from several client processes at once:
    a server runs several worker processes, so one process's interpreter lock is not the
    limit being measured."""
    context = multiprocessing.get_context("spawn")
    ready, go, failures = context.Semaphore(0), context.Event(), context.Queue()
    workers = [
        context.Process(target=_client, args=(setup.url, items[i::clients], ready, go, failures))
        for i in range(clients)
    ]
    for w in workers:
        w.start()
    for _ in workers:
        ready.acquire()
    started = time.perf_counter()
    go.set()
    for w in workers:
        w.join()
    elapsed = time.perf_counter() - started
    assert all(w.exitcode == 0 for w in workers)
    assert failures.empty(), failures.get()
    return len(items) / elapsed


def batched(setup: Setup, items: list[TransferCreate], size: int) -> float:
    started = time.perf_counter()
    for start in range(0, len(items), size):
        with session_scope(setup.engine) as session:
            results = service.create_transfers(
                session, transfers=items[start : start + size], actor=SYSTEM
            )
        assert all(r.result == ResultCode.OK for r in results)
    return len(items) / (time.perf_counter() - started)


def _bare_rows(
    setup: Setup, items: list[TransferCreate]
) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """The rows the ledger would write for items, prepared outside the timing."""
    with setup.engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT id, debits_posted, credits_posted, debits_pending, credits_pending, "
                "entry_count FROM ledger_account"
            )
        ).all()
    sqlite = setup.url.startswith("sqlite")

    def key(value: uuid.UUID) -> str:
        return value.hex if sqlite else str(value)

    state = {uuid.UUID(str(r[0])): list(r[1:]) for r in rows}
    now = datetime.now(UTC)
    stamp = now.strftime("%Y-%m-%d %H:%M:%S.%f") if sqlite else now
    transfers, entries = [], []
    for t in items:
        assert t.debit_account_id
        assert t.credit_account_id
        assert t.amount
        transfers.append(
            (key(t.id), key(t.debit_account_id), key(t.credit_account_id), t.amount, "SAR",
             t.code, t.reference, 0, "ok", "x" * 64, "bench", stamp)
        )  # fmt: skip
        for account, debit in ((t.debit_account_id, True), (t.credit_account_id, False)):
            s = state[account]
            s[0 if debit else 1] += t.amount
            s[4] += 1
            entries.append(
                (key(account), s[4], key(t.id), debit, t.amount, 0, s[0], s[1], s[2], s[3], stamp)
            )
    touched = {t.debit_account_id for t in items} | {t.credit_account_id for t in items}
    accounts = [(key(a), *state[a]) for a in sorted(touched)]
    return transfers, entries, accounts


_INSERT_TRANSFER = (
    "INSERT INTO ledger_transfer (id, debit_account_id, credit_account_id, amount, currency, "
    "code, reference, flags, result, fingerprint, created_by, created_at) "
    "VALUES ({p}, {p}, {p}, {p}, {p}, {p}, {p}, {p}, {p}, {p}, {p}, {p})"
)
_INSERT_ENTRY = (
    "INSERT INTO ledger_entry (account_id, seq, transfer_id, is_debit, posted, pending, "
    "debits_posted, credits_posted, debits_pending, credits_pending, at) "
    "VALUES ({p}, {p}, {p}, {p}, {p}, {p}, {p}, {p}, {p}, {p}, {p})"
)


def anchor(setup: Setup, items: list[TransferCreate]) -> float:
    """The same transfers as bare set-based SQL with the driver, in one transaction."""
    transfers, entries, accounts = _bare_rows(setup, items)
    if setup.url.startswith("sqlite"):
        path = setup.url.removeprefix("sqlite:///")
        conn = sqlite3.connect(path, isolation_level=None)
        conn.execute("PRAGMA synchronous=NORMAL")
        started = time.perf_counter()
        conn.execute("BEGIN IMMEDIATE")
        conn.executemany(_INSERT_TRANSFER.format(p="?"), transfers)
        conn.executemany(_INSERT_ENTRY.format(p="?"), entries)
        conn.execute(
            "WITH v(id, dp, cp, dpend, cpend, seq) AS (VALUES "
            + ",".join("(?, ?, ?, ?, ?, ?)" for _ in accounts)
            + ") UPDATE ledger_account SET debits_posted = v.dp, credits_posted = v.cp, "
            "entry_count = v.seq FROM v WHERE ledger_account.id = v.id",
            [x for row in accounts for x in row],
        )
        conn.execute("COMMIT")
        elapsed = time.perf_counter() - started
        conn.close()
        return len(items) / elapsed
    with psycopg.connect(setup.url.replace("postgresql+psycopg://", "postgresql://")) as pg:
        started = time.perf_counter()
        with pg.cursor() as cur:
            cur.executemany(_INSERT_TRANSFER.format(p="%s"), transfers)
            cur.executemany(_INSERT_ENTRY.format(p="%s"), entries)
            cur.execute(
                "UPDATE ledger_account AS a SET debits_posted = v.dp, credits_posted = v.cp, "
                "entry_count = v.seq FROM (VALUES "
                + ",".join("(%s::uuid, %s::bigint, %s::bigint, %s::bigint, %s::bigint, "
                           "%s::bigint)" for _ in accounts)
                + ") AS v(id, dp, cp, dpend, cpend, seq) WHERE a.id = v.id",
                [x for row in accounts for x in row],
            )  # fmt: skip
        pg.commit()
        return len(items) / (time.perf_counter() - started)


def best(rounds: int, measure: Callable[[int], float]) -> float:
    return max(measure(r) for r in range(rounds))


def run(url: str, args: argparse.Namespace) -> dict[str, Any]:
    setup = Setup(url)
    n, r = args.transfers, args.requests
    out: dict[str, Any] = {}
    out["anchor"] = anchor(setup, setup.payments(n, hot=False, seed=1))
    out["per_request"] = per_request(setup, setup.payments(r, hot=False, seed=2), args.clients)
    out["batched"] = batched(setup, setup.payments(n, hot=False, seed=3), args.batch)
    out["hot_per_request"] = per_request(setup, setup.payments(r, hot=True, seed=4), args.clients)
    out["hot_batched"] = batched(setup, setup.payments(n, hot=True, seed=5), args.batch)
    setup.check()
    setup.engine.dispose()
    return out


def _postgres_url(base: str) -> tuple[str, Callable[[], None]]:
    schema = f"bench_ledger_{uuid.uuid4().hex[:8]}"
    admin = make_engine(base)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    joiner = "&" if "?" in base else "?"

    def drop() -> None:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()

    return normalise_url(base) + f"{joiner}options=-csearch_path%3D{schema}", drop


def report(name: str, figures: dict[str, float]) -> None:
    ceiling = figures["anchor"]
    print(f"\n{name}: transfers per second (ratio to the anchor)")
    for key, value in figures.items():
        print(f"  {key:<16} {value:>10,.0f}/s  {value / ceiling:>6.1%}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--transfers", type=int, default=20_000, help="batched and anchor")
    parser.add_argument(
        "--requests",
        type=int,
        default=8_000,
        help="one per request (a few seconds: long enough to ride out a busy second)",
    )
    parser.add_argument("--clients", type=int, default=4, help="processes sending requests")
    parser.add_argument("--batch", type=int, default=1_000)
    parser.add_argument("--postgres", default=os.environ.get("LABBAIK_TEST_POSTGRES_URL"))
    parser.add_argument("--no-sqlite", action="store_true")
    args = parser.parse_args()
    results: dict[str, Any] = {
        "machine": platform.platform(),
        "cpus": os.cpu_count(),
        "load_before": os.getloadavg(),
        "args": vars(args) | {"postgres": bool(args.postgres)},
    }
    if not args.no_sqlite:
        with tempfile.TemporaryDirectory() as tmp:
            results["sqlite"] = run(f"sqlite:///{Path(tmp) / 'bench.db'}", args)
        report("SQLite", results["sqlite"])
    if args.postgres:
        url, drop = _postgres_url(args.postgres)
        try:
            results["postgresql"] = run(url, args)
        finally:
            drop()
        report("PostgreSQL", results["postgresql"])
    results["load_after"] = os.getloadavg()
    print(f"\nload average before {results['load_before']}, after {results['load_after']}")
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2, default=str))


if __name__ == "__main__":
    main()
