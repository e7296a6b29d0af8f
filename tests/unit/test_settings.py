"""Settings from the environment: a bad value of any of them is one clear line that names the
variable and what it expects, from create_app(), the CLI and `dashboard serve` alike; and the
README's settings table lists exactly the settings there are."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from dashboard import config, create_app
from dashboard.cli import main
from dashboard.config import ENVIRONMENT_KEYS, SettingError

README = Path(__file__).resolve().parents[2] / "README.md"


def refusal(environ: dict) -> str:
    with pytest.raises(SettingError) as raised:
        config.from_environment(environ)
    return str(raised.value)


# Every key, so that a setting added later is tried too, with the bad example it must declare.
@pytest.mark.parametrize("name", sorted(ENVIRONMENT_KEYS))
def test_every_setting_refuses_its_bad_example_by_name(name):
    kind = ENVIRONMENT_KEYS[name]
    assert hasattr(kind, "bad_example") and hasattr(kind, "example"), (
        f"{name} needs a kind from dashboard/setting_kinds.py: one that says what it expects "
        "and carries an example it takes and one it refuses"
    )
    message = refusal({name: kind.bad_example})
    assert message.startswith(name), message
    assert "\n" not in message
    assert config.from_environment({name: kind.example})  # and its good example is taken


def test_proxy_count_two_says_what_it_wants():
    assert refusal({"PROXY_COUNT": "two"}) == (
        "PROXY_COUNT must be a whole number from 0 to 10, not 'two'"
    )


@pytest.mark.parametrize("text", ["٣", "²", "-1", "+3", "3_000", "1.5", "", "11"])
def test_whole_numbers_are_ascii_digits_in_range(text):
    assert refusal({"PROXY_COUNT": text}).startswith("PROXY_COUNT must be a whole number")


def test_whole_numbers_and_seconds_that_are_fine():
    found = config.from_environment(
        {"PROXY_COUNT": " 2 ", "STATEMENTS_PER_PAGE": "50", "OEMBED_CACHE_SECONDS": "60"}
    )
    assert found == {"PROXY_COUNT": 2, "STATEMENTS_PER_PAGE": 50, "OEMBED_CACHE_SECONDS": 60}
    for text in ("0", "-5", "nan", "inf", "1e9", "1.5"):
        assert "must be a whole number of seconds > 0" in refusal({"OEMBED_CACHE_SECONDS": text})


@pytest.mark.parametrize(
    ("text", "value"),
    [("1", True), ("TRUE", True), ("yes", True), ("On", True)]
    + [("0", False), ("false", False), ("NO", False), ("off", False)],
)
def test_booleans_take_the_usual_words(text, value):
    assert config.from_environment({"SESSION_COOKIE_SECURE": text}) == {
        "SESSION_COOKIE_SECURE": value
    }


@pytest.mark.parametrize("text", ["maybe", "", "2", "enabled"])
def test_booleans_refuse_anything_else(text):
    assert refusal({"SESSION_COOKIE_SECURE": text}).startswith(
        "SESSION_COOKIE_SECURE must be true or false"
    )


def test_secrets_are_never_echoed():
    url = "postgres://admin:hunter2hunter2@db.internal/dashboard"  # SQLAlchemy 2: postgresql
    message = refusal({"DATABASE_URL": url})
    assert message.startswith("DATABASE_URL must be a database URL") and "hunter2" not in message
    assert "'postgres'" in message  # what it did not know, though
    assert "hunter2" not in refusal({"DATABASE_URL": "hunter2hunter2"})
    assert "s3cret" not in refusal({"SECRET_KEY": "s3cret"})
    # An empty one is no key at all (an env file's `SECRET_KEY=`): the instance's key file.
    assert config.from_environment({"SECRET_KEY": ""}) == {"SECRET_KEY": None}


def test_paths_urls_and_hashes():
    assert refusal({"INSTANCE_PATH": ""}) == "INSTANCE_PATH must be a folder path, not ''"
    assert config.from_environment({"INSTANCE_PATH": "/var/lib/x"}) == {
        "INSTANCE_PATH": "/var/lib/x"
    }
    for bad in ("javascript:alert(1)", "cdn.example/htmx.js", '/x.js" onload="x', "ftp://a/b"):
        assert refusal({"HTMX_URL": bad}).startswith("HTMX_URL must be an http(s) URL"), bad
    assert refusal({"HTMX_INTEGRITY": "sha1-abc"}).startswith("HTMX_INTEGRITY must be an SRI")
    assert refusal({"LOG_LEVEL": "bogus"}) == (
        "LOG_LEVEL must be one of DEBUG, INFO, WARNING, ERROR, CRITICAL, not 'bogus'"
    )
    assert config.from_environment({"LOG_LEVEL": "debug", "LOG_FORMAT": "JSON"}) == {
        "LOG_LEVEL": "DEBUG",
        "LOG_FORMAT": "json",
    }


def test_create_app_names_the_bad_setting(monkeypatch, tmp_path):
    monkeypatch.setenv("PROXY_COUNT", "two")
    with pytest.raises(SettingError, match="^PROXY_COUNT must be a whole number"):
        create_app({"DATABASE_URL": "sqlite://", "INSTANCE_PATH": str(tmp_path), "TESTING": True})


@pytest.mark.parametrize("command", [["migrate"], ["serve"], ["snapshot"]])
def test_the_cli_says_it_in_one_line_without_a_traceback(command):
    result = CliRunner().invoke(main, command, env={"PROXY_COUNT": "two", "INSTANCE_PATH": ""})
    assert result.exit_code == 1
    assert result.output == (
        "Error: INSTANCE_PATH must be a folder path, not ''; "
        "PROXY_COUNT must be a whole number from 0 to 10, not 'two'\n"
    )
    assert "Traceback" not in result.output


def test_the_command_list_shows_the_error_too():
    result = CliRunner().invoke(main, ["--help"], env={"LOG_LEVEL": "loud"})
    assert result.exit_code == 0
    assert result.output.startswith("Error: LOG_LEVEL must be one of DEBUG")
    assert "Traceback" not in result.output


def readme_settings() -> list[str]:
    text = README.read_text(encoding="utf-8")
    section = text.split("\n## Settings", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"^\| `([A-Z][A-Z0-9_]*)` \|", section, flags=re.M)


def test_the_readme_lists_every_setting_once():
    listed = readme_settings()
    assert len(listed) == len(set(listed)), "a setting is listed twice"
    missing = sorted(set(ENVIRONMENT_KEYS) - set(listed))
    extra = sorted(set(listed) - set(ENVIRONMENT_KEYS))
    assert (missing, extra) == ([], []), "README's Settings table: add the missing, drop the extra"
