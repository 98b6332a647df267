"""Servers under test: started in their own session, waited for, measured, and always killed whole."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import psutil

from bench.common import ROOT

START_TIMEOUT_S = 300.0
POLL_INTERVAL_S = 0.1
STOP_TIMEOUT_S = 20.0


class ServerFailed(RuntimeError):
    """A server exited or never became ready; the message ends with the tail of its log."""


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    log: Path

    def tail(self, chars: int = 3000) -> str:
        try:
            return self.log.read_text(errors="replace")[-chars:]
        except OSError:
            return "(no log)"

    def check_alive(self) -> None:
        if self.process.poll() is not None:
            raise ServerFailed(f"{self.log.name}: exited with {self.process.returncode}; log:\n{self.tail()}")


def start(command: list[str], *, env: dict[str, str], log: Path) -> Server:
    with log.open("wb") as handle:
        # A new session makes the server and every worker it forks one process group we can kill at once.
        process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=handle, stderr=subprocess.STDOUT, start_new_session=True
        )
    return Server(process, log)


def stop(server: Server) -> None:
    """SIGTERM the group, SIGKILL it if it lingers, then kill any descendant that left the group."""
    process = server.process
    try:
        descendants = psutil.Process(process.pid).children(recursive=True)
    except psutil.NoSuchProcess:
        descendants = []
    # Signal the group only while its leader is unreaped: its pid (the group id) cannot be reused before.
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=STOP_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=STOP_TIMEOUT_S)
    _, alive = psutil.wait_procs(descendants, timeout=STOP_TIMEOUT_S)
    for leftover in alive:
        with contextlib.suppress(psutil.NoSuchProcess):
            leftover.kill()


@contextlib.contextmanager
def running(command: list[str], *, env: dict[str, str], log: Path) -> Iterator[Server]:
    server = start(command, env=env, log=log)
    try:
        yield server
    finally:
        stop(server)


def wait_for_200(
    server: Server, url: str, *, timeout_s: float = START_TIMEOUT_S, follow_redirects: bool = False
) -> float:
    """Poll until `url` answers 200; return the monotonic time it first did."""
    deadline = time.monotonic() + timeout_s
    with httpx.Client(timeout=2.0, follow_redirects=follow_redirects) as client:
        while time.monotonic() < deadline:
            server.check_alive()
            with contextlib.suppress(httpx.HTTPError):
                if client.get(url).status_code == 200:
                    return time.monotonic()
            time.sleep(POLL_INTERVAL_S)
    raise ServerFailed(f"{url} not 200 within {timeout_s:.0f}s; log:\n{server.tail()}")


@dataclass(frozen=True)
class TreeMemory:
    processes: int
    rss_mb: float
    pss_mb: float | None


def tree_memory(pid: int) -> TreeMemory:
    """Resident memory of a process and all its descendants.

    RSS counts pages shared between forked workers once per process, so the sum overstates;
    PSS splits shared pages among their sharers and is the fairer total (Linux only).
    """
    root = psutil.Process(pid)
    members = [root, *root.children(recursive=True)]
    rss = pss = 0
    pss_known = True
    for member in members:
        with contextlib.suppress(psutil.NoSuchProcess):
            rss += member.memory_info().rss
            try:
                pss += getattr(member.memory_full_info(), "pss", 0)
            except (psutil.AccessDenied, AttributeError):
                pss_known = False
    mb = 1024 * 1024
    return TreeMemory(len(members), round(rss / mb, 1), round(pss / mb, 1) if pss_known else None)


def tree_cpu_seconds(pid: int) -> float:
    """User + system CPU time used so far by a process and its live descendants."""
    root = psutil.Process(pid)
    total = 0.0
    for member in [root, *root.children(recursive=True)]:
        with contextlib.suppress(psutil.NoSuchProcess):
            times = member.cpu_times()
            total += times.user + times.system
    return total


def machine_busy_seconds() -> float:
    """CPU time the whole machine has spent not idle, summed over all CPUs."""
    times = psutil.cpu_times()
    return sum(times) - times.idle - getattr(times, "iowait", 0.0)
