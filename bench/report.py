"""What a run prints: the table of every URL measured, each comparison with its ratio and
goal, and the other parts' findings; and the same as JSON."""

from __future__ import annotations

import dataclasses
import os
import platform
import statistics
import time
from typing import TYPE_CHECKING

from bench.prefetch import report_lines as prefetch_report_lines
from bench.search import report_lines as search_report_lines
from bench.wrk import ONE_WORKER_SHARE, Target

if TYPE_CHECKING:
    from bench.measure import Bench


@dataclasses.dataclass
class Row:
    group: str
    label: str
    target: Target | None = None
    baseline: Target | None = None
    goal: str = ""
    met: bool | None = None
    ratio: float | None = None
    ratio_of: str = ""  # "req/s" or "p99"
    note: str = ""
    # the same ratio from only the runs in which both web workers served (see Sample)
    ratio_both: float | None = None


def evaluate(row: Row) -> None:
    """The ratio of medians over all runs, and over the runs in which both web workers
    served (when the targets are web servers and each has such runs). The verdict uses the
    latter when there is one: a run where one worker held all of wrk's connections measures
    that worker alone, at well under half the throughput."""
    if row.target is None or row.baseline is None or not row.target.samples:
        return
    field = "p99" if row.ratio_of == "p99" else "rps"
    row.ratio_of = "p99" if field == "p99" else "req/s"
    row.ratio = row.target.median(field) / row.baseline.median(field)
    both_t, both_b = row.target.both_workers(), row.baseline.both_workers()
    web_servers = bool(row.target.workers or row.baseline.workers)
    row.ratio_both = None
    if web_servers and both_t and both_b:
        middle = statistics.median
        row.ratio_both = middle(getattr(s, field) for s in both_t) / middle(
            getattr(s, field) for s in both_b
        )
    if row.goal:
        ratio = row.ratio_both if row.ratio_both is not None else row.ratio
        limit = float(row.goal.split()[1].rstrip("x"))
        row.met = ratio <= limit if field == "p99" else ratio >= limit


def targets_of(bench: Bench) -> list[Target]:
    found: dict[str, Target] = {}
    for row in bench.rows:
        for target in (row.baseline, row.target):
            if target is not None:
                found.setdefault(target.key, target)
    return list(found.values())


def report(bench: Bench, started: float) -> str:
    lines = []
    args = bench.args
    lines.append("")
    lines.append(
        f"dashboard benchmark, {time.strftime('%Y-%m-%d %H:%M %Z')}, {platform.node()}: "
        f"{os.cpu_count()} CPUs, Python {platform.python_version()}; wrk -t{args.threads} "
        f"-c{args.connections} -d{args.duration:g}s, medians of {args.rounds} interleaved runs"
    )
    lines.append("")
    lines.append(
        f"{'#':<2} {'measured':<46} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'errors':>6}"
    )
    seen = set()
    for row in bench.rows:
        for target in (row.baseline, row.target):
            if target is None or target.key in seen or not target.samples:
                continue
            seen.add(target.key)
            runs = target.runs_text()
            lines.append(
                f"{row.group:<2} {target.label:<46} {target.median('rps'):>9,.0f} "
                f"{target.median('p50'):>8.2f} {target.median('p99'):>8.2f} {target.errors:>6}"
                f"   (runs: {runs})"
            )
    if any(s.one_worker for t in targets_of(bench) for s in t.samples):
        lines.append(
            "   (1w): one web worker held all of wrk's keep-alive connections in that run "
            f"(over {ONE_WORKER_SHARE:.0%} of the workers' CPU time)"
        )
    lines.append("")
    lines.append(
        f"{'#':<2} {'comparison':<56} {'ratio':>14} {'both workers':>12} {'goal':>9}  result"
    )
    for row in bench.rows:
        if row.baseline is None or row.target is None:
            continue
        evaluate(row)
        verdict = "" if row.met is None else ("met" if row.met else "MISSED")
        both = f"{row.ratio_both:.2f}x" if row.ratio_both is not None else "-"
        lines.append(
            f"{row.group:<2} {row.label:<56} {row.ratio:>8.2f}x {row.ratio_of:<5} {both:>12} "
            f"{row.goal:>9}  {verdict}"
        )
        if row.note:
            lines.append(f"{'':<3}  {row.note}")
    extra = bench.extra
    if "variant_probe" in extra:
        probe = extra["variant_probe"]
        lines.append(
            f"3  viewers with different Accept-Language / cookies, one minute: "
            f"{probe['reached_app']} of {probe['requests']} requests reached the app"
        )
    if "boundary_burst" in extra:
        burst = extra["boundary_burst"]
        lines.append(
            f"3  {burst['viewers']} fragment requests at :00.1 through nginx: {burst['statuses']};"
            f" {burst['got_previous_minute']} got the previous minute"
        )
        lines.append(
            f"   those asked again at :00.6 (as live.js does): {burst['reasked_statuses']}, "
            f"{burst['still_previous_minute']} still the previous minute; "
            f"{burst['reached_app']} requests reached the app in all"
        )
    if "cold" in extra:
        lines.append(
            "4  first request of a minute in a process (query + render; content in memory) and, "
            "after_write, the snapshot after a write (content read again), in-process, "
            "ms p50 / max of 30:"
        )
        small, big = extra["cold"]["s100"], extra["cold"]["s100k"]
        for key in small:
            ratio = big[key]["p50_ms"] / small[key]["p50_ms"]
            lines.append(
                f"     {key:<11} 100: {small[key]['p50_ms']:6.1f} / {small[key]['max_ms']:6.1f}"
                f"   100k: {big[key]['p50_ms']:6.1f} / {big[key]['max_ms']:6.1f}"
                f"   p50 ratio {ratio:5.2f}x  " + ("met" if ratio <= 1.2 else "MISSED")
            )
        lines.append(f"4  {extra['api_statements']}")
    if "feeds" in extra:
        fed = extra["feeds"]
        runs = ", ".join(f"{r['first_s']:.1f}" for r in fed["runs"])
        lines.append(
            f"5  feed of {fed['items']:,} items ({fed['feed_bytes']:,} B; limit "
            f"{fed['max_bytes']:,}): first poll {fed['first_s']:.2f} s (runs: {runs}), "
            f"goal <= 10 s: " + ("met" if fed["first_s"] <= 10 else "MISSED")
        )
        lines.append(
            f"   same items again (all duplicates) {fed['again_s']:.2f} s; unchanged (304) "
            f"{fed['conditional_s'] * 1000:.0f} ms; download + parse alone "
            f"{fed['download_and_parse_s']:.2f} s; SQL statements "
            f"{fed['runs'][0]['first_sql_statements']:,} / "
            f"{fed['runs'][0]['again_sql_statements']:,}"
        )
    else:
        lines.append("5  feed ingestion: not run (--only)")
    if "search" in extra:
        lines += search_report_lines(extra["search"])
    if "idle_page" in extra:
        idle = extra["idle_page"]
        ok_requests = idle["requests_per_minute"] <= 1.0
        ok_bytes = idle["bytes_per_minute"] <= 1536
        lines.append(
            f"6  idle page, {idle['minutes']} min ({idle['boundaries']} minute boundaries): "
            f"{idle['requests_per_minute']} requests/min, "
            f"{idle['bytes_per_minute']:,} B/min response (headers + body), "
            f"{idle['request_bytes_per_minute']:,} B/min request; goal <= 1 and <= 1.5 KB: "
            + ("met" if ok_requests and ok_bytes else "MISSED")
        )
        lines.append(
            f"   first load {idle['initial_requests']} requests, {idle['initial_bytes']:,} B; "
            f"refreshes at seconds after the boundary: {idle['seconds_after_boundary']}; "
            f"clock flipped at: {idle['flips_after_boundary']}"
        )
    if "boundary_pages" in extra:
        pages = extra["boundary_pages"]
        keys = [k for k in ("first", "second", "third") if k in pages]
        lines.append(
            f"6  {pages['pages']} Chromium pages opened at :03-:53, then {len(keys)} boundaries:"
        )
        for key in keys:
            part = pages[key]
            busiest = part.get("busiest_second")
            lines.append(
                f"     {part['boundary']}: {part['flipped_within_10s']} of {pages['pages']} "
                f"showed the new minute within 10 s (median {part['flip_median_s']} s, max "
                f"{part['flip_max_s']} s); {part['requests']} requests; nginx answered "
                f"{part['nginx_answers']}"
            )
            if "flips_after_boundary_s" in part:
                share = busiest["share"] if busiest else None
                lines.append(
                    f"       each page's flip, s after it: {part['flips_after_boundary_s']}; "
                    f"busiest second {'-' if share is None else f'{share:.0%}'} of the requests"
                )
        if "all_within_100ms" in pages:
            busiest = pages["busiest_second"]
            share = "-" if busiest["share"] is None else f"{busiest['share']:.0%}"
            lines.append(
                f"     every flip within 100 ms of its boundary: "
                f"{'yes' if pages['all_within_100ms'] else 'NO'} (latest {pages['flip_max_s']} s);"
                f" {pages['requests']} requests in all, at most {share} of them in one second"
                f" ({busiest['requests']} at {busiest['second']})"
            )
        back = sum(v["went_back"] for v in pages["viewers"])
        for key in keys:
            late = [v[f"{key}_at_all"] for v in pages["viewers"] if v[key] is None]
            if late:
                lines.append(
                    f"     late at the {key} boundary: showed its minute after {late} s "
                    "(None: not by the end)"
                )
        if back:
            lines.append(f"     {back} time(s) a page went back to an older minute")
    else:
        lines.append("6  idle page: not run (--idle-page)")
    if "soak" in extra:
        soak_result = extra["soak"]
        ok = soak_result["errors"] == 0 and (soak_result["workers_rss_growth_pct"] or 0) <= 10
        lines.append(
            f"7  soak {soak_result['seconds']}s at {soak_result['achieved_rate']} req/s: "
            f"{soak_result['completed']:,} requests, {soak_result['errors']} errors, p99 "
            f"{soak_result['p99_ms']} ms, workers' RSS {soak_result['workers_rss_growth_pct']:+}%"
            f"; goal 0 errors, <= 10%: " + ("met" if ok else "MISSED")
        )
        lines.append(
            f"   RSS kB start {soak_result['rss_kb_start']}\n"
            f"   RSS kB end   {soak_result['rss_kb_end']}"
        )
    else:
        lines.append("7  soak: not run (--soak MINUTES)")
    if "prefetch" in extra:
        lines += prefetch_report_lines(extra["prefetch"])
    lines.append("")
    lines.append(f"took {time.monotonic() - started:.0f}s")
    return "\n".join(lines)


def jsonable(bench: Bench) -> dict:
    rows = []
    for row in bench.rows:
        evaluate(row)
        rows.append(
            {
                "group": row.group,
                "label": row.label,
                "ratio": row.ratio,
                "ratio_of": row.ratio_of,
                "ratio_both_workers": row.ratio_both,
                "goal": row.goal,
                "met": row.met,
                "note": row.note,
                "target": _target_json(row.target),
                "baseline": _target_json(row.baseline),
            }
        )
    return {"rows": rows, "extra": bench.extra}


def _target_json(target: Target | None) -> dict | None:
    if target is None:
        return None
    return {
        "label": target.label,
        "rps": target.median("rps") if target.samples else None,
        "p50_ms": target.median("p50") if target.samples else None,
        "p99_ms": target.median("p99") if target.samples else None,
        "samples": [dataclasses.asdict(s) for s in target.samples],
    }
