"""A client killed by the crash test: sends large batches of transfers until it is killed.

Run: python crash_child.py URL BANK ACCOUNT... ; prints "start N" before batch N and
"done N SECONDS" after its commit. Batch 0 is small, to measure the pace; the next ones are
ten times larger, so that a kill timed from batch 0 lands well inside batch 1.
"""

from __future__ import annotations

import random
import sys
import time
import uuid

from labbaik.auth.roles import system_actor
from labbaik.db import make_engine, session_scope
from labbaik.ledger import service
from labbaik.ledger.schemas import TransferCreate

FIRST = 400
BATCH = 4_000


def main() -> None:
    url, bank, *others = sys.argv[1:]
    accounts = [uuid.UUID(a) for a in others]
    engine = make_engine(url)
    rng = random.Random(7)
    for n in range(1_000):
        items = [
            TransferCreate(
                id=uuid.uuid4(), debit_account_id=uuid.UUID(bank),
                credit_account_id=rng.choice(accounts), amount=rng.randint(1, 999),
                currency="SAR", code=1, reference=f"batch-{n}",
            )
            for _ in range(FIRST if n == 0 else BATCH)
        ]  # fmt: skip
        print(f"start {n}", flush=True)
        started = time.perf_counter()
        with session_scope(engine) as session:
            service.create_transfers(session, transfers=items, actor=system_actor("crash"))
        print(f"done {n} {time.perf_counter() - started:.3f}", flush=True)


if __name__ == "__main__":
    main()
