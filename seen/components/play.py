"""The "Play" button of the title pages: shown when the library has a file of the title."""

from __future__ import annotations

import reflex as rx

from seen.pages.player_state import PlayButtonState


def play_button() -> rx.Component:
    return rx.cond(
        PlayButtonState.play_href != "",
        rx.link(
            rx.button(rx.icon("play", size=16), PlayButtonState.play_label, size="3"),
            href=PlayButtonState.play_href,
            data_testid="title-play",
        ),
    )
