"""cards: signer certificates, cards and scans

Revision ID: cards_0001
Revises: 0001
Create Date: 2026-12-01 17:52:10.442908
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "cards_0001"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = ("cards",)
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "cards_key",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("kid", sa.LargeBinary(length=8), nullable=False),
        sa.Column("alg", sa.String(length=8), nullable=False),
        sa.Column("season", sa.Integer(), nullable=True),
        sa.Column("certificate", sa.LargeBinary(), nullable=False),
        sa.Column("not_before", sa.DateTime(timezone=True), nullable=False),
        sa.Column("not_after", sa.DateTime(timezone=True), nullable=False),
        sa.Column("is_current", sa.Boolean(), nullable=False),
        sa.Column("retired_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cards_key")),
        sa.UniqueConstraint("kid", name=op.f("uq_cards_key_kid")),
    )
    op.create_table(
        "cards_card",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("card_number", sa.String(length=16), nullable=False),
        sa.Column("serial", sa.Integer(), nullable=False),
        sa.Column("pilgrim_id", sa.Uuid(), nullable=False),
        sa.Column("company_id", sa.Uuid(), nullable=False),
        sa.Column("season_id", sa.Uuid(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("status_reason", sa.String(length=500), nullable=True),
        sa.Column("status_changed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("signer_id", sa.Uuid(), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("body", sa.LargeBinary(), nullable=False),
        sa.Column("replaces_id", sa.Uuid(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["company_id"],
            ["registry_company.id"],
            name=op.f("fk_cards_card_company_id_registry_company"),
        ),
        sa.ForeignKeyConstraint(
            ["pilgrim_id"],
            ["registry_pilgrim.id"],
            name=op.f("fk_cards_card_pilgrim_id_registry_pilgrim"),
        ),
        sa.ForeignKeyConstraint(
            ["replaces_id"], ["cards_card.id"], name=op.f("fk_cards_card_replaces_id_cards_card")
        ),
        sa.ForeignKeyConstraint(
            ["season_id"],
            ["registry_season.id"],
            name=op.f("fk_cards_card_season_id_registry_season"),
        ),
        sa.ForeignKeyConstraint(
            ["signer_id"], ["cards_key.id"], name=op.f("fk_cards_card_signer_id_cards_key")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cards_card")),
        sa.UniqueConstraint("card_number", name=op.f("uq_cards_card_card_number")),
        sa.UniqueConstraint("serial", name=op.f("uq_cards_card_serial")),
    )
    with op.batch_alter_table("cards_card", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_cards_card_company_id"), ["company_id"], unique=False)
        batch_op.create_index(
            "ix_cards_card_pilgrim_status", ["pilgrim_id", "status"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_cards_card_signer_id"), ["signer_id"], unique=False)

    op.create_table(
        "cards_scan",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor_id", sa.Uuid(), nullable=True),
        sa.Column("actor_username", sa.String(length=64), nullable=False),
        sa.Column("actor_role", sa.String(length=32), nullable=False),
        sa.Column("card_id", sa.Uuid(), nullable=True),
        sa.Column("card_number", sa.String(length=16), nullable=True),
        sa.Column("verdict", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("lookup_reason", sa.String(length=500), nullable=False),
        sa.Column("nonce", sa.String(length=64), nullable=True),
        sa.Column("origin", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["card_id"], ["cards_card.id"], name=op.f("fk_cards_scan_card_id_cards_card")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cards_scan")),
        sa.UniqueConstraint(
            "actor_username", "nonce", name=op.f("uq_cards_scan_actor_username_nonce")
        ),
    )
    with op.batch_alter_table("cards_scan", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_cards_scan_at"), ["at"], unique=False)
        batch_op.create_index(batch_op.f("ix_cards_scan_card_id"), ["card_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("cards_scan", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_cards_scan_card_id"))
        batch_op.drop_index(batch_op.f("ix_cards_scan_at"))

    op.drop_table("cards_scan")
    with op.batch_alter_table("cards_card", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_cards_card_signer_id"))
        batch_op.drop_index("ix_cards_card_pilgrim_status")
        batch_op.drop_index(batch_op.f("ix_cards_card_company_id"))

    op.drop_table("cards_card")
    op.drop_table("cards_key")
