"""English and Russian: CLDR plurals, dates in each language's form, and choosing a language."""

from __future__ import annotations

import datetime as dt
import textwrap
import tomllib

import pytest

from dashboard.content import sitefile
from dashboard.core.captions import counter_caption, date_line
from dashboard.i18n import catalogues
from tests.helpers.reference import DATA, site_file, visible_text

PLURALS = tomllib.loads((DATA / "plurals.toml").read_text(encoding="utf-8"))


@pytest.mark.parametrize(
    ("locale", "days", "expected"),
    [
        (locale, int(days), text)
        for locale, table in PLURALS.items()
        for days, text in table.items()
    ],
)
def test_plurals_follow_cldr(locale, days, expected):
    assert counter_caption(days, "X", locale=locale) == expected


def test_dates_in_each_language():
    day = dt.date(2020, 1, 26)
    assert date_line(day, "en") == "26 January 2020"
    # CLDR puts a narrow no-break space before "г.", so the year never wraps away from it.
    assert date_line(day, "ru") == "26 января 2020\u202fг."


def test_page_in_russian_by_query(client, at_reference):
    response = client.get("/?lang=ru")
    text = visible_text(response.get_data(as_text=True))
    assert "26 января 2020 г." in text
    assert "693 дня прошло с инцидента в Солсбери" in text
    assert "685 дней прошло с гибели Николая Глушкова" in text
    assert "Последние заявления" in text and "все сообщения" in text
    assert '<html lang="ru">' in response.get_data(as_text=True)
    assert response.headers["Vary"] == "HX-Request"  # the URL alone decides: cacheable
    assert "lang=ru" in response.headers["Set-Cookie"]
    # The live block asks for itself in the same language.
    assert 'hx-get="/?lang=ru"' in response.get_data(as_text=True)


def test_cookie_then_accept_language(client, at_reference):
    client.set_cookie("lang", "ru")
    assert "26 января 2020\u202fг." in client.get("/").get_data(as_text=True)
    client.delete_cookie("lang")
    russian = client.get("/", headers={"Accept-Language": "ru-RU,ru;q=0.9,en;q=0.5"})
    assert "26 января 2020\u202fг." in russian.get_data(as_text=True)
    assert "Set-Cookie" not in russian.headers  # only an explicit choice is remembered
    english = client.get("/", headers={"Accept-Language": "de-DE, en;q=0.5"})
    assert "26 January 2020" in english.get_data(as_text=True)
    # ?lang= beats the cookie.
    client.set_cookie("lang", "ru")
    assert "26 January 2020" in client.get("/?lang=en").get_data(as_text=True)


def test_api_snapshot_in_russian(client, at_reference):
    shot = client.get("/api/v1/snapshot?lang=ru").json
    assert shot["locale"] == "ru"
    assert shot["date"]["text"] == "26 января 2020\u202fг."
    assert shot["counters"][0]["text"].startswith("693 дня прошло с инцидента в Солсбери - ")
    bad = client.get("/api/v1/snapshot?lang=xx")
    assert bad.status_code == 400 and "'lang'" in bad.json["error"]


def test_catalogue_compiles_and_translates():
    assert catalogues.gettext("ru", "Latest statements") == "Последние заявления"
    assert catalogues.gettext("en", "Latest statements") == "Latest statements"


def test_archive_filters_by_statement_language(empty_app, tmp_path, at_reference):
    site = site_file("two-languages.toml")
    path = tmp_path / "s.toml"
    path.write_text(site, encoding="utf-8")
    assert empty_app.test_cli_runner().invoke(args=["load", str(path)]).exit_code == 0
    client = empty_app.test_client()
    both = client.get("/statements").get_data(as_text=True)
    assert "По-русски" in both and "In English" in both
    only_en = client.get("/statements?language=en").get_data(as_text=True)
    assert "In English" in only_en and "По-русски" not in only_en
    # The site's own language is Russian, so an unasked reader gets Russian.
    assert "Все сообщения" in both


def test_translations_are_checked_in_site_files():
    text = textwrap.dedent(
        """\
        [site]
        title = "T"
        timezone = "UTC"
        [[counters]]
        slug = "a"
        since = 2020-01-01
        event = "e"
        [counters.translations.de]
        event = "x"
        [counters.translations.ru]
        note = "без события"
        """
    )
    with pytest.raises(sitefile.SiteFileError) as caught:
        sitefile.parse(text, "t.toml")
    message = str(caught.value)
    assert "language 'de' is not supported" in message
    assert "counters[1] ('a').translations.ru: missing required key 'event'" in message
