"""One process of part 9's load generator (bench/prefetch.py starts several): simulated
browsers, each a plain HTTP/1.1 GET on a new TCP connection of its own, at planned instants,
with asyncio.

    python -m bench.loadgen        (then one trial's plan, as JSON, per line on stdin)

A plan names the server and the request, how many clients the trial has in all and which of them
are this process's (every `stride`-th from `offset`), when they ask (each at a random moment of
its own equal share of [start, end]; all at `start` when the two are equal), how long an attempt
may take, whether a failed one is tried again (after `retry` = [least, most] seconds, at most
`tries` attempts in all, none begun when `no_retry_within` seconds or fewer are left), and the
`deadline` at which everything stops. Trials run side by side, each as it comes. Each request's
send and completion time (time.time()) and its status or error go to `records_path`, one line per
client (not during the plan's `quiet` span), after a summary of them in `summary_path` (written
whole, then renamed: the parent waits for that file). The process ends when stdin closes: when
the parent goes, so do its load generators."""

from __future__ import annotations

import asyncio
import collections
import json
import os
import random
import resource
import socket
import sys
import threading
import time
import traceback

RESPONSE_HEAD_LIMIT = 64 * 1024
IP_BIND_ADDRESS_NO_PORT = getattr(socket, "IP_BIND_ADDRESS_NO_PORT", 24)  # Linux's number


def raise_open_files_limit() -> int:
    """The soft limit on open files, raised to the hard one: each client in flight holds a
    socket."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != hard:
        wanted = hard if hard != resource.RLIM_INFINITY else max(soft, 1 << 20)
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))
        except (ValueError, OSError):
            return soft
        return wanted
    return soft


def instants(plan: dict) -> list[tuple[int, float]]:
    """(client number, when it asks) for this process's clients, in order of time."""
    count, offset, stride = plan["clients"], plan["offset"], plan["stride"]
    start, end = plan["start"], plan["end"]
    rng = random.Random(plan.get("seed", 0) * 1_000_003 + offset)
    mine = range(offset, count, stride)
    slot = (end - start) / count if count else 0.0
    if slot <= 0:
        return [(number, start) for number in mine]
    return [(number, start + (number + rng.random()) * slot) for number in mine]


def request_bytes(plan: dict) -> bytes:
    lines = [f"GET {plan['path']} HTTP/1.1", f"Host: {plan['host']}:{plan['port']}"]
    lines += [f"{name}: {value}" for name, value in plan.get("headers", {}).items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


class BadResponse(Exception):
    pass


def source_address(number: int) -> str:
    """Client `number`'s own address in 127.0.0.0/8, as every reader comes from an address of
    its own: else a hundred thousand connections a minute from one address use up its ports
    (in TIME_WAIT for a minute), and connect() slows down long before they run out."""
    return f"127.{1 + number // 62500 % 250}.{1 + number // 250 % 250}.{1 + number % 250}"


async def connect(host: str, port: int, source: str) -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        sock.setblocking(False)
        # the port is chosen at connect(), for the whole address pair, not at bind()
        sock.setsockopt(socket.IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, 1)
        sock.bind((source, 0))
        await asyncio.get_running_loop().sock_connect(sock, (host, port))
    except BaseException:
        sock.close()
        raise
    return sock


async def attempt(host: str, port: int, source: str, request: bytes) -> tuple[int, str, bytes]:
    """One GET on a new connection from `source`: (status, head, body), the body read to its
    Content-Length; the connection is closed once the body is in, as a browser tab that asks
    once a minute would let it go."""
    sock = await connect(host, port, source)
    reader, writer = await asyncio.open_connection(sock=sock, limit=RESPONSE_HEAD_LIMIT)
    try:
        writer.write(request)
        head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1")
        status_line, *header_lines = head.split("\r\n")
        parts = status_line.split(" ", 2)
        if len(parts) < 2 or not parts[0].startswith("HTTP/1.") or not parts[1].isdigit():
            raise BadResponse(f"bad status line {status_line[:60]!r}")
        length = None
        for line in header_lines:
            name, _, value = line.partition(":")
            name = name.strip().lower()
            if name == "content-length":
                length = int(value.strip())
            elif name == "transfer-encoding":
                raise BadResponse(f"Transfer-Encoding {value.strip()} without Content-Length")
        if length is None:
            raise BadResponse("no Content-Length")
        body = await reader.readexactly(length)
        return int(parts[1]), head, body
    finally:
        writer.close()


def describe(error: BaseException) -> str:
    if isinstance(error, TimeoutError):
        return "timeout"
    if isinstance(error, asyncio.IncompleteReadError):
        if error.expected is None:
            return "closed before the end of the response head"
        return f"incomplete body ({len(error.partial)} of {error.expected} B)"
    if isinstance(error, asyncio.LimitOverrunError):
        return "response head too long"
    if isinstance(error, ConnectionRefusedError):
        return "connection refused"
    if isinstance(error, ConnectionResetError):
        return "connection reset"
    if isinstance(error, OSError):
        return f"{type(error).__name__}: {error.strerror or error}"
    return f"{type(error).__name__}: {error}"


class Trial:
    def __init__(self, plan: dict):
        self.plan = plan
        self.request = request_bytes(plan)
        self.records: list[dict] = []
        self.sample: dict | None = None
        self.planned = 0

    async def client(self, number: int, at: float) -> None:
        plan = self.plan
        retry = plan.get("retry")
        rng = random.Random(number * 7919 + plan.get("seed", 0))
        tries: list[list] = []
        arrived = None
        while True:
            sent = time.time()
            budget = min(plan["timeout"], plan["deadline"] - sent)
            if budget <= 0:
                tries.append([round(sent, 4), None, None, "not sent: past the deadline"])
                break
            try:
                async with asyncio.timeout(budget):
                    status, head, body = await attempt(
                        plan["host"], plan["port"], source_address(number), self.request
                    )
            except Exception as error:  # noqa: BLE001 - every failure is a failed attempt
                tries.append([round(sent, 4), round(time.time(), 4), None, describe(error)])
            else:
                done = time.time()
                if status == 200:
                    tries.append([round(sent, 4), round(done, 4), 200, None])
                    arrived = done
                    if self.sample is None:
                        self.sample = {"head": head, "body": body.decode("utf-8", "replace")}
                    break
                tries.append([round(sent, 4), round(done, 4), status, f"HTTP {status}"])
            if not retry or len(tries) >= plan.get("tries", 1 << 30):
                break
            # as static/live.js: none when too little time is left, and the wait shortened so
            # that the next try still leaves that time less a second
            left = plan["deadline"] - time.time() - plan.get("no_retry_within", 0.0)
            if left <= 0:
                break
            wait = retry[0] + rng.random() * min(retry[1] - retry[0], left)
            if time.time() + wait >= plan["deadline"]:
                break
            await asyncio.sleep(wait)
        arrived = arrived and round(arrived, 4)
        self.records.append({"n": number, "at": round(at, 4), "arrived": arrived, "tries": tries})

    async def run(self) -> None:
        try:
            await self.run_clients()
            self.write_summary()
            quiet = self.plan.get("quiet")  # [from, to]: no writing then (another trial runs)
            if quiet and quiet[0] <= time.time() < quiet[1]:
                await asyncio.sleep(quiet[1] - time.time())
            self.write_records()
        except Exception:  # the parent waits for a summary: say what went wrong in it
            with open(self.plan["summary_path"] + ".part", "w") as handle:
                json.dump({"error": traceback.format_exc()}, handle)
            os.replace(self.plan["summary_path"] + ".part", self.plan["summary_path"])

    async def run_clients(self) -> None:
        tasks = []
        planned = instants(self.plan)
        self.planned = len(planned)
        for number, at in planned:
            delay = at - time.time()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(self.client(number, at)))
        if tasks:
            await asyncio.wait(tasks, timeout=max(1.0, self.plan["deadline"] + 5 - time.time()))
        for task in tasks:
            task.cancel()

    def summary(self) -> dict:
        sends: collections.Counter = collections.Counter()
        errors: collections.Counter = collections.Counter()
        why_failed: collections.Counter = collections.Counter()
        latencies_ms: collections.Counter = collections.Counter()
        arrivals = []
        retried = 0
        for record in self.records:
            tries = record["tries"]
            retried += len(tries) > 1
            for sent, done, _status, error in tries:
                if error and error.startswith("not sent"):
                    continue
                sends[int(sent)] += 1
                if error:
                    errors[error] += 1
                elif done is not None:
                    latencies_ms[round((done - sent) * 1000)] += 1
            if record["arrived"] is None:
                why_failed[tries[-1][3] if tries else "never asked"] += 1
            else:
                arrivals.append(record["arrived"])
        return {
            "clients": self.plan["clients"],
            "mine": self.planned,  # a client cut off at the deadline has no record
            "arrived": len(arrivals),
            "arrived_by": sum(1 for at in arrivals if at <= self.plan["pass_by"]),
            "latest_arrival": max(arrivals) if arrivals else None,
            "requests": sum(sends.values()),
            "retried_clients": retried,
            "sends_per_second": {str(second): count for second, count in sends.items()},
            "errors": dict(errors),
            "failed_clients": dict(why_failed),
            "latency_ms": {str(ms): count for ms, count in latencies_ms.items()},
            "sample": self.sample,
            "open_files_limit": OPEN_FILES,
        }

    def write_summary(self) -> None:
        path = self.plan["summary_path"]
        with open(path + ".part", "w") as handle:
            json.dump(self.summary(), handle)
        os.replace(path + ".part", path)

    def write_records(self) -> None:
        with open(self.plan["records_path"], "w") as handle:
            for record in sorted(self.records, key=lambda r: r["n"]):
                handle.write(json.dumps(record) + "\n")


OPEN_FILES = 0


async def serve_plans() -> None:
    """Run each plan that arrives on stdin as a trial of its own; return at end of input."""
    loop = asyncio.get_running_loop()
    plans: asyncio.Queue = asyncio.Queue()

    def read_stdin() -> None:
        for line in sys.stdin:
            if line.strip():
                loop.call_soon_threadsafe(plans.put_nowait, json.loads(line))
        loop.call_soon_threadsafe(plans.put_nowait, None)

    threading.Thread(target=read_stdin, daemon=True).start()
    running = set()
    while (plan := await plans.get()) is not None:
        task = asyncio.create_task(Trial(plan).run())
        running.add(task)
        task.add_done_callback(running.discard)
    for task in running:
        task.cancel()


def main() -> int:
    global OPEN_FILES
    OPEN_FILES = raise_open_files_limit()
    asyncio.run(serve_plans())
    return 0


if __name__ == "__main__":
    sys.exit(main())
