"""/app/shows/[media_id]/season/[number]: a season's episodes, with the way back to the show and on to the
seasons either side. Database first, like the title pages: a season whose episodes (or whose show's details)
were never fetched shows placeholders while they are brought in the background."""

from __future__ import annotations

import asyncio
from dataclasses import asdict
from datetime import UTC, date, datetime
from typing import Any

import reflex as rx

from seen.components.empty import empty_state
from seen.components.media_detail import (
    detail_page,
    freshness_notice,
    lazy_image,
    poster,
    section,
    skeleton_lines,
)
from seen.components.page import app_page
from seen.components.tracking_controls import episode_check, season_actions
from seen.db import session_scope
from seen.pages.detail_state import ensure_media, format_date, format_runtime, provider_settings, read_media
from seen.pages.tracking_state import TrackingState
from seen.services import catalogue_sync, catalogue_views
from seen.services.catalogue_views import SeasonView
from seen.services.errors import NotFound


def season_number(text: str | list | None) -> int | None:
    if not isinstance(text, str) or not text.isascii() or not text.isdigit() or len(text) > 5:
        return None
    return int(text)


def read_season(media_id: int, number: int) -> SeasonView:
    with session_scope() as session:
        return catalogue_views.season_view(session=session, media_id=media_id, number=number)


def ensure_season(media_id: int, number: int) -> catalogue_sync.Freshness:
    return catalogue_sync.ensure_season(media_id=media_id, number=number, settings=provider_settings())


def _season_label(number: int) -> str:
    return "Specials" if number == 0 else f"Season {number}"


def episodes_of(view: SeasonView, today: date | None = None) -> list[dict[str, Any]]:
    """Episode rows. One without a date, or dated after today, has not aired (its watched check is disabled),
    as the tracking service counts it (in UTC days)."""
    today = today or datetime.now(UTC).date()
    rows = []
    for episode in view.episodes:
        details = [part for part in (format_date(episode.air_date), format_runtime(episode.runtime)) if part]
        rows.append(
            {
                **asdict(episode),
                "code": f"S{episode.season_number:02d}E{episode.episode_number:02d}",
                "meta": " · ".join(details),
                "still_url": episode.still_url or "",
                "overview": episode.overview or "",
                "aired": bool(episode.air_date) and date.fromisoformat(episode.air_date) <= today,
            }
        )
    return rows


class SeasonDetailState(rx.State):
    status: str = "loading"  # loading | ready | not_found
    loading_details: bool = False
    notice: str = ""
    stale: bool = False
    season: dict[str, str] = {}
    episodes: list[dict[str, Any]] = []
    prev_href: str = ""
    prev_label: str = ""
    next_href: str = ""
    next_label: str = ""
    _shown: tuple[int, int] = (0, 0)
    _show_missing: bool = False

    def _route(self) -> tuple[int, int] | None:
        params = self.router._page.params
        media_id, number = params.get("media_id"), season_number(params.get("number"))
        if not isinstance(media_id, str) or not media_id.isdigit() or len(media_id) > 12 or number is None:
            return None
        return int(media_id), number

    def _show_view(self, view: SeasonView) -> None:
        self.season = {
            "show_title": view.show_title,
            "show_href": view.show_href,
            "title": view.title or _season_label(view.number),
            "label": _season_label(view.number),
            "overview": view.overview or "",
            "air_date": format_date(view.air_date),
            "episodes": (
                f"{view.episode_count} episode{'s' if view.episode_count != 1 else ''}" if view.episode_count else ""
            ),
            "poster_url": view.poster_url or "",
        }
        self.episodes = episodes_of(view)
        index = view.seasons.index(view.number) if view.number in view.seasons else -1
        before = view.seasons[index - 1] if index > 0 else None
        after = view.seasons[index + 1] if 0 <= index < len(view.seasons) - 1 else None
        self.prev_href = f"{view.show_href}/season/{before}" if before is not None else ""
        self.prev_label = _season_label(before) if before is not None else ""
        self.next_href = f"{view.show_href}/season/{after}" if after is not None else ""
        self.next_label = _season_label(after) if after is not None else ""

    @rx.event
    def load(self):
        self.notice = ""
        self.stale = False
        self._show_missing = False
        route = self._route()
        if route is None:
            self.status = "not_found"
            return None
        media_id, number = route
        try:
            view = read_season(media_id, number)
        except NotFound:
            # The seasons come with the show's details: a show never opened has none stored yet.
            try:
                show = read_media(media_id)
            except NotFound:
                self.status = "not_found"
                return None
            if show.type != "show" or show.details_loaded:
                self.status = "not_found"
                return None
            self._show_missing = True
            self.season = {
                "show_title": show.title,
                "show_href": catalogue_views.media_href("show", show.id),
                "title": _season_label(number),
                "label": _season_label(number),
                "overview": "",
                "air_date": "",
                "episodes": "",
                "poster_url": show.poster_url or "",
            }
            self.episodes = []
            self.prev_href = self.next_href = self.prev_label = self.next_label = ""
        else:
            self._show_view(view)
        self._shown = route
        self.loading_details = self._show_missing or not self.episodes
        self.status = "ready"
        return SeasonDetailState.fetch

    @rx.event(background=True)
    async def fetch(self):
        async with self:
            route, show_missing = self._shown, self._show_missing
        media_id, number = route
        if not media_id:
            return
        notice = ""
        if show_missing:
            freshness = await asyncio.to_thread(ensure_media, media_id)
            notice = freshness.notice or ""
        try:
            season_fresh = await asyncio.to_thread(ensure_season, media_id, number)
            view = await asyncio.to_thread(read_season, media_id, number)
        except NotFound:
            async with self:
                if self._shown == route:
                    self.loading_details = False
                    if notice:
                        self.notice = notice  # the show could not be fetched: say why, keep the page
                    else:
                        self.status = "not_found"
            return
        async with self:
            if self._shown != route:
                return
            self._show_missing = False
            self._show_view(view)
            self.loading_details = False
            self.notice = season_fresh.notice or ""
            self.stale = season_fresh.state == "stale"


def episode_row(episode: rx.Var) -> rx.Component:
    return rx.box(
        rx.box(
            rx.box(rx.icon("tv", size=22), class_name="seen-still-fallback"),
            lazy_image(episode["still_url"], episode["title"], "seen-still-img"),
            class_name="seen-still",
        ),
        rx.vstack(
            rx.hstack(
                rx.text(episode["episode_number"], class_name="seen-episode-number"),
                rx.text(episode["title"], weight="medium", class_name="seen-episode-title"),
                align="baseline",
                spacing="2",
            ),
            rx.text(episode["code"], " · ", episode["meta"], size="1", color="var(--seen-muted)"),
            rx.cond(
                episode["overview"],
                rx.text(episode["overview"], size="2", class_name="seen-episode-overview"),
                rx.fragment(),
            ),
            spacing="1",
            align="start",
            min_width="0",
        ),
        episode_check(episode),
        class_name="seen-episode seen-episode-tracked",
        data_testid="episode",
    )


def _nav_button(href: rx.Var[str], label: rx.Var[str], icon: str, *, after: bool) -> rx.Component:
    content = [rx.text(label), rx.icon(icon, size=16)] if after else [rx.icon(icon, size=16), rx.text(label)]
    return rx.cond(
        href != "",
        rx.link(rx.button(*content, variant="soft", size="2"), href=href, underline="none"),
        rx.fragment(),
    )


def _header() -> rx.Component:
    state = SeasonDetailState
    return rx.box(
        poster(state.season["poster_url"], state.season["title"], class_name="seen-season-poster"),
        rx.vstack(
            rx.link(
                rx.hstack(rx.icon("arrow-left", size=15), rx.text(state.season["show_title"]), align="center"),
                href=state.season["show_href"],
                class_name="seen-detail-kicker",
                underline="none",
                data_testid="back-to-show",
            ),
            rx.heading(state.season["title"], as_="h1", size="8", weight="bold", class_name="seen-detail-title"),
            rx.hstack(
                rx.cond(state.season["air_date"], rx.text(state.season["air_date"], size="2"), rx.fragment()),
                rx.cond(state.season["episodes"], rx.text(state.season["episodes"], size="2"), rx.fragment()),
                spacing="4",
                color="var(--seen-muted)",
            ),
            rx.cond(
                state.season["overview"],
                rx.text(state.season["overview"], class_name="seen-detail-overview"),
                rx.fragment(),
            ),
            rx.hstack(
                _nav_button(state.prev_href, state.prev_label, "chevron-left", after=False),
                _nav_button(state.next_href, state.next_label, "chevron-right", after=True),
                spacing="2",
                padding_top="6px",
                data_testid="season-nav",
            ),
            season_actions(),
            spacing="2",
            align="start",
            min_width="0",
        ),
        class_name="seen-season-header",
    )


def _episodes() -> rx.Component:
    state = SeasonDetailState
    return section(
        "Episodes",
        rx.cond(
            state.loading_details,
            rx.vstack(
                *(
                    rx.box(rx.box(class_name="seen-still seen-skeleton"), skeleton_lines(2), class_name="seen-episode")
                    for _ in range(4)
                ),
                width="100%",
                data_testid="detail-loading",
            ),
            rx.cond(
                state.episodes.length() > 0,
                rx.box(rx.foreach(state.episodes, episode_row), class_name="seen-episodes"),
                empty_state("tv", "No episodes listed yet", "The episodes appear once the catalogue has them."),
            ),
        ),
        test_id="episodes",
    )


def _ready() -> rx.Component:
    state = SeasonDetailState
    return rx.vstack(
        _header(),
        freshness_notice(state.notice, state.stale, state.loading_details),
        _episodes(),
        spacing="5",
        width="100%",
    )


@app_page(
    "/app/shows/[media_id]/season/[number]", "Season", on_load=[SeasonDetailState.load, TrackingState.load_season]
)
def season_detail_page() -> rx.Component:
    return detail_page(
        SeasonDetailState.status, _ready(), what="Season", back_label="Back to shows", back_href="/app/shows"
    )
