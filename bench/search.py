"""Measurement 8: search, with 1,000 and with 100,000 statements, against the archive's first
page at the same sizes. Run by `bench/run --only search`, or alone: `python -m bench.search`.

Every figure is one request through Flask's test client in this process, with the rendered
copies dropped before each (as at the first request of a minute): the archive and the searches
are rendered every time, each from the same store, the same way. The store's content (read
once per revision) stays in memory for both.

The statements are generated: each title holds the common word ("statement", so a search for
it matches every one), and the rare word ("quillwort") is in three statements at any size.
A fifth of them are in Russian.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import random
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

import sqlalchemy as sa

from dashboard import create_app
from dashboard.cache.live import pages_of
from dashboard.content import models, sitefile, store

COMMON, RARE = "statement", "quillwort"
PATHS = {
    "archive": "/statements",
    "rare": f"/statements?q={RARE}",
    "common": f"/statements?q={COMMON}s",  # another form of the word
}
VOCABULARY = {
    "en": [
        "talks",
        "treaty",
        "minister",
        "embassy",
        "security",
        "cooperation",
        "agreement",
        "visit",
        "press",
        "questions",
        "relations",
        "trade",
        "sanctions",
        "council",
        "foreign",
        "policy",
        "region",
        "nuclear",
        "peace",
        "dialogue",
    ],
    "ru": [
        "переговоры",
        "договор",
        "министр",
        "посольство",
        "безопасность",
        "сотрудничество",
        "соглашение",
        "визит",
        "пресса",
        "вопросы",
        "отношения",
        "торговля",
        "санкции",
        "совет",
        "политика",
        "регион",
        "мир",
        "диалог",
    ],
}
GOALS = {"rare": 1.5, "common": 3.0}
CHUNK = 5_000


def _row(number: int, total: int, start: dt.datetime, rng: random.Random) -> dict:
    language = "ru" if number % 5 == 0 else "en"
    words = VOCABULARY[language]
    rare = number in (total // 4, total // 2, 3 * total // 4)
    body = " ".join(rng.choice(words) for _ in range(60)) + (f" {RARE}." if rare else ".")
    return {
        "slug": f"bench-search-{number:06d}",
        "published": start + dt.timedelta(hours=2 * number),
        "title": f"Generated {COMMON} number {number} on {rng.choice(words)}",
        "summary": " ".join(rng.choice(words) for _ in range(20)),
        "body": body,
        "body_html": f"<p>{body}</p>",
        "language": language,
        "draft": False,
        "featured": False,
        "source_url": "",
    }


def build(folder: Path, total: int, url: str | None = None) -> str:
    """A store with the demo site and `total` generated statements, inserted in bulk (the
    database indexes them as it would any write): a SQLite file in `folder`, or the empty
    database `url` names. Returns its URL."""
    url = url or f"sqlite:///{folder / f'search-{total}.sqlite3'}"
    the_store = store.make_store(url)
    try:
        store.migrate(the_store)
        sitefile.load(the_store, sitefile.read_file(sitefile.DEMO_PATH))
        rng = random.Random(total)
        start = dt.datetime(1990, 1, 1, tzinfo=dt.UTC)
        with the_store.session() as session, session.begin():
            for first in range(0, total, CHUNK):
                rows = [_row(n, total, start, rng) for n in range(first, min(first + CHUNK, total))]
                session.execute(sa.insert(models.Statement), rows)
            store.mark_changed(session)
        if the_store.engine.dialect.name == "postgresql":  # as autovacuum would, in time
            quiet = the_store.engine.execution_options(isolation_level="AUTOCOMMIT")
            with quiet.connect() as connection:
                connection.execute(sa.text("VACUUM ANALYZE statements"))
    finally:
        the_store.engine.dispose()
    return url


def timings(url: str, folder: Path, samples: int, warmup: int = 3) -> dict[str, list[float]]:
    """Seconds per request for each of PATHS, interleaved: archive, rare, common, archive…,
    after `warmup` rounds that are not counted."""
    app = create_app(
        {
            "DATABASE_URL": url,
            "INSTANCE_PATH": str(folder),
            "SECRET_KEY": "bench-search-" + "x" * 32,
            "LOG_LEVEL": "WARNING",  # no access line per request, for either side
        }
    )
    pages, client = pages_of(app), app.test_client()
    found: dict[str, list[float]] = {name: [] for name in PATHS}
    for round_number in range(warmup + samples):
        for name, path in PATHS.items():
            with pages._lock:  # as at the first request of a minute: nothing rendered yet
                pages._memory.clear()
            started = time.perf_counter()
            response = client.get(path)
            elapsed = time.perf_counter() - started
            if response.status_code != 200:
                raise RuntimeError(f"{path}: HTTP {response.status_code}")
            if round_number >= warmup:
                found[name].append(elapsed)
    store.store_of(app).engine.dispose()
    return found


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


@contextlib.contextmanager
def database(folder: Path, total: int, server: str | None):
    """Where a store of `total` statements goes: a file in `folder`, or a database of its
    own on the PostgreSQL server `server` names, dropped afterwards."""
    if server is None:
        yield None
        return
    name = f"dashboard_bench_search_{total}_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(
        sa.make_url(server).set(database="postgres"), isolation_level="AUTOCOMMIT"
    )
    try:
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}"'))
            connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
        yield sa.make_url(server).set(database=name).render_as_string(hide_password=False)
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


def measure(
    folder: Path, sizes: tuple[int, int], samples: int, server: str | None = None, warmup: int = 3
) -> dict:
    """p50 and p99 (ms) per path at each size, and the goals' ratios; on SQLite, or on the
    PostgreSQL server that `server` (a DATABASE_URL) names."""
    figures: dict[str, dict[str, dict[str, float]]] = {}
    for total in sizes:
        with database(folder, total, server) as url:
            started = time.monotonic()
            url = build(folder, total, url)
            built = time.monotonic() - started
            runs = timings(url, folder, samples, warmup)
        figures[str(total)] = {
            name: {
                "p50_ms": statistics.median(values) * 1000,
                "p99_ms": percentile(values, 0.99) * 1000,
            }
            for name, values in runs.items()
        }
        figures[str(total)]["build_s"] = {"seconds": built}
    small, big = (figures[str(size)] for size in sizes)
    ratios = {}
    for field in ("p50_ms", "p99_ms"):
        ratios[f"rare_{field[:3]}"] = big["rare"][field] / small["rare"][field]
        ratios[f"common_{field[:3]}"] = big["common"][field] / big["archive"][field]
    met = {
        "rare": max(ratios["rare_p50"], ratios["rare_p99"]) <= GOALS["rare"],
        "common": max(ratios["common_p50"], ratios["common_p99"]) <= GOALS["common"],
    }
    return {
        "sizes": list(sizes),
        "samples": samples,
        "figures": figures,
        "ratios": ratios,
        "met": met,
    }


def report_lines(result: dict) -> list[str]:
    small, big = (str(size) for size in result["sizes"])
    figures, ratios, met = result["figures"], result["ratios"], result["met"]
    lines = [f"8  search, in-process, {result['samples']} requests each, p50 / p99 in ms:"]
    for name, label in (
        ("archive", "archive's first page"),
        ("rare", f"rare word ({RARE})"),
        ("common", f"common word ({COMMON}s)"),
    ):
        cells = [
            f"{figures[s][name]['p50_ms']:.2f} / {figures[s][name]['p99_ms']:.2f}"
            for s in (small, big)
        ]
        lines.append(f"   {label:<28} {small:>7}: {cells[0]:<16} {big:>7}: {cells[1]}")
    lines.append(
        f"   rare word at {big} against {small}: {ratios['rare_p50']:.2f}x p50, "
        f"{ratios['rare_p99']:.2f}x p99 (goal <= {GOALS['rare']}x): "
        f"{'met' if met['rare'] else 'missed'}"
    )
    lines.append(
        f"   common word against the archive at {big}: {ratios['common_p50']:.2f}x p50, "
        f"{ratios['common_p99']:.2f}x p99 (goal <= {GOALS['common']}x): "
        f"{'met' if met['common'] else 'missed'}"
    )
    built = ", ".join(f"{s}: {figures[s]['build_s']['seconds']:.1f} s" for s in (small, big))
    lines.append(f"   stores built (statements inserted and indexed) in {built}")
    return lines


def parse_sizes(text: str) -> tuple[int, int]:
    small, big = (int(part) for part in text.split(","))
    return small, big


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.search",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--sizes",
        type=parse_sizes,
        default=(1000, 100_000),
        help="the two store sizes (1000,100000)",
    )
    parser.add_argument("--samples", type=int, default=200, help="requests per figure (200)")
    parser.add_argument(
        "--postgres",
        metavar="DATABASE_URL",
        help="measure on this PostgreSQL server (in databases of its own) instead of SQLite",
    )
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="dashboard-bench-search-") as folder:
        result = measure(Path(folder), args.sizes, args.samples, args.postgres)
    print("\n".join(report_lines(result)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
