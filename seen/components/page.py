"""How an /app page is declared: route, title, login guard and the shell, in one call."""

from __future__ import annotations

from collections.abc import Callable

import reflex as rx

from seen.components.shell import app_shell
from seen.pages.tracking_state import LibraryIdsState, WatchLaterIdsState
from seen.state import AuthState

PageBody = Callable[[], rx.Component]


def app_page(
    route: str, title: str, *, on_load: list | None = None, admin: bool = False
) -> Callable[[PageBody], PageBody]:
    """Register `body` at `route` behind the login check (and the admin check when asked)."""

    def register(body: PageBody) -> PageBody:
        guard = AuthState.require_admin if admin else AuthState.require_login
        # The watch later and library ids come once per page, for the marks on every card the page shows.
        events = [guard, WatchLaterIdsState.load, LibraryIdsState.load, *(on_load or [])]
        rx.page(route=route, title=f"{title} · /seen/", on_load=events)(lambda: app_shell(body()))
        return body

    return register


def empty_feature_page(
    route: str,
    title: str,
    subtitle: str,
    empty: tuple[str, str, str],
    action: tuple[str, str] | None = None,
) -> None:
    """A route whose content has nothing to show yet: header plus one honest empty state.

    `empty` is (icon, heading, text); `action` an optional (label, href) button.
    """
    from seen.components.empty import empty_state, page_header

    icon, heading, text = empty
    buttons = [rx.link(rx.button(action[0], variant="soft"), href=action[1])] if action else []

    @app_page(route, title)
    def body() -> rx.Component:
        return rx.fragment(
            page_header(title, subtitle),
            rx.box(empty_state(icon, heading, text, *buttons), class_name="seen-card"),
        )
