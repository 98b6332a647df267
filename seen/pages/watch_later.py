"""/app/watch-later?type=movie: everything saved for later, in the user's own order.

Each row moves up or down (or to the top), comes off the list, or — for a movie — is marked watched, which
also takes it off the list. With a type filter on, a move swaps the title with its visible neighbour, so
the titles of other types keep their places. The order is stored at once (`tracking.reorder_watch_later`);
a reload shows it as saved.
"""

from __future__ import annotations

import uuid
from typing import Any

import reflex as rx
from sqlmodel import Session

from seen.components.catalogue import ANY, query_url
from seen.components.empty import empty_state, page_header
from seen.components.page import app_page
from seen.db import session_scope
from seen.pages.personal import (
    PersonalPage,
    card_view,
    change_feedback,
    list_row,
    list_skeleton,
    media_thumb,
    remove_button,
    reorder_buttons,
    title_block,
)
from seen.services import tracking

ROUTE = "/app/watch-later"
PAGE_SIZE = 50
MAX_SHOWN = 5000
TABS = ((ANY, "All"), ("movie", "Movies"), ("show", "Shows"), ("game", "Games"))


def moved(order: list[int], media_id: int, neighbour: int | None) -> list[int]:
    """`order` with `media_id` swapped with `neighbour`, or moved to the front when there is none."""
    rest = [known for known in order if known != media_id]
    if neighbour is None:
        return [media_id, *rest]
    swapped = list(order)
    first, second = swapped.index(media_id), swapped.index(neighbour)
    swapped[first], swapped[second] = swapped[second], swapped[first]
    return swapped


class WatchLaterState(PersonalPage, rx.State):
    loading: bool = True
    kind: str = ANY
    items: list[dict[str, Any]] = []
    total: int = 0
    shown: int = PAGE_SIZE

    @rx.var
    def tab_hrefs(self) -> dict[str, str]:
        return {name: query_url(ROUTE, type=name) for name, _label in TABS}

    @rx.var
    def count_label(self) -> str:
        noun = "title" if self.total == 1 else "titles"
        return f"{self.total} {noun}"

    @rx.var
    def has_more(self) -> bool:
        return self.total > len(self.items)

    @rx.event
    async def load(self):
        kind = self.router.url.query_parameters.get("type", ANY)
        self.kind = kind if kind in dict(TABS) else ANY
        self.shown, self.error, self.loading = PAGE_SIZE, "", True
        yield
        await self._read()
        self.loading = False

    async def _read(self) -> None:
        user_id = await self._viewer()
        if user_id is None:
            self.items, self.total = [], 0
            return
        with session_scope() as session:
            cards, self.total = tracking.watch_later(
                session=session, user_id=user_id, limit=self.shown, kind=None if self.kind == ANY else self.kind
            )
        self.items = [card_view(card, place=index) for index, card in enumerate(cards, start=1)]

    @rx.event
    async def load_more(self):
        self.shown = min(self.shown + PAGE_SIZE, MAX_SHOWN)
        await self._read()

    @rx.event
    async def move(self, media_id: int, step: int):
        """step -1 = up, +1 = down, 0 = to the top of the whole list."""
        media_id, step = int(media_id), int(step)
        visible = [int(item["id"]) for item in self.items]
        if media_id not in visible:
            return None
        index = visible.index(media_id)
        if step and not 0 <= index + step < len(visible):
            return None  # already first or last: the buttons are disabled, a stale click does nothing
        neighbour = visible[index + step] if step else None

        def work(session: Session, user_id: uuid.UUID) -> str | None:
            order = tracking.watch_later_ids(session=session, user_id=user_id)
            if media_id not in order or (neighbour is not None and neighbour not in order):
                return "Your list changed elsewhere: here it is as stored now."
            tracking.reorder_watch_later(session=session, user_id=user_id, media_ids=moved(order, media_id, neighbour))
            return None

        return await self._apply(work, "Moved to the top" if not step else "Order saved")

    @rx.event
    async def remove(self, media_id: int):
        def work(session: Session, user_id: uuid.UUID) -> None:
            tracking.remove_from_watch_later(session=session, user_id=user_id, media_id=int(media_id))

        return await self._apply(work, "Removed from watch later")

    @rx.event
    async def mark_watched(self, media_id: int):
        """A movie seen: one viewing now, and off the list."""

        def work(session: Session, user_id: uuid.UUID) -> None:
            tracking.mark_watched(session=session, user_id=user_id, media_id=int(media_id))
            tracking.remove_from_watch_later(session=session, user_id=user_id, media_id=int(media_id))

        return await self._apply(work, "Marked as watched and taken off the list")


def _tabs() -> rx.Component:
    return rx.el.nav(
        *(
            rx.link(
                label,
                href=WatchLaterState.tab_hrefs[name],
                class_name="seen-tab",
                data_active=(WatchLaterState.kind == name).to_string(),
                underline="none",
            )
            for name, label in TABS
        ),
        class_name="seen-tabs",
        aria_label="Types",
    )


def _row(item: rx.Var, index: rx.Var) -> rx.Component:
    media_id = item["id"].to(int)
    first = index == 0
    last = index == WatchLaterState.items.length() - 1
    return list_row(
        rx.text(item["place"].to_string(), class_name="seen-list-place"),
        media_thumb(item),
        title_block(item),
        actions=(
            *reorder_buttons(WatchLaterState.move, media_id, first=first, last=last, busy=WatchLaterState.busy),
            rx.cond(
                item["type"] == "movie",
                rx.button(
                    rx.icon("check", size=14),
                    "Mark watched",
                    size="1",
                    variant="soft",
                    disabled=WatchLaterState.busy,
                    on_click=WatchLaterState.mark_watched(media_id),
                ),
                rx.link(rx.button("Open", size="1", variant="soft"), href=item["href"]),
            ),
            remove_button(
                WatchLaterState.remove(media_id),
                disabled=WatchLaterState.busy,
                label="Remove from watch later",
                test_id="remove",
            ),
        ),
        test_id="watch-later-item",
    )


def _empty() -> rx.Component:
    return rx.box(
        empty_state(
            "bookmark",
            rx.cond(WatchLaterState.kind == ANY, "Nothing saved for later", "Nothing of this type saved"),
            "Use the bookmark on any title to keep it here, in the order you want to watch.",
            rx.link(rx.button("Find something", variant="soft"), href="/app/discover"),
        ),
        class_name="seen-card",
        width="100%",
        data_testid="watch-later-empty",
    )


def _list() -> rx.Component:
    return rx.vstack(
        rx.el.ol(rx.foreach(WatchLaterState.items, _row), class_name="seen-list", aria_label="Watch later"),
        rx.cond(
            WatchLaterState.has_more,
            rx.button(
                "Show more",
                variant="soft",
                on_click=WatchLaterState.load_more,
                loading=WatchLaterState.busy,
                data_testid="load-more",
            ),
        ),
        spacing="4",
        align="center",
        width="100%",
    )


@app_page(ROUTE, "Watch later", on_load=[WatchLaterState.load])
def watch_later_page() -> rx.Component:
    return rx.fragment(
        page_header(
            "Watch later",
            "Everything you saved for later, in your order.",
            rx.cond(
                ~WatchLaterState.loading,
                rx.badge(WatchLaterState.count_label, size="2", variant="soft", data_testid="watch-later-count"),
            ),
        ),
        rx.vstack(
            _tabs(),
            change_feedback(WatchLaterState.error, WatchLaterState.notice),
            rx.cond(
                WatchLaterState.loading,
                list_skeleton(5),
                rx.cond(WatchLaterState.items.length() > 0, _list(), _empty()),
            ),
            spacing="4",
            width="100%",
        ),
    )
