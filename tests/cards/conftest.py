"""Fixtures of the card tests: signing keys in a temporary folder, cards for the world."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from labbaik.auth.roles import system_actor
from labbaik.cards import keys
from labbaik.cards.schemas import TrustKey
from labbaik.settings import get_settings

PASSPHRASE = "test passphrase of the card keys"


@pytest.fixture
def key_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    directory = tmp_path / "card-keys"
    monkeypatch.setenv("LABBAIK_CARD_KEY_DIR", str(directory))
    monkeypatch.setenv("LABBAIK_CARD_KEY_PASSPHRASE", PASSPHRASE)
    get_settings.cache_clear()
    yield directory
    get_settings.cache_clear()


@pytest.fixture
def card_keys(session: Session, world: object, key_dir: Path) -> list[TrustKey]:
    """A root and the 1447 signer (ES256), committed."""
    made = keys.init_keys(session, season=1447, actor=system_actor("test"))
    session.commit()
    return made
