"""/app/dashboard: the hub. One cached read (`dashboard.dashboard`, two minutes per user, dropped on every
change that shows here) fills every widget; skeletons hold the places until it arrives.

Active downloads are read fresh with every load (never from that cache) and, while any is in progress, a
background poll keeps their progress bars moving (`seen.pages.live.keep_live`). Recommendations show
their first reason, upcoming releases their day. A brand-new account gets a welcome with the two ways
to fill the page: finding titles on Discover, or importing a history in Settings.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import date, timedelta
from typing import Any

import reflex as rx

from seen.components.downloads import job_progress, status_badge
from seen.components.empty import empty_state, page_header, widget
from seen.components.media_card import card_row, card_skeletons
from seen.components.page import app_page
from seen.components.progress import progress_bar
from seen.db import session_scope
from seen.pages.downloads_state import job_view
from seen.pages.live import LivePage, keep_live
from seen.pages.personal import PersonalPage, card_view, episode_label, viewing_day
from seen.pages.tracking_state import COMPLETION_LABELS, STATUS_LABELS
from seen.services import dashboard as dashboard_service
from seen.services import downloads as downloads_service
from seen.services.backlog import BACKLOG_STATUSES, BacklogEntryView
from seen.services.calendar import CalendarEvent, today_utc
from seen.services.download_states import ACTIVE
from seen.services.errors import ServiceError
from seen.services.player import playable_key
from seen.services.progress import ContinueItem
from seen.state import AuthState

STATUS_COLOURS = {"wishlist": "gray", "active": "cyan", "paused": "amber", "completed": "green", "dropped": "red"}


def minutes_left(position_seconds: int, duration_seconds: int) -> str:
    left = max(0, duration_seconds - position_seconds) // 60
    return f"{left} min left" if left else "almost done"


def continue_view(item: ContinueItem, player_hrefs: dict[str, str]) -> dict[str, Any]:
    """A Continue Watching card: it opens the player when the library has the file, else the title's page."""
    episode = episode_label(item.season_number, item.episode_number)
    started = item.position_seconds > 0
    if episode:
        caption = f"{episode} · {item.episode_title}" if item.episode_title else episode
        caption = caption if started else f"Up next: {caption}"
    else:
        caption = ""
    player_href = player_hrefs.get(playable_key(item.media.id, item.season_number, item.episode_number), "")
    return card_view(
        item.media,
        href=player_href or item.href,
        playable=bool(player_href),
        caption=caption,
        percent=item.percent if started else 0,
        started=started,
        remaining=minutes_left(item.position_seconds, item.duration_seconds) if started else "Not started",
    )


def backlog_view(entry: BacklogEntryView) -> dict[str, Any]:
    details = [entry.platform_name] if entry.platform_name else []
    if entry.hours_played:
        details.append(f"{entry.hours_played:g} h")
    if entry.completion:
        details.append(COMPLETION_LABELS.get(entry.completion, entry.completion))
    return card_view(
        entry.media,
        status=entry.status,
        status_label=STATUS_LABELS.get(entry.status, entry.status),
        colour=STATUS_COLOURS.get(entry.status, "gray"),
        details=" · ".join(details),
    )


def release_day(event: CalendarEvent, today: date) -> str:
    """When an upcoming release comes out, as a person says it: "Today", "Tomorrow", "Fri 11 Dec", "Q3 2027"."""
    if event.precision:
        return event.precision
    day = date.fromisoformat(event.date)
    if day == today:
        return "Today"
    if day == today + timedelta(days=1):
        return "Tomorrow"
    return day.strftime("%a %-d %b") if day.year == today.year else day.strftime("%-d %b %Y")


def upcoming_view(event: CalendarEvent, today: date) -> dict[str, Any]:
    return card_view(
        event.media, href=event.href, title=event.title, caption=event.label, when=release_day(event, today)
    )


def downloads_view(found: downloads_service.ActiveDownloads) -> dict[str, Any]:
    return {"downloads": [job_view(view, {}) for view in found.items], "downloads_total": found.total}


def dashboard_view(found: dashboard_service.Dashboard) -> dict[str, Any]:
    """Every widget's rows as the components draw them."""
    counts = found.game_backlog.counts
    return {
        "continue_watching": [continue_view(item, found.continue_player_hrefs) for item in found.continue_watching],
        "watch_later": [card_view(card) for card in found.watch_later.items],
        "watch_later_total": found.watch_later.total,
        "backlog": [backlog_view(entry) for entry in found.game_backlog.items],
        "backlog_counts": [
            {
                "status": status,
                "label": STATUS_LABELS.get(status, status),
                "count": counts.get(status, 0),
                "colour": STATUS_COLOURS[status],
            }
            for status in BACKLOG_STATUSES
            if counts.get(status)
        ],
        "recently_played": [backlog_view(entry) for entry in found.recently_played],
        "recently_watched": [
            card_view(
                item.media,
                caption=episode_label(item.season_number, item.episode_number),
                when=viewing_day(item.watched_at),
            )
            for item in found.recently_watched
        ],
        "trending": [asdict(card) for card in found.trending],
        **downloads_view(found.active_downloads),
        "recommendations": [
            card_view(item.media, caption="", when=item.reasons[0] if item.reasons else "")
            for item in found.recommendations
        ],
        "upcoming": [upcoming_view(event, today_utc()) for event in found.upcoming_releases],
    }


class DashboardState(LivePage, PersonalPage, rx.State):
    loading: bool = True
    continue_watching: list[dict[str, Any]] = []
    watch_later: list[dict[str, Any]] = []
    watch_later_total: int = 0
    backlog: list[dict[str, Any]] = []
    backlog_counts: list[dict[str, Any]] = []
    recently_played: list[dict[str, Any]] = []
    recently_watched: list[dict[str, Any]] = []
    trending: list[dict[str, Any]] = []
    downloads: list[dict[str, Any]] = []
    downloads_total: int = 0
    recommendations: list[dict[str, Any]] = []
    upcoming: list[dict[str, Any]] = []

    @rx.var
    def is_new(self) -> bool:
        """Nothing tracked at all yet: the page leads with how to start."""
        return not (
            self.continue_watching
            or self.watch_later
            or self.backlog_counts
            or self.recently_played
            or self.recently_watched
        )

    @rx.var
    def downloading(self) -> bool:
        return any(item["status"] in ACTIVE for item in self.downloads)

    @rx.event
    async def load(self):
        self.loading, self.error = True, ""
        self._new_visit()
        yield
        user_id = await self._viewer()
        if user_id is not None:
            try:
                with session_scope() as session:
                    view = dashboard_view(dashboard_service.dashboard(session=session, user_id=user_id))
            except ServiceError as failure:
                self.error = failure.message
            else:
                for name, value in view.items():
                    setattr(self, name, value)
        self.loading = False
        if self.downloading:
            yield DashboardState.watch_downloads

    @rx.event(background=True)
    async def watch_downloads(self):
        """Keep the active downloads' progress moving while any is in progress."""

        async def refresh() -> bool:
            user_id = await self._viewer()
            if user_id is None:
                return False
            with session_scope() as session:
                found = dashboard_service.active_downloads(session=session, user_id=user_id)
            view = downloads_view(found)
            self.downloads, self.downloads_total = view["downloads"], view["downloads_total"]
            return self.downloading

        await keep_live(self, refresh)


# -- widgets --------------------------------------------------------------------------------------------------


def _loading_or(body: rx.Component) -> rx.Component:
    return rx.cond(DashboardState.loading, card_skeletons(4), body)


def _continue_card(item: rx.Var) -> rx.Component:
    return rx.link(
        rx.box(
            rx.box(rx.text(item["title"], class_name="seen-poster-fallback-title"), class_name="seen-poster-fallback"),
            rx.cond(
                item["poster_url"],
                rx.image(src=item["poster_url"], alt=item["title"], loading="lazy", class_name="seen-poster-img"),
            ),
            rx.cond(
                item["playable"],
                rx.box(rx.icon("play", size=18), class_name="seen-poster-play", title="Play from the library"),
            ),
            rx.cond(
                item["started"],
                rx.box(
                    progress_bar(item["percent"], "Watched so far", thin=True, test_id="continue-progress"),
                    class_name="seen-poster-progress",
                ),
            ),
            class_name="seen-poster",
        ),
        rx.box(
            rx.text(item["title"], class_name="seen-card-title", title=item["title"]),
            rx.cond(
                item["caption"] != "",
                rx.text(
                    item["caption"], size="1", class_name="seen-card-meta seen-clip", data_testid="continue-episode"
                ),
            ),
            rx.text(item["remaining"], size="1", class_name="seen-card-meta"),
            class_name="seen-card-caption",
        ),
        href=item["href"],
        class_name="seen-media-card",
        underline="none",
        data_testid="continue-item",
    )


def _captioned_card(item: rx.Var, test_id: str) -> rx.Component:
    """A poster card with a caption line: "S01E02 · 3 Dec" (watched, upcoming) or a reason (recommended)."""
    return rx.link(
        rx.box(
            rx.box(rx.text(item["title"], class_name="seen-poster-fallback-title"), class_name="seen-poster-fallback"),
            rx.cond(
                item["poster_url"],
                rx.image(src=item["poster_url"], alt=item["title"], loading="lazy", class_name="seen-poster-img"),
            ),
            class_name="seen-poster",
        ),
        rx.box(
            rx.text(item["title"], class_name="seen-card-title", title=item["title"]),
            rx.text(
                rx.cond(item["caption"] != "", item["caption"].to(str) + " · ", ""),
                item["when"],
                size="1",
                class_name="seen-card-meta",
            ),
            class_name="seen-card-caption",
        ),
        href=item["href"],
        class_name="seen-media-card",
        underline="none",
        data_testid=test_id,
    )


def _game_row(item: rx.Var) -> rx.Component:
    return rx.link(
        rx.box(
            rx.cond(
                item["poster_url"],
                rx.image(src=item["poster_url"], alt="", loading="lazy", class_name="seen-list-thumb-img"),
                rx.icon("gamepad-2", size=18),
            ),
            class_name="seen-list-thumb",
        ),
        rx.vstack(
            rx.text(item["title"], weight="medium", class_name="seen-list-title"),
            rx.cond(item["details"] != "", rx.text(item["details"], size="1", color="var(--seen-muted)")),
            spacing="0",
            min_width="0",
            flex="1",
        ),
        rx.badge(item["status_label"], color_scheme=item["colour"], variant="soft", data_testid="backlog-status"),
        href=item["href"],
        underline="none",
        class_name="seen-mini-row",
        data_testid="backlog-item",
    )


def _status_chips() -> rx.Component:
    return rx.hstack(
        rx.foreach(
            DashboardState.backlog_counts,
            lambda chip: rx.badge(
                chip["label"], " ", chip["count"].to_string(), color_scheme=chip["colour"], variant="surface"
            ),
        ),
        spacing="2",
        wrap="wrap",
        data_testid="backlog-counts",
    )


def _continue_watching() -> rx.Component:
    return widget(
        "Continue watching",
        "play",
        _loading_or(
            rx.cond(
                DashboardState.continue_watching.length() > 0,
                rx.box(rx.foreach(DashboardState.continue_watching, _continue_card), class_name="seen-card-row"),
                empty_state(
                    "play",
                    "Nothing in progress",
                    "Movies and episodes you start, or scrobble from Plex and Jellyfin, show up here with their "
                    "progress.",
                ),
            )
        ),
        href="/app/watched",
    )


def _watch_later() -> rx.Component:
    return widget(
        "Watch later",
        "bookmark",
        _loading_or(
            rx.cond(
                DashboardState.watch_later.length() > 0,
                rx.vstack(
                    card_row(DashboardState.watch_later),
                    rx.text(
                        DashboardState.watch_later_total.to_string(),
                        " on your list",
                        size="1",
                        color="var(--seen-muted)",
                        data_testid="watch-later-total",
                    ),
                    spacing="2",
                    width="100%",
                ),
                empty_state(
                    "bookmark",
                    "Your list is empty",
                    "Save movies and shows with the bookmark on any title to watch them later.",
                    rx.link(rx.button("Open Discover", size="1", variant="soft"), href="/app/discover"),
                ),
            )
        ),
        href="/app/watch-later",
    )


def _game_backlog() -> rx.Component:
    return widget(
        "Game backlog",
        "gamepad-2",
        _loading_or(
            rx.cond(
                DashboardState.backlog_counts.length() > 0,
                rx.vstack(
                    _status_chips(),
                    rx.cond(
                        DashboardState.backlog.length() > 0,
                        rx.vstack(rx.foreach(DashboardState.backlog, _game_row), spacing="1", width="100%"),
                        rx.text("Nothing being played or paused right now.", size="2", color="var(--seen-muted)"),
                    ),
                    spacing="3",
                    width="100%",
                ),
                empty_state("gamepad-2", "No games tracked", "Games you play, pause or wish for are kept here."),
            )
        ),
        href="/app/games",
    )


def _recently_played() -> rx.Component:
    return widget(
        "Recently played",
        "joystick",
        _loading_or(
            rx.cond(
                DashboardState.recently_played.length() > 0,
                rx.vstack(rx.foreach(DashboardState.recently_played, _game_row), spacing="1", width="100%"),
                empty_state("joystick", "No games played lately", "Games you update in your backlog appear here."),
            )
        ),
        href="/app/games",
    )


def _captioned_widget(
    title: str, icon: str, items: rx.Var, test_id: str, empty: rx.Component, href: str
) -> rx.Component:
    """A widget holding one row of captioned poster cards, or its empty state."""
    return widget(
        title,
        icon,
        _loading_or(
            rx.cond(
                items.length() > 0,
                rx.box(rx.foreach(items, lambda item: _captioned_card(item, test_id)), class_name="seen-card-row"),
                empty,
            )
        ),
        href=href,
    )


def _recently_watched() -> rx.Component:
    return _captioned_widget(
        "Recently watched",
        "history",
        DashboardState.recently_watched,
        "recently-watched-item",
        empty_state("history", "No history yet", "Every movie and episode you watch is logged here."),
        "/app/watched",
    )


def _trending() -> rx.Component:
    return widget(
        "Trending",
        "trending-up",
        _loading_or(
            rx.cond(
                DashboardState.trending.length() > 0,
                card_row(DashboardState.trending),
                empty_state("trending-up", "No catalogue yet", "Trending titles appear once the catalogue is synced."),
            )
        ),
        href="/app/discover?section=trending",
    )


def _download_row(item: rx.Var) -> rx.Component:
    return rx.link(
        rx.vstack(
            rx.hstack(
                rx.text(item["title"], weight="medium", class_name="seen-list-title", flex="1", min_width="0"),
                status_badge(item),
                width="100%",
                align="center",
                spacing="2",
            ),
            job_progress(item, thin=True),
            spacing="1",
            width="100%",
        ),
        href="/app/downloads",
        underline="none",
        class_name="seen-mini-row",
        data_testid="dashboard-download",
    )


def _active_downloads() -> rx.Component:
    return widget(
        "Active downloads",
        "download",
        _loading_or(
            rx.cond(
                DashboardState.downloads.length() > 0,
                rx.vstack(
                    rx.foreach(DashboardState.downloads, _download_row),
                    rx.cond(
                        DashboardState.downloads_total > DashboardState.downloads.length(),
                        rx.link(
                            DashboardState.downloads_total.to_string(),
                            " in progress: see them all",
                            href="/app/downloads?status=active",
                            size="1",
                        ),
                    ),
                    spacing="2",
                    width="100%",
                ),
                empty_state(
                    "download",
                    "Nothing downloading",
                    "Magnets, torrents and links you add show their progress here.",
                    rx.link(rx.button("Add a download", size="1", variant="soft"), href="/app/downloads?add=1"),
                ),
            )
        ),
        href="/app/downloads",
    )


def _recommended() -> rx.Component:
    return _captioned_widget(
        "Recommended for you",
        "sparkles",
        DashboardState.recommendations,
        "recommended-item",
        empty_state(
            "sparkles", "No recommendations yet", "Once the catalogue is synced, titles picked for you show here."
        ),
        "/app/recommendations",
    )


def _upcoming() -> rx.Component:
    return _captioned_widget(
        "Upcoming releases",
        "calendar-days",
        DashboardState.upcoming,
        "upcoming-item",
        empty_state(
            "calendar-days",
            "Nothing scheduled",
            "New episodes, premieres and launches of the titles you follow show here.",
            rx.link(rx.button("Open the calendar", size="1", variant="soft"), href="/app/calendar"),
        ),
        "/app/calendar",
    )


def _welcome() -> rx.Component:
    return rx.box(
        rx.hstack(
            rx.box(rx.icon("sparkles", size=22), class_name="seen-empty-icon"),
            rx.vstack(
                rx.text("Welcome to /seen/", weight="medium", size="4"),
                rx.text(
                    "Nothing is tracked yet. Find titles to watch and save them for later, or bring your "
                    "history over from Letterboxd, Trakt or IMDb.",
                    size="2",
                    color="var(--seen-muted)",
                ),
                spacing="1",
                flex="1",
                min_width="220px",
            ),
            rx.hstack(
                rx.link(rx.button(rx.icon("compass", size=15), "Go to Discover"), href="/app/discover"),
                rx.link(
                    rx.button(rx.icon("upload", size=15), "Import your history", variant="soft"),
                    href="/app/settings",
                ),
                spacing="2",
                wrap="wrap",
            ),
            spacing="4",
            align="center",
            wrap="wrap",
            width="100%",
        ),
        class_name="seen-card seen-welcome",
        data_testid="dashboard-welcome",
    )


@app_page("/app/dashboard", "Dashboard", on_load=[DashboardState.load])
def dashboard() -> rx.Component:
    return rx.box(
        page_header(f"Hello, {AuthState.display_name}", "Your streaming control center."),
        rx.cond(
            DashboardState.error != "",
            rx.box(DashboardState.error, class_name="seen-alert seen-alert-error", role="alert"),
        ),
        rx.cond(~DashboardState.loading & DashboardState.is_new, _welcome()),
        rx.box(
            _continue_watching(),
            _watch_later(),
            _recently_watched(),
            _game_backlog(),
            _recently_played(),
            _trending(),
            _active_downloads(),
            _upcoming(),
            _recommended(),
            class_name="seen-grid-widgets",
        ),
        on_unmount=DashboardState.leave,
        width="100%",
    )
