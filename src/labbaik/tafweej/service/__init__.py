"""The Tafweej service: season data, interchange instances, plans and the published schedule."""

from labbaik.tafweej.service.data import (
    delete_movement,
    delete_route,
    list_group_data,
    list_routes,
    save_group_data,
    save_movement,
    save_place,
    save_route,
    season_data,
    set_grid,
)
from labbaik.tafweej.service.instances import Exported, export_instance, import_instance
from labbaik.tafweej.service.plans import (
    busiest_slots,
    get_plan,
    list_plans,
    publish_plan,
    replan_plan,
    route_loads,
    run_plan,
)
from labbaik.tafweej.service.schedules import (
    company_schedules,
    group_next_steps,
    group_schedule,
    next_steps,
)

__all__ = [
    "Exported",
    "busiest_slots",
    "company_schedules",
    "delete_movement",
    "delete_route",
    "export_instance",
    "get_plan",
    "group_next_steps",
    "group_schedule",
    "import_instance",
    "list_group_data",
    "list_plans",
    "list_routes",
    "next_steps",
    "publish_plan",
    "replan_plan",
    "route_loads",
    "run_plan",
    "save_group_data",
    "save_movement",
    "save_place",
    "save_route",
    "season_data",
    "set_grid",
]
