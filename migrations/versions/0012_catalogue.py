"""catalogue: the Mission Locale's offers and diagnostic links as numbered versions

Revision ID: 0012_catalogue
Revises: 0011_studio
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import tempo.models.base

revision = "0012_catalogue"
down_revision = "0011_studio"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "catalogue_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=True),
        sa.Column("offers", sa.Text(), nullable=False),
        sa.Column("diagnostic", sa.Text(), nullable=False),
        sa.Column("changelog", sa.String(length=300), nullable=True),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("saved_at", tempo.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["author_id"],
            ["staff_account.id"],
            name=op.f("fk_catalogue_version_author_id_staff_account"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_catalogue_version")),
        sa.UniqueConstraint("number", name=op.f("uq_catalogue_version_number")),
    )


def downgrade() -> None:
    """Revert this revision."""
    op.drop_table("catalogue_version")
