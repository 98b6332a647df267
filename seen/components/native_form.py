"""A real HTML form that the browser submits itself (Reflex's own form always prevents that).

Used where the server must answer with a redirect that sets or clears the session cookie.
"""

from __future__ import annotations

import reflex as rx
from reflex_components_core.el.elements.base import BaseHTML


class NativeForm(BaseHTML):
    tag = "form"

    action: rx.Var[str]
    method: rx.Var[str]


native_form = NativeForm.create


def api_action(path: str) -> str:
    """A form's target. In production the API shares the pages' origin; in development it runs on
    the backend port, so the form must name it."""
    from reflex.config import get_config
    from reflex.utils.exec import is_prod_mode

    return path if is_prod_mode() else f"{get_config().api_url.rstrip('/')}{path}"


def hidden_input(name: str, value: rx.Var[str] | str) -> rx.Component:
    return rx.el.input(type="hidden", name=name, value=value)
