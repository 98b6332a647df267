"""The app's own aria2c: started on loopback when no external aria2 is configured, and restarted when it died.

The daemon listens for RPC on 127.0.0.1 only, with a secret, and exits with the process that started it
(`--stop-with-process`). On a clean stop aria2 saves its unfinished downloads to a session file in the data
directory; the next start restores them once (same handles). A daemon that was killed saves nothing, so its
handles are gone after the restart and the runner adds those jobs again (aria2 resumes from the partial files).
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import socket
import subprocess
import threading
import time
from pathlib import Path

from seen.config import Settings, get_settings
from seen.downloads.aria2 import Aria2Engine
from seen.downloads.engine import EngineUnavailable

log = logging.getLogger(__name__)

START_TIMEOUT_SECONDS = 15.0
STOP_TIMEOUT_SECONDS = 10.0
# How the app's aria2c writes what it downloads (resume partial files, no preallocation, save the session
# every 10 s); the benchmark gives plain aria2c the same so the two compare fairly.
TRANSFER_OPTIONS = ("--continue=true", "--file-allocation=none", "--auto-save-interval=10")


def aria2c_available(settings: Settings | None = None) -> bool:
    """Whether the configured aria2c program exists (a name on PATH or a path)."""
    return shutil.which((settings or get_settings()).aria2c_path) is not None


class ManagedAria2:
    """Supervises one aria2c child process; safe to call from several threads."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def pid(self) -> int | None:
        """The aria2c we started, while it runs; None when none runs or we reuse one started elsewhere."""
        process = self._process
        return process.pid if process is not None and process.poll() is None else None

    def ensure_running(self) -> str:
        """Make sure our aria2c answers; return its RPC URL. Raises EngineUnavailable with the reason."""
        settings = get_settings()
        rpc_url = f"http://127.0.0.1:{settings.aria2_rpc_port}/jsonrpc"
        with self._lock:
            if self._process is not None and self._process.poll() is None:
                return rpc_url
            if self._process is not None:
                log.warning(
                    "aria2c (pid %s) exited with code %s; restarting it", self._process.pid, self._process.returncode
                )
                self._process = None
            engine = Aria2Engine(rpc_url, settings.resolved_aria2_rpc_secret, timeout=5)
            if _port_open(settings.aria2_rpc_port):
                # An aria2c with our secret (say, left by an earlier run of the app) is reused as it is.
                try:
                    engine.ping()
                except EngineUnavailable:
                    raise EngineUnavailable(
                        f"Port {settings.aria2_rpc_port} on 127.0.0.1 is taken by another program: "
                        "set SEEN_ARIA2_RPC_PORT to a free port."
                    ) from None
                return rpc_url
            self._process = self._start(settings)
            self._wait_until_answering(engine, settings)
            return rpc_url

    def stop(self) -> None:
        """Stop the aria2c we started (it saves its session first); one started elsewhere is left alone."""
        with self._lock:
            process, self._process = self._process, None
            if process is None or process.poll() is not None:
                return
            process.terminate()  # aria2 shuts down cleanly on SIGTERM and writes its session
            try:
                process.wait(timeout=STOP_TIMEOUT_SECONDS)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=STOP_TIMEOUT_SECONDS)

    def _start(self, settings: Settings) -> subprocess.Popen[bytes]:
        program = shutil.which(settings.aria2c_path)
        if program is None:
            raise EngineUnavailable(
                f"aria2c was not found ({settings.aria2c_path}): install aria2 or set SEEN_ARIA2C_PATH."
            )
        state = _state_dir(settings)
        downloads = settings.resolved_downloads_dir
        downloads.mkdir(parents=True, exist_ok=True)
        session, restore = state / "session", state / "session.restore"
        if session.exists():
            # Restore what the last clean stop saved exactly once: a later crash must not bring back
            # downloads that were finished or removed since.
            session.replace(restore)
        arguments = [
            program,
            f"--conf-path={_private_config(state, settings)}",
            "--enable-rpc=true",
            "--rpc-listen-all=false",
            f"--rpc-listen-port={settings.aria2_rpc_port}",
            # Uploaded torrents travel base64-encoded inside the JSON request.
            f"--rpc-max-request-size={settings.torrent_max_bytes * 4 // 3 + 1024 * 1024}",
            f"--dir={downloads}",
            *TRANSFER_OPTIONS,
            f"--stop-with-process={os.getpid()}",
            f"--save-session={session}",
            # Both a magnet's metadata step and its real download take a slot.
            f"--max-concurrent-downloads={max(settings.download_max_active * 2, 5)}",
            f"--listen-port={settings.aria2_listen_port}",
            f"--dht-listen-port={settings.aria2_listen_port}",
            f"--dht-file-path={state / 'dht.dat'}",
            "--enable-dht6=false",
            "--bt-enable-lpd=false",
            # A finished torrent is complete at once (no seeding), so the job can finish.
            "--seed-time=0",
            "--bt-save-metadata=false",
            "--follow-torrent=true",
            "--summary-interval=0",
            "--console-log-level=warn",
        ]
        if restore.exists():
            arguments.append(f"--input-file={restore}")
        console = (state / "aria2c.log").open("wb")
        try:
            process = subprocess.Popen(
                arguments,
                stdin=subprocess.DEVNULL,
                stdout=console,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # a Ctrl-C in the terminal stops the app, which then stops aria2c
            )
        finally:
            console.close()
        log.info("started aria2c (pid %s) on 127.0.0.1:%s", process.pid, settings.aria2_rpc_port)
        return process

    def _wait_until_answering(self, engine: Aria2Engine, settings: Settings) -> None:
        process = self._process
        assert process is not None
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        while True:
            try:
                engine.ping()
                break
            except EngineUnavailable:
                if process.poll() is not None:
                    self._process = None
                    raise EngineUnavailable(
                        f"aria2c exited at start with code {process.returncode}: {_console_tail(settings)}"
                    ) from None
                if time.monotonic() > deadline:
                    self._process = None
                    process.kill()
                    process.wait(timeout=STOP_TIMEOUT_SECONDS)
                    raise EngineUnavailable(
                        f"aria2c did not answer on 127.0.0.1:{settings.aria2_rpc_port} within "
                        f"{START_TIMEOUT_SECONDS:.0f} s: {_console_tail(settings)}"
                    ) from None
                time.sleep(0.05)
        # aria2 has read the restored session by now; it will write a fresh one when it stops.
        (_state_dir(settings) / "session.restore").unlink(missing_ok=True)


def _state_dir(settings: Settings) -> Path:
    directory = settings.data_dir / "aria2"
    directory.mkdir(parents=True, exist_ok=True)
    return directory


def _private_config(state: Path, settings: Settings) -> Path:
    """An owner-only aria2 config file holding the RPC secret, which a command line would show to every user."""
    path = state / "aria2.conf"
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as config:
        config.write(f"rpc-secret={settings.resolved_aria2_rpc_secret}\n")
    path.chmod(0o600)  # in case the file existed with a looser mode
    return path


def _console_tail(settings: Settings) -> str:
    with contextlib.suppress(OSError):
        lines = (_state_dir(settings) / "aria2c.log").read_text(errors="replace").strip().splitlines()
        if lines:
            return " / ".join(lines[-3:])[:500]
    return "no output"


def _port_open(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(1)
        return sock.connect_ex(("127.0.0.1", port)) == 0
