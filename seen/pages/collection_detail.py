"""/app/collections/[collection_id]: one collection — its titles in order (move, remove), its name and
description, sharing by link, and deleting it (after a confirmation).

Another user's collection id reads as "not found", exactly like an id that never existed.
"""

from __future__ import annotations

import uuid
from typing import Any

import reflex as rx
from sqlmodel import Session

from seen.components.empty import empty_state
from seen.components.page import app_page
from seen.config import get_settings
from seen.db import session_scope
from seen.pages.collections import ROUTE as LIST_ROUTE
from seen.pages.collections import mosaic, summary_view
from seen.pages.detail_state import route_id
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
    viewing_day,
)
from seen.pages.watch_later import moved
from seen.services import collections
from seen.services.errors import NotFound

# Titles read at once: far beyond any hand-made list, and the page stays one scroll.
MAX_ITEMS = 1000


def share_url(token: str | None) -> str:
    return f"{get_settings().public_base_url.rstrip('/')}{collections.share_path(token)}" if token else ""


class CollectionDetailState(PersonalPage, rx.State):
    loading: bool = True
    not_found: bool = False
    collection: dict[str, Any] = {}
    items: list[dict[str, Any]] = []
    total: int = 0
    link: str = ""
    details_error: str = ""
    editing: bool = False

    @rx.var
    def collection_id(self) -> int:
        return route_id(self.router._page.params.get("collection_id")) or 0

    @rx.event
    async def load(self):
        self.loading, self.not_found, self.editing = True, False, False
        self.error = self.details_error = ""
        if self.collection.get("id") != self.collection_id:
            self.collection, self.items, self.total, self.link = {}, [], 0, ""
        yield
        await self._read()
        self.loading = False

    async def _read(self) -> None:
        user_id = await self._viewer()
        wanted = self.collection_id
        if user_id is None or not wanted:
            self.not_found = True
            return
        try:
            with session_scope() as session:
                view = collections.collection(session=session, user_id=user_id, collection_id=wanted, limit=MAX_ITEMS)
        except NotFound:
            self.not_found, self.collection, self.items, self.total = True, {}, [], 0
            return
        self.not_found = False
        self.collection = summary_view(view.collection)
        self.link = share_url(view.collection.share_token)
        self.total = view.total
        self.items = [
            card_view(entry.media, place=index, added=viewing_day(entry.added_at))
            for index, entry in enumerate(view.items, start=1)
        ]

    @rx.event
    async def move(self, media_id: int, step: int):
        """step -1 = up, +1 = down, 0 = to the top."""
        media_id, step = int(media_id), int(step)
        visible = [int(item["id"]) for item in self.items]
        if media_id not in visible:
            return None
        index = visible.index(media_id)
        if step and not 0 <= index + step < len(visible):
            return None  # already first or last (the button is disabled; a stale click does nothing)
        neighbour = visible[index + step] if step else None
        collection_id = self.collection_id

        def work(session: Session, user_id: uuid.UUID) -> None:
            view = collections.collection(
                session=session, user_id=user_id, collection_id=collection_id, limit=MAX_ITEMS
            )
            order = [entry.media.id for entry in view.items]
            if media_id not in order or (neighbour is not None and neighbour not in order):
                return  # changed in another tab: the list is read again
            collections.reorder_collection(
                session=session,
                user_id=user_id,
                collection_id=collection_id,
                media_ids=moved(order, media_id, neighbour),
            )

        return await self._apply(work, "Moved to the top" if not step else "Order saved")

    @rx.event
    async def remove(self, media_id: int):
        collection_id = self.collection_id

        def work(session: Session, user_id: uuid.UUID) -> None:
            collections.remove_from_collection(
                session=session, user_id=user_id, collection_id=collection_id, media_id=int(media_id)
            )

        return await self._apply(work, "Removed from the collection")

    @rx.event
    def start_editing(self):
        self.editing, self.details_error = True, ""

    @rx.event
    def stop_editing(self):
        self.editing, self.details_error = False, ""

    @rx.event
    async def save_details(self, form_data: dict):
        name, description = str(form_data.get("name", "")), str(form_data.get("description", ""))
        if not name.strip():
            self.details_error = "A collection needs a name."
            return None
        collection_id = self.collection_id

        def work(session: Session, user_id: uuid.UUID) -> None:
            collections.update_collection(
                session=session, user_id=user_id, collection_id=collection_id, name=name, description=description
            )

        ok, _none, event = await self._change(work)
        if not ok:
            self.details_error = self.error
            return event
        self.editing, self.details_error = False, ""
        await self._read()
        self.notice = "Saved"
        return None

    @rx.event
    async def set_sharing(self, shared: bool):
        collection_id = self.collection_id

        def work(session: Session, user_id: uuid.UUID) -> None:
            collections.set_shared(session=session, user_id=user_id, collection_id=collection_id, shared=bool(shared))

        return await self._apply(
            work, "Anyone with the link can now see this collection" if shared else "The link no longer works"
        )

    @rx.event
    async def delete(self):
        collection_id = self.collection_id

        def work(session: Session, user_id: uuid.UUID) -> None:
            collections.delete_collection(session=session, user_id=user_id, collection_id=collection_id)

        ok, _none, event = await self._change(work)
        if not ok:
            return event
        return rx.redirect(LIST_ROUTE)


# -- components ----------------------------------------------------------------------------------------------


def _row(item: rx.Var, index: rx.Var) -> rx.Component:
    media_id = item["id"].to(int)
    first = index == 0
    last = index == CollectionDetailState.items.length() - 1
    return list_row(
        rx.text(item["place"].to_string(), class_name="seen-list-place"),
        media_thumb(item),
        title_block(item, rx.text("added ", item["added"], size="1", color="var(--seen-muted)")),
        actions=(
            *reorder_buttons(
                CollectionDetailState.move, media_id, first=first, last=last, busy=CollectionDetailState.busy
            ),
            remove_button(
                CollectionDetailState.remove(media_id),
                disabled=CollectionDetailState.busy,
                label="Remove from the collection",
                test_id="remove",
            ),
        ),
        test_id="collection-item",
    )


def _details_form() -> rx.Component:
    info = CollectionDetailState.collection
    return rx.form(
        rx.vstack(
            rx.input(
                name="name",
                default_value=info["name"].to(str),
                max_length=collections.NAME_MAX_LENGTH,
                aria_label="Collection name",
                data_testid="edit-name",
                width="100%",
            ),
            rx.text_area(
                name="description",
                default_value=info["description"].to(str),
                max_length=collections.DESCRIPTION_MAX_LENGTH,
                placeholder="What ties these titles together?",
                aria_label="Collection description",
                data_testid="edit-description",
                width="100%",
                rows="3",
            ),
            rx.cond(
                CollectionDetailState.details_error != "",
                rx.text(CollectionDetailState.details_error, size="2", color="var(--red-11)", role="alert"),
            ),
            rx.hstack(
                rx.button("Save", type="submit", data_testid="edit-save"),
                rx.button("Cancel", type="button", variant="soft", on_click=CollectionDetailState.stop_editing),
                spacing="2",
            ),
            spacing="2",
            width="100%",
            max_width="560px",
        ),
        on_submit=CollectionDetailState.save_details,
        reset_on_submit=False,
    )


def _summary() -> rx.Component:
    info = CollectionDetailState.collection
    return rx.box(
        rx.hstack(
            rx.box(mosaic(info["mosaic"], test_id="collection-cover"), class_name="seen-collection-cover"),
            rx.vstack(
                rx.cond(
                    CollectionDetailState.editing,
                    _details_form(),
                    rx.vstack(
                        rx.cond(
                            info["description"] != "",
                            rx.text(info["description"], size="2", data_testid="collection-description-text"),
                            rx.text("No description.", size="2", color="var(--seen-muted)"),
                        ),
                        rx.text(
                            info["count_label"], " · changed ", info["updated"], size="1", color="var(--seen-muted)"
                        ),
                        rx.hstack(
                            rx.button(
                                rx.icon("pencil", size=14),
                                "Rename or describe",
                                size="2",
                                variant="soft",
                                on_click=CollectionDetailState.start_editing,
                                data_testid="collection-edit",
                            ),
                            _delete_button(),
                            spacing="2",
                            wrap="wrap",
                        ),
                        spacing="2",
                    ),
                ),
                _sharing(),
                spacing="4",
                width="100%",
                min_width="0",
            ),
            spacing="5",
            align="start",
            width="100%",
            class_name="seen-collection-summary",
        ),
        class_name="seen-card",
        width="100%",
    )


def _sharing() -> rx.Component:
    return rx.vstack(
        rx.hstack(
            rx.switch(
                checked=CollectionDetailState.collection["shared"].to(bool),
                on_change=CollectionDetailState.set_sharing,
                disabled=CollectionDetailState.busy,
                aria_label="Share by link",
                data_testid="share-toggle",
            ),
            rx.text("Share read-only by link", size="2"),
            spacing="2",
            align="center",
        ),
        rx.cond(
            CollectionDetailState.link != "",
            rx.hstack(
                rx.input(
                    value=CollectionDetailState.link,
                    read_only=True,
                    aria_label="Shared link",
                    data_testid="share-link",
                    width="100%",
                ),
                rx.button(
                    rx.icon("copy", size=14),
                    "Copy",
                    variant="soft",
                    on_click=[rx.set_clipboard(CollectionDetailState.link), rx.toast.success("Link copied")],
                    data_testid="share-copy",
                ),
                rx.link(
                    rx.icon_button(rx.icon("external-link", size=14), variant="ghost", aria_label="Open the link"),
                    href=CollectionDetailState.link,
                    is_external=True,
                ),
                width="100%",
                max_width="640px",
                spacing="2",
                align="center",
            ),
            rx.text(
                "Only you can see it. Sharing makes a link anyone can open without an account; they cannot change "
                "anything.",
                size="1",
                color="var(--seen-muted)",
            ),
        ),
        spacing="2",
        width="100%",
    )


def _delete_button() -> rx.Component:
    return rx.alert_dialog.root(
        rx.alert_dialog.trigger(
            rx.button(
                rx.icon("trash-2", size=14),
                "Delete",
                size="2",
                variant="soft",
                color_scheme="red",
                data_testid="collection-delete",
            )
        ),
        rx.alert_dialog.content(
            rx.alert_dialog.title("Delete this collection?"),
            rx.alert_dialog.description(
                "“",
                CollectionDetailState.collection["name"].to(str),
                "” and its list go away for good; the titles stay in the catalogue and in your history. A shared "
                "link stops working.",
                size="2",
            ),
            rx.hstack(
                rx.alert_dialog.cancel(rx.button("Keep it", variant="soft", color_scheme="gray")),
                rx.alert_dialog.action(
                    rx.button(
                        "Delete",
                        color_scheme="red",
                        on_click=CollectionDetailState.delete,
                        data_testid="confirm-delete",
                    )
                ),
                spacing="3",
                justify="end",
                padding_top="12px",
            ),
        ),
    )


def _not_found() -> rx.Component:
    return rx.box(
        empty_state(
            "library-big",
            "Collection not found",
            "It may have been deleted, or the address is wrong.",
            rx.link(rx.button("All collections", variant="soft"), href=LIST_ROUTE),
        ),
        class_name="seen-card",
        width="100%",
        data_testid="collection-not-found",
    )


def _items() -> rx.Component:
    return rx.cond(
        CollectionDetailState.items.length() > 0,
        rx.el.ol(rx.foreach(CollectionDetailState.items, _row), class_name="seen-list", aria_label="Titles"),
        rx.box(
            empty_state(
                "list-plus",
                "Nothing in it yet",
                "Open any movie, show or game and use its collection button to add it here.",
                rx.link(rx.button("Find something", variant="soft"), href="/app/discover"),
            ),
            class_name="seen-card",
            width="100%",
            data_testid="collection-empty",
        ),
    )


def _header() -> rx.Component:
    info = CollectionDetailState.collection
    return rx.hstack(
        rx.heading(
            info["name"].to(str), size="7", weight="bold", letter_spacing="-0.02em", data_testid="collection-title"
        ),
        rx.cond(info["shared"], rx.badge(rx.icon("link", size=12), "Shared", variant="soft", color_scheme="cyan")),
        spacing="3",
        align="center",
        wrap="wrap",
        width="100%",
    )


@app_page("/app/collections/[collection_id]", "Collection", on_load=[CollectionDetailState.load])
def collection_detail_page() -> rx.Component:
    return rx.fragment(
        rx.link(
            rx.hstack(rx.icon("chevron-left", size=14), rx.text("Collections", size="2"), spacing="1", align="center"),
            href=LIST_ROUTE,
            class_name="seen-back-link",
            underline="none",
        ),
        rx.cond(
            CollectionDetailState.not_found,
            _not_found(),
            rx.cond(
                CollectionDetailState.collection.length() > 0,
                rx.vstack(
                    _header(),
                    _summary(),
                    change_feedback(CollectionDetailState.error, CollectionDetailState.notice),
                    rx.cond(CollectionDetailState.loading, list_skeleton(4), _items()),
                    spacing="5",
                    width="100%",
                ),
                list_skeleton(4),
            ),
        ),
    )
