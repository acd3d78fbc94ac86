"""saved temporary-relief pre-check results

Revision ID: 0002_precheck
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_precheck"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "precheck_results",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reference", sa.String(length=16), nullable=False),
        sa.Column("sender_id", sa.String(length=128), nullable=False),
        sa.Column("town", sa.String(length=16), nullable=True),
        sa.Column("category", sa.String(length=16), nullable=True),
        sa.Column("overall", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.Column("outcomes", sa.JSON(), nullable=False),
        sa.Column("rules_version", sa.String(length=32), nullable=False),
        sa.Column("data_version", sa.String(length=64), nullable=False),
        sa.Column("consented_at", sa.DateTime(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_precheck_results")),
        sa.UniqueConstraint("reference", name=op.f("uq_precheck_results_reference")),
    )
    with op.batch_alter_table("precheck_results", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_precheck_results_sender_id"), ["sender_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_precheck_results_town"), ["town"], unique=False)
        batch_op.create_index(batch_op.f("ix_precheck_results_created_at"), ["created_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("precheck_results", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_precheck_results_created_at"))
        batch_op.drop_index(batch_op.f("ix_precheck_results_town"))
        batch_op.drop_index(batch_op.f("ix_precheck_results_sender_id"))
    op.drop_table("precheck_results")
