"""The media library: the folders it is read from, every video file found in them, their streams, and scans.

`library_roots` are the folders an admin (or `SEEN_LIBRARY_ROOTS`) named; `library_items` holds one row per
video file, keyed by its resolved absolute path, with what the probe read and what the matcher decided;
`library_streams` lists an item's audio, video and subtitle tracks (embedded ones and sidecar subtitle files);
`library_scans` records each scan job and its counters for a progress bar. The rules (what is unchanged, what
moved, what is matched) live in `seen.services.library_scan`.
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
    SmallInteger,
    Text,
    Uuid,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel

from seen.models.base import timestamp

ROOT_KINDS = ("movies", "shows", "mixed")
MATCH_STATES = ("matched", "unmatched", "ignored")
STREAM_TYPES = ("video", "audio", "subtitle")
SCAN_SCOPES = ("all", "root", "download")
SCAN_STATUSES = ("queued", "running", "completed", "failed")
ACTIVE_SCAN_STATUSES = ("queued", "running")


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(value) for value in values)})"


def _json(default: str) -> Any:
    return Column(JSON().with_variant(JSONB, "postgresql"), nullable=False, server_default=default)


class LibraryRoot(SQLModel, table=True):
    __tablename__ = "library_roots"
    __table_args__ = (CheckConstraint(_in("kind", ROOT_KINDS), name="ck_library_roots_kind"),)

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    # Resolved (symlinks followed), so two spellings of one folder are one root.
    path: str = Field(sa_column=Column(Text, nullable=False, unique=True))
    label: str = Field(default="", max_length=200)
    # A hint for the matcher: what the folder is meant to hold. Names still decide movie vs episode.
    kind: str = Field(default="mixed", max_length=8)
    enabled: bool = Field(default=True)
    # Added from SEEN_LIBRARY_ROOTS: removed by editing the setting, not from the admin page.
    configured: bool = Field(default=False)
    created_at: datetime = timestamp()
    last_scanned_at: datetime | None = timestamp(nullable=True)


class LibraryItem(SQLModel, table=True):
    # "(…, updated_at desc)" in the spec are plain ascending indexes: a B-tree reads backwards as fast.
    # The trigram index on file_name (review search) is PostgreSQL-only and lives outside the models,
    # like the catalogue search indexes (migration 0007, `seen.services.search.SEARCH_SCHEMA_OBJECTS`).
    __tablename__ = "library_items"
    __table_args__ = (
        CheckConstraint(_in("match_state", MATCH_STATES), name="ck_library_items_match_state"),
        Index("ix_library_items_match_state_updated_at", "match_state", "updated_at"),
        Index("ix_library_items_media_id_updated_at", "media_id", "updated_at"),
        Index("ix_library_items_root_id", "root_id"),
        Index("ix_library_items_source_job_id", "source_job_id"),
    )

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    # The root the file was found under; removing a root removes its items. Null for a downloaded file
    # outside every root (found by a download-job scan).
    root_id: uuid.UUID | None = Field(
        default=None, sa_column=Column(Uuid, ForeignKey("library_roots.id", ondelete="CASCADE"), nullable=True)
    )
    # Integer like media_items.id (the spec's bigint is the Go schema's id type).
    media_id: int | None = Field(
        default=None, sa_column=Column(Integer, ForeignKey("media_items.id", ondelete="SET NULL"), nullable=True)
    )
    source_job_id: uuid.UUID | None = Field(
        default=None, sa_column=Column(Uuid, ForeignKey("download_jobs.id", ondelete="SET NULL"), nullable=True)
    )
    absolute_path: str = Field(sa_column=Column(Text, nullable=False, unique=True))
    # From the root (or the downloads directory): what the name parser reads, folders included.
    relative_path: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    file_name: str = Field(sa_column=Column(Text, nullable=False))
    file_size_bytes: int = Field(default=0, sa_column=Column(BigInteger, nullable=False, server_default="0"))
    # Modification time in nanoseconds: with the size, an unchanged file is skipped without probing it.
    file_mtime_ns: int = Field(default=0, sa_column=Column(BigInteger, nullable=False, server_default="0"))
    # The inode, when the filesystem has stable ones: confirms that a new path is a moved file.
    file_inode: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))
    container_format: str = Field(default="", max_length=32)
    video_codec: str = Field(default="", max_length=32)
    audio_codec: str = Field(default="", max_length=32)
    width: int = Field(default=0)
    height: int = Field(default=0)
    duration_seconds: int = Field(default=0)
    resolution_label: str = Field(default="", max_length=16)
    # Why the probe could not read the file (corrupt, empty, unreadable); empty when it could.
    probe_error: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    match_state: str = Field(default="unmatched", max_length=16)
    match_confidence: float = Field(default=0.0)
    # Set when a person chose the title: automatic scans never re-match such an item.
    matched_manually: bool = Field(default=False)
    # From the name: the episode a file holds (the first one of a multi-episode file, all of them in
    # episode_numbers), the stacking part (cd1, part2) and the edition ("Director's Cut").
    season_number: int | None = Field(default=None)
    episode_number: int | None = Field(default=None)
    episode_numbers: list[int] = Field(default_factory=list, sa_column=_json("[]"))
    part_number: int | None = Field(default=None)
    edition: str | None = Field(default=None, max_length=200)
    # The name parser's whole result (`ParsedName.to_json()`), and the matcher's best candidates for review.
    parsed: dict[str, Any] = Field(default_factory=dict, sa_column=_json("{}"))
    candidates: list[dict[str, Any]] = Field(default_factory=list, sa_column=_json("[]"))
    # When a scan stopped finding the file. The row stays (matches and watch links survive an unplugged
    # disk) and the field clears when the file is back.
    missing_since: datetime | None = timestamp(nullable=True)
    discovered_at: datetime = timestamp()
    scanned_at: datetime | None = timestamp(nullable=True)
    created_at: datetime = timestamp()
    updated_at: datetime = timestamp()


class LibraryStream(SQLModel, table=True):
    __tablename__ = "library_streams"
    __table_args__ = (
        CheckConstraint(_in("stream_type", STREAM_TYPES), name="ck_library_streams_stream_type"),
        Index("ix_library_streams_library_item_id", "library_item_id"),
    )

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    library_item_id: uuid.UUID = Field(
        sa_column=Column(Uuid, ForeignKey("library_items.id", ondelete="CASCADE"), nullable=False)
    )
    stream_type: str = Field(max_length=16)
    # The track's order in the file (0-based, per file, all types together); sidecar files come after.
    stream_index: int = Field(default=0)
    codec: str = Field(default="", max_length=32)
    # Subtitle format as a player needs it: srt, ass, vtt, mov_text, pgs... Empty for audio and video.
    format: str = Field(default="", max_length=16)
    language: str = Field(default="", max_length=16)
    title: str = Field(default="", max_length=300)
    channels: int = Field(default=0, sa_column=Column(SmallInteger, nullable=False, server_default="0"))
    bitrate_kbps: int = Field(default=0)
    is_default: bool = Field(default=False)
    is_forced: bool = Field(default=False)
    # A subtitle in its own file next to the video (`Movie.en.srt`); null for tracks inside the file.
    external_path: str | None = Field(default=None, sa_column=Column(Text, nullable=True))


class LibraryScan(SQLModel, table=True):
    __tablename__ = "library_scans"
    __table_args__ = (
        CheckConstraint(_in("scope", SCAN_SCOPES), name="ck_library_scans_scope"),
        CheckConstraint(_in("status", SCAN_STATUSES), name="ck_library_scans_status"),
        Index("ix_library_scans_status_created_at", "status", "created_at"),
    )

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    requested_by: uuid.UUID | None = Field(
        default=None, sa_column=Column(Uuid, ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
    )
    scope: str = Field(max_length=16)
    root_id: uuid.UUID | None = Field(
        default=None, sa_column=Column(Uuid, ForeignKey("library_roots.id", ondelete="SET NULL"), nullable=True)
    )
    download_job_id: uuid.UUID | None = Field(
        default=None, sa_column=Column(Uuid, ForeignKey("download_jobs.id", ondelete="SET NULL"), nullable=True)
    )
    status: str = Field(default="queued", max_length=16)
    # Video files found; files_done of them handled so far (at the end: new + changed + unchanged + moved,
    # plus those that vanished before they could be read, counted in files_skipped).
    files_total: int = Field(default=0)
    files_done: int = Field(default=0)
    files_new: int = Field(default=0)
    files_changed: int = Field(default=0)
    files_unchanged: int = Field(default=0)
    # Found at a new path with the size, time (and inode) of a missing item: the item moved, match kept.
    files_moved: int = Field(default=0)
    # Items of the scope not found on disk (they keep their rows, with missing_since set).
    files_missing: int = Field(default=0)
    # Entries passed over: symlinks leading out of their root, entries gone or unreadable mid-walk.
    files_skipped: int = Field(default=0)
    matched: int = Field(default=0)
    unmatched: int = Field(default=0)
    ignored: int = Field(default=0)
    errors: int = Field(default=0)
    # The first few errors ({"path", "error"}), enough to tell an admin what went wrong.
    error_samples: list[dict[str, Any]] = Field(default_factory=list, sa_column=_json("[]"))
    files_per_second: float = Field(default=0.0)
    # Why a failed scan failed.
    message: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    started_at: datetime | None = timestamp(nullable=True)
    finished_at: datetime | None = timestamp(nullable=True)
    created_at: datetime = timestamp()
    updated_at: datetime = timestamp()
