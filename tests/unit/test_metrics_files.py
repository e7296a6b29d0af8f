"""The directory `dashboard serve`'s processes share for their metrics: emptied at start (a
killed run's counts must not be added to the next one's), and rid of dead processes' live
gauges, never of their counts."""

from __future__ import annotations

import subprocess
import sys

from dashboard.metrics import shared_files


def test_a_fresh_directory_is_empty_and_dead_processes_lose_their_live_gauges(tmp_path):
    left = tmp_path / "metrics" / "8000"
    left.mkdir(parents=True)
    (left / "counter_1.db").write_bytes(b"a killed run's counts")
    directory = shared_files.fresh_directory(str(tmp_path), 8000)
    assert directory == left and list(directory.iterdir()) == []

    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)  # fmt: skip
    dead_pid = int(dead.stdout)
    for pid in (dead_pid, shared_files.os.getpid()):
        for name in (f"gauge_livesum_{pid}.db", f"counter_{pid}.db", f"gauge_all_{pid}.db"):
            (directory / name).write_bytes(b"")
    assert shared_files.sweep(directory) == [dead_pid]
    remaining = sorted(path.name for path in directory.iterdir())
    mine = shared_files.os.getpid()
    assert f"gauge_livesum_{dead_pid}.db" not in remaining
    assert f"counter_{dead_pid}.db" in remaining and f"gauge_all_{dead_pid}.db" in remaining
    assert f"gauge_livesum_{mine}.db" in remaining
    shared_files.remove_directory(directory)
    assert not directory.exists()
