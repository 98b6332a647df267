"""The "Notifications" section of /app/settings: which notifications the user wants, and the daily digest."""

from __future__ import annotations

import uuid
from dataclasses import asdict
from typing import Any

import reflex as rx
from sqlmodel import Session

from seen.db import session_scope
from seen.pages.personal import PersonalPage
from seen.services import notifications
from seen.state import AuthState

SECTION_ID = "notifications"
# (setting, label, explanation)
TOGGLES = (
    ("new_episode", "New episodes", "An episode of a show you follow aired."),
    ("movie_released", "Movie releases", "A movie you follow is out in cinemas or on digital."),
    ("game_launched", "Game launches", "A game you follow is out on the platform you play it on."),
    ("downloads", "Downloads", "Your download finished or failed."),
    ("unmatched_files", "Library files to match", "A library scan found files it could not match."),
)
HOURS = [f"{hour:02d}" for hour in range(24)]  # "08", like the ":00 UTC" after it
ADMIN_ONLY = frozenset({"unmatched_files"})


class NotificationSettingsState(PersonalPage, rx.State):
    values: dict[str, bool] = {}
    daily_digest: bool = False
    digest_hour: str = "08"

    @rx.event
    async def load(self):
        self.error = self.notice = ""
        await self._read()

    async def _read(self) -> None:
        user_id = await self._viewer()
        if user_id is None:
            return
        with session_scope() as session:
            current = asdict(notifications.get_settings(session=session, user_id=user_id))
        self._show(current)

    def _show(self, current: dict[str, Any]) -> None:
        self.values = {name: bool(current[name]) for name, _, _ in TOGGLES}
        self.daily_digest = bool(current["daily_digest"])
        self.digest_hour = f"{current['digest_hour_utc']:02d}"

    @rx.event
    def toggle(self, name: str, value: bool):
        if name in self.values:
            self.values = {**self.values, name: bool(value)}
        self.notice = ""

    @rx.event
    def set_digest(self, value: bool):
        self.daily_digest, self.notice = bool(value), ""

    @rx.event
    def set_hour(self, value: str):
        self.digest_hour, self.notice = str(value), ""

    @rx.event
    async def save(self):
        try:
            hour = int(self.digest_hour)
        except ValueError:
            self.error = "Pick an hour for the digest."
            return None
        changes: dict[str, Any] = {**self.values, "daily_digest": self.daily_digest, "digest_hour_utc": hour}

        def work(session: Session, user_id: uuid.UUID) -> notifications.SettingsView:
            return notifications.update_settings(session=session, user_id=user_id, changes=changes)

        return await self._apply(work, "Notification settings saved")


def _toggle(name: str, label: str, text: str) -> rx.Component:
    return rx.el.label(
        rx.switch(
            checked=NotificationSettingsState.values[name],
            on_change=NotificationSettingsState.toggle(name),
            data_testid=f"notify-{name}",
        ),
        rx.vstack(
            rx.text(label, size="2", weight="medium"), rx.text(text, size="1", color="var(--seen-muted)"), spacing="0"
        ),
        class_name="seen-notify-toggle",
    )


def notification_section() -> rx.Component:
    state = NotificationSettingsState
    return rx.box(
        rx.vstack(
            rx.heading("Notifications", size="4", weight="medium"),
            rx.text(
                "What the bell tells you about. Nothing is ever about what you already watched.",
                size="2",
                color="var(--seen-muted)",
            ),
            rx.box(
                *(_toggle(*toggle) for toggle in TOGGLES if toggle[0] not in ADMIN_ONLY),
                # Only admins manage the library, so only they hear of files to match.
                rx.cond(AuthState.is_admin, rx.fragment(*(_toggle(*t) for t in TOGGLES if t[0] in ADMIN_ONLY))),
                class_name="seen-notify-toggles",
            ),
            rx.el.label(
                rx.switch(checked=state.daily_digest, on_change=state.set_digest, data_testid="notify-daily_digest"),
                rx.vstack(
                    rx.text("Daily digest", size="2", weight="medium"),
                    rx.text(
                        "Hold notifications and get one summary a day instead.", size="1", color="var(--seen-muted)"
                    ),
                    spacing="0",
                ),
                class_name="seen-notify-toggle",
            ),
            rx.hstack(
                rx.text("Digest at", size="2", color="var(--seen-muted)"),
                # Root + trigger (not the one-call select): the label and test id must land on the combobox.
                rx.select.root(
                    rx.select.trigger(aria_label="Digest hour (UTC)", data_testid="notify-digest-hour"),
                    rx.select.content(*(rx.select.item(hour, value=hour) for hour in HOURS), position="popper"),
                    value=state.digest_hour,
                    on_change=state.set_hour,
                    disabled=~state.daily_digest,
                    size="2",
                ),
                rx.text(":00 UTC", size="2", color="var(--seen-muted)"),
                align="center",
                spacing="2",
            ),
            rx.cond(
                state.error != "",
                rx.text(
                    state.error, size="2", color="var(--red-11)", role="alert", data_testid="notify-settings-error"
                ),
            ),
            rx.cond(
                state.notice != "",
                rx.text(
                    state.notice, size="2", color="var(--green-11)", role="status", data_testid="notify-settings-saved"
                ),
            ),
            rx.button(
                "Save notification settings",
                on_click=state.save,
                loading=state.busy,
                data_testid="notify-settings-save",
            ),
            spacing="3",
            width="100%",
        ),
        id=SECTION_ID,
        class_name="seen-card",
        width="100%",
    )
