"""/: straight to the dashboard when signed in, to the login page otherwise."""

from __future__ import annotations

import reflex as rx

from seen.state import HOME_ROUTE, LOGIN_ROUTE, AuthState


class IndexState(rx.State):
    @rx.event
    async def route(self):
        auth_state = await self.get_state(AuthState)
        return rx.redirect(HOME_ROUTE if auth_state.authenticated() else LOGIN_ROUTE)


@rx.page(route="/", title="/seen/", on_load=IndexState.route)
def index() -> rx.Component:
    return rx.center(rx.spinner(size="3"), height="100vh")
