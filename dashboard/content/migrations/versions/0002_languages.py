"""languages: counter texts per language, and each statement's own language

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("counters") as batch:
        batch.add_column(sa.Column("translations", sa.JSON(), nullable=False, server_default="{}"))
    with op.batch_alter_table("statements") as batch:
        batch.add_column(sa.Column("language", sa.String(16), nullable=False, server_default="en"))
        batch.create_index("ix_statements_language", ["language"])


def downgrade() -> None:
    with op.batch_alter_table("statements") as batch:
        batch.drop_index("ix_statements_language")
        batch.drop_column("language")
    with op.batch_alter_table("counters") as batch:
        batch.drop_column("translations")
