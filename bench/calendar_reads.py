"""The release calendar for a user tracking 2,000 titles: a month read built from the database and from the
cache, on SQLite (in-memory cache) and PostgreSQL (Redis).

Catalogue: 4,000 movies with 4 TMDB release rows each (US premiere, theatrical 2 weeks later, GB
theatrical, US digital 2 months later), 600 shows of 2 seasons x 10 weekly episodes (a tenth of the
seasons dropped on one day), 1,200 games with 1-3 platform release rows (a third dated per region, a tenth
only to a quarter) and 200 DLCs/expansions. Half of the titles are dated within a year around the measured
month (next month), the other half years ago. The user follows 2,000 titles (1,000 movies on watch later,
500 shows as favourites, 400 games in the backlog, 100 movies in a collection): about 580 events in the
month, so the page is a dense one. Three other users follow 2,000 titles each, so the followed-titles query
must pick its user. Everything is inserted in bulk.

Measured, one session per read as a request does:
  - `month_tracked_build`: the user's titles only, the month's cache key dropped first (a cache miss);
  - `month_all_build`: the whole catalogue's month (every release of every title), cache miss;
  - `month_tracked_cached` / `month_all_cached`: the same read served from the month key;
  - `week_cached`: a week inside the month (read from the month key and trimmed);
  - `feed_build`: the iCal feed's 395 days for the user's titles, events and rendering (never cached).
Goal: a month read p95 <= 30 ms (`month_tracked_build`, the page's default view of a heavy user).
"""

from __future__ import annotations

import os
import random
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, insert, select, text
from sqlmodel import Session

from bench.catalogue_reads import DEFAULT_BENCH_REDIS, _stats, _timed
from bench.catalogue_search import DEFAULT_PG_URL, ensure_postgres_database
from bench.common import fresh_app_database, in_process_env
from seen.services.catalogue_bulk import blank_columns

NAME = "calendar_reads"
GOAL_MONTH_P95_MS = 30.0
SEED = 20261204
MOVIES, SHOWS, SEASONS, EPISODES, GAMES, ADD_ONS, PLATFORMS = 4000, 600, 2, 10, 1200, 200, 10
TRACKED = {"watch_later_movies": 1000, "favourite_shows": 500, "backlog_games": 400, "collection_movies": 100}
OTHER_USERS = 3
READS = {
    "month_tracked_build": 150,
    "month_all_build": 60,
    "month_tracked_cached": 300,
    "month_all_cached": 150,
    "week_cached": 300,
    "feed_build": 20,
}
BATCH = 2000
WINDOW_DAYS = 365  # dated titles fall within a year around the measured month...
OLD_SHARE = 0.5  # ...or, for half of them, years ago (a heavy user follows many finished titles)
GENRES = ("Action", "Drama", "Comedy", "Thriller", "Science Fiction", "Horror")


def _insert(engine: Engine, table: Any, rows: list[dict[str, Any]]) -> None:
    with engine.begin() as connection:
        for start in range(0, len(rows), BATCH):
            connection.execute(insert(table), rows[start : start + BATCH])


def bench_month(today: date | None = None) -> date:
    today = today or datetime.now(UTC).date()
    return (today.replace(day=1) + timedelta(days=32)).replace(day=1)


def _catalogue(engine: Engine, rng: random.Random, month: date) -> dict[str, list[int]]:
    from seen.models import media as tables
    from seen.services.search import normalise

    now = datetime.now(UTC)
    window_start = month - timedelta(days=WINDOW_DAYS // 2)

    def some_day() -> date:
        """Half of the titles come out within a year around the month; the rest are years old."""
        if rng.random() < OLD_SHARE:
            return date(2012, 1, 1) + timedelta(days=rng.randint(0, 8 * 365))
        return window_start + timedelta(days=rng.randint(0, WINDOW_DAYS))

    def item(kind: str, number: int) -> dict[str, Any]:
        title = f"{kind.title()} {number} {rng.choice(GENRES)}"
        return {
            "kind": kind,
            "source": "tmdb" if kind != "game" else "igdb",
            "title": title,
            "search_text": normalise(title),
            "year": month.year,
            "release_date": some_day(),
            "popularity": rng.random() * 100,
            "vote_average": round(rng.random() * 10, 1),
            "poster_path": f"/p{kind}{number}.jpg",
            "status": "Returning Series" if kind == "show" else None,
            **blank_columns(now),
        }

    counts = {"movie": MOVIES, "show": SHOWS, "game": GAMES + ADD_ONS}
    _insert(engine, tables.MediaItem.__table__, [item(kind, n) for kind, count in counts.items() for n in range(count)])
    with engine.connect() as connection:
        ids = {
            kind: [
                row[0]
                for row in connection.execute(
                    select(tables.MediaItem.id).where(tables.MediaItem.kind == kind).order_by(tables.MediaItem.id)
                )
            ]
            for kind in counts
        }
    ids["add_on"] = ids["game"][GAMES:]
    ids["game"] = ids["game"][:GAMES]
    _insert(
        engine,
        tables.Genre.__table__,
        [
            {"provider": "tmdb", "kind": kind, "provider_id": index, "name": name}
            for kind in ("movie", "show", "game")
            for index, name in enumerate(GENRES)
        ],
    )
    with engine.connect() as connection:
        genre_ids = {
            (kind, name): genre_id
            for genre_id, kind, name in connection.execute(
                select(tables.Genre.id, tables.Genre.kind, tables.Genre.name)
            )
        }
    _insert(
        engine,
        tables.MediaGenre.__table__,
        [
            {"media_id": media_id, "genre_id": genre_ids[(kind, name)]}
            for kind in ("movie", "show", "game")
            for media_id in ids[kind]
            for name in rng.sample(GENRES, 2)
        ],
    )
    _insert(
        engine,
        tables.Platform.__table__,
        [{"igdb_id": 1000 + n, "name": f"Platform {n}", "abbreviation": f"P{n}"} for n in range(PLATFORMS)],
    )
    with engine.connect() as connection:
        platform_ids = [row[0] for row in connection.execute(select(tables.Platform.id))]
    releases = []
    for media_id in ids["movie"]:
        premiere = some_day()
        for country, kind, offset in (
            ("US", "premiere", 0),
            ("US", "theatrical", 14),
            ("GB", "theatrical", 16),
            ("US", "digital", 60),
        ):
            releases.append(
                {
                    "media_id": media_id,
                    "country": country,
                    "release_type": kind,
                    "release_date": premiere + timedelta(days=offset),
                }
            )
    media_platforms = []
    for media_id in ids["game"]:
        day = some_day()
        regional = rng.random() < 0.33
        note = "date precision: quarter" if rng.random() < 0.1 else None
        for platform_id in rng.sample(platform_ids, rng.randint(1, 3)):
            media_platforms.append({"media_id": media_id, "platform_id": platform_id})
            for region, shift in (("north_am", 0), ("japan", -7)) if regional else ((None, 0),):
                releases.append(
                    {
                        "media_id": media_id,
                        "platform_id": platform_id,
                        "country": region,
                        "release_date": day + timedelta(days=shift + rng.choice((0, 0, 7))),
                        "note": note,
                    }
                )
    _insert(engine, tables.MediaReleaseDate.__table__, releases)
    _insert(engine, tables.MediaPlatform.__table__, media_platforms)
    _insert(
        engine,
        tables.MediaRelation.__table__,
        [
            {
                "media_id": ids["game"][index],
                "relation": "dlc" if index % 2 else "expansion",
                "related_id": add_on,
                "position": 0,
            }
            for index, add_on in enumerate(ids["add_on"])
        ],
    )
    seasons, episodes = [], []
    for media_id in ids["show"]:
        first = some_day()
        for season in range(1, SEASONS + 1):
            start = first + timedelta(days=(season - 1) * 35)
            seasons.append({"media_id": media_id, "number": season, "title": f"Season {season}", "air_date": start})
            binge = rng.random() < 0.1  # a streaming drop: the whole season on one day
            for episode in range(1, EPISODES + 1):
                episodes.append(
                    {
                        "media_id": media_id,
                        "season_number": season,
                        "episode_number": episode,
                        "title": f"Episode {episode}",
                        "air_date": start if binge else start + timedelta(weeks=episode - 1),
                    }
                )
    _insert(engine, tables.ShowSeason.__table__, seasons)
    _insert(engine, tables.ShowEpisode.__table__, episodes)
    return ids


def _user(engine: Engine, email: str) -> uuid.UUID:
    from seen.services import auth

    with Session(engine) as session:
        user = auth.create_user(session=session, email=email, password="bench password 1")
        session.commit()
        return user.id


def _follow(engine: Engine, user_id: uuid.UUID, ids: dict[str, list[int]], rng: random.Random) -> None:
    from seen.models import tracking

    now = datetime.now(UTC)
    movies = rng.sample(ids["movie"], TRACKED["watch_later_movies"] + TRACKED["collection_movies"])
    watch_later, listed = movies[: TRACKED["watch_later_movies"]], movies[TRACKED["watch_later_movies"] :]
    _insert(
        engine,
        tracking.WatchLaterItem.__table__,
        [
            {"user_id": user_id, "media_id": media_id, "position": position, "created_at": now}
            for position, media_id in enumerate(watch_later, start=1)
        ],
    )
    _insert(
        engine,
        tracking.Favourite.__table__,
        [
            {"user_id": user_id, "media_id": media_id, "created_at": now}
            for media_id in rng.sample(ids["show"], TRACKED["favourite_shows"])
        ],
    )
    _insert(
        engine,
        tracking.GameBacklogEntry.__table__,
        [
            {
                "user_id": user_id,
                "media_id": media_id,
                "status": "wishlist",
                "hours_played": 0,
                "notes": "",
                "created_at": now,
                "updated_at": now,
            }
            for media_id in rng.sample(ids["game"], TRACKED["backlog_games"])
        ],
    )
    with engine.begin() as connection:
        collection_id = connection.execute(
            insert(tracking.Collection.__table__)
            .values(user_id=user_id, name="Later", description="", created_at=now, updated_at=now)
            .returning(tracking.Collection.__table__.c.id)
        ).scalar_one()
        connection.execute(
            insert(tracking.CollectionItem.__table__),
            [
                {"collection_id": collection_id, "media_id": media_id, "position": position, "added_at": now}
                for position, media_id in enumerate(listed, start=1)
            ],
        )


def _load(engine: Engine, month: date) -> uuid.UUID:
    rng = random.Random(SEED)
    ids = _catalogue(engine, rng, month)
    heavy = _user(engine, "heavy@example.com")
    _follow(engine, heavy, ids, rng)
    for number in range(OTHER_USERS):
        _follow(engine, _user(engine, f"other{number}@example.com"), ids, rng)
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("VACUUM ANALYZE" if engine.dialect.name == "postgresql" else "ANALYZE"))
    return heavy


def _measure(engine: Engine, user_id: uuid.UUID, month: date) -> dict[str, Any]:
    from seen import cache
    from seen.config import get_settings
    from seen.services import calendar, calendar_feed, user_cache
    from seen.services.calendar import CalendarFilters

    first, last = calendar.month_bounds(month)
    key = user_cache.calendar_key(user_id, month.strftime("%Y-%m"))
    tracked, everything = CalendarFilters(tracked_only=True), CalendarFilters()

    def read(filters: CalendarFilters, start: date = first, end: date = last) -> list:
        with Session(engine) as session:
            return calendar.events(session=session, user_id=user_id, start=start, end=end, filters=filters)

    def build(filters: CalendarFilters) -> None:
        cache.get_cache().delete(key)
        read(filters)

    def feed() -> None:
        with Session(engine) as session:
            found = calendar.feed_events(session=session, user_id=user_id, filters=tracked)
        calendar_feed.render(found, base_url=get_settings().public_base_url)

    rng = random.Random(SEED + 1)

    def week() -> None:
        start = first + timedelta(days=rng.randint(0, 20))
        read(tracked, start, start + timedelta(days=6))

    cache.get_cache().delete(key)
    tracked_events, all_events = read(tracked), read(everything)
    kinds: dict[str, int] = {}
    for event in tracked_events:
        kinds[event.kind] = kinds.get(event.kind, 0) + 1
    assert tracked_events and all(event.tracked for event in tracked_events)
    assert len(all_events) > len(tracked_events)
    for call in (lambda: build(tracked), lambda: build(everything), week, feed):  # warm pools and plans
        call()
    calls = {
        "month_tracked_build": lambda: build(tracked),
        "month_all_build": lambda: build(everything),
        "month_tracked_cached": lambda: read(tracked),
        "month_all_cached": lambda: read(everything),
        "week_cached": week,
        "feed_build": feed,
    }
    results: dict[str, Any] = {}
    for name, call in calls.items():
        if name.endswith("_cached") or name == "week_cached":
            read(tracked), read(everything)  # both variants in the month key
        timings = [_timed(call) for _ in range(READS[name])]
        results[name] = {"reads": len(timings), **_stats(timings)}
    for name in ("month_tracked_build", "month_tracked_cached", "month_all_build", "month_all_cached"):
        results[name]["meets_goal"] = results[name]["p95_ms"] <= GOAL_MONTH_P95_MS
    results["events"] = {
        "month_tracked": len(tracked_events),
        "month_all": len(all_events),
        "month_tracked_by_kind": dict(sorted(kinds.items())),
    }
    return results


def _run_engine(name: str, url: str, redis_url: str) -> dict[str, Any]:

    print(f"bench: {NAME} {name}: loading ...", flush=True)
    engine = fresh_app_database(url, redis_url)
    month = bench_month()
    started = time.monotonic()
    user_id = _load(engine, month)
    load_s = round(time.monotonic() - started, 1)
    print(f"bench: {NAME} {name}: loaded in {load_s}s, measuring ...", flush=True)
    try:
        before = os.getloadavg()[0]
        measured = _measure(engine, user_id, month)
        return {
            "load_s": load_s,
            "month": month.strftime("%Y-%m"),
            "loadavg_1m": [round(before, 2), round(os.getloadavg()[0], 2)],
            **measured,
        }
    finally:
        engine.dispose()


def run() -> dict[str, Any]:
    results: dict[str, Any] = {
        "user": {"followed_titles": sum(TRACKED.values())},
        "other_users": {"count": OTHER_USERS, "followed_each": sum(TRACKED.values())},
        "catalogue": {
            "movies": MOVIES,
            "movie_release_rows": MOVIES * 4,
            "shows": SHOWS,
            "episodes": SHOWS * SEASONS * EPISODES,
            "games": GAMES,
            "add_ons": ADD_ONS,
        },
        "goal_month_p95_ms": GOAL_MONTH_P95_MS,
        "engines": {},
        "errors": [],
    }
    with in_process_env("calendar-reads", SEEN_BCRYPT_ROUNDS="4") as work:
        results["engines"]["sqlite+memory"] = _run_engine("sqlite", f"sqlite:///{work / 'seen.db'}", "")
        pg_url = os.environ.get("SEEN_BENCH_DATABASE_URL", DEFAULT_PG_URL)
        try:
            ensure_postgres_database(pg_url)
            results["engines"]["postgres+redis"] = _run_engine(
                "postgres", pg_url, os.environ.get("SEEN_BENCH_REDIS_URL", DEFAULT_BENCH_REDIS)
            )
        except Exception as error:  # PostgreSQL absent on a user's machine: say so, keep the SQLite numbers
            results["errors"].append(f"postgres: {type(error).__name__}: {error}")
    return results


def summary(results: dict[str, Any]) -> list[str]:
    lines = []
    for engine, found in results["engines"].items():
        parts = []
        for name in READS:
            one = found[name]
            verdict = "" if "meets_goal" not in one else (" met" if one["meets_goal"] else " NOT met")
            parts.append(f"{name} p50 {one['p50_ms']} p95 {one['p95_ms']} ms{verdict}")
        lines.append(f"{engine} ({found['events']['month_tracked']} tracked events): " + "; ".join(parts))
    return lines


if __name__ == "__main__":
    import json

    print(json.dumps(run(), indent=2))
