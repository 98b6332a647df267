"""The caller's collections over REST, and the read-only view behind a shared link (no login needed)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Response, status
from pydantic import BaseModel, Field
from sqlmodel import Session

from seen.api.deps import CurrentCaller, Pagination, in_session
from seen.api.tracking import Added, MediaId, MediaRef, Order
from seen.config import get_settings
from seen.services import collections
from seen.services.catalogue_views import MediaCard
from seen.services.collections import CollectionEntry, CollectionSummary

router = APIRouter(tags=["collections"])

CollectionId = Annotated[int, Path(ge=1, le=2**31 - 1)]
ShareToken = Annotated[str, Path(min_length=1, max_length=64)]
# Generous bounds: the service explains the real limits (120 and 2,000 characters) in its own words.
NameText = Annotated[str, Field(max_length=10_000)]
DescriptionText = Annotated[str, Field(max_length=100_000)]


class CollectionIn(BaseModel):
    name: NameText
    description: DescriptionText = ""


class CollectionChange(BaseModel):
    name: NameText | None = None
    description: DescriptionText | None = None


class CollectionPage(BaseModel):
    collection: CollectionSummary
    items: list[CollectionEntry]
    total: int
    page: int
    page_size: int


class SharedCollectionPage(BaseModel):
    name: str
    description: str
    owner_name: str
    updated_at: str
    items: list[MediaCard]
    total: int
    page: int
    page_size: int


class ShareLink(BaseModel):
    token: str
    path: str  # the app's read-only page for the link
    url: str


@router.get("/collections", response_model=list[CollectionSummary])
async def list_collections(caller: CurrentCaller) -> list[CollectionSummary]:
    """The caller's collections, most recently changed first, with item counts and up to 4 cover posters."""
    return await in_session(lambda db: collections.list_collections(session=db, user_id=caller.user.id))


class Containing(BaseModel):
    collection_ids: list[int]


@router.get("/media/{media_id}/collections", response_model=Containing)
async def collections_containing(media_id: MediaId, caller: CurrentCaller) -> Containing:
    """Which of the caller's collections hold the title: the check marks of an "add to collection" picker."""
    found = await in_session(
        lambda db: collections.collections_containing(session=db, user_id=caller.user.id, media_id=media_id)
    )
    return Containing(collection_ids=sorted(found))


@router.post("/collections", response_model=CollectionSummary, status_code=status.HTTP_201_CREATED)
async def create_collection(body: CollectionIn, caller: CurrentCaller) -> CollectionSummary:
    return await in_session(
        lambda db: collections.create_collection(
            session=db, user_id=caller.user.id, name=body.name, description=body.description
        )
    )


@router.get("/collections/{collection_id}", response_model=CollectionPage)
async def get_collection(collection_id: CollectionId, caller: CurrentCaller, paging: Pagination) -> CollectionPage:
    found = await in_session(
        lambda db: collections.collection(
            session=db,
            user_id=caller.user.id,
            collection_id=collection_id,
            offset=(paging.page - 1) * paging.page_size,
            limit=paging.page_size,
        )
    )
    return CollectionPage(
        collection=found.collection,
        items=found.items,
        total=found.total,
        page=paging.page,
        page_size=paging.page_size,
    )


@router.patch("/collections/{collection_id}", response_model=CollectionSummary)
async def update_collection(
    collection_id: CollectionId, body: CollectionChange, caller: CurrentCaller
) -> CollectionSummary:
    """Rename and/or describe; fields left out stay as they are."""
    return await in_session(
        lambda db: collections.update_collection(
            session=db,
            user_id=caller.user.id,
            collection_id=collection_id,
            name=body.name,
            description=body.description,
        )
    )


@router.delete("/collections/{collection_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_collection(collection_id: CollectionId, caller: CurrentCaller) -> Response:
    await in_session(
        lambda db: collections.delete_collection(session=db, user_id=caller.user.id, collection_id=collection_id)
    )
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/collections/{collection_id}/items", response_model=Added, status_code=status.HTTP_201_CREATED)
async def add_item(collection_id: CollectionId, body: MediaRef, caller: CurrentCaller) -> Added:
    added = await in_session(
        lambda db: collections.add_to_collection(
            session=db, user_id=caller.user.id, collection_id=collection_id, media_id=body.media_id
        )
    )
    return Added(added=added)


@router.put("/collections/{collection_id}/items/order", status_code=status.HTTP_204_NO_CONTENT)
async def reorder_items(collection_id: CollectionId, body: Order, caller: CurrentCaller) -> Response:
    await in_session(
        lambda db: collections.reorder_collection(
            session=db, user_id=caller.user.id, collection_id=collection_id, media_ids=body.media_ids
        )
    )
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.delete("/collections/{collection_id}/items/{media_id}", status_code=status.HTTP_204_NO_CONTENT)
async def remove_item(collection_id: CollectionId, media_id: MediaId, caller: CurrentCaller) -> Response:
    await in_session(
        lambda db: collections.remove_from_collection(
            session=db, user_id=caller.user.id, collection_id=collection_id, media_id=media_id
        )
    )
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/collections/{collection_id}/share", response_model=ShareLink)
async def share(collection_id: CollectionId, caller: CurrentCaller) -> ShareLink:
    """Share read-only by link; sharing an already shared collection returns its existing link."""

    def work(db: Session) -> str:
        token = collections.set_shared(session=db, user_id=caller.user.id, collection_id=collection_id, shared=True)
        assert token is not None  # sharing always yields a token
        return token

    token = await in_session(work)
    path = collections.share_path(token)
    return ShareLink(token=token, path=path, url=get_settings().public_base_url + path)


@router.delete("/collections/{collection_id}/share", status_code=status.HTTP_204_NO_CONTENT)
async def unshare(collection_id: CollectionId, caller: CurrentCaller) -> Response:
    """Stop sharing: the old link stops working at once."""
    await in_session(
        lambda db: collections.set_shared(session=db, user_id=caller.user.id, collection_id=collection_id, shared=False)
    )
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/shared/collections/{token}", response_model=SharedCollectionPage)
async def shared_collection(token: ShareToken, paging: Pagination) -> SharedCollectionPage:
    """A shared collection, read-only, for anyone holding its link (no login)."""
    found = await in_session(
        lambda db: collections.shared_collection(
            session=db, token=token, offset=(paging.page - 1) * paging.page_size, limit=paging.page_size
        )
    )
    return SharedCollectionPage(
        name=found.name,
        description=found.description,
        owner_name=found.owner_name,
        updated_at=found.updated_at,
        items=found.items,
        total=found.total,
        page=paging.page,
        page_size=paging.page_size,
    )
