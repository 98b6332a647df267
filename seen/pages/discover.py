"""/app/discover: a lead title, one row per Discover section, genre shortcuts, and each section in full.

`/app/discover` is the overview; `/app/discover?section=popular&type=movie&genre=28&page=2` opens one
section as a paginated grid with its filters. The page paints at once (skeletons), then the data
arrives; while the first catalogue sync is still running it says so and checks again by itself.
"""

from __future__ import annotations

import asyncio
from dataclasses import asdict
from typing import Any

import reflex as rx

from seen.components.catalogue import (
    ANY,
    MAX_PAGE,
    PagedLinks,
    demo_notice,
    filter_select,
    grid_skeletons,
    int_param,
    page_count,
    pager,
    query_url,
)
from seen.components.empty import empty_state, page_header
from seen.components.media_card import card_grid, card_row, card_skeletons
from seen.components.page import app_page
from seen.db import session_scope
from seen.services import catalogue_views
from seen.services.errors import NotFound, ServiceError
from seen.services.sections import SECTIONS
from seen.state import AuthState

ROUTE = "/app/discover"
ROW_SIZE = 20
PAGE_SIZE = 20
# While the catalogue (or a section) is still empty the page looks again every few seconds, for a while.
POLL_SECONDS = 3
POLL_LIMIT_EMPTY = 60
POLL_LIMIT_PARTIAL = 10
KIND_NAMES = {"movie": "Movies", "show": "Shows", "game": "Games"}
KIND_ROUTES = {"movie": "/app/movies", "show": "/app/shows", "game": "/app/games"}


def demo_text(kinds: list[str]) -> str:
    """ "Movies, shows and games" for the kinds the demo catalogue serves."""
    names = [KIND_NAMES[kind].lower() for kind in ("movie", "show", "game") if kind in kinds]
    if not names:
        return ""
    text = names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"
    return text[0].upper() + text[1:]


def _trim(text: str | None, limit: int = 280) -> str:
    text = (text or "").strip()
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + "…"


class DiscoverState(PagedLinks, rx.State):
    loading: bool = True
    catalogue_empty: bool = False
    demo_kinds: list[str] = []
    # Set when the last sync of a provider failed: the lists are older than usual.
    provider_notice: str = ""
    # Overview: the first cards of every section (every key always present), and the lead title.
    rows: dict[str, list[dict[str, Any]]] = {name: [] for name in SECTIONS}
    hero: dict[str, str] = {}
    genre_chips: dict[str, list[dict[str, str]]] = {kind: [] for kind in KIND_NAMES}
    # One section in full ("" = the overview).
    section: str = ""
    section_label: str = ""
    kind: str = ANY
    genre: str = ANY
    items: list[dict[str, Any]] = []
    kind_options: list[dict[str, str]] = []
    genre_options: list[dict[str, str]] = []
    _polls_left: int = 0
    # Each load that needs polling starts a poller with a new number; older pollers then stop.
    _poll_round: int = 0

    @rx.var
    def pages(self) -> int:
        return page_count(self.total, PAGE_SIZE)

    @rx.var
    def first_href(self) -> str:
        return self._href(page=1)

    @rx.var
    def clear_href(self) -> str:
        return query_url(ROUTE, section=self.section)

    @rx.var
    def has_hero(self) -> bool:
        return bool(self.hero.get("title"))

    @rx.var
    def demo_label(self) -> str:
        return demo_text(self.demo_kinds)

    def _href(self, **changes: Any) -> str:
        params = {"section": self.section, "type": self.kind, "genre": self.genre, "page": self.page}
        params.update(changes)
        if params["page"] == 1:
            params["page"] = None
        return query_url(ROUTE, **params)

    def _read_query(self) -> None:
        params = self.router.url.query_parameters
        name = params.get("section", "")
        section = SECTIONS.get(name)
        self.section = section.name if section else ""
        self.section_label = section.label if section else ""
        kind = params.get("type", "")
        self.kind = kind if section and kind in section.kinds else ANY
        genre = int_param(params.get("genre"))
        self.genre = str(genre) if genre else ANY
        self.page = int_param(params.get("page"), high=MAX_PAGE) or 1

    def _fill(self) -> None:
        with session_scope() as session:
            sources = catalogue_views.catalogue_sources(session=session)
            self.catalogue_empty = catalogue_views.catalogue_is_empty(session=session)
            self.provider_notice = catalogue_views.provider_notice(session=session) or ""
            self.demo_kinds = sorted(kind for kind, source in sources.items() if source == "demo")
            if self.section:
                self._fill_section(session)
            else:
                self._fill_overview(session)

    def _fill_overview(self, session) -> None:
        rows = {}
        for name in SECTIONS:
            found = catalogue_views.discover_section(session=session, section=name, page=1, page_size=ROW_SIZE)
            rows[name] = [asdict(item) for item in found.items]
        self.rows = rows
        self.genre_chips = {
            kind: [
                {"label": genre.name, "href": query_url(KIND_ROUTES[kind], genre=genre.id)}
                for genre in catalogue_views.list_genres(session=session, kind=kind)
            ]
            for kind in KIND_NAMES
        }
        self.hero = self._lead(session, rows)

    @staticmethod
    def _lead(session, rows: dict[str, list[dict[str, Any]]]) -> dict[str, str]:
        """The first trending title (or the first title of any row) with its backdrop and overview."""
        first = next((items[0] for items in rows.values() if items), None)
        if first is None:
            return {}
        try:
            view = catalogue_views.media_view(session=session, media_id=first["id"])
        except NotFound:
            return {}
        return {
            "title": view.title,
            "year": str(view.year or ""),
            "type": KIND_NAMES[view.type][:-1],
            "overview": _trim(view.overview or view.tagline),
            "backdrop_url": view.backdrop_url or "",
            "poster_url": view.poster_url or "",
            "rating": f"{view.vote_average:.1f}" if view.vote_average else "",
            "href": first["href"],
        }

    def _fill_section(self, session) -> None:
        section = SECTIONS[self.section]
        kinds = section.kinds if self.kind == ANY else (self.kind,)
        self.kind_options = (
            [{"value": kind, "label": KIND_NAMES[kind]} for kind in section.kinds] if len(section.kinds) > 1 else []
        )
        options = []
        for kind in kinds:
            suffix = f" · {KIND_NAMES[kind]}" if len(kinds) > 1 else ""
            options += [
                {"value": str(genre.id), "label": f"{genre.name}{suffix}"}
                for genre in catalogue_views.list_genres(session=session, kind=kind)
            ]
        self.genre_options = options
        if self.genre != ANY and all(option["value"] != self.genre for option in options):
            self.genre = ANY
        try:
            found = catalogue_views.discover_section(
                session=session,
                section=self.section,
                kind=None if self.kind == ANY else self.kind,
                genre_id=None if self.genre == ANY else int(self.genre),
                page=self.page,
                page_size=PAGE_SIZE,
            )
        except ServiceError:
            self.items, self.total = [], 0
            return
        self.total = found.total
        self.items = [asdict(item) for item in found.items]

    def _needs_poll(self) -> bool:
        if self.catalogue_empty:
            return True
        return not self.section and any(not items for items in self.rows.values())

    def _on_this_page(self) -> bool:
        return self.router.url.path.rstrip("/") == ROUTE

    @rx.event
    async def load(self):
        auth_state = await self.get_state(AuthState)
        if not auth_state.user_id:
            return
        self._read_query()
        self.loading = True
        yield
        self._fill()
        self.loading = False
        if self._needs_poll():
            self._polls_left = POLL_LIMIT_EMPTY if self.catalogue_empty else POLL_LIMIT_PARTIAL
            self._poll_round += 1
            yield DiscoverState.poll(self._poll_round)

    @rx.event
    def refresh(self):
        self._fill()

    @rx.event(background=True)
    async def poll(self, round_number: int):
        """Look again every few seconds while the first sync fills the catalogue."""
        while True:
            await asyncio.sleep(POLL_SECONDS)
            async with self:
                if (
                    round_number != self._poll_round
                    or self._polls_left <= 0
                    or not self._on_this_page()
                    or not self._needs_poll()
                ):
                    return
                self._polls_left -= 1
                self._fill()

    @rx.event
    def choose_kind(self, value: str):
        return rx.redirect(self._href(type=value, genre=None, page=1))

    @rx.event
    def choose_genre(self, value: str):
        return rx.redirect(self._href(genre=value, page=1))


# -- overview --------------------------------------------------------------------------------------------


def _hero() -> rx.Component:
    hero = DiscoverState.hero
    return rx.cond(
        DiscoverState.loading,
        rx.box(class_name="seen-hero seen-skeleton"),
        rx.cond(
            DiscoverState.has_hero,
            rx.box(
                rx.cond(
                    hero["backdrop_url"] != "",
                    rx.image(src=hero["backdrop_url"], alt="", class_name="seen-hero-backdrop", decoding="async"),
                ),
                rx.box(class_name="seen-hero-shade"),
                rx.hstack(
                    rx.cond(
                        hero["poster_url"] != "",
                        rx.image(src=hero["poster_url"], alt=hero["title"], class_name="seen-hero-poster"),
                    ),
                    rx.vstack(
                        rx.badge(rx.icon("trending-up", size=13), "Trending now", variant="soft", color_scheme="cyan"),
                        rx.heading(hero["title"], size="8", weight="bold", class_name="seen-hero-title"),
                        rx.hstack(
                            rx.text(hero["type"], size="2"),
                            rx.cond(hero["year"] != "", rx.text(hero["year"], size="2")),
                            rx.cond(
                                hero["rating"] != "",
                                rx.hstack(
                                    rx.icon("star", size=13),
                                    rx.text(hero["rating"], size="2"),
                                    spacing="1",
                                    align="center",
                                ),
                            ),
                            spacing="3",
                            class_name="seen-hero-meta",
                        ),
                        rx.text(hero["overview"], size="3", class_name="seen-hero-overview"),
                        rx.link(rx.button("View details", size="3"), href=hero["href"]),
                        spacing="3",
                        align="start",
                    ),
                    spacing="6",
                    align="end",
                    class_name="seen-hero-body",
                ),
                class_name="seen-hero",
                data_testid="discover-hero",
            ),
        ),
    )


def _section_row(name: str, label: str) -> rx.Component:
    items = DiscoverState.rows[name]
    return rx.el.section(
        rx.hstack(
            rx.heading(label, size="5", weight="medium"),
            rx.spacer(),
            rx.link(
                "See all",
                rx.icon("chevron-right", size=15),
                href=query_url(ROUTE, section=name),
                size="2",
                class_name="seen-see-all",
                aria_label=f"See all {label}",
            ),
            align="center",
            width="100%",
        ),
        rx.cond(
            DiscoverState.loading,
            card_skeletons(7),
            rx.cond(
                items.length() > 0,
                card_row(items),
                rx.text(
                    rx.cond(
                        DiscoverState.catalogue_empty,
                        "Syncing…",
                        f"Nothing in {label} yet: it fills at the next catalogue sync.",
                    ),
                    size="2",
                    class_name="seen-row-empty",
                ),
            ),
        ),
        class_name="seen-section",
        data_testid="discover-row",
        data_section=name,
        aria_label=label,
    )


def _genre_strip() -> rx.Component:
    def chips(kind: str) -> rx.Component:
        return rx.cond(
            DiscoverState.genre_chips[kind].length() > 0,
            rx.hstack(
                rx.text(KIND_NAMES[kind], size="2", weight="medium", class_name="seen-chip-label"),
                rx.box(
                    rx.foreach(
                        DiscoverState.genre_chips[kind],
                        lambda chip: rx.link(
                            chip["label"], href=chip["href"], class_name="seen-chip", underline="none"
                        ),
                    ),
                    class_name="seen-chip-row",
                ),
                align="center",
                spacing="3",
                width="100%",
                data_testid=f"genre-chips-{kind}",
            ),
        )

    return rx.cond(
        DiscoverState.loading,
        rx.fragment(),
        rx.el.section(
            rx.heading("Browse by genre", size="5", weight="medium"),
            *(chips(kind) for kind in KIND_NAMES),
            class_name="seen-section seen-genres",
            aria_label="Browse by genre",
        ),
    )


def _syncing() -> rx.Component:
    return rx.box(
        empty_state(
            "refresh-cw",
            "Syncing the catalogue…",
            "The first sync runs when the server starts and takes a few seconds. This page checks again by "
            "itself; you can also refresh now.",
            rx.button(rx.icon("refresh-cw", size=15), "Refresh", variant="soft", on_click=DiscoverState.refresh),
        ),
        class_name="seen-card",
        width="100%",
        data_testid="discover-syncing",
    )


def _overview() -> rx.Component:
    return rx.vstack(
        rx.cond(~DiscoverState.loading & DiscoverState.catalogue_empty, _syncing()),
        _hero(),
        *(_section_row(name, section.label) for name, section in SECTIONS.items()),
        _genre_strip(),
        spacing="6",
        width="100%",
    )


# -- one section -----------------------------------------------------------------------------------------


def _section_view() -> rx.Component:
    return rx.vstack(
        rx.link(rx.icon("arrow-left", size=15), "Discover", href=ROUTE, size="2", class_name="seen-back-link"),
        rx.heading(DiscoverState.section_label, size="6", weight="bold", data_testid="section-title"),
        rx.hstack(
            rx.cond(
                DiscoverState.kind_options.length() > 0,
                filter_select(
                    "Type",
                    DiscoverState.kind,
                    DiscoverState.kind_options,
                    DiscoverState.choose_kind,
                    any_label="All types",
                    test_id="filter-type",
                ),
            ),
            rx.cond(
                DiscoverState.genre_options.length() > 0,
                filter_select(
                    "Genre",
                    DiscoverState.genre,
                    DiscoverState.genre_options,
                    DiscoverState.choose_genre,
                    any_label="All genres",
                    test_id="filter-genre",
                ),
            ),
            rx.spacer(),
            rx.cond(
                ~DiscoverState.loading,
                rx.text(
                    DiscoverState.total.to_string(),
                    " titles",
                    size="2",
                    color="var(--seen-muted)",
                    data_testid="result-count",
                ),
            ),
            spacing="4",
            align="end",
            wrap="wrap",
            width="100%",
            class_name="seen-filters",
        ),
        rx.cond(
            DiscoverState.loading,
            grid_skeletons(12),
            rx.cond(
                DiscoverState.items.length() > 0,
                rx.vstack(
                    card_grid(DiscoverState.items),
                    rx.cond(
                        DiscoverState.pages > 1,
                        pager(
                            DiscoverState.page, DiscoverState.pages, DiscoverState.prev_href, DiscoverState.next_href
                        ),
                    ),
                    spacing="5",
                    width="100%",
                ),
                rx.box(
                    rx.cond(
                        DiscoverState.catalogue_empty,
                        empty_state(
                            "refresh-cw",
                            "Syncing the catalogue…",
                            "The first sync runs when the server starts; this page checks again by itself.",
                            rx.button("Refresh", variant="soft", on_click=DiscoverState.refresh),
                        ),
                        rx.cond(
                            DiscoverState.total > 0,
                            empty_state(
                                "compass",
                                "Past the last page",
                                "This section has fewer titles than this page number reaches.",
                                rx.link(rx.button("First page", variant="soft"), href=DiscoverState.first_href),
                            ),
                            empty_state(
                                "compass",
                                "Nothing here",
                                "No titles in this section match these filters (yet). Try another genre or type.",
                                rx.link(rx.button("Clear filters", variant="soft"), href=DiscoverState.clear_href),
                            ),
                        ),
                    ),
                    class_name="seen-card",
                    width="100%",
                ),
            ),
        ),
        spacing="4",
        width="100%",
    )


@app_page(ROUTE, "Discover", on_load=[DiscoverState.load])
def discover_page() -> rx.Component:
    return rx.fragment(
        page_header("Discover", "Trending, popular and upcoming movies, shows and games."),
        rx.cond(
            DiscoverState.demo_kinds.length() > 0,
            rx.box(demo_notice(DiscoverState.demo_label, AuthState.is_admin), padding_bottom="20px"),
        ),
        rx.cond(
            DiscoverState.provider_notice != "",
            rx.box(
                rx.callout(DiscoverState.provider_notice, icon="cloud-off", color_scheme="amber", size="1"),
                padding_bottom="20px",
                data_testid="provider-notice",
            ),
        ),
        rx.cond(DiscoverState.section != "", _section_view(), _overview()),
    )
