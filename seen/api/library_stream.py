"""Playing library files over REST: the video with HTTP Range, and its subtitles as WebVTT.

Thin: which file may be served, and how subtitles become WebVTT, live in `seen.services.library_stream`.
A browser's <video> and <track> elements send the session cookie but no Authorization header, so these GET
routes take the cookie (no CSRF token: they change nothing) as well as a Bearer token.
"""

from __future__ import annotations

import subprocess
import tempfile
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import suppress
from functools import lru_cache
from typing import Annotated

import anyio
from anyio.abc import Process
from fastapi import APIRouter, Path, Query
from fastapi.responses import FileResponse, StreamingResponse
from pydantic import BaseModel

from seen.api.deps import CurrentCaller, in_session
from seen.config import get_settings
from seen.library.playback import CONVERTED_MEDIA_TYPE
from seen.services import library_stream
from seen.services.errors import InvalidInput, Unavailable
from seen.services.progress import MAX_DURATION_SECONDS

router = APIRouter(tags=["streaming"])

ItemId = Annotated[uuid.UUID, Path(description="the library item's id")]
StreamId = Annotated[uuid.UUID, Path(description="the subtitle track's id (from the item's subtitle list)")]
# Only the caller may reuse an answer: another account's cache must not serve it.
PRIVATE = {"Cache-Control": "private"}
# ffmpeg is CPU-heavy: a couple at once, apart from the database threads.
CONVERSION_THREADS = 2
# A converted stream is written as it is read: no byte ranges.
NO_RANGES = {"Accept-Ranges": "none"}
STREAM_CHUNK_BYTES = 256 * 1024
# Seeking far into a big file and encoding the first fragment can take a few seconds on a small CPU.
FIRST_BYTES_TIMEOUT_SECONDS = 30


class VideoFileResponse(FileResponse):
    """Starlette's FileResponse (single and multiple ranges, 416, If-Range, HEAD) reading 1 MB at a time.

    Its default 64 KB means one thread hop and one trip through the middleware per 64 KB: measured with
    bench/streaming.py, that per-chunk cost is what separated the app from a bare FileResponse."""

    chunk_size = 1024 * 1024


@lru_cache
def _conversion_threads() -> anyio.CapacityLimiter:
    return anyio.CapacityLimiter(CONVERSION_THREADS)


class SubtitleOut(BaseModel):
    id: uuid.UUID
    language: str
    title: str
    format: str
    forced: bool
    default: bool
    external: bool
    text: bool
    url: str | None  # null for picture subtitles, which cannot be served as WebVTT


@router.get(
    "/stream/{item_id}",
    response_class=VideoFileResponse,
    responses={
        206: {"description": "the requested byte range (Content-Range)"},
        416: {"description": "the range starts past the end (Content-Range: bytes */size)"},
    },
)
async def stream(item_id: ItemId, caller: CurrentCaller) -> VideoFileResponse:
    """The item's video file. Range requests answer 206 with Content-Range; ETag and Last-Modified allow If-Range."""
    playable = await in_session(lambda db: library_stream.playable_file(session=db, user=caller.user, item_id=item_id))
    return VideoFileResponse(
        playable.path,
        media_type=playable.media_type,
        stat_result=playable.stat,
        filename=playable.file_name,
        content_disposition_type="inline",
        headers=PRIVATE,
    )


# HEAD answers like GET without the body (players ask for the size first); the GET documents both.
router.add_api_route(
    "/stream/{item_id}", stream, methods=["HEAD"], response_class=VideoFileResponse, include_in_schema=False
)


@router.get(
    "/stream/{item_id}/converted",
    response_class=StreamingResponse,
    responses={
        200: {"content": {CONVERTED_MEDIA_TYPE: {}}, "description": "fragmented MP4, written while it plays"},
        415: {"description": "the file is not a readable video"},
        422: {"description": "start out of range, or ffmpeg could not read the file"},
        503: {"description": "ffmpeg is missing, or the server already converts as many videos as it may"},
    },
)
async def converted(
    item_id: ItemId,
    caller: CurrentCaller,
    start: Annotated[float, Query(ge=0, le=MAX_DURATION_SECONDS, description="where to begin, in seconds")] = 0,
) -> StreamingResponse:
    """The item's video repackaged as MP4, or converted to H.264/AAC where its codecs need it, from `start` on.
    No Range: a player seeks by asking again with another `start` (the position in the file is `start` plus the
    stream's own time)."""
    conversion = await in_session(
        lambda db: library_stream.converted_stream(session=db, user=caller.user, item_id=item_id, start_seconds=start)
    )
    limiter = _ffmpeg_streams(get_settings().transcode_limit)
    # The stream's own token: the slot is given back by the response's task, not this one.
    slot = object()
    try:
        limiter.acquire_on_behalf_of_nowait(slot)
    except anyio.WouldBlock:
        raise Unavailable(
            f"The server is already converting {limiter.total_tokens:.0f} videos; try again when one of them stops.",
            code="transcode_busy",
        ) from None
    try:
        process, first = await _started(conversion)
    except BaseException:
        limiter.release_on_behalf_of(slot)
        raise
    return StreamingResponse(
        _relayed(process, first, lambda: limiter.release_on_behalf_of(slot)),
        media_type=CONVERTED_MEDIA_TYPE,
        headers={**PRIVATE, **NO_RANGES},
    )


@lru_cache
def _ffmpeg_streams(limit: int) -> anyio.CapacityLimiter:
    """One limiter per process (per limit value, so a changed setting takes effect)."""
    return anyio.CapacityLimiter(limit)


async def _started(conversion: library_stream.ConvertedStream) -> tuple[Process, bytes]:
    """ffmpeg started, with its first bytes: a file it cannot read fails here, as a 422 with ffmpeg's reason,
    rather than as an empty 200."""
    # A file, not a pipe: nobody reads it while the stream runs, so it must not fill up and block ffmpeg.
    # ffmpeg keeps its own descriptor of it; closing ours when this returns does not stop its writes.
    with tempfile.TemporaryFile() as errors:
        try:
            process = await anyio.open_process(conversion.command, stdin=subprocess.DEVNULL, stderr=errors)
        except FileNotFoundError:
            raise Unavailable("ffmpeg is not installed on the server, so this file cannot be converted.") from None
        assert process.stdout is not None
        first = b""
        with anyio.move_on_after(FIRST_BYTES_TIMEOUT_SECONDS), suppress(anyio.EndOfStream):
            first = await process.stdout.receive(STREAM_CHUNK_BYTES)
        if first:
            return process, first
        await _stop(process)
        errors.seek(0)
        reason = library_stream.ffmpeg_complaint(errors.read(4096), conversion.path)
    raise InvalidInput(f"ffmpeg could not convert this file: {reason}", code="unplayable")


async def _relayed(process: Process, first: bytes, release: Callable[[], None]) -> AsyncIterator[bytes]:
    """ffmpeg's output to the client; ffmpeg is stopped when the client goes (a seek, a closed tab)."""
    assert process.stdout is not None
    try:
        yield first
        while True:
            try:
                yield await process.stdout.receive(STREAM_CHUNK_BYTES)
            except anyio.EndOfStream:
                return
    finally:
        with anyio.CancelScope(shield=True):
            await _stop(process)
        release()


async def _stop(process: Process) -> None:
    if process.returncode is None:
        process.kill()
    await process.wait()
    await process.aclose()


@router.get("/library/{item_id}/subtitles", response_model=list[SubtitleOut])
async def subtitles(item_id: ItemId, caller: CurrentCaller) -> list[SubtitleOut]:
    """The item's subtitle tracks: embedded ones in file order, then sidecar files."""
    tracks = await in_session(lambda db: library_stream.subtitle_tracks(session=db, user=caller.user, item_id=item_id))
    return [
        SubtitleOut(
            id=track.id,
            language=track.language,
            title=track.title,
            format=track.format,
            forced=track.forced,
            default=track.default,
            external=track.external,
            text=track.text,
            url=f"/api/v1/library/{item_id}/subtitles/{track.id}.vtt" if track.text else None,
        )
        for track in tracks
    ]


@router.get(
    "/library/{item_id}/subtitles/{stream_id}.vtt",
    response_class=FileResponse,
    responses={415: {"description": "picture subtitles (PGS, VobSub)"}, 422: {"description": "unreadable"}},
)
async def subtitle_webvtt(item_id: ItemId, stream_id: StreamId, caller: CurrentCaller) -> FileResponse:
    """One subtitle track as WebVTT (converted once, then read from the cache until its source changes)."""
    source = await in_session(
        lambda db: library_stream.subtitle_source(session=db, user=caller.user, item_id=item_id, stream_id=stream_id)
    )
    path = await anyio.to_thread.run_sync(library_stream.webvtt_file, source, limiter=_conversion_threads())
    return FileResponse(path, media_type=library_stream.WEBVTT_MEDIA_TYPE, headers=PRIVATE)
