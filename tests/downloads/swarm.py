"""A local download swarm for tests: a throttled Range file server, opentracker, torrents and an aria2c seeder.

Everything listens on 127.0.0.1 on free ports, so download tests never touch the internet. The file server's
rate limit can change while a download runs, which lets a test pause or cancel half way through.
"""

from __future__ import annotations

import hashlib
import os
import random
import re
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import quote, unquote, urlencode, urlsplit

import httpx

from seen.downloads.bencode import decode, decode_with_spans, encode
from seen.downloads.engine import DownloadEngine, EngineStatus
from tests.servers import free_port
from tests.waiting import wait_until

ARIA2C = shutil.which("aria2c") or "/usr/bin/aria2c"
OPENTRACKER = shutil.which("opentracker") or "/usr/sbin/opentracker"
CHUNK = 16 * 1024
SENDFILE_CHUNK = 8 * 1024 * 1024


def write_payload(path: Path, size: int, seed: int = 0) -> Path:
    """Write `size` deterministic pseudo-random bytes (the same for the same seed) to `path`."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(random.Random(seed).randbytes(size))
    return path


# --- HTTP file server ------------------------------------------------------------------------------------


class FileServer:
    """A running file server; see `serve_files`."""

    def __init__(self, root: Path, *, rate: int | None, ranges: bool) -> None:
        self.root = root
        self.rate = rate  # bytes per second per connection; None = as fast as possible
        self.ranges = ranges
        self.requests: list[tuple[str, str | None]] = []
        self.redirects: dict[str, str] = {}
        self.headers: dict[str, dict[str, str]] = {}  # extra response headers per file name
        self.closing = threading.Event()
        self.port = 0

    def url(self, name: str) -> str:
        return f"http://127.0.0.1:{self.port}/{quote(name)}"

    def redirect(self, from_name: str, to_url: str) -> None:
        """Answer requests for `from_name` with a 302 to `to_url`."""
        self.redirects[from_name] = to_url

    def set_headers(self, name: str, headers: dict[str, str]) -> None:
        """Send these extra headers (for example Content-Disposition) with `name`."""
        self.headers[name] = headers


def range_handler(server: FileServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            return

        def do_HEAD(self) -> None:
            self._serve(body=False)

        def do_GET(self) -> None:
            self._serve(body=True)

        def _serve(self, *, body: bool) -> None:
            name = unquote(urlsplit(self.path).path.lstrip("/"))
            range_header = self.headers.get("Range")
            server.requests.append((name, range_header))
            if name in server.redirects:
                self.send_response(302)
                self.send_header("Location", server.redirects[name])
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            path = (server.root / name).resolve()
            if not path.is_file() or not path.is_relative_to(server.root.resolve()):
                self.send_error(404)
                return
            size = path.stat().st_size
            start, end = 0, size - 1
            status = 200
            if server.ranges and range_header:
                match = re.fullmatch(r"bytes=(\d*)-(\d*)", range_header.strip())
                if not match or (not match[1] and not match[2]):
                    return self._unsatisfiable(size)
                if match[1]:
                    start = int(match[1])
                    end = min(int(match[2]), size - 1) if match[2] else size - 1
                else:  # a suffix range: the last N bytes
                    start = max(size - int(match[2]), 0)
                if start >= size or start > end:
                    return self._unsatisfiable(size)
                status = 206
            self.send_response(status)
            self.send_header("Content-Type", "application/octet-stream")
            self.send_header("Content-Length", str(end - start + 1))
            if server.ranges:
                self.send_header("Accept-Ranges", "bytes")
            if status == 206:
                self.send_header("Content-Range", f"bytes {start}-{end}/{size}")
            for header, value in server.headers.get(name, {}).items():
                self.send_header(header, value)
            self.end_headers()
            if body:
                self._send_body(path, start, end - start + 1)

        def _unsatisfiable(self, size: int) -> None:
            self.send_response(416)
            self.send_header("Content-Range", f"bytes */{size}")
            self.send_header("Content-Length", "0")
            self.end_headers()

        def _send_body(self, path: Path, start: int, length: int) -> None:
            with path.open("rb") as source, suppress(ConnectionError, TimeoutError):
                while length > 0 and not server.closing.is_set():
                    rate = server.rate  # read each time: a test may change it mid-download
                    if rate is None:
                        # The kernel copies: Python's write loop would be the bottleneck at loopback speed.
                        out = self.connection.fileno()
                        sent = os.sendfile(out, source.fileno(), start, min(length, SENDFILE_CHUNK))
                    else:
                        source.seek(start)
                        chunk = source.read(min(length, max(1, min(CHUNK, rate // 10))))
                        self.wfile.write(chunk)
                        sent = len(chunk)
                        time.sleep(sent / rate)
                    if not sent:
                        return
                    start, length = start + sent, length - sent

    return Handler


@contextmanager
def serve_files(root: Path, *, rate: int | None = None, ranges: bool = True) -> Iterator[FileServer]:
    """Serve the files under `root` over HTTP on 127.0.0.1 (Range, HEAD, 206/416, redirects) until the block ends.

    `ranges=False` imitates a server that ignores Range headers (always 200 with the whole file).
    """
    server = FileServer(root, rate=rate, ranges=ranges)
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), range_handler(server))
    httpd.daemon_threads = True
    server.port = httpd.server_address[1]
    thread = threading.Thread(target=httpd.serve_forever, name="test-file-server", daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.closing.set()
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=10)


# --- BitTorrent: torrents, tracker, seeder ---------------------------------------------------------------


def make_torrent(content: Path, *, announce: str, piece_length: int = 16384) -> bytes:
    """A .torrent for a file, or for a folder (multi-file, files in sorted path order), with real piece hashes."""
    if content.is_dir():
        paths = sorted(path for path in content.rglob("*") if path.is_file())
        entries = [(path, list(path.relative_to(content).parts)) for path in paths]
    else:
        entries = [(content, [content.name])]
    pieces = bytearray()
    buffer = bytearray()
    for path, _ in entries:
        buffer += path.read_bytes()
        while len(buffer) >= piece_length:
            pieces += hashlib.sha1(buffer[:piece_length]).digest()
            del buffer[:piece_length]
    if buffer:
        pieces += hashlib.sha1(buffer).digest()
    info: dict[str, object] = {"name": content.name, "piece length": piece_length, "pieces": bytes(pieces)}
    if content.is_dir():
        info["files"] = [{"length": path.stat().st_size, "path": parts} for path, parts in entries]
    else:
        info["length"] = content.stat().st_size
    return encode({"announce": announce, "created by": "seen tests", "info": info})


def info_hash_of(torrent: bytes) -> str:
    """The torrent's v1 info hash, 40 lower-case hex digits."""
    _, spans = decode_with_spans(torrent)
    start, end = spans[b"info"]
    return hashlib.sha1(torrent[start:end]).hexdigest()


def magnet_for(torrent: bytes, *, announce: str) -> str:
    """A magnet URI for the torrent: its info hash, name and one tracker."""
    name = decode(torrent)[b"info"][b"name"].decode()
    return "magnet:?" + urlencode({"xt": f"urn:btih:{info_hash_of(torrent)}", "dn": name, "tr": announce}, safe=":/")


@dataclass
class Tracker:
    """A running opentracker; it answers only for info hashes allowed with `allow`."""

    port: int
    directory: Path
    process: subprocess.Popen[bytes]
    allowed: list[str] = field(default_factory=list)

    @property
    def announce_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/announce"

    @property
    def scrape_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/scrape"

    def allow(self, info_hash_hex: str) -> None:
        """Add an info hash to the whitelist and wait until the tracker has reloaded it."""
        info_hash = info_hash_hex.lower()
        self.allowed.append(info_hash)
        with (self.directory / "whitelist").open("a") as whitelist:
            whitelist.write(info_hash + "\n")
        self.process.send_signal(signal.SIGHUP)  # opentracker rereads its whitelist on SIGHUP
        deadline = time.monotonic() + 10
        while not self._authorised(info_hash):
            if time.monotonic() > deadline:
                raise RuntimeError(f"opentracker did not accept {info_hash} after reloading its whitelist")
            time.sleep(0.05)

    def seeders(self, info_hash_hex: str) -> int:
        """How many complete peers the tracker knows for the info hash (from a scrape)."""
        return _complete_peers(self.scrape_url, bytes.fromhex(info_hash_hex))

    def _authorised(self, info_hash: str) -> bool:
        # A "stopped" announce asks without adding a peer to the swarm.
        query = {"peer_id": "-SEENTEST-0000000000", "port": "1", "left": "0", "event": "stopped", "compact": "1"}
        url = f"{self.announce_url}?info_hash={quote(bytes.fromhex(info_hash), safe='')}&{urlencode(query)}"
        with suppress(httpx.HTTPError):
            return b"failure reason" not in httpx.get(url, timeout=5).content
        return False


@contextmanager
def run_tracker() -> Iterator[Tracker]:
    """Run opentracker on 127.0.0.1 (TCP and UDP on a free port) with an empty whitelist until the block ends."""
    directory = Path(tempfile.mkdtemp(prefix="seen-tracker-"))
    # opentracker chroots into its root dir and drops to `nobody`: the dir and whitelist must be readable.
    directory.chmod(0o755)
    (directory / "whitelist").write_text("")
    (directory / "whitelist").chmod(0o644)
    (directory / "opentracker.conf").write_text(f"tracker.rootdir {directory}\naccess.whitelist /whitelist\n")
    port = free_port()
    process = subprocess.Popen(
        [OPENTRACKER, "-i", "127.0.0.1", "-p", str(port), "-P", str(port), "-f", str(directory / "opentracker.conf")],
        cwd=directory,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    tracker = Tracker(port=port, directory=directory, process=process)
    try:
        _wait_for(lambda: _answers(tracker.scrape_url), what="opentracker", process=process)
        yield tracker
    finally:
        _stop(process)
        shutil.rmtree(directory, ignore_errors=True)


@dataclass
class Seeder:
    """A running seeding aria2c; see `run_seeder`."""

    port: int
    process: subprocess.Popen[bytes]
    log: Path


@contextmanager
def run_seeder(torrent: bytes, content_parent: Path, *, wait_announced: bool = True) -> Iterator[Seeder]:
    """Seed `torrent` (whose content lies in `content_parent`) with aria2c until the block ends.

    The torrent's info hash must already be allowed on the tracker. With `wait_announced`, returns only once
    the tracker lists the seeder, so a download started next finds it in its first announce.
    """
    directory = Path(tempfile.mkdtemp(prefix="seen-seeder-"))
    torrent_path = directory / "seed.torrent"
    torrent_path.write_bytes(torrent)
    port = free_port()
    log = directory / "aria2c.log"
    process = subprocess.Popen(
        [
            ARIA2C,
            "--no-conf=true",
            f"--dir={content_parent}",
            "--check-integrity=true",
            "--seed-ratio=0.0",
            f"--listen-port={port}",
            "--enable-dht=false",
            "--enable-dht6=false",
            "--bt-enable-lpd=false",
            "--enable-peer-exchange=false",
            "--bt-tracker-interval=1",
            "--file-allocation=none",
            "--allow-overwrite=false",
            "--auto-file-renaming=false",
            "--summary-interval=0",
            "--console-log-level=warn",
            f"--log={log}",
            "--log-level=info",
            str(torrent_path),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    seeder = Seeder(port=port, process=process, log=log)
    try:
        if wait_announced:
            announce = decode(torrent)[b"announce"].decode()
            scrape = announce.replace("/announce", "/scrape")
            info_hash = bytes.fromhex(info_hash_of(torrent))
            _wait_for(lambda: _complete_peers(scrape, info_hash) > 0, what="the seeder's announce", process=process)
        yield seeder
    finally:
        _stop(process)
        shutil.rmtree(directory, ignore_errors=True)


def _complete_peers(scrape_url: str, info_hash: bytes) -> int:
    with suppress(httpx.HTTPError):
        answer = decode(httpx.get(f"{scrape_url}?info_hash={quote(info_hash, safe='')}", timeout=5).content)
        return answer.get(b"files", {}).get(info_hash, {}).get(b"complete", 0)
    return 0


def _answers(url: str) -> bool:
    with suppress(httpx.HTTPError):
        httpx.get(url, timeout=2)
        return True
    return False


def _wait_for(ready, *, what: str, process: subprocess.Popen[bytes], timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while not ready():
        if process.poll() is not None:
            raise RuntimeError(f"{what}: the process exited with code {process.returncode}")
        if time.monotonic() > deadline:
            raise RuntimeError(f"timed out waiting for {what}")
        time.sleep(0.1)


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)


def wait_for_state(engine: DownloadEngine, handle: str, *states: str, timeout: float = 20) -> EngineStatus:
    """Poll the engine until the download reaches one of `states` (returns its status); AssertionError on timeout."""

    def reached() -> EngineStatus | None:
        status = engine.status(handle)
        return status if status.state in states else None

    try:
        return wait_until(reached, timeout=timeout, what=f"{handle} to become {'/'.join(states)}")
    except AssertionError as error:
        last = engine.status(handle)
        raise AssertionError(f"{error}; last state {last.state} {last.error_message!r}") from None


__all__ = [
    "FileServer",
    "Seeder",
    "Tracker",
    "free_port",
    "info_hash_of",
    "magnet_for",
    "make_torrent",
    "run_seeder",
    "run_tracker",
    "serve_files",
    "wait_for_state",
    "wait_until",
    "write_payload",
]
