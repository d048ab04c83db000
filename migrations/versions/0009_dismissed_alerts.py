"""dashboard alerts dismissed by a counsellor, per cohort and alert key

Revision ID: 0009_dismissed_alerts
Revises: 0008_messages
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import tempo.models.base

revision = "0009_dismissed_alerts"
down_revision = "0008_messages"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "dismissed_alert",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("cohort_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("dismissed_by_id", sa.Integer(), nullable=True),
        sa.Column("dismissed_at", tempo.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["cohort_id"],
            ["cohort.id"],
            name=op.f("fk_dismissed_alert_cohort_id_cohort"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["dismissed_by_id"],
            ["staff_account.id"],
            name=op.f("fk_dismissed_alert_dismissed_by_id_staff_account"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dismissed_alert")),
        sa.UniqueConstraint("cohort_id", "key", name=op.f("uq_dismissed_alert_cohort_id_key")),
    )


def downgrade() -> None:
    """Revert this revision."""
    op.drop_table("dismissed_alert")
