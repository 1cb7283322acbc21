"""Business errors with stable codes, and how the API, the pages and the CLI show them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar


@dataclass
class FieldProblem:
    """One thing wrong with the input: where (a field, maybe a row) and why."""

    field: str
    message: str
    row: int | None = None

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"field": self.field, "message": self.message}
        if self.row is not None:
            out["row"] = self.row
        return out


class DomainError(Exception):
    """An error the user can act on. Raised by services, rendered once per edge.

    Most refusals undo their unit of work: nothing of a refused action is kept. A refusal that
    `keeps_record` says the opposite: what the unit wrote before it is a record that must stand
    (the scan and audit entry of a refused card, a failed login), so the edge commits it and
    then answers the error. Such a refusal is raised before anything else is written.
    """

    code: ClassVar[str] = "error"
    status: ClassVar[int] = 400
    keeps_record: bool = False

    def __init__(
        self,
        message: str,
        *,
        problems: list[FieldProblem] | None = None,
        keeps_record: bool | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.problems = problems or []
        if keeps_record is not None:
            self.keeps_record = keeps_record

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"error": self.code, "detail": self.message}
        if self.problems:
            out["problems"] = [p.as_dict() for p in self.problems]
        return out

    def one_line(self) -> str:
        text = f"error [{self.code}]: {self.message}"
        if self.problems:
            text += "; " + "; ".join(
                (f"row {p.row}, " if p.row is not None else "") + f"{p.field}: {p.message}"
                for p in self.problems[:5]
            )
            if len(self.problems) > 5:
                text += f"; and {len(self.problems) - 5} more"
        return text


class NotFound(DomainError):
    code = "not_found"
    status = 404


class InvalidInput(DomainError):
    code = "invalid_input"
    status = 422


class Conflict(DomainError):
    code = "conflict"
    status = 409


class NotAuthenticated(DomainError):
    code = "not_authenticated"
    status = 401


class Forbidden(DomainError):
    code = "forbidden"
    status = 403


class Busy(DomainError):
    """A scarce resource is locked by another writer; the client should try again shortly."""

    code = "busy"
    status = 409

    def __init__(self, message: str, *, retry_after: int = 1) -> None:
        super().__init__(message)
        self.retry_after = retry_after


def keeps_record(error: BaseException) -> bool:
    """Whether the unit of work that `error` ended is committed rather than rolled back."""
    return isinstance(error, DomainError) and error.keeps_record
