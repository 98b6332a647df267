"""/app/notifications: the notification centre. Newest first, unread highlighted, a filter (all / unread),
"mark read" per item and for everything, and a link from each to what it is about.

The page keeps view dicts (never ORM rows); reads and changes go through `seen.services.notifications`.
After a change the top bar's bell is told the new unread count.
"""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime
from typing import Any

import reflex as rx
from sqlmodel import Session

from seen.components.empty import empty_state, page_header
from seen.components.notification_bell import BellState
from seen.components.page import app_page
from seen.db import session_scope
from seen.pages.personal import PersonalPage, change_feedback, in_utc, list_skeleton
from seen.services import notifications

ROUTE = notifications.CENTRE_PATH
PAGE_SIZE = 30
FILTERS = (("all", "All"), ("unread", "Unread"))
KIND_ICONS = {
    "new_episode": "tv",
    "movie_released": "film",
    "game_launched": "gamepad-2",
    "download_finished": "circle-check",
    "download_failed": "circle-alert",
    "unmatched_files": "file-question",
    "digest": "newspaper",
}


def relative_time(iso: str, now: datetime | None = None) -> str:
    """ "just now", "5 minutes ago", "3 hours ago", "yesterday", "4 days ago", then the date."""
    moment = in_utc(iso)
    seconds = max(0, int(((now or datetime.now(UTC)) - moment).total_seconds()))
    if seconds < 60:
        return "just now"
    for size, unit in ((86400, "day"), (3600, "hour"), (60, "minute")):
        if seconds >= size:
            count = seconds // size
            if unit == "day" and count >= 7:
                return moment.strftime("%-d %b %Y")
            if unit == "day" and count == 1:
                return "yesterday"
            return f"{count} {unit}{'s' if count != 1 else ''} ago"
    return "just now"  # pragma: no cover


def item_view(item: notifications.NotificationView) -> dict[str, Any]:
    return {
        "id": item.id,
        "kind": item.kind,
        "icon": KIND_ICONS.get(item.kind, "bell"),
        "title": item.title,
        "body": item.body,
        "link": item.link or "",
        "read": item.read,
        "when": relative_time(item.created_at),
        "at": in_utc(item.created_at).strftime("%-d %b %Y, %H:%M UTC"),
    }


def _read(user_id: uuid.UUID, unread_only: bool, limit: int) -> notifications.NotificationPage:
    with session_scope() as session:
        return notifications.list_notifications(session=session, user_id=user_id, unread_only=unread_only, limit=limit)


class NotificationsState(PersonalPage, rx.State):
    loading: bool = True
    filter: str = "all"
    items: list[dict[str, Any]] = []
    unread_count: int = 0
    has_more: bool = False
    shown: int = PAGE_SIZE

    @rx.event
    async def load(self):
        self.error = self.notice = ""
        # Every visit starts on "All" (the filter is for the visit, not a preference).
        self.loading, self.shown, self.filter = True, PAGE_SIZE, "all"
        yield
        await self._read()
        self.loading = False

    async def _read(self) -> None:
        user_id = await self._viewer()
        if user_id is None:
            self.items, self.unread_count, self.has_more = [], 0, False
            return
        page = await asyncio.to_thread(_read, user_id, self.filter == "unread", self.shown)
        self.items = [item_view(item) for item in page.items]
        self.unread_count = page.unread_count
        self.has_more = page.next_before is not None
        bell = await self.get_state(BellState)
        bell.unread = page.unread_count

    @rx.event
    async def set_filter(self, name: str):
        self.filter = name if name in dict(FILTERS) else "all"
        self.shown = PAGE_SIZE
        await self._read()

    @rx.event
    async def show_more(self):
        self.shown = min(self.shown + PAGE_SIZE, notifications.LIST_LIMIT_MAX)
        await self._read()

    @rx.event
    async def mark_read(self, notification_id: int):
        def work(session: Session, user_id: uuid.UUID) -> int:
            return notifications.mark_read(session=session, user_id=user_id, ids=[int(notification_id)])

        return await self._apply(work, "Marked as read")

    @rx.event
    async def mark_all_read(self):
        def work(session: Session, user_id: uuid.UUID) -> str:
            marked = notifications.mark_read(session=session, user_id=user_id, all_=True)
            return "Nothing was unread" if not marked else f"Marked {marked} as read"

        return await self._apply(work, "Marked all as read")


def _filters() -> rx.Component:
    return rx.el.nav(
        *(
            rx.el.button(
                label,
                rx.cond(
                    name == "unread",
                    rx.text.span(" ", NotificationsState.unread_count.to_string(), color="var(--seen-muted)"),
                ),
                type="button",
                class_name="seen-tab",
                data_active=(NotificationsState.filter == name).to_string(),
                aria_pressed=(NotificationsState.filter == name).to_string(),
                on_click=NotificationsState.set_filter(name),
                data_testid=f"notifications-filter-{name}",
            )
            for name, label in FILTERS
        ),
        class_name="seen-tabs",
        aria_label="Show",
    )


def _item(item: rx.Var) -> rx.Component:
    title = rx.text(item["title"], weight="medium", class_name="seen-notification-title")
    return rx.el.li(
        rx.box(rx.icon(item["icon"].to(str), size=18), class_name="seen-notification-icon", aria_hidden="true"),
        rx.vstack(
            rx.cond(
                item["link"] != "",
                rx.link(title, href=item["link"].to(str), underline="hover", data_testid="notification-link"),
                title,
            ),
            rx.cond(item["body"] != "", rx.text(item["body"], size="2", color="var(--seen-muted)")),
            rx.el.time(item["when"], title=item["at"], class_name="seen-notification-when"),
            spacing="1",
            min_width="0",
            flex="1",
        ),
        rx.cond(
            item["read"],
            rx.fragment(),
            rx.button(
                rx.icon("check", size=14),
                "Mark read",
                size="1",
                variant="soft",
                on_click=NotificationsState.mark_read(item["id"].to(int)),
                disabled=NotificationsState.busy,
                data_testid="notification-mark-read",
            ),
        ),
        class_name="seen-notification",
        data_unread=(~item["read"].to(bool)).to_string(),
        data_kind=item["kind"],
        data_testid="notification-item",
    )


def _empty() -> rx.Component:
    return rx.box(
        rx.cond(
            NotificationsState.filter == "unread",
            empty_state("bell-off", "Nothing unread", "You have read every notification."),
            empty_state(
                "bell",
                "No notifications yet",
                "New episodes of your shows, releases of your movies and games, and your downloads show up here.",
                rx.link(rx.button("Notification settings", variant="soft"), href="/app/settings#notifications"),
            ),
        ),
        class_name="seen-card",
        data_testid="notifications-empty",
    )


@app_page(ROUTE, "Notifications", on_load=[NotificationsState.load])
def notifications_page() -> rx.Component:
    return rx.fragment(
        page_header(
            "Notifications",
            "What happened to the titles you follow, your downloads and the library.",
            rx.button(
                rx.icon("check-check", size=15),
                "Mark all read",
                variant="soft",
                on_click=NotificationsState.mark_all_read,
                disabled=(NotificationsState.unread_count == 0) | NotificationsState.busy,
                data_testid="notifications-mark-all",
            ),
        ),
        rx.vstack(
            _filters(),
            change_feedback(NotificationsState.error, NotificationsState.notice, test_id="notifications-feedback"),
            rx.cond(
                NotificationsState.loading,
                list_skeleton(4),
                rx.cond(
                    NotificationsState.items.length() > 0,
                    rx.vstack(
                        rx.el.ul(
                            rx.foreach(NotificationsState.items, _item),
                            class_name="seen-notification-list",
                            data_testid="notification-list",
                        ),
                        rx.cond(
                            NotificationsState.has_more,
                            rx.button("Show more", variant="soft", on_click=NotificationsState.show_more),
                        ),
                        spacing="3",
                        width="100%",
                    ),
                    _empty(),
                ),
            ),
            spacing="4",
            width="100%",
        ),
    )
