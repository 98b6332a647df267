"""Playing library files over REST: the video with HTTP Range, and its subtitles as WebVTT.

Thin: which file may be served, and how subtitles become WebVTT, live in `seen.services.library_stream`.
A browser's <video> and <track> elements send the session cookie but no Authorization header, so these GET
routes take the cookie (no CSRF token: they change nothing) as well as a Bearer token.
"""

from __future__ import annotations

import uuid
from functools import lru_cache
from typing import Annotated

import anyio
from fastapi import APIRouter, Path
from fastapi.responses import FileResponse
from pydantic import BaseModel

from seen.api.deps import CurrentCaller, in_session
from seen.services import library_stream

router = APIRouter(tags=["streaming"])

ItemId = Annotated[uuid.UUID, Path(description="the library item's id")]
StreamId = Annotated[uuid.UUID, Path(description="the subtitle track's id (from the item's subtitle list)")]
# Only the caller may reuse an answer: another account's cache must not serve it.
PRIVATE = {"Cache-Control": "private"}
# ffmpeg is CPU-heavy: a couple at once, apart from the database threads.
CONVERSION_THREADS = 2


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
