"""The admin's forms as a browser sees them: each is drawn from its entity's schema, and
posting one back as it was shown stores exactly what was there."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
import sqlalchemy as sa

from dashboard.content import models
from dashboard.content.schema import CLOCK, COUNTER, FEED, SITE, STATEMENT, TOPIC
from dashboard.content.store import EXTENSION as STORE
from tests.helpers.admin import log_in, make_admin, post_form

# A module of a second or more: in the full suite, not the fast tier.
pytestmark = pytest.mark.system


class FormReader(HTMLParser):
    """The fields a browser would send for the page's edit form, as they are filled in."""

    def __init__(self):
        super().__init__()
        self.data: dict[str, str | list[str]] = {}  # a list for several boxes of one name
        self.names: list[str] = []
        self._textarea: str | None = None
        self._select: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        name = attrs.get("name")
        if tag == "input" and name and name != "csrf_token":
            if self.names[-1:] != [name]:  # a group of check boxes is one field
                self.names.append(name)
            if attrs.get("type") != "checkbox":
                self.data[name] = attrs.get("value") or ""
            elif "checked" in attrs:
                value = attrs.get("value") or "on"
                if name in self.data:
                    previous = self.data[name]
                    self.data[name] = [*([previous] if isinstance(previous, str) else previous)]
                    self.data[name].append(value)
                else:
                    self.data[name] = value
        elif tag == "textarea":
            self.names.append(name)
            self._textarea, self.data[name] = name, ""
        elif tag == "select":
            self.names.append(name)
            self._select = name
        elif (
            tag == "option"
            and self._select
            and ("selected" in attrs or self._select not in self.data)
        ):
            self.data[self._select] = attrs.get("value", "")

    def handle_data(self, data):
        if self._textarea:
            self.data[self._textarea] += data

    def handle_endtag(self, tag):
        if tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None


def read_form(html: str) -> FormReader:
    start = html.rindex("<form", 0, html.index('class="edit-form"'))
    reader = FormReader()
    reader.feed(html[start : html.index("</form>", start)])
    return reader


def stored(app, model, schema, row_id: int) -> dict:
    with app.extensions[STORE].session() as db:
        return schema.stored(db.get(model, row_id))


@pytest.fixture
def admin(app, at_reference):
    """Signed in, with a feed, on a site whose wall clock is not UTC's (+05:45)."""
    with app.extensions[STORE].session() as db, db.begin():
        db.get(models.Site, 1).timezone = "Asia/Kathmandu"
    make_admin(app)
    client = app.test_client()
    log_in(client)
    post_form(client, "/admin/feeds/new", {"url": "https://mid.example/f", "interval_minutes": "9"})
    return client


FORMS = {
    "counter": ("/admin/counters/{id}", models.Counter, COUNTER),
    "clock": ("/admin/clocks/{id}", models.Clock, CLOCK),
    "topic": ("/admin/topics/{id}", models.Topic, TOPIC),
    "site": ("/admin/site", models.Site, SITE),
    "statement": ("/admin/statements/{id}", models.Statement, STATEMENT),
    "feed": ("/admin/feeds/{id}", models.Feed, FEED),
}


@pytest.mark.parametrize("kind", FORMS, ids=list(FORMS))
def test_every_row_posted_back_as_shown_is_stored_unchanged(app, admin, kind):
    url, model, schema = FORMS[kind]
    with app.extensions[STORE].session() as db:
        row_ids = list(db.scalars(sa.select(model.id).order_by(model.id)))
    assert row_ids
    for row_id in row_ids:
        before = stored(app, model, schema, row_id)
        page = admin.get(url.format(id=row_id))
        assert page.status_code == 200
        form = read_form(page.get_data(as_text=True))
        saved = post_form(admin, url.format(id=row_id), form.data)
        assert saved.status_code == 303, saved.get_data(as_text=True)
        assert stored(app, model, schema, row_id) == before, row_id


@pytest.mark.parametrize("kind", FORMS, ids=list(FORMS))
def test_the_form_has_an_input_for_every_field_its_schema_puts_on_it(app, admin, kind):
    url, _model, schema = FORMS[kind]
    form = read_form(admin.get(url.format(id=1)).get_data(as_text=True))
    expected = []
    for widget in schema.widgets():
        if widget.input == "translations":
            expected += [f"translations-ru-{word}" for word, _label in widget.parts]
        else:
            expected.append(widget.name)
    if kind == "statement":  # how an edit is saved, not a field: marks it as a correction
        expected.append("correction")
    assert form.names == expected
