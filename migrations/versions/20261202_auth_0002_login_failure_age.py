"""auth: failed logins indexed by their time, so aged-out ones of anyone can be swept

Revision ID: auth_0002_failure_age
Revises: auth_0001_refusals
Create Date: 2026-12-02 00:10:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "auth_0002_failure_age"
down_revision: str | None = "auth_0001_refusals"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("auth_login_failure", schema=None) as batch_op:
        batch_op.create_index("ix_auth_login_failure_at", ["at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("auth_login_failure", schema=None) as batch_op:
        batch_op.drop_index("ix_auth_login_failure_at")
