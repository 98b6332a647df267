"""Imports (upload, status, report) and exports (JSON or a zip of CSVs) of the caller's own records."""

from __future__ import annotations

import json
import uuid
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, File, Form, HTTPException, Path, Query, Request, Response, UploadFile, status
from pydantic import BaseModel

from seen.api.deps import CurrentCaller, Pagination, in_session
from seen.services import exports, imports
from seen.services.imports import ImportReport, ImportStatus
from seen.services.imports.upload import MAX_UPLOAD_BYTES

router = APIRouter(tags=["imports"])

TOO_LARGE = f"The upload is larger than {MAX_UPLOAD_BYTES // (1024 * 1024)} MB."
# Room for the multipart framing and the small form fields around the file.
FORM_OVERHEAD_BYTES = 64 * 1024
JobId = Annotated[uuid.UUID, Path(description="the import's id")]


def refuse_oversized(request: Request) -> None:
    """Refuse a body announced larger than the cap before any of it is read."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_UPLOAD_BYTES + FORM_OVERHEAD_BYTES:
        raise HTTPException(status.HTTP_413_CONTENT_TOO_LARGE, TOO_LARGE)


class ImportList(BaseModel):
    items: list[ImportStatus]


class ReportPage(BaseModel):
    job: ImportStatus
    rows: list[imports.ReportRow]
    total: int
    page: int
    page_size: int
    ignored_files: list[dict[str, str]]
    notes: list[str]


@router.post(
    "/imports",
    response_model=ImportStatus,
    status_code=status.HTTP_202_ACCEPTED,
    dependencies=[Depends(refuse_oversized)],
)
async def start_import(
    caller: CurrentCaller,
    file: Annotated[UploadFile, File(description="the export file: zip, JSON or CSV")],
    source: Annotated[Literal["letterboxd", "trakt", "imdb", "seen"], Form()],
    dry_run: Annotated[bool, Form()] = False,
) -> ImportStatus:
    data = await file.read(MAX_UPLOAD_BYTES + 1)
    if len(data) > MAX_UPLOAD_BYTES:
        raise HTTPException(status.HTTP_413_CONTENT_TOO_LARGE, TOO_LARGE)
    name = file.filename or "upload"
    return await in_session(
        lambda db: imports.start_import(
            session=db, user_id=caller.user.id, source=source, file_name=name, data=data, dry_run=dry_run
        )
    )


@router.get("/imports", response_model=ImportList)
async def my_imports(caller: CurrentCaller, limit: Annotated[int, Query(ge=1, le=100)] = 20) -> ImportList:
    items = await in_session(lambda db: imports.list_imports(session=db, user_id=caller.user.id, limit=limit))
    return ImportList(items=items)


@router.get("/imports/{job_id}", response_model=ImportStatus)
async def import_status(job_id: JobId, caller: CurrentCaller) -> ImportStatus:
    return await in_session(lambda db: imports.import_status(session=db, user_id=caller.user.id, job_id=job_id))


@router.get("/imports/{job_id}/report", response_model=ReportPage)
async def import_report(
    job_id: JobId,
    caller: CurrentCaller,
    paging: Pagination,
    outcome: Annotated[Literal["added", "updated", "already_there", "not_imported"] | None, Query()] = None,
) -> ReportPage:
    offset = (paging.page - 1) * paging.page_size
    report: ImportReport = await in_session(
        lambda db: imports.import_report(
            session=db, user_id=caller.user.id, job_id=job_id, outcome=outcome, offset=offset, limit=paging.page_size
        )
    )
    return ReportPage(
        job=report.job,
        rows=report.rows,
        total=report.total,
        page=paging.page,
        page_size=paging.page_size,
        ignored_files=report.ignored_files,
        notes=report.notes,
    )


@router.get("/exports", response_class=Response)
async def export(caller: CurrentCaller, format: Literal["json", "csv"] = "json") -> Response:
    """Everything of yours as a download: one JSON document, or a zip with a CSV file per table."""
    if format == "json":
        document = await in_session(lambda db: exports.export_json(session=db, user_id=caller.user.id))
        content, media_type = json.dumps(document, ensure_ascii=False, indent=1).encode("utf-8"), "application/json"
    else:
        content = await in_session(lambda db: exports.export_csv_zip(session=db, user_id=caller.user.id))
        media_type = "application/zip"
    name = exports.file_name("json" if format == "json" else "zip")
    return Response(content, media_type=media_type, headers={"Content-Disposition": f'attachment; filename="{name}"'})
