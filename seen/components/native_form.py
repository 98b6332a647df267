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


def hidden_input(name: str, value: rx.Var[str] | str) -> rx.Component:
    return rx.el.input(type="hidden", name=name, value=value)
