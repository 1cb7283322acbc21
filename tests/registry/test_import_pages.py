"""The import page (upload, preview, confirm) and the export downloads, as a browser uses them."""

from __future__ import annotations

import io
import re
from typing import Any

import openpyxl
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from labbaik.registry import import_pages
from labbaik.registry.models import Pilgrim

# The password every account of the test world has (tests/conftest.py).
PASSWORD = "correct horse battery"
HEADER = (
    "surname,given_names,surname_ar,sex,date_of_birth,nationality,passport_number,passport_expiry"
)
GOOD = [
    "Santoso,Budi,سانتوسو,M,1958-02-03,IDN,B1000001,2031-06-30",
    "Wijaya,Siti,ويجايا,F,1961-11-20,IDN,B1000002,2030-01-31",
]


def csv_bytes(*rows: str) -> bytes:
    return ("\ufeff" + "\r\n".join([HEADER, *rows]) + "\r\n").encode()


def form_value(html: str, name: str) -> str:
    found = re.search(rf'name="{name}" value="([^"]+)"', html)
    assert found, f"the page has no {name}"
    return found.group(1)


def log_in(client: TestClient, username: str) -> None:
    token = form_value(client.get("/login").text, "csrf_token")
    response = client.post(
        "/login",
        data={"username": username, "password": PASSWORD, "csrf_token": token},
        follow_redirects=False,
    )
    assert response.status_code == 303


def upload(
    client: TestClient,
    data: bytes,
    *,
    company: str = "IDN-MORA",
    name: str = "pilgrims.csv",
    csrf: str | None = None,
) -> Any:
    form = client.get("/pilgrims/import").text
    return client.post(
        "/pilgrims/import",
        data={"company": company, "csrf_token": csrf or form_value(form, "csrf_token")},
        files={"file": (name, data, "text/csv")},
    )


def confirm(client: TestClient, token: str) -> Any:
    csrf = form_value(client.get("/pilgrims/import").text, "csrf_token")
    return client.post("/pilgrims/import/confirm", data={"token": token, "csrf_token": csrf})


def count(engine: Engine) -> int:
    with Session(engine) as session:
        return session.scalar(select(func.count()).select_from(Pilgrim)) or 0


def stat(html: str, name: str) -> int:
    found = re.search(rf'id="count-{name}">(\d+)<', html)
    assert found, f"no count of {name}"
    return int(found.group(1))


class TestImport:
    def test_the_preview_shows_counts_rows_and_problems_and_stores_nothing(
        self, client: TestClient, engine: Engine
    ) -> None:
        log_in(client, "operator")
        bad = "Halim,Agus,,M,1960-02-30,IDN,B1000003,2031-01-01"
        response = upload(client, csv_bytes(*GOOD, bad))
        assert response.status_code == 200
        html = response.text
        assert (stat(html, "new"), stat(html, "changed"), stat(html, "bad")) == (2, 0, 1)
        assert "<td>4</td><td><code>date_of_birth</code></td>" in html
        assert "&#39;1960-02-30&#39; is not a calendar date" in html
        assert "سانتوسو" in html
        assert count(engine) == 2

    def test_confirming_imports_the_good_rows(self, client: TestClient, engine: Engine) -> None:
        log_in(client, "operator")
        bad = "Halim,Agus,,M,1960-02-30,IDN,B1000003,2031-01-01"
        token = form_value(upload(client, csv_bytes(*GOOD, bad)).text, "token")
        response = confirm(client, token)
        assert response.status_code == 200
        html = response.text
        counts = [stat(html, n) for n in ("added", "updated", "unchanged", "bad")]
        assert counts == [2, 0, 0, 1]
        assert "&#39;1960-02-30&#39; is not a calendar date" in html
        assert count(engine) == 4
        assert not (import_pages.STAGING / token).exists()

    def test_the_same_file_again_has_nothing_to_import(self, client: TestClient) -> None:
        log_in(client, "operator")
        confirm(client, form_value(upload(client, csv_bytes(*GOOD)).text, "token"))
        html = upload(client, csv_bytes(*GOOD)).text
        assert (stat(html, "new"), stat(html, "unchanged")) == (0, 2)
        assert "Nothing to import" in html

    def test_a_changed_row_is_shown_with_its_changes(self, client: TestClient) -> None:
        log_in(client, "operator")
        confirm(client, form_value(upload(client, csv_bytes(*GOOD)).text, "token"))
        html = upload(client, csv_bytes(GOOD[0].replace("Budi", "Budi Agus"), GOOD[1])).text
        assert stat(html, "changed") == 1
        assert "<code>given_names</code>" in html

    def test_an_xlsx_file(self, client: TestClient) -> None:
        book = openpyxl.Workbook()
        sheet = book.active
        assert sheet is not None
        for line in [HEADER, *GOOD]:
            sheet.append(line.split(","))
        data = io.BytesIO()
        book.save(data)
        log_in(client, "company")
        html = upload(client, data.getvalue(), name="pilgrims.xlsx").text
        assert stat(html, "new") == 2

    def test_an_upload_can_be_confirmed_once(self, client: TestClient, engine: Engine) -> None:
        log_in(client, "operator")
        token = form_value(upload(client, csv_bytes(*GOOD)).text, "token")
        assert confirm(client, token).status_code == 200
        again = confirm(client, token)
        assert again.status_code == 422
        assert "expired or was imported already" in again.text
        assert count(engine) == 4

    def test_another_session_cannot_confirm_an_upload(
        self, client: TestClient, engine: Engine
    ) -> None:
        log_in(client, "operator")
        token = form_value(upload(client, csv_bytes(*GOOD)).text, "token")
        client.cookies.clear()
        log_in(client, "admin")
        assert confirm(client, token).status_code == 422
        assert count(engine) == 2

    def test_a_made_up_token_is_refused(self, client: TestClient) -> None:
        log_in(client, "operator")
        upload(client, csv_bytes(*GOOD))
        assert confirm(client, "../../etc/passwd").status_code == 422

    def test_wrong_columns_are_refused_and_the_upload_dropped(self, client: TestClient) -> None:
        log_in(client, "operator")
        before = set(import_pages.STAGING.glob("*"))
        response = upload(client, b"surname,religion\nSantoso,x\n")
        assert response.status_code == 422
        assert "unknown column(s): religion" in response.text
        assert set(import_pages.STAGING.glob("*")) <= before

    def test_a_company_sees_only_its_own_company(self, client: TestClient) -> None:
        log_in(client, "company")
        html = client.get("/pilgrims/import").text
        assert 'value="IDN-MORA"' in html
        assert "SAU-RAHMA" not in html

    def test_a_company_cannot_import_into_another_company(
        self, client: TestClient, engine: Engine
    ) -> None:
        log_in(client, "company")
        response = upload(client, csv_bytes(*GOOD), company="SAU-RAHMA")
        assert response.status_code == 404
        assert count(engine) == 2

    @pytest.mark.parametrize("username", ["field-worker", "officer", "pilgrim"])
    def test_roles_that_may_not_import(self, client: TestClient, username: str) -> None:
        log_in(client, username)
        assert client.get("/pilgrims/import").status_code == 403
        assert upload(client, csv_bytes(*GOOD)).status_code == 403

    def test_an_upload_needs_the_forms_token(self, client: TestClient) -> None:
        log_in(client, "operator")
        assert upload(client, csv_bytes(*GOOD), csrf="forged").status_code == 403

    def test_the_link_is_in_the_menu_of_who_may_import(self, client: TestClient) -> None:
        log_in(client, "company")
        assert 'href="/pilgrims/import"' in client.get("/").text
        client.cookies.clear()
        log_in(client, "medic")
        assert 'href="/pilgrims/import"' not in client.get("/").text


class TestExport:
    def test_csv_download(self, client: TestClient) -> None:
        log_in(client, "operator")
        response = client.get("/pilgrims/export.csv")
        assert response.status_code == 200
        assert response.headers["content-type"] == "text/csv; charset=utf-8"
        disposition = response.headers["content-disposition"]
        assert disposition == 'attachment; filename="pilgrims-1447-all.csv"'
        assert response.content.startswith(b"\xef\xbb\xbfsurname,")
        assert "القحطاني" in response.content.decode("utf-8-sig")

    def test_xlsx_download_of_one_company(self, client: TestClient) -> None:
        log_in(client, "operator")
        response = client.get("/pilgrims/export.xlsx", params={"company": "SAU-RAHMA"})
        assert response.status_code == 200
        assert "pilgrims-1447-SAU-RAHMA.xlsx" in response.headers["content-disposition"]
        sheet = openpyxl.load_workbook(io.BytesIO(response.content)).worksheets[0]
        assert [row[7] for row in sheet.iter_rows(min_row=2, values_only=True)] == ["A7654321"]

    def test_a_company_downloads_only_its_own(self, client: TestClient) -> None:
        log_in(client, "company")
        lines = client.get("/pilgrims/export.csv").content.decode("utf-8-sig").splitlines()
        assert len(lines) == 2
        assert "C1234567" in lines[1]
        assert (
            client.get("/pilgrims/export.csv", params={"company": "SAU-RAHMA"}).status_code == 404
        )

    def test_a_role_that_may_not_export(self, client: TestClient) -> None:
        log_in(client, "field-worker")
        assert client.get("/pilgrims/export.csv").status_code == 403
