"""What a file name says: one frozen dataclass, the same shape for movies, episodes and extras."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

NameType = Literal["movie", "episode", "extra", "unknown"]

# The keys of `to_json`, in this order (the CLI prints exactly these).
JSON_KEYS = (
    "input",
    "type",
    "title",
    "year",
    "season",
    "episode",
    "absolute_episode",
    "air_date",
    "edition",
    "tmdb_id",
    "imdb_id",
)


@dataclass(frozen=True, slots=True)
class ParsedName:
    input: str
    type: NameType = "unknown"
    title: str | None = None
    year: int | None = None
    season: int | None = None
    # One number, or a list for a multi-episode file (S01E01E02 -> [1, 2]).
    episode: int | list[int] | None = None
    # An episode number with no season (anime and long-running shows numbered from the first episode).
    absolute_episode: int | None = None
    # "YYYY-MM-DD" for date-based shows (talk shows, news).
    air_date: str | None = None
    edition: str | None = None
    tmdb_id: int | None = None
    imdb_id: str | None = None
    # Not in to_json, kept for the scanner: the stacking part (cd1, part2, disc2) and the kind of extra.
    part: int | None = None
    extra_kind: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {key: getattr(self, key) for key in JSON_KEYS}
