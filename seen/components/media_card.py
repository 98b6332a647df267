"""Poster cards for titles, shared by Discover, browsing, search and the detail pages' related rows.

A card is a dict shaped like `seen.services.catalogue_views.MediaCard` (`dataclasses.asdict`): id, type,
title, year, release_date, vote_average, poster_url, href. Posters load lazily over a placeholder that
shows the title, so a slow or missing image never leaves a hole.
"""

from __future__ import annotations

import reflex as rx

TYPE_LABELS = {"movie": "Movie", "show": "Show", "game": "Game"}


def _poster(item: rx.Var) -> rx.Component:
    return rx.box(
        rx.box(rx.text(item["title"], class_name="seen-poster-fallback-title"), class_name="seen-poster-fallback"),
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


def media_card(item: rx.Var) -> rx.Component:
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


def card_grid(items: rx.Var) -> rx.Component:
    return rx.box(rx.foreach(items, media_card), class_name="seen-card-grid")


def card_row(items: rx.Var) -> rx.Component:
    """A horizontally scrolling row (Discover sections, related titles)."""
    return rx.box(rx.foreach(items, media_card), class_name="seen-card-row")


def card_skeletons(count: int = 6) -> rx.Component:
    return rx.box(
        *(rx.box(rx.box(class_name="seen-poster seen-skeleton"), class_name="seen-media-card") for _ in range(count)),
        class_name="seen-card-row",
    )
