"""The load generator: Debian's `wrk`, installed on first use, and a parser for its report."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from dataclasses import asdict, dataclass
from typing import Any

THREADS = 2
CONNECTIONS = 50
DURATION_S = 10
WARMUP_S = 2
INSTALL_TIMEOUT_S = 300

_UNIT_TO_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0, "h": 3_600_000.0}
_LATENCY_LINE = re.compile(r"^\s*(50|75|90|99)%\s+([\d.]+)(us|ms|s|m|h)\s*$", re.MULTILINE)
_RPS_LINE = re.compile(r"^Requests/sec:\s+([\d.]+)", re.MULTILINE)
_TOTAL_LINE = re.compile(r"^\s*(\d+) requests in ([\d.]+)(us|ms|s|m|h)", re.MULTILINE)
_NON_2XX_LINE = re.compile(r"Non-2xx or 3xx responses:\s+(\d+)")
_SOCKET_ERRORS_LINE = re.compile(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)")


@dataclass(frozen=True)
class WrkResult:
    requests_per_s: float
    latency_p50_ms: float
    latency_p99_ms: float
    requests: int
    duration_s: float
    non_2xx: int
    socket_errors: dict[str, int]

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def ensure_wrk() -> str:
    """Path to wrk; installs Debian's package when missing and we are root, else exits with status 2."""
    found = shutil.which("wrk")
    if found:
        return found
    if os.geteuid() != 0:
        print("bench: `wrk` is not installed; run `sudo apt-get install -y wrk` and try again.", file=sys.stderr)
        raise SystemExit(2)
    print("bench: installing wrk from Debian ...", flush=True)
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    install = ["apt-get", "install", "-y", "-qq", "wrk"]
    # A fresh container has no package lists yet: refresh them only when the first try fails.
    if subprocess.run(install, env=env, timeout=INSTALL_TIMEOUT_S, check=False).returncode != 0:
        subprocess.run(["apt-get", "update", "-qq"], env=env, timeout=INSTALL_TIMEOUT_S, check=False)
        subprocess.run(install, env=env, timeout=INSTALL_TIMEOUT_S, check=False)
    found = shutil.which("wrk")
    if not found:
        print("bench: could not install wrk with apt-get; install it by hand.", file=sys.stderr)
        raise SystemExit(2)
    return found


def _ms(value: str, unit: str) -> float:
    return round(float(value) * _UNIT_TO_MS[unit], 3)


def parse(report: str) -> WrkResult:
    latencies = {match[0]: _ms(match[1], match[2]) for match in _LATENCY_LINE.findall(report)}
    rps = _RPS_LINE.search(report)
    total = _TOTAL_LINE.search(report)
    if rps is None or total is None or "50" not in latencies or "99" not in latencies:
        raise ValueError(f"unexpected wrk output:\n{report}")
    non_2xx = _NON_2XX_LINE.search(report)
    errors = _SOCKET_ERRORS_LINE.search(report)
    return WrkResult(
        requests_per_s=round(float(rps[1]), 1),
        latency_p50_ms=latencies["50"],
        latency_p99_ms=latencies["99"],
        requests=int(total[1]),
        duration_s=round(_ms(total[2], total[3]) / 1000, 2),
        non_2xx=int(non_2xx[1]) if non_2xx else 0,
        socket_errors=dict(zip(("connect", "read", "write", "timeout"), map(int, errors.groups()), strict=True))
        if errors
        else {"connect": 0, "read": 0, "write": 0, "timeout": 0},
    )


def _command(wrk: str, url: str, headers: dict[str, str], duration_s: int) -> list[str]:
    command = [wrk, f"-t{THREADS}", f"-c{CONNECTIONS}", f"-d{duration_s}s", "--latency"]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    return [*command, url]


def load(wrk: str, url: str, *, headers: dict[str, str], duration_s: int = DURATION_S) -> WrkResult:
    """One wrk run: 50 keep-alive connections on 2 threads for `duration_s` seconds."""
    if not url.startswith(("http://127.0.0.1:", "http://localhost:")):
        raise ValueError(f"bench only loads loopback servers, not {url}")
    done = subprocess.run(
        _command(wrk, url, headers, duration_s),
        capture_output=True,
        text=True,
        timeout=duration_s + 30,
        check=True,
    )
    return parse(done.stdout)


def warm_up(wrk: str, url: str, *, headers: dict[str, str]) -> None:
    # First requests pay for lazy imports, connection pools and caches; they are not what we measure.
    load(wrk, url, headers=headers, duration_s=WARMUP_S)
