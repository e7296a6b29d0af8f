"""/admin/site: the site's own settings."""

from __future__ import annotations

from flask import request, url_for

from dashboard.content import editing
from dashboard.content.schema import SITE
from dashboard.i18n.interface import _
from dashboard.web.admin.blueprint import bp, current_site, done, entity_form, save_posted


@bp.route("/site", methods=["GET", "POST"])
def site_settings():
    site, action = current_site(), url_for("admin.site_settings")
    if request.method != "POST":
        return entity_form("admin/site.html", SITE, site, action)
    saved, values, errors = save_posted(SITE, editing.save_site)
    if saved is None:
        return entity_form("admin/site.html", SITE, site, action, values, errors, 422)
    return done("admin.site_settings", _("Site settings saved."))
