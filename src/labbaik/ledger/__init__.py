"""The double-entry ledger: accounts, transfers (single-phase, pending, post, void), entries."""
