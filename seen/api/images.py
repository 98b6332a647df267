"""Catalogue artwork as WebP: produced on the first request, then served from disk and cached for a year.

No authentication, on purpose: artwork is public catalogue data, and an `<img>` tag carries no bearer token, so a
login check would protect nothing and break every picture for API clients and shared caches alike. What keeps the
route safe is that it only ever serves sources from fixed tables and strict patterns (see `seen.services.images`).
"""

from __future__ import annotations

from functools import lru_cache, partial
from pathlib import Path

import anyio
from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, JSONResponse, Response

from seen.api.errors import error_response
from seen.services import images

router = APIRouter(prefix="/images", tags=["images"])

# The URL names the source and the size, and a source's bytes never change, so clients may keep them for ever.
CACHE_FOREVER = "public, max-age=31536000, immutable"
FETCH_THREADS = 8

_ERROR_RESPONSES: dict[int | str, dict] = {
    404: {"description": "Not one of our images, or the upstream has no such image."},
    502: {"description": "The upstream is down, too slow, or sent something that is not a usable image."},
}


@lru_cache
def _fetch_threads() -> anyio.CapacityLimiter:
    # Apart from the database threads: a slow CDN must not hold up requests that only need the database.
    return anyio.CapacityLimiter(FETCH_THREADS)


@router.get(
    "/{provider}/{kind}/{size}/{name}",
    response_class=FileResponse,
    responses={200: {"content": {"image/webp": {}}}, 304: {"description": "Not modified."}, **_ERROR_RESPONSES},
    summary="An artwork at one size, as WebP",
)
@router.head("/{provider}/{kind}/{size}/{name}", include_in_schema=False)
async def image(provider: str, kind: str, size: str, name: str, request: Request) -> Response:
    try:
        source = images.source_from_url(provider=provider, kind=kind, size=size, name=name)
        ensure = partial(images.ensure_images, provider=source.provider, kind=source.kind, path=source.path)
        files = await anyio.to_thread.run_sync(ensure, limiter=_fetch_threads())
    except images.ImageNotFound as error:
        return error_response(404, error.code, error.message)
    except images.ImageUnavailable as error:
        return _unavailable(error)
    path = files[size]
    stat = await anyio.to_thread.run_sync(path.stat)
    headers = {"Cache-Control": CACHE_FOREVER, "ETag": _etag(path, stat.st_size, stat.st_mtime_ns)}
    if _matches(request.headers.get("if-none-match", ""), headers["ETag"]):
        return Response(status_code=304, headers=headers)
    return FileResponse(path, media_type="image/webp", headers=headers, stat_result=stat)


def _unavailable(error: images.ImageUnavailable) -> JSONResponse:
    response = error_response(502, error.code, error.message)
    # A failure is about now, not about the image: nobody may cache it in place of the picture.
    response.headers["Cache-Control"] = "no-store"
    return response


def _etag(path: Path, size: int, mtime_ns: int) -> str:
    # The file name names the source and size; length and mtime tell a re-produced file apart.
    return f'"{path.stem}-{size:x}-{mtime_ns:x}"'


def _matches(if_none_match: str, etag: str) -> bool:
    """RFC 9110 weak comparison against an If-None-Match list (or `*`)."""
    if not if_none_match:
        return False
    tags = [tag.strip().removeprefix("W/") for tag in if_none_match.split(",")]
    return "*" in tags or etag in tags
