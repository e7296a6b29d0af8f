"""/admin/webhooks: the receivers of events, and the log of what was sent to them, where any
delivery can be sent again (under the same webhook-id)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for

from dashboard import config
from dashboard.content import store
from dashboard.content.schema import WEBHOOK
from dashboard.content.schema.webhook import masked
from dashboard.core.numbers import whole_number
from dashboard.i18n.interface import _
from dashboard.web import params
from dashboard.web.admin.blueprint import bp, done, entity_form, find_row, form_page, save_posted
from dashboard.webhooks import outbox, subscriptions
from dashboard.webhooks.models import Webhook


@bp.get("/webhooks")
def webhooks_list():
    return render_template("admin/webhooks.html", webhooks=subscriptions.webhooks(), masked=masked)


def _form(row, values=None, errors=None, status=200):
    action = (
        url_for("admin.webhook_edit", webhook_id=row.id) if row else url_for("admin.webhook_new")
    )
    return entity_form(
        "admin/webhook_form.html", WEBHOOK, row, action, values, errors, status,
        secret_hint=masked(row.secret) if row else "",
    )  # fmt: skip


def _save(row):
    made: list = []

    def save(values: dict) -> Webhook:
        saved, secret = subscriptions.save_webhook(values, row.id if row else None)
        made.append(secret)
        return saved

    saved, values, errors = save_posted(WEBHOOK, save)
    if saved is None:
        return _form(row, values, errors, 422)
    if made and made[0]:  # shown this once, never again: no redirect carries it
        return form_page(
            "admin/webhook_secret.html", "admin/_webhook_secret.html", webhook=saved,
            secret=made[0],
        )  # fmt: skip
    return done("admin.webhooks_list", _("Webhook %(url)s saved.", url=saved.url))


@bp.route("/webhooks/new", endpoint="webhook_new", methods=["GET", "POST"])
@bp.route("/webhooks/<int:webhook_id>", endpoint="webhook_edit", methods=["GET", "POST"])
def webhook_form(webhook_id: int | None = None):
    row = None if webhook_id is None else find_row(Webhook, webhook_id, "webhook")
    return _save(row) if request.method == "POST" else _form(row)


@bp.post("/webhooks/<int:webhook_id>/delete")
def webhook_delete(webhook_id: int):
    row = find_row(Webhook, webhook_id, "webhook")
    subscriptions.delete_webhook(row.id)
    return done(
        "admin.webhooks_list", _("Webhook %(url)s removed, with its deliveries.", url=row.url)
    )


# Any page past the last is empty; past this one its offset would not fit a row id.
LOG = params.Query(
    "admin.webhook_deliveries",
    page=params.Whole(1, params.MAX_ROW_ID // config.WEBHOOK_LOG_PER_PAGE, 1),
)


@bp.get("/webhooks/deliveries")
def webhook_deliveries():
    page = LOG.read()["page"]
    with store.current_store().session() as db:
        rows, more = outbox.log_page(db, page, config.WEBHOOK_LOG_PER_PAGE)
    return render_template("admin/webhook_deliveries.html", rows=rows, page=page, more=more)


@bp.post("/webhooks/deliveries/<int:delivery_id>/resend")
def webhook_resend(delivery_id: int):
    found = subscriptions.resend(delivery_id)
    if found is None:
        abort(404, description=_("There is no %(name)s %(id)s.", name="delivery", id=delivery_id))
    with store.current_store().session() as db:
        hook = db.get(Webhook, found.webhook_id)
    if hook is not None and not hook.enabled:
        flash(
            _(
                "Delivery %(id)s is queued, but its webhook is off: turn it on to send it.",
                id=delivery_id,
            )
        )
    else:
        flash(_("Delivery %(id)s will be sent again within seconds.", id=delivery_id))
    page = whole_number(request.form.get("page", ""), 1, params.MAX_ROW_ID) or 1
    return redirect(url_for("admin.webhook_deliveries", page=page), 303)
