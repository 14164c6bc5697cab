"""Child processes of a load run and where the machine's CPU went: the server, its database, the rest.

Every child runs in its own process group, so that it and its own children (gunicorn's workers)
are stopped together; `stop_all` ends whatever is still running.
"""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path
from typing import Optional

ROOT = Path(__file__).resolve().parent.parent.parent
_children: list[subprocess.Popen] = []


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def spawn(cmd: list[str], log: Path, env: Optional[dict] = None) -> subprocess.Popen:
    """A child in its own process group (so it and its workers can be killed together)."""
    fh = open(log, "w")
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=fh, stderr=subprocess.STDOUT, start_new_session=True)
    _children.append(proc)
    return proc


def stop(proc: subprocess.Popen, grace: float = 15) -> None:
    """SIGTERM to the child's group, SIGKILL after the grace period."""
    if proc.poll() is None:
        for sig, wait in ((signal.SIGTERM, grace), (signal.SIGKILL, 5)):
            try:
                os.killpg(proc.pid, sig)
            except ProcessLookupError:
                break
            try:
                proc.wait(timeout=wait)
                break
            except subprocess.TimeoutExpired:
                continue
    if proc in _children:
        _children.remove(proc)


def cpu_seconds(pid: int) -> float:
    """User + system CPU of a process and its children still running (from /proc)."""
    total, ticks = 0.0, os.sysconf("SC_CLK_TCK")
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return 0.0
    for p in [str(pid), *children]:
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / ticks
        except (OSError, IndexError):
            pass
    return total


def machine_busy_seconds() -> float:
    """CPU seconds the whole machine has been busy (all cores, all processes), from /proc/stat."""
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    return (sum(fields[:8]) - fields[3] - fields[4]) / os.sysconf("SC_CLK_TCK")


def database_backends(name: str) -> list[int]:
    """The PostgreSQL backends serving database `name`: their CPU is the server's too."""
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                cmdline = (entry / "cmdline").read_bytes()
            except OSError:
                continue
            if cmdline.startswith(b"postgres:") and f" {name} ".encode() in cmdline:
                pids.append(int(entry.name))
    return pids


class Sampler(threading.Thread):
    """Once a second: the CPU of the server, of its database backends and of everything else.

    On a shared machine the last says how much of the two cores the test did not have.
    """

    def __init__(self, server: int, locust: int, database: str = "") -> None:
        super().__init__(daemon=True)
        self.server, self.locust, self.database = server, locust, database
        self.seconds: list[list[float]] = []  # [time, cores used by other processes]
        self.backends: dict[int, list[float]] = {}  # pid -> [CPU when first seen, CPU last seen]
        self.done = threading.Event()
        self._sample_backends(first=True)

    def _sample_backends(self, first: bool = False) -> float:
        """Total CPU the backends used since the run began (one started later counts from zero)."""
        for pid in database_backends(self.database) if self.database else []:
            cpu = cpu_seconds(pid)
            self.backends.setdefault(pid, [cpu if first else 0.0, cpu])[1] = cpu
        return sum(last - first for first, last in self.backends.values())

    @property
    def database_cpu(self) -> float:
        return sum(last - first for first, last in self.backends.values())

    def _ours(self) -> float:
        return cpu_seconds(self.server) + cpu_seconds(self.locust) + self._sample_backends()

    def run(self) -> None:
        last = (time.time(), machine_busy_seconds(), self._ours())
        while not self.done.wait(1.0):
            now = (time.time(), machine_busy_seconds(), self._ours())
            span = now[0] - last[0]
            self.seconds.append([round(now[0], 2), round(max(now[1] - last[1] - (now[2] - last[2]), 0) / span, 2)])
            last = now


def wait_quiet(limit: float, most: float = 0.3) -> float:
    """On a shared machine: wait (at most `limit` seconds) until other processes use under `most`
    of a core over 5 s; returns what they used in the last 5 s, in cores."""
    deadline = time.time() + limit
    while True:
        before = machine_busy_seconds()
        time.sleep(5)
        used = (machine_busy_seconds() - before) / 5
        if used < most or time.time() > deadline:
            return used
        print(f"  machine busy ({used:.1f} cores used by other processes); waiting ...", file=sys.stderr)


def wait_ready(base: str, proc: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        if proc.poll() is not None:
            raise RuntimeError("gunicorn exited at start; see its log")
        try:
            urllib.request.urlopen(base + "/auth/login", timeout=2).close()
            return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError("gunicorn did not answer in time")


def forget(proc: subprocess.Popen) -> None:
    """A child that ended on its own: no longer ours to stop."""
    if proc in _children:
        _children.remove(proc)


def stop_all() -> None:
    """Stop every child still running (on Ctrl-C, an exception, or the end of the run)."""
    for child in list(_children):
        stop(child, grace=5)
