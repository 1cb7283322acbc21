"""Banks that pay merchants out: the interface, and the built-in sandbox bank."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal, Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from labbaik.kit.timeutil import as_utc
from labbaik.wallet.models import SandboxBankTransfer

TransferStatus = Literal["accepted", "settled", "returned"]


class BankTimeout(Exception):
    """The bank did not answer in time; the instruction may have reached it all the same."""


class BankRejected(Exception):
    """The bank refused the instruction outright: no transfer exists. `code` says why."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class BankTransfer:
    """A credit transfer as the bank reports it: accepted, then settled or returned."""

    id: str
    reference: str
    amount: int
    currency: str
    status: TransferStatus
    return_code: str | None = None
    decided_at: datetime | None = None


class PayoutBank(Protocol):
    """What payouts need of the bank that holds the platform's money. A real one (a SARIE
    participant, a payments provider's payout API) is added beside the sandbox."""

    name: str

    def create_transfer(
        self,
        session: Session,
        *,
        reference: str,
        amount: int,
        currency: str,
        iban: str,
        holder: str,
        now: datetime,
    ) -> BankTransfer:
        """Instruct a transfer to `iban`. The same reference again answers the same transfer
        (the bank's own idempotency key), so a retry after a timeout never pays twice.
        BankRejected when refused outright; BankTimeout when the bank did not answer."""
        ...

    def get_transfer(
        self, session: Session, *, reference: str, now: datetime
    ) -> BankTransfer | None:
        """The transfer made for `reference` as the bank knows it at `now` (the platform's
        clock: a real bank answers what it knows), or None if it received no instruction."""
        ...


# The sandbox ------------------------------------------------------------------------------------

# Test accounts, as payout providers publish them: the IBAN chooses what the bank does. Any other
# valid IBAN is paid. All are valid Saudi IBANs (bank code 80).
IBAN_SETTLES = "SA0380000000608010167519"
IBAN_CLOSED = "SA7780000000000000000404"
IBAN_NO_ACCOUNT = "SA1280000000000000000410"
_RETURNS = {IBAN_CLOSED: "account_closed", IBAN_NO_ACCOUNT: "no_such_account"}
SETTLES_AFTER = timedelta(minutes=2)


class SandboxBank:
    """A bank that behaves like a real one, on this database: an instruction is accepted at
    once, and after `settles_after` the bank has either paid it or returned it (a closed
    account returns the money), which the platform learns by asking (`get_transfer`)."""

    name = "sandbox"

    def __init__(self, *, settles_after: timedelta = SETTLES_AFTER) -> None:
        self.settles_after = settles_after

    def create_transfer(
        self,
        session: Session,
        *,
        reference: str,
        amount: int,
        currency: str,
        iban: str,
        holder: str,
        now: datetime,
    ) -> BankTransfer:
        if currency != "SAR":
            raise BankRejected(
                "currency_not_supported", f"the sandbox bank pays SAR, not {currency}"
            )
        row = session.scalar(
            select(SandboxBankTransfer).where(SandboxBankTransfer.reference == reference)
        )
        if row is None:
            row = SandboxBankTransfer(
                id="tr_" + secrets.token_hex(12),
                reference=reference,
                amount=amount,
                currency=currency,
                iban=iban,
                holder=holder,
                status="accepted",
                accepted_at=now,
                decides_at=now + self.settles_after,
            )
            session.add(row)
            session.flush()
        return self._answer(row, now)

    def get_transfer(
        self, session: Session, *, reference: str, now: datetime
    ) -> BankTransfer | None:
        row = session.scalar(
            select(SandboxBankTransfer).where(SandboxBankTransfer.reference == reference)
        )
        if row is None:
            return None
        return self._answer(row, now)

    def _answer(self, row: SandboxBankTransfer, now: datetime) -> BankTransfer:
        if row.status == "accepted" and as_utc(row.decides_at) <= now:
            returned = _RETURNS.get(row.iban)
            row.status = "returned" if returned else "settled"
            row.return_code = returned
            row.decided_at = now
        return BankTransfer(
            id=row.id,
            reference=row.reference,
            amount=row.amount,
            currency=row.currency,
            status=row.status,  # type: ignore[arg-type]
            return_code=row.return_code,
            decided_at=row.decided_at,
        )
