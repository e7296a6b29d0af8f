"""/admin/preview: the page as readers would see it at any instant, drafts optionally."""

from __future__ import annotations

from flask import render_template

from dashboard.cache.live import DELAY_MARK
from dashboard.content import editing
from dashboard.core import timecalc
from dashboard.core.snapshot import snapshot
from dashboard.i18n.languages import LANGUAGES, locales
from dashboard.i18n.languages import names as language_names
from dashboard.web import params
from dashboard.web.admin.blueprint import bp, current_site
from dashboard.web.templating import render_page

# `at` is the site's wall-clock time as the form's datetime-local field sends it: read below,
# in the site's zone, and shown back with the problem when it cannot be used.
PREVIEW = params.Query(
    "admin.preview",
    at=params.Text(40),
    drafts=params.Flag(),
    lang=params.OneOf(LANGUAGES, lenient=True),
)


@bp.get("/preview")
def preview():
    site = current_site()
    values = PREVIEW.read()
    at_text, include_drafts = values["at"] or "", values["drafts"]
    locale = values["lang"] or site.locale
    error = None
    at = timecalc.utcnow()
    if at_text:
        try:
            at = timecalc.from_local_text(at_text, site.timezone)
        except timecalc.TimeError as problem:
            error = str(problem)
    shot = snapshot(at, editing.preview_content(include_drafts, at), locale)
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
