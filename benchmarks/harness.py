"""Helpers for the benchmarks: a real pseudo-terminal, process CPU and memory, medians."""

from __future__ import annotations

import fcntl
import os
import pty
import select
import signal
import statistics
import struct
import subprocess
import termios
import time
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class Sample:
    name: str
    values: list[float] = field(default_factory=list)
    unit: str = "s"

    @property
    def median(self) -> float:
        return statistics.median(self.values)

    def row(self) -> str:
        v = self.values
        return (f"| {self.name} | {fmt(self.median, self.unit)} | {fmt(min(v), self.unit)} | "
                f"{fmt(max(v), self.unit)} | {len(v)} |")


def fmt(value: float, unit: str) -> str:
    if unit == "s":
        return f"{value:.3f} s"
    if unit == "MiB":
        return f"{value:.1f} MiB"
    if unit == "%":
        return f"{value:.2f} %"
    return f"{value:g} {unit}"


def timed_run(cmd: list[str], env: dict[str, str], stdout: int | None = subprocess.DEVNULL
              ) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, env=env, stdout=stdout, stderr=subprocess.DEVNULL, check=True)
    return time.perf_counter() - start


class PtyApp:
    """Run a full-screen program in a pseudo-terminal and watch what it writes."""

    def __init__(self, cmd: list[str], env: dict[str, str], cols: int = 120,
                 rows: int = 36) -> None:
        self.master, slave = pty.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
        self.started = time.perf_counter()
        self.proc = subprocess.Popen(cmd, stdin=slave, stdout=slave, stderr=slave,
                                     env=env | {"TERM": "xterm-256color"},
                                     start_new_session=True)
        os.close(slave)
        self.buffer = b""

    def pump(self, timeout: float) -> None:
        ready, _, _ = select.select([self.master], [], [], timeout)
        if ready:
            try:
                self.buffer += os.read(self.master, 1 << 20)
            except OSError:
                pass

    def wait_for(self, marker: bytes, timeout: float = 60.0) -> float:
        """Seconds from start until `marker` appears in the output."""
        deadline = time.perf_counter() + timeout
        while marker not in self.buffer:
            if time.perf_counter() > deadline:
                raise TimeoutError(f"{marker!r} never appeared")
            self.pump(0.005)
        return time.perf_counter() - self.started

    def drain(self, seconds: float) -> None:
        end = time.perf_counter() + seconds
        while time.perf_counter() < end:
            self.pump(0.05)

    def cpu_seconds(self) -> float:
        fields = Path(f"/proc/{self.proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
        ticks = os.sysconf("SC_CLK_TCK")
        return (int(fields[11]) + int(fields[12])) / ticks  # utime + stime

    def thread_cpu(self) -> tuple[float, frozenset[str]] | None:
        """CPU seconds of the process's live threads, to the nanosecond (the scheduler's
        own count, /proc/PID/task/*/schedstat), and the threads' IDs; None where the
        kernel keeps no such count. `cpu_seconds` counts in clock ticks (10 ms): over
        30 s that is steps of 0.033 % of a core, as large as the difference an idle
        target is judged on. A thread that ended takes its time with it: compare the
        IDs (see `idle_cpu`)."""
        total, ids = 0, []
        try:
            for tid in os.listdir(f"/proc/{self.proc.pid}/task"):
                try:
                    total += int(Path(f"/proc/{self.proc.pid}/task/{tid}/schedstat")
                                 .read_text().split()[0])
                except FileNotFoundError:  # ended meanwhile: not counted, nor named
                    continue
                ids.append(tid)
        except (FileNotFoundError, ValueError, IndexError):
            return None
        return total / 1e9, frozenset(ids)

    def peak_rss_mib(self) -> float:
        for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
        return float("nan")

    def close(self) -> None:
        try:
            os.killpg(self.proc.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        try:
            self.proc.wait(5)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
        os.close(self.master)
