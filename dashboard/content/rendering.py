"""Rendering statement bodies when they are written, within a time limit.

markdown-it-py is pure Python, and some bodies take it minutes ("![" repeated a few hundred
thousand times is one); a thread running it cannot be stopped. So every writer (the admin, the
API, site files, feeds, the migration that stores the HTML of older bodies) renders through a
worker process (renderworker.py), one per process that writes, kept from body to body. A body
that takes longer than config.BODY_RENDER_SECONDS has its worker killed (the next body starts
a new one) and is refused, naming `body`.
"""

from __future__ import annotations

import atexit
import os
import select
import struct
import subprocess
import sys
import threading
import time
from pathlib import Path

from dashboard import config

WORKER = Path(__file__).with_name("renderworker.py")


class BodyNotRendered(ValueError):
    """A body the renderer could not turn into HTML in time (or at all)."""


class _WorkerStopped(Exception):
    pass


class _Worker:
    def __init__(self) -> None:
        self.owner = os.getpid()  # a forked child must not share the parent's pipes
        self.process = subprocess.Popen(
            [sys.executable, str(WORKER)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, bufsize=0
        )

    def render(self, body: str, seconds: float) -> str:
        data = body.encode("utf-8")
        deadline = time.monotonic() + seconds
        try:
            self.process.stdin.write(struct.pack(">I", len(data)) + data)
        except (BrokenPipeError, ValueError):
            raise _WorkerStopped from None
        head = self._read(5, deadline)
        text = self._read(struct.unpack(">I", head[1:])[0], deadline).decode("utf-8")
        if head[:1] != b"\x00":
            raise BodyNotRendered(f"'body' could not be rendered: {text}")
        return text

    def _read(self, size: int, deadline: float) -> bytes:
        chunks, stream = [], self.process.stdout.fileno()
        while size:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([stream], [], [], left)[0]:
                raise TimeoutError
            chunk = os.read(stream, min(size, 1 << 20))
            if not chunk:
                raise _WorkerStopped
            chunks.append(chunk)
            size -= len(chunk)
        return b"".join(chunks)

    def stop(self) -> None:
        if self.owner != os.getpid():
            return
        self.process.kill()
        self.process.wait()
        for pipe in (self.process.stdin, self.process.stdout):
            pipe.close()


_lock = threading.Lock()  # one body at a time per process: writes are rare
_worker: _Worker | None = None


def _current_worker() -> _Worker:
    global _worker
    if _worker is None or _worker.owner != os.getpid() or _worker.process.poll() is not None:
        _worker = _Worker()
    return _worker


def _drop_worker() -> None:
    global _worker
    if _worker is not None:
        _worker.stop()
        _worker = None


def _after_fork() -> None:
    """A forked child starts with no worker of its own and a free lock (the parent's lock may
    have been held by a thread that does not exist in the child)."""
    global _lock, _worker
    if _worker is not None:  # the parent's: only this process's copies of its pipes go
        _worker.process.stdin.close()
        _worker.process.stdout.close()
    _lock, _worker = threading.Lock(), None


atexit.register(_drop_worker)
os.register_at_fork(after_in_child=_after_fork)


def body_html(body: str, seconds: float | None = None) -> str:
    """The body rendered and sanitised (richtext.render), or BodyNotRendered naming `body` when
    that takes longer than `seconds` (config.BODY_RENDER_SECONDS)."""
    if not body or not body.strip():
        return ""
    seconds = config.BODY_RENDER_SECONDS if seconds is None else seconds
    with _lock:
        try:
            return _render(body, seconds)
        except _WorkerStopped:  # it died while idle (killed, out of memory): a new one, once
            _drop_worker()
        try:
            return _render(body, seconds)
        except _WorkerStopped:
            _drop_worker()
            raise BodyNotRendered("'body' could not be rendered: the renderer stopped") from None


def _render(body: str, seconds: float) -> str:
    try:
        return _current_worker().render(body, seconds)
    except TimeoutError:
        _drop_worker()
        raise BodyNotRendered(
            f"'body' could not be rendered within {seconds:g} s: shorten it, or use less markup"
        ) from None
