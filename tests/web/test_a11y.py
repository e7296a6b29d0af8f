"""What a screen reader gets from the markup, read from the HTML the app serves (no browser):
machine-readable times, one polite live region and no announcement storm from the clocks,
headings in order, labelled landmarks, meaningful link texts and the right `lang` everywhere.

The browser half (axe-core, the announcer at work, contrast, print) is test_readers_browser.py.
Real time throughout: where a value depends on the clock, the expectation is computed from the
clock around the request.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import html.parser
import re
import time
from zoneinfo import ZoneInfo

import pytest

from dashboard.content import sitefile, store
from dashboard.content.store import EXTENSION as STORE
from tests.helpers.databases import app_from, fresh_database

LONDON = ZoneInfo("Europe/London")
MOSCOW = ZoneInfo("Europe/Moscow")
# By label, in either language: the Russian pages show the Russian ones.
CLOCK_ZONES = {"Moscow": MOSCOW, "London": LONDON, "Москва": MOSCOW, "Лондон": LONDON}
FEATURED = "lavrov-nibigira-press-conference-2019"
# A statement in Russian on an English site: its own `lang` must say so on every page.
RUSSIAN_STATEMENT = "zayavlenie-posolstva-2020"
RUSSIAN_STATEMENT_TOML = f"""
[[statements]]
slug = "{RUSSIAN_STATEMENT}"
published = 2020-01-20
title = "Заявление посольства"
summary = "Посольство напоминает, что никакой достоверной информации до сих пор нет."
language = "ru"
source_url = "https://example.org/zayavlenie"
topics = ["russia-uk"]
"""
PAGES = [
    "/",
    "/?lang=ru",
    "/statements",
    "/statements?lang=ru",
    f"/statements/{FEATURED}",
    f"/statements/{FEATURED}?lang=ru",
    f"/statements/{RUSSIAN_STATEMENT}",
    f"/statements/{RUSSIAN_STATEMENT}?lang=ru",
    "/topics/russia-uk",
    "/topics/russia-uk?lang=ru",
]
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source"}
VOID |= {"track", "wbr"}
VAGUE_LINK_TEXTS = {"click here", "here", "more", "read more", "link", "this", "нажмите здесь"}
VAGUE_LINK_TEXTS |= {"здесь", "далее", "подробнее", "ссылка"}
LIVE_ROLES = {"status", "alert", "log", "marquee", "timer"}


# -- a small DOM ------------------------------------------------------------------------------
@dataclasses.dataclass(eq=False)
class Node:
    tag: str
    attrs: dict[str, str]
    parent: Node | None = None
    children: list[Node | str] = dataclasses.field(default_factory=list)

    def text(self) -> str:
        parts = [c if isinstance(c, str) else c.text() for c in self.children]
        return re.sub(r"\s+", " ", "".join(parts)).strip()

    def iter(self):
        yield self
        for child in self.children:
            if isinstance(child, Node):
                yield from child.iter()

    def find_all(self, tag: str) -> list[Node]:
        return [node for node in self.iter() if node.tag == tag]

    def ancestors(self):
        node = self.parent
        while node is not None:
            yield node
            node = node.parent

    def inside(self, predicate) -> bool:
        return any(predicate(node) for node in self.ancestors())

    def describe(self) -> str:
        keys = ("id", "class", "href", "datetime")
        shown = " ".join(f'{k}="{self.attrs[k]}"' for k in keys if k in self.attrs)
        return f"<{self.tag}{' ' + shown if shown else ''}>"


class _TreeBuilder(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = Node("#document", {})
        self.current = self.root

    def handle_starttag(self, tag, attrs):
        node = Node(tag, {name: value or "" for name, value in attrs}, parent=self.current)
        self.current.children.append(node)
        if tag not in VOID:
            self.current = node

    def handle_startendtag(self, tag, attrs):
        self.current.children.append(
            Node(tag, {name: value or "" for name, value in attrs}, parent=self.current)
        )

    def handle_endtag(self, tag):
        open_tags = [self.current, *self.current.ancestors()]
        assert any(node.tag == tag for node in open_tags), f"</{tag}> closes nothing"
        while self.current.tag != tag:
            self.current = self.current.parent
        self.current = self.current.parent

    def handle_data(self, data):
        self.current.children.append(data)


def parse(markup: str) -> Node:
    builder = _TreeBuilder()
    builder.feed(markup)
    builder.close()
    return builder.root


def by_id(document: Node, ident: str) -> Node | None:
    found = [node for node in document.iter() if node.attrs.get("id") == ident]
    assert len(found) <= 1, f"id {ident!r} is used {len(found)} times"
    return found[0] if found else None


def accessible_name(node: Node, document: Node) -> str:
    if node.attrs.get("aria-labelledby"):
        labels = [by_id(document, ident) for ident in node.attrs["aria-labelledby"].split()]
        return " ".join(label.text() for label in labels if label is not None)
    return node.attrs.get("aria-label", "").strip() or node.text()


# -- fixtures ---------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def site(tmp_path_factory, templates):
    """The demo plus one statement in Russian (an English site quoting a Russian text). The
    tests here only read, so they share one."""
    folder = tmp_path_factory.mktemp("a11y")
    with fresh_database(folder) as url, app_from(templates["demo"], url, folder) as app:
        demo = sitefile.DEMO_PATH.read_text(encoding="utf-8")
        spec = sitefile.parse(demo + RUSSIAN_STATEMENT_TOML, "demo + a Russian statement")
        sitefile.load(app.extensions[STORE], spec)
        yield app


@pytest.fixture
def get(site):
    """GET a page; returns (document, instants before and after the request)."""
    client = site.test_client()

    def fetch(path: str, **headers) -> tuple[Node, float, float]:
        before = time.time()
        response = client.get(path, headers=headers)
        after = time.time()
        assert response.status_code == 200, (path, response.status_code)
        return parse(response.get_data(as_text=True)), before, after

    return fetch


# -- times and dates --------------------------------------------------------------------------
DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
# A valid global date and time string: date, "T", hh:mm[:ss[.fff]], then Z or ±hh:mm.
GLOBAL_DATETIME = re.compile(
    r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})"
)


def minute_floor(at: float, zone: ZoneInfo) -> dt.datetime:
    return dt.datetime.fromtimestamp(at, zone).replace(second=0, microsecond=0)


@pytest.mark.parametrize("path", PAGES)
def test_times_and_dates_are_machine_readable(get, path):
    document, before, after = get(path)
    times = document.find_all("time")
    assert times, "the page shows dates and times"
    for node in times:
        value = node.attrs.get("datetime")
        assert value, f"{node.describe()} has no datetime"
        if DATE.fullmatch(value):
            dt.date.fromisoformat(value)  # a real day, not 2020-02-30
        else:
            assert GLOBAL_DATETIME.fullmatch(value), f"{value!r} is not a valid HTML datetime"
            assert dt.datetime.fromisoformat(value).utcoffset() is not None

    date_line = [n for n in times if n.inside(lambda a: "date-line" in a.attrs.get("class", ""))]
    assert [n.attrs["datetime"] for n in date_line] in (
        [minute_floor(before, LONDON).date().isoformat()],
        [minute_floor(after, LONDON).date().isoformat()],
    )

    clocks = [n for n in times if "clock-time" in n.attrs.get("class", "")]
    assert len(clocks) == 2
    for node in clocks:
        label = node.parent.find_all("span")[0].text().rstrip(":")
        zone = CLOCK_ZONES[label]
        shown = dt.datetime.fromisoformat(node.attrs["datetime"])
        # The instant the clock shows (to the minute), in the clock's own offset...
        assert shown in {minute_floor(before, zone), minute_floor(after, zone)}
        assert shown.utcoffset() == minute_floor(before, zone).utcoffset()
        # ...and the text a reader sees is that same time.
        assert node.text() == f"{shown:%H:%M}"

    statement_dates = [n for n in times if re.fullmatch(r"\d{2}\.\d{2}\.\d{4}", n.text())]
    assert statement_dates, "statements carry their dates"
    for node in statement_dates:
        day, month, year = (int(part) for part in node.text().split("."))
        assert dt.date(year, month, day).isoformat() == node.attrs["datetime"]


# -- live regions -----------------------------------------------------------------------------
@pytest.mark.parametrize("path", PAGES)
def test_one_polite_live_region_and_silent_clocks(get, path):
    document, _, _ = get(path)
    live = [node for node in document.iter() if "aria-live" in node.attrs]
    assert [node.describe() for node in live] == ['<div id="announcer" class="visually-hidden">']
    (announcer,) = live
    assert announcer.attrs["aria-live"] == "polite"
    assert announcer.attrs.get("aria-atomic") == "true"
    assert announcer.text() == "", "nothing is announced when a page opens"
    # Outside the block htmx replaces each minute, so it survives the swaps.
    assert not announcer.inside(lambda node: node.attrs.get("id") == "live")
    implicit = [n.describe() for n in document.iter() if n.attrs.get("role") in LIVE_ROLES]
    assert implicit == [], "no other (implicit) live regions"
    assert document.find_all("output") == []

    block = by_id(document, "live")
    assert block is not None and "aria-live" not in block.attrs
    assert block.find_all("time"), "the clocks are in the live block"


def test_the_minutely_fragment_brings_no_live_region(get):
    fragment, _, _ = get("/", **{"HX-Request": "true"})
    (block,) = [node for node in fragment.children if isinstance(node, Node)]
    assert block.attrs["id"] == "live"
    assert [node.describe() for node in block.iter() if "aria-live" in node.attrs] == []
    assert [node.describe() for node in block.iter() if node.attrs.get("role")] == []


# -- structure --------------------------------------------------------------------------------
@pytest.mark.parametrize("path", PAGES)
def test_headings_are_in_order_with_one_h1(get, path):
    document, _, _ = get(path)
    headings = [node for node in document.iter() if re.fullmatch(r"h[1-6]", node.tag)]
    levels = [int(node.tag[1]) for node in headings]
    assert levels.count(1) == 1, levels
    assert levels[0] == 1, "the h1 comes first"
    for previous, level, node in zip(levels, levels[1:], headings[1:], strict=False):
        assert level <= previous + 1, f"{node.describe()} {node.text()!r} skips a level: {levels}"
    assert all(node.text() for node in headings), "no empty headings"


@pytest.mark.parametrize("path", PAGES)
def test_landmarks_are_there_and_labelled(get, path):
    document, _, _ = get(path)
    (body,) = document.find_all("body")
    (main,) = document.find_all("main")
    assert main.parent is body
    headers = document.find_all("header")
    assert len(headers) == 1 and headers[0].parent is body, "one banner"
    assert headers[0].find_all("nav"), "the language switcher is navigation in the banner"

    skip = [a for a in document.find_all("a") if "skip" in a.attrs.get("class", "")]
    assert [a.attrs["href"] for a in skip] == ["#main"] and main.attrs.get("id") == "main"
    assert body.children and next(c for c in body.children if isinstance(c, Node)) is skip[0]

    navs = document.find_all("nav")
    labels = [accessible_name(nav, document) for nav in navs]
    assert all(nav.attrs.get("aria-label") for nav in navs), labels
    assert len(set(labels)) == len(labels), f"navigation landmarks share a label: {labels}"
    for section in document.find_all("section"):
        assert section.attrs.get("aria-label") or section.attrs.get("aria-labelledby")
        assert accessible_name(section, document), section.describe()
    for node in document.iter():
        if node.attrs.get("aria-labelledby"):
            for ident in node.attrs["aria-labelledby"].split():
                assert by_id(document, ident) is not None, f"{node.describe()}: no #{ident}"

    ids = [node.attrs["id"] for node in document.iter() if "id" in node.attrs]
    assert len(ids) == len(set(ids)), f"duplicate ids: {sorted(ids)}"


@pytest.mark.parametrize("path", PAGES)
def test_link_texts_say_where_they_go(get, path):
    document, _, _ = get(path)
    destinations: dict[tuple[str, str], set[str]] = {}
    for link in document.find_all("a"):
        if "href" not in link.attrs:
            continue
        name = accessible_name(link, document)
        assert name, f"{link.describe()} has no text"
        assert name.casefold().strip(" .:!") not in VAGUE_LINK_TEXTS, f"{name!r} says nothing"
        # A link is read with its navigation's label ("Language: Русский"), so the same text
        # may lead elsewhere in another, differently labelled navigation - never in the same.
        nav = next((a for a in link.ancestors() if a.tag == "nav"), None)
        context = accessible_name(nav, document) if nav else ""
        destinations.setdefault((context, name), set()).add(link.attrs["href"].split("#")[0])
    same_text = {key: hrefs for key, hrefs in destinations.items() if len(hrefs) > 1}
    assert same_text == {}, "one link text, several destinations"


# -- languages --------------------------------------------------------------------------------
@pytest.mark.parametrize("path", PAGES)
def test_lang_attributes(site, get, path):
    document, _, _ = get(path)
    (root,) = document.find_all("html")
    assert root.attrs["lang"] == ("ru" if "lang=ru" in path else "en")

    # Each statement, whatever the interface language, says which language it is written in.
    shown = dict(_statements_shown(document, path))
    assert shown, "the page shows statements"
    with site.extensions[STORE].session() as session:
        expected = {slug: store.statement_by_slug(session, slug).language for slug in shown}
    assert shown == expected
    if path == "/":
        assert shown[RUSSIAN_STATEMENT] == "ru" and shown[FEATURED] == "en"

    # The interface's own words inside a statement ("Source") are in the interface's language.
    sources = [n for n in document.iter() if "source" in n.attrs.get("class", "").split()]
    assert len(sources) == (1 if RUSSIAN_STATEMENT in path else 0)
    for node in sources:
        nearest = next(n for n in [node, *node.ancestors()] if "lang" in n.attrs)
        assert nearest.attrs["lang"] == root.attrs["lang"], node.text()
        assert node.text() == ("Источник" if root.attrs["lang"] == "ru" else "Source")

    (nav,) = [nav for nav in document.find_all("nav") if "languages" in nav.attrs["class"]]
    choices = [node for node in nav.children if isinstance(node, Node)]
    assert [(node.tag, node.attrs.get("lang"), node.text()) for node in choices] == [
        ("span" if root.attrs["lang"] == "en" else "a", "en", "English"),
        ("span" if root.attrs["lang"] == "ru" else "a", "ru", "Русский"),
    ]
    for choice in choices:
        if choice.tag == "a":
            assert choice.attrs["hreflang"] == choice.attrs["lang"]
        else:
            assert choice.attrs["aria-current"] == "true"


def _statements_shown(document: Node, path: str):
    """(slug, lang attribute) of each statement on the page: the one a statement page is about,
    the featured one and the listed ones, each read from its own container."""
    page = re.fullmatch(r"/statements/([a-z0-9-]+)(\?.*)?", path)
    for node in document.iter():
        classes = set(node.attrs.get("class", "").split())
        if node.tag == "article" and "statement" in classes:
            assert page, "only a statement page has article.statement"
            yield page.group(1), node.attrs.get("lang")
        elif classes & {"featured", "statement-item"}:
            (slug,) = {
                match.group(1)
                for link in node.find_all("a")
                if (match := re.fullmatch(r"/statements/([a-z0-9-]+)", link.attrs.get("href", "")))
            }
            yield slug, node.attrs.get("lang")
