"""/app/dashboard: the hub. Each widget shows real data as its feature lands, an honest empty state until then."""

from __future__ import annotations

import reflex as rx

from seen.components.empty import empty_state, page_header, widget
from seen.components.page import app_page
from seen.state import AuthState


@app_page("/app/dashboard", "Dashboard")
def dashboard() -> rx.Component:
    return rx.fragment(
        page_header(f"Hello, {AuthState.display_name}", "Your streaming control center."),
        rx.box(
            widget(
                "Continue watching",
                "play",
                empty_state(
                    "play", "Nothing in progress", "Titles you start playing show up here with their progress."
                ),
                href="/app/library",
            ),
            widget(
                "Watch later",
                "bookmark",
                empty_state(
                    "bookmark", "Your list is empty", "Save movies and shows from Discover to watch them later."
                ),
                href="/app/watch-later",
            ),
            widget(
                "Game backlog",
                "gamepad-2",
                empty_state("gamepad-2", "No games tracked", "Games you play, pause or wish for are kept here."),
                href="/app/games",
            ),
            widget(
                "Active downloads",
                "download",
                empty_state(
                    "download",
                    "No downloads running",
                    "Magnets, torrents and links you add appear here with live progress.",
                ),
                href="/app/downloads",
            ),
            widget(
                "Upcoming releases",
                "calendar-days",
                empty_state(
                    "calendar-days",
                    "Nothing scheduled",
                    "Premieres, new episodes and game launches of what you follow.",
                ),
                href="/app/calendar",
            ),
            widget(
                "Recommended for you",
                "sparkles",
                empty_state(
                    "sparkles", "No recommendations yet", "They are built from what you watch, rate and favourite."
                ),
                href="/app/recommendations",
            ),
            widget(
                "Recently watched",
                "history",
                empty_state("history", "No history yet", "Every movie and episode you watch is logged here."),
                href="/app/watched",
            ),
            widget(
                "Trending",
                "trending-up",
                empty_state("trending-up", "No catalogue yet", "Trending titles appear once the catalogue is synced."),
                href="/app/discover",
            ),
            class_name="seen-grid-widgets",
        ),
    )
