"""What keeps `dashboard serve` up: the web server (granian) and the one scheduler run as child
processes, and whichever dies or hangs is replaced, until the supervisor is told to stop
(SIGTERM or SIGINT); then it stops them and exits 0.

- A child that exits is started again after a back-off: 1 s, doubling up to 60 s, and 1 s again
  once it has run for a minute. Each restart is logged.
- The scheduler pulses through a pipe twice a second while it stands by or while its minute
  ticks keep finishing. One silent for SCHEDULER_HANG_SECONDS is stopped (TERM, then KILL) and
  replaced. A standby pulses too: one waiting for another machine's lock is left alone.
- granian replaces its own dead workers (--respawn-failed-workers). When granian's main process
  dies its workers live on, still serving; a new granian binds beside them (its sockets use
  SO_REUSEPORT) and the old workers are stopped once the new ones listen, so no connection is
  refused meanwhile.
- Each child runs in a process group of its own, so that Ctrl-C reaches the supervisor alone and
  it stops them in order. On Linux each also asks the kernel for SIGTERM when the supervisor
  dies (PR_SET_PDEATHSIG): `kill -9` of `dashboard serve` stops granian (and with it its workers)
  and the scheduler, and frees the port. Under systemd the unit's control group does the same.
- Every child writes its metrics to files in one directory (PROMETHEUS_MULTIPROC_DIR) that
  /metrics adds up; a dead child's live gauges are dropped from it (its counts stay).
"""

from __future__ import annotations

import contextlib
import ctypes
import dataclasses
import logging
import os
import resource
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

from dashboard.core import timecalc
from dashboard.metrics import shared_files
from dashboard.metrics.shared_files import SWEEP_SECONDS

log = logging.getLogger(__name__)

FIRST_DELAY, LONGEST_DELAY = 1.0, 60.0  # seconds before a restart, doubling
HEALTHY_AFTER = 60.0  # a child that ran this long starts the back-off from the first delay
STOP_SECONDS = 20.0  # from TERM to KILL; below systemd's TimeoutStopSec in deploy/
SCHEDULER_START_SECONDS = 60.0  # for its first pulse: imports and the database come first
HANDOVER_SECONDS = 60.0  # the most the old web workers wait for new ones to listen
LOOP_SECONDS = 0.2
OPEN_FILES = 65536  # every slow connection is a file: raise the soft limit towards this

PR_SET_PDEATHSIG = 1  # <linux/prctl.h>
_LIBC = ctypes.CDLL(None, use_errno=True) if sys.platform.startswith("linux") else None


class Backoff:
    def __init__(self) -> None:
        self.delay = 0.0

    def after_exit(self, ran_for: float) -> float:
        """The delay before the next start, for a child that ran this long."""
        if ran_for >= HEALTHY_AFTER:
            self.delay = 0.0
        self.delay = min(LONGEST_DELAY, self.delay * 2) if self.delay else FIRST_DELAY
        return self.delay


@dataclasses.dataclass
class Child:
    name: str
    argv: list[str]
    process: subprocess.Popen | None = None
    started: float = 0.0
    due: float | None = 0.0  # a mark: start at or after it (None: running, or not wanted)
    backoff: Backoff = dataclasses.field(default_factory=Backoff)
    pulse_reader: int | None = None  # the scheduler's end of the pipe
    last_pulse: float | None = None
    killing_since: float | None = None  # TERM sent (hung, or stopping)


@dataclasses.dataclass
class Retiring:
    """The workers a dead granian main process left behind, still serving until replaced."""

    group: int
    listeners_before: int | None
    since: float
    term_sent: float | None = None


class Supervisor:
    def __init__(
        self,
        web_argv: list[str],
        scheduler_argv: list[str] | None,
        env: dict[str, str],
        port: int,
        workers: int,
        hang_seconds: float,
        metrics_dir: Path | None = None,
    ):
        self.web = Child("web server", web_argv)
        self.scheduler = Child("scheduler", scheduler_argv) if scheduler_argv else None
        self.env = env
        self.port = port
        self.workers = workers
        self.hang_seconds = hang_seconds
        self.retiring: list[Retiring] = []
        self.metrics_dir = metrics_dir  # the children's PROMETHEUS_MULTIPROC_DIR
        self.swept = timecalc.mark()
        self.stopping = False  # a flag, not an Event: a signal handler must not take a lock

    @property
    def children(self) -> list[Child]:
        return [c for c in (self.scheduler, self.web) if c is not None]

    # -- the loop ----------------------------------------------------------------------------
    def run(self) -> int:
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, self._stop_asked)
        raise_open_files_limit()
        while not self.stopping:
            for child in self.children:
                self._look_after(child)
            self._retire_old_workers()
            self._sweep_metrics()
            time.sleep(LOOP_SECONDS)
        self._stop_everything()
        return 0

    def _stop_asked(self, *_) -> None:
        self.stopping = True

    def _look_after(self, child: Child) -> None:
        if child.process is None:
            if child.due is not None and timecalc.mark() >= child.due:
                self._start(child)
            return
        if child is self.scheduler:
            self._read_pulses(child)
        code = child.process.poll()
        if code is None:
            self._stop_if_hung(child)
            self._kill_if_overdue(child)
            return
        ran_for = timecalc.seconds_since(child.started)
        delay = child.backoff.after_exit(ran_for)
        log.warning(
            "%s (pid %d) exited with %s after %.0f s; starting another in %.0f s",
            child.name, child.process.pid, describe(code), ran_for, delay,
        )  # fmt: skip
        if child is self.web and group_alive(child.process.pid):
            self.retiring.append(
                Retiring(child.process.pid, listening_sockets(self.port), timecalc.mark())
            )
        if self.metrics_dir is not None:
            shared_files.process_gone(child.process.pid, self.metrics_dir)
        self._forget(child)
        child.due = timecalc.mark() + delay

    def _start(self, child: Child) -> None:
        argv, keep = list(child.argv), ()
        if child is self.scheduler:
            reader, writer = os.pipe()
            os.set_blocking(reader, False)
            argv += ["--pulse-fd", str(writer)]
            child.pulse_reader, keep = reader, (writer,)
        try:
            child.process = subprocess.Popen(
                argv,
                env=self.env,
                process_group=0,  # its own group: signals reach it from here only
                preexec_fn=die_with_parent(os.getpid()),
                pass_fds=keep,
            )
        finally:
            for fd in keep:
                os.close(fd)  # the child holds the writing end
        child.started, child.due = timecalc.mark(), None
        child.last_pulse, child.killing_since = None, None
        log.info("started the %s, pid %d", child.name, child.process.pid)

    def _forget(self, child: Child) -> None:
        if child.pulse_reader is not None:
            os.close(child.pulse_reader)
        child.process, child.pulse_reader, child.killing_since = None, None, None

    # -- the scheduler's pulse ---------------------------------------------------------------
    def _read_pulses(self, child: Child) -> None:
        with contextlib.suppress(BlockingIOError):
            if os.read(child.pulse_reader, 4096):
                child.last_pulse = timecalc.mark()

    def _stop_if_hung(self, child: Child) -> None:
        if child is not self.scheduler or child.killing_since is not None:
            return
        if child.last_pulse is None:
            silent = timecalc.seconds_since(child.started)
            allowed = max(self.hang_seconds, SCHEDULER_START_SECONDS)
        else:
            silent, allowed = timecalc.seconds_since(child.last_pulse), self.hang_seconds
        if silent > allowed:
            log.warning(
                "the scheduler (pid %d) has shown no sign of life for %.0f s; stopping it",
                child.process.pid, silent,
            )  # fmt: skip
            self._terminate(child)

    def _terminate(self, child: Child) -> None:
        # CONT too: a stopped process only acts on TERM once it runs again.
        signal_group(child.process.pid, signal.SIGTERM, signal.SIGCONT)
        child.killing_since = timecalc.mark()

    def _kill_if_overdue(self, child: Child) -> None:
        since = child.killing_since
        if since is not None and timecalc.seconds_since(since) > STOP_SECONDS:
            log.warning("%s (pid %d) ignored TERM; killing it", child.name, child.process.pid)
            signal_group(child.process.pid, signal.SIGKILL)

    # -- metrics ------------------------------------------------------------------------------
    def _sweep_metrics(self) -> None:
        """Web workers granian replaced: their live gauges are dropped (their counts stay)."""
        if self.metrics_dir is None or timecalc.seconds_since(self.swept) < SWEEP_SECONDS:
            return
        self.swept = timecalc.mark()
        shared_files.sweep(self.metrics_dir)

    # -- granian's orphaned workers ----------------------------------------------------------
    def _retire_old_workers(self) -> None:
        for old in list(self.retiring):
            if old.term_sent is None:
                listening = listening_sockets(self.port)
                handed_over = (
                    self.web.process is not None
                    and listening is not None
                    and old.listeners_before is not None
                    and listening >= old.listeners_before + self.workers
                )
                if handed_over or timecalc.seconds_since(old.since) > HANDOVER_SECONDS:
                    log.info("stopping the old web workers (group %d)", old.group)
                    signal_group(old.group, signal.SIGTERM)
                    old.term_sent = timecalc.mark()
            elif not group_alive(old.group):
                self.retiring.remove(old)
            elif timecalc.seconds_since(old.term_sent) > STOP_SECONDS:
                signal_group(old.group, signal.SIGKILL)
                self.retiring.remove(old)

    # -- stopping ----------------------------------------------------------------------------
    def _stop_everything(self) -> None:
        log.info("stopping")
        running = [c for c in self.children if c.process is not None]
        for child in running:
            self._terminate(child)
        for old in self.retiring:
            signal_group(old.group, signal.SIGTERM)
        deadline = timecalc.mark() + STOP_SECONDS
        for child in running:
            try:
                child.process.wait(timeout=max(0.1, deadline - timecalc.mark()))
            except subprocess.TimeoutExpired:
                log.warning("%s (pid %d) ignored TERM; killing it", child.name, child.process.pid)
            signal_group(child.process.pid, signal.SIGKILL)  # and whatever it left behind
            child.process.wait()
            self._forget(child)
        while self.retiring and timecalc.mark() < deadline:
            self.retiring = [old for old in self.retiring if group_alive(old.group)]
            time.sleep(LOOP_SECONDS)
        for old in self.retiring:
            signal_group(old.group, signal.SIGKILL)


# -- the scheduler's side of the pulse -----------------------------------------------------------
def pulse_writer(fd: int, stop: threading.Event) -> Callable[[], None]:
    """For the scheduler: one byte down the supervisor's pipe. A full pipe (a supervisor busy
    elsewhere) skips a pulse; a closed one means the supervisor is gone, so stop too."""
    os.set_blocking(fd, False)

    def pulse() -> None:
        try:
            os.write(fd, b".")
        except BlockingIOError:
            pass
        except BrokenPipeError:
            log.warning("the supervisor is gone; stopping")
            stop.set()

    return pulse


# -- processes ------------------------------------------------------------------------------------
def die_with_parent(parent: int) -> Callable[[], None] | None:
    """Run in the child before exec: SIGTERM to it when the supervisor dies (Linux only)."""
    if _LIBC is None:
        return None

    def arrange() -> None:
        _LIBC.prctl(PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)
        if os.getppid() != parent:  # the supervisor died before prctl() took effect
            os._exit(1)

    return arrange


def signal_group(group: int, *signums: int) -> None:
    for signum in signums:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(group, signum)


def group_alive(group: int) -> bool:
    try:
        os.killpg(group, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def listening_sockets(port: int) -> int | None:
    """How many sockets listen on the TCP port (each granian worker has its own), or None
    where /proc/net does not tell."""
    found, readable = 0, False
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            rows = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        readable = True
        for row in rows:
            fields = row.split()
            if fields[3] == "0A" and int(fields[1].rsplit(":", 1)[1], 16) == port:  # LISTEN
                found += 1
    return found if readable else None


def raise_open_files_limit() -> None:
    """Each open connection holds a file descriptor in a web worker; systemd's default soft
    limit of 1024 would cap the connections long before the workers' own bound."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = OPEN_FILES if hard == resource.RLIM_INFINITY else min(hard, OPEN_FILES)
    if soft != resource.RLIM_INFINITY and soft < wanted:
        resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))


def describe(code: int) -> str:
    if code < 0:
        with contextlib.suppress(ValueError):
            return signal.Signals(-code).name
    return f"code {code}"
