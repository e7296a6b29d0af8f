"""One logging set-up for every process: web workers (create_app() sets it up, whatever server
runs them), the scheduler and the CLI.

- LOG_LEVEL, and LOG_FORMAT: `text` lines, or `json`, one JSON object per line with time (UTC,
  RFC 3339), level, logger, message, request_id in a request, and exception when there is one.
- Warnings go through logging, so they share the format instead of printing bare.
- In the web, every request has an id: the incoming X-Request-Id when it is sane, else a new
  one. It is on every record logged during the request, echoed in the response's X-Request-Id,
  and on the one access line logged per request.
"""

from __future__ import annotations

import contextvars
import itertools
import json
import logging
import multiprocessing.util
import os
import re
import sys
import threading
import time
from urllib.parse import quote

from flask import Flask, Response, g, request
from werkzeug.wrappers import Request

from dashboard.core import timecalc

REQUEST_ID_HEADER = "X-Request-Id"
# What a proxy's id may look like (uuids, hex, AWS-style Root=1-…): anything else is replaced.
SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9._:+/=-]{1,128}")
HANDLER_NAME = "dashboard"
# A path is logged percent-encoded: printable ASCII only, so a request cannot forge lines or
# send escape codes to a terminal.
LOGGED_AS_IS = "".join(chr(code) for code in range(0x21, 0x7F))
MAX_LOGGED_PATH = 2000
ACCESS_FIELDS = ("method", "path", "status", "duration_ms")
ACCESS_MESSAGE = "%s %s %s %s ms"  # the access line's message, from ACCESS_FIELDS

request_id_var: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "request_id", default=None
)
access_log = logging.getLogger("dashboard.access")


ACCESS_FLUSH_SECONDS = 0.5  # the longest an access line waits to be written


class _Stderr(logging.StreamHandler):
    """Writes to whatever sys.stderr is when a record comes, as logging's lastResort does.

    Access lines are written in batches, as nginx's `access_log ... flush=` does: at most
    ACCESS_FLUSH_SECONDS after they were logged, at once before any other record (so the order
    holds), and at exit; to a replaced sys.stderr (a test's capture), at once. A write per
    request costs about as much as the fast path's whole answer (the worker gives up the GIL
    for it, and its other threads take it)."""

    def __init__(self) -> None:
        logging.Handler.__init__(self)
        self._pending: list[str] = []
        self._due = threading.Event()  # set while access lines wait
        self._flusher_of: int | None = None  # the process whose flusher thread runs

    @property
    def stream(self):  # type: ignore[override]
        return sys.stderr

    def emit(self, record: logging.LogRecord) -> None:
        batched = record.name == access_log.name and record.levelno <= logging.INFO
        if not batched or sys.stderr is not sys.__stderr__:  # one replaced (captured) at once
            self.flush()
            super().emit(record)
            return
        try:
            line = self.format(record) + self.terminator
        except Exception:
            self.handleError(record)
            return
        self._queue(line)  # handle() holds the lock

    def access(self, created: float, fields: dict) -> bool:
        """An access line written as emit() would write its record, without making one (a
        LogRecord and its handling cost a fifth of the fast path's answer). False when it
        must go the usual way: another formatter (a subclass too, whose format() it would
        skip), or a replaced sys.stderr."""
        if type(self.formatter) not in FORMATTER_TYPES or sys.stderr is not sys.__stderr__:
            return False
        line = self.formatter.access_line(created, fields) + self.terminator
        with self.lock:
            self._queue(line)
        return True

    def _queue(self, line: str) -> None:
        self._pending.append(line)
        if self._flusher_of != os.getpid():  # the first line, or the first since a fork
            self._flusher_of = os.getpid()
            threading.Thread(target=self._flush_when_due, name="access-log", daemon=True).start()
            # A multiprocessing child (granian's workers) skips atexit, logging's own flush
            # included, and runs these instead as it exits.
            multiprocessing.util.Finalize(self, self.flush, exitpriority=100)
        if not self._due.is_set():  # set() takes a lock and wakes waiters: not every line
            self._due.set()

    def _flush_when_due(self) -> None:
        while True:
            self._due.wait()
            time.sleep(ACCESS_FLUSH_SECONDS)
            self.flush()

    def flush(self) -> None:
        with self.lock:
            self._due.clear()
            if self._pending:
                text = "".join(self._pending)
                self._pending.clear()
                try:
                    self.stream.write(text)
                except Exception:  # as emit's handleError: a log must not break a request
                    if logging.raiseExceptions:
                        sys.stderr.write("--- Logging error: access lines lost ---\n")
            super().flush()


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "request_id", None) is None:
            record.request_id = request_id_var.get()
        return True


class TextFormatter(logging.Formatter):
    """2020-01-26T17:58:00.123Z INFO dashboard.access [request id]: message"""

    def access_line(self, created: float, fields: dict) -> str:
        """What format() makes of log_access's record, from its fields."""
        head = f"{timecalc.log_time_text(created)} INFO {access_log.name}"
        if request_id := fields["request_id"]:
            head += f" [{request_id}]"
        return f"{head}: {ACCESS_MESSAGE % tuple(fields[name] for name in ACCESS_FIELDS)}"

    def format(self, record: logging.LogRecord) -> str:
        head = f"{timecalc.log_time_text(record.created)} {record.levelname} {record.name}"
        if request_id := getattr(record, "request_id", None):
            head += f" [{request_id}]"
        line = f"{head}: {record.getMessage()}"
        if exception := _exception_text(self, record):
            line += "\n" + exception
        return line


class JsonFormatter(logging.Formatter):
    """One JSON object per line. Hand-written: json.dumps of a few fields, where a library
    would add a dependency and its own field names."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": timecalc.log_time_text(record.created),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if request_id := getattr(record, "request_id", None):
            entry["request_id"] = request_id
        for field in ACCESS_FIELDS:
            if hasattr(record, field):
                entry[field] = getattr(record, field)
        if exception := _exception_text(self, record):
            entry["exception"] = exception
        return json.dumps(entry, ensure_ascii=False, default=str)

    def access_line(self, created: float, fields: dict) -> str:
        """What format() makes of log_access's record, from its fields."""
        entry = {
            "time": timecalc.log_time_text(created),
            "level": "INFO",
            "logger": access_log.name,
            "message": ACCESS_MESSAGE % tuple(fields[name] for name in ACCESS_FIELDS),
        }
        if request_id := fields["request_id"]:
            entry["request_id"] = request_id
        entry.update((name, fields[name]) for name in ACCESS_FIELDS)
        return json.dumps(entry, ensure_ascii=False, default=str)


def _exception_text(formatter: logging.Formatter, record: logging.LogRecord) -> str:
    parts = []
    if record.exc_info and not record.exc_text:
        record.exc_text = formatter.formatException(record.exc_info)
    if record.exc_text:
        parts.append(record.exc_text)
    if record.stack_info:
        parts.append(formatter.formatStack(record.stack_info))
    return "\n".join(parts)


FORMATTERS = {"text": TextFormatter, "json": JsonFormatter}
FORMATTER_TYPES = frozenset(FORMATTERS.values())


def configure(level: str = "INFO", log_format: str = "text", stream=None) -> logging.Handler:
    """Make this process's logging the dashboard's: one handler on the root logger (replacing
    any there, so that one process writes one format), at `level`. Safe to call again: it
    replaces its own handler. `stream` defaults to sys.stderr, looked up at each record."""
    handler = _Stderr() if stream is None else logging.StreamHandler(stream)
    handler.set_name(HANDLER_NAME)
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(FORMATTERS[log_format]())
    root = logging.getLogger()
    for old in list(root.handlers):
        old.flush()  # access lines it still holds
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    # No format here shows a record's thread or process: not looked up for every record
    # (the logging HOWTO's "Optimization"), an access line a request.
    logging.logThreads = logging.logProcesses = logging.logMultiprocessing = False
    # Alembic narrates every connection ("Context impl SQLiteImpl.") at INFO: only when asked.
    logging.getLogger("alembic").setLevel(level if level == "DEBUG" else "WARNING")
    # Off then on: on again alone would keep a showwarning saved before something replaced it.
    logging.captureWarnings(False)
    logging.captureWarnings(True)
    return handler


def configure_for(app: Flask) -> None:
    """From the app's settings. Not under tests: pytest owns the process's logging there."""
    if app.testing:
        return
    configure(app.config["LOG_LEVEL"], app.config["LOG_FORMAT"])


# -- the web: a request id per request, and an access line ------------------------------------
def request_id_from(incoming: str | None) -> str:
    if incoming and SANE_REQUEST_ID.fullmatch(incoming):
        return incoming
    return new_request_id()


_id_prefix: tuple[int, str] = (0, "")
_id_numbers = itertools.count()


def new_request_id() -> str:
    """32 hex digits, unique across processes and restarts: a random prefix drawn once per
    process, then a count. An id names a request in the logs; it guards nothing, so it need
    not be unguessable, and uuid4 cost five times as much on every request."""
    global _id_prefix
    pid = os.getpid()
    if _id_prefix[0] != pid:  # a new process (a fork keeps its parent's memory)
        _id_prefix = (pid, os.urandom(8).hex())
    return f"{_id_prefix[1]}{next(_id_numbers) & 0xFFFF_FFFF_FFFF_FFFF:016x}"


def logged_path(req: Request) -> str:
    path = req.path
    if req.query_string:
        path += "?" + req.query_string.decode("latin-1")
    return quote(path, safe=LOGGED_AS_IS)[:MAX_LOGGED_PATH]


def elapsed_ms(started: float) -> float:
    """Milliseconds since a time.perf_counter() reading, as the access line gives them."""
    return round((time.perf_counter() - started) * 1000, 1)


def log_access(req: Request, status: int, duration_ms: float | None, request_id: str) -> None:
    """The one access line of a request, whether Flask or the WSGI fast path answered it."""
    if not access_log.isEnabledFor(logging.INFO):
        return
    fields = {
        "method": req.method,
        "path": logged_path(req),
        "status": status,
        "duration_ms": duration_ms,
        "request_id": request_id,
    }
    direct = _direct_handler()
    if direct is not None and direct.access(time.time(), fields):
        return
    # Made and handled as Logger.info would, less its walk up the stack for the caller's
    # file and line (a fifth of a line's cost, on every request), which no format here shows.
    record = access_log.makeRecord(
        access_log.name,
        logging.INFO,
        __file__,
        0,
        ACCESS_MESSAGE,
        tuple(fields[name] for name in ACCESS_FIELDS),
        None,
        extra=fields,
    )
    access_log.handle(record)


def _direct_handler() -> _Stderr | None:
    """configure()'s handler, when it alone would see an access record and would pass it: no
    handler or filter of anyone else's on the way (a test's caplog, say), nothing disabled."""
    if access_log.disabled or access_log.filters:
        return None
    # A record made another way, or INFO renamed, would read differently from the direct line.
    if logging.getLogRecordFactory() is not logging.LogRecord:
        return None
    if logging.getLevelName(logging.INFO) != "INFO":
        return None
    handlers: list[logging.Handler] = []
    logger: logging.Logger | None = access_log
    while logger is not None:  # as Logger.callHandlers walks up
        handlers += logger.handlers
        logger = logger.parent if logger.propagate else None
    if len(handlers) != 1:
        return None
    (handler,) = handlers
    if type(handler) is not _Stderr or handler.level > logging.INFO:
        return None
    if not all(type(each) is RequestIdFilter for each in handler.filters):
        return None
    return handler


def _start_request() -> None:
    g.request_id = request_id_from(request.headers.get(REQUEST_ID_HEADER))
    g.request_started = time.perf_counter()
    g.request_id_token = request_id_var.set(g.request_id)


def _finish_request(response: Response) -> Response:
    request_id = g.get("request_id") or request_id_from(None)
    response.headers[REQUEST_ID_HEADER] = request_id
    started = g.get("request_started")
    duration_ms = elapsed_ms(started) if started else None
    log_access(request, response.status_code, duration_ms, request_id)
    return response


def _end_request(_error: BaseException | None) -> None:
    token = g.pop("request_id_token", None)
    if token is not None:
        request_id_var.reset(token)


def register(app: Flask) -> None:
    # Registered before the other packages: this before_request runs first, and this
    # after_request last, so the access line has the status that was sent.
    app.before_request(_start_request)
    app.after_request(_finish_request)
    app.teardown_request(_end_request)
