"""Viewing statistics on SQLite and PostgreSQL: per month (empty months included), hours from movie, episode
and show runtimes, top genres, the ratings distribution and the totals, each user's own."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlmodel import Session

from seen import cache
from seen.providers.models import Episode, ExternalIds, Genre, MediaDetails, MediaSummary, Season
from seen.services import auth, backlog, catalogue, stats, tracking, user_cache
from seen.services.errors import InvalidInput

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)


def _details(kind: str, tmdb_id: int, title: str, *, runtime=None, genres=(), seasons=()) -> MediaDetails:
    return MediaDetails(
        summary=MediaSummary(kind=kind, ids=ExternalIds(tmdb=tmdb_id), title=title),
        runtime=runtime,
        genres=tuple(Genre("tmdb", genre_id, name) for genre_id, name in genres),
        seasons=seasons,
    )


@pytest.fixture
def library(session: Session) -> dict[str, object]:
    def store(details: MediaDetails) -> int:
        return catalogue.store_details(session=session, details=details).id

    found = {
        "matrix": store(
            _details("movie", 603, "The Matrix", runtime=136, genres=[(28, "Action"), (878, "Science Fiction")])
        ),
        "heat": store(_details("movie", 949, "Heat", runtime=170, genres=[(18, "Drama")])),
        # Episode 3 has no runtime of its own: the show's typical 47 minutes count.
        "show": store(
            _details(
                "show", 1396, "Breaking Bad", runtime=47, genres=[(18, "Drama")],
                seasons=(Season(1, "Season 1", episodes=(
                    Episode(1, 1, "Pilot", runtime=58), Episode(1, 2, "Cat's in the Bag", runtime=48),
                    Episode(1, 3, "...And the Bag's in the River"),
                )),),
            )
        ),
        # Nothing says how long this show's episodes are.
        "mystery": store(
            _details("show", 7, "Mystery Show", genres=[(9648, "Mystery")],
                     seasons=(Season(1, "Season 1", episodes=(Episode(1, 1, "One"),)),))
        ),
        "game": catalogue.store_summary(
            session=session, summary=MediaSummary(kind="game", ids=ExternalIds(igdb=1), title="Hades")
        ).id,
    }  # fmt: skip
    ada = auth.create_user(session=session, email="ada@example.com", password="correct horse 1").id
    bob = auth.create_user(session=session, email="bob@example.com", password="correct horse 2").id
    found.update(ada=ada, bob=bob)
    session.commit()
    return found


def watch(session: Session, user_id, media_id: int, when: str, season=None, episode=None) -> None:
    tracking.mark_watched(
        session=session,
        user_id=user_id,
        media_id=media_id,
        watched_at=datetime.fromisoformat(when).replace(tzinfo=UTC),
        season_number=season,
        episode_number=episode,
    )


def test_months_genres_ratings_and_totals(session: Session, library):
    ada = library["ada"]
    # Given Ada watched The Matrix twice in September and once in November, three episodes in November,
    # and Heat back in May (outside the three months shown)
    watch(session, ada, library["matrix"], "2026-09-03T20:00:00")
    watch(session, ada, library["matrix"], "2026-09-30T23:59:00")
    watch(session, ada, library["matrix"], "2026-11-01T00:00:00")
    watch(session, ada, library["show"], "2026-11-02T21:00:00", 1, 1)
    watch(session, ada, library["show"], "2026-11-03T21:00:00", 1, 3)
    watch(session, ada, library["mystery"], "2026-11-04T21:00:00", 1, 1)
    watch(session, ada, library["heat"], "2026-05-10T20:00:00")
    # And rated three titles, likes one and plays a game
    for name, rating in (("matrix", 5.0), ("heat", 4.5), ("show", 4.5)):
        tracking.set_rating(session=session, user_id=ada, media_id=library[name], rating=rating)
    tracking.set_favourite(session=session, user_id=ada, media_id=library["matrix"], favourite=True)
    backlog.set_backlog(session=session, user_id=ada, media_id=library["game"], status="active")
    session.commit()

    # When her stats for three months are read
    found = stats.build_stats(session=session, user_id=ada, months=3, now=NOW)

    # Then every month is there, October empty, with distinct titles, viewings and hours
    assert [(m.month, m.titles, m.viewings, m.hours, m.unknown_runtime) for m in found.months] == [
        ("2026-09", 1, 2, 4.5, 0),  # 2 x 136 min
        ("2026-10", 0, 0, 0.0, 0),
        ("2026-11", 3, 4, 4.0, 1),  # 136 + 58 + 47 (the show's runtime) + unknown
    ]
    # And the genres of those months are ranked by viewings (Heat's Drama from May does not count)
    assert [(g.name, g.viewings) for g in found.top_genres] == [
        ("Action", 3),
        ("Science Fiction", 3),
        ("Drama", 2),
        ("Mystery", 1),
    ]
    # And all ten half-star steps are in the distribution
    assert [r.rating for r in found.ratings] == [step / 2 for step in range(1, 11)]
    assert {r.rating: r.count for r in found.ratings if r.count} == {4.5: 2, 5.0: 1}
    # And the totals are all time: 683 minutes
    totals = found.totals
    assert (totals.movies, totals.movie_viewings, totals.shows, totals.episodes) == (2, 4, 2, 3)
    assert (totals.hours, totals.unknown_runtime, totals.rated, totals.favourites) == (11.4, 1, 3, 1)
    assert totals.games["active"] == 1 and sum(totals.games.values()) == 1

    # And Bob, who tracked nothing, sees twelve empty months and zeros
    empty = stats.build_stats(session=session, user_id=library["bob"], now=NOW)
    assert len(empty.months) == 12 and empty.months[-1].month == "2026-11" and empty.months[0].month == "2025-12"
    assert all(m.viewings == 0 for m in empty.months) and empty.top_genres == []
    assert all(r.count == 0 for r in empty.ratings) and len(empty.ratings) == 10
    assert (empty.totals.movies, empty.totals.episodes, empty.totals.hours) == (0, 0, 0.0)


def test_months_cross_the_new_year(session: Session, library):
    found = stats.build_stats(session=session, user_id=library["ada"], months=14, now=datetime(2026, 1, 5, tzinfo=UTC))
    assert [m.month for m in found.months][:2] == ["2024-12", "2025-01"] and found.months[-1].month == "2026-01"


def test_stats_are_cached_per_user_until_what_they_count_changes(session: Session, library):
    ada, bob = library["ada"], library["bob"]
    today = datetime.now(UTC).replace(microsecond=0).isoformat()[:19]
    watch(session, ada, library["matrix"], today)
    session.commit()
    # Given Ada's stats were read (and cached) for two periods
    first = stats.stats(session=session, user_id=ada)
    assert stats.stats(session=session, user_id=ada, months=1).months[-1].viewings == 1
    assert cache.get_cache().get_json(user_cache.stats_key(ada)) is not None
    # When they are read again, Then the cached copy is the same value
    assert stats.stats(session=session, user_id=ada) == first
    # When Bob watches something, Then Ada's stay cached
    watch(session, bob, library["heat"], today)
    session.commit()
    assert cache.get_cache().get_json(user_cache.stats_key(ada)) is not None
    # When Ada watches another film, Then her next read counts it
    watch(session, ada, library["heat"], today)
    session.commit()
    assert stats.stats(session=session, user_id=ada).months[-1].viewings == 2
    assert stats.stats(session=session, user_id=ada, months=1).months[-1].viewings == 2
    # When she rates a title, Then the distribution is fresh too
    tracking.set_rating(session=session, user_id=ada, media_id=library["heat"], rating=3.5)
    session.commit()
    assert {r.rating: r.count for r in stats.stats(session=session, user_id=ada).ratings}[3.5] == 1


@pytest.mark.parametrize("months", [0, -1, 121])
def test_a_period_out_of_range_is_invalid(session: Session, library, months):
    with pytest.raises(InvalidInput):
        stats.stats(session=session, user_id=library["ada"], months=months)
    with pytest.raises(InvalidInput):
        stats.build_stats(session=session, user_id=library["ada"], months=months)
