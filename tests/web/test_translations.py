"""Every visible text in each language: the site's title and contact line and the clocks'
labels, read from [site.translations.ru] and [clocks.translations.ru], picked in the snapshot,
so the page, the embed, the API and the CLI all show them; the admin edits them."""

from __future__ import annotations

import json

import pytest

from tests.helpers.admin import post_form
from tests.helpers.reference import REFERENCE_INSTANT

RU_TITLE = "Посольство Российской Федерации в Соединённом Королевстве"
RU_CONTACT = "Консульские вопросы: +44 (0) 203 668 7474"
EN_TITLE = "Embassy of the Russian Federation in the United Kingdom"


@pytest.mark.usefixtures("at_reference")
def test_the_russian_page_shows_the_russian_title_contact_and_clocks(app):
    client = app.test_client()
    html = client.get("/?lang=ru").get_data(as_text=True)
    assert f"<title>{RU_TITLE}</title>" in html
    assert RU_CONTACT in html and "Consular queries" not in html
    assert '<span class="clock-label">Москва:</span>' in html
    assert '<span class="clock-label">Лондон:</span>' in html
    assert "Moscow:" not in html and EN_TITLE not in html
    english = client.get("/?lang=en").get_data(as_text=True)
    assert "Moscow:" in english and RU_TITLE not in english

    # The embed still names its clocks by their stored label, and shows them translated.
    embed = client.get("/embed?clocks=Moscow&lang=ru").get_data(as_text=True)
    assert "Москва:" in embed and "Лондон" not in embed

    shot = client.get("/api/v1/snapshot?lang=ru").get_json()
    assert (shot["title"], shot["contact"]) == (RU_TITLE, RU_CONTACT)
    assert [c["label"] for c in shot["clocks"]] == ["Москва", "Лондон"]


def test_the_cli_snapshot_follows_the_language(runner):
    at = REFERENCE_INSTANT.strftime("%Y-%m-%dT%H:%M:%SZ")
    result = runner.invoke(args=["snapshot", "--at", at, "--json", "--lang", "ru"])
    assert result.exit_code == 0, result.output
    shot = json.loads(result.output)
    assert shot["title"] == RU_TITLE
    assert [c["label"] for c in shot["clocks"]] == ["Москва", "Лондон"]
    text = runner.invoke(args=["snapshot", "--at", at, "--lang", "ru"]).output
    assert "Москва: 20:58" in text and RU_CONTACT in text
    wrong = runner.invoke(args=["snapshot", "--lang", "xx"])
    assert wrong.exit_code != 0 and "--lang" in wrong.output


def test_the_admin_edits_the_site_and_clock_translations(admin_client, app):
    form = admin_client.get("/admin/site").get_data(as_text=True)
    assert 'name="translations-ru-title"' in form and RU_TITLE in form
    wanted = {"title": EN_TITLE, "timezone": "Europe/London", "locale": "en",
              "latest_count": "10", "contact": "Consular queries",
              "translations-ru-title": "Посольство", "translations-ru-contact": ""}  # fmt: skip
    assert post_form(admin_client, "/admin/site", wanted).status_code == 303
    lonely = dict(wanted, **{"translations-ru-title": "", "translations-ru-contact": "Звоните"})
    refused = post_form(admin_client, "/admin/site", lonely)
    assert refused.status_code == 422 and "give the title" in refused.get_data(as_text=True)
    html = app.test_client().get("/?lang=ru").get_data(as_text=True)
    assert "<title>Посольство</title>" in html
    assert "Consular queries" in html  # no Russian contact line: the site's own
