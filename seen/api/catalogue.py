"""Catalogue REST: Discover sections, browsing, search, and the detail views (database first)."""

from __future__ import annotations

from typing import Annotated, Literal

import anyio
from fastapi import APIRouter, Path, Query
from pydantic import BaseModel
from sqlmodel import Session

from seen.api.deps import CurrentCaller, Paginated, Pagination, in_session
from seen.config import Settings
from seen.db import session_scope
from seen.services import app_settings, catalogue_sync, catalogue_views
from seen.services.catalogue_views import (
    GenreView,
    MediaCard,
    MediaView,
    PersonView,
    PlatformView,
    SearchItem,
    SeasonView,
)
from seen.services.sections import SECTIONS

router = APIRouter(tags=["catalogue"])

SectionName = Literal[
    "trending", "popular", "top_rated", "upcoming", "now_playing", "airing_today", "recent_games", "anticipated_games"
]
MediaType = Literal["movie", "show", "game"]
SearchType = Literal["movie", "show", "game", "person"]
Sort = Literal["popularity", "rating", "release_date", "title"]
assert set(SectionName.__args__) == set(SECTIONS), "the API's section names follow seen.services.sections"


class Freshness(BaseModel):
    state: str
    notice: str | None = None


class MediaDetailOut(BaseModel):
    media: MediaView
    freshness: Freshness


class SeasonOut(BaseModel):
    season: SeasonView
    freshness: Freshness


class PersonOut(BaseModel):
    person: PersonView
    freshness: Freshness


class SourcesOut(BaseModel):
    sources: dict[str, str]
    demo: bool
    # Set when the last sync of a provider in use failed: the lists shown are older than usual.
    notice: str | None = None


def _paginated(found: catalogue_views.CardPage) -> Paginated[MediaCard]:
    return Paginated[MediaCard](items=found.items, total=found.total, page=found.page, page_size=found.page_size)


@router.get("/discover", response_model=Paginated[MediaCard])
async def discover(
    _: CurrentCaller,
    paging: Pagination,
    section: SectionName,
    type: MediaType | None = None,
    genre: Annotated[int | None, Query(ge=1)] = None,
) -> Paginated[MediaCard]:
    found = await in_session(
        lambda db: catalogue_views.discover_section(
            session=db, section=section, kind=type, genre_id=genre, page=paging.page, page_size=paging.page_size
        )
    )
    return _paginated(found)


def _browse_route(kind: str):
    async def browse(
        _: CurrentCaller,
        paging: Pagination,
        genre: Annotated[int | None, Query(ge=1)] = None,
        year: Annotated[int | None, Query(ge=1800, le=2200)] = None,
        platform: Annotated[int | None, Query(ge=1)] = None,
        sort: Sort = "popularity",
    ) -> Paginated[MediaCard]:
        found = await in_session(
            lambda db: catalogue_views.browse(
                session=db,
                kind=kind,
                genre_id=genre,
                year=year,
                platform_id=platform,
                sort=sort,
                page=paging.page,
                page_size=paging.page_size,
            )
        )
        return _paginated(found)

    return browse


for _kind, _path in (("movie", "/movies"), ("show", "/shows"), ("game", "/games")):
    router.add_api_route(
        _path,
        _browse_route(_kind),
        methods=["GET"],
        response_model=Paginated[MediaCard],
        name=f"browse_{_kind}s",
        summary=f"Browse {_kind}s",
    )


def _settings() -> Settings:
    with session_scope() as session:
        return app_settings.provider_settings(session=session)


def _search_with_providers(query: str, kinds: tuple[str, ...]) -> list[int]:
    with catalogue_sync.open_sources(_settings()) as sources:
        return catalogue_sync.provider_search(query=query, kinds=set(kinds), sources=sources)


@router.get("/search", response_model=Paginated[SearchItem])
async def search(
    _: CurrentCaller,
    paging: Pagination,
    q: Annotated[str, Query(max_length=10_000)],
    type: Annotated[list[SearchType] | None, Query()] = None,
    providers: bool = True,
) -> Paginated[SearchItem]:
    """Local catalogue first; on the first page the configured providers are asked too and what they find
    is stored and appended. Any text is accepted; blank text finds nothing."""
    kinds = tuple(type or catalogue_views.SEARCH_KINDS)
    extra: list[int] = []
    if providers and paging.page == 1 and q.strip():
        extra = await anyio.to_thread.run_sync(_search_with_providers, q[:500], kinds)
    items, total = await in_session(
        lambda db: catalogue_views.search_page(
            session=db, query=q, kinds=kinds, page=paging.page, page_size=paging.page_size, extra_media_ids=extra
        )
    )
    return Paginated[SearchItem](items=items, total=total, page=paging.page, page_size=paging.page_size)


@router.get("/search/suggest", response_model=list[SearchItem])
async def suggest(
    _: CurrentCaller,
    q: Annotated[str, Query(max_length=10_000)],
    type: Annotated[list[SearchType] | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=20)] = 8,
) -> list[SearchItem]:
    return await in_session(lambda db: catalogue_views.suggest(session=db, query=q, kinds=type, limit=limit))


@router.get("/media/{media_id}", response_model=MediaDetailOut)
async def media_detail(media_id: int, _: CurrentCaller) -> MediaDetailOut:
    """Stored details at once; stale ones are refreshed in the background; missing ones are fetched now."""
    freshness = await anyio.to_thread.run_sync(
        lambda: catalogue_sync.ensure_media(media_id=media_id, settings=_settings())
    )
    view = await in_session(lambda db: catalogue_views.media_view(session=db, media_id=media_id))
    return MediaDetailOut(media=view, freshness=Freshness(state=freshness.state, notice=freshness.notice))


@router.get("/media/{media_id}/seasons/{number}", response_model=SeasonOut)
async def season_detail(media_id: int, number: Annotated[int, Path(ge=0, le=10_000)], _: CurrentCaller) -> SeasonOut:
    freshness = await anyio.to_thread.run_sync(
        lambda: catalogue_sync.ensure_season(media_id=media_id, number=number, settings=_settings())
    )
    view = await in_session(lambda db: catalogue_views.season_view(session=db, media_id=media_id, number=number))
    return SeasonOut(season=view, freshness=Freshness(state=freshness.state, notice=freshness.notice))


@router.get("/people/{person_id}", response_model=PersonOut)
async def person_detail(person_id: int, _: CurrentCaller) -> PersonOut:
    freshness = await anyio.to_thread.run_sync(
        lambda: catalogue_sync.ensure_person(person_id=person_id, settings=_settings())
    )
    view = await in_session(lambda db: catalogue_views.person_view(session=db, person_id=person_id))
    return PersonOut(person=view, freshness=Freshness(state=freshness.state, notice=freshness.notice))


@router.get("/genres", response_model=list[GenreView])
async def genres(_: CurrentCaller, type: MediaType | None = None) -> list[GenreView]:
    return await in_session(lambda db: catalogue_views.list_genres(session=db, kind=type))


@router.get("/platforms", response_model=list[PlatformView])
async def platforms(_: CurrentCaller) -> list[PlatformView]:
    return await in_session(lambda db: catalogue_views.list_platforms(session=db))


@router.get("/catalogue/sources", response_model=SourcesOut)
async def sources(_: CurrentCaller) -> SourcesOut:
    """Where each kind of title comes from; `demo` is true while any kind is served by the demo catalogue."""

    def work(db: Session) -> SourcesOut:
        found = catalogue_views.catalogue_sources(session=db)
        return SourcesOut(
            sources=found, demo="demo" in found.values(), notice=catalogue_views.provider_notice(session=db)
        )

    return await in_session(work)
