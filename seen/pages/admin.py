"""/app/admin: users (create, roles, disable), the registration switch and scheduled jobs. Admins only."""

from __future__ import annotations

import uuid

import reflex as rx

from seen.components.empty import data_table, empty_state, page_header
from seen.components.format import format_time
from seen.components.page import app_page
from seen.db import session_scope
from seen.models.users import Role
from seen.services import app_settings, auth, job_runs, users
from seen.services.errors import ServiceError
from seen.state import AuthState

PAGE_SIZE = 20


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
            self.jobs = [
                {
                    "name": run.job_name,
                    "status": run.status,
                    "started": format_time(run.started_at),
                    "duration": f"{run.duration_ms} ms" if run.duration_ms is not None else "running",
                    "detail": run.detail,
                }
                for run in job_runs.latest_runs(session=session)
            ]

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
        rx.table.cell(
            rx.badge(
                row["status"],
                color_scheme=rx.match(row["status"], ("ok", "green"), ("failed", "red"), "gray"),
                variant="soft",
            )
        ),
        rx.table.cell(row["started"]),
        rx.table.cell(row["duration"]),
        rx.table.cell(rx.text(row["detail"], size="1", color="var(--seen-muted)")),
    )


def _jobs() -> rx.Component:
    return rx.box(
        rx.vstack(
            rx.heading("Scheduled jobs", size="4", weight="medium"),
            rx.cond(
                AdminState.jobs.length() > 0,
                data_table(["Job", "Last result", "Started", "Took", "Detail"], AdminState.jobs, _job_row),
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


@app_page("/app/admin", "Admin", on_load=[AdminState.load], admin=True)
def admin_page() -> rx.Component:
    return rx.cond(
        AuthState.forbidden,
        forbidden_page(),
        rx.fragment(
            page_header("Admin", "Accounts, registration and the server's jobs."),
            rx.vstack(_registration(), _users(), _jobs(), spacing="5", width="100%"),
        ),
    )
