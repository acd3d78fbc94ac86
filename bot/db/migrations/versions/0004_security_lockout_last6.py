"""security: last six of the ID as a keyed hash, ID display with at most 2 characters, lockout per user and case

Revision ID: 0004_security_lockout_last6
Revises: 0003_handoff

- ``applicants.id_last6`` (plain) becomes ``applicants.id_last6_hash``: HMAC-SHA256 keyed with ``ID_HASH_KEY``
  over ``"last6:<id_hash>:<LAST6>"`` (``bot.cases.identity.last6_hash``). **The key is read from the settings
  (environment) of the process that runs the migration** (``lueyang db upgrade``): run it with the same
  ``ID_HASH_KEY`` as the application, or no resident lookup will ever match (re-import the cases to repair).
  The plain column is dropped.
- ``applicants.id_masked`` keeps only the last two characters (``****************3X``).
- ``verification_attempts`` gets ``user_key`` (the person: ``telegram:<user id>``) and ``case_no`` (the case
  number tried), each indexed with the time. Rows from before the upgrade get their sender id as user key, so
  for at most one lock window they count per chat as before.

Downgrade cannot bring the last six back: it refuses while applicants exist (re-import the cases after
downgrading an emptied table).
"""

from __future__ import annotations

import hashlib
import hmac

import sqlalchemy as sa
from alembic import op

from bot.settings import get_settings

revision = "0004_security_lockout_last6"
down_revision = "0003_handoff"
branch_labels = None
depends_on = None

BATCH = 1000


def _last6_hash(key: bytes, id_hash: str, last6: str) -> str:
    # the formula of bot.cases.identity.last6_hash at the time of this migration (a test keeps them equal)
    return hmac.new(key, f"last6:{id_hash}:{last6.upper()}".encode("ascii"), hashlib.sha256).hexdigest()


def _masked(last6: str) -> str:
    return "*" * 16 + last6.upper()[-2:]


def upgrade() -> None:
    bind = op.get_bind()
    # plain ALTERs, no batch copy: on SQLite a copy of ``applicants`` would have to drop the table that
    # ``cases`` references, which foreign keys forbid inside the migration's transaction (SQLite >= 3.35 drops
    # a column in place). The empty default only fills the column until the rows are converted below.
    op.add_column("applicants", sa.Column("id_last6_hash", sa.String(length=64), nullable=False, server_default=""))

    key = get_settings().id_hash_key.encode("utf-8")
    applicants = sa.table(
        "applicants",
        sa.column("id", sa.Integer),
        sa.column("id_hash", sa.String),
        sa.column("id_last6", sa.String),
        sa.column("id_last6_hash", sa.String),
        sa.column("id_masked", sa.String),
    )
    last_id = 0
    while True:
        rows = bind.execute(
            sa.select(applicants.c.id, applicants.c.id_hash, applicants.c.id_last6)
            .where(applicants.c.id > last_id)
            .order_by(applicants.c.id)
            .limit(BATCH)
        ).all()
        if not rows:
            break
        bind.execute(
            applicants.update()
            .where(applicants.c.id == sa.bindparam("row_id"))
            .values(id_last6_hash=sa.bindparam("new_hash"), id_masked=sa.bindparam("new_masked")),
            [
                {"row_id": r.id, "new_hash": _last6_hash(key, r.id_hash, r.id_last6), "new_masked": _masked(r.id_last6)}
                for r in rows
            ],
        )
        last_id = rows[-1].id

    if bind.dialect.name != "sqlite":  # SQLite cannot drop a default in place; the application always sets it
        op.alter_column("applicants", "id_last6_hash", existing_type=sa.String(length=64), server_default=None)
    op.drop_column("applicants", "id_last6")

    with op.batch_alter_table("verification_attempts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("user_key", sa.String(length=128), nullable=True))
        batch_op.add_column(sa.Column("case_no", sa.String(length=20), nullable=True))
    attempts = sa.table("verification_attempts", sa.column("sender_id", sa.String), sa.column("user_key", sa.String))
    bind.execute(attempts.update().values(user_key=attempts.c.sender_id))
    with op.batch_alter_table("verification_attempts", schema=None) as batch_op:
        batch_op.alter_column("user_key", existing_type=sa.String(length=128), nullable=False)
        batch_op.drop_index("ix_verification_attempts_sender_at")
        batch_op.create_index("ix_verification_attempts_user_at", ["user_key", "attempted_at"], unique=False)
        batch_op.create_index("ix_verification_attempts_case_at", ["case_no", "attempted_at"], unique=False)


def downgrade() -> None:
    bind = op.get_bind()
    if bind.execute(sa.text("SELECT COUNT(*) FROM applicants")).scalar():
        raise RuntimeError(
            "downgrade below 0004 cannot restore the plain last six of the ID numbers: empty the case tables "
            "first and re-import the cases after the downgrade"
        )
    with op.batch_alter_table("verification_attempts", schema=None) as batch_op:
        batch_op.drop_index("ix_verification_attempts_case_at")
        batch_op.drop_index("ix_verification_attempts_user_at")
        batch_op.create_index("ix_verification_attempts_sender_at", ["sender_id", "attempted_at"], unique=False)
        batch_op.drop_column("case_no")
        batch_op.drop_column("user_key")
    op.add_column("applicants", sa.Column("id_last6", sa.String(length=6), nullable=False, server_default=""))
    if bind.dialect.name != "sqlite":
        op.alter_column("applicants", "id_last6", existing_type=sa.String(length=6), server_default=None)
    op.drop_column("applicants", "id_last6_hash")
