"""IMDb's ratings.csv and watchlist.csv (or a zip holding them), in both header versions.

Before 2024 the Title Type reads `movie`, `tvSeries`...; from 2024 an `Original Title` column follows Title
and the types read `Movie`, `TV Series`. A file with a Position column is a watchlist, otherwise ratings.
IMDb's 1-10 ratings become half stars (rating / 2). Single episodes are not titles here and are reported.
"""

from __future__ import annotations

import posixpath

from seen.providers.models import ExternalIds
from seen.services.errors import InvalidInput
from seen.services.imports import upload
from seen.services.imports.items import ImportItem, Parsed, TitleRef, parse_year, skipped
from seen.services.imports.ratings import half_stars

REQUIRED = ("Const", "Title", "Title Type", "Year")
# Both spellings of each type, compared without case and spaces.
TYPES = {
    "movie": "movie",
    "tvmovie": "movie",
    "tvspecial": "movie",
    "short": "movie",
    "tvshort": "movie",
    "video": "movie",
    "tvseries": "show",
    "tvminiseries": "show",
    "videogame": "game",
}
EPISODE_TYPES = ("tvepisode", "episode")


def parse(data: bytes, *, file_name: str) -> tuple[Parsed, list[dict[str, str]]]:
    kind = upload.sniff(data)
    if kind == "zip":
        files = upload.read_zip(data, file_name=file_name)
        documents = {path: content for path, content in sorted(files.items()) if path.lower().endswith(".csv")}
        ignored = [{"file": path, "reason": "not a CSV file"} for path in sorted(files) if path not in documents]
    elif kind == "csv":
        documents, ignored = {file_name: data}, []
    else:
        raise InvalidInput("IMDb data is its ratings.csv or watchlist.csv export; this file is not a CSV file")
    if not documents:
        raise InvalidInput(f"{file_name} holds no IMDb CSV files")
    parsed = Parsed()
    for path, content in documents.items():
        name = posixpath.basename(path)
        rows = upload.read_csv(upload.text_of(content, file_name=name), file_name=name, required=REQUIRED)
        is_watchlist = bool(rows) and "Position" in rows[0].values
        for row in rows:
            parsed.items.append(_item(name, row, is_watchlist))
    return parsed, ignored


def _item(name: str, row: upload.CsvRow, is_watchlist: bool) -> ImportItem:
    values = row.values
    const = values.get("Const", "").strip()
    title_type = values.get("Title Type", "").replace(" ", "").casefold()
    kind = TYPES.get(title_type)
    ids = ExternalIds(imdb=const) if const.startswith("tt") else ExternalIds()
    ref = TitleRef(kind or "movie", values.get("Title", "").strip(), parse_year(values.get("Year")), ids)
    if title_type in EPISODE_TYPES:
        return skipped(name, row.line, "single episodes are not tracked as titles here", ref)
    if kind is None:
        return skipped(name, row.line, f"IMDb title type {values.get('Title Type', '')!r} is not tracked here", ref)
    if is_watchlist:
        return ImportItem(name, row.line, "watch_later", ref)
    stars = half_stars(values.get("Your Rating"), out_of=10)
    if stars is None:
        return skipped(name, row.line, f"rating {values.get('Your Rating', '')!r} is not 1-10", ref)
    return ImportItem(name, row.line, "rating", ref, rating=stars)
