"""The caller's notification centre over REST: the list (newest first), marking read, and their settings."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, status
from pydantic import BaseModel, Field
from sqlmodel import Session

from seen.api.deps import CurrentAdmin, CurrentCaller, in_session
from seen.services import notifications
from seen.services.notifications import NotificationView, SettingsView

router = APIRouter(tags=["notifications"])

NotificationId = Annotated[int, Path(ge=1, le=2**63 - 1)]


class NotificationList(BaseModel):
    items: list[NotificationView]
    unread_count: int
    next_before: int | None  # pass as `before` for the next (older) page; null at the end


class MarkRead(BaseModel):
    ids: list[Annotated[int, Field(ge=1, le=2**63 - 1)]] = Field(default_factory=list, max_length=500)
    all: bool = False


class Marked(BaseModel):
    marked: int
    unread_count: int


class SettingsChange(BaseModel):
    """Fields left out stay as they are; the service checks the values (the digest hour is 0 to 23, UTC)."""

    new_episode: bool | None = None
    movie_released: bool | None = None
    game_launched: bool | None = None
    downloads: bool | None = None
    unmatched_files: bool | None = None
    daily_digest: bool | None = None
    digest_hour_utc: int | None = None


@router.get("/notifications", response_model=NotificationList)
async def list_notifications(
    caller: CurrentCaller,
    unread: Annotated[bool, Query(description="only unread notifications")] = False,
    limit: Annotated[int, Query(ge=1, le=notifications.LIST_LIMIT_MAX)] = 50,
    before: Annotated[int | None, Query(ge=1, le=2**63 - 1, description="older than this id")] = None,
) -> NotificationList:
    """The caller's notifications, newest first, with how many are unread."""
    page = await in_session(
        lambda db: notifications.list_notifications(
            session=db, user_id=caller.user.id, unread_only=unread, limit=limit, before=before
        )
    )
    return NotificationList(items=page.items, unread_count=page.unread_count, next_before=page.next_before)


async def _marked(caller: CurrentCaller, ids: list[int], all_: bool) -> Marked:
    def work(db: Session) -> Marked:
        marked = notifications.mark_read(session=db, user_id=caller.user.id, ids=ids, all_=all_)
        return Marked(marked=marked, unread_count=notifications.unread_count(session=db, user_id=caller.user.id))

    return await in_session(work)


@router.post("/notifications/read", response_model=Marked)
async def mark_read(body: MarkRead, caller: CurrentCaller) -> Marked:
    """Mark read by ids ({"ids": [...]}) or everything ({"all": true}); an id not the caller's is 404."""
    return await _marked(caller, body.ids, body.all)


@router.post("/notifications/{notification_id}/read", response_model=Marked)
async def mark_one_read(notification_id: NotificationId, caller: CurrentCaller) -> Marked:
    return await _marked(caller, [notification_id], False)


@router.get("/notifications/settings", response_model=SettingsView)
async def get_settings(caller: CurrentCaller) -> SettingsView:
    return await in_session(lambda db: notifications.get_settings(session=db, user_id=caller.user.id))


@router.put("/notifications/settings", response_model=SettingsView)
async def update_settings(body: SettingsChange, caller: CurrentCaller) -> SettingsView:
    """Change some settings; turning the daily digest off delivers what it held at once."""
    changes = body.model_dump(exclude_none=True)
    return await in_session(
        lambda db: notifications.update_settings(session=db, user_id=caller.user.id, changes=changes)
    )


class ReleaseCheck(BaseModel):
    lookback_days: int = notifications.DEFAULT_LOOKBACK_DAYS


class Queued(BaseModel):
    queued: bool


@router.post("/notifications/releases/check", response_model=Queued, status_code=status.HTTP_202_ACCEPTED)
async def check_releases(body: ReleaseCheck, _admin: CurrentAdmin) -> Queued:
    """Admins: run the (hourly) release job now, looking `lookback_days` back (default 7, up to 36,500)."""
    notifications.request_release_check(lookback_days=body.lookback_days)
    return Queued(queued=True)
