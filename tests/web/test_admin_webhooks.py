"""/admin/webhooks: a webhook made with its secret shown once, masked after; problems beside
their fields; the deliveries' log, newest first, and a resend under the same webhook-id."""

from __future__ import annotations

import datetime as dt
import re

import sqlalchemy as sa

from dashboard.content.store import EXTENSION as STORE
from dashboard.webhooks import outbox
from dashboard.webhooks.models import FAILED, PENDING, Delivery, Webhook
from tests.helpers.admin import csrf_token, make_admin, post_form, signed_in_client

SECRET = re.compile(r"whsec_[A-Za-z0-9+/=]{40,}")


def test_a_webhook_is_made_with_its_secret_shown_once_and_its_log_resends(app):
    make_admin(app)
    client = signed_in_client(app)
    new = {"url": "https://hooks.example/in", "secret": "", "events": ["statement.published"]}
    form_url = "/admin/webhooks/new"
    bad = {**new, "url": "http://10.0.0.7/", "events": []}
    bad = post_form(client, form_url, bad, htmx=True, token_from=form_url)
    assert bad.status_code == 422
    page = bad.get_data(as_text=True)
    assert "points at 10.0.0.7, which is not a public address" in page
    assert "must name at least one event" in page
    made = post_form(client, form_url, {**new, "enabled": "1"}, token_from=form_url)
    assert made.status_code == 200
    (secret,) = SECRET.findall(made.get_data(as_text=True))  # shown this once
    twice = post_form(client, form_url, new, htmx=True, token_from=form_url)
    assert twice.status_code == 422 and "is already used" in twice.get_data(as_text=True)
    with app.extensions[STORE].session() as db:
        (hook,) = db.scalars(sa.select(Webhook)).all()
    assert (hook.secret, hook.events, hook.enabled) == (secret, ["statement.published"], True)
    listed = client.get("/admin/webhooks").get_data(as_text=True)
    assert secret not in listed and f"{secret[:10]}…" in listed
    form = client.get(f"/admin/webhooks/{hook.id}").get_data(as_text=True)
    assert secret not in form
    # An edit with the secret left empty keeps it.
    changed = {**new, "events": ["counter.reset"]}
    edited = post_form(client, f"/admin/webhooks/{hook.id}", changed, token_from=form_url)
    assert edited.status_code == 303
    with app.extensions[STORE].session() as db, db.begin():
        kept = db.get(Webhook, hook.id)
        assert (kept.secret, kept.events, kept.enabled) == (secret, ["counter.reset"], False)
        kept.enabled = True
        at = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
        older, newer = (outbox.enqueue(db, "counter.reset", {"n": n}, at)[0] for n in (1, 2))
        failed = db.get(Delivery, older.id)
        failed.status, failed.attempts, failed.last_error = FAILED, 7, "answered HTTP 500"
        failed.next_attempt_at = None
    log = client.get("/admin/webhooks/deliveries").get_data(as_text=True)
    assert log.index(newer.message_id) < log.index(older.message_id)  # newest first
    assert "answered HTTP 500" in log and secret not in log
    url = f"/admin/webhooks/deliveries/{older.id}/resend"
    assert client.post(url).status_code == 400  # no CSRF token: refused
    token = csrf_token(client, "/admin/webhooks/deliveries")
    resent = client.post(url, data={"csrf_token": token, "page": "1"})
    assert resent.status_code == 303
    with app.extensions[STORE].session() as db:
        again = db.get(Delivery, older.id)
        assert (again.status, again.message_id, again.attempts) == (PENDING, older.message_id, 7)
        assert again.next_attempt_at is not None
    assert "will be sent again" in client.get("/admin/webhooks/deliveries").get_data(as_text=True)
