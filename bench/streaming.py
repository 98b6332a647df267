"""Streaming: 20 clients reading a 1 GB library file in 8 MB Range requests, through the app and a bare app.

The app side is `/api/v1/stream/{id}` of the app's REST API (`seen.api.create_api` with its middleware, as Reflex
mounts it), served by granian with one worker, as `reflex run --env prod` serves the embedded setup; each
request is authenticated (Bearer) and resolved against the database and the library folders. The bare side is
a Starlette app answering every request with `FileResponse` on the same file, served the same way. Both run in
their own processes in the same run; the clients run in this process (threads, `http.client`, keep-alive).

The file holds real bytes (a 64 MB random block written 16 times) and is read once before the run, so both
sides read it from the page cache. Result: aggregate MB/s per side, app/bare (goal >= 0.8), request p50/p95.
Sizes: SEEN_BENCH_STREAM_FILE_MB (1024), _CLIENTS (20), _CHUNK_MB (8), _SECONDS (a cap per side, 70).
"""

from __future__ import annotations

import http.client
import os
import shutil
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import httpx

from bench import procs
from bench.common import EMBEDDED, ROOT, VENV_BIN, app_env, free_port, log_path, migrate_command, scratch_dir

NAME = "streaming"
GOAL_RATIO = 0.8
FILE_ENV = "SEEN_BENCH_STREAM_FILE"
BLOCK_BYTES = 64 * 1024 * 1024
MB = 1024 * 1024
BENCH_EMAIL = "bench@example.com"
BENCH_PASSWORD = "bench-password-1"
MOVIE = "Bench Movie (2020)/Bench Movie (2020).mp4"


@dataclass(frozen=True)
class Sizes:
    file_mb: int = 1024
    clients: int = 20
    chunk_mb: int = 8
    seconds: float = 70.0

    @classmethod
    def from_env(cls) -> Sizes:
        def number(name: str, default: float) -> float:
            return float(os.environ.get(f"SEEN_BENCH_STREAM_{name}", default))

        return cls(
            file_mb=int(number("FILE_MB", cls.file_mb)),
            clients=int(number("CLIENTS", cls.clients)),
            chunk_mb=int(number("CHUNK_MB", cls.chunk_mb)),
            seconds=number("SECONDS", cls.seconds),
        )


# --- the two servers (granian imports these factories in its own process) -------------------------------------


def api_app():  # type: ignore[no-untyped-def]
    """The app's REST API with its middleware, as the production server mounts it."""
    from seen.api import create_api
    from seen.api.middleware import with_request_context

    return with_request_context(create_api())


def bare_app():  # type: ignore[no-untyped-def]
    """The ceiling: Starlette's FileResponse on the same file, no auth, no database."""
    from starlette.applications import Starlette
    from starlette.responses import FileResponse
    from starlette.routing import Route

    path = os.environ[FILE_ENV]

    async def endpoint(_request):  # type: ignore[no-untyped-def]
        return FileResponse(path, media_type="video/mp4")

    return Starlette(routes=[Route("/file", endpoint, methods=["GET", "HEAD"])])


def _granian(factory: str, port: int) -> list[str]:
    return [
        str(VENV_BIN / "granian"),
        *("--interface", "asgi", "--factory", "--workers", "1", "--host", "127.0.0.1", "--port", str(port)),
        f"bench.streaming:{factory}",
    ]


# --- set-up ---------------------------------------------------------------------------------------------------


def _write_file(path: Path, size_mb: int) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    block = os.urandom(BLOCK_BYTES)
    remaining = size_mb * MB
    with path.open("wb") as handle:
        while remaining > 0:
            remaining -= handle.write(block[: min(BLOCK_BYTES, remaining)])
    # Into the page cache before either side reads it.
    with path.open("rb") as handle:
        while handle.read(BLOCK_BYTES):
            pass


def _library_item(env: dict[str, str], library: Path, movie: Path) -> str:
    """A library folder and the file's item, written through the services into the app's database."""
    script = (
        "import sys, uuid\n"
        "from seen.db import session_scope\n"
        "from seen.models.library import LibraryItem\n"
        "from seen.services import library_scan\n"
        "with session_scope() as session:\n"
        "    root = library_scan.add_root(session=session, path=sys.argv[1], label='Bench')\n"
        "    item = LibraryItem(root_id=root.id, absolute_path=sys.argv[2], relative_path=sys.argv[3],\n"
        "                       file_name=sys.argv[4], container_format='mp4', file_size_bytes=int(sys.argv[5]))\n"
        "    session.add(item)\n"
        "    session.flush()\n"
        "    print(item.id)\n"
    )
    arguments = [str(library), str(movie), MOVIE, movie.name, str(movie.stat().st_size)]
    found = subprocess.run(
        [sys.executable, "-c", script, *arguments], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    return found.stdout.strip().splitlines()[-1]


def _token(base_url: str) -> str:
    body = {"email": BENCH_EMAIL, "password": BENCH_PASSWORD}
    response = httpx.post(f"{base_url}/api/v1/auth/register", json=body, timeout=30)
    response.raise_for_status()
    return str(response.json()["access_token"])


# --- the load -------------------------------------------------------------------------------------------------


@dataclass
class ClientRun:
    bytes_read: int = 0
    requests: int = 0
    failures: int = 0
    complete: bool = False
    error: str = ""


def _read_whole_file(
    port: int, path: str, headers: dict[str, str], size: int, chunk: int, deadline: float, latencies: list[float]
) -> ClientRun:
    """One client: the whole file in consecutive ranges on one keep-alive connection, each body into one buffer."""
    run = ClientRun()
    buffer = memoryview(bytearray(chunk))
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        start = 0
        while start < size and time.monotonic() < deadline:
            end = min(start + chunk, size) - 1
            began = time.perf_counter()
            connection.request("GET", path, headers={**headers, "Range": f"bytes={start}-{end}"})
            response = connection.getresponse()
            expected = end - start + 1
            got = 0
            while got < expected:
                read = response.readinto(buffer[got:expected])
                if not read:
                    break
                got += read
            response.read()
            latencies.append(time.perf_counter() - began)
            run.requests += 1
            run.bytes_read += got
            if response.status != 206 or got != expected:
                run.failures += 1
                run.error = f"status {response.status}, {got} of {expected} bytes"
                break
            start = end + 1
        run.complete = start >= size
    except (OSError, http.client.HTTPException) as error:
        run.error = f"{type(error).__name__}: {error}"
    finally:
        connection.close()
    return run


def _load(port: int, path: str, headers: dict[str, str], size: int, sizes: Sizes, server: procs.Server) -> dict:
    latencies: list[list[float]] = [[] for _ in range(sizes.clients)]
    runs: list[ClientRun] = [ClientRun() for _ in range(sizes.clients)]
    deadline = time.monotonic() + sizes.seconds

    def client(number: int) -> None:
        runs[number] = _read_whole_file(port, path, headers, size, sizes.chunk_mb * MB, deadline, latencies[number])

    threads = [threading.Thread(target=client, args=(number,), daemon=True) for number in range(sizes.clients)]
    cpu_before = procs.tree_cpu_seconds(server.process.pid)
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=sizes.seconds + 120)
    elapsed = time.perf_counter() - started
    server_cpu = procs.tree_cpu_seconds(server.process.pid) - cpu_before
    every = sorted(latency for per_client in latencies for latency in per_client)
    total = sum(run.bytes_read for run in runs)
    return {
        "mb_per_s": round(total / MB / elapsed, 1),
        "seconds": round(elapsed, 2),
        "bytes_read": total,
        "requests": len(every),
        "request_ms": _percentiles(every),
        "server_cpu_s": round(server_cpu, 2),
        "clients_complete": sum(run.complete for run in runs),
        "failures": sum(run.failures for run in runs),
        "errors": sorted({run.error for run in runs if run.error})[:5],
    }


def _percentiles(values: list[float]) -> dict[str, float] | None:
    if not values:
        return None
    cuts = statistics.quantiles(values, n=100, method="inclusive") if len(values) > 1 else values * 99
    return {"p50": round(cuts[49] * 1000, 1), "p95": round(cuts[94] * 1000, 1), "max": round(values[-1] * 1000, 1)}


def _same_bytes(base_url: str, path: str, headers: dict[str, str], movie: Path) -> bool:
    """Both sides serve the file itself: a range from the middle compared with the disk."""
    offset = movie.stat().st_size // 2 + 12345
    response = httpx.get(f"{base_url}{path}", headers={**headers, "Range": f"bytes={offset}-{offset + 4095}"})
    with movie.open("rb") as handle:
        handle.seek(offset)
        return response.status_code == 206 and response.content == handle.read(4096)


# --- the run --------------------------------------------------------------------------------------------------


def run() -> dict[str, Any]:
    sizes = Sizes.from_env()
    results: dict[str, Any] = {
        "sizes": asdict(sizes),
        "file": "real bytes (a 64 MB random block repeated), read once before the run: served from the page cache",
        "server": "granian --interface asgi --workers 1 (the embedded setup's worker count) for both sides",
        "goal": f"app / bare MB/s >= {GOAL_RATIO}",
        "errors": [],
    }
    work = scratch_dir("streaming")
    try:
        library = work / "library"
        movie = library / MOVIE
        _write_file(movie, sizes.file_mb)
        size = movie.stat().st_size
        app_port, bare_port = free_port(), free_port()
        env = app_env(data_dir=work / "data", port=app_port, backend=EMBEDDED)
        (work / "data").mkdir()
        subprocess.run(migrate_command(), cwd=ROOT, env=env, check=True, capture_output=True, timeout=180)
        item_id = _library_item(env, library, movie)
        bare_env = {**env, FILE_ENV: str(movie)}
        with (
            procs.running(_granian("api_app", app_port), env=env, log=log_path("streaming-app")) as app,
            procs.running(_granian("bare_app", bare_port), env=bare_env, log=log_path("streaming-bare")) as bare,
        ):
            app_url, bare_url = f"http://127.0.0.1:{app_port}", f"http://127.0.0.1:{bare_port}"
            procs.wait_for_200(app, f"{app_url}/api/v1/health/live", timeout_s=60)
            procs.wait_for_200(bare, f"{bare_url}/file", timeout_s=60)
            headers = {"Authorization": f"Bearer {_token(app_url)}"}
            app_path = f"/api/v1/stream/{item_id}"
            if not _same_bytes(app_url, app_path, headers, movie) or not _same_bytes(bare_url, "/file", {}, movie):
                results["errors"].append("a side did not answer a range with the file's bytes")
            # Bare first, then the app: page cache and CPU frequency are as warm for the second as for the first.
            results["bare"] = _load(bare_port, "/file", {}, size, sizes, bare)
            results["app"] = _load(app_port, app_path, headers, size, sizes, app)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    app_side, bare_side = results["app"], results["bare"]
    results["ratio"] = round(app_side["mb_per_s"] / bare_side["mb_per_s"], 3) if bare_side["mb_per_s"] else None
    results["meets_goal"] = bool(results["ratio"] and results["ratio"] >= GOAL_RATIO)
    for label in ("bare", "app"):
        side = results[label]
        if side["failures"] or side["errors"]:
            results["errors"].append(f"{label}: {side['failures']} failed requests: {side['errors']}")
        elif side["clients_complete"] < sizes.clients:
            results["errors"].append(
                f"{label}: {side['clients_complete']} of {sizes.clients} clients read the whole file within the "
                f"{sizes.seconds:.0f} s cap (the MB/s are still measured)"
            )
    return results


def summary(results: dict[str, Any]) -> list[str]:
    sizes = results["sizes"]
    lines = [f"{sizes['clients']} clients x {sizes['file_mb']} MB file in {sizes['chunk_mb']} MB ranges"]
    for label in ("app", "bare"):
        side = results[label]
        latency = side["request_ms"] or {}
        lines.append(
            f"{label}: {side['mb_per_s']} MB/s over {side['seconds']} s, {side['requests']} requests, "
            f"p50 {latency.get('p50')} ms p95 {latency.get('p95')} ms, server CPU {side['server_cpu_s']} s"
        )
    verdict = "met" if results["meets_goal"] else "NOT met"
    lines.append(f"app/bare: {results['ratio']} (goal >= {GOAL_RATIO}: {verdict})")
    return lines


if __name__ == "__main__":
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    from bench.run import main as run_benchmarks

    sys.exit(run_benchmarks([NAME]))
