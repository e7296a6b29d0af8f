"""statement bodies are rendered once, when written: statements get body_html, filled here for
the bodies already stored

Revision ID: 0004
Revises: 0003
"""

import logging

import sqlalchemy as sa
from alembic import op

from dashboard.content import rendering, richtext

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

log = logging.getLogger("alembic.runtime.migration")
statements = sa.table(
    "statements",
    sa.column("id", sa.Integer),
    sa.column("slug", sa.String),
    sa.column("body", sa.Text),
    sa.column("body_html", sa.Text),
)
BATCH = 500


def upgrade() -> None:
    with op.batch_alter_table("statements") as batch:
        batch.add_column(sa.Column("body_html", sa.Text(), nullable=False, server_default=""))
    connection = op.get_bind()
    query = (
        sa.select(statements.c.id, statements.c.slug, statements.c.body)
        .where(statements.c.body != "")
        .order_by(statements.c.id)
    )
    last = 0
    while True:
        rows = connection.execute(query.where(statements.c.id > last).limit(BATCH)).all()
        if not rows:
            return
        update = (
            sa.update(statements)
            .where(statements.c.id == sa.bindparam("row_id"))
            .values(body_html=sa.bindparam("html"))
        )
        connection.execute(update, [{"row_id": r.id, "html": _html(r.slug, r.body)} for r in rows])
        last = rows[-1].id


def _html(slug: str, body: str) -> str:
    """Rendered with the same bounds as every write; a body stored before them that cannot be
    rendered in time is shown as escaped text, so that the upgrade completes."""
    try:
        return rendering.body_html(body)
    except rendering.BodyNotRendered as error:
        log.warning("statement %r: %s; its body is shown as plain text", slug, error)
        return richtext.escaped_paragraphs(body)


def downgrade() -> None:
    with op.batch_alter_table("statements") as batch:
        batch.drop_column("body_html")
