"""Checked values are checked whole: a pattern ending in `$` also matches before a final
newline, so "https://x\n" passed as a source address. Through the API, site files and token
names (slugs and feed addresses are stripped of surrounding white space before their check)."""

from __future__ import annotations

import re

import pytest

from tests.helpers.admin import dump
from tests.helpers.reference import site_file

NEW = {"title": "With a newline", "published": "2020-01-26T12:00:00Z"}


@pytest.fixture
def token(app):
    result = app.test_cli_runner().invoke(args=["create-token", "anchors"])
    return re.search(r"^(dsh_\S+)$", result.output, re.M).group(1)


def test_the_api_refuses_a_source_address_with_a_final_newline(app, client, token):
    before = dump(app)
    headers = {"Authorization": f"Bearer {token}"}
    sent = {**NEW, "source_url": "https://x\n"}
    response = client.post("/api/v1/statements", json=sent, headers=headers)
    assert response.status_code == 422, response.json
    assert list(response.json["fields"]) == ["source_url"]
    assert dump(app) == before


def test_a_site_file_source_address_with_a_final_newline_is_refused(runner, tmp_path):
    path = tmp_path / "site.toml"
    path.write_text(site_file("good.toml") + 'source_url = "https://x\\n"\n', encoding="utf-8")
    result = runner.invoke(args=["load", str(path)])
    assert result.exit_code == 1
    assert "statements[1]: 'source_url' must be an http:// or https:// address" in result.output


def test_a_token_name_with_a_final_newline_is_refused(runner):
    result = runner.invoke(args=["create-token", "press-office\n"])
    assert result.exit_code == 2 and "NAME" in result.output
