"""The caller's game backlog over REST: one game's entry, and the whole backlog by status."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query, Response, status
from pydantic import BaseModel, Field
from sqlmodel import Session

from seen.api.deps import CurrentCaller, Pagination, in_session
from seen.api.tracking import MediaId
from seen.services import backlog
from seen.services.backlog import BACKLOG_STATUSES, COMPLETION_LEVELS, BacklogEntryView
from seen.services.errors import NotFound

router = APIRouter(tags=["backlog"])


class BacklogIn(BaseModel):
    """Only the fields sent change: a field left out keeps its value, a field sent as null is emptied."""

    status: str | None = Field(default=None, max_length=100, description=" | ".join(BACKLOG_STATUSES))
    platform_id: int | None = Field(default=None, ge=1, le=2**31 - 1)
    hours_played: float | None = Field(default=None, description="0 to 100000, one decimal")
    completion: str | None = Field(default=None, max_length=100, description=" | ".join(COMPLETION_LEVELS))
    started_on: date | None = None
    finished_on: date | None = None
    notes: str | None = Field(default=None, max_length=100_000, description="at most 4000 characters")


class BacklogPage(BaseModel):
    items: list[BacklogEntryView]
    total: int
    page: int
    page_size: int
    counts: dict[str, int]  # entries per status, every status present


def _changes(body: BacklogIn) -> dict[str, Any]:
    """The service's arguments: what was sent (null meaning "empty it"); what was left out is not passed."""
    sent = body.model_fields_set - {"status"}
    return {name: backlog.CLEAR if getattr(body, name) is None else getattr(body, name) for name in sent}


@router.get("/games/{media_id}/backlog", response_model=BacklogEntryView)
async def get_entry(media_id: MediaId, caller: CurrentCaller) -> BacklogEntryView:
    def work(db: Session) -> BacklogEntryView:
        entry = backlog.backlog_entry(session=db, user_id=caller.user.id, media_id=media_id)
        if entry is None:
            raise NotFound("That game is not in your backlog")
        return entry

    return await in_session(work)


@router.put("/games/{media_id}/backlog", response_model=BacklogEntryView)
async def put_entry(media_id: MediaId, body: BacklogIn, caller: CurrentCaller) -> BacklogEntryView:
    """Add the game to the backlog or change its entry. Moving it to active dates its start, completing it
    dates its finish (today, when still empty)."""
    return await in_session(
        lambda db: backlog.set_backlog(
            session=db, user_id=caller.user.id, media_id=media_id, status=body.status, **_changes(body)
        )
    )


@router.delete("/games/{media_id}/backlog", status_code=status.HTTP_204_NO_CONTENT)
async def delete_entry(media_id: MediaId, caller: CurrentCaller) -> Response:
    await in_session(lambda db: backlog.remove_from_backlog(session=db, user_id=caller.user.id, media_id=media_id))
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/backlog", response_model=BacklogPage)
async def list_backlog(
    caller: CurrentCaller,
    paging: Pagination,
    status_filter: Annotated[
        str | None, Query(alias="status", max_length=100, description=" | ".join(BACKLOG_STATUSES))
    ] = None,
) -> BacklogPage:
    """Playing first, then paused, wishlist, completed, dropped; the most recently changed first in each."""

    def work(db: Session) -> BacklogPage:
        entries, total = backlog.backlog(
            session=db,
            user_id=caller.user.id,
            status=status_filter or None,
            offset=(paging.page - 1) * paging.page_size,
            limit=paging.page_size,
        )
        counts = backlog.backlog_counts(session=db, user_id=caller.user.id)
        return BacklogPage(items=entries, total=total, page=paging.page, page_size=paging.page_size, counts=counts)

    return await in_session(work)
