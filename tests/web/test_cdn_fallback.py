"""htmx from the CDN, and the same pinned file from this site when the CDN fails; the live
block's note for when updates stop. What the browser does with them: tests/browser/."""

from __future__ import annotations

import pytest

from dashboard import config, create_app
from tests.helpers.htmx import sri_sha384
from tests.helpers.markup import Tags

VENDORED = f"/static/{config.HTMX_LOCAL_FILE}"


def scripts(page: str) -> list[dict[str, str | None]]:
    return Tags(page).find("script")


def test_the_shipped_htmx_is_the_pinned_file(client):
    response = client.get(VENDORED)
    assert response.status_code == 200
    assert response.mimetype == "text/javascript"
    assert sri_sha384(response.get_data()) == config.HTMX_SRI
    response.close()


@pytest.mark.parametrize("path", ["/", "/embed?counters=salisbury", "/admin/login"])
def test_every_page_with_htmx_has_the_fallback_right_before_it(client, at_reference, path):
    found = scripts(client.get(path).get_data(as_text=True))
    sources = [script.get("src") for script in found]
    at = sources.index(config.HTMX_CDN_URL)
    fallback = found[at - 1]
    assert fallback["src"] == "/static/cdn-fallback.js"
    assert (fallback["data-src"], fallback["data-integrity"]) == (VENDORED, config.HTMX_SRI)
    assert all("defer" in script for script in found)
    # Our own scripts come first: deferred scripts run in order, and a stalled CDN holds back
    # whatever comes after it.
    assert at == len(found) - 1


def test_a_self_hosted_htmx_keeps_the_fallback(database_url, tmp_path, monkeypatch):
    monkeypatch.setenv("HTMX_URL", "https://static.example/htmx.min.js")
    app = create_app(
        {"DATABASE_URL": database_url, "INSTANCE_PATH": str(tmp_path), "TESTING": True}
    )
    found = scripts(app.test_client().get("/admin/login").get_data(as_text=True))
    assert [s.get("src") for s in found][-2:] == [
        "/static/cdn-fallback.js",
        "https://static.example/htmx.min.js",
    ]
    assert found[-2]["data-integrity"] == config.HTMX_SRI  # the shipped file's own hash
    assert "integrity" not in found[-1]


@pytest.mark.parametrize(
    ("path", "note"),
    [
        ("/?lang=en", "Last updated 17:58"),
        ("/?lang=ru", "Обновлено в 17:58"),
        ("/embed?counters=salisbury&lang=ru", "Обновлено в 17:58"),
    ],
)
def test_the_live_block_carries_its_stale_note_hidden(client, at_reference, path, note):
    page = client.get(path).get_data(as_text=True)
    fragment = client.get(path, headers={"HX-Request": "true"}).get_data(as_text=True)
    for markup in (page, fragment):
        assert f'<p class="stale-note" hidden>{note}</p>' in markup
        live = markup[markup.index('<section id="live"') :]
        assert live.index("stale-note") < live.index("</section>")
