"""Downloads: throughput through the app against plain aria2c, and what watching 100 active jobs costs.

`transfer`: 20 files of 200 MB served from 127.0.0.1 by a sendfile server in its own process. Plain
`aria2c -j 20` fetches them with the per-download options of the app's managed aria2c (wall time -> MB/s);
the app fetches the same URLs: 20 jobs made with `seen.services.downloads.create_download`, one session each
as the API makes them, then `download_runner.tick()` at once (the tick the creates enqueue) and again every
`download_poll_interval_seconds` (the scheduler's rhythm) until every job is completed. Plain and app take
turns (plain, app, app, plain). The app's time runs from the first create to the tick that saw the last job
completed, so it is late by up to one poll interval; the time the engine wrote its last byte (the newest
file mtime) is recorded beside it on both sides, with the ratio by it. Goal: app / plain throughput >= 0.9.

`monitoring`: 100 jobs downloading slowly (the test swarm's file server throttled to 50 KB/s per
connection, in its own process) with download_max_active = 100. Once every job is in the engine and has
bytes, ticks run at the poll interval for 60 s; measured: rows written per second (INSERT/UPDATE/DELETE
row counts seen by the app's database engine, per table; on PostgreSQL also pg_stat_user_tables deltas),
CPU time of this process (the one running the ticks: nothing else runs in it) as % of one core, and tick
duration p50/p95. No goal: the numbers are what the issue asked to see.

Both run on SQLite with the in-memory cache and on PostgreSQL (`SEEN_BENCH_DATABASE_URL`, default
`seen_bench`) with Redis (`SEEN_BENCH_REDIS_URL`, default DB 13). Sizes can be lowered for a quick run (see
`Sizes.from_env`). `python -m bench.downloads serve ROOT PORT [RATE]` is the file server's own entry point.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import statistics
import subprocess
import sys
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import psutil

from bench import procs
from bench.catalogue_reads import DEFAULT_BENCH_REDIS
from bench.catalogue_search import DEFAULT_PG_URL, ensure_postgres_database, percentile
from bench.common import ROOT, free_port, fresh_app_database, in_process_env, log_path
from seen.downloads.daemon import TRANSFER_OPTIONS

NAME = "downloads"
GOAL_RATIO = 0.9
MB = 1024 * 1024
WRITE_STATEMENT = re.compile(r'^\s*(INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+"?(\w+)', re.IGNORECASE)


@dataclass(frozen=True)
class Sizes:
    files: int = 20
    file_mb: int = 200
    monitor_jobs: int = 100
    monitor_seconds: float = 60.0
    monitor_rate: int = 50 * 1024  # bytes/s per connection
    rounds: int = 2  # plain and app transfers each run this many times, alternating

    @classmethod
    def from_env(cls) -> Sizes:
        """The full run, or smaller: SEEN_BENCH_DOWNLOADS_QUICK=1 (4 x 50 MB once, 20 jobs for 15 s), and each
        of SEEN_BENCH_DOWNLOADS_FILES / _FILE_MB / _ROUNDS / _MONITOR_JOBS / _MONITOR_SECONDS / _MONITOR_RATE."""
        quick = cls(files=4, file_mb=50, monitor_jobs=20, monitor_seconds=15.0, rounds=1)
        values = asdict(quick if _flag("QUICK") else cls())
        for name, kind in (
            ("files", int),
            ("file_mb", int),
            ("monitor_jobs", int),
            ("monitor_seconds", float),
            ("rounds", int),
        ):
            raw = os.environ.get(f"SEEN_BENCH_DOWNLOADS_{name.upper()}")
            if raw:
                values[name] = kind(raw)
        if raw := os.environ.get("SEEN_BENCH_DOWNLOADS_MONITOR_RATE"):
            values["monitor_rate"] = int(raw)
        return cls(**values)


def _flag(name: str) -> bool:
    return os.environ.get(f"SEEN_BENCH_DOWNLOADS_{name}", "").lower() in ("1", "true", "yes")


# --- The file server, in its own process ------------------------------------------------------------------


def serve(root: Path, port: int, rate: int | None) -> None:
    """Serve `root` on 127.0.0.1:`port` until killed: the test swarm's Range server (unthrottled bodies go out
    by `os.sendfile`)."""
    from http.server import ThreadingHTTPServer

    from tests.downloads.swarm import FileServer, range_handler

    files = FileServer(root, rate=rate, ranges=True)
    files.port = port

    class Server(ThreadingHTTPServer):
        daemon_threads = True
        request_queue_size = 256  # 100 downloads connect at once; the default backlog of 5 would drop SYNs

    Server(("127.0.0.1", port), range_handler(files)).serve_forever()


@contextlib.contextmanager
def file_server(root: Path, *, rate: int | None, name: str) -> Iterator[tuple[procs.Server, str]]:
    """The server on a free port; yields it and its base URL once it answers."""
    port = free_port()
    command = [sys.executable, "-m", "bench.downloads", "serve", str(root), str(port), str(rate or 0)]
    with procs.running(command, env=dict(os.environ), log=log_path(f"downloads-{name}")) as server:
        base = f"http://127.0.0.1:{port}"
        # A tiny file to ask for: a payload would take minutes through the throttled server.
        (root / "ready").write_bytes(b"ok")
        procs.wait_for_200(server, f"{base}/ready", timeout_s=30)
        yield server, base


def _served_files(root: Path, count: int, size: int, *, sparse: bool) -> list[str]:
    """`count` files of `size` bytes. Real bytes: one payload hard-linked under every name (the server reads it
    from the page cache once). Sparse: holes, for the throttled server that never gets far into them."""
    from tests.downloads.swarm import write_payload

    shutil.rmtree(root, ignore_errors=True)  # what a failed earlier phase left
    root.mkdir(parents=True)
    names = [f"file{number:03d}.bin" for number in range(count)]
    first = root / names[0]
    if sparse:
        for name in names:
            with (root / name).open("wb") as handle:
                handle.truncate(size)
    else:
        write_payload(first, size, seed=5)
        for name in names[1:]:
            os.link(first, root / name)
    return names


# --- Plain aria2c ----------------------------------------------------------------------------------------


def plain_aria2c_command(urls_file: Path, directory: Path, jobs: int) -> list[str]:
    """aria2c fetching every URL of the file at once, with the per-download options the app's own aria2c uses."""
    return [
        shutil.which("aria2c") or "/usr/bin/aria2c",
        "--no-conf=true",
        f"--max-concurrent-downloads={jobs}",
        f"--input-file={urls_file}",
        f"--dir={directory}",
        *TRANSFER_OPTIONS,
        "--summary-interval=0",
        "--console-log-level=warn",
    ]


def _files_under(directory: Path) -> list[Path]:
    return [path for path in directory.rglob("*") if path.is_file() and path.suffix not in (".aria2", ".part")]


def _landed(directory: Path, started_wall: float, names: list[str], size: int) -> dict[str, Any]:
    """What reached the disk: file count and sizes, and the newest mtime as seconds after `started_wall`."""
    found = _files_under(directory)
    return {
        "files": len(found),
        "all_complete": len(found) == len(names) and all(path.stat().st_size == size for path in found),
        "last_write_s": round(max((path.stat().st_mtime for path in found), default=started_wall) - started_wall, 3),
    }


def _plain_run(urls: list[str], work: Path, names: list[str], size: int) -> dict[str, Any]:
    directory = work / "plain"
    shutil.rmtree(directory, ignore_errors=True)
    directory.mkdir()
    urls_file = work / "urls.txt"
    urls_file.write_text("\n".join(urls) + "\n")
    command = plain_aria2c_command(urls_file, directory, len(urls))
    os.sync()  # the previous run's dirty pages go to disk now, not during this one
    cpu_before = _children_cpu()
    with log_path("downloads-plain-aria2c").open("wb") as log:
        started_wall, started = time.time(), time.monotonic()
        finished = subprocess.run(command, stdout=log, stderr=subprocess.STDOUT, timeout=600, check=False)
        wall = time.monotonic() - started
    landed = _landed(directory, started_wall, names, size)
    total_mb = len(urls) * size / MB
    result = {
        "command": " ".join(command[1:]).replace(str(work), "<scratch>"),  # the same on every machine
        "exit_code": finished.returncode,
        "wall_s": round(wall, 3),
        "mb_per_s": round(total_mb / wall, 1),
        "engine_last_write_s": landed["last_write_s"],
        "engine_mb_per_s": round(total_mb / landed["last_write_s"], 1) if landed["last_write_s"] > 0 else None,
        "all_complete": landed["all_complete"] and finished.returncode == 0,
        "aria2c_cpu_s": round(_children_cpu() - cpu_before, 2),
    }
    shutil.rmtree(directory, ignore_errors=True)
    return result


def _children_cpu() -> float:
    import resource

    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _server_alone(urls: list[str], size: int) -> dict[str, Any]:
    """The server with curl writing to /dev/null, all URLs at once: its ceiling with no disk in the way."""
    curl = shutil.which("curl")
    if not curl:
        return {"skipped": "curl is not installed"}
    started = time.monotonic()
    fetches = [subprocess.Popen([curl, "-sf", "-o", "/dev/null", url]) for url in urls]
    codes = [fetch.wait(timeout=300) for fetch in fetches]
    wall = time.monotonic() - started
    return {"wall_s": round(wall, 3), "mb_per_s": round(len(urls) * size / MB / wall, 1), "ok": not any(codes)}


# --- The app ---------------------------------------------------------------------------------------------


class WriteCounter:
    """Rows written through a database engine: per table, from each statement's own row count (SQLite's
    total_changes delta, which RETURNING does not hide; the driver's rowcount on PostgreSQL), and statements
    by kind (SELECT, INSERT, ...)."""

    def __init__(self, engine) -> None:
        self.engine = engine
        self.rows: Counter[str] = Counter()
        self.statements: Counter[str] = Counter()
        self.sqlite = engine.dialect.name == "sqlite"

    def _before(self, _conn, cursor, _statement, _parameters, context, _executemany) -> None:
        if self.sqlite and context is not None:
            context.bench_changes = cursor.connection.total_changes

    def _after(self, _conn, cursor, statement, _parameters, context, _executemany) -> None:
        self.statements[statement.lstrip().split(None, 1)[0].upper()] += 1
        match = WRITE_STATEMENT.match(statement)
        if not match:
            return
        if self.sqlite and context is not None:
            rows = cursor.connection.total_changes - getattr(context, "bench_changes", 0)
        else:
            rows = max(cursor.rowcount, 0)
        self.rows[match[2].lower()] += rows

    @contextlib.contextmanager
    def counting(self) -> Iterator[WriteCounter]:
        from sqlalchemy import event

        event.listen(self.engine, "before_cursor_execute", self._before)
        event.listen(self.engine, "after_cursor_execute", self._after)
        try:
            yield self
        finally:
            event.remove(self.engine, "before_cursor_execute", self._before)
            event.remove(self.engine, "after_cursor_execute", self._after)

    def snapshot(self) -> tuple[Counter[str], Counter[str]]:
        return Counter(self.rows), Counter(self.statements)


def _pg_table_writes(reader) -> dict[str, int]:
    """n_tup_ins + n_tup_upd + n_tup_del per table, as the statistics system has them now."""
    from sqlalchemy import text

    with reader.connect() as connection:
        connection.execute(text("SELECT pg_stat_clear_snapshot()"))
        rows = connection.execute(
            text("SELECT relname, n_tup_ins + n_tup_upd + n_tup_del FROM pg_stat_user_tables")
        ).all()
    return {name: int(count) for name, count in rows}


def _statuses(reader) -> Counter[str]:
    from sqlalchemy import func, select

    from seen.models.downloads import DownloadJob

    with reader.connect() as connection:
        return Counter(
            dict(connection.execute(select(DownloadJob.status, func.count()).group_by(DownloadJob.status)).all())
        )


def _engine_settings(*, max_active: int, downloads_dir: Path) -> None:
    """Settings for one phase, then fresh settings and engines (the managed aria2c starts with them)."""
    from seen.config import reset_settings

    os.environ.update(
        SEEN_DOWNLOADS_DIR=str(downloads_dir),
        SEEN_DOWNLOAD_MAX_ACTIVE=str(max_active),
        SEEN_ARIA2_RPC_PORT=str(free_port()),
        SEEN_ARIA2_LISTEN_PORT=str(free_port()),
    )
    downloads_dir.mkdir(parents=True, exist_ok=True)
    _stop_engines()
    reset_settings()


def _stop_engines() -> None:
    """Stop the managed aria2c (and HTTP engine threads) and forget the engines."""
    from seen.downloads import select

    select.shutdown_engines()
    select.reset_engines()


def _create_jobs(user_id: uuid.UUID, urls: list[str]) -> list[float]:
    """One job per URL, each in its own session as the API makes them; returns each create's milliseconds."""
    from seen.db import session_scope
    from seen.models.users import User
    from seen.services.downloads import create_download

    timings = []
    for number, url in enumerate(urls):
        started = time.perf_counter()
        with session_scope() as session:
            user = session.get(User, user_id)
            create_download(session=session, user=user, source=url, title=f"Bench download {number}")
        timings.append((time.perf_counter() - started) * 1000)
    return timings


@dataclass
class Ticker:
    """Runs `download_runner.tick()` on the scheduler's fixed rhythm, timing each one."""

    interval: float
    started: float = 0.0
    count: int = 0

    def __post_init__(self) -> None:
        self.durations_ms: list[float] = []
        self.cpu_ms: list[float] = []
        self.errors: list[str] = []
        self.skipped = 0

    def tick(self) -> None:
        from seen.services import download_runner

        if not self.count:
            self.started = time.monotonic()
        cpu, started = time.process_time(), time.perf_counter()
        report = download_runner.tick()
        self.durations_ms.append((time.perf_counter() - started) * 1000)
        self.cpu_ms.append((time.process_time() - cpu) * 1000)
        self.count += 1
        self.errors.extend(report.errors)
        self.skipped += bool(getattr(report, "skipped", False))

    def next_at(self, ticks_ahead: int = 0) -> float:
        return self.started + (self.count + ticks_ahead) * self.interval

    def wait_until(self, moment: float) -> None:
        time.sleep(max(0.0, moment - time.monotonic()))

    def summary(self, since: int = 0) -> dict[str, Any]:
        """Ticks from number `since` on."""
        return {
            "ticks": self.count - since,
            "tick_ms": _ms_stats(self.durations_ms[since:]),
            "tick_cpu_ms": _ms_stats(self.cpu_ms[since:]),
            "skipped_locked": self.skipped,
            "tick_errors": self.errors[:10],
        }


def _ms_stats(values: list[float]) -> dict[str, float] | None:
    if not values:
        return None
    return {
        "p50": round(statistics.median(values), 2),
        "p95": round(percentile(values, 0.95), 2),
        "max": round(max(values), 2),
    }


def _managed_aria2c() -> psutil.Process | None:
    for child in psutil.Process().children(recursive=True):
        with contextlib.suppress(psutil.Error):
            if child.name() == "aria2c":
                return child
    return None


def _cpu_of(process: psutil.Process | None) -> float:
    if process is None:
        return 0.0
    with contextlib.suppress(psutil.Error):
        times = process.cpu_times()
        return times.user + times.system
    return 0.0


def _app_transfer(
    user_id: uuid.UUID, urls: list[str], work: Path, names: list[str], size: int, reader
) -> dict[str, Any]:
    from seen.config import get_settings
    from seen.downloads import select

    directory = work / "app-downloads"
    shutil.rmtree(directory, ignore_errors=True)
    _engine_settings(max_active=len(urls), downloads_dir=directory)
    ticker = Ticker(get_settings().download_poll_interval_seconds)
    total_mb = len(urls) * size / MB
    # A running app's aria2c is up long before anyone adds a download: its start is not part of the measure.
    select.ensure_running()
    aria2c = _managed_aria2c()
    aria2c_cpu = _cpu_of(aria2c)
    deadline = time.monotonic() + 600
    os.sync()
    started_wall, started = time.time(), time.monotonic()
    create_ms = _create_jobs(user_id, urls)
    created = time.monotonic()
    ticker.tick()  # the tick the creates enqueued
    dispatched = time.monotonic()
    statuses = _statuses(reader)
    while statuses.get("completed", 0) < len(urls) and time.monotonic() < deadline:
        if statuses.get("failed") or statuses.get("cancelled"):
            break
        ticker.wait_until(ticker.next_at())
        ticker.tick()
        statuses = _statuses(reader)
    detected = time.monotonic() - started
    landed = _landed(directory, started_wall, names, size)
    result = {
        "engine": _engine_name(reader),
        "poll_interval_s": ticker.interval,
        "creates_s": round(created - started, 3),
        "create_ms": _ms_stats(create_ms),
        "dispatched_s": round(dispatched - started, 3),
        "wall_s": round(detected, 3),
        "mb_per_s": round(total_mb / detected, 1),
        "engine_last_write_s": landed["last_write_s"],
        # From the end of the dispatching tick to the last byte: the engine's own share of the wall time.
        "engine_transfer_s": round(landed["last_write_s"] - (dispatched - started), 3),
        "detection_lag_s": round(detected - landed["last_write_s"], 3),
        "engine_mb_per_s": round(total_mb / landed["last_write_s"], 1) if landed["last_write_s"] > 0 else None,
        "statuses": dict(statuses),
        "all_complete": statuses.get("completed", 0) == len(urls) and landed["all_complete"],
        "aria2c_cpu_s": round(_cpu_of(aria2c) - aria2c_cpu, 2) if aria2c else None,
        **ticker.summary(),
    }
    _stop_engines()
    shutil.rmtree(directory, ignore_errors=True)
    return result


def _engine_name(reader) -> str:
    from sqlalchemy import select

    from seen.models.downloads import DownloadJob

    with reader.connect() as connection:
        return ",".join(sorted({row[0] for row in connection.execute(select(DownloadJob.engine).distinct())}))


def _transfer(user_id: uuid.UUID, work: Path, sizes: Sizes, reader) -> dict[str, Any]:
    size = sizes.file_mb * MB
    served = work / "served"
    names = _served_files(served, sizes.files, size, sparse=False)
    total_mb = sizes.files * sizes.file_mb
    result: dict[str, Any] = {"files": sizes.files, "file_mb": sizes.file_mb, "total_mb": total_mb}
    runs: dict[str, list[dict[str, Any]]] = {"plain": [], "app": []}
    # Plain, app, app, plain...: a drift of the machine (the disk's writeback above all) touches both sides alike.
    order = [
        side for round_ in range(sizes.rounds) for side in (("plain", "app") if round_ % 2 == 0 else ("app", "plain"))
    ]
    with file_server(served, rate=None, name="fast-server") as (server, base):
        urls = [f"{base}/{name}" for name in names]
        result["server_alone"] = _server_alone(urls, size)
        for side in order:
            print(f"bench: {NAME}: {side}, {sizes.files} x {sizes.file_mb} MB ...", flush=True)
            server_cpu = procs.tree_cpu_seconds(server.process.pid)
            if side == "plain":
                found = _plain_run(urls, work, names, size)
            else:
                _clear_jobs(reader)
                found = _app_transfer(user_id, urls, work, names, size, reader)
            found["server_cpu_s"] = round(procs.tree_cpu_seconds(server.process.pid) - server_cpu, 2)
            runs[side].append(found)
    shutil.rmtree(served, ignore_errors=True)
    for side, done in runs.items():
        wall = statistics.mean(run["wall_s"] for run in done)
        last_write = statistics.mean(run["engine_last_write_s"] for run in done)
        result[side] = {
            "mb_per_s": round(total_mb / wall, 1),
            "engine_mb_per_s": round(total_mb / last_write, 1) if last_write > 0 else None,
            "all_complete": all(run["all_complete"] for run in done),
            "runs": done,
        }
    plain, app = result["plain"], result["app"]
    result["ratio"] = round(app["mb_per_s"] / plain["mb_per_s"], 3)
    if app["engine_mb_per_s"] and plain["engine_mb_per_s"]:
        result["engine_ratio"] = round(app["engine_mb_per_s"] / plain["engine_mb_per_s"], 3)
    # Where the app's time goes, means over its runs: the engine's part beside the app's own costs.
    result["app_breakdown_s"] = {
        name: round(statistics.mean(run[key] for run in runs["app"]), 3)
        for name, key in (
            ("creating_jobs", "creates_s"),
            ("until_dispatched", "dispatched_s"),
            ("engine_transfer", "engine_transfer_s"),
            ("completion_detected_after_last_write", "detection_lag_s"),
        )
    }
    interval = runs["app"][0]["poll_interval_s"]
    result["note"] = (
        f"Throughput is total MB over the mean wall time of {sizes.rounds} runs per side. The app's wall time "
        "runs from its first create to the tick that saw the last job completed, so it carries up to one poll "
        f"interval ({interval} s) of detection delay (detection_lag_s per run); engine_ratio uses the time the "
        "last byte was written (newest file mtime) on both sides instead."
    )
    result["meets_goal"] = result["ratio"] >= GOAL_RATIO
    result["engine_meets_goal"] = result.get("engine_ratio", 0) >= GOAL_RATIO
    return result


def _monitoring(user_id: uuid.UUID, work: Path, sizes: Sizes, reader, postgres: bool) -> dict[str, Any]:
    from seen import db
    from seen.config import get_settings

    served = work / "slow"
    # Bigger than the whole phase can fetch at the throttled rate: no job completes while measured.
    size = max(4 * MB, int(sizes.monitor_rate * (sizes.monitor_seconds + 120)))
    names = _served_files(served, sizes.monitor_jobs, size, sparse=True)
    directory = work / "monitor-downloads"
    _engine_settings(max_active=sizes.monitor_jobs, downloads_dir=directory)
    ticker = Ticker(get_settings().download_poll_interval_seconds)
    window_ticks = max(1, round(sizes.monitor_seconds / ticker.interval))
    result: dict[str, Any] = {
        "jobs": sizes.monitor_jobs,
        "rate_per_job_kb_s": sizes.monitor_rate // 1024,
        "poll_interval_s": ticker.interval,
        "window_ticks": window_ticks,
    }
    with (
        WriteCounter(db.get_engine()).counting() as counter,
        file_server(served, rate=sizes.monitor_rate, name="slow-server") as (server, base),
    ):
        result["create_ms"] = _ms_stats(_create_jobs(user_id, [f"{base}/{name}" for name in names]))
        ticker.tick()
        # Warm-up: every job dispatched and its first bytes seen (a few ticks at most).
        while ticker.count < 10 and not _all_moving(reader, sizes.monitor_jobs):
            ticker.wait_until(ticker.next_at())
            ticker.tick()
        result["warmup"] = {**ticker.summary(), "statuses": dict(_statuses(reader))}
        window_start = ticker.count
        # The window opens and closes half an interval before a tick: exactly window_ticks ticks inside it.
        ticker.wait_until(ticker.next_at() - ticker.interval / 2)
        before = _window_mark(counter, reader if postgres else None, server)
        for _ in range(window_ticks):
            ticker.wait_until(ticker.next_at())
            ticker.tick()
        ticker.wait_until(ticker.next_at() - ticker.interval / 2)
        after = _window_mark(counter, reader if postgres else None, server)
        result["statuses_after"] = dict(_statuses(reader))
        result["mb_downloaded_after"] = round(_bytes_downloaded(reader) / MB, 1)
    result.update(_window_numbers(before, after))
    result.update(ticker.summary(since=window_start))
    still = result["statuses_after"].get("downloading", 0)
    result["all_monitored"] = still == sizes.monitor_jobs and not ticker.errors
    _stop_engines()
    shutil.rmtree(directory, ignore_errors=True)
    shutil.rmtree(served, ignore_errors=True)
    return result


def _all_moving(reader, jobs: int) -> bool:
    from sqlalchemy import func, select

    from seen.models.downloads import DownloadJob

    with reader.connect() as connection:
        moving = connection.execute(
            select(func.count()).where(DownloadJob.status == "downloading", DownloadJob.bytes_downloaded > 0)
        ).scalar_one()
    return moving == jobs


def _bytes_downloaded(reader) -> int:
    from sqlalchemy import func, select

    from seen.models.downloads import DownloadJob

    with reader.connect() as connection:
        return int(connection.execute(select(func.sum(DownloadJob.bytes_downloaded))).scalar_one() or 0)


def _window_mark(counter: WriteCounter, pg_reader, server: procs.Server) -> dict[str, Any]:
    rows, statements = counter.snapshot()
    return {
        "wall": time.monotonic(),
        "cpu": time.process_time(),
        "rows": rows,
        "statements": statements,
        "pg": _pg_table_writes(pg_reader) if pg_reader is not None else None,
        "server_cpu": procs.tree_cpu_seconds(server.process.pid),
        "aria2c_cpu": _cpu_of(_managed_aria2c()),
        "machine_busy": procs.machine_busy_seconds(),
    }


def _window_numbers(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    wall = after["wall"] - before["wall"]
    rows = after["rows"] - before["rows"]
    statements = after["statements"] - before["statements"]
    numbers: dict[str, Any] = {
        "window_s": round(wall, 2),
        "rows_written_per_s": round(sum(rows.values()) / wall, 2),
        "rows_written_per_s_by_table": {table: round(count / wall, 2) for table, count in sorted(rows.items())},
        "statements_per_s": {kind: round(count / wall, 2) for kind, count in sorted(statements.items())},
        "app_cpu_percent_of_one_core": round(100 * (after["cpu"] - before["cpu"]) / wall, 2),
        "aria2c_cpu_percent_of_one_core": round(100 * (after["aria2c_cpu"] - before["aria2c_cpu"]) / wall, 2),
        "server_cpu_percent_of_one_core": round(100 * (after["server_cpu"] - before["server_cpu"]) / wall, 2),
        "machine_busy_percent_of_one_core": round(100 * (after["machine_busy"] - before["machine_busy"]) / wall, 2),
    }
    if after["pg"] is not None:
        tables = sorted(set(after["pg"]) | set(before["pg"]))
        delta = {table: after["pg"].get(table, 0) - before["pg"].get(table, 0) for table in tables}
        numbers["pg_stat_rows_per_s_by_table"] = {
            table: round(count / wall, 2) for table, count in delta.items() if count
        }
        numbers["pg_stat_rows_per_s"] = round(sum(delta.values()) / wall, 2)
    return numbers


# --- Backends --------------------------------------------------------------------------------------------


def _run_backend(name: str, url: str, redis_url: str, work: Path, sizes: Sizes) -> dict[str, Any]:
    from seen import db
    from seen.db import session_scope
    from seen.services import auth

    print(f"bench: {NAME} {name}: migrating ...", flush=True)
    fresh_app_database(url, redis_url)
    with session_scope() as session:
        user_id = auth.create_user(session=session, email="bench@example.com", password="bench password 1").id
    reader = db.build_engine(url)  # the bench's own reads, so the app's engine counts only the app's statements
    try:
        result = {"transfer": _transfer(user_id, work, sizes, reader)}
        _clear_jobs(reader)
        print(f"bench: {NAME} {name}: {sizes.monitor_jobs} slow jobs for {sizes.monitor_seconds:.0f} s ...", flush=True)
        result["monitoring"] = _monitoring(user_id, work, sizes, reader, postgres=url.startswith("postgres"))
        return result
    finally:
        _stop_engines()
        reader.dispose()
        db.reset_engine()
        if redis_url:
            import redis

            redis.Redis.from_url(redis_url).flushdb()


def _clear_jobs(reader) -> None:
    from sqlalchemy import delete

    from seen.models.downloads import DownloadEvent, DownloadFile, DownloadJob

    with reader.begin() as connection:
        for table in (DownloadEvent, DownloadFile, DownloadJob):
            connection.execute(delete(table))


def run() -> dict[str, Any]:
    sizes = Sizes.from_env()
    results: dict[str, Any] = {
        "sizes": asdict(sizes),
        "goal": f"app / plain aria2c throughput >= {GOAL_RATIO}",
        "aria2c": _aria2c_version(),
        "loadavg_1m_before": round(os.getloadavg()[0], 2),
        "engines": {},
        "errors": [],
    }
    settings = {
        "SEEN_DOWNLOAD_ENGINE": "auto",
        "SEEN_ARIA2_RPC_URL": "",
        "SEEN_ARIA2_RPC_SECRET": "",
        "SEEN_DOWNLOAD_ALLOWED_HOSTS": '["127.0.0.1"]',
        "SEEN_BCRYPT_ROUNDS": "4",
        # Set again for each phase (_engine_settings); named here so the caller's values come back afterwards.
        "SEEN_DOWNLOADS_DIR": "",
        "SEEN_DOWNLOAD_MAX_ACTIVE": str(sizes.files),
        "SEEN_ARIA2_RPC_PORT": str(free_port()),
        "SEEN_ARIA2_LISTEN_PORT": str(free_port()),
    }
    with in_process_env("downloads", **settings) as work:
        backends = [("sqlite+memory", f"sqlite:///{work / 'seen.db'}", "")]
        pg_url = os.environ.get("SEEN_BENCH_DATABASE_URL", DEFAULT_PG_URL)
        backends.append(("postgres+redis", pg_url, os.environ.get("SEEN_BENCH_REDIS_URL", DEFAULT_BENCH_REDIS)))
        for label, url, redis_url in backends:
            try:
                if url.startswith("postgres"):
                    ensure_postgres_database(url)
                found = _run_backend(label, url, redis_url, work, sizes)
            except Exception as error:  # PostgreSQL absent on a user's machine: say so, keep the SQLite numbers
                results["errors"].append(f"{label}: {type(error).__name__}: {error}")
                continue
            results["engines"][label] = found
            results["errors"].extend(_problems(label, found))
    results["loadavg_1m_after"] = round(os.getloadavg()[0], 2)
    results["meets_goal"] = bool(results["engines"]) and all(
        found["transfer"]["meets_goal"] for found in results["engines"].values()
    )
    return results


def _problems(label: str, found: dict[str, Any]) -> list[str]:
    transfer, monitoring = found["transfer"], found["monitoring"]
    problems = []
    if not transfer["plain"]["all_complete"]:
        problems.append(f"{label}: plain aria2c did not fetch every file (see bench/.work/logs)")
    if not transfer["app"]["all_complete"]:
        statuses = [run["statuses"] for run in transfer["app"]["runs"]]
        problems.append(f"{label}: the app did not complete every job: {statuses}")
    if not monitoring["all_monitored"]:
        problems.append(
            f"{label}: monitoring: not every job kept downloading: {monitoring['statuses_after']}, "
            f"tick errors {monitoring['tick_errors']}"
        )
    return problems


def _aria2c_version() -> str:
    aria2c = shutil.which("aria2c")
    if not aria2c:
        return "missing"
    return subprocess.run([aria2c, "--version"], capture_output=True, text=True, check=False).stdout.split("\n")[0]


def summary(results: dict[str, Any]) -> list[str]:
    lines = []
    for engine, found in results["engines"].items():
        transfer, monitoring = found["transfer"], found["monitoring"]
        verdict = "met" if transfer["meets_goal"] else "NOT met"
        lines.append(
            f"{engine}: {transfer['files']} x {transfer['file_mb']} MB: plain aria2c {transfer['plain']['mb_per_s']} "
            f"MB/s, app {transfer['app']['mb_per_s']} MB/s: ratio "
            f"{transfer['ratio']} ({verdict}), by last write {transfer.get('engine_ratio')}"
        )
        lines.append(
            f"{engine}: {monitoring['jobs']} active jobs: {monitoring['rows_written_per_s']} rows written/s, app CPU "
            f"{monitoring['app_cpu_percent_of_one_core']} % of a core, tick p50 {monitoring['tick_ms']['p50']} ms "
            f"p95 {monitoring['tick_ms']['p95']} ms"
        )
    return lines


def main(argv: list[str]) -> int:
    if argv[:1] == ["serve"]:
        root, port, rate = Path(argv[1]), int(argv[2]), int(argv[3]) if len(argv) > 3 else 0
        serve(root, port, rate or None)
        return 0
    from bench.run import main as run_benchmarks

    return run_benchmarks([NAME])


if __name__ == "__main__":
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    sys.exit(main(sys.argv[1:]))
