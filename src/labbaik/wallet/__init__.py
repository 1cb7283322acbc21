"""The pilgrim's wallet and the merchants who accept it, on the ledger."""
