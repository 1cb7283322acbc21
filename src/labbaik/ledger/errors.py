"""Errors of the ledger, with stable codes. Refusals of single items are result codes instead."""

from labbaik.errors import InvalidInput, NotFound


class LedgerAccountNotFound(NotFound):
    code = "ledger_account_not_found"


class TransferNotFound(NotFound):
    code = "transfer_not_found"


class BatchTooLarge(InvalidInput):
    code = "batch_too_large"
