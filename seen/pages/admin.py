"""/app/admin: users (create, roles, disable), the registration switch, the catalogue providers (settings,
connection tests, sync log), the hosts URL downloads may reach, the library folders, and scheduled jobs. Admins only."""

from __future__ import annotations

import asyncio
import uuid
from datetime import datetime, timedelta
from typing import Any

import reflex as rx

from seen.components.empty import data_table, empty_state, page_header
from seen.components.format import format_time
from seen.components.page import app_page
from seen.config import get_settings
from seen.db import session_scope
from seen.models.library import ROOT_KINDS
from seen.models.users import Role
from seen.services import app_settings, auth, job_runs, library, library_scan, provider_admin, users
from seen.services.errors import ServiceError
from seen.state import AuthState

PAGE_SIZE = 20


def describe_interval(interval: timedelta) -> str:
    """ "every 10 min", "every 6 h", "every day", "every week"… for the jobs table."""
    seconds = int(interval.total_seconds())
    for unit, size in (("week", 7 * 86400), ("day", 86400), ("h", 3600), ("min", 60)):
        if seconds % size == 0 and seconds >= size:
            count = seconds // size
            if unit in ("week", "day"):
                return f"every {unit}" if count == 1 else f"every {count} {unit}s"
            return f"every {count} {unit}"
    return f"every {seconds} s"


def _schedules() -> list[tuple[str, str]]:
    """(job name, schedule) of every scheduled job. The schedules live with the scheduler; imported late so
    the page module does not load the job machinery until an admin looks."""
    from workers.scheduler import SCHEDULES

    return [
        (schedule.actor_name, describe_interval(schedule.trigger.interval))
        if hasattr(schedule.trigger, "interval")
        else (schedule.actor_name, str(schedule.trigger))
        for schedule in SCHEDULES
    ]


def _duration(ms: int | None) -> str:
    if ms is None:
        return "running"
    return f"{ms} ms" if ms < 10_000 else f"{ms / 1000:.1f} s"


def jobs_table(runs: list[job_runs.JobSummary]) -> list[dict[str, str]]:
    """Every scheduled job with its schedule and last run (jobs that ran without a schedule follow)."""
    last = {run.job_name: run for run in runs}
    rows = []
    for name, schedule in [*_schedules(), *((run.job_name, "on demand") for run in runs)]:
        if any(row["name"] == name for row in rows):
            continue
        run = last.get(name)
        rows.append(
            {
                "name": name,
                "schedule": schedule,
                "status": run.status if run else "never run",
                "started": format_time(run.started_at) if run else "—",
                "duration": _duration(run.duration_ms) if run else "—",
                "detail": run.detail if run else "",
            }
        )
    return rows


class AdminState(rx.State):
    users: list[dict[str, str]] = []
    total: int = 0
    page: int = 1
    query: str = ""
    registration_open: bool = True
    jobs: list[dict[str, str]] = []
    message: str = ""
    error: str = ""
    create_open: bool = False
    create_error: str = ""

    @rx.var
    def page_count(self) -> int:
        return max(1, -(-self.total // PAGE_SIZE))

    async def _admin(self):
        """The signed-in admin, re-checked on every action; else where to send the caller."""
        auth_state = await self.get_state(AuthState)
        found = auth_state.authenticated()
        if found is None:
            return None, auth_state.login_redirect()
        if found.user.role != Role.ADMIN:
            auth_state.forbidden = True
            return None, None
        return found, None

    def _refresh(self) -> None:
        with session_scope() as session:
            found = users.list_users(session=session, page=self.page, page_size=PAGE_SIZE, query=self.query)
            self.total = found.total
            self.users = [
                {
                    "id": str(user.id),
                    "email": user.email,
                    "name": user.display_name,
                    "role": user.role,
                    "status": "disabled" if user.is_disabled else "active",
                    "created": format_time(user.created_at),
                    "last_login": format_time(user.last_login_at) if user.last_login_at else "never",
                }
                for user in found.items
            ]
            self.registration_open = app_settings.registration_open(session=session)
            self.jobs = jobs_table(job_runs.latest_runs(session=session))

    @rx.event
    async def load(self):
        self.message = self.error = ""
        found, redirect = await self._admin()
        if found is None:
            return redirect
        self._refresh()
        return None

    async def _apply(self, change, success: str):
        self.message = self.error = ""
        found, redirect = await self._admin()
        if found is None:
            return redirect
        try:
            with session_scope() as session:
                change(session, found)
        except ServiceError as error:
            self.error = error.message
        else:
            self.message = success
        self._refresh()
        return None

    @rx.event
    async def set_role(self, user_id: str, role: str):
        def change(session, found):
            users.update_user(session=session, actor=found.user, user_id=uuid.UUID(user_id), role=role)

        return await self._apply(change, f"Role changed to {role}.")

    @rx.event
    async def set_disabled(self, user_id: str, disabled: bool):
        def change(session, found):
            users.update_user(session=session, actor=found.user, user_id=uuid.UUID(user_id), is_disabled=disabled)

        return await self._apply(change, "Account disabled; its sessions ended." if disabled else "Account enabled.")

    @rx.event
    async def set_registration(self, is_open: bool):
        def change(session, _found):
            app_settings.set_registration_open(session=session, is_open=is_open)

        return await self._apply(change, "Registration is open." if is_open else "Registration is closed.")

    @rx.event
    async def create_user(self, form_data: dict):
        self.create_error = ""
        found, redirect = await self._admin()
        if found is None:
            return redirect
        try:
            with session_scope() as session:
                auth.create_user(
                    session=session,
                    email=str(form_data.get("email", "")),
                    password=str(form_data.get("password", "")),
                    display_name=str(form_data.get("display_name", "")),
                    role=Role(form_data.get("role") or Role.USER),
                )
        except ServiceError as error:
            self.create_error = error.message
            return None
        self.create_open = False
        self.message = f"Account created for {str(form_data.get('email', '')).strip().lower()}."
        self._refresh()
        return None

    @rx.event
    def set_create_open(self, is_open: bool):
        self.create_open = is_open
        self.create_error = ""

    @rx.event
    async def search(self, form_data: dict):
        self.query = str(form_data.get("q", ""))[:200]
        self.page = 1
        return await self.load()

    @rx.event
    async def go_to_page(self, page: int):
        self.page = min(max(1, page), self.page_count)
        return await self.load()


def _user_row(row: rx.Var[dict[str, str]]) -> rx.Component:
    disabled = row["status"] == "disabled"
    return rx.table.row(
        rx.table.cell(
            rx.vstack(
                rx.text(row["name"], weight="medium"),
                rx.text(row["email"], size="1", color="var(--seen-muted)"),
                spacing="0",
            )
        ),
        rx.table.cell(
            rx.select(
                ["user", "admin"],
                value=row["role"],
                on_change=lambda role: AdminState.set_role(row["id"], role),
                size="1",
                aria_label="Role",
            )
        ),
        rx.table.cell(rx.badge(row["status"], color_scheme=rx.cond(disabled, "red", "green"), variant="soft")),
        rx.table.cell(row["created"]),
        rx.table.cell(row["last_login"]),
        rx.table.cell(
            rx.cond(
                disabled,
                rx.button("Enable", size="1", variant="soft", on_click=AdminState.set_disabled(row["id"], False)),
                rx.button(
                    "Disable",
                    size="1",
                    variant="soft",
                    color_scheme="red",
                    on_click=AdminState.set_disabled(row["id"], True),
                ),
            )
        ),
    )


def _create_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.trigger(rx.button(rx.icon("user-plus", size=16), "Add user")),
        rx.dialog.content(
            rx.dialog.title("Add a user"),
            rx.dialog.description("They can change their password in Settings.", size="2", color="var(--seen-muted)"),
            rx.form(
                rx.vstack(
                    rx.input(name="display_name", placeholder="Name", width="100%"),
                    rx.input(name="email", type="email", placeholder="Email", required=True, width="100%"),
                    rx.input(
                        name="password", type="password", placeholder="Temporary password", required=True, width="100%"
                    ),
                    rx.select(["user", "admin"], name="role", default_value="user"),
                    rx.cond(
                        AdminState.create_error != "",
                        rx.text(AdminState.create_error, color="var(--red-11)", size="2", role="alert"),
                    ),
                    rx.hstack(
                        rx.dialog.close(rx.button("Cancel", variant="soft", color_scheme="gray", type="button")),
                        rx.button("Create account", type="submit"),
                        justify="end",
                        width="100%",
                    ),
                    spacing="3",
                    padding_top="12px",
                ),
                on_submit=AdminState.create_user,
                reset_on_submit=False,
            ),
            max_width="420px",
        ),
        open=AdminState.create_open,
        on_open_change=AdminState.set_create_open,
    )


def _users() -> rx.Component:
    return rx.box(
        rx.vstack(
            rx.hstack(
                rx.hstack(
                    rx.heading("Users", size="4", weight="medium"),
                    rx.badge(AdminState.total, variant="soft"),
                    align="center",
                ),
                rx.hstack(
                    rx.form(
                        rx.input(name="q", placeholder="Search users", type="search", size="2", width="220px"),
                        on_submit=AdminState.search,
                        reset_on_submit=False,
                    ),
                    _create_dialog(),
                    align="center",
                    spacing="3",
                ),
                align="center",
                justify="between",
                width="100%",
                wrap="wrap",
                spacing="3",
            ),
            rx.cond(AdminState.error != "", rx.text(AdminState.error, color="var(--red-11)", size="2", role="alert")),
            rx.cond(
                AdminState.message != "", rx.text(AdminState.message, color="var(--green-11)", size="2", role="status")
            ),
            data_table(["User", "Role", "Status", "Joined", "Last sign-in", ""], AdminState.users, _user_row),
            rx.hstack(
                rx.button(
                    "Previous",
                    size="1",
                    variant="soft",
                    disabled=AdminState.page <= 1,
                    on_click=AdminState.go_to_page(AdminState.page - 1),
                ),
                rx.text(f"Page {AdminState.page} of {AdminState.page_count}", size="2", color="var(--seen-muted)"),
                rx.button(
                    "Next",
                    size="1",
                    variant="soft",
                    disabled=AdminState.page >= AdminState.page_count,
                    on_click=AdminState.go_to_page(AdminState.page + 1),
                ),
                align="center",
                spacing="3",
            ),
            spacing="4",
            width="100%",
        ),
        class_name="seen-card",
        width="100%",
    )


def _registration() -> rx.Component:
    return rx.box(
        rx.hstack(
            rx.vstack(
                rx.heading("Open registration", size="4", weight="medium"),
                rx.text("When off, only admins can create accounts.", size="2", color="var(--seen-muted)"),
                spacing="1",
            ),
            rx.spacer(),
            rx.switch(
                checked=AdminState.registration_open,
                on_change=AdminState.set_registration,
                aria_label="Open registration",
                size="3",
            ),
            align="center",
            width="100%",
        ),
        class_name="seen-card",
        width="100%",
    )


def _job_row(row: rx.Var[dict[str, str]]) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.code(row["name"])),
        rx.table.cell(rx.text(row["schedule"], size="2", white_space="nowrap")),
        rx.table.cell(
            rx.badge(
                row["status"],
                color_scheme=rx.match(row["status"], ("ok", "green"), ("failed", "red"), "gray"),
                variant="soft",
            )
        ),
        rx.table.cell(row["started"]),
        rx.table.cell(row["duration"]),
        rx.table.cell(rx.text(row["detail"], size="1", color="var(--seen-muted)", class_name="seen-admin-detail")),
    )


def _jobs() -> rx.Component:
    return rx.box(
        rx.vstack(
            rx.hstack(
                rx.heading("Scheduled jobs", size="4", weight="medium"),
                rx.spacer(),
                rx.icon_button(
                    rx.icon("refresh-cw", size=15),
                    variant="ghost",
                    on_click=AdminState.load,
                    aria_label="Refresh jobs",
                ),
                align="center",
                width="100%",
            ),
            rx.cond(
                AdminState.jobs.length() > 0,
                data_table(["Job", "Schedule", "Last result", "Started", "Took", "Detail"], AdminState.jobs, _job_row),
                empty_state(
                    "timer", "No job has run yet", "Scheduled jobs record their last run, duration and outcome here."
                ),
            ),
            spacing="3",
            width="100%",
        ),
        class_name="seen-card",
        width="100%",
    )


# -- catalogue providers ---------------------------------------------------------------------------------------

PROVIDERS = (
    ("tmdb", "TMDB", "Movies and shows. An API key or a read access token is enough."),
    ("igdb", "IGDB", "Games, through a Twitch application's client credentials."),
)
PROVIDER_NAMES = tuple(name for name, _, _ in PROVIDERS)
FIELD_LABELS = {
    "tmdb_api_key": "API key",
    "tmdb_read_token": "Read access token",
    "tmdb_language": "Language",
    "tmdb_region": "Region",
    "igdb_client_id": "Client id",
    "igdb_client_secret": "Client secret",
}
FIELD_HINTS = {"tmdb_language": "en-US", "tmdb_region": "US"}
SYNC_LOG_LINES = 50


def _per_provider(value: Any) -> dict[str, Any]:
    return dict.fromkeys(PROVIDER_NAMES, value)


def _per_field(value: Any) -> dict[str, Any]:
    return dict.fromkeys(FIELD_LABELS, value)


def _friendly(message: str) -> str:
    """Name the fields of a validation error as the form labels them."""
    for name, label in FIELD_LABELS.items():
        message = message.replace(name, label)
    return message


def format_time_iso(value: str | None) -> str:
    if not value:
        return ""
    return format_time(datetime.fromisoformat(value))


def sync_lines(lines: list[provider_admin.SyncLogLine]) -> list[dict[str, str]]:
    return [
        {
            "time": format_time_iso(line.created_at),
            "target": line.target,
            "provider": line.provider,
            "status": line.status,
            "attempt": str(line.attempt),
            "duration": _duration(line.duration_ms),
            "detail": line.detail,
        }
        for line in lines
    ]


class ProviderAdminState(rx.State):
    """The "Catalogue providers" section: settings over the environment, connection tests, the sync log.

    Secrets never reach the browser: their boxes stay empty and the placeholder shows the mask."""

    values: dict[str, str] = _per_field("")
    placeholders: dict[str, str] = _per_field("")
    overridden: dict[str, bool] = _per_field(False)
    configured: dict[str, bool] = _per_provider(False)
    last_error: dict[str, str] = _per_provider("")
    last_error_at: dict[str, str] = _per_provider("")
    save_error: dict[str, str] = _per_provider("")
    save_message: dict[str, str] = _per_provider("")
    test_ok: dict[str, bool] = _per_provider(False)
    test_message: dict[str, str] = _per_provider("")
    testing: dict[str, bool] = _per_provider(False)
    sync_log: list[dict[str, str]] = []
    failures_only: bool = False
    # Bumped on every save, so the forms' boxes are rebuilt with what is stored now.
    revision: int = 0

    async def _admin(self):
        return await (await self.get_state(AdminState))._admin()

    def _refresh(self) -> None:
        with session_scope() as session:
            statuses = provider_admin.provider_statuses(session=session)
            lines = provider_admin.sync_log(session=session, limit=SYNC_LOG_LINES, failures_only=self.failures_only)
        values, placeholders, overridden = _per_field(""), _per_field(""), _per_field(False)
        for status in statuses:
            self.configured = {**self.configured, status.name: status.configured}
            self.last_error = {**self.last_error, status.name: status.last_error or ""}
            self.last_error_at = {**self.last_error_at, status.name: format_time_iso(status.last_error_at)}
            for field in status.fields:
                overridden[field.name] = field.overridden
                if field.secret:
                    placeholders[field.name] = f"{field.value} (set)" if field.value else "not set"
                else:
                    values[field.name] = field.value
                    placeholders[field.name] = FIELD_HINTS.get(field.name, "not set")
        self.values, self.placeholders, self.overridden = values, placeholders, overridden
        self.sync_log = sync_lines(lines)

    def _set(self, name: str, provider: str, value: Any) -> None:
        setattr(self, name, {**getattr(self, name), provider: value})

    @rx.event
    async def load(self):
        for name in ("save_error", "save_message", "test_message"):
            setattr(self, name, _per_provider(""))
        self.testing = _per_provider(False)
        found, redirect = await self._admin()
        if found is None:
            return redirect
        self._refresh()
        return None

    def _changes(self, provider: str, form_data: dict) -> dict[str, str]:
        """What the form changes: a filled box sets its field; an empty or untouched one keeps what is stored."""
        changes = {}
        for name in FIELD_LABELS:
            if not name.startswith(f"{provider}_"):
                continue
            submitted = str(form_data.get(name, "")).strip()
            if submitted and submitted != self.values.get(name, ""):
                changes[name] = submitted
        return changes

    async def _store(self, provider: str, values: dict[str, str], success: str):
        self._set("save_error", provider, "")
        self._set("save_message", provider, "")
        self._set("test_message", provider, "")
        found, redirect = await self._admin()
        if found is None:
            return redirect
        try:
            with session_scope() as session:
                app_settings.set_provider_settings(session=session, values=values)
        except ServiceError as error:
            self._set("save_error", provider, _friendly(error.message))
            return None
        self._set("save_message", provider, success)
        self.revision += 1
        self._refresh()
        return None

    @rx.event
    async def save(self, provider: str, form_data: dict):
        if provider not in PROVIDER_NAMES:
            return None
        changes = self._changes(provider, form_data)
        if not changes:
            self._set("save_error", provider, "")
            self._set("save_message", provider, "Nothing to change.")
            return None
        labels = ", ".join(FIELD_LABELS[name] for name in changes)
        return await self._store(provider, changes, f"Saved: {labels}.")

    @rx.event
    async def clear(self, provider: str, name: str):
        """Drop the value set here: the field goes back to the environment's."""
        if provider not in PROVIDER_NAMES or name not in FIELD_LABELS or not name.startswith(f"{provider}_"):
            return None
        return await self._store(provider, {name: ""}, f"{FIELD_LABELS[name]} reset to the environment's value.")

    @rx.event
    async def set_failures_only(self, value: bool):
        found, redirect = await self._admin()
        if found is None:
            return redirect
        self.failures_only = bool(value)
        self._refresh()
        return None

    @rx.event
    async def refresh(self):
        found, redirect = await self._admin()
        if found is None:
            return redirect
        self._refresh()
        return None

    @rx.event(background=True)
    async def test_connection(self, provider: str):
        if provider not in PROVIDER_NAMES:
            return None
        async with self:
            found, redirect = await self._admin()
            if found is None:
                return redirect
            if self.testing.get(provider):
                return None
            self._set("testing", provider, True)
            self._set("test_message", provider, "")

        def run() -> tuple[bool, str]:
            with session_scope() as session:
                settings = app_settings.provider_settings(session=session)
            return provider_admin.test_connection(settings=settings, provider=provider)

        try:
            ok, message = await asyncio.to_thread(run)
        except Exception as error:  # the page must say something, whatever happened
            ok, message = False, f"The test could not run: {type(error).__name__}"
        async with self:
            self._set("testing", provider, False)
            self._set("test_ok", provider, ok)
            self._set("test_message", provider, message)
        return None


def _field(provider: str, name: str) -> rx.Component:
    state = ProviderAdminState
    secret = name in app_settings.SECRET_FIELDS
    return rx.vstack(
        rx.hstack(
            rx.el.label(FIELD_LABELS[name], html_for=name, class_name="seen-label", margin_bottom="0"),
            rx.badge(
                rx.cond(state.overridden[name], "set here", "environment"),
                variant="soft",
                size="1",
                color_scheme=rx.cond(state.overridden[name], "cyan", "gray"),
            ),
            rx.spacer(),
            rx.cond(
                state.overridden[name],
                rx.button(
                    "Clear",
                    type="button",
                    size="1",
                    variant="ghost",
                    color_scheme="gray",
                    on_click=ProviderAdminState.clear(provider, name),
                    aria_label=f"Clear {FIELD_LABELS[name]}",
                ),
                rx.fragment(),
            ),
            align="center",
            width="100%",
        ),
        rx.input(
            id=name,
            name=name,
            type="password" if secret else "text",
            default_value="" if secret else state.values[name],
            placeholder=state.placeholders[name],
            auto_complete="off",
            width="100%",
            # Rebuilt after every save so the box shows what is stored now.
            key=f"{name}-" + state.revision.to(str),
        ),
        spacing="1",
        width="100%",
    )


def _message(text: rx.Var, color: str, role: str) -> rx.Component:
    return rx.cond(text != "", rx.text(text, color=color, size="2", role=role), rx.fragment())


def _provider_card(provider: str, label: str, help_text: str) -> rx.Component:
    state = ProviderAdminState
    return rx.box(
        rx.vstack(
            rx.hstack(
                rx.heading(label, size="3", weight="medium"),
                rx.badge(
                    rx.cond(state.configured[provider], "configured", "not configured"),
                    color_scheme=rx.cond(state.configured[provider], "green", "gray"),
                    variant="soft",
                ),
                align="center",
                spacing="2",
            ),
            rx.text(help_text, size="2", color="var(--seen-muted)"),
            rx.cond(
                state.last_error[provider] != "",
                rx.box(
                    rx.text("Last error", weight="medium", size="2"),
                    rx.text(state.last_error[provider], size="2"),
                    rx.text(state.last_error_at[provider], size="1", color="var(--seen-muted)"),
                    class_name="seen-alert seen-alert-error",
                    data_testid="provider-last-error",
                ),
                rx.fragment(),
            ),
            rx.form(
                rx.vstack(
                    *(_field(provider, name) for name in FIELD_LABELS if name.startswith(f"{provider}_")),
                    _message(state.save_error[provider], "var(--red-11)", "alert"),
                    _message(state.save_message[provider], "var(--green-11)", "status"),
                    rx.hstack(
                        rx.button("Save", type="submit"),
                        rx.button(
                            rx.cond(state.testing[provider], rx.spinner(size="1"), rx.icon("plug", size=15)),
                            "Test connection",
                            type="button",
                            variant="soft",
                            disabled=state.testing[provider],
                            on_click=ProviderAdminState.test_connection(provider),
                        ),
                        spacing="2",
                        wrap="wrap",
                    ),
                    rx.cond(
                        state.test_message[provider] != "",
                        rx.text(
                            state.test_message[provider],
                            size="2",
                            color=rx.cond(state.test_ok[provider], "var(--green-11)", "var(--red-11)"),
                            role="status",
                            data_testid="connection-result",
                            data_ok=state.test_ok[provider].to_string(),
                        ),
                        rx.fragment(),
                    ),
                    spacing="3",
                    width="100%",
                ),
                on_submit=lambda form_data: ProviderAdminState.save(provider, form_data),
                reset_on_submit=False,
                width="100%",
            ),
            spacing="3",
            width="100%",
        ),
        class_name="seen-provider-card",
        data_testid=f"provider-{provider}",
    )


def _sync_row(row: rx.Var[dict[str, str]]) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.text(row["time"], size="1", white_space="nowrap")),
        rx.table.cell(rx.code(row["target"], size="1")),
        rx.table.cell(row["provider"]),
        rx.table.cell(
            rx.badge(
                row["status"],
                color_scheme=rx.match(row["status"], ("ok", "green"), ("failed", "red"), ("retry", "amber"), "gray"),
                variant="soft",
            )
        ),
        rx.table.cell(row["attempt"]),
        rx.table.cell(rx.text(row["duration"], white_space="nowrap")),
        rx.table.cell(rx.text(row["detail"], size="1", color="var(--seen-muted)", class_name="seen-admin-detail")),
    )


def _providers() -> rx.Component:
    state = ProviderAdminState
    return rx.box(
        rx.vstack(
            rx.vstack(
                rx.heading("Catalogue providers", size="4", weight="medium"),
                rx.text(
                    "Values set here override the environment's. Secrets are never shown: leave a box empty to keep "
                    "what is stored, or Clear to go back to the environment.",
                    size="2",
                    color="var(--seen-muted)",
                ),
                spacing="1",
            ),
            rx.box(*(_provider_card(*provider) for provider in PROVIDERS), class_name="seen-provider-grid"),
            rx.hstack(
                rx.heading("Sync log", size="3", weight="medium"),
                rx.spacer(),
                rx.text("Failures only", size="2", color="var(--seen-muted)"),
                rx.switch(
                    checked=state.failures_only,
                    on_change=ProviderAdminState.set_failures_only,
                    aria_label="Failures only",
                ),
                rx.icon_button(
                    rx.icon("refresh-cw", size=15),
                    variant="ghost",
                    on_click=ProviderAdminState.refresh,
                    aria_label="Refresh sync log",
                ),
                align="center",
                spacing="2",
                width="100%",
                padding_top="8px",
            ),
            rx.cond(
                state.sync_log.length() > 0,
                data_table(
                    ["Time", "Target", "Provider", "Status", "Attempt", "Took", "Detail"], state.sync_log, _sync_row
                ),
                empty_state(
                    "list-checks",
                    "Nothing in the log",
                    "Every call to a provider is logged here with its outcome; failures stay 90 days.",
                ),
            ),
            spacing="4",
            width="100%",
        ),
        class_name="seen-card",
        width="100%",
        data_testid="catalogue-providers",
    )


# -- allowed download hosts -----------------------------------------------------------------------------------


def parse_host_lines(text: str) -> list[str]:
    """One entry per line (commas also separate); blank lines dropped. Validation is the service's."""
    return [entry.strip() for line in text.splitlines() for entry in line.split(",") if entry.strip()]


class DownloadHostsAdminState(rx.State):
    """The "Allowed download hosts" section: where URL downloads may reach beyond the public internet."""

    entries_text: str = ""
    from_environment: list[str] = []
    save_error: str = ""
    save_message: str = ""
    # Bumped on every save, so the box is rebuilt with what is stored now.
    revision: int = 0

    async def _admin(self):
        return await (await self.get_state(AdminState))._admin()

    def _refresh(self) -> None:
        with session_scope() as session:
            self.entries_text = "\n".join(app_settings.download_allowed_hosts(session=session))
        self.from_environment = list(get_settings().download_allowed_hosts)

    @rx.event
    async def load(self):
        self.save_error = self.save_message = ""
        found, redirect = await self._admin()
        if found is None:
            return redirect
        self._refresh()
        return None

    @rx.event
    async def save(self, form_data: dict):
        self.save_error = self.save_message = ""
        found, redirect = await self._admin()
        if found is None:
            return redirect
        try:
            with session_scope() as session:
                stored = app_settings.set_download_allowed_hosts(
                    session=session, entries=parse_host_lines(str(form_data.get("entries", "")))
                )
        except ServiceError as error:
            self.save_error = error.message
            return None
        self.save_message = (
            f"Saved: {len(stored)} allowed {'host' if len(stored) == 1 else 'hosts'}."
            if stored
            else "Saved: downloads reach only public addresses (and the environment's list)."
        )
        self.revision += 1
        self._refresh()
        return None


def _download_hosts() -> rx.Component:
    state = DownloadHostsAdminState
    return rx.box(
        rx.form(
            rx.vstack(
                rx.vstack(
                    rx.heading("Allowed download hosts", size="4", weight="medium"),
                    rx.text(
                        "URL downloads never reach loopback, private or link-local addresses (a guard against "
                        "links that probe your network). List here the hosts or networks they may reach, one per "
                        "line: nas.lan, *.lan, 192.168.1.20, 10.0.0.0/8.",
                        size="2",
                        color="var(--seen-muted)",
                    ),
                    spacing="1",
                ),
                rx.text_area(
                    name="entries",
                    default_value=state.entries_text,
                    placeholder="nas.lan",
                    rows="5",
                    width="100%",
                    aria_label="Allowed download hosts",
                    key="download-hosts-" + state.revision.to(str),
                ),
                rx.cond(
                    state.from_environment.length() > 0,
                    rx.text(
                        "Also allowed by SEEN_DOWNLOAD_ALLOWED_HOSTS: ",
                        state.from_environment.join(", "),
                        size="1",
                        color="var(--seen-muted)",
                    ),
                    rx.fragment(),
                ),
                _message(state.save_error, "var(--red-11)", "alert"),
                _message(state.save_message, "var(--green-11)", "status"),
                rx.button("Save", type="submit"),
                spacing="3",
                width="100%",
            ),
            on_submit=DownloadHostsAdminState.save,
            reset_on_submit=False,
            width="100%",
        ),
        class_name="seen-card",
        width="100%",
        data_testid="download-hosts",
    )


# -- library folders --------------------------------------------------------------------------------------------


def root_rows(roots: list[library.RootView]) -> list[dict[str, Any]]:
    return [
        {
            "id": root.id,
            "path": root.path,
            "label": root.label,
            "kind": root.kind,
            "items": f"{root.item_count} {'file' if root.item_count == 1 else 'files'}",
            "configured": root.configured,
            "scanned": f"scanned {format_time_iso(root.last_scanned_at)}"
            if root.last_scanned_at
            else "not scanned yet",
        }
        for root in roots
    ]


class LibraryFoldersAdminState(rx.State):
    """The "Library folders" section: the folders the scanner reads, added and removed here (the configured
    ones come from SEEN_LIBRARY_ROOTS and are removed there), each scanned on demand."""

    roots: list[dict[str, Any]] = []
    add_kind: str = "mixed"
    folder_error: str = ""
    folder_message: str = ""
    # Bumped after an add, so the form's boxes are rebuilt empty.
    revision: int = 0

    async def _admin(self):
        return await (await self.get_state(AdminState))._admin()

    def _refresh(self) -> None:
        with session_scope() as session:
            self.roots = root_rows(library.root_views(session=session))

    @rx.event
    async def load(self):
        self.folder_error = self.folder_message = ""
        found, redirect = await self._admin()
        if found is None:
            return redirect
        self._refresh()
        return None

    async def _act(self, work, done) -> Any:
        self.folder_error = self.folder_message = ""
        found, redirect = await self._admin()
        if found is None:
            return redirect
        try:
            with session_scope() as session:
                result = work(session, found.user)
        except ServiceError as error:
            self.folder_error = error.message
            return None
        self.folder_message = done(result)
        self._refresh()
        return None

    @rx.event
    def set_add_kind(self, value: str):
        self.add_kind = value if value in ROOT_KINDS else "mixed"

    @rx.event
    async def add_folder(self, form_data: dict):
        path, label = str(form_data.get("path", "")), str(form_data.get("label", ""))
        kind = self.add_kind
        event = await self._act(
            lambda session, user: library.add_root(session=session, user=user, path=path, label=label, kind=kind),
            lambda root: f"Added {root.path}: its first scan is queued.",
        )
        if not self.folder_error:
            self.revision += 1
        return event

    @rx.event
    async def remove_folder(self, root_id: str):
        def work(session, _user):
            library_scan.remove_root(session=session, root_id=uuid.UUID(root_id))

        return await self._act(work, lambda _none: "Removed the folder (its files stay on disk).")

    @rx.event
    async def scan_folder(self, root_id: str):
        return await self._act(
            lambda session, user: library.rescan(session=session, user=user, root_id=uuid.UUID(root_id)),
            lambda _accepted: "Scan requested: follow it on the library page.",
        )


def _root_row(root: rx.Var) -> rx.Component:
    root_id = root["id"].to(str)
    return rx.table.row(
        rx.table.cell(
            rx.vstack(
                rx.text(root["label"], weight="medium", size="2"),
                rx.code(root["path"], size="1"),
                rx.cond(root["configured"], rx.text("from SEEN_LIBRARY_ROOTS", size="1", color="var(--seen-muted)")),
                spacing="1",
            )
        ),
        rx.table.cell(root["kind"]),
        rx.table.cell(rx.vstack(rx.text(root["items"], size="2"), rx.text(root["scanned"], size="1"), spacing="0")),
        rx.table.cell(
            rx.hstack(
                rx.button(
                    "Scan now",
                    size="1",
                    variant="soft",
                    on_click=LibraryFoldersAdminState.scan_folder(root_id),
                    data_testid="library-folder-scan",
                ),
                rx.cond(
                    root["configured"],
                    rx.fragment(),
                    rx.button(
                        "Remove",
                        size="1",
                        variant="soft",
                        color_scheme="red",
                        on_click=LibraryFoldersAdminState.remove_folder(root_id),
                        data_testid="library-folder-remove",
                    ),
                ),
                spacing="2",
            )
        ),
        data_testid="library-folder",
    )


def _library_folders() -> rx.Component:
    state = LibraryFoldersAdminState
    return rx.box(
        rx.vstack(
            rx.vstack(
                rx.heading("Library folders", size="4", weight="medium"),
                rx.text(
                    "Folders of video files the scanner reads, matches to titles and lists on the library page. "
                    "Adding one queues its first scan.",
                    size="2",
                    color="var(--seen-muted)",
                ),
                spacing="1",
            ),
            rx.cond(
                state.roots.length() > 0,
                rx.box(
                    rx.table.root(
                        rx.table.header(
                            rx.table.row(
                                rx.table.column_header_cell("Folder"),
                                rx.table.column_header_cell("Kind"),
                                rx.table.column_header_cell("Files"),
                                rx.table.column_header_cell(""),
                            )
                        ),
                        rx.table.body(rx.foreach(state.roots, _root_row)),
                        size="1",
                        width="100%",
                    ),
                    class_name="seen-table-wrap",
                    width="100%",
                ),
                rx.text("No library folder yet.", size="2", color="var(--seen-muted)"),
            ),
            rx.form(
                rx.hstack(
                    rx.input(
                        name="path",
                        placeholder="/srv/media/movies",
                        aria_label="Folder path",
                        data_testid="library-folder-path",
                        flex="2",
                        min_width="220px",
                    ),
                    rx.input(
                        name="label",
                        placeholder="Label (optional)",
                        aria_label="Folder label",
                        data_testid="library-folder-label",
                        flex="1",
                        min_width="140px",
                    ),
                    rx.select(
                        list(ROOT_KINDS),
                        value=state.add_kind,
                        on_change=state.set_add_kind,
                        aria_label="Folder kind",
                    ),
                    rx.button("Add folder", type="submit", data_testid="library-folder-add"),
                    spacing="2",
                    wrap="wrap",
                    width="100%",
                    key="library-folder-form-" + state.revision.to(str),
                ),
                on_submit=state.add_folder,
                reset_on_submit=False,
                width="100%",
            ),
            rx.cond(
                state.folder_error != "",
                rx.text(
                    state.folder_error,
                    color="var(--red-11)",
                    size="2",
                    role="alert",
                    data_testid="library-folder-error",
                ),
            ),
            rx.cond(
                state.folder_message != "",
                rx.text(
                    state.folder_message,
                    color="var(--green-11)",
                    size="2",
                    role="status",
                    data_testid="library-folder-message",
                ),
            ),
            spacing="3",
            width="100%",
        ),
        class_name="seen-card",
        width="100%",
        id="library-folders",
        data_testid="library-folders",
    )


def forbidden_page() -> rx.Component:
    return rx.box(
        empty_state(
            "shield-x",
            "403 · Admins only",
            "This page manages the server and its accounts. Ask an admin if you need something changed.",
            rx.link(rx.button("Back to the dashboard", variant="soft"), href="/app/dashboard"),
        ),
        class_name="seen-card",
        width="100%",
        data_testid="forbidden",
    )


@app_page(
    "/app/admin",
    "Admin",
    on_load=[AdminState.load, ProviderAdminState.load, DownloadHostsAdminState.load, LibraryFoldersAdminState.load],
    admin=True,
)
def admin_page() -> rx.Component:
    return rx.cond(
        AuthState.forbidden,
        forbidden_page(),
        rx.fragment(
            page_header(
                "Admin",
                "Accounts, registration, catalogue providers, download hosts, library folders and the server's jobs.",
            ),
            rx.vstack(
                _registration(),
                _users(),
                _providers(),
                _download_hosts(),
                _library_folders(),
                _jobs(),
                spacing="5",
                width="100%",
            ),
        ),
    )
