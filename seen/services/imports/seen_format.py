"""Our own export read back: the JSON document, or the zip of CSV files (see `seen.services.exports`)."""

from __future__ import annotations

from typing import Any

from seen.services import exports
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
from seen.services.tracking import RATING_STEPS

ACTIONS = {
    "watch_later": "watch_later",
    "watched": "watched",
    "ratings": "rating",
    "favorites": "favourite",
    "progress": "progress",
    "collection_items": "collection",
    "backlog": "backlog",
}


def parse(data: bytes, *, file_name: str) -> tuple[Parsed, list[dict[str, str]]]:
    kind = upload.sniff(data)
    if kind == "json":
        document = upload.read_json(data, file_name=file_name)
        if not isinstance(document, dict) or document.get("format") != exports.FORMAT:
            raise InvalidInput(f'{file_name} is not a /seen/ export (no "format": "{exports.FORMAT}")')
        if document.get("version") != exports.VERSION:
            raise InvalidInput(f"{file_name} is a version {document.get('version')!r} export; this server reads 1")
        return _from_document(document, file_name), []
    if kind == "zip":
        return _from_csv_zip(upload.read_zip(data, file_name=file_name), file_name)
    raise InvalidInput("a /seen/ export is the JSON file or the zip of CSV files it downloads; this is neither")


def _rows(document: dict[str, Any], name: str, file_name: str) -> list[dict[str, Any]]:
    rows = document.get(name, [])
    if not isinstance(rows, list) or not all(isinstance(row, dict) for row in rows):
        raise InvalidInput(f'{file_name}: "{name}" must be a list of objects')
    return rows


def _from_document(document: dict[str, Any], file_name: str) -> Parsed:
    tables: dict[str, list[tuple[int, dict[str, Any]]]] = {
        name: list(enumerate(_rows(document, name, file_name), start=1))
        for name in exports.TABLE_FIELDS
        if name != "collection_items"
    }
    collections = _rows(document, "collections", file_name)
    parsed = Parsed()
    items: list[tuple[int, dict[str, Any]]] = []
    for collection in collections:
        name = str(collection.get("name") or "").strip()[:120]
        if not name:
            continue
        parsed.collections.setdefault(name, str(collection.get("description") or "")[:2000])
        inner = collection.get("items") if isinstance(collection.get("items"), list) else []
        items += [(len(items) + 1, {**item, "collection": name}) for item in inner if isinstance(item, dict)]
    tables["collection_items"] = items
    for name, rows in tables.items():
        for line, row in rows:
            parsed.items.append(_item(f"{file_name}:{name}", line, ACTIONS[name], row))
    return parsed


def _from_csv_zip(files: dict[str, bytes], file_name: str) -> tuple[Parsed, list[dict[str, str]]]:
    names = {path.rsplit("/", 1)[-1]: path for path in files}
    if "export.csv" not in names:
        raise InvalidInput(f"{file_name} is not a /seen/ CSV export (export.csv is missing)")
    parsed = Parsed()
    used = {names["export.csv"]}
    if "collections.csv" in names:
        used.add(names["collections.csv"])
        text = upload.text_of(files[names["collections.csv"]], file_name="collections.csv")
        for row in upload.read_csv(text, file_name="collections.csv", required=exports.COLLECTION_FIELDS):
            name = row.values["name"].strip()[:120]
            if name:
                parsed.collections.setdefault(name, row.values["description"][:2000])
    for name, fields in exports.TABLE_FIELDS.items():
        path = names.get(f"{name}.csv")
        if path is None:
            continue
        used.add(path)
        text = upload.text_of(files[path], file_name=f"{name}.csv")
        for row in upload.read_csv(text, file_name=f"{name}.csv", required=(*exports.TITLE_COLUMNS, *fields)):
            values = {key: (value if value != "" else None) for key, value in row.values.items()}
            values["ids"] = {provider: values.get(provider) for provider in exports.ID_PROVIDERS}
            parsed.items.append(_item(f"{name}.csv", row.line, ACTIONS[name], values))
    ignored = [{"file": path, "reason": "not a table of the export"} for path in sorted(files) if path not in used]
    return parsed, ignored


def _number(value: Any, cast: type = int) -> Any:
    if value is None or value == "" or isinstance(value, bool):
        return None
    try:
        return cast(value)
    except (TypeError, ValueError):
        return None


def _item(file: str, line: int, action: str, row: dict[str, Any]) -> ImportItem:
    title = row.get("title")
    ref = TitleRef(
        str(row.get("kind") or ""),
        title.strip() if isinstance(title, str) else "",
        parse_year(row.get("year")),
        external_ids(row.get("ids")),
    )
    item = ImportItem(
        file,
        line,
        action,
        ref,
        season_number=_number(row.get("season_number")),
        episode_number=_number(row.get("episode_number")),
    )
    moment_field = {"watch_later": "added_at", "rating": "rated_at", "favourite": "added_at", "collection": "added_at"}
    if action in moment_field:
        item.details["at"] = parse_moment(row.get(moment_field[action]))
    if action == "watched":
        item.watched_at = parse_moment(row.get("watched_at"))
        if item.watched_at is None:
            return skipped(file, line, f"unreadable watched_at {row.get('watched_at')!r}", ref)
    elif action == "rating":
        item.rating = _number(row.get("rating"), float)
        if item.rating not in RATING_STEPS:
            return skipped(file, line, f"rating {row.get('rating')!r} is not 0.5-5 in half stars", ref)
    elif action == "collection":
        item.collection = str(row.get("collection") or "").strip()[:120] or None
        if item.collection is None:
            return skipped(file, line, "the item names no collection", ref)
    elif action == "progress":
        item.details = {
            "position_seconds": _number(row.get("position_seconds")),
            "duration_seconds": _number(row.get("duration_seconds")),
            "finished_at": parse_moment(row.get("finished_at")),
            "updated_at": parse_moment(row.get("updated_at")),
        }
        if item.details["position_seconds"] is None or item.details["duration_seconds"] is None:
            return skipped(file, line, "position_seconds and duration_seconds must be whole numbers", ref)
    elif action == "backlog":
        item.details = {
            "status": row.get("status"),
            "platform_igdb_id": _number(row.get("platform_igdb_id")),
            "hours_played": _number(row.get("hours_played"), float) or 0.0,
            "completion": row.get("completion") or None,
            "started_on": row.get("started_on") or None,
            "finished_on": row.get("finished_on") or None,
            "notes": row.get("notes") or "",
        }
    return item
