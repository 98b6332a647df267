"""/app/movies/[media_id]: one movie, database first: facts, cast and crew, release dates, related titles."""

from __future__ import annotations

from typing import ClassVar

import reflex as rx

from seen.components.downloads import download_button
from seen.components.empty import data_table
from seen.components.media_card import card_row
from seen.components.media_detail import (
    crew_list,
    detail_page,
    detail_skeleton,
    facts,
    freshness_notice,
    media_hero,
    people_row,
    section_when,
)
from seen.components.page import app_page
from seen.components.play import play_button
from seen.components.tracking_controls import title_actions, your_activity
from seen.pages.detail_state import MediaDetailState
from seen.pages.downloads_state import DownloadAction
from seen.pages.player_state import PlayButtonState
from seen.pages.tracking_state import TrackingState


class MovieDetailState(DownloadAction, MediaDetailState, rx.State):
    kind: ClassVar[str] = "movie"


def release_row(row: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.cell(row["country"]),
        rx.table.cell(row["date"]),
        rx.table.cell(row["type"]),
        rx.table.cell(rx.text(row["note"], size="1", color="var(--seen-muted)")),
    )


def _details() -> rx.Component:
    state = MovieDetailState
    return rx.vstack(
        section_when(state.facts, "Facts", facts(state.facts), test_id="facts"),
        section_when(state.cast, "Cast", people_row(state.cast), test_id="cast"),
        section_when(state.crew, "Crew", crew_list(state.crew), test_id="crew"),
        section_when(
            state.release_dates,
            "Release dates",
            data_table(["Country", "Date", "Type", "Note"], state.release_dates, release_row),
            test_id="release-dates",
        ),
        section_when(state.recommendations, "Recommendations", card_row(state.recommendations)),
        section_when(state.similar, "Similar movies", card_row(state.similar)),
        spacing="5",
        width="100%",
    )


def _ready() -> rx.Component:
    state = MovieDetailState
    return rx.vstack(
        media_hero(state.hero, rx.fragment(play_button(), title_actions(), download_button(state.download_href))),
        your_activity(),
        freshness_notice(state.notice, state.stale, state.loading_details),
        rx.cond(state.loading_details, detail_skeleton("Facts", "Cast", "Crew", "Release dates"), _details()),
        spacing="5",
        width="100%",
    )


@app_page(
    "/app/movies/[media_id]",
    "Movie",
    on_load=[MovieDetailState.load, TrackingState.load_title, PlayButtonState.load_title],
)
def movie_detail_page() -> rx.Component:
    return detail_page(
        MovieDetailState.status, _ready(), what="Movie", back_label="Back to movies", back_href="/app/movies"
    )
