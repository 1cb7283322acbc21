"""The card on an NFC tag: one NDEF record of external type `labbaik.org:hj1` whose payload is
the same bytes the QR code carries (docs/credential.md, section 4)."""

from __future__ import annotations

import ndef

from labbaik.cards.errors import CardTooLarge, UnsupportedFormat

RECORD_TYPE = "urn:nfc:ext:labbaik.org:hj1"
NTAG215_USER_BYTES = 504
# The message sits in a TLV on the tag: a type byte, a three-byte length, and a terminator.
MAX_MESSAGE_BYTES = NTAG215_USER_BYTES - 5


def message_for(body: bytes) -> bytes:
    """The NDEF message to write to the tag."""
    message = b"".join(ndef.message_encoder([ndef.Record(RECORD_TYPE, "", body)]))
    if len(message) > MAX_MESSAGE_BYTES:
        raise CardTooLarge(
            f"the NDEF message is {len(message)} bytes; an NTAG215 holds {MAX_MESSAGE_BYTES}"
        )
    return message


def body_from_message(data: bytes) -> bytes:
    """The card's bytes from an NDEF message read off a tag; UnsupportedFormat otherwise."""
    if len(data) > 64 * 1024:
        raise UnsupportedFormat("the NDEF message is far larger than any tag")
    try:
        records = list(ndef.message_decoder(data, errors="strict"))
    except Exception as exc:
        # ndeflib raises more than DecodeError on hostile bytes (struct and index errors);
        # every one of them means "not a tag of ours".
        raise UnsupportedFormat(f"not an NDEF message: {exc}") from None
    for record in records:
        if record.type == RECORD_TYPE:
            return bytes(record.data)
    raise UnsupportedFormat(f"the NDEF message holds no {RECORD_TYPE} record")
