"""Download jobs: what a user asked to fetch, where it stands, what happened to it, and the files it brought.

One row per job in `download_jobs`; every change of state or notable moment is a row in `download_events`
(kept when the job is cancelled, gone with the job); `download_files` lists what a job writes, one row per
file (several for a multi-file torrent). The allowed statuses and moves between them live in
`seen.services.download_states`; the database only refuses values outside the lists below.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    SmallInteger,
    Text,
    Uuid,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel

from seen.models.base import timestamp

SOURCE_TYPES = ("magnet", "torrent", "direct", "http")
JOB_STATUSES = (
    "queued",
    "preparing",
    "downloading",
    "stalled",
    "retrying",
    "paused",
    "completed",
    "failed",
    "cancelled",
)
# Waiting for a slot: the dispatcher's partial index covers exactly these.
WAITING_STATUSES = ("queued", "retrying")


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(value) for value in values)})"


_WAITING = text(_in("status", WAITING_STATUSES))


class DownloadJob(SQLModel, table=True):
    # The spec's "(…, created_at desc)" indexes are plain ascending ones: a B-tree is read backwards just as
    # fast, and expression indexes would not round-trip through migrations on SQLite.
    __tablename__ = "download_jobs"
    __table_args__ = (
        CheckConstraint(_in("source_type", SOURCE_TYPES), name="ck_download_jobs_source_type"),
        CheckConstraint(_in("status", JOB_STATUSES), name="ck_download_jobs_status"),
        CheckConstraint("progress_percent BETWEEN 0 AND 100", name="ck_download_jobs_progress"),
        Index("ix_download_jobs_user_created_at", "user_id", "created_at"),
        Index("ix_download_jobs_user_status_updated_at", "user_id", "status", "updated_at"),
        Index(
            "ix_download_jobs_waiting",
            "status",
            "created_at",
            postgresql_where=_WAITING,
            sqlite_where=_WAITING,
        ),
    )

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    user_id: uuid.UUID = Field(sa_column=Column(Uuid, ForeignKey("users.id", ondelete="CASCADE"), nullable=False))
    # The title this download is for, when the user named one (the library scanner's hint).
    media_id: int | None = Field(
        default=None, sa_column=Column(Integer, ForeignKey("media_items.id", ondelete="SET NULL"), nullable=True)
    )
    source_type: str = Field(max_length=16)
    source: str = Field(sa_column=Column(Text, nullable=False))
    title: str = Field(default="", max_length=500)
    # The .torrent file itself, kept in the row so any worker process can hand it to the engine.
    torrent_data: bytes | None = Field(default=None, sa_column=Column(LargeBinary, nullable=True))
    info_hash: str | None = Field(default=None, max_length=40, index=True)  # btih, lower-case hex
    status: str = Field(default="queued", max_length=16)
    queue_position: int | None = Field(default=None)
    progress_percent: int = Field(default=0)
    bytes_total: int = Field(default=0, sa_column=Column(BigInteger, nullable=False, server_default="0"))
    bytes_downloaded: int = Field(default=0, sa_column=Column(BigInteger, nullable=False, server_default="0"))
    download_speed_mbps: float = Field(default=0.0)  # megabits per second
    eta_seconds: int | None = Field(default=None)
    peers: int = Field(default=0)
    seeders: int = Field(default=0)
    engine: str = Field(default="", max_length=16)  # the engine holding the job: aria2 | http
    engine_job_id: str | None = Field(default=None, max_length=64, unique=True, index=True)
    # Relative to the downloads directory; every file of the job lands below it.
    directory: str = Field(default="", max_length=500)
    error_message: str = Field(default="", max_length=2000)
    retry_count: int = Field(default=0, sa_column=Column(SmallInteger, nullable=False, server_default="0"))
    retry_at: datetime | None = timestamp(nullable=True)
    # Last time the byte count grew: a download without growth for long enough is stalled.
    progressed_at: datetime | None = timestamp(nullable=True)
    created_at: datetime = timestamp()
    updated_at: datetime = timestamp()
    started_at: datetime | None = timestamp(nullable=True)
    completed_at: datetime | None = timestamp(nullable=True)
    cancelled_at: datetime | None = timestamp(nullable=True)


class DownloadEvent(SQLModel, table=True):
    __tablename__ = "download_events"
    __table_args__ = (Index("ix_download_events_job_created_at", "job_id", "created_at"),)

    id: int | None = Field(
        default=None, sa_column=Column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    )
    job_id: uuid.UUID = Field(
        sa_column=Column(Uuid, ForeignKey("download_jobs.id", ondelete="CASCADE"), nullable=False)
    )
    status: str = Field(max_length=16)
    message: str = Field(default="", max_length=2000)
    progress_percent: int = Field(default=0)
    payload: dict[str, Any] = Field(
        default_factory=dict,
        sa_column=Column(JSON().with_variant(JSONB, "postgresql"), nullable=False, server_default="{}"),
    )
    created_at: datetime = timestamp()


class DownloadFile(SQLModel, table=True):
    __tablename__ = "download_files"
    __table_args__ = (Index("ix_download_files_job_path", "job_id", "path", unique=True),)

    id: int | None = Field(default=None, primary_key=True)
    job_id: uuid.UUID = Field(
        sa_column=Column(Uuid, ForeignKey("download_jobs.id", ondelete="CASCADE"), nullable=False)
    )
    path: str = Field(sa_column=Column(Text, nullable=False))  # relative to the downloads directory
    size_bytes: int = Field(default=0, sa_column=Column(BigInteger, nullable=False, server_default="0"))
    bytes_completed: int = Field(default=0, sa_column=Column(BigInteger, nullable=False, server_default="0"))
    selected: bool = Field(default=True)
    updated_at: datetime = timestamp()
