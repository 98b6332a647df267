"""Playing library files: which file a caller may stream, and an item's subtitles as WebVTT for the browser.

A file is served only when its item exists and is not marked missing, the file is still on disk, and its real
path (symlinks resolved) lies inside an enabled library folder or the downloads directory. Anything else is
"not found": a symlink planted in a library folder, or a row pointing elsewhere, never makes the app hand out a
file from outside the library. Paths come from the database rows only (the item's file, a sidecar subtitle's
`external_path`), never from the request.

Subtitles: sidecar `.vtt` files are checked and passed on as they are; sidecar `.srt`/`.ass`/`.ssa`/`.smi` files
and embedded text tracks (subrip, ass, mov_text, webvtt) are converted by ffmpeg. Every result is kept under
``<data_dir>/subtitles/<item id>/<stream id>-<mtime ns>-<size>.vtt``, keyed by the source file's modification
time and size, so a replaced file is converted again and the older version is deleted. Picture subtitles (PGS,
VobSub, DVB) cannot become text: they are refused with a message.
"""

from __future__ import annotations

import mimetypes
import os
import re
import stat
import subprocess
import tempfile
import threading
import uuid
from contextlib import suppress
from dataclasses import dataclass, replace
from pathlib import Path

from sqlmodel import Session, col, select

from seen.config import Settings, get_settings
from seen.library.playback import PlaybackPlan, ffmpeg_command, plan_for
from seen.models.library import LibraryItem, LibraryRoot, LibraryStream
from seen.models.users import User
from seen.services.errors import Forbidden, InvalidInput, NotFound, Unavailable, UnsupportedMedia

# The probe's container names (`seen.library.probe`) → what a browser expects in Content-Type.
CONTAINER_MEDIA_TYPES = {
    "mp4": "video/mp4",
    "m4v": "video/mp4",
    "mkv": "video/x-matroska",
    "webm": "video/webm",
    "mov": "video/quicktime",
    "avi": "video/x-msvideo",
    "ts": "video/mp2t",
    "m2ts": "video/mp2t",
    "mpeg": "video/mpeg",
    "wmv": "video/x-ms-wmv",
    "flv": "video/x-flv",
    "ogg": "video/ogg",
}
WEBVTT_MEDIA_TYPE = "text/vtt; charset=utf-8"
# Subtitle formats as the probe records them (codec names for embedded tracks, extensions for sidecars).
WEBVTT_FORMATS = frozenset({"vtt", "webvtt"})
TEXT_SUBTITLE_FORMATS = WEBVTT_FORMATS | {"srt", "subrip", "ass", "ssa", "mov_text", "smi", "sami"}
# A sidecar `.sub` is VobSub's picture half (with its `.idx`); `.sup` is a PGS dump.
PICTURE_SUBTITLE_FORMATS = frozenset(
    {"pgs", "hdmv_pgs_subtitle", "sup", "vobsub", "dvd_subtitle", "sub", "dvb_subtitle", "xsub"}
)
PICTURE_SUBTITLES_MESSAGE = (
    "This track holds picture subtitles (PGS, VobSub, DVB): picture subtitles cannot be shown as text."
)
# Extracting a track makes ffmpeg read the whole video file; a remux of tens of GB on a slow disk takes a while.
FFMPEG_TIMEOUT_SECONDS = 120
# A subtitle file is a few hundred KB; anything far bigger is not one, and is not read into memory.
SIDECAR_MAX_BYTES = 20 * 1024 * 1024
CACHE_FOLDER = "subtitles"
GONE_MESSAGE = "The file is no longer on disk (a library scan will mark it missing)."


def ensure_may_play(user: User) -> None:
    """The one rule of who may play library files. The library is the household's, so every active account may;
    per-user libraries would change this function only."""
    if user.is_disabled:
        raise Forbidden("This account is disabled. Ask an admin.", code="account_disabled")


# --- the video file --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PlayableFile:
    path: Path  # resolved, inside an enabled library folder
    stat: os.stat_result
    media_type: str
    file_name: str


def playable_file(*, session: Session, user: User, item_id: uuid.UUID) -> PlayableFile:
    """The file of a library item, once the caller may play it and it may be served; NotFound saying why not."""
    ensure_may_play(user)
    item = _present_item(session, item_id)
    path, found = _file_inside_roots(session, item.absolute_path)
    return PlayableFile(path, found, media_type_for(item.container_format, path.name), item.file_name or path.name)


@dataclass(frozen=True)
class ConvertedStream:
    command: list[str]  # ffmpeg writing fragmented MP4 to its standard output
    plan: PlaybackPlan
    path: Path


def converted_stream(*, session: Session, user: User, item_id: uuid.UUID, start_seconds: float) -> ConvertedStream:
    """ffmpeg's command to play an item's file in a browser from `start_seconds` on: repackaged as MP4, or
    converted where its codecs need it (`seen.library.playback`). Even a file the browser could play as it is
    may be asked for this way: its direct play failed in that browser."""
    ensure_may_play(user)
    item = _present_item(session, item_id)
    path, _ = _file_inside_roots(session, item.absolute_path)
    if not item.video_codec:
        raise UnsupportedMedia(
            "This file could not be read as a video, so it cannot be converted for the browser."
            + (f" ({item.probe_error})" if item.probe_error else ""),
            code="unplayable",
        )
    if start_seconds < 0 or (item.duration_seconds and start_seconds >= item.duration_seconds):
        raise InvalidInput(f"Start between 0 and {item.duration_seconds} seconds.", code="start_out_of_range")
    plan = playback_plan(item)
    if plan.mode == "direct":
        # The browser failed on the file as it is: repackaging keeps every byte of the streams.
        plan = replace(plan, mode="remux")
    return ConvertedStream(ffmpeg_command(path, plan, start_seconds=start_seconds), plan, path)


def playback_plan(item: LibraryItem) -> PlaybackPlan:
    return plan_for(item.container_format, item.video_codec, item.audio_codec)


def media_type_for(container_format: str, file_name: str) -> str:
    """Content-Type from the probed container; the file's extension when the probe did not say."""
    known = CONTAINER_MEDIA_TYPES.get(container_format.lower())
    if known:
        return known
    guessed = mimetypes.guess_type(file_name)[0]
    return guessed if guessed and guessed.startswith("video/") else "application/octet-stream"


def _present_item(session: Session, item_id: uuid.UUID) -> LibraryItem:
    item = session.get(LibraryItem, item_id)
    if item is None:
        raise NotFound("No such library item.")
    if item.missing_since is not None:
        raise NotFound("The last library scan did not find this item's file.", code="file_missing")
    return item


def _enabled_roots(session: Session) -> list[Path]:
    """Where served files may live: the enabled library folders, and the downloads directory, whose finished
    downloads the scanner adds to the library whether or not it is a library folder itself."""
    folders = session.exec(select(LibraryRoot.path).where(col(LibraryRoot.enabled).is_(True)))
    # Roots are stored resolved; resolving again follows a folder that became a symlink since it was added.
    return [*(Path(os.path.realpath(folder)) for folder in folders), get_settings().resolved_downloads_dir]


def _file_inside_roots(session: Session, stored_path: str) -> tuple[Path, os.stat_result]:
    """The real path of a file named by a row, and its stat, if it is a regular file inside an enabled root."""
    try:
        resolved = Path(stored_path).resolve(strict=True)
        found = resolved.stat()
    except (OSError, RuntimeError, ValueError):
        raise NotFound(GONE_MESSAGE, code="file_missing") from None
    if not stat.S_ISREG(found.st_mode):
        raise NotFound(GONE_MESSAGE, code="file_missing")
    if not any(resolved.is_relative_to(root) for root in _enabled_roots(session)):
        raise NotFound(
            "The file is not inside an enabled library folder or the downloads directory.", code="outside_library"
        )
    return resolved, found


# --- subtitles -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SubtitleTrack:
    id: uuid.UUID
    language: str
    title: str
    format: str
    forced: bool
    default: bool
    external: bool  # a sidecar file rather than a track inside the video
    text: bool  # can be served as WebVTT (picture subtitles cannot)


@dataclass(frozen=True)
class SubtitleSource:
    """Where one subtitle track's text comes from: everything the conversion needs, read while the session was open."""

    item_id: uuid.UUID
    stream_id: uuid.UUID
    path: Path  # the sidecar, or the video for an embedded track; resolved, inside a root
    stat: os.stat_result
    format: str
    # For an embedded track: its place among the file's subtitle tracks (ffmpeg's `0:s:N`). None for a sidecar.
    subtitle_number: int | None


def subtitle_tracks(*, session: Session, user: User, item_id: uuid.UUID) -> list[SubtitleTrack]:
    """An item's subtitle tracks, embedded ones in file order, then sidecar files."""
    ensure_may_play(user)
    item = _present_item(session, item_id)
    _file_inside_roots(session, item.absolute_path)
    return [
        SubtitleTrack(
            id=stream.id,
            language=stream.language,
            title=stream.title,
            format=_format_of(stream),
            forced=stream.is_forced,
            default=stream.is_default,
            external=stream.external_path is not None,
            text=_format_of(stream) in TEXT_SUBTITLE_FORMATS,
        )
        for stream in _subtitle_streams(session, item.id)
    ]


def subtitle_source(*, session: Session, user: User, item_id: uuid.UUID, stream_id: uuid.UUID) -> SubtitleSource:
    """The file one subtitle track is read from, once it may be served and can become WebVTT."""
    ensure_may_play(user)
    item = _present_item(session, item_id)
    streams = _subtitle_streams(session, item.id)
    stream = next((stream for stream in streams if stream.id == stream_id), None)
    if stream is None:
        raise NotFound("This item has no such subtitle track.")
    track_format = _format_of(stream)
    if track_format in PICTURE_SUBTITLE_FORMATS:
        raise UnsupportedMedia(PICTURE_SUBTITLES_MESSAGE, code="picture_subtitles")
    if track_format not in TEXT_SUBTITLE_FORMATS:
        raise UnsupportedMedia(
            f"Subtitles in the {track_format or 'unknown'} format cannot be converted to WebVTT.",
            code="unsupported_subtitles",
        )
    if stream.external_path is not None:
        path, found = _file_inside_roots(session, stream.external_path)
        return SubtitleSource(item.id, stream.id, path, found, track_format, None)
    path, found = _file_inside_roots(session, item.absolute_path)
    embedded = [candidate.id for candidate in streams if candidate.external_path is None]
    return SubtitleSource(item.id, stream.id, path, found, track_format, embedded.index(stream.id))


def _subtitle_streams(session: Session, item_id: uuid.UUID) -> list[LibraryStream]:
    rows = session.exec(
        select(LibraryStream)
        .where(LibraryStream.library_item_id == item_id, LibraryStream.stream_type == "subtitle")
        .order_by(col(LibraryStream.stream_index))
    )
    return list(rows)


def _format_of(stream: LibraryStream) -> str:
    return (stream.format or stream.codec).lower()


# One conversion per cached file at a time in this process; other processes may convert the same track too,
# which is harmless: each installs a whole, identical file with os.replace.
_conversion_locks: dict[str, threading.Lock] = {}
_conversion_locks_guard = threading.Lock()


def _conversion_lock(key: str) -> threading.Lock:
    with _conversion_locks_guard:
        return _conversion_locks.setdefault(key, threading.Lock())


def webvtt_file(source: SubtitleSource, *, settings: Settings | None = None) -> Path:
    """The track as a WebVTT file in the cache, made first when the cache lacks this version of the source.

    Blocking (ffmpeg may run for a while): call it outside the event loop and without a database session."""
    folder = (settings or get_settings()).data_dir / CACHE_FOLDER / str(source.item_id)
    cached = folder / f"{source.stream_id}-{source.stat.st_mtime_ns}-{source.stat.st_size}.vtt"
    if cached.is_file():
        return cached
    with _conversion_lock(str(cached)):
        if cached.is_file():
            return cached
        folder.mkdir(parents=True, exist_ok=True)
        descriptor, temp_name = tempfile.mkstemp(dir=folder, prefix=f".{source.stream_id}-", suffix=".vtt")
        os.close(descriptor)
        temp = Path(temp_name)
        try:
            if source.subtitle_number is None and source.format in WEBVTT_FORMATS:
                temp.write_bytes(_checked_webvtt(source.path))
            else:
                _convert(source, temp)
            os.replace(temp, cached)
        finally:
            temp.unlink(missing_ok=True)
    for older in folder.glob(f"{source.stream_id}-*.vtt"):
        if older != cached:
            with suppress(OSError):
                older.unlink()
    return cached


def _checked_webvtt(path: Path) -> bytes:
    body = _read_sidecar(path)
    try:
        text = body.removeprefix(b"\xef\xbb\xbf").decode("utf-8")
    except UnicodeDecodeError:
        raise InvalidInput("This .vtt file is not UTF-8 text, as WebVTT must be.", code="subtitle_unreadable") from None
    if not text.startswith("WEBVTT") or text[6:7] not in ("", " ", "\t", "\n", "\r"):
        raise InvalidInput("This .vtt file is not WebVTT (it does not start with WEBVTT).", code="subtitle_unreadable")
    return body


def _read_sidecar(path: Path) -> bytes:
    with path.open("rb") as handle:
        body = handle.read(SIDECAR_MAX_BYTES + 1)
    if len(body) > SIDECAR_MAX_BYTES:
        raise InvalidInput("This subtitle file is too large to be a subtitle file.", code="subtitle_unreadable")
    return body


def _convert(source: SubtitleSource, target: Path) -> None:
    command = ["ffmpeg", "-nostdin", "-hide_banner", "-loglevel", "error", "-y"]
    if source.subtitle_number is None and not _is_utf8(_read_sidecar(source.path)):
        # ffmpeg reads text subtitles as UTF-8; older .srt files are mostly Windows-1252.
        command += ["-sub_charenc", "CP1252"]
    # "file:" keeps ffmpeg from reading a name such as "concat:..." or "http:..." as a protocol.
    command += ["-i", f"file:{source.path}", "-map", f"0:s:{source.subtitle_number or 0}"]
    command += ["-c:s", "webvtt", "-f", "webvtt", f"file:{target}"]
    try:
        finished = subprocess.run(command, capture_output=True, timeout=FFMPEG_TIMEOUT_SECONDS, check=False)
    except FileNotFoundError:
        raise Unavailable("ffmpeg is not installed on the server, so subtitles cannot be converted.") from None
    except subprocess.TimeoutExpired:
        raise InvalidInput(
            f"Converting these subtitles took longer than {FFMPEG_TIMEOUT_SECONDS} s and was stopped.",
            code="subtitle_timeout",
        ) from None
    if finished.returncode != 0:
        raise InvalidInput(
            f"ffmpeg could not convert these subtitles: {ffmpeg_complaint(finished.stderr, source.path)}",
            code="subtitle_unreadable",
        )
    with target.open("rb") as written:
        if not written.read(6) == b"WEBVTT":
            raise InvalidInput("ffmpeg produced no WebVTT from these subtitles.", code="subtitle_unreadable")


def _is_utf8(body: bytes) -> bool:
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def ffmpeg_complaint(stderr: bytes, path: Path) -> str:
    """ffmpeg's last complaint about a file, without the server's folders in it."""
    lines = [line.strip() for line in stderr.decode("utf-8", "replace").splitlines() if line.strip()]
    message = lines[-1] if lines else "no reason given"
    message = message.replace(f"file:{path}", path.name).replace(str(path), path.name)
    return re.sub(r"(?:file:)?/\S*/([^/\s]+)", r"\1", message)[:300]
