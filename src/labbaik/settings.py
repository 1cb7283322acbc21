"""The one typed settings class, read from LABBAIK_* environment variables."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEV_SECRET = "dev-secret-change-me"  # noqa: S105 - the default production refuses
DEV_CARD_PASSPHRASE = "dev-card-passphrase-change-me"  # noqa: S105 - refused in production
# The health record's development key (32 bytes, base64): production refuses it.
DEV_HEALTH_KEY = "ZGV2LWhlYWx0aC1rZXktbm90LWZvci1wcm9kdWN0aW8="
DEV_HEALTH_KEYS = '{"dev": "' + DEV_HEALTH_KEY + '"}'


class UnsafeSettings(Exception):
    """A setting that must never reach production does.

    Not a ValueError: pydantic would wrap that in a ValidationError, and callers could not
    tell an unsafe production setting from a mistyped one.
    """


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="LABBAIK_", env_file=".env", extra="ignore")

    environment: Literal["development", "test", "production"] = "development"
    database_url: str = "sqlite:///labbaik.db"
    secret_key: str = Field(default=DEV_SECRET, min_length=16)
    # Sessions live a working shift: a field worker logs in once a day.
    session_max_age_seconds: int = 12 * 3600
    default_language: Literal["en", "ar"] = "en"
    timezone: str = "Asia/Riyadh"
    host: str = "127.0.0.1"
    port: int = 8000
    # Where the proxy in front of the app is trusted to set X-Forwarded-For.
    trusted_proxies: list[str] = Field(default_factory=lambda: ["127.0.0.1"])
    sql_echo: bool = False
    # Failed logins: after this many in the window, further attempts for the username, and
    # separately from the address, are refused until the failures age out of the window.
    login_max_failures: int = Field(default=10, ge=1, le=10_000)
    login_failure_window_seconds: int = Field(default=900, ge=60, le=86_400)
    # The card signing keys: encrypted PEM files in this folder, never in the database.
    # The key store refuses the default passphrase in production (cards.keys).
    card_key_dir: Path = Path("card-keys")
    card_key_passphrase: str = Field(default=DEV_CARD_PASSPHRASE, min_length=12)
    # The short issuer name in every card (CWT claim iss); part of each QR code, so short.
    card_issuer: str = Field(default="SA", min_length=1, max_length=16)
    # The health record's AES-256-GCM keys: a JSON map of key id to a base64 32-byte key, and
    # the id that encrypts new records (the others still decrypt until a rotation re-encrypts).
    health_keys: str = DEV_HEALTH_KEYS
    health_key_id: str = "dev"
    # The wallet: the payment gateway for top-ups ("sandbox" is refused in production), limits
    # in halalas per pilgrim per Riyadh day, the payment above which a passkey must confirm, and
    # the relying party the pilgrims' passkeys are bound to.
    wallet_gateway: Literal["sandbox"] | None = None
    # The bank that pays merchants out ("sandbox" is refused in production, as the gateway is).
    wallet_payout_bank: Literal["sandbox"] | None = None
    wallet_sandbox_autodeliver: bool | None = None
    wallet_sandbox_webhook_url: str = "http://127.0.0.1:8000/api/v1/wallet/gateway/webhook"
    wallet_webhook_tolerance_seconds: int = Field(default=300, ge=30, le=3600)
    wallet_daily_limit: int = Field(default=300_000, ge=0)
    wallet_step_up_above: int = Field(default=50_000, ge=0)
    wallet_fee_bps: int = Field(default=100, ge=0, le=1000)
    wallet_quote_seconds: int = Field(default=300, ge=30, le=3600)
    webauthn_rp_id: str = "localhost"
    webauthn_rp_name: str = "Labbaik"
    webauthn_origins: list[str] = Field(
        default_factory=lambda: ["http://localhost:8000", "http://127.0.0.1:8000"]
    )

    @property
    def is_production(self) -> bool:
        return self.environment == "production"

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @model_validator(mode="after")
    def _refuse_unsafe_production(self) -> Settings:
        if not self.is_production:
            return self
        if self.secret_key == DEV_SECRET or len(self.secret_key) < 32:
            raise UnsafeSettings(
                "LABBAIK_SECRET_KEY must be set to a random value of 32 characters or more "
                "in production (python -c 'import secrets; print(secrets.token_urlsafe(48))')"
            )
        if DEV_HEALTH_KEY in self.health_keys or self.health_key_id == "dev":
            raise UnsafeSettings(
                "LABBAIK_HEALTH_KEYS and LABBAIK_HEALTH_KEY_ID must name a key of your own in "
                'production (a JSON map such as \'{"2026a": "<base64 of 32 random bytes>"}\')'
            )
        if self.wallet_gateway == "sandbox":
            raise UnsafeSettings(
                "LABBAIK_WALLET_GATEWAY=sandbox credits wallets with money nobody paid: "
                "production needs a real payment gateway"
            )
        if self.wallet_payout_bank == "sandbox":
            raise UnsafeSettings(
                "LABBAIK_WALLET_PAYOUT_BANK=sandbox marks payouts paid that no bank sent: "
                "production needs a real bank"
            )
        return self

    @property
    def wallet_gateway_name(self) -> str | None:
        """The gateway in use: the sandbox outside production unless one is named."""
        if self.wallet_gateway is not None:
            return self.wallet_gateway
        return None if self.is_production else "sandbox"

    @property
    def wallet_payout_bank_name(self) -> str | None:
        """The bank of payouts: the sandbox outside production unless one is named."""
        if self.wallet_payout_bank is not None:
            return self.wallet_payout_bank
        return None if self.is_production else "sandbox"

    @property
    def wallet_sandbox_delivers(self) -> bool:
        """Whether the sandbox posts its webhooks to the app by itself (development only)."""
        if self.wallet_sandbox_autodeliver is not None:
            return self.wallet_sandbox_autodeliver
        return self.environment == "development"

    def sqlite_path(self) -> Path | None:
        if not self.is_sqlite:
            return None
        _, _, path = self.database_url.partition(":///")
        return Path(path) if path and path != ":memory:" else None


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
