"""Storing provider records as catalogue rows: one row per title whatever the order records arrive in, and
nothing usable lost to a later, thinner record. Runs on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from sqlmodel import Session, select

from seen import db
from seen.models import media as tables
from seen.providers.models import (
    Credit,
    ExternalIds,
    Genre,
    MediaDetails,
    MediaSummary,
    Person,
    Platform,
    ReleaseDate,
)
from seen.services import catalogue, catalogue_views
from seen.services.errors import InvalidInput
from tests.waiting import run_side_by_side


def _summary(**overrides) -> MediaSummary:
    values = {"kind": "movie", "ids": ExternalIds(tmdb=603), "title": "The Matrix", "year": 1999}
    return MediaSummary(**{**values, **overrides})


def test_the_same_title_twice_is_one_row(session: Session):
    first = catalogue.store_summary(session=session, summary=_summary(popularity=10.0))
    second = catalogue.store_summary(session=session, summary=_summary(popularity=20.0, overview="Red or blue."))
    session.commit()
    assert first.id == second.id
    rows = session.exec(select(tables.MediaItem)).all()
    assert len(rows) == 1 and rows[0].popularity == 20.0 and rows[0].overview == "Red or blue."


def test_movie_and_show_with_the_same_tmdb_id_are_two_titles(session: Session):
    movie = catalogue.store_summary(session=session, summary=_summary())
    show = catalogue.store_summary(session=session, summary=_summary(kind="show", title="Matrix (show)"))
    assert movie.id != show.id


def test_a_later_summary_does_not_erase_details(session: Session):
    details = MediaDetails(
        summary=_summary(overview="Full overview"),
        runtime=136,
        genres=(Genre("tmdb", 878, "Science Fiction"),),
        credits=(Credit(Person(ExternalIds(tmdb=6384), "Keanu Reeves"), "cast", character="Neo", order=0),),
    )
    media = catalogue.store_details(session=session, details=details)
    catalogue.store_summary(session=session, summary=_summary(overview=None))
    session.commit()
    view = catalogue_views.media_view(session=session, media_id=media.id)
    assert view.overview == "Full overview" and view.runtime == 136
    assert [g.name for g in view.genres] == ["Science Fiction"]
    assert [(c.name, c.character) for c in view.cast] == [("Keanu Reeves", "Neo")]


def test_storing_details_again_replaces_credits_instead_of_duplicating(session: Session):
    keanu = Credit(Person(ExternalIds(tmdb=6384), "Keanu Reeves"), "cast", character="Neo", order=0)
    details = MediaDetails(summary=_summary(), credits=(keanu,))
    media = catalogue.store_details(session=session, details=details)
    catalogue.store_details(session=session, details=details)
    session.commit()
    assert len(catalogue_views.media_view(session=session, media_id=media.id).cast) == 1


@pytest.mark.parametrize(
    "summary",
    [
        _summary(title="   "),
        _summary(ids=ExternalIds()),
        _summary(kind="person"),
    ],
    ids=["blank title", "no id", "not a title"],
)
def test_unusable_records_are_refused(session: Session, summary: MediaSummary):
    with pytest.raises(catalogue.UnusableRecord):
        catalogue.store_summary(session=session, summary=summary)


def test_a_game_keeps_platforms_release_dates_and_dlc(session: Session):
    switch = Platform(130, "Nintendo Switch", "Switch")
    details = MediaDetails(
        summary=MediaSummary(kind="game", ids=ExternalIds(igdb=7346), title="Zelda: Breath of the Wild"),
        platforms=(switch,),
        release_dates=(ReleaseDate(None, dt.date(2017, 3, 3), platform=switch),),
        dlcs=(MediaSummary(kind="game", ids=ExternalIds(igdb=40000), title="The Master Trials"),),
    )
    media = catalogue.store_details(session=session, details=details)
    session.commit()
    view = catalogue_views.media_view(session=session, media_id=media.id)
    assert [p.name for p in view.platforms] == ["Nintendo Switch"]
    assert [(r.date, r.platform) for r in view.release_dates] == [("2017-03-03", "Nintendo Switch")]
    assert [d.title for d in view.dlcs] == ["The Master Trials"]
    assert view.dlcs[0].href.startswith("/app/games/")


def test_browse_filters_and_sorts(session: Session):
    for tmdb_id, title, year, rating in ((1, "Alpha", 2001, 5.0), (2, "Beta", 2002, 9.0), (3, "Gamma", 2001, 7.0)):
        catalogue.store_summary(
            session=session,
            summary=MediaSummary(
                kind="movie", ids=ExternalIds(tmdb=tmdb_id), title=title, year=year, vote_average=rating
            ),
        )
    session.commit()
    by_rating = catalogue_views.browse(session=session, kind="movie", sort="rating")
    assert [c.title for c in by_rating.items] == ["Beta", "Gamma", "Alpha"]
    in_2001 = catalogue_views.browse(session=session, kind="movie", year=2001, sort="title")
    assert [c.title for c in in_2001.items] == ["Alpha", "Gamma"] and in_2001.total == 2
    page_two = catalogue_views.browse(session=session, kind="movie", sort="title", page=2, page_size=2)
    assert [c.title for c in page_two.items] == ["Gamma"]
    with pytest.raises(InvalidInput):
        catalogue_views.browse(session=session, kind="movie", sort="nonsense")
    with pytest.raises(InvalidInput):
        catalogue_views.browse(session=session, kind="movie", page=0)


def test_the_catalogue_is_empty_until_a_title_is_stored(session: Session):
    assert catalogue_views.catalogue_is_empty(session=session)
    catalogue.store_summary(session=session, summary=_summary())
    assert not catalogue_views.catalogue_is_empty(session=session)


def test_two_writers_storing_one_new_genre_both_get_its_row(session: Session, backend):
    # (SQLite takes one writer at a time for the whole file: this race needs PostgreSQL's row-level writes)
    if backend.name != "postgres":
        pytest.skip("concurrent writers: PostgreSQL only")
    western = [Genre("tmdb", 37, "Western")]
    # Given a list's sync storing a genre new to the catalogue, not committed yet
    first = catalogue.genre_rows(session=session, kind="movie", genres=western)
    session.flush()
    found: dict[str, list[tables.Genre]] = {}

    def genre_sync() -> None:
        with Session(db.get_engine(), expire_on_commit=False) as own:
            found["rows"] = catalogue.genre_rows(session=own, kind="movie", genres=western)
            own.commit()

    def first_commits() -> None:
        time.sleep(0.5)  # the genre sync is waiting on this writer's row by now
        session.commit()

    # When the genre sync stores the same genre meanwhile
    # Then it does not fail, and both have the one row
    assert run_side_by_side(genre_sync, first_commits, timeout=30) == []
    assert [row.id for row in found["rows"]] == [first[0].id]
    assert len(session.exec(select(tables.Genre).where(tables.Genre.provider_id == 37)).all()) == 1
