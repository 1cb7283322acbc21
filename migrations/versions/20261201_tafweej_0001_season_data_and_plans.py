"""Tafweej: season data (slot grid, places, movements, routes, groups) and plans

Revision ID: tafweej_0001
Revises: 0001
Create Date: 2026-12-01 17:47:44.413867
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "tafweej_0001"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = ("tafweej",)
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "tafweej_place",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("season_id", sa.Uuid(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("name_ar", sa.String(length=200), nullable=True),
        sa.Column("latitude", sa.Float(), nullable=True),
        sa.Column("longitude", sa.Float(), nullable=True),
        sa.ForeignKeyConstraint(
            ["season_id"],
            ["registry_season.id"],
            name=op.f("fk_tafweej_place_season_id_registry_season"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tafweej_place")),
        sa.UniqueConstraint("season_id", "code", name=op.f("uq_tafweej_place_season_id_code")),
    )
    with op.batch_alter_table("tafweej_place", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_tafweej_place_season_id"), ["season_id"], unique=False)

    op.create_table(
        "tafweej_plan",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("season_id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("parent_id", sa.Uuid(), nullable=True),
        sa.Column("client_key", sa.String(length=100), nullable=True),
        sa.Column("instance", sa.JSON(), nullable=False),
        sa.Column("objective", sa.BigInteger(), nullable=False),
        sa.Column("lower_bound", sa.Float(), nullable=False),
        sa.Column("seconds", sa.Float(), nullable=False),
        sa.Column("greedy_objective", sa.BigInteger(), nullable=True),
        sa.Column("valid", sa.Boolean(), nullable=False),
        sa.Column("violations", sa.JSON(), nullable=False),
        sa.Column("groups", sa.Integer(), nullable=False),
        sa.Column("pilgrims", sa.Integer(), nullable=False),
        sa.Column("from_slot", sa.Integer(), nullable=True),
        sa.Column("closed_routes", sa.JSON(), nullable=False),
        sa.Column("late_groups", sa.JSON(), nullable=False),
        sa.Column("moved", sa.Integer(), nullable=True),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("is_published", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["parent_id"], ["tafweej_plan.id"], name=op.f("fk_tafweej_plan_parent_id_tafweej_plan")
        ),
        sa.ForeignKeyConstraint(
            ["season_id"],
            ["registry_season.id"],
            name=op.f("fk_tafweej_plan_season_id_registry_season"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tafweej_plan")),
        sa.UniqueConstraint(
            "season_id", "client_key", name=op.f("uq_tafweej_plan_season_id_client_key")
        ),
        sa.UniqueConstraint("season_id", "version", name=op.f("uq_tafweej_plan_season_id_version")),
    )
    with op.batch_alter_table("tafweej_plan", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_tafweej_plan_season_id"), ["season_id"], unique=False)

    op.create_table(
        "tafweej_slot_grid",
        sa.Column("season_id", sa.Uuid(), nullable=False),
        sa.Column("start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("slot_minutes", sa.Integer(), nullable=False),
        sa.Column("slots", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["season_id"],
            ["registry_season.id"],
            name=op.f("fk_tafweej_slot_grid_season_id_registry_season"),
        ),
        sa.PrimaryKeyConstraint("season_id", name=op.f("pk_tafweej_slot_grid")),
    )
    op.create_table(
        "tafweej_group",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("season_id", sa.Uuid(), nullable=False),
        sa.Column("group_id", sa.Uuid(), nullable=False),
        sa.Column("camp_id", sa.Uuid(), nullable=True),
        sa.Column("assembly_id", sa.Uuid(), nullable=True),
        sa.ForeignKeyConstraint(
            ["assembly_id"],
            ["tafweej_place.id"],
            name=op.f("fk_tafweej_group_assembly_id_tafweej_place"),
        ),
        sa.ForeignKeyConstraint(
            ["camp_id"],
            ["registry_lodging.id"],
            name=op.f("fk_tafweej_group_camp_id_registry_lodging"),
        ),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["registry_group.id"],
            name=op.f("fk_tafweej_group_group_id_registry_group"),
        ),
        sa.ForeignKeyConstraint(
            ["season_id"],
            ["registry_season.id"],
            name=op.f("fk_tafweej_group_season_id_registry_season"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tafweej_group")),
        sa.UniqueConstraint(
            "season_id", "group_id", name=op.f("uq_tafweej_group_season_id_group_id")
        ),
    )
    with op.batch_alter_table("tafweej_group", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_tafweej_group_season_id"), ["season_id"], unique=False)

    op.create_table(
        "tafweej_movement",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("season_id", sa.Uuid(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("name_ar", sa.String(length=200), nullable=True),
        sa.Column("hijri_day", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("origin_id", sa.Uuid(), nullable=True),
        sa.Column("destination_id", sa.Uuid(), nullable=True),
        sa.Column("window_start", sa.Integer(), nullable=False),
        sa.Column("window_end", sa.Integer(), nullable=False),
        sa.Column("forbidden", sa.JSON(), nullable=False),
        sa.Column("after_id", sa.Uuid(), nullable=True),
        sa.Column("min_gap", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["after_id"],
            ["tafweej_movement.id"],
            name=op.f("fk_tafweej_movement_after_id_tafweej_movement"),
        ),
        sa.ForeignKeyConstraint(
            ["destination_id"],
            ["tafweej_place.id"],
            name=op.f("fk_tafweej_movement_destination_id_tafweej_place"),
        ),
        sa.ForeignKeyConstraint(
            ["origin_id"],
            ["tafweej_place.id"],
            name=op.f("fk_tafweej_movement_origin_id_tafweej_place"),
        ),
        sa.ForeignKeyConstraint(
            ["season_id"],
            ["registry_season.id"],
            name=op.f("fk_tafweej_movement_season_id_registry_season"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tafweej_movement")),
        sa.UniqueConstraint("season_id", "code", name=op.f("uq_tafweej_movement_season_id_code")),
    )
    with op.batch_alter_table("tafweej_movement", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_tafweej_movement_season_id"), ["season_id"], unique=False
        )

    op.create_table(
        "tafweej_route",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("season_id", sa.Uuid(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("mode", sa.String(length=8), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("name_ar", sa.String(length=200), nullable=True),
        sa.Column("capacity", sa.JSON(), nullable=False),
        sa.Column("duration", sa.Integer(), nullable=False),
        sa.Column("assembly_id", sa.Uuid(), nullable=True),
        sa.Column("destination_id", sa.Uuid(), nullable=True),
        sa.Column("ticket_colour", sa.String(length=32), nullable=True),
        sa.Column("bus_number", sa.String(length=16), nullable=True),
        sa.Column("bus_colour", sa.String(length=32), nullable=True),
        sa.ForeignKeyConstraint(
            ["assembly_id"],
            ["tafweej_place.id"],
            name=op.f("fk_tafweej_route_assembly_id_tafweej_place"),
        ),
        sa.ForeignKeyConstraint(
            ["destination_id"],
            ["tafweej_place.id"],
            name=op.f("fk_tafweej_route_destination_id_tafweej_place"),
        ),
        sa.ForeignKeyConstraint(
            ["season_id"],
            ["registry_season.id"],
            name=op.f("fk_tafweej_route_season_id_registry_season"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tafweej_route")),
        sa.UniqueConstraint("season_id", "code", name=op.f("uq_tafweej_route_season_id_code")),
    )
    with op.batch_alter_table("tafweej_route", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_tafweej_route_season_id"), ["season_id"], unique=False)

    op.create_table(
        "tafweej_assignment",
        sa.Column("plan_id", sa.Uuid(), nullable=False),
        sa.Column("group_id", sa.Uuid(), nullable=False),
        sa.Column("movement_id", sa.Uuid(), nullable=False),
        sa.Column("route_id", sa.Uuid(), nullable=False),
        sa.Column("slot", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["registry_group.id"],
            name=op.f("fk_tafweej_assignment_group_id_registry_group"),
        ),
        sa.ForeignKeyConstraint(
            ["movement_id"],
            ["tafweej_movement.id"],
            name=op.f("fk_tafweej_assignment_movement_id_tafweej_movement"),
        ),
        sa.ForeignKeyConstraint(
            ["plan_id"],
            ["tafweej_plan.id"],
            name=op.f("fk_tafweej_assignment_plan_id_tafweej_plan"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["route_id"],
            ["tafweej_route.id"],
            name=op.f("fk_tafweej_assignment_route_id_tafweej_route"),
        ),
        sa.PrimaryKeyConstraint(
            "plan_id", "group_id", "movement_id", name=op.f("pk_tafweej_assignment")
        ),
    )
    with op.batch_alter_table("tafweej_assignment", schema=None) as batch_op:
        batch_op.create_index("ix_tafweej_assignment_group", ["group_id", "plan_id"], unique=False)

    op.create_table(
        "tafweej_group_movement",
        sa.Column("group_data_id", sa.Uuid(), nullable=False),
        sa.Column("movement_id", sa.Uuid(), nullable=False),
        sa.Column("preferred", sa.Integer(), nullable=True),
        sa.Column("forbidden", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["group_data_id"],
            ["tafweej_group.id"],
            name=op.f("fk_tafweej_group_movement_group_data_id_tafweej_group"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["movement_id"],
            ["tafweej_movement.id"],
            name=op.f("fk_tafweej_group_movement_movement_id_tafweej_movement"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "group_data_id", "movement_id", name=op.f("pk_tafweej_group_movement")
        ),
    )
    op.create_table(
        "tafweej_group_route",
        sa.Column("group_data_id", sa.Uuid(), nullable=False),
        sa.Column("route_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["group_data_id"],
            ["tafweej_group.id"],
            name=op.f("fk_tafweej_group_route_group_data_id_tafweej_group"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["route_id"],
            ["tafweej_route.id"],
            name=op.f("fk_tafweej_group_route_route_id_tafweej_route"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("group_data_id", "route_id", name=op.f("pk_tafweej_group_route")),
    )
    op.create_table(
        "tafweej_route_movement",
        sa.Column("route_id", sa.Uuid(), nullable=False),
        sa.Column("movement_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["movement_id"],
            ["tafweej_movement.id"],
            name=op.f("fk_tafweej_route_movement_movement_id_tafweej_movement"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["route_id"],
            ["tafweej_route.id"],
            name=op.f("fk_tafweej_route_movement_route_id_tafweej_route"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("route_id", "movement_id", name=op.f("pk_tafweej_route_movement")),
    )


def downgrade() -> None:
    op.drop_table("tafweej_route_movement")
    op.drop_table("tafweej_group_route")
    op.drop_table("tafweej_group_movement")
    with op.batch_alter_table("tafweej_assignment", schema=None) as batch_op:
        batch_op.drop_index("ix_tafweej_assignment_group")

    op.drop_table("tafweej_assignment")
    with op.batch_alter_table("tafweej_route", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_tafweej_route_season_id"))

    op.drop_table("tafweej_route")
    with op.batch_alter_table("tafweej_movement", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_tafweej_movement_season_id"))

    op.drop_table("tafweej_movement")
    with op.batch_alter_table("tafweej_group", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_tafweej_group_season_id"))

    op.drop_table("tafweej_group")
    op.drop_table("tafweej_slot_grid")
    with op.batch_alter_table("tafweej_plan", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_tafweej_plan_season_id"))

    op.drop_table("tafweej_plan")
    with op.batch_alter_table("tafweej_place", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_tafweej_place_season_id"))

    op.drop_table("tafweej_place")
