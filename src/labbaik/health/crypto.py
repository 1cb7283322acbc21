"""Encryption of the health record at rest: AES-256-GCM, keys by id, bound to the pilgrim."""

from __future__ import annotations

import base64
import binascii
import json
import os
import uuid
from dataclasses import dataclass
from functools import lru_cache

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from labbaik.health.errors import HealthKeyError, RecordUnreadable
from labbaik.settings import Settings, get_settings

NONCE_BYTES = 12
# Part of the associated data, so that a ciphertext of another kind (or format version)
# never decrypts as a health record.
_PURPOSE = b"labbaik.health.record.v1"


@dataclass(frozen=True)
class Sealed:
    key_id: str
    # The nonce followed by the ciphertext and its tag.
    blob: bytes


def associated_data(pilgrim_id: uuid.UUID, key_id: str) -> bytes:
    """What the tag binds the ciphertext to: its pilgrim and key, so a copied row fails."""
    return _PURPOSE + b"|" + pilgrim_id.bytes + b"|" + key_id.encode()


class Keyring:
    """The keys that decrypt, and the one that encrypts."""

    def __init__(self, keys: dict[str, bytes], current: str) -> None:
        if current not in keys:
            raise HealthKeyError(
                f"the current health key {current!r} is not among LABBAIK_HEALTH_KEYS "
                f"({', '.join(sorted(keys)) or 'none'})"
            )
        self._ciphers = {key_id: AESGCM(key) for key_id, key in keys.items()}
        self.current = current

    @property
    def key_ids(self) -> frozenset[str]:
        return frozenset(self._ciphers)

    def seal(self, plaintext: bytes, *, pilgrim_id: uuid.UUID) -> Sealed:
        nonce = os.urandom(NONCE_BYTES)
        cipher = self._ciphers[self.current]
        blob = nonce + cipher.encrypt(nonce, plaintext, associated_data(pilgrim_id, self.current))
        return Sealed(self.current, blob)

    def open(self, sealed: Sealed, *, pilgrim_id: uuid.UUID) -> bytes:
        cipher = self._ciphers.get(sealed.key_id)
        if cipher is None:
            raise HealthKeyError(
                f"the health record is encrypted with key {sealed.key_id!r}, which "
                "LABBAIK_HEALTH_KEYS does not hold"
            )
        nonce, body = sealed.blob[:NONCE_BYTES], sealed.blob[NONCE_BYTES:]
        try:
            return cipher.decrypt(nonce, body, associated_data(pilgrim_id, sealed.key_id))
        except InvalidTag:
            raise RecordUnreadable(
                "the health record does not decrypt for this pilgrim: it was altered or "
                "copied from another record"
            ) from None


def parse_keys(raw: str) -> dict[str, bytes]:
    """LABBAIK_HEALTH_KEYS: a JSON object of key id to base64 of exactly 32 bytes."""
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise HealthKeyError(f"LABBAIK_HEALTH_KEYS is not JSON: {exc.msg}") from None
    if not isinstance(data, dict) or not data:
        raise HealthKeyError("LABBAIK_HEALTH_KEYS must be a JSON object of key id to base64 key")
    keys: dict[str, bytes] = {}
    for key_id, text in data.items():
        if not isinstance(text, str) or not key_id or len(key_id) > 32:
            raise HealthKeyError(f"LABBAIK_HEALTH_KEYS: key {key_id!r} is not a base64 string")
        try:
            key = base64.b64decode(text, validate=True)
        except (binascii.Error, ValueError):
            raise HealthKeyError(f"LABBAIK_HEALTH_KEYS: key {key_id!r} is not base64") from None
        if len(key) != 32:
            raise HealthKeyError(
                f"LABBAIK_HEALTH_KEYS: key {key_id!r} has {len(key)} bytes; AES-256 needs 32"
            )
        keys[key_id] = key
    return keys


def keyring_for(settings: Settings) -> Keyring:
    return _cached_keyring(settings.health_keys, settings.health_key_id)


@lru_cache(maxsize=4)
def _cached_keyring(raw: str, current: str) -> Keyring:
    return Keyring(parse_keys(raw), current)


def keyring() -> Keyring:
    return keyring_for(get_settings())
