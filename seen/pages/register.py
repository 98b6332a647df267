"""/register: open until an admin closes registration (the first account is always allowed)."""

from __future__ import annotations

import reflex as rx

from seen.components.native_form import api_action
from seen.db import session_scope
from seen.pages.auth_forms import alert, auth_form, auth_frame, field, form_error_message
from seen.services import app_settings, auth
from seen.state import AuthState


class RegisterState(rx.State):
    error: str = ""
    registration_open: bool = True
    first_account: bool = False

    @rx.event
    def load(self):
        params = self.router.url.query_parameters
        self.error = form_error_message(params.get("error", ""))
        with session_scope() as session:
            self.first_account = auth.user_count(session=session) == 0
            self.registration_open = self.first_account or app_settings.registration_open(session=session)


@rx.page(
    route="/register", title="Create account · /seen/", on_load=[AuthState.redirect_if_logged_in, RegisterState.load]
)
def register_page() -> rx.Component:
    return auth_frame(
        "Create your account",
        rx.cond(
            RegisterState.first_account,
            "You are the first here: this account will administer the server.",
            "Track, discover and play everything in one place.",
        ),
        alert(RegisterState.error, "error"),
        rx.cond(
            RegisterState.registration_open,
            auth_form(
                api_action("/api/v1/auth/browser/register"),
                field("Name", "display_name", autocomplete="name", required=False),
                field("Email", "email", input_type="email", autocomplete="email"),
                field("Password", "password", input_type="password", autocomplete="new-password"),
                submit_label="Create account",
            ),
            rx.box("Registration is closed. Ask an admin for an account.", class_name="seen-alert seen-alert-info"),
        ),
        rx.text("Already have an account? ", rx.link("Sign in", href="/login"), size="2", color="var(--seen-muted)"),
    )
