"""The caller's own tracking over REST: watch later, viewing history (filters, edits, whole seasons and
shows, up next), ratings, favourites."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Path, Query, Response, status
from pydantic import BaseModel, Field
from sqlmodel import Session

from seen.api.deps import Caller, CurrentCaller, PageParams, Paginated, Pagination, in_session
from seen.services import tracking
from seen.services.catalogue_views import MediaCard
from seen.services.tracking import HistoryEntry, TitleState, UpNext

router = APIRouter(tags=["tracking"])

MediaId = Annotated[int, Path(ge=1, le=2**31 - 1)]


class MediaRef(BaseModel):
    media_id: int = Field(ge=1, le=2**31 - 1)


class Added(BaseModel):
    added: bool


class Order(BaseModel):
    media_ids: list[int] = Field(max_length=10_000)


class ViewingIn(BaseModel):
    media_id: int = Field(ge=1, le=2**31 - 1)
    watched_at: datetime | None = None
    season_number: int | None = Field(default=None, ge=0, le=10_000)
    episode_number: int | None = Field(default=None, ge=0, le=100_000)


class ViewingOut(BaseModel):
    id: int


class ViewingDate(BaseModel):
    watched_at: datetime


class SeasonViewingsIn(BaseModel):
    media_id: int = Field(ge=1, le=2**31 - 1)
    season_number: int = Field(ge=0, le=10_000)
    watched_at: datetime | None = None


class ShowViewingsIn(BaseModel):
    media_id: int = Field(ge=1, le=2**31 - 1)
    watched_at: datetime | None = None


class ViewingsAdded(BaseModel):
    added: int


@dataclass(frozen=True)
class HistoryFilters:
    kind: str | None
    media_id: int | None
    since: date | None
    until: date | None
    query: str


def history_filters(
    kind: Annotated[Literal["movie", "show"] | None, Query(description="movie or show")] = None,
    media_id: Annotated[int | None, Query(ge=1, le=2**31 - 1, description="one title only")] = None,
    since: Annotated[date | None, Query(description="from this day (UTC), inclusive")] = None,
    until: Annotated[date | None, Query(description="up to this day (UTC), inclusive")] = None,
    q: Annotated[str, Query(max_length=100, description="words of the title")] = "",
) -> HistoryFilters:
    return HistoryFilters(kind, media_id, since, until, q)


Filters = Annotated[HistoryFilters, Depends(history_filters)]
EventId = Annotated[int, Path(ge=1, le=2**62)]


class RatingIn(BaseModel):
    media_id: int = Field(ge=1, le=2**31 - 1)
    rating: float


@router.get("/watch-later", response_model=Paginated[MediaCard])
async def list_watch_later(caller: CurrentCaller, paging: Pagination) -> Paginated[MediaCard]:
    offset = (paging.page - 1) * paging.page_size
    cards, total = await in_session(
        lambda db: tracking.watch_later(session=db, user_id=caller.user.id, offset=offset, limit=paging.page_size)
    )
    return Paginated[MediaCard](items=cards, total=total, page=paging.page, page_size=paging.page_size)


@router.post("/watch-later", response_model=Added, status_code=status.HTTP_201_CREATED)
async def add_watch_later(body: MediaRef, caller: CurrentCaller) -> Added:
    added = await in_session(
        lambda db: tracking.add_to_watch_later(session=db, user_id=caller.user.id, media_id=body.media_id)
    )
    return Added(added=added)


@router.put("/watch-later/order", status_code=status.HTTP_204_NO_CONTENT)
async def reorder_watch_later(body: Order, caller: CurrentCaller) -> Response:
    await in_session(
        lambda db: tracking.reorder_watch_later(session=db, user_id=caller.user.id, media_ids=body.media_ids)
    )
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.delete("/watch-later/{media_id}", status_code=status.HTTP_204_NO_CONTENT)
async def remove_watch_later(media_id: MediaId, caller: CurrentCaller) -> Response:
    await in_session(lambda db: tracking.remove_from_watch_later(session=db, user_id=caller.user.id, media_id=media_id))
    return Response(status_code=status.HTTP_204_NO_CONTENT)


async def _history_page(caller: Caller, paging: PageParams, filters: HistoryFilters) -> Paginated[HistoryEntry]:
    offset = (paging.page - 1) * paging.page_size
    entries, total = await in_session(
        lambda db: tracking.history(
            session=db,
            user_id=caller.user.id,
            offset=offset,
            limit=paging.page_size,
            kind=filters.kind,
            media_id=filters.media_id,
            since=filters.since,
            until=filters.until,
            query=filters.query,
        )
    )
    return Paginated[HistoryEntry](items=entries, total=total, page=paging.page, page_size=paging.page_size)


@router.get("/watched", response_model=Paginated[HistoryEntry])
async def list_watched(caller: CurrentCaller, paging: Pagination, filters: Filters) -> Paginated[HistoryEntry]:
    return await _history_page(caller, paging, filters)


@router.get("/history", response_model=Paginated[HistoryEntry])
async def list_history(caller: CurrentCaller, paging: Pagination, filters: Filters) -> Paginated[HistoryEntry]:
    """The caller's viewings, newest first: the same as GET /watched."""
    return await _history_page(caller, paging, filters)


@router.post("/watched", response_model=ViewingOut, status_code=status.HTTP_201_CREATED)
async def add_watched(body: ViewingIn, caller: CurrentCaller) -> ViewingOut:
    def work(db: Session) -> ViewingOut:
        return ViewingOut(
            id=tracking.mark_watched(
                session=db,
                user_id=caller.user.id,
                media_id=body.media_id,
                watched_at=body.watched_at,
                season_number=body.season_number,
                episode_number=body.episode_number,
            )
        )

    return await in_session(work)


@router.post("/watched/season", response_model=ViewingsAdded, status_code=status.HTTP_201_CREATED)
async def add_watched_season(body: SeasonViewingsIn, caller: CurrentCaller) -> ViewingsAdded:
    """Every aired episode of the season not watched yet, watched at `watched_at` (now by default)."""
    added = await in_session(
        lambda db: tracking.mark_season_watched(
            session=db,
            user_id=caller.user.id,
            media_id=body.media_id,
            season_number=body.season_number,
            watched_at=body.watched_at,
        )
    )
    return ViewingsAdded(added=added)


@router.post("/watched/show", response_model=ViewingsAdded, status_code=status.HTTP_201_CREATED)
async def add_watched_show(body: ShowViewingsIn, caller: CurrentCaller) -> ViewingsAdded:
    """Every aired regular episode (specials left out) not watched yet."""
    added = await in_session(
        lambda db: tracking.mark_show_watched(
            session=db, user_id=caller.user.id, media_id=body.media_id, watched_at=body.watched_at
        )
    )
    return ViewingsAdded(added=added)


@router.patch("/watched/{event_id}", status_code=status.HTTP_204_NO_CONTENT)
async def move_watched(event_id: EventId, body: ViewingDate, caller: CurrentCaller) -> Response:
    await in_session(
        lambda db: tracking.update_watch(
            session=db, user_id=caller.user.id, event_id=event_id, watched_at=body.watched_at
        )
    )
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.delete("/watched/{event_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_watched(event_id: EventId, caller: CurrentCaller) -> Response:
    await in_session(lambda db: tracking.delete_watch(session=db, user_id=caller.user.id, event_id=event_id))
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/ratings", status_code=status.HTTP_204_NO_CONTENT)
async def rate(body: RatingIn, caller: CurrentCaller) -> Response:
    await in_session(
        lambda db: tracking.set_rating(session=db, user_id=caller.user.id, media_id=body.media_id, rating=body.rating)
    )
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.delete("/ratings/{media_id}", status_code=status.HTTP_204_NO_CONTENT)
async def unrate(media_id: MediaId, caller: CurrentCaller) -> Response:
    await in_session(lambda db: tracking.clear_rating(session=db, user_id=caller.user.id, media_id=media_id))
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.put("/favorites/{media_id}", status_code=status.HTTP_204_NO_CONTENT)
async def favourite(media_id: MediaId, caller: CurrentCaller) -> Response:
    await in_session(
        lambda db: tracking.set_favourite(session=db, user_id=caller.user.id, media_id=media_id, favourite=True)
    )
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.delete("/favorites/{media_id}", status_code=status.HTTP_204_NO_CONTENT)
async def unfavourite(media_id: MediaId, caller: CurrentCaller) -> Response:
    await in_session(
        lambda db: tracking.set_favourite(session=db, user_id=caller.user.id, media_id=media_id, favourite=False)
    )
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/media/{media_id}/state", response_model=TitleState)
async def title_state(media_id: MediaId, caller: CurrentCaller) -> TitleState:
    return await in_session(lambda db: tracking.title_state(session=db, user_id=caller.user.id, media_id=media_id))


@router.get("/shows/{media_id}/up-next", response_model=UpNext | None)
async def show_up_next(media_id: MediaId, caller: CurrentCaller) -> UpNext | None:
    """The next aired episode after the furthest one watched; `null` when nothing was watched yet or
    everything aired was."""
    return await in_session(lambda db: tracking.up_next(session=db, user_id=caller.user.id, media_id=media_id))
