"""A big legitimate site file, 5,000 statements like the demo's (8 MB), passes the limits
that refuse pathological ones, and loads; a reload renders no body again."""

from __future__ import annotations

import tomllib

import sqlalchemy as sa
import tomli_w

from dashboard.content import models, rendering, sitefile
from dashboard.content.store import EXTENSION as STORE

STATEMENTS = 5_000


def big_site_file() -> tuple[str, int]:
    """The text, and how many of its statements have a body."""
    demo = tomllib.loads(sitefile.DEMO_PATH.read_text(encoding="utf-8"))
    cycle = demo["statements"]
    # Each a statement of its own: a copy's link to an original would name no statement.
    cycle = [{k: v for k, v in s.items() if k != "translation_of"} for s in cycle]
    statements = [
        {**cycle[n % len(cycle)], "slug": f"{cycle[n % len(cycle)]['slug']}-{n}"}
        for n in range(STATEMENTS)
    ]
    text = tomli_w.dumps({**demo, "statements": statements}, multiline_strings=True)
    return text, sum(1 for statement in statements if statement.get("body"))


def test_five_thousand_statements_load(empty_app, tmp_path, monkeypatch):
    path = tmp_path / "big.toml"
    text, with_body = big_site_file()
    path.write_text(text, encoding="utf-8")
    assert path.stat().st_size > 5_000_000  # megabytes, as a site file of years would be
    runner = empty_app.test_cli_runner()
    first = runner.invoke(args=["load", str(path)])
    assert first.exit_code == 0, first.output
    assert f"statements: {STATEMENTS} new" in first.output
    with empty_app.extensions[STORE].session() as db:
        rendered = db.scalar(
            sa.select(sa.func.count()).where(models.Statement.body_html.startswith("<p>"))
        )
    assert rendered == with_body > 0

    def refuse(_body, *_args):
        raise AssertionError("an unchanged body was rendered again")

    monkeypatch.setattr(rendering, "body_html", refuse)
    again = runner.invoke(args=["load", str(path)])
    assert again.exit_code == 0, again.output
    assert f"statements: 0 new, 0 changed, {STATEMENTS} unchanged" in again.output
