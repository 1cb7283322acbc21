"""Signed webhooks and the gateway settings, without a database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from labbaik.settings import Settings, UnsafeSettings
from labbaik.wallet.errors import WebhookRejected
from labbaik.wallet.gateway import sign, verify

SECRET = b"s" * 32
NOW = datetime(2026, 5, 25, 12, 0, tzinfo=UTC)
BODY = b'{"id":"evt_1"}'


class TestSignature:
    def test_a_fresh_signature_over_the_raw_body_is_accepted(self) -> None:
        verify(SECRET, BODY, sign(SECRET, BODY, int(NOW.timestamp())), now=NOW, tolerance=300)

    def test_one_changed_byte_of_the_body_is_refused(self) -> None:
        header = sign(SECRET, BODY, int(NOW.timestamp()))
        with pytest.raises(WebhookRejected, match="does not match"):
            verify(SECRET, BODY.replace(b"1", b"2"), header, now=NOW, tolerance=300)

    def test_a_signature_older_than_the_window_is_a_replay(self) -> None:
        old = int((NOW - timedelta(seconds=301)).timestamp())
        with pytest.raises(WebhookRejected, match="replay"):
            verify(SECRET, BODY, sign(SECRET, BODY, old), now=NOW, tolerance=300)

    def test_while_secrets_rotate_either_signature_is_accepted(self) -> None:
        stamp = int(NOW.timestamp())
        old_secret = sign(b"o" * 32, BODY, stamp).partition("v1=")[2]
        header = f"{sign(SECRET, BODY, stamp)},v1={old_secret}"
        verify(b"o" * 32, BODY, header, now=NOW, tolerance=300)

    def test_a_missing_header_is_refused(self) -> None:
        with pytest.raises(WebhookRejected, match="missing"):
            verify(SECRET, BODY, None, now=NOW, tolerance=300)


class TestSettings:
    def test_production_refuses_the_sandbox_gateway(self) -> None:
        with pytest.raises(UnsafeSettings, match="sandbox"):
            Settings(environment="production", secret_key="k" * 40, wallet_gateway="sandbox")

    def test_production_has_no_gateway_unless_one_is_named(self) -> None:
        assert Settings(environment="production", secret_key="k" * 40).wallet_gateway_name is None
        assert Settings(environment="test").wallet_gateway_name == "sandbox"

    def test_the_sandbox_delivers_by_itself_in_development_only(self) -> None:
        assert Settings(environment="development").wallet_sandbox_delivers
        assert not Settings(environment="test").wallet_sandbox_delivers
