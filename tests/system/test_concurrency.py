"""Many threads at once against one process's memory of rendered bytes."""

from __future__ import annotations

import datetime as dt
import sys
import threading

from dashboard.cache.live import EXTENSION as LIVE
from tests.helpers.reference import REFERENCE_INSTANT


def test_many_threads_hitting_and_missing_the_memory_never_fail(app, at_reference):
    """A web worker runs 8 request threads: hits reorder the memory while misses sweep it."""
    pages = app.extensions[LIVE]
    errors = []

    def view(shot):
        return "bytes", shot.minute + dt.timedelta(minutes=1)

    def reader(number: int) -> None:
        with app.test_request_context("/"):
            for i in range(400):
                key = "hot" if i % 2 else f"cold-{number}-{i}"
                try:
                    pages.get(key, REFERENCE_INSTANT, view=view)
                except Exception as error:  # noqa: BLE001 - any failure is the finding
                    errors.append(repr(error))
                    return

    switching = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch threads as often as possible
    try:
        threads = [threading.Thread(target=reader, args=(n,)) for n in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
    finally:
        sys.setswitchinterval(switching)
    assert errors == []
