"""The ledger's SQL: lock a batch's accounts once, read what it must know, write it once.

Every account a batch touches is locked in one statement in id order (so two batches never
wait for each other in a cycle); after `decide` has settled every item, each touched account
gets one UPDATE and every transfer and entry one INSERT. However many transfers of the batch hit
one account (a merchant every pilgrim pays), that account is read once and written once.
"""

from __future__ import annotations

import functools
import json
import uuid
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import (
    BigInteger,
    BindParameter,
    Connection,
    Integer,
    String,
    TextClause,
    bindparam,
    select,
    text,
    update,
)
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError
from sqlalchemy.orm import Session

from labbaik.errors import Busy
from labbaik.kit.timeutil import as_utc
from labbaik.ledger.decide import (
    PENDING,
    Acct,
    Batch,
    Pending,
    fingerprint,
    resolution_code,
)
from labbaik.ledger.models import ACCOUNTS, ENTRIES, TRANSFERS
from labbaik.ledger.schemas import MAX_AMOUNT, ResultCode, TransferCreate, TransferFlag

R = ResultCode

# How long a batch waits for another to release an account before it answers "busy".
LOCK_TIMEOUT_MS = 5_000
# Bind parameters per IN (...) list, well under SQLite's limit of 32,766.
CHUNK = 4_000
_account = ACCOUNTS
_transfer = TRANSFERS
_entry = ENTRIES


_TAKE_WRITE_LOCK = text("UPDATE ledger_account SET flags = flags WHERE 0 = 1")


def begin_write(session: Session, *, bound_waits: bool = True) -> None:
    """Make this transaction the one writer of the accounts it is about to read.

    PostgreSQL: row locks come with SELECT ... FOR UPDATE; here only the wait is bounded
    (`lock_accounts` bounds its own wait in the same statement, so it passes False).
    SQLite has one writer at a time, but pysqlite begins a transaction only at the first
    write, so reads before it would see totals another writer is about to change. A write
    that changes nothing takes the database's write lock first (what BEGIN IMMEDIATE does).
    """
    conn = session.connection()
    try:
        if conn.dialect.name != "postgresql":
            conn.execute(_TAKE_WRITE_LOCK)
        elif bound_waits:
            conn.execute(
                text("SELECT set_config('lock_timeout', :ms, true)"), {"ms": str(LOCK_TIMEOUT_MS)}
            )
    except OperationalError as exc:
        raise busy(exc) from exc


def busy(exc: DBAPIError) -> Busy:
    return Busy("the ledger accounts are busy with other transfers; try again", retry_after=1)


def is_lock_failure(exc: DBAPIError) -> bool:
    """A lock wait ran out (or, defensively, a deadlock): the client may simply retry."""
    sqlstate = getattr(exc.orig, "sqlstate", None)
    if sqlstate in {"55P03", "40P01", "40001"}:
        return True
    message = str(exc.orig).lower()
    return "database is locked" in message or "database table is locked" in message


def _chunks(values: list[Any]) -> list[list[Any]]:
    return [values[i : i + CHUNK] for i in range(0, len(values), CHUNK)]


# The scalar subquery runs once, before the first row is locked: the lock wait is bounded
# without a statement of its own (SET LOCAL would cost one more round trip per batch).
# The transfers are read in the same round trip, in the snapshot taken before the lock wait, so
# a batch with the same ids that committed while we waited is not seen here: its ids then
# collide on insert, and that batch answers "busy", whose retry finds them.
_PG_LOCK_AND_EXISTING = (
    "WITH locked AS (SELECT id, currency, flags, debits_posted, credits_posted, debits_pending, "
    "credits_pending, entry_count FROM ledger_account WHERE id = {accounts} "
    "AND (SELECT set_config('lock_timeout', :lock_timeout, true)) IS NOT NULL "
    "ORDER BY id FOR UPDATE) "
    "SELECT id, currency, flags, debits_posted, credits_posted, debits_pending, "
    "credits_pending, entry_count, NULL AS fingerprint, NULL AS result FROM locked "
    "UNION ALL SELECT id, NULL, NULL, NULL, NULL, NULL, NULL, NULL, fingerprint, result "
    "FROM ledger_transfer WHERE id = {transfers}"
)
# A small batch (a payment and its fee) names its ids as scalar parameters, padded to a few
# fixed counts: then PostgreSQL keeps one generic plan for each count, where with an array
# parameter it planned the statement anew on every call (a third of a small batch's server
# time). A large batch sends each list as one uuid[] literal, whose planning it amortises.
_SCALAR_COUNTS = (2, 4, 8, 16)


def _padded(n: int) -> int | None:
    return next((c for c in _SCALAR_COUNTS if n <= c), None)


@functools.cache
def _lock_statement(accounts: int | None, transfers: int | None) -> TextClause:
    """The lock-and-read statement for this many scalar ids (None: one array parameter)."""

    def ids(prefix: str, count: int | None) -> str:
        if count is None:
            return f"ANY(CAST(:{prefix} AS uuid[]))"
        return "ANY(ARRAY[" + ", ".join(f":{prefix}{i}" for i in range(count)) + "])"

    return text(
        _PG_LOCK_AND_EXISTING.format(accounts=ids("a", accounts), transfers=ids("t", transfers))
    )


def _id_params(prefix: str, ids: list[uuid.UUID], count: int | None) -> dict[str, object]:
    if count is None:
        return {prefix: _uuid_array(ids)}
    padded = ids + [ids[-1]] * (count - len(ids))  # a repeated id matches the same row
    return {f"{prefix}{i}": value for i, value in enumerate(padded)}


def _uuid_array(ids: list[uuid.UUID]) -> str:
    """A uuid[] literal: one text for the driver to send, not one value per id to adapt."""
    return "{" + ",".join(map(str, ids)) + "}"


def lock_and_load(
    conn: Connection, account_ids: set[uuid.UUID], transfer_ids: list[uuid.UUID]
) -> tuple[dict[uuid.UUID, Acct], dict[uuid.UUID, tuple[str, str]]]:
    """Lock the accounts, then read the transfers already recorded under these ids.

    On SQLite the lock is the database's write lock, taken by `begin_write`.
    """
    if conn.dialect.name != "postgresql":
        return _read_accounts(conn, account_ids), load_existing(conn, transfer_ids)
    accounts: dict[uuid.UUID, Acct] = {}
    existing: dict[uuid.UUID, tuple[str, str]] = {}
    if not account_ids and not transfer_ids:
        return accounts, existing
    # An empty list still needs an id to compare with: whatever the nil UUID finds goes unused
    # (no item of the batch names it).
    sorted_accounts = sorted(account_ids) or [uuid.UUID(int=0)]
    tids = transfer_ids or [uuid.UUID(int=0)]
    a_count, t_count = _padded(len(sorted_accounts)), _padded(len(tids))
    params: dict[str, object] = {"lock_timeout": str(LOCK_TIMEOUT_MS)}
    params |= _id_params("a", sorted_accounts, a_count)
    params |= _id_params("t", tids, t_count)
    for row in conn.execute(_lock_statement(a_count, t_count), params):
        if row[1] is None:
            existing[row[0]] = (row[8], row[9])
        else:
            accounts[row[0]] = Acct(*row[:8])
    return accounts, existing


# Built once: a statement object costs more to build than SQLite takes to run it.
_ids: BindParameter[list[uuid.UUID]] = bindparam("ids", expanding=True)
_SELECT_ACCOUNTS = select(
    _account.c.id, _account.c.currency, _account.c.flags, _account.c.debits_posted,
    _account.c.credits_posted, _account.c.debits_pending, _account.c.credits_pending,
    _account.c.entry_count,
).where(_account.c.id.in_(_ids))  # fmt: skip
_SELECT_PENDINGS = select(
    _transfer.c.id, _transfer.c.debit_account_id, _transfer.c.credit_account_id,
    _transfer.c.amount, _transfer.c.currency, _transfer.c.code, _transfer.c.expires_at,
    _transfer.c.flags,
).where(_transfer.c.id.in_(_ids), _transfer.c.result == R.OK.value)  # fmt: skip
_SELECT_RESOLUTIONS = select(_transfer.c.resolved_pending_id, _transfer.c.flags).where(
    _transfer.c.resolved_pending_id.in_(_ids)
)
_SELECT_EXISTING = select(_transfer.c.id, _transfer.c.fingerprint, _transfer.c.result).where(
    _transfer.c.id.in_(_ids)
)
_UPDATE_ACCOUNT = (
    update(_account)
    .where(_account.c.id == bindparam("b_id"))
    .values(
        debits_posted=bindparam("b_dp"),
        credits_posted=bindparam("b_cp"),
        debits_pending=bindparam("b_dpend"),
        credits_pending=bindparam("b_cpend"),
        entry_count=bindparam("b_seq"),
    )
)
_INSERT_TRANSFERS = _transfer.insert()
_INSERT_ENTRIES = _entry.insert()


def _read_accounts(conn: Connection, ids: set[uuid.UUID]) -> dict[uuid.UUID, Acct]:
    found: dict[uuid.UUID, Acct] = {}
    for chunk in _chunks(sorted(ids)):
        for row in conn.execute(_SELECT_ACCOUNTS, {"ids": chunk}):
            found[row[0]] = Acct(*row)
    return found


def load_pendings(conn: Connection, ids: set[uuid.UUID]) -> dict[uuid.UUID, Pending]:
    """Pending transfers that succeeded: immutable, so they are read without a lock."""
    found: dict[uuid.UUID, Pending] = {}
    for chunk in _chunks(sorted(ids)):
        for row in conn.execute(_SELECT_PENDINGS, {"ids": chunk}):
            if row.flags & PENDING:
                expires = as_utc(row.expires_at) if row.expires_at is not None else None
                found[row.id] = Pending(
                    row.id, row.debit_account_id, row.credit_account_id, row.amount,
                    row.currency, row.code, expires,
                )  # fmt: skip
    return found


def load_resolutions(conn: Connection, pending_ids: set[uuid.UUID]) -> dict[uuid.UUID, ResultCode]:
    """How each pending was resolved so far, as the refusal a second resolution would get."""
    found: dict[uuid.UUID, ResultCode] = {}
    for chunk in _chunks(sorted(pending_ids)):
        for pid, flags in conn.execute(_SELECT_RESOLUTIONS, {"ids": chunk}):
            found[pid] = resolution_code(flags)
    return found


def load_existing(conn: Connection, ids: list[uuid.UUID]) -> dict[uuid.UUID, tuple[str, str]]:
    """Transfers already recorded under these ids: their fingerprint and first outcome."""
    found: dict[uuid.UUID, tuple[str, str]] = {}
    for chunk in _chunks(ids):
        for tid, fp, result in conn.execute(_SELECT_EXISTING, {"ids": chunk}):
            found[tid] = (fp, result)
    return found


def write(conn: Connection, batch: Batch) -> None:
    """One UPDATE per touched account, then the transfers and entries, each as one batch."""
    accounts = [batch.accounts[i] for i in sorted(batch.dirty)]
    try:
        if conn.dialect.name == "postgresql":
            _write_postgresql(conn, batch, accounts)
        else:
            _write_sqlite(conn, batch, accounts)
    except IntegrityError as exc:
        # Another batch recorded one of these ids (or resolved one of these pendings)
        # between our reads and our write: nothing was kept; a retry gets its answer.
        raise busy(exc) from exc
    except OperationalError as exc:
        if is_lock_failure(exc):
            raise busy(exc) from exc
        raise


def _write_sqlite(conn: Connection, batch: Batch, accounts: list[Acct]) -> None:
    if accounts:
        conn.execute(
            _UPDATE_ACCOUNT,
            [
                {
                    "b_id": a.id,
                    "b_dp": a.dp,
                    "b_cp": a.cp,
                    "b_dpend": a.dpend,
                    "b_cpend": a.cpend,
                    "b_seq": a.seq,
                }
                for a in accounts
            ],
        )
    if batch.transfers:
        conn.execute(_INSERT_TRANSFERS, batch.transfers)
    if batch.entries:
        conn.execute(_INSERT_ENTRIES, batch.entries)


def _write_postgresql(conn: Connection, batch: Batch, accounts: list[Acct]) -> None:
    """The whole batch in one statement with three parameters, each a JSON array of rows:
    one text to send whatever the batch's size, where an array a column would cost the
    driver one adaptation per column (most of a one-transfer request's time)."""
    conn.execute(
        _PG_WRITE,
        {
            "accounts": _json([[a.id, a.dp, a.cp, a.dpend, a.cpend, a.seq] for a in accounts]),
            "transfers": _json(batch.transfers),
            "entries": _json(batch.entries),
        },
    )


def _json_value(value: object) -> str:
    if isinstance(value, uuid.UUID | datetime):
        return str(value)  # PostgreSQL reads both forms as they print
    raise TypeError(f"{type(value).__name__} is not a ledger column value")


def _json(rows: list[Any]) -> str:
    return json.dumps(rows, default=_json_value, separators=(",", ":"))


# Transfers and entries are rows of their tables' types, read from JSON objects keyed by column
# (json_populate_recordset), so the column list is the table's own. The foreign key of an entry
# to its transfer is checked at the end of the statement, when the transfers are in place.
_PG_WRITE = text(
    "WITH accounts AS (UPDATE ledger_account AS a SET debits_posted = v.dp, "
    "credits_posted = v.cp, debits_pending = v.dpend, credits_pending = v.cpend, "
    "entry_count = v.seq FROM (SELECT CAST(r->>0 AS uuid) AS id, CAST(r->>1 AS bigint) AS dp, "
    "CAST(r->>2 AS bigint) AS cp, CAST(r->>3 AS bigint) AS dpend, "
    "CAST(r->>4 AS bigint) AS cpend, CAST(r->>5 AS bigint) AS seq "
    "FROM json_array_elements(CAST(:accounts AS json)) AS r) AS v "
    "WHERE a.id = v.id RETURNING 1), "
    "transfers AS (INSERT INTO ledger_transfer SELECT * FROM "
    "json_populate_recordset(NULL::ledger_transfer, CAST(:transfers AS json)) RETURNING 1) "
    "INSERT INTO ledger_entry SELECT * FROM "
    "json_populate_recordset(NULL::ledger_entry, CAST(:entries AS json))"
)


# One plain transfer (single-phase or pending, not linked) in one statement: lock both accounts
# in id order, check them, and only if every check passes move the totals and insert the
# transfer and its two entries. The checks are those of `decide` that need the accounts; those
# that need nothing else are made before (`decide.plain`). Anything else (a refusal, a retry of
# a recorded id) writes nothing here and answers false: the batch path then decides and records
# it as any batch. One round trip where the batch path takes two, and no rows read back to the
# client. The UPDATE reads the rows the lock returned (READ COMMITTED re-reads a row updated
# since the statement's snapshot), so its totals are the locked ones. Sums are checked as
# numeric: a total near the largest amount must be refused, not overflow. The two ids are two
# scalar parameters, not an array: so PostgreSQL estimates the prepared statement's generic plan
# as cheap as a custom one and keeps it, where an array parameter had it planned anew each time
# (0.3 ms of server time, a third of the request's).
_PG_SINGLE = text(
    "WITH locked AS (SELECT id, currency, flags, CAST(debits_posted AS numeric) AS dp, "
    "CAST(credits_posted AS numeric) AS cp, CAST(debits_pending AS numeric) AS dpend, "
    "CAST(credits_pending AS numeric) AS cpend FROM ledger_account "
    "WHERE id = ANY(ARRAY[:debit, :credit]) "
    "AND (SELECT set_config('lock_timeout', :lock_timeout, true)) IS NOT NULL "
    "ORDER BY id FOR UPDATE), "
    "verdict AS (SELECT count(*) = 2 AND bool_and(flags & 4 = 0 AND currency = :currency AND "
    "CASE WHEN id = :debit THEN (flags & 1 = 0 OR dp + dpend + :amount <= cp) "
    "AND dp + dpend + :amount <= :max_amount "
    "ELSE (flags & 2 = 0 OR cp + cpend + :amount <= dp) "
    "AND cp + cpend + :amount <= :max_amount END) "
    "AND NOT EXISTS (SELECT 1 FROM ledger_transfer WHERE id = :id) AS ok FROM locked), "
    "moved AS (UPDATE ledger_account AS a SET "
    "debits_posted = a.debits_posted + CASE WHEN a.id = :debit THEN :posted ELSE 0 END, "
    "credits_posted = a.credits_posted + CASE WHEN a.id = :debit THEN 0 ELSE :posted END, "
    "debits_pending = a.debits_pending + CASE WHEN a.id = :debit THEN :pending ELSE 0 END, "
    "credits_pending = a.credits_pending + CASE WHEN a.id = :debit THEN 0 ELSE :pending END, "
    "entry_count = a.entry_count + 1 FROM verdict "
    "WHERE verdict.ok AND a.id = ANY(ARRAY[:debit, :credit]) "
    "RETURNING a.id, a.debits_posted, a.credits_posted, a.debits_pending, a.credits_pending, "
    "a.entry_count), "
    "recorded AS (INSERT INTO ledger_transfer (id, debit_account_id, credit_account_id, amount, "
    "currency, code, reference, flags, pending_id, resolved_pending_id, timeout_seconds, "
    "expires_at, result, fingerprint, created_by, created_at) "
    "SELECT :id, :debit, :credit, :amount, :currency, CAST(:code AS integer), "
    "CAST(:reference AS varchar), :flags, NULL, NULL, CAST(:timeout_seconds AS integer), "
    "CAST(:expires_at AS timestamptz), 'ok', :fingerprint, :created_by, :now "
    "FROM verdict WHERE ok RETURNING 1), "
    "entered AS (INSERT INTO ledger_entry (account_id, seq, transfer_id, is_debit, posted, "
    "pending, debits_posted, credits_posted, debits_pending, credits_pending, at) "
    "SELECT id, entry_count, :id, id = :debit, :posted, :pending, debits_posted, "
    "credits_posted, debits_pending, credits_pending, :now FROM moved RETURNING 1) "
    "SELECT ok FROM verdict"
).bindparams(
    bindparam("amount", type_=BigInteger()),
    bindparam("max_amount", type_=BigInteger()),
    bindparam("posted", type_=BigInteger()),
    bindparam("pending", type_=BigInteger()),
    bindparam("currency", type_=String()),
    bindparam("flags", type_=Integer()),
)


def try_single(conn: Connection, t: TransferCreate, *, now: datetime, created_by: str) -> bool:
    """Record one plain transfer that goes through, in one statement (PostgreSQL only).

    False when it does not go through as it stands (an account missing, closed, in another
    currency or at its limit, or the id recorded before): nothing was written, the accounts
    stay locked by this transaction, and the caller decides it on the batch path.
    """
    assert t.debit_account_id is not None
    assert t.credit_account_id is not None
    assert t.amount is not None
    pending = TransferFlag.PENDING in t.flag_set
    expires_at = None
    if pending and t.timeout_seconds is not None:
        expires_at = now + timedelta(seconds=t.timeout_seconds)
    try:
        ok = conn.execute(
            _PG_SINGLE,
            {
                "lock_timeout": str(LOCK_TIMEOUT_MS),
                "id": t.id,
                "debit": t.debit_account_id,
                "credit": t.credit_account_id,
                "amount": t.amount,
                "max_amount": MAX_AMOUNT,
                "posted": 0 if pending else t.amount,
                "pending": t.amount if pending else 0,
                "currency": t.currency,
                "code": t.code,
                "reference": t.reference,
                "flags": PENDING if pending else 0,
                "timeout_seconds": t.timeout_seconds,
                "expires_at": expires_at,
                "fingerprint": fingerprint(t),
                "created_by": created_by,
                "now": now,
            },
        ).scalar()
    except IntegrityError as exc:
        raise busy(exc) from exc  # the id was recorded by a batch that committed meanwhile
    except OperationalError as exc:
        if is_lock_failure(exc):
            raise busy(exc) from exc
        raise
    return ok is True


def open_batch(
    session: Session,
    *,
    now: datetime,
    created_by: str,
    transfers: list[TransferCreate],
    pending_ids: set[uuid.UUID],
) -> Batch:
    """Take the locks a batch needs and read what it must know, ready to decide its items."""
    begin_write(session, bound_waits=False)
    conn = session.connection()
    try:
        pendings = load_pendings(conn, pending_ids)
        ids: set[uuid.UUID] = set()
        for t in transfers:
            ids.update(i for i in (t.debit_account_id, t.credit_account_id) if i is not None)
        for p in pendings.values():
            ids.update((p.debit, p.credit))
        accounts, existing = lock_and_load(conn, ids, list(dict.fromkeys(t.id for t in transfers)))
        resolutions = load_resolutions(conn, set(pendings))
    except OperationalError as exc:
        if is_lock_failure(exc):
            raise busy(exc) from exc
        raise
    return Batch(
        now=now,
        created_by=created_by,
        accounts=accounts,
        pendings=pendings,
        resolutions=resolutions,
        existing=existing,
    )
