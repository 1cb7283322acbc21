"""Errors of the card domain, with stable codes."""

from labbaik.errors import Conflict, DomainError, InvalidInput, NotFound


class CardNotFound(NotFound):
    code = "card_not_found"


class NoValidCard(NotFound):
    code = "no_valid_card"


class CardStatusConflict(Conflict):
    """The change does not apply to the card's status (e.g. reinstating a revoked card)."""

    code = "card_status_conflict"


class CardTooLarge(InvalidInput):
    code = "card_too_large"


class NoSigningKey(DomainError):
    """No signer key for the season: `labbaik keys init` has not been run."""

    code = "no_signing_key"
    status = 409


class KeyStoreError(DomainError):
    """The key files are missing, unreadable, or the passphrase does not open them."""

    code = "key_store"
    status = 500


class KeysExist(Conflict):
    code = "keys_exist"


class BadTrustList(InvalidInput):
    code = "bad_trust_list"


class BadStatusList(InvalidInput):
    code = "bad_status_list"


class UnsupportedFormat(InvalidInput):
    code = "unsupported_format"
