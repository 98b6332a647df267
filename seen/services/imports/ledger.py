"""Applying matched import items to one user's records, idempotently, or only saying what would change.

The user's records are read once when the job starts; every decision then compares an item with them and
with what this job already did, so a dry run and a real run give the same answers, a row repeated in the
file is counted once, and running the same import again finds everything "already there":
- a viewing with a timestamp is there when one of that title/episode has the same moment; a day-only one
  (Letterboxd) when one is on that day. Repeats count: two diary rows on one day are two viewings.
- "seen at some point" rows (Letterboxd watched.csv, Trakt watched) are there when any viewing exists.
- a rating equal to the stored one is there; a different one replaces it ("updated", counted as added).
- watch later, favourites and collection items are there when present; collections are found by name.
- playback positions and backlog entries are there when every field is equal, otherwise replaced.
"""

from __future__ import annotations

import uuid
from collections import Counter
from datetime import date, datetime
from typing import Any

from sqlalchemy import update
from sqlmodel import Session, col, func, select

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
from seen.services import backlog, tracking, user_cache
from seen.services.errors import InvalidInput
from seen.services.imports.items import ImportItem

ADDED, UPDATED, ALREADY, NOT_IMPORTED = "added", "updated", "already_there", "not_imported"
BACKLOG_FIELDS = ("status", "platform_id", "hours_played", "completion", "started_on", "finished_on", "notes")


def _moment_key(moment: datetime) -> str:
    return as_utc(moment).isoformat()


class Ledger:
    def __init__(self, *, session: Session, user_id: uuid.UUID, dry_run: bool) -> None:
        self.session, self.user_id, self.dry_run = session, user_id, dry_run
        self._viewings: Counter[tuple] = Counter()
        self._seen: set[tuple[int, int | None, int | None]] = set()
        for media_id, season, episode, moment in session.exec(
            select(
                WatchEvent.media_id, WatchEvent.season_number, WatchEvent.episode_number, WatchEvent.watched_at
            ).where(WatchEvent.user_id == user_id)
        ):
            self._viewings[("t", media_id, season, episode, _moment_key(moment))] += 1
            self._viewings[("d", media_id, season, episode, as_utc(moment).date())] += 1
            self._seen.add((media_id, season, episode))
        self._in_job: Counter[tuple] = Counter()
        self._ratings = dict(
            session.exec(select(Rating.media_id, Rating.rating).where(Rating.user_id == user_id)).all()
        )
        self._watch_later = set(
            session.exec(select(WatchLaterItem.media_id).where(WatchLaterItem.user_id == user_id)).all()
        )
        self._favourites = set(session.exec(select(Favourite.media_id).where(Favourite.user_id == user_id)).all())
        self._collections: dict[str, Collection] = {
            row.name: row for row in session.exec(select(Collection).where(Collection.user_id == user_id))
        }
        self._collection_items: dict[str, set[int]] = {name: set() for name in self._collections}
        self._next_position: dict[str, int] = dict.fromkeys(self._collections, 1)
        by_id = {row.id: name for name, row in self._collections.items()}
        if by_id:
            for collection_id, media_id, position in session.exec(
                select(CollectionItem.collection_id, CollectionItem.media_id, CollectionItem.position).where(
                    col(CollectionItem.collection_id).in_(by_id)
                )
            ):
                name = by_id[collection_id]
                self._collection_items[name].add(media_id)
                self._next_position[name] = max(self._next_position[name], position + 1)
        self._progress: dict[tuple[int, int, int], PlaybackProgress] = {
            (row.media_id, row.season_number, row.episode_number): row
            for row in session.exec(select(PlaybackProgress).where(PlaybackProgress.user_id == user_id))
        }
        self._backlog: dict[int, GameBacklogEntry] = {
            row.media_id: row
            for row in session.exec(select(GameBacklogEntry).where(GameBacklogEntry.user_id == user_id))
        }
        self._pending_collections: dict[str, str] = {}
        self.changed: set[str] = set()

    # -- collections named by the source --------------------------------------------------------------

    def declare_collections(self, collections: dict[str, str]) -> None:
        """Collections the import fills, created (with the source's description) when a first item lands."""
        for name, description in collections.items():
            if name not in self._collections:
                self._pending_collections[name] = description
                self._collection_items.setdefault(name, set())
                self._next_position.setdefault(name, 1)

    # -- one item ---------------------------------------------------------------------------------------

    def apply(self, item: ImportItem, media_id: int) -> tuple[str, str]:
        """The item's outcome and, when it is not simply added, why."""
        handler = getattr(self, f"_apply_{item.action}")
        try:
            return handler(item, media_id)
        except InvalidInput as error:
            return NOT_IMPORTED, error.message

    def _apply_watched(self, item: ImportItem, media_id: int) -> tuple[str, str]:
        numbers = (item.season_number, item.episode_number)
        moment = item.watched_at
        key = (
            ("d", media_id, *numbers, as_utc(moment).date())
            if item.date_only
            else ("t", media_id, *numbers, _moment_key(moment))
        )
        self._in_job[key] += 1
        if self._in_job[key] <= self._viewings[key]:
            return ALREADY, "this viewing is in the history"
        self._add_viewing(item, media_id)
        return ADDED, ""

    def _apply_watched_once(self, item: ImportItem, media_id: int) -> tuple[str, str]:
        if (media_id, item.season_number, item.episode_number) in self._seen:
            return ALREADY, "the history already has a viewing of it"
        self._add_viewing(item, media_id)
        return ADDED, ""

    def _add_viewing(self, item: ImportItem, media_id: int) -> None:
        numbers = {"season_number": item.season_number, "episode_number": item.episode_number}
        if self.dry_run:
            tracking.require_trackable(session=self.session, media_id=media_id, **numbers)
            tracking.viewing_moment(item.watched_at)
        else:
            tracking.mark_watched(
                session=self.session, user_id=self.user_id, media_id=media_id, watched_at=item.watched_at, **numbers
            )
        self._seen.add((media_id, item.season_number, item.episode_number))

    def _apply_rating(self, item: ImportItem, media_id: int) -> tuple[str, str]:
        stored = self._ratings.get(media_id)
        if stored == item.rating:
            return ALREADY, "the same rating is stored"
        if not self.dry_run:
            tracking.set_rating(session=self.session, user_id=self.user_id, media_id=media_id, rating=item.rating)
            self._stamp(Rating, Rating.updated_at, media_id, item)
        self._ratings[media_id] = item.rating
        return (ADDED, "") if stored is None else (UPDATED, f"replaces your rating of {stored:g}")

    def _apply_watch_later(self, item: ImportItem, media_id: int) -> tuple[str, str]:
        if media_id in self._watch_later:
            return ALREADY, "on your watch later list"
        if not self.dry_run:
            tracking.add_to_watch_later(session=self.session, user_id=self.user_id, media_id=media_id)
            self._stamp(WatchLaterItem, WatchLaterItem.created_at, media_id, item)
        self._watch_later.add(media_id)
        return ADDED, ""

    def _apply_favourite(self, item: ImportItem, media_id: int) -> tuple[str, str]:
        if media_id in self._favourites:
            return ALREADY, "already a favourite"
        if not self.dry_run:
            tracking.set_favourite(session=self.session, user_id=self.user_id, media_id=media_id, favourite=True)
            self._stamp(Favourite, Favourite.created_at, media_id, item)
        self._favourites.add(media_id)
        return ADDED, ""

    def _apply_collection(self, item: ImportItem, media_id: int) -> tuple[str, str]:
        name = item.collection or ""
        if media_id in self._collection_items.setdefault(name, set()):
            return ALREADY, f"already in the collection {name!r}"
        tracking.require_media(session=self.session, media_id=media_id)
        if not self.dry_run:
            collection = self._collection_row(name)
            position = self._next_position.get(name, 1)
            added = CollectionItem(collection_id=collection.id, media_id=media_id, position=position)
            if item.details.get("at") is not None:
                added.added_at = item.details["at"]
            self.session.add(added)
            collection.updated_at = utcnow()
            self.session.add(collection)
            self.changed.add("taste")
        self._next_position[name] = self._next_position.get(name, 1) + 1
        self._collection_items[name].add(media_id)
        return ADDED, ""

    def _collection_row(self, name: str) -> Collection:
        row = self._collections.get(name)
        if row is None:
            row = Collection(user_id=self.user_id, name=name, description=self._pending_collections.pop(name, ""))
            self.session.add(row)
            self.session.flush()
            self._collections[name] = row
        return row

    def _stamp(self, model: Any, column: Any, media_id: int, item: ImportItem) -> None:
        """Keep the source's own moment (when it was rated, listed, favourited) instead of the import's."""
        moment = item.details.get("at")
        if moment is not None:
            self.session.exec(
                update(model)
                .where(col(model.user_id) == self.user_id, col(model.media_id) == media_id)
                .values({column.key: moment})
            )

    def _apply_progress(self, item: ImportItem, media_id: int) -> tuple[str, str]:
        details = item.details
        position, duration = details["position_seconds"], details["duration_seconds"]
        if position < 0 or duration < 0 or (duration and position > duration):
            raise InvalidInput(f"position {position}s is not within the duration {duration}s")
        tracking.require_trackable(
            session=self.session,
            media_id=media_id,
            season_number=item.season_number,
            episode_number=item.episode_number,
        )
        key = (media_id, item.season_number or 0, item.episode_number or 0)
        wanted = {
            "position_seconds": position,
            "duration_seconds": duration,
            "finished_at": details["finished_at"],
            "updated_at": details["updated_at"] or utcnow(),
        }
        row = self._progress.get(key)
        if row is not None and _same(row, wanted):
            return ALREADY, "the same playback position is stored"
        if not self.dry_run:
            row = row or PlaybackProgress(
                user_id=self.user_id, media_id=media_id, season_number=key[1], episode_number=key[2]
            )
            for name, value in wanted.items():
                setattr(row, name, value)
            self.session.add(row)
            self.changed.add("progress")
        self._progress[key] = row or PlaybackProgress(**wanted)
        return (ADDED, "") if row is None or row.id is None else (UPDATED, "replaces the stored playback position")

    def _apply_backlog(self, item: ImportItem, media_id: int) -> tuple[str, str]:
        media = tracking.require_media(session=self.session, media_id=media_id)
        if media.kind != "game":
            raise InvalidInput("only games go in the backlog")
        wanted = _backlog_fields(self.session, item.details)
        row = self._backlog.get(media_id)
        if row is not None and _same(row, wanted):
            return ALREADY, "the same backlog entry is stored"
        existed = row is not None
        if not self.dry_run:
            row = row or GameBacklogEntry(user_id=self.user_id, media_id=media_id, status=wanted["status"])
            for name, value in wanted.items():
                setattr(row, name, value)
            row.updated_at = utcnow()
            self.session.add(row)
            self.changed.add("taste")
        self._backlog[media_id] = row or GameBacklogEntry(media_id=media_id, **wanted)
        return (UPDATED, "replaces the stored backlog entry") if existed else (ADDED, "")

    def finish(self) -> None:
        """Drop the user's cached views once the job's writes commit (the tracking calls did their own)."""
        if "taste" in self.changed:
            user_cache.after_taste_change(self.session, self.user_id)
        if "progress" in self.changed:
            user_cache.after_progress_change(self.session, self.user_id)


def _same(row: Any, wanted: dict[str, Any]) -> bool:
    def plain(value: Any) -> Any:
        return as_utc(value) if isinstance(value, datetime) else value

    return all(plain(getattr(row, name)) == plain(value) for name, value in wanted.items())


def _day(value: Any, name: str) -> date | None:
    if value in (None, ""):
        return None
    try:
        return date.fromisoformat(str(value))
    except ValueError as error:
        raise InvalidInput(f"{name} {value!r} is not a date (YYYY-MM-DD)") from error


def _backlog_fields(session: Session, details: dict[str, Any]) -> dict[str, Any]:
    status, completion = details.get("status"), details.get("completion")
    if status not in backlog.BACKLOG_STATUSES:
        raise InvalidInput(f"unknown backlog status {status!r}")
    if completion is not None and completion not in backlog.COMPLETION_LEVELS:
        raise InvalidInput(f"unknown completion level {completion!r}")
    hours = details.get("hours_played") or 0.0
    if not 0 <= hours <= backlog.MAX_HOURS_PLAYED:
        raise InvalidInput(f"hours played must be 0 to {backlog.MAX_HOURS_PLAYED}")
    platform_id = None
    if details.get("platform_igdb_id") is not None:
        platform_id = session.exec(
            select(catalogue_tables.Platform.id).where(catalogue_tables.Platform.igdb_id == details["platform_igdb_id"])
        ).first()
    return {
        "status": status,
        "platform_id": platform_id,
        "hours_played": float(hours),
        "completion": completion,
        "started_on": _day(details.get("started_on"), "started_on"),
        "finished_on": _day(details.get("finished_on"), "finished_on"),
        "notes": str(details.get("notes") or "")[:4000],
    }


def user_record_count(*, session: Session, user_id: uuid.UUID) -> int:
    """How many rows the user owns across the tracking tables (tests and benchmarks check "nothing added")."""
    total = 0
    for model in (WatchEvent, Rating, WatchLaterItem, Favourite, PlaybackProgress, GameBacklogEntry, Collection):
        total += session.exec(select(func.count()).select_from(model).where(model.user_id == user_id)).one()
    total += session.exec(
        select(func.count())
        .select_from(CollectionItem)
        .join(Collection, col(Collection.id) == col(CollectionItem.collection_id))
        .where(Collection.user_id == user_id)
    ).one()
    return total
