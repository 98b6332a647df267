"""/app/shows/[media_id]: one series, database first: facts, networks, seasons, cast and crew, related shows."""

from __future__ import annotations

from typing import ClassVar

import reflex as rx

from seen.components.downloads import download_button
from seen.components.media_card import card_row
from seen.components.media_detail import (
    chips,
    crew_list,
    detail_page,
    detail_skeleton,
    facts,
    freshness_notice,
    media_hero,
    people_row,
    poster,
    section_when,
)
from seen.components.page import app_page
from seen.components.play import play_button
from seen.components.tracking_controls import title_actions, your_activity
from seen.pages.detail_state import MediaDetailState
from seen.pages.downloads_state import DownloadAction
from seen.pages.player_state import PlayButtonState
from seen.pages.tracking_state import TrackingState


class ShowDetailState(DownloadAction, MediaDetailState, rx.State):
    kind: ClassVar[str] = "show"


def season_card(season: rx.Var) -> rx.Component:
    return rx.link(
        poster(season["poster_url"], season["title"]),
        rx.box(
            rx.text(season["title"], class_name="seen-card-title", title=season["title"]),
            rx.text(
                rx.cond(season["episodes"], season["episodes"], ""),
                rx.cond(season["year"], " · " + season["year"].to(str), ""),
                size="1",
                class_name="seen-card-meta",
            ),
            class_name="seen-card-caption",
        ),
        href=season["href"],
        class_name="seen-media-card",
        underline="none",
        data_testid="season",
        title=season["air_date"],
    )


def _details() -> rx.Component:
    state = ShowDetailState
    return rx.vstack(
        section_when(
            state.seasons,
            "Seasons",
            rx.box(rx.foreach(state.seasons, season_card), class_name="seen-card-row"),
            test_id="seasons",
        ),
        section_when(state.facts, "Facts", facts(state.facts), test_id="facts"),
        section_when(state.networks, "Networks", chips(state.networks), test_id="networks"),
        section_when(state.cast, "Cast", people_row(state.cast), test_id="cast"),
        section_when(state.crew, "Crew", crew_list(state.crew), test_id="crew"),
        section_when(state.recommendations, "Recommendations", card_row(state.recommendations)),
        section_when(state.similar, "Similar shows", card_row(state.similar)),
        spacing="5",
        width="100%",
    )


def _ready() -> rx.Component:
    state = ShowDetailState
    return rx.vstack(
        media_hero(state.hero, rx.fragment(play_button(), title_actions(), download_button(state.download_href))),
        your_activity(),
        freshness_notice(state.notice, state.stale, state.loading_details),
        rx.cond(state.loading_details, detail_skeleton("Seasons", "Facts", "Cast"), _details()),
        spacing="5",
        width="100%",
    )


@app_page(
    "/app/shows/[media_id]",
    "Show",
    on_load=[ShowDetailState.load, TrackingState.load_title, PlayButtonState.load_title],
)
def show_detail_page() -> rx.Component:
    return detail_page(
        ShowDetailState.status, _ready(), what="Show", back_label="Back to shows", back_href="/app/shows"
    )
