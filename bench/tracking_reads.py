"""Tracking reads for a heavy user: the dashboard, the history page and the stats.

One user tracks 5,000 items (1,000 on watch later, 1,500 ratings, 500 favourites, 1,000 progress rows,
500 backlog games, 500 collection items) and has 20,000 viewings over three years (movies and episodes);
three other users have 5,000 viewings each, so every query must pick its user out of a shared table.
The catalogue holds 4,000 movies, 200 shows of 50 episodes and 500 games. Everything is inserted in bulk.

Measured on SQLite with the in-memory cache and on PostgreSQL (`seen_bench`) with Redis (DB 13), one
session per read as a request does:
  - dashboard built from the database (the user's dashboard and continue-watching keys dropped first);
  - dashboard read from the cache;
  - the history page (50 viewings, a random page among the first ten);
  - the stats view (12 months), built from the database and read from the cache.
Goals: dashboard p95 <= 50 ms, history page p95 <= 30 ms.
"""

from __future__ import annotations

import os
import random
import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, insert, select, text
from sqlmodel import Session

from bench.catalogue_reads import DEFAULT_BENCH_REDIS, _stats, _timed
from bench.catalogue_search import DEFAULT_PG_URL, ensure_postgres_database
from bench.common import fresh_app_database, in_process_env
from seen.services.catalogue_bulk import blank_columns

NAME = "tracking_reads"
GOAL_DASHBOARD_P95_MS = 50.0
GOAL_HISTORY_P95_MS = 30.0
SEED = 20261122
MOVIES, SHOWS, SEASONS, EPISODES_PER_SEASON, GAMES = 4000, 200, 5, 10, 500
GENRES = ("Action", "Drama", "Comedy", "Thriller", "Science Fiction", "Horror", "Romance", "Animation")
HEAVY_HISTORY, OTHER_USERS, OTHER_HISTORY = 20_000, 3, 5_000
TRACKED = {"watch_later": 1000, "ratings": 1500, "favourites": 500, "progress": 1000, "backlog": 500}
COLLECTIONS, ITEMS_PER_COLLECTION = 2, 250
READS = {"dashboard_build": 200, "dashboard_cached": 500, "history": 300, "stats_build": 50, "stats_cached": 200}
BATCH = 2000


def _insert(engine: Engine, table: Any, rows: list[dict[str, Any]]) -> None:
    """Bulk insert in batches (executemany, not the ORM row by row)."""
    with engine.begin() as connection:
        for start in range(0, len(rows), BATCH):
            connection.execute(insert(table), rows[start : start + BATCH])


def _catalogue(engine: Engine, rng: random.Random) -> dict[str, list[int]]:
    from seen.models import media as tables
    from seen.services.search import normalise

    now = datetime.now(UTC)

    def item(kind: str, number: int) -> dict[str, Any]:
        title = f"{kind.title()} {number} {rng.choice(GENRES)}"
        return {
            "kind": kind,
            "source": "demo",
            "title": title,
            "search_text": normalise(title),
            "year": rng.randint(1960, 2026),
            "runtime": None if kind == "game" else (rng.randint(80, 170) if kind == "movie" else 45),
            "popularity": rng.random() * 100,
            "vote_average": round(rng.random() * 10, 1),
            "poster_path": f"/p{number}.jpg",
            **blank_columns(now),
        }

    counts = {"movie": MOVIES, "show": SHOWS, "game": GAMES}
    _insert(engine, tables.MediaItem.__table__, [item(kind, n) for kind, count in counts.items() for n in range(count)])
    with engine.connect() as connection:
        ids = {
            kind: [
                row[0] for row in connection.execute(select(tables.MediaItem.id).where(tables.MediaItem.kind == kind))
            ]
            for kind in counts
        }
    genre_rows = [
        {"provider": "tmdb", "kind": kind, "provider_id": index, "name": name}
        for kind in counts
        for index, name in enumerate(GENRES)
    ]
    _insert(engine, tables.Genre.__table__, genre_rows)
    with engine.connect() as connection:
        genre_ids = {
            (kind, name): genre_id
            for genre_id, kind, name in connection.execute(
                select(tables.Genre.id, tables.Genre.kind, tables.Genre.name)
            )
        }
    links = []
    for kind, media_ids in ids.items():
        for media_id in media_ids:
            for name in rng.sample(GENRES, 2):
                links.append({"media_id": media_id, "genre_id": genre_ids[(kind, name)]})
    _insert(engine, tables.MediaGenre.__table__, links)
    _insert(
        engine,
        tables.ShowEpisode.__table__,
        [
            {
                "media_id": show,
                "season_number": season,
                "episode_number": episode,
                "title": f"Episode {episode}",
                # A tenth without a runtime of their own: the show's typical one is used.
                "runtime": None if episode == EPISODES_PER_SEASON else rng.randint(30, 60),
                "air_date": date(2015, 1, 1) + timedelta(days=season * 300 + episode * 7),
            }
            for show in ids["show"]
            for season in range(1, SEASONS + 1)
            for episode in range(1, EPISODES_PER_SEASON + 1)
        ],
    )
    _insert(
        engine,
        tables.DiscoverEntry.__table__,
        [
            {"section": "trending", "kind": "movie", "position": position, "media_id": media_id, "synced_at": now}
            for position, media_id in enumerate(ids["movie"][:40])
        ],
    )
    return ids


def _viewings(user_id: uuid.UUID, count: int, ids: dict[str, list[int]], rng: random.Random) -> list[dict[str, Any]]:
    now = datetime.now(UTC)
    rows = []
    movies = ids["movie"][: MOVIES * 3 // 4]
    for _ in range(count):
        moment = now - timedelta(seconds=rng.randint(60, 3 * 365 * 86400))
        if rng.random() < 0.4:
            rows.append({"media_id": rng.choice(movies), "season_number": None, "episode_number": None})
        else:
            rows.append(
                {
                    "media_id": rng.choice(ids["show"]),
                    "season_number": rng.randint(1, SEASONS),
                    "episode_number": rng.randint(1, EPISODES_PER_SEASON),
                }
            )
        rows[-1].update(user_id=user_id, watched_at=moment, created_at=moment)
    return rows


def _user(engine: Engine, email: str) -> uuid.UUID:
    from seen.services import auth

    with Session(engine) as session:
        user = auth.create_user(session=session, email=email, password="bench password 1")
        session.commit()
        return user.id


def _tracked(engine: Engine, user_id: uuid.UUID, ids: dict[str, list[int]], rng: random.Random) -> None:
    from seen.models import tracking as tables

    now = datetime.now(UTC)

    def stamp(days: int = 365) -> datetime:
        return now - timedelta(seconds=rng.randint(60, days * 86400))

    movies = ids["movie"]
    _insert(
        engine,
        tables.WatchLaterItem.__table__,
        [
            {"user_id": user_id, "media_id": media_id, "position": position, "created_at": stamp()}
            for position, media_id in enumerate(rng.sample(movies, TRACKED["watch_later"]), start=1)
        ],
    )
    _insert(
        engine,
        tables.Rating.__table__,
        [
            {"user_id": user_id, "media_id": media_id, "rating": rng.randint(1, 10) / 2, "updated_at": stamp()}
            for media_id in rng.sample(movies, TRACKED["ratings"])
        ],
    )
    _insert(
        engine,
        tables.Favourite.__table__,
        [{"user_id": user_id, "media_id": m, "created_at": stamp()} for m in rng.sample(movies, TRACKED["favourites"])],
    )
    progress_rows = []
    for index, media_id in enumerate(rng.sample(movies, TRACKED["progress"] // 2)):
        progress_rows.append(
            {"media_id": media_id, "season_number": 0, "episode_number": 0, "duration": 7200, "i": index}
        )
    for index in range(TRACKED["progress"] - len(progress_rows)):
        show = ids["show"][index % SHOWS]
        progress_rows.append(
            {
                "media_id": show,
                "season_number": 1 + index // SHOWS,
                "episode_number": 1 + index % EPISODES_PER_SEASON,
                "duration": 2700,
                "i": index,
            }
        )
    _insert(
        engine,
        tables.PlaybackProgress.__table__,
        [
            {
                "user_id": user_id,
                "media_id": row["media_id"],
                "season_number": row["season_number"],
                "episode_number": row["episode_number"],
                "position_seconds": row["duration"] * (row["i"] % 95) // 100,
                "duration_seconds": row["duration"],
                # Most progress rows are long finished; the unfinished ones are the "continue watching" pool.
                "finished_at": None if row["i"] % 4 == 0 else stamp(),
                "updated_at": stamp(),
            }
            for row in progress_rows
        ],
    )
    statuses = ("wishlist", "active", "paused", "completed", "dropped")
    _insert(
        engine,
        tables.GameBacklogEntry.__table__,
        [
            {
                "user_id": user_id,
                "media_id": media_id,
                "status": statuses[index % len(statuses)],
                "hours_played": index % 80,
                "notes": "",
                "created_at": stamp(),
                "updated_at": stamp(),
            }
            for index, media_id in enumerate(rng.sample(ids["game"], TRACKED["backlog"]))
        ],
    )
    with engine.begin() as connection:
        for number in range(COLLECTIONS):
            collection_id = connection.execute(
                insert(tables.Collection.__table__)
                .values(user_id=user_id, name=f"List {number}", description="", created_at=now, updated_at=now)
                .returning(tables.Collection.__table__.c.id)
            ).scalar_one()
            connection.execute(
                insert(tables.CollectionItem.__table__),
                [
                    {"collection_id": collection_id, "media_id": media_id, "position": position, "added_at": now}
                    for position, media_id in enumerate(rng.sample(movies, ITEMS_PER_COLLECTION), start=1)
                ],
            )


def _load(engine: Engine) -> uuid.UUID:
    from seen.models.tracking import WatchEvent

    rng = random.Random(SEED)
    ids = _catalogue(engine, rng)
    heavy = _user(engine, "heavy@example.com")
    _tracked(engine, heavy, ids, rng)
    _insert(engine, WatchEvent.__table__, _viewings(heavy, HEAVY_HISTORY, ids, rng))
    for number in range(OTHER_USERS):
        other = _user(engine, f"other{number}@example.com")
        _insert(engine, WatchEvent.__table__, _viewings(other, OTHER_HISTORY, ids, rng))
    # What autovacuum does to a table soon after a bulk load: fresh statistics, and (PostgreSQL) a visibility
    # map, without which every index-only scan still reads the table. VACUUM cannot run in a transaction.
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("VACUUM ANALYZE" if engine.dialect.name == "postgresql" else "ANALYZE"))
    return heavy


def _measure(engine: Engine, user_id: uuid.UUID) -> dict[str, Any]:
    from seen import cache
    from seen.services import dashboard, stats, tracking, user_cache

    def read_dashboard() -> None:
        with Session(engine) as session:
            dashboard.dashboard(session=session, user_id=user_id)

    def build_dashboard() -> None:
        cache.get_cache().delete(user_cache.dashboard_key(user_id), user_cache.continue_watching_key(user_id))
        read_dashboard()

    rng = random.Random(SEED + 1)

    def history_page() -> None:
        with Session(engine) as session:
            tracking.history(session=session, user_id=user_id, offset=rng.randint(0, 9) * 50, limit=50)

    def build_stats() -> None:
        with Session(engine) as session:
            stats.build_stats(session=session, user_id=user_id, months=12)

    def read_stats() -> None:
        with Session(engine) as session:
            stats.stats(session=session, user_id=user_id, months=12)

    with Session(engine) as session:
        check = dashboard.build_dashboard(session=session, user_id=user_id)
        entries, total = tracking.history(session=session, user_id=user_id, limit=50)
    assert check.watch_later.total == TRACKED["watch_later"] and len(check.recently_watched) == 12
    assert total == HEAVY_HISTORY and len(entries) == 50
    for call in (build_dashboard, read_dashboard, history_page, build_stats, read_stats):  # warm pools and plans
        call()
    results = {}
    for name, call in (
        ("dashboard_build", build_dashboard),
        ("dashboard_cached", read_dashboard),
        ("history", history_page),
        ("stats_build", build_stats),
        ("stats_cached", read_stats),
    ):
        timings = [_timed(call) for _ in range(READS[name])]
        results[name] = {"reads": len(timings), **_stats(timings)}
    for name, goal in (
        ("dashboard_build", GOAL_DASHBOARD_P95_MS),
        ("dashboard_cached", GOAL_DASHBOARD_P95_MS),
        ("history", GOAL_HISTORY_P95_MS),
    ):
        results[name]["meets_goal"] = results[name]["p95_ms"] <= goal
    results["widgets"] = {
        "continue_watching": len(check.continue_watching),
        "watch_later": len(check.watch_later.items),
        "game_backlog": len(check.game_backlog.items),
        "recently_played": len(check.recently_played),
        "recently_watched": len(check.recently_watched),
        "trending": len(check.trending),
    }
    return results


def _run_engine(name: str, url: str, redis_url: str) -> dict[str, Any]:
    import time

    print(f"bench: {NAME} {name}: loading ...", flush=True)
    engine = fresh_app_database(url, redis_url)
    started = time.monotonic()
    user_id = _load(engine)
    load_s = round(time.monotonic() - started, 1)
    print(f"bench: {NAME} {name}: loaded in {load_s}s, measuring ...", flush=True)
    try:
        # The machine's load around the measurement: numbers taken while other work ran are not comparable.
        before = os.getloadavg()[0]
        measured = _measure(engine, user_id)
        return {"load_s": load_s, "loadavg_1m": [round(before, 2), round(os.getloadavg()[0], 2)], **measured}
    finally:
        engine.dispose()


def run() -> dict[str, Any]:
    results: dict[str, Any] = {
        "user": {
            "tracked_items": sum(TRACKED.values()) + COLLECTIONS * ITEMS_PER_COLLECTION,
            "viewings": HEAVY_HISTORY,
        },
        "other_users": {"count": OTHER_USERS, "viewings_each": OTHER_HISTORY},
        "catalogue": {
            "movies": MOVIES,
            "shows": SHOWS,
            "episodes": SHOWS * SEASONS * EPISODES_PER_SEASON,
            "games": GAMES,
        },
        "goal_dashboard_p95_ms": GOAL_DASHBOARD_P95_MS,
        "goal_history_p95_ms": GOAL_HISTORY_P95_MS,
        "engines": {},
        "errors": [],
    }
    # Four accounts are created; hashing is not what is measured.
    with in_process_env("tracking-reads", SEEN_BCRYPT_ROUNDS="4") as work:
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
        for name in ("dashboard_build", "dashboard_cached", "history", "stats_build", "stats_cached"):
            one = found[name]
            verdict = "" if "meets_goal" not in one else (" met" if one["meets_goal"] else " NOT met")
            parts.append(f"{name} p50 {one['p50_ms']} p95 {one['p95_ms']} ms{verdict}")
        lines.append(f"{engine}: " + "; ".join(parts))
    return lines
