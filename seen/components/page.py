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
