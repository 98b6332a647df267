"""The interface every download engine implements, and what engines report.

An engine knows nothing of users or the database: it is handed a request (where to write, what to fetch)
and answers with its own handle (`engine_job_id`) and, when polled, an `EngineStatus`. The service layer
(`seen.services.download_runner`) turns statuses into job states, progress and events.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, Protocol

EngineState = Literal["waiting", "active", "paused", "complete", "error", "removed"]


class EngineError(Exception):
    """The engine refused or failed an operation; `message` is readable by a user."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class EngineUnavailable(EngineError):
    """The engine cannot be reached (aria2c down, RPC refused): the job is not at fault."""


class EngineJobMissing(EngineError):
    """The engine does not know this handle (for example aria2c restarted without its session)."""


@dataclass(frozen=True, slots=True)
class DownloadRequest:
    """What to fetch and where. `directory` is absolute, inside the downloads directory, and exists."""

    source_type: str  # magnet | torrent | direct | http
    source: str  # the magnet URI or URL; for torrents, a label only
    directory: Path
    torrent_data: bytes | None = None
    # The file name to write for plain URLs (already sanitised); None lets the engine choose, sanitised.
    file_name: str | None = None


@dataclass(frozen=True, slots=True)
class EngineFile:
    path: Path  # absolute, as the engine writes it
    size_bytes: int
    bytes_completed: int
    selected: bool = True


@dataclass(frozen=True, slots=True)
class EngineStatus:
    engine_job_id: str
    state: EngineState
    bytes_total: int = 0
    bytes_completed: int = 0
    download_speed_bps: int = 0  # bytes per second
    upload_speed_bps: int = 0
    peers: int = 0  # connections
    seeders: int = 0
    error_message: str = ""  # readable, set when state == "error"
    # A magnet's metadata download hands over to the real download: the handle to follow from now on.
    followed_by: str | None = None
    is_metadata: bool = False  # a magnet's metadata step (no real payload yet)
    files: list[EngineFile] = field(default_factory=list)
    info_hash: str | None = None


class DownloadEngine(Protocol):
    name: str  # "aria2" | "http"

    def add(self, request: DownloadRequest) -> str:
        """Start (or queue) a download; return the engine's handle. Raises EngineError / EngineUnavailable."""
        ...

    def status(self, engine_job_id: str) -> EngineStatus:
        """Where the download stands. Raises EngineJobMissing for an unknown handle, EngineUnavailable."""
        ...

    def pause(self, engine_job_id: str) -> None: ...

    def resume(self, engine_job_id: str) -> None: ...

    def remove(self, engine_job_id: str, *, delete_files: bool = False) -> None:
        """Stop and forget the download (no error when already gone); optionally delete what it wrote."""
        ...

    def files(self, engine_job_id: str) -> list[EngineFile]: ...

    def ping(self) -> None:
        """Raise EngineUnavailable when the engine cannot be used right now."""
        ...
