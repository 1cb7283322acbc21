"""Deciding a batch of transfers in memory, against the locked totals of its accounts.

A batch is decided as TigerBeetle decides one: each item is checked and applied in order,
a linked chain is undone in memory when one of its items fails, and every outcome, refusals
included, becomes a row to write. No SQL here: `store` locks and reads what a batch needs
and writes what it decided.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from labbaik.kit.money import MINOR_UNITS
from labbaik.kit.timeutil import as_utc
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
_EXPIRY_NAMESPACE = uuid.UUID("6c1e61a4-5b8f-4a55-9d07-2f3f0e7c5a11")


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


def plain(t: TransferCreate) -> bool:
    """A transfer whose outcome hangs on its two accounts alone: single-phase or pending, not
    linked, well formed. Such a transfer may take the one-statement path (`store.try_single`);
    every other check of `Batch._apply` is one it passes."""
    bits = transfer_flag_bits(t)
    return (
        bits in (0, PENDING)
        and t.pending_id is None
        and (t.timeout_seconds is None or bits == PENDING)
        and t.debit_account_id is not None
        and t.credit_account_id is not None
        and t.debit_account_id != t.credit_account_id
        and bool(t.amount)
        and t.currency in MINOR_UNITS
    )


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


def resolution_code(flags: int) -> ResultCode:
    if flags & EXPIRY:
        return R.PENDING_EXPIRED
    if flags & POST:
        return R.PENDING_ALREADY_POSTED
    return R.PENDING_ALREADY_VOIDED


class Batch:
    """One batch being decided: the locked accounts, the pendings, and the rows to write."""

    def __init__(
        self,
        *,
        now: datetime,
        created_by: str,
        accounts: dict[uuid.UUID, Acct],
        pendings: dict[uuid.UUID, Pending],
        resolutions: dict[uuid.UUID, ResultCode],
        existing: dict[uuid.UUID, tuple[str, str]],
    ) -> None:
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


def now_is_past(moment: datetime | None, now: datetime) -> bool:
    return moment is not None and as_utc(moment) <= now
