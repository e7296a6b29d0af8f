"""translations: the site's title and contact line, and clock labels, in other languages

Revision ID: 0011
Revises: 0009
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0009"
branch_labels = None
depends_on = None

TABLES = ("site", "clocks")


def upgrade() -> None:
    # A plain ADD COLUMN: no table is rebuilt, so SQLite's search triggers stay as they are.
    for table in TABLES:
        op.add_column(
            table, sa.Column("translations", sa.JSON(), nullable=False, server_default="{}")
        )


def downgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.drop_column("translations")
