"""/admin/preview: the page as readers would see it at any instant, drafts optionally."""

from __future__ import annotations

from flask import render_template, request

from dashboard.cache.live import DELAY_MARK
from dashboard.content import editing
from dashboard.core import timecalc
from dashboard.core.snapshot import snapshot
from dashboard.i18n.languages import LANGUAGES, locales
from dashboard.i18n.languages import names as language_names
from dashboard.web.admin.blueprint import bp, current_site
from dashboard.web.templating import render_page


@bp.get("/preview")
def preview():
    site = current_site()
    at_text = request.args.get("at", "").strip()
    include_drafts = request.args.get("drafts") == "1"
    locale = request.args.get("lang", "")
    locale = locale if locale in LANGUAGES else site.locale
    error = None
    at = timecalc.utcnow()
    if at_text:
        try:
            at = timecalc.from_local_text(at_text, site.timezone)
        except timecalc.TimeError as problem:
            error = str(problem)
    shot = snapshot(at, editing.preview_content(include_drafts), locale)
    page = render_page("public/index.html", shot=shot)
    page = page.replace(DELAY_MARK.decode(), "60000")
    return render_template(
        "admin/preview.html",
        shot=None,
        snapshot_at=shot.at,
        at_text=at_text or timecalc.local_input_text(at, site.timezone),
        include_drafts=include_drafts,
        locale=locale,
        locales=locales(),
        languages=language_names(),
        page=page,
        site=site,
        error=error,
    ), (400 if error else 200)
