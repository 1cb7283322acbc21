"""Banks that pay merchants out: the interface, and the built-in sandbox bank."""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Literal, Protocol, cast
from xml.etree import ElementTree as ET

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from labbaik.kit.money import MINOR_UNITS
from labbaik.kit.timeutil import RIYADH, as_utc, to_riyadh
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
# The ISO 20022 external return reasons a statement shows for them.
_ISO_RETURNS = {"account_closed": "AC04", "no_such_account": "AC01"}
CAMT053 = "urn:iso:std:iso:20022:tech:xsd:camt.053.001.08"
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
            status=cast(TransferStatus, row.status),
            return_code=row.return_code,
            decided_at=row.decided_at,
        )

    def statement(
        self,
        session: Session,
        *,
        iban: str,
        day: date,
        opening_balance: int,
        currency: str = "SAR",
    ) -> bytes:
        """The end-of-day statement (camt.053.001.08) of the account the payouts leave from,
        for one Riyadh business day: what a finance operator downloads from the bank.

        As a real bank books it: a transfer is debited on the day the bank executes it (the
        sandbox executes on acceptance), whether or not the beneficiary's bank has settled it
        yet, so a statement may be ahead of `get_transfer`; a returned transfer stays debited
        and its money comes back as a credit of its own, with the return's reason (RtrInf), on
        the day it is returned. An instruction refused outright was never booked, so it is on
        no statement. `opening_balance` is signed minor units (overdrawn is negative)."""
        # In UTC, as every time is stored (SQLite keeps the wall clock it is given).
        start = as_utc(datetime.combine(day, time(), RIYADH))
        end = as_utc(datetime.combine(day + timedelta(days=1), time(), RIYADH))
        rows = session.scalars(
            select(SandboxBankTransfer)
            .where(
                SandboxBankTransfer.currency == currency,
                or_(
                    and_(
                        SandboxBankTransfer.accepted_at >= start,
                        SandboxBankTransfer.accepted_at < end,
                    ),
                    and_(
                        SandboxBankTransfer.decides_at >= start,
                        SandboxBankTransfer.decides_at < end,
                    ),
                ),
            )
            .order_by(SandboxBankTransfer.accepted_at, SandboxBankTransfer.id)
        ).all()
        # (booked at, amount, debit?, transfer, return reason)
        entries: list[tuple[datetime, int, bool, SandboxBankTransfer, str | None]] = []
        for row in rows:
            accepted = as_utc(row.accepted_at)
            if start <= accepted < end:
                entries.append((accepted, row.amount, True, row, None))
            returned = row.return_code if row.status == "returned" else None
            if row.status == "accepted":
                returned = _RETURNS.get(row.iban)
            decides = as_utc(row.decides_at)
            if returned and start <= decides < end:
                entries.append((decides, row.amount, False, row, returned))
        entries.sort(key=lambda e: e[0])
        credits = sum(e[1] for e in entries if not e[2])
        debits = sum(e[1] for e in entries if e[2])
        return _camt053(
            statement_id=f"SBX-{day:%Y%m%d}-{iban[-4:]}",
            iban=iban,
            currency=currency,
            day=day,
            start=start,
            end=end,
            opening=opening_balance,
            closing=opening_balance + credits - debits,
            entries=entries,
        )


def _end_to_end_id(reference: str) -> str:
    """The reference as an EndToEndId, which is at most 35 characters: a payout's id in its
    36-character text form does not fit, so it goes as its 32 hex digits (the form a real
    bank's instruction, pain.001, must carry too; matching reads both)."""
    if len(reference) <= 35:
        return reference
    try:
        return uuid.UUID(reference).hex
    except ValueError:
        return reference[:35]


def _major(amount: int, currency: str) -> str:
    places = MINOR_UNITS[currency]
    whole, frac = divmod(abs(amount), 10**places)
    return f"{whole}.{frac:0{places}d}"


def _camt053(
    *,
    statement_id: str,
    iban: str,
    currency: str,
    day: date,
    start: datetime,
    end: datetime,
    opening: int,
    closing: int,
    entries: list[tuple[datetime, int, bool, SandboxBankTransfer, str | None]],
) -> bytes:
    def el(parent: ET.Element, name: str, text: str | None = None, **attrs: str) -> ET.Element:
        child = ET.SubElement(parent, name, attrs)
        child.text = text
        return child

    def path(parent: ET.Element, names: str, text: str) -> ET.Element:
        *outer, last = names.split("/")
        for name in outer:
            parent = el(parent, name)
        return el(parent, last, text)

    def seconds(moment: datetime) -> str:
        return to_riyadh(moment).isoformat(timespec="seconds")

    closed = end - timedelta(seconds=1)
    # The namespace as the document's default, written as an attribute: ElementTree's own
    # default_namespace refuses the unqualified Ccy attributes.
    root = ET.Element("Document", xmlns=CAMT053)
    message = el(root, "BkToCstmrStmt")
    header = el(message, "GrpHdr")
    el(header, "MsgId", f"SBX{day:%Y%m%d}{iban[-4:]}")
    el(header, "CreDtTm", seconds(end))
    stmt = el(message, "Stmt")
    el(stmt, "Id", statement_id)
    el(stmt, "CreDtTm", seconds(end))
    period = el(stmt, "FrToDt")
    el(period, "FrDtTm", seconds(start))
    el(period, "ToDtTm", seconds(closed))
    account = el(stmt, "Acct")
    path(account, "Id/IBAN", iban)
    el(account, "Ccy", currency)
    for code, amount in (("OPBD", opening), ("CLBD", closing)):
        balance = el(stmt, "Bal")
        path(balance, "Tp/CdOrPrtry/Cd", code)
        el(balance, "Amt", _major(amount, currency), Ccy=currency)
        el(balance, "CdtDbtInd", "DBIT" if amount < 0 else "CRDT")
        path(balance, "Dt/Dt", day.isoformat())
    for booked, amount, debit, row, returned in entries:
        entry = el(stmt, "Ntry")
        el(entry, "Amt", _major(amount, currency), Ccy=currency)
        el(entry, "CdtDbtInd", "DBIT" if debit else "CRDT")
        path(entry, "Sts/Cd", "BOOK")
        path(entry, "BookgDt/Dt", to_riyadh(booked).date().isoformat())
        path(entry, "ValDt/Dt", to_riyadh(booked).date().isoformat())
        el(entry, "AcctSvcrRef", row.id if debit else f"{row.id}-RTN")
        # Bank transaction code: an issued credit transfer, or the return of one.
        domain = el(el(entry, "BkTxCd"), "Domn")
        el(domain, "Cd", "PMNT")
        family = el(domain, "Fmly")
        el(family, "Cd", "ICDT")
        el(family, "SubFmlyCd", "ESCT" if debit else "RRTN")
        details = el(el(entry, "NtryDtls"), "TxDtls")
        path(details, "Refs/EndToEndId", _end_to_end_id(row.reference))
        parties = el(details, "RltdPties")
        path(parties, "Cdtr/Pty/Nm", row.holder)
        path(parties, "CdtrAcct/Id/IBAN", row.iban)
        if returned:
            path(details, "RtrInf/Rsn/Cd", _ISO_RETURNS.get(returned, "NARR"))
    written: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return written
