"""Words, stems and excerpts for search, without a database: the body's text is what an HTML
parser reads in it, queries are only ever quoted words, and excerpts are escaped passages in
which <mark> is the only markup."""

from __future__ import annotations

import datetime as dt
import html.parser

from hypothesis import given, settings
from hypothesis import strategies as st

from dashboard.content import richtext
from dashboard.search import excerpts, sqlite, words
from dashboard.search.query import parse


class _Text(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.parts.append(" ")

    def handle_endtag(self, tag):
        self.parts.append(" ")

    def handle_data(self, data):
        self.parts.append(data)


def parsed_text(fragment: str) -> str:
    reader = _Text()
    reader.feed(fragment)
    reader.close()
    return " ".join("".join(reader.parts).split())


MARKUP = st.sampled_from(["*", "**", "[", "](https://x.example/?a>b&c=\"d\")", "<b>", "</b>",
                          "<a href='x\">y'>", "&amp;", "&lt;", "\n\n", "- ", "> ", "`", "<br>",
                          "<script>z</script>", "посольства", "Lavrov's", " "])  # fmt: skip


@settings(max_examples=60, deadline=None, derandomize=True, database=None)
@given(st.lists(st.one_of(MARKUP, st.text(max_size=8)), max_size=12).map("".join))
def test_the_text_of_a_stored_body_is_what_an_html_parser_reads(source):
    stored = richtext.render(source)
    assert words.plain_text(stored) == parsed_text(stored)


def test_stems_in_each_language_and_forms_in_all():
    assert words.index_text("ru", "Посольства, ПОСОЛЬСТВО!") == "посольств посольств"
    assert words.index_text("en-GB", "Statements' statement") == "statement statement"
    assert words.index_text("fr", "Déclarations") == "déclarations"  # not stemmed: whole words
    assert words.forms("statements") == {"statements", "statement"}
    assert words.forms("посольства") == {"посольства", "посольств"}
    assert parse("Lavrov's  LAVROV’s lavrovs").words == ("lavrovs",)


def test_a_query_is_only_ever_quoted_words():
    query = parse('NEAR(a b) "x" -y* title: AND {body}:z ^w')
    assert query.words == ("near", "a", "b", "x", "y", "title", "and", "body", "z", "w")
    expression = sqlite.match_expression(query.groups)
    assert expression.startswith('("near") AND ("a") AND ("b")')
    assert parse('*** "" -- ()').words == ()


def test_keys_order_by_the_minute_then_the_id():
    early = dt.datetime(1900, 1, 1, tzinfo=dt.UTC)
    late = dt.datetime(2200, 12, 31, 23, 59, 59, tzinfo=dt.UTC)
    assert sqlite.key(early, 5) == 5
    assert sqlite.key(early, sqlite.ID_MASK) < sqlite.key(early + dt.timedelta(minutes=1), 1)
    assert sqlite.key(late, sqlite.ID_MASK) < 2**63
    assert sqlite._stored_key("2020-01-16 00:00:59.999999", 7) == sqlite.key(
        dt.datetime(2020, 1, 16, tzinfo=dt.UTC), 7
    )


def test_excerpts_mark_the_matches_in_an_escaped_passage():
    wanted = parse("embassies").wanted
    body = (
        "<p>" + "Many words here. " * 20 + "The <em>Embassy</em> &amp; <b>embassy's</b> staff.</p>"
    )
    text = excerpts.excerpt("", body, "en", wanted)
    assert text.startswith("…") and "<mark>Embassy</mark> &amp; <mark>embassy&#x27;s</mark>" in text
    assert len(str(text)) < excerpts.WIDTH + 80
    summary = excerpts.excerpt("<script>x</script> embassy", "", "en", wanted)
    assert summary == "&lt;script&gt;x&lt;/script&gt; <mark>embassy</mark>"
    title_only = excerpts.excerpt("A summary.", "<p>Body.</p>", "en", wanted)
    assert title_only == "A summary."
    assert excerpts.highlighted("Embassy <b>", "en", wanted) == "<mark>Embassy</mark> &lt;b&gt;"
