"""The smart Hajj card: a signed CWT in a QR code and an NFC tag, its keys, status and verifier."""
