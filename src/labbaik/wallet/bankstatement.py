"""Reading the bank's account statement (ISO 20022 camt.053, BkToCstmrStmt) into plain values.

Only what matching payouts needs is read: the account and its currency, the period, the opening
and closing booked balances, and each booked entry's amount, direction, booking date, the bank's
reference, the end-to-end id Labbaik gave the bank (the payout's id) and a return's reason.
Anything unreadable is refused with where it is (`Stmt 1, Ntry 3: Amt ...`), never guessed at.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from labbaik.kit.money import MINOR_UNITS, parse_major
from labbaik.wallet.errors import StatementUnreadable

Direction = Literal["DBIT", "CRDT"]
# Any version of the message: its elements used here are the same from .001.02 to .001.13.
_NAMESPACE = re.compile(r"^urn:iso:std:iso:20022:tech:xsd:camt\.053\.001\.\d{2}$")
MAX_BYTES = 20 * 1024 * 1024
MAX35 = 35  # ISO 20022 Max35Text: ids and references


@dataclass(frozen=True)
class StatementEntry:
    """One booked entry (Ntry) of the statement; `amount` is positive, `direction` says which
    way it went. `number` is the entry's place in the statement, from 1, pending ones counted."""

    number: int
    amount: int
    direction: Direction
    booked_on: date | None
    reversal: bool
    bank_reference: str | None
    end_to_end_id: str | None
    return_code: str | None


@dataclass(frozen=True)
class BankStatementData:
    """One statement (Stmt) of one account: balances signed (a debit balance is negative)."""

    statement_id: str
    created_at: datetime | None
    from_at: datetime | None
    to_at: datetime | None
    iban: str
    currency: str
    opening_balance: int
    closing_balance: int
    entries: tuple[StatementEntry, ...]
    pending_skipped: int

    @property
    def credits(self) -> int:
        return sum(e.amount for e in self.entries if e.direction == "CRDT")

    @property
    def debits(self) -> int:
        return sum(e.amount for e in self.entries if e.direction == "DBIT")


class _Reader:
    """Finds children in the document's namespace and says where a problem is."""

    def __init__(self, namespace: str) -> None:
        self.ns = namespace

    def tag(self, name: str) -> str:
        return f"{{{self.ns}}}{name}"

    def find(self, node: Element, path: str) -> Element | None:
        return node.find("/".join(self.tag(p) for p in path.split("/")))

    def text(self, node: Element, path: str) -> str | None:
        found = self.find(node, path)
        if found is None or found.text is None or not found.text.strip():
            return None
        return found.text.strip()

    def need(self, node: Element, path: str, where: str) -> str:
        value = self.text(node, path)
        if value is None:
            raise StatementUnreadable(f"{where}: {path} is missing")
        return value


def _short(value: str | None, where: str, max_length: int = MAX35) -> str | None:
    if value is not None and len(value) > max_length:
        raise StatementUnreadable(f"{where}: {value[:40]!r}... is longer than {max_length}")
    return value


def _day(value: str | None, where: str) -> date | None:
    if value is None:
        return None
    try:
        # A DtTm where a Dt is expected: its calendar day, as written.
        return date.fromisoformat(value[:10])
    except ValueError:
        raise StatementUnreadable(f"{where}: {value!r} is not a date") from None


def _moment(value: str | None, where: str) -> datetime | None:
    if value is None:
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        raise StatementUnreadable(f"{where}: {value!r} is not a date and time") from None


def _amount(r: _Reader, node: Element, where: str, currency: str) -> int:
    amt = r.find(node, "Amt")
    if amt is None or amt.text is None or not amt.text.strip():
        raise StatementUnreadable(f"{where}: Amt is missing")
    written = amt.get("Ccy")
    if written != currency:
        raise StatementUnreadable(
            f"{where}: Amt is in {written or 'no currency'}, the account is in {currency}"
        )
    try:
        return parse_major(amt.text, currency)
    except ValueError as exc:
        raise StatementUnreadable(f"{where}: Amt: {exc}") from None


def _direction(r: _Reader, node: Element, where: str) -> Direction:
    value = r.need(node, "CdtDbtInd", where)
    if value not in ("DBIT", "CRDT"):
        raise StatementUnreadable(f"{where}: CdtDbtInd is {value!r}, not DBIT or CRDT")
    return "DBIT" if value == "DBIT" else "CRDT"


def _balance(r: _Reader, stmt: Element, kind: str, where: str, currency: str) -> int:
    for number, bal in enumerate(stmt.findall(r.tag("Bal")), start=1):
        code = r.text(bal, "Tp/CdOrPrtry/Cd") or r.text(bal, "Tp/CdOrPrtry/Prtry")
        if code == kind:
            at = f"{where}, Bal {number} ({kind})"
            amount = _amount(r, bal, at, currency)
            return -amount if _direction(r, bal, at) == "DBIT" else amount
    raise StatementUnreadable(f"{where}: no Bal of type {kind}")


def _status(r: _Reader, entry: Element, where: str) -> str:
    # .001.02 writes <Sts>BOOK</Sts>; from .001.08 on it is <Sts><Cd>BOOK</Cd></Sts>.
    value = r.text(entry, "Sts/Cd") or r.text(entry, "Sts/Prtry") or r.text(entry, "Sts")
    if value is None:
        raise StatementUnreadable(f"{where}: Sts is missing")
    return value


def _entry(r: _Reader, node: Element, number: int, where: str, currency: str) -> StatementEntry:
    tx = r.find(node, "NtryDtls/TxDtls")
    end_to_end = r.text(tx, "Refs/EndToEndId") if tx is not None else None
    if end_to_end == "NOTPROVIDED":
        end_to_end = None
    returned = None
    if tx is not None:
        returned = r.text(tx, "RtrInf/Rsn/Cd") or r.text(tx, "RtrInf/Rsn/Prtry")
    reversal = (r.text(node, "RvslInd") or "false").lower()
    if reversal not in ("true", "false"):
        raise StatementUnreadable(f"{where}: RvslInd is {reversal!r}, not true or false")
    return StatementEntry(
        number=number,
        amount=_amount(r, node, where, currency),
        direction=_direction(r, node, where),
        booked_on=_day(r.text(node, "BookgDt/Dt") or r.text(node, "BookgDt/DtTm"), where),
        reversal=reversal == "true",
        bank_reference=_short(r.text(node, "AcctSvcrRef"), f"{where}: AcctSvcrRef"),
        end_to_end_id=_short(end_to_end, f"{where}: EndToEndId"),
        return_code=_short(returned, f"{where}: RtrInf/Rsn"),
    )


def _statement(r: _Reader, stmt: Element, where: str) -> BankStatementData:
    statement_id = _short(r.need(stmt, "Id", where), f"{where}: Id")
    assert statement_id is not None
    iban = r.need(stmt, "Acct/Id/IBAN", where).replace(" ", "").upper()
    if len(iban) > 34:
        raise StatementUnreadable(f"{where}: Acct/Id/IBAN {iban[:40]!r} is not an IBAN")
    currency = r.text(stmt, "Acct/Ccy")
    if currency is None:
        # The account's currency may be left out; the balances then say it.
        first = r.find(stmt, "Bal/Amt")
        currency = first.get("Ccy") if first is not None else None
    if currency is None:
        raise StatementUnreadable(f"{where}: Acct/Ccy is missing")
    if currency not in MINOR_UNITS:
        raise StatementUnreadable(f"{where}: Acct/Ccy {currency!r} is not a known currency")
    entries: list[StatementEntry] = []
    pending = 0
    for number, node in enumerate(stmt.findall(r.tag("Ntry")), start=1):
        at = f"{where}, Ntry {number}"
        status = _status(r, node, at)
        if status == "PDNG":
            pending += 1
            continue
        if status != "BOOK":
            raise StatementUnreadable(f"{at}: Sts is {status!r}, not BOOK or PDNG")
        entries.append(_entry(r, node, number, at, currency))
    return BankStatementData(
        statement_id=statement_id,
        created_at=_moment(r.text(stmt, "CreDtTm"), f"{where}: CreDtTm"),
        from_at=_moment(r.text(stmt, "FrToDt/FrDtTm"), f"{where}: FrToDt/FrDtTm"),
        to_at=_moment(r.text(stmt, "FrToDt/ToDtTm"), f"{where}: FrToDt/ToDtTm"),
        iban=iban,
        currency=currency,
        opening_balance=_balance(r, stmt, "OPBD", where, currency),
        closing_balance=_balance(r, stmt, "CLBD", where, currency),
        entries=tuple(entries),
        pending_skipped=pending,
    )


def parse_statements(document: bytes) -> list[BankStatementData]:
    """Every statement of a camt.053 document; StatementUnreadable saying where if any part
    is not what the message defines. Entity expansion and DTDs are refused (defusedxml)."""
    if len(document) > MAX_BYTES:
        raise StatementUnreadable(f"the file is larger than {MAX_BYTES // (1024 * 1024)} MB")
    try:
        root = fromstring(document, forbid_dtd=True)
    except ParseError as exc:
        raise StatementUnreadable(f"the file is not XML ({exc})") from None
    except DefusedXmlException as exc:
        raise StatementUnreadable(f"the file uses XML features refused here ({exc})") from None
    namespace, _, name = root.tag[1:].partition("}") if root.tag.startswith("{") else ("", "", "")
    if name != "Document" or not _NAMESPACE.match(namespace):
        raise StatementUnreadable(
            f"the file is not a camt.053 statement (its root is {root.tag!r}, expected a Document "
            "in urn:iso:std:iso:20022:tech:xsd:camt.053.001.xx)"
        )
    r = _Reader(namespace)
    message = r.find(root, "BkToCstmrStmt")
    if message is None:
        raise StatementUnreadable("Document: BkToCstmrStmt is missing")
    found = message.findall(r.tag("Stmt"))
    if not found:
        raise StatementUnreadable("BkToCstmrStmt: no Stmt in it")
    return [_statement(r, stmt, f"Stmt {n}") for n, stmt in enumerate(found, start=1)]
