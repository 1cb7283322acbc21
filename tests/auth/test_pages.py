"""Pages of auth: logging in and out, the session cookie, CSRF, API tokens and the audit log."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from labbaik.app import create_app
from labbaik.auth.models import AuditEntry
from tests.conftest import production_settings

# The password every account of the test world has (tests/conftest.py).
PASSWORD = "correct horse battery"
COOKIE = "labbaik_session"


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "the page has no CSRF token"
    return found.group(1)


def log_in(client: TestClient, username: str, password: str = PASSWORD, next: str = "/") -> Any:
    token = csrf_of(client.get("/login").text)
    return client.post(
        "/login",
        data={"username": username, "password": password, "next": next, "csrf_token": token},
        follow_redirects=False,
    )


def is_logged_in(client: TestClient) -> bool:
    response = client.get("/", follow_redirects=False)
    if response.status_code == 303:
        assert response.headers["location"].startswith("/login")
        return False
    assert response.status_code == 200
    return True


def set_cookie_of(response: Any) -> str:
    [cookie] = [v for v in response.headers.get_list("set-cookie") if v.startswith(COOKIE + "=")]
    return cookie


@pytest.fixture
def production_client(engine: Engine, world: Any) -> Iterator[TestClient]:
    settings = production_settings(database_url=engine.url.render_as_string(hide_password=False))
    app = create_app(settings, engine=engine)
    with TestClient(app, base_url="https://testserver") as client:
        yield client


class TestLogin:
    def test_the_login_page_carries_a_csrf_token(self, client: TestClient) -> None:
        response = client.get("/login")
        assert response.status_code == 200
        assert len(csrf_of(response.text)) >= 32

    def test_the_right_password_logs_in_and_goes_where_asked(self, client: TestClient) -> None:
        response = log_in(client, "company", next="/tokens")
        assert response.status_code == 303
        assert response.headers["location"] == "/tokens"
        assert is_logged_in(client)

    def test_the_username_is_not_case_sensitive(self, client: TestClient) -> None:
        assert log_in(client, "Company").status_code == 303
        assert is_logged_in(client)

    def test_a_wrong_password_is_refused(self, client: TestClient) -> None:
        response = log_in(client, "company", password="not the password")
        assert response.status_code == 401
        assert "Wrong username or password." in response.text
        assert not is_logged_in(client)

    def test_an_unknown_user_is_told_the_same_as_a_wrong_password(self, client: TestClient) -> None:
        response = log_in(client, "nobody-here")
        assert response.status_code == 401
        assert "Wrong username or password." in response.text
        assert not is_logged_in(client)

    def test_a_disabled_account_cannot_log_in(
        self, client: TestClient, world: Any, session: Any
    ) -> None:
        world.accounts["company"].is_active = False
        session.commit()
        response = log_in(client, "company")
        assert response.status_code == 401
        assert not is_logged_in(client)

    def test_a_disabled_account_loses_its_open_session(
        self, client: TestClient, world: Any, session: Any
    ) -> None:
        log_in(client, "company")
        world.accounts["company"].is_active = False
        session.commit()
        assert not is_logged_in(client)

    @pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/", "evil"])
    def test_it_never_redirects_off_the_site(self, client: TestClient, target: str) -> None:
        response = log_in(client, "company", next=target)
        assert response.status_code == 303
        assert response.headers["location"] == "/"

    def test_a_page_sends_a_stranger_to_log_in_and_then_back(self, client: TestClient) -> None:
        response = client.get("/tokens?x=1&y=2", follow_redirects=False)
        assert response.status_code == 303
        location = urlsplit(response.headers["location"])
        assert location.path == "/login"
        [target] = parse_qs(location.query)["next"]
        assert target == "/tokens?x=1&y=2"
        assert log_in(client, "company", next=target).headers["location"] == target

    def test_logging_out_ends_the_session(self, client: TestClient) -> None:
        log_in(client, "company")
        token = csrf_of(client.get("/tokens").text)
        response = client.post("/logout", data={"csrf_token": token}, follow_redirects=False)
        assert response.status_code == 303
        assert response.headers["location"] == "/login"
        assert not is_logged_in(client)


class TestSessionCookie:
    def test_is_http_only_and_same_site_lax(self, client: TestClient) -> None:
        cookie = set_cookie_of(log_in(client, "company")).lower()
        assert "httponly" in cookie
        assert "samesite=lax" in cookie
        assert "secure" not in cookie.replace(COOKIE, "")

    def test_is_secure_in_production(self, production_client: TestClient) -> None:
        response = log_in(production_client, "company")
        assert response.status_code == 303
        cookie = set_cookie_of(response).lower()
        assert "secure" in cookie.split("; ")
        assert "httponly" in cookie
        assert "samesite=lax" in cookie

    def test_lasts_a_working_shift(self, client: TestClient) -> None:
        cookie = set_cookie_of(log_in(client, "company")).lower()
        assert "max-age=43200" in cookie


class TestSessionRegeneration:
    def test_login_replaces_the_session_cookie(self, client: TestClient) -> None:
        client.get("/login")
        before = client.cookies[COOKIE]
        log_in(client, "company")
        assert client.cookies[COOKIE] != before

    def test_a_session_planted_before_login_is_not_logged_in(self, client: TestClient) -> None:
        # An attacker who set the victim's cookie before login keeps only that old cookie.
        client.get("/login")
        planted = client.cookies[COOKIE]
        log_in(client, "company")
        assert is_logged_in(client)
        client.cookies.clear()
        client.cookies.set(COOKIE, planted)
        assert not is_logged_in(client)

    def test_the_csrf_token_from_before_login_is_worthless_after(self, client: TestClient) -> None:
        old = csrf_of(client.get("/login").text)
        log_in(client, "company")
        response = client.post("/logout", data={"csrf_token": old}, follow_redirects=False)
        assert response.status_code == 403
        assert is_logged_in(client)


class TestCsrf:
    @pytest.fixture
    def logged_in(self, client: TestClient) -> TestClient:
        log_in(client, "company")
        client.get("/tokens")  # a page gives this session its CSRF token
        return client

    @pytest.mark.parametrize("sent", [None, "", "forged-token"])
    def test_a_login_without_the_right_token_is_refused(
        self, client: TestClient, sent: str | None
    ) -> None:
        client.get("/login")
        form = {"username": "company", "password": PASSWORD}
        if sent is not None:
            form["csrf_token"] = sent
        response = client.post("/login", data=form, follow_redirects=False)
        assert response.status_code == 403
        assert not is_logged_in(client)

    def test_a_login_with_no_session_at_all_is_refused(self, client: TestClient) -> None:
        form = {"username": "company", "password": PASSWORD, "csrf_token": "anything"}
        response = client.post("/login", data=form, follow_redirects=False)
        assert response.status_code == 403

    @pytest.mark.parametrize("sent", [None, "forged-token"])
    def test_a_logout_without_the_right_token_is_refused(
        self, logged_in: TestClient, sent: str | None
    ) -> None:
        form = {} if sent is None else {"csrf_token": sent}
        response = logged_in.post("/logout", data=form, follow_redirects=False)
        assert response.status_code == 403
        assert is_logged_in(logged_in)

    @pytest.mark.parametrize("sent", [None, "forged-token"])
    def test_minting_a_token_without_the_right_token_is_refused(
        self, logged_in: TestClient, sent: str | None
    ) -> None:
        form = {"name": "forged"} if sent is None else {"name": "forged", "csrf_token": sent}
        response = logged_in.post("/tokens", data=form, follow_redirects=False)
        assert response.status_code == 403
        assert "forged" not in logged_in.get("/tokens").text


class TestTokensPage:
    def _mint(self, client: TestClient, name: str = "laptop") -> Any:
        token = csrf_of(client.get("/tokens").text)
        return client.post("/tokens", data={"name": name, "csrf_token": token})

    def test_a_minted_token_is_shown_once_and_works(self, client: TestClient) -> None:
        log_in(client, "company")
        response = self._mint(client)
        assert response.status_code == 200
        found = re.search(r'<code id="new-token">(lbk_[^<]+)</code>', response.text)
        assert found
        token = found.group(1)
        me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
        assert me.status_code == 200
        assert me.json()["username"] == "company"

    def test_afterwards_only_its_prefix_is_shown(self, client: TestClient) -> None:
        log_in(client, "company")
        minted = self._mint(client).text
        token = re.search(r'<code id="new-token">(lbk_[^<]+)</code>', minted).group(1)  # type: ignore[union-attr]
        again = client.get("/tokens").text
        assert token not in again
        assert "new-token" not in again
        assert f"<code>{token[:12]}…</code>" in again
        assert "laptop" in again

    def test_a_token_needs_a_name(self, client: TestClient) -> None:
        log_in(client, "company")
        response = self._mint(client, name="   ")
        assert response.status_code == 422

    def test_another_users_tokens_are_not_listed(self, client: TestClient) -> None:
        log_in(client, "company")
        self._mint(client, name="company-laptop")
        client.cookies.clear()
        log_in(client, "company-b")
        assert "company-laptop" not in client.get("/tokens").text


class TestAuditPage:
    @pytest.fixture
    def activity(self, client: TestClient, world: Any) -> None:
        """The company reads its pilgrim and company B lists its own."""
        pilgrim = f"/api/v1/pilgrims/{world.pilgrim_a.id}"
        assert client.get(pilgrim, headers=world.headers("company")).status_code == 200
        assert client.get("/api/v1/pilgrims", headers=world.headers("company_b")).status_code == 200

    def _rows(self, html: str) -> list[tuple[str, str]]:
        """(user, action) of each row of the results table."""
        return re.findall(
            r"<td>([\w.-]+) <span class=\"muted\">.*?<code>([\w.]+)</code>", html, re.S
        )

    def test_the_operator_finds_entries_by_user(self, client: TestClient, activity: None) -> None:
        log_in(client, "operator")
        response = client.get("/audit", params={"actor": "company"})
        assert response.status_code == 200
        assert self._rows(response.text) == [("company", "pilgrim.read")]

    def test_the_operator_finds_entries_by_action(
        self, client: TestClient, world: Any, activity: None
    ) -> None:
        log_in(client, "operator")
        response = client.get("/audit", params={"action": "pilgrim.list"})
        assert response.status_code == 200
        assert self._rows(response.text) == [("company-b", "pilgrim.list")]

    def test_an_entry_shows_where_it_came_from(self, client: TestClient, activity: None) -> None:
        log_in(client, "operator")
        response = client.get("/audit", params={"actor": "company"})
        assert "testclient" in response.text

    def test_a_search_that_matches_nothing_says_so(self, client: TestClient) -> None:
        log_in(client, "operator")
        response = client.get("/audit", params={"actor": "nobody"})
        assert response.status_code == 200
        assert "Nothing found." in response.text

    @pytest.mark.parametrize("username", ["company", "field-worker", "officer"])
    def test_others_get_403(self, client: TestClient, username: str) -> None:
        log_in(client, username)
        assert client.get("/audit").status_code == 403

    def test_a_stranger_is_sent_to_log_in(self, client: TestClient) -> None:
        response = client.get("/audit", follow_redirects=False)
        assert response.status_code == 303
        assert parse_qs(urlsplit(response.headers["location"]).query)["next"] == ["/audit"]


class TestFailedLoginsOnThePage:
    @pytest.fixture
    def strict_client(self, engine: Engine, world: Any) -> Iterator[TestClient]:
        from labbaik.settings import Settings  # noqa: PLC0415

        settings = Settings(
            environment="test",
            database_url=engine.url.render_as_string(hide_password=False),
            login_max_failures=2,
        )
        with TestClient(create_app(settings, engine=engine)) as client:
            yield client

    def test_a_failed_login_is_in_the_audit_log_afterwards(
        self, client: TestClient, engine: Engine
    ) -> None:
        assert log_in(client, "company", "wrong-one!").status_code == 401
        with Session(engine) as session:
            entries = session.scalars(
                select(AuditEntry).where(AuditEntry.action == "auth.login_failed")
            ).all()
        assert [(e.actor_username, (e.detail or {}).get("address")) for e in entries] == [
            ("company", "testclient")
        ]

    def test_past_the_limit_the_page_says_to_wait_in_english(
        self, strict_client: TestClient
    ) -> None:
        log_in(strict_client, "company", "wrong-one!")
        log_in(strict_client, "company", "wrong-two!")
        refused = log_in(strict_client, "company", PASSWORD)
        assert refused.status_code == 429
        assert 850 <= int(refused.headers["retry-after"]) <= 900
        assert "Too many failed logins. Try again in 15 minutes." in refused.text
        assert not is_logged_in(strict_client)

    def test_past_the_limit_the_page_says_to_wait_in_arabic(
        self, strict_client: TestClient
    ) -> None:
        strict_client.get("/login?lang=ar")
        log_in(strict_client, "nobody", "wrong-one!")
        log_in(strict_client, "nobody-else", "wrong-two!")
        refused = log_in(strict_client, "medic", PASSWORD)
        assert refused.status_code == 429
        assert "محاولات دخول فاشلة كثيرة. حاول مرة أخرى بعد 15 دقيقةً." in refused.text
