"""The top bar's bell: how many notifications the signed-in user has not read, linking to the centre."""

from __future__ import annotations

import asyncio
import uuid

import reflex as rx

from seen.db import session_scope
from seen.services import notifications
from seen.state import AuthState

CENTRE_ROUTE = notifications.CENTRE_PATH
BADGE_MAX = 99  # shown as "99+" above this


def _unread(user_id: uuid.UUID) -> int:
    with session_scope() as session:
        return notifications.unread_count(session=session, user_id=user_id)


class BellState(rx.State):
    unread: int = 0

    @rx.var
    def badge(self) -> str:
        return f"{BADGE_MAX}+" if self.unread > BADGE_MAX else str(self.unread)

    @rx.var
    def label(self) -> str:
        if not self.unread:
            return "Notifications, none unread"
        return f"Notifications, {self.unread} unread"

    @rx.event
    async def refresh(self):
        """Read the count (each page mounts the shell, so each page shows a fresh one)."""
        auth = await self.get_state(AuthState)
        user_id = auth.user_id
        if not user_id:
            found = auth.authenticated()
            user_id = str(found.user.id) if found else ""
        if not user_id:
            self.unread = 0
            return
        self.unread = await asyncio.to_thread(_unread, uuid.UUID(user_id))


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
        on_mount=BellState.refresh,
        data_testid="notification-bell",
    )
