"""Pages of the registry: the pilgrim list and search, a pilgrim, companies and seasons."""

from __future__ import annotations

import re
from datetime import date
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from labbaik.auth.roles import system_actor
from labbaik.registry import pages, service
from labbaik.registry.schemas import PilgrimCreate
from tests.conftest import PASSWORD


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "the page has no CSRF token"
    return found.group(1)


def log_in(client: TestClient, username: str) -> None:
    token = csrf_of(client.get("/login").text)
    form = {"username": username, "password": PASSWORD, "next": "/", "csrf_token": token}
    response = client.post("/login", data=form, follow_redirects=False)
    assert response.status_code == 303, response.text


def listed(html: str) -> list[str]:
    """The pilgrim ids the list page links to, in order and once each."""
    return list(dict.fromkeys(re.findall(r'href="/pilgrims/([0-9a-f-]{36})"', html)))


def add_pilgrims(session: Session, world: Any, count: int) -> None:
    for n in range(count):
        service.create_pilgrim(
            session,
            pilgrim_in=PilgrimCreate(
                surname=f"Zulkifli{n:03d}", given_names="Ahmad", sex="M",
                date_of_birth=date(1970, 1, 1), nationality="IDN",
                passport_number=f"X{n:07d}", passport_expiry=date(2030, 1, 1),
                company_id=world.company_a.id, group_id=world.group_a.id,
            ),
            actor=system_actor("test"),
        )  # fmt: skip
    session.commit()


class TestPilgrimList:
    def test_the_operator_sees_every_company_s_pilgrims(
        self, client: TestClient, world: Any
    ) -> None:
        log_in(client, "operator")
        response = client.get("/pilgrims")
        assert response.status_code == 200
        assert listed(response.text) == [str(world.pilgrim_b.id), str(world.pilgrim_a.id)]
        assert "A7654321" in response.text
        assert "Indonesia" in response.text
        assert "IDN-001" in response.text

    def test_the_arabic_name_is_marked_right_to_left(self, client: TestClient) -> None:
        log_in(client, "operator")
        html = client.get("/pilgrims").text
        assert re.search(r'<td class="ar" dir="rtl" lang="ar"><a [^>]+>سيتي آمنة</a>', html)

    @pytest.mark.parametrize(
        "query",
        ["aminah", "Siti Aminah", "آمنة", "امنة", "c1234567"],
        ids=["latin", "latin-two-words", "arabic", "arabic-without-hamza", "passport"],
    )
    def test_a_search_finds_the_pilgrim(self, client: TestClient, world: Any, query: str) -> None:
        log_in(client, "operator")
        response = client.get("/pilgrims", params={"q": query})
        assert response.status_code == 200
        assert listed(response.text) == [str(world.pilgrim_a.id)]
        assert f'value="{query}"' in response.text

    def test_a_search_that_matches_nothing_says_so(self, client: TestClient) -> None:
        log_in(client, "operator")
        response = client.get("/pilgrims", params={"q": "nobody"})
        assert listed(response.text) == []
        assert "No pilgrim matches." in response.text
        assert "0 pilgrims" in response.text

    def test_the_group_filter_keeps_one_group(self, client: TestClient, world: Any) -> None:
        log_in(client, "operator")
        response = client.get("/pilgrims", params={"group_id": str(world.group_b.id)})
        assert listed(response.text) == [str(world.pilgrim_b.id)]
        assert re.search(rf'<option value="{world.group_b.id}" selected>', response.text)

    def test_all_groups_sends_an_empty_group(self, client: TestClient) -> None:
        log_in(client, "operator")
        response = client.get("/pilgrims", params={"q": "", "group_id": ""})
        assert response.status_code == 200
        assert len(listed(response.text)) == 2

    def test_with_many_groups_the_filter_takes_a_group_code(
        self, client: TestClient, world: Any, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setattr(pages, "GROUP_CHOICES", 1)
        log_in(client, "operator")
        response = client.get("/pilgrims", params={"group": "sau-001"})
        assert response.status_code == 200
        assert listed(response.text) == [str(world.pilgrim_b.id)]
        assert '<select id="group_id"' not in response.text
        assert 'name="group" value="SAU-001"' in response.text

    def test_an_unknown_group_code_is_not_found(
        self, client: TestClient, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setattr(pages, "GROUP_CHOICES", 1)
        log_in(client, "operator")
        response = client.get("/pilgrims", params={"group": "NOPE-9"})
        assert response.status_code == 404
        assert "no group has the code &#39;NOPE-9&#39; this season" in response.text

    def test_a_company_cannot_filter_by_another_company_s_group_code(
        self, client: TestClient
    ) -> None:
        log_in(client, "company")
        assert client.get("/pilgrims", params={"group": "SAU-001"}).status_code == 404

    def test_a_company_sees_only_its_own(self, client: TestClient, world: Any) -> None:
        log_in(client, "company")
        response = client.get("/pilgrims")
        assert listed(response.text) == [str(world.pilgrim_a.id)]
        assert "SAU-001" not in response.text  # nor the other company's groups in the filter

    def test_pages_of_fifty_with_previous_and_next(
        self, client: TestClient, session: Session, world: Any
    ) -> None:
        add_pilgrims(session, world, 60)
        log_in(client, "operator")
        first = client.get("/pilgrims", params={"q": "ahmad"}).text
        assert len(listed(first)) == 50
        assert "60 pilgrims" in first
        assert "1 of 2" in first
        assert 'rel="prev"' not in first
        [next_url] = re.findall(r'rel="next" href="([^"]+)"', first)
        assert parse_qs(urlsplit(next_url.replace("&amp;", "&")).query) == {
            "q": ["ahmad"],
            "page": ["2"],
        }
        second = client.get(next_url.replace("&amp;", "&")).text
        assert len(listed(second)) == 10
        assert "2 of 2" in second
        assert 'rel="next"' not in second
        assert not set(listed(first)) & set(listed(second))

    def test_a_field_worker_may_not_list(self, client: TestClient) -> None:
        log_in(client, "field-worker")
        response = client.get("/pilgrims")
        assert response.status_code == 403
        assert "Not allowed" in response.text

    def test_a_stranger_is_sent_to_log_in(self, client: TestClient) -> None:
        response = client.get("/pilgrims?q=ali", follow_redirects=False)
        assert response.status_code == 303
        location = urlsplit(response.headers["location"])
        assert location.path == "/login"
        assert parse_qs(location.query) == {"next": ["/pilgrims?q=ali"]}


class TestPilgrimPage:
    def test_shows_the_record(self, client: TestClient, world: Any) -> None:
        log_in(client, "operator")
        response = client.get(f"/pilgrims/{world.pilgrim_a.id}")
        assert response.status_code == 200
        html = response.text
        for shown in (
            "Siti Aminah", "سيتي آمنة", "Female", "Indonesia", '<span dir="ltr" id="passport">'
            "C1234567</span>", "+6281200000001", "Indonesian", "Indonesian Hajj Mission",
            "IDN-001", "Budi Santoso", "+6281234567890", "Aziziyah Tower", "Mina camp 12/3",
        ):  # fmt: skip
            assert shown in html
        assert f'href="/companies/{world.company_a.id}"' in html

    def test_shows_the_date_of_birth_with_the_hijri_date(
        self, client: TestClient, world: Any
    ) -> None:
        log_in(client, "operator")
        html = client.get(f"/pilgrims/{world.pilgrim_a.id}").text
        assert "2 March 1951 (23 Jumada al-Ula 1370 AH)" in html
        assert "1 January 2030 (26 Shaban 1451 AH)" in html  # the passport's expiry

    def test_without_a_photo_shows_the_initials(self, client: TestClient, world: Any) -> None:
        log_in(client, "operator")
        html = client.get(f"/pilgrims/{world.pilgrim_a.id}").text
        assert '<div class="photo" aria-hidden="true">SA</div>' in html
        assert client.get(f"/pilgrims/{world.pilgrim_a.id}/photo").status_code == 404

    def test_shows_the_photo(self, client: TestClient, session: Session, world: Any) -> None:
        png = b"\x89PNG\r\n\x1a\n" + b"\0" * 32
        service.set_photo(
            session,
            pilgrim_id=world.pilgrim_a.id,
            content_type="image/png",
            data=png,
            actor=system_actor("test"),
        )
        session.commit()
        log_in(client, "company")
        html = client.get(f"/pilgrims/{world.pilgrim_a.id}").text
        assert f'<img class="photo" src="/pilgrims/{world.pilgrim_a.id}/photo"' in html
        photo = client.get(f"/pilgrims/{world.pilgrim_a.id}/photo")
        assert photo.status_code == 200
        assert photo.headers["content-type"] == "image/png"
        assert photo.headers["cache-control"] == "private, max-age=300"
        assert photo.content == png

    def test_a_company_opens_its_own_pilgrim(self, client: TestClient, world: Any) -> None:
        log_in(client, "company")
        response = client.get(f"/pilgrims/{world.pilgrim_a.id}")
        assert response.status_code == 200
        assert "C1234567" in response.text

    def test_another_company_s_pilgrim_is_not_found(self, client: TestClient, world: Any) -> None:
        log_in(client, "company")
        response = client.get(f"/pilgrims/{world.pilgrim_b.id}")
        assert response.status_code == 404
        assert "Not found" in response.text
        assert "Al-Qahtani" not in response.text
        assert client.get(f"/pilgrims/{world.pilgrim_b.id}/photo").status_code == 404

    def test_a_field_worker_sees_the_pilgrim_but_not_the_passport(
        self, client: TestClient, world: Any
    ) -> None:
        log_in(client, "field-worker")
        response = client.get(f"/pilgrims/{world.pilgrim_b.id}")
        assert response.status_code == 200
        assert "Al-Qahtani" in response.text
        assert "A7654321" not in response.text
        assert "1960" not in response.text  # no date of birth either

    def test_a_company_user_s_read_is_audited(self, client: TestClient, world: Any) -> None:
        log_in(client, "company")
        client.get(f"/pilgrims/{world.pilgrim_a.id}")
        client.cookies.clear()
        log_in(client, "operator")
        audit = client.get("/audit", params={"actor": "company", "action": "pilgrim.read"}).text
        assert str(world.pilgrim_a.id) in audit

    def test_a_path_that_is_not_an_id_is_left_to_other_routes(self, client: TestClient) -> None:
        # So that /pilgrims/import and the like are never read as a pilgrim's id.
        log_in(client, "operator")
        response = client.get("/pilgrims/not-an-id")
        assert response.status_code == 404
        assert "Not found" in response.text


class TestCompanyPages:
    def test_the_operator_lists_companies_with_their_counts(
        self, client: TestClient, world: Any
    ) -> None:
        log_in(client, "operator")
        response = client.get("/companies")
        assert response.status_code == 200
        rows = re.findall(
            r"<tr>\s*<td[^>]*><a href=\"/companies/([0-9a-f-]+)\">.*?</tr>", response.text, re.S
        )
        assert rows == [str(world.company_a.id), str(world.company_b.id)]
        assert "Rahma Hajj Company" in response.text
        assert "Hajj mission" in response.text

    def test_a_company_page_shows_details_and_groups(self, client: TestClient, world: Any) -> None:
        log_in(client, "operator")
        response = client.get(f"/companies/{world.company_a.id}")
        assert response.status_code == 200
        for shown in ("Indonesian Hajj Mission", "M-001", "Indonesia", "IDN-001", "Jakarta 1"):
            assert shown in response.text
        assert f'href="/pilgrims?group_id={world.group_a.id}"' in response.text
        assert f'href="/pilgrims?company_id={world.company_a.id}"' in response.text

    def test_its_pilgrims_link_lists_only_that_company(
        self, client: TestClient, world: Any
    ) -> None:
        log_in(client, "operator")
        response = client.get("/pilgrims", params={"company_id": str(world.company_b.id)})
        assert listed(response.text) == [str(world.pilgrim_b.id)]
        assert "Rahma Hajj Company" in response.text

    def test_a_company_finds_its_page_from_the_start_page(
        self, client: TestClient, world: Any
    ) -> None:
        log_in(client, "company")
        assert 'href="/company"' in client.get("/").text
        response = client.get("/company", follow_redirects=False)
        assert response.status_code == 303
        assert response.headers["location"] == f"/companies/{world.company_a.id}"
        assert "Indonesian Hajj Mission" in client.get("/company").text

    def test_another_company_s_page_is_not_found(self, client: TestClient, world: Any) -> None:
        log_in(client, "company")
        assert client.get(f"/companies/{world.company_b.id}").status_code == 404
        filtered = client.get("/pilgrims", params={"company_id": str(world.company_b.id)})
        assert filtered.status_code == 404

    def test_a_company_s_list_of_companies_holds_only_itself(
        self, client: TestClient, world: Any
    ) -> None:
        log_in(client, "company")
        html = client.get("/companies").text
        assert "Indonesian Hajj Mission" in html
        assert "Rahma" not in html

    def test_a_field_worker_may_not_list_companies(self, client: TestClient) -> None:
        log_in(client, "field-worker")
        assert client.get("/companies").status_code == 403


class TestSeasonsPage:
    def test_shows_8_to_13_dhu_al_hijjah(self, client: TestClient) -> None:
        log_in(client, "operator")
        response = client.get("/seasons")
        assert response.status_code == 200
        html = response.text
        assert "Hajj 1447" in html
        assert re.search(r"8 Dhu al-Hijjah</td>\s*<td>Monday 25 May 2026</td>", html)
        assert re.search(r"13 Dhu al-Hijjah</td>\s*<td>Saturday 30 May 2026</td>", html)
        assert "Day of Arafah" in html
        assert "Umm al-Qura calendar" not in html  # the entered date agrees with the calendar

    def test_creates_a_season(self, client: TestClient) -> None:
        log_in(client, "operator")
        token = csrf_of(client.get("/seasons").text)
        form = {"csrf_token": token, "hijri_year": "1448", "name": "Hajj 1448", "day_8": ""}
        response = client.post("/seasons", data=form, follow_redirects=False)
        assert response.status_code == 303
        assert response.headers["location"] == "/seasons"
        html = client.get("/seasons").text
        assert "Hajj 1448</bdi> · 1448 AH" in html
        assert "The date of 8 Dhu al-Hijjah has not been entered yet." in html

    def test_sets_day_8_and_warns_when_the_calendar_disagrees(
        self, client: TestClient, world: Any
    ) -> None:
        log_in(client, "operator")
        token = csrf_of(client.get("/seasons").text)
        response = client.post(
            f"/seasons/{world.season.id}/day-8",
            data={"csrf_token": token, "day_8": "2026-05-26"},
            follow_redirects=False,
        )
        assert response.status_code == 303
        html = client.get("/seasons").text
        assert re.search(r"8 Dhu al-Hijjah</td>\s*<td>Tuesday 26 May 2026</td>", html)
        assert "By the Umm al-Qura calendar this date is 9 Dhu al-Hijjah 1447 AH." in html

    def test_a_day_8_that_is_not_a_date_is_refused(self, client: TestClient, world: Any) -> None:
        log_in(client, "operator")
        token = csrf_of(client.get("/seasons").text)
        response = client.post(
            f"/seasons/{world.season.id}/day-8", data={"csrf_token": token, "day_8": "25/05"}
        )
        assert response.status_code == 422
        assert "Enter a date, such as 2026-05-25." in response.text
        assert "Monday 25 May 2026" in response.text  # the season keeps its date

    def test_an_invalid_season_is_shown_back_with_the_problem(self, client: TestClient) -> None:
        log_in(client, "operator")
        token = csrf_of(client.get("/seasons").text)
        form = {"csrf_token": token, "hijri_year": "1300", "name": "Too old", "day_8": ""}
        response = client.post("/seasons", data=form)
        assert response.status_code == 422
        assert "Enter a Hijri year between 1440 and 1500." in response.text
        assert 'value="Too old"' in response.text

    def test_a_second_season_for_a_year_is_refused(self, client: TestClient) -> None:
        log_in(client, "operator")
        token = csrf_of(client.get("/seasons").text)
        form = {"csrf_token": token, "hijri_year": "1447", "name": "Again", "day_8": ""}
        response = client.post("/seasons", data=form)
        assert response.status_code == 409
        assert "A season for 1447 AH already exists." in response.text

    def test_makes_another_season_current(self, client: TestClient) -> None:
        log_in(client, "operator")
        token = csrf_of(client.get("/seasons").text)
        form = {"csrf_token": token, "hijri_year": "1448", "name": "Hajj 1448"}
        client.post("/seasons", data=form)
        html = client.get("/seasons").text
        [action] = re.findall(r'action="(/seasons/[0-9a-f-]+/current)"', html)
        response = client.post(action, data={"csrf_token": token}, follow_redirects=False)
        assert response.status_code == 303
        html = client.get("/seasons").text
        assert re.search(r"Hajj 1448</bdi> · 1448 AH <span class=\"badge\">Current season", html)

    def test_a_post_without_the_csrf_token_is_refused(self, client: TestClient) -> None:
        log_in(client, "operator")
        client.get("/seasons")
        form = {"hijri_year": "1448", "name": "Hajj 1448"}
        response = client.post("/seasons", data=form, follow_redirects=False)
        assert response.status_code == 403
        assert "1448 AH" not in client.get("/seasons").text

    @pytest.mark.parametrize("username", ["company", "officer", "field-worker"])
    def test_only_operators_manage_seasons(self, client: TestClient, username: str) -> None:
        log_in(client, username)
        assert client.get("/seasons").status_code == 403
        token = csrf_of(client.get("/").text)
        form = {"csrf_token": token, "hijri_year": "1448", "name": "Hajj 1448"}
        assert client.post("/seasons", data=form).status_code == 403


class TestLanguage:
    def test_lang_ar_turns_the_page_right_to_left_and_sticks(self, client: TestClient) -> None:
        log_in(client, "operator")
        response = client.get("/pilgrims?lang=ar")
        assert response.status_code == 200
        assert '<html lang="ar" dir="rtl">' in response.text
        assert "الحجاج" in response.text
        assert "إندونيسيا" in response.text  # the country named in Arabic
        assert "labbaik_lang=ar" in response.headers["set-cookie"]
        again = client.get("/pilgrims")
        assert 'dir="rtl"' in again.text

    def test_the_browser_s_language_is_used_without_a_cookie(self, client: TestClient) -> None:
        log_in(client, "operator")
        client.cookies.delete("labbaik_lang")
        response = client.get("/pilgrims", headers={"Accept-Language": "ar-SA,ar;q=0.9,en;q=0.5"})
        assert '<html lang="ar" dir="rtl">' in response.text
        english = client.get("/pilgrims", headers={"Accept-Language": "en-GB,en;q=0.8"})
        assert '<html lang="en" dir="ltr">' in english.text

    def test_the_pilgrim_page_in_arabic_shows_both_calendars(
        self, client: TestClient, world: Any
    ) -> None:
        log_in(client, "operator")
        html = client.get(f"/pilgrims/{world.pilgrim_a.id}?lang=ar").text
        assert "2 مارس 1951 (23 جمادى الأولى 1370 هـ)" in html
        assert "تاريخ الميلاد" in html
        assert "أنثى" in html


class TestLogin:
    def test_a_wrong_password_shows_the_error(self, client: TestClient) -> None:
        token = csrf_of(client.get("/login").text)
        form = {"username": "operator", "password": "wrong", "csrf_token": token}
        response = client.post("/login", data=form)
        assert response.status_code == 401
        assert "Wrong username or password." in response.text

    def test_a_wrong_password_is_told_in_arabic(self, client: TestClient) -> None:
        token = csrf_of(client.get("/login?lang=ar").text)
        form = {"username": "operator", "password": "wrong", "csrf_token": token}
        response = client.post("/login", data=form)
        assert response.status_code == 401
        assert "اسم المستخدم أو كلمة المرور غير صحيحة." in response.text
