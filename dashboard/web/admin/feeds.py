"""/admin/feeds: the RSS and Atom feeds polled into statements."""

from __future__ import annotations

import sqlalchemy as sa
from flask import current_app, render_template, url_for

from dashboard.content import models
from dashboard.content.schema import FEED
from dashboard.content.store import current_store
from dashboard.feeds import ingest, subscriptions
from dashboard.i18n.interface import _
from dashboard.web.admin.blueprint import (
    bp,
    done,
    entity_form,
    find_row,
    list_or_redirect,
    save_posted,
    show_or_save,
)


def _feeds() -> list[models.Feed]:
    with current_store().session() as db:
        return list(db.scalars(sa.select(models.Feed).order_by(models.Feed.id)))


@bp.get("/feeds")
def feeds_list():
    return render_template("admin/feeds.html", feeds=_feeds())


def _feed_form(row, values=None, errors=None, status=200):
    action = url_for("admin.feed_edit", feed_id=row.id) if row else url_for("admin.feed_new")
    return entity_form("admin/feed_form.html", FEED, row, action, values, errors, status)


def _save_feed(row):
    def save(values: dict) -> models.Feed:
        return subscriptions.save_feed(values, row.id if row else None)

    saved, values, errors = save_posted(FEED, save)
    if saved is None:
        return _feed_form(row, values, errors, 422)
    return done(
        "admin.feeds_list", _("Feed %(url)s saved; it is polled within a minute.", url=saved.url)
    )


@bp.route("/feeds/new", endpoint="feed_new", methods=["GET", "POST"])
@bp.route("/feeds/<int:feed_id>", endpoint="feed_edit", methods=["GET", "POST"])
def feed_form(feed_id: int | None = None):
    row = None if feed_id is None else find_row(models.Feed, feed_id, "feed")
    return show_or_save(_feed_form, _save_feed, row)


@bp.post("/feeds/<int:feed_id>/delete")
def feed_delete(feed_id: int):
    row = find_row(models.Feed, feed_id, "feed")
    subscriptions.delete_feed(row.id)
    message = _("Feed %(url)s removed; statements taken from it stay.", url=row.url)
    return list_or_redirect(
        url_for("admin.feeds_list"), "admin/_feed_list.html", _feed_list_context, message
    )


def _feed_list_context() -> dict:
    return {"feeds": _feeds()}


@bp.post("/feeds/<int:feed_id>/poll")
def feed_poll(feed_id: int):
    row = find_row(models.Feed, feed_id, "feed")
    report = ingest.poll_feed(current_app._get_current_object(), row.id)
    return list_or_redirect(
        url_for("admin.feeds_list"), "admin/_feed_list.html", _feed_list_context, report.line()
    )
