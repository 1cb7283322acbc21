"""The wallet's statement: in Arabic and English, a period, balances that add up, size and speed."""

from __future__ import annotations

import csv
import io
import itertools
import time
import unicodedata
import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from pypdf import PdfReader
from sqlalchemy.orm import Session

from labbaik.errors import InvalidInput
from labbaik.kit.timeutil import format_hijri, to_riyadh, utcnow
from labbaik.ledger import service as ledger_service
from labbaik.ledger.schemas import TransferCreate
from labbaik.settings import Settings
from labbaik.wallet import ledgering, merchants, statements
from labbaik.wallet import service as wallet_service
from labbaik.wallet import topups as wallet_topups
from labbaik.wallet.gateway import CARD_DECLINED, CARD_SUCCEEDS, SandboxGateway
from labbaik.wallet.models import Merchant, Wallet
from labbaik.wallet.schemas import (
    MerchantCreate,
    MerchantRead,
    PaymentConfirm,
    QuoteCreate,
    RefundCreate,
    TopUpCreate,
)
from labbaik.web.i18n import translations
from tests.conftest import World, unique
from tests.registry.test_pages import log_in
from tests.wallet.conftest import OPERATOR, Pilgrim, Till, deliver_directly, top_up
from tests.web.test_i18n import GETTEXT, _texts

STATEMENTS = Path(statements.__file__)
# The season's balance: 500 in, 123.45 and 10 paid with their 1% fees (1.24, 0.10), 4.04 back.
BALANCE = 50_000 - 12_345 - 124 - 1_000 - 10 + 400 + 4


def pdf_text(pdf: bytes) -> str:
    """The text of every page, in logical order and with Arabic letters in their base forms.

    A shaped Arabic run is written in visual order with the letters' presentation forms, so
    each line is compared both as extracted and reversed, after NFKC folds the forms back.
    """
    reader = PdfReader(io.BytesIO(pdf))
    lines = []
    for page in reader.pages:
        for line in page.extract_text().splitlines():
            folded = unicodedata.normalize("NFKC", line)
            lines.extend((folded, folded[::-1]))
    return "\n".join(lines)


def has_words(text: str, phrase: str) -> bool:
    """Each word of the phrase appears in the text (a run may be split where scripts change)."""
    return all(word in text or word[::-1] in text for word in phrase.split())


@dataclass
class Season:
    """A pilgrim who topped up, paid an Arabic-named merchant and got a refund."""

    pilgrim: Pilgrim
    merchant: MerchantRead


def _pay(
    session: Session, pilgrim: Pilgrim, merchant: MerchantRead, settings: Settings, amount: int
) -> uuid.UUID:
    quote = wallet_service.quote(
        session,
        actor=pilgrim.actor,
        quote_in=QuoteCreate(merchant_code=merchant.code, amount=amount),
        settings=settings,
    )
    wallet_service.confirm_payment(
        session,
        actor=pilgrim.actor,
        payment_id=quote.id,
        confirm_in=PaymentConfirm(),
        settings=settings,
        idempotency_key=unique("pay-"),
    )
    return quote.id


@pytest.fixture
def season(
    session: Session,
    pilgrim: Pilgrim,
    till: Till,
    gateway: SandboxGateway,
    settings: Settings,
) -> Season:
    merchant = merchants.create_merchant(
        session,
        merchant_in=MerchantCreate(
            name=unique("Al Baik Mina "), name_ar="البيك منى", category="food"
        ),
        actor=OPERATOR,
        settings=settings,
    )
    top_up(session, pilgrim, gateway, 50_000)
    wallet_topups.start_topup(
        session,
        actor=pilgrim.actor,
        topup_in=TopUpCreate(amount=7_000, card=CARD_DECLINED),
        gateway=gateway,
        idempotency_key=unique("declined-"),
    )
    deliver_directly(session, gateway)
    _pay(session, pilgrim, merchant, settings, 12_345)
    paid = _pay(session, pilgrim, till.merchant, settings, 1_000)
    wallet_service.refund(
        session,
        actor=till.actor,
        payment_id=paid,
        refund_in=RefundCreate(amount=400),
        idempotency_key=unique("refund-"),
    )
    # A top-up the bank has not confirmed yet: held, not spendable.
    wallet_topups.start_topup(
        session,
        actor=pilgrim.actor,
        topup_in=TopUpCreate(amount=3_000, card=CARD_SUCCEEDS),
        gateway=gateway,
        idempotency_key=unique("held-"),
    )
    session.commit()
    return Season(pilgrim=pilgrim, merchant=merchant)


def _statement(
    session: Session, season: Season, settings: Settings, **period: date
) -> statements.Statement:
    return statements.statement(session, actor=season.pilgrim.actor, settings=settings, **period)


def _lines_add_up(found: statements.Statement) -> None:
    running = found.opening
    for item in found.items:
        running += item.balance_change
        assert item.balance_after == running, item
    assert running == found.closing


def _ledger_lines(
    session: Session, pilgrim: Pilgrim, till: Till, *, count: int, at: datetime
) -> int:
    """`count` ledger lines straight onto the wallet, as a season of top-ups and payments makes
    them (a top-up of 50 riyals, then payments of 7.25 until the next), dated `at`; the
    balance they leave."""
    wallet_account = session.get(Wallet, pilgrim.wallet.id).ledger_account_id  # type: ignore[union-attr]
    merchant_account = session.get(Merchant, till.merchant.id).ledger_account_id  # type: ignore[union-attr]
    gateway = ledgering.system_account(ledgering.ACCOUNT_GATEWAY)
    transfers, balance = [], 0
    for n in range(count):
        if n % 6 == 0:
            debit, credit, amount, code = gateway, wallet_account, 5_000, ledgering.TOPUP
            balance += amount
        else:
            debit, credit, amount, code = wallet_account, merchant_account, 725, ledgering.PAYMENT
            balance -= amount
        transfers.append(
            TransferCreate(
                id=uuid.uuid4(), debit_account_id=debit, credit_account_id=credit, amount=amount,
                currency="SAR", code=code, reference=f"bulk:{n}",
            )
        )  # fmt: skip
    for start in range(0, count, 2_000):
        results = ledger_service.create_transfers(
            session, transfers=transfers[start : start + 2_000], actor=ledgering.LEDGER_ACTOR,
            now=at,
        )  # fmt: skip
        assert {r.result for r in results} == {"ok"}
    session.commit()
    return balance


class TestLines:
    def test_the_lines_add_up_from_the_opening_to_the_closing_balance(
        self, session: Session, season: Season, settings: Settings
    ) -> None:
        found = _statement(session, season, settings)
        wallet = wallet_service.get_wallet(session, actor=season.pilgrim.actor, settings=settings)
        assert found.opening == 0
        assert found.closing == wallet.balance == BALANCE
        assert found.opening + found.money_in - found.money_out == found.closing
        _lines_add_up(found)

    def test_a_held_top_up_does_not_count_until_the_bank_confirms_it(
        self, session: Session, season: Season, settings: Settings
    ) -> None:
        found = _statement(session, season, settings)
        held = [i for i in found.items if i.kind == "topup" and i.pending]
        # The first top-up's hold, the declined one's hold and its release, the last one's hold.
        assert [i.amount for i in held] == [50_000, 7_000, -7_000, 3_000]
        assert all(i.balance_change == 0 for i in held)
        assert all(i not in found.moved for i in held)
        assert found.money_in == 50_000 + 400 + 4

    def test_a_period_opens_at_the_balance_before_it(
        self, session: Session, pilgrim: Pilgrim, till: Till, settings: Settings
    ) -> None:
        now = utcnow()
        before = _ledger_lines(session, pilgrim, till, count=7, at=now - timedelta(days=10))
        during = _ledger_lines(session, pilgrim, till, count=8, at=now - timedelta(days=3))
        _ledger_lines(session, pilgrim, till, count=6, at=now)
        today = to_riyadh(now).date()
        found = statements.statement(
            session, actor=pilgrim.actor, settings=settings,
            start=today - timedelta(days=5), end=today - timedelta(days=1),
        )  # fmt: skip
        assert found.opening == before
        assert found.closing == before + during
        assert len(found.items) == 8
        _lines_add_up(found)

    def test_a_period_after_the_last_movement_has_no_lines(
        self, session: Session, season: Season, settings: Settings
    ) -> None:
        tomorrow = to_riyadh(utcnow()).date() + timedelta(days=1)
        found = _statement(session, season, settings, start=tomorrow, end=tomorrow)
        assert found.items == []
        assert found.opening == found.closing == BALANCE
        assert "No movements in this period." in pdf_text(statements.to_pdf(found))

    def test_a_period_that_ends_before_it_starts_is_refused(
        self, session: Session, season: Season, settings: Settings
    ) -> None:
        today = to_riyadh(utcnow()).date()
        with pytest.raises(InvalidInput, match="after it ends"):
            _statement(session, season, settings, start=today, end=today - timedelta(days=1))

    def test_a_day_that_is_not_a_date_says_what_was_typed(self) -> None:
        assert statements.parse_day(" 2026-05-31 ", "from") == date(2026, 5, 31)
        assert statements.parse_day("", "from") is None
        with pytest.raises(InvalidInput, match="to: '31/05/2026' is not a date"):
            statements.parse_day("31/05/2026", "to")


class TestPdf:
    def test_the_arabic_statement_holds_the_arabic_words_and_the_amounts(
        self, session: Session, season: Season, settings: Settings
    ) -> None:
        found = _statement(session, season, settings)
        text = pdf_text(statements.to_pdf(found, lang="ar"))
        today = to_riyadh(utcnow()).date()
        for phrase in (
            "كشف حساب المحفظة",
            "صاحب المحفظة",
            "سيتي آمنة",  # the holder's Arabic name, from the registry
            "البيك منى",  # the merchant's Arabic name
            "الرصيد الافتتاحي",
            "الرصيد الختامي",
            "دفعة",
            "استرداد الرسوم",
            format_hijri(today, "ar"),
            "صفحة 1 من 1",
        ):
            assert has_words(text, phrase), phrase
        assert "Siti Aminah" in text
        for amount in (
            "0.00",
            "123.45",
            "1.24",
            "10.00",
            "0.10",
            "4.00",
            "0.04",
            "369.25",
            "504.04",
        ):
            assert amount in text, amount

    def test_the_arabic_statement_is_set_right_to_left(
        self, session: Session, season: Season, settings: Settings
    ) -> None:
        found = _statement(session, season, settings)
        reader = PdfReader(io.BytesIO(statements.to_pdf(found, lang="ar")))
        width = float(reader.pages[0].mediabox.width)
        where: dict[str, float] = {}

        def visit(chunk: str, _cm: object, tm: list[float], *_: object) -> None:
            folded = unicodedata.normalize("NFKC", chunk)
            if "الافتتاحي" in folded or "الافتتاحي"[::-1] in folded:
                where.setdefault("opening", tm[4])
            if "الختامي" in folded or "الختامي"[::-1] in folded:
                where.setdefault("closing", tm[4])

        reader.pages[0].extract_text(visitor_text=visit)
        # The opening balance comes first in reading order: on the right of an Arabic page.
        assert where["opening"] > width / 2 > where["closing"]

    def test_the_english_statement_names_the_holder_the_period_and_the_pages(
        self, session: Session, season: Season, settings: Settings
    ) -> None:
        found = _statement(session, season, settings)
        text = pdf_text(statements.to_pdf(found, lang="en"))
        today = to_riyadh(utcnow()).date()
        for expected in (
            "Wallet statement",
            "Siti Aminah",
            season.merchant.name,
            "Opening balance",
            "Closing balance: 369.25 SAR",
            format_hijri(today),
            str(found.wallet.id),
            "Page 1 of 1",
            "Waiting for the bank: 30.00 SAR",
        ):
            assert expected in text, expected
        # Held top-ups are summed under "waiting", not listed as lines.
        assert "500.00" in text
        assert "70.00" not in text

    def test_a_language_the_pages_are_not_in_is_written_in_english(
        self, session: Session, season: Season, settings: Settings
    ) -> None:
        found = _statement(session, season, settings)
        assert "Wallet statement" in pdf_text(statements.to_pdf(found, lang="xx"))

    def test_every_text_of_the_statement_has_an_arabic_translation(self) -> None:
        source = STATEMENTS.read_text(encoding="utf-8")
        texts = set(_texts(GETTEXT, source)) | {statements.FOOTNOTE}
        arabic = translations("ar")
        assert len(texts) > 25
        missing = sorted(t for t in texts if arabic.gettext(t) == t)
        assert not missing, f"no Arabic for: {missing}"


class TestPages:
    def test_every_line_is_on_one_page_and_the_closing_lines_fit_on_the_last(self) -> None:
        assert statements.paginate(0) == [(0, 0)]
        for rows in (1, 17, 18, 19, 20, 44, 45, 46, 3_000):
            pages = statements.paginate(rows)
            assert pages[0][0] == 0
            assert pages[-1][1] == rows
            assert all(a[1] == b[0] for a, b in itertools.pairwise(pages))
            top = statements.FIRST_TABLE_TOP if len(pages) == 1 else statements.NEXT_TABLE_TOP
            used = top + statements.TABLE_HEAD_H + (pages[-1][1] - pages[-1][0]) * statements.ROW_H
            assert used + statements.CLOSING_H <= statements.TABLE_BOTTOM


class TestCsv:
    def test_the_csv_lists_every_line_with_its_state(
        self, session: Session, season: Season, settings: Settings
    ) -> None:
        found = _statement(session, season, settings)
        data = statements.to_csv(found)
        assert data.startswith("\ufeff".encode())
        rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
        assert rows[0][:3] == ["time (Riyadh)", "hijri date", "kind"]
        assert len(rows) == 1 + len(found.items)
        assert [r[5] for r in rows[1:]].count("pending") == 4

    def test_the_arabic_csv_names_the_merchant_in_arabic(
        self, session: Session, season: Season, settings: Settings
    ) -> None:
        found = _statement(session, season, settings)
        rows = list(
            csv.reader(io.StringIO(statements.to_csv(found, lang="ar").decode("utf-8-sig")))
        )
        assert rows[0][0] == "الوقت (الرياض)"
        assert rows[5][2:5] == ["دفعة", "البيك منى", "-123.45"]


class TestDownloads:
    def test_the_wallet_page_links_the_statements_in_its_language(
        self, api: TestClient, world: World, season: Season
    ) -> None:
        log_in(api, "pilgrim")
        page = api.get("/wallet?lang=ar").text
        assert 'href="/wallet/statement.pdf?lang=ar"' in page
        assert "البيك منى" in page  # the history names the merchant in Arabic too
        pdf = api.get("/wallet/statement.pdf?lang=ar")
        assert pdf.headers["content-type"] == "application/pdf"
        assert has_words(pdf_text(pdf.content), "كشف حساب المحفظة")
        english = api.get("/wallet/statement.pdf?lang=en")
        assert "Wallet statement" in pdf_text(english.content)
        csv_ar = api.get("/wallet/statement.csv?lang=ar").content.decode("utf-8-sig")
        assert csv_ar.startswith("الوقت (الرياض)")

    def test_the_wallet_page_asks_for_a_period_of_days(
        self, api: TestClient, world: World, season: Season
    ) -> None:
        log_in(api, "pilgrim")
        page = api.get("/wallet?lang=ar").text
        assert 'action="/wallet/statement.pdf"' in page
        assert 'name="from"' in page
        assert 'name="lang" value="ar"' in page
        today = to_riyadh(utcnow()).date().isoformat()
        # An empty first day, as the form sends it, is "since the opening".
        pdf = api.get(f"/wallet/statement.pdf?lang=en&from=&to={today}")
        assert pdf.status_code == 200
        assert "Closing balance: 369.25 SAR" in pdf_text(pdf.content)

    def test_the_page_refuses_a_period_that_is_not_dates(
        self, api: TestClient, world: World, season: Season
    ) -> None:
        log_in(api, "pilgrim")
        refused = api.get("/wallet/statement.pdf?from=yesterday")
        assert refused.status_code == 422
        assert "is not a date like 2026-05-31" in refused.text

    def test_the_api_gives_a_period_in_arabic(
        self, api: TestClient, world: World, season: Season
    ) -> None:
        tomorrow = (to_riyadh(utcnow()).date() + timedelta(days=1)).isoformat()
        response = api.get(
            f"/api/v1/wallet/statement.pdf?lang=ar&from={tomorrow}&to={tomorrow}",
            headers=world.headers("pilgrim"),
        )
        assert response.status_code == 200, response.text
        text = pdf_text(response.content)
        assert has_words(text, "لا حركات في هذه الفترة.")
        assert f"{BALANCE / 100:,.2f}" in text
        wrong = api.get("/api/v1/wallet/statement.csv?lang=fr", headers=world.headers("pilgrim"))
        assert wrong.status_code == 422

    def test_the_api_documents_the_language_and_the_period(self, api: TestClient) -> None:
        spec = api.get("/api/v1/openapi.json").json()
        operation = spec["paths"]["/api/v1/wallet/statement.pdf"]["get"]
        params = {p["name"] for p in operation["parameters"]}
        assert {"lang", "from", "to"} <= params


class TestLongStatement:
    def test_thousands_of_lines_render_on_numbered_pages(
        self, session: Session, pilgrim: Pilgrim, till: Till, settings: Settings
    ) -> None:
        count = 3_000
        balance = _ledger_lines(session, pilgrim, till, count=count, at=utcnow())
        started = time.perf_counter()
        found = statements.statement(session, actor=pilgrim.actor, settings=settings)
        read = time.perf_counter() - started
        timings = {}
        for lang in ("ar", "en"):
            started = time.perf_counter()
            pdf = statements.to_pdf(found, lang=lang)
            timings[lang] = (time.perf_counter() - started, len(pdf))
        print(
            f"\n{count} lines: read {read:.2f} s; "
            + "; ".join(f"{k} PDF {t:.2f} s, {n / 1024:.0f} KiB" for k, (t, n) in timings.items())
        )
        assert found.closing == balance
        _lines_add_up(found)
        pages = statements.paginate(count)
        reader = PdfReader(io.BytesIO(pdf))
        assert len(reader.pages) == len(pages) > 50
        last = pdf_text_of_page(reader, -1)
        assert f"Page {len(pages)} of {len(pages)}" in last
        assert f"Closing balance: {balance / 100:,.2f} SAR" in last
        # Generous bounds that still catch a layout gone quadratic or fonts embedded per page.
        assert max(t for t, _ in timings.values()) < 60
        assert max(n for _, n in timings.values()) < 3 * 1024 * 1024


def pdf_text_of_page(reader: PdfReader, index: int) -> str:
    return unicodedata.normalize("NFKC", reader.pages[index].extract_text())
