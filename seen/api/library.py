"""The media library over REST: browse, one item, the unmatched queue, a person's match or ignore, rescans and
their progress; and, for admins, the library folders. Thin: the rules live in `seen.services.library` and
`seen.services.library_scan`.

Who may do what: every signed-in user browses the household's library and reads the unmatched queue; only
admins match, ignore or unmatch files (a match changes what everyone sees), ask for scans and read them, and
manage folders (scans and folders touch the server's disks).

Query parameters are snake_case like the rest of the API; the spec's camelCase names (`matchState`,
`mediaType`, `pageSize`) are accepted as well. Bodies take camelCase or snake_case.
"""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Body, Depends, Path, Query, Request, status
from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel

from seen.api.deps import CurrentAdmin, CurrentCaller, PageParams, Pagination, in_session
from seen.models.library import ROOT_KINDS
from seen.services import library, library_scan
from seen.services.library import (
    LibraryCard,
    LibraryItemDetail,
    LibraryPage,
    RescanAccepted,
    RootView,
    ScanView,
    UnmatchedPage,
)

router = APIRouter(prefix="/library", tags=["library"])
admin_router = APIRouter(prefix="/admin/library", tags=["library", "admin"])

ItemId = Annotated[uuid.UUID, Path(description="the library item's id")]
ScanId = Annotated[uuid.UUID, Path(description="the scan's id")]
RootId = Annotated[uuid.UUID, Path(description="the library folder's id")]
QueryText = Annotated[str | None, Query(max_length=200, description="words of the file's path or matched title")]


def _paging(
    request: Request,
    paging: Pagination,
    page_size_camel: Annotated[int | None, Query(alias="pageSize", ge=1, le=100, include_in_schema=False)] = None,
) -> PageParams:
    """The house's page/page_size, with the spec's `pageSize` accepted too (`page_size` wins when both are sent)."""
    if page_size_camel is not None and "page_size" not in request.query_params:
        return PageParams(paging.page, page_size_camel)
    return paging


LibraryPaging = Annotated[PageParams, Depends(_paging)]


class _CamelBody(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, validate_by_name=True, validate_by_alias=True)


class MatchIn(_CamelBody):
    media_id: int = Field(ge=1, le=2**31 - 1, description="the movie or show the file holds")
    force: bool = Field(default=False, description="replace a match to another title")
    season_number: int | None = Field(default=None, ge=0, le=10_000, description="a show's season (0: specials)")
    episode_number: int | None = Field(default=None, ge=1, le=100_000, description="a show's episode")


class RescanIn(_CamelBody):
    paths: list[str] | None = Field(default=None, max_length=100, description="library folders by path")
    root_id: uuid.UUID | None = Field(default=None, description="one library folder by id")


class RootIn(_CamelBody):
    path: str = Field(max_length=4096, description="an absolute path on the server")
    label: str = Field(default="", max_length=200, description="empty: the folder's name")
    kind: str = Field(default="mixed", max_length=16, description=" | ".join(ROOT_KINDS))


@router.get("", response_model=LibraryPage, summary="Browse the library")
async def browse_library(
    _: CurrentCaller,
    paging: LibraryPaging,
    match_state: Annotated[str | None, Query(max_length=16, description="matched | unmatched | ignored")] = None,
    media_type: Annotated[str | None, Query(max_length=16, description="movie | show")] = None,
    query: QueryText = None,
    include_missing: Annotated[bool, Query(description="also files a scan no longer found")] = False,
    match_state_camel: Annotated[str | None, Query(alias="matchState", max_length=16, include_in_schema=False)] = None,
    media_type_camel: Annotated[str | None, Query(alias="mediaType", max_length=16, include_in_schema=False)] = None,
) -> LibraryPage:
    """Cards for the browse grid: file, size, duration, resolution, codecs, match (title, year, poster),
    season/episode, audio and subtitle languages. By title, then season, episode and part."""
    return await in_session(
        lambda db: library.browse(
            session=db,
            match_state=match_state or match_state_camel,
            media_type=media_type or media_type_camel,
            query=query,
            include_missing=include_missing,
            page=paging.page,
            page_size=paging.page_size,
        )
    )


@router.get("/unmatched", response_model=UnmatchedPage, summary="The unmatched queue")
async def unmatched_queue(_: CurrentCaller, paging: LibraryPaging, query: QueryText = None) -> UnmatchedPage:
    """Files no title was sure enough for, newest first, with the matcher's candidates, scores and reasons."""
    return await in_session(
        lambda db: library.unmatched_queue(session=db, query=query, page=paging.page, page_size=paging.page_size)
    )


@router.post(
    "/rescan",
    response_model=RescanAccepted,
    status_code=status.HTTP_202_ACCEPTED,
    summary="Scan library folders (admins)",
    responses={403: {"description": "not an admin"}, 422: {"description": "a path that is not a library folder"}},
)
async def rescan(admin: CurrentAdmin, body: Annotated[RescanIn | None, Body()] = None) -> RescanAccepted:
    """No body: every enabled folder. `{"paths": [...]}`: those folders; `{"rootId"}`: that one. Follow a scan
    at `/library/scans/{id}`; a scan already waiting or running for the same folders is reused."""
    wanted = body or RescanIn()
    return await in_session(
        lambda db: library.rescan(session=db, user=admin.user, paths=wanted.paths, root_id=wanted.root_id)
    )


@router.get("/scans", response_model=list[ScanView], summary="Recent scans (admins)")
async def recent_scans(_: CurrentAdmin, limit: Annotated[int, Query(ge=1, le=100)] = 20) -> list[ScanView]:
    return await in_session(lambda db: library.recent_scans(session=db, limit=limit))


@router.get("/scans/{scan_id}", response_model=ScanView, summary="A scan's progress (admins)")
async def scan_progress(scan_id: ScanId, _: CurrentAdmin) -> ScanView:
    """Files found and done, files per second, matched/unmatched so far, status and a failure's message."""
    return await in_session(lambda db: library.scan_progress(session=db, scan_id=scan_id))


@router.get("/{item_id}", response_model=LibraryItemDetail, summary="One library item")
async def read_item(item_id: ItemId, _: CurrentCaller) -> LibraryItemDetail:
    """The card plus every stream, the matcher's candidates and what the name said."""
    return await in_session(lambda db: library.item_detail(session=db, item_id=item_id))


@router.post(
    "/{item_id}/match",
    response_model=LibraryCard,
    summary="Match a file by hand (admins)",
    responses={
        404: {"description": "no such item or title"},
        409: {"description": "matched to another title and `force` not set"},
        422: {"description": "not a movie or show; a season/episode for a movie"},
    },
)
async def match_item(item_id: ItemId, body: MatchIn, _: CurrentAdmin) -> LibraryCard:
    return await in_session(
        lambda db: library.match_item(
            session=db,
            item_id=item_id,
            media_id=body.media_id,
            force=body.force,
            season_number=body.season_number,
            episode_number=body.episode_number,
        )
    )


@router.post("/{item_id}/ignore", response_model=LibraryCard, summary="Ignore a file (admins)")
async def ignore_item(item_id: ItemId, _: CurrentAdmin) -> LibraryCard:
    """Out of the unmatched queue, for good: scans keep a person's decision."""
    return await in_session(lambda db: library.ignore_item(session=db, item_id=item_id))


@router.post("/{item_id}/unmatch", response_model=LibraryCard, summary="Send a file back to the queue (admins)")
async def unmatch_item(item_id: ItemId, _: CurrentAdmin) -> LibraryCard:
    return await in_session(lambda db: library.unmatch(session=db, item_id=item_id))


@admin_router.get("/roots", response_model=list[RootView], summary="Library folders")
async def list_roots(_: CurrentAdmin) -> list[RootView]:
    """Every folder, those from SEEN_LIBRARY_ROOTS included (`configured`), with its item count."""
    return await in_session(lambda db: library.root_views(session=db))


@admin_router.post(
    "/roots",
    response_model=RootView,
    status_code=status.HTTP_201_CREATED,
    summary="Add a library folder",
    responses={422: {"description": "not absolute, missing, unreadable, nested in or holding another folder"}},
)
async def add_root(body: RootIn, admin: CurrentAdmin) -> RootView:
    """The folder is resolved (symlinks followed) and its first scan queued."""
    return await in_session(
        lambda db: library.add_root(session=db, user=admin.user, path=body.path, label=body.label, kind=body.kind)
    )


@admin_router.delete(
    "/roots/{root_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Remove a library folder",
    responses={409: {"description": "the folder comes from SEEN_LIBRARY_ROOTS"}},
)
async def remove_root(root_id: RootId, _: CurrentAdmin) -> None:
    """Forget the folder and its items; the files stay on disk."""
    await in_session(lambda db: library_scan.remove_root(session=db, root_id=root_id))
