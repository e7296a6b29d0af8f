"""The slow-client drill: 500 connections that never finish their request (half of them
half-open, half dripping a byte a second) must not delay another reader's page beyond 1 s,
and `dashboard serve` drops them once they have had their time for the headers."""

from __future__ import annotations

import contextlib
import resource
import socket
import threading
import time

from tests.helpers.servers import HOST
from tests.helpers.serving import dashboard_env, dashboard_serve

SLOW_CONNECTIONS = 500
READERS = 10
DROPPED_WITHIN = 20  # seconds: a client gets its time for the headers, not forever


def enough_open_files(wanted: int) -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != resource.RLIM_INFINITY and soft < wanted:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(wanted, hard), hard))
    soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    assert soft == resource.RLIM_INFINITY or soft >= wanted, f"RLIMIT_NOFILE is only {soft}"


def open_slow_connections(port: int, count: int) -> list[socket.socket]:
    connections = []
    for _ in range(count):
        connection = socket.create_connection((HOST, port), timeout=5)
        connection.sendall(b"GET / HTTP/1.1\r\nHost: a\r\n")  # and never the blank line
        connections.append(connection)
    return connections


def still_open(connection: socket.socket) -> bool:
    """The server has neither closed nor answered it."""
    connection.setblocking(False)
    try:
        connection.recv(1)  # b"" (closed) or the start of an answer
    except BlockingIOError:
        return True
    except OSError:
        return False
    return False


def test_500_slow_connections_do_not_delay_another_reader(app, tmp_path):
    enough_open_files(SLOW_CONNECTIONS + 200)
    env = dashboard_env(app.config["DATABASE_URL"], tmp_path)
    with dashboard_serve(env, tmp_path, "--workers", "2") as serve, contextlib.ExitStack() as stack:
        serve.get("/")  # the first request of a worker renders; the drill is about waiting
        connections = open_slow_connections(serve.port, SLOW_CONNECTIONS)
        opened = time.monotonic()
        for connection in connections:
            stack.callback(connection.close)
        dripping, stop = connections[::2], threading.Event()

        def drip() -> None:
            while not stop.wait(1):
                for connection in dripping:
                    with contextlib.suppress(OSError):
                        connection.send(b"X")

        dripper = threading.Thread(target=drip, daemon=True)
        dripper.start()
        stack.callback(dripper.join, 5)
        stack.callback(stop.set)
        took = []
        for _ in range(READERS):
            began = time.monotonic()
            status, _headers, body = serve.get("/", timeout=10)
            took.append(round(time.monotonic() - began, 3))
            assert status == 200 and b"Salisbury" in body
            time.sleep(0.2)
        held_throughout = sum(still_open(c) for c in connections)
        print(f"{held_throughout} slow connections held; another reader's / took {took} s")
        assert max(took) < 1.0, took
        assert held_throughout == SLOW_CONNECTIONS
        # Bounded: each has its time for the headers, then the server drops it.
        deadline = opened + DROPPED_WITHIN
        while any(still_open(c) for c in connections) and time.monotonic() < deadline:
            time.sleep(0.5)
        assert sum(still_open(c) for c in connections) == 0
        print(f"all dropped {time.monotonic() - opened:.1f} s after they were opened")
