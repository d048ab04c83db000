"""daily recaps

Revision ID: 0005_recaps
Revises: 0005_mail

Tables of the daily recaps (tempo/models/recap.py): one digest per closed day of a cohort, one
recap per team and day, one per player and day (unique, so each is produced once), and when a
player consented to receive them by e-mail.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import tempo.models.base

revision = "0005_recaps"
down_revision = "0005_mail"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "recap_digest",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("cohort_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Integer(), nullable=False),
        sa.Column("since", tempo.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("until", tempo.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_at", tempo.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("mailed_at", tempo.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["cohort_id"],
            ["cohort.id"],
            name=op.f("fk_recap_digest_cohort_id_cohort"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recap_digest")),
        sa.UniqueConstraint("cohort_id", "day", name=op.f("uq_recap_digest_cohort_id_day")),
    )
    op.create_table(
        "team_recap",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("cohort_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Integer(), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("created_at", tempo.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["cohort_id"],
            ["cohort.id"],
            name=op.f("fk_team_recap_cohort_id_cohort"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["team_id"], ["team.id"], name=op.f("fk_team_recap_team_id_team"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_team_recap")),
        sa.UniqueConstraint("team_id", "day", name=op.f("uq_team_recap_team_id_day")),
    )
    with op.batch_alter_table("team_recap", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_team_recap_cohort_id"), ["cohort_id"], unique=False)

    op.create_table(
        "player_recap",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("player_id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("cohort_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Integer(), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("created_at", tempo.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["cohort_id"],
            ["cohort.id"],
            name=op.f("fk_player_recap_cohort_id_cohort"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["player_id"],
            ["player.id"],
            name=op.f("fk_player_recap_player_id_player"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["team_id"], ["team.id"], name=op.f("fk_player_recap_team_id_team"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_player_recap")),
        sa.UniqueConstraint("player_id", "day", name=op.f("uq_player_recap_player_id_day")),
    )
    with op.batch_alter_table("player_recap", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_player_recap_cohort_id"), ["cohort_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_player_recap_team_id"), ["team_id"], unique=False)

    with op.batch_alter_table("player", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "email_consent_at", tempo.models.base.UTCDateTime(timezone=True), nullable=True
            )
        )


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table("player", schema=None) as batch_op:
        batch_op.drop_column("email_consent_at")

    with op.batch_alter_table("player_recap", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_player_recap_team_id"))
        batch_op.drop_index(batch_op.f("ix_player_recap_cohort_id"))

    op.drop_table("player_recap")
    with op.batch_alter_table("team_recap", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_team_recap_cohort_id"))

    op.drop_table("team_recap")
    op.drop_table("recap_digest")
