"""statements may expire: after `expires` a statement leaves every list and its page answers
410 Gone. A `published` instant in the future already means scheduled; the index on `expires`
lets the scheduler find the next instant at which what readers see changes. Warmed bytes say
from when they hold (the rows are a cache: those already there are dropped).

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("statements") as batch:
        batch.add_column(sa.Column("expires", sa.DateTime(timezone=True), nullable=True))
        batch.create_index("ix_statements_expires", ["expires"])
    op.execute("DELETE FROM rendered")
    with op.batch_alter_table("rendered") as batch:
        batch.add_column(sa.Column("valid_from", sa.DateTime(timezone=True), nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("rendered") as batch:
        batch.drop_column("valid_from")
    with op.batch_alter_table("statements") as batch:
        batch.drop_index("ix_statements_expires")
        batch.drop_column("expires")
