"""The release calendar over REST, the iCal feed calendar apps subscribe to (no login: the token in the
URL is the credential), and the caller's feed URL (show, replace, revoke)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response, status
from pydantic import BaseModel
from sqlmodel import Session

from seen.api.deps import CurrentCaller, in_session
from seen.config import get_settings
from seen.services import calendar, calendar_feed
from seen.services.calendar import CalendarEvent, CalendarFilters

router = APIRouter(tags=["calendar"])


class CalendarPage(BaseModel):
    start: date
    end: date
    region: str | None
    events: list[CalendarEvent]


class FeedLink(BaseModel):
    token: str | None
    path: str | None
    url: str | None


def calendar_filters(
    kind: Annotated[
        list[str] | None, Query(description="movie, show or game; repeat or comma-separate for several")
    ] = None,
    tracked: Annotated[bool, Query(description="only the titles you follow")] = False,
    platform: Annotated[int | None, Query(ge=1, le=2**31 - 1, description="a platform id: only games on it")] = None,
    genre: Annotated[int | None, Query(ge=1, le=2**31 - 1, description="a genre id")] = None,
    region: Annotated[
        str | None, Query(max_length=8, description="a country code (US, GB...); the app's region by default")
    ] = None,
) -> CalendarFilters:
    return CalendarFilters(
        tracked_only=tracked,
        kinds=calendar.media_kinds_of(kind or []),
        platform_id=platform,
        genre_id=genre,
        region=region or None,
    )


Filters = Annotated[CalendarFilters, Depends(calendar_filters)]


@router.get("/calendar", response_model=CalendarPage)
async def read_calendar(
    caller: CurrentCaller,
    filters: Filters,
    start: Annotated[date | None, Query(alias="from", description="first day (YYYY-MM-DD); this month's first")] = None,
    end: Annotated[date | None, Query(alias="to", description="last day, included; a year at most")] = None,
) -> CalendarPage:
    """Releases from `from` to `to` (both included, this month by default), sorted by date."""
    first = calendar.today_utc().replace(day=1)
    start = start or (end.replace(day=1) if end else first)
    end = end or calendar.month_bounds(start)[1]

    def work(db: Session) -> tuple[CalendarFilters, list[CalendarEvent]]:
        resolved = calendar.resolve_filters(session=db, filters=filters)
        return resolved, calendar.events(session=db, user_id=caller.user.id, start=start, end=end, filters=resolved)

    resolved, found = await in_session(work)
    return CalendarPage(start=start, end=end, region=resolved.region, events=found)


@router.get(
    "/calendar.ics",
    response_class=Response,
    responses={200: {"content": {"text/calendar": {}}, "description": "an iCalendar file (RFC 5545)"}},
)
async def calendar_ics(
    filters: Filters, token: Annotated[str, Query(min_length=1, max_length=64, description="the feed token")]
) -> Response:
    """The feed for calendar apps: 30 days back to a year ahead, with the same filters as /calendar.
    An unknown, replaced or revoked token is 404."""

    def work(db: Session) -> list[CalendarEvent]:
        user_id = calendar.user_for_token(session=db, token=token)
        return calendar.feed_events(session=db, user_id=user_id, filters=filters)

    found = await in_session(work)
    body = calendar_feed.render(found, base_url=get_settings().public_base_url)
    return Response(
        content=body.encode("utf-8"),
        media_type="text/calendar; charset=utf-8",
        headers={
            "Content-Disposition": 'inline; filename="seen-releases.ics"',
            "Cache-Control": "private, max-age=300",
        },
    )


def feed_link(token: str | None) -> FeedLink:
    if token is None:
        return FeedLink(token=None, path=None, url=None)
    path = calendar.feed_path(token)
    return FeedLink(token=token, path=path, url=get_settings().public_base_url.rstrip("/") + path)


@router.get("/calendar/feed", response_model=FeedLink)
async def show_feed(caller: CurrentCaller) -> FeedLink:
    """The caller's feed URL, or nulls when they have none (POST makes one). Add filters as query parameters
    to narrow the feed."""
    token = await in_session(lambda db: calendar.existing_feed_token(session=db, user_id=caller.user.id))
    return feed_link(token)


@router.post("/calendar/feed", response_model=FeedLink)
async def rotate_feed(caller: CurrentCaller) -> FeedLink:
    """A feed URL: the first one, or a new one (the old one answers 404 from now on)."""
    token = await in_session(lambda db: calendar.rotate_feed_token(session=db, user_id=caller.user.id))
    return feed_link(token)


@router.delete("/calendar/feed", status_code=status.HTTP_204_NO_CONTENT)
async def revoke_feed(caller: CurrentCaller) -> Response:
    """No feed any more: the URL answers 404 (POST makes a new one)."""
    await in_session(lambda db: calendar.revoke_feed_token(session=db, user_id=caller.user.id))
    return Response(status_code=status.HTTP_204_NO_CONTENT)
