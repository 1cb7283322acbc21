"""The batch engine: lock the accounts of a batch once, decide every item in memory, write once.

A batch is processed as TigerBeetle processes one: every account the batch touches is locked
in one statement in id order (so two batches never wait for each other in a cycle), each item
is checked and applied in order against the locked totals, a linked chain is undone in memory
when one of its items fails, and then each touched account gets one UPDATE and every transfer
and entry one INSERT. However many transfers of the batch hit one account (a merchant every
pilgrim pays), that account is read once and written once.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import BindParameter, Connection, bindparam, select, text, update
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError
from sqlalchemy.orm import Session

from labbaik.errors import Busy
from labbaik.kit.money import MINOR_UNITS
from labbaik.kit.timeutil import as_utc
from labbaik.ledger.models import ACCOUNTS, ENTRIES, TRANSFERS
from labbaik.ledger.schemas import MAX_AMOUNT, ResultCode, TransferCreate, TransferFlag

R = ResultCode

ACCOUNT_DEBITS_MUST_NOT_EXCEED_CREDITS = 1
ACCOUNT_CREDITS_MUST_NOT_EXCEED_DEBITS = 2
ACCOUNT_CLOSED = 4

PENDING = 1
POST = 2
VOID = 4
LINKED = 8
EXPIRY = 16
TRANSFER_FLAG_BITS = {
    TransferFlag.PENDING: PENDING,
    TransferFlag.POST_PENDING: POST,
    TransferFlag.VOID_PENDING: VOID,
    TransferFlag.LINKED: LINKED,
}

# How long a batch waits for another to release an account before it answers "busy".
LOCK_TIMEOUT_MS = 5_000
# Bind parameters per IN (...) list, well under SQLite's limit of 32,766.
CHUNK = 4_000
_EXPIRY_NAMESPACE = uuid.UUID("6c1e61a4-5b8f-4a55-9d07-2f3f0e7c5a11")

_account = ACCOUNTS
_transfer = TRANSFERS
_entry = ENTRIES


def expiry_id(pending_id: uuid.UUID) -> uuid.UUID:
    """The id of the void an expiry makes: fixed by the pending id, so it happens once."""
    return uuid.uuid5(_EXPIRY_NAMESPACE, str(pending_id))


def fingerprint(t: TransferCreate) -> str:
    """What a retry must repeat exactly to be the same transfer."""
    flags = ",".join(sorted(f.value for f in t.flag_set))
    body = (
        f"{t.debit_account_id}|{t.credit_account_id}|{t.amount}|{t.currency}|{t.code}|"
        f"{t.reference}|{flags}|{t.pending_id}|{t.timeout_seconds}"
    )
    return hashlib.sha256(body.encode()).hexdigest()


def transfer_flag_bits(t: TransferCreate) -> int:
    return sum(TRANSFER_FLAG_BITS[f] for f in t.flag_set)


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


@dataclass
class Acct:
    """The locked totals of one account, changed in memory while the batch is decided."""

    id: uuid.UUID
    currency: str
    flags: int
    dp: int
    cp: int
    dpend: int
    cpend: int
    seq: int

    @property
    def closed(self) -> bool:
        return bool(self.flags & ACCOUNT_CLOSED)


@dataclass(frozen=True)
class Pending:
    id: uuid.UUID
    debit: uuid.UUID
    credit: uuid.UUID
    amount: int
    currency: str
    code: int
    expires_at: datetime | None


def _chunks(values: list[Any]) -> list[list[Any]]:
    return [values[i : i + CHUNK] for i in range(0, len(values), CHUNK)]


# The scalar subquery runs once, before the first row is locked: the lock wait is bounded
# without a statement of its own (SET LOCAL would cost one more round trip per batch).
_PG_LOCKED = (
    "SELECT id, currency, flags, debits_posted, credits_posted, debits_pending, "
    "credits_pending, entry_count FROM ledger_account "
    "WHERE id = ANY(CAST(:ids AS uuid[])) "
    "AND (SELECT set_config('lock_timeout', :lock_timeout, true)) IS NOT NULL "
    "ORDER BY id FOR UPDATE"
)
# The locks and the transfers already recorded, in one round trip. The transfers are read in
# the snapshot taken before the lock wait, so a batch with the same ids that committed while
# we waited is not seen here: its ids then collide on insert, and that batch answers "busy",
# whose retry finds them. Only constants are formatted into the SQL; values are parameters.
_PG_LOCK_AND_EXISTING = text(
    f"WITH locked AS ({_PG_LOCKED}) "  # noqa: S608
    "SELECT id, currency, flags, debits_posted, credits_posted, debits_pending, "
    "credits_pending, entry_count, NULL AS fingerprint, NULL AS result FROM locked "
    "UNION ALL SELECT id, NULL, NULL, NULL, NULL, NULL, NULL, NULL, fingerprint, result "
    "FROM ledger_transfer WHERE id = ANY(CAST(:tids AS uuid[]))"
)


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
    rows = conn.execute(
        _PG_LOCK_AND_EXISTING,
        {
            "ids": _uuid_array(sorted(account_ids)),
            "tids": _uuid_array(transfer_ids),
            "lock_timeout": str(LOCK_TIMEOUT_MS),
        },
    )
    for row in rows:
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
            found[pid] = _resolution_code(flags)
    return found


def _resolution_code(flags: int) -> ResultCode:
    if flags & EXPIRY:
        return R.PENDING_EXPIRED
    if flags & POST:
        return R.PENDING_ALREADY_POSTED
    return R.PENDING_ALREADY_VOIDED


def load_existing(conn: Connection, ids: list[uuid.UUID]) -> dict[uuid.UUID, tuple[str, str]]:
    """Transfers already recorded under these ids: their fingerprint and first outcome."""
    found: dict[uuid.UUID, tuple[str, str]] = {}
    for chunk in _chunks(ids):
        for tid, fp, result in conn.execute(_SELECT_EXISTING, {"ids": chunk}):
            found[tid] = (fp, result)
    return found


class Batch:
    """One batch being decided: the locked accounts, the pendings, and the rows to write."""

    def __init__(
        self,
        conn: Connection,
        *,
        now: datetime,
        created_by: str,
        accounts: dict[uuid.UUID, Acct],
        pendings: dict[uuid.UUID, Pending],
        resolutions: dict[uuid.UUID, ResultCode],
        existing: dict[uuid.UUID, tuple[str, str]],
    ) -> None:
        self.conn = conn
        self.now = now
        self.created_by = created_by
        self.accounts = accounts
        self.pendings = pendings
        self.resolutions = resolutions
        self.existing = existing
        self.transfers: list[dict[str, Any]] = []
        self.entries: list[dict[str, Any]] = []
        self.dirty: set[uuid.UUID] = set()
        # The chain being decided: account states before it, and what it added.
        self._undo: dict[uuid.UUID, Acct] | None = None
        self._chain_keys: list[tuple[str, uuid.UUID]] = []

    # -- chains ---------------------------------------------------------------------------

    def run(self, items: list[TransferCreate]) -> list[ResultCode]:
        results: list[ResultCode] = []
        start = 0
        while start < len(items):
            end = start
            while end < len(items) and TransferFlag.LINKED in items[end].flag_set:
                end += 1
            if end == len(items):
                # The last item says the chain goes on, but nothing follows: the chain fails.
                chain = items[start:]
                codes = [R.LINKED_EVENT_FAILED] * (len(chain) - 1) + [R.LINKED_EVENT_CHAIN_OPEN]
                results += self._refuse_chain(chain, codes)
                break
            results += self._run_chain(items[start : end + 1])
            start = end + 1
        return results

    def _run_chain(self, chain: list[TransferCreate]) -> list[ResultCode]:
        prints = [fingerprint(t) for t in chain]
        known = [self._known(t, fp) for t, fp in zip(chain, prints, strict=True)]
        if len(chain) > 1 and any(k is not None for k in known):
            if all(k is not None for k in known):
                return [k for k in known if k is not None]
            # Part of this chain was sent before: the rest cannot go through on its own.
            codes = [k if k is not None else R.LINKED_EVENT_FAILED for k in known]
            return self._refuse_chain(chain, codes, skip_known=known)
        if len(chain) == 1 and known[0] is not None:
            return [known[0]]
        self._undo = {}
        self._chain_keys = []
        rows: list[dict[str, Any]] = []
        entries_mark = len(self.entries)
        failed: tuple[int, ResultCode] | None = None
        seen: dict[uuid.UUID, str] = {}
        for i, (t, fp) in enumerate(zip(chain, prints, strict=True)):
            if t.id in seen:
                # The same id twice in one chain: the second is a retry of the first.
                same = seen[t.id] == fp
                failed = (i, R.EXISTS if same else R.EXISTS_WITH_DIFFERENT_FIELDS)
                break
            seen[t.id] = fp
            outcome = self._apply(t, fp)
            if isinstance(outcome, ResultCode):
                failed = (i, outcome)
                break
            rows.append(outcome)
        if failed is None:
            self._undo = None
            self.transfers += rows
            for row in rows:
                self.existing[row["id"]] = (row["fingerprint"], R.OK.value)
            return [R.OK] * len(chain)
        self._rollback_chain(entries_mark)
        index, code = failed
        codes = [R.LINKED_EVENT_FAILED] * len(chain)
        codes[index] = code
        return self._refuse_chain(chain, codes)

    def _rollback_chain(self, entries_mark: int) -> None:
        assert self._undo is not None
        self.accounts.update(self._undo)
        del self.entries[entries_mark:]
        for kind, key in self._chain_keys:
            if kind == "pending":
                self.pendings.pop(key, None)
            else:
                self.resolutions.pop(key, None)
        self._undo = None
        self._chain_keys = []

    def _refuse_chain(
        self,
        chain: list[TransferCreate],
        codes: list[ResultCode],
        skip_known: list[ResultCode | None] | None = None,
    ) -> list[ResultCode]:
        for i, (t, code) in enumerate(zip(chain, codes, strict=True)):
            if skip_known is not None and skip_known[i] is not None:
                continue
            if t.id in self.existing:
                continue  # a repeated id: recorded once, under its first outcome
            fp = fingerprint(t)
            self.transfers.append(self._row(t, fp, result=code))
            self.existing[t.id] = (fp, code.value)
        return codes

    def _known(self, t: TransferCreate, fp: str) -> ResultCode | None:
        """The answer to a transfer sent before: "exists" or its first refusal."""
        first = self.existing.get(t.id)
        if first is None:
            return None
        if first[0] != fp:
            return R.EXISTS_WITH_DIFFERENT_FIELDS
        return R.EXISTS if first[1] == R.OK.value else ResultCode(first[1])

    # -- one transfer ---------------------------------------------------------------------

    def _touch(self, acct: Acct) -> Acct:
        if self._undo is not None and acct.id not in self._undo:
            self._undo[acct.id] = replace(acct)
        self.dirty.add(acct.id)
        return acct

    def _entry(
        self, acct: Acct, transfer_id: uuid.UUID, *, debit: bool, posted: int, pending: int
    ) -> None:
        if debit:
            acct.dp += posted
            acct.dpend += pending
        else:
            acct.cp += posted
            acct.cpend += pending
        acct.seq += 1
        self.entries.append(
            {
                "account_id": acct.id,
                "seq": acct.seq,
                "transfer_id": transfer_id,
                "is_debit": debit,
                "posted": posted,
                "pending": pending,
                "debits_posted": acct.dp,
                "credits_posted": acct.cp,
                "debits_pending": acct.dpend,
                "credits_pending": acct.cpend,
                "at": self.now,
            }
        )

    def _apply(self, t: TransferCreate, fp: str) -> dict[str, Any] | ResultCode:
        bits = transfer_flag_bits(t)
        kinds = bits & (PENDING | POST | VOID)
        if kinds not in (0, PENDING, POST, VOID):
            return R.FLAGS_ARE_MUTUALLY_EXCLUSIVE
        if kinds in (POST, VOID):
            return self._resolve(t, fp, post=kinds == POST)
        if t.pending_id is not None:
            return R.PENDING_ID_MUST_BE_ABSENT
        if t.timeout_seconds is not None and kinds != PENDING:
            return R.TIMEOUT_RESERVED_FOR_PENDING
        assert t.debit_account_id is not None
        assert t.credit_account_id is not None
        assert t.amount is not None
        assert t.currency is not None
        amount = t.amount
        if amount == 0:
            return R.AMOUNT_MUST_NOT_BE_ZERO
        if t.debit_account_id == t.credit_account_id:
            return R.SAME_ACCOUNT
        if t.currency not in MINOR_UNITS:
            return R.CURRENCY_UNKNOWN
        dr = self.accounts.get(t.debit_account_id)
        cr = self.accounts.get(t.credit_account_id)
        if dr is None or cr is None:
            return R.ACCOUNT_NOT_FOUND
        if dr.closed or cr.closed:
            return R.ACCOUNT_CLOSED
        if dr.currency != t.currency or cr.currency != t.currency:
            return R.CURRENCY_MISMATCH
        if dr.flags & ACCOUNT_DEBITS_MUST_NOT_EXCEED_CREDITS and (
            dr.dp + dr.dpend + amount > dr.cp
        ):
            return R.EXCEEDS_CREDITS
        if cr.flags & ACCOUNT_CREDITS_MUST_NOT_EXCEED_DEBITS and (
            cr.cp + cr.cpend + amount > cr.dp
        ):
            return R.EXCEEDS_DEBITS
        if dr.dp + dr.dpend + amount > MAX_AMOUNT or cr.cp + cr.cpend + amount > MAX_AMOUNT:
            return R.OVERFLOWS
        pending = kinds == PENDING
        self._touch(dr)
        self._touch(cr)
        posted_amount, pending_amount = (0, amount) if pending else (amount, 0)
        self._entry(dr, t.id, debit=True, posted=posted_amount, pending=pending_amount)
        self._entry(cr, t.id, debit=False, posted=posted_amount, pending=pending_amount)
        expires_at = None
        if pending:
            if t.timeout_seconds is not None:
                expires_at = self.now + timedelta(seconds=t.timeout_seconds)
            self.pendings[t.id] = Pending(
                t.id, dr.id, cr.id, amount, t.currency, t.code or 0, expires_at
            )
            self._chain_keys.append(("pending", t.id))
        return self._row(t, fp, result=R.OK, expires_at=expires_at)

    def _resolve(self, t: TransferCreate, fp: str, *, post: bool) -> dict[str, Any] | ResultCode:
        if t.pending_id is None:
            return R.PENDING_ID_REQUIRED
        if t.timeout_seconds is not None:
            return R.TIMEOUT_RESERVED_FOR_PENDING
        p = self.pendings.get(t.pending_id)
        if p is None:
            return R.PENDING_NOT_FOUND
        if t.debit_account_id not in (None, p.debit) or t.credit_account_id not in (
            None,
            p.credit,
        ):
            return R.PENDING_HAS_DIFFERENT_ACCOUNTS
        if t.currency not in (None, p.currency):
            return R.CURRENCY_MISMATCH
        resolved = self.resolutions.get(p.id)
        if resolved is not None:
            return resolved
        if post:
            amount = t.amount or p.amount
            if amount > p.amount:
                return R.EXCEEDS_PENDING_AMOUNT
        else:
            if t.amount not in (None, 0, p.amount):
                return R.PENDING_HAS_DIFFERENT_AMOUNT
            amount = p.amount
        dr = self.accounts[p.debit]
        cr = self.accounts[p.credit]
        # A closed account still lets a hold on it be released, never money move.
        if post and (dr.closed or cr.closed):
            return R.ACCOUNT_CLOSED
        self._release(p, t.id, posted=amount if post else 0)
        self.resolutions[p.id] = R.PENDING_ALREADY_POSTED if post else R.PENDING_ALREADY_VOIDED
        self._chain_keys.append(("resolution", p.id))
        return self._row(
            t,
            fp,
            result=R.OK,
            debit=p.debit,
            credit=p.credit,
            amount=amount,
            currency=p.currency,
            code=t.code or p.code,
            resolves=p.id,
        )

    def _release(self, p: Pending, transfer_id: uuid.UUID, *, posted: int) -> None:
        dr = self._touch(self.accounts[p.debit])
        cr = self._touch(self.accounts[p.credit])
        self._entry(dr, transfer_id, debit=True, posted=posted, pending=-p.amount)
        self._entry(cr, transfer_id, debit=False, posted=posted, pending=-p.amount)

    def expire(self, p: Pending) -> None:
        """Release a pending transfer whose timeout has passed, outside any chain."""
        tid = expiry_id(p.id)
        self._release(p, tid, posted=0)
        self.resolutions[p.id] = R.PENDING_EXPIRED
        self.transfers.append(
            {
                "id": tid,
                "debit_account_id": p.debit,
                "credit_account_id": p.credit,
                "amount": p.amount,
                "currency": p.currency,
                "code": p.code,
                "reference": None,
                "flags": VOID | EXPIRY,
                "pending_id": p.id,
                "resolved_pending_id": p.id,
                "timeout_seconds": None,
                "expires_at": None,
                "result": R.OK.value,
                "fingerprint": "expiry",
                "created_by": self.created_by,
                "created_at": self.now,
            }
        )

    def _row(
        self,
        t: TransferCreate,
        fp: str,
        *,
        result: ResultCode,
        expires_at: datetime | None = None,
        debit: uuid.UUID | None = None,
        credit: uuid.UUID | None = None,
        amount: int | None = None,
        currency: str | None = None,
        code: int | None = None,
        resolves: uuid.UUID | None = None,
    ) -> dict[str, Any]:
        return {
            "id": t.id,
            "debit_account_id": debit or t.debit_account_id,
            "credit_account_id": credit or t.credit_account_id,
            "amount": amount if amount is not None else (t.amount or 0),
            "currency": currency or t.currency,
            "code": code or t.code,
            "reference": t.reference,
            "flags": transfer_flag_bits(t),
            "pending_id": t.pending_id,
            "resolved_pending_id": resolves,
            "timeout_seconds": t.timeout_seconds,
            "expires_at": expires_at,
            "result": result.value,
            "fingerprint": fp,
            "created_by": self.created_by,
            "created_at": self.now,
        }

    # -- writing --------------------------------------------------------------------------

    def write(self) -> None:
        """One UPDATE per touched account, then the transfers and entries, each as one batch."""
        accounts = [self.accounts[i] for i in sorted(self.dirty)]
        try:
            if self.conn.dialect.name == "postgresql":
                self._write_postgresql(accounts)
            else:
                self._write_sqlite(accounts)
        except IntegrityError as exc:
            # Another batch recorded one of these ids (or resolved one of these pendings)
            # between our reads and our write: nothing was kept; a retry gets its answer.
            raise busy(exc) from exc
        except OperationalError as exc:
            if is_lock_failure(exc):
                raise busy(exc) from exc
            raise

    def _write_sqlite(self, accounts: list[Acct]) -> None:
        if accounts:
            self.conn.execute(
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
        if self.transfers:
            self.conn.execute(_INSERT_TRANSFERS, self.transfers)
        if self.entries:
            self.conn.execute(_INSERT_ENTRIES, self.entries)

    def _write_postgresql(self, accounts: list[Acct]) -> None:
        """The whole batch in one statement with three parameters, each a JSON array of rows:
        one text to send whatever the batch's size, where an array a column would cost the
        driver one adaptation per column (most of a one-transfer request's time)."""
        self.conn.execute(
            _PG_WRITE,
            {
                "accounts": _json([[a.id, a.dp, a.cp, a.dpend, a.cpend, a.seq] for a in accounts]),
                "transfers": _json(self.transfers),
                "entries": _json(self.entries),
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
        conn,
        now=now,
        created_by=created_by,
        accounts=accounts,
        pendings=pendings,
        resolutions=resolutions,
        existing=existing,
    )


def now_is_past(moment: datetime | None, now: datetime) -> bool:
    return moment is not None and as_utc(moment) <= now
