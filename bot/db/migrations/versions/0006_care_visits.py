"""care visits: 特困 people in 分散供养, caregivers, care agreements, visits and caregiver evaluations (issue 17)

Revision ID: 0006_care_visits
Revises: 0005_web_staff_passwords

Five new tables (``bot/db/models/visits.py``); nothing else changes.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006_care_visits"
down_revision = "0005_web_staff_passwords"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "care_recipients",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("support_mode", sa.String(length=8), nullable=False),
        sa.Column("care_level", sa.String(length=16), nullable=True),
        sa.Column("since", sa.Date(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_care_recipients_case_id_cases"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_care_recipients")),
        sa.UniqueConstraint("case_id", name=op.f("uq_care_recipients_case_id")),
    )
    with op.batch_alter_table("care_recipients", schema=None) as batch_op:
        batch_op.create_index("ix_care_recipients_active_mode", ["active", "support_mode"], unique=False)

    op.create_table(
        "caregivers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("phone", sa.String(length=20), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_caregivers")),
    )
    with op.batch_alter_table("caregivers", schema=None) as batch_op:
        batch_op.create_index("ix_caregivers_name_phone", ["name", "phone"], unique=False)

    op.create_table(
        "care_agreements",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("recipient_id", sa.Integer(), nullable=False),
        sa.Column("caregiver_id", sa.Integer(), nullable=False),
        sa.Column("relation", sa.String(length=16), nullable=True),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["caregiver_id"],
            ["caregivers.id"],
            name=op.f("fk_care_agreements_caregiver_id_caregivers"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["recipient_id"],
            ["care_recipients.id"],
            name=op.f("fk_care_agreements_recipient_id_care_recipients"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_care_agreements")),
    )
    with op.batch_alter_table("care_agreements", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_care_agreements_caregiver_id"), ["caregiver_id"], unique=False)
        batch_op.create_index(
            "ix_care_agreements_recipient_starts", ["recipient_id", "starts_on"], unique=False
        )

    op.create_table(
        "care_visits",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("recipient_id", sa.Integer(), nullable=False),
        sa.Column("visited_on", sa.Date(), nullable=False),
        sa.Column("visitor_id", sa.Integer(), nullable=True),
        sa.Column("visitor_name", sa.String(length=64), nullable=False),
        sa.Column("caregiver_id", sa.Integer(), nullable=True),
        sa.Column("ratings", sa.JSON(), nullable=False),
        sa.Column("score", sa.Numeric(precision=4, scale=2), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("photos", sa.JSON(), nullable=False),
        sa.Column("source", sa.String(length=32), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["caregiver_id"],
            ["caregivers.id"],
            name=op.f("fk_care_visits_caregiver_id_caregivers"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["recipient_id"],
            ["care_recipients.id"],
            name=op.f("fk_care_visits_recipient_id_care_recipients"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["visitor_id"], ["staff.id"], name=op.f("fk_care_visits_visitor_id_staff"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_care_visits")),
    )
    with op.batch_alter_table("care_visits", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_care_visits_caregiver_id"), ["caregiver_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_care_visits_visited_on"), ["visited_on"], unique=False)
        batch_op.create_index(batch_op.f("ix_care_visits_visitor_id"), ["visitor_id"], unique=False)
        batch_op.create_index("ix_care_visits_recipient_on", ["recipient_id", "visited_on"], unique=False)

    op.create_table(
        "caregiver_evaluations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("recipient_id", sa.Integer(), nullable=False),
        sa.Column("caregiver_id", sa.Integer(), nullable=True),
        sa.Column("period", sa.String(length=16), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.Column("visits", sa.Integer(), nullable=False),
        sa.Column("score", sa.Numeric(precision=4, scale=2), nullable=True),
        sa.Column("decision", sa.String(length=16), nullable=False),
        sa.Column("flagged", sa.Boolean(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("decided_by", sa.String(length=64), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["caregiver_id"],
            ["caregivers.id"],
            name=op.f("fk_caregiver_evaluations_caregiver_id_caregivers"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["recipient_id"],
            ["care_recipients.id"],
            name=op.f("fk_caregiver_evaluations_recipient_id_care_recipients"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_caregiver_evaluations")),
    )
    with op.batch_alter_table("caregiver_evaluations", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_caregiver_evaluations_caregiver_id"), ["caregiver_id"], unique=False
        )
        batch_op.create_index(
            "ix_caregiver_evaluations_recipient_period", ["recipient_id", "period"], unique=True
        )


def downgrade() -> None:
    for table in ("caregiver_evaluations", "care_visits", "care_agreements", "caregivers", "care_recipients"):
        op.drop_table(table)
