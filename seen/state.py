"""Shared Reflex state: who is logged in (from the HttpOnly session cookie) and their theme.

The cookie reaches the backend in the websocket handshake; the page's JavaScript never sees it.
Every event that reads or changes account data re-validates the session against the database,
so a revoked or expired session is sent to the login page on its next move.
"""

from __future__ import annotations

from http.cookies import CookieError, SimpleCookie
from urllib.parse import quote

import reflex as rx

from seen.db import session_scope
from seen.models.users import Role, User
from seen.services import auth
from seen.services.security import csrf_token_for

SESSION_COOKIE = "seen_session"
LOGIN_ROUTE = "/login"
HOME_ROUTE = "/app/dashboard"


def read_cookie(header: str, name: str) -> str:
    jar: SimpleCookie = SimpleCookie()
    try:
        jar.load(header or "")
    except CookieError:
        return ""
    morsel = jar.get(name)
    return morsel.value if morsel else ""


class AuthState(rx.State):
    user_id: str = ""
    email: str = ""
    display_name: str = ""
    role: str = ""
    csrf_token: str = ""
    # Mirrors the account's theme into a readable cookie that the first-paint script applies.
    theme_cookie: str = rx.Cookie("", name="seen_theme", path="/", max_age=365 * 86400, same_site="lax")
    auth_checked: bool = False
    forbidden: bool = False

    @rx.var
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN

    @rx.var
    def initials(self) -> str:
        source = self.display_name or self.email
        parts = [part for part in source.replace("@", " ").replace(".", " ").split() if part]
        return "".join(part[0] for part in parts[:2]).upper() or "?"

    def _session_token(self) -> str:
        return read_cookie(self.router.headers.cookie, SESSION_COOKIE)

    def _load(self, user: User, session_id) -> None:
        self.user_id = str(user.id)
        self.email = user.email
        self.display_name = user.display_name
        self.role = user.role
        self.csrf_token = csrf_token_for(session_id)
        if self.theme_cookie != user.theme:
            self.theme_cookie = user.theme

    def _clear(self) -> None:
        self.user_id = self.email = self.display_name = self.role = self.csrf_token = ""
        self.auth_checked = False

    def authenticated(self) -> auth.Authenticated | None:
        """Validate the session cookie against the database now; loads the user's view data."""
        with session_scope() as session:
            found = auth.resolve_browser_session(session=session, token=self._session_token())
            if found is None:
                self._clear()
                return None
            session.expunge(found.user)
            session.expunge(found.auth_session)
        self._load(found.user, found.auth_session.id)
        return found

    def login_redirect(self) -> rx.event.EventSpec:
        target = self.router.url.path or HOME_ROUTE
        if self.router.url.query:
            target += f"?{self.router.url.query}"
        return rx.redirect(f"{LOGIN_ROUTE}?next={quote(target, safe='')}")

    @rx.event
    def require_login(self):
        """on_load of every /app page: no valid session, no page."""
        self.forbidden = False
        if self.authenticated() is None:
            return self.login_redirect()
        self.auth_checked = True
        return None

    @rx.event
    def require_admin(self):
        self.forbidden = False
        if self.authenticated() is None:
            return self.login_redirect()
        self.forbidden = self.role != Role.ADMIN
        self.auth_checked = True
        return None

    @rx.event
    def save_theme(self, theme: str):
        """Keep the theme on the account, so every browser the user logs in from gets it."""
        with session_scope() as session:
            found = auth.resolve_browser_session(session=session, token=self._session_token())
            if found is None:
                return self.login_redirect()
            auth.update_profile(session=session, user=found.user, theme=theme)
        self.theme_cookie = theme
        return None

    @rx.event
    def redirect_if_logged_in(self):
        """on_load of the login and register pages."""
        if self._session_token() and self.authenticated() is not None:
            return rx.redirect(HOME_ROUTE)
        return None
