"""The admin in Russian: chosen in its menu (a cookie), else by Accept-Language, else English;
every area's page, form and message follows the choice."""

from __future__ import annotations

import re

import pytest

from dashboard.content import models
from dashboard.content.store import EXTENSION as STORE
from tests.helpers.admin import csrf_token, make_admin, post_form, signed_in_client

RU = {"Accept-Language": "ru-RU,ru;q=0.9"}


def choose(client, lang: str, back: str = "/admin/login", token_from: str = "/admin/login"):
    token = csrf_token(client, token_from)
    return client.post("/admin/language", data={"lang": lang, "next": back, "csrf_token": token})


def test_sign_in_page_follows_accept_language_then_english(app):
    client = app.test_client()
    english = client.get("/admin/login").get_data(as_text=True)
    assert '<html lang="en">' in english and ">Sign in</button>" in english
    russian = client.get("/admin/login", headers=RU).get_data(as_text=True)
    assert '<html lang="ru">' in russian and ">Войти</button>" in russian
    assert "Пароль" in russian and "Sign in" not in russian


def test_the_menu_choice_sticks_over_the_browser_language(app):
    client = app.test_client()
    answer = choose(client, "ru", back="/admin/login?next=/admin/site")
    assert answer.status_code == 303 and answer.location == "/admin/login?next=/admin/site"
    assert ">Войти</button>" in client.get("/admin/login").get_data(as_text=True)
    choose(client, "en")
    page = client.get("/admin/login", headers=RU).get_data(as_text=True)
    assert ">Sign in</button>" in page  # the cookie wins over Accept-Language
    # A language that is not there changes nothing; a foreign `next` goes to the admin.
    answer = choose(client, "xx", back="https://evil.example/")
    assert answer.location == "/admin/"
    assert ">Sign in</button>" in client.get("/admin/login").get_data(as_text=True)


def test_a_wrong_password_is_told_in_russian(app):
    make_admin(app)
    client = app.test_client()
    choose(client, "ru")
    data = {"email": "press@embassy.example", "password": "nope"}
    answer = post_form(client, "/admin/login", data, token_from="/admin/login")
    assert answer.status_code == 401
    assert "Неверный адрес электронной почты или пароль." in answer.get_data(as_text=True)


@pytest.fixture
def russian(app, at_reference):
    make_admin(app)
    client = signed_in_client(app)
    choose(client, "ru", back="/admin/", token_from="/admin/")
    return client


PAGES = {
    "/admin/": ["Обзор", "Посмотреть страницу на любой момент", "Выйти везде (press@"],
    "/admin/statements": ["<h1>Заявления</h1>", "Новое заявление", "Состояние"],
    "/admin/statements/new": ["<h1>Новое заявление</h1>", "Заголовок", "Краткое содержание"],
    "/admin/counters": ["<h1>Счётчики</h1>", "Новый счётчик", 'hx-confirm="Удалить безвозвратно?"'],
    "/admin/counters/new": ["<h1>Новый счётчик</h1>", "Дата отсчёта", "Календарная дата"],
    "/admin/clocks": ["<h1>Часы</h1>", "Новые часы", ">Выше<"],
    "/admin/clocks/new": ["<h1>Новые часы</h1>", "Город, например Москва."],
    "/admin/site": ["<h1>Настройки сайта</h1>", "Часовой пояс", ">Сохранить<"],
    "/admin/feeds": ["<h1>Ленты</h1>", "Добавить ленту", "Лент пока нет."],
    "/admin/feeds/new": ["<h1>Добавить ленту</h1>", "Адрес ленты"],
    "/admin/preview": ["<h1>Просмотр</h1>", "Показать черновики", "без JavaScript"],
    "/admin/webhooks": ["<h1>Вебхуки</h1>", "Добавить вебхук", "Вебхуков пока нет."],
    "/admin/webhooks/new": ["<h1>Добавить вебхук</h1>", "Адрес получателя", "Секрет"],
    "/admin/webhooks/deliveries": ["<h1>Доставки</h1>", "Пока ничего не отправлялось."],
}


def test_every_area_is_in_russian_when_chosen(russian):
    for url, words in PAGES.items():
        page = russian.get(url).get_data(as_text=True)
        assert '<html lang="ru">' in page, url
        for word in words:
            assert word in page, (url, word)
        assert "Save</button>" not in page and ">Statements<" not in page, url


def test_counts_take_russian_plurals_and_the_preview_keeps_the_page_language(russian, app):
    overview = russian.get("/admin/").get_data(as_text=True)
    with app.extensions[STORE].session() as db:
        counters = db.query(models.Counter).count()
    forms = {1: "счётчик", 2: "счётчика", 3: "счётчика", 4: "счётчика"}
    assert f"{counters} {forms.get(counters, 'счётчиков')}</a>" in overview
    preview = russian.get("/admin/preview").get_data(as_text=True)
    assert "days have passed since" in preview  # the page itself is in the site's language


def test_a_statement_form_and_its_messages_are_in_russian(russian):
    posted = post_form(russian, "/admin/statements/new", {"title": ""}, htmx=True)
    assert posted.status_code == 422
    assert "Ничего не сохранено" in posted.get_data(as_text=True)
    data = {"title": "Заявление посольства", "published": "2020-01-20T10:00", "body": "Текст."}
    data["language"] = "ru"
    saved = post_form(russian, "/admin/statements/new", data)
    assert saved.status_code == 303
    listing = russian.get(saved.location).get_data(as_text=True)
    assert "Заявление «Заявление посольства» опубликовано." in listing
    statement_id = re.search(r'href="/admin/statements/(\d+)"', listing).group(1)
    edit = russian.get(f"/admin/statements/{statement_id}").get_data(as_text=True)
    assert "<h1>Изменить заявление</h1>" in edit and "Ссылки для предпросмотра" in edit
    assert 'hx-confirm="Удалить это заявление безвозвратно?"' in edit


def test_site_settings_saved_in_russian(russian):
    form = russian.get("/admin/site").get_data(as_text=True)
    assert "Настройки сайта" in form
    answer = choose(russian, "en", back="/admin/site", token_from="/admin/site")
    assert answer.location == "/admin/site"
    assert "<h1>Site settings</h1>" in russian.get("/admin/site").get_data(as_text=True)


def test_a_field_problem_is_told_in_russian_with_its_values(russian):
    data = {"timezone": "Mars/Olympus", "title": "x", "locale": "en", "latest_count": "3"}
    posted = post_form(russian, "/admin/site", data, htmx=True)
    assert posted.status_code == 422
    page = posted.get_data(as_text=True)
    assert "часовой пояс &#39;Mars/Olympus&#39; не найден в базе IANA" in page


def test_a_missing_row_is_told_in_russian(russian):
    answer = russian.get("/admin/counters/999999")
    assert answer.status_code == 404
    assert "Запись 999999 не найдена." in answer.get_data(as_text=True)
