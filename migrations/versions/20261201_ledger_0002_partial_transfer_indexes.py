"""ledger: index only the transfers that have a pending id or a timeout

Most transfers are single-phase: their pending_id and expires_at are empty, and a full index
of either column took one more index insert per transfer for nothing a query asks.

Revision ID: ledger_0002
Revises: ledger_0001
Create Date: 2026-12-01 21:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "ledger_0002"
down_revision: str | None = "ledger_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_COLUMNS = ("expires_at", "pending_id")


def upgrade() -> None:
    for column in _COLUMNS:
        op.drop_index(f"ix_ledger_transfer_{column}", table_name="ledger_transfer")
        present = sa.text(f"{column} IS NOT NULL")
        op.create_index(
            f"ix_ledger_transfer_{column}",
            "ledger_transfer",
            [column],
            postgresql_where=present,
            sqlite_where=present,
        )


def downgrade() -> None:
    for column in _COLUMNS:
        op.drop_index(f"ix_ledger_transfer_{column}", table_name="ledger_transfer")
        op.create_index(f"ix_ledger_transfer_{column}", "ledger_transfer", [column])
