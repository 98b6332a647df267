"""/shared/collections/[token]: a collection its owner shared by link, read-only, for anyone holding the link.

No login and no app shell: the visitor may have no account. A token that never existed and one whose
collection stopped being shared (or was deleted) read the same: "not found", without a hint which it was.
"""

from __future__ import annotations

from typing import Any

import reflex as rx

from seen.components.empty import empty_state
from seen.components.media_card import card_grid
from seen.db import session_scope
from seen.pages.collections import titles_label
from seen.pages.personal import card_view, viewing_day
from seen.services import collections
from seen.services.errors import NotFound

# A shared page shows this many titles; a longer list says how many more there are.
SHOWN = 200
TOKEN_MAX_LENGTH = 64


class SharedCollectionState(rx.State):
    loading: bool = True
    found: bool = False
    name: str = ""
    description: str = ""
    owner_name: str = ""
    updated: str = ""
    items: list[dict[str, Any]] = []
    total: int = 0

    @rx.var
    def count_label(self) -> str:
        return titles_label(self.total)

    @rx.var
    def more_label(self) -> str:
        hidden = self.total - len(self.items)
        return f"and {hidden} more" if hidden > 0 else ""

    @rx.event
    def load(self):
        token = self.router._page.params.get("token")
        self.loading = True
        self.found = False
        self.items, self.total = [], 0
        if not isinstance(token, str) or not token or len(token) > TOKEN_MAX_LENGTH:
            self.loading = False
            return
        try:
            with session_scope() as session:
                view = collections.shared_collection(session=session, token=token, limit=SHOWN)
        except NotFound:
            self.loading = False
            return
        self.name, self.description, self.owner_name = view.name, view.description, view.owner_name
        self.updated = viewing_day(view.updated_at)
        self.items = [card_view(card) for card in view.items]
        self.total = view.total
        self.found = True
        self.loading = False


def _frame(*body: rx.Component) -> rx.Component:
    return rx.box(
        rx.hstack(
            rx.link(rx.el.span("/seen/"), href="/", class_name="seen-brand", underline="none", padding="0"),
            rx.spacer(),
            rx.link("Sign in", href="/login", size="2", color="var(--seen-muted)"),
            align="center",
            width="100%",
            class_name="seen-public-top",
        ),
        rx.box(*body, class_name="seen-public-main"),
        class_name="seen-public-page",
    )


def _collection() -> rx.Component:
    return rx.vstack(
        rx.vstack(
            rx.text("A shared collection", size="1", class_name="seen-detail-kicker"),
            rx.heading(
                SharedCollectionState.name,
                size="8",
                weight="bold",
                letter_spacing="-0.02em",
                data_testid="shared-title",
            ),
            rx.text(
                "by ",
                rx.el.strong(SharedCollectionState.owner_name),
                " · ",
                SharedCollectionState.count_label,
                " · updated ",
                SharedCollectionState.updated,
                size="2",
                color="var(--seen-muted)",
                data_testid="shared-owner",
            ),
            rx.cond(
                SharedCollectionState.description != "",
                rx.text(SharedCollectionState.description, size="3", max_width="720px"),
            ),
            spacing="2",
            padding_bottom="20px",
        ),
        rx.cond(
            SharedCollectionState.items.length() > 0,
            card_grid(SharedCollectionState.items, bookmark=False),
            rx.box(
                empty_state("library-big", "Nothing in it yet", "The owner has not added any titles."),
                class_name="seen-card",
                width="100%",
            ),
        ),
        rx.cond(
            SharedCollectionState.more_label != "",
            rx.text(SharedCollectionState.more_label, size="2", color="var(--seen-muted)"),
        ),
        width="100%",
        spacing="4",
        data_testid="shared-collection",
    )


def _not_found() -> rx.Component:
    return rx.box(
        empty_state(
            "link-2-off",
            "This link does not lead to a collection",
            "It may have been mistyped, or its owner stopped sharing it or deleted it.",
        ),
        class_name="seen-card",
        width="100%",
        data_testid="shared-not-found",
    )


@rx.page(route="/shared/collections/[token]", title="Shared collection · /seen/", on_load=SharedCollectionState.load)
def shared_collection_page() -> rx.Component:
    return _frame(
        rx.cond(
            SharedCollectionState.loading,
            rx.center(rx.spinner(size="3"), padding="80px", aria_label="Loading"),
            rx.cond(SharedCollectionState.found, _collection(), _not_found()),
        )
    )
