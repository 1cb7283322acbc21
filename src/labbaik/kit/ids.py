"""Identifiers: UUIDv7 inside, human numbers with a check digit outside."""

from __future__ import annotations

import os
import threading
import time
import uuid

_lock = threading.Lock()
_last_ms = 0
_counter = 0


def uuid7() -> uuid.UUID:
    """A time-ordered UUID (RFC 9562, version 7), so that new rows land at the end of indexes.

    Within one millisecond a 12-bit counter keeps ids from one process increasing.
    """
    global _last_ms, _counter  # noqa: PLW0603 - module-level clock state guarded by _lock
    with _lock:
        now_ms = time.time_ns() // 1_000_000
        if now_ms <= _last_ms:
            _counter += 1
            if _counter > 0xFFF:
                _last_ms += 1
                _counter = 0
            now_ms = _last_ms
        else:
            _last_ms = now_ms
            _counter = int.from_bytes(os.urandom(2), "big") & 0x3FF
        counter = _counter
    rand_b = int.from_bytes(os.urandom(8), "big") & ((1 << 62) - 1)
    value = (now_ms & ((1 << 48) - 1)) << 80
    value |= 0x7 << 76
    value |= counter << 64
    value |= 0b10 << 62
    value |= rand_b
    return uuid.UUID(int=value)


_ALPHABET = "0123456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no I or O: they read as 1 and 0


def _mod97_check(body: str) -> str:
    """ISO 7064 MOD 97-10 over the digits and letters of body: catches every single error
    and every transposition of two neighbours, which is what a hand-typed number suffers."""
    # The body is read as one base-36 number. Spelling each letter as two decimal digits (as
    # IBAN does) shifts the weights of what follows, and then a letter typed for a digit can
    # go unnoticed; with one weight per character, 97 being prime catches every such error.
    return f"{98 - (int(body, 36) * 100 % 97):02d}"


def with_check(body: str) -> str:
    """A human number: the body followed by two check characters."""
    body = body.upper()
    if not body or any(c not in _ALPHABET for c in body):
        raise ValueError(f"a human number may only hold {_ALPHABET}, not {body!r}")
    return body + _mod97_check(body)


def is_valid_check(number: str) -> bool:
    number = number.strip().upper().replace("-", "").replace(" ", "")
    if len(number) < 3 or any(c not in _ALPHABET for c in number):
        return False
    return _mod97_check(number[:-2]) == number[-2:]
