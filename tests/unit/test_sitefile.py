"""Site files: a good file upserts idempotently; a bad one names its problem and loads nothing."""

from __future__ import annotations

import tomllib

import pytest
import sqlalchemy as sa

from dashboard.content import models, sitefile
from dashboard.content.sitefile import reader
from dashboard.content.store import EXTENSION as STORE
from tests.helpers.reference import site_file

GOOD = site_file("good.toml")


def dump(app) -> dict:
    """Every table's rows, to prove a failed load changed nothing."""
    engine = app.extensions[STORE].engine
    with engine.connect() as connection:
        return {
            table.name: sorted(
                tuple(str(v) for v in row) for row in connection.execute(sa.select(table))
            )
            for table in models.Base.metadata.sorted_tables
        }


def load_text(app, tmp_path, text, name="site.toml"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return app.test_cli_runner().invoke(args=["load", str(path)])


def test_load_then_reload_changes_nothing(empty_app, tmp_path):
    first = load_text(empty_app, tmp_path, GOOD)
    assert first.exit_code == 0, first.output
    assert "counters: 1 new" in first.output
    before = dump(empty_app)
    second = load_text(empty_app, tmp_path, GOOD)
    assert second.exit_code == 0, second.output
    assert "0 new, 0 changed" in second.output
    after = dump(empty_app)
    loads = after.pop("audit_log")  # the load itself is recorded, with nothing changed
    assert len(loads) == len(before.pop("audit_log")) + 1 and "'changed': {}" in loads[-1][-1]
    assert after == before  # the revision did not move either


def revision_of(app) -> int:
    with app.extensions[STORE].session() as session:
        return session.get(models.Site, 1).revision


def test_upsert_by_slug_and_label(empty_app, tmp_path):
    assert load_text(empty_app, tmp_path, GOOD).exit_code == 0
    first_revision = revision_of(empty_app)
    changed = GOOD.replace('event = "the launch"', 'event = "the big launch"')
    changed = changed.replace('timezone = "Asia/Tokyo"', 'timezone = "Asia/Seoul"')
    result = load_text(empty_app, tmp_path, changed)
    assert result.exit_code == 0, result.output
    with empty_app.extensions[STORE].session() as session:
        counters = session.scalars(sa.select(models.Counter)).all()
        clocks = session.scalars(sa.select(models.Clock)).all()
        statement = session.scalars(sa.select(models.Statement)).one()
    assert [(c.slug, c.event) for c in counters] == [("launch", "the big launch")]
    assert [(c.label, c.timezone, c.hour12) for c in clocks] == [("Tokyo", "Asia/Seoul", True)]
    # A derived slug, and the offset turned into UTC for storage.
    assert statement.slug == "hello-world-a-first-statement-2020-02-01"
    assert statement.published.isoformat() == "2020-02-01T06:30:00+00:00"
    assert revision_of(empty_app) == first_revision + 1  # one load, one revision


def test_edit_shows_at_once_in_the_process_that_made_it(empty_app, tmp_path, at_reference):
    runner = empty_app.test_cli_runner()
    client = empty_app.test_client()
    load_text(empty_app, tmp_path, GOOD)
    assert "the launch" in client.get("/").get_data(as_text=True)
    path = tmp_path / "edit.toml"
    path.write_text(GOOD.replace("the launch", "the relaunch"), encoding="utf-8")
    assert runner.invoke(args=["load", str(path)]).exit_code == 0
    assert "the relaunch" in client.get("/").get_data(as_text=True)


def bad_case(case: dict) -> tuple[str, list[str]]:
    """A case of bad-cases.toml: the text it loads, and what the error must say."""
    if "text" in case:
        text = case["text"].lstrip("\n")
    else:
        old, new = case.get("replace", ["", ""])
        assert old in GOOD, f"{case['name']}: good.toml has no {old!r}"
        text = GOOD.replace(old, new) + case.get("append", "")
    return text, case["expect"]


BAD_CASES = {
    case["name"]: bad_case(case) for case in tomllib.loads(site_file("bad-cases.toml"))["case"]
}


@pytest.mark.parametrize("case", BAD_CASES, ids=list(BAD_CASES))
def test_bad_file_names_the_problem_and_loads_nothing(empty_app, tmp_path, case):
    assert load_text(empty_app, tmp_path, GOOD, name="good.toml").exit_code == 0
    before = dump(empty_app)
    text, fragments = BAD_CASES[case]
    result = load_text(empty_app, tmp_path, text, name="bad.toml")
    assert result.exit_code == 1
    assert str(tmp_path / "bad.toml") in result.output
    assert "nothing was changed" in result.output
    for fragment in fragments:
        assert fragment in result.output
    assert "Traceback" not in result.output
    assert dump(empty_app) == before


def test_every_problem_is_listed_at_once(tmp_path):
    text = GOOD.replace("Asia/Tokyo", "Mars/Olympus").replace("since = 2030-01-01\n", "")
    with pytest.raises(sitefile.SiteFileError) as caught:
        sitefile.parse(text, "x.toml")
    assert len(caught.value.problems) == 2


def test_failure_midway_rolls_back(empty_app, monkeypatch):
    """A write either happens completely or not at all, even if the store fails halfway."""
    spec = sitefile.read_file(sitefile.DEMO_PATH)
    original = reader._upsert
    calls = {"n": 0}

    def failing_upsert(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 10:
            raise RuntimeError("disk full")
        return original(*args, **kwargs)

    monkeypatch.setattr(reader, "_upsert", failing_upsert)
    before = dump(empty_app)
    with pytest.raises(RuntimeError):
        sitefile.load(empty_app.extensions[STORE], spec)
    assert dump(empty_app) == before


def test_missing_file_and_usage(empty_app, tmp_path):
    runner = empty_app.test_cli_runner()
    missing = runner.invoke(args=["load", str(tmp_path / "nope.toml")])
    assert missing.exit_code == 1 and "no such file" in missing.output
    both = runner.invoke(args=["load", "--demo", str(tmp_path / "x.toml")])
    assert both.exit_code == 2 and "not both" in both.output


def test_demo_file_loads_the_reference_content(app):
    with app.extensions[STORE].session() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(models.Statement)) == 13
        featured = session.scalars(
            sa.select(models.Statement).where(models.Statement.featured)
        ).one()
    assert "Burundi" in featured.title
    assert featured.body.startswith("Good afternoon,")
