"""Errors of planning, with stable codes: a bad instance or schedule, an infeasible season."""

from __future__ import annotations

from dataclasses import dataclass

from labbaik.errors import DomainError, FieldProblem, InvalidInput


class InvalidInstance(InvalidInput):
    code = "tafweej_invalid_instance"


class InvalidSchedule(InvalidInput):
    code = "tafweej_invalid_schedule"


@dataclass(frozen=True)
class Shortfall:
    """Why a movement cannot be planned: the slots it had and the pilgrims left without a place."""

    movement: str
    slots: tuple[int, ...]
    groups: int
    pilgrims: int
    reason: str


class Infeasible(DomainError):
    """No schedule meets every hard constraint; says which movement, which slots, how many."""

    code = "tafweej_infeasible"
    status = 422

    def __init__(self, shortfalls: list[Shortfall]) -> None:
        self.shortfalls = shortfalls
        super().__init__(
            "no schedule meets every constraint: "
            + "; ".join(_describe(s) for s in shortfalls[:5])
            + (f"; and {len(shortfalls) - 5} more" if len(shortfalls) > 5 else ""),
            problems=[
                FieldProblem(field=f"movements[{s.movement}]", message=_describe(s))
                for s in shortfalls
            ],
        )

    def one_line(self) -> str:
        return f"error [{self.code}]: {self.message}"


def _describe(s: Shortfall) -> str:
    if s.slots:
        span = f"slots {s.slots[0]}-{s.slots[-1]}" if len(s.slots) > 1 else f"slot {s.slots[0]}"
    else:
        span = "no usable slot"
    return (
        f"movement {s.movement}: {s.pilgrims} pilgrims in {s.groups} groups cannot be placed "
        f"({span}): {s.reason}"
    )


class PlannerFailed(DomainError):
    """The planner found no schedule although none was proven impossible."""

    code = "tafweej_planner_failed"
    status = 422
