"""What the title, season and person pages share: reading the route's id, shaping the catalogue's views
into the dicts the components draw, and the database-first load.

The load is two steps. `load` (on_load) serves what is stored at once. Then `fetch`, a background event, asks
`catalogue_sync.ensure_*`: fresh data is kept, stale data stays on screen while a job refreshes it (the page
says so quietly), missing details are fetched now and the view is read again; a failed fetch leaves the
notice on the page, never a blank one.
"""

from __future__ import annotations

import asyncio
from dataclasses import asdict
from datetime import date
from typing import Any, ClassVar

import reflex as rx

from seen.db import session_scope
from seen.services import app_settings, catalogue_sync, catalogue_views
from seen.services.catalogue_views import MediaView
from seen.services.errors import NotFound

KIND_LABELS = {"movie": "Movie", "show": "Series", "game": "Game"}
BACK = {
    "movie": ("Movies", "/app/movies"),
    "show": ("Shows", "/app/shows"),
    "game": ("Games", "/app/games"),
}
RELEASE_TYPES = {
    "premiere": "Premiere",
    "theatrical_limited": "Limited theatrical",
    "theatrical": "Theatrical",
    "digital": "Digital",
    "physical": "Physical",
    "tv": "TV",
}
BEAT_LABELS = (("hastily", "Rushed"), ("normally", "Normal"), ("completely", "Completionist"))


# -- formatting -----------------------------------------------------------------------------------------------


def route_id(text: str | list | None) -> int | None:
    """A positive integer id from a route segment, or None for anything else."""
    if not isinstance(text, str) or not text.isascii() or not text.isdigit() or len(text) > 12:
        return None
    value = int(text)
    return value if value > 0 else None


def format_date(iso: str | None) -> str:
    if not iso:
        return ""
    try:
        return date.fromisoformat(iso).strftime("%-d %b %Y")
    except ValueError:
        return iso


def format_runtime(minutes: int | None) -> str:
    if not minutes:
        return ""
    hours, rest = divmod(int(minutes), 60)
    if not hours:
        return f"{rest} min"
    return f"{hours}h {rest:02d}m" if rest else f"{hours}h"


def format_hours(hours: float) -> str:
    return f"{hours:g} h"


def _rating(value: float | None, votes: int | None) -> str:
    if not value or votes == 0:  # an unreleased title's 0.0 is no rating
        return ""
    text = f"{value:.1f}"
    if votes:
        text += f" ({votes:,} votes)"
    return text


def _status(view: MediaView) -> str:
    return (view.status or "").replace("_", " ").strip().capitalize()


def hero_of(view: MediaView) -> dict[str, Any]:
    kicker = [KIND_LABELS.get(view.type, view.type)]
    if view.year:
        kicker.append(str(view.year))
    if view.type == "show" and view.number_of_seasons:
        kicker.append(f"{view.number_of_seasons} season{'s' if view.number_of_seasons != 1 else ''}")
    return {
        "title": view.title,
        "original_title": view.original_title or "",
        "kicker": " · ".join(kicker),
        "tagline": view.tagline or "",
        "overview": view.overview or "",
        "rating": _rating(view.vote_average, view.vote_count),
        "runtime": format_runtime(view.runtime),
        "date": format_date(view.release_date),
        "status": _status(view),
        "genres": [genre.name for genre in view.genres],
        "poster_url": view.poster_url or "",
        "backdrop_url": view.backdrop_url or "",
    }


def _fact(label: str, value: str | None) -> dict[str, str] | None:
    return {"label": label, "value": value} if value else None


def companies_with(view: MediaView, role: str) -> list[str]:
    return [str(company["name"]) for company in view.companies if role in (company.get("roles") or [])]


def facts_of(view: MediaView) -> list[dict[str, str]]:
    """The facts box: what the kind of title is usually asked about."""
    language = (view.original_language or "").upper()
    rows: list[dict[str, str] | None]
    if view.type == "movie":
        rows = [
            _fact("Released", format_date(view.release_date)),
            _fact("Runtime", format_runtime(view.runtime)),
            _fact("Status", _status(view)),
            _fact("Original title", view.original_title),
            _fact("Original language", language),
            _fact("Directed by", ", ".join(c.name for c in view.crew if (c.job or "").lower() == "director")),
            _fact(
                "Written by", ", ".join(c.name for c in view.crew if (c.job or "").lower() in ("writer", "screenplay"))
            ),
            _fact("Production", ", ".join(companies_with(view, "production"))),
            _fact("IMDb", view.external_ids.get("imdb")),
        ]
    elif view.type == "show":
        rows = [
            _fact("First aired", format_date(view.release_date)),
            _fact("Status", _status(view)),
            _fact("Seasons", str(view.number_of_seasons) if view.number_of_seasons else None),
            _fact("Episodes", str(view.number_of_episodes) if view.number_of_episodes else None),
            _fact("Episode runtime", format_runtime(view.runtime)),
            _fact("Networks", ", ".join(view.networks)),
            _fact("Created by", ", ".join(c.name for c in view.crew if (c.job or "").lower() == "creator")),
            _fact("Original language", language),
        ]
    else:
        rows = [
            _fact("First released", format_date(view.release_date)),
            _fact("Status", _status(view)),
            _fact("Platforms", ", ".join(p.name for p in view.platforms)),
            _fact("Developers", ", ".join(companies_with(view, "developer"))),
            _fact("Publishers", ", ".join(companies_with(view, "publisher"))),
            _fact("Franchises", ", ".join(view.franchises)),
        ]
    return [row for row in rows if row]


def releases_of(view: MediaView) -> list[dict[str, str]]:
    """Release rows for the table. A game with no per-platform dates still shows its first release."""
    rows = [
        {
            "date": format_date(release.date) or "To be announced",
            "country": release.country or "—",
            "platform": release.platform or "—",
            "type": RELEASE_TYPES.get(release.type or "", (release.type or "").replace("_", " ").capitalize()),
            "note": release.note or "",
        }
        for release in view.release_dates
    ]
    if not rows and view.type == "game" and view.release_date:
        platforms = ", ".join(p.name for p in view.platforms) or "All platforms"
        rows = [
            {
                "date": format_date(view.release_date),
                "country": "—",
                "platform": platforms,
                "type": "First release",
                "note": "",
            }
        ]
    return rows


def time_to_beat_of(view: MediaView) -> list[dict[str, str]]:
    return [
        {"label": label, "value": format_hours(view.time_to_beat_hours[name])}
        for name, label in BEAT_LABELS
        if view.time_to_beat_hours.get(name)
    ]


def seasons_of(view: MediaView) -> list[dict[str, str]]:
    return [
        {
            "title": season.title or f"Season {season.number}",
            "number": str(season.number),
            "air_date": format_date(season.air_date),
            "year": season.air_date[:4] if season.air_date else "",
            "episodes": (
                f"{season.episode_count} episode{'s' if season.episode_count != 1 else ''}"
                if season.episode_count is not None
                else ""
            ),
            "poster_url": season.poster_url or "",
            "href": season.href,
        }
        for season in view.seasons
    ]


def provider_settings():
    with session_scope() as session:
        return app_settings.provider_settings(session=session)


def read_media(media_id: int) -> MediaView:
    with session_scope() as session:
        return catalogue_views.media_view(session=session, media_id=media_id)


def ensure_media(media_id: int) -> catalogue_sync.Freshness:
    """Blocking (it may call the provider): run it in a thread."""
    return catalogue_sync.ensure_media(media_id=media_id, settings=provider_settings())


# -- the title pages' state ---------------------------------------------------------------------------------------


class MediaDetailState(rx.State, mixin=True):
    """Movie, show and game pages: each page's state mixes this in and names its kind."""

    kind: ClassVar[str] = ""

    status: str = "loading"  # loading | ready | not_found
    loading_details: bool = False
    notice: str = ""
    stale: bool = False
    hero: dict[str, Any] = {}
    facts: list[dict[str, str]] = []
    cast: list[dict[str, Any]] = []
    crew: list[dict[str, Any]] = []
    release_dates: list[dict[str, str]] = []
    seasons: list[dict[str, str]] = []
    networks: list[str] = []
    platforms: list[str] = []
    # The game's platforms as choices for its backlog entry.
    platform_options: list[dict[str, str]] = []
    developers: list[str] = []
    publishers: list[str] = []
    franchises: list[str] = []
    time_to_beat: list[dict[str, str]] = []
    screenshots: list[str] = []
    dlcs: list[dict[str, Any]] = []
    expansions: list[dict[str, Any]] = []
    recommendations: list[dict[str, Any]] = []
    similar: list[dict[str, Any]] = []
    _shown_id: int = 0

    def _route_media_id(self) -> int | None:
        return route_id(self.router._page.params.get("media_id"))

    def _show(self, view: MediaView) -> None:
        self.hero = hero_of(view)
        self.facts = facts_of(view)
        self.cast = [asdict(credit) for credit in view.cast]
        self.crew = [asdict(credit) for credit in view.crew]
        self.release_dates = releases_of(view)
        self.seasons = seasons_of(view)
        self.networks = list(view.networks)
        self.platforms = [platform.name for platform in view.platforms]
        self.platform_options = [{"value": str(platform.id), "label": platform.name} for platform in view.platforms]
        self.developers = companies_with(view, "developer")
        self.publishers = companies_with(view, "publisher")
        self.franchises = list(view.franchises)
        self.time_to_beat = time_to_beat_of(view)
        self.screenshots = list(view.screenshot_urls)
        self.dlcs = [asdict(card) for card in view.dlcs]
        self.expansions = [asdict(card) for card in view.expansions]
        self.recommendations = [asdict(card) for card in view.recommendations]
        self.similar = [asdict(card) for card in view.similar]
        self.loading_details = not view.details_loaded

    @rx.event
    def load(self):
        self.notice = ""
        self.stale = False
        media_id = self._route_media_id()
        if media_id is None:
            self.status = "not_found"
            return None
        try:
            view = read_media(media_id)
        except NotFound:
            self.status = "not_found"
            return None
        if view.type != self.kind:
            # A title opened under another kind's address: send it to its own page.
            return rx.redirect(catalogue_views.media_href(view.type, view.id), replace=True)
        self._shown_id = media_id
        self._show(view)
        self.status = "ready"
        return type(self).fetch

    @rx.event(background=True)
    async def fetch(self):
        async with self:
            media_id = self._shown_id
        if not media_id:
            return
        try:
            freshness = await asyncio.to_thread(ensure_media, media_id)
            view = await asyncio.to_thread(read_media, media_id)
        except NotFound:
            async with self:
                if self._shown_id == media_id:
                    self.status = "not_found"
            return
        async with self:
            if self._shown_id != media_id:  # the page moved on to another title meanwhile
                return
            self._show(view)
            self.loading_details = False
            self.notice = freshness.notice or ""
            self.stale = freshness.state == "stale"
