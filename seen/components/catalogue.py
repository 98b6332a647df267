"""Pieces shared by the catalogue pages (Discover, Movies / Shows / Games, search results).

Filters are links and selects that change the URL's query, so every view can be bookmarked, shared and
reached again with the browser's back button; the page's on_load reads the query back.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import reflex as rx

# Radix select items need a non-empty value: this one stands for "no filter".
ANY = "all"
MAX_PAGE = 1000


def query_url(path: str, **params: Any) -> str:
    """`path?a=1&b=2` without the empty, default or `ANY` values."""
    kept = {name: value for name, value in params.items() if value not in (None, "", ANY, 0)}
    return f"{path}?{urlencode(kept)}" if kept else path


def int_param(value: str | None, *, low: int = 1, high: int = 1_000_000) -> int | None:
    """A query parameter as a positive int in range, or None for anything else (typos, text, huge)."""
    text = (value or "").strip()
    if not text.isdigit() or len(text) > 9:
        return None
    number = int(text)
    return number if low <= number <= high else None


def page_count(total: int, page_size: int) -> int:
    return max(1, -(-total // page_size))


class PagedLinks(rx.State, mixin=True):
    """A paged view whose pages are URLs: the state keeps `page` and `total`, and builds its own links in
    `_href(**changes)` (the current filters with some changed)."""

    page: int = 1
    total: int = 0

    def _href(self, **changes: Any) -> str:
        raise NotImplementedError

    @rx.var
    def prev_href(self) -> str:
        return self._href(page=max(1, self.page - 1))

    @rx.var
    def next_href(self) -> str:
        return self._href(page=self.page + 1)


def pager(page: rx.Var[int], pages: rx.Var[int], prev_href: rx.Var[str], next_href: rx.Var[str]) -> rx.Component:
    """Previous / "Page X of Y" / Next; the buttons are links, so pages are real URLs."""
    return rx.hstack(
        rx.cond(
            page > 1,
            rx.link(
                rx.button(rx.icon("chevron-left", size=16), "Previous", variant="soft"),
                href=prev_href,
                aria_label="Previous page",
            ),
            rx.button(rx.icon("chevron-left", size=16), "Previous", variant="soft", disabled=True),
        ),
        rx.text(
            "Page ",
            rx.el.span(page.to_string(), data_testid="page-number"),
            " of ",
            rx.el.span(pages.to_string(), data_testid="page-count"),
            size="2",
            color="var(--seen-muted)",
            data_testid="page-status",
        ),
        rx.cond(
            page < pages,
            rx.link(
                rx.button("Next", rx.icon("chevron-right", size=16), variant="soft"),
                href=next_href,
                aria_label="Next page",
            ),
            rx.button("Next", rx.icon("chevron-right", size=16), variant="soft", disabled=True),
        ),
        spacing="3",
        align="center",
        justify="center",
        class_name="seen-pager",
        width="100%",
    )


def filter_select(
    label: str,
    value: rx.Var[str],
    options: rx.Var[list[dict[str, str]]] | list[dict[str, str]],
    on_change: Any,
    *,
    any_label: str | None = None,
    test_id: str = "",
) -> rx.Component:
    """A labelled select over `options` ({"value", "label"} dicts); `any_label` adds an "all" choice first."""
    items = rx.foreach(options, lambda option: rx.select.item(option["label"], value=option["value"]))
    return rx.vstack(
        rx.text(label, size="1", color="var(--seen-muted)"),
        rx.select.root(
            rx.select.trigger(aria_label=label, min_width="150px", data_testid=test_id or None),
            rx.select.content(
                rx.select.item(any_label, value=ANY) if any_label else rx.fragment(),
                items,
                position="popper",
            ),
            value=value,
            on_change=on_change,
            size="2",
        ),
        spacing="1",
        class_name="seen-filter",
    )


def demo_notice(kinds_text: rx.Var[str], is_admin: rx.Var[bool]) -> rx.Component:
    """Says plainly that the titles come from the bundled demo catalogue, and how to get the real ones."""
    return rx.box(
        rx.hstack(
            rx.badge(
                rx.icon("flask-conical", size=13),
                "Demo catalogue",
                color_scheme="amber",
                variant="soft",
                size="2",
                data_testid="demo-badge",
            ),
            rx.text(
                kinds_text,
                " come from the small catalogue bundled with /seen/, so it works offline. ",
                "To use the real services, add a TMDB API key (movies, shows, people) and IGDB credentials "
                "(a Twitch client id and secret, for games) in Admin.",
                size="2",
                color="var(--seen-muted)",
            ),
            rx.cond(is_admin, rx.link(rx.button("Open Admin", size="1", variant="soft"), href="/app/admin")),
            spacing="3",
            align="center",
            wrap="wrap",
        ),
        class_name="seen-notice",
        role="note",
        data_testid="demo-notice",
    )


def grid_skeletons(count: int = 12) -> rx.Component:
    return rx.box(
        *(rx.box(rx.box(class_name="seen-poster seen-skeleton"), class_name="seen-media-card") for _ in range(count)),
        class_name="seen-card-grid",
        aria_busy="true",
        aria_label="Loading",
    )
