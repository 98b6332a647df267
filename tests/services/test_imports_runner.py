"""Import jobs on SQLite and PostgreSQL: dry runs write nothing, real runs add what is missing, re-runs add
nothing, every row is reported with its outcome, and a user only ever sees their own jobs."""

from __future__ import annotations

import datetime as dt
import json
import uuid

import pytest
from sqlmodel import Session, select

from seen.models.tracking import Collection, CollectionItem, GameBacklogEntry, ImportJob, PlaybackProgress
from seen.providers.models import Episode, ExternalIds, MediaDetails, MediaSummary, Platform, Season
from seen.services import auth, catalogue, exports, imports, tracking
from seen.services.errors import Conflict, InvalidInput, NotFound
from seen.services.imports.ledger import user_record_count
from tests.services.test_imports_parsing import FIXTURES, zip_folder

FIRST_AIRED = dt.date(2008, 1, 20)


def make_user(session: Session, name: str) -> uuid.UUID:
    user = auth.create_user(
        session=session, email=f"{name.lower()}@example.com", password="correct horse 1", display_name=name
    )
    session.commit()
    return user.id


def store_titles(session: Session) -> dict[str, int]:
    """A small local catalogue: three films, a show with two aired episodes, a game on one platform."""

    def movie(tmdb_id: int, imdb_id: str, title: str, year: int) -> int:
        summary = MediaSummary(kind="movie", ids=ExternalIds(tmdb=tmdb_id, imdb=imdb_id), title=title, year=year)
        return catalogue.store_summary(session=session, summary=summary).id

    episodes = (Episode(1, 1, "Pilot", air_date=FIRST_AIRED), Episode(1, 2, "Cat's in the Bag", air_date=FIRST_AIRED))
    show = catalogue.store_details(
        session=session,
        details=MediaDetails(
            summary=MediaSummary(
                kind="show", ids=ExternalIds(tmdb=1396, imdb="tt0903747"), title="Breaking Bad", year=2008
            ),
            seasons=(Season(1, "Season 1", episodes=episodes),),
        ),
    ).id
    game = catalogue.store_details(
        session=session,
        details=MediaDetails(
            summary=MediaSummary(kind="game", ids=ExternalIds(igdb=1942), title="Hades", year=2020),
            platforms=(Platform(6, "PC (Microsoft Windows)", "PC"),),
        ),
    ).id
    titles = {
        "matrix": movie(603, "tt0133093", "The Matrix", 1999),
        "heat": movie(949, "tt0113277", "Heat", 1995),
        "alien": movie(348, "tt0078748", "Alien", 1979),
        "show": show,
        "game": game,
    }
    session.commit()
    return titles


@pytest.fixture
def ada(session: Session) -> uuid.UUID:
    return make_user(session, "Ada")


@pytest.fixture
def titles(session: Session) -> dict[str, int]:
    return store_titles(session)


def run(session: Session, user_id: uuid.UUID, source: str, data: bytes, *, dry_run: bool = False, name: str = "f"):
    """Queue an import as the REST route does, run its job as the worker would, and return its report."""
    status = imports.start_import(
        session=session, user_id=user_id, source=source, file_name=name, data=data, dry_run=dry_run
    )
    session.commit()
    imports.run_import(job_id=uuid.UUID(status.id))
    session.expire_all()
    return imports.import_report(session=session, user_id=user_id, job_id=status.id, limit=10_000)


def outcomes(report) -> dict[tuple[str, int], tuple[str, str]]:
    return {(row.file, row.line): (row.outcome, row.reason) for row in report.rows}


def test_a_letterboxd_dry_run_says_what_would_change_and_writes_nothing(session, ada, titles) -> None:
    # Given a small Letterboxd export and a catalogue without a provider (the demo setup)
    data = zip_folder(FIXTURES / "letterboxd")
    # When it is imported as a dry run
    report = run(session, ada, "letterboxd", data, dry_run=True)
    # Then nothing was written
    assert user_record_count(session=session, user_id=ada) == 0
    # And every row has the outcome a real import would have
    job = report.job
    assert (job.status, job.total_rows, job.processed_rows, job.percent) == ("completed", 14, 14, 100)
    assert (job.added, job.already_there, job.not_imported) == (9, 1, 4)
    assert any("dry run" in note for note in report.notes)
    assert any("local catalogue only" in note for note in report.notes)


def test_a_letterboxd_import_adds_each_row_once_and_a_rerun_adds_nothing(session, ada, titles) -> None:
    data = zip_folder(FIXTURES / "letterboxd")
    # When the export is imported
    first = run(session, ada, "letterboxd", data)
    rows = outcomes(first)
    # Then diary rows are viewings on their day, a rewatch is a second viewing, a year one off still matches
    assert rows[("diary.csv", 2)][0] == rows[("diary.csv", 3)][0] == rows[("diary.csv", 4)][0] == "added"
    history, total = tracking.history(session=session, user_id=ada, limit=50)
    assert total == 4
    assert sorted(entry.watched_at[:10] for entry in history if entry.media.id == titles["matrix"]) == [
        "2021-06-12",
        "2021-07-01",
    ]
    # And watched.csv adds a viewing only for films the history lacks
    assert rows[("watched.csv", 2)][0] == "already_there" and rows[("watched.csv", 3)][0] == "added"
    # And a film missing from the catalogue is reported with the reason
    assert rows[("diary.csv", 5)] == (
        "not_imported",
        "no film titled 'Solaris' (1972) in the catalogue (demo catalogue: no provider to ask)",
    )
    assert rows[("reviews.csv", 2)][0] == "not_imported"
    # And ratings, the watchlist in its order and the list as a collection are there
    assert tracking.title_state(session=session, user_id=ada, media_id=titles["matrix"]).rating == 4.5
    assert tracking.watch_later_ids(session=session, user_id=ada) == [titles["heat"], titles["alien"]]
    collection = session.exec(select(Collection).where(Collection.user_id == ada)).one()
    assert (collection.name, collection.description) == ("Night Films", "Films for late, late nights")
    items = session.exec(
        select(CollectionItem.media_id)
        .where(CollectionItem.collection_id == collection.id)
        .order_by(CollectionItem.position)
    ).all()
    assert items == [titles["heat"], titles["matrix"]]
    assert first.ignored_files == [{"file": "profile.csv", "reason": first.ignored_files[0]["reason"]}]
    counted = user_record_count(session=session, user_id=ada)

    # When the same export is imported again
    second = run(session, ada, "letterboxd", data)
    # Then nothing is added: what was imported is "already there", the rest still not imported
    assert (second.job.added, second.job.already_there, second.job.not_imported) == (0, 10, 4)
    assert user_record_count(session=session, user_id=ada) == counted


def test_trakt_history_is_matched_by_ids_and_each_bad_row_says_why(session, ada, titles) -> None:
    report = run(session, ada, "trakt", (FIXTURES / "trakt_history.json").read_bytes(), name="history.json")
    rows = outcomes(report)
    assert rows[("history.json", 1)][0] == "added"
    assert rows[("history.json", 2)][0] == "added"
    assert rows[("history.json", 3)] == ("not_imported", "the show has no episode S07E01")
    assert rows[("history.json", 4)] == ("not_imported", "unreadable date 'not a date'")
    history, _ = tracking.history(session=session, user_id=ada)
    episode = next(entry for entry in history if entry.media.id == titles["show"])
    assert (episode.season_number, episode.episode_number, episode.watched_at) == (
        1,
        2,
        "2014-02-26T09:28:53+00:00",
    )
    # And the same history again adds nothing
    again = run(session, ada, "trakt", (FIXTURES / "trakt_history.json").read_bytes(), name="history.json")
    assert (again.job.added, again.job.already_there) == (0, 2)


def test_imdb_ratings_match_by_imdb_id_and_a_changed_rating_is_an_update(session, ada, titles) -> None:
    tracking.set_rating(session=session, user_id=ada, media_id=titles["matrix"], rating=2.0)
    session.commit()
    report = run(session, ada, "imdb", (FIXTURES / "imdb_ratings_2024.csv").read_bytes(), name="ratings.csv")
    rows = outcomes(report)
    assert rows[("ratings.csv", 2)] == ("updated", "replaces your rating of 2")
    assert rows[("ratings.csv", 3)][0] == "added"
    assert tracking.title_state(session=session, user_id=ada, media_id=titles["matrix"]).rating == 4.0
    assert tracking.title_state(session=session, user_id=ada, media_id=titles["show"]).rating == 5.0
    # And an unknown IMDb id with no title match in the demo catalogue is reported
    old = run(session, ada, "imdb", (FIXTURES / "imdb_ratings_2023.csv").read_bytes(), name="ratings.csv")
    assert "A Film Nobody Has" in outcomes(old)[("ratings.csv", 5)][1]


def fill_account(session: Session, user_id: uuid.UUID, titles: dict[str, int]) -> None:
    """Something in every table, with the details a round trip could lose."""
    for name in ("alien", "heat", "matrix"):
        tracking.add_to_watch_later(session=session, user_id=user_id, media_id=titles[name])
    moment = dt.datetime(2023, 5, 1, 20, 15, 7, 123456, tzinfo=dt.UTC)
    tracking.mark_watched(session=session, user_id=user_id, media_id=titles["heat"], watched_at=moment)
    tracking.mark_watched(session=session, user_id=user_id, media_id=titles["heat"], watched_at=moment)
    tracking.mark_watched(
        session=session, user_id=user_id, media_id=titles["show"], season_number=1, episode_number=2, watched_at=moment
    )
    tracking.set_rating(session=session, user_id=user_id, media_id=titles["alien"], rating=3.5)
    tracking.set_favourite(session=session, user_id=user_id, media_id=titles["matrix"], favourite=True)
    session.add(
        PlaybackProgress(
            user_id=user_id,
            media_id=titles["show"],
            season_number=1,
            episode_number=1,
            position_seconds=600,
            duration_seconds=2800,
            updated_at=moment,
        )
    )
    session.add(
        PlaybackProgress(
            user_id=user_id, media_id=titles["matrix"], position_seconds=100, duration_seconds=8160, updated_at=moment
        )
    )
    night = Collection(user_id=user_id, name="Night, films", description='Late "ones"', share_token="shared-1")
    session.add(night)
    session.flush()
    session.add(CollectionItem(collection_id=night.id, media_id=titles["matrix"], position=1))
    session.add(CollectionItem(collection_id=night.id, media_id=titles["heat"], position=2))
    platform_id = session.exec(select(catalogue.tables.Platform.id)).first()
    session.add(
        GameBacklogEntry(
            user_id=user_id,
            media_id=titles["game"],
            status="completed",
            platform_id=platform_id,
            hours_played=41.5,
            completion="main_extras",
            started_on=dt.date(2023, 1, 2),
            finished_on=dt.date(2023, 2, 3),
            notes="Fishing, then\nmore fishing",
        )
    )
    session.commit()


def comparable(document: dict) -> dict:
    return {key: value for key, value in document.items() if key not in ("exported_at", "user")}


@pytest.mark.parametrize("form", ["json", "csv"])
def test_an_export_imports_into_a_new_account_without_loss(session, ada, titles, form: str) -> None:
    # Given an account with something in every table
    fill_account(session, ada, titles)
    exported = exports.export_json(session=session, user_id=ada)
    assert exported["format"] == "seen-export" and exported["version"] == 1
    assert exported["watched"][0]["ids"]["tmdb"] == 949
    # When its export is imported into a new account
    data = exports.export_csv_zip(session=session, user_id=ada) if form == "csv" else json.dumps(exported).encode()
    bea = make_user(session, "Bea")
    report = run(session, bea, "seen", data, name=f"export.{'zip' if form == 'csv' else 'json'}")
    # Then every row was added, and the new account's export equals the old one (sharing is not carried)
    assert report.job.not_imported == 0, [row for row in report.rows if row.outcome == "not_imported"]
    again = exports.export_json(session=session, user_id=bea)
    assert comparable(again)["watched"] == comparable(exported)["watched"]
    assert comparable(again) == comparable(exported)
    assert session.exec(select(Collection.share_token).where(Collection.user_id == bea)).one() is None
    # And importing it once more adds nothing
    rerun = run(session, bea, "seen", data, name="export")
    assert rerun.job.added == 0 and rerun.job.already_there == rerun.job.total_rows


def test_a_refused_upload_changes_nothing(session, ada, titles) -> None:
    with pytest.raises(InvalidInput, match="broken CSV"):
        imports.start_import(
            session=session,
            user_id=ada,
            source="imdb",
            file_name="ratings.csv",
            data=b'Const,Your Rating,Title,Title Type,Year\ntt1,"5,x,movie,2000\n',
            dry_run=False,
        )
    session.rollback()
    assert session.exec(select(ImportJob)).all() == []


def test_another_users_import_is_not_found(session, ada, titles) -> None:
    report = run(session, ada, "imdb", (FIXTURES / "imdb_watchlist_2024.csv").read_bytes())
    bob = make_user(session, "Bob")
    with pytest.raises(NotFound):
        imports.import_status(session=session, user_id=bob, job_id=report.job.id)
    with pytest.raises(NotFound):
        imports.import_report(session=session, user_id=bob, job_id=report.job.id)
    with pytest.raises(NotFound):
        imports.import_status(session=session, user_id=ada, job_id="not-a-uuid")
    assert imports.list_imports(session=session, user_id=bob) == []
    assert [job.id for job in imports.list_imports(session=session, user_id=ada)] == [report.job.id]


def test_the_report_filters_by_outcome_and_pages(session, ada, titles) -> None:
    job = run(session, ada, "letterboxd", zip_folder(FIXTURES / "letterboxd")).job
    missing = imports.import_report(session=session, user_id=ada, job_id=job.id, outcome="not_imported", limit=2)
    assert missing.total == 4 and len(missing.rows) == 2
    assert all(row.outcome == "not_imported" and row.reason for row in missing.rows)
    with pytest.raises(InvalidInput):
        imports.import_report(session=session, user_id=ada, job_id=job.id, outcome="maybe")


def test_a_job_that_crashes_ends_failed_with_its_error_and_drops_the_upload(session, ada, titles, monkeypatch) -> None:
    status = imports.start_import(
        session=session,
        user_id=ada,
        source="imdb",
        file_name="watchlist.csv",
        data=(FIXTURES / "imdb_watchlist_2024.csv").read_bytes(),
        dry_run=False,
    )
    session.commit()

    def explode(self, item, media_id):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr("seen.services.imports.ledger.Ledger.apply", explode)
    assert imports.run_import(job_id=uuid.UUID(status.id)) == "failed"
    session.expire_all()
    job = session.get(ImportJob, uuid.UUID(status.id))
    assert (job.status, job.error, job.upload) == ("failed", "unexpected error: disk on fire", None)
    # And running a finished job again does nothing
    assert imports.run_import(job_id=uuid.UUID(status.id)) == "failed"


def test_start_import_queues_the_job_only_after_commit(session, ada, titles, monkeypatch) -> None:
    sent: list[tuple[str, dict]] = []
    monkeypatch.setattr("seen.jobs.enqueue", lambda name, **kwargs: sent.append((name, kwargs)))
    status = imports.start_import(
        session=session,
        user_id=ada,
        source="imdb",
        file_name="watchlist.csv",
        data=(FIXTURES / "imdb_watchlist_2024.csv").read_bytes(),
        dry_run=True,
    )
    assert (status.status, status.total_rows, status.dry_run) == ("queued", 2, True)
    assert sent == []
    session.commit()
    assert sent == [("imports.run", {"job_id": status.id})]


def test_the_imports_actor_runs_a_committed_job_on_an_in_process_worker(session, ada, titles, monkeypatch) -> None:
    from dramatiq import Worker
    from dramatiq.brokers.stub import StubBroker

    from workers.imports import run_import as actor

    # Given the "imports.run" actor on a private in-process broker with a worker (the embedded setup)
    broker = StubBroker()
    monkeypatch.setattr(actor, "broker", broker)
    broker.declare_actor(actor)
    worker = Worker(broker, worker_timeout=50, worker_threads=1)
    worker.start()
    try:
        # When an import is started and its transaction commits
        status = imports.start_import(
            session=session,
            user_id=ada,
            source="imdb",
            file_name="watchlist.csv",
            data=(FIXTURES / "imdb_watchlist_2024.csv").read_bytes(),
            dry_run=False,
        )
        session.commit()
        broker.join("imports", timeout=60_000, fail_fast=True)
        worker.join()
    finally:
        worker.stop()
        broker.close()
    # Then the worker ran it to the end and the upload is gone
    session.expire_all()
    assert imports.import_status(session=session, user_id=ada, job_id=status.id).added == 2
    assert session.get(ImportJob, uuid.UUID(status.id)).upload is None
    assert tracking.watch_later_ids(session=session, user_id=ada) == [titles["alien"], titles["heat"]]


def test_a_second_import_waits_until_the_first_has_finished(session, ada, titles, monkeypatch) -> None:
    # Given a real import of Ada's that is queued and not yet run
    monkeypatch.setattr("seen.jobs.enqueue", lambda name, **kwargs: None)
    data = (FIXTURES / "imdb_watchlist_2024.csv").read_bytes()

    def start(dry_run: bool):
        return imports.start_import(
            session=session, user_id=ada, source="imdb", file_name="watchlist.csv", data=data, dry_run=dry_run
        )

    first = start(False)
    session.commit()
    # When she starts another real import, then it is refused with a message; a dry run is still allowed
    with pytest.raises(Conflict, match="still running"):
        start(False)
    session.rollback()
    assert start(True).dry_run is True
    session.commit()
    # And once the first has run, a real import starts again
    imports.run_import(job_id=uuid.UUID(first.id))
    session.expire_all()
    assert start(False).status == "queued"
