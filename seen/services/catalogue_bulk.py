"""Storing many new titles at once (the demo catalogue on first start): a few executemany statements per
table instead of the per-row upserts of `catalogue.store_details`, which stay the path for updates.

Only for titles not stored yet: the caller checks. Rows come out as `store_details` would write them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import insert
from sqlmodel import Session, select

from seen.models import media as tables
from seen.models.base import utcnow
from seen.providers import models as records
from seen.services import catalogue
from seen.services.search import normalise


@dataclass(frozen=True, slots=True)
class NewTitle:
    details: records.MediaDetails
    demo_slug: str
    # Slugs for the title's add-ons (DLC, expansions), which have no id of their own.
    addon_slug: Callable[[records.MediaSummary], str]


def blank_columns(now: datetime) -> dict[str, Any]:
    """The columns of a bulk-inserted `media_items` row with nothing to say yet: empty lists, no payload, times."""
    return {
        "networks": [],
        "franchises": [],
        "companies": [],
        "screenshots": [],
        "raw": {},
        "summary_synced_at": now,
        "created_at": now,
        "updated_at": now,
    }


def _media_row(summary: records.MediaSummary, details: records.MediaDetails | None, now) -> dict[str, Any]:
    row: dict[str, Any] = {
        "kind": summary.kind,
        "source": catalogue.DEMO,
        "title": summary.title[:500],
        "original_title": (summary.original_title or None) and summary.original_title[:500],
        "search_text": normalise(summary.title, summary.original_title)[:1100],
        "year": summary.year,
        "release_date": summary.release_date,
        "overview": summary.overview,
        "poster_path": summary.poster_path,
        "backdrop_path": summary.backdrop_path,
        "popularity": summary.popularity,
        "vote_average": summary.vote_average,
        "vote_count": summary.vote_count,
        "original_language": summary.original_language,
        **blank_columns(now),
        "details_synced_at": None,
        "tagline": None,
        "status": None,
        "runtime": None,
        "number_of_seasons": None,
        "number_of_episodes": None,
        "time_to_beat_hastily": None,
        "time_to_beat_normally": None,
        "time_to_beat_completely": None,
    }
    if details is not None:
        beat = details.time_to_beat
        row.update(
            tagline=details.tagline,
            status=details.status,
            runtime=details.runtime,
            number_of_seasons=details.number_of_seasons,
            number_of_episodes=details.number_of_episodes,
            networks=list(details.networks),
            franchises=list(details.franchises),
            companies=[{"name": c.name, "roles": list(c.roles)} for c in details.companies if c.name],
            screenshots=list(details.screenshots),
            raw=details.raw,
            details_synced_at=now,
            time_to_beat_hastily=beat.hastily if beat else None,
            time_to_beat_normally=beat.normally if beat else None,
            time_to_beat_completely=beat.completely if beat else None,
        )
    return row


def _insert_returning_ids(session: Session, table, rows: list[dict[str, Any]]) -> list[int]:
    if not rows:
        return []
    statement = insert(table).returning(table.id, sort_by_parameter_order=True)
    return list(session.execute(statement, rows).scalars())


def _insert(session: Session, table, rows: list[dict[str, Any]]) -> None:
    if rows:
        session.execute(insert(table), rows)


def insert_titles(*, session: Session, titles: Sequence[NewTitle], person_slug: Callable[[str], str]) -> int:
    """Insert these titles with their genres, people, credits, seasons, episodes, platforms, release dates
    and add-ons. Returns the number of titles inserted (add-ons not counted)."""
    catalogue.changed(session)
    now = utcnow()
    genre_ids: dict[tuple[str, str, int], int] = {}
    for title in titles:
        kind = title.details.summary.kind
        for genre in title.details.genres:
            if (genre.provider, kind, genre.id) not in genre_ids:
                for row in catalogue.genre_rows(session=session, kind=kind, genres=[genre]):
                    genre_ids[(genre.provider, kind, genre.id)] = row.id

    media_ids = _insert_returning_ids(
        session, tables.MediaItem, [_media_row(t.details.summary, t.details, now) for t in titles]
    )
    # Add-ons become titles of their own, linked back to their game.
    addons = [
        (index, relation, summary)
        for index, t in enumerate(titles)
        for relation, summaries in (("dlc", t.details.dlcs), ("expansion", t.details.expansions))
        for summary in summaries
    ]
    addon_ids = _insert_returning_ids(
        session, tables.MediaItem, [_media_row(summary, None, now) for _i, _r, summary in addons]
    )

    external = [
        {"media_id": media_id, "kind": t.details.summary.kind, "provider": catalogue.DEMO, "external_id": t.demo_slug}
        for media_id, t in zip(media_ids, titles, strict=True)
    ]
    external += [
        {
            "media_id": addon_id,
            "kind": "game",
            "provider": catalogue.DEMO,
            "external_id": titles[index].addon_slug(summary),
        }
        for addon_id, (index, _relation, summary) in zip(addon_ids, addons, strict=True)
    ]
    _insert(session, tables.MediaExternalId, external)
    _insert(
        session,
        tables.MediaRelation,
        [
            {"media_id": media_ids[index], "relation": relation, "related_id": addon_id, "position": position}
            for position, (addon_id, (index, relation, _summary)) in enumerate(zip(addon_ids, addons, strict=True))
        ],
    )
    _insert(
        session,
        tables.MediaGenre,
        [
            {"media_id": media_id, "genre_id": genre_ids[key]}
            for media_id, t in zip(media_ids, titles, strict=True)
            for key in dict.fromkeys((g.provider, t.details.summary.kind, g.id) for g in t.details.genres)
            if key in genre_ids
        ],
    )

    # People: one row per demo person, created on first mention.
    known = {
        row.external_id: row.id
        for row in session.exec(select(tables.Person).where(tables.Person.source == catalogue.DEMO))
    }
    new_people: dict[str, records.Person] = {}
    for t in titles:
        for credit in t.details.credits:
            key = f"{catalogue.DEMO}:{person_slug(credit.person.name)}"
            if key not in known:
                new_people.setdefault(key, credit.person)
    person_rows = [
        {
            "source": catalogue.DEMO,
            "external_id": key,
            "name": person.name[:300],
            "search_text": normalise(person.name)[:300],
            "popularity": person.popularity,
            "known_for_department": person.known_for_department,
            "updated_at": now,
            "details_synced_at": None,
        }
        for key, person in new_people.items()
    ]
    known.update(zip(new_people, _insert_returning_ids(session, tables.Person, person_rows), strict=True))
    _insert(
        session,
        tables.MediaCredit,
        [
            {
                "media_id": media_id,
                "person_id": known[f"{catalogue.DEMO}:{person_slug(credit.person.name)}"],
                "role": credit.role,
                "character": credit.character,
                "job": credit.job,
                "department": credit.department,
                "position": credit.order if credit.order is not None else position,
            }
            for media_id, t in zip(media_ids, titles, strict=True)
            for position, credit in enumerate(t.details.credits)
        ],
    )

    _insert(
        session,
        tables.ShowSeason,
        [
            {
                "media_id": media_id,
                "number": season.number,
                "title": season.title[:300],
                "overview": season.overview,
                "air_date": season.air_date,
                "episode_count": season.episode_count or len(season.episodes),
                "poster_path": season.poster_path,
                "episodes_synced_at": now if season.episodes else None,
            }
            for media_id, t in zip(media_ids, titles, strict=True)
            for season in t.details.seasons
        ],
    )
    _insert(
        session,
        tables.ShowEpisode,
        [
            {
                "media_id": media_id,
                "season_number": season.number,
                "episode_number": episode.episode_number,
                "title": (episode.title or f"Episode {episode.episode_number}")[:500],
                "overview": episode.overview,
                "air_date": episode.air_date,
                "runtime": episode.runtime,
                "still_path": episode.still_path,
                "vote_average": episode.vote_average,
                "tmdb_id": None,
            }
            for media_id, t in zip(media_ids, titles, strict=True)
            for season in t.details.seasons
            for episode in {e.episode_number: e for e in season.episodes}.values()
        ],
    )

    platform_ids: dict[int, int] = {}
    for t in titles:
        for platform in (*t.details.platforms, *(r.platform for r in t.details.release_dates if r.platform)):
            if platform.id not in platform_ids:
                platform_ids[platform.id] = catalogue.platform_row(session=session, platform=platform).id
    _insert(
        session,
        tables.MediaPlatform,
        [
            {"media_id": media_id, "platform_id": platform_ids[pid]}
            for media_id, t in zip(media_ids, titles, strict=True)
            for pid in dict.fromkeys(
                (*(p.id for p in t.details.platforms), *(r.platform.id for r in t.details.release_dates if r.platform))
            )
        ],
    )
    _insert(
        session,
        tables.MediaReleaseDate,
        [
            {
                "media_id": media_id,
                "platform_id": platform_ids[r.platform.id] if r.platform else None,
                "country": r.country,
                "release_date": r.date,
                "release_type": r.type,
                "certification": r.certification,
                "note": (r.note or None) and r.note[:300],
            }
            for media_id, t in zip(media_ids, titles, strict=True)
            for r in t.details.release_dates
        ],
    )
    session.flush()
    return len(media_ids)
