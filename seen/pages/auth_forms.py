"""What the login and register pages share: their frame, fields and the wording of form errors."""

from __future__ import annotations

import reflex as rx

from seen.components.native_form import hidden_input, native_form
from seen.config import get_settings


def form_error_message(code: str, retry_after: str = "") -> str:
    """Words for the error code the form endpoint sent back (never text taken from the URL)."""
    if code == "too_many_attempts":
        seconds = int(retry_after) if retry_after.isdigit() else 0
        minutes = max(1, round(seconds / 60))
        return f"Too many failed logins. Try again in {minutes} minute{'s' if minutes != 1 else ''}."
    messages = {
        "invalid_credentials": "Wrong email or password.",
        "account_disabled": "This account is disabled. Ask an admin.",
        "csrf_failed": "The form came from another site and was refused. Reload this page and try again.",
        "registration_closed": "Registration is closed. Ask an admin for an account.",
        "email_taken": "An account with this email already exists.",
        "invalid_email": "Enter a valid email address.",
        "weak_password": f"Use a password of at least {get_settings().password_min_length} characters.",
        "invalid_password": "That password is too long.",
    }
    return messages.get(code, "Something went wrong. Try again." if code else "")


def field(
    label: str, name: str, *, input_type: str = "text", autocomplete: str = "", required: bool = True
) -> rx.Component:
    return rx.box(
        rx.el.label(label, html_for=f"field-{name}", class_name="seen-label"),
        rx.el.input(
            id=f"field-{name}",
            name=name,
            type=input_type,
            auto_complete=autocomplete,
            required=required,
            class_name="seen-input",
        ),
        width="100%",
    )


def alert(message: rx.Var[str], kind: str) -> rx.Component:
    return rx.cond(
        message != "",
        rx.box(message, class_name=f"seen-alert seen-alert-{kind}", role="alert", width="100%"),
    )


def auth_frame(title: str, subtitle: str, *body: rx.Component) -> rx.Component:
    return rx.box(
        rx.box(
            rx.vstack(
                rx.text(rx.el.span("/seen/"), class_name="seen-brand", padding="0"),
                rx.heading(title, size="6", weight="bold", letter_spacing="-0.02em"),
                rx.text(subtitle, color="var(--seen-muted)", size="2"),
                *body,
                spacing="4",
                width="100%",
            ),
            class_name="seen-card seen-auth-card",
            padding="32px",
        ),
        class_name="seen-auth-page",
    )


def auth_form(
    action: str, *fields: rx.Component, submit_label: str, next_path: rx.Var[str] | None = None
) -> rx.Component:
    return native_form(
        rx.vstack(
            *fields,
            hidden_input("next", next_path) if next_path is not None else rx.fragment(),
            rx.el.button(submit_label, type="submit", class_name="seen-primary-button"),
            spacing="3",
            width="100%",
        ),
        action=action,
        method="post",
        width="100%",
    )
