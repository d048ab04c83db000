"""sandbox and patches: studio play-test cohorts (cohort.sandbox_owner_id) and the audit of
patches applied to running cohorts (scenario_patch)

Revision ID: 0013_sandbox
Revises: 0012_catalogue
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import tempo.models.base

revision = "0013_sandbox"
down_revision = "0012_catalogue"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this revision."""
    with op.batch_alter_table("cohort", schema=None) as batch_op:
        batch_op.add_column(sa.Column("sandbox_owner_id", sa.Integer(), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_cohort_sandbox_owner_id"), ["sandbox_owner_id"], unique=False
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_cohort_sandbox_owner_id_staff_account"),
            "staff_account",
            ["sandbox_owner_id"],
            ["id"],
            ondelete="CASCADE",
        )
    op.create_table(
        "scenario_patch",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("base_version_id", sa.Integer(), nullable=False),
        sa.Column("patched_version_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("applied_at", tempo.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["author_id"],
            ["staff_account.id"],
            name=op.f("fk_scenario_patch_author_id_staff_account"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["base_version_id"],
            ["scenario_version.id"],
            name=op.f("fk_scenario_patch_base_version_id_scenario_version"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["patched_version_id"],
            ["scenario_version.id"],
            name=op.f("fk_scenario_patch_patched_version_id_scenario_version"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_scenario_patch")),
    )
    op.create_index(
        op.f("ix_scenario_patch_base_version_id"), "scenario_patch", ["base_version_id"]
    )
    op.create_index(
        op.f("ix_scenario_patch_patched_version_id"), "scenario_patch", ["patched_version_id"]
    )


def downgrade() -> None:
    """Revert this revision."""
    op.drop_index(op.f("ix_scenario_patch_patched_version_id"), table_name="scenario_patch")
    op.drop_index(op.f("ix_scenario_patch_base_version_id"), table_name="scenario_patch")
    op.drop_table("scenario_patch")
    with op.batch_alter_table("cohort", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_cohort_sandbox_owner_id_staff_account"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_cohort_sandbox_owner_id"))
        batch_op.drop_column("sandbox_owner_id")
