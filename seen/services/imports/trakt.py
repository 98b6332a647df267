"""Trakt data (API v2 shapes, as exported by Trakt or by backup tools) as import items.

A zip of JSON files or a single JSON file. Each entry is recognised by its shape, not by the file's name:
- history (`watched_at` + `action`): one viewing at that moment; episodes carry their show and numbers.
- watched movies / shows (`plays`, `last_watched_at`): seen at some point, so a viewing is added only when
  the history has none of that movie or episode (plays beyond the last cannot be dated, so are not made up).
- ratings (`rated_at`, 1-10): halved into our half stars; seasons and episodes are not rated here.
- watchlist (`listed_at`): watch later for movies and shows; a file of a personal list (not named
  "watchlist", inside a zip) becomes a collection named after it.
Playback positions (a percentage without a duration) and owned-media collections have no counterpart here
and are reported as not imported, each with its reason.
"""

from __future__ import annotations

import posixpath
from typing import Any

from seen.services.errors import InvalidInput
from seen.services.imports import upload
from seen.services.imports.items import (
    ImportItem,
    Parsed,
    TitleRef,
    external_ids,
    parse_moment,
    parse_year,
    skipped,
)
from seen.services.imports.ratings import half_stars

KINDS = {"movie": "movie", "show": "show", "episode": "show"}
SHAPE_KEYS = frozenset({"watched_at", "plays", "rated_at", "listed_at", "progress", "collected_at"})


def parse(data: bytes, *, file_name: str) -> tuple[Parsed, list[dict[str, str]]]:
    kind = upload.sniff(data)
    if kind == "zip":
        files = upload.read_zip(data, file_name=file_name)
        documents = {path: content for path, content in sorted(files.items()) if path.lower().endswith(".json")}
        ignored = [{"file": path, "reason": "not a JSON file"} for path in sorted(files) if path not in documents]
        if not documents:
            raise InvalidInput(f"{file_name} holds no Trakt JSON files")
        in_zip = True
    elif kind == "json":
        documents, ignored, in_zip = {file_name: data}, [], False
    else:
        raise InvalidInput("Trakt data is a JSON file or a zip of JSON files; this file is neither")
    parsed = Parsed()
    for path, content in documents.items():
        document = upload.read_json(content, file_name=path)
        if not _is_tracking_data(document):
            if not in_zip:
                raise InvalidInput(f"{path} is not a list of Trakt history, watched, ratings or watchlist entries")
            ignored.append({"file": path, "reason": "not Trakt history, watched, ratings or watchlist entries"})
            continue
        list_name = _list_name(path) if in_zip and "watchlist" not in path.lower() else None
        for index, entry in enumerate(document, start=1):
            for item in _entry(path, index, entry, list_name):
                if item.collection:
                    parsed.collections.setdefault(item.collection, "")
                parsed.items.append(item)
    return parsed, ignored


def _is_tracking_data(document: Any) -> bool:
    """A list whose entries have the shape of tracking data (profiles, friends, list details do not)."""
    return isinstance(document, list) and any(
        isinstance(entry, dict) and not SHAPE_KEYS.isdisjoint(entry) for entry in document
    )


def _list_name(path: str) -> str:
    stem = posixpath.splitext(posixpath.basename(path))[0]
    if stem == "items":  # the API's users/{me}/lists/{slug}/items layout
        stem = posixpath.basename(posixpath.dirname(path)) or stem
    return stem.replace("-", " ").replace("_", " ").strip()[:120] or "Trakt list"


def _ref(entry: dict[str, Any], kind: str) -> TitleRef:
    title = entry.get("show" if kind == "show" else "movie")
    title = title if isinstance(title, dict) else {}
    name = title.get("title")
    return TitleRef(
        kind,
        name.strip() if isinstance(name, str) else "",
        parse_year(title.get("year")),
        external_ids(title.get("ids")),
    )


def _numbers(entry: dict[str, Any]) -> tuple[int | None, int | None]:
    episode = entry.get("episode") if isinstance(entry.get("episode"), dict) else {}
    season, number = episode.get("season"), episode.get("number")
    valid = isinstance(season, int) and isinstance(number, int) and not isinstance(season, bool)
    return (season, number) if valid else (None, None)


def _entry(path: str, line: int, entry: Any, list_name: str | None) -> list[ImportItem]:
    if not isinstance(entry, dict):
        return [skipped(path, line, "not a Trakt entry (expected an object)")]
    entry_type = entry.get("type") or ("show" if "show" in entry else "movie" if "movie" in entry else None)
    if "plays" in entry and "seasons" in entry:
        return _watched_show(path, line, entry)
    if entry_type == "season":
        return [
            skipped(path, line, "single seasons are not rated or listed here, only whole titles", _ref(entry, "show"))
        ]
    kind = KINDS.get(entry_type) if isinstance(entry_type, str) else None
    if kind is None:
        return [skipped(path, line, f"Trakt entries of type {entry_type!r} are not imported")]
    ref = _ref(entry, kind)
    season, number = _numbers(entry) if entry_type == "episode" else (None, None)
    if entry_type == "episode" and season is None:
        return [skipped(path, line, "the episode's season and number are missing", ref)]
    item = ImportItem(path, line, "skip", ref, season_number=season, episode_number=number)
    # When it was rated or listed at Trakt is kept as the moment of our rating or list entry.
    item.details["at"] = parse_moment(entry.get("rated_at") or entry.get("listed_at"))
    if "watched_at" in entry:
        return [_dated(item, "watched", entry.get("watched_at"))]
    if "plays" in entry:
        return [_dated(item, "watched_once", entry.get("last_watched_at"))]
    if "rated_at" in entry:
        return [_rating(item, entry, entry_type)]
    if "listed_at" in entry:
        if entry_type == "episode":
            return [skipped(path, line, "single episodes cannot be put on a list here, only whole titles", ref)]
        item.action, item.collection = ("collection", list_name) if list_name else ("watch_later", None)
        return [item]
    if "progress" in entry:
        return [skipped(path, line, "Trakt playback positions are a percentage without a duration: not imported", ref)]
    if "collected_at" in entry:
        return [skipped(path, line, "owned-media collections have no counterpart here", ref)]
    return [skipped(path, line, "unrecognised Trakt entry", ref)]


def _dated(item: ImportItem, action: str, value: Any) -> ImportItem:
    moment = parse_moment(value)
    if moment is None:
        return skipped(item.file, item.line, f"unreadable date {value!r}", item.ref)
    item.action, item.watched_at = action, moment
    return item


def _rating(item: ImportItem, entry: dict[str, Any], entry_type: str) -> ImportItem:
    if entry_type == "episode" or item.season_number is not None:
        return skipped(item.file, item.line, "ratings of single episodes are not kept, only of whole titles", item.ref)
    stars = half_stars(entry.get("rating"), out_of=10)
    if stars is None:
        return skipped(item.file, item.line, f"rating {entry.get('rating')!r} is not 1-10", item.ref)
    item.action, item.rating = "rating", stars
    return item


def _watched_show(path: str, line: int, entry: dict[str, Any]) -> list[ImportItem]:
    ref = _ref(entry, "show")
    items: list[ImportItem] = []
    seasons = entry.get("seasons") if isinstance(entry.get("seasons"), list) else []
    for season in seasons:
        if not isinstance(season, dict) or not isinstance(season.get("number"), int):
            continue
        for episode in season.get("episodes") or []:
            if not isinstance(episode, dict) or not isinstance(episode.get("number"), int):
                continue
            item = ImportItem(path, line, "skip", ref, season_number=season["number"], episode_number=episode["number"])
            items.append(_dated(item, "watched_once", episode.get("last_watched_at") or entry.get("last_watched_at")))
    return items or [skipped(path, line, "the show lists no watched episodes", ref)]
