"""The parts of a run, 1 to 9 (see bench/options.py), each measured side by side with its
yardstick; what they find goes into rows (ratios with a goal) and `extra` (everything else)."""

from __future__ import annotations

import argparse
import contextlib
import os
import secrets
import statistics
import time
from pathlib import Path

from bench import archive as statements
from bench import feeds, pages, prefetch
from bench import search as search_bench
from bench.common import PY, BenchError, count_lines, fetch, log, wait_for_http
from bench.procs import Processes, worker_pids
from bench.proxy import ACCEPT_LANGUAGES, BenchNginx, fire_at, start_nginx
from bench.report import Row
from bench.servers import Instance, Server, make_instance, start_dashboard, start_hello
from bench.soak import soak as run_soak
from bench.wrk import Target, Wrk, wait_for_room
from dashboard import config
from tests.helpers.htmx import pinned_htmx
from tests.helpers.servers import HOST, free_port

ACCESS_GET_PAGE = "]: GET / "


class Bench:
    def __init__(self, args: argparse.Namespace, tools: dict[str, str], tmp: Path):
        self.args = args
        self.tools = tools
        self.tmp = tmp
        self.procs = Processes()
        self.wrk = Wrk(tools.get("wrk", "wrk"), args)
        self.rows: list[Row] = []
        self.extra: dict[str, object] = {}
        self.static_port = free_port()  # chosen early: HTMX_URL points at it
        self.base_env = {
            key: value
            for key, value in os.environ.items()
            if key
            not in ("DATABASE_URL", "INSTANCE_PATH", "HTMX_URL", "HTMX_INTEGRITY", "SECRET_KEY")
        }
        # Every URL in the page points at 127.0.0.1: htmx comes from this run's nginx.
        self.base_env["HTMX_URL"] = f"http://{HOST}:{self.static_port}/htmx.min.js"
        self.base_env["HTMX_INTEGRITY"] = config.HTMX_SRI
        self.base_env["SECRET_KEY"] = secrets.token_hex(32)  # the web app refuses to start without
        self.demo: Instance | None = None
        self.dashboard: Server | None = None
        self.nginx: BenchNginx | None = None
        # what is not a process of its own (nginx) stops with this
        self.stack = contextlib.ExitStack()

    def want(self, part: str) -> bool:
        return self.args.only is None or part in self.args.only

    def ensure_demo(self) -> Server:
        if self.dashboard is None:
            self.demo = make_instance(self.tmp, "demo", self.base_env)
            self.dashboard = start_dashboard(self.procs, self.demo)
            log(f"dashboard (demo data) on {self.dashboard.url()}")
        return self.dashboard

    def ensure_nginx(self) -> BenchNginx:
        if self.nginx is None:
            dashboard = self.ensure_demo()
            self.nginx = start_nginx(
                self.stack,
                self.tools["nginx"],
                self.tmp,
                dashboard.port,
                self.static_port,
                self.base_env,
            )
            log(f"nginx: proxy_cache on {self.nginx.url()}, static on :{self.nginx.static_port}")
        return self.nginx

    # 1 and 2
    def page_and_fragment(self) -> None:
        log("1-2: page, fragment and 304 against hello-worlds (granian as serve runs it; gunicorn)")
        dashboard = self.ensure_demo()
        _, _, page = fetch(dashboard.port, "/")
        _, _, fragment = fetch(dashboard.port, "/", {"HX-Request": "true"})
        hello = start_hello(self.procs, self.tmp, len(page), len(fragment))
        gunicorn = start_hello(self.procs, self.tmp, len(page), len(fragment), "gunicorn")
        app_workers, hello_workers = (
            worker_pids(dashboard.process.pid),
            worker_pids(hello.process.pid),
        )
        self.extra["page_bytes"] = len(page)
        self.extra["fragment_bytes"] = len(fragment)

        def current_etag() -> dict[str, str]:
            wait_for_room(self.args.duration)
            _, headers, _ = fetch(dashboard.port, "/")
            return {"If-None-Match": headers["etag"]}

        hello_page = Target(
            "hello_page", f"hello-world {len(page):,} B", hello.url("/"), workers=hello_workers
        )
        gunicorn_page = Target(
            "gunicorn_page",
            f"hello-world {len(page):,} B, gunicorn 2 sync",
            gunicorn.url("/"),
            workers=worker_pids(gunicorn.process.pid),
        )
        page_t = Target(
            "page", f"/ page ({len(page):,} B, demo data)", dashboard.url("/"), workers=app_workers
        )
        fragment_t = Target(
            "fragment",
            f"/ fragment, HX-Request ({len(fragment):,} B)",
            dashboard.url("/"),
            {"HX-Request": "true"},
            workers=app_workers,
        )
        hello_fragment = Target(
            "hello_fragment",
            f"hello-world {len(fragment):,} B",
            hello.url("/fragment"),
            workers=hello_workers,
        )
        not_modified = Target(
            "304",
            "/ with If-None-Match (304)",
            dashboard.url("/"),
            prepare=current_etag,
            workers=app_workers,
        )
        hello_304 = Target(
            "hello_304",
            "hello-world 304",
            hello.url("/revalidate"),
            {"If-None-Match": '"hello"'},
            workers=hello_workers,
        )
        self.wrk.interleaved(
            [
                gunicorn_page,
                hello_page,
                page_t,
                fragment_t,
                hello_fragment,
                not_modified,
                hello_304,
            ],
            self.args.rounds,
        )
        self.procs.stop(hello.process)
        self.procs.stop(gunicorn.process)
        self.rows += [
            Row(
                "1", "/ page vs same hello-world, gunicorn 2 sync", page_t, gunicorn_page, ">= 1.5x"
            ),
            Row("1", "/ page vs same hello-world, serve's granian", page_t, hello_page, ">= 0.9x"),
            Row("2", "fragment vs the same hello-world", fragment_t, hello_page),
            Row("2", "fragment vs hello-world of the fragment's size", fragment_t, hello_fragment),
            Row("2", "304 vs the same hello-world", not_modified, hello_page),
            Row("2", "304 vs hello-world answering 304", not_modified, hello_304),
        ]
        self.rows.append(Row("", "(hello-world baselines)", hello_page))
        self.rows.append(Row("", "(hello-world baselines)", gunicorn_page))

    # 3
    def behind_nginx(self) -> None:
        log("3: nginx proxy_cache (dashboard nginx-config) against nginx serving the same bytes")
        nginx = self.ensure_nginx()
        _, headers, body = fetch(nginx.port, "/")
        (nginx.static / "page.html").write_bytes(body)
        cached = Target("nginx_cached", "nginx proxy_cache: /", nginx.url("/"))
        static = Target(
            "nginx_static",
            f"nginx static file, same {len(body):,} B",
            f"http://{HOST}:{nginx.static_port}/page.html",
        )
        # The app's access line, "…]: GET / 200 0.1 ms" (dashboard/logs.py, text format)
        upstream_before = count_lines(self.dashboard.log_path, ACCESS_GET_PAGE)
        self.wrk.interleaved([cached, static], self.args.rounds)
        time.sleep(1)  # the app writes its access lines within half a second (dashboard/logs.py)
        upstream = count_lines(self.dashboard.log_path, ACCESS_GET_PAGE) - upstream_before
        served = sum(s.requests for s in cached.samples)
        self.rows.append(
            Row(
                "3",
                "nginx proxy_cache vs nginx static",
                cached,
                static,
                ">= 0.8x",
                note=f"{upstream} of {served:,} requests reached the app",
            )
        )
        self.variant_probe(nginx)
        self.boundary_burst(nginx)

    def variant_probe(self, nginx: BenchNginx) -> None:
        """Ten viewers whose browsers send different Accept-Language headers, within a minute:
        how many requests reach the app?"""
        wait_for_room(5)
        statuses = []
        for value in ACCEPT_LANGUAGES:
            _, headers, _ = fetch(nginx.port, "/", {"Accept-Language": value})
            statuses.append(headers.get("x-cache-status", "?"))
        for number in range(3):
            _, headers, _ = fetch(nginx.port, "/", {"Cookie": f"_analytics=visitor{number}"})
            statuses.append(headers.get("x-cache-status", "?"))
        misses = sum(1 for s in statuses if s in ("MISS", "EXPIRED", "BYPASS"))
        self.extra["variant_probe"] = {"requests": len(statuses), "reached_app": misses}
        log(
            f"  variant probe: {len(ACCEPT_LANGUAGES)} Accept-Language values + 3 cookies -> "
            f"{misses} of {len(statuses)} requests reached the app"
        )

    def boundary_burst(self, nginx: BenchNginx, viewers: int = 64) -> None:
        """Open pages all ask for the fragment ~100 ms after each minute boundary. Fire that many
        requests at once through nginx and see what they get: fresh, or last minute's copy.
        Those that got last minute's copy ask again 500 ms later, as live.js does since
        d67c715 (curl-style clients run no live.js: this plays its part)."""
        wait_for_room(3)
        _, before, _ = fetch(nginx.port, "/", {"HX-Request": "true"})  # cached till the boundary
        boundary = (int(time.time()) // 60 + 1) * 60
        first = fire_at(nginx, viewers, boundary + 0.1)
        old = [item for item in first if item[1] == before.get("etag")]
        again = fire_at(nginx, len(old), boundary + 0.1 + 0.5) if old else []
        still_old = sum(1 for _s, etag in again if etag == before.get("etag"))
        by_status: dict[str, int] = {}
        for status, _etag in first:
            by_status[status] = by_status.get(status, 0) + 1
        again_status: dict[str, int] = {}
        for status, _etag in again:
            again_status[status] = again_status.get(status, 0) + 1
        upstream = sum(by_status.get(s, 0) for s in ("MISS", "EXPIRED", "REVALIDATED"))
        upstream += sum(again_status.get(s, 0) for s in ("MISS", "EXPIRED", "REVALIDATED"))
        self.extra["boundary_burst"] = {
            "viewers": viewers,
            "statuses": by_status,
            "got_previous_minute": len(old),
            "reasked_statuses": again_status,
            "still_previous_minute": still_old,
            "reached_app": upstream,
        }
        log(
            f"  boundary burst: {viewers} fragment requests at :00.1 -> {by_status}; "
            f"{len(old)} got the previous minute's fragment; asked again at :00.6 -> "
            f"{again_status}, {still_old} still old; {upstream} reached the app in all"
        )

    # 4
    def archive(self) -> None:
        log("4: archive and API with 100 and with 100,000 statements")
        small = make_instance(self.tmp, "s100", self.base_env)
        big = make_instance(self.tmp, "s100k", self.base_env)
        started = time.monotonic()
        for instance, total in ((small, 100), (big, 100_000)):
            statements.add_statements(instance.database_url, total)
        log(f"  statements generated in {time.monotonic() - started:.1f}s")
        cursors = {
            small.name: statements.deep_cursor(small.database_url, 100),
            big.name: statements.deep_cursor(big.database_url, 100_000),
        }
        cold = {small.name: statements.cold_timings(small), big.name: statements.cold_timings(big)}
        servers = {i.name: start_dashboard(self.procs, i) for i in (small, big)}
        paths = {
            "statements": ("/statements", "/statements"),
            "deep": ("/statements?before=<deep page>", "/statements?before={cursor}"),
            "snapshot": ("/api/v1/snapshot", "/api/v1/snapshot"),
        }
        # /api/v1/statements did not exist when this benchmark was written: measured if present.
        status, _, _ = fetch(servers[small.name].port, "/api/v1/statements?limit=20")
        if status == 200:
            paths["api_list"] = ("/api/v1/statements", "/api/v1/statements?limit=20")
            paths["api_deep"] = (
                "/api/v1/statements?before=<deep page>",
                "/api/v1/statements?limit=20&before={cursor}",
            )
            self.extra["api_statements"] = "/api/v1/statements: measured (it exists now)"
        else:
            self.extra["api_statements"] = (
                f"/api/v1/statements does not exist yet (HTTP {status}): not measured"
            )
        targets: dict[tuple[str, str], Target] = {}
        order = []
        for path_key, (label, path) in paths.items():
            for instance, count in ((small, "100"), (big, "100k")):
                server = servers[instance.name]
                url = server.url(path.format(cursor=cursors[instance.name]))
                target = Target(
                    f"{path_key}_{count}",
                    f"{label} ({count})",
                    url,
                    workers=worker_pids(server.process.pid),
                )
                targets[(path_key, count)] = target
                order.append(target)
        self.wrk.interleaved(order, self.args.rounds)
        for server in servers.values():
            self.procs.stop(server.process)
        for path_key, (label, _path) in paths.items():
            self.rows.append(
                Row(
                    "4",
                    f"{label} p99, 100k vs 100",
                    targets[(path_key, "100k")],
                    targets[(path_key, "100")],
                    "<= 1.2x",
                    ratio_of="p99",
                )
            )
        self.extra["cold"] = cold

    # 5
    def feed_ingestion(self) -> None:
        log(f"5: feed ingestion, {feeds.FEED_ITEMS:,} items, {self.args.rounds} fresh instances")
        folder = self.tmp / "feed"
        folder.mkdir()
        body = feeds.feed_xml(feeds.FEED_ITEMS)
        cap = int(config.defaults()["FEED_MAX_BYTES"])
        if len(body) > cap:
            raise BenchError(f"the generated feed is {len(body):,} B, over FEED_MAX_BYTES {cap:,}")
        path = folder / "feed.xml"
        path.write_bytes(body)
        port = free_port()
        log_path = folder / "http.log"
        server = self.procs.start(
            "feed server",
            [PY, "-m", "http.server", "--bind", HOST, "--directory", str(folder), str(port)],
            log_path,
        )
        wait_for_http(port, "/feed.xml", server, log_path)
        url = f"http://{HOST}:{port}/feed.xml"
        runs = []
        try:
            for number in range(self.args.rounds):
                instance = make_instance(self.tmp, f"feeds{number}", self.base_env)
                run = feeds.ingest_feed(instance, url, path)
                log(
                    f"  instance {number + 1}: first poll {run['first_s']:.2f} s "
                    f"(CPU {run['first_cpu_s']:.2f} s; {run['first_new']:,} new), "
                    f"again {run['again_s']:.2f} s "
                    f"({run['again_duplicates']:,} already stored), "
                    f"conditional {run['conditional_s'] * 1000:.0f} ms ({run['conditional']})"
                )
                runs.append(run)
            parse_s = feeds.parse_timing(url)
        finally:
            self.procs.stop(server)
        self.extra["feeds"] = {
            "items": feeds.FEED_ITEMS,
            "feed_bytes": len(body),
            "max_bytes": cap,
            "runs": runs,
            "first_s": statistics.median(r["first_s"] for r in runs),
            "again_s": statistics.median(r["again_s"] for r in runs),
            "conditional_s": statistics.median(r["conditional_s"] for r in runs),
            "download_and_parse_s": parse_s,
        }

    # 6
    def idle_page(self) -> None:
        minutes = self.args.idle_minutes
        log(f"6: one idle open page in Chromium behind nginx, {minutes} min")
        nginx = self.ensure_nginx()
        (nginx.static / "htmx.min.js").write_bytes(pinned_htmx())
        result = pages.idle_page(nginx, minutes)
        self.extra["idle_page"] = result
        log(f"6: {self.args.boundary_pages} pages in Chromium behind nginx across three boundaries")
        self.extra["boundary_pages"] = pages.boundary_pages(nginx, self.args.boundary_pages)

    # 7
    def soak(self) -> None:
        minutes = self.args.soak
        log(f"7: soak, {minutes} min at {self.args.soak_rate} req/s (page, fragment, API, …)")
        dashboard = self.ensure_demo()
        self.extra["soak"] = run_soak(dashboard, minutes, self.args.soak_rate)

    # 8
    def search(self) -> None:
        sizes = self.args.search_sizes
        log(f"8: search with {sizes[0]:,} and {sizes[1]:,} statements, in-process")
        folder = self.tmp / "search"
        folder.mkdir()
        self.extra["search"] = search_bench.measure(folder, sizes, self.args.search_samples)

    # 9
    def prefetch(self) -> None:
        minutes = self.args.prefetch_minutes
        log(f"9: prefetch, the next minute's block ahead against the fragment, up to {minutes} min")
        instance = make_instance(self.tmp, "prefetch", self.base_env)
        server = start_dashboard(self.procs, instance)
        log(f"  dashboard (demo data) on {server.url()}, no nginx")
        try:
            self.extra["prefetch"] = prefetch.measure(
                self.procs, server, self.tmp / "prefetch-trials", minutes
            )
        finally:
            self.procs.stop(server.process)
