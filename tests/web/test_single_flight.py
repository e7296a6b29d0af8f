"""Concurrent misses of the warm cache for one key render once: the others wait for those
bytes, and a render that fails releases them all with its error, never a hang."""

from __future__ import annotations

import concurrent.futures
import threading

import pytest

from dashboard.cache import live
from tests.helpers.reference import REFERENCE_INSTANT

READERS = 8


class CountedWaits(concurrent.futures.Future):
    """A flight whose waiters are counted, so the test knows when all of them wait."""

    waiting = 0
    lock = threading.Lock()

    def result(self, timeout=None):
        with CountedWaits.lock:
            CountedWaits.waiting += 1
        return super().result(timeout)


@pytest.fixture
def pages(app, monkeypatch):
    CountedWaits.waiting = 0
    monkeypatch.setattr(live, "Future", CountedWaits, raising=False)
    return live.pages_of(app)


def misses_at_once(app, pages, view):
    """READERS threads ask for one key in the same minute; the first render waits until the
    others all wait for it. Each thread's bytes, or its error."""
    release = threading.Event()
    calls = []

    def slow_view(shot):
        calls.append(shot.minute)
        release.wait(5)
        return view(shot)

    def read(_number):
        with app.app_context():
            try:
                return pages.get("test:flight", REFERENCE_INSTANT, slow_view)
            except RuntimeError as error:
                return error

    with concurrent.futures.ThreadPoolExecutor(READERS) as pool:
        answers = pool.map(read, range(READERS))
        for _ in range(500):  # at most 5 s
            if CountedWaits.waiting == READERS - 1:
                break
            threading.Event().wait(0.01)
        release.set()
        answers = list(answers)
    return calls, answers


def test_one_reader_renders_and_the_others_get_its_bytes(app, pages):
    calls, answers = misses_at_once(app, pages, lambda shot: ("rendered once", shot.next_change))
    assert len(calls) == 1
    assert all(answer is answers[0] for answer in answers)
    assert answers[0].body == b"rendered once"
    # Kept: the next reader finds the bytes without rendering.
    again = pages.get("test:flight", REFERENCE_INSTANT, lambda shot: ("again", shot.next_change))
    assert again is answers[0]


def test_a_failed_render_releases_every_waiter_with_its_error(app, pages):
    def failing(_shot):
        raise RuntimeError("the store went away")

    calls, answers = misses_at_once(app, pages, failing)
    assert len(calls) == 1
    assert [str(answer) for answer in answers] == ["the store went away"] * READERS
    # Nothing was kept, and the next reader renders afresh.
    fresh = pages.get("test:flight", REFERENCE_INSTANT, lambda shot: ("fresh", shot.next_change))
    assert fresh.body == b"fresh"


def test_bytes_rendered_before_an_edit_are_not_kept(app, pages):
    def edited_meanwhile(shot):
        pages.invalidate()  # an edit commits while this render runs
        return "old content", shot.next_change

    first = pages.get("test:flight", REFERENCE_INSTANT, edited_meanwhile)
    assert first.body == b"old content"  # this reader asked before the edit
    after = pages.get("test:flight", REFERENCE_INSTANT, lambda shot: ("new", shot.next_change))
    assert after.body == b"new"
