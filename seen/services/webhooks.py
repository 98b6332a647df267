"""Scrobbling webhooks: Plex and Jellyfin tell us what a user plays, and it lands in their history.

Each user may turn on one secret token (`users.webhook_token`); their URLs are
`{public_base_url}/api/v1/webhooks/plex/{token}` and `.../jellyfin/{token}`. Whoever holds the URL can
scrobble for that user and nothing else: an unknown token is "not found", without a hint.

A payload is first read into a neutral `Playback` (pure functions, one per server), then applied:
  - finished (Plex media.scrobble, Jellyfin PlaybackStop with PlayedToCompletion) -> one viewing;
  - play / pause / resume / stop / progress -> playback progress (which itself records the viewing once
    the user's watched threshold is passed);
  - a Plex rating (0-10) -> our half-star rating.
Anything we cannot use (music, unknown titles, other events) is acknowledged with the reason it was
ignored: media servers retry on errors, and retrying would not make a song a movie.

Media servers repeat themselves (retries, a scrobble right after the stop that crossed the threshold, Plex
and Jellyfin both watching one library), so a viewing of a title or episode is recorded at most once per
`DUPLICATE_WINDOW_SECONDS`: a `SET NX` marker in the cache, plus the progress row's finished flag.
"""

from __future__ import annotations

import json
import re
import secrets
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Literal

from sqlmodel import Session, col, select

from seen import cache
from seen.models import media as tables
from seen.models.base import as_utc, utcnow
from seen.models.users import User
from seen.providers.models import ExternalIds
from seen.services import catalogue, catalogue_sync, progress, tracking
from seen.services.errors import InvalidInput, NotFound
from seen.services.imports.items import TitleRef as ImportTitle
from seen.services.imports.matching import Matcher
from seen.services.imports.ratings import half_stars

SOURCES = ("plex", "jellyfin")
DUPLICATE_WINDOW_SECONDS = 5 * 60
# Plex sends a poster thumbnail with some events; nothing we read comes near this.
MAX_BODY_BYTES = 2 * 1024 * 1024
TICKS_PER_SECOND = 10_000_000  # Jellyfin counts time in 100 ns ticks
UNKNOWN_TOKEN = "Not found"

# -- the user's URLs -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class WebhookUrls:
    plex: str
    jellyfin: str


def _urls(base_url: str, token: str) -> WebhookUrls:
    base = base_url.rstrip("/")
    return WebhookUrls(*(f"{base}/api/v1/webhooks/{source}/{token}" for source in SOURCES))


def webhook_urls(*, session: Session, user_id: uuid.UUID, base_url: str) -> WebhookUrls | None:
    """The user's scrobbling URLs, or None while they have not turned webhooks on."""
    token = session.exec(select(User.webhook_token).where(User.id == user_id)).first()
    return _urls(base_url, token) if token else None


def regenerate_token(*, session: Session, user_id: uuid.UUID, base_url: str) -> WebhookUrls:
    """A new secret: the URLs change and the old ones stop working at once."""
    user = session.get(User, user_id)
    if user is None:
        raise NotFound("No such user")
    user.webhook_token = secrets.token_urlsafe(32)
    user.updated_at = utcnow()
    session.add(user)
    session.flush()
    return _urls(base_url, user.webhook_token)


def disable_webhooks(*, session: Session, user_id: uuid.UUID) -> None:
    user = session.get(User, user_id)
    if user is None:
        raise NotFound("No such user")
    user.webhook_token = None
    user.updated_at = utcnow()
    session.add(user)
    session.flush()


def user_for_token(*, session: Session, token: str) -> uuid.UUID:
    """The active user whose webhook secret this is; NotFound for anything else."""
    if not token or len(token) > 64:
        raise NotFound(UNKNOWN_TOKEN)
    found = session.exec(select(User.id).where(User.webhook_token == token, col(User.is_disabled).is_(False))).first()
    if found is None:
        raise NotFound(UNKNOWN_TOKEN)
    return found


# -- reading payloads ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PlayedTitle:
    """What a media server says about the title played, before we look it up in the catalogue."""

    kind: Literal["movie", "show"]
    title: str  # the movie's, or the show's
    year: int | None = None
    ids: ExternalIds = field(default_factory=ExternalIds)  # the movie's or the show's ids at TMDB / IMDb / TVDB
    episode_tmdb_id: int | None = None  # an episode's own TMDB id, found through show_episodes
    season_number: int | None = None
    episode_number: int | None = None


@dataclass(frozen=True, slots=True)
class Playback:
    action: Literal["watched", "progress", "rating"]
    event: str  # the server's own event name
    title: PlayedTitle
    position_seconds: int | None = None
    duration_seconds: int | None = None
    rating: float | None = None  # half stars, 0.5 to 5


@dataclass(frozen=True, slots=True)
class Ignored:
    reason: str


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def _number(value: Any) -> int | None:
    """An integer from JSON or a templated string ("3", "03"); None for anything else."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def _flag(value: Any) -> bool:
    return value is True or (isinstance(value, str) and value.strip().lower() == "true")


def _external_ids(pairs: list[tuple[str, str]]) -> ExternalIds:
    """The first well-formed id of each provider; malformed ones are dropped, never guessed at."""
    found: dict[str, Any] = {}
    for provider, raw in pairs:
        value = raw.strip()
        if provider in found:
            continue
        if provider == "imdb" and re.fullmatch(r"tt\d{1,12}", value):
            found["imdb"] = value
        elif provider in ("tmdb", "tvdb") and value.isdigit() and len(value) <= 12:
            found[provider] = int(value)
    return ExternalIds(**found)


PLEX_SCHEMES = {
    "tmdb": "tmdb",
    "imdb": "imdb",
    "tvdb": "tvdb",
    "themoviedb": "tmdb",
    "thetvdb": "tvdb",
    "com.plexapp.agents.themoviedb": "tmdb",
    "com.plexapp.agents.imdb": "imdb",
    "com.plexapp.agents.thetvdb": "tvdb",
}


def plex_guid(value: Any) -> tuple[str, list[str]] | None:
    """("tmdb", ["603"]) from "tmdb://603"; legacy agents' episode guids carry the show's id and numbers:
    "com.plexapp.agents.thetvdb://81189/1/1?lang=en" -> ("tvdb", ["81189", "1", "1"])."""
    scheme, separator, rest = _text(value).partition("://")
    if not separator or scheme.lower() not in PLEX_SCHEMES:
        return None
    parts = [part for part in rest.split("?", 1)[0].split("/") if part]
    return (PLEX_SCHEMES[scheme.lower()], parts) if parts else None


PLEX_PROGRESS = {"media.play", "media.pause", "media.resume", "media.stop"}


def plex_playback(payload: dict[str, Any]) -> Playback | Ignored:
    """Read one Plex webhook payload (the JSON of its `payload` form field)."""
    event = _text(payload.get("event"))
    metadata = payload.get("Metadata")
    if event not in PLEX_PROGRESS | {"media.scrobble", "media.rate"}:
        return Ignored(f"Plex event {event or '(none)'!r} is not about playback")
    if payload.get("user") is False:
        return Ignored("played by another Plex user of the server")
    if not isinstance(metadata, dict):
        return Ignored("the payload has no Metadata")
    media_type = _text(metadata.get("type"))
    if media_type not in ("movie", "episode"):
        return Ignored(f"a Plex {media_type or 'item'} is not a movie or an episode")
    guids = [item.get("id") for item in metadata.get("Guid") or [] if isinstance(item, dict)]
    parsed = [found for found in (plex_guid(guid) for guid in [*guids, metadata.get("guid")]) if found]
    if media_type == "movie":
        title = PlayedTitle(
            "movie",
            _text(metadata.get("title")),
            _number(metadata.get("year")),
            _external_ids([(provider, parts[0]) for provider, parts in parsed]),
        )
    else:
        # The Guid list of an episode holds the episode's own ids; the show's are in the grandparent's guid,
        # or at the front of a legacy agent's episode guid (".../81189/1/1").
        show_guid = plex_guid(metadata.get("grandparentGuid"))
        show_pairs = [(show_guid[0], show_guid[1][0])] if show_guid else []
        legacy = plex_guid(metadata.get("guid"))
        if legacy and len(legacy[1]) == 3:
            show_pairs.append((legacy[0], legacy[1][0]))
        episode_ids = _external_ids([(provider, parts[0]) for provider, parts in parsed if len(parts) == 1])
        title = PlayedTitle(
            "show",
            _text(metadata.get("grandparentTitle")),
            None,
            _external_ids(show_pairs),
            episode_tmdb_id=episode_ids.tmdb,
            season_number=_number(metadata.get("parentIndex")),
            episode_number=_number(metadata.get("index")),
        )
    if event == "media.rate":
        rating = half_stars(payload.get("rating", metadata.get("userRating")), out_of=10)
        if rating is None:
            return Ignored("the rating was removed or is not 1-10")
        return Playback("rating", event, title, rating=rating)
    duration = _number(metadata.get("duration"))
    position = _number(metadata.get("viewOffset")) or 0
    return Playback(
        "watched" if event == "media.scrobble" else "progress",
        event,
        title,
        position_seconds=position // 1000,
        duration_seconds=duration // 1000 if duration else None,
    )


JELLYFIN_PROGRESS = {"PlaybackStart", "PlaybackProgress", "PlaybackStop"}


def jellyfin_playback(payload: dict[str, Any]) -> Playback | Ignored:
    """Read one payload of Jellyfin's webhook plugin (its "Generic" destination, JSON template)."""
    event = _text(payload.get("NotificationType"))
    if event not in JELLYFIN_PROGRESS | {"PlayedToCompletion"}:
        return Ignored(f"Jellyfin notification {event or '(none)'!r} is not about playback")
    item_type = _text(payload.get("ItemType"))
    if item_type not in ("Movie", "Episode"):
        return Ignored(f"a Jellyfin {item_type or 'item'} is not a movie or an episode")
    ids = _external_ids(
        [(provider, _text(payload.get(f"Provider_{provider}"))) for provider in ("tmdb", "imdb", "tvdb")]
    )
    if item_type == "Movie":
        title = PlayedTitle("movie", _text(payload.get("Name")), _number(payload.get("Year")), ids)
    else:
        # An episode's provider ids are the episode's own; only its TMDB id can be traced to the show.
        title = PlayedTitle(
            "show",
            _text(payload.get("SeriesName")),
            _number(payload.get("Year")),
            episode_tmdb_id=ids.tmdb,
            season_number=_number(payload.get("SeasonNumber")),
            episode_number=_number(payload.get("EpisodeNumber")),
        )
    ticks = _number(payload.get("PlaybackPositionTicks")) or 0
    runtime = _number(payload.get("RunTimeTicks"))
    finished = event == "PlayedToCompletion" or (event == "PlaybackStop" and _flag(payload.get("PlayedToCompletion")))
    return Playback(
        "watched" if finished else "progress",
        event,
        title,
        position_seconds=ticks // TICKS_PER_SECOND,
        duration_seconds=runtime // TICKS_PER_SECOND if runtime else None,
    )


def parse_json(raw: bytes | str) -> dict[str, Any]:
    """A payload's JSON object; anything else is invalid input (a client error, not one of ours)."""
    try:
        data = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as error:
        raise InvalidInput("the webhook payload is not valid JSON") from error
    if not isinstance(data, dict):
        raise InvalidInput("the webhook payload must be a JSON object")
    return data


# -- finding the title ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Match:
    media_id: int
    season_number: int | None
    episode_number: int | None


def _episode_by_tmdb_id(session: Session, tmdb_id: int) -> tuple[int, int, int] | None:
    row = session.exec(
        select(tables.ShowEpisode.media_id, tables.ShowEpisode.season_number, tables.ShowEpisode.episode_number)
        .where(tables.ShowEpisode.tmdb_id == tmdb_id)
        .limit(1)
    ).first()
    return tuple(row) if row is not None else None


def _find(matcher: Matcher, session: Session, ref: PlayedTitle) -> tuple[int | str, int | None, int | None]:
    season, episode = ref.season_number, ref.episode_number
    found: int | str = ""
    if catalogue.Identity(ref.kind, ref.ids).pairs():
        found = matcher.match(ImportTitle(ref.kind, "", None, ref.ids))
    if not isinstance(found, int) and ref.episode_tmdb_id is not None:
        row = _episode_by_tmdb_id(session, ref.episode_tmdb_id)
        if row is not None:
            found, season, episode = row
    if not isinstance(found, int) and ref.title:
        # An episode's year is the year it aired, not the show's: shows are matched by their name alone.
        found = matcher.match(ImportTitle(ref.kind, ref.title, ref.year if ref.kind == "movie" else None))
    if not isinstance(found, int) and not ref.title:
        found = "the payload names no title and its ids are not in the catalogue"
    return found, season, episode


def match_title(*, session: Session, ref: PlayedTitle) -> Match | str:
    """The catalogue title (and episode) played, or why there is none: external ids first, then an
    episode's own TMDB id, then the exact title (+ year for movies), as imports match theirs. The local
    catalogue is asked first; the configured providers only for a title it does not hold."""
    found, season, episode = _find(Matcher(session=session, sources=None), session, ref)
    if not isinstance(found, int):
        with catalogue_sync.open_sources() as sources:
            if ref.kind not in sources.demo_kinds:
                found, season, episode = _find(Matcher(session=session, sources=sources), session, ref)
    if not isinstance(found, int):
        return found
    if ref.kind == "movie":
        return Match(found, None, None)
    if season is None or episode is None:
        return "the episode's season and episode numbers are missing"
    return Match(found, season, episode)


# -- applying them ----------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Outcome:
    """What a webhook call did: watched | progress | rated | duplicate | ignored (with the reason)."""

    action: str
    media_id: int | None = None
    season_number: int | None = None
    episode_number: int | None = None
    ignored: str | None = None


def _marker(user_id: uuid.UUID, *parts: object) -> str:
    return cache.key("scrobble", user_id, *parts)


def _watched_marker(user_id: uuid.UUID, match: Match) -> str:
    # Shared by every server: Plex and Jellyfin reporting the same viewing still make one.
    return _marker(user_id, "watched", match.media_id, match.season_number or 0, match.episode_number or 0)


def _progress_row(session: Session, user_id: uuid.UUID, match: Match) -> progress.ProgressState | None:
    for state in progress.progress_for(session=session, user_id=user_id, media_id=match.media_id):
        if (state.season_number or 0, state.episode_number or 0) == (
            match.season_number or 0,
            match.episode_number or 0,
        ):
            return state
    return None


def _recent(moment: datetime | str) -> bool:
    when = datetime.fromisoformat(moment) if isinstance(moment, str) else moment
    return utcnow() - as_utc(when) < timedelta(seconds=DUPLICATE_WINDOW_SECONDS)


def _outcome(action: str, match: Match, ignored: str | None = None) -> Outcome:
    return Outcome(action, match.media_id, match.season_number, match.episode_number, ignored)


@contextmanager
def _claim(marker: str, event: str) -> Iterator[bool]:
    """Set a "seen a moment ago" marker (False when it was already set); dropped again when the work
    under it fails, so the server's retry is applied rather than taken for a duplicate."""
    claimed = cache.get_cache().add_json(marker, event, DUPLICATE_WINDOW_SECONDS)
    try:
        yield claimed
    except Exception:
        if claimed:
            cache.get_cache().delete(marker)
        raise


def _record_watched(session: Session, user_id: uuid.UUID, playback: Playback, match: Match) -> Outcome:
    with _claim(_watched_marker(user_id, match), playback.event) as claimed:
        if not claimed:
            return _outcome("duplicate", match, "this viewing was recorded a moment ago")
        before = _progress_row(session, user_id, match)
        if before is not None and before.finished and _recent(before.updated_at):
            return _outcome("duplicate", match, "playback progress already recorded this viewing")
        if playback.duration_seconds:
            # Through the progress row: it records the viewing once, leaves "continue watching", and a stop
            # past the threshold that follows finds the round finished instead of counting it again.
            _progress(session, user_id, match, playback.duration_seconds, playback.duration_seconds)
        if not playback.duration_seconds or (before is not None and before.finished):
            # No length to finish a round with, or the last round finished long ago (a rewatch reported
            # without any progress in between): the progress row records nothing, so record it here.
            tracking.mark_watched(
                session=session,
                user_id=user_id,
                media_id=match.media_id,
                season_number=match.season_number,
                episode_number=match.episode_number,
            )
    return _outcome("watched", match)


def _progress(
    session: Session, user_id: uuid.UUID, match: Match, position_seconds: int, duration_seconds: int
) -> progress.ProgressState:
    return progress.record_progress(
        session=session,
        user_id=user_id,
        media_id=match.media_id,
        position_seconds=position_seconds,
        duration_seconds=duration_seconds,
        season_number=match.season_number,
        episode_number=match.episode_number,
    )


def _record_progress(session: Session, user_id: uuid.UUID, playback: Playback, match: Match, source: str) -> Outcome:
    if not playback.duration_seconds:
        return _outcome("ignored", match, "the payload does not say how long the title is")
    position = min(playback.position_seconds or 0, playback.duration_seconds)
    repeat = _marker(
        user_id, source, playback.event, match.media_id, match.season_number, match.episode_number, position
    )
    with _claim(repeat, playback.event) as claimed:
        if not claimed:
            return _outcome("duplicate", match, "the same event arrived a moment ago")
        before = _progress_row(session, user_id, match)
        state = _progress(session, user_id, match, position, playback.duration_seconds)
    if state.finished and not (before is not None and before.finished):
        # This crossed the watched threshold and recorded the viewing: the scrobble that follows is a repeat.
        cache.get_cache().add_json(_watched_marker(user_id, match), playback.event, DUPLICATE_WINDOW_SECONDS)
    return _outcome("progress", match)


def receive(*, session: Session, source: str, token: str, payload: dict[str, Any]) -> Outcome:
    """Apply one webhook call to the token's user; NotFound for a token that is not theirs to use."""
    if source not in SOURCES:
        raise NotFound(UNKNOWN_TOKEN)
    user_id = user_for_token(session=session, token=token)
    playback = plex_playback(payload) if source == "plex" else jellyfin_playback(payload)
    if isinstance(playback, Ignored):
        return Outcome("ignored", ignored=playback.reason)
    found = match_title(session=session, ref=playback.title)
    if isinstance(found, str):
        return Outcome("ignored", ignored=found)
    try:
        if playback.action == "rating":
            tracking.set_rating(session=session, user_id=user_id, media_id=found.media_id, rating=playback.rating or 0)
            return _outcome("rated", found)
        if playback.action == "watched":
            return _record_watched(session, user_id, playback, found)
        return _record_progress(session, user_id, playback, found, source)
    except InvalidInput as error:
        # The title is known but the event does not fit it (an episode the catalogue does not list, a
        # game...): nothing was written, and the server is told why instead of being made to retry.
        return _outcome("ignored", found, error.message)
