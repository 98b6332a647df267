"""The top bar's bell: how many notifications the signed-in user has not read (read again every 20 s while a
page shows it), linking to the centre."""

from __future__ import annotations

import asyncio
import uuid

import reflex as rx

from seen.db import session_scope
from seen.pages.live import LivePage, keep_live
from seen.services import notifications
from seen.state import AuthState

CENTRE_ROUTE = notifications.CENTRE_PATH
BADGE_MAX = 99  # shown as "99+" above this
REFRESH_SECONDS = 20.0
REFRESH_LIMIT_SECONDS = 12 * 3600  # a tab left open longer shows the count of its last read


def _unread(user_id: uuid.UUID) -> int:
    with session_scope() as session:
        return notifications.unread_count(session=session, user_id=user_id)


class BellState(LivePage, rx.State):
    unread: int = 0

    @rx.var
    def badge(self) -> str:
        return f"{BADGE_MAX}+" if self.unread > BADGE_MAX else str(self.unread)

    @rx.var
    def label(self) -> str:
        if not self.unread:
            return "Notifications, none unread"
        return f"Notifications, {self.unread} unread"

    async def _read(self) -> None:
        auth = await self.get_state(AuthState)
        user_id = auth.user_id
        if not user_id:
            found = auth.authenticated()
            user_id = str(found.user.id) if found else ""
        self.unread = await asyncio.to_thread(_unread, uuid.UUID(user_id)) if user_id else 0

    @rx.event
    async def refresh(self):
        """Read the count now (the centre calls this after marking notifications read)."""
        await self._read()

    @rx.event(background=True)
    async def follow(self):
        """The count when a page shows the bell, then every `REFRESH_SECONDS` while it stays on screen: a new
        episode or a finished download reaches the bell without a reload."""
        async with self:
            self._new_visit()
            await self._read()

        async def refresh() -> bool:
            await self._read()
            return True

        await keep_live(self, refresh, every=REFRESH_SECONDS, limit=REFRESH_LIMIT_SECONDS)


def notification_bell() -> rx.Component:
    return rx.link(
        rx.icon("bell", size=19),
        rx.cond(
            BellState.unread > 0,
            rx.el.span(BellState.badge, class_name="seen-bell-badge", data_testid="notification-count"),
        ),
        href=CENTRE_ROUTE,
        class_name="seen-bell",
        aria_label=BellState.label,
        title="Notifications",
        underline="none",
        on_mount=BellState.follow,
        on_unmount=BellState.leave,
        data_testid="notification-bell",
    )
