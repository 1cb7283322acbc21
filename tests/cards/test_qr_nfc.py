"""The QR code (level Q, version 15 at most, read back from a PNG) and the NFC record
(one NDEF record that fits an NTAG215)."""

from __future__ import annotations

import io

import ndef
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from labbaik.cards import credential, nfc, qr
from labbaik.cards.errors import CardTooLarge, UnsupportedFormat
from tests.cards.conftest import CLAIMS, ES256_ISSUER

BODY = credential.sign_claims(CLAIMS, ES256_ISSUER.signer)
TEXT = credential.qr_text_for(BODY)


class TestQr:
    def test_a_card_is_a_level_q_code_of_version_15_or_lower(self) -> None:
        code = qr.make(TEXT)
        assert code.error == "Q"
        assert code.mode == "alphanumeric"
        assert code.version <= 15

    def test_the_longest_text_the_format_allows_still_fits_version_15(self) -> None:
        assert qr.version_of("HJ1:" + "A" * (credential.MAX_QR_CHARS - 4)) == 15

    def test_a_longer_text_is_refused(self) -> None:
        with pytest.raises(CardTooLarge, match="version 16"):
            qr.make("HJ1:" + "A" * credential.MAX_QR_CHARS)

    def test_the_png_reads_back_as_the_same_text(self) -> None:
        assert qr.card_text_from_image(qr.png(TEXT)) == TEXT

    def test_a_photo_like_image_reads_back_too(self) -> None:
        # Smaller, blurred and on a grey background, as a phone photo of a printed card is.
        card = Image.open(io.BytesIO(qr.png(TEXT, scale=3))).convert("L")
        photo = Image.new("L", (card.width + 200, card.height + 160), 170)
        photo.paste(card.rotate(7, expand=True, fillcolor=255), (90, 60))
        out = io.BytesIO()
        photo.save(out, "JPEG", quality=70)
        assert qr.card_text_from_image(out.getvalue()) == TEXT

    def test_an_image_without_a_code_says_so(self) -> None:
        out = io.BytesIO()
        Image.new("L", (200, 200), 255).save(out, "PNG")
        with pytest.raises(UnsupportedFormat, match="no QR code"):
            qr.card_text_from_image(out.getvalue())

    def test_another_qr_code_is_not_a_card(self) -> None:
        with pytest.raises(UnsupportedFormat, match="not a card"):
            qr.card_text_from_image(qr.png("HTTPS://EXAMPLE.ORG"))

    def test_bytes_that_are_not_an_image_are_refused(self) -> None:
        with pytest.raises(UnsupportedFormat, match="not an image"):
            qr.card_text_from_image(b"GIF89a garbage")


class TestNfc:
    def test_the_tag_holds_one_external_record_with_the_qr_codes_bytes(self) -> None:
        message = nfc.message_for(BODY)
        (record,) = ndef.message_decoder(message)
        assert record.type == "urn:nfc:ext:labbaik.org:hj1"
        assert bytes(record.data) == BODY
        assert nfc.body_from_message(message) == BODY

    def test_the_largest_card_fits_an_ntag215(self) -> None:
        # The QR limit bounds the body: 422 Base45 characters carry at most 281 bytes.
        body_limit = (credential.MAX_QR_CHARS - len(credential.PREFIX)) * 2 // 3
        assert credential.base45_length(body_limit) <= credential.MAX_QR_CHARS - 4
        assert len(nfc.message_for(b"\x00" * body_limit)) <= nfc.MAX_MESSAGE_BYTES

    def test_a_message_too_large_for_the_tag_is_refused(self) -> None:
        with pytest.raises(CardTooLarge, match="NTAG215"):
            nfc.message_for(b"\x00" * 600)

    def test_a_message_without_our_record_is_refused(self) -> None:
        other = b"".join(ndef.message_encoder([ndef.UriRecord("https://example.org")]))
        with pytest.raises(UnsupportedFormat, match=r"no urn:nfc:ext:labbaik\.org:hj1"):
            nfc.body_from_message(other)

    @settings(max_examples=300)
    @given(st.binary(max_size=300))
    def test_random_bytes_give_unsupported_format_and_nothing_else(self, data: bytes) -> None:
        try:
            nfc.body_from_message(data)
        except UnsupportedFormat:
            return
