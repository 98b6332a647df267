"""A user's collections: named, ordered lists of any titles (movies, shows, games), private unless shared.

Sharing gives the collection an unguessable token; whoever holds its link may read the collection (never
change it). Turning sharing off drops the token, so old links stop working, and sharing again makes a new one.
Like every tracking service, a collection of another user is "not found", never "forbidden".
"""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import delete, func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from seen.models.base import as_utc, utcnow
from seen.models.tracking import Collection, CollectionItem
from seen.models.users import User
from seen.services import user_cache
from seen.services.catalogue_views import MediaCard, cards_for
from seen.services.errors import Conflict, InvalidInput, NotFound
from seen.services.tracking import apply_order, require_media

NAME_MAX_LENGTH = 120
DESCRIPTION_MAX_LENGTH = 2000
COVER_POSTERS = 4  # the cover mosaic of a collection in the list: its first titles' posters
SHARE_TOKEN_BYTES = 32  # 43 URL-safe characters: not guessable, fits the 64-character column
SHARED_PATH = "/shared/collections/{token}"
ANONYMOUS_OWNER = "A /seen/ user"


@dataclass(frozen=True, slots=True)
class CollectionSummary:
    """A collection as its owner sees it in a list: counts and a cover, no items."""

    id: int
    name: str
    description: str
    item_count: int
    cover_urls: list[str]
    shared: bool
    share_token: str | None
    share_path: str | None
    created_at: str
    updated_at: str
    href: str


@dataclass(frozen=True, slots=True)
class CollectionEntry:
    media: MediaCard
    position: int
    added_at: str


@dataclass(frozen=True, slots=True)
class CollectionView:
    """One page of a collection's titles, in the owner's order, with the collection itself."""

    collection: CollectionSummary
    items: list[CollectionEntry]
    total: int


@dataclass(frozen=True, slots=True)
class SharedCollectionView:
    """What a shared link shows: nothing that identifies or lets anyone change the owner's data."""

    name: str
    description: str
    owner_name: str
    updated_at: str
    items: list[MediaCard]
    total: int


def share_path(token: str) -> str:
    return SHARED_PATH.format(token=token)


def collection_href(collection_id: int) -> str:
    return f"/app/collections/{collection_id}"


# -- reading ------------------------------------------------------------------------------------------------


def _owned(session: Session, user_id: uuid.UUID, collection_id: int) -> Collection:
    row = session.exec(select(Collection).where(Collection.id == collection_id, Collection.user_id == user_id)).first()
    if row is None:
        raise NotFound("No such collection")
    return row


def _summaries(session: Session, rows: Sequence[Collection]) -> list[CollectionSummary]:
    """Summaries of several collections in three queries, whatever their number."""
    ids = [row.id for row in rows]
    counts: dict[int, int] = {}
    covers: dict[int, list[int]] = {collection_id: [] for collection_id in ids}
    if ids:
        counts = dict(
            session.exec(
                select(CollectionItem.collection_id, func.count())
                .where(col(CollectionItem.collection_id).in_(ids))
                .group_by(col(CollectionItem.collection_id))
            ).all()
        )
        ranked = (
            select(
                CollectionItem.collection_id,
                CollectionItem.media_id,
                func.row_number()
                .over(
                    partition_by=col(CollectionItem.collection_id),
                    order_by=(col(CollectionItem.position), col(CollectionItem.id)),
                )
                .label("rank"),
            )
            .where(col(CollectionItem.collection_id).in_(ids))
            .subquery()
        )
        for collection_id, media_id in session.exec(
            select(ranked.c.collection_id, ranked.c.media_id)
            .where(ranked.c.rank <= COVER_POSTERS)
            .order_by(ranked.c.collection_id, ranked.c.rank)
        ).all():
            covers[collection_id].append(media_id)
    posters = {
        card.id: card.poster_url
        for card in cards_for(session=session, media_ids=list({m for media in covers.values() for m in media}))
    }
    return [
        CollectionSummary(
            id=row.id,
            name=row.name,
            description=row.description,
            item_count=counts.get(row.id, 0),
            cover_urls=[url for media_id in covers[row.id] if (url := posters.get(media_id))],
            shared=row.share_token is not None,
            share_token=row.share_token,
            share_path=share_path(row.share_token) if row.share_token else None,
            created_at=as_utc(row.created_at).isoformat(),
            updated_at=as_utc(row.updated_at).isoformat(),
            href=collection_href(row.id),
        )
        for row in rows
    ]


def list_collections(*, session: Session, user_id: uuid.UUID) -> list[CollectionSummary]:
    """The user's collections, most recently changed first, with item counts and cover posters."""
    rows = session.exec(
        select(Collection)
        .where(Collection.user_id == user_id)
        .order_by(col(Collection.updated_at).desc(), col(Collection.id).desc())
    ).all()
    return _summaries(session, rows)


def _entries(session: Session, collection_id: int, offset: int, limit: int) -> tuple[list[CollectionItem], int]:
    if offset < 0 or limit < 1:
        raise InvalidInput("offset must be 0 or more and limit 1 or more")
    total = session.exec(select(func.count()).where(CollectionItem.collection_id == collection_id)).one()
    items = session.exec(
        select(CollectionItem)
        .where(CollectionItem.collection_id == collection_id)
        .order_by(col(CollectionItem.position), col(CollectionItem.id))
        .offset(offset)
        .limit(limit)
    ).all()
    return list(items), total


def collection(
    *, session: Session, user_id: uuid.UUID, collection_id: int, offset: int = 0, limit: int = 50
) -> CollectionView:
    """One of the user's collections with a page of its titles in their order."""
    row = _owned(session, user_id, collection_id)
    items, total = _entries(session, collection_id, offset, limit)
    cards = {card.id: card for card in cards_for(session=session, media_ids=[item.media_id for item in items])}
    return CollectionView(
        collection=_summaries(session, [row])[0],
        items=[
            CollectionEntry(cards[item.media_id], item.position, as_utc(item.added_at).isoformat())
            for item in items
            if item.media_id in cards
        ],
        total=total,
    )


def collections_containing(*, session: Session, user_id: uuid.UUID, media_id: int) -> set[int]:
    """Ids of the user's collections holding the title: the check marks of a "add to collection" picker."""
    return set(
        session.exec(
            select(Collection.id)
            .join(CollectionItem, col(CollectionItem.collection_id) == col(Collection.id))
            .where(Collection.user_id == user_id, CollectionItem.media_id == media_id)
        ).all()
    )


def shared_collection(*, session: Session, token: str, offset: int = 0, limit: int = 50) -> SharedCollectionView:
    """The read-only view behind a shared link; an unknown or withdrawn token is not found."""
    row = session.exec(select(Collection).where(Collection.share_token == token)).first() if token else None
    if row is None:
        raise NotFound("This shared collection does not exist or is no longer shared")
    owner = session.get(User, row.user_id)
    items, total = _entries(session, row.id, offset, limit)
    return SharedCollectionView(
        name=row.name,
        description=row.description,
        owner_name=(owner.display_name.strip() if owner else "") or ANONYMOUS_OWNER,
        updated_at=as_utc(row.updated_at).isoformat(),
        items=cards_for(session=session, media_ids=[item.media_id for item in items]),
        total=total,
    )


# -- changing -----------------------------------------------------------------------------------------------


def _clean_name(name: str) -> str:
    cleaned = " ".join(name.split())
    if not cleaned:
        raise InvalidInput("a collection needs a name")
    if len(cleaned) > NAME_MAX_LENGTH:
        raise InvalidInput(f"a collection's name is at most {NAME_MAX_LENGTH} characters")
    return cleaned


def _clean_description(description: str) -> str:
    cleaned = description.strip()
    if len(cleaned) > DESCRIPTION_MAX_LENGTH:
        raise InvalidInput(f"a collection's description is at most {DESCRIPTION_MAX_LENGTH} characters")
    return cleaned


def _refuse_duplicate_name(session: Session, user_id: uuid.UUID, name: str, keep_id: int | None = None) -> None:
    # Compared in Python: SQLite's lower() folds ASCII only, and a user has few collections.
    names = session.exec(select(Collection.id, Collection.name).where(Collection.user_id == user_id)).all()
    if any(other.casefold() == name.casefold() and other_id != keep_id for other_id, other in names):
        raise Conflict(f"You already have a collection named {name!r}", code="duplicate_name")


def _flush_or_conflict(session: Session, message: str, code: str) -> None:
    """Flush; a unique key taken meanwhile by a concurrent request is a conflict, not a crash. No savepoint:
    pysqlite's savepoints would commit early, and the caller's transaction is lost on any error anyway."""
    try:
        session.flush()
    except IntegrityError:
        raise Conflict(message, code=code) from None


def _save(session: Session, row: Collection) -> None:
    row.updated_at = utcnow()
    session.add(row)
    _flush_or_conflict(session, f"You already have a collection named {row.name!r}", "duplicate_name")
    user_cache.after_taste_change(session, row.user_id)


def create_collection(*, session: Session, user_id: uuid.UUID, name: str, description: str = "") -> CollectionSummary:
    cleaned = _clean_name(name)
    _refuse_duplicate_name(session, user_id, cleaned)
    row = Collection(user_id=user_id, name=cleaned, description=_clean_description(description))
    _save(session, row)
    return _summaries(session, [row])[0]


def update_collection(
    *,
    session: Session,
    user_id: uuid.UUID,
    collection_id: int,
    name: str | None = None,
    description: str | None = None,
) -> CollectionSummary:
    """Rename and/or describe a collection; what is left None stays as it was."""
    row = _owned(session, user_id, collection_id)
    if name is not None:
        cleaned = _clean_name(name)
        _refuse_duplicate_name(session, user_id, cleaned, keep_id=row.id)
        row.name = cleaned
    if description is not None:
        row.description = _clean_description(description)
    _save(session, row)
    return _summaries(session, [row])[0]


def delete_collection(*, session: Session, user_id: uuid.UUID, collection_id: int) -> None:
    """The collection and its items (its shared link stops working with it)."""
    row = _owned(session, user_id, collection_id)
    # Items go first, explicitly: correct even on a SQLite connection opened without foreign_keys=ON.
    session.exec(delete(CollectionItem).where(col(CollectionItem.collection_id) == row.id))
    session.delete(row)
    session.flush()
    user_cache.after_taste_change(session, user_id)


def _touch(session: Session, row: Collection) -> None:
    row.updated_at = utcnow()
    session.add(row)
    session.flush()
    user_cache.after_taste_change(session, row.user_id)


def add_to_collection(*, session: Session, user_id: uuid.UUID, collection_id: int, media_id: int) -> bool:
    """Append a title (any kind) to the collection; False when it was already there (nothing changes)."""
    row = _owned(session, user_id, collection_id)
    require_media(session=session, media_id=media_id)
    already = session.exec(
        select(CollectionItem.id).where(
            CollectionItem.collection_id == collection_id, CollectionItem.media_id == media_id
        )
    ).first()
    if already is not None:
        return False
    last = session.exec(
        select(func.max(CollectionItem.position)).where(CollectionItem.collection_id == collection_id)
    ).one()
    session.add(CollectionItem(collection_id=collection_id, media_id=media_id, position=(last or 0) + 1))
    _flush_or_conflict(session, "That title was just added to the collection", "already_added")
    _touch(session, row)
    return True


def remove_from_collection(*, session: Session, user_id: uuid.UUID, collection_id: int, media_id: int) -> None:
    row = _owned(session, user_id, collection_id)
    result = session.exec(
        delete(CollectionItem).where(
            col(CollectionItem.collection_id) == collection_id, col(CollectionItem.media_id) == media_id
        )
    )
    if not result.rowcount:
        raise NotFound("That title is not in this collection")
    _touch(session, row)


def reorder_collection(*, session: Session, user_id: uuid.UUID, collection_id: int, media_ids: Sequence[int]) -> None:
    """The collection in exactly this order: the ids must be its titles, each once."""
    row = _owned(session, user_id, collection_id)
    items = session.exec(select(CollectionItem).where(CollectionItem.collection_id == collection_id)).all()
    apply_order(session=session, rows=items, media_ids=media_ids, list_name="the collection")
    _touch(session, row)


def set_shared(*, session: Session, user_id: uuid.UUID, collection_id: int, shared: bool) -> str | None:
    """Share the collection by link (returns its token; sharing twice keeps the same link) or stop sharing it
    (returns None; the old link stops working and sharing again makes a new one)."""
    row = _owned(session, user_id, collection_id)
    if shared and row.share_token is None:
        row.share_token = secrets.token_urlsafe(SHARE_TOKEN_BYTES)
    elif not shared:
        row.share_token = None
    _touch(session, row)
    return row.share_token
