"""Catalogue reads: Discover sections with a warm cache, and a cold detail page fetched from the provider fake.

Discover: the 58,788 ggplot2movies films are loaded (as `catalogue_search` loads them) into SQLite with the
in-memory cache and into PostgreSQL with Redis; sections are built from them (popular by votes, top rated
by rating, trending/upcoming/now playing by year windows, with the CSV's genre flags as genres). Then 60
distinct section pages (section x kind x genre x page) are read once to warm the cache and 600 times
measured: `catalogue_views.discover_section`, one session per read as a request does. The same reads with
the cache flushed before each one are reported too, as the cost of a miss.

Cold detail: a title known only from a list (TMDB 550 and 603, whose recorded details the local fake
serves) has its details missing and the provider response cache empty; `ensure_media` fetches them over
HTTP from the fake, normalises and stores them, then `media_view` reads the page; repeated 40 times.
"""

from __future__ import annotations

import os
import random
import statistics
import time
from collections.abc import Callable
from typing import Any

from sqlalchemy import Engine, insert, select, text, update
from sqlmodel import Session

from bench.catalogue_search import (
    CSV_PATH,
    DEFAULT_PG_URL,
    GENRE_COLUMNS,
    IN_CI,
    ensure_postgres_database,
    load,
    percentile,
    read_films,
)
from bench.common import fresh_app_database, in_process_env

NAME = "catalogue_reads"
GOAL_DISCOVER_P95_MS = 30.0
DISCOVER_READS = 600
DETAIL_ROUNDS = 20
SEED = 20261122
DEFAULT_BENCH_REDIS = "redis://127.0.0.1:6379/13"


def _build_sections(engine: Engine, films) -> None:
    """Sections and genres from the loaded films, with the catalogue's own write functions."""
    from seen.models import media as tables
    from seen.services import catalogue

    with Session(engine) as session:
        ids = dict(session.execute(select(tables.MediaItem.search_text, tables.MediaItem.id)).all())
        rows = list(
            session.execute(
                select(
                    tables.MediaItem.id,
                    tables.MediaItem.year,
                    tables.MediaItem.popularity,
                    tables.MediaItem.vote_average,
                )
            ).all()
        )
        by_votes = [r.id for r in sorted(rows, key=lambda r: -(r.popularity or 0))]
        by_rating = [
            r.id
            for r in sorted(rows, key=lambda r: (-(r.vote_average or 0), -(r.popularity or 0)))
            if (r.popularity or 0) >= 1000
        ]
        recent = [r.id for r in sorted(rows, key=lambda r: -(r.popularity or 0)) if (r.year or 0) >= 2000]
        sections = {
            "popular": by_votes,
            "top_rated": by_rating,
            "trending": recent,
            "now_playing": recent[200:],
            "upcoming": recent[400:],
        }
        for name, media_ids in sections.items():
            catalogue.replace_section(session=session, section=name, kind="movie", media_ids=media_ids[:300])
        genre_ids = {}
        for index, name in enumerate(GENRE_COLUMNS, start=1):
            genre_ids[name] = catalogue.genre_rows(
                session=session, kind="movie", genres=[catalogue.records.Genre("tmdb", index, name)]
            )[0].id
        from seen.services.search import normalise

        links = [
            {"media_id": ids[text_], "genre_id": genre_ids[name]}
            for film in films
            if (text_ := normalise(film.title)) in ids
            for name in film.genres
        ]
        unique = list({(link["media_id"], link["genre_id"]): link for link in links}.values())
        session.execute(insert(tables.MediaGenre.__table__), unique)
        session.commit()


def _discover_queries(engine: Engine) -> list[dict[str, Any]]:
    with Session(engine) as session:
        genres = [row[0] for row in session.execute(text("SELECT id FROM genres ORDER BY id")).all()]
    rng = random.Random(SEED)
    queries = []
    while len(queries) < 60:
        query = {
            "section": rng.choice(["popular", "top_rated", "trending", "now_playing", "upcoming"]),
            "kind": rng.choice([None, "movie"]),
            "genre_id": rng.choice([None, None, *genres]),
            "page": rng.choice([1, 1, 2, 3]),
            "page_size": 20,
        }
        if query not in queries:
            queries.append(query)
    return queries


def _timed(call: Callable[[], Any]) -> float:
    started = time.perf_counter()
    call()
    return (time.perf_counter() - started) * 1000


def _stats(values: list[float]) -> dict[str, float]:
    return {
        "p50_ms": round(statistics.median(values), 2),
        "p95_ms": round(percentile(values, 0.95), 2),
        "max_ms": round(max(values), 2),
    }


def _measure_discover(engine: Engine) -> dict[str, Any]:
    from seen import cache
    from seen.services import catalogue_views

    queries = _discover_queries(engine)

    def read(query: dict[str, Any]) -> None:
        with Session(engine) as session:
            catalogue_views.discover_section(session=session, **query)

    for query in queries:  # warm the cache
        read(query)
    rng = random.Random(SEED + 1)
    warm = [_timed(lambda q=rng.choice(queries): read(q)) for _ in range(DISCOVER_READS)]
    cold = []
    for query in queries:
        catalogue_views.invalidate_discover()
        cold.append(_timed(lambda q=query: read(q)))
    empty = sum(1 for q in queries if not _page_has_items(engine, q))
    cache.get_cache()  # keep the backend the run used in the report's meaning
    return {
        "distinct_queries": len(queries),
        "reads": len(warm),
        "warm": {**_stats(warm), "meets_goal": percentile(warm, 0.95) <= GOAL_DISCOVER_P95_MS},
        "cache_miss": _stats(cold),
        "queries_with_no_items": empty,
    }


def _page_has_items(engine: Engine, query: dict[str, Any]) -> bool:
    from seen.services import catalogue_views

    with Session(engine) as session:
        return bool(catalogue_views.discover_section(session=session, **query).items)


def _measure_cold_detail() -> dict[str, Any]:
    """Against the local provider fake (recorded TMDB responses over HTTP)."""
    from seen import cache
    from seen.config import reset_settings
    from seen.db import session_scope
    from seen.models import media as tables
    from seen.providers.models import ExternalIds, MediaSummary
    from seen.services import catalogue, catalogue_sync, catalogue_views
    from tests.fakes.provider_server import ProviderFake, serve

    fake = ProviderFake()
    timings: list[float] = []
    with serve(fake) as urls:
        os.environ.update(urls.settings_env(fake))
        reset_settings()
        cache.reset_cache()
        with session_scope() as session:
            media_ids = [
                catalogue.store_summary(
                    session=session, summary=MediaSummary(kind="movie", ids=ExternalIds(tmdb=i), title=title)
                ).id
                for i, title in ((550, "Fight Club"), (603, "The Matrix"))
            ]
        from seen.services import app_settings

        for _ in range(DETAIL_ROUNDS):
            for media_id in media_ids:
                with session_scope() as session:
                    session.execute(
                        update(tables.MediaItem).where(tables.MediaItem.id == media_id).values(details_synced_at=None)
                    )
                cache.reset_cache()  # no cached provider answers: a truly cold read

                def cold_page(media_id: int = media_id) -> None:
                    with session_scope() as session:
                        settings = app_settings.provider_settings(session=session)
                    catalogue_sync.ensure_media(media_id=media_id, settings=settings)
                    with session_scope() as session:
                        view = catalogue_views.media_view(session=session, media_id=media_id)
                    assert view.details_loaded and view.cast, "the fake's details were not stored"

                timings.append(_timed(cold_page))
        for name in urls.settings_env(fake):
            os.environ.pop(name, None)
    return {"pages": len(timings), **_stats(timings)}


def _run_engine(name: str, url: str, redis_url: str, films) -> dict[str, Any]:

    print(f"bench: {NAME} {name}: loading {len(films)} films ...", flush=True)
    engine = fresh_app_database(url, redis_url)
    load(engine, films)
    _build_sections(engine, films)
    print(f"bench: {NAME} {name}: measuring ...", flush=True)
    return {"discover": _measure_discover(engine), "cold_detail": _measure_cold_detail()}


def run() -> dict[str, Any]:
    if not CSV_PATH.exists():
        message = f"{CSV_PATH} is missing (the ggplot2movies films); nothing to measure"
        if IN_CI:
            raise FileNotFoundError(message)
        print(f"bench: {NAME} skipped: {message}")
        return {"skipped": message, "errors": []}
    films = read_films()
    results: dict[str, Any] = {
        "films": len(films),
        "goal_discover_p95_ms": GOAL_DISCOVER_P95_MS,
        "engines": {},
        "errors": [],
    }
    with in_process_env("catalogue-reads") as work:
        results["engines"]["sqlite+memory"] = _run_engine("sqlite", f"sqlite:///{work / 'seen.db'}", "", films)
        pg_url = os.environ.get("SEEN_BENCH_DATABASE_URL", DEFAULT_PG_URL)
        try:
            ensure_postgres_database(pg_url)
            results["engines"]["postgres+redis"] = _run_engine(
                "postgres", pg_url, os.environ.get("SEEN_BENCH_REDIS_URL", DEFAULT_BENCH_REDIS), films
            )
        except Exception as error:  # PostgreSQL absent on a user's machine: say so, keep the SQLite numbers
            results["errors"].append(f"postgres: {type(error).__name__}: {error}")
    return results


def summary(results: dict[str, Any]) -> list[str]:
    if "skipped" in results:
        return [results["skipped"]]
    lines = []
    for engine, found in results["engines"].items():
        warm = found["discover"]["warm"]
        detail = found["cold_detail"]
        lines.append(
            f"{engine}: discover warm p50 {warm['p50_ms']} ms p95 {warm['p95_ms']} ms "
            f"(goal <= {GOAL_DISCOVER_P95_MS} ms: {'met' if warm['meets_goal'] else 'NOT met'}); "
            f"miss p95 {found['discover']['cache_miss']['p95_ms']} ms; "
            f"cold detail p50 {detail['p50_ms']} ms p95 {detail['p95_ms']} ms"
        )
    return lines
