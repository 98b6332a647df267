"""Recommendation refresh: 100 users with 2,000 viewings each, scored over a large catalogue.

Catalogue: the 58,788 ggplot2movies films (loaded as `catalogue_search` loads them, the CSV's genre flags as
genres, as `catalogue_reads` builds them) plus 3,000 games (six IGDB-style genres, four platforms, 150
franchises). The 15,000 most-voted films get TMDB-style "recommendation" and "similar" lists of 8 titles each
(films sharing a genre, biased to popular ones): 240,000 relation rows, as a details sync would store them.

Users: 100, each with 2,000 viewings (about 1,500 films, a quarter of them rewatched, over three years, drawn
with a per-user genre taste and a popularity bias), 300 ratings (0.5-5), 30 favourites, 50 watch later,
20 backlog games on one platform, 10 votes. Inserted in bulk.

Measured per engine (SQLite + in-memory cache; PostgreSQL `SEEN_BENCH_DATABASE_URL` + Redis
`SEEN_BENCH_REDIS_URL`): `recommendations.refresh_for_user` for every user, each in its own transaction as the
`recommendations.refresh_user` job runs it; total wall time, per-user p50 / p95 / max, and the first user
apart (it also builds the catalogue-wide genre pools, shared by the later ones until the catalogue changes).
Then a second pass over the same 100 users (the steady state of the scheduled job), and a read of the
first page of each user's list from the cache.
"""

from __future__ import annotations

import os
import random
import time
import uuid
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, insert, select, text
from sqlmodel import Session

from bench.catalogue_reads import DEFAULT_BENCH_REDIS, _build_sections, _stats
from bench.catalogue_search import CSV_PATH, DEFAULT_PG_URL, IN_CI, ensure_postgres_database, load, read_films
from bench.common import fresh_app_database, in_process_env
from seen.services.catalogue_bulk import blank_columns

NAME = "recommendations_refresh"
SEED = 20261204
USERS, VIEWINGS, RATINGS, FAVOURITES, WATCH_LATER, BACKLOG, VOTES = 100, 2000, 300, 30, 50, 20, 10
RELATED_FILMS, RELATED_EACH = 15_000, 8
GAMES, PLATFORMS, FRANCHISES = 3000, 4, 150
GAME_GENRES = ("Adventure", "Shooter", "RPG", "Platform", "Puzzle", "Racing")
BATCH = 5000
GOAL_P95_MS = 250.0


def _insert(engine: Engine, table: Any, rows: list[dict[str, Any]]) -> None:
    with engine.begin() as connection:
        for start in range(0, len(rows), BATCH):
            connection.execute(insert(table), rows[start : start + BATCH])


def _games(engine: Engine, rng: random.Random) -> list[int]:
    from seen.models import media as tables

    now = datetime.now(UTC)
    rows = [
        {
            "kind": "game",
            "source": "igdb",
            "title": f"Game {number}",
            "search_text": f"game {number}",
            "year": 1995 + number % 30,
            "popularity": float(rng.randint(1, 5000)),
            "vote_average": round(rng.uniform(4, 9.5), 1),
            "vote_count": rng.randint(0, 3000),
            **blank_columns(now),
            "franchises": [f"Franchise {number % FRANCHISES}"] if number % 3 else [],
        }
        for number in range(GAMES)
    ]
    _insert(engine, tables.MediaItem.__table__, rows)
    with Session(engine) as session:
        ids = [row[0] for row in session.execute(select(tables.MediaItem.id).where(tables.MediaItem.kind == "game"))]
        genre_ids = []
        for index, name in enumerate(GAME_GENRES, start=1):
            genre = tables.Genre(provider="igdb", kind="game", provider_id=index, name=name)
            session.add(genre)
            session.flush()
            genre_ids.append(genre.id)
        platform_ids = []
        for index in range(PLATFORMS):
            platform = tables.Platform(igdb_id=1000 + index, name=f"Console {index + 1}")
            session.add(platform)
            session.flush()
            platform_ids.append(platform.id)
        session.commit()
    _insert(
        engine,
        tables.MediaGenre.__table__,
        [{"media_id": mid, "genre_id": gid} for mid in ids for gid in {rng.choice(genre_ids), rng.choice(genre_ids)}],
    )
    _insert(
        engine,
        tables.MediaPlatform.__table__,
        [
            {"media_id": mid, "platform_id": pid}
            for mid in ids
            for pid in {rng.choice(platform_ids), rng.choice(platform_ids)}
        ],
    )
    return ids


def _films_by_genre(engine: Engine) -> tuple[list[int], dict[int, list[int]], dict[int, list[int]]]:
    """Film ids by votes (most first), genre -> films (by votes), film -> its genres."""
    from seen.models import media as tables

    with Session(engine) as session:
        films = [
            row[0]
            for row in session.execute(
                select(tables.MediaItem.id)
                .where(tables.MediaItem.kind == "movie")
                .order_by(tables.MediaItem.popularity.desc(), tables.MediaItem.id)
            )
        ]
        links = session.execute(select(tables.MediaGenre.media_id, tables.MediaGenre.genre_id)).all()
    order = {mid: index for index, mid in enumerate(films)}
    by_genre: dict[int, list[int]] = defaultdict(list)
    genres_of: dict[int, list[int]] = defaultdict(list)
    for mid, gid in links:
        if mid in order:
            by_genre[gid].append(mid)
            genres_of[mid].append(gid)
    for members in by_genre.values():
        members.sort(key=order.__getitem__)
    return films, dict(by_genre), dict(genres_of)


def _biased(rng: random.Random, pool: list[int], spread: float = 0.08) -> int:
    """A member of `pool` (best first) with a popularity bias: index ~ exponential over the pool."""
    index = min(len(pool) - 1, int(rng.expovariate(1.0) * spread * len(pool)))
    return pool[index]


def _relations(engine: Engine, films: list[int], by_genre, genres_of, rng: random.Random) -> int:
    from seen.models import media as tables

    rows = []
    for mid in films[:RELATED_FILMS]:
        genres = genres_of.get(mid) or [None]
        for relation in ("recommendation", "similar"):
            chosen: list[int] = []
            while len(chosen) < RELATED_EACH:
                gid = rng.choice(genres)
                pool = by_genre.get(gid) if gid is not None else films
                other = _biased(rng, pool or films, 0.05)
                if other != mid and other not in chosen:
                    chosen.append(other)
            rows.extend(
                {"media_id": mid, "relation": relation, "related_id": other, "position": position}
                for position, other in enumerate(chosen)
            )
    _insert(engine, tables.MediaRelation.__table__, rows)
    return len(rows)


def _users(engine: Engine, films, by_genre, games: list[int], rng: random.Random) -> list[uuid.UUID]:
    from seen.models import recommendations as votes_table
    from seen.models import tracking as tables
    from seen.models.media import MediaPlatform
    from seen.services import auth

    now = datetime.now(UTC)
    with Session(engine) as session:
        user_ids = []
        for number in range(USERS):
            user = auth.create_user(session=session, email=f"bench{number}@example.com", password="bench password 1")
            user_ids.append(user.id)
        session.commit()
        platforms = [row[0] for row in session.execute(select(MediaPlatform.platform_id).distinct())]
    genres = sorted(by_genre)
    viewings, ratings, favourites, later, backlog, votes = [], [], [], [], [], []
    for user_id in user_ids:
        taste = rng.sample(genres, k=min(2, len(genres)))
        distinct: list[int] = []
        seen_ids: set[int] = set()
        while len(distinct) < VIEWINGS * 3 // 4:
            pool = by_genre[rng.choice(taste)] if rng.random() < 0.7 else films
            mid = _biased(rng, pool)
            if mid not in seen_ids:
                seen_ids.add(mid)
                distinct.append(mid)
        watched = distinct + [rng.choice(distinct) for _ in range(VIEWINGS - len(distinct))]
        for mid in watched:
            moment = now - timedelta(seconds=rng.randint(60, 3 * 365 * 86400))
            viewings.append({"user_id": user_id, "media_id": mid, "watched_at": moment, "created_at": moment})
        for mid in rng.sample(distinct, RATINGS):
            ratings.append({"user_id": user_id, "media_id": mid, "rating": rng.randint(1, 10) / 2, "updated_at": now})
        for mid in rng.sample(distinct, FAVOURITES):
            favourites.append({"user_id": user_id, "media_id": mid, "created_at": now})
        unseen = [mid for mid in films[:20_000] if mid not in seen_ids]
        for position, mid in enumerate(rng.sample(unseen, WATCH_LATER + VOTES), start=1):
            if position <= WATCH_LATER:
                later.append({"user_id": user_id, "media_id": mid, "position": position, "created_at": now})
            else:
                vote = rng.choice(("up", "down", "not_interested"))
                votes.append({"user_id": user_id, "media_id": mid, "vote": vote, "created_at": now, "updated_at": now})
        platform = rng.choice(platforms)
        for mid in rng.sample(games, BACKLOG):
            backlog.append(
                {
                    "user_id": user_id,
                    "media_id": mid,
                    "status": rng.choice(("active", "completed", "wishlist", "paused")),
                    "platform_id": platform,
                    "hours_played": 0,
                    "notes": "",
                    "created_at": now,
                    "updated_at": now,
                }
            )
    _insert(engine, tables.WatchEvent.__table__, viewings)
    _insert(engine, tables.Rating.__table__, ratings)
    _insert(engine, tables.Favourite.__table__, favourites)
    _insert(engine, tables.WatchLaterItem.__table__, later)
    _insert(engine, tables.GameBacklogEntry.__table__, backlog)
    _insert(engine, votes_table.RecommendationVote.__table__, votes)
    return user_ids


def _analyze(engine: Engine) -> None:
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("VACUUM ANALYZE"))
    else:
        with engine.begin() as connection:
            connection.execute(text("ANALYZE"))


def _pass(user_ids: list[uuid.UUID]) -> tuple[list[float], float, int]:
    from seen.db import session_scope
    from seen.services import recommendations

    timings, titles = [], 0
    started = time.perf_counter()
    for user_id in user_ids:
        begun = time.perf_counter()
        with session_scope() as session:
            titles += recommendations.refresh_for_user(session=session, user_id=user_id)
        timings.append((time.perf_counter() - begun) * 1000)
    return timings, time.perf_counter() - started, titles


def _run_engine(name: str, url: str, redis_url: str, films_csv) -> dict[str, Any]:
    from seen import db

    print(f"bench: {NAME} {name}: loading ...", flush=True)
    engine = fresh_app_database(url, redis_url)
    rng = random.Random(SEED)
    started = time.monotonic()
    load(engine, films_csv)
    _build_sections(engine, films_csv)
    games = _games(engine, rng)
    films, by_genre, genres_of = _films_by_genre(engine)
    relation_rows = _relations(engine, films, by_genre, genres_of, rng)
    user_ids = _users(engine, films, by_genre, games, rng)
    _analyze(engine)
    load_s = round(time.monotonic() - started, 1)
    print(f"bench: {NAME} {name}: loaded in {load_s}s, refreshing {len(user_ids)} users ...", flush=True)
    try:
        from seen.services import recommendations

        before = os.getloadavg()[0]
        cpu_before = time.process_time()
        first, total_s, titles = _pass(user_ids)
        cpu_s = time.process_time() - cpu_before
        second, second_total_s, _ = _pass(user_ids)
        reads = []
        for user_id in user_ids:  # a page read right after the refresh: a miss, then the cached read
            for _ in range(2):
                begun = time.perf_counter()
                with db.session_scope() as session:
                    recommendations.recommendations(session=session, user_id=user_id, limit=20)
                reads.append((time.perf_counter() - begun) * 1000)
        return {
            "load_s": load_s,
            "catalogue_titles": len(films) + len(games),
            "relation_rows": relation_rows,
            "users": len(user_ids),
            "refresh": {
                "total_s": round(total_s, 2),
                "first_user_ms": round(first[0], 1),
                **_stats(first),
                "mean_ms": round(sum(first) / len(first), 1),
                "bench_process_cpu_s": round(cpu_s, 2),
                "titles_per_user": round(titles / len(user_ids), 1),
                "meets_goal": _stats(first)["p95_ms"] <= GOAL_P95_MS,
            },
            "second_pass": {"total_s": round(second_total_s, 2), **_stats(second)},
            "list_read_after_refresh": {
                "miss": _stats(reads[0::2]),
                "cached": _stats(reads[1::2]),
            },
            "loadavg_1m": [round(before, 2), round(os.getloadavg()[0], 2)],
        }
    finally:
        engine.dispose()


def run() -> dict[str, Any]:
    if not CSV_PATH.exists():
        message = f"{CSV_PATH} is missing (the ggplot2movies films); nothing to measure"
        if IN_CI:
            raise FileNotFoundError(message)
        return {"skipped": message, "errors": []}
    films_csv = read_films()
    results: dict[str, Any] = {
        "users": USERS,
        "per_user": {
            "viewings": VIEWINGS,
            "ratings": RATINGS,
            "favourites": FAVOURITES,
            "watch_later": WATCH_LATER,
            "backlog_games": BACKLOG,
            "votes": VOTES,
        },
        "catalogue": {"films": len(films_csv), "games": GAMES, "films_with_related_lists": RELATED_FILMS},
        "goal_per_user_p95_ms": GOAL_P95_MS,
        "engines": {},
        "errors": [],
    }
    with in_process_env("recommendations-refresh", SEEN_BCRYPT_ROUNDS="4", SEEN_LOG_LEVEL="WARNING") as work:
        results["engines"]["sqlite+memory"] = _run_engine("sqlite", f"sqlite:///{work / 'seen.db'}", "", films_csv)
        pg_url = os.environ.get("SEEN_BENCH_DATABASE_URL", DEFAULT_PG_URL)
        try:
            ensure_postgres_database(pg_url)
            results["engines"]["postgres+redis"] = _run_engine(
                "postgres", pg_url, os.environ.get("SEEN_BENCH_REDIS_URL", DEFAULT_BENCH_REDIS), films_csv
            )
        except Exception as error:  # PostgreSQL absent on a user's machine: say so, keep the SQLite numbers
            if IN_CI:
                raise
            results["errors"].append(f"postgres: {type(error).__name__}: {error}")
    return results


def summary(results: dict[str, Any]) -> list[str]:
    if "skipped" in results:
        return [f"skipped: {results['skipped']}"]
    lines = []
    for engine, found in results["engines"].items():
        one = found["refresh"]
        lines.append(
            f"{engine}: {found['users']} users refreshed in {one['total_s']} s, per user p50 {one['p50_ms']} "
            f"p95 {one['p95_ms']} max {one['max_ms']} ms (first {one['first_user_ms']} ms); "
            f"second pass {found['second_pass']['total_s']} s"
        )
    return lines


if __name__ == "__main__":
    import json

    from bench.common import write_result

    outcome = run()
    write_result(NAME, outcome)
    print(json.dumps(outcome, indent=2))
