"""`dashboard nginx-config`: what docs/deploy.md shows is what it prints, its language maps
are the registry's languages, and its options and the app's settings reach the text. (The
deploy test runs the output in nginx.)"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from dashboard import config
from dashboard.cli.nginx import nginx_config_command, nginx_time
from dashboard.i18n.languages import Language, locales
from tests.helpers.languages import ESPERANTO, registered
from tests.helpers.nginx import language_maps

DOC = Path(__file__).resolve().parents[2] / "docs" / "deploy.md"
CONF_START, CONF_END = "<!-- nginx-conf -->", "<!-- /nginx-conf -->"


def docs_block() -> str:
    text = DOC.read_text(encoding="utf-8")
    match = re.search(
        re.escape(CONF_START) + r"\s*```nginx\n(.*?)```\s*" + re.escape(CONF_END), text, re.S
    )
    assert match, f"{DOC} must hold the nginx block between {CONF_START} and {CONF_END}"
    return match.group(1)


@pytest.fixture
def printed(app, runner):
    """What the command prints with the given arguments, under the default settings (the
    docs show those, whatever this machine's environment says)."""
    app.config["STATIC_CACHE_SECONDS"] = config.defaults()["STATIC_CACHE_SECONDS"]

    def run(*args: str) -> str:
        result = runner.invoke(args=["nginx-config", *args])
        assert result.exit_code == 0, result.output
        return result.output

    return run


def assert_maps_know(text: str, codes: tuple[str, ...]) -> None:
    """Each of the three maps answers every language, and only those, with what it should."""
    expected = {
        "dashboard_accept_lang": {code: code for code in codes},
        "dashboard_lang": {code: code for code in codes},
        "dashboard_lang_cookie": {code: f'"lang={code}"' for code in codes},
    }
    found = language_maps(text)
    # The other maps (the editor's cookies, the clock) name no language.
    assert {name for name in found if "lang" in name} == expected.keys()
    for variable, entries in expected.items():
        assert found[variable] == entries, f"the map that sets ${variable}"


def test_deploy_md_shows_what_the_command_prints(printed):
    assert docs_block() == printed(), "run `dashboard nginx-config` and paste it into deploy.md"


def test_deploy_md_explains_every_option():
    text = DOC.read_text(encoding="utf-8")
    for option in nginx_config_command.params:
        for name in option.opts:
            if name != "--help":
                assert f"`{name}" in text, f"docs/deploy.md does not explain {name}"


def test_the_maps_know_every_language_the_app_has(printed):
    assert_maps_know(printed(), locales())


def test_a_registered_language_is_in_every_map(printed):
    with registered(ESPERANTO):
        assert "eo" in locales()
        assert_maps_know(printed(), locales())
        assert "(?<first>en|ru|eo)" in printed()
    assert "eo" not in language_maps(printed())["dashboard_lang"]


def test_a_longer_code_is_tried_before_its_prefix(printed):
    """With "pt" and "pt_BR" both known, "pt-BR" must be captured whole, as the app matches it
    exactly; browsers write "-", CLDR "_"."""
    portuguese = dict(since={"one": "{n}"}, until={"one": "{n}"}, badge_since={"one": "{n}"})
    with (
        registered(Language(code="pt", name="Português", badge_until={"one": "{n}"}, **portuguese)),
        registered(Language(code="pt_BR", name="Brasil", badge_until={"one": "{n}"}, **portuguese)),
    ):
        text = printed()
        assert "(?<first>pt[-_]BR|en|ru|pt)" in text
        assert_maps_know(text, locales())


def test_a_code_nginx_cannot_match_safely_is_refused(runner):
    unsafe = Language(code='e"o', name="x", since={}, until={}, badge_since={}, badge_until={})
    with registered(unsafe):
        result = runner.invoke(args=["nginx-config"])
    assert result.exit_code == 1
    assert "language codes nginx cannot match safely" in result.output


def test_the_options_reach_their_directives(printed):
    text = printed(
        "--listen", "443 ssl",
        "--server-name", "dashboard.example.org www.dashboard.example.org",
        "--upstream", "10.0.0.11:8000",
        "--upstream", "10.0.0.12:8000",
        "--cache-dir", "/srv/cache/dashboard",
        "--cache-max-size", "1g",
    )  # fmt: skip
    assert "\n    listen 443 ssl;\n" in text
    assert "\n    server_name dashboard.example.org www.dashboard.example.org;\n" in text
    upstream = re.search(r"upstream dashboard_app \{\n(.*?)\}", text, re.S).group(1)
    assert re.findall(r"server (\S+);", upstream) == ["10.0.0.11:8000", "10.0.0.12:8000"]
    assert "proxy_cache_path /srv/cache/dashboard levels=1:2" in text
    assert "max_size=1g" in text
    assert "127.0.0.1:8000" not in text and "/var/cache/nginx" not in text


def test_the_lifetimes_follow_the_settings(app, printed):
    assert "proxy_cache_valid 200 5m;" in printed()
    app.config["STATIC_CACHE_SECONDS"] = 7200
    assert "proxy_cache_valid 200 2h;" in printed()
    assert f"inactive={nginx_time(config.NGINX_CACHE_INACTIVE_SECONDS)} " in printed()
    assert [nginx_time(s) for s in (90, 300, 3600, 0)] == ["90s", "5m", "1h", "0s"]


@pytest.mark.parametrize(
    "args",
    [
        ["--upstream", "127.0.0.1:8000; include /etc/passwd"],
        ["--server-name", "a.example}"],
        ["--listen", ""],
        ["--cache-dir", "relative/cache"],
    ],
)
def test_values_that_would_break_the_config_are_refused(runner, args):
    result = runner.invoke(args=["nginx-config", *args])
    assert result.exit_code == 2, result.output
    assert "Invalid value" in result.output
