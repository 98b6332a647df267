"""Run every benchmark (or those named on the command line) and write bench/results/<name>.json.

Usage: python -m bench.run [startup] [api_throughput] [catalogue_search] [catalogue_reads] [tracking_reads]
       [calendar_reads] [letterboxd_import] [downloads] [naming] [streaming] [library_scan] [recommendations_refresh]
Exit status: 0 all fine, 1 a benchmark failed, 2 wrk is missing and cannot be installed.
"""

from __future__ import annotations

import signal
import sys
import time
import traceback
from collections.abc import Callable, Sequence
from types import FrameType
from typing import Any

from bench import (
    api_throughput,
    calendar_reads,
    catalogue_reads,
    catalogue_search,
    downloads,
    letterboxd_import,
    library_scan,
    naming,
    recommendations_refresh,
    startup,
    streaming,
    tracking_reads,
    wrk,
)
from bench.common import ROOT, write_result

Benchmark = tuple[Callable[[], dict[str, Any]], Callable[[dict[str, Any]], list[str]]]

BENCHMARKS: dict[str, Benchmark] = {
    startup.NAME: (startup.run, startup.summary),
    api_throughput.NAME: (api_throughput.run, api_throughput.summary),
    catalogue_search.NAME: (catalogue_search.run, catalogue_search.summary),
    catalogue_reads.NAME: (catalogue_reads.run, catalogue_reads.summary),
    tracking_reads.NAME: (tracking_reads.run, tracking_reads.summary),
    calendar_reads.NAME: (calendar_reads.run, calendar_reads.summary),
    letterboxd_import.NAME: (letterboxd_import.run, letterboxd_import.summary),
    downloads.NAME: (downloads.run, downloads.summary),
    naming.NAME: (naming.run, naming.summary),
    streaming.NAME: (streaming.run, streaming.summary),
    library_scan.NAME: (library_scan.run, library_scan.summary),
    recommendations_refresh.NAME: (recommendations_refresh.run, recommendations_refresh.summary),
}


def _exit_on_sigterm(signum: int, _frame: FrameType | None) -> None:
    # SystemExit unwinds through every `finally`, so the servers we started are killed on the way out.
    raise SystemExit(128 + signum)


def _run_one(name: str) -> bool:
    bench, summarise = BENCHMARKS[name]
    started = time.monotonic()
    try:
        results = bench()
    except Exception:
        traceback.print_exc()
        print(f"bench: {name} failed after {time.monotonic() - started:.0f}s", file=sys.stderr)
        return False
    path = write_result(name, results)
    print(f"bench: {name} done in {time.monotonic() - started:.0f}s -> {path.relative_to(ROOT)}")
    for line in summarise(results):
        print(f"  {line}")
    for error in results.get("errors", []):
        print(f"  error: {error}", file=sys.stderr)
    return not results.get("errors")


def main(argv: Sequence[str]) -> int:
    signal.signal(signal.SIGTERM, _exit_on_sigterm)
    names = list(argv) or list(BENCHMARKS)
    unknown = [name for name in names if name not in BENCHMARKS]
    if unknown:
        print(f"bench: unknown benchmark(s) {unknown}; choose from {list(BENCHMARKS)}", file=sys.stderr)
        return 2
    if api_throughput.NAME in names:
        # Before minutes of start-ups: a missing load generator should stop the run at once.
        wrk.ensure_wrk()
    ok = [_run_one(name) for name in names]
    return 0 if all(ok) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
