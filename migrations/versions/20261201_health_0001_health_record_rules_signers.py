"""health: the encrypted record, the season's vaccination rules, trusted certificate signers

Revision ID: health_0001
Revises: 0001
Create Date: 2026-12-01 17:45:52.337669
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "health_0001"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = ("health",)
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "health_trusted_signer",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("kid", sa.String(length=16), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=True),
        sa.Column("subject", sa.String(length=500), nullable=False),
        sa.Column("certificate", sa.LargeBinary(), nullable=False),
        sa.Column("loaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_health_trusted_signer")),
        sa.UniqueConstraint("fingerprint", name=op.f("uq_health_trusted_signer_fingerprint")),
    )
    with op.batch_alter_table("health_trusted_signer", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_health_trusted_signer_kid"), ["kid"], unique=False)

    op.create_table(
        "health_rule_set",
        sa.Column("season_id", sa.Uuid(), nullable=False),
        sa.Column("arrival_date", sa.Date(), nullable=False),
        sa.Column("valid_through", sa.Date(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["season_id"],
            ["registry_season.id"],
            name=op.f("fk_health_rule_set_season_id_registry_season"),
        ),
        sa.PrimaryKeyConstraint("season_id", name=op.f("pk_health_rule_set")),
    )
    op.create_table(
        "health_vaccination_rule",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("season_id", sa.Uuid(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("name_ar", sa.String(length=200), nullable=True),
        sa.Column("target_disease", sa.JSON(), nullable=False),
        sa.Column("vaccines", sa.JSON(), nullable=False),
        sa.Column("validity_months", sa.JSON(), nullable=False),
        sa.Column("min_days_before_arrival", sa.Integer(), nullable=False),
        sa.Column("countries", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(
            ["season_id"],
            ["health_rule_set.season_id"],
            name=op.f("fk_health_vaccination_rule_season_id_health_rule_set"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_health_vaccination_rule")),
        sa.UniqueConstraint(
            "season_id", "code", name=op.f("uq_health_vaccination_rule_season_id_code")
        ),
    )
    with op.batch_alter_table("health_vaccination_rule", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_health_vaccination_rule_season_id"), ["season_id"], unique=False
        )

    op.create_table(
        "health_record",
        sa.Column("pilgrim_id", sa.Uuid(), nullable=False),
        sa.Column("key_id", sa.String(length=32), nullable=False),
        sa.Column("sealed", sa.LargeBinary(), nullable=False),
        sa.Column("compliance_status", sa.String(length=16), nullable=False),
        sa.Column("compliance_reasons", sa.JSON(), nullable=False),
        sa.Column("assessed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["pilgrim_id"],
            ["registry_pilgrim.id"],
            name=op.f("fk_health_record_pilgrim_id_registry_pilgrim"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("pilgrim_id", name=op.f("pk_health_record")),
    )
    with op.batch_alter_table("health_record", schema=None) as batch_op:
        batch_op.create_index("ix_health_record_status", ["compliance_status"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("health_record", schema=None) as batch_op:
        batch_op.drop_index("ix_health_record_status")

    op.drop_table("health_record")
    with op.batch_alter_table("health_vaccination_rule", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_health_vaccination_rule_season_id"))

    op.drop_table("health_vaccination_rule")
    op.drop_table("health_rule_set")
    with op.batch_alter_table("health_trusted_signer", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_health_trusted_signer_kid"))

    op.drop_table("health_trusted_signer")
