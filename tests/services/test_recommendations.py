"""Recommendations on SQLite and PostgreSQL: what a user watched, rated, played and voted picks and explains
the titles; what they know or dismissed never comes back; a new user still gets a full page."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from sqlalchemy import func, update
from sqlmodel import Session, select

from seen import cache, db
from seen.models.base import as_utc
from seen.models.media import Platform
from seen.models.recommendations import RecommendationEntry
from seen.providers.models import Credit, ExternalIds, Genre, MediaDetails, MediaSummary, Person
from seen.providers.models import Platform as PlatformRecord
from seen.services import backlog, catalogue, progress, recommendations, tracking, user_cache
from seen.services.errors import InvalidInput
from tests.services.test_tracking import make_users
from tests.waiting import run_side_by_side

SCIFI, DRAMA, CRIME, ROMANCE = (878, "Science Fiction"), (18, "Drama"), (80, "Crime"), (10749, "Romance")
TV_CRIME = (80, "Crime")
ADVENTURE, SHOOTER, PLATFORMER = (31, "Adventure"), (5, "Shooter"), (8, "Platform")
SWITCH, XBOX = PlatformRecord(130, "Nintendo Switch"), PlatformRecord(49, "Xbox One")
NEXT_YEAR = dt.date.today() + dt.timedelta(days=400)
LAST_YEAR = dt.date.today() - dt.timedelta(days=400)


def summary(kind: str, number: int, title: str, *, popularity: float = 10, votes: int = 100, released=LAST_YEAR):
    ids = ExternalIds(igdb=number) if kind == "game" else ExternalIds(tmdb=number)
    return MediaSummary(
        kind=kind,
        ids=ids,
        title=title,
        release_date=released,
        year=released.year,
        popularity=popularity,
        vote_average=7.0,
        vote_count=votes,
    )


def store(session: Session, kind: str, number: int, title: str, genres, **extra) -> int:
    provider = "igdb" if kind == "game" else "tmdb"
    details = MediaDetails(
        summary=summary(kind, number, title, **{k: extra.pop(k) for k in ("popularity", "released") if k in extra}),
        genres=tuple(Genre(provider, gid, name) for gid, name in genres),
        **extra,
    )
    return catalogue.store_details(session=session, details=details).id


def director(name: str, number: int) -> Credit:
    return Credit(Person(ExternalIds(tmdb=number), name), "crew", job="Director", department="Directing")


@pytest.fixture
def users(session: Session):
    return make_users(session)


@pytest.fixture
def titles(session: Session) -> dict[str, int]:
    """Movies in four genres with TMDB-style recommendation/similar lists, two shows, and Switch/Xbox games."""
    found: dict[str, int] = {}
    found["arrival"] = store(session, "movie", 329865, "Arrival", [SCIFI, DRAMA], popularity=30)
    found["interstellar"] = store(session, "movie", 157336, "Interstellar", [SCIFI], popularity=80)
    found["ghost"] = store(session, "movie", 9323, "Ghost in the Shell", [SCIFI], popularity=20)
    found["blade"] = store(
        session,
        "movie",
        78,
        "Blade Runner",
        [SCIFI],
        popularity=40,
        similar=(summary("movie", 9323, "Ghost in the Shell"),),
    )
    found["dune"] = store(
        session,
        "movie",
        438631,
        "Dune",
        [SCIFI],
        popularity=90,
        credits=(director("Denis Villeneuve", 137427),),
        recommendations=(
            summary("movie", 329865, "Arrival"),
            summary("movie", 78, "Blade Runner"),
            summary("movie", 999001, "Dune: Part Three", released=NEXT_YEAR),
        ),
    )
    found["sicario"] = store(
        session,
        "movie",
        273481,
        "Sicario",
        [CRIME, DRAMA],
        popularity=5,
        credits=(director("Denis Villeneuve", 137427),),
    )
    found["alien"] = store(
        session,
        "movie",
        348,
        "Alien",
        [SCIFI],
        popularity=50,
        recommendations=(summary("movie", 9323, "Ghost in the Shell"),),
    )
    found["heat"] = store(session, "movie", 949, "Heat", [CRIME, DRAMA], popularity=35)
    found["ronin"] = store(session, "movie", 8195, "Ronin", [CRIME], popularity=15)
    found["notebook"] = store(session, "movie", 11036, "The Notebook", [ROMANCE, DRAMA], popularity=25)
    found["titanic"] = store(session, "movie", 597, "Titanic", [ROMANCE, DRAMA], popularity=60)
    found["wire"] = store(session, "show", 1438, "The Wire", [TV_CRIME, DRAMA], popularity=40)
    found["bb"] = store(
        session,
        "show",
        1396,
        "Breaking Bad",
        [TV_CRIME, DRAMA],
        popularity=90,
        recommendations=(summary("show", 1438, "The Wire"),),
    )
    found["botw"] = store(
        session,
        "game",
        7346,
        "Breath of the Wild",
        [ADVENTURE],
        popularity=50,
        platforms=(SWITCH,),
        franchises=("Zelda",),
    )
    found["totk"] = store(
        session,
        "game",
        119388,
        "Tears of the Kingdom",
        [ADVENTURE],
        popularity=40,
        platforms=(SWITCH,),
        franchises=("Zelda",),
    )
    found["mario"] = store(
        session, "game", 26758, "Super Mario Odyssey", [PLATFORMER], popularity=45, platforms=(SWITCH,)
    )
    found["halo"] = store(session, "game", 1024, "Halo Infinite", [SHOOTER], popularity=45, platforms=(XBOX,))
    found["future"] = session.exec(
        select(catalogue.tables.MediaItem.id).where(catalogue.tables.MediaItem.title == "Dune: Part Three")
    ).one()
    session.commit()
    return found


def listed(session: Session, user_id, kind=None) -> dict[int, recommendations.Recommendation]:
    view = recommendations.recommendations(session=session, user_id=user_id, kind=kind, limit=100)
    return {item.media.id: item for item in view.items}


def refreshed(session: Session, user_id) -> dict[int, recommendations.Recommendation]:
    recommendations.refresh_for_user(session=session, user_id=user_id)
    session.commit()
    return listed(session, user_id)


def test_watched_titles_bring_their_related_titles_with_the_reason(session: Session, users, titles):
    ada, _ = users
    # Given Ada watched Dune
    tracking.mark_watched(session=session, user_id=ada, media_id=titles["dune"])
    session.commit()
    # When her recommendations are read (the first read scores them)
    found = listed(session, ada)
    # Then Dune's TMDB recommendations lead, saying why, and Dune itself and the unreleased sequel are absent
    assert titles["dune"] not in found and titles["future"] not in found
    assert "Because you watched Dune" in found[titles["arrival"]].reasons
    assert "Because you watched Dune" in found[titles["blade"]].reasons
    ranked = list(found)
    assert ranked.index(titles["arrival"]) < ranked.index(titles["titanic"])
    # And the director's other film says so
    assert "From Denis Villeneuve, the director of Dune" in found[titles["sicario"]].reasons
    # And each result has at most three reasons, a card and a score
    for item in found.values():
        assert 1 <= len(item.reasons) <= 3 and item.media.title and isinstance(item.score, float)


def test_a_high_rating_is_named_in_the_reason(session: Session, users, titles):
    ada, _ = users
    tracking.mark_watched(session=session, user_id=ada, media_id=titles["dune"])
    tracking.set_rating(session=session, user_id=ada, media_id=titles["dune"], rating=4.5)
    session.commit()
    found = refreshed(session, ada)
    assert found[titles["arrival"]].reasons[0] == "Similar to Dune, which you rated 4.5★"


def test_known_and_dismissed_titles_never_appear(session: Session, users, titles):
    ada, _ = users
    # Given Ada watched Dune, is half-way through Arrival, has Interstellar on watch later, and rated Heat
    tracking.mark_watched(session=session, user_id=ada, media_id=titles["dune"])
    progress.record_progress(
        session=session, user_id=ada, media_id=titles["arrival"], position_seconds=600, duration_seconds=7000
    )
    tracking.add_to_watch_later(session=session, user_id=ada, media_id=titles["interstellar"])
    tracking.set_rating(session=session, user_id=ada, media_id=titles["heat"], rating=3)
    session.commit()
    found = refreshed(session, ada)
    assert titles["blade"] in found
    for name in ("dune", "arrival", "interstellar", "heat"):
        assert titles[name] not in found, name
    # When she says "not interested" in Blade Runner, it is gone at once, before any rescoring
    recommendations.vote(session=session, user_id=ada, media_id=titles["blade"], vote="not_interested")
    session.commit()
    assert titles["blade"] not in listed(session, ada)
    # And it stays gone after a rescoring, listed under hidden
    assert titles["blade"] not in refreshed(session, ada)
    assert [entry.media.title for entry in recommendations.hidden(session=session, user_id=ada)] == ["Blade Runner"]
    # When she undoes it, it comes back
    recommendations.vote(session=session, user_id=ada, media_id=titles["blade"], vote=None)
    session.commit()
    assert titles["blade"] in refreshed(session, ada)
    assert recommendations.hidden(session=session, user_id=ada) == []


def test_a_thumbs_down_lowers_the_titles_like_it(session: Session, users, titles):
    ada, _ = users
    # Given Ada watched Dune and Alien: Ghost in the Shell comes from Alien's list
    for name in ("dune", "alien"):
        tracking.mark_watched(session=session, user_id=ada, media_id=titles[name])
    session.commit()
    before = refreshed(session, ada)[titles["ghost"]].score
    # When she gives Blade Runner (which is like Ghost in the Shell) a thumbs down
    recommendations.vote(session=session, user_id=ada, media_id=titles["blade"], vote="down")
    session.commit()
    after = refreshed(session, ada)
    # Then Blade Runner is gone and Ghost in the Shell scores lower
    assert titles["blade"] not in after
    assert after[titles["ghost"]].score < before
    # And a thumbs up is shown on the item and raises the titles like it
    recommendations.vote(session=session, user_id=ada, media_id=titles["blade"], vote="up")
    session.commit()
    upped = refreshed(session, ada)
    assert upped[titles["blade"]].vote == "up"
    assert upped[titles["ghost"]].score > before


def test_a_one_star_rating_pushes_its_genre_away(session: Session, users, titles):
    ada, _ = users
    # Given Ada watched a romance and a science-fiction film
    for name in ("notebook", "dune"):
        tracking.mark_watched(session=session, user_id=ada, media_id=titles[name])
    session.commit()
    before = refreshed(session, ada)[titles["titanic"]].score
    # When she rates the romance one star
    tracking.set_rating(session=session, user_id=ada, media_id=titles["notebook"], rating=1)
    session.commit()
    after = refreshed(session, ada)
    # Then Titanic (romance) falls, below every science-fiction film
    assert after[titles["titanic"]].score < before
    ranked = list(after)
    assert ranked.index(titles["titanic"]) > max(ranked.index(titles[name]) for name in ("arrival", "ghost", "blade"))


def test_a_new_user_gets_popular_titles_in_each_genre(session: Session, users, titles):
    _, bob = users
    # Given Bob has no history at all, when he opens recommendations
    view = recommendations.recommendations(session=session, user_id=bob, limit=100)
    # Then the page is full of titles of every kind, each "popular in" its genre
    assert view.total == len(view.items) > 10
    assert {item.media.type for item in view.items} == {"movie", "show", "game"}
    assert all(item.reasons and item.reasons[0].startswith("Popular in ") for item in view.items)
    assert titles["future"] not in {item.media.id for item in view.items}
    # And the kind filter and paging work on it
    games = recommendations.recommendations(session=session, user_id=bob, kind="game", limit=2, offset=1)
    assert games.total == 4 and len(games.items) == 2 and {item.media.type for item in games.items} == {"game"}
    assert recommendations.for_dashboard(session=session, user_id=bob, limit=3) == view.items[:3]


def test_games_follow_the_backlog_franchise_and_platform(session: Session, users, titles):
    ada, _ = users
    switch = session.exec(select(Platform.id).where(Platform.igdb_id == SWITCH.id)).one()
    # Given Breath of the Wild is in Ada's backlog, played on the Switch
    backlog.set_backlog(session=session, user_id=ada, media_id=titles["botw"], status="active", platform_id=switch)
    session.commit()
    found = refreshed(session, ada)
    games = [mid for mid, item in found.items() if item.media.type == "game"]
    # Then the other Zelda leads the games, then the Switch game, then the Xbox one
    assert games == [titles["totk"], titles["mario"], titles["halo"]]
    assert "In the Zelda franchise, like Breath of the Wild" in found[titles["totk"]].reasons
    assert "On Nintendo Switch, like your backlog" in found[titles["mario"]].reasons
    assert titles["botw"] not in found


def test_the_snapshot_is_cached_and_a_new_viewing_takes_the_title_out(session: Session, users, titles):
    ada, bob = users
    tracking.mark_watched(session=session, user_id=ada, media_id=titles["dune"])
    session.commit()
    first = listed(session, ada)
    assert titles["arrival"] in first
    session.commit()
    key = user_cache.recommendations_key(ada)
    assert cache.get_cache().get_json(key) is not None
    # When Ada watches Arrival, the cached list is dropped once the viewing commits
    tracking.mark_watched(session=session, user_id=ada, media_id=titles["arrival"])
    assert cache.get_cache().get_json(key) is not None
    session.commit()
    assert cache.get_cache().get_json(key) is None
    # Then Arrival is gone from her list at once (the old snapshot is filtered) and after a rescoring
    assert titles["arrival"] not in listed(session, ada)
    assert titles["arrival"] not in refreshed(session, ada)
    # And Bob's list is his own
    assert titles["arrival"] in listed(session, bob)


def test_a_change_queues_one_rescoring_per_user_after_commit(session: Session, users, titles, monkeypatch):
    ada, _ = users
    sent: list[tuple[str, dict]] = []
    monkeypatch.setattr(user_cache, "_enqueue", lambda name, **kwargs: sent.append((name, kwargs)))
    tracking.mark_watched(session=session, user_id=ada, media_id=titles["dune"])
    assert sent == []
    session.commit()
    assert sent == [("recommendations.refresh_user", {"user_id": str(ada)})]
    # A second change before the job ran queues nothing more
    tracking.set_rating(session=session, user_id=ada, media_id=titles["dune"], rating=5)
    session.commit()
    assert len(sent) == 1
    # Once the job has started, the next change queues again
    from workers.recommendations import refresh_user

    refresh_user.fn(str(ada))
    recommendations.vote(session=session, user_id=ada, media_id=titles["heat"], vote="up")
    session.commit()
    assert len(sent) == 2
    assert titles["arrival"] in listed(session, ada)


def test_votes_are_checked(session: Session, users, titles):
    ada, bob = users
    with pytest.raises(InvalidInput, match="unknown vote"):
        recommendations.vote(session=session, user_id=ada, media_id=titles["dune"], vote="meh")
    with pytest.raises(InvalidInput, match="unknown media id"):
        recommendations.vote(session=session, user_id=ada, media_id=999_999, vote="up")
    with pytest.raises(InvalidInput):
        recommendations.recommendations(session=session, user_id=ada, kind="book")
    # Clearing a vote that is not there is fine; votes are per user
    assert recommendations.vote(session=session, user_id=ada, media_id=titles["dune"], vote=None) is None
    recommendations.vote(session=session, user_id=ada, media_id=titles["ronin"], vote="not_interested")
    session.commit()
    assert titles["ronin"] not in listed(session, ada) and titles["ronin"] in listed(session, bob)


def test_the_scheduled_pass_takes_stale_snapshots_first(session: Session, users, titles):
    ada, bob = users
    recommendations.refresh_for_user(session=session, user_id=ada)
    session.commit()
    # Bob has none (and logged in recently: make_users users count as new): he is due, Ada's fresh one is not
    from seen.models.users import User

    for user_id in (ada, bob):
        user = session.get(User, user_id)
        user.last_login_at = dt.datetime.now(dt.UTC)
        session.add(user)
    session.commit()
    assert recommendations.users_due(session=session) == [bob]
    later = dt.datetime.now(dt.UTC) + dt.timedelta(hours=7)
    assert recommendations.users_due(session=session, now=later) == [bob, ada]


def test_the_scheduled_actor_rescores_the_users_due(session: Session, users, titles):
    from seen.models.system import JobRun
    from workers.recommendations import refresh_all_actor

    ada, _ = users
    tracking.mark_watched(session=session, user_id=ada, media_id=titles["dune"])
    session.commit()
    # Given Ada's snapshot is a day old and Bob has none (and has not logged in)
    recommendations.refresh_for_user(session=session, user_id=ada)
    session.execute(
        update(RecommendationEntry)
        .where(RecommendationEntry.user_id == ada)
        .values(generated_at=dt.datetime.now(dt.UTC) - dt.timedelta(days=1))
    )
    session.commit()
    # When the scheduled job runs
    refresh_all_actor.fn()
    # Then Ada's snapshot is new again and the run is recorded
    session.expire_all()
    newest = session.exec(select(func.max(RecommendationEntry.generated_at)).where(RecommendationEntry.user_id == ada))
    assert dt.datetime.now(dt.UTC) - as_utc(newest.one()) < dt.timedelta(minutes=5)
    run = session.exec(select(JobRun).where(JobRun.job_name == "recommendations.refresh_all")).one()
    assert "refreshed 1 of 1 users" in run.detail


def test_two_refreshes_of_one_user_at_once_both_succeed(session: Session, users, titles, backend, monkeypatch):
    # (SQLite takes one writer at a time for the whole file: this race needs PostgreSQL's row-level writes)
    if backend.name != "postgres":
        pytest.skip("concurrent writers: PostgreSQL only")
    ada, _ = users
    tracking.mark_watched(session=session, user_id=ada, media_id=titles["dune"])
    session.commit()
    # Given two refreshes (a queued one and the scheduled pass) that finish scoring at the same moment
    both_scored = threading.Barrier(2, timeout=20)
    score = recommendations._score

    def score_then_wait(*args, **kwargs):
        found = score(*args, **kwargs)
        both_scored.wait()
        return found

    monkeypatch.setattr(recommendations, "_score", score_then_wait)

    def refresh() -> None:
        with Session(db.get_engine()) as own:
            recommendations.refresh_for_user(session=own, user_id=ada)
            own.commit()

    # Then neither fails, and the snapshot holds one ranking, not two
    assert run_side_by_side(refresh, refresh) == []
    ranks = session.exec(select(RecommendationEntry.rank).where(RecommendationEntry.user_id == ada)).all()
    assert ranks and sorted(ranks) == list(range(1, len(ranks) + 1))
