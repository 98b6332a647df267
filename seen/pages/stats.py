"""/app/stats: what the history adds up to — totals, titles and hours per month over the last year, top
genres and how the user rates, as charts. With no viewing and no rating yet it says how to get some.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import reflex as rx

from seen.components.charts import ACCENT, AMBER, VIOLET, Series, bar_chart, stat_tile
from seen.components.empty import empty_state, page_header
from seen.components.page import app_page
from seen.db import session_scope
from seen.pages.personal import PersonalPage
from seen.services import stats
from seen.services.backlog import BACKLOG_STATUSES
from seen.services.errors import ServiceError

ROUTE = "/app/stats"
MONTHS = 12
GAME_STATUS_LABELS = {
    "wishlist": "Wishlist",
    "active": "Playing",
    "paused": "Paused",
    "completed": "Completed",
    "dropped": "Dropped",
}


def month_label(name: str) -> str:
    """ "Nov 26" for "2026-11"."""
    year, month = (int(part) for part in name.split("-"))
    return date(year, month, 1).strftime("%b %y")


def stars(rating: float) -> str:
    return f"{rating:g}★"


def view_of(found: stats.Stats) -> dict[str, Any]:
    """The charts' rows and the tiles' texts."""
    totals = found.totals
    return {
        "months": [
            {"month": month_label(row.month), "titles": row.titles, "viewings": row.viewings, "hours": row.hours}
            for row in found.months
        ],
        "genres": [{"name": row.name, "viewings": row.viewings} for row in found.top_genres],
        "ratings": [{"rating": stars(row.rating), "count": row.count} for row in found.ratings],
        "tiles": {
            "movies": f"{totals.movies:,}",
            "movie_viewings": f"{totals.movie_viewings:,} viewings",
            "shows": f"{totals.shows:,}",
            "episodes": f"{totals.episodes:,} episodes",
            "hours": f"{totals.hours:,.0f}",
            "unknown": (
                f"{totals.unknown_runtime:,} of unknown length" if totals.unknown_runtime else "all runtimes known"
            ),
            "rated": f"{totals.rated:,}",
            "favourites": f"{totals.favourites:,} favourites",
            "games": f"{sum(totals.games.values()):,}",
            "games_detail": " · ".join(
                f"{totals.games.get(status, 0)} {GAME_STATUS_LABELS.get(status, status).lower()}"
                for status in BACKLOG_STATUSES
                if totals.games.get(status)
            )
            or "none tracked",
        },
        "has_history": bool(totals.movie_viewings or totals.episodes),
        "has_ratings": bool(totals.rated),
    }


class StatsState(PersonalPage, rx.State):
    loading: bool = True
    months: list[dict[str, Any]] = []
    genres: list[dict[str, Any]] = []
    ratings: list[dict[str, Any]] = []
    tiles: dict[str, str] = {}
    has_history: bool = False
    has_ratings: bool = False

    @rx.event
    async def load(self):
        self.loading, self.error = True, ""
        yield
        user_id = await self._viewer()
        if user_id is not None:
            try:
                with session_scope() as session:
                    found = stats.stats(session=session, user_id=user_id, months=MONTHS)
            except ServiceError as failure:
                self.error = failure.message
            else:
                view = view_of(found)
                self.months, self.genres, self.ratings = view["months"], view["genres"], view["ratings"]
                self.tiles = view["tiles"]
                self.has_history, self.has_ratings = view["has_history"], view["has_ratings"]
        self.loading = False


def _tiles() -> rx.Component:
    tiles = StatsState.tiles
    return rx.box(
        stat_tile("Movies", tiles["movies"], test_id="total-movies"),
        stat_tile("Shows", tiles["shows"], test_id="total-shows"),
        stat_tile("Hours watched", tiles["hours"], test_id="total-hours"),
        stat_tile("Titles rated", tiles["rated"], test_id="total-rated"),
        stat_tile("Games", tiles["games"], test_id="total-games"),
        rx.box(
            rx.text(tiles["movie_viewings"], " · ", tiles["episodes"], " · ", tiles["favourites"], size="1"),
            rx.text("Hours: ", tiles["unknown"], " · Games: ", tiles["games_detail"], size="1"),
            class_name="seen-stat-footnote",
        ),
        class_name="seen-stat-tiles",
        data_testid="stats-totals",
    )


def _chart_card(title: str, subtitle: str, chart: rx.Component, *, wide: bool = False) -> rx.Component:
    return rx.box(
        rx.vstack(
            rx.text(title, weight="medium"),
            rx.text(subtitle, size="1", color="var(--seen-muted)"),
            spacing="0",
            padding_bottom="12px",
        ),
        chart,
        class_name="seen-card seen-chart-card seen-chart-wide" if wide else "seen-card seen-chart-card",
    )


def _no_data(text: str) -> rx.Component:
    return rx.center(rx.text(text, size="2", color="var(--seen-muted)"), height="200px")


def _charts() -> rx.Component:
    return rx.box(
        _chart_card(
            "Titles per month",
            "Distinct movies and shows watched, last 12 months",
            bar_chart(
                StatsState.months,
                category_key="month",
                series=[Series("titles", "Titles", ACCENT)],
                test_id="chart-titles",
            ),
        ),
        _chart_card(
            "Hours per month",
            "From runtimes of movies and episodes",
            bar_chart(
                StatsState.months,
                category_key="month",
                series=[Series("hours", "Hours", VIOLET)],
                test_id="chart-hours",
            ),
        ),
        _chart_card(
            "Top genres",
            "By viewings, last 12 months",
            rx.cond(
                StatsState.genres.length() > 0,
                bar_chart(
                    StatsState.genres,
                    category_key="name",
                    series=[Series("viewings", "Viewings", ACCENT)],
                    horizontal=True,
                    height=280,
                    test_id="chart-genres",
                ),
                _no_data("No genres known for what you watched this year."),
            ),
        ),
        _chart_card(
            "Your ratings",
            "How many titles got each rating",
            rx.cond(
                StatsState.has_ratings,
                bar_chart(
                    StatsState.ratings,
                    category_key="rating",
                    series=[Series("count", "Titles", AMBER)],
                    test_id="chart-ratings",
                ),
                _no_data("Rate titles on their pages to see how you rate."),
            ),
        ),
        class_name="seen-chart-grid",
    )


def _empty() -> rx.Component:
    return rx.box(
        empty_state(
            "chart-column",
            "No stats yet",
            "Stats are built from your viewing history and ratings. Mark something as watched, or bring your "
            "history over from Letterboxd, Trakt or IMDb.",
            rx.link(rx.button("Find something", variant="soft"), href="/app/discover"),
            rx.link(rx.button("Import your history", variant="soft", color_scheme="gray"), href="/app/settings"),
        ),
        class_name="seen-card",
        width="100%",
        data_testid="stats-empty",
    )


def _skeleton() -> rx.Component:
    return rx.box(
        *(rx.box(class_name="seen-card seen-chart-card seen-skeleton seen-chart-skeleton") for _ in range(4)),
        class_name="seen-chart-grid",
        aria_busy="true",
        aria_label="Loading",
    )


@app_page(ROUTE, "Stats", on_load=[StatsState.load])
def stats_page() -> rx.Component:
    return rx.fragment(
        page_header(
            "Stats",
            "What your history adds up to.",
            rx.link(rx.button(rx.icon("history", size=15), "History", variant="soft"), href="/app/watched"),
        ),
        rx.cond(
            StatsState.error != "",
            rx.box(StatsState.error, class_name="seen-alert seen-alert-error", role="alert"),
        ),
        rx.cond(
            StatsState.loading,
            _skeleton(),
            rx.cond(
                StatsState.has_history | StatsState.has_ratings,
                rx.vstack(_tiles(), _charts(), spacing="5", width="100%"),
                _empty(),
            ),
        ),
    )
