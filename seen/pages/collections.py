"""/app/collections: the lists a user curates, as cards with a poster mosaic, and a form to start a new one.

Titles are added from any card's or detail page's collection picker (and over REST); a collection's own
page (`seen.pages.collection_detail`) orders, trims, renames, shares and deletes it.
"""

from __future__ import annotations

import uuid
from dataclasses import asdict
from typing import Any

import reflex as rx
from sqlmodel import Session

from seen.components.empty import empty_state, page_header
from seen.components.page import app_page
from seen.db import session_scope
from seen.pages.personal import PersonalPage, change_feedback, viewing_day
from seen.services import collections

ROUTE = "/app/collections"


def titles_label(count: int) -> str:
    return f"{count} title" if count == 1 else f"{count} titles"


def summary_view(summary: collections.CollectionSummary) -> dict[str, Any]:
    """A collection as its card (and its page's header) shows it; the mosaic always has four tiles."""
    covers = list(summary.cover_urls[: collections.COVER_POSTERS])
    return asdict(summary) | {
        "mosaic": covers + [""] * (collections.COVER_POSTERS - len(covers)),
        "count_label": titles_label(summary.item_count),
        "updated": viewing_day(summary.updated_at),
    }


class CollectionsState(PersonalPage, rx.State):
    loading: bool = True
    collections: list[dict[str, Any]] = []
    create_error: str = ""
    creating: bool = False

    @rx.event
    async def load(self):
        self.create_error, self.loading = "", True
        yield
        await self._read()
        self.loading = False

    async def _read(self) -> None:
        user_id = await self._viewer()
        if user_id is None:
            self.collections = []
            return
        with session_scope() as session:
            self.collections = [
                summary_view(summary) for summary in collections.list_collections(session=session, user_id=user_id)
            ]

    @rx.event
    async def create(self, form_data: dict):
        name = str(form_data.get("name", ""))
        description = str(form_data.get("description", ""))
        if not name.strip():
            self.create_error = "Give the collection a name."
            return None
        self.creating = True

        def work(session: Session, user_id: uuid.UUID) -> collections.CollectionSummary:
            return collections.create_collection(session=session, user_id=user_id, name=name, description=description)

        try:
            ok, created, event = await self._change(work)
        finally:
            self.creating = False
        if not ok:
            self.create_error = self.error
            return event
        self.create_error = ""
        await self._read()
        self.notice = f"“{created.name}” created"
        return [rx.set_value("collection-name", ""), rx.set_value("collection-description", "")]


def mosaic(tiles: rx.Var, *, test_id: str = "collection-mosaic") -> rx.Component:
    """Four posters in a 2x2 square; an empty tile stays a quiet block."""
    return rx.box(
        rx.foreach(
            tiles.to(list[str]),
            lambda url: rx.box(
                rx.cond(url != "", rx.image(src=url, alt="", loading="lazy", class_name="seen-mosaic-img")),
                class_name="seen-mosaic-tile",
            ),
        ),
        class_name="seen-mosaic",
        aria_hidden="true",
        data_testid=test_id,
    )


def _collection_card(entry: rx.Var) -> rx.Component:
    return rx.link(
        mosaic(entry["mosaic"]),
        rx.vstack(
            rx.text(entry["name"], weight="medium", class_name="seen-clip", width="100%"),
            rx.hstack(
                rx.text(entry["count_label"], size="1", color="var(--seen-muted)"),
                rx.cond(
                    entry["shared"],
                    rx.badge(rx.icon("link", size=11), "Shared", size="1", variant="soft", color_scheme="cyan"),
                ),
                spacing="2",
                align="center",
            ),
            spacing="1",
            width="100%",
            padding="10px 12px 12px",
        ),
        href=entry["href"],
        class_name="seen-collection-card",
        underline="none",
        data_testid="collection-card",
    )


def _create_form() -> rx.Component:
    return rx.box(
        rx.form(
            rx.vstack(
                rx.text("New collection", weight="medium"),
                rx.hstack(
                    rx.input(
                        name="name",
                        id="collection-name",
                        placeholder="Name, e.g. “Rainy Sunday films”",
                        max_length=collections.NAME_MAX_LENGTH,
                        aria_label="Collection name",
                        data_testid="collection-name",
                        flex="1",
                        min_width="200px",
                    ),
                    rx.input(
                        name="description",
                        id="collection-description",
                        placeholder="Description (optional)",
                        max_length=collections.DESCRIPTION_MAX_LENGTH,
                        aria_label="Collection description",
                        data_testid="collection-description",
                        flex="2",
                        min_width="200px",
                    ),
                    rx.button(
                        rx.icon("plus", size=15),
                        "Create",
                        type="submit",
                        loading=CollectionsState.creating,
                        data_testid="collection-create",
                    ),
                    spacing="2",
                    width="100%",
                    wrap="wrap",
                ),
                rx.cond(
                    CollectionsState.create_error != "",
                    rx.text(
                        CollectionsState.create_error,
                        size="2",
                        color="var(--red-11)",
                        role="alert",
                        data_testid="collection-create-error",
                    ),
                ),
                change_feedback("", CollectionsState.notice, test_id="collection-create"),
                spacing="2",
                width="100%",
            ),
            id="new-collection-form",
            on_submit=CollectionsState.create,
            reset_on_submit=False,
        ),
        class_name="seen-card",
        width="100%",
    )


def _skeleton() -> rx.Component:
    return rx.box(
        *(rx.box(class_name="seen-collection-card seen-skeleton seen-collection-skeleton") for _ in range(4)),
        class_name="seen-collection-grid",
        aria_busy="true",
        aria_label="Loading",
    )


def _empty() -> rx.Component:
    return rx.box(
        empty_state(
            "library-big",
            "No collections yet",
            "Create one above, then add titles from the collection button on any title's page. Keep it "
            "private or share it read-only by link.",
        ),
        class_name="seen-card",
        width="100%",
        data_testid="collections-empty",
    )


@app_page(ROUTE, "Collections", on_load=[CollectionsState.load])
def collections_page() -> rx.Component:
    return rx.fragment(
        page_header("Collections", "Lists you curate, private or shared by link."),
        rx.vstack(
            _create_form(),
            rx.cond(
                CollectionsState.loading,
                _skeleton(),
                rx.cond(
                    CollectionsState.collections.length() > 0,
                    rx.box(
                        rx.foreach(CollectionsState.collections, _collection_card),
                        class_name="seen-collection-grid",
                    ),
                    _empty(),
                ),
            ),
            spacing="5",
            width="100%",
        ),
    )
