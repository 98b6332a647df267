"""Imports matched through the provider (the local fake TMDB serving recorded responses), including the real
Letterboxd export: every row is accounted for and a second run adds nothing."""

from __future__ import annotations

import csv
import io
import uuid
import zipfile
from pathlib import Path

import pytest
from sqlmodel import Session, func, select

from seen.models.tracking import Collection
from seen.providers.models import ExternalIds, MediaSummary
from seen.services import catalogue
from seen.services.imports.ledger import user_record_count
from tests.fakes.provider_server import FakeUrls, ProviderFake
from tests.services.test_imports_parsing import LETTERBOXD_CORPUS, corpus, zip_folder
from tests.services.test_imports_runner import make_user, outcomes, run


@pytest.fixture
def tmdb(backend, settings_env, urls: FakeUrls, fake: ProviderFake) -> ProviderFake:
    """TMDB and IGDB configured against the fake, with its credentials."""
    settings_env(**{name.removeprefix("SEEN_"): value for name, value in urls.settings_env(fake).items()})
    return fake


@pytest.fixture
def ada(session: Session) -> uuid.UUID:
    return make_user(session, "Ada")


TRAKT_BY_ID = b"""[
 {"watched_at": "2014-03-31T09:28:53.000Z", "action": "watch", "type": "movie",
  "movie": {"title": "Fight Club", "year": 1999, "ids": {"tmdb": 550, "imdb": "tt0137523"}}},
 {"watched_at": "2014-04-01T09:28:53.000Z", "action": "watch", "type": "movie",
  "movie": {"title": "Some Other Film", "year": 2001, "ids": {"tmdb": 12345}}}
]"""


def test_an_id_the_catalogue_lacks_is_fetched_from_tmdb_and_a_wrong_answer_is_refused(session, ada, tmdb) -> None:
    # Given an empty catalogue and a fake TMDB that knows film 550 and answers any other id with another film
    report = run(session, ada, "trakt", TRAKT_BY_ID, name="history.json")
    rows = outcomes(report)
    # Then 550 is fetched, stored and its viewing added
    assert rows[("history.json", 1)][0] == "added"
    assert report.rows[0].media_id is not None
    # And the film the fake answers with a different id is not taken for 12345; the title search finds nothing
    assert rows[("history.json", 2)] == (
        "not_imported",
        "no film titled 'Some Other Film' (2001) in the catalogue or at TMDB",
    )
    assert tmdb.requests_to("/3/movie/550")


def test_titles_are_searched_at_tmdb_with_the_exact_title_and_year(session, ada, tmdb) -> None:
    # Given an empty catalogue and a fake TMDB whose movie search answers "Heat" (1995)
    data = watchlist_zip([("Heat", 1980), ("Heat", 1995)])
    # When a watchlist naming it with a wrong year, then the right one, is imported
    report = run(session, ada, "letterboxd", data, name="letterboxd.zip")
    rows = outcomes(report)
    # Then only the exact title and year match, and the search result became a catalogue title
    assert rows[("watchlist.csv", 2)] == ("not_imported", "no film titled 'Heat' (1980) in the catalogue or at TMDB")
    assert rows[("watchlist.csv", 3)][0] == "added"
    assert tmdb.requests_to("/3/search/movie")


def test_a_provider_that_is_down_is_named_in_the_reason(session, ada, tmdb) -> None:
    # Given TMDB failing every search
    tmdb.fail_next("/3/search/movie", times=100, status=503)
    # When titles the catalogue lacks are imported
    report = run(session, ada, "letterboxd", watchlist_zip([("Brick", 2005), ("Ran", 1985), ("Rififi", 1955)]))
    # Then each is reported, and once the job gave up on TMDB the reason says it is unavailable
    assert report.job.not_imported == 3
    assert "provider unavailable: tmdb: unavailable (HTTP 503)" in report.rows[-1].reason


def watchlist_zip(titles: list[tuple[str, int]]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        rows = "".join(f"2020-01-01,{title},{year},https://boxd.it/x\n" for title, year in titles)
        archive.writestr("watchlist.csv", "Date,Name,Year,Letterboxd URI\n" + rows)
    return buffer.getvalue()


def seed_corpus_titles(session: Session, folder: Path, *, every_nth_missing: int) -> int:
    """The export's films in the local catalogue, but every n-th one, left for TMDB (the fake) to be asked about."""
    films: dict[tuple[str, int | None], None] = {}
    for name in ("diary.csv", "watched.csv", "watchlist.csv"):
        with (folder / name).open(newline="", encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                films.setdefault((row["Name"], int(row["Year"]) if row["Year"] else None))
    for index, (title, year) in enumerate(films):
        if index % every_nth_missing:
            summary = MediaSummary(kind="movie", ids=ExternalIds(tmdb=9_000_000 + index), title=title, year=year)
            catalogue.store_summary(session=session, summary=summary)
    session.commit()
    return len(films)


def test_the_real_letterboxd_export_is_accounted_for_and_reimports_nothing(session, ada, tmdb) -> None:
    # Given the real Letterboxd export, most of its films in the catalogue and TMDB (the fake) for the rest
    folder = corpus(LETTERBOXD_CORPUS)
    seed_corpus_titles(session, folder, every_nth_missing=25)
    data = zip_folder(folder)
    # When it is imported
    first = run(session, ada, "letterboxd", data, name="letterboxd.zip")
    job = first.job
    # Then every row is accounted for, and each one not imported says why
    assert job.status == "completed" and job.total_rows == first.total == 5719
    assert job.added + job.already_there + job.not_imported == job.total_rows
    assert job.added > 3000 and job.not_imported >= 162  # the reviews, and the films TMDB (the fake) lacks
    assert all(row.reason for row in first.rows if row.outcome == "not_imported")
    assert {row.outcome for row in first.rows if row.file == "reviews.csv"} == {"not_imported"}
    records = user_record_count(session=session, user_id=ada)
    collections = session.exec(select(func.count()).where(Collection.user_id == ada)).one()
    assert collections == 2 and records == job.added + collections
    # When it is imported again
    second = run(session, ada, "letterboxd", data, name="letterboxd.zip")
    # Then nothing is added: what the first run added is now "already there"
    assert second.job.added == 0
    assert second.job.already_there == job.added + job.already_there
    assert second.job.not_imported == job.not_imported
    assert user_record_count(session=session, user_id=ada) == records


def test_an_imdb_id_the_catalogue_lacks_is_looked_up_with_tmdb_find(session, ada, tmdb) -> None:
    # Given an IMDb ratings file naming a film by an IMDb id the catalogue does not hold
    data = (
        b"Const,Your Rating,Date Rated,Title,URL,Title Type,IMDb Rating,Runtime (mins),Year,Genres,Num Votes,"
        b"Release Date,Directors\ntt17663992,8,2023-04-01,Scream VI,x,movie,6.5,122,2023,Horror,1,2023-03-10,x\n"
    )
    # When it is imported
    report = run(session, ada, "imdb", data, name="ratings.csv")
    # Then TMDB's /find was asked for that IMDb id, and the film it named is stored with the IMDb id linked
    found = tmdb.requests_to("/3/find/tt17663992")
    assert found and found[0].params["external_source"] == "imdb_id"
    assert report.rows[0].outcome == "added"
    media = catalogue.find_media(session=session, identity=catalogue.Identity("movie", ExternalIds(imdb="tt17663992")))
    assert media is not None and media.id == report.rows[0].media_id and media.title == "Scream VI"
