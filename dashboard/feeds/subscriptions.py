"""A feed's settings, from the admin's form: checked, saved, removed."""

from __future__ import annotations

import sqlalchemy as sa
from babel import Locale, UnknownLocaleError

from dashboard import config
from dashboard.content import editing, models
from dashboard.content.sitefile import FieldErrors
from dashboard.content.store import current_store
from dashboard.feeds.parse import URL


def check_feed(values: dict) -> dict:
    """A feed's settings from the admin's form; FieldErrors names each bad field."""
    fields: dict[str, list[str]] = {}
    url = str(values.get("url", "")).strip()
    if not URL.match(url) or len(url) > 2000:
        fields.setdefault("url", []).append("must be an http:// or https:// address")
    interval = values.get("interval_minutes", 30)
    try:
        interval = int(interval)
    except (TypeError, ValueError):
        interval = None
    if (
        interval is None
        or not config.FEED_MIN_INTERVAL_MINUTES <= interval <= config.FEED_MAX_INTERVAL_MINUTES
    ):
        fields.setdefault("interval_minutes", []).append(
            "must be a whole number of minutes from "
            f"{config.FEED_MIN_INTERVAL_MINUTES} to {config.FEED_MAX_INTERVAL_MINUTES}"
        )
    language = str(values.get("language", "")).strip() or "en"
    try:
        Locale.parse(language)
    except (ValueError, UnknownLocaleError):
        fields.setdefault("language", []).append(f"{language!r} is not a known language code")
    if fields:
        raise FieldErrors(fields)
    return {
        "url": url,
        "interval_minutes": interval,
        "language": language,
        "publish": bool(values.get("publish")),
    }


def save_feed(values: dict, feed_id: int | None = None) -> models.Feed:
    checked = check_feed(values)
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
