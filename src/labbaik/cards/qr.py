"""The card's QR code: rendered at error correction Q (version 15 at most), and read back
from a PNG or a photo."""

from __future__ import annotations

import io
import warnings

import segno
import zxingcpp
from PIL import Image

from labbaik.cards.credential import PREFIX
from labbaik.cards.errors import CardTooLarge, UnsupportedFormat

ERROR_LEVEL = "q"
MAX_VERSION = 15
# A phone photo is some 12 megapixels; more is not a photo of a card.
MAX_PIXELS = 40_000_000


def make(text: str) -> segno.QRCode:
    """The QR code of a card's text: alphanumeric mode, level Q, never above version 15."""
    code = segno.make(text, error=ERROR_LEVEL, boost_error=False, micro=False)
    # segno names Micro QR versions as text ("M4"); micro=False makes it an int.
    if int(code.version) > MAX_VERSION:
        raise CardTooLarge(
            f"the card needs a version {code.version} QR code; at most {MAX_VERSION} is allowed"
        )
    return code


def version_of(text: str) -> int:
    return int(make(text).version)


def png(text: str, *, scale: int = 4, border: int = 4) -> bytes:
    out = io.BytesIO()
    make(text).save(out, kind="png", scale=scale, border=border)
    return out.getvalue()


def read_image(data: bytes) -> list[str]:
    """The text of every QR code in an image (PNG, JPEG, ...), in the order found."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            opened = Image.open(io.BytesIO(data))
            if opened.width * opened.height > MAX_PIXELS:
                raise UnsupportedFormat(f"the image is larger than {MAX_PIXELS} pixels")
            image = opened.convert("L")
    except (OSError, ValueError, Image.DecompressionBombWarning, Image.DecompressionBombError):
        raise UnsupportedFormat("the file is not an image this reader knows") from None
    found = zxingcpp.read_barcodes(
        image, formats=zxingcpp.BarcodeFormats(zxingcpp.BarcodeFormat.QRCode)
    )
    return [barcode.text for barcode in found if barcode.valid]


def card_text_from_image(data: bytes) -> str:
    """The one card text in an image; UnsupportedFormat when none is there."""
    texts = read_image(data)
    for text in texts:
        if text.startswith(PREFIX):
            return text
    if texts:
        raise UnsupportedFormat(f"the image holds a QR code, but not a card ({PREFIX}...)")
    raise UnsupportedFormat("no QR code found in the image")
