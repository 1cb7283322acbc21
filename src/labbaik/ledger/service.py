"""The ledger's operations: open accounts, move money, read balances and statements.

Semantics follow TigerBeetle's: an account has a currency, a code for its kind and balance
limits (`debits_must_not_exceed_credits`, `credits_must_not_exceed_debits`); a transfer is
immutable, single-phase or pending (later posted in full or in part, voided, or expired after
its timeout); items flagged `linked` succeed or fail with the next one; each item is
idempotent by its client-generated id. Unlike TigerBeetle every outcome is recorded, refusals
included: the same id with the same fields answers "exists" when it went through and its first
refusal code when it did not; with other fields it answers "exists_with_different_fields".

Authority. Every operation checks a scope: `ledger:write` to open accounts and move money,
`ledger:read` for balances, transfers and statements. Operators and admins hold both; nobody
else does. Another domain (the wallet, the e-track's escrow) authorises its own user first
with its own scopes, then calls the ledger as the platform:

    ledger_service.create_transfers(session, transfers=[...], actor=system_actor("wallet"))

so that the ledger's scopes stay a power of the operations centre, and the calling domain's
name is recorded on every transfer it makes (`created_by`).

Concurrency. A batch locks all its accounts at once in id order (PostgreSQL `SELECT ... FOR
UPDATE`; SQLite takes its single write lock first), decides every item in memory (`decide`),
and writes each account once (`store`). A lock wait longer than `store.LOCK_TIMEOUT_MS` is
`Busy` (409 with Retry-After). The services flush nothing half: the edge commits or rolls back.
On PostgreSQL a request of one plain transfer (a payment, a hold) first tries one statement
that locks, checks and writes it (`store.try_single`): one round trip instead of two. Only a
clean success is taken there; anything else goes down the batch path and is decided as above.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from labbaik.auth import service as auth_service
from labbaik.auth.roles import Actor, Scope
from labbaik.kit.money import MINOR_UNITS
from labbaik.kit.pagination import PageRequest
from labbaik.kit.timeutil import as_utc, utcnow
from labbaik.ledger import store
from labbaik.ledger.decide import (
    ACCOUNT_CLOSED,
    ACCOUNT_CREDITS_MUST_NOT_EXCEED_DEBITS,
    ACCOUNT_DEBITS_MUST_NOT_EXCEED_CREDITS,
    EXPIRY,
    TRANSFER_FLAG_BITS,
    now_is_past,
    plain,
)
from labbaik.ledger.errors import BatchTooLarge, LedgerAccountNotFound, TransferNotFound
from labbaik.ledger.models import (
    ACCOUNTS,
    ENTRIES,
    TRANSFERS,
    LedgerAccount,
    LedgerTransfer,
)
from labbaik.ledger.schemas import (
    MAX_BATCH,
    AccountBalance,
    AccountCreate,
    AccountFlag,
    AccountPage,
    AccountRead,
    CreateResult,
    EntryPage,
    EntryRead,
    ResultCode,
    TransferCreate,
    TransferFlag,
    TransferRead,
)

R = ResultCode
# Holds released by one run of the expiry job (one transaction); the job repeats until done.
EXPIRE_BATCH = 5_000
ACCOUNT_FLAG_BITS = {
    AccountFlag.DEBITS_MUST_NOT_EXCEED_CREDITS: ACCOUNT_DEBITS_MUST_NOT_EXCEED_CREDITS,
    AccountFlag.CREDITS_MUST_NOT_EXCEED_DEBITS: ACCOUNT_CREDITS_MUST_NOT_EXCEED_DEBITS,
    AccountFlag.CLOSED: ACCOUNT_CLOSED,
}


def _account_flags(bits: int) -> list[AccountFlag]:
    return [flag for flag, bit in ACCOUNT_FLAG_BITS.items() if bits & bit]


def _transfer_flags(bits: int) -> list[TransferFlag]:
    return [flag for flag, bit in TRANSFER_FLAG_BITS.items() if bits & bit]


def _check_batch(items: list[object], what: str) -> None:
    if len(items) > MAX_BATCH:
        raise BatchTooLarge(f"a batch holds at most {MAX_BATCH} {what}, not {len(items)}")


# -- accounts ---------------------------------------------------------------------------------


def create_accounts(
    session: Session, *, accounts: list[AccountCreate], actor: Actor
) -> list[CreateResult]:
    """Open accounts; one result per item, in order. An account is never deleted."""
    auth_service.require(actor, Scope.LEDGER_WRITE)
    _check_batch(list(accounts), "accounts")
    if not accounts:
        return []
    store.begin_write(session)
    conn = session.connection()
    existing: dict[uuid.UUID, tuple[str, int, int, str | None, uuid.UUID | None, str | None]] = {}
    a = ACCOUNTS.c
    ids = [acc.id for acc in accounts]
    for start in range(0, len(ids), store.CHUNK):
        rows = conn.execute(
            select(a.id, a.currency, a.code, a.flags, a.owner_type, a.owner_id, a.reference).where(
                a.id.in_(ids[start : start + store.CHUNK])
            )
        )
        for row in rows:
            existing[row[0]] = tuple(row[1:])
    results: list[CreateResult] = []
    new: list[dict[str, object]] = []
    now = utcnow()
    for acc in accounts:
        bits = sum(ACCOUNT_FLAG_BITS[f] for f in set(acc.flags))
        fields = (acc.currency, acc.code, bits, acc.owner_type, acc.owner_id, acc.reference)
        if acc.id in existing:
            same = existing[acc.id] == fields
            results.append(
                CreateResult(id=acc.id, result=R.EXISTS if same else R.EXISTS_WITH_DIFFERENT_FIELDS)
            )
            continue
        both = ACCOUNT_DEBITS_MUST_NOT_EXCEED_CREDITS | ACCOUNT_CREDITS_MUST_NOT_EXCEED_DEBITS
        if bits & both == both:
            code = R.FLAGS_ARE_MUTUALLY_EXCLUSIVE
        elif acc.currency not in MINOR_UNITS:
            code = R.CURRENCY_UNKNOWN
        else:
            code = R.OK
            existing[acc.id] = fields
            new.append(
                {
                    "id": acc.id,
                    "currency": acc.currency,
                    "code": acc.code,
                    "flags": bits,
                    "owner_type": acc.owner_type,
                    "owner_id": acc.owner_id,
                    "reference": acc.reference,
                    "debits_posted": 0,
                    "credits_posted": 0,
                    "debits_pending": 0,
                    "credits_pending": 0,
                    "entry_count": 0,
                    "created_at": now,
                }
            )
        results.append(CreateResult(id=acc.id, result=code))
    if new:
        try:
            conn.execute(ACCOUNTS.insert(), new)
        except IntegrityError as exc:
            raise store.busy(exc) from exc
        auth_service.record(
            session,
            actor=actor,
            action="ledger.accounts.create",
            object_type="ledger_account",
            object_id=new[0]["id"] if len(new) == 1 else None,  # type: ignore[arg-type]
            detail={"created": len(new)},
        )
    return results


def close_account(session: Session, *, account_id: uuid.UUID, actor: Actor) -> AccountRead:
    """Close an account: it refuses every new transfer; holds on it can still be voided."""
    auth_service.require(actor, Scope.LEDGER_WRITE)
    store.begin_write(session)
    t = ACCOUNTS
    done = session.connection().execute(
        update(t).where(t.c.id == account_id).values(flags=t.c.flags.op("|")(ACCOUNT_CLOSED))
    )
    if not done.rowcount:
        raise LedgerAccountNotFound(f"no ledger account {account_id}")
    auth_service.record(
        session,
        actor=actor,
        action="ledger.account.close",
        object_type="ledger_account",
        object_id=account_id,
    )
    return get_account(session, account_id=account_id, actor=actor)


def _account_read(row: LedgerAccount) -> AccountRead:
    return AccountRead(
        id=row.id,
        currency=row.currency,
        code=row.code,
        flags=_account_flags(row.flags),
        owner_type=row.owner_type,
        owner_id=row.owner_id,
        reference=row.reference,
        debits_posted=row.debits_posted,
        credits_posted=row.credits_posted,
        debits_pending=row.debits_pending,
        credits_pending=row.credits_pending,
        created_at=row.created_at,
    )


def get_account(session: Session, *, account_id: uuid.UUID, actor: Actor) -> AccountRead:
    auth_service.require(actor, Scope.LEDGER_READ)
    row = session.scalar(
        select(LedgerAccount)
        .where(LedgerAccount.id == account_id)
        .execution_options(populate_existing=True)
    )
    if row is None:
        raise LedgerAccountNotFound(f"no ledger account {account_id}")
    return _account_read(row)


def list_accounts(
    session: Session,
    *,
    actor: Actor,
    page: PageRequest,
    owner_type: str | None = None,
    owner_id: uuid.UUID | None = None,
) -> AccountPage:
    auth_service.require(actor, Scope.LEDGER_READ)
    stmt = select(LedgerAccount)
    if owner_type is not None:
        stmt = stmt.where(LedgerAccount.owner_type == owner_type)
    if owner_id is not None:
        stmt = stmt.where(LedgerAccount.owner_id == owner_id)
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = session.scalars(
        stmt.order_by(LedgerAccount.id)
        .offset(page.offset)
        .limit(page.size)
        .execution_options(populate_existing=True)
    )
    return AccountPage(
        items=[_account_read(r) for r in rows], total=total, page=page.page, size=page.size
    )


def get_balances(
    session: Session, *, account_ids: list[uuid.UUID], actor: Actor
) -> list[AccountBalance]:
    """The totals of the accounts asked for, in the order asked; unknown ids are left out."""
    auth_service.require(actor, Scope.LEDGER_READ)
    a = ACCOUNTS.c
    found: dict[uuid.UUID, AccountBalance] = {}
    unique_ids = list(dict.fromkeys(account_ids))
    for start in range(0, len(unique_ids), store.CHUNK):
        rows = session.connection().execute(
            select(
                a.id, a.debits_posted, a.credits_posted, a.debits_pending, a.credits_pending
            ).where(a.id.in_(unique_ids[start : start + store.CHUNK]))
        )
        for row in rows:
            found[row[0]] = AccountBalance(
                id=row[0],
                debits_posted=row[1],
                credits_posted=row[2],
                debits_pending=row[3],
                credits_pending=row[4],
            )
    return [found[i] for i in unique_ids if i in found]


# -- transfers --------------------------------------------------------------------------------


def create_transfers(
    session: Session,
    *,
    transfers: list[TransferCreate],
    actor: Actor,
    now: datetime | None = None,
) -> list[CreateResult]:
    """Move money; one result per item, in order. `now` is for tests and replays only."""
    auth_service.require(actor, Scope.LEDGER_WRITE)
    _check_batch(list(transfers), "transfers")
    if not transfers:
        return []
    now = as_utc(now) if now is not None else utcnow()
    created_by = (actor.origin if actor.account_id is None else actor.username)[:64]
    if len(transfers) == 1 and plain(transfers[0]):
        conn = session.connection()
        if conn.dialect.name == "postgresql" and store.try_single(
            conn, transfers[0], now=now, created_by=created_by
        ):
            return [CreateResult(id=transfers[0].id, result=R.OK)]
    batch = store.open_batch(
        session,
        now=now,
        created_by=created_by,
        transfers=transfers,
        pending_ids={t.pending_id for t in transfers if t.pending_id is not None},
    )
    # Holds whose timeout passed are released before anything tries to post or void them.
    for p in list(batch.pendings.values()):
        if p.id not in batch.resolutions and now_is_past(p.expires_at, now):
            batch.expire(p)
    codes = batch.run(list(transfers))
    store.write(session.connection(), batch)
    return [CreateResult(id=t.id, result=c) for t, c in zip(transfers, codes, strict=True)]


def expire_pending(
    session: Session, *, now: datetime | None = None, limit: int = EXPIRE_BATCH
) -> int:
    """Release pending transfers whose timeout has passed (a job); the number released."""
    now = as_utc(now) if now is not None else utcnow()
    resolved = TRANSFERS.alias("resolved")
    t = TRANSFERS.c
    due = list(
        session.scalars(
            select(t.id)
            .where(
                t.expires_at <= now,
                t.result == R.OK.value,
                ~select(resolved.c.id).where(resolved.c.resolved_pending_id == t.id).exists(),
            )
            .order_by(t.expires_at)
            .limit(limit)
        )
    )
    if not due:
        return 0
    batch = store.open_batch(
        session, now=now, created_by="expiry", transfers=[], pending_ids=set(due)
    )
    released = 0
    for p in list(batch.pendings.values()):
        if p.id not in batch.resolutions:
            batch.expire(p)
            released += 1
    store.write(session.connection(), batch)
    return released


def _transfer_read(row: LedgerTransfer) -> TransferRead:
    return TransferRead(
        id=row.id,
        debit_account_id=row.debit_account_id,
        credit_account_id=row.credit_account_id,
        amount=row.amount,
        currency=row.currency,
        code=row.code,
        reference=row.reference,
        flags=_transfer_flags(row.flags),
        pending_id=row.pending_id,
        timeout_seconds=row.timeout_seconds,
        expires_at=as_utc(row.expires_at) if row.expires_at is not None else None,
        expired=bool(row.flags & EXPIRY),
        result=ResultCode(row.result),
        created_at=as_utc(row.created_at),
    )


def get_transfer(session: Session, *, transfer_id: uuid.UUID, actor: Actor) -> TransferRead:
    auth_service.require(actor, Scope.LEDGER_READ)
    row = session.get(LedgerTransfer, transfer_id)
    if row is None:
        raise TransferNotFound(f"no transfer {transfer_id}")
    return _transfer_read(row)


def get_transfers(
    session: Session, *, transfer_ids: list[uuid.UUID], actor: Actor
) -> list[TransferRead]:
    """The transfers asked for, in the order asked; unknown ids are left out."""
    auth_service.require(actor, Scope.LEDGER_READ)
    unique_ids = list(dict.fromkeys(transfer_ids))
    found: dict[uuid.UUID, TransferRead] = {}
    for start in range(0, len(unique_ids), store.CHUNK):
        for row in session.scalars(
            select(LedgerTransfer).where(
                LedgerTransfer.id.in_(unique_ids[start : start + store.CHUNK])
            )
        ):
            found[row.id] = _transfer_read(row)
    return [found[i] for i in unique_ids if i in found]


# -- statements -------------------------------------------------------------------------------


def list_entries(
    session: Session, *, account_id: uuid.UUID, actor: Actor, page: PageRequest
) -> EntryPage:
    """An account's statement, oldest line first, each with the totals after it."""
    auth_service.require(actor, Scope.LEDGER_READ)
    account = session.get(LedgerAccount, account_id)
    if account is None:
        raise LedgerAccountNotFound(f"no ledger account {account_id}")
    e = ENTRIES.c
    t = TRANSFERS.c
    total = session.scalar(select(func.count()).where(e.account_id == account_id)) or 0
    rows = session.execute(
        select(
            e.account_id, e.seq, e.transfer_id, e.at, e.is_debit, e.posted, e.pending, t.code,
            t.reference, e.debits_posted, e.credits_posted, e.debits_pending, e.credits_pending,
        )
        .join_from(ENTRIES, TRANSFERS, t.id == e.transfer_id)
        .where(e.account_id == account_id)
        .order_by(e.seq)
        .offset(page.offset)
        .limit(page.size)
    )  # fmt: skip
    items = [
        EntryRead(
            account_id=r.account_id,
            seq=r.seq,
            transfer_id=r.transfer_id,
            at=as_utc(r.at),
            side="debit" if r.is_debit else "credit",
            posted=r.posted,
            pending=r.pending,
            code=r.code,
            reference=r.reference,
            debits_posted=r.debits_posted,
            credits_posted=r.credits_posted,
            debits_pending=r.debits_pending,
            credits_pending=r.credits_pending,
        )
        for r in rows
    ]
    auth_service.record(
        session,
        actor=actor,
        action="ledger.statement.read",
        object_type="ledger_account",
        object_id=account_id,
        detail={"page": page.page},
    )
    return EntryPage(items=items, total=total, page=page.page, size=page.size)


def verify_statement(session: Session, *, account_id: uuid.UUID) -> bool:
    """Rebuild the account from its entries: numbered 1..n without a gap, each line's totals
    the running sums of the lines before it, and the last line's totals the account's."""
    a = ACCOUNTS.c
    account = session.connection().execute(
        select(a.debits_posted, a.credits_posted, a.debits_pending, a.credits_pending,
               a.entry_count).where(a.id == account_id)
    ).one_or_none()  # fmt: skip
    if account is None:
        raise LedgerAccountNotFound(f"no ledger account {account_id}")
    e = ENTRIES.c
    totals = [0, 0, 0, 0]
    expected_seq = 0
    for row in session.connection().execute(
        select(e.seq, e.is_debit, e.posted, e.pending, e.debits_posted, e.credits_posted,
               e.debits_pending, e.credits_pending)
        .where(e.account_id == account_id)
        .order_by(e.seq)
    ):  # fmt: skip
        expected_seq += 1
        if row.seq != expected_seq:
            return False
        side = 0 if row.is_debit else 1
        totals[side] += row.posted
        totals[side + 2] += row.pending
        if totals != [row.debits_posted, row.credits_posted, row.debits_pending,
                      row.credits_pending]:  # fmt: skip
            return False
    return (
        totals == list(account[:4])
        and expected_seq == account.entry_count
        and all(v >= 0 for v in totals)
    )


def trial_balance(session: Session, *, actor: Actor) -> dict[str, tuple[int, int]]:
    """Per currency, the posted debits and credits of every account: equal in a sound ledger."""
    auth_service.require(actor, Scope.LEDGER_READ)
    a = ACCOUNTS.c
    rows = session.connection().execute(
        select(a.currency, func.sum(a.debits_posted), func.sum(a.credits_posted))
        .group_by(a.currency)
        .order_by(a.currency)
    )
    return {r[0]: (int(r[1] or 0), int(r[2] or 0)) for r in rows}
