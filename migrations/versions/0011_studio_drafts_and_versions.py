"""studio: drafts and their revisions, numbered versions with changelog, author and sources,
the current version of each scenario

Revision ID: 0011_studio
Revises: 0010_access
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import tempo.models.base

revision = "0011_studio"
down_revision = "0010_access"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this revision."""
    with op.batch_alter_table("scenario_version", schema=None) as batch_op:
        batch_op.add_column(sa.Column("number", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("changelog", sa.String(length=300), nullable=True))
        batch_op.add_column(sa.Column("author_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("files", sa.JSON(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_scenario_version_author_id_staff_account"),
            "staff_account",
            ["author_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch_op.create_unique_constraint(
            batch_op.f("uq_scenario_version_slug_number"), ["slug", "number"]
        )
    op.create_table(
        "scenario_current",
        sa.Column("slug", sa.String(length=64), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("changed_at", tempo.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["scenario_version.id"],
            name=op.f("fk_scenario_current_version_id_scenario_version"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("slug", name=op.f("pk_scenario_current")),
    )
    # Number the versions already published, per scenario in publication order; the last one of
    # each scenario is the one new cohorts start from.
    conn = op.get_bind()
    rows = conn.execute(
        sa.text("SELECT id, slug FROM scenario_version ORDER BY slug, published_at, id")
    ).all()
    counts: dict[str, int] = {}
    last: dict[str, int] = {}
    for version_id, slug in rows:
        counts[slug] = counts.get(slug, 0) + 1
        last[slug] = version_id
        conn.execute(
            sa.text("UPDATE scenario_version SET number = :n WHERE id = :id"),
            {"n": counts[slug], "id": version_id},
        )
    for slug, version_id in last.items():
        conn.execute(
            sa.text(
                "INSERT INTO scenario_current (slug, version_id, changed_at) "
                "VALUES (:slug, :id, CURRENT_TIMESTAMP)"
            ),
            {"slug": slug, "id": version_id},
        )
    op.create_table(
        "scenario_draft",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=64), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("files", sa.JSON(), nullable=False),
        sa.Column("created_at", tempo.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", tempo.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["owner_id"],
            ["staff_account.id"],
            name=op.f("fk_scenario_draft_owner_id_staff_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_scenario_draft")),
    )
    op.create_index(
        op.f("ix_scenario_draft_owner_id"), "scenario_draft", ["owner_id"], unique=False
    )
    op.create_table(
        "scenario_draft_revision",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("draft_id", sa.Integer(), nullable=False),
        sa.Column("saved_at", tempo.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("files", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["draft_id"],
            ["scenario_draft.id"],
            name=op.f("fk_scenario_draft_revision_draft_id_scenario_draft"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_scenario_draft_revision")),
    )
    op.create_index(
        op.f("ix_scenario_draft_revision_draft_id"),
        "scenario_draft_revision",
        ["draft_id"],
        unique=False,
    )


def downgrade() -> None:
    """Revert this revision."""
    op.drop_index(op.f("ix_scenario_draft_revision_draft_id"), table_name="scenario_draft_revision")
    op.drop_table("scenario_draft_revision")
    op.drop_index(op.f("ix_scenario_draft_owner_id"), table_name="scenario_draft")
    op.drop_table("scenario_draft")
    op.drop_table("scenario_current")
    with op.batch_alter_table("scenario_version", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_scenario_version_slug_number"), type_="unique")
        batch_op.drop_constraint(
            batch_op.f("fk_scenario_version_author_id_staff_account"), type_="foreignkey"
        )
        batch_op.drop_column("files")
        batch_op.drop_column("author_id")
        batch_op.drop_column("changelog")
        batch_op.drop_column("number")
