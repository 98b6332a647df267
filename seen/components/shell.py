"""The application shell: sidebar navigation, top bar with global search and the profile menu."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any
from urllib.parse import quote

import reflex as rx
from reflex.style import set_color_mode

from seen.components.native_form import api_action, hidden_input, native_form
from seen.components.notification_bell import notification_bell
from seen.db import session_scope
from seen.services import catalogue_views, search
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
            NavItem("Stats", "/app/stats", "chart-column"),
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


SEARCH_ROUTE = "/app/search"
SUGGESTION_LIMIT = 8
MAX_QUERY = 200
SUGGEST_DEBOUNCE_MS = 250
SUGGESTION_TYPES = {"movie": "Movie", "show": "Show", "game": "Game", "person": "Person"}


class ShellState(rx.State):
    """The top bar's search: suggestions while typing, moved through with the arrow keys."""

    query: str = ""
    suggestions: list[dict[str, Any]] = []
    highlight: int = -1
    open: bool = False

    @rx.var
    def active_id(self) -> str:
        return f"seen-suggestion-{self.highlight}" if 0 <= self.highlight < len(self.suggestions) else ""

    @rx.var
    def results_href(self) -> str:
        text = self.query.strip()
        return f"{SEARCH_ROUTE}?q={quote(text)}" if text else SEARCH_ROUTE

    def show_query(self, query: str) -> None:
        """Put `query` in the box without suggesting (the results page tells the top bar what it shows)."""
        self.query = query[:MAX_QUERY]
        self._close()

    def _close(self) -> None:
        self.open = False
        self.highlight = -1

    @rx.event
    async def type_query(self, value: str):
        value = str(value)[:MAX_QUERY]
        if value == self.query:
            # Unchanged (Enter flushes the debounced value again, or a typo was undone): keep the highlight.
            self.open = bool(self.suggestions) or bool(search.normalise(value))
            return
        self.query = value
        self.highlight = -1
        auth_state = await self.get_state(AuthState)
        if not auth_state.user_id or not search.normalise(value):
            self.suggestions = []
            self.open = False
            return
        with session_scope() as session:
            found = catalogue_views.suggest(session=session, query=value, limit=SUGGESTION_LIMIT)
        self.suggestions = [
            asdict(item) | {"key": f"seen-suggestion-{index}", "type_label": SUGGESTION_TYPES.get(item.type, "")}
            for index, item in enumerate(found)
        ]
        self.open = True

    @rx.event
    def key_down(self, key: str):
        if key in ("ArrowDown", "ArrowUp"):
            if not self.suggestions:
                return None
            self.open = True
            step = 1 if key == "ArrowDown" else -1
            # -1 is "nothing highlighted" (Enter then opens the results page); the ends wrap around.
            self.highlight = (self.highlight + 1 + step) % (len(self.suggestions) + 1) - 1
            return None
        if key in ("Escape", "Tab"):
            self._close()
            return None
        if key != "Enter":
            return None
        if self.open and 0 <= self.highlight < len(self.suggestions):
            href = str(self.suggestions[self.highlight]["href"])
            self._close()
            return rx.redirect(href)
        self._close()
        if not self.query.strip():
            return None
        return rx.redirect(self.results_href)

    @rx.event
    def close(self):
        self._close()

    @rx.event
    def reopen(self):
        if self.query.strip() and self.suggestions:
            self.open = True


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


def _suggestion(item: rx.Var) -> rx.Component:
    active = item["key"] == ShellState.active_id
    return rx.link(
        rx.box(
            rx.cond(
                item["image_url"],
                rx.image(src=item["image_url"], alt="", loading="lazy", class_name="seen-suggest-img"),
                rx.match(
                    item["type"],
                    ("person", rx.icon("user", size=16)),
                    ("game", rx.icon("gamepad-2", size=16)),
                    ("show", rx.icon("tv", size=16)),
                    rx.icon("film", size=16),
                ),
            ),
            class_name=rx.cond(item["type"] == "person", "seen-suggest-thumb seen-round", "seen-suggest-thumb"),
        ),
        rx.box(
            rx.text(item["title"], class_name="seen-suggest-title"),
            rx.text(
                rx.cond(item["year"], item["year"].to(str) + " · ", ""),
                item["type_label"],
                class_name="seen-suggest-meta",
            ),
            min_width="0",
        ),
        href=item["href"],
        id=item["key"],
        role="option",
        aria_selected=active.to_string(),
        data_active=active.to_string(),
        class_name="seen-suggest-item",
        underline="none",
        on_click=ShellState.close,
        data_testid="search-suggestion",
    )


def _suggestions() -> rx.Component:
    return rx.cond(
        ShellState.open,
        rx.box(
            rx.cond(
                ShellState.suggestions.length() > 0,
                rx.foreach(ShellState.suggestions, _suggestion),
                rx.text("No quick matches in the catalogue.", class_name="seen-suggest-none"),
            ),
            rx.link(
                rx.icon("search", size=14),
                rx.text("See all results for “", rx.el.span(ShellState.query), "”", class_name="seen-suggest-all-text"),
                href=ShellState.results_href,
                on_click=ShellState.close,
                class_name="seen-suggest-all",
                underline="none",
            ),
            id="seen-suggestions",
            role="listbox",
            aria_label="Suggestions",
            class_name="seen-suggest",
        ),
    )


def _search_box() -> rx.Component:
    return rx.box(
        rx.input(
            rx.input.slot(rx.icon("search", size=16)),
            value=ShellState.query,
            on_change=ShellState.type_query,
            on_key_down=ShellState.key_down,
            on_focus=ShellState.reopen,
            debounce_timeout=SUGGEST_DEBOUNCE_MS,
            placeholder="Search movies, shows, games, people",
            type="text",
            enter_key_hint="search",
            auto_complete="off",
            spell_check=False,
            max_length=MAX_QUERY,
            size="3",
            radius="large",
            aria_label="Search",
            role="combobox",
            aria_autocomplete="list",
            aria_controls="seen-suggestions",
            aria_expanded=ShellState.open.to_string(),
            aria_activedescendant=ShellState.active_id,
            width="100%",
            data_testid="search-input",
        ),
        _suggestions(),
        class_name="seen-search",
        role="search",
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
        notification_bell(),
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
        # Behind the open suggestions (and under the top bar): a click anywhere else closes them.
        rx.cond(ShellState.open, rx.box(class_name="seen-search-backdrop", on_click=ShellState.close)),
        rx.box(
            topbar(),
            rx.el.main(rx.cond(AuthState.auth_checked, rx.fragment(*content), _loading()), class_name="seen-content"),
            class_name="seen-main",
        ),
        class_name="seen-shell",
    )
