"""player sessions (revocable) and team lock

Revision ID: 0010_access
Revises: 0009_dismissed_alerts
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import tempo.models.base

revision = "0010_access"
down_revision = "0009_dismissed_alerts"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "player_session",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("player_id", sa.Integer(), nullable=False),
        sa.Column("created_at", tempo.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", tempo.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", tempo.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["player_id"],
            ["player.id"],
            name=op.f("fk_player_session_player_id_player"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_player_session")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_player_session_token_hash")),
    )
    with op.batch_alter_table("player_session", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_player_session_player_id"), ["player_id"], unique=False
        )
    with op.batch_alter_table("team", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("locked", sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table("team", schema=None) as batch_op:
        batch_op.drop_column("locked")
    with op.batch_alter_table("player_session", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_player_session_player_id"))
    op.drop_table("player_session")
