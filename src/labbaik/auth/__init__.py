"""Accounts, roles and their scopes, login, API tokens and the audit log."""
