"""Drawing share cards and PNG badges: `python -m bench.cards`.

The demo site at the reference instant (26 January 2020, 17:58 London), in every language: each
counter's card, the featured statement's card, a card whose caption is a 300-character event and
one with a long Russian title, and each counter's PNG badge at 1x and 2x. Each is drawn afresh
(past the bytes kept per card) `--samples` times; the figures are CPU time in this process
(the wall clock on a shared machine says more about the neighbours), median and worst, with
the wall-clock median beside them, and the PNG's size.
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import tempfile
import time

from dashboard import config, create_app
from dashboard.cache.live import pages_of
from dashboard.content import sitefile, store
from dashboard.i18n.languages import locales
from dashboard.web.badges.png import badge_png
from dashboard.web.badges.views import days_message, default_label
from dashboard.web.cards import drawing, views

AT = dt.datetime(2020, 1, 26, 17, 58, tzinfo=dt.UTC)
LONG_EVENT = (
    "the long-running refusal of the authorities to share any credible information about the "
    "poisoning, the investigation, the evidence they say they hold, the whereabouts of the "
    "victims, and to answer the formal requests for consular access made through diplomatic "
    "channels since then, in writing and in person"
)
LONG_TITLE = (
    "Заявление Посольства России в Великобритании в связи с очередными голословными "
    "обвинениями британских властей в адрес Российской Федерации, прозвучавшими в ходе "
    "заседания Совета Безопасности ООН, и комментарий официального представителя"
)


def cases() -> list[tuple[str, object]]:
    """(name, a function that draws once), from the demo's snapshot in each language."""
    with tempfile.TemporaryDirectory() as folder:
        app = create_app(
            {"DATABASE_URL": f"sqlite:///{folder}/b.sqlite3", "INSTANCE_PATH": folder,
             "SECRET_KEY": "bench-" * 8}
        )  # fmt: skip
        store.migrate(app.extensions[store.EXTENSION])
        sitefile.load(app.extensions[store.EXTENSION], sitefile.read_file(sitefile.DEMO_PATH))
        with app.app_context():
            shots = {locale: pages_of(app).snapshot(AT, locale) for locale in locales()}
        app.extensions[store.EXTENSION].engine.dispose()
    found: list[tuple[str, object]] = []
    for locale, shot in shots.items():
        for counter in shot.counters:
            card = views.counter_card(shot, counter)
            found.append((f"counter card {counter.slug} {locale}", (drawing.counter_png, card)))
        featured = shot.featured.item
        card = views.statement_card(shot, featured)
        found.append(
            (f"statement card {featured.slug[:24]} {locale}", (drawing.statement_png, card))
        )
        for counter in shot.counters:
            label, message = default_label(counter, locale), days_message(counter, locale)
            for scale in (1, 2):
                arguments = (label, message, config.ACCENT, "flat", scale)
                found.append((f"badge {counter.slug} {locale} {scale}x", (badge_png, arguments)))
    english = shots["en"]
    long_caption = drawing.CounterCard("693", f"days have passed since {LONG_EVENT}", english.title)
    found.append(("counter card, 300-character event", (drawing.counter_png, long_caption)))
    long_title = drawing.StatementCard(LONG_TITLE, "20 января 2020 г.", shots["ru"].title)
    found.append(("statement card, long Russian title", (drawing.statement_png, long_title)))
    return found


def measure(draw, argument, samples: int) -> dict:
    function = draw.__wrapped__  # past the kept bytes: draw every time
    arguments = argument if isinstance(argument, tuple) else (argument,)
    body = function(*arguments)  # fonts loaded once, as in a running process
    cpu, wall = [], []
    for _ in range(samples):
        started_cpu, started_wall = time.process_time(), time.perf_counter()
        function(*arguments)
        cpu.append((time.process_time() - started_cpu) * 1000)
        wall.append((time.perf_counter() - started_wall) * 1000)
    return {
        "cpu_median_ms": statistics.median(cpu),
        "cpu_max_ms": max(cpu),
        "wall_median_ms": statistics.median(wall),
        "bytes": len(body),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.cards", description=__doc__)
    parser.add_argument("--samples", type=int, default=20, help="draws per image (default 20)")
    options = parser.parse_args(argv)
    print(f"{'image':44} {'CPU p50':>8} {'CPU max':>8} {'wall p50':>9} {'bytes':>7}")
    for name, (draw, argument) in cases():
        figures = measure(draw, argument, options.samples)
        print(
            f"{name:44} {figures['cpu_median_ms']:7.1f}  {figures['cpu_max_ms']:7.1f}  "
            f"{figures['wall_median_ms']:8.1f}  {figures['bytes']:7,}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
