"""wallet: merchants' bank accounts, payouts through a bank, the sandbox's webhook schedule

Revision ID: wallet_0003
Revises: wallet_0002
Create Date: 2026-12-01 21:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "wallet_0003"
down_revision: str | None = "wallet_0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("wallet_merchant", schema=None) as batch_op:
        batch_op.add_column(sa.Column("bank_iban", sa.String(length=34), nullable=True))
        batch_op.add_column(sa.Column("bank_holder", sa.String(length=140), nullable=True))
        batch_op.add_column(sa.Column("bank_updated_at", sa.DateTime(timezone=True), nullable=True))

    with op.batch_alter_table("wallet_payout", schema=None) as batch_op:
        batch_op.add_column(sa.Column("status", sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column("iban", sa.String(length=34), nullable=True))
        batch_op.add_column(sa.Column("account_holder", sa.String(length=140), nullable=True))
        batch_op.add_column(sa.Column("bank", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("bank_reference", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("instructed_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("return_code", sa.String(length=64), nullable=True))
    # Payouts made before banks went to the settlement (now the bank clearing) account at once:
    # they are paid, and nothing of them is in transit.
    op.execute("UPDATE wallet_payout SET status = 'paid', resolved_at = created_at")
    with op.batch_alter_table("wallet_payout", schema=None) as batch_op:
        batch_op.alter_column("status", existing_type=sa.String(length=16), nullable=False)
        batch_op.create_index(batch_op.f("ix_wallet_payout_status"), ["status"], unique=False)

    with op.batch_alter_table("wallet_sandbox_event", schema=None) as batch_op:
        batch_op.add_column(sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("last_attempt_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("last_status", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("failed_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_wallet_sandbox_event_next_attempt_at"), ["next_attempt_at"], unique=False
        )
    # Events not yet delivered are due now, as the sandbox delivered them before its schedule.
    op.execute(
        "UPDATE wallet_sandbox_event SET next_attempt_at = created_at WHERE delivered_at IS NULL"
    )

    op.create_table(
        "wallet_sandbox_bank_transfer",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("reference", sa.String(length=64), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("iban", sa.String(length=34), nullable=False),
        sa.Column("holder", sa.String(length=140), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("return_code", sa.String(length=64), nullable=True),
        sa.Column("accepted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decides_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_wallet_sandbox_bank_transfer")),
        sa.UniqueConstraint("reference", name=op.f("uq_wallet_sandbox_bank_transfer_reference")),
    )


def downgrade() -> None:
    op.drop_table("wallet_sandbox_bank_transfer")
    with op.batch_alter_table("wallet_sandbox_event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_wallet_sandbox_event_next_attempt_at"))
        batch_op.drop_column("failed_at")
        batch_op.drop_column("last_status")
        batch_op.drop_column("last_attempt_at")
        batch_op.drop_column("next_attempt_at")
    with op.batch_alter_table("wallet_payout", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_wallet_payout_status"))
        for column in (
            "return_code", "resolved_at", "instructed_at", "bank_reference", "bank",
            "account_holder", "iban", "status",
        ):  # fmt: skip
            batch_op.drop_column(column)
    with op.batch_alter_table("wallet_merchant", schema=None) as batch_op:
        batch_op.drop_column("bank_updated_at")
        batch_op.drop_column("bank_holder")
        batch_op.drop_column("bank_iban")
