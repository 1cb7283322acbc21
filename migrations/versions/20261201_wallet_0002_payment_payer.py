"""wallet: the payer's masked name on a payment the till asked for by the card

Revision ID: wallet_0002
Revises: wallet_0001
Create Date: 2026-12-01 21:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "wallet_0002"
down_revision: str | None = "wallet_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("wallet_payment", schema=None) as batch_op:
        batch_op.add_column(sa.Column("payer_name", sa.String(length=100), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("wallet_payment", schema=None) as batch_op:
        batch_op.drop_column("payer_name")
