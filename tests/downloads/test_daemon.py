"""The app's own aria2c (ManagedAria2) and the engine choice (select): start, reuse, restart, stop."""

from __future__ import annotations

import os
import signal
import subprocess
from pathlib import Path

import pytest
from aria2p import Client

from seen.config import get_settings, reset_settings
from seen.downloads import daemon, select
from seen.downloads.aria2 import Aria2Engine
from seen.downloads.daemon import ManagedAria2
from seen.downloads.engine import DownloadRequest, EngineError, EngineJobMissing, EngineUnavailable
from seen.downloads.http_engine import HttpEngine
from tests.downloads.conftest import DownloadsEnv
from tests.downloads.swarm import ARIA2C, FileServer, free_port, wait_for_state, write_payload
from tests.waiting import wait_until

SIZE = 256 * 1024


def _rpc(env: DownloadsEnv) -> Client:
    return Client("http://127.0.0.1", env.rpc_port, get_settings().resolved_aria2_rpc_secret, timeout=5)


def _fake_aria2c(tmp_path: Path, script: str) -> str:
    program = tmp_path / "fake-aria2c"
    program.write_text(f"#!/bin/sh\n{script}\n")
    program.chmod(0o755)
    return str(program)


def test_the_daemon_listens_on_loopback_with_a_secret_and_dies_with_us(downloads_env: DownloadsEnv) -> None:
    # Given no aria2c running
    # When the engine is asked for
    engine = select.download_engine()
    # Then the app's own aria2c answers on 127.0.0.1 at the configured port, with our secret
    assert isinstance(engine, Aria2Engine)
    assert engine.rpc_url == f"http://127.0.0.1:{downloads_env.rpc_port}/jsonrpc"
    options = _rpc(downloads_env).get_global_option()
    assert options["rpc-listen-all"] == "false"
    assert options["dir"] == str(downloads_env.downloads_dir)
    assert options["listen-port"] == str(downloads_env.listen_port)
    assert options["stop-with-process"] == str(os.getpid())
    assert options["continue"] == "true"
    with pytest.raises(EngineUnavailable, match="RPC secret"):
        Aria2Engine(engine.rpc_url, "guess").ping()
    # And the secret is not on its command line (every local user can read those)
    pid = select.managed_daemon().pid
    assert pid is not None
    assert get_settings().resolved_aria2_rpc_secret.encode() not in Path(f"/proc/{pid}/cmdline").read_bytes()
    # And asking again reuses it
    select.download_engine()
    assert select.managed_daemon().pid == pid


def test_a_killed_daemon_is_restarted_and_the_job_added_again_finishes(
    downloads_env: DownloadsEnv, file_server: FileServer
) -> None:
    # Given a slow download running in the app's aria2c
    payload = write_payload(file_server.root / "movie.bin", SIZE, seed=1)
    file_server.rate = 64 * 1024
    engine = select.download_engine()
    job = downloads_env.downloads_dir / "job"
    job.mkdir()
    request = DownloadRequest("http", file_server.url("movie.bin"), job, file_name="Movie.bin")
    gid = engine.add(request)
    wait_until(lambda: engine.status(gid).bytes_completed > 32 * 1024, what="progress")
    old_pid = select.managed_daemon().pid
    assert old_pid is not None
    # When aria2c is killed outright
    os.kill(old_pid, signal.SIGKILL)
    wait_until(lambda: select.managed_daemon().pid is None, what="aria2c to die")
    with pytest.raises(EngineUnavailable):
        engine.ping()
    # Then the next call starts a new one, which does not know the old download
    select.ensure_running()
    new_pid = select.managed_daemon().pid
    assert new_pid not in {None, old_pid}
    engine = select.download_engine()
    with pytest.raises(EngineJobMissing):
        engine.status(gid)
    # And adding the same request again finishes the same file, exactly, without a renamed copy
    file_server.rate = None
    done = wait_for_state(engine, engine.add(request), "complete", "error")
    assert done.state == "complete", done.error_message
    assert (job / "Movie.bin").read_bytes() == payload.read_bytes()
    assert sorted(path.name for path in job.iterdir()) == ["Movie.bin"]


def test_a_clean_stop_keeps_unfinished_downloads_for_the_next_start_only(
    downloads_env: DownloadsEnv, file_server: FileServer
) -> None:
    # Given a paused download in the app's aria2c
    write_payload(file_server.root / "movie.bin", SIZE, seed=2)
    file_server.rate = 32 * 1024
    engine = select.download_engine()
    job = downloads_env.downloads_dir / "job"
    job.mkdir()
    gid = engine.add(DownloadRequest("http", file_server.url("movie.bin"), job))
    wait_until(lambda: engine.status(gid).bytes_completed > 0, what="progress")
    engine.pause(gid)
    wait_for_state(engine, gid, "paused")
    # When aria2c is stopped cleanly and started again
    select.shutdown_engines()
    assert select.managed_daemon().pid is None
    engine = select.download_engine()
    # Then the download is back under the same handle, still paused
    assert engine.status(gid).state == "paused"
    # When that aria2c is killed (it saves nothing) and started once more
    os.kill(select.managed_daemon().pid or 0, signal.SIGKILL)
    wait_until(lambda: select.managed_daemon().pid is None, what="aria2c to die")
    engine = select.download_engine()
    # Then the old session is not restored a second time
    with pytest.raises(EngineJobMissing):
        engine.status(gid)


def test_a_daemon_with_our_secret_is_reused_and_left_alone(downloads_env: DownloadsEnv) -> None:
    # Given the app's aria2c started by one supervisor
    first = select.managed_daemon()
    url = first.ensure_running()
    # When another supervisor (say, another process of the app) ensures it runs
    second = ManagedAria2()
    # Then it uses the same daemon without starting one, and stopping it leaves the daemon running
    assert second.ensure_running() == url
    assert second.pid is None
    second.stop()
    Aria2Engine(url, get_settings().resolved_aria2_rpc_secret).ping()
    assert first.pid is not None


def test_a_port_taken_by_another_program_is_a_readable_error(downloads_env: DownloadsEnv, tmp_path: Path) -> None:
    # Given an aria2c of someone else (another secret) on the configured RPC port
    other = subprocess.Popen(
        [ARIA2C, "--no-conf=true", "--enable-rpc", f"--rpc-listen-port={downloads_env.rpc_port}",
         "--rpc-secret=someone-else", f"--dir={tmp_path}", f"--listen-port={free_port()}", "--enable-dht=false",
         f"--stop-with-process={os.getpid()}"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        wait_until(lambda: daemon._port_open(downloads_env.rpc_port), what="the other aria2c")
        # When the engine is asked for
        # Then it says what to change
        with pytest.raises(EngineUnavailable, match="taken by another program: set SEEN_ARIA2_RPC_PORT"):
            select.download_engine()
    finally:
        other.terminate()
        other.wait(timeout=10)


def test_an_aria2c_that_cannot_start_gives_its_reason(
    downloads_env: DownloadsEnv, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given an aria2c program that fails at once, saying why
    monkeypatch.setenv("SEEN_ARIA2C_PATH", _fake_aria2c(tmp_path, "echo 'Exception: cannot bind' >&2; exit 3"))
    reset_settings()
    # When the engine is asked for
    # Then the error carries the exit code and the program's own words
    with pytest.raises(EngineUnavailable, match="exited at start with code 3: Exception: cannot bind"):
        select.download_engine()


def test_an_aria2c_that_never_answers_times_out(
    downloads_env: DownloadsEnv, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given an aria2c program that hangs without opening its RPC port, and a short start timeout
    monkeypatch.setenv("SEEN_ARIA2C_PATH", _fake_aria2c(tmp_path, "exec sleep 30"))
    monkeypatch.setattr(daemon, "START_TIMEOUT_SECONDS", 1.0)
    reset_settings()
    # When the engine is asked for
    # Then it gives up with a readable error and leaves no process behind
    with pytest.raises(EngineUnavailable, match=f"did not answer on 127.0.0.1:{downloads_env.rpc_port} within 1 s"):
        select.download_engine()
    assert select.managed_daemon().pid is None


def test_without_aria2c_the_http_engine_is_chosen(downloads_env: DownloadsEnv, monkeypatch: pytest.MonkeyPatch) -> None:
    # Given no aria2c on this machine
    monkeypatch.setenv("SEEN_ARIA2C_PATH", "/nonexistent/aria2c")
    reset_settings()
    # When the engine is chosen automatically
    # Then it is the built-in HTTP engine, which takes plain URLs only
    assert not daemon.aria2c_available()
    assert isinstance(select.download_engine(), HttpEngine)
    assert select.engine_capabilities() == {"http", "direct"}
    # And forcing aria2 says what to install
    monkeypatch.setenv("SEEN_DOWNLOAD_ENGINE", "aria2")
    reset_settings()
    assert select.engine_capabilities() == {"magnet", "torrent", "http", "direct"}
    with pytest.raises(EngineUnavailable, match="install aria2c, or set SEEN_ARIA2_RPC_URL"):
        select.download_engine()


def test_engines_by_name(downloads_env: DownloadsEnv, monkeypatch: pytest.MonkeyPatch) -> None:
    # Given the HTTP engine forced by the settings
    monkeypatch.setenv("SEEN_DOWNLOAD_ENGINE", "http")
    reset_settings()
    # When engines are looked up
    # Then each name gives its process-wide engine, and no aria2c was started for the choice
    assert select.download_engine() is select.engine_named("http")
    assert select.engine_capabilities() == {"http", "direct"}
    assert select.managed_daemon().pid is None
    with pytest.raises(EngineError, match="no download engine named 'ftp'"):
        select.engine_named("ftp")


def test_an_external_daemon_is_used_as_configured(
    downloads_env: DownloadsEnv, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given an aria2 daemon run by someone else, configured by URL and secret
    port = free_port()
    external = subprocess.Popen(
        [ARIA2C, "--no-conf=true", "--enable-rpc", f"--rpc-listen-port={port}", "--rpc-secret=compose-secret",
         f"--dir={tmp_path}", f"--listen-port={free_port()}", "--enable-dht=false",
         f"--stop-with-process={os.getpid()}"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        monkeypatch.setenv("SEEN_ARIA2_RPC_URL", f"http://127.0.0.1:{port}/jsonrpc")
        monkeypatch.setenv("SEEN_ARIA2_RPC_SECRET", "compose-secret")
        reset_settings()
        wait_until(lambda: daemon._port_open(port), what="the external aria2c")
        # When the engine is asked for
        engine = select.download_engine()
        # Then it talks to that daemon and starts none of its own
        assert isinstance(engine, Aria2Engine)
        assert engine.rpc_url == f"http://127.0.0.1:{port}/jsonrpc"
        engine.ping()
        assert select.managed_daemon().pid is None
    finally:
        external.terminate()
        external.wait(timeout=10)
    # And when it is gone, the engine is unavailable (not restarted: it is not ours)
    with pytest.raises(EngineUnavailable, match="not reachable"):
        select.download_engine().ping()
