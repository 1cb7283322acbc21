"""Errors of login, tokens and accounts."""

from labbaik.errors import Conflict, DomainError, NotAuthenticated


class BadCredentials(NotAuthenticated):
    code = "bad_credentials"


class InvalidToken(NotAuthenticated):
    code = "invalid_token"


class UsernameTaken(Conflict):
    code = "username_taken"


class TooManyLoginAttempts(DomainError):
    """Too many failed logins for a username or from an address: wait `retry_after` seconds."""

    code = "too_many_login_attempts"
    status = 429

    def __init__(self, message: str, *, retry_after: int, keeps_record: bool = True) -> None:
        super().__init__(message, keeps_record=keeps_record)
        self.retry_after = retry_after
