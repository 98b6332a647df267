"""/app/settings: profile, theme, password, the account's sessions, and "Your data" (imports, exports,
scrobbling, the watched threshold; see `seen.pages.settings_data`)."""

from __future__ import annotations

import uuid

import reflex as rx
from reflex.style import color_mode, set_color_mode

from seen.components.empty import data_table, page_header
from seen.components.format import format_time
from seen.components.page import app_page
from seen.db import session_scope
from seen.pages.settings_data import DataSettingsState, data_sections
from seen.pages.settings_notifications import NotificationSettingsState, notification_section
from seen.services import auth
from seen.services.errors import ServiceError
from seen.state import AuthState

THEMES = (("dark", "Dark", "moon"), ("light", "Light", "sun"), ("system", "System", "monitor"))


def describe_device(user_agent: str) -> str:
    """A short "Browser on OS" line from a User-Agent header."""
    ua = user_agent or ""
    browser = next(
        (
            name
            for token, name in (("Edg/", "Edge"), ("Firefox/", "Firefox"), ("Chrome/", "Chrome"), ("Safari/", "Safari"))
            if token in ua
        ),
        "",
    )
    system = next(
        (
            name
            for token, name in (
                ("Android", "Android"),
                ("iPhone", "iOS"),
                ("iPad", "iPadOS"),
                ("Windows", "Windows"),
                ("Mac OS X", "macOS"),
                ("Linux", "Linux"),
            )
            if token in ua
        ),
        "",
    )
    if browser and system:
        return f"{browser} on {system}"
    return browser or system or (ua[:40] if ua else "Unknown device")


class SettingsState(rx.State):
    display_name: str = ""
    email: str = ""
    sessions: list[dict[str, str]] = []
    profile_message: str = ""
    profile_error: str = ""
    password_message: str = ""
    password_error: str = ""
    sessions_message: str = ""

    async def _account(self):
        auth_state = await self.get_state(AuthState)
        return auth_state, auth_state.authenticated()

    def _fill(self, found: auth.Authenticated) -> None:
        self.display_name = found.user.display_name
        self.email = found.user.email
        with session_scope() as session:
            rows = auth.list_sessions(session=session, user_id=found.user.id)
            self.sessions = [
                {
                    "id": str(row.id),
                    "device": describe_device(row.user_agent) if row.kind == "browser" else "API client",
                    "kind": row.kind,
                    "ip": row.ip_address or "unknown",
                    "created": format_time(row.created_at),
                    "last_used": format_time(row.last_used_at),
                    "current": "yes" if row.id == found.auth_session.id else "",
                }
                for row in rows
            ]

    @rx.event
    async def load(self):
        self.profile_message = self.profile_error = self.password_message = self.password_error = ""
        self.sessions_message = ""
        auth_state, found = await self._account()
        if found is None:
            return auth_state.login_redirect()
        self._fill(found)
        return None

    @rx.event
    async def save_profile(self, form_data: dict):
        self.profile_message = self.profile_error = ""
        auth_state, found = await self._account()
        if found is None:
            return auth_state.login_redirect()
        try:
            with session_scope() as session:
                user = auth.get_user(session=session, user_id=found.user.id)
                auth.update_profile(
                    session=session,
                    user=user,
                    display_name=str(form_data.get("display_name", "")),
                    email=str(form_data.get("email", "")),
                )
        except ServiceError as error:
            self.profile_error = error.message
            return None
        auth_state.authenticated()
        self.profile_message = "Profile saved."
        _, found = await self._account()
        if found:
            self._fill(found)
        return None

    @rx.event
    async def change_password(self, form_data: dict):
        self.password_message = self.password_error = ""
        new_password = str(form_data.get("new_password", ""))
        if new_password != str(form_data.get("confirm_password", "")):
            self.password_error = "The new passwords do not match."
            return None
        auth_state, found = await self._account()
        if found is None:
            return auth_state.login_redirect()
        try:
            with session_scope() as session:
                user = auth.get_user(session=session, user_id=found.user.id)
                ended = auth.change_password(
                    session=session,
                    user=user,
                    current_password=str(form_data.get("current_password", "")),
                    new_password=new_password,
                    keep_session_id=found.auth_session.id,
                )
        except ServiceError as error:
            self.password_error = error.message
            return None
        self.password_message = f"Password changed. {ended} other session{'s' if ended != 1 else ''} signed out."
        self._fill(found)
        return rx.set_value("current_password", "")

    @rx.event
    async def revoke(self, session_id: str):
        auth_state, found = await self._account()
        if found is None:
            return auth_state.login_redirect()
        try:
            with session_scope() as session:
                auth.revoke_session(session=session, user_id=found.user.id, auth_session_id=uuid.UUID(session_id))
        except (ServiceError, ValueError):
            self.sessions_message = "That session was already gone."
        else:
            self.sessions_message = "Session signed out."
        if found.auth_session.id == uuid.UUID(session_id):
            return auth_state.login_redirect()
        self._fill(found)
        return None

    @rx.event
    async def revoke_others(self):
        auth_state, found = await self._account()
        if found is None:
            return auth_state.login_redirect()
        with session_scope() as session:
            ended = auth.revoke_all_sessions(session=session, user_id=found.user.id, except_id=found.auth_session.id)
        self.sessions_message = f"{ended} other session{'s' if ended != 1 else ''} signed out."
        self._fill(found)
        return None


def _section(title: str, text: str, *body: rx.Component) -> rx.Component:
    return rx.box(
        rx.vstack(
            rx.heading(title, size="4", weight="medium"),
            rx.text(text, size="2", color="var(--seen-muted)"),
            *body,
            spacing="3",
            width="100%",
        ),
        class_name="seen-card",
        width="100%",
    )


def _message(text: rx.Var[str], color: str) -> rx.Component:
    return rx.cond(text != "", rx.text(text, size="2", color=color, role="status"))


def _labelled(label: str, control: rx.Component) -> rx.Component:
    return rx.vstack(rx.text(label, size="2", color="var(--seen-muted)"), control, spacing="1", width="100%")


def _profile() -> rx.Component:
    return _section(
        "Profile",
        "How you appear to the others in your household.",
        rx.form(
            rx.vstack(
                _labelled(
                    "Name",
                    rx.input(
                        name="display_name",
                        default_value=SettingsState.display_name,
                        key=SettingsState.display_name,
                        width="100%",
                        max_length=80,
                    ),
                ),
                _labelled(
                    "Email",
                    rx.input(
                        name="email",
                        type="email",
                        default_value=SettingsState.email,
                        key=SettingsState.email,
                        width="100%",
                    ),
                ),
                _message(SettingsState.profile_error, "var(--red-11)"),
                _message(SettingsState.profile_message, "var(--green-11)"),
                rx.button("Save profile", type="submit"),
                spacing="3",
                width="100%",
                max_width="440px",
            ),
            on_submit=SettingsState.save_profile,
            reset_on_submit=False,
        ),
    )


def _theme_choice(value: str, label: str, icon: str) -> rx.Component:
    return rx.button(
        rx.icon(icon, size=16),
        label,
        variant=rx.cond(color_mode == value, "solid", "soft"),
        # The browser switches at once; the account keeps the choice for every other browser.
        on_click=[set_color_mode(value), AuthState.save_theme(value)],
        data_testid=f"theme-{value}",
    )


def _appearance() -> rx.Component:
    return _section(
        "Appearance",
        "Dark is the home of /seen/; System follows your device.",
        rx.hstack(*(_theme_choice(*theme) for theme in THEMES), spacing="2", wrap="wrap"),
    )


def _password() -> rx.Component:
    return _section(
        "Password",
        "Changing it signs out every other session of your account.",
        rx.form(
            rx.vstack(
                _labelled(
                    "Current password",
                    rx.input(
                        name="current_password",
                        id="current_password",
                        type="password",
                        auto_complete="current-password",
                        width="100%",
                    ),
                ),
                _labelled(
                    "New password",
                    rx.input(name="new_password", type="password", auto_complete="new-password", width="100%"),
                ),
                _labelled(
                    "Repeat new password",
                    rx.input(name="confirm_password", type="password", auto_complete="new-password", width="100%"),
                ),
                _message(SettingsState.password_error, "var(--red-11)"),
                _message(SettingsState.password_message, "var(--green-11)"),
                rx.button("Change password", type="submit"),
                spacing="3",
                width="100%",
                max_width="440px",
            ),
            on_submit=SettingsState.change_password,
            reset_on_submit=True,
        ),
    )


def _session_row(row: rx.Var[dict[str, str]]) -> rx.Component:
    return rx.table.row(
        rx.table.cell(
            rx.hstack(
                rx.text(row["device"]),
                rx.cond(row["current"] != "", rx.badge("This device", color_scheme="cyan", variant="soft")),
                align="center",
                spacing="2",
            )
        ),
        rx.table.cell(row["ip"]),
        rx.table.cell(row["created"]),
        rx.table.cell(row["last_used"]),
        rx.table.cell(
            rx.button(
                "Sign out", size="1", variant="soft", color_scheme="red", on_click=SettingsState.revoke(row["id"])
            )
        ),
    )


def _sessions() -> rx.Component:
    return _section(
        "Sessions",
        "Where your account is signed in. Sign out anything you do not recognise.",
        data_table(["Device", "Address", "Signed in", "Last active", ""], SettingsState.sessions, _session_row),
        rx.hstack(
            rx.button(
                "Sign out all other sessions",
                variant="outline",
                color_scheme="red",
                on_click=SettingsState.revoke_others,
            ),
            _message(SettingsState.sessions_message, "var(--seen-muted)"),
            align="center",
            spacing="3",
            wrap="wrap",
        ),
    )


@app_page(
    "/app/settings", "Settings", on_load=[SettingsState.load, DataSettingsState.load, NotificationSettingsState.load]
)
def settings_page() -> rx.Component:
    return rx.fragment(
        page_header("Settings", "Your profile, look and security, and your data."),
        rx.vstack(
            _profile(),
            _appearance(),
            notification_section(),
            _password(),
            _sessions(),
            data_sections(),
            spacing="5",
            width="100%",
        ),
    )
