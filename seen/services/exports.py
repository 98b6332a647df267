"""All of a user's own records, as one JSON document or a zip of CSV files (one per table).

Each row names its title as {kind, title, year, ids: {tmdb, imdb, tvdb, igdb}} so any server, with its own
catalogue ids, can match it again; our import ("seen" source) reads both forms back without loss: the watch
later order, every viewing with its moment and episode, ratings, favourites, playback positions,
collections (name, description, order; sharing is not carried) and the game backlog with all its fields.
"""

from __future__ import annotations

import csv
import io
import uuid
import zipfile
from collections import defaultdict
from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from sqlmodel import Session, col, select

from seen.models import media as catalogue_tables
from seen.models.base import as_utc, utcnow
from seen.models.tracking import (
    Collection,
    CollectionItem,
    Favourite,
    GameBacklogEntry,
    PlaybackProgress,
    Rating,
    WatchEvent,
    WatchLaterItem,
)
from seen.models.users import User
from seen.services.errors import NotFound

FORMAT = "seen-export"
VERSION = 1
ID_PROVIDERS = ("tmdb", "imdb", "tvdb", "igdb")
TITLE_COLUMNS = ("kind", "title", "year", *ID_PROVIDERS)
# The fields of each table beside the title, in CSV column order; the JSON document uses the same names.
TABLE_FIELDS: dict[str, tuple[str, ...]] = {
    "watch_later": ("position", "added_at"),
    "watched": ("season_number", "episode_number", "watched_at"),
    "ratings": ("rating", "rated_at"),
    "favorites": ("added_at",),
    "progress": (
        "season_number",
        "episode_number",
        "position_seconds",
        "duration_seconds",
        "finished_at",
        "updated_at",
    ),
    "collection_items": ("collection", "position", "added_at"),
    "backlog": (
        "status",
        "platform_igdb_id",
        "platform_name",
        "hours_played",
        "completion",
        "started_on",
        "finished_on",
        "notes",
    ),
}
COLLECTION_FIELDS = ("name", "description")


def _moment(value: datetime | None) -> str | None:
    return as_utc(value).isoformat() if value is not None else None


def _day(value: date | None) -> str | None:
    return value.isoformat() if value is not None else None


def _titles(session: Session, media_ids: Iterable[int]) -> dict[int, dict[str, Any]]:
    wanted = sorted(set(media_ids))
    if not wanted:
        return {}
    media = catalogue_tables.MediaItem
    titles: dict[int, dict[str, Any]] = {
        media_id: {"kind": kind, "title": title, "year": year, "ids": dict.fromkeys(ID_PROVIDERS)}
        for media_id, kind, title, year in session.exec(
            select(media.id, media.kind, media.title, media.year).where(col(media.id).in_(wanted))
        )
    }
    external = catalogue_tables.MediaExternalId
    for media_id, provider, value in session.exec(
        select(external.media_id, external.provider, external.external_id).where(col(external.media_id).in_(wanted))
    ):
        if provider in ID_PROVIDERS and media_id in titles:
            titles[media_id]["ids"][provider] = int(value) if provider != "imdb" and value.isdigit() else value
    return titles


def export_json(*, session: Session, user_id: uuid.UUID) -> dict[str, Any]:
    user = session.get(User, user_id)
    if user is None:
        raise NotFound("No such user")
    watch_later = session.exec(
        select(WatchLaterItem).where(WatchLaterItem.user_id == user_id).order_by(col(WatchLaterItem.position))
    ).all()
    watched = session.exec(
        select(WatchEvent).where(WatchEvent.user_id == user_id).order_by(col(WatchEvent.watched_at), col(WatchEvent.id))
    ).all()
    ratings = session.exec(select(Rating).where(Rating.user_id == user_id).order_by(col(Rating.id))).all()
    favourites = session.exec(select(Favourite).where(Favourite.user_id == user_id).order_by(col(Favourite.id))).all()
    progress = session.exec(
        select(PlaybackProgress).where(PlaybackProgress.user_id == user_id).order_by(col(PlaybackProgress.id))
    ).all()
    collections = session.exec(
        select(Collection).where(Collection.user_id == user_id).order_by(col(Collection.created_at), col(Collection.id))
    ).all()
    items_by_collection: dict[int, list[CollectionItem]] = defaultdict(list)
    if collections:
        for item in session.exec(
            select(CollectionItem)
            .where(col(CollectionItem.collection_id).in_([c.id for c in collections]))
            .order_by(col(CollectionItem.position), col(CollectionItem.id))
        ):
            items_by_collection[item.collection_id].append(item)
    backlog = session.exec(
        select(GameBacklogEntry).where(GameBacklogEntry.user_id == user_id).order_by(col(GameBacklogEntry.id))
    ).all()
    platforms = {
        platform.id: platform
        for platform in session.exec(
            select(catalogue_tables.Platform).where(
                col(catalogue_tables.Platform.id).in_({entry.platform_id for entry in backlog if entry.platform_id})
            )
        )
    }
    titles = _titles(
        session,
        [
            *(row.media_id for rows in (watch_later, watched, ratings, favourites, progress, backlog) for row in rows),
            *(item.media_id for items in items_by_collection.values() for item in items),
        ],
    )

    def titled(media_id: int, **fields: Any) -> dict[str, Any]:
        return {**titles[media_id], **fields}

    def platform(entry: GameBacklogEntry) -> dict[str, Any]:
        found = platforms.get(entry.platform_id) if entry.platform_id else None
        return {"platform_igdb_id": found.igdb_id if found else None, "platform_name": found.name if found else None}

    return {
        "format": FORMAT,
        "version": VERSION,
        "exported_at": utcnow().isoformat(),
        "user": {"display_name": user.display_name, "email": user.email},
        "watch_later": [
            titled(row.media_id, position=index, added_at=_moment(row.created_at))
            for index, row in enumerate(watch_later, start=1)
        ],
        "watched": [
            titled(
                row.media_id,
                season_number=row.season_number,
                episode_number=row.episode_number,
                watched_at=_moment(row.watched_at),
            )
            for row in watched
        ],
        "ratings": [titled(row.media_id, rating=row.rating, rated_at=_moment(row.updated_at)) for row in ratings],
        "favorites": [titled(row.media_id, added_at=_moment(row.created_at)) for row in favourites],
        "progress": [
            titled(
                row.media_id,
                # Movies are stored as season 0 episode 0; the export says "no episode" plainly.
                season_number=row.season_number if row.episode_number else None,
                episode_number=row.episode_number or None,
                position_seconds=row.position_seconds,
                duration_seconds=row.duration_seconds,
                finished_at=_moment(row.finished_at),
                updated_at=_moment(row.updated_at),
            )
            for row in progress
        ],
        "collections": [
            {
                "name": collection.name,
                "description": collection.description,
                "items": [
                    titled(item.media_id, position=index, added_at=_moment(item.added_at))
                    for index, item in enumerate(items_by_collection[collection.id], start=1)
                ],
            }
            for collection in collections
        ],
        "backlog": [
            titled(
                entry.media_id,
                status=entry.status,
                **platform(entry),
                hours_played=entry.hours_played,
                completion=entry.completion,
                started_on=_day(entry.started_on),
                finished_on=_day(entry.finished_on),
                notes=entry.notes,
            )
            for entry in backlog
        ],
    }


def _csv(columns: tuple[str, ...], rows: Iterable[dict[str, Any]]) -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    writer.writerow(columns)
    for row in rows:
        flat = {**row, **{provider: (row.get("ids") or {}).get(provider) for provider in ID_PROVIDERS}}
        writer.writerow(["" if flat.get(name) is None else flat[name] for name in columns])
    return buffer.getvalue().encode("utf-8")


def csv_tables(document: dict[str, Any]) -> dict[str, bytes]:
    """The export document as CSV files by name: one per table, collections and their items apart."""
    tables = {
        f"{name}.csv": _csv((*TITLE_COLUMNS, *fields), document[name])
        for name, fields in TABLE_FIELDS.items()
        if name != "collection_items"
    }
    tables["collections.csv"] = _csv(COLLECTION_FIELDS, document["collections"])
    tables["collection_items.csv"] = _csv(
        (*TITLE_COLUMNS, *TABLE_FIELDS["collection_items"]),
        (
            {**item, "collection": collection["name"]}
            for collection in document["collections"]
            for item in collection["items"]
        ),
    )
    return tables


def export_csv_zip(*, session: Session, user_id: uuid.UUID) -> bytes:
    document = export_json(session=session, user_id=user_id)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("export.csv", _csv(("format", "version", "exported_at"), [document]))
        for name, content in csv_tables(document).items():
            archive.writestr(name, content)
    return buffer.getvalue()


def file_name(extension: str, today: date | None = None) -> str:
    """A dated download name: seen-export-2026-11-22.json."""
    return f"seen-export-{(today or utcnow().date()).isoformat()}.{extension}"
