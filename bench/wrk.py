"""wrk, run against one URL after another (A, B, A, B, …), each run's throughput and latency,
and how the web server's workers shared the CPU during it."""

from __future__ import annotations

import argparse
import dataclasses
import re
import statistics
import subprocess
import time
from collections.abc import Callable

from bench.common import BenchError, log
from bench.procs import cpu_seconds


@dataclasses.dataclass
class Sample:
    rps: float
    p50: float  # ms
    p99: float  # ms
    requests: int
    errors: int  # non-2xx/3xx and socket errors
    # the busiest web worker's share of the workers' CPU time during the run (None: not a
    # web server's target); near 1.0, one worker held every one of wrk's keep-alive connections
    busiest_share: float | None = None

    @property
    def one_worker(self) -> bool:
        return self.busiest_share is not None and self.busiest_share > ONE_WORKER_SHARE


ONE_WORKER_SHARE = 0.9
_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}


def _ms(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()
    return float(number) * _UNITS[unit]


def parse_wrk(output: str) -> Sample:
    try:
        rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
        latency = dict(re.findall(r"^\s+(\d+)%\s+(\S+)\s*$", output, re.M))
        requests = int(re.search(r"(\d+) requests in", output).group(1))
        p50, p99 = _ms(latency["50"]), _ms(latency["99"])
    except (AttributeError, KeyError):
        raise BenchError(f"cannot read wrk's output:\n{output}") from None
    errors = 0
    if found := re.search(r"Non-2xx or 3xx responses: (\d+)", output):
        errors += int(found.group(1))
    if found := re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    ):
        errors += sum(int(n) for n in found.groups())
    return Sample(rps, p50, p99, requests, errors)


@dataclasses.dataclass
class Target:
    key: str
    label: str
    url: str
    headers: dict[str, str] = dataclasses.field(default_factory=dict)
    # called before each run; may wait, and may return fresh headers (e.g. today's ETag)
    prepare: Callable[[], dict[str, str]] | None = None
    # the web workers behind the URL, to see how wrk's connections were shared out
    workers: list[int] = dataclasses.field(default_factory=list)
    samples: list[Sample] = dataclasses.field(default_factory=list)

    def median(self, field: str) -> float:
        return statistics.median(getattr(s, field) for s in self.samples)

    def both_workers(self) -> list[Sample]:
        return [s for s in self.samples if not s.one_worker]

    def runs_text(self) -> str:
        return ", ".join(f"{s.rps:.0f}" + ("(1w)" if s.one_worker else "") for s in self.samples)

    @property
    def errors(self) -> int:
        return sum(s.errors for s in self.samples)


class Wrk:
    def __init__(self, binary: str, args: argparse.Namespace):
        self.binary = binary
        self.threads = args.threads
        self.connections = args.connections
        self.duration = args.duration

    def run(self, url: str, headers: dict[str, str], duration: float | None = None) -> Sample:
        seconds = duration or self.duration
        argv = [
            self.binary,
            f"-t{self.threads}",
            f"-c{self.connections}",
            f"-d{seconds:g}s",
            "--latency",
        ]
        for name, value in headers.items():
            argv += ["-H", f"{name}: {value}"]
        argv.append(url)
        for attempt in (1, 2):
            result = subprocess.run(
                argv, capture_output=True, text=True, timeout=seconds + 60, check=False
            )
            if result.returncode != 0:
                raise BenchError(f"wrk failed ({result.returncode}): {result.stderr}")
            try:
                return parse_wrk(result.stdout)
            except BenchError:
                if attempt == 2:
                    raise
                log(f"  wrk's output could not be read, running again:\n{result.stdout}")
        raise AssertionError("unreachable")

    def interleaved(self, targets: list[Target], rounds: int) -> None:
        for target in targets:  # warm-up, not recorded
            self.run(target.url, self._headers(target), duration=1)
        for round_number in range(1, rounds + 1):
            for target in targets:
                headers = self._headers(target)
                before = {pid: cpu_seconds(pid) for pid in target.workers}
                sample = self.run(target.url, headers)
                if target.workers:
                    used = [cpu_seconds(pid) - before[pid] for pid in target.workers]
                    if sum(used) > 0.5:
                        sample.busiest_share = round(max(used) / sum(used), 3)
                target.samples.append(sample)
                log(
                    f"  round {round_number}: {target.label:<44} {sample.rps:9.0f} req/s  "
                    f"p50 {sample.p50:6.2f} ms  p99 {sample.p99:7.2f} ms"
                    + (f"  busiest worker {sample.busiest_share:.0%}" if target.workers else "")
                    + (f"  ERRORS {sample.errors}" if sample.errors else "")
                )

    @staticmethod
    def _headers(target: Target) -> dict[str, str]:
        headers = dict(target.headers)
        if target.prepare:
            headers.update(target.prepare())
        return headers


def seconds_into_minute() -> float:
    return time.time() % 60


def wait_for_room(seconds: float) -> None:
    """Wait, if need be, so that `seconds` from now stay within one minute (the ETag and every
    cached copy change at the minute boundary)."""
    if seconds_into_minute() + seconds + 1.0 > 60:
        time.sleep(60 - seconds_into_minute() + 0.5)
