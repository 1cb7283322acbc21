"""A small typed client of Labbaik's wallet and merchant API, for merchants' and banks' systems.

It needs nothing beyond the Python standard library. Every call that moves money sends an
Idempotency-Key (one is made when the caller gives none) and is retried with the same key on
a network failure, a 5xx, or a 409 with Retry-After, so a retry never pays twice.
See docs/wallet-sdk.md.
"""

from __future__ import annotations

import dataclasses
import json
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from dataclasses import dataclass, fields
from datetime import date, datetime
from typing import Any, TypeVar

__all__ = [
    "BankAccount",
    "BankStatementLine",
    "BankStatementReport",
    "InTransit",
    "LabbaikClient",
    "LabbaikError",
    "Merchant",
    "MerchantQR",
    "Payment",
    "Payout",
    "Reconciliation",
    "Refund",
    "Takings",
    "TopUp",
    "Wallet",
]

T = TypeVar("T")


class LabbaikError(Exception):
    """A refusal from the server: its HTTP status, stable code and message."""

    def __init__(self, status: int, code: str, detail: str, retry_after: float | None = None):
        super().__init__(f"{status} {code}: {detail}")
        self.status = status
        self.code = code
        self.detail = detail
        self.retry_after = retry_after


def _moment(value: Any) -> datetime | None:
    return datetime.fromisoformat(value) if isinstance(value, str) else None


def _build(cls: type[T], data: dict[str, Any]) -> T:
    """A dataclass from a JSON object: known fields only, times parsed."""
    values: dict[str, Any] = {}
    for f in fields(cls):  # type: ignore[arg-type]
        raw = data.get(f.name)
        if f.name.endswith("_at") and raw is not None:
            raw = _moment(raw)
        elif f.name == "id" or f.name.endswith("_id"):
            raw = uuid.UUID(raw) if raw is not None else None
        values[f.name] = raw
    return cls(**values)


@dataclass(frozen=True)
class Wallet:
    id: uuid.UUID
    pilgrim_id: uuid.UUID
    currency: str
    balance: int
    pending_in: int
    spent_today: int
    daily_limit: int
    created_at: datetime


@dataclass(frozen=True)
class TopUp:
    id: uuid.UUID
    wallet_id: uuid.UUID
    amount: int
    currency: str
    status: str
    failure_code: str | None
    created_at: datetime
    settled_at: datetime | None


@dataclass(frozen=True)
class Payment:
    """A quote (status "quoted") or a payment ("paid"); amounts in halalas."""

    id: uuid.UUID
    wallet_id: uuid.UUID
    merchant_id: uuid.UUID
    merchant_code: str
    merchant_name: str
    amount: int
    fee: int
    total: int
    currency: str
    status: str
    initiated_by: str
    note: str | None
    step_up_required: bool
    expires_at: datetime
    created_at: datetime
    paid_at: datetime | None
    refunded: int
    fee_refunded: int
    payer: str | None = None


@dataclass(frozen=True)
class Refund:
    id: uuid.UUID
    payment_id: uuid.UUID
    amount: int
    fee: int
    reason: str | None
    created_at: datetime


@dataclass(frozen=True)
class BankAccount:
    """Where a merchant's payouts go; the IBAN is masked ("SA03 **** ... 7519")."""

    iban: str
    holder: str
    updated_at: datetime | None


@dataclass(frozen=True)
class Merchant:
    id: uuid.UUID
    code: str
    name: str
    name_ar: str | None
    category: str
    site: str | None
    currency: str
    fee_bps: int
    is_active: bool
    created_at: datetime
    bank_account: BankAccount | None = None


def _merchant(data: dict[str, Any]) -> Merchant:
    account = data.get("bank_account")
    found = _build(Merchant, data)
    if not account:
        return found
    return dataclasses.replace(found, bank_account=_build(BankAccount, account))


@dataclass(frozen=True)
class MerchantQR:
    merchant_id: uuid.UUID
    code: str
    amount: int | None
    text: str


@dataclass(frozen=True)
class Takings:
    merchant_id: uuid.UUID
    day: date
    payments: int
    gross: int
    refunds: int
    net: int
    balance: int
    items: list[Payment]


@dataclass(frozen=True)
class Payout:
    """A payout to the merchant's bank account: status "pending" (the bank not yet
    instructed), "in_transit", "paid", or "returned" (back on the balance; see return_code)."""

    id: uuid.UUID
    merchant_id: uuid.UUID
    amount: int
    currency: str
    created_at: datetime
    status: str
    iban: str | None
    account_holder: str | None
    bank: str | None
    bank_reference: str | None
    instructed_at: datetime | None
    resolved_at: datetime | None
    return_code: str | None


@dataclass(frozen=True)
class Reconciliation:
    merchant_id: uuid.UUID
    merchant_code: str
    payments: int
    refunds: int
    payouts: int
    in_transit: int
    returned: int
    ledger_balance: int
    difference: int


@dataclass(frozen=True)
class InTransit:
    """The payouts not yet paid or returned, against the ledger's in-transit account."""

    currency: str
    payouts: int
    amount: int
    ledger_in_transit: int
    difference: int
    paid: int
    ledger_bank_clearing: int
    returned: int


@dataclass(frozen=True)
class BankStatementLine:
    """One booked entry of the bank's statement and what it was matched with (`outcome`:
    "matched", "booked_not_settled", "amount_mismatch", "returned", "not_a_payout", ...)."""

    line: int
    amount: int
    direction: str
    end_to_end_id: str | None
    bank_reference: str | None
    return_code: str | None
    payout_id: uuid.UUID | None
    outcome: str


@dataclass(frozen=True)
class BankStatementReport:
    """An imported camt.053 statement matched against the payouts; `needs_attention` is zero
    when the bank and Labbaik agree."""

    id: uuid.UUID
    statement_id: str
    iban: str
    currency: str
    opening_balance: int
    closing_balance: int
    credits: int
    debits: int
    imported_at: datetime
    matched: int
    matched_amount: int
    booked_not_settled: int
    amount_mismatches: int
    returns: int
    not_a_payout: int
    needs_attention: int
    difference: int
    lines: list[BankStatementLine]
    paid_not_on_statement: list[uuid.UUID]


def _bank_line(data: dict[str, Any]) -> BankStatementLine:
    # The bank's end-to-end id is text, though its name ends in _id.
    found = _build(BankStatementLine, data | {"end_to_end_id": None})
    return dataclasses.replace(found, end_to_end_id=data.get("end_to_end_id"))


def _bank_statement(data: dict[str, Any]) -> BankStatementReport:
    return dataclasses.replace(
        _build(BankStatementReport, data | {"statement_id": None}),
        statement_id=data["statement_id"],
        lines=[_bank_line(line) for line in data.get("lines", [])],
        paid_not_on_statement=[
            uuid.UUID(p["payout_id"]) for p in data.get("paid_not_on_statement", [])
        ],
    )


class LabbaikClient:
    """One API token's view of Labbaik: a merchant's till, a pilgrim's wallet, an operator."""

    def __init__(
        self, base_url: str, token: str, *, timeout: float = 10.0, retries: int = 3
    ) -> None:
        if not base_url.startswith(("http://", "https://")):
            raise ValueError(f"the base URL must be http(s)://..., not {base_url!r}")
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.timeout = timeout
        self.retries = retries

    # Transport ---------------------------------------------------------------------------------

    def _request(
        self,
        method: str,
        path: str,
        *,
        body: dict[str, Any] | None = None,
        params: dict[str, Any] | None = None,
        idempotency_key: str | None = None,
        xml: bytes | None = None,
    ) -> Any:
        url = self.base_url + path
        if params:
            kept = {k: v for k, v in params.items() if v is not None}
            if kept:
                url += "?" + urllib.parse.urlencode(kept)
        headers = {"Authorization": f"Bearer {self.token}", "Accept": "application/json"}
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        if xml is not None:
            data = xml
            headers["Content-Type"] = "application/xml"
        # A read, a keyed write, or a document the server takes once by its content: each is
        # safe to repeat after a lost answer.
        safe = method == "GET" or idempotency_key is not None or xml is not None
        if idempotency_key is not None:
            headers["Idempotency-Key"] = idempotency_key
        attempt = 0
        while True:
            attempt += 1
            request = urllib.request.Request(url, data=data, headers=headers, method=method)  # noqa: S310
            try:
                with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                    return json.loads(response.read() or b"null")
            except urllib.error.HTTPError as exc:
                error = self._error(exc)
                retryable = exc.code >= 500 or (exc.code == 409 and error.retry_after is not None)
                if not (retryable and safe and attempt <= self.retries):
                    raise error from None
                time.sleep(error.retry_after or 0.2 * attempt)
            except (urllib.error.URLError, TimeoutError, ConnectionError):
                if not (safe and attempt <= self.retries):
                    raise
                time.sleep(0.2 * attempt)

    @staticmethod
    def _error(exc: urllib.error.HTTPError) -> LabbaikError:
        try:
            payload = json.loads(exc.read() or b"{}")
        except ValueError:
            payload = {}
        after = exc.headers.get("Retry-After")
        return LabbaikError(
            exc.code,
            str(payload.get("error", "http_error")),
            str(payload.get("detail", exc.reason)),
            float(after) if after else None,
        )

    @staticmethod
    def _key(given: str | None) -> str:
        return given or str(uuid.uuid4())

    # The till ----------------------------------------------------------------------------------

    def merchant(self) -> Merchant:
        """The merchant whose till this token's account works."""
        return _merchant(self._request("GET", "/api/v1/merchants/me"))

    def payment_qr(self, amount: int | None = None) -> MerchantQR:
        """The signed text of a payment QR for `amount` halalas (or any amount)."""
        data = self._request("GET", "/api/v1/merchants/me/qr", params={"amount": amount})
        return _build(MerchantQR, data)

    def request_payment(
        self,
        *,
        amount: int,
        card: str | None = None,
        pilgrim_id: uuid.UUID | None = None,
        wallet_id: uuid.UUID | None = None,
        note: str | None = None,
        idempotency_key: str | None = None,
    ) -> Payment:
        """Ask the holder of a card (its QR text or number) for a payment; poll `payment()`
        until the pilgrim confirms. A refused card raises `LabbaikError` (`card_revoked`...)."""
        body: dict[str, Any] = {"amount": amount, "note": note}
        if card:
            body["card"] = card
        if pilgrim_id:
            body["pilgrim_id"] = str(pilgrim_id)
        if wallet_id:
            body["wallet_id"] = str(wallet_id)
        data = self._request(
            "POST",
            "/api/v1/merchants/me/requests",
            body=body,
            idempotency_key=self._key(idempotency_key),
        )
        return _build(Payment, data)

    def requests(self) -> list[Payment]:
        """The till's latest requests to pilgrims' wallets, newest first, whatever became of
        them (`status` "quoted" while the pilgrim has not confirmed; `payer` the masked name)."""
        return [
            _build(Payment, item) for item in self._request("GET", "/api/v1/merchants/me/requests")
        ]

    def payment(self, payment_id: uuid.UUID) -> Payment:
        return _build(Payment, self._request("GET", f"/api/v1/merchants/me/payments/{payment_id}"))

    def takings(self, day: date | None = None) -> Takings:
        data = self._request(
            "GET", "/api/v1/merchants/me/takings", params={"day": day.isoformat() if day else None}
        )
        return Takings(
            merchant_id=uuid.UUID(data["merchant_id"]),
            day=date.fromisoformat(data["day"]),
            payments=data["payments"],
            gross=data["gross"],
            refunds=data["refunds"],
            net=data["net"],
            balance=data["balance"],
            items=[_build(Payment, item) for item in data["items"]],
        )

    def refund(
        self,
        payment_id: uuid.UUID,
        *,
        amount: int | None = None,
        reason: str | None = None,
        idempotency_key: str | None = None,
    ) -> Refund:
        """Refund part of a payment (`amount` halalas) or all that is left of it."""
        data = self._request(
            "POST",
            f"/api/v1/merchants/me/payments/{payment_id}/refunds",
            body={"amount": amount, "reason": reason},
            idempotency_key=self._key(idempotency_key),
        )
        return _build(Refund, data)

    # The wallet --------------------------------------------------------------------------------

    def wallet(self) -> Wallet:
        return _build(Wallet, self._request("GET", "/api/v1/wallet"))

    def top_up(self, amount: int, *, card: str, idempotency_key: str | None = None) -> TopUp:
        data = self._request(
            "POST",
            "/api/v1/wallet/topups",
            body={"amount": amount, "card": card},
            idempotency_key=self._key(idempotency_key),
        )
        return _build(TopUp, data)

    def quote(
        self,
        *,
        merchant_code: str | None = None,
        merchant_qr: str | None = None,
        amount: int | None = None,
    ) -> Payment:
        body = {"merchant_code": merchant_code, "merchant_qr": merchant_qr, "amount": amount}
        return _build(Payment, self._request("POST", "/api/v1/wallet/quotes", body=body))

    def confirm(
        self,
        payment_id: uuid.UUID,
        *,
        assertion: dict[str, Any] | None = None,
        idempotency_key: str | None = None,
    ) -> Payment:
        data = self._request(
            "POST",
            f"/api/v1/wallet/payments/{payment_id}/confirm",
            body={"assertion": assertion},
            idempotency_key=self._key(idempotency_key),
        )
        return _build(Payment, data)

    # The operations centre and the bank ---------------------------------------------------------

    def create_merchant(
        self, name: str, *, category: str = "other", name_ar: str | None = None,
        site: str | None = None, iban: str | None = None, holder: str | None = None,
    ) -> Merchant:  # fmt: skip
        """Onboard a merchant; with `iban` and `holder`, the bank account its payouts go to."""
        body: dict[str, Any] = {"name": name, "category": category, "name_ar": name_ar,
                                "site": site}  # fmt: skip
        if iban or holder:
            body["bank_account"] = {"iban": iban, "holder": holder}
        return _merchant(self._request("POST", "/api/v1/merchants", body=body))

    def set_bank_account(self, merchant_id: uuid.UUID, *, iban: str, holder: str) -> Merchant:
        """Set or change where the merchant's payouts go; a wrong IBAN raises `invalid_input`."""
        data = self._request(
            "PUT",
            f"/api/v1/merchants/{merchant_id}/bank-account",
            body={"iban": iban, "holder": holder},
        )
        return _merchant(data)

    def payout(self, merchant_id: uuid.UUID, *, idempotency_key: str | None = None) -> Payout:
        """Pay the merchant's whole balance out to its bank account; answers "pending". Follow
        it with `payouts()` until it is "paid" (or "returned")."""
        data = self._request(
            "POST",
            f"/api/v1/merchants/{merchant_id}/payouts",
            idempotency_key=self._key(idempotency_key),
        )
        return _build(Payout, data)

    def payouts(self, merchant_id: uuid.UUID, *, limit: int = 50) -> list[Payout]:
        """The merchant's payouts, newest first."""
        data = self._request(
            "GET", f"/api/v1/merchants/{merchant_id}/payouts", params={"limit": limit}
        )
        return [_build(Payout, item) for item in data]

    def reconciliation(self, merchant_id: uuid.UUID) -> Reconciliation:
        data = self._request("GET", f"/api/v1/merchants/{merchant_id}/reconciliation")
        return _build(Reconciliation, data)

    def in_transit(self) -> InTransit:
        """Every payout the bank has not paid or returned yet, against the ledger."""
        return _build(InTransit, self._request("GET", "/api/v1/payouts/in-transit"))

    def import_bank_statement(self, xml: bytes) -> BankStatementReport:
        """Import the bank's camt.053 statement and match it against the payouts (operators).
        The same file again answers the first report, so a retry is safe."""
        return _bank_statement(self._request("POST", "/api/v1/payouts/bank-statements", xml=xml))

    def bank_statement(self, statement_id: uuid.UUID | str) -> BankStatementReport:
        """An imported statement's report, as it was at its import."""
        return _bank_statement(
            self._request("GET", f"/api/v1/payouts/bank-statements/{statement_id}")
        )
