"""Logs: one set-up for every process, LOG_LEVEL and LOG_FORMAT, JSON lines, warnings through
logging, and a request id on every record of a request and in its response."""

from __future__ import annotations

import io
import json
import logging
import re
import sys
import time
import warnings

import pytest
import time_machine
from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Request

from dashboard import create_app, logs

RFC3339_UTC = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z")
GENERATED_ID = re.compile(r"[0-9a-f]{32}")


@pytest.fixture
def logged():
    """Logs set up as a process gets them, into a buffer; pytest's own set-up comes back after."""
    root = logging.getLogger()
    saved = (list(root.handlers), root.level)
    buffer = io.StringIO()

    def start(log_format: str = "json", level: str = "INFO") -> io.StringIO:
        logs.configure(level, log_format, stream=buffer)
        return buffer

    yield start
    logging.captureWarnings(False)
    root.handlers[:] = saved[0]
    root.setLevel(saved[1])


def json_lines(buffer: io.StringIO) -> list[dict]:
    return [json.loads(line) for line in buffer.getvalue().splitlines()]


@pytest.fixture
def noisy_app(app):
    """The demo app, with a route that logs, warns and fails during a request."""

    @app.get("/_noisy")
    def noisy():
        logging.getLogger("dashboard.test").warning("inside the request")
        warnings.warn("a deprecated thing", DeprecationWarning, stacklevel=1)
        raise RuntimeError("it broke")

    app.config["PROPAGATE_EXCEPTIONS"] = False  # a 500 page, as readers would get
    return app


def test_json_lines_carry_the_request_id(noisy_app, logged):
    buffer = logged("json")
    with warnings.catch_warnings():
        warnings.simplefilter("default")  # shown (through logging), not raised as pytest's are
        response = noisy_app.test_client().get("/_noisy", headers={"X-Request-Id": "abc-123"})
    assert response.status_code == 500
    assert response.headers["X-Request-Id"] == "abc-123"
    lines = json_lines(buffer)
    by_logger = {line["logger"]: line for line in lines}
    assert set(by_logger) == {"dashboard.test", "py.warnings", "dashboard", "dashboard.access"}
    assert all(line["request_id"] == "abc-123" for line in lines)
    assert all(RFC3339_UTC.fullmatch(line["time"]) for line in lines)
    assert by_logger["dashboard.test"]["message"] == "inside the request"
    assert by_logger["dashboard.test"]["level"] == "WARNING"
    assert "DeprecationWarning: a deprecated thing" in by_logger["py.warnings"]["message"]
    failure = by_logger["dashboard"]  # Flask's own report of the exception
    assert failure["level"] == "ERROR"
    assert "RuntimeError: it broke" in failure["exception"]
    access = by_logger["dashboard.access"]
    assert (access["method"], access["path"], access["status"]) == ("GET", "/_noisy", 500)
    assert isinstance(access["duration_ms"], float) and access["duration_ms"] >= 0
    assert access["message"] == f"GET /_noisy 500 {access['duration_ms']} ms"
    assert "exception" not in access


def test_each_request_gets_its_own_id_when_none_comes(client, logged, at_reference):
    buffer = logged("json")
    first = client.get("/?lang=ru").headers["X-Request-Id"]
    second = client.get("/healthz").headers["X-Request-Id"]
    assert GENERATED_ID.fullmatch(first) and GENERATED_ID.fullmatch(second) and first != second
    access = [line for line in json_lines(buffer) if line["logger"] == "dashboard.access"]
    assert [(a["path"], a["request_id"]) for a in access] == [
        ("/?lang=ru", first),
        ("/healthz", second),
    ]
    assert logs.request_id_var.get() is None  # nothing left over for the next request


@pytest.mark.parametrize(
    "hostile",
    ["a\r\nX-Injected: 1", "x" * 10_240, "id with spaces", "ид"],
)
def test_a_hostile_request_id_is_replaced(client, logged, hostile, at_reference):
    buffer = logged("text")
    # Through the environ: the test client itself refuses a header with CR LF in it.
    response = client.get("/healthz", environ_overrides={"HTTP_X_REQUEST_ID": hostile})
    replaced = response.headers["X-Request-Id"]
    assert GENERATED_ID.fullmatch(replaced)
    (line,) = buffer.getvalue().splitlines()
    assert re.fullmatch(
        rf"{RFC3339_UTC.pattern} INFO dashboard.access \[{replaced}\]: GET /healthz \d{{3}} "
        r"[\d.]+ ms",
        line,
    ), line


def test_a_request_cannot_forge_a_log_line(client, logged, at_reference):
    buffer = logged("text")
    client.get("/statements/x%0A2020-01-01T00:00:00.000Z%20INFO%20forged%1b[31m")
    (line,) = buffer.getvalue().splitlines()
    assert "/statements/x%0A2020-01-01T00:00:00.000Z%20INFO%20forged%1B[31m 404" in line


def test_log_level_and_format_come_from_the_settings(monkeypatch, tmp_path, logged):
    logged()  # only for its clean-up: create_app sets logging up for itself
    monkeypatch.setenv("LOG_LEVEL", "warning")
    monkeypatch.setenv("LOG_FORMAT", "json")
    create_app(
        {"DATABASE_URL": "sqlite://", "INSTANCE_PATH": str(tmp_path), "SECRET_KEY": "x" * 32}
    )
    root = logging.getLogger()
    (handler,) = root.handlers
    assert root.level == logging.WARNING
    assert isinstance(handler.formatter, logs.JsonFormatter)
    # Set up again (another app in the same process): still one handler, now text.
    monkeypatch.setenv("LOG_FORMAT", "text")
    create_app(
        {"DATABASE_URL": "sqlite://", "INSTANCE_PATH": str(tmp_path), "SECRET_KEY": "x" * 32}
    )
    (handler,) = root.handlers
    assert isinstance(handler.formatter, logs.TextFormatter)


def test_migrations_are_quiet_unless_debugging(logged):
    buffer = logged("text", "INFO")
    logging.getLogger("alembic.runtime.migration").info("Context impl SQLiteImpl.")
    logging.getLogger("dashboard.test").info("a line of ours")
    assert "SQLiteImpl" not in buffer.getvalue()
    assert "a line of ours" in buffer.getvalue()
    logged("text", "DEBUG")
    logging.getLogger("alembic.runtime.migration").info("Running upgrade 0003 -> 0004")
    assert "Running upgrade" in buffer.getvalue()
    logging.getLogger("alembic").setLevel(logging.NOTSET)


def test_access_lines_to_stderr_are_written_in_batches_in_order(capsys, monkeypatch):
    """On stderr (every process's own set-up) access lines wait up to ACCESS_FLUSH_SECONDS;
    any other record writes them first, and so does the flush at exit."""
    monkeypatch.setattr(logs, "ACCESS_FLUSH_SECONDS", 0.05)
    monkeypatch.setattr(sys, "__stderr__", sys.stderr)  # capsys's stands for the process's
    root = logging.getLogger()
    saved = (list(root.handlers), root.level)
    try:
        handler = logs.configure("INFO", "text")
        logs.access_log.info("GET / 200 0.1 ms")
        assert capsys.readouterr().err == ""
        logging.getLogger("dashboard.test").warning("after it")
        written = capsys.readouterr().err.splitlines()
        assert [line.split(": ", 1)[1] for line in written] == ["GET / 200 0.1 ms", "after it"]
        logs.access_log.info("GET /?lang=ru 200 0.1 ms")
        for _ in range(100):  # written by the flusher within ACCESS_FLUSH_SECONDS
            if err := capsys.readouterr().err:
                break
            time.sleep(0.01)
        assert err.endswith("GET /?lang=ru 200 0.1 ms\n")
        logs.access_log.info("GET /statements 200 0.1 ms")
        handler.flush()  # what logging.shutdown does at exit
        assert capsys.readouterr().err.endswith("GET /statements 200 0.1 ms\n")
    finally:
        logging.captureWarnings(False)
        root.handlers[:] = saved[0]
        root.setLevel(saved[1])


@pytest.mark.parametrize("log_format", ["text", "json"])
def test_access_lines_written_without_a_record_are_the_records_lines(
    capsys, monkeypatch, log_format
):
    """The fast way to the batch (fields straight to the formatter) writes what the record
    would have, byte for byte; anyone else's handler on the way gets records, as before."""
    monkeypatch.setattr(sys, "__stderr__", sys.stderr)  # capsys's stands for the process's
    req = Request(EnvironBuilder(path="/статья", query_string="lang=ru&q=a b").get_environ())
    root = logging.getLogger()
    saved = (list(root.handlers), root.level)
    try:
        handler = logs.configure("INFO", log_format)
        with time_machine.travel(1580061480.123, tick=False):
            for duration in (0.4, None):
                with monkeypatch.context() as no_records:
                    no_records.setattr(logs.access_log, "makeRecord", None)  # unused, or fails
                    logs.log_access(req, 200, duration, "id-1")
                with monkeypatch.context() as usual_way:
                    usual_way.setattr(logs, "_direct_handler", lambda: None)
                    logs.log_access(req, 200, duration, "id-1")
        handler.flush()
        direct, by_record, direct_none, by_record_none = capsys.readouterr().err.splitlines()
        assert direct == by_record and direct_none == by_record_none
        assert "2020-01-26T17:58:00.123Z" in direct and "%D1%81" in direct and "None" in direct_none

        seen: list[logging.LogRecord] = []
        other = logging.Handler()
        other.emit = seen.append
        logs.access_log.addHandler(other)
        try:
            logs.log_access(req, 304, 0.1, "id-2")
        finally:
            logs.access_log.removeHandler(other)
        handler.flush()
        assert [record.status for record in seen] == [304]
        assert "304" in capsys.readouterr().err  # and configure()'s handler still wrote it
    finally:
        logging.captureWarnings(False)
        root.handlers[:] = saved[0]
        root.setLevel(saved[1])


def test_a_formatter_of_ones_own_formats_the_access_lines_too(capsys, monkeypatch):
    """A subclass of the dashboard's formatter may change format(): the direct way, which
    skips format(), is then not taken."""

    class Marked(logs.TextFormatter):
        def format(self, record):
            return "marked " + super().format(record)

    monkeypatch.setattr(sys, "__stderr__", sys.stderr)
    req = Request(EnvironBuilder(path="/").get_environ())
    root = logging.getLogger()
    saved = (list(root.handlers), root.level)
    try:
        handler = logs.configure("INFO", "text")
        handler.setFormatter(Marked())
        logs.log_access(req, 200, 0.4, "id-3")
        handler.flush()
        (line,) = capsys.readouterr().err.splitlines()
        assert line.startswith("marked ") and "id-3" in line
    finally:
        logging.captureWarnings(False)
        root.handlers[:] = saved[0]
        root.setLevel(saved[1])
