"""Base45 (RFC 9285): bytes as QR-alphanumeric text, strict on the way in."""

from __future__ import annotations

import struct

ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"

_INVALID = 0xFF
# One C-speed translate turns the text into digit values; any byte outside the alphabet
# becomes 0xFF and is found with one search.
_VALUES = bytes(ALPHABET.index(chr(b)) if chr(b) in ALPHABET else _INVALID for b in range(256))
_CHARS = ALPHABET


class Base45Error(ValueError):
    """The text is not Base45: a character outside the alphabet, a bad length or a chunk
    whose value does not fit."""


def encode(data: bytes) -> str:
    """Two bytes become three characters (least significant first), a last byte two."""
    even = len(data) & ~1
    chars = _CHARS
    out = "".join(
        [
            chars[n % 45] + chars[n // 45 % 45] + chars[n // 2025]
            for n in struct.unpack(f">{even // 2}H", data[:even])
        ]
    )
    if even != len(data):
        last = data[-1]
        out += chars[last % 45] + chars[last // 45]
    return out


def decode(text: str | bytes) -> bytes:
    """The bytes that text spells; Base45Error for anything that is not canonical Base45."""
    if isinstance(text, str):
        try:
            raw = text.encode("ascii")
        except UnicodeEncodeError:
            raise Base45Error("Base45 text holds a character outside ASCII") from None
    elif isinstance(text, bytes | bytearray | memoryview):
        raw = bytes(text)
    else:
        raise Base45Error(f"Base45 input must be text or bytes, not {type(text).__name__}")
    values = raw.translate(_VALUES)
    bad = values.find(_INVALID)
    if bad >= 0:
        char = raw[bad : bad + 1]
        raise Base45Error(f"character {char!r} at {bad} is not in the Base45 alphabet")
    size = len(values)
    tail = size % 3
    if tail == 1:
        raise Base45Error(f"Base45 text cannot be {size} characters long (3n or 3n+2)")
    full = size - tail
    chunks = full // 3
    # Each chunk is c + 45 d + 2025 e. Rather than a Python loop over chunks, the three digit
    # streams are laid into 32-bit lanes of three big integers and summed at C speed; a lane
    # above 0xFFFF (at most 91124, so no carry into the next lane) is a chunk that does not fit.
    lanes = bytearray(4 * chunks)
    lanes[3::4] = values[0:full:3]
    low = int.from_bytes(lanes, "big")
    lanes[3::4] = values[1:full:3]
    middle = int.from_bytes(lanes, "big")
    lanes[3::4] = values[2:full:3]
    high = int.from_bytes(lanes, "big")
    words = (low + 45 * middle + 2025 * high).to_bytes(4 * chunks, "big")
    if words[1::4].count(0) != chunks:
        raise Base45Error("a Base45 chunk of three characters is worth more than two bytes")
    decoded = bytearray(2 * chunks)
    decoded[0::2] = words[2::4]
    decoded[1::2] = words[3::4]
    out = bytes(decoded)
    if tail:
        last = values[full] + values[full + 1] * 45
        if last > 0xFF:
            raise Base45Error("the last two Base45 characters are worth more than one byte")
        out += bytes((last,))
    return out
