"""The built-in HTTP engine: plain URLs downloaded by threads of this process, for setups without aria2.

A download writes `<name>.part` in its directory and renames it to `<name>` when complete. Pausing stops the
thread and keeps the part file; resuming asks the server for the rest (`Range`), or starts over when the server
does not honour ranges. Every connection goes through `sources.guarded_client`, so a download (and each of its
redirects) reaches only addresses the allow list permits. State lives in memory: after a restart the handles
are unknown (EngineJobMissing) and the runner adds the job again, which resumes from the part file.
"""

from __future__ import annotations

import errno
import logging
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from seen.downloads.engine import (
    DownloadRequest,
    EngineError,
    EngineFile,
    EngineJobMissing,
    EngineState,
    EngineStatus,
)
from seen.downloads.paths import file_name_from_url
from seen.downloads.sources import AllowList, guarded_client, redact_url
from seen.services.errors import ServiceError

log = logging.getLogger(__name__)

CHUNK_BYTES = 64 * 1024
SPEED_WINDOW_SECONDS = 5.0
JOIN_TIMEOUT_SECONDS = 10.0
MAX_REDIRECTS = 5
DISK_FULL = {errno.ENOSPC, errno.EDQUOT}
NOT_WRITABLE = {errno.EACCES, errno.EPERM, errno.EROFS}
RUNNING: set[EngineState] = {"active", "waiting"}


class _Stopped(Exception):
    """The download was paused or removed while running."""


@dataclass
class _Download:
    handle: str
    request: DownloadRequest
    state: EngineState = "waiting"
    file_name: str | None = None
    bytes_total: int = 0
    bytes_completed: int = 0
    error_message: str = ""
    samples: deque[tuple[float, int]] = field(default_factory=lambda: deque(maxlen=64))
    stop: threading.Event = field(default_factory=threading.Event)
    thread: threading.Thread | None = None
    response: httpx.Response | None = None

    @property
    def target(self) -> Path | None:
        return self.request.directory / self.file_name if self.file_name else None

    @property
    def part(self) -> Path | None:
        return self.request.directory / f"{self.file_name}.part" if self.file_name else None

    def record_progress(self, completed: int) -> None:
        self.bytes_completed = completed
        now = time.monotonic()
        self.samples.append((now, completed))
        while self.samples and now - self.samples[0][0] > SPEED_WINDOW_SECONDS:
            self.samples.popleft()

    def speed(self) -> int:
        """Bytes per second over the last few seconds (0 when not running)."""
        if self.state != "active" or len(self.samples) < 2:
            return 0
        (first_time, first_bytes), (last_time, last_bytes) = self.samples[0], self.samples[-1]
        if time.monotonic() - last_time > SPEED_WINDOW_SECONDS:
            return 0  # nothing arrived lately
        elapsed = last_time - first_time
        return int((last_bytes - first_bytes) / elapsed) if elapsed > 0 else 0


class HttpEngine:
    """The `DownloadEngine` for http/https/ftp-less plain URLs, run by threads of this process."""

    name = "http"

    def __init__(self, allow_provider: Callable[[], AllowList]) -> None:
        self._allow_provider = allow_provider
        self._lock = threading.Lock()
        self._downloads: dict[str, _Download] = {}

    def add(self, request: DownloadRequest) -> str:
        if request.source_type in {"magnet", "torrent"}:
            raise EngineError("Magnets and torrents need aria2: install aria2c or set SEEN_ARIA2_RPC_URL.")
        if request.source_type not in {"http", "direct"}:
            raise EngineError(f"The HTTP engine cannot download a source of type {request.source_type!r}.")
        if not request.source.lower().startswith(("http://", "https://")):
            raise EngineError("The built-in engine downloads only http and https URLs: install aria2c for FTP.")
        download = _Download(handle=f"http-{uuid.uuid4().hex}", request=request, file_name=request.file_name)
        with self._lock:
            self._downloads[download.handle] = download
        self._start(download)
        return download.handle

    def status(self, engine_job_id: str) -> EngineStatus:
        download = self._get(engine_job_id)
        target = download.target
        files = []
        if target is not None:
            files = [EngineFile(target, size_bytes=download.bytes_total, bytes_completed=download.bytes_completed)]
        return EngineStatus(
            engine_job_id=download.handle,
            state=download.state,
            bytes_total=download.bytes_total,
            bytes_completed=download.bytes_completed,
            download_speed_bps=download.speed(),
            peers=1 if download.state == "active" else 0,
            error_message=download.error_message,
            files=files,
        )

    def pause(self, engine_job_id: str) -> None:
        download = self._get(engine_job_id)
        if download.state in RUNNING:
            self._stop(download)
            self._mark_paused(download)

    def resume(self, engine_job_id: str) -> None:
        download = self._get(engine_job_id)
        if download.state in {"paused", "error"}:
            self._start(download)

    def remove(self, engine_job_id: str, *, delete_files: bool = False) -> None:
        with self._lock:
            download = self._downloads.pop(engine_job_id, None)
        if download is None:
            return
        self._stop(download)
        download.state = "removed"
        if delete_files:
            for path in (download.part, download.target):
                if path is not None:
                    path.unlink(missing_ok=True)

    def files(self, engine_job_id: str) -> list[EngineFile]:
        return self.status(engine_job_id).files

    def ping(self) -> None:
        return None

    def shutdown(self) -> None:
        """Stop every running download, keeping the part files (the process is stopping)."""
        with self._lock:
            downloads = list(self._downloads.values())
        for download in downloads:
            if download.state in RUNNING:
                self._stop(download)
                self._mark_paused(download)

    @staticmethod
    def _mark_paused(download: _Download) -> None:
        # The thread may have finished (or failed) just before it was stopped: that outcome stands.
        if download.state in RUNNING:
            download.state = "paused"

    def _get(self, engine_job_id: str) -> _Download:
        with self._lock:
            download = self._downloads.get(engine_job_id)
        if download is None:
            raise EngineJobMissing("The built-in engine does not know this download (the app restarted?).")
        return download

    def _start(self, download: _Download) -> None:
        download.stop = threading.Event()
        download.state = "active"
        download.error_message = ""
        download.samples.clear()
        download.thread = threading.Thread(
            target=self._run, args=(download,), name=f"download-{download.handle}", daemon=True
        )
        download.thread.start()

    def _stop(self, download: _Download) -> None:
        download.stop.set()
        response = download.response
        if response is not None:
            # Unblocks a read waiting on a slow server; the thread then sees the stop flag.
            try:
                response.close()
            except Exception:  # closing from another thread may race the reader; the flag still stops it
                log.debug("closing the response of %s raced its reader", download.handle)
        thread = download.thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout=JOIN_TIMEOUT_SECONDS)

    def _run(self, download: _Download) -> None:
        try:
            with guarded_client(allow=self._allow_provider(), timeout=30) as client:
                self._fetch(client, download)
            self._finish(download)
        except _Stopped:
            return
        except Exception as error:
            if download.stop.is_set():
                return  # the pause/remove closed the connection under us
            download.error_message = _reason(error, download)
            download.state = "error"
            if not isinstance(error, (OSError, httpx.HTTPError, ServiceError, EngineError)):
                log.exception("download %s failed unexpectedly", download.handle)
        finally:
            download.response = None

    def _fetch(self, client: httpx.Client, download: _Download) -> None:
        """Download into the part file, resuming from what it holds when the server takes ranges."""
        url = download.request.source
        offset = _size(download.part)
        for _redirect in range(MAX_REDIRECTS + 1):
            headers = {"Range": f"bytes={offset}-"} if offset else {}
            with client.stream("GET", url, headers=headers) as response:
                download.response = response
                if response.is_redirect and response.headers.get("location"):
                    url = str(response.url.join(response.headers["location"]))
                    continue
                if download.file_name is None:
                    name = file_name_from_url(str(response.url), response.headers.get("content-disposition"))
                    download.file_name = _free_name(download.request.directory, name)
                    if _size(download.part) and not offset:
                        offset = _size(download.part)  # a part file from before: ask again for the rest
                        continue
                if response.status_code == 416 and offset:
                    if _total_from_content_range(response) == offset:
                        download.bytes_total = download.bytes_completed = offset  # the part file is complete
                        return
                    offset = 0  # the part file is longer than the resource: start over
                    continue
                if response.status_code >= 400:
                    raise EngineError(f"The server answered {response.status_code} {response.reason_phrase}.")
                if response.status_code != 206 or _range_start(response) != offset:
                    offset = 0  # the server ignored the range: the whole file comes again
                self._write(download, response, offset)
                return
        raise EngineError(f"The URL redirects more than {MAX_REDIRECTS} times.")

    def _write(self, download: _Download, response: httpx.Response, offset: int) -> None:
        length = response.headers.get("content-length")
        download.bytes_total = offset + int(length) if length and length.isdigit() else 0
        download.record_progress(offset)
        part = download.part
        assert part is not None
        completed = offset
        with part.open("ab" if offset else "wb") as output:
            for chunk in response.iter_bytes(CHUNK_BYTES):
                if download.stop.is_set():
                    raise _Stopped
                output.write(chunk)
                completed += len(chunk)
                download.record_progress(completed)
        if download.stop.is_set():
            raise _Stopped
        if download.bytes_total and completed < download.bytes_total:
            raise EngineError(f"The server closed the connection after {completed} of {download.bytes_total} bytes.")
        download.bytes_total = completed

    def _finish(self, download: _Download) -> None:
        part, target = download.part, download.target
        assert part is not None and target is not None
        part.replace(target)
        download.state = "complete"


def _size(path: Path | None) -> int:
    return path.stat().st_size if path is not None and path.is_file() else 0


def _free_name(directory: Path, name: str) -> str:
    """`name`, or `name (2).ext`... when a finished file of that name is already there (never overwrite)."""
    candidate, counter = name, 1
    stem, dot, suffix = name.rpartition(".") if "." in name else (name, "", "")
    while (directory / candidate).exists():
        counter += 1
        candidate = f"{stem} ({counter}){dot}{suffix}"
    return candidate


def _range_start(response: httpx.Response) -> int | None:
    value = response.headers.get("content-range", "")
    if value.startswith("bytes ") and "-" in value:
        start = value[6:].split("-", 1)[0]
        return int(start) if start.isdigit() else None
    return None


def _total_from_content_range(response: httpx.Response) -> int | None:
    total = response.headers.get("content-range", "").rpartition("/")[2]
    return int(total) if total.isdigit() else None


def _reason(error: Exception, download: _Download) -> str:
    """A sentence a user can act on for what stopped the download."""
    if isinstance(error, (EngineError, ServiceError)):
        return error.message
    if isinstance(error, OSError) and error.errno in DISK_FULL:
        return "The disk is full: there is no space left for this download."
    if isinstance(error, OSError) and error.errno in NOT_WRITABLE:
        return f"The download folder is not writable ({error.strerror}): {download.request.directory}"
    if isinstance(error, OSError) and not isinstance(error, httpx.HTTPError):
        return f"Writing the file failed: {error.strerror or error}."
    host = httpx.URL(download.request.source).host
    if isinstance(error, httpx.TimeoutException):
        return f"{host} did not answer in time."
    if isinstance(error, httpx.ConnectError):
        return f"Could not connect to {host}."
    if isinstance(error, httpx.HTTPError):
        return f"The download from {redact_url(download.request.source)} failed: {type(error).__name__}."
    return "The download failed unexpectedly."
