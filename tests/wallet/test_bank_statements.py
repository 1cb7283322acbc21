"""The bank's statement (camt.053) against the payouts: imported once, every line matched."""

from __future__ import annotations

import re
import uuid
from datetime import date, datetime, time
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from labbaik.auth.models import AuditEntry
from labbaik.db import upgrade
from labbaik.errors import Forbidden
from labbaik.kit.money import parse_major
from labbaik.kit.timeutil import RIYADH, as_utc, to_riyadh, utcnow
from labbaik.settings import Settings
from labbaik.wallet import bankmatching, bankstatement, payouts
from labbaik.wallet import service as wallet_service
from labbaik.wallet.bank import CAMT053, IBAN_CLOSED, SETTLES_AFTER, SandboxBank
from labbaik.wallet.bankstatement import parse_statements
from labbaik.wallet.errors import StatementExists, StatementUnbalanced, StatementUnreadable
from labbaik.wallet.gateway import SandboxGateway
from labbaik.wallet.models import BankStatement, BankStatementLine
from labbaik.wallet.schemas import (
    BankAccountIn,
    BankStatementReport,
    PaymentConfirm,
    PayoutRead,
    QuoteCreate,
)
from tests.conftest import World
from tests.registry.test_pages import csrf_of, log_in
from tests.test_cli import labbaik
from tests.wallet.conftest import OPERATOR, Pilgrim, Till, top_up

PLATFORM_IBAN = "SA4110000000000000000201"  # the settlement account the payouts leave from
OPENING = 1_000_000
NS = {"c": CAMT053}


def _day() -> tuple[date, datetime]:
    """Today in Riyadh and its noon: the bank's business day, far from its midnight."""
    day = to_riyadh(utcnow()).date()
    return day, as_utc(datetime.combine(day, time(12), RIYADH))


def _sell_and_pay_out(
    session: Session, pilgrim: Pilgrim, till: Till, settings: Settings, amount: int
) -> PayoutRead:
    quote = wallet_service.quote(
        session, actor=pilgrim.actor, settings=settings,
        quote_in=QuoteCreate(merchant_code=till.merchant.code, amount=amount),
    )  # fmt: skip
    wallet_service.confirm_payment(
        session, actor=pilgrim.actor, payment_id=quote.id, confirm_in=PaymentConfirm(),
        settings=settings, idempotency_key=str(uuid.uuid4()),
    )  # fmt: skip
    made = payouts.payout(
        session, merchant_id=till.merchant.id, actor=OPERATOR, idempotency_key=str(uuid.uuid4())
    )
    session.commit()
    return made


def _run_bank(session: Session, bank: SandboxBank, at: datetime) -> None:
    payouts.sync_payouts(session, bank=bank, actor=OPERATOR, now=at)
    payouts.sync_payouts(session, bank=bank, actor=OPERATOR, now=at + SETTLES_AFTER)
    session.commit()


@pytest.fixture
def day_of_payouts(
    session: Session, pilgrim: Pilgrim, till: Till, gateway: SandboxGateway, settings: Settings
) -> list[PayoutRead]:
    """Two payouts of the till's merchant, both settled by the sandbox bank at noon today."""
    top_up(session, pilgrim, gateway, 10_000)
    made = [
        _sell_and_pay_out(session, pilgrim, till, settings, 4_000),
        _sell_and_pay_out(session, pilgrim, till, settings, 2_500),
    ]
    _run_bank(session, SandboxBank(), _day()[1])
    listed = payouts.list_payouts(session, merchant_id=till.merchant.id, actor=OPERATOR)
    assert {p.status for p in listed} == {"paid"}
    return made


def _statement(session: Session) -> bytes:
    return SandboxBank().statement(
        session, iban=PLATFORM_IBAN, day=_day()[0], opening_balance=OPENING
    )


def _import(session: Session, document: bytes) -> BankStatementReport:
    report = bankmatching.import_statement(session, document=document, actor=OPERATOR)
    session.commit()
    return report


def _edit(document: bytes, change: object) -> bytes:
    """The document with `change(stmt)` applied, as a bank's different file would be."""
    root = ET.fromstring(document)
    stmt = root.find("c:BkToCstmrStmt/c:Stmt", NS)
    assert stmt is not None
    change(stmt)  # type: ignore[operator]
    written: bytes = ET.tostring(root, encoding="utf-8")
    return written


def _closing(stmt: ET.Element, delta: int) -> None:
    for balance in stmt.findall("c:Bal", NS):
        if balance.findtext("c:Tp/c:CdOrPrtry/c:Cd", namespaces=NS) == "CLBD":
            amt = balance.find("c:Amt", NS)
            assert amt is not None
            assert amt.text
            amt.text = f"{(parse_major(amt.text, 'SAR') + delta) / 100:.2f}"


def _entry_of(stmt: ET.Element, payout: PayoutRead) -> ET.Element:
    return next(
        entry
        for entry in stmt.findall("c:Ntry", NS)
        if entry.findtext("c:NtryDtls/c:TxDtls/c:Refs/c:EndToEndId", namespaces=NS) == payout.id.hex
    )


def _entry_amount(stmt: ET.Element, payout: PayoutRead, text: str) -> None:
    amt = _entry_of(stmt, payout).find("c:Amt", NS)
    assert amt is not None
    amt.text = text


def _count(session: Session, model: type) -> int:
    return session.scalar(select(func.count()).select_from(model)) or 0


class TestMatching:
    def test_a_day_settled_by_the_sandbox_bank_matches_every_payout(
        self, session: Session, day_of_payouts: list[PayoutRead]
    ) -> None:
        report = _import(session, _statement(session))
        paid = sum(p.amount for p in day_of_payouts)
        assert (report.matched, report.matched_amount) == (2, paid)
        assert (report.difference, report.needs_attention, report.amount_mismatches) == (0, 0, 0)
        assert (report.opening_balance, report.debits, report.closing_balance) == (
            OPENING, paid, OPENING - paid,
        )  # fmt: skip
        assert {line.payout_id for line in report.lines} == {p.id for p in day_of_payouts}
        assert report.paid_not_on_statement == []
        assert _count(session, BankStatementLine) == 2
        entry = session.scalars(
            select(AuditEntry).where(AuditEntry.action == "wallet.bank_statement.import")
        ).one()
        assert entry.detail is not None
        assert entry.detail["matched"] == 2

    def test_a_wrong_amount_on_one_line_is_reported_and_nothing_else_disturbed(
        self, session: Session, day_of_payouts: list[PayoutRead]
    ) -> None:
        first = day_of_payouts[0]
        wrong = _edit(
            _statement(session),
            lambda stmt: (
                _entry_amount(stmt, first, f"{(first.amount + 100) / 100:.2f}"),
                _closing(stmt, -100),
            ),
        )
        report = _import(session, wrong)
        assert (report.matched, report.amount_mismatches, report.needs_attention) == (1, 1, 1)
        assert report.difference == 100
        mismatch = next(line for line in report.lines if line.outcome == "amount_mismatch")
        assert (mismatch.payout_id, mismatch.amount) == (first.id, first.amount + 100)
        # The payouts and the ledger are as they were: a statement only reports.
        transit = payouts.in_transit(session, actor=OPERATOR)
        assert (transit.paid, transit.ledger_bank_clearing, transit.difference) == (
            sum(p.amount for p in day_of_payouts), sum(p.amount for p in day_of_payouts), 0,
        )  # fmt: skip

    def test_a_payout_booked_before_the_bank_says_settled_is_not_a_problem(
        self, session: Session, pilgrim: Pilgrim, till: Till, gateway: SandboxGateway,
        settings: Settings,
    ) -> None:  # fmt: skip
        top_up(session, pilgrim, gateway, 10_000)
        made = _sell_and_pay_out(session, pilgrim, till, settings, 3_000)
        payouts.sync_payouts(session, bank=SandboxBank(), actor=OPERATOR, now=_day()[1])
        session.commit()
        report = _import(session, _statement(session))
        assert (report.booked_not_settled, report.matched, report.needs_attention) == (1, 0, 0)
        assert report.lines[0].payout_id == made.id

    def test_a_paid_payout_missing_from_the_statement_is_listed(
        self, session: Session, day_of_payouts: list[PayoutRead]
    ) -> None:
        second = day_of_payouts[1]

        def drop_second(stmt: ET.Element) -> None:
            stmt.remove(_entry_of(stmt, second))
            _closing(stmt, second.amount)

        report = _import(session, _edit(_statement(session), drop_second))
        assert report.matched == 1
        assert [p.payout_id for p in report.paid_not_on_statement] == [second.id]
        assert report.needs_attention == 1

    def test_another_movement_of_the_account_is_not_a_payout(
        self, session: Session, day_of_payouts: list[PayoutRead]
    ) -> None:
        def add_gateway_settlement(stmt: ET.Element) -> None:
            entry = ET.SubElement(stmt, f"{{{CAMT053}}}Ntry")
            for name, text in (("Amt", "1500.00"), ("CdtDbtInd", "CRDT")):
                ET.SubElement(entry, f"{{{CAMT053}}}{name}").text = text
            entry[0].set("Ccy", "SAR")
            status = ET.SubElement(entry, f"{{{CAMT053}}}Sts")
            ET.SubElement(status, f"{{{CAMT053}}}Cd").text = "BOOK"
            details = ET.SubElement(entry, f"{{{CAMT053}}}NtryDtls")
            refs = ET.SubElement(
                ET.SubElement(details, f"{{{CAMT053}}}TxDtls"), f"{{{CAMT053}}}Refs"
            )
            ET.SubElement(refs, f"{{{CAMT053}}}EndToEndId").text = "GW-SETTLE-20261215"
            _closing(stmt, 150_000)

        report = _import(session, _edit(_statement(session), add_gateway_settlement))
        assert (report.matched, report.not_a_payout, report.needs_attention) == (2, 1, 0)
        other = report.lines[-1]
        assert (other.outcome, other.direction, other.amount, other.payout_id) == (
            "not_a_payout", "CRDT", 150_000, None,
        )  # fmt: skip

    def test_a_returned_payout_shows_as_a_return(
        self, session: Session, pilgrim: Pilgrim, till: Till, gateway: SandboxGateway,
        settings: Settings,
    ) -> None:  # fmt: skip
        payouts.set_bank_account(
            session, merchant_id=till.merchant.id, actor=OPERATOR,
            account_in=BankAccountIn(iban=IBAN_CLOSED, holder="Closed Co"),
        )  # fmt: skip
        top_up(session, pilgrim, gateway, 10_000)
        made = _sell_and_pay_out(session, pilgrim, till, settings, 4_000)
        _run_bank(session, SandboxBank(), _day()[1])
        report = _import(session, _statement(session))
        # As a real bank books it: the debit, then the money back with the return's reason.
        assert [(line.direction, line.outcome, line.return_code) for line in report.lines] == [
            ("DBIT", "matched", None), ("CRDT", "returned", "AC04"),
        ]  # fmt: skip
        assert {line.payout_id for line in report.lines} == {made.id}
        assert (report.returns, report.needs_attention, report.closing_balance) == (1, 0, OPENING)


class TestImportOnce:
    def test_the_same_file_again_answers_the_first_report_and_changes_nothing(
        self, session: Session, day_of_payouts: list[PayoutRead]
    ) -> None:
        document = _statement(session)
        first = _import(session, document)
        again = _import(session, document)
        assert again == first
        assert (_count(session, BankStatement), _count(session, BankStatementLine)) == (1, 2)
        audits = select(func.count()).where(AuditEntry.action == "wallet.bank_statement.import")
        assert session.scalar(audits) == 1

    def test_the_same_id_from_a_different_file_is_refused(
        self, session: Session, day_of_payouts: list[PayoutRead]
    ) -> None:
        document = _statement(session)
        _import(session, document)
        first = day_of_payouts[0]
        changed = _edit(
            document,
            lambda stmt: (_entry_amount(stmt, first, "1.00"), _closing(stmt, first.amount - 100)),
        )
        with pytest.raises(StatementExists, match="from a different file") as refused:
            _import(session, changed)
        assert refused.value.status == 409
        assert refused.value.code == "statement_exists_with_different_content"

    def test_a_statement_that_does_not_add_up_is_refused_saying_by_how_much(
        self, session: Session, day_of_payouts: list[PayoutRead]
    ) -> None:
        broken = _edit(_statement(session), lambda stmt: _closing(stmt, 1_000))
        with pytest.raises(StatementUnbalanced, match=r"\(10\.00 SAR apart\)") as refused:
            _import(session, broken)
        assert refused.value.status == 422
        session.rollback()
        assert (_count(session, BankStatement), _count(session, BankStatementLine)) == (0, 0)

    def test_only_an_operator_may_import(self, session: Session, till: Till) -> None:
        with pytest.raises(Forbidden):
            bankmatching.import_statement(session, document=_statement(session), actor=till.actor)


V02 = """<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt>
<GrpHdr><MsgId>M1</MsgId><CreDtTm>2026-12-15T23:59:59+03:00</CreDtTm></GrpHdr>
<Stmt><Id>S-0002</Id><CreDtTm>2026-12-15T23:59:59+03:00</CreDtTm>
<Acct><Id><IBAN>SA41 1000 0000 0000 0000 0201</IBAN></Id><Ccy>SAR</Ccy></Acct>
<Bal><Tp><CdOrPrtry><Cd>OPBD</Cd></CdOrPrtry></Tp><Amt Ccy="SAR">10.00</Amt>
<CdtDbtInd>DBIT</CdtDbtInd><Dt><Dt>2026-12-15</Dt></Dt></Bal>
<Bal><Tp><CdOrPrtry><Cd>CLBD</Cd></CdOrPrtry></Tp><Amt Ccy="SAR">30.50</Amt>
<CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>2026-12-15</Dt></Dt></Bal>
<Ntry><Amt Ccy="SAR">{amount}</Amt><CdtDbtInd>CRDT</CdtDbtInd><RvslInd>true</RvslInd>
<Sts>BOOK</Sts><BookgDt><Dt>2026-12-15</Dt></BookgDt><AcctSvcrRef>B-1</AcctSvcrRef>
<NtryDtls><TxDtls><Refs><EndToEndId>E2E-1</EndToEndId></Refs>
<RtrInf><Rsn><Cd>AC04</Cd></Rsn></RtrInf></TxDtls></NtryDtls></Ntry>
<Ntry><Amt Ccy="SAR">99.00</Amt><CdtDbtInd>DBIT</CdtDbtInd><Sts>PDNG</Sts></Ntry>
</Stmt></BkToCstmrStmt></Document>"""


class TestReading:
    def test_a_version_02_statement_is_read_with_its_pending_entries_left_out(self) -> None:
        (stmt,) = parse_statements(V02.format(amount="40.50").encode())
        assert (stmt.statement_id, stmt.iban, stmt.currency) == (
            "S-0002", PLATFORM_IBAN, "SAR",
        )  # fmt: skip
        assert (stmt.opening_balance, stmt.closing_balance, stmt.pending_skipped) == (
            -1_000, 3_050, 1,
        )  # fmt: skip
        (entry,) = stmt.entries
        assert (entry.amount, entry.direction, entry.reversal, entry.return_code) == (
            4_050, "CRDT", True, "AC04",
        )  # fmt: skip
        assert (entry.end_to_end_id, entry.bank_reference, entry.booked_on) == (
            "E2E-1", "B-1", date(2026, 12, 15),
        )  # fmt: skip

    @pytest.mark.parametrize(
        ("document", "says"),
        [
            (b"\x00\x01 not xml", "the file is not XML"),
            (b"<Document xmlns='urn:iso:std:iso:20022:tech:xsd:pain.001.001.09'/>",
             "not a camt.053 statement"),
            (V02.format(amount="40.505").encode(),
             "Stmt 1, Ntry 1: Amt: '40.505' has more decimals than SAR has (2)"),
            (V02.format(amount="forty").encode(), "Stmt 1, Ntry 1: Amt: 'forty' is not an amount"),
            (V02.format(amount="").encode(), "Stmt 1, Ntry 1: Amt is missing"),
            (V02.format(amount="40.50").replace('Ccy="SAR">40.50', 'Ccy="USD">40.50').encode(),
             "Stmt 1, Ntry 1: Amt is in USD, the account is in SAR"),
            (b'<!DOCTYPE d [<!ENTITY x "y">]><d>&x;</d>', "XML features refused"),
        ],
    )  # fmt: skip
    def test_a_file_that_cannot_be_read_is_refused_saying_where(
        self, document: bytes, says: str
    ) -> None:
        with pytest.raises(StatementUnreadable) as refused:
            parse_statements(document)
        assert says in refused.value.message
        assert (refused.value.status, refused.value.code) == (422, "statement_unreadable")


class TestApi:
    def test_an_operator_imports_the_statement_and_reads_its_report(
        self, api: TestClient, world: World, session: Session, day_of_payouts: list[PayoutRead]
    ) -> None:
        op = world.headers("operator") | {"Content-Type": "application/xml"}
        document = _statement(session)
        made = api.post("/api/v1/payouts/bank-statements", content=document, headers=op)
        assert made.status_code == 201, made.text
        body = made.json()
        assert (body["matched"], body["difference"], body["needs_attention"]) == (2, 0, 0)
        again = api.post("/api/v1/payouts/bank-statements", content=document, headers=op)
        assert again.json() == body
        read = api.get(f"/api/v1/payouts/bank-statements/{body['id']}", headers=op)
        assert read.json() == body
        schema = api.get("/api/v1/openapi.json").json()
        path = schema["paths"]["/api/v1/payouts/bank-statements"]["post"]
        assert "application/xml" in path["requestBody"]["content"]

    def test_a_bad_file_answers_422_saying_where_and_a_till_403(
        self, api: TestClient, world: World, session: Session
    ) -> None:
        op = world.headers("operator") | {"Content-Type": "application/xml"}
        bad = api.post(
            "/api/v1/payouts/bank-statements", content=V02.format(amount="1.234"), headers=op
        )
        assert (bad.status_code, bad.json()["error"]) == (422, "statement_unreadable")
        assert bad.json()["detail"].startswith("Stmt 1, Ntry 1: Amt:")
        till = world.headers("merchant") | {"Content-Type": "application/xml"}
        refused = api.post("/api/v1/payouts/bank-statements", content=_statement(session),
                           headers=till)  # fmt: skip
        assert refused.status_code == 403
        missing = api.get(f"/api/v1/payouts/bank-statements/{uuid.uuid4()}", headers=till)
        assert missing.status_code == 403
        huge = b"<Document>" + b" " * bankstatement.MAX_BYTES + b"</Document>"
        too_big = api.post("/api/v1/payouts/bank-statements", content=huge, headers=op)
        assert (too_big.status_code, too_big.json()["error"]) == (422, "statement_unreadable")
        assert "larger than 20 MB" in too_big.json()["detail"]
        assert _count(session, BankStatement) == 0


class TestPage:
    def test_an_operator_uploads_the_statement_and_sees_it_matched(
        self, api: TestClient, world: World, session: Session, day_of_payouts: list[PayoutRead]
    ) -> None:
        log_in(api, "operator")
        page = api.get("/merchants").text
        assert 'action="/merchants/bank-statement"' in page
        second = day_of_payouts[1]
        document = _edit(
            _statement(session),
            lambda stmt: (
                _entry_amount(stmt, second, f"{(second.amount - 100) / 100:.2f}"),
                _closing(stmt, 100),
            ),
        )
        shown = api.post(
            "/merchants/bank-statement",
            data={"csrf_token": csrf_of(page)},
            files={"file": ("statement.xml", document, "application/xml")},
        )
        assert shown.status_code == 200, shown.text
        assert re.search(r"/merchants/bank-statements/[0-9a-f-]{36}$", str(shown.url))
        assert "1 line or payout needs an operator." in shown.text
        assert "The amounts differ" in shown.text
        assert second.id.hex in shown.text
        assert "Paid, as on the statement" in shown.text  # the other payout, in all lines
        listed = api.get("/merchants").text
        assert f"SBX-{_day()[0]:%Y%m%d}-0201" in listed
        arabic = api.get(f"{shown.url.path}?lang=ar").text
        assert "كشف حساب البنك" in arabic
        missing = api.get(f"/merchants/bank-statements/{uuid.uuid4()}")
        assert missing.status_code == 404
        assert "Traceback" not in missing.text
        assert api.get("/merchants/bank-statements/not-an-id").status_code == 422

    def test_a_bad_file_is_refused_on_the_page_and_nothing_is_kept(
        self, api: TestClient, world: World, session: Session
    ) -> None:
        log_in(api, "operator")
        page = api.get("/merchants").text
        refused = api.post(
            "/merchants/bank-statement",
            data={"csrf_token": csrf_of(page)},
            files={"file": ("statement.xml", b"<not-camt/>", "application/xml")},
        )
        assert refused.status_code == 422
        assert "This file is not a bank statement Labbaik can read (camt.053)." in refused.text
        assert _count(session, BankStatement) == 0
        api.cookies.clear()
        log_in(api, "merchant")
        till_page = api.get("/till").text
        forbidden = api.post(
            "/merchants/bank-statement",
            data={"csrf_token": csrf_of(till_page)},
            files={"file": ("statement.xml", _statement(session), "application/xml")},
        )
        assert forbidden.status_code == 403
        assert _count(session, BankStatement) == 0


def test_the_cli_refuses_a_bad_file_in_one_line(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'labbaik.db'}"
    upgrade(url)
    env = {"LABBAIK_DATABASE_URL": url, "LABBAIK_SECRET_KEY": "bank-statement-cli-secret-0123456"}
    bad = tmp_path / "statement.xml"
    bad.write_text(V02.format(amount="12,50"))
    done = labbaik("wallet", "bank-statement", str(bad), **env)
    assert done.returncode == 1
    assert done.stderr.splitlines() == [
        "error [statement_unreadable]: Stmt 1, Ntry 1: Amt: '12,50' is not an amount"
    ]
    assert "Traceback" not in done.stdout + done.stderr
    good = tmp_path / "good.xml"
    good.write_text(V02.format(amount="40.50"))
    imported = labbaik("wallet", "bank-statement", str(good), **env)
    assert imported.returncode == 0, imported.stderr
    assert "statement S-0002 of SA4110000000000000000201" in imported.stdout
    assert "not a payout 1" in imported.stdout
