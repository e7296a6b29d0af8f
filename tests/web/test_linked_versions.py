"""A statement and its translation: linked with hreflang alternates and x-default (the
original), a language switch that leads to the other version, and every list (page, archive,
topic, Atom, embed) showing each statement once, in the reader's language where it has a
visible version; links to a missing statement, to itself, to a translation, or two versions in
one language are refused, whichever way they are written."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine

from dashboard.content import editing
from dashboard.content.schema import STATEMENT, FieldErrors
from tests.helpers.admin import statement_row

ORIGINAL = "konsulskii-otdel-24-fevralia-2020"  # the demo's, in Russian
ENGLISH = "consular-section-24-february-2020"  # its English version
AFTER = dt.datetime(2020, 2, 21, 12, 0, tzinfo=dt.UTC)
LINKS = re.compile(r'href="(?:http://localhost)?/statements/([a-z0-9-]+)')


def linked(html: str) -> set[str]:
    return set(LINKS.findall(html)) & {ORIGINAL, ENGLISH, "tr-en", "tr-ru"}


@pytest.fixture
def after(app):
    with time_machine.travel(AFTER, tick=False):
        yield app.test_client()


def test_each_version_links_the_others_and_its_switch_leads_there(after):
    html = after.get(f"/statements/{ENGLISH}").get_data(as_text=True)
    alternates = dict(re.findall(r'<link rel="alternate" hreflang="([^"]+)" href="([^"]+)">', html))
    assert alternates == {
        "ru": f"http://localhost/statements/{ORIGINAL}",
        "en": f"http://localhost/statements/{ENGLISH}",
        "x-default": f"http://localhost/statements/{ORIGINAL}",
    }
    switch = re.search(r'<nav class="languages".*?</nav>', html, re.S).group()
    assert f'href="/statements/{ORIGINAL}?lang=ru"' in switch
    russian = after.get(f"/statements/{ORIGINAL}?lang=ru").get_data(as_text=True)
    assert f'href="/statements/{ENGLISH}?lang=en"' in russian
    # A statement without versions keeps the plain switch and no alternates.
    plain = after.get("/statements/putin-bbc-question-2019").get_data(as_text=True)
    assert 'hreflang="x-default"' not in plain and 'href="?lang=en"' in plain  # the cookie: Russian


@pytest.mark.parametrize(
    "path", ["/", "/statements", "/topics/consular", "/embed?statements=5", "/feed.atom"]
)
def test_every_list_shows_one_version_in_the_readers_language(after, path):
    joiner = "&" if "?" in path else "?"
    assert linked(after.get(f"{path}{joiner}lang=en").get_data(as_text=True)) == {ENGLISH}
    assert linked(after.get(f"{path}{joiner}lang=ru").get_data(as_text=True)) == {ORIGINAL}


def test_a_scheduled_translation_is_not_shown_early(app):
    day = dt.datetime(2020, 2, 22, 9, 0, tzinfo=dt.UTC)
    with app.app_context():
        editing.save_statement({"title": "Original", "slug": "tr-en", "published": day})
        editing.save_statement(
            {
                "title": "Перевод",
                "slug": "tr-ru",
                "language": "ru",
                "translation_of": "tr-en",
                "published": day + dt.timedelta(days=2),
            }  # fmt: skip
        )
    client = app.test_client()
    with time_machine.travel(day + dt.timedelta(days=1), tick=False):
        assert "tr-en" in linked(client.get("/statements?lang=ru").get_data(as_text=True))
        assert client.get("/statements/tr-ru").status_code == 404
    with time_machine.travel(day + dt.timedelta(days=3), tick=False):
        shown = linked(client.get("/statements?lang=ru").get_data(as_text=True))
        assert {"tr-ru", ORIGINAL} <= shown and "tr-en" not in shown


@pytest.mark.parametrize(
    ("values", "wanted"),
    [
        ({"translation_of": "no-such-statement"}, "there is no statement 'no-such-statement'"),
        ({"slug": "self-2020", "translation_of": "self-2020"}, "a translation of itself"),
        ({"translation_of": ENGLISH}, f"{ENGLISH!r} is itself a translation"),
        ({"translation_of": ORIGINAL, "language": "en"}, f"{ENGLISH!r} is already the version"),
        ({"translation_of": ORIGINAL, "language": "ru"}, "is already the version"),
    ],
)
@pytest.mark.system  # a second or more: in the full suite, not the fast tier
def test_bad_links_are_refused_and_nothing_is_written(app, values, wanted):
    with app.app_context(), pytest.raises(FieldErrors) as caught:
        editing.save_statement({"title": "X", "published": AFTER, "language": "de", **values})
    assert wanted in str(caught.value)
    assert app.test_client().get("/statements/self-2020").status_code == 404


def test_renaming_or_deleting_the_original_keeps_the_links_whole(app):
    with app.app_context():
        original = statement_row(app, ORIGINAL)
        values = {**STATEMENT.stored(original), "slug": "renamed-2020"}
        editing.save_statement(values, original.id)
        assert statement_row(app, ENGLISH).translation_of == "renamed-2020"
        editing.delete_statement(original.id)
        assert statement_row(app, ENGLISH).translation_of == ""


def test_a_site_file_with_a_bad_link_is_refused(app, tmp_path):
    from dashboard.content.sitefile.reader import DEMO_PATH

    text = DEMO_PATH.read_text(encoding="utf-8").replace(
        f'translation_of = "{ORIGINAL}"', 'translation_of = "nowhere"'
    )
    path = tmp_path / "site.toml"
    path.write_text(text, encoding="utf-8")
    result = app.test_cli_runner().invoke(args=["load", str(path)])
    assert result.exit_code != 0
    assert f"statements ('{ENGLISH}'): 'translation_of': there is no statement 'nowhere'" in (
        result.output
    )
