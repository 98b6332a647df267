"""What every benchmark shares: project paths, the app's environment, scratch space and result files."""

from __future__ import annotations

import json
import os
import platform
import shutil
import socket
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
# Ignored by git: data dirs and server logs of the last run, kept for a look after a failure.
WORK = ROOT / "bench" / ".work"
LOGS = WORK / "logs"
VENV_BIN = ROOT / ".venv" / "bin"
TOOLS_BIN = ROOT / ".tools" / "node_modules" / ".bin"


@dataclass(frozen=True)
class Backend:
    """Where the app keeps its data: empty URLs mean the embedded defaults (SQLite, in-memory cache)."""

    name: str
    database_url: str = ""
    redis_url: str = ""

    @property
    def uses_redis(self) -> bool:
        return bool(self.redis_url)


EMBEDDED = Backend("embedded")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def in_process_env(prefix: str, **settings: str) -> Iterator[Path]:
    """For benchmarks that run the services in this process: a scratch data dir and these settings
    (`SEEN_*` names), then the environment as it was and the scratch dir gone, however the run ends."""
    names = ("SEEN_DATABASE_URL", "SEEN_REDIS_URL", "SEEN_DATA_DIR", *settings)
    saved = {name: os.environ.get(name) for name in names}
    work = scratch_dir(prefix)
    os.environ["SEEN_DATA_DIR"] = str(work)
    os.environ.update(settings)
    try:
        yield work
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        shutil.rmtree(work, ignore_errors=True)


def scratch_dir(prefix: str) -> Path:
    WORK.mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(prefix=f"{prefix}-", dir=WORK))


def log_path(name: str) -> Path:
    LOGS.mkdir(parents=True, exist_ok=True)
    return LOGS / f"{name}.log"


def app_env(*, data_dir: Path, port: int, backend: Backend) -> dict[str, str]:
    """The environment of `make run`, pointed at a scratch data dir and a free port."""
    env = dict(os.environ)
    env.update(
        PATH=f"{TOOLS_BIN}:{VENV_BIN}:{env.get('PATH', '')}",
        REFLEX_TELEMETRY_ENABLED="false",
        SEEN_DATA_DIR=str(data_dir),
        SEEN_DATABASE_URL=backend.database_url or f"sqlite:///{data_dir / 'seen.db'}",
        SEEN_REDIS_URL=backend.redis_url,
        SEEN_PUBLIC_BASE_URL=f"http://localhost:{port}",
        # Access logs are INFO: off, so the numbers measure the app and not the log pipe.
        SEEN_LOG_LEVEL="WARNING",
        # Registration hashes one password; a low cost keeps set-up short and changes no measured path.
        SEEN_BCRYPT_ROUNDS="4",
    )
    if backend.uses_redis:
        env["REFLEX_REDIS_URL"] = backend.redis_url
    else:
        # An inherited REFLEX_REDIS_URL would silently turn the embedded run into a Redis one.
        env.pop("REFLEX_REDIS_URL", None)
    return env


def reflex_run_command(port: int | str) -> list[str]:
    """`make run`'s server command, with the port made explicit (it defaults to 3000)."""
    return [str(VENV_BIN / "reflex"), "run", "--env", "prod", "--frontend-port", str(port), "--backend-port", str(port)]


def migrate_command() -> list[str]:
    return [str(VENV_BIN / "seen"), "migrate"]


def machine() -> dict[str, Any]:
    return {
        "nproc": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpu": _cpu_model(),
    }


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor()


def write_result(name: str, results: dict[str, Any]) -> Path:
    """One file per benchmark, always the same top-level shape."""
    payload = {
        "benchmark": name,
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "results": results,
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    target = RESULTS / f"{name}.json"
    # Write beside, then rename: a reader never sees half a file.
    temp = target.with_suffix(".json.tmp")
    temp.write_text(json.dumps(payload, indent=2) + "\n")
    temp.replace(target)
    return target


def fresh_app_database(url: str, redis_url: str):
    """Migrate `url` from base (the previous run's rows go with the schema), point the app's settings,
    engine and cache at it and at `redis_url` (emptied; "" for the in-memory cache), and return the
    app's engine."""
    from seen import cache, db
    from seen.config import reset_settings
    from seen.migrate import downgrade, upgrade

    downgrade(url, "base")
    upgrade(url)
    os.environ["SEEN_DATABASE_URL"] = url
    os.environ["SEEN_REDIS_URL"] = redis_url
    reset_settings()
    db.reset_engine()
    cache.reset_cache()
    if redis_url:
        import redis

        redis.Redis.from_url(redis_url).flushdb()
    return db.get_engine()
