"""Catalogue search: latency of `seen.services.search.search_catalogue` on 58,788 real film titles, per engine.

The films (ggplot2movies: title, year, rating, votes...) are loaded through the migrations into a fresh
SQLite file and into PostgreSQL (SEEN_BENCH_DATABASE_URL, default the local `seen_bench` database, created
if missing and rebuilt from base), with bulk inserts. Then a fixed mix of 200 queries (prefix, typos,
multi-word, non-Latin, one letter, no hit), generated from the titles with a fixed seed, runs after a
warm-up, one session per query as a request would have. Latency is the service call, in-process.
"""

from __future__ import annotations

import csv
import os
import random
import shutil
import statistics
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, insert, text
from sqlmodel import Session

from bench import procs
from bench.common import ROOT, scratch_dir
from seen.services.catalogue_bulk import blank_columns

NAME = "catalogue_search"
CSV_PATH = ROOT.parent / "shared" / "bench" / "ggplot2movies_movies.csv"
DEFAULT_PG_URL = "postgresql://postgres@127.0.0.1:5432/seen_bench"
GOAL_P95_MS = 25.0
SEED = 20261122
WARMUP_QUERIES = 40
# Every query runs this many times (all queries once, then again...); its latency is the median.
ROUNDS = 3
LIMIT = 20
BATCH = 5000
# How many of each query shape make up the 200.
MIX = {"prefix": 40, "typo": 60, "multi_word": 30, "non_latin": 20, "one_letter": 20, "no_hit": 30}
NON_LATIN = (
    "千と千尋",
    "Амели",
    "東京物語",
    "七人の侍",
    "Броненосец Потёмкин",
    "기생충",
    "العراب",
    "Ζορμπάς ο Έλληνας",  # noqa: RUF001 (Greek, on purpose)
    "हम आपके हैं कौन",
    "Сталкер",
    "羅生門",
    "Λόγος",
    "גט",
    "Иди и смотри",
    "もののけ姫",
    "부산행",
    "ทองปาน",
    "Солярис",
    "花様年華",
    "Летят журавли",
)
IN_CI = os.environ.get("CI", "").lower() == "true"


@dataclass(frozen=True)
class Film:
    title: str
    year: int | None
    length: int | None
    rating: float | None
    votes: int
    # The CSV's genre flag columns that are set (Action, Animation, Comedy, Drama, Documentary, Romance, Short).
    genres: tuple[str, ...] = ()


GENRE_COLUMNS = ("Action", "Animation", "Comedy", "Drama", "Documentary", "Romance", "Short")


@dataclass(frozen=True)
class Query:
    shape: str
    text: str
    # The title the query was made from, when there is one: it should be found.
    source: str | None = None


def _number(value: str, kind: Callable[[str], Any]) -> Any:
    return None if value in ("", "NA") else kind(value)


def read_films(path: Path = CSV_PATH) -> list[Film]:
    with path.open(newline="", encoding="utf-8") as handle:
        return [
            Film(
                title=row["title"],
                year=_number(row["year"], int),
                length=_number(row["length"], int),
                rating=_number(row["rating"], float),
                votes=_number(row["votes"], int) or 0,
                genres=tuple(name for name in GENRE_COLUMNS if row.get(name) == "1"),
            )
            for row in csv.DictReader(handle)
        ]


# --- Queries ----------------------------------------------------------------------------------------------


def _typo(word: str, rng: random.Random) -> str:
    index = rng.randrange(1, len(word) - 1)
    how = rng.choice(("drop", "swap", "replace"))
    if how == "drop":
        return word[:index] + word[index + 1 :]
    if how == "swap":
        return word[:index] + word[index + 1] + word[index] + word[index + 2 :]
    letters = "abcdefghijklmnopqrstuvwxyz"
    return word[:index] + rng.choice(letters.replace(word[index].lower(), "")) + word[index + 1 :]


def build_queries(films: list[Film], *, seed: int = SEED, mix: dict[str, int] = MIX) -> list[Query]:
    rng = random.Random(seed)
    # People search for what they have heard of: half the titles come from the well-known films.
    known = [film for film in films if film.votes >= 1000]

    def pick(predicate: Callable[[Film], bool]) -> Film:
        while True:
            film = rng.choice(known if rng.random() < 0.5 else films)
            if predicate(film):
                return film

    queries: list[Query] = []
    for _ in range(mix["prefix"]):
        film = pick(lambda film: len(film.title) >= 6)
        queries.append(Query("prefix", film.title[: rng.randint(3, min(10, len(film.title)))], film.title))
    for _ in range(mix["typo"]):
        film = pick(lambda film: len(film.title) >= 6 and film.title.isascii())
        queries.append(Query("typo", _typo(film.title, rng), film.title))
    for _ in range(mix["multi_word"]):
        film = pick(lambda film: len([word for word in film.title.split() if len(word) > 2]) >= 2)
        words = [word for word in film.title.split() if len(word) > 2]
        chosen = rng.sample(words, k=min(len(words), rng.choice((2, 3))))
        queries.append(Query("multi_word", " ".join(chosen), film.title))
    queries += [Query("non_latin", NON_LATIN[index % len(NON_LATIN)]) for index in range(mix["non_latin"])]
    queries += [
        Query("one_letter", rng.choice("abcdefghijklmnopqrstuvwxyz0123456789")) for _ in range(mix["one_letter"])
    ]
    for _ in range(mix["no_hit"]):
        words = ["".join(rng.choice("bcdfghjklmnpqvwxz") for _ in range(rng.randint(4, 7))) for _ in range(2)]
        queries.append(Query("no_hit", " ".join(words)))
    rng.shuffle(queries)
    return queries


# --- Loading ----------------------------------------------------------------------------------------------


def _rows(films: list[Film]) -> Iterator[list[dict[str, Any]]]:
    from seen.services.search import normalise

    now = datetime.now(UTC)
    batch: list[dict[str, Any]] = []
    for film in films:
        batch.append(
            {
                "kind": "movie",
                "source": "demo",
                "title": film.title[:500],
                "original_title": None,
                "search_text": normalise(film.title)[:1100],
                "year": film.year,
                "runtime": film.length,
                "popularity": float(film.votes),
                "vote_average": film.rating,
                "vote_count": film.votes,
                **blank_columns(now),
            }
        )
        if len(batch) == BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def load(engine: Engine, films: list[Film]) -> float:
    """Insert every film in batches (executemany, not the ORM row by row); returns seconds."""
    from seen.models.media import MediaItem

    started = time.monotonic()
    with engine.begin() as connection:
        for batch in _rows(films):
            connection.execute(insert(MediaItem.__table__), batch)  # type: ignore[arg-type]
    with engine.begin() as connection:
        # What autovacuum / a maintenance job would have done on a catalogue this size.
        connection.execute(text("ANALYZE"))
    return time.monotonic() - started


# --- Measuring --------------------------------------------------------------------------------------------


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * len(ordered)) - 1))
    return ordered[index]


def measure(engine: Engine, queries: list[Query], warmup: list[Query]) -> dict[str, Any]:
    from seen.services.search import normalise, search_catalogue

    def once(query: Query) -> tuple[float, list[str]]:
        with Session(engine) as session:
            started = time.perf_counter()
            result = search_catalogue(session=session, query=query.text, limit=LIMIT)
            elapsed = (time.perf_counter() - started) * 1000
        return elapsed, [hit.title for hit in result.hits]

    for query in warmup:
        once(query)
    wall_before, own_before, machine_before = time.monotonic(), time.process_time(), procs.machine_busy_seconds()
    runs: list[list[float]] = [[] for _ in queries]
    found: dict[str, list[bool]] = {}
    for round_number in range(ROUNDS):
        for index, query in enumerate(queries):
            elapsed, titles = once(query)
            runs[index].append(elapsed)
            if round_number == 0 and query.source is not None and query.shape in ("typo", "multi_word"):
                wanted = normalise(query.source)
                found.setdefault(query.shape, []).append(any(normalise(title) == wanted for title in titles[:10]))
    wall_s = time.monotonic() - wall_before
    own_cpu_s = time.process_time() - own_before
    machine_cpu_s = procs.machine_busy_seconds() - machine_before
    # A query's latency is the median of its runs: one run stalled by another process on the machine does not
    # make a slow query. Every single run is in `all_runs_*` too.
    timings = [statistics.median(values) for values in runs]
    every_run = [value for values in runs for value in values]
    by_shape: dict[str, list[float]] = {}
    for query, timing in zip(queries, timings, strict=True):
        by_shape.setdefault(query.shape, []).append(timing)
    p95 = percentile(timings, 0.95)
    slowest = sorted(zip(timings, queries, strict=True), key=lambda pair: pair[0], reverse=True)[:5]
    return {
        "queries": len(timings),
        "rounds": ROUNDS,
        "p50_ms": round(statistics.median(timings), 2),
        "p95_ms": round(p95, 2),
        "p99_ms": round(percentile(timings, 0.99), 2),
        "max_ms": round(max(timings), 2),
        "mean_ms": round(statistics.fmean(timings), 2),
        "meets_goal": p95 <= GOAL_P95_MS,
        "all_runs_p95_ms": round(percentile(every_run, 0.95), 2),
        "all_runs_max_ms": round(max(every_run), 2),
        "p95_ms_by_shape": {shape: round(percentile(values, 0.95), 2) for shape, values in sorted(by_shape.items())},
        # Share of queries made from a real title that find it in the first 10 hits (identical titles count).
        "found_in_top10": {shape: round(sum(hits) / len(hits), 3) for shape, hits in sorted(found.items())},
        # Was the machine ours? The queries use this process (and, for PostgreSQL, one server backend); busy
        # CPU far above that means something else ran meanwhile and the latencies are pessimistic.
        "wall_s": round(wall_s, 2),
        "bench_process_cpu_s": round(own_cpu_s, 2),
        "machine_busy_cpu_s": round(machine_cpu_s, 2),
        "slowest": [{"ms": round(ms, 2), "shape": query.shape, "query": query.text} for ms, query in slowest],
    }


def _run_engine(name: str, url: str, films: list[Film], queries: list[Query], warmup: list[Query]) -> dict[str, Any]:
    from seen import db
    from seen.migrate import downgrade, upgrade

    print(f"bench: {NAME} {name}: migrating and loading {len(films)} films ...", flush=True)
    # From base: the migrations build the schema, and the previous run's rows go with it.
    downgrade(url, "base")
    upgrade(url)
    engine = db.build_engine(url)
    try:
        load_s = load(engine, films)
        print(f"bench: {NAME} {name}: loaded in {load_s:.1f}s, running {len(queries)} queries ...", flush=True)
        return {"load_s": round(load_s, 2), **measure(engine, queries, warmup)}
    finally:
        engine.dispose()


def ensure_postgres_database(url: str) -> None:
    """Create the bench database when it does not exist yet (connecting to the server's `postgres` DB)."""
    from sqlalchemy.engine import make_url

    from seen import db

    target = make_url(db.normalise_url(url))
    admin = db.build_engine(target.set(database="postgres").render_as_string(hide_password=False))
    try:
        with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            exists = connection.execute(
                text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": target.database}
            ).first()
            if not exists:
                connection.execute(text(f'CREATE DATABASE "{target.database}"'))
    finally:
        admin.dispose()


def run() -> dict[str, Any]:
    if not CSV_PATH.exists():
        message = f"{CSV_PATH} is missing (the ggplot2movies films); nothing to measure"
        if IN_CI:
            raise FileNotFoundError(message)
        print(f"bench: {NAME} skipped: {message}")
        return {"skipped": message, "errors": []}
    films = read_films()
    queries = build_queries(films)
    warmup = build_queries(films, seed=SEED + 1)[:WARMUP_QUERIES]
    results: dict[str, Any] = {
        "dataset": {"path": str(CSV_PATH.relative_to(ROOT.parent)), "films": len(films)},
        "query_mix": MIX,
        "limit": LIMIT,
        "warmup_queries": WARMUP_QUERIES,
        "rounds": ROUNDS,
        "goal_p95_ms": GOAL_P95_MS,
        "engines": {},
        "errors": [],
    }
    work = scratch_dir("catalogue-search")
    try:
        results["engines"]["sqlite"] = _run_engine("sqlite", f"sqlite:///{work / 'seen.db'}", films, queries, warmup)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    pg_url = os.environ.get("SEEN_BENCH_DATABASE_URL", DEFAULT_PG_URL)
    try:
        ensure_postgres_database(pg_url)
    except Exception as error:  # an absent server is a skip locally, a failure in CI
        reason = f"PostgreSQL at {pg_url} unreachable: {error}"
        if IN_CI:
            results["errors"].append(reason)
        results["engines"]["postgresql"] = {"skipped": reason}
    else:
        results["engines"]["postgresql"] = _run_engine("postgresql", pg_url, films, queries, warmup)
    measured = [engine for engine in results["engines"].values() if "p95_ms" in engine]
    results["meets_goal"] = bool(measured) and all(engine["meets_goal"] for engine in measured)
    return results


def summary(results: dict[str, Any]) -> list[str]:
    if "skipped" in results:
        return [f"skipped: {results['skipped']}"]
    lines = []
    for name, engine in results["engines"].items():
        if "skipped" in engine:
            lines.append(f"{name}: skipped ({engine['skipped']})")
            continue
        verdict = "meets" if engine["meets_goal"] else "MISSES"
        lines.append(
            f"{name}: p50 {engine['p50_ms']} / p95 {engine['p95_ms']} / p99 {engine['p99_ms']} / max "
            f"{engine['max_ms']} ms over {engine['queries']} queries ({verdict} p95 <= {results['goal_p95_ms']} ms); "
            f"typos found in top 10: {engine['found_in_top10'].get('typo')}; load {engine['load_s']} s; "
            f"machine busy {engine['machine_busy_cpu_s']} CPU s in {engine['wall_s']} s"
        )
    return lines
