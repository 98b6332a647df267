"""/app/search?q=...&type=...&page=...: search results for movies, shows, games and people.

The first page also asks the configured providers (TMDB, IGDB) and stores what they find, so a title
not yet in the catalogue can still be found; that runs in the background with a spinner on the page.
Any text is accepted: the query is only ever a bound parameter, and unknown input finds nothing.
"""

from __future__ import annotations

import asyncio
from dataclasses import asdict
from typing import Any

import reflex as rx

from seen.components.catalogue import MAX_PAGE, PagedLinks, int_param, pager, query_url
from seen.components.empty import empty_state, page_header
from seen.components.page import app_page
from seen.components.shell import ShellState
from seen.db import session_scope
from seen.pages.tracking_state import LibraryIdsState
from seen.services import app_settings, catalogue_sync, catalogue_views, search
from seen.services.errors import ServiceError
from seen.state import AuthState

ROUTE = "/app/search"
PAGE_SIZE = 20
MAX_QUERY = 200
TABS = (("all", "All"), ("movie", "Movies"), ("show", "Shows"), ("game", "Games"), ("person", "People"))
TYPE_LABELS = {"movie": "Movie", "show": "Show", "game": "Game", "person": "Person"}


def _ask_providers(query: str, kinds: tuple[str, ...]) -> list[int]:
    """Provider hits stored in the catalogue (our ids); nothing when no provider is configured or they fail."""
    with session_scope() as session:
        settings = app_settings.provider_settings(session=session)
    with catalogue_sync.open_sources(settings) as sources:
        return catalogue_sync.provider_search(query=query, kinds=set(kinds), sources=sources)


def _local_page(query: str, kinds: tuple[str, ...], page: int, extra: list[int]) -> tuple[list[dict[str, Any]], int]:
    with session_scope() as session:
        items, total = catalogue_views.search_page(
            session=session, query=query, kinds=kinds, page=page, page_size=PAGE_SIZE, extra_media_ids=extra
        )
    return [asdict(item) | {"type_label": TYPE_LABELS.get(item.type, "")} for item in items], total


class SearchState(PagedLinks, rx.State):
    query: str = ""
    kind: str = "all"
    items: list[dict[str, Any]] = []
    searching: bool = False
    error: str = ""
    _request: int = 0

    @rx.var
    def has_next(self) -> bool:
        return self.total > self.page * PAGE_SIZE

    @rx.var
    def pages(self) -> int:
        """Known pages: this one, plus the next when there is more (the total is an estimate)."""
        return self.page + 1 if self.total > self.page * PAGE_SIZE else self.page

    @rx.var
    def tab_hrefs(self) -> dict[str, str]:
        return {name: self._href(type=name, page=1) for name, _label in TABS}

    def _href(self, **changes: Any) -> str:
        params: dict[str, Any] = {"q": self.query, "type": self.kind, "page": self.page}
        params.update(changes)
        if params["page"] == 1:
            params["page"] = None
        return query_url(ROUTE, **params)

    @rx.event
    async def load(self):
        auth_state = await self.get_state(AuthState)
        if not auth_state.user_id:
            return None
        params = self.router.url.query_parameters
        self.query = params.get("q", "").strip()[:MAX_QUERY]
        kind = params.get("type", "all")
        self.kind = kind if kind in dict(TABS) else "all"
        self.page = int_param(params.get("page"), high=MAX_PAGE) or 1
        self.items, self.total, self.error = [], 0, ""
        self._request += 1
        # The top bar shows what is being searched for.
        shell = await self.get_state(ShellState)
        shell.show_query(self.query)
        if not search.normalise(self.query):
            self.searching = False
            return None
        self.searching = True
        return SearchState.run

    @rx.event(background=True)
    async def run(self):
        async with self:
            request, query, page = self._request, self.query, self.page
            kinds = catalogue_views.SEARCH_KINDS if self.kind == "all" else (self.kind,)
        error = ""
        try:
            extra = await asyncio.to_thread(_ask_providers, query, kinds) if page == 1 else []
            items, total = await asyncio.to_thread(_local_page, query, kinds, page, extra)
        except ServiceError as failure:
            items, total, error = [], 0, failure.message
        async with self:
            if request != self._request:
                return  # a newer search replaced this one
            self.items, self.total, self.error = items, total, error
            self.searching = False


def _result(item: rx.Var) -> rx.Component:
    return rx.link(
        rx.box(
            rx.cond(
                item["image_url"],
                rx.image(src=item["image_url"], alt="", loading="lazy", class_name="seen-result-thumb-img"),
                rx.match(
                    item["type"],
                    ("person", rx.icon("user", size=18)),
                    ("game", rx.icon("gamepad-2", size=18)),
                    ("show", rx.icon("tv", size=18)),
                    rx.icon("film", size=18),
                ),
            ),
            class_name=rx.cond(item["type"] == "person", "seen-result-thumb seen-round", "seen-result-thumb"),
        ),
        rx.vstack(
            rx.text(item["title"], weight="medium", class_name="seen-result-title"),
            rx.hstack(
                rx.badge(
                    item["type_label"],
                    variant="soft",
                    size="1",
                    color_scheme=rx.match(item["type"], ("game", "violet"), ("person", "gray"), "cyan"),
                ),
                rx.cond(item["year"], rx.text(item["year"].to(str), size="1", color="var(--seen-muted)")),
                rx.cond(
                    (item["type"] != "person") & LibraryIdsState.ids.contains(item["id"]),
                    rx.badge(
                        rx.icon("hard-drive", size=11),
                        "In library",
                        variant="outline",
                        size="1",
                        data_testid="result-in-library",
                    ),
                ),
                spacing="2",
                align="center",
            ),
            spacing="1",
            min_width="0",
        ),
        href=item["href"],
        class_name="seen-result",
        underline="none",
        data_testid="search-result",
    )


def _tabs() -> rx.Component:
    return rx.el.nav(
        *(
            rx.link(
                label,
                href=SearchState.tab_hrefs[name],
                class_name="seen-tab",
                data_active=(SearchState.kind == name).to_string(),
                underline="none",
            )
            for name, label in TABS
        ),
        class_name="seen-tabs",
        aria_label="Result types",
    )


def _body() -> rx.Component:
    return rx.cond(
        SearchState.query == "",
        rx.box(
            empty_state("search", "Search the catalogue", "Type a title or a name in the search box above."),
            class_name="seen-card",
        ),
        rx.vstack(
            rx.heading(
                "Results for “",
                rx.el.span(SearchState.query, data_testid="search-echo"),
                "”",
                size="5",
                weight="medium",
                class_name="seen-break",
            ),
            _tabs(),
            rx.cond(
                SearchState.searching,
                rx.hstack(
                    rx.spinner(size="3"),
                    rx.text("Searching the catalogue and the providers…"),
                    spacing="3",
                    align="center",
                    padding="24px 0",
                    data_testid="search-spinner",
                    role="status",
                ),
                rx.cond(
                    SearchState.items.length() > 0,
                    rx.vstack(
                        rx.box(rx.foreach(SearchState.items, _result), class_name="seen-results"),
                        rx.cond(
                            (SearchState.page > 1) | SearchState.has_next,
                            pager(SearchState.page, SearchState.pages, SearchState.prev_href, SearchState.next_href),
                        ),
                        spacing="5",
                        width="100%",
                    ),
                    rx.box(
                        empty_state(
                            "search-x",
                            "Nothing found",
                            rx.cond(
                                SearchState.error != "",
                                SearchState.error,
                                rx.fragment(
                                    "No title or person matches “",
                                    rx.el.span(SearchState.query, class_name="seen-break"),
                                    "”. Check the spelling or try fewer words.",
                                ),
                            ),
                        ),
                        class_name="seen-card",
                        width="100%",
                        data_testid="search-empty",
                    ),
                ),
            ),
            spacing="4",
            width="100%",
        ),
    )


@app_page(ROUTE, "Search", on_load=[SearchState.load])
def search_page() -> rx.Component:
    return rx.fragment(page_header("Search", "Movies, shows, games and people."), _body())
