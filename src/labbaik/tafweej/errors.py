"""Errors of Tafweej in the platform, with stable codes."""

from labbaik.errors import Conflict, InvalidInput, NotFound


class TafweejNotSetUp(NotFound):
    """The season has no slot grid, movement, route or group data yet."""

    code = "tafweej_not_set_up"


class PlaceNotFound(NotFound):
    code = "tafweej_place_not_found"


class RouteNotFound(NotFound):
    code = "tafweej_route_not_found"


class MovementNotFound(NotFound):
    code = "tafweej_movement_not_found"


class PlanNotFound(NotFound):
    code = "tafweej_plan_not_found"


class NoPublishedPlan(NotFound):
    code = "tafweej_no_published_plan"


class UnknownCode(InvalidInput):
    """A code in the input names nothing in the season (a route, movement, place or group)."""

    code = "tafweej_unknown_code"


class InUse(Conflict):
    """A route or movement that a stored plan uses cannot be deleted."""

    code = "tafweej_in_use"


class SeasonNotCurrent(InvalidInput):
    """Groups come from the registry's current season; another season's groups are closed."""

    code = "tafweej_season_not_current"


class PlanInvalid(Conflict):
    """A plan the validator refuses cannot be published."""

    code = "tafweej_plan_invalid"
