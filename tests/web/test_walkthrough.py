"""The README's "Admin and API" walkthrough, step by step, through the CLI and the test client:
create an admin, sign in, publish a statement and see it on /, add and fetch a feed, make a
token and write with it, revoke it. And migration 0003 on a store that has content."""

from __future__ import annotations

import datetime as dt
import re

import sqlalchemy as sa
from alembic import command
from alembic.config import Config

from dashboard.content import models, sitefile, store
from tests.helpers.admin import csrf_token
from tests.helpers.feeds import RSS2, feed_server, send
from tests.helpers.migrations import app_at_migration


def test_readme_walkthrough(app, at_reference):
    runner = app.test_cli_runner()
    client = app.test_client()

    # 1. dashboard create-admin press@embassy.example (the password twice)
    made = runner.invoke(
        args=["create-admin", "press@embassy.example"],
        input="a long admin password\na long admin password\n",
    )
    assert made.exit_code == 0, made.output

    # 2. sign in at /admin
    assert client.get("/admin/").location.startswith("/admin/login")
    signed_in = client.post(
        "/admin/login",
        data={
            "email": "press@embassy.example",
            "password": "a long admin password",
            "csrf_token": csrf_token(client),
        },
    )
    assert signed_in.status_code == 303 and signed_in.location == "/admin/"

    # 3. publish a statement; it is on / at once
    token = csrf_token(client, "/admin/statements/new")
    published = client.post(
        "/admin/statements/new",
        data={
            "csrf_token": token,
            "title": "Walkthrough statement",
            "published": "2020-01-26T17:00",
            "status": "published",
            "summary": "Seen on the page at once.",
            "body": "It *works*.",
            "language": "en",
        },
    )
    assert published.status_code == 303
    page = client.get("/").get_data(as_text=True)
    assert "Walkthrough statement" in page and "Seen on the page at once." in page
    slug = "walkthrough-statement-2020-01-26"
    assert "<p>It <em>works</em>.</p>" in client.get(f"/statements/{slug}").get_data(as_text=True)

    # 4. add a feed, then `dashboard fetch-feeds`
    with feed_server({"/news.xml": lambda handler: send(handler, RSS2)}) as server:
        token = csrf_token(client, "/admin/feeds/new")
        added = client.post(
            "/admin/feeds/new",
            data={
                "csrf_token": token,
                "url": server.url("/news.xml"),
                "interval_minutes": "15",
                "language": "en",
                "publish": "1",
            },
        )
        assert added.status_code == 303
        fetched = runner.invoke(args=["fetch-feeds"])
    assert fetched.exit_code == 0 and "2 new" in fetched.output
    assert "Statement on the talks" in client.get("/statements").get_data(as_text=True)
    assert "none" in client.get("/admin/feeds").get_data(as_text=True)  # no last error

    # 5. dashboard create-token press-office; write with it
    made_token = runner.invoke(args=["create-token", "press-office"])
    bearer = re.search(r"^(dsh_\S+)$", made_token.output, re.M).group(1)
    headers = {"Authorization": f"Bearer {bearer}"}
    body = {"title": "Via the API", "published": "2020-01-26T17:30:00Z"}
    assert client.post("/api/v1/statements", json=body, headers=headers).status_code == 201
    assert "Via the API" in client.get("/").get_data(as_text=True)

    # 6. dashboard revoke-token press-office: the token stops working at once
    assert runner.invoke(args=["revoke-token", "press-office"]).exit_code == 0
    body["slug"] = "via-the-api-again"
    assert client.post("/api/v1/statements", json=body, headers=headers).status_code == 401


def test_migration_0003_keeps_content_and_adds_drafts(database_url, tmp_path):
    _app, the_store = app_at_migration(database_url, str(tmp_path), "0002")
    with the_store.engine.begin() as connection:
        connection.execute(
            sa.text(
                "INSERT INTO statements (slug, published, title, summary, body, featured, "
                "source_url, language) VALUES ('old', :at, 'Old statement', '', '', :no, '', 'en')"
            ),
            {"at": dt.datetime(2020, 1, 1, 12, 0), "no": False},
        )
    store.migrate(the_store)
    with the_store.session() as db:
        row = db.scalars(sa.select(models.Statement)).one()
        assert row.draft is False
        assert row.updated_at == dt.datetime(2020, 1, 1, 12, tzinfo=dt.UTC)
        assert db.scalars(sa.select(models.Feed)).all() == []
    sitefile.load(the_store, sitefile.read_file(sitefile.DEMO_PATH))  # writes still work
    config = Config()  # and the downgrade runs
    config.set_main_option("script_location", store.MIGRATIONS)
    with the_store.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0002")
    with the_store.engine.connect() as connection:
        assert "draft" not in {c["name"] for c in sa.inspect(connection).get_columns("statements")}
        assert not sa.inspect(connection).has_table("feeds")
    the_store.engine.dispose()
