"""web staff console: a password hash per staff member

Revision ID: 0005_web_staff_passwords
Revises: 0004_security_lockout_last6

``staff.password_hash`` holds an Argon2id hash (``bot.frontends.web.passwords``, set with
``lueyang staff set-password``); NULL means the person cannot log in to the web console with a password.
``staff.password_set_at`` records when it was last set (UTC).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005_web_staff_passwords"
down_revision = "0004_security_lockout_last6"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("staff", schema=None) as batch_op:
        batch_op.add_column(sa.Column("password_hash", sa.String(length=255), nullable=True))
        batch_op.add_column(sa.Column("password_set_at", sa.DateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("staff", schema=None) as batch_op:
        batch_op.drop_column("password_set_at")
        batch_op.drop_column("password_hash")
