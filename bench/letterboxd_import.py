"""Importing the real Letterboxd export (2,604 watched, 2,132 diary rows, 805 watchlist, reviews, lists).

On SQLite with the in-memory cache and on PostgreSQL with Redis, each with a catalogue of realistic size (the
58,788 ggplot2movies films, loaded as `catalogue_search` loads them) plus nine in ten of the export's own films,
and TMDB played by the local provider fake for the rest (its recorded search answers one title, so those end
"not imported" after a real HTTP round trip, rate limit included). The export is zipped in memory and
imported three times through the import job itself (`seen.services.imports.run_import`): a dry run, the
import, and a re-import. Recorded: seconds and rows/s of each, the outcome counts and the reasons of rows not
imported, provider requests, and the checks that every row is accounted for and that the re-import added
nothing.
"""

from __future__ import annotations

import io
import os
import time
import uuid
import zipfile
from collections import Counter
from pathlib import Path
from typing import Any

from bench.catalogue_reads import DEFAULT_BENCH_REDIS
from bench.catalogue_search import CSV_PATH, DEFAULT_PG_URL, IN_CI, ensure_postgres_database, load, read_films
from bench.common import ROOT, fresh_app_database, in_process_env

NAME = "letterboxd_import"
MISSING_EVERY = 10
EXPORT = ROOT.parent / "shared" / "corpora" / "imports" / "letterboxd" / "patrickmjones-letterboxd-data"


def export_zip(folder: Path = EXPORT) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for file in sorted(folder.rglob("*")):
            if file.is_file():
                archive.write(file, file.relative_to(folder).as_posix())
    return buffer.getvalue()


def _reason_kind(reason: str) -> str:
    if "provider unavailable" in reason:
        return "provider unavailable"
    if reason.startswith("no film titled"):
        return "not in the catalogue nor at TMDB"
    return reason


def _import_once(user_id: uuid.UUID, data: bytes, *, dry_run: bool) -> dict[str, Any]:
    from seen.db import session_scope
    from seen.services import imports
    from seen.services.imports.ledger import user_record_count

    with session_scope() as session:
        job_id = imports.start_import(
            session=session,
            user_id=user_id,
            source="letterboxd",
            file_name="letterboxd.zip",
            data=data,
            dry_run=dry_run,
        ).id
    started = time.perf_counter()
    status = imports.run_import(job_id=uuid.UUID(job_id))
    seconds = time.perf_counter() - started
    with session_scope() as session:
        job = imports.import_status(session=session, user_id=user_id, job_id=job_id)
        records = user_record_count(session=session, user_id=user_id)
        reasons = Counter(
            _reason_kind(row.reason)
            for row in imports.import_report(session=session, user_id=user_id, job_id=job_id, limit=10**6).rows
            if row.outcome == "not_imported"
        )
    return {
        "status": status,
        "error": job.error,
        "seconds": round(seconds, 2),
        "rows_per_second": round(job.total_rows / seconds, 1) if seconds else None,
        "total_rows": job.total_rows,
        "added": job.added,
        "already_there": job.already_there,
        "not_imported": job.not_imported,
        "accounted_for": job.added + job.already_there + job.not_imported == job.total_rows,
        "not_imported_reasons": dict(reasons.most_common()),
        "user_records_after": records,
    }


def _run_engine(name: str, url: str, redis_url: str, films, data: bytes) -> dict[str, Any]:
    from seen import db
    from seen.config import reset_settings
    from seen.db import session_scope
    from seen.services import auth
    from tests.fakes.provider_server import ProviderFake, serve
    from tests.services.test_imports_providers import seed_corpus_titles

    print(f"bench: {NAME} {name}: loading {len(films)} films ...", flush=True)
    fresh_app_database(url, redis_url)
    load(db.get_engine(), films)
    with session_scope() as session:
        # ggplot2movies stops in 2005 and spells "Matrix, The": most of the export's films are not in it. As on a
        # server whose users browsed and synced TMDB for a while, nine in ten of them are already catalogued.
        seed_corpus_titles(session, EXPORT, every_nth_missing=MISSING_EVERY)
    fake = ProviderFake()
    with serve(fake) as urls:
        os.environ.update(urls.settings_env(fake))
        reset_settings()
        try:
            with session_scope() as session:
                user_id = auth.create_user(
                    session=session, email="bench@example.com", password="correct horse 1", display_name="Bench"
                ).id
            print(f"bench: {NAME} {name}: importing ...", flush=True)
            runs = {}
            for label, dry_run in (("dry_run", True), ("import", False), ("reimport", False)):
                fake.reset()
                runs[label] = _import_once(user_id, data, dry_run=dry_run)
                runs[label]["provider_requests"] = len(fake.requests_to("/3/search/movie"))
        finally:
            for variable in urls.settings_env(fake):
                os.environ.pop(variable, None)
            reset_settings()
    runs["checks"] = {
        "dry_run_wrote_nothing": runs["dry_run"]["user_records_after"] == 0,
        "dry_run_matches_import": runs["dry_run"]["added"] == runs["import"]["added"],
        "every_row_accounted_for": all(run["accounted_for"] for run in runs.values() if isinstance(run, dict)),
        "reimport_added_nothing": runs["reimport"]["added"] == 0
        and runs["reimport"]["user_records_after"] == runs["import"]["user_records_after"],
    }
    return runs


def run() -> dict[str, Any]:
    missing = [path for path in (CSV_PATH, EXPORT) if not path.exists()]
    if missing:
        message = f"{', '.join(map(str, missing))} missing; nothing to measure"
        if IN_CI:
            raise FileNotFoundError(message)
        print(f"bench: {NAME} skipped: {message}")
        return {"skipped": message, "errors": []}
    films, data = read_films(), export_zip()
    results: dict[str, Any] = {"catalogue_films": len(films), "export_bytes": len(data), "engines": {}, "errors": []}
    secret = os.environ.get("SEEN_SECRET_KEY") or "bench-" + uuid.uuid4().hex
    with in_process_env("letterboxd-import", SEEN_SECRET_KEY=secret) as work:
        engines = [("sqlite+memory", f"sqlite:///{work / 'seen.db'}", "")]
        pg_url = os.environ.get("SEEN_BENCH_DATABASE_URL", DEFAULT_PG_URL)
        engines.append(("postgres+redis", pg_url, os.environ.get("SEEN_BENCH_REDIS_URL", DEFAULT_BENCH_REDIS)))
        for label, url, redis_url in engines:
            try:
                if url.startswith("postgresql"):
                    ensure_postgres_database(url)
                found = _run_engine(label, url, redis_url, films, data)
                results["engines"][label] = found
                failed = [check for check, passed in found["checks"].items() if not passed]
                if failed:
                    results["errors"].append(f"{label}: checks failed: {', '.join(failed)}")
            except Exception as error:  # PostgreSQL absent on a user's machine: say so, keep the SQLite numbers
                results["errors"].append(f"{label}: {type(error).__name__}: {error}")
    return results


def summary(results: dict[str, Any]) -> list[str]:
    if "skipped" in results:
        return [results["skipped"]]
    lines = []
    for engine, found in results["engines"].items():
        done, again = found["import"], found["reimport"]
        lines.append(
            f"{engine}: import {done['total_rows']} rows in {done['seconds']} s ({done['rows_per_second']} rows/s): "
            f"added {done['added']}, already there {done['already_there']}, not imported {done['not_imported']}; "
            f"dry run {found['dry_run']['seconds']} s; re-import {again['seconds']} s, added {again['added']}"
        )
    return lines
