"""The interchange format (JSON): an instance to plan and the schedule that answers it."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from labbaik.errors import FieldProblem, InvalidInput
from labbaik.tafweej.planning.errors import InvalidInstance, InvalidSchedule

Slot = Annotated[int, Field(ge=0)]
Id = Annotated[str, Field(min_length=1, max_length=200)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class After(_Model):
    """The group's slot for this movement is at least its slot for `movement` plus `min_gap`."""

    movement: Id
    min_gap: Annotated[int, Field(ge=0)] = 0


class Route(_Model):
    """A way to move (walk, bus, metro): persons per slot, and the slots a group occupies it."""

    id: Id
    capacity: Annotated[int, Field(ge=0)] | list[Annotated[int, Field(ge=0)]]
    duration: Annotated[int, Field(ge=1)] = 1
    movements: list[Id]

    def capacity_at(self, slot: int) -> int:
        return self.capacity if isinstance(self.capacity, int) else self.capacity[slot]


class Movement(_Model):
    """A movement of the season: its window (both ends included) and the slots forbidden in it."""

    id: Id
    window: tuple[Slot, Slot]
    forbidden: list[Slot] = []
    after: After | None = None


class Group(_Model):
    """A group moving together: its size, the routes it may take, its wishes and its no-go slots."""

    id: Id
    size: Annotated[int, Field(ge=1)]
    routes: Annotated[list[Id], Field(min_length=1)]
    preferred: dict[str, Slot] = {}
    forbidden: dict[str, list[Slot]] = {}


class Instance(_Model):
    """A season to plan. Constructing one checks every reference (else InvalidInstance)."""

    slot_minutes: Annotated[int, Field(ge=1)]
    start: datetime
    slots: Annotated[int, Field(ge=1)]
    routes: list[Route]
    movements: list[Movement]
    groups: list[Group]

    @model_validator(mode="after")
    def _references_hold(self) -> Instance:
        problems = instance_problems(self)
        if problems:
            raise InvalidInstance(_count(problems, "instance"), problems=problems)
        return self

    def to_json(self, *, indent: int | None = None) -> str:
        return self.model_dump_json(indent=indent, exclude_none=True)

    def movement_order(self) -> list[str]:
        """Movement ids so that each comes after the one it must follow (`after`)."""
        by_id = {m.id: m for m in self.movements}
        done: dict[str, None] = {}

        def visit(mid: str) -> None:
            if mid in done:
                return
            after = by_id[mid].after
            if after is not None:
                visit(after.movement)
            done[mid] = None

        for m in self.movements:
            visit(m.id)
        return list(done)


class Assignment(_Model):
    """One group's start slot and route for one movement."""

    group: Id
    movement: Id
    slot: Slot
    route: Id


class Schedule(_Model):
    """A plan: one assignment per group and movement, its objective and a proven lower bound."""

    assignments: list[Assignment]
    objective: Annotated[int, Field(ge=0)]
    lower_bound: Annotated[int, Field(ge=0)] | None = None
    seconds: Annotated[float, Field(ge=0)] = 0.0

    def to_json(self, *, indent: int | None = None) -> str:
        return self.model_dump_json(indent=indent, exclude_none=True)


def instance_problems(instance: Instance) -> list[FieldProblem]:
    """Everything wrong with the references inside an instance, each named by where it is."""
    problems: list[FieldProblem] = []

    def bad(field: str, message: str) -> None:
        problems.append(FieldProblem(field=field, message=message))

    slots = instance.slots
    _duplicates(bad, "routes", [r.id for r in instance.routes])
    _duplicates(bad, "movements", [m.id for m in instance.movements])
    _duplicates(bad, "groups", [g.id for g in instance.groups])
    movement_ids = {m.id for m in instance.movements}
    route_ids = {r.id for r in instance.routes}

    for r in instance.routes:
        where = f"routes[{r.id}]"
        if isinstance(r.capacity, list) and len(r.capacity) != slots:
            bad(
                f"{where}.capacity",
                f"has {len(r.capacity)} values, expected one per slot ({slots})",
            )
        if r.duration > slots:
            bad(f"{where}.duration", f"{r.duration} is longer than the {slots} slots")
        for mid in sorted(set(r.movements) - movement_ids):
            bad(f"{where}.movements", f"unknown movement {mid!r}")

    served = {mid for r in instance.routes for mid in r.movements}
    for m in instance.movements:
        where = f"movements[{m.id}]"
        lo, hi = m.window
        if hi >= slots:
            bad(f"{where}.window", f"[{lo}, {hi}] goes past the last slot {slots - 1}")
        if lo > hi:
            bad(f"{where}.window", f"starts at {lo} after it ends at {hi}")
        outside = sorted({s for s in m.forbidden if s >= slots})
        if outside:
            bad(f"{where}.forbidden", f"slots {outside} are past the last slot {slots - 1}")
        if m.id not in served:
            bad(f"{where}", "no route serves this movement")
        if m.after is not None and m.after.movement not in movement_ids:
            bad(f"{where}.after.movement", f"unknown movement {m.after.movement!r}")
    cycle = _precedence_cycle(instance.movements, movement_ids)
    if cycle:
        bad("movements.after", "precedence forms a cycle: " + " -> ".join(cycle))

    for g in instance.groups:
        where = f"groups[{g.id}]"
        for rid in sorted(set(g.routes) - route_ids):
            bad(f"{where}.routes", f"unknown route {rid!r}")
        for mid in sorted(set(g.preferred) - movement_ids):
            bad(f"{where}.preferred", f"unknown movement {mid!r}")
        for mid, slot in g.preferred.items():
            if slot >= slots:
                bad(f"{where}.preferred.{mid}", f"slot {slot} is past the last slot {slots - 1}")
        for mid, forbidden in g.forbidden.items():
            if mid not in movement_ids:
                bad(f"{where}.forbidden", f"unknown movement {mid!r}")
            outside = sorted({s for s in forbidden if s >= slots})
            if outside:
                bad(f"{where}.forbidden.{mid}", f"slots {outside} are past the last slot")
    return problems


def _duplicates(bad: Any, field: str, ids: list[str]) -> None:
    seen: set[str] = set()
    repeated: dict[str, None] = {}
    for i in ids:
        if i in seen:
            repeated[i] = None
        seen.add(i)
    for i in repeated:
        bad(field, f"id {i!r} appears more than once")


def _precedence_cycle(movements: list[Movement], known: set[str]) -> list[str]:
    after = {m.id: m.after.movement for m in movements if m.after and m.after.movement in known}
    for start in after:
        path = [start]
        node = start
        while node in after:
            node = after[node]
            if node in path:
                return [*path[path.index(node) :], node]
            path.append(node)
    return []


def _validation_problems(exc: ValidationError, data: Any) -> list[FieldProblem]:
    problems = []
    for err in exc.errors():
        field = _located(err["loc"], data)
        problems.append(FieldProblem(field=field, message=err["msg"]))
    return problems


def _located(loc: tuple[int | str, ...], data: Any) -> str:
    # Name list items by their id ("groups[G00001].size") rather than a position when possible.
    text = ""
    node = data
    for key in loc:
        if isinstance(key, int):
            ident = None
            if isinstance(node, list) and 0 <= key < len(node):
                node = node[key]
                ident = node.get("id") if isinstance(node, dict) else None
            else:
                node = None
            text += f"[{ident if isinstance(ident, str) else key}]"
        else:
            text += f".{key}" if text else key
            node = node.get(key) if isinstance(node, dict) else None
    return text or "(root)"


M = TypeVar("M", bound=BaseModel)


def _count(problems: list[FieldProblem], what: str) -> str:
    return f"the {what} has {len(problems)} problem{'' if len(problems) == 1 else 's'}"


def _parse(model: type[M], data: Any, error: type[InvalidInput], what: str) -> M:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        problems = _validation_problems(exc, data)
        raise error(_count(problems, what), problems=problems) from None


def parse_instance(data: Any) -> Instance:
    """An instance from decoded JSON; any problem raises InvalidInstance naming each field."""
    return _parse(Instance, data, InvalidInstance, "instance")


def parse_schedule(data: Any) -> Schedule:
    """A schedule from decoded JSON (its structure only; `check` judges it against an instance)."""
    return _parse(Schedule, data, InvalidSchedule, "schedule")


def _read_json(path: Path, error: type[InvalidInstance] | type[InvalidSchedule]) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise error(f"cannot read {path}: {exc.strerror}") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise error(f"{path} is not JSON: {exc}") from None


def load_instance(path: Path) -> Instance:
    return parse_instance(_read_json(path, InvalidInstance))


def load_schedule(path: Path) -> Schedule:
    return parse_schedule(_read_json(path, InvalidSchedule))
