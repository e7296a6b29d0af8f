"""counter milestones: how a counter reads (display, calendar), its milestones (milestones,
every, anniversaries), and the announcements made of them, one per counter, run and milestone

Revision ID: 0013
Revises: 0011
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

COLUMNS = ("display", "calendar", "milestones", "every", "anniversaries")


def upgrade() -> None:
    # Plain ADD COLUMNs: counters has no triggers, but nothing is rebuilt either way.
    op.add_column(
        "counters", sa.Column("display", sa.String(20), nullable=False, server_default="days")
    )
    op.add_column(
        "counters", sa.Column("calendar", sa.String(20), nullable=False, server_default="")
    )
    op.add_column(
        "counters", sa.Column("milestones", sa.JSON(), nullable=False, server_default="[]")
    )
    op.add_column("counters", sa.Column("every", sa.Integer(), nullable=True))
    op.add_column(
        "counters",
        sa.Column("anniversaries", sa.Boolean(), nullable=False, server_default=sa.false()),
    )
    op.create_table(
        "milestone_announcements",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("counter_slug", sa.String(100), nullable=False),
        sa.Column("since", sa.Date(), nullable=False),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("value", sa.Integer(), nullable=False),
        sa.Column("reached_on", sa.Date(), nullable=False),
        sa.Column("announced_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("statement_slug", sa.String(200), nullable=False, server_default=""),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("counter_slug", "since", "kind", "value", name="uq_milestone_once"),
    )


def downgrade() -> None:
    op.drop_table("milestone_announcements")
    for column in COLUMNS:  # DROP COLUMN in place (SQLite 3.35 and later), as 0011 does
        op.execute(f"ALTER TABLE counters DROP COLUMN {column}")
