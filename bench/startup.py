"""Startup: from running `make run`'s two steps to GET /login answering 200, then idle memory.

`make run` is `seen migrate` then `reflex run --env prod` on port 3000; here the port is a free one,
passed explicitly, and the data dir is fresh each time (a first start on a new machine's data).
"""

from __future__ import annotations

import shutil
import statistics
import subprocess
import time
from typing import Any

from bench import procs
from bench.common import EMBEDDED, ROOT, app_env, free_port, log_path, migrate_command, reflex_run_command, scratch_dir

NAME = "startup"
RUNS = 3
IDLE_WAIT_S = 5.0
MIGRATE_TIMEOUT_S = 180


def one_start(index: int) -> dict[str, Any]:
    data_dir = scratch_dir("startup")
    port = free_port()
    env = app_env(data_dir=data_dir, port=port, backend=EMBEDDED)
    try:
        started = time.monotonic()
        subprocess.run(migrate_command(), cwd=ROOT, env=env, check=True, timeout=MIGRATE_TIMEOUT_S, capture_output=True)
        migrated = time.monotonic()
        with procs.running(reflex_run_command(port), env=env, log=log_path(f"startup-{index}")) as server:
            ready = procs.wait_for_200(server, f"http://127.0.0.1:{port}/login", follow_redirects=True)
            # Let start-up work (workers forking, first scheduler ticks) settle before reading memory.
            time.sleep(IDLE_WAIT_S)
            server.check_alive()
            memory = procs.tree_memory(server.process.pid)
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)
    return {
        "seconds_to_login_200": round(ready - started, 2),
        "migrate_s": round(migrated - started, 2),
        "idle_rss_mb": memory.rss_mb,
        "idle_pss_mb": memory.pss_mb,
        "processes": memory.processes,
    }


def _median(values: list[float | None]) -> float | None:
    known = [value for value in values if value is not None]
    return round(statistics.median(known), 2) if known else None


def run() -> dict[str, Any]:
    runs = []
    for index in range(1, RUNS + 1):
        print(f"bench: {NAME} run {index}/{RUNS} ...", flush=True)
        runs.append(one_start(index))
    commands = [migrate_command(), reflex_run_command("$PORT")]
    return {
        "commands": [" ".join(command).replace(str(ROOT) + "/", "") for command in commands],
        "idle_wait_s": IDLE_WAIT_S,
        "runs": runs,
        "median_seconds_to_login_200": _median([run["seconds_to_login_200"] for run in runs]),
        "median_idle_rss_mb": _median([run["idle_rss_mb"] for run in runs]),
        "median_idle_pss_mb": _median([run["idle_pss_mb"] for run in runs]),
        "errors": [],
    }


def summary(results: dict[str, Any]) -> list[str]:
    seconds = ", ".join(f"{run['seconds_to_login_200']:.1f}" for run in results["runs"])
    return [
        f"start to /login 200: {seconds} s (median {results['median_seconds_to_login_200']} s)",
        f"idle memory: RSS sum {results['median_idle_rss_mb']} MB, PSS sum {results['median_idle_pss_mb']} MB",
    ]
