"""/app/games/[media_id]: one game, database first: platforms and release dates, companies, franchises,
time to beat, screenshots, DLC and expansions, related games."""

from __future__ import annotations

from typing import ClassVar

import reflex as rx

from seen.components.downloads import download_button
from seen.components.empty import data_table
from seen.components.media_card import card_row
from seen.components.media_detail import (
    chips,
    detail_page,
    detail_skeleton,
    facts,
    freshness_notice,
    gallery,
    media_hero,
    section,
    section_when,
)
from seen.components.page import app_page
from seen.components.tracking_controls import backlog_editor, title_actions
from seen.pages.detail_state import MediaDetailState
from seen.pages.downloads_state import DownloadAction
from seen.pages.tracking_state import TrackingState


class GameDetailState(DownloadAction, MediaDetailState, rx.State):
    kind: ClassVar[str] = "game"


def release_row(row: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.cell(row["platform"]),
        rx.table.cell(row["date"]),
        rx.table.cell(row["country"]),
        rx.table.cell(row["type"]),
    )


def _beat(row: rx.Var) -> rx.Component:
    return rx.box(
        rx.text(row["label"], class_name="seen-beat-label"),
        rx.text(row["value"], class_name="seen-beat-value"),
        class_name="seen-beat",
    )


def _companies(label: str, names: rx.Var) -> rx.Component:
    return rx.cond(
        names.length() > 0,
        rx.vstack(rx.text(label, size="2", color="var(--seen-muted)"), chips(names), spacing="1"),
        rx.fragment(),
    )


def _details() -> rx.Component:
    state = GameDetailState
    return rx.vstack(
        section_when(state.platforms, "Platforms", chips(state.platforms), test_id="platforms"),
        section_when(
            state.release_dates,
            "Release dates",
            data_table(["Platform", "Date", "Region", "Type"], state.release_dates, release_row),
            test_id="release-dates",
        ),
        rx.cond(
            (state.developers.length() > 0) | (state.publishers.length() > 0),
            section(
                "Companies",
                rx.hstack(
                    _companies("Developers", state.developers),
                    _companies("Publishers", state.publishers),
                    spacing="6",
                    wrap="wrap",
                ),
                test_id="companies",
            ),
            rx.fragment(),
        ),
        section_when(state.franchises, "Franchises", chips(state.franchises), test_id="franchises"),
        section_when(
            state.time_to_beat,
            "Time to beat",
            rx.box(rx.foreach(state.time_to_beat, _beat), class_name="seen-beats"),
            test_id="time-to-beat",
        ),
        section_when(state.facts, "Facts", facts(state.facts), test_id="facts"),
        section_when(state.screenshots, "Screenshots", gallery(state.screenshots)),
        section_when(state.dlcs, "DLC", card_row(state.dlcs), test_id="dlcs"),
        section_when(state.expansions, "Expansions", card_row(state.expansions), test_id="expansions"),
        section_when(state.similar, "Similar games", card_row(state.similar)),
        section_when(state.recommendations, "Recommendations", card_row(state.recommendations)),
        spacing="5",
        width="100%",
    )


def _ready() -> rx.Component:
    state = GameDetailState
    return rx.vstack(
        media_hero(state.hero, rx.fragment(title_actions(), download_button(state.download_href))),
        backlog_editor(state.platform_options),
        freshness_notice(state.notice, state.stale, state.loading_details),
        rx.cond(state.loading_details, detail_skeleton("Platforms", "Release dates", "Time to beat"), _details()),
        spacing="5",
        width="100%",
    )


@app_page("/app/games/[media_id]", "Game", on_load=[GameDetailState.load, TrackingState.load_title])
def game_detail_page() -> rx.Component:
    return detail_page(
        GameDetailState.status, _ready(), what="Game", back_label="Back to games", back_href="/app/games"
    )
