"""wallet: the bank's account statements (camt.053) as imported, and their matched lines

Revision ID: wallet_0004
Revises: wallet_0003
Create Date: 2026-12-01 23:50:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "wallet_0004"
down_revision: str | None = "wallet_0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "wallet_bank_statement",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("statement_id", sa.String(length=35), nullable=False),
        sa.Column("iban", sa.String(length=34), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("from_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("to_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("opening_balance", sa.BigInteger(), nullable=False),
        sa.Column("closing_balance", sa.BigInteger(), nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("imported_by", sa.String(length=64), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("report", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_wallet_bank_statement")),
        sa.UniqueConstraint(
            "iban", "statement_id", name=op.f("uq_wallet_bank_statement_iban_statement_id")
        ),
    )
    op.create_table(
        "wallet_bank_statement_line",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("statement_id", sa.Uuid(), nullable=False),
        sa.Column("line", sa.Integer(), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("direction", sa.String(length=4), nullable=False),
        sa.Column("booked_on", sa.Date(), nullable=True),
        sa.Column("reversal", sa.Boolean(), nullable=False),
        sa.Column("end_to_end_id", sa.String(length=35), nullable=True),
        sa.Column("bank_reference", sa.String(length=35), nullable=True),
        sa.Column("return_code", sa.String(length=35), nullable=True),
        sa.Column("payout_id", sa.Uuid(), nullable=True),
        sa.Column("outcome", sa.String(length=24), nullable=False),
        sa.ForeignKeyConstraint(
            ["payout_id"],
            ["wallet_payout.id"],
            name=op.f("fk_wallet_bank_statement_line_payout_id_wallet_payout"),
        ),
        sa.ForeignKeyConstraint(
            ["statement_id"],
            ["wallet_bank_statement.id"],
            ondelete="CASCADE",
            name="fk_wallet_bank_statement_line_statement",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_wallet_bank_statement_line")),
        sa.UniqueConstraint(
            "statement_id", "line", name=op.f("uq_wallet_bank_statement_line_statement_id_line")
        ),
    )
    with op.batch_alter_table("wallet_bank_statement_line", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_wallet_bank_statement_line_payout_id"), ["payout_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("wallet_bank_statement_line", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_wallet_bank_statement_line_payout_id"))
    op.drop_table("wallet_bank_statement_line")
    op.drop_table("wallet_bank_statement")
