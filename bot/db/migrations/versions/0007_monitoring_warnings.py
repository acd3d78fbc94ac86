"""monitoring warnings: months, warned households and their follow-up tasks (issue 18)

Revision ID: 0007_monitoring_warnings
Revises: 0006_care_visits

Three new tables (``bot/db/models/monitoring.py``); nothing else changes.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007_monitoring_warnings"
down_revision = "0006_care_visits"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "monitoring_months",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("imported_at", sa.DateTime(), nullable=False),
        sa.Column("closed_at", sa.DateTime(), nullable=True),
        sa.Column("closed_by", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_monitoring_months")),
        sa.UniqueConstraint("month", name=op.f("uq_monitoring_months_month")),
    )
    op.create_table(
        "monitoring_warnings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("head_name", sa.String(length=64), nullable=False),
        sa.Column("id_hash", sa.String(length=64), nullable=False),
        sa.Column("id_masked", sa.String(length=18), nullable=False),
        sa.Column("town", sa.String(length=16), nullable=False),
        sa.Column("village", sa.String(length=64), nullable=True),
        sa.Column("group", sa.String(length=16), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("household_size", sa.Integer(), nullable=True),
        sa.Column("income", sa.Numeric(precision=12, scale=2), nullable=True),
        sa.Column("expense", sa.Numeric(precision=12, scale=2), nullable=True),
        sa.Column("warned_on", sa.Date(), nullable=False),
        sa.Column("match", sa.String(length=16), nullable=False),
        sa.Column("match_programme", sa.String(length=16), nullable=True),
        sa.Column("match_case_no", sa.String(length=20), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_monitoring_warnings")),
    )
    with op.batch_alter_table("monitoring_warnings", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_monitoring_warnings_id_hash"), ["id_hash"], unique=False)
        batch_op.create_index(
            "ix_monitoring_warnings_month_id_kind", ["month", "id_hash", "kind"], unique=True
        )
        batch_op.create_index("ix_monitoring_warnings_month_town", ["month", "town"], unique=False)

    op.create_table(
        "monitoring_tasks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("warning_id", sa.Integer(), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("town", sa.String(length=16), nullable=False),
        sa.Column("assignee_id", sa.Integer(), nullable=True),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=True),
        sa.Column("programme", sa.String(length=16), nullable=True),
        sa.Column("case_no", sa.String(length=20), nullable=True),
        sa.Column("reasons", sa.JSON(), nullable=True),
        sa.Column("department", sa.String(length=64), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("checked_on", sa.Date(), nullable=True),
        sa.Column("recorded_by", sa.String(length=64), nullable=True),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["assignee_id"],
            ["staff.id"],
            name=op.f("fk_monitoring_tasks_assignee_id_staff"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"],
            ["staff.id"],
            name=op.f("fk_monitoring_tasks_recorded_by_id_staff"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["warning_id"],
            ["monitoring_warnings.id"],
            name=op.f("fk_monitoring_tasks_warning_id_monitoring_warnings"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_monitoring_tasks")),
        sa.UniqueConstraint("warning_id", name=op.f("uq_monitoring_tasks_warning_id")),
    )
    with op.batch_alter_table("monitoring_tasks", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_monitoring_tasks_assignee_id"), ["assignee_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_monitoring_tasks_month"), ["month"], unique=False)
        batch_op.create_index("ix_monitoring_tasks_town_outcome", ["town", "outcome"], unique=False)


def downgrade() -> None:
    for table in ("monitoring_tasks", "monitoring_warnings", "monitoring_months"):
        op.drop_table(table)
