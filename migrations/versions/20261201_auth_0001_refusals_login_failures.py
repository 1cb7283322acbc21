"""auth: failed logins, counted by username and by address to refuse guessing

Revision ID: auth_0001_refusals
Revises: 0001
Create Date: 2026-12-01 21:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "auth_0001_refusals"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = ("auth",)
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "auth_login_failure",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("address", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_auth_login_failure")),
    )
    with op.batch_alter_table("auth_login_failure", schema=None) as batch_op:
        batch_op.create_index("ix_auth_login_failure_address", ["address", "at"], unique=False)
        batch_op.create_index("ix_auth_login_failure_username", ["username", "at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("auth_login_failure", schema=None) as batch_op:
        batch_op.drop_index("ix_auth_login_failure_username")
        batch_op.drop_index("ix_auth_login_failure_address")
    op.drop_table("auth_login_failure")
