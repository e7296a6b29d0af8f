"""Real time, for the tests that run against it (browsers, nginx): minute boundaries, the
clocks as the page shows them, and a watcher that records when the London clock flips."""

from __future__ import annotations

import contextlib
import datetime as dt
import math
import time
from zoneinfo import ZoneInfo

import time_machine

LONDON = ZoneInfo("Europe/London")
MOSCOW = ZoneInfo("Europe/Moscow")

# Records, once, the instant (Date.now()) at which the London clock's text first differs from
# what it shows now; the live block is replaced whole (outerHTML), so watch the whole body.
WATCH_CLOCKS = """
() => {
  const read = () => {
    const clocks = {};
    for (const li of document.querySelectorAll('#live .clock')) {
      const label = li.querySelector('.clock-label').textContent.trim().replace(/:$/, '');
      clocks[label] = li.querySelector('.clock-time').textContent.trim();
    }
    return clocks;
  };
  const initial = read();
  window.__flip = null;
  const observer = new MutationObserver(() => {
    const clocks = read();
    if (clocks.London !== undefined && clocks.London !== initial.London) {
      window.__flip = {at: Date.now(), clocks: clocks};
      observer.disconnect();
    }
  });
  observer.observe(document.body, {subtree: true, childList: true, characterData: true});
  return initial;
}
"""


def next_boundary(at: float) -> float:
    """The next whole minute strictly after `at` (Unix seconds)."""
    return (math.floor(at / 60) + 1) * 60


def clear_of_boundaries(before: float, after: float = 0.0) -> None:
    """For tests that a real minute boundary (London's midnight among them) would upset: wait
    until the next boundary is at least `before` s away and the last at least `after` s past."""
    into = time.time() % 60
    if into > 60 - before:
        time.sleep(60 - into + after + 0.5)
    elif into < after:
        time.sleep(after - into + 0.5)


def hhmm(at: float, zone: ZoneInfo) -> str:
    return dt.datetime.fromtimestamp(at, zone).strftime("%H:%M")


def london_day(at: float) -> dt.date:
    return dt.datetime.fromtimestamp(at, LONDON).date()


def date_text(day: dt.date) -> str:
    return f"{day.day} {day.strftime('%B')} {day.year}"


@contextlib.contextmanager
def boundary_soon(seconds: float):
    """Moves this process's clock, and so the app served from it, forward until the next minute
    boundary is `seconds` away, and lets it run on; yields how far (seconds). The browser keeps
    the real time, like a reader's device whose clock is off: by 2 s or more, so that live.js
    plans from the server's delay. What the browser reports in its own time (Date.now()) is
    that much behind the test's."""
    real = time.time()
    shift = (60 - seconds - real % 60) % 60
    if shift < 2:
        shift += 60
    with time_machine.travel(real + shift, tick=True):
        yield shift
