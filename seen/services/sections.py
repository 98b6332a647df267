"""The Discover sections: their names, labels, the kinds they hold and which sync job fills them."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Section:
    name: str
    label: str
    kinds: tuple[str, ...]
    # The scheduled job that refreshes it: "trending" every 10 minutes, "lists" every 45, "games" hourly.
    job: str


SECTIONS: dict[str, Section] = {
    section.name: section
    for section in (
        Section("trending", "Trending", ("movie", "show"), "trending"),
        Section("popular", "Popular", ("movie", "show"), "lists"),
        Section("top_rated", "Top rated", ("movie", "show"), "lists"),
        Section("upcoming", "Upcoming", ("movie",), "lists"),
        Section("now_playing", "Now playing", ("movie",), "lists"),
        Section("airing_today", "Airing today", ("show",), "lists"),
        Section("recent_games", "Recently released games", ("game",), "games"),
        Section("anticipated_games", "Most anticipated games", ("game",), "games"),
    )
}


def sections_of_job(job: str) -> tuple[Section, ...]:
    return tuple(section for section in SECTIONS.values() if section.job == job)
