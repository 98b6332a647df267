"""Download jobs over REST: add one (magnet, URL, or an uploaded .torrent), list, read, cancel, pause, resume,
retry, and read a job's timeline. Thin: every rule lives in `seen.services.downloads`.

Only the runner talks to download engines: these routes change the job's row and the service queues the
runner's tick after the commit, so a response never waits on aria2 or on a remote server's download.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, HTTPException, Path, Query, Request, status
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from pydantic.alias_generators import to_camel
from starlette.datastructures import FormData, UploadFile
from starlette.formparsers import MultiPartException, MultiPartParser

from seen.api.deps import CurrentCaller, in_session
from seen.api.imports import FORM_OVERHEAD_BYTES
from seen.config import get_settings
from seen.services import downloads
from seen.services.downloads import DownloadEventView, DownloadPage, DownloadView
from seen.services.errors import InvalidInput

router = APIRouter(prefix="/downloads", tags=["downloads"])

# A magnet or URL fits in a few KB (the service caps them at 8 KB and 4 KB); anything bigger is not a request.
JSON_BODY_MAX_BYTES = 64 * 1024
JobId = Annotated[uuid.UUID, Path(description="the download's id")]
# "…+02:00" sent unencoded in a query string arrives as "… 02:00": put the plus sign back.
_UNENCODED_OFFSET = re.compile(r" (\d{2}:\d{2})$")


class DownloadFields(BaseModel):
    """What both ways of adding a download share. Names are accepted in camelCase (mediaId) or snake_case."""

    model_config = ConfigDict(alias_generator=to_camel, validate_by_name=True, validate_by_alias=True)

    title: str | None = Field(
        default=None, max_length=downloads.TITLE_MAX_LENGTH, description="a label; empty: named after the source"
    )
    media_id: int | None = Field(default=None, ge=1, le=2**31 - 1, description="the title this download is for")


class DownloadIn(DownloadFields):
    """A magnet link or a URL to fetch (a .torrent file is uploaded as multipart/form-data instead)."""

    source_type: Literal["magnet", "torrent", "direct", "http"] | None = Field(
        default=None, description="empty: inferred from the source (magnet:, http(s) -> http, ftp -> direct)"
    )
    source: str = Field(max_length=downloads.SOURCE_MAX_LENGTH, description="a magnet: URI, or an http(s)/ftp URL")

    @field_validator("source")
    @classmethod
    def _something_to_fetch(cls, value: str) -> str:
        value = value.strip()
        if not value:
            raise ValueError("paste a magnet link or an http(s)/ftp URL")
        return value


# The multipart variant, for the OpenAPI document only: the form is parsed by hand (see `_torrent_form`).
TORRENT_UPLOAD_SCHEMA = {
    "type": "object",
    "required": ["file"],
    "properties": {
        "file": {"type": "string", "format": "binary", "description": "the .torrent file"},
        "title": {"type": "string", "maxLength": downloads.TITLE_MAX_LENGTH},
        "mediaId": {"type": "integer", "minimum": 1},
    },
}
CREATE_REQUEST_BODY = {
    "required": True,
    "content": {
        "application/json": {"schema": DownloadIn.model_json_schema(by_alias=True)},
        "multipart/form-data": {"schema": TORRENT_UPLOAD_SCHEMA},
    },
}


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.3g} MB"


def _too_large(message: str) -> HTTPException:
    return HTTPException(status.HTTP_413_CONTENT_TOO_LARGE, message)


async def _capped_stream(request: Request, limit: int, message: str) -> AsyncIterator[bytes]:
    """The request body, refused with a 413 once it passes `limit`: announced by Content-Length (before a byte
    is read) or counted while it streams in (a chunked upload has no length to announce)."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise _too_large(message)
    received = 0
    async for chunk in request.stream():
        received += len(chunk)
        if received > limit:
            raise _too_large(message)
        yield chunk


async def _read_capped(request: Request, limit: int, message: str) -> bytes:
    return b"".join([chunk async for chunk in _capped_stream(request, limit, message)])


def _validation_error(error: ValidationError, where: str) -> RequestValidationError:
    """The shape FastAPI gives its own validation errors, so the error handler names the field."""
    return RequestValidationError([{**item, "loc": (where, *item["loc"])} for item in error.errors()])


async def _json_download(request: Request) -> dict[str, Any]:
    raw = await _read_capped(request, JSON_BODY_MAX_BYTES, "The request is too large for a magnet link or a URL.")
    try:
        body = DownloadIn.model_validate_json(raw or b"{}")
    except ValidationError as error:
        raise _validation_error(error, "body") from error
    if body.source_type == "torrent":
        raise InvalidInput("Upload a .torrent file as multipart/form-data (field `file`), not as JSON.")
    return {
        "source": body.source,
        "source_type": body.source_type,
        "title": body.title or "",
        "media_id": body.media_id,
    }


async def _torrent_form(request: Request) -> dict[str, Any]:
    """The uploaded .torrent and its optional title and mediaId, never holding more than the cap in memory."""
    max_bytes = get_settings().torrent_max_bytes
    message = f"The .torrent file is larger than {_megabytes(max_bytes)}."
    parser = MultiPartParser(
        request.headers,
        _capped_stream(request, max_bytes + FORM_OVERHEAD_BYTES, message),
        max_files=1,
        max_fields=10,
        max_part_size=8 * 1024,
    )
    try:
        form: FormData = await parser.parse()
    except MultiPartException as error:
        raise InvalidInput(f"The upload is not valid multipart form data: {error.message}") from error
    try:
        upload = form.get("file")
        if not isinstance(upload, UploadFile):
            raise InvalidInput("Attach the .torrent file in the form field `file`.")
        data = await upload.read(max_bytes + 1)
        if len(data) > max_bytes:
            raise _too_large(message)
        fields = {name: value for name, value in form.items() if isinstance(value, str) and value.strip() != ""}
        try:
            extra = DownloadFields.model_validate({name: fields[name] for name in fields if name != "file"})
        except ValidationError as error:
            raise _validation_error(error, "form") from error
        file_name = upload.filename or "upload.torrent"
        return {
            "source": file_name,
            "source_type": "torrent",
            "title": extra.title or "",
            "media_id": extra.media_id,
            "torrent_data": data,
            "torrent_file_name": file_name,
        }
    finally:
        await form.close()


@router.post(
    "",
    response_model=DownloadView,
    status_code=status.HTTP_201_CREATED,
    summary="Add a download",
    openapi_extra={"requestBody": CREATE_REQUEST_BODY},
    responses={
        413: {"description": "the .torrent file (or the request) is too large"},
        415: {"description": "neither JSON nor multipart/form-data"},
        422: {"description": "not a magnet, URL or torrent; a refused address; an unknown mediaId"},
    },
)
async def create_download(request: Request, caller: CurrentCaller) -> DownloadView:
    """Queue a download. Send JSON `{sourceType?, source, title?, mediaId?}` for a magnet link or an
    http(s)/ftp URL, or multipart/form-data with the .torrent in `file` (plus optional `title`, `mediaId`).
    URLs that lead to private, loopback or link-local addresses are refused unless an admin allowed them."""
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type == "multipart/form-data":
        arguments = await _torrent_form(request)
    elif content_type in ("", "application/json") or content_type.endswith("+json"):
        arguments = await _json_download(request)
    else:
        raise HTTPException(
            status.HTTP_415_UNSUPPORTED_MEDIA_TYPE,
            "Send JSON for a magnet link or URL, or multipart/form-data with a .torrent file.",
        )
    return await in_session(lambda db: downloads.create_download(session=db, user=caller.user, **arguments))


@router.get("", response_model=DownloadPage, summary="List downloads")
async def list_downloads(
    caller: CurrentCaller,
    status_filter: Annotated[
        str | None,
        Query(
            alias="status",
            max_length=200,
            description="a status, a comma-separated list, `active` (not finished, incl. paused) or `finished`",
        ),
    ] = None,
    limit: Annotated[int, Query(ge=1, le=downloads.MAX_PAGE, description="items per page")] = 20,
    cursor: Annotated[str | None, Query(max_length=500, description="`next_cursor` of the previous page")] = None,
) -> DownloadPage:
    """The caller's downloads (every user's for an admin), newest activity first, with counts per status."""
    return await in_session(
        lambda db: downloads.list_downloads(
            session=db, user=caller.user, status=status_filter or None, limit=limit, cursor=cursor or None
        )
    )


@router.get("/{job_id}", response_model=DownloadView, summary="Read a download")
async def get_download(job_id: JobId, caller: CurrentCaller) -> DownloadView:
    """Progress, speed, ETA, peers, files and what may be done with it next (`can_pause`…)."""
    return await in_session(lambda db: downloads.get_download(session=db, user=caller.user, job_id=job_id))


@router.delete("/{job_id}", response_model=DownloadView, summary="Cancel a download")
async def cancel_download(job_id: JobId, caller: CurrentCaller) -> DownloadView:
    """Soft cancel: the job and its timeline stay, the engine stops it. A finished job is returned unchanged."""
    return await in_session(lambda db: downloads.cancel_download(session=db, user=caller.user, job_id=job_id))


@router.post(
    "/{job_id}/pause",
    response_model=DownloadView,
    summary="Pause a download",
    responses={409: {"description": "the job cannot be paused now"}},
)
async def pause_download(job_id: JobId, caller: CurrentCaller) -> DownloadView:
    """Keep what was fetched and free the slot; resume later."""
    return await in_session(lambda db: downloads.pause_download(session=db, user=caller.user, job_id=job_id))


@router.post(
    "/{job_id}/resume",
    response_model=DownloadView,
    summary="Resume a paused download",
    responses={409: {"description": "the job is not paused"}},
)
async def resume_download(job_id: JobId, caller: CurrentCaller) -> DownloadView:
    """Back to the queue; it continues where it stopped when a slot is free."""
    return await in_session(lambda db: downloads.resume_download(session=db, user=caller.user, job_id=job_id))


@router.post(
    "/{job_id}/retry",
    response_model=DownloadView,
    summary="Retry a failed or cancelled download",
    responses={409: {"description": "the job has not failed and is not cancelled"}},
)
async def retry_download(job_id: JobId, caller: CurrentCaller) -> DownloadView:
    """Back to the queue with its retry count reset and its error cleared."""
    return await in_session(lambda db: downloads.retry_download(session=db, user=caller.user, job_id=job_id))


def parse_instant(value: str) -> datetime:
    """An RFC3339 time (with its offset) as UTC; InvalidInput naming the parameter otherwise."""
    text = _UNENCODED_OFFSET.sub(r"+\1", value.strip())
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        parsed = None
    if parsed is None or parsed.tzinfo is None:
        raise InvalidInput(f"after: {value[:64]!r} is not an RFC3339 time with an offset, e.g. 2026-01-31T18:00:00Z.")
    return parsed.astimezone(UTC)


@router.get("/{job_id}/events", response_model=list[DownloadEventView], summary="A download's timeline")
async def download_events(
    job_id: JobId,
    caller: CurrentCaller,
    after: Annotated[
        str | None, Query(max_length=64, description="RFC3339 time: only events after it (poll with the last one's)")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=downloads.MAX_EVENTS)] = 100,
) -> list[DownloadEventView]:
    """Every status change and notable moment of the job, oldest first."""
    since = parse_instant(after) if after else None
    return await in_session(
        lambda db: downloads.download_events(session=db, user=caller.user, job_id=job_id, after=since, limit=limit)
    )
