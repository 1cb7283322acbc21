"""Errors of the wallet and the merchants, with stable codes."""

from labbaik.errors import Conflict, DomainError, Forbidden, InvalidInput, NotFound


class WalletNotFound(NotFound):
    code = "wallet_not_found"


class WalletExists(Conflict):
    code = "wallet_exists"


class MerchantNotFound(NotFound):
    code = "merchant_not_found"


class MerchantInactive(Conflict):
    code = "merchant_inactive"


class DuplicateMerchant(Conflict):
    code = "duplicate_merchant"


class NotAMerchant(Forbidden):
    code = "not_a_merchant"


class QuoteNotFound(NotFound):
    code = "quote_not_found"


class QuoteExpired(Conflict):
    code = "quote_expired"


class QuoteNotOpen(Conflict):
    code = "quote_not_open"


class PaymentNotFound(NotFound):
    code = "payment_not_found"


class InsufficientFunds(Conflict):
    code = "insufficient_funds"


class DailyLimitExceeded(Conflict):
    code = "daily_limit_exceeded"


class RefundTooLarge(Conflict):
    code = "refund_too_large"


class NothingToPayOut(Conflict):
    code = "nothing_to_pay_out"


class NoBankAccount(Conflict):
    """A payout needs the merchant's bank account on file (an operator sets it)."""

    code = "no_bank_account"


class PayoutNotFound(NotFound):
    code = "payout_not_found"


class PayoutBankUnavailable(DomainError):
    code = "payout_bank_unavailable"
    status = 503


class TopUpNotFound(NotFound):
    code = "topup_not_found"


class InvalidMerchantQR(InvalidInput):
    code = "invalid_merchant_qr"


class IdempotencyKeyRequired(InvalidInput):
    code = "idempotency_key_required"


class IdempotencyKeyReused(InvalidInput):
    """The same key came with a different request: the first one's answer belongs to it."""

    code = "idempotency_key_reused"


class StepUpRequired(DomainError):
    """The payment is above the limit: a passkey assertion bound to this quote must confirm it."""

    code = "step_up_required"
    status = 401


class StepUpFailed(Forbidden):
    code = "step_up_failed"


class PasskeyRegistrationFailed(InvalidInput):
    code = "passkey_registration_failed"


class NoPasskey(Conflict):
    code = "no_passkey"


class PasskeyNotFound(NotFound):
    """No passkey of the caller's own account has this id (another pilgrim's is not told)."""

    code = "passkey_not_found"


class PasskeyStillNeeded(Conflict):
    """The last passkey cannot go while a payment above the limit waits for its confirmation."""

    code = "passkey_still_needed"


class GatewayUnavailable(DomainError):
    code = "gateway_unavailable"
    status = 503


class WebhookRejected(DomainError):
    """A webhook whose signature, timestamp or body does not hold: never acted upon."""

    code = "webhook_rejected"
    status = 400


class WebhookTooEarly(Conflict):
    """A notification about a top-up this side has not stored yet: the gateway retries later."""

    code = "webhook_too_early"


class LedgerRefused(Conflict):
    code = "ledger_refused"


class CardRefused(DomainError):
    """The till's card did not verify; `code` says why, the message says it in words.

    The refused read stays recorded (a scan and an audit entry): it keeps its record."""

    code = "card_refused"
    status = 422
    keeps_record = True


class CardRevoked(CardRefused):
    code = "card_revoked"


class CardSuspended(CardRefused):
    code = "card_suspended"


class CardExpired(CardRefused):
    code = "card_expired"


class CardNotYetValid(CardRefused):
    code = "card_not_yet_valid"


class CardUnknownSigner(CardRefused):
    code = "card_unknown_signer"


class CardTampered(CardRefused):
    code = "card_tampered"


class CardUnreadable(CardRefused):
    code = "card_unreadable"


CARD_REFUSALS: dict[str, type[CardRefused]] = {
    "revoked": CardRevoked,
    "suspended": CardSuspended,
    "expired": CardExpired,
    "not_yet_valid": CardNotYetValid,
    "unknown_signer": CardUnknownSigner,
    "tampered": CardTampered,
    "unreadable": CardUnreadable,
}


class StatementUnreadable(InvalidInput):
    """A bank statement file that is not a camt.053 this side can read: the message says what
    and where (the statement, the entry number, the element)."""

    code = "statement_unreadable"


class StatementUnbalanced(InvalidInput):
    """Opening balance + credits - debits is not the closing balance: the file is not whole."""

    code = "statement_unbalanced"


class StatementExists(Conflict):
    """A statement with this Id for this account was imported from a different file."""

    code = "statement_exists_with_different_content"


class BankStatementNotFound(NotFound):
    code = "bank_statement_not_found"
