"""Pydantic in/out models of Tafweej in the platform: season data, plans, schedules, next steps."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

Code = Annotated[str, Field(min_length=1, max_length=40, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")]
Slot = Annotated[int, Field(ge=0, le=100_000)]
PlaceKind = Literal[
    "mina", "arafat", "muzdalifah", "jamarat", "haram", "station", "assembly", "other"
]
Mode = Literal["walk", "bus", "metro"]


def _sorted_slots(value: list[int]) -> list[int]:
    return sorted(set(value))


Slots = Annotated[list[Slot], AfterValidator(_sorted_slots)]


class _Read(BaseModel):
    model_config = ConfigDict(from_attributes=True)


# The slot grid ---------------------------------------------------------------------------------


class SlotGridWrite(BaseModel):
    start: datetime = Field(description="The start of slot 0, with its UTC offset.")
    slot_minutes: int = Field(ge=5, le=240)
    slots: int = Field(ge=1, le=2_000)

    @model_validator(mode="after")
    def _aware(self) -> SlotGridWrite:
        if self.start.tzinfo is None:
            raise ValueError("start needs its UTC offset, such as 2026-05-25T00:00:00+03:00")
        return self


class SlotGridRead(_Read):
    season_id: uuid.UUID
    start: datetime
    slot_minutes: int
    slots: int


# Places ----------------------------------------------------------------------------------------


class PlaceWrite(BaseModel):
    code: Code
    kind: PlaceKind
    name: str = Field(min_length=1, max_length=200)
    name_ar: str | None = Field(default=None, max_length=200)
    latitude: float | None = Field(default=None, ge=-90, le=90)
    longitude: float | None = Field(default=None, ge=-180, le=180)


class PlaceRead(_Read):
    id: uuid.UUID
    code: str
    kind: str
    name: str
    name_ar: str | None
    latitude: float | None
    longitude: float | None


# Movements -------------------------------------------------------------------------------------


class MovementWrite(BaseModel):
    code: Code
    name: str = Field(min_length=1, max_length=200)
    name_ar: str | None = Field(default=None, max_length=200)
    hijri_day: int = Field(ge=8, le=13, description="Day of Dhu al-Hijjah.")
    position: int = Field(default=0, ge=0, le=1000)
    origin: Code | None = None
    destination: Code | None = None
    window_start: Slot
    window_end: Slot
    forbidden: Slots = Field(default_factory=list)
    after: Code | None = Field(default=None, description="Code of the movement it follows.")
    min_gap: int = Field(default=0, ge=0, le=1000)

    @model_validator(mode="after")
    def _window(self) -> MovementWrite:
        if self.window_start > self.window_end:
            raise ValueError("the window starts after it ends")
        return self


class MovementRead(_Read):
    id: uuid.UUID
    code: str
    name: str
    name_ar: str | None
    hijri_day: int
    position: int
    origin: str | None = None
    destination: str | None = None
    window_start: int
    window_end: int
    forbidden: list[int]
    after: str | None = None
    min_gap: int


# Routes ----------------------------------------------------------------------------------------


class RouteWrite(BaseModel):
    code: Code
    mode: Mode
    name: str = Field(min_length=1, max_length=200)
    name_ar: str | None = Field(default=None, max_length=200)
    capacity: Annotated[int, Field(ge=0)] | list[Annotated[int, Field(ge=0)]] = Field(
        description="Persons per slot: one value, or one per slot of the grid."
    )
    duration: int = Field(default=1, ge=1, le=100, description="Slots a group occupies it.")
    movements: list[Code] = Field(min_length=1)
    assembly: Code | None = Field(default=None, description="Where groups board or gather.")
    destination: Code | None = None
    ticket_colour: str | None = Field(default=None, max_length=32)
    bus_number: str | None = Field(default=None, max_length=16)
    bus_colour: str | None = Field(default=None, max_length=32)

    @model_validator(mode="after")
    def _mode_fields(self) -> RouteWrite:
        if self.ticket_colour and self.mode != "metro":
            raise ValueError("only a metro route has a ticket colour")
        if (self.bus_number or self.bus_colour) and self.mode != "bus":
            raise ValueError("only a bus route has a bus number or colour")
        return self


class RouteRead(_Read):
    id: uuid.UUID
    code: str
    mode: str
    name: str
    name_ar: str | None
    capacity: int | list[int]
    duration: int
    movements: list[str] = []
    assembly: str | None = None
    destination: str | None = None
    ticket_colour: str | None
    bus_number: str | None
    bus_colour: str | None


# Groups ----------------------------------------------------------------------------------------


class GroupWish(BaseModel):
    preferred: Slot | None = None
    forbidden: Slots = Field(default_factory=list)


class GroupDataWrite(BaseModel):
    """A registry group's Tafweej data; its size is its pilgrims in the registry."""

    routes: list[Code] = Field(min_length=1)
    camp_id: uuid.UUID | None = Field(default=None, description="The group's camp in Mina.")
    assembly: Code | None = Field(default=None, description="The group's own gathering point.")
    wishes: dict[str, GroupWish] = Field(default_factory=dict, description="By movement code.")


class GroupDataRead(BaseModel):
    group_id: uuid.UUID
    code: str
    name: str
    company_id: uuid.UUID
    size: int
    routes: list[str]
    camp_id: uuid.UUID | None
    camp: str | None = None
    assembly: str | None
    wishes: dict[str, GroupWish]


class SeasonData(BaseModel):
    """Everything a season's Tafweej needs, as the operator's pages and the API show it."""

    hijri_year: int
    grid: SlotGridRead | None
    places: list[PlaceRead]
    movements: list[MovementRead]
    routes: list[RouteRead]
    groups: list[GroupDataRead]


class ImportSummary(BaseModel):
    routes: int
    movements: int
    groups: int
    size_differences: list[str] = Field(
        default_factory=list,
        description="Groups whose size in the file differs from their pilgrims in the registry.",
    )


# Plans -----------------------------------------------------------------------------------------


class PlanRun(BaseModel):
    time_limit: float = Field(default=20.0, gt=0, le=3_600, description="Seconds.")


class ReplanRequest(BaseModel):
    from_slot: Slot
    late_groups: dict[str, Annotated[int, Field(ge=1, le=1_000)]] = Field(
        default_factory=dict, description="Group code to how many slots it is late."
    )
    closed_routes: list[Code] = Field(default_factory=list, description="Closed from from_slot.")
    time_limit: float = Field(default=10.0, gt=0, le=3_600)

    @model_validator(mode="after")
    def _something(self) -> ReplanRequest:
        if not self.late_groups and not self.closed_routes:
            raise ValueError("name a late group or a closed route")
        return self


class PlanRead(_Read):
    id: uuid.UUID
    season_id: uuid.UUID
    version: int
    kind: str
    parent_id: uuid.UUID | None
    objective: int
    lower_bound: float
    gap: float | None = Field(
        description="(objective - lower bound) / lower bound; 0 when optimal, none without a bound."
    )
    seconds: float
    greedy_objective: int | None
    valid: bool
    violations: list[str]
    groups: int
    pilgrims: int
    from_slot: int | None
    closed_routes: list[str]
    late_groups: dict[str, int]
    moved: int | None
    created_by: str
    created_at: datetime
    published_at: datetime | None
    is_published: bool


class AssignmentRead(BaseModel):
    group: str
    movement: str
    slot: int
    route: str
    starts_at: datetime


class PlanDetail(PlanRead):
    assignments: list[AssignmentRead]


class RouteLoad(BaseModel):
    """A route's load and capacity per slot of the grid, for the planner's chart."""

    route: str
    name: str
    name_ar: str | None
    mode: str
    load: list[int]
    capacity: list[int]
    peak_percent: float


class BusySlot(BaseModel):
    route: str
    slot: int
    starts_at: datetime
    load: int
    capacity: int
    percent: float


# Schedules and next steps ----------------------------------------------------------------------


class PlaceRef(BaseModel):
    code: str
    name: str
    name_ar: str | None
    latitude: float | None
    longitude: float | None


class RouteRef(BaseModel):
    code: str
    mode: str
    name: str
    name_ar: str | None
    ticket_colour: str | None
    bus_number: str | None
    bus_colour: str | None


class NextStep(BaseModel):
    """One movement of a group's published schedule: what a pilgrim needs to be on time."""

    movement: str
    name: str
    name_ar: str | None
    slot: int
    starts_at: datetime = Field(description="UTC; show it in Riyadh time.")
    ends_at: datetime = Field(description="When the group has left the route (UTC).")
    hijri_day: int = Field(description="Day of Dhu al-Hijjah.")
    hijri_month: int
    hijri_year: int
    assembly: PlaceRef | None
    destination: PlaceRef | None
    route: RouteRef


class GroupSchedule(BaseModel):
    group_id: uuid.UUID
    code: str
    name: str
    company_id: uuid.UUID
    size: int | None = Field(description="Its pilgrims; given in lists of groups.")
    plan_id: uuid.UUID
    plan_version: int
    steps: list[NextStep]
