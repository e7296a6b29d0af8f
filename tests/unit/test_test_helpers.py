"""The tests' own shortcuts do what they say."""

from flask import Flask, url_for

from tests.helpers.routing import shared_builders


def test_url_builders_are_shared_between_apps_and_build_each_apps_own_urls():
    assert shared_builders(), "werkzeug's internals moved: the tests compile every builder"
    apps = [Flask(f"a{i}") for i in range(2)]
    for number, app in enumerate(apps):
        app.add_url_rule("/items/<int:item>", "item", lambda item: "")
        app.add_url_rule("/items/<int:item>/<part>", "part", lambda item, part="x": "")
        app.config["SERVER_NAME"] = f"host{number}.example"
    first, second = (app.url_map.iter_rules("item").__next__() for app in apps)
    assert first._build.__func__ is second._build.__func__  # compiled once
    with apps[0].test_request_context():
        assert url_for("item", item=7) == "/items/7"
        assert url_for("item", item=7, q="a b") == "/items/7?q=a+b"
        assert url_for("part", item=1, part="é") == "/items/1/%C3%A9"
    with apps[1].test_request_context():
        assert url_for("item", item=8, _external=True) == "http://host1.example/items/8"
