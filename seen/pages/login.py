"""/login: email + password, posted as a real form so the server can set the HttpOnly cookie."""

from __future__ import annotations

import reflex as rx

from seen.components.native_form import api_action
from seen.db import session_scope
from seen.pages.auth_forms import alert, auth_form, auth_frame, field, form_error_message
from seen.services import app_settings
from seen.state import AuthState


class LoginState(rx.State):
    error: str = ""
    notice: str = ""
    next_path: str = ""
    registration_open: bool = True

    @rx.event
    def load(self):
        params = self.router.url.query_parameters
        self.error = form_error_message(params.get("error", ""), params.get("retry_after", ""))
        self.notice = "You are signed out." if params.get("signed_out") else ""
        self.next_path = params.get("next", "")[:2000]
        with session_scope() as session:
            self.registration_open = app_settings.registration_open(session=session)


@rx.page(route="/login", title="Sign in · /seen/", on_load=[AuthState.redirect_if_logged_in, LoginState.load])
def login_page() -> rx.Component:
    return auth_frame(
        "Welcome back",
        "Sign in to your streaming control center.",
        alert(LoginState.error, "error"),
        alert(LoginState.notice, "info"),
        auth_form(
            api_action("/api/v1/auth/browser/login"),
            field("Email", "email", input_type="email", autocomplete="username"),
            field("Password", "password", input_type="password", autocomplete="current-password"),
            submit_label="Sign in",
            next_path=LoginState.next_path,
        ),
        rx.cond(
            LoginState.registration_open,
            rx.text("New here? ", rx.link("Create an account", href="/register"), size="2", color="var(--seen-muted)"),
        ),
    )
