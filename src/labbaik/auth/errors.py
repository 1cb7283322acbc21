"""Errors of login, tokens and accounts."""

from labbaik.errors import Conflict, NotAuthenticated


class BadCredentials(NotAuthenticated):
    code = "bad_credentials"


class InvalidToken(NotAuthenticated):
    code = "invalid_token"


class UsernameTaken(Conflict):
    code = "username_taken"
