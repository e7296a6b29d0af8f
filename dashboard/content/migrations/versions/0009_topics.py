"""topics: what statements are about, named per language, and which statements each has

Revision ID: 0009
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "topics",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(200), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("translations", sa.JSON(), nullable=False, server_default="{}"),
        sa.Column("position", sa.Integer(), nullable=False, server_default="0"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("slug", name="uq_topics_slug"),
    )
    op.create_table(
        "statement_topics",
        sa.Column("statement_id", sa.Integer(), nullable=False),
        sa.Column("topic_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["statement_id"],
            ["statements.id"],
            name="fk_statement_topics_statement_id",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["topic_id"], ["topics.id"], name="fk_statement_topics_topic_id", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("statement_id", "topic_id"),
    )
    # A topic's statements, without reading through every statement's topics.
    op.create_index(
        "ix_statement_topics_topic_id", "statement_topics", ["topic_id", "statement_id"]
    )


def downgrade() -> None:
    op.drop_index("ix_statement_topics_topic_id", table_name="statement_topics")
    op.drop_table("statement_topics")
    op.drop_table("topics")
