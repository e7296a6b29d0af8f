"""/admin/site: the site's own settings."""

from __future__ import annotations

from flask import request

from dashboard.content import editing
from dashboard.content.sitefile import FieldErrors
from dashboard.i18n.languages import locales
from dashboard.i18n.languages import names as language_names
from dashboard.web.admin.blueprint import bp, current_site, done, field_errors, form_page


@bp.route("/site", methods=["GET", "POST"])
def site_settings():
    site = current_site()
    values = {
        "title": site.title,
        "timezone": site.timezone,
        "contact": site.contact,
        "locale": site.locale,
        "latest_count": site.latest_count,
    }
    errors: dict = {}
    status = 200
    if request.method == "POST":
        form = request.form
        count = form.get("latest_count", "").strip()
        values = {
            "title": form.get("title", ""),
            "timezone": form.get("timezone", ""),
            "contact": form.get("contact", ""),
            "locale": form.get("locale", ""),
            "latest_count": int(count) if count.isdigit() else count,
        }
        try:
            editing.save_site(values)
        except (FieldErrors, editing.Conflict) as error:
            errors, status = field_errors(error), 422
        else:
            return done("admin.site_settings", "Site settings saved.")
    return form_page(
        "admin/site.html",
        "admin/_site_form.html",
        status,
        values=values,
        errors=errors,
        locales=locales(),
        languages=language_names(),
    )
