"""counsellors' messages to the phones and their read receipts

Revision ID: 0008_messages
Revises: 0007_booking
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import tempo.models.base

revision = "0008_messages"
down_revision = "0007_booking"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "message",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("cohort_id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=True),
        sa.Column("player_id", sa.Integer(), nullable=True),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("author_name", sa.String(length=120), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", tempo.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["cohort_id"],
            ["cohort.id"],
            name=op.f("fk_message_cohort_id_cohort"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["team_id"], ["team.id"], name=op.f("fk_message_team_id_team"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["player_id"],
            ["player.id"],
            name=op.f("fk_message_player_id_player"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["author_id"],
            ["staff_account.id"],
            name=op.f("fk_message_author_id_staff_account"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_message")),
    )
    with op.batch_alter_table("message", schema=None) as batch_op:
        batch_op.create_index(
            "ix_message_cohort_created", ["cohort_id", "created_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_message_team_id"), ["team_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_message_player_id"), ["player_id"], unique=False)
    op.create_table(
        "message_read",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("message_id", sa.Integer(), nullable=False),
        sa.Column("player_id", sa.Integer(), nullable=False),
        sa.Column("read_at", tempo.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["message_id"],
            ["message.id"],
            name=op.f("fk_message_read_message_id_message"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["player_id"],
            ["player.id"],
            name=op.f("fk_message_read_player_id_player"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_message_read")),
        sa.UniqueConstraint(
            "message_id", "player_id", name=op.f("uq_message_read_message_id_player_id")
        ),
    )
    with op.batch_alter_table("message_read", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_message_read_player_id"), ["player_id"], unique=False)


def downgrade() -> None:
    """Revert this revision."""
    op.drop_table("message_read")
    op.drop_table("message")
