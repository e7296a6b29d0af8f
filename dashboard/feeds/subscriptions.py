"""A feed's settings, from the admin's form: checked (by its schema), saved, removed."""

from __future__ import annotations

import sqlalchemy as sa

from dashboard.content import editing, models
from dashboard.content.schema import FEED
from dashboard.content.store import current_store


def save_feed(values: dict, feed_id: int | None = None) -> models.Feed:
    checked = FEED.check(values)
    try:
        with current_store().session() as db, db.begin():
            taken = db.scalar(
                sa.select(models.Feed.id).where(
                    models.Feed.url == checked["url"], models.Feed.id != (feed_id or 0)
                )
            )
            if taken is not None:
                raise editing.Conflict("url", "this feed is already on the list")
            if feed_id is None:
                row = models.Feed(**checked, title="")
                db.add(row)
            else:
                row = db.get(models.Feed, feed_id)
                if row is None:
                    raise editing.NotFound(f"no feed with id {feed_id}")
                if row.url != checked["url"]:  # another address: forget the old validators
                    row.etag = row.last_modified = None
                for name, value in checked.items():
                    setattr(row, name, value)
    except sa.exc.IntegrityError:
        raise editing.Conflict("url", "this feed is already on the list") from None
    return row


def delete_feed(feed_id: int) -> None:
    """The feed goes; statements already taken from it stay."""
    with current_store().session() as db, db.begin():
        row = db.get(models.Feed, feed_id)
        if row is None:
            raise editing.NotFound(f"no feed with id {feed_id}")
        db.execute(sa.delete(models.FeedItem).where(models.FeedItem.feed_id == feed_id))
        db.delete(row)
