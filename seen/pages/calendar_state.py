"""The state of /app/calendar: the view (month, week, agenda), the day it is anchored on and the filters,
all read from the URL (`?view=week&date=2026-12-04&tracked=1&type=game&platform=3&genre=7`) so a reload
or a shared link shows the same thing; and the user's iCal subscription (show, new URL, revoke)."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any

import reflex as rx
from sqlmodel import Session

from seen.components.catalogue import ANY, int_param, query_url
from seen.config import get_settings
from seen.db import session_scope
from seen.pages.personal import PersonalPage
from seen.services import calendar, catalogue_views
from seen.services.calendar import EN_DASH, CalendarEvent, CalendarFilters
from seen.services.errors import ServiceError

ROUTE = "/app/calendar"
VIEWS = ("month", "week", "agenda")
AGENDA_DAYS = 30
MONTH_CELL_EVENTS = 4  # a month cell lists this many, then "+N more"
KIND_LABELS = {
    "movie_release": "Movie",
    "episode": "Episode",
    "season_premiere": "Premiere",
    "game_release": "Game",
    "dlc": "DLC",
    "expansion": "Expansion",
}
TYPE_OPTIONS = [
    {"value": "movie", "label": "Movies"},
    {"value": "show", "label": "Shows"},
    {"value": "game", "label": "Games"},
]
KIND_NAMES = {"movie": "Movies", "show": "Shows", "game": "Games"}
WEEKDAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]


def parse_day(text: str | None) -> date | None:
    try:
        return date.fromisoformat((text or "").strip()[:10])
    except ValueError:
        return None


def add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def day_label(day: date) -> str:
    return day.strftime("%a %-d %b %Y")


def event_view(event: CalendarEvent) -> dict[str, str]:
    """An event as the page draws it: strings only (a flag is "1" or "")."""
    return {
        "uid": event.uid,
        "date": event.date,
        "kind": event.kind,
        "kind_label": KIND_LABELS.get(event.kind, ""),
        "title": event.title,
        "label": event.label,
        "precision": event.precision or "",
        "href": event.href,
        "poster_url": event.media.poster_url or "",
        "tracked": "1" if event.tracked else "",
    }


class CalendarState(PersonalPage, rx.State):
    view: str = "month"
    anchor: str = ""  # ISO day the view is built around
    tracked: bool = False
    kind: str = ANY
    platform: str = ANY
    genre: str = ANY
    loading: bool = True
    heading: str = ""
    event_count: int = 0
    count_label: str = ""
    # month: 35 or 42 cells, Monday first; week: 7 cells; agenda: days that have events
    cells: list[dict[str, Any]] = []
    agenda: list[dict[str, Any]] = []
    platform_options: list[dict[str, str]] = []
    genre_options: list[dict[str, str]] = []
    prev_href: str = ROUTE
    next_href: str = ROUTE
    today_href: str = ROUTE
    view_hrefs: dict[str, str] = {}
    feed_url: str = ""

    # -- the URL ----------------------------------------------------------------------------------------

    def _read_query(self) -> None:
        params = self.router.url.query_parameters
        self.view = params.get("view", "month") if params.get("view") in VIEWS else "month"
        self.anchor = (parse_day(params.get("date")) or calendar.today_utc()).isoformat()
        self.tracked = params.get("tracked", "") in ("1", "true", "yes")
        self.kind = params.get("type", ANY) if params.get("type") in KIND_NAMES else ANY
        platform = int_param(params.get("platform"), high=2**31 - 1)
        self.platform = str(platform) if platform else ANY
        genre = int_param(params.get("genre"), high=2**31 - 1)
        self.genre = str(genre) if genre else ANY

    def _href(self, **changes: Any) -> str:
        params: dict[str, Any] = {
            "view": self.view,
            "date": self.anchor,
            "tracked": "1" if self.tracked else None,
            "type": self.kind,
            "platform": self.platform,
            "genre": self.genre,
        }
        params.update(changes)
        if params["view"] == "month":
            params["view"] = None
        return query_url(ROUTE, **params)

    def _filters(self) -> CalendarFilters:
        return CalendarFilters(
            tracked_only=self.tracked,
            kinds=() if self.kind == ANY else (self.kind,),
            platform_id=None if self.platform == ANY else int(self.platform),
            genre_id=None if self.genre == ANY else int(self.genre),
        )

    # -- reading ----------------------------------------------------------------------------------------

    def _range(self, anchor: date) -> tuple[date, date]:
        if self.view == "week":
            start = anchor - timedelta(days=anchor.weekday())
            return start, start + timedelta(days=6)
        if self.view == "agenda":
            return anchor, anchor + timedelta(days=AGENDA_DAYS - 1)
        first, last = calendar.month_bounds(anchor)
        return first - timedelta(days=first.weekday()), last + timedelta(days=6 - last.weekday())

    def _navigation(self, anchor: date) -> None:
        if self.view == "week":
            before, after = anchor - timedelta(days=7), anchor + timedelta(days=7)
        elif self.view == "agenda":
            before, after = anchor - timedelta(days=AGENDA_DAYS), anchor + timedelta(days=AGENDA_DAYS)
        else:
            before, after = add_months(anchor, -1), add_months(anchor, 1)
        self.prev_href = self._href(date=before.isoformat())
        self.next_href = self._href(date=after.isoformat())
        self.today_href = self._href(date=None)
        self.view_hrefs = {view: self._href(view=view) for view in VIEWS}

    def _fill(self, session: Session, user_id: uuid.UUID) -> None:
        anchor = date.fromisoformat(self.anchor)
        start, end = self._range(anchor)
        found = calendar.events(session=session, user_id=user_id, start=start, end=end, filters=self._filters())
        self.event_count = len(found)
        self.count_label = "1 release" if len(found) == 1 else f"{len(found)} releases"
        by_day: dict[str, list[dict[str, str]]] = {}
        for event in found:
            by_day.setdefault(event.date, []).append(event_view(event))
        today = calendar.today_utc()
        if self.view == "agenda":
            self.heading = f"{anchor.strftime('%-d %b')} {EN_DASH} {end.strftime('%-d %b %Y')}"
            self.agenda = [
                {"date": day, "label": day_label(date.fromisoformat(day)), "events": events}
                for day, events in sorted(by_day.items())
            ]
            self.cells = []
            return
        self.agenda = []
        self.heading = (
            anchor.strftime("%B %Y")
            if self.view == "month"
            else f"{start.strftime('%-d %b')} {EN_DASH} {end.strftime('%-d %b %Y')}"
        )
        cells = []
        current = start
        while current <= end:
            events = by_day.get(current.isoformat(), [])
            shown = events if self.view == "week" else events[:MONTH_CELL_EVENTS]
            cells.append(
                {
                    "date": current.isoformat(),
                    "day": str(current.day),
                    "weekday": WEEKDAYS[current.weekday()],
                    "label": day_label(current),
                    "outside": "1" if self.view == "month" and current.month != anchor.month else "",
                    "today": "1" if current == today else "",
                    "events": shown,
                    "more": f"+{len(events) - len(shown)} more" if len(events) > len(shown) else "",
                    "more_href": self._href(view="agenda", date=current.isoformat()),
                }
            )
            current += timedelta(days=1)
        self.cells = cells

    def _options(self, session: Session) -> None:
        self.platform_options = [
            {"value": str(view.id), "label": view.name} for view in catalogue_views.list_platforms(session=session)
        ]
        kinds = [self.kind] if self.kind != ANY else list(KIND_NAMES)
        options = []
        for kind in kinds:
            suffix = f" · {KIND_NAMES[kind]}" if len(kinds) > 1 else ""
            options += [
                {"value": str(genre.id), "label": f"{genre.name}{suffix}"}
                for genre in catalogue_views.list_genres(session=session, kind=kind)
            ]
        self.genre_options = options

    def _read_feed(self, session: Session, user_id: uuid.UUID) -> None:
        token = calendar.existing_feed_token(session=session, user_id=user_id)
        self.feed_url = self._feed_url(token)

    def _feed_url(self, token: str | None) -> str:
        if not token:
            return ""
        return get_settings().public_base_url.rstrip("/") + calendar.feed_path(token, self._filters())

    async def _read(self) -> None:
        user_id = await self._viewer()
        if user_id is None:
            return
        with session_scope() as session:
            self._options(session)
            try:
                self._fill(session, user_id)
            except ServiceError as failure:
                self.error, self.cells, self.agenda, self.event_count = failure.message, [], [], 0
            self._read_feed(session, user_id)

    @rx.event
    async def load(self):
        self._read_query()
        self._navigation(date.fromisoformat(self.anchor))
        self.error = self.notice = ""
        self.loading = True
        yield
        await self._read()
        self.loading = False

    # -- filters (each one a new URL, so a reload keeps it) ---------------------------------------------------

    @rx.event
    def set_tracked(self, value: bool):
        return rx.redirect(self._href(tracked="1" if value else None))

    @rx.event
    def choose_kind(self, value: str):
        platform = self.platform if value in (ANY, "game") else ANY
        return rx.redirect(self._href(type=value, genre=ANY, platform=platform))

    @rx.event
    def choose_platform(self, value: str):
        return rx.redirect(self._href(platform=value))

    @rx.event
    def choose_genre(self, value: str):
        return rx.redirect(self._href(genre=value))

    # -- the iCal subscription -----------------------------------------------------------------------------

    @rx.event
    async def make_feed(self):
        ok, token, event = await self._change(
            lambda session, user_id: calendar.feed_token(session=session, user_id=user_id)
        )
        if ok:
            self.feed_url, self.notice = self._feed_url(token), "Feed URL ready: add it to your calendar app"
        return event

    @rx.event
    async def rotate_feed(self):
        ok, token, event = await self._change(
            lambda session, user_id: calendar.rotate_feed_token(session=session, user_id=user_id)
        )
        if ok:
            self.feed_url, self.notice = self._feed_url(token), "New feed URL made; the old one no longer works"
        return event

    @rx.event
    async def revoke_feed(self):
        ok, _none, event = await self._change(
            lambda session, user_id: calendar.revoke_feed_token(session=session, user_id=user_id)
        )
        if ok:
            self.feed_url, self.notice = "", "Feed URL revoked"
        return event
