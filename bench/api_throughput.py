"""API throughput: two /api/v1 endpoints of the production server under 50 keep-alive clients.

Each endpoint is loaded on the app and, in the same run, on `bench.bare_app` (a bare Starlette app with
the same JSON bodies) served by granian with the same worker count. app/bare requests-per-second is
the number to watch: the goal is >= 0.5. The run repeats on PostgreSQL + Redis when
SEEN_BENCH_DATABASE_URL and SEEN_BENCH_REDIS_URL are set.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
import time
from pathlib import Path
from typing import Any

import httpx

from bench import procs, wrk
from bench.bare_app import BODIES_ENV, ME_PATH, READY_PATH
from bench.common import (
    EMBEDDED,
    ROOT,
    VENV_BIN,
    Backend,
    app_env,
    free_port,
    log_path,
    migrate_command,
    reflex_run_command,
    scratch_dir,
)

NAME = "api_throughput"
# Readiness first: it writes nothing, so it cannot inherit a backlog (locks, a starved pool) from /me.
ENDPOINTS = (READY_PATH, ME_PATH)
GOAL_RATIO = 0.5
MIGRATE_TIMEOUT_S = 180
SETTLE_TIMEOUT_S = 60.0
SETTLED_LATENCY_S = 1.0
BENCH_EMAIL = "bench@example.com"
BENCH_PASSWORD = "bench-password-1"
# Mirrors reflex.utils.processes.MAX_BACKEND_WORKERS.
REFLEX_MAX_WORKERS = 8


def granian_workers(backend: Backend) -> int:
    """The worker count `reflex run --env prod` gives granian (reflex.utils.processes.get_num_workers).

    Without Redis, Reflex state lives in one process, so one worker; with Redis, 2 per CPU + 1 up to 8.
    GRANIAN_WORKERS overrides both, in Reflex as here.
    """
    override = os.environ.get("GRANIAN_WORKERS")
    if override:
        return int(override)
    if not backend.uses_redis:
        return 1
    return min((os.cpu_count() or 1) * 2 + 1, REFLEX_MAX_WORKERS)


def postgres_backend() -> Backend | None:
    database_url = os.environ.get("SEEN_BENCH_DATABASE_URL", "")
    redis_url = os.environ.get("SEEN_BENCH_REDIS_URL", "")
    if not database_url or not redis_url:
        return None
    return Backend("postgres-redis", database_url=database_url, redis_url=redis_url)


def _empty_database(url: str) -> None:
    """Same as the e2e fixture: migrate, then delete every row, children first."""
    from sqlmodel import SQLModel

    import seen.models  # noqa: F401  (registers the tables)
    from seen.db import build_engine
    from seen.migrate import upgrade

    upgrade(url)
    engine = build_engine(url)
    try:
        with engine.begin() as connection:
            for table in reversed(SQLModel.metadata.sorted_tables):
                connection.execute(table.delete())
    finally:
        engine.dispose()


def _prepare_storage(backend: Backend, env: dict[str, str]) -> None:
    if backend.uses_redis:
        import redis

        # Stale Reflex state, cache entries or throttle counters from an earlier run would skew this one.
        redis.Redis.from_url(backend.redis_url).flushdb()
        _empty_database(backend.database_url)
    # The first of `make run`'s two steps.
    subprocess.run(migrate_command(), cwd=ROOT, env=env, check=True, timeout=MIGRATE_TIMEOUT_S, capture_output=True)


def _register(base_url: str) -> str:
    response = httpx.post(
        f"{base_url}/api/v1/auth/register", json={"email": BENCH_EMAIL, "password": BENCH_PASSWORD}, timeout=30
    )
    response.raise_for_status()
    return str(response.json()["access_token"])


def _capture_bodies(base_url: str, headers: dict[str, str], target: Path) -> None:
    """Save the app's real answers so the bare app sends byte-for-byte the same bodies."""
    bodies = {}
    with httpx.Client(headers=headers, timeout=10) as client:
        for path in ENDPOINTS:
            response = client.get(f"{base_url}{path}")
            response.raise_for_status()
            bodies[path] = response.text
    target.write_text(json.dumps(bodies))


def _bare_command(port: int, workers: int) -> list[str]:
    return [
        str(VENV_BIN / "granian"),
        "--interface",
        "asgi",
        "--workers",
        str(workers),
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "bench.bare_app:app",
    ]


def _settle(url: str, headers: dict[str, str]) -> float:
    """Wait until one request answers 200 within a second; return how long that took.

    A server keeps working on the requests of a load run after wrk hangs up; measuring before that backlog
    is gone would charge one run's cost to the next.
    """
    started = time.monotonic()
    with httpx.Client(headers=headers, timeout=SETTLED_LATENCY_S) as client:
        while time.monotonic() - started < SETTLE_TIMEOUT_S:
            with contextlib.suppress(httpx.HTTPError):
                if client.get(url).status_code == 200:
                    break
            time.sleep(0.2)
    return round(time.monotonic() - started, 2)


def _measure(wrk_path: str, url: str, headers: dict[str, str], server: procs.Server) -> dict[str, Any]:
    settle_s = _settle(url, headers)
    wrk.warm_up(wrk_path, url, headers=headers)
    server_before = procs.tree_cpu_seconds(server.process.pid)
    machine_before = procs.machine_busy_seconds()
    result = wrk.load(wrk_path, url, headers=headers)
    server_cpu = procs.tree_cpu_seconds(server.process.pid) - server_before
    machine_cpu = procs.machine_busy_seconds() - machine_before
    return {
        **result.as_dict(),
        "settle_s": settle_s,
        # CPU the server spent per answer: where the gap to the bare app comes from.
        "server_cpu_s": round(server_cpu, 2),
        "server_cpu_ms_per_request": round(server_cpu * 1000 / result.requests, 3) if result.requests else None,
        # Everything else the machine did meanwhile (wrk, the database, other people's jobs): noise to judge by.
        "machine_busy_cpu_s": round(machine_cpu, 2),
    }


def _is_clean(run: dict[str, Any]) -> bool:
    return run["non_2xx"] == 0 and not any(run["socket_errors"].values()) and run["requests"] > 0


def _note(app: dict[str, Any], bare: dict[str, Any]) -> str:
    for side, run in (("app", app), ("bare", bare)):
        if run["requests"] == 0:
            return f"{side}: no request completed in {run['duration_s']}s: the server stalled (see bench/.work/logs)"
        if not _is_clean(run):
            return f"{side}: errors during the run (non-2xx or socket errors): requests/s is not comparable"
    return ""


def _compare(app: dict[str, Any], bare: dict[str, Any]) -> dict[str, Any]:
    ratio = round(app["requests_per_s"] / bare["requests_per_s"], 3) if bare["requests_per_s"] else None
    clean = _is_clean(app) and _is_clean(bare)
    return {
        "app": app,
        "bare": bare,
        "ratio_rps": ratio,
        "meets_goal": ratio is not None and ratio >= GOAL_RATIO,
        "note": _note(app, bare),
        # False when either side answered errors or nothing at all: its requests/s would not be comparable.
        "clean": clean,
    }


def _load_both(
    wrk_path: str, app_url: str, bare_url: str, headers: dict[str, str], servers: tuple[procs.Server, procs.Server]
) -> dict[str, Any]:
    endpoints = {}
    for path in ENDPOINTS:
        # Interleaved per endpoint, so slow drift of the machine touches both sides alike.
        app = _measure(wrk_path, f"{app_url}{path}", headers, servers[0])
        bare = _measure(wrk_path, f"{bare_url}{path}", headers, servers[1])
        endpoints[path] = _compare(app, bare)
    return endpoints


def bench_backend(backend: Backend, wrk_path: str) -> dict[str, Any]:
    data_dir = scratch_dir(f"api-{backend.name}")
    port = free_port()
    app_url = f"http://127.0.0.1:{port}"
    env = app_env(data_dir=data_dir, port=port, backend=backend)
    workers = granian_workers(backend)
    try:
        _prepare_storage(backend, env)
        with procs.running(reflex_run_command(port), env=env, log=log_path(f"api-{backend.name}-app")) as app:
            procs.wait_for_200(app, f"{app_url}{READY_PATH}")
            headers = {"Authorization": f"Bearer {_register(app_url)}"}
            bodies = data_dir / "bare-bodies.json"
            _capture_bodies(app_url, headers, bodies)
            bare_port = free_port()
            bare_url = f"http://127.0.0.1:{bare_port}"
            bare_env = {**os.environ, BODIES_ENV: str(bodies)}
            bare_log = log_path(f"api-{backend.name}-bare")
            with procs.running(_bare_command(bare_port, workers), env=bare_env, log=bare_log) as bare:
                procs.wait_for_200(bare, f"{bare_url}{READY_PATH}")
                endpoints = _load_both(wrk_path, app_url, bare_url, headers, (app, bare))
                app.check_alive()
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)
    return {
        "database": "postgresql" if backend.database_url.startswith("postgres") else "sqlite",
        "redis": backend.uses_redis,
        "granian_workers": workers,
        "endpoints": endpoints,
    }


def run() -> dict[str, Any]:
    wrk_path = wrk.ensure_wrk()
    load_at_start = round(os.getloadavg()[0], 2)
    backends: dict[str, Any] = {}
    errors: list[str] = []
    extra = postgres_backend()
    planned: list[tuple[str, Backend | None]] = [(EMBEDDED.name, EMBEDDED), ("postgres-redis", extra)]
    for name, backend in planned:
        if backend is None:
            backends[name] = {"skipped": "SEEN_BENCH_DATABASE_URL and SEEN_BENCH_REDIS_URL are not set"}
            continue
        print(f"bench: {NAME} on {name} ...", flush=True)
        try:
            backends[name] = bench_backend(backend, wrk_path)
        except Exception as error:
            # Whatever breaks one backend (server, database, Redis, wrk), the other's numbers are worth keeping.
            backends[name] = {"error": str(error)[-4000:]}
            errors.append(f"{name}: {str(error)[:500]}")
    return {
        "load_avg_1m_at_start": load_at_start,
        "load": {
            "tool": "wrk",
            "threads": wrk.THREADS,
            "connections": wrk.CONNECTIONS,
            "duration_s": wrk.DURATION_S,
            "warmup_s": wrk.WARMUP_S,
            "keep_alive": True,
        },
        "goal_ratio_rps": GOAL_RATIO,
        "backends": backends,
        "errors": errors,
    }


def _side(label: str, run: dict[str, Any]) -> str:
    cpu = run["server_cpu_ms_per_request"]
    return (
        f"{label} {run['requests_per_s']:>7.0f} rps p50 {run['latency_p50_ms']:>7.2f} ms"
        f" p99 {run['latency_p99_ms']:>7.2f} ms cpu/req {cpu if cpu is not None else '-'} ms"
    )


def summary(results: dict[str, Any]) -> list[str]:
    lines = []
    for name, backend in results["backends"].items():
        if "endpoints" not in backend:
            lines.append(f"{name}: {backend}")
            continue
        for path, row in backend["endpoints"].items():
            lines.append(
                f"{name} {path}: {_side('app', row['app'])} | {_side('bare', row['bare'])} | ratio {row['ratio_rps']}"
            )
            if row["note"]:
                lines.append(f"    note: {row['note']}")
    return lines
