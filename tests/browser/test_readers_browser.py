"""Readers, in a real browser: Debian's Chromium through Playwright, against the demo app on
127.0.0.1 with the pinned htmx. axe-core finds nothing serious in English or Russian, light or
dark; the pages fit phones and desktops; the dark theme keeps its contrast; the statement prints
black on white. (The announcer and the page in Russian: test_announcer_browser.py.)

Real time throughout: every expectation that depends on the day is computed from the clock
around the moment the page was read. Screenshots and the PDF go to test-artifacts/.
"""

from __future__ import annotations

import json
import math
import re
import shutil
import subprocess

import pytest
from playwright.sync_api import expect

from tests.helpers.chromium import ARTIFACTS
from tests.helpers.clock import clear_of_boundaries
from tests.helpers.htmx import packed_npm_file

pytestmark = pytest.mark.browser

AXE_VERSION = "4.14.1"
AXE_MEMBER = "package/axe.min.js"
AXE_SRI = "sha384-xt1SFg49QaDwsyt0Xfs2XAyBtYPClXl3X2q5OOLeGAUmq9jZTYIMdztpF99WdhiH"
STATEMENT = "/statements/lavrov-nibigira-press-conference-2019"
SCREENS = {"index": "/", "statements": "/statements", "statement": STATEMENT}
HTMX_READY = "window.htmx !== undefined && window.htmx.version !== undefined"


def collapse(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def open_page(context, url: str):
    page = context.new_page()
    response = page.goto(url)
    assert response is not None and response.status == 200, (url, response and response.status)
    page.wait_for_function(HTMX_READY)
    return page


# -- contrast (WCAG 2.x) ----------------------------------------------------------------------
def parse_colour(text: str) -> tuple[float, float, float, float]:
    numbers = [float(n) for n in re.findall(r"[\d.]+", text)]
    assert text.startswith("rgb") and len(numbers) in (3, 4), f"unexpected colour {text!r}"
    return (*numbers[:3], numbers[3] if len(numbers) == 4 else 1.0)


def over(colour: str, backdrop: str) -> tuple[float, float, float]:
    r, g, b, a = parse_colour(colour)
    br, bg, bb, _ = parse_colour(backdrop)
    return (r * a + br * (1 - a), g * a + bg * (1 - a), b * a + bb * (1 - a))


def luminance(rgb: tuple[float, float, float]) -> float:
    def channel(value: float) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(v) for v in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(one: tuple[float, float, float], two: tuple[float, float, float]) -> float:
    light, dark = sorted((luminance(one), luminance(two)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


# Each matching element's text colour and the first opaque background behind it.
READ_COLOURS = """
selector => [...document.querySelectorAll(selector)]
  .filter(e => e.getClientRects().length && e.textContent.trim())
  .map(e => {
    let backdrop = 'rgb(255, 255, 255)';
    for (let n = e; n; n = n.parentElement) {
      const bg = getComputedStyle(n).backgroundColor;
      if (!/^rgba\\(.*,\\s*0\\)$/.test(bg) && bg !== 'transparent') { backdrop = bg; break; }
    }
    return {
      what: e.tagName.toLowerCase() + (e.className ? '.' + e.className : ''),
      text: e.textContent.trim().slice(0, 40),
      color: getComputedStyle(e).color,
      backdrop,
    };
  })
"""


# -- fixtures ---------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def axe_source() -> str:
    """axe-core's axe.min.js as `npm pack` gives it (cached beside htmx), hash-checked."""
    return packed_npm_file("axe-core", AXE_VERSION, AXE_MEMBER, AXE_SRI).decode("utf-8")


# -- axe-core ---------------------------------------------------------------------------------
AXE_PAGES = ["/", "/statements", STATEMENT, "/?lang=ru", "/embed"]
RUN_AXE = """
async () => {
  const results = await axe.run(document, {resultTypes: ['violations']});
  return {
    version: axe.version,
    violations: results.violations.map(v => ({
      id: v.id, impact: v.impact, help: v.help,
      nodes: v.nodes.map(n => ({target: n.target, summary: n.failureSummary})),
    })),
  };
}
"""


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("path", AXE_PAGES)
def test_axe_finds_nothing_serious(live_app, new_context, axe_source, path, scheme):
    clear_of_boundaries(before=12)  # axe reads the page while it stands still
    page = open_page(new_context(color_scheme=scheme), live_app.url(path))
    assert page.evaluate("matchMedia('(prefers-color-scheme: dark)').matches") == (scheme == "dark")
    page.add_script_tag(content=axe_source)
    report = page.evaluate(RUN_AXE)
    assert report["version"] == AXE_VERSION
    serious = [v for v in report["violations"] if v["impact"] in ("serious", "critical")]
    lines = [
        f"{v['id']} ({v['impact']}): {v['help']}\n"
        + "\n".join(f"    {node['target']}: {collapse(node['summary'])}" for node in v["nodes"])
        for v in serious
    ]
    assert serious == [], f"axe-core on {path} ({scheme}):\n" + "\n".join(lines)


# -- screens ----------------------------------------------------------------------------------
# The document must not scroll sideways, and nothing may stick out of the body's content box
# (into its padding, which the scroll width alone would not show).
MEASURE_FIT = """
() => {
  const body = document.body, style = getComputedStyle(body), box = body.getBoundingClientRect();
  const left = box.left + parseFloat(style.paddingLeft);
  const right = box.right - parseFloat(style.paddingRight);
  const outside = [];
  for (const e of body.querySelectorAll('*')) {
    if (e.closest('.skip, .visually-hidden')) continue;
    const r = e.getBoundingClientRect();
    if (!r.width && !r.height) continue;
    if (r.left < left - 0.5 || r.right > right + 0.5) {
      outside.push(`${e.tagName.toLowerCase()}${e.id ? '#' + e.id : ''}`
        + `${e.className ? '.' + e.className : ''}: ${r.left.toFixed(1)}..${r.right.toFixed(1)}`
        + ` outside ${left.toFixed(1)}..${right.toFixed(1)}`);
    }
  }
  return {
    scrollWidth: document.scrollingElement.scrollWidth,
    innerWidth: window.innerWidth,
    outside: outside,
  };
}
"""


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("width", [360, 768, 1280])
def test_pages_fit_every_screen(live_app, new_context, width, scheme):
    context = new_context(viewport={"width": width, "height": 900}, color_scheme=scheme)
    ARTIFACTS.mkdir(exist_ok=True)
    for name, path in SCREENS.items():
        page = open_page(context, live_app.url(path))
        expect(page.locator("#live .counter")).to_have_count(2)
        stem = ARTIFACTS / f"readers-{name}-{width}-{scheme}"
        page.screenshot(path=f"{stem}-top.png")  # what a reader sees first
        page.screenshot(path=f"{stem}.png", full_page=True)
        fit = page.evaluate(MEASURE_FIT)
        assert fit["scrollWidth"] <= fit["innerWidth"] == width, (path, fit)
        assert fit["outside"] == [], (path, fit)
        page.close()


def test_counters_fit_the_narrowest_phones(live_app, new_context):
    """Below 16rem of room the counters' grid falls to one column that fits (min(16rem, 100%)),
    where minmax(16rem, 1fr) stuck out of the page by 8px at 280px."""
    context = new_context(viewport={"width": 280, "height": 900})
    ARTIFACTS.mkdir(exist_ok=True)
    for name, path in (("index", "/"), ("index-ru", "/?lang=ru"), ("statement", STATEMENT)):
        page = open_page(context, live_app.url(path))
        page.screenshot(path=str(ARTIFACTS / f"readers-{name}-280-light-top.png"))
        fit = page.evaluate(MEASURE_FIT)
        assert fit["scrollWidth"] <= fit["innerWidth"] == 280, (path, fit)
        assert fit["outside"] == [], (path, fit)
        counters = page.locator("#live .counter")
        boxes = [counters.nth(i).bounding_box() for i in range(counters.count())]
        assert len(boxes) == 2 and len({round(box["x"]) for box in boxes}) == 1, "one column"
        page.close()


# -- colour schemes ---------------------------------------------------------------------------
# (role, selector, minimum contrast): body text AAA, the rest at least AA.
CONTRAST_RULES = [
    ("body text", "body, .site-title a, .date-line, .clock, .counter, .statement-body p", 7.0),
    ("body text", "main h1, main h2, .statement-title", 7.0),
    ("links", "a:not(.skip)", 4.5),
    ("counter numbers", ".counter-days", 4.5),
    ("muted text", ".contact, .statement-date, .statement-summary", 4.5),
]


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_colour_scheme_keeps_its_contrast(live_app, new_context, scheme):
    context = new_context(color_scheme=scheme)
    failures: list[str] = []
    measured: dict[str, float] = {}
    for path in ("/", "/statements", STATEMENT):
        page = open_page(context, live_app.url(path))
        body = page.evaluate(
            "() => [getComputedStyle(document.body).backgroundColor,"
            " getComputedStyle(document.body).color]"
        )
        background = over(body[0], "rgb(255, 255, 255)")
        if scheme == "dark":
            assert luminance(background) < 0.2, f"{path}: body background {body[0]} is not dark"
        else:
            assert luminance(background) > 0.8, f"{path}: body background {body[0]} is not light"
        for role, selector, minimum in CONTRAST_RULES:
            found = page.evaluate(READ_COLOURS, selector)
            assert found, f"{path}: nothing matches {selector}"
            for element in found:
                backdrop = over(element["backdrop"], body[0])
                ratio = contrast(over(element["color"], element["backdrop"]), backdrop)
                measured[role] = min(measured.get(role, math.inf), ratio)
                if ratio < minimum:
                    failures.append(
                        f"{path} {role} {element['what']} {element['text']!r}: {element['color']}"
                        f" on {element['backdrop']} = {ratio:.2f} < {minimum}"
                    )
        page.close()
    print(f"\n{scheme}: lowest contrast by role " + json.dumps(measured, indent=None))
    assert failures == []
    assert set(measured) == {role for role, _, _ in CONTRAST_RULES}


# -- print ------------------------------------------------------------------------------------
READ_PRINT = """
() => {
  const display = s => {
    const e = document.querySelector(s);
    return e && getComputedStyle(e).display;
  };
  const notBlack = [], notWhite = [];
  const all = [document.documentElement, document.body, ...document.body.querySelectorAll('*')];
  for (const e of all) {
    const style = getComputedStyle(e);
    if (!e.getClientRects().length && e !== document.documentElement) continue;
    const ownText = [...e.childNodes].some(n => n.nodeType === 3 && n.textContent.trim());
    if (ownText && style.color !== 'rgb(0, 0, 0)')
      notBlack.push(`${e.tagName.toLowerCase()}.${e.className}: ${style.color}`);
    const bg = style.backgroundColor;
    if (bg !== 'rgba(0, 0, 0, 0)' && bg !== 'rgb(255, 255, 255)')
      notWhite.push(`${e.tagName.toLowerCase()}.${e.className}: ${bg}`);
  }
  return {
    hidden: {live: display('#live'), languages: display('.languages'),
             allMessages: display('.all-messages'), pager: display('.pager')},
    body: [getComputedStyle(document.body).color, getComputedStyle(document.body).backgroundColor],
    notBlack, notWhite,
  };
}
"""


def pdf_pages(data: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", data))


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_a_statement_prints_black_on_white(live_app, new_context, scheme):
    """Even from a screen in the dark scheme: the live block, the language switcher and the
    links around the statement stay off the paper; its title and text print black on white."""
    page = open_page(new_context(color_scheme=scheme), live_app.url(STATEMENT))
    page.emulate_media(media="print")
    found = page.evaluate(READ_PRINT)
    assert found["hidden"] == {
        "live": "none",
        "languages": "none",
        "allMessages": "none",
        "pager": None,  # a statement page has none; the archive's is checked below
    }
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    expect(page.locator("article.statement .statement-body p").first).to_be_visible()
    assert page.locator("article.statement .statement-body p").count() > 10
    assert found["body"] == ["rgb(0, 0, 0)", "rgb(255, 255, 255)"]
    assert found["notBlack"] == []
    assert found["notWhite"] == []

    ARTIFACTS.mkdir(exist_ok=True)
    pdf = ARTIFACTS / f"readers-statement-print-{scheme}.pdf"
    data = page.pdf(path=str(pdf), format="A4")
    assert data.startswith(b"%PDF-") and pdf.read_bytes() == data
    pages = pdf_pages(data)
    assert pages > 1, f"the long statement should fill pages, got {pages}"
    pdftoppm = shutil.which("pdftoppm")
    if pdftoppm:  # optional: a picture of the first page, for people to look at
        subprocess.run(
            [pdftoppm, "-png", "-r", "60", "-f", "1", "-l", "1", "-singlefile", pdf, pdf],
            check=True,
            timeout=60,
        )
        assert pdf.with_suffix(".pdf.png").is_file()


def test_the_archive_prints_without_its_pager(serve, local_htmx, new_context):
    server = serve(STATEMENTS_PER_PAGE=5, **local_htmx)  # so that there is a pager
    page = open_page(new_context(), server.url("/statements"))
    expect(page.locator(".pager a[rel=next]")).to_be_visible()
    page.emulate_media(media="print")
    found = page.evaluate(READ_PRINT)
    assert found["hidden"] == {
        "live": "none",
        "languages": "none",
        "allMessages": None,  # the archive has none
        "pager": "none",
    }
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    expect(page.locator(".statement-item")).to_have_count(5)
    assert found["notBlack"] == [] and found["notWhite"] == []
