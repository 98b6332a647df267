"""Fixtures for download tests: isolated settings, a local file server and a local tracker."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from seen.config import reset_settings
from tests.downloads.swarm import FileServer, Tracker, free_port, run_tracker, serve_files


@dataclass(frozen=True)
class DownloadsEnv:
    downloads_dir: Path
    data_dir: Path
    rpc_port: int
    listen_port: int


@pytest.fixture
def downloads_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[DownloadsEnv]:
    """Settings for download tests: downloads and data under tmp, free aria2 ports, 127.0.0.1 allowed.

    Works alone and with the `backend` fixture (request it after `backend`): both use `tmp_path / "data"`.
    On teardown the engines are shut down (the managed aria2c stops) and forgotten.
    """
    env = DownloadsEnv(
        downloads_dir=tmp_path / "downloads",
        data_dir=tmp_path / "data",
        rpc_port=free_port(),
        listen_port=free_port(),
    )
    env.downloads_dir.mkdir()
    values = {
        "SEEN_DATA_DIR": str(env.data_dir),
        "SEEN_DOWNLOADS_DIR": str(env.downloads_dir),
        "SEEN_ARIA2_RPC_PORT": str(env.rpc_port),
        "SEEN_ARIA2_LISTEN_PORT": str(env.listen_port),
        "SEEN_ARIA2_RPC_URL": "",
        "SEEN_ARIA2_RPC_SECRET": "",
        "SEEN_DOWNLOAD_ENGINE": "auto",
        "SEEN_DOWNLOAD_ALLOWED_HOSTS": '["127.0.0.1"]',
        "SEEN_DOWNLOAD_POLL_INTERVAL_SECONDS": "0.5",
    }
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    reset_settings()
    from seen.downloads import select

    select.reset_engines()
    try:
        yield env
    finally:
        select.shutdown_engines()
        select.reset_engines()
        reset_settings()


@pytest.fixture
def file_server(tmp_path: Path) -> Iterator[FileServer]:
    """An unthrottled Range file server over `tmp_path / "served"` (write files there; set `.rate` to slow it)."""
    root = tmp_path / "served"
    root.mkdir()
    with serve_files(root) as server:
        yield server


@pytest.fixture
def tracker() -> Iterator[Tracker]:
    """A local opentracker; allow each torrent's info hash with `tracker.allow(...)` before announcing."""
    with run_tracker() as running:
        yield running


@pytest.fixture
def read_only_dir(tmp_path: Path) -> Iterator[Path]:
    """A directory this process cannot write into: mode 0555, or for root (who ignores modes) a read-only tmpfs."""
    directory = tmp_path / "read-only"
    directory.mkdir()
    if os.geteuid() != 0:
        directory.chmod(0o555)
        yield directory
        directory.chmod(0o755)
        return
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "ro,size=1m", "seen-test-read-only", str(directory)],
        capture_output=True,
        timeout=10,
    )
    if mounted.returncode != 0:
        pytest.skip(f"running as root but cannot mount a read-only file system: {mounted.stderr.decode().strip()}")
    try:
        yield directory
    finally:
        subprocess.run(["umount", str(directory)], capture_output=True, timeout=10)
