"""The application shell: sidebar navigation, top bar with global search and the profile menu."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote

import reflex as rx
from reflex.style import set_color_mode

from seen.components.native_form import api_action, hidden_input, native_form
from seen.state import AuthState

LOGOUT_FORM_ID = "seen-logout-form"


@dataclass(frozen=True)
class NavItem:
    label: str
    href: str
    icon: str


NAV_SECTIONS: tuple[tuple[str, tuple[NavItem, ...]], ...] = (
    (
        "Browse",
        (
            NavItem("Dashboard", "/app/dashboard", "layout-dashboard"),
            NavItem("Discover", "/app/discover", "compass"),
            NavItem("Recommendations", "/app/recommendations", "sparkles"),
            NavItem("Calendar", "/app/calendar", "calendar-days"),
        ),
    ),
    (
        "Yours",
        (
            NavItem("Movies", "/app/movies", "film"),
            NavItem("Shows", "/app/shows", "tv"),
            NavItem("Games", "/app/games", "gamepad-2"),
            NavItem("Watch later", "/app/watch-later", "bookmark"),
            NavItem("Watched", "/app/watched", "history"),
            NavItem("Collections", "/app/collections", "library-big"),
        ),
    ),
    (
        "Media",
        (
            NavItem("Library", "/app/library", "hard-drive"),
            NavItem("Downloads", "/app/downloads", "download"),
        ),
    ),
)
SETTINGS_ITEM = NavItem("Settings", "/app/settings", "settings")
ADMIN_ITEM = NavItem("Admin", "/app/admin", "shield")


class ShellState(rx.State):
    @rx.event
    def search(self, form_data: dict):
        query = str(form_data.get("q", "")).strip()[:200]
        if not query:
            return None
        return rx.redirect(f"/app/discover?q={quote(query)}")


def _nav_link(item: NavItem) -> rx.Component:
    return rx.link(
        rx.icon(item.icon, size=17),
        rx.text(item.label),
        href=item.href,
        class_name="seen-nav-link",
        # The router reports page paths with a trailing slash in production builds.
        data_active=(
            (rx.State.router.url.path == item.href) | (rx.State.router.url.path == f"{item.href}/")
        ).to_string(),
        underline="none",
    )


def _nav() -> rx.Component:
    sections = []
    for title, items in NAV_SECTIONS:
        sections.append(rx.text(title, class_name="seen-nav-section"))
        sections.extend(_nav_link(item) for item in items)
    return rx.fragment(
        *sections,
        rx.text("Account", class_name="seen-nav-section"),
        _nav_link(SETTINGS_ITEM),
        rx.cond(AuthState.is_admin, _nav_link(ADMIN_ITEM)),
    )


def _brand() -> rx.Component:
    return rx.link(rx.el.span("/seen/"), href="/app/dashboard", class_name="seen-brand", underline="none")


def sidebar() -> rx.Component:
    return rx.el.nav(_brand(), _nav(), class_name="seen-sidebar", aria_label="Main")


def _mobile_menu() -> rx.Component:
    return rx.box(
        rx.drawer.root(
            rx.drawer.trigger(rx.icon_button(rx.icon("menu"), variant="ghost", aria_label="Open navigation")),
            rx.drawer.overlay(z_index="40"),
            rx.drawer.portal(
                rx.drawer.content(
                    rx.vstack(_brand(), _nav(), spacing="1", width="100%"),
                    background="var(--seen-surface)",
                    width="260px",
                    height="100%",
                    padding="20px 14px",
                    overflow_y="auto",
                    z_index="50",
                    top="0",
                    left="0",
                    position="fixed",
                ),
            ),
            direction="left",
        ),
        class_name="seen-mobile-only",
    )


def _search_box() -> rx.Component:
    return rx.form(
        rx.input(
            rx.input.slot(rx.icon("search", size=16)),
            name="q",
            placeholder="Search movies, shows, games, people",
            type="search",
            size="3",
            radius="large",
            aria_label="Search",
            width="100%",
        ),
        on_submit=ShellState.search,
        reset_on_submit=False,
        class_name="seen-search",
    )


def _theme_item(label: str, mode: str, icon: str) -> rx.Component:
    return rx.menu.item(
        rx.hstack(rx.icon(icon, size=15), rx.text(label), align="center"),
        on_click=[set_color_mode(mode), AuthState.save_theme(mode)],
    )


def _profile_menu() -> rx.Component:
    return rx.menu.root(
        rx.menu.trigger(
            rx.button(
                rx.avatar(fallback=AuthState.initials, size="2", radius="full", color_scheme="cyan"),
                variant="ghost",
                aria_label="Profile menu",
                padding="0",
                radius="full",
            )
        ),
        rx.menu.content(
            rx.box(
                rx.text(AuthState.display_name, weight="medium", size="2"),
                rx.text(AuthState.email, size="1", color="var(--seen-muted)"),
                padding="6px 8px 8px",
            ),
            rx.menu.separator(),
            rx.menu.item(
                rx.hstack(rx.icon("settings", size=15), rx.text("Settings")), on_click=rx.redirect("/app/settings")
            ),
            rx.cond(
                AuthState.is_admin,
                rx.menu.item(
                    rx.hstack(rx.icon("shield", size=15), rx.text("Admin")), on_click=rx.redirect("/app/admin")
                ),
            ),
            rx.menu.separator(),
            rx.menu.sub(
                rx.menu.sub_trigger(rx.hstack(rx.icon("palette", size=15), rx.text("Theme"))),
                rx.menu.sub_content(
                    _theme_item("Dark", "dark", "moon"),
                    _theme_item("Light", "light", "sun"),
                    _theme_item("System", "system", "monitor"),
                ),
            ),
            rx.menu.separator(),
            # A real submit button tied to the hidden logout form by its id: the browser posts the
            # form itself, so the answer can clear the HttpOnly cookie (and no script eval is needed).
            rx.menu.item(
                rx.el.button(
                    rx.hstack(rx.icon("log-out", size=15), rx.text("Sign out")),
                    type="submit",
                    form=LOGOUT_FORM_ID,
                    width="100%",
                ),
                as_child=True,
                color="tomato",
            ),
            align="end",
            min_width="220px",
        ),
    )


def _logout_form() -> rx.Component:
    return native_form(
        hidden_input("csrf_token", AuthState.csrf_token),
        action=api_action("/api/v1/auth/browser/logout"),
        method="post",
        id=LOGOUT_FORM_ID,
        display="none",
    )


def topbar() -> rx.Component:
    return rx.el.header(
        _mobile_menu(),
        _search_box(),
        rx.spacer(),
        _profile_menu(),
        _logout_form(),
        class_name="seen-topbar",
    )


def _loading() -> rx.Component:
    return rx.center(rx.spinner(size="3"), height="60vh")


def app_shell(*content: rx.Component) -> rx.Component:
    """Every /app page: sidebar + top bar, content shown once the session checked out."""
    return rx.box(
        sidebar(),
        rx.box(
            topbar(),
            rx.el.main(rx.cond(AuthState.auth_checked, rx.fragment(*content), _loading()), class_name="seen-content"),
            class_name="seen-main",
        ),
        class_name="seen-shell",
    )
