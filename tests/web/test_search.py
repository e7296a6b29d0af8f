"""Searching the archive: word forms in English and Russian, ranked results with escaped
excerpts, the same list on the page and in the API, filters and keyset pages, and a clear
answer to every query, hostile ones included."""

from __future__ import annotations

import datetime as dt
import html

import pytest
import time_machine
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.helpers.search import api_slugs, make_token, page_slugs, publish, results


@pytest.fixture
def token(app):
    return make_token(app)


def test_word_forms_find_each_other_in_english_and_russian(client, token, at_reference):
    publish(client, token, title="Заявление посольства России", language="ru", slug="ru-one")
    publish(client, token, title="A statement on the treaty", slug="en-one")
    for q in ("посольство", "посольства", "ПОСОЛЬСТВОМ"):
        assert "ru-one" in api_slugs(client, q), q
        assert "ru-one" in page_slugs(client, q), q
    for q in ("statements", "statement", "Statement's"):
        assert "en-one" in api_slugs(client, q), q
        assert "en-one" in page_slugs(client, q), q
    # Every word must be there; each may be in any of its forms.
    assert api_slugs(client, "statements treaties") == ["en-one"]
    assert api_slugs(client, "statements посольства") == []


def test_the_demo_statement_in_russian_is_found_by_another_form(client):
    with time_machine.travel(dt.datetime(2020, 3, 1, tzinfo=dt.UTC), tick=False):
        for q in ("посольство", "консульский отдел", "праздничный"):
            assert "konsulskii-otdel-24-fevralia-2020" in page_slugs(client, q), q
        assert len(page_slugs(client, "lavrov", year=2019, month=11)) == 2


def test_small_words_are_searched_like_any_other(client, token, at_reference):
    publish(client, token, title="The embassy of the republic", slug="small-words")
    assert api_slugs(client, "the embassy") == api_slugs(client, "embassy") == ["small-words"]
    assert "small-words" in api_slugs(client, "of the")


def test_title_matches_rank_above_body_matches(client, token, at_reference):
    body = "Only the body mentions the quorblax, once, among many other words of the text."
    publish(client, token, title="Quorblax talks", published="2019-01-01T00:00:00Z", slug="t")
    publish(
        client, token, title="Other news", body=body, published="2020-01-25T00:00:00Z", slug="b"
    )
    publish(client, token, title="More news", summary="The quorblax again.", slug="s")
    assert api_slugs(client, "quorblax") == ["t", "s", "b"]
    assert page_slugs(client, "quorblax") == ["t", "s", "b"]


def test_excerpts_are_escaped_and_mark_only_the_matches(client, token, at_reference):
    publish(
        client,
        token,
        title="Zephyrine <b>bold</b> title",
        summary='Plain text with <script>alert("x")</script> and zephyrines here.',
        slug="escaped",
    )
    found = client.get("/api/v1/statements?q=zephyrine").json["statements"]
    assert [s["slug"] for s in found] == ["escaped"]
    excerpt = found[0]["excerpt"]
    assert "&lt;script&gt;" in excerpt and "<script" not in excerpt
    assert excerpt.count("<mark>") == 1 and "<mark>zephyrines</mark>" in excerpt
    page = client.get("/statements?q=zephyrine").get_data(as_text=True)
    assert results(page).excerpt_tags == {"mark"}
    assert "<mark>Zephyrine</mark> &lt;b&gt;bold&lt;/b&gt; title" in page


def test_the_excerpt_comes_from_the_body_text_not_its_markup(client, token, at_reference):
    lead = " ".join(["Filler words before the match."] * 10)
    body = f"{lead}\n\nThe **Glimmerwort** [treaty](https://example.org/x) *was* signed."
    publish(client, token, title="Untitled", summary="Nothing here.", body=body, slug="body")
    excerpt = client.get("/api/v1/statements?q=glimmerworts").json["statements"][0]["excerpt"]
    assert excerpt.startswith("…") and "<mark>Glimmerwort</mark> treaty was signed." in excerpt
    assert "**" not in excerpt and "href" not in excerpt and "<strong>" not in excerpt


def test_only_what_readers_see_is_found(app, client, token, at_reference):
    publish(client, token, title="Wobblefrost seen", slug="seen")
    publish(client, token, title="Wobblefrost draft", draft=True, slug="draft")
    publish(
        client, token, title="Wobblefrost later", published="2020-02-01T00:00:00Z", slug="later"
    )
    publish(
        client,
        token,
        title="Wobblefrost gone",
        published="2020-01-01T00:00:00Z",
        expires="2020-01-10T00:00:00Z",
        slug="gone",
    )
    assert api_slugs(client, "wobblefrost") == page_slugs(client, "wobblefrost") == ["seen"]


def _five(client, token):
    for number, published in enumerate(
        ["2018-12-31T23:30:00Z", "2019-01-15T00:00:00Z", "2019-03-01T00:00:00Z",
         "2019-03-20T00:00:00Z", "2020-01-02T00:00:00Z"], start=1,
    ):  # fmt: skip
        language = "ru" if number == 3 else "en"
        publish(client, token, title=f"Krenshaw {number}", published=published,
                language=language, slug=f"k{number}")  # fmt: skip


def test_filters_combine_with_a_search(client, token, at_reference):
    _five(client, token)
    assert sorted(api_slugs(client, "krenshaw")) == ["k1", "k2", "k3", "k4", "k5"]
    # Years and months are the site's (London): 23:30 UTC on 31 December is still 2018 there.
    assert sorted(api_slugs(client, "krenshaw", year=2019)) == ["k2", "k3", "k4"]
    assert sorted(api_slugs(client, "krenshaw", year=2019, month=3)) == ["k3", "k4"]
    assert api_slugs(client, "krenshaw", year=2019, month=3, language="ru") == ["k3"]
    assert sorted(page_slugs(client, "krenshaw", year=2019, month=3)) == ["k3", "k4"]
    # The plain archive takes the same filters.
    plain = client.get("/api/v1/statements", query_string={"year": 2018, "month": 12})
    assert [s["slug"] for s in plain.json["statements"]] == ["k1"]


BAD = [
    ({"month": "3"}, "'month' needs a 'year'"),
    ({"year": "1899"}, "'year' must be a whole number from 1900 to 2200"),
    ({"year": "2019", "month": "13"}, "'month' must be a whole number from 1 to 12"),
    ({"q": "x", "before": "2020-01-01T00:00:00Z_4"}, "'before' must be a search's"),
    ({"before": "r12_4"}, "'before' must be a date"),
    ({"q": "x", "before": "r12"}, "'before' must look like r1234_42"),
]


def test_bad_filters_and_cursors_are_a_clear_400(client):
    for query, message in BAD:
        api = client.get("/api/v1/statements", query_string=query)
        assert api.status_code == 400 and message in api.json["error"], api.json
        page = client.get("/statements", query_string=query)
        assert page.status_code == 400 and message in html.unescape(page.get_data(as_text=True))


def test_search_pages_follow_on_by_keyset_like_the_api(app, client, token, at_reference):
    app.config["STATEMENTS_PER_PAGE"] = 2
    _five(client, token)
    shown, url = [], "/statements?q=krenshaw&year=2019"
    while url:
        page = client.get(url).get_data(as_text=True)
        shown += results(page).slugs
        older = [a for a in page.split('"') if a.startswith("/statements?") and "before=r" in a]
        url = older[0].replace("&amp;", "&") if older else None
    assert sorted(shown) == ["k2", "k3", "k4"] and len(shown) == 3
    listed, url = [], "/api/v1/statements?q=krenshaw&year=2019&limit=2"
    while url:
        answer = client.get(url).json
        listed += [s["slug"] for s in answer["statements"]]
        url = answer["next"]
        assert url is None or ("year=2019" in url and "q=krenshaw" in url)
    assert listed == shown


SYNTAX = ["NEAR(", '"', "*", "AND", "-x", "title:", "a OR", "{title}: x", "^x", "x NOT y", "(", ")"]
SYNTAX += ["''", "NEAR(a b, 3)", '"a" + "b"', "a*", "x:y", "'; DROP TABLE statements; --"]


def test_search_syntax_is_only_ever_words(client):
    for q in SYNTAX:
        page = client.get("/statements", query_string={"q": q})
        api = client.get("/api/v1/statements", query_string={"q": q})
        assert page.status_code in (200, 400) and api.status_code == page.status_code, q
        if api.status_code == 400:
            assert "nothing to search for" in api.json["error"]
            assert "nothing to search for" in page.get_data(as_text=True)
    assert api_slugs(client, "AND") == api_slugs(client, "and") != []  # a word, not syntax


def test_a_query_without_words_says_so_and_keeps_the_search_box(client):
    page = client.get("/statements?q=%2A%2A%2A+%22%22+-")
    assert page.status_code == 400 and page.headers["Cache-Control"] == "no-store"
    text = page.get_data(as_text=True)
    assert "There is nothing to search for in" in text and 'name="q"' in text
    assert client.get("/statements?q=+").status_code == 200  # empty: the plain archive


def test_long_queries_are_refused_by_name(client):
    for q, message in [
        ("a" * 10_000, "at most 200 characters"),
        (" ".join(f"w{n}" for n in range(21)), "at most 20 words"),
    ]:
        api = client.get("/api/v1/statements", query_string={"q": q})
        assert api.status_code == 400 and message in api.json["error"]
        assert client.get("/statements", query_string={"q": q}).status_code == 400


def test_the_form_works_without_javascript_and_htmx_gets_the_results_alone(client, at_reference):
    page = client.get("/statements?q=lavrov&year=2019")
    text = page.get_data(as_text=True)
    assert '<form class="search" method="get" action="/statements"' in text
    assert 'value="lavrov"' in text and 'value="2019"' in text
    assert 'hx-trigger="input changed delay:300ms, search"' in text
    assert "HX-Request" in page.headers["Vary"]
    fragment = client.get("/statements?q=lavrov&year=2019", headers={"HX-Request": "true"})
    body = fragment.get_data(as_text=True)
    assert body.startswith('<div id="results"') and "<form" not in body and "<html" not in body
    assert results(body).slugs == results(text).slugs != []
    assert "HX-Request" in fragment.headers["Vary"]
    restore = {"HX-Request": "true", "HX-History-Restore-Request": "true"}
    assert "<html" in client.get("/statements?q=lavrov", headers=restore).get_data(as_text=True)


def test_the_search_box_echoes_the_query_escaped(client):
    page = client.get('/statements?q="><script>x</script>').get_data(as_text=True)
    assert 'value="&#34;&gt;&lt;script&gt;x&lt;/script&gt;"' in page


QUERIES = st.one_of(
    st.text(max_size=60),
    st.lists(st.sampled_from(SYNTAX + ["посольства", "Lavrov's", " ", "\u0301", "ǅ", "²"])).map(
        " ".join
    ),
    st.text(alphabet=st.characters(categories=["P", "S", "Zs", "Mn"]), max_size=20),
)


@settings(max_examples=15, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])  # fmt: skip
@given(q=QUERIES, year=st.sampled_from([None, "2019", "1900", "2200"]))
def test_no_query_gets_a_5xx(client, at_reference, q, year):
    query = {"q": q, **({"year": year} if year else {})}
    for url in ("/statements", "/api/v1/statements"):
        response = client.get(url, query_string=query)
        assert response.status_code in (200, 400), (url, q, response.status_code)
    fragment = client.get("/statements", query_string=query, headers={"HX-Request": "true"})
    assert fragment.status_code in (200, 400)
