"""A client killed (SIGKILL) in the middle of a large batch leaves all of it or none of it."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import text

from labbaik.ledger import service
from tests.ledger.conftest import SYSTEM, Ledger
from tests.ledger.crash_child import BATCH, FIRST

CHILD = Path(__file__).with_name("crash_child.py")


class TestKilledMidBatch:
    def test_no_half_batch_is_left(self, db_url: str, ledger: Ledger) -> None:
        bank = ledger.account()
        shops = [ledger.account() for _ in range(20)]
        root = Path(__file__).resolve().parents[2]
        child = subprocess.Popen(
            [sys.executable, str(CHILD), db_url, str(bank), *map(str, shops)],
            stdout=subprocess.PIPE,
            text=True,
            cwd=root,
            env={**os.environ, "PYTHONPATH": str(root / "src")},
        )
        assert child.stdout is not None
        first = None
        for line in child.stdout:
            if line.startswith("done 0"):
                first = float(line.split()[2])
            if line.startswith("start 1"):
                break
        assert first is not None, "the child never finished its first batch"
        # Somewhere inside the second batch, which takes about ten times as long as the first.
        time.sleep(random.uniform(0.5, 3) * first)
        child.send_signal(signal.SIGKILL)
        rest, _ = child.communicate(timeout=30)
        assert child.returncode == -signal.SIGKILL
        assert "done 1" not in rest, "the kill came after the batch, not in its middle"
        ledger.session.rollback()
        counts = dict(
            ledger.session.execute(
                text("SELECT reference, count(*) FROM ledger_transfer GROUP BY reference")
            ).all()
        )
        assert counts.pop("batch-0") == FIRST
        assert set(counts.values()) <= {BATCH}, counts
        entries = ledger.session.scalar(text("SELECT count(*) FROM ledger_entry"))
        assert entries == 2 * (FIRST + BATCH * len(counts))
        for account in [bank, *shops]:
            assert service.verify_statement(ledger.session, account_id=account)
        debits, credits = service.trial_balance(ledger.session, actor=SYSTEM)["SAR"]
        assert debits == credits
