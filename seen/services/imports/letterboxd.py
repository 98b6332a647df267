"""A Letterboxd export (the zip from Settings > Import & Export) as import items.

- diary.csv: one viewing per row on its "Watched Date" (the day logged when that is empty). Its Rating
  column is the rating given that day; the current ratings come from ratings.csv.
- watched.csv: every film seen, once, dated the day it was logged: it adds a viewing only for films the
  history does not hold yet (most are already there from the diary).
- ratings.csv: ratings in half stars, as ours. watchlist.csv: watch later, in the file's order.
- lists/*.csv: a collection per list (its name and description from the file's preamble), items in order.
- reviews.csv: each review is reported as not imported (we keep no reviews; its viewing is in diary.csv).
Other files of the export (profile, comments, likes, deleted or orphaned entries) are listed as ignored.
"""

from __future__ import annotations

import posixpath

from seen.services.errors import InvalidInput
from seen.services.imports import upload
from seen.services.imports.items import ImportItem, Parsed, TitleRef, parse_day, parse_year, skipped
from seen.services.tracking import RATING_STEPS

TITLE_COLUMNS = ("Name", "Year")
KNOWN = ("diary.csv", "watched.csv", "ratings.csv", "watchlist.csv", "reviews.csv")
REVIEW_REASON = "reviews are not imported (the viewing itself comes from diary.csv)"


def _ref(values: dict[str, str]) -> TitleRef:
    return TitleRef("movie", values.get("Name", "").strip(), parse_year(values.get("Year")))


def parse(data: bytes, *, file_name: str) -> tuple[Parsed, list[dict[str, str]]]:
    """The items of every known file, and the files left out with the reason."""
    if upload.sniff(data) != "zip":
        raise InvalidInput("a Letterboxd export is the .zip file Letterboxd sends; this file is not a zip")
    files = upload.read_zip(data, file_name=file_name)
    by_name = {posixpath.basename(path): path for path in files if posixpath.dirname(path).split("/")[-1] != "lists"}
    if not any(name in by_name for name in KNOWN):
        raise InvalidInput(f"{file_name} holds none of Letterboxd's diary.csv, watched.csv, ratings.csv, watchlist.csv")
    parsed = Parsed()
    used: set[str] = set()

    def rows(name: str, required: tuple[str, ...]) -> list[upload.CsvRow]:
        path = by_name.get(name)
        if path is None:
            return []
        used.add(path)
        text = upload.text_of(files[path], file_name=path)
        return upload.read_csv(text, file_name=path, required=required)

    for row in rows("diary.csv", (*TITLE_COLUMNS, "Date")):
        day = parse_day(row.values.get("Watched Date", "")) or parse_day(row.values.get("Date", ""))
        item = ImportItem("diary.csv", row.line, "watched", _ref(row.values), watched_at=day, date_only=True)
        parsed.items.append(item if day else skipped("diary.csv", row.line, "no readable watched date", item.ref))
    for row in rows("watched.csv", (*TITLE_COLUMNS, "Date")):
        day = parse_day(row.values.get("Date", ""))
        parsed.items.append(
            ImportItem("watched.csv", row.line, "watched_once", _ref(row.values), watched_at=day, date_only=True)
        )
    for row in rows("ratings.csv", (*TITLE_COLUMNS, "Rating")):
        parsed.items.append(_rating(row))
    for row in rows("watchlist.csv", TITLE_COLUMNS):
        parsed.items.append(ImportItem("watchlist.csv", row.line, "watch_later", _ref(row.values)))
    for row in rows("reviews.csv", TITLE_COLUMNS):
        parsed.items.append(skipped("reviews.csv", row.line, REVIEW_REASON, _ref(row.values)))
    for path in sorted(files):
        if posixpath.dirname(path).split("/")[-1] == "lists" and path.endswith(".csv"):
            used.add(path)
            _list(parsed, path, upload.text_of(files[path], file_name=path))
    ignored = [
        {"file": path, "reason": "not part of what we import (profile, comments, likes or deleted entries)"}
        for path in sorted(files)
        if path not in used
    ]
    return parsed, ignored


def _rating(row: upload.CsvRow) -> ImportItem:
    ref = _ref(row.values)
    try:
        rating = float(row.values.get("Rating", ""))
    except ValueError:
        rating = None
    if rating not in RATING_STEPS:
        return skipped(
            "ratings.csv", row.line, f"rating {row.values.get('Rating', '')!r} is not 0.5-5 in half stars", ref
        )
    return ImportItem("ratings.csv", row.line, "rating", ref, rating=rating)


def _list(parsed: Parsed, path: str, text: str) -> None:
    """A list file: an optional "Letterboxd list export" line, the list's own row, a blank line, its items."""
    lines = text.splitlines(keepends=True)
    start = next((index for index, line in enumerate(lines) if line.startswith("Position,")), None)
    if start is None:
        raise InvalidInput(f"{path}: no 'Position,Name,Year,...' header for the list's films")
    header_at = next((index for index, line in enumerate(lines[:start]) if line.startswith("Date,Name")), None)
    name, description = posixpath.splitext(posixpath.basename(path))[0], ""
    if header_at is not None:
        about = upload.read_csv(
            "".join(lines[header_at:start]), file_name=path, required=("Name",), first_line=header_at + 1
        )
        if about:
            name = about[0].values.get("Name", "").strip() or name
            description = about[0].values.get("Description", "").strip()
    name = name[:120]
    parsed.collections.setdefault(name, description[:2000])
    for row in upload.read_csv("".join(lines[start:]), file_name=path, required=TITLE_COLUMNS, first_line=start + 1):
        parsed.items.append(ImportItem(path, row.line, "collection", _ref(row.values), collection=name))
