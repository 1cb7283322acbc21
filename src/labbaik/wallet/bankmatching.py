"""The bank's statement against the payouts: import a camt.053 once, match each entry.

The payout job learns from the bank's API that a transfer was settled; the account statement is
the bank's own books. Each debit whose end-to-end id is a payout's id must be that payout, for
its amount, and settled (or at least in transit: the statement may be ahead of the API); a
credit naming a payout with a return reason is its money coming back. Whatever else moved on
the account is listed as not a payout, and a payout Labbaik holds as paid in the statement's
period that no imported statement shows is listed too: that is the one the bank never paid.
"""

from __future__ import annotations

import hashlib
import uuid
from datetime import datetime, time, timedelta

from sqlalchemy import exists, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from labbaik.auth import service as auth_service
from labbaik.auth.roles import Actor, Scope
from labbaik.kit.money import Money
from labbaik.kit.timeutil import RIYADH, as_utc, utcnow
from labbaik.wallet.bankstatement import BankStatementData, StatementEntry, parse_statements
from labbaik.wallet.errors import (
    BankStatementNotFound,
    StatementExists,
    StatementUnbalanced,
    StatementUnreadable,
)
from labbaik.wallet.models import BankStatement, BankStatementLine, Payout
from labbaik.wallet.schemas import (
    BankLineOutcome,
    BankStatementLineRead,
    BankStatementReport,
    PaidNotOnStatement,
)

ATTENTION = frozenset(
    {"amount_mismatch", "return_not_recorded", "status_mismatch", "duplicate",
     "unexplained_credit"}
)  # fmt: skip


def _check_balanced(data: BankStatementData) -> None:
    computed = data.opening_balance + data.credits - data.debits
    if computed != data.closing_balance:

        def sar(amount: int) -> str:
            return Money(amount, data.currency).format()

        raise StatementUnbalanced(
            f"the statement {data.statement_id} does not add up: opening "
            f"{sar(data.opening_balance)} + credits {sar(data.credits)} - debits "
            f"{sar(data.debits)} = {sar(computed)}, but "
            f"its closing balance is {sar(data.closing_balance)} "
            f"({sar(data.closing_balance - computed)} apart)"
        )


def _payout_id(end_to_end_id: str | None) -> uuid.UUID | None:
    if end_to_end_id is None:
        return None
    try:
        return uuid.UUID(end_to_end_id)
    except ValueError:
        return None


def _outcome(
    entry: StatementEntry, payout: Payout, currency: str, debited: set[uuid.UUID]
) -> BankLineOutcome:
    same = entry.amount == payout.amount and currency == payout.currency
    if entry.direction == "DBIT":
        if payout.id in debited:
            return "duplicate"
        debited.add(payout.id)
        if not same:
            return "amount_mismatch"
        if payout.status in ("paid", "returned"):
            # A returned payout was debited too: its money comes back on a credit of its own.
            return "matched"
        if payout.status == "in_transit":
            return "booked_not_settled"
        return "status_mismatch"
    if not (entry.return_code or entry.reversal):
        return "unexplained_credit"
    if not same:
        return "amount_mismatch"
    return "returned" if payout.status == "returned" else "return_not_recorded"


def _period(data: BankStatementData) -> tuple[datetime, datetime] | None:
    """The statement's period; without FrToDt, the Riyadh days of its bookings."""
    if data.from_at and data.to_at:
        return as_utc(data.from_at), as_utc(data.to_at)
    days = [e.booked_on for e in data.entries if e.booked_on is not None]
    if not days:
        return None
    start = datetime.combine(min(days), time(), RIYADH)
    end = datetime.combine(max(days), time(), RIYADH) + timedelta(days=1, microseconds=-1)
    return as_utc(start), as_utc(end)


def _paid_not_on_statement(session: Session, data: BankStatementData) -> list[PaidNotOnStatement]:
    period = _period(data)
    if period is None:
        return []
    debited = exists().where(
        BankStatementLine.payout_id == Payout.id, BankStatementLine.direction == "DBIT"
    )
    rows = session.scalars(
        select(Payout)
        .where(
            Payout.status == "paid",
            Payout.currency == data.currency,
            Payout.resolved_at >= period[0],
            Payout.resolved_at <= period[1],
            ~debited,
        )
        .order_by(Payout.resolved_at)
    )
    return [
        PaidNotOnStatement(
            payout_id=p.id,
            merchant_id=p.merchant_id,
            amount=p.amount,
            currency=p.currency,
            resolved_at=p.resolved_at,
        )
        for p in rows
    ]


def _replay(row: BankStatement, digest: str) -> BankStatementReport:
    if row.sha256 != digest:
        raise StatementExists(
            f"the statement {row.statement_id} of {row.iban} was imported on "
            f"{as_utc(row.imported_at):%Y-%m-%d %H:%M} UTC from a different file: a corrected "
            "statement comes with an Id of its own"
        )
    return BankStatementReport.model_validate_json(row.report)


def _existing(session: Session, data: BankStatementData) -> BankStatement | None:
    return session.scalar(
        select(BankStatement).where(
            BankStatement.iban == data.iban, BankStatement.statement_id == data.statement_id
        )
    )


def import_statement(session: Session, *, document: bytes, actor: Actor) -> BankStatementReport:
    """Store the bank's camt.053 statement and match it against the payouts; the report.

    The same file again changes nothing and answers the first report; another file under the
    same statement Id is refused (409), as is a statement that does not add up (422). All of
    it is written in the caller's transaction, or nothing."""
    auth_service.require(actor, Scope.MERCHANT_MANAGE)
    statements = parse_statements(document)
    if len(statements) != 1:
        raise StatementUnreadable(
            f"the file holds {len(statements)} statements (Stmt): import one statement a file"
        )
    data = statements[0]
    _check_balanced(data)
    digest = hashlib.sha256(document).hexdigest()
    found = _existing(session, data)
    if found is not None:
        return _replay(found, digest)
    row = BankStatement(
        statement_id=data.statement_id,
        iban=data.iban,
        currency=data.currency,
        # In UTC, as every time is stored (SQLite keeps the wall clock it is given).
        from_at=as_utc(data.from_at) if data.from_at else None,
        to_at=as_utc(data.to_at) if data.to_at else None,
        opening_balance=data.opening_balance,
        closing_balance=data.closing_balance,
        imported_at=utcnow(),
        imported_by=actor.username,
        sha256=digest,
        report="",
    )
    try:
        with session.begin_nested():
            session.add(row)
            session.flush()
    except IntegrityError:
        # Another import of the same statement committed first: answer as for a replay.
        found = _existing(session, data)
        if found is None:
            raise
        return _replay(found, digest)

    ids = {pid for e in data.entries if (pid := _payout_id(e.end_to_end_id)) is not None}
    payouts = {p.id: p for p in session.scalars(select(Payout).where(Payout.id.in_(ids)))}
    debited = {
        pid
        for pid in session.scalars(
            select(BankStatementLine.payout_id).where(
                BankStatementLine.payout_id.in_(payouts), BankStatementLine.direction == "DBIT"
            )
        )
        if pid is not None
    }
    lines: list[BankStatementLine] = []
    difference = 0
    for entry in data.entries:
        pid = _payout_id(entry.end_to_end_id)
        payout = payouts.get(pid) if pid is not None else None
        outcome: BankLineOutcome = "not_a_payout"
        if payout is not None:
            outcome = _outcome(entry, payout, data.currency, debited)
            difference += entry.amount - payout.amount
        lines.append(
            BankStatementLine(
                statement_id=row.id, line=entry.number, amount=entry.amount,
                direction=entry.direction, booked_on=entry.booked_on, reversal=entry.reversal,
                end_to_end_id=entry.end_to_end_id, bank_reference=entry.bank_reference,
                return_code=entry.return_code, payout_id=payout.id if payout else None,
                outcome=outcome,
            )
        )  # fmt: skip
    session.add_all(lines)
    session.flush()
    report = _report(row, data, lines, _paid_not_on_statement(session, data), difference)
    row.report = report.model_dump_json()
    auth_service.record(
        session,
        actor=actor,
        action="wallet.bank_statement.import",
        object_type="bank_statement",
        object_id=row.id,
        detail={"statement_id": row.statement_id, "iban": row.iban, "sha256": digest,
                "lines": len(lines), "matched": report.matched,
                "needs_attention": report.needs_attention},
    )  # fmt: skip
    session.flush()
    return report


def _report(
    row: BankStatement,
    data: BankStatementData,
    lines: list[BankStatementLine],
    missing: list[PaidNotOnStatement],
    difference: int,
) -> BankStatementReport:
    read = [BankStatementLineRead.model_validate(line) for line in lines]

    def count(outcome: str) -> int:
        return sum(1 for line in read if line.outcome == outcome)

    return BankStatementReport(
        id=row.id,
        statement_id=row.statement_id,
        iban=row.iban,
        currency=row.currency,
        from_at=row.from_at,
        to_at=row.to_at,
        opening_balance=row.opening_balance,
        closing_balance=row.closing_balance,
        credits=data.credits,
        debits=data.debits,
        pending_skipped=data.pending_skipped,
        imported_at=row.imported_at,
        imported_by=row.imported_by,
        sha256=row.sha256,
        matched=count("matched"),
        matched_amount=sum(line.amount for line in read if line.outcome == "matched"),
        booked_not_settled=count("booked_not_settled"),
        amount_mismatches=count("amount_mismatch"),
        returns=count("returned"),
        not_a_payout=count("not_a_payout"),
        needs_attention=sum(1 for line in read if line.outcome in ATTENTION) + len(missing),
        difference=difference,
        lines=read,
        paid_not_on_statement=missing,
    )


def get_statement_report(
    session: Session, *, statement_id: uuid.UUID, actor: Actor
) -> BankStatementReport:
    """An imported statement's report, as it was at its import (operators)."""
    auth_service.require(actor, Scope.MERCHANT_MANAGE)
    row = session.get(BankStatement, statement_id)
    if row is None:
        raise BankStatementNotFound("no such bank statement")
    return BankStatementReport.model_validate_json(row.report)


def recent_statements(
    session: Session, *, actor: Actor, limit: int = 5
) -> list[BankStatementReport]:
    """The statements imported last, newest first, each with its report (operators)."""
    auth_service.require(actor, Scope.MERCHANT_MANAGE)
    rows = session.scalars(
        select(BankStatement).order_by(BankStatement.imported_at.desc()).limit(limit)
    )
    return [BankStatementReport.model_validate_json(row.report) for row in rows]
