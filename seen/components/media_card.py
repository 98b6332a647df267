"""Poster cards for titles, shared by Discover, browsing, search and the detail pages' related rows.

A card is a dict shaped like `seen.services.catalogue_views.MediaCard` (`dataclasses.asdict`): id, type,
title, year, release_date, vote_average, poster_url, href. Posters load lazily over a placeholder that
shows the title, so a slow or missing image never leaves a hole.

A title the household's library has a file of says "In library" on its poster (`LibraryIdsState`, read once
per page like the bookmarks below).

Movies and shows carry a watch later bookmark over the poster (on hover, always on touch screens and while
the title is on the list). It reads the viewer's watch later ids, loaded once per page by
`WatchLaterIdsState`, so a card costs no query of its own. The bookmark sits beside the card's link, not in
it: a button inside a link would be invalid HTML and would follow the link when pressed.
"""

from __future__ import annotations

import reflex as rx

from seen.pages.tracking_state import LibraryIdsState, WatchLaterIdsState

TYPE_LABELS = {"movie": "Movie", "show": "Show", "game": "Game"}


def _poster(item: rx.Var) -> rx.Component:
    return rx.box(
        rx.box(rx.text(item["title"], class_name="seen-poster-fallback-title"), class_name="seen-poster-fallback"),
        rx.cond(
            LibraryIdsState.ids.contains(item["id"]),
            rx.box(
                rx.icon("hard-drive", size=12),
                "In library",
                class_name="seen-in-library",
                data_testid="card-in-library",
            ),
            rx.fragment(),
        ),
        rx.cond(
            item["poster_url"],
            rx.image(
                src=item["poster_url"],
                alt=item["title"],
                loading="lazy",
                decoding="async",
                class_name="seen-poster-img",
            ),
            rx.fragment(),
        ),
        class_name="seen-poster",
    )


def watch_later_bookmark(item: rx.Var) -> rx.Component:
    """The bookmark's own state is its confirmation; a refusal is written on the card it happened to."""
    on_list = WatchLaterIdsState.ids.contains(item["id"])
    return rx.cond(
        item["type"] != "game",
        rx.fragment(
            rx.el.button(
                rx.icon("bookmark", size=16),
                on_click=WatchLaterIdsState.toggle(item["id"]),
                class_name=rx.cond(on_list, "seen-bookmark seen-bookmark-on", "seen-bookmark"),
                aria_pressed=on_list,
                aria_label=rx.cond(on_list, "Remove from watch later", "Add to watch later"),
                title=rx.cond(on_list, "On your watch later list", "Watch later"),
                type="button",
                data_testid="card-watch-later",
            ),
            rx.cond(
                WatchLaterIdsState.failed_id == item["id"],
                rx.text(WatchLaterIdsState.failure, class_name="seen-bookmark-error", role="alert"),
                rx.fragment(),
            ),
        ),
        rx.fragment(),
    )


def media_card(item: rx.Var, *, bookmark: bool = True) -> rx.Component:
    """A title's card; `bookmark=False` for pages seen without an account (a shared collection)."""
    link = _card_link(item)
    if not bookmark:
        return link
    return rx.box(link, watch_later_bookmark(item), class_name="seen-card-shell")


def _card_link(item: rx.Var) -> rx.Component:
    return rx.link(
        _poster(item),
        rx.box(
            rx.text(item["title"], class_name="seen-card-title", title=item["title"]),
            rx.hstack(
                rx.text(rx.cond(item["year"], item["year"].to(str), "—"), size="1"),
                rx.text(
                    rx.match(item["type"], ("movie", "Movie"), ("show", "Show"), ("game", "Game"), ""),
                    size="1",
                ),
                rx.cond(
                    item["vote_average"],
                    rx.hstack(
                        rx.icon("star", size=11),
                        rx.text(item["vote_average"].to(str), size="1"),
                        spacing="1",
                        align="center",
                    ),
                    rx.fragment(),
                ),
                spacing="2",
                align="center",
                class_name="seen-card-meta",
            ),
            class_name="seen-card-caption",
        ),
        href=item["href"],
        class_name="seen-media-card",
        data_testid="media-card",
        underline="none",
    )


def card_grid(items: rx.Var, *, bookmark: bool = True) -> rx.Component:
    return rx.box(rx.foreach(items, lambda item: media_card(item, bookmark=bookmark)), class_name="seen-card-grid")


def card_row(items: rx.Var, *, bookmark: bool = True) -> rx.Component:
    """A horizontally scrolling row (Discover sections, related titles)."""
    return rx.box(rx.foreach(items, lambda item: media_card(item, bookmark=bookmark)), class_name="seen-card-row")


def card_skeletons(count: int = 6) -> rx.Component:
    return rx.box(
        *(rx.box(rx.box(class_name="seen-poster seen-skeleton"), class_name="seen-media-card") for _ in range(count)),
        class_name="seen-card-row",
    )
