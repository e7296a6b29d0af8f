"""Preview links: a journalist reads a scheduled statement before its instant, marked as
under embargo, never cached or indexed; the link ends when revoked or at its own expiry."""

from __future__ import annotations

import datetime as dt
import html
import re

import sqlalchemy as sa
import time_machine

from dashboard.content import editing, models
from dashboard.content.store import EXTENSION as STORE
from tests.helpers.admin import post_form
from tests.helpers.reference import REFERENCE_INSTANT

INSTANT = REFERENCE_INSTANT + dt.timedelta(hours=2)  # 19:58 UTC, 19:58 in London
SLUG = "embargoed-budget-statement"
TITLE = "Embargoed budget statement"
LINK = re.compile(r'value="(http://localhost/statements/[^"]+)"')


def scheduled_statement(app, slug=SLUG, title=TITLE) -> int:
    with app.app_context():
        row = editing.save_statement(
            {"title": title, "slug": slug, "published": INSTANT, "summary": "Under embargo."}
        )
    return row.id


def make_link(admin_client, statement_id: int, htmx=False, **form) -> tuple[int, str]:
    url = f"/admin/statements/{statement_id}/previews"
    response = post_form(
        admin_client,
        url,
        {"days": "7", "note": "Reuters desk", **form},
        htmx=htmx,
        token_from=f"/admin/statements/{statement_id}",
    )
    found = LINK.search(response.get_data(as_text=True))
    return response.status_code, html.unescape(found.group(1)) if found else ""


def path_of(link: str) -> str:
    return link.removeprefix("http://localhost")


def test_a_preview_link_shows_the_statement_marked_as_embargoed(app, admin_client, client):
    statement_id = scheduled_statement(app)
    status, link = make_link(admin_client, statement_id)
    assert status == 200 and "?preview=pv_" in link
    with app.extensions[STORE].session() as db:
        stored = db.scalars(sa.select(models.PreviewLink)).one()
    assert link.rsplit("=", 1)[1] not in stored.token_hash  # only the hash is kept
    assert client.get(f"/statements/{SLUG}").status_code == 404  # readers: nothing yet

    response = client.get(path_of(link))
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and TITLE in page
    assert "Embargoed until 26.01.2020 19:58" in page
    assert response.headers["Cache-Control"] == "private, no-store"
    assert "ETag" not in response.headers
    assert "noindex" in response.headers["X-Robots-Tag"]
    assert '<meta name="robots" content="noindex">' in page
    russian = client.get(path_of(link) + "&lang=ru").get_data(as_text=True)
    assert "Эмбарго до 26.01.2020 19:58" in russian


def test_a_link_ends_when_revoked_and_at_its_own_expiry(app, admin_client, client):
    statement_id = scheduled_statement(app)
    _, kept = make_link(admin_client, statement_id, days="1")
    _, revoked = make_link(admin_client, statement_id, htmx=True)  # the list re-renders itself
    assert kept and revoked and kept != revoked
    with app.extensions[STORE].session() as db:
        link_id = db.scalars(sa.select(models.PreviewLink.id).order_by(models.PreviewLink.id))
        link_id = link_id.all()[-1]
    answer = post_form(
        admin_client,
        f"/admin/statements/{statement_id}/previews/{link_id}/revoke",
        {},
        htmx=True,
        token_from=f"/admin/statements/{statement_id}",
    )
    assert answer.status_code == 200 and "Revoked" in answer.get_data(as_text=True)
    refused = client.get(path_of(revoked))
    assert refused.status_code == 404 and TITLE not in refused.get_data(as_text=True)
    assert refused.headers["Cache-Control"] == "no-store"
    assert client.get(path_of(kept)).status_code == 200
    with time_machine.travel(REFERENCE_INSTANT + dt.timedelta(days=1, seconds=1), tick=False):
        assert client.get(path_of(kept)).status_code == 404


def test_a_link_opens_only_its_own_statement_and_reveals_nothing_else(app, admin_client, client):
    first = scheduled_statement(app)
    scheduled_statement(app, slug="other-embargoed-statement", title="Other embargoed")
    _, link = make_link(admin_client, first)
    token = link.rsplit("=", 1)[1]
    for slug in ("other-embargoed-statement", "no-such-statement"):
        response = client.get(f"/statements/{slug}?preview={token}")
        text = response.get_data(as_text=True)
        assert response.status_code == 404, slug
        assert "Other embargoed" not in text and "expired or was revoked" in text
    wrong = client.get(f"/statements/{SLUG}?preview=pv_{'A' * 43}")
    assert wrong.status_code == 404
    malformed = client.get(f"/statements/{SLUG}?preview=../../etc")
    assert malformed.status_code == 400
    assert "&#39;preview&#39;" in malformed.get_data(as_text=True)


def test_the_admin_refuses_a_link_that_would_outlive_the_limit(app, admin_client):
    statement_id = scheduled_statement(app)
    status, link = make_link(admin_client, statement_id, days="9999")
    assert status == 422 and link == ""
    status, _ = make_link(admin_client, statement_id, days="seven")
    assert status == 422
    with app.extensions[STORE].session() as db:
        assert db.scalar(sa.select(sa.func.count()).select_from(models.PreviewLink)) == 0


def test_the_admin_says_a_statement_is_scheduled(app, admin_client):
    statement_id = scheduled_statement(app)
    listed = admin_client.get("/admin/statements").get_data(as_text=True)
    row = re.search(rf'<tr id="statement-{statement_id}".*?</tr>', listed, re.S).group(0)
    assert "Scheduled" in row
    page = admin_client.get(f"/admin/statements/{statement_id}").get_data(as_text=True)
    assert "unseen by readers until 2020-01-26 19:58:00 (Europe/London)" in page
