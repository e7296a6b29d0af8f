"""The search tests' helpers: statements written through the API, searches asked of the page
and of the API, and what the index itself holds."""

from __future__ import annotations

import datetime as dt
import html.parser
import re

import sqlalchemy as sa

from dashboard.content.store import EXTENSION as STORE
from dashboard.search import words
from dashboard.search.sqlite import key


def make_token(app) -> str:
    result = app.test_cli_runner().invoke(args=["create-token", "search-tests"])
    assert result.exit_code == 0, result.output
    return re.search(r"^(dsh_\S+)$", result.output, re.M).group(1)


def publish(client, token: str, **fields) -> dict:
    data = {"published": "2020-01-20T12:00:00Z", "summary": "", "language": "en", **fields}
    response = client.post(
        "/api/v1/statements", json=data, headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 201, response.json
    return response.json


def api_slugs(client, q: str, **params) -> list[str]:
    response = client.get("/api/v1/statements", query_string={"q": q, "limit": 100, **params})
    assert response.status_code == 200, response.json
    return [s["slug"] for s in response.json["statements"]]


class _Results(html.parser.HTMLParser):
    """The statements a results block lists, by slug, and every tag inside their excerpts."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.slugs: list[str] = []
        self.in_excerpt = 0
        self.excerpt_tags: set[str] = set()

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        if self.in_excerpt:
            self.excerpt_tags.add(tag)
        if tag == "p" and values.get("class") == "statement-excerpt":
            self.in_excerpt = 1
        href = values.get("href") or ""
        if tag == "a" and href.startswith("/statements/"):
            self.slugs.append(href.removeprefix("/statements/"))

    def handle_endtag(self, tag):
        if tag == "p":
            self.in_excerpt = 0


def results(page: str) -> _Results:
    reader = _Results()
    reader.feed(page)
    reader.close()
    return reader


def page_slugs(client, q: str, **params) -> list[str]:
    response = client.get("/statements", query_string={"q": q, **params})
    assert response.status_code == 200, response.get_data(as_text=True)
    return results(response.get_data(as_text=True)).slugs


def is_sqlite(app) -> bool:
    return app.extensions[STORE].engine.dialect.name == "sqlite"


def index_problems(app) -> list[str]:
    """Where SQLite's index differs from what its statements' rows say it should hold (on
    PostgreSQL the column is generated from the row itself: nothing can differ)."""
    if not is_sqlite(app):
        return []
    with app.extensions[STORE].engine.connect() as connection:
        rows = connection.execute(
            sa.text("SELECT id, published, language, title, summary, body_html FROM statements")
        ).all()
        held = {
            r.rowid: (r.title, r.summary, r.body)
            for r in connection.execute(
                sa.text("SELECT rowid, title, summary, body FROM statement_search")
            )
        }
    wanted = {}
    for row in rows:
        published = dt.datetime.fromisoformat(row.published).replace(tzinfo=dt.UTC)
        wanted[key(published, row.id)] = (
            words.index_text(row.language, row.title),
            words.index_text(row.language, row.summary),
            words.index_text(row.language, row.body_html, is_html=True),
        )
    problems = [f"missing or stale: {k}" for k, v in wanted.items() if held.get(k) != v]
    return problems + [f"left behind: {k}" for k in held.keys() - wanted.keys()]
