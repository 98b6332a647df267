"""The Movies, Shows and Games pages: everything stored of one kind, filtered, sorted and paginated.

The three routes share one state; the route's on_load says which kind it shows. Filters live in the URL
(`/app/movies?genre=18&year=1999&sort=rating&page=2`), so links, reloads and the back button keep them.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import date
from typing import Any

import reflex as rx

from seen.components.catalogue import (
    ANY,
    MAX_PAGE,
    PagedLinks,
    filter_select,
    grid_skeletons,
    int_param,
    page_count,
    pager,
    query_url,
)
from seen.components.empty import empty_state, page_header
from seen.components.media_card import card_grid
from seen.components.page import app_page
from seen.db import session_scope
from seen.services import catalogue_views
from seen.services.errors import ServiceError
from seen.state import AuthState

PAGE_SIZE = 24
ROUTES = {"movie": "/app/movies", "show": "/app/shows", "game": "/app/games"}
SORT_OPTIONS = [
    {"value": "popularity", "label": "Popularity"},
    {"value": "rating", "label": "Rating"},
    {"value": "release_date", "label": "Release date"},
    {"value": "title", "label": "Title"},
]
SORTS = {option["value"] for option in SORT_OPTIONS}
MIN_YEAR = 1870


class BrowseState(PagedLinks, rx.State):
    kind: str = "movie"
    loading: bool = True
    genre: str = ANY
    year: str = ""
    platform: str = ANY
    sort: str = "popularity"
    items: list[dict[str, Any]] = []
    genre_options: list[dict[str, str]] = []
    platform_options: list[dict[str, str]] = []
    year_error: str = ""

    @rx.var
    def pages(self) -> int:
        return page_count(self.total, PAGE_SIZE)

    @rx.var
    def first_href(self) -> str:
        return self._href(page=1)

    @rx.var
    def filtered(self) -> bool:
        return self.genre != ANY or self.year != "" or self.platform != ANY

    @rx.var
    def clear_href(self) -> str:
        return ROUTES.get(self.kind, "/app/movies")

    def _href(self, **changes: Any) -> str:
        params: dict[str, Any] = {
            "genre": self.genre,
            "year": self.year,
            "platform": self.platform if self.kind == "game" else None,
            "sort": self.sort,
            "page": self.page,
        }
        params.update(changes)
        if params["sort"] == "popularity":
            params["sort"] = None
        if params["page"] == 1:
            params["page"] = None
        return query_url(ROUTES.get(self.kind, "/app/movies"), **params)

    def _read_query(self) -> None:
        params = self.router.url.query_parameters
        genre = int_param(params.get("genre"))
        self.genre = str(genre) if genre else ANY
        year = int_param(params.get("year"), low=MIN_YEAR, high=date.today().year + 20)
        self.year = str(year) if year else ""
        platform = int_param(params.get("platform")) if self.kind == "game" else None
        self.platform = str(platform) if platform else ANY
        sort = params.get("sort", "")
        self.sort = sort if sort in SORTS else "popularity"
        self.page = int_param(params.get("page"), high=MAX_PAGE) or 1

    def _fill(self) -> None:
        with session_scope() as session:
            self.genre_options = [
                {"value": str(genre.id), "label": genre.name}
                for genre in catalogue_views.list_genres(session=session, kind=self.kind)
            ]
            self.platform_options = (
                [
                    {"value": str(platform.id), "label": platform.name}
                    for platform in catalogue_views.list_platforms(session=session)
                ]
                if self.kind == "game"
                else []
            )
            try:
                found = catalogue_views.browse(
                    session=session,
                    kind=self.kind,
                    genre_id=None if self.genre == ANY else int(self.genre),
                    year=int(self.year) if self.year else None,
                    platform_id=None if self.platform == ANY else int(self.platform),
                    sort=self.sort,
                    page=self.page,
                    page_size=PAGE_SIZE,
                )
            except ServiceError:
                self.items, self.total = [], 0
                return
        self.total = found.total
        self.items = [asdict(item) for item in found.items]

    @rx.event
    async def load(self, kind: str):
        auth_state = await self.get_state(AuthState)
        if not auth_state.user_id or kind not in ROUTES:
            return
        if kind != self.kind:
            self.items, self.total, self.genre_options, self.platform_options = [], 0, [], []
        self.kind = kind
        self.year_error = ""
        self._read_query()
        self.loading = True
        yield
        self._fill()
        self.loading = False

    @rx.event
    def choose_genre(self, value: str):
        return rx.redirect(self._href(genre=value, page=1))

    @rx.event
    def choose_platform(self, value: str):
        return rx.redirect(self._href(platform=value, page=1))

    @rx.event
    def choose_sort(self, value: str):
        return rx.redirect(self._href(sort=value if value in SORTS else "popularity", page=1))

    @rx.event
    def choose_year(self, form_data: dict):
        text = str(form_data.get("year", "")).strip()
        if not text:
            self.year_error = ""
            return rx.redirect(self._href(year="", page=1)) if self.year else None
        year = int_param(text, low=MIN_YEAR, high=date.today().year + 20)
        if year is None:
            self.year_error = f"Enter a year between {MIN_YEAR} and {date.today().year + 20}."
            return None
        self.year_error = ""
        if str(year) == self.year:
            return None
        return rx.redirect(self._href(year=str(year), page=1))


def _year_filter() -> rx.Component:
    return rx.form(
        rx.vstack(
            rx.text("Year", size="1", color="var(--seen-muted)"),
            rx.hstack(
                rx.input(
                    name="year",
                    placeholder="Any year",
                    default_value=BrowseState.year,
                    key=BrowseState.year,
                    input_mode="numeric",
                    max_length=4,
                    width="110px",
                    aria_label="Year",
                    data_testid="filter-year",
                ),
                rx.button("Apply", type="submit", variant="soft", size="2"),
                spacing="2",
            ),
            spacing="1",
        ),
        on_submit=BrowseState.choose_year,
        reset_on_submit=False,
        class_name="seen-filter",
        width="auto",
    )


def _filters(kind: str) -> rx.Component:
    return rx.vstack(
        rx.hstack(
            filter_select(
                "Genre",
                BrowseState.genre,
                BrowseState.genre_options,
                BrowseState.choose_genre,
                any_label="All genres",
                test_id="filter-genre",
            ),
            _year_filter(),
            rx.cond(
                BrowseState.platform_options.length() > 0,
                filter_select(
                    "Platform",
                    BrowseState.platform,
                    BrowseState.platform_options,
                    BrowseState.choose_platform,
                    any_label="All platforms",
                    test_id="filter-platform",
                ),
            )
            if kind == "game"
            else rx.fragment(),
            filter_select("Sort by", BrowseState.sort, SORT_OPTIONS, BrowseState.choose_sort, test_id="filter-sort"),
            rx.spacer(),
            rx.cond(
                BrowseState.filtered,
                rx.link(
                    rx.button(rx.icon("x", size=14), "Clear filters", variant="ghost", size="2"),
                    href=BrowseState.clear_href,
                ),
            ),
            rx.cond(
                ~BrowseState.loading,
                rx.text(
                    BrowseState.total.to_string(),
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
        ),
        rx.cond(
            BrowseState.year_error != "", rx.text(BrowseState.year_error, size="2", color="var(--red-11)", role="alert")
        ),
        spacing="2",
        width="100%",
        class_name="seen-filters",
    )


def _results(icon: str, noun: str) -> rx.Component:
    return rx.cond(
        BrowseState.loading,
        grid_skeletons(12),
        rx.cond(
            BrowseState.items.length() > 0,
            rx.vstack(
                card_grid(BrowseState.items),
                rx.cond(
                    BrowseState.pages > 1,
                    pager(BrowseState.page, BrowseState.pages, BrowseState.prev_href, BrowseState.next_href),
                ),
                spacing="5",
                width="100%",
            ),
            rx.box(
                rx.cond(
                    BrowseState.total > 0,
                    empty_state(
                        icon,
                        "Past the last page",
                        f"There are fewer {noun} than this page number reaches.",
                        rx.link(rx.button("First page", variant="soft"), href=BrowseState.first_href),
                    ),
                    rx.cond(
                        BrowseState.filtered,
                        empty_state(
                            icon,
                            f"No {noun} match these filters",
                            "Try another genre or year, or clear the filters.",
                            rx.link(rx.button("Clear filters", variant="soft"), href=BrowseState.clear_href),
                        ),
                        empty_state(
                            icon,
                            f"No {noun} in the catalogue yet",
                            "The catalogue fills from TMDB and IGDB (or the bundled demo catalogue) as it syncs.",
                            rx.link(rx.button("Open Discover", variant="soft"), href="/app/discover"),
                        ),
                    ),
                ),
                class_name="seen-card",
                width="100%",
            ),
        ),
    )


def browse_page(
    kind: str, title: str, subtitle: str, icon: str, noun: str, *, above: rx.Component | None = None
) -> None:
    """Register the browse page of one kind at its route; `above` goes between the header and the filters
    (the games page's catalogue / backlog switch)."""

    @app_page(ROUTES[kind], title, on_load=[BrowseState.load(kind)])
    def body() -> rx.Component:
        return rx.fragment(
            page_header(title, subtitle),
            above if above is not None else rx.fragment(),
            # The state is shared by the three pages: until it holds this kind, show the placeholders.
            rx.cond(
                BrowseState.kind == kind,
                rx.vstack(_filters(kind), _results(icon, noun), spacing="5", width="100%"),
                grid_skeletons(12),
            ),
        )
