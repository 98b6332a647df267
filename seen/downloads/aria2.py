"""The aria2 engine: magnets, torrents and plain URLs through an aria2 daemon's JSON-RPC interface (aria2p).

Each download is told its own `dir` (the job's directory), so files never land outside it. A magnet first runs
a metadata download (its name is `[METADATA]<hash>`); when that completes aria2 starts the real download and
names it in `followedBy`, which the status reports as `followed_by`.
"""

from __future__ import annotations

import base64
import contextlib
import time
from pathlib import Path
from typing import Any

import requests
from aria2p import Client, ClientException

from seen.downloads.engine import (
    DownloadRequest,
    EngineError,
    EngineFile,
    EngineJobMissing,
    EngineStatus,
    EngineUnavailable,
)

STATUS_KEYS = [
    "gid",
    "status",
    "totalLength",
    "completedLength",
    "downloadSpeed",
    "uploadSpeed",
    "connections",
    "numSeeders",
    "errorCode",
    "errorMessage",
    "followedBy",
    "bittorrent",
    "infoHash",
    "dir",
    "files",
]
STATES = {"active", "waiting", "paused", "complete", "error", "removed"}
METADATA_PREFIX = "[METADATA]"

# aria2's exit/error codes (https://aria2.github.io/manual/en/html/aria2c.html#exit-status), said for a user.
ERROR_MESSAGES = {
    1: "The download failed.",
    2: "The server did not answer in time.",
    3: "The file was not found on the server.",
    4: "The file was not found on the server (too many attempts).",
    5: "The download was too slow and was given up.",
    6: "A network problem interrupted the download.",
    7: "The download engine stopped before the download finished.",
    8: "The server cannot resume this download.",
    9: "The disk is full: there is not enough space for this download.",
    10: "The partial download does not match the torrent (different piece size).",
    11: "The same file is already being downloaded.",
    12: "The same torrent is already being downloaded.",
    13: "A file with the same name already exists.",
    14: "A file could not be renamed.",
    15: "An existing file could not be opened.",
    16: "A file could not be created: the download folder is not writable (permission denied?).",
    17: "Writing the file failed (disk error, full disk or no permission).",
    18: "The download folder could not be created (permission denied?).",
    19: "The server's name could not be resolved.",
    20: "The Metalink document could not be read.",
    21: "The FTP server refused a command.",
    22: "The server answered with an HTTP error.",
    23: "Too many redirects.",
    24: "The server asked for a login (HTTP authorisation failed).",
    25: "The torrent file is damaged (bad bencoding).",
    26: "The torrent file is damaged or lacks its info section.",
    27: "The magnet link is not valid.",
    28: "aria2 refused an option of this download.",
    29: "The server is overloaded; try again later.",
    30: "aria2 could not read the request.",
    32: "The downloaded data failed its checksum.",
}
# The operating system's reasons inside aria2's message, when they say more than the code does.
CAUSES = {
    "No space left on device": ERROR_MESSAGES[9],
    "Disk quota exceeded": ERROR_MESSAGES[9],
    "Permission denied": "The download folder is not writable (permission denied).",
    "Read-only file system": "The download folder is on a read-only disk.",
}


def readable_error(code: int | None, message: str) -> str:
    """A user-readable sentence for an aria2 error code, with aria2's own words after it."""
    reason = next((text for cause, text in CAUSES.items() if cause in message), None)
    reason = reason or ERROR_MESSAGES.get(code or 1, ERROR_MESSAGES[1])
    detail = " ".join(message.split())[:300]
    return f"{reason} (aria2: {detail})" if detail else reason


class _RpcClient(Client):
    """aria2p's client, posting to the configured URL as given (aria2p assumes the path `/jsonrpc`)."""

    def __init__(self, rpc_url: str, secret: str, timeout: float) -> None:
        super().__init__(secret=secret, timeout=timeout)
        self.rpc_url = rpc_url

    @property
    def server(self) -> str:
        return self.rpc_url


class Aria2Engine:
    """The `DownloadEngine` over an aria2 daemon."""

    name = "aria2"

    def __init__(self, rpc_url: str, secret: str, *, timeout: float = 10) -> None:
        self.rpc_url = rpc_url
        self._client = _RpcClient(rpc_url, secret, timeout)

    def add(self, request: DownloadRequest) -> str:
        options = {"dir": str(request.directory), "continue": "true"}
        if request.source_type == "magnet":
            return self._call(self._client.add_uri, [request.source], {**options, "follow-torrent": "true"})
        if request.source_type == "torrent":
            if not request.torrent_data:
                raise EngineError("The torrent file is missing.")
            encoded = base64.b64encode(request.torrent_data).decode()
            # Otherwise aria2 drops a copy named <hash>.torrent into the job's folder. The cost: a torrent is
            # not in aria2's saved session, so after a restart the runner adds it again (it resumes).
            options["rpc-save-upload-metadata"] = "false"
            return self._call(self._client.add_torrent, encoded, [], options)
        if request.source_type in {"http", "direct"}:
            if request.file_name:
                options["out"] = request.file_name
            return self._call(self._client.add_uri, [request.source], options)
        raise EngineError(f"aria2 cannot download a source of type {request.source_type!r}.")

    def status(self, engine_job_id: str) -> EngineStatus:
        raw = self._call(self._client.tell_status, engine_job_id, STATUS_KEYS)
        return status_from(raw)

    def pause(self, engine_job_id: str) -> None:
        # forcePause: a plain pause first contacts the trackers, which can take long.
        try:
            self._call(self._client.force_pause, engine_job_id)
        except EngineJobMissing:
            raise
        except EngineError:
            # "cannot be paused now": already paused or finished, which is what the caller wanted or moot.
            if self.status(engine_job_id).state in {"active", "waiting"}:
                raise

    def resume(self, engine_job_id: str) -> None:
        try:
            self._call(self._client.unpause, engine_job_id)
        except EngineJobMissing:
            raise
        except EngineError:
            state = self.status(engine_job_id).state
            if state in {"error", "removed"}:
                raise EngineError("This download has stopped in aria2 and cannot be resumed; add it again.") from None
            if state == "paused":
                raise

    def remove(self, engine_job_id: str, *, delete_files: bool = False) -> None:
        try:
            raw = self._call(self._client.tell_status, engine_job_id, STATUS_KEYS)
        except EngineJobMissing:
            return
        if raw.get("status") in {"active", "waiting", "paused"}:
            with contextlib.suppress(EngineJobMissing):
                self._call(self._client.force_remove, engine_job_id)
            self._wait_stopped(engine_job_id)
        with contextlib.suppress(EngineError):
            self._call(self._client.remove_download_result, engine_job_id)
        if delete_files:
            _delete_written_files(raw)

    def files(self, engine_job_id: str) -> list[EngineFile]:
        return _files_from(self._call(self._client.get_files, engine_job_id))

    def ping(self) -> None:
        self._call(self._client.get_version)

    def _wait_stopped(self, engine_job_id: str, timeout: float = 10) -> None:
        """forceRemove returns at once; wait until aria2 has really let go of the files."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                state = self._call(self._client.tell_status, engine_job_id, ["status"]).get("status")
            except EngineJobMissing:
                return
            if state not in {"active", "waiting", "paused"}:
                return
            time.sleep(0.05)

    def _call(self, method, *args: Any) -> Any:
        try:
            return method(*args)
        except ClientException as error:
            message = str(error.message)
            if "is not found" in message:
                raise EngineJobMissing(f"aria2 does not know this download ({message}).") from None
            if "Unauthorized" in message:
                raise EngineUnavailable(
                    "aria2 refused the RPC secret: set SEEN_ARIA2_RPC_SECRET to the daemon's secret."
                ) from None
            raise EngineError(f"aria2 refused the request: {message}") from None
        except requests.ConnectionError:
            raise EngineUnavailable(f"The aria2 download engine is not reachable at {self.rpc_url}.") from None
        except requests.Timeout:
            raise EngineUnavailable(f"The aria2 download engine at {self.rpc_url} did not answer in time.") from None
        except (requests.RequestException, ValueError) as error:
            raise EngineUnavailable(f"The aria2 download engine at {self.rpc_url} answered oddly: {error}") from None


def status_from(raw: dict[str, Any]) -> EngineStatus:
    """Translate aria2's tellStatus answer into an `EngineStatus`."""
    state = raw.get("status", "error")
    bittorrent = raw.get("bittorrent")
    files = raw.get("files", [])
    # A magnet's metadata step has a `bittorrent` entry without `info`, and one pseudo file named [METADATA]...
    is_metadata = bittorrent is not None and "info" not in bittorrent
    is_metadata = is_metadata or any(entry.get("path", "").startswith(METADATA_PREFIX) for entry in files)
    followed_by = raw.get("followedBy") or []
    running = state == "active"  # aria2 keeps reporting the last speeds of a paused or stopped download
    error_message = ""
    if state == "error":
        code = int(raw["errorCode"]) if str(raw.get("errorCode", "")).isdigit() else None
        error_message = readable_error(code, raw.get("errorMessage", ""))
    return EngineStatus(
        engine_job_id=raw.get("gid", ""),
        state=state if state in STATES else "error",
        bytes_total=int(raw.get("totalLength", 0)),
        bytes_completed=int(raw.get("completedLength", 0)),
        download_speed_bps=int(raw.get("downloadSpeed", 0)) if running else 0,
        upload_speed_bps=int(raw.get("uploadSpeed", 0)) if running else 0,
        peers=int(raw.get("connections", 0)) if running else 0,
        seeders=int(raw.get("numSeeders", 0)) if running else 0,
        error_message=error_message,
        followed_by=followed_by[0] if followed_by else None,
        is_metadata=is_metadata,
        files=[] if is_metadata else _files_from(files),
        info_hash=raw.get("infoHash"),
    )


def _files_from(entries: list[dict[str, Any]]) -> list[EngineFile]:
    # Entries without an absolute path are not on disk yet (a URL whose name is not known, metadata).
    return [
        EngineFile(
            path=Path(entry["path"]),
            size_bytes=int(entry.get("length", 0)),
            bytes_completed=int(entry.get("completedLength", 0)),
            selected=entry.get("selected", "true") == "true",
        )
        for entry in entries
        if entry.get("path", "").startswith("/")
    ]


def _delete_written_files(raw: dict[str, Any]) -> None:
    """Delete a removed download's files and aria2 control files, never anything outside its `dir`."""
    directory = Path(raw.get("dir", "")).resolve()
    if not raw.get("dir") or directory == Path(directory.anchor):
        return
    candidates = [Path(entry.path) for entry in _files_from(raw.get("files", []))]
    candidates += [path.with_name(path.name + ".aria2") for path in candidates]
    info = (raw.get("bittorrent") or {}).get("info")
    if info and info.get("name"):
        # Multi-file torrents keep one control file for the whole torrent, beside the top folder.
        candidates.append(directory / f"{info['name']}.aria2")
    for candidate in candidates:
        resolved = candidate.resolve()
        if resolved.is_relative_to(directory) and resolved != directory and resolved.is_file():
            resolved.unlink(missing_ok=True)
    _remove_empty_folders(directory)


def _remove_empty_folders(directory: Path) -> None:
    """Remove empty folders below `directory` (a multi-file torrent's tree), deepest first; keep `directory`."""
    for folder in sorted((path for path in directory.rglob("*") if path.is_dir()), key=lambda p: -len(p.parts)):
        with contextlib.suppress(OSError):
            folder.rmdir()
