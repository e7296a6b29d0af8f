"""translations: the site's title and contact line, and clock labels, in other languages; a
statement may be the translation of another (`translation_of`, the original's slug)

Revision ID: 0011
Revises: 0010
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

TABLES = ("site", "clocks")


def upgrade() -> None:
    # A plain ADD COLUMN: no table is rebuilt, so SQLite's search triggers stay as they are.
    for table in TABLES:
        op.add_column(
            table, sa.Column("translations", sa.JSON(), nullable=False, server_default="{}")
        )
    op.add_column(
        "statements",
        sa.Column("translation_of", sa.String(200), nullable=False, server_default=""),
    )
    op.create_index("ix_statements_translation_of", "statements", ["translation_of"])


def downgrade() -> None:
    # DROP COLUMN in place (SQLite 3.35 and later): a batch rebuild would drop the triggers.
    op.drop_index("ix_statements_translation_of", table_name="statements")
    for table, column in (*((t, "translations") for t in TABLES), ("statements", "translation_of")):
        op.execute(f"ALTER TABLE {table} DROP COLUMN {column}")
