"""/app/library/[item_id]/play: the built-in player.

The page draws the video element with everything the browser-side player (`assets/player.js`) needs as data
attributes, the subtitle tracks, the picker, previous/next episode, the theater switch, the "up next" card
and the shortcut list. The script resumes at the saved position, reports the position every 10 seconds and on
pause or leave (so Continue Watching and "watched" past the threshold work), applies and remembers the
subtitle choice per show, plays a converted stream when the file needs it, and starts the next episode after
the countdown.
"""

from __future__ import annotations

import reflex as rx

from seen.components.empty import empty_state
from seen.components.page import app_page
from seen.pages.library import ROUTE as LIBRARY_ROUTE
from seen.pages.player_state import UP_NEXT_SECONDS, PlayerState
from seen.services.player import PLAYER_HREF
from seen.state import AuthState

ROUTE = PLAYER_HREF.format(item_id="[item_id]")
SHORTCUTS = (
    ("Space or K", "play / pause"),
    ("← / →  or  J / L", "back / forward 10 s"),
    ("↑ / ↓", "volume"),
    ("M", "mute"),
    ("F", "full screen"),
    ("T", "theater mode"),
    ("C", "next subtitle track (or off)"),
    ("0 … 9", "jump to 0 % … 90 %"),
    ("N / P", "next / previous episode"),
)


def _data(name: str) -> rx.Var:
    return PlayerState.view[name].to(str)


def _video() -> rx.Component:
    view = PlayerState.view
    return rx.el.video(
        rx.foreach(
            PlayerState.subtitles,
            lambda track: rx.el.track(
                kind="subtitles",
                src=track["url"],
                src_lang=track["language"],
                label=track["label"],
                custom_attrs={"data-subtitle-id": track["id"], "data-language": track["language"]},
            ),
        ),
        id="seen-player",
        controls=True,
        plays_inline=True,
        preload="metadata",
        poster=rx.cond(view["backdrop_url"], view["backdrop_url"].to(str), ""),
        class_name="seen-player-video",
        custom_attrs={
            "data-item-id": _data("item_id"),
            # Empty when no position can be kept (see the page's note): the script then saves nothing.
            "data-media-id": rx.cond(view["progress_note"], "", _data("media_id")),
            "data-season": rx.cond(view["season_number"] != None, _data("season_number"), ""),  # noqa: E711
            "data-episode": rx.cond(view["episode_number"] != None, _data("episode_number"), ""),  # noqa: E711
            "data-duration": _data("duration_seconds"),
            "data-resume": _data("resume_seconds"),
            "data-mode": _data("mode"),
            "data-direct-url": _data("direct_url"),
            "data-direct-type": _data("direct_type"),
            "data-converted-url": _data("converted_url"),
            "data-next-href": rx.cond(PlayerState.next["href"], PlayerState.next["href"], ""),
            "data-previous-href": rx.cond(PlayerState.previous["href"], PlayerState.previous["href"], ""),
            "data-autoplay": rx.cond(PlayerState.autoplay, "1", "0"),
            "data-up-next-seconds": str(UP_NEXT_SECONDS),
            "data-csrf": AuthState.csrf_token,
        },
        data_testid="player-video",
    )


def _seek_bar() -> rx.Component:
    """Shown by the script for converted streams, whose own timeline starts where the stream started."""
    return rx.hstack(
        rx.el.input(
            type="range",
            id="seen-seek-range",
            min="0",
            max=_data("duration_seconds"),
            step="1",
            default_value="0",
            aria_label="Position",
            class_name="seen-seek-range",
        ),
        rx.text("", id="seen-seek-time", size="1", class_name="seen-tabular"),
        id="seen-seek",
        hidden=True,
        width="100%",
        align="center",
        spacing="3",
        data_testid="player-seek",
    )


def _up_next() -> rx.Component:
    return rx.box(
        rx.vstack(
            rx.text("Up next", size="1", weight="bold", class_name="seen-eyebrow"),
            rx.text(PlayerState.next["label"], size="4", weight="medium"),
            rx.text(
                "Starts in ",
                rx.el.span(str(UP_NEXT_SECONDS), id="seen-up-next-count", data_testid="up-next-count"),
                " s",
                size="2",
            ),
            rx.hstack(
                rx.link(
                    rx.button("Play now", size="2"),
                    href=PlayerState.next["href"] + "?autoplay=1",
                    id="seen-up-next-play",
                    data_testid="up-next-play",
                ),
                rx.button(
                    "Cancel",
                    size="2",
                    variant="soft",
                    color_scheme="gray",
                    id="seen-up-next-cancel",
                    data_testid="up-next-cancel",
                ),
                spacing="2",
            ),
            spacing="2",
        ),
        id="seen-up-next",
        hidden=True,
        class_name="seen-up-next",
        data_testid="up-next",
    )


def _subtitle_picker() -> rx.Component:
    return rx.hstack(
        rx.el.label("Subtitles", html_for="seen-subtitles", class_name="seen-muted-label"),
        rx.el.select(
            rx.el.option("Off", value="off"),
            rx.foreach(PlayerState.subtitles, lambda track: rx.el.option(track["label"], value=track["id"])),
            id="seen-subtitles",
            class_name="seen-select",
            default_value="off",
            data_testid="player-subtitles",
        ),
        align="center",
        spacing="2",
    )


def _episode_link(target: rx.Var, label: str, icon: str, testid: str) -> rx.Component:
    return rx.cond(
        target["href"],
        rx.link(
            rx.button(rx.icon(icon, size=16), label, variant="soft", size="2"),
            href=target["href"],
            title=target["label"],
            data_testid=testid,
        ),
    )


def _toolbar() -> rx.Component:
    return rx.hstack(
        _episode_link(PlayerState.previous, "Previous", "skip-back", "player-previous"),
        _episode_link(PlayerState.next, "Next", "skip-forward", "player-next"),
        rx.spacer(),
        rx.cond(PlayerState.subtitles.length() > 0, _subtitle_picker()),
        rx.button(
            rx.icon("rectangle-horizontal", size=16),
            "Theater",
            variant="soft",
            color_scheme="gray",
            size="2",
            id="seen-theater",
            aria_pressed="false",
            data_testid="player-theater",
        ),
        width="100%",
        align="center",
        wrap="wrap",
        spacing="3",
    )


def _shortcuts() -> rx.Component:
    return rx.el.details(
        rx.el.summary("Keyboard shortcuts"),
        rx.el.dl(
            *[rx.fragment(rx.el.dt(rx.el.kbd(keys)), rx.el.dd(action)) for keys, action in SHORTCUTS],
            class_name="seen-shortcuts",
        ),
        class_name="seen-shortcuts-box",
        data_testid="player-shortcuts",
    )


def _heading() -> rx.Component:
    view = PlayerState.view
    return rx.hstack(
        rx.vstack(
            rx.cond(
                view["media_href"],
                rx.link(
                    rx.heading(view["heading"].to(str), size="6", weight="bold"),
                    href=view["media_href"].to(str),
                    color="inherit",
                    data_testid="player-title-link",
                ),
                rx.heading(view["heading"].to(str), size="6", weight="bold"),
            ),
            rx.text(view["subheading"].to(str), color="var(--seen-muted)", size="3", data_testid="player-subheading"),
            spacing="1",
        ),
        rx.spacer(),
        rx.link(rx.button(rx.icon("arrow-left", size=16), "Library", variant="ghost"), href=LIBRARY_ROUTE),
        width="100%",
        align="end",
        data_testid="player-heading",
    )


def _player() -> rx.Component:
    view = PlayerState.view
    return rx.vstack(
        _heading(),
        rx.box(
            _video(),
            _up_next(),
            class_name="seen-player-frame",
        ),
        _seek_bar(),
        rx.box(
            "",
            id="seen-player-message",
            role="status",
            class_name="seen-player-message",
            data_testid="player-message",
        ),
        rx.cond(
            view["mode_reason"],
            rx.text(view["mode_reason"].to(str), size="2", color="var(--seen-muted)", data_testid="player-mode"),
        ),
        rx.cond(
            view["progress_note"],
            rx.text(view["progress_note"].to(str), size="2", color="var(--seen-muted)", data_testid="player-note"),
        ),
        _toolbar(),
        _shortcuts(),
        rx.text(view["file_name"].to(str), size="1", color="var(--seen-muted)", class_name="seen-break"),
        id="seen-player-page",
        spacing="3",
        width="100%",
        class_name="seen-player-page",
        custom_attrs={"data-theater": "false"},
        data_testid="player",
    )


@app_page(ROUTE, "Player", on_load=[PlayerState.load])
def player_page() -> rx.Component:
    return rx.cond(
        PlayerState.error != "",
        rx.box(
            empty_state(
                "circle-alert",
                "This file cannot be played",
                PlayerState.error,
                rx.link(rx.button("Back to the library", variant="soft"), href=LIBRARY_ROUTE),
            ),
            class_name="seen-card",
            width="100%",
            data_testid="player-error",
        ),
        rx.cond(
            PlayerState.view["item_id"],
            _player(),
            rx.center(rx.spinner(size="3"), padding="64px", width="100%"),
        ),
    )
