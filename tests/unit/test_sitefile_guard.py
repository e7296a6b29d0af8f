"""Site files that would take tomllib unbounded memory or recursion are refused before parsing,
in bounded memory, with a message naming the file and the line: a dotted key of 100,000 parts
(23.5 GB before), arrays nested 100,000 deep (a RecursionError), files over the size limit.
Strings and comments are not counted, and real site files load as before."""

from __future__ import annotations

import time
import tomllib

import pytest

from dashboard import config
from dashboard.content import sitefile
from dashboard.content.sitefile import guard
from tests.helpers.reference import site_file

GOOD = site_file("good.toml")


def load(runner, tmp_path, text: str):
    path = tmp_path / "site.toml"
    path.write_text(text, encoding="utf-8")
    started = time.monotonic()
    result = runner.invoke(args=["load", str(path)])
    return result, time.monotonic() - started, str(path)


def refused(result, path: str) -> str:
    assert result.exit_code == 1, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output
    assert path in result.output and "nothing was changed" in result.output
    return result.output


def test_a_key_of_100000_dotted_parts_is_refused_at_once(runner, tmp_path):
    bomb = GOOD + "a" + ".a" * 99_999 + " = 1\n"  # 200 KB
    result, took, path = load(runner, tmp_path, bomb)
    output = refused(result, path)
    line = GOOD.count("\n") + 1
    parts = config.SITE_FILE_MAX_KEY_PARTS
    assert f"line {line}: a key of more than {parts} dotted parts" in output
    assert took < 2


def test_a_long_table_header_is_refused(runner, tmp_path):
    result, _, path = load(runner, tmp_path, "[" + ".".join(["t"] * 10_000) + "]\nx = 1\n")
    assert "line 1: a key of more than" in refused(result, path)


def test_nesting_100000_deep_names_the_line_not_a_recursion_error(runner, tmp_path):
    deep = GOOD + "x = " + "[" * 100_000 + "]" * 100_000 + "\n"
    result, took, path = load(runner, tmp_path, deep)
    output = refused(result, path)
    line = GOOD.count("\n") + 1
    limit = config.SITE_FILE_MAX_NESTING
    assert f"line {line}: arrays or inline tables nested more than {limit} deep" in output
    assert took < 2


def test_too_many_entries_in_all_are_refused(runner, tmp_path, monkeypatch):
    monkeypatch.setattr(config, "SITE_FILE_MAX_ENTRIES", 1000)
    many = GOOD + "".join(f"[t{n}]\n" for n in range(1000))
    assert "more than 1,000 keys, tables and arrays" in refused(*_result(runner, tmp_path, many))


def _result(runner, tmp_path, text):
    result, _, path = load(runner, tmp_path, text)
    return result, path


def test_a_file_over_the_size_limit_is_refused_unread(runner, tmp_path, monkeypatch):
    monkeypatch.setattr(config, "SITE_FILE_MAX_BYTES", len(GOOD) - 1)
    output = refused(*_result(runner, tmp_path, GOOD))
    assert f"larger than {len(GOOD) - 1:,} bytes, the most a site file may hold" in output


def test_an_endless_file_is_read_only_to_the_limit(runner, monkeypatch):
    monkeypatch.setattr(config, "SITE_FILE_MAX_BYTES", 1_000_000)
    result = runner.invoke(args=["load", "/dev/zero"])  # would fill memory if read whole
    assert result.exit_code == 1
    assert "/dev/zero: cannot load" in result.output and "larger than 1,000,000" in result.output


def test_strings_and_comments_are_not_counted():
    deep_text = "[" * 100 + "a.b." * 100 + "{" * 100
    text = (
        GOOD
        + f"# {deep_text}\n"
        + f'x = "{deep_text}"\n'
        + f"y = '{deep_text}'\n"
        + f'z = """\n{deep_text}\n"""\n'
        + f"w = '''{deep_text}\n'''\n"
        + '"quoted.key.with.dots" = 1\n'
        + "v = [1.5, 2.5, 1979-05-27T07:32:00.999Z, {a = 1, b.c = [2, {}]}]\n"
        + 'u = """ends in quotes"""""\n'
    )
    guard.check_shape(text)
    parsed = tomllib.loads(text)["statements"][-1]  # valid TOML, under the last table
    assert parsed["x"] == deep_text and parsed["u"] == 'ends in quotes""'


def test_the_demo_and_exported_files_pass(app, tmp_path):
    guard.check_shape(sitefile.DEMO_PATH.read_text(encoding="utf-8"))
    path = tmp_path / "exported.toml"
    assert app.test_cli_runner().invoke(args=["export", str(path)]).exit_code == 0
    guard.check_shape(path.read_text(encoding="utf-8"))


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("a = 1\nb = [\n  [\n" + "[" * 40, 4),
        ("t = {" + "a = {" * 40, 1),
        ('body = """\nx\n"""\n' + "k." * 40 + "k = 1\n", 4),
    ],
)
def test_the_line_named_is_where_the_limit_is_passed(text, line):
    with pytest.raises(guard.TooComplex) as caught:
        guard.check_shape(text)
    assert caught.value.line == line
