"""A user's watch later list, viewing history, ratings and favourites, on SQLite and PostgreSQL: each user
sees only their own, bad input is refused with a message, and tracked titles outlive catalogue clean-ups."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlmodel import Session

from seen.models import media as tables
from seen.providers.models import Episode, ExternalIds, MediaDetails, MediaSummary, Season
from seen.services import auth, catalogue, catalogue_sync, tracking
from seen.services.errors import InvalidInput, NotFound


@pytest.fixture
def users(session: Session):
    ada = auth.create_user(session=session, email="ada@example.com", password="correct horse 1", display_name="Ada")
    bob = auth.create_user(session=session, email="bob@example.com", password="correct horse 2", display_name="Bob")
    session.commit()
    return ada.id, bob.id


@pytest.fixture
def titles(session: Session) -> dict[str, int]:
    def movie(tmdb_id: int, title: str) -> int:
        summary = MediaSummary(kind="movie", ids=ExternalIds(tmdb=tmdb_id), title=title)
        return catalogue.store_summary(session=session, summary=summary).id

    show = catalogue.store_details(
        session=session,
        details=MediaDetails(
            summary=MediaSummary(kind="show", ids=ExternalIds(tmdb=1396), title="Breaking Bad"),
            seasons=(Season(1, "Season 1", episodes=(Episode(1, 1, "Pilot"), Episode(1, 2, "Cat's in the Bag"))),),
        ),
    ).id
    game = catalogue.store_summary(
        session=session, summary=MediaSummary(kind="game", ids=ExternalIds(igdb=1), title="Hades")
    ).id
    found = {
        "matrix": movie(603, "The Matrix"),
        "heat": movie(949, "Heat"),
        "alien": movie(348, "Alien"),
        "show": show,
        "game": game,
    }
    session.commit()
    return found


def test_watch_later_is_ordered_idempotent_and_private(session: Session, users, titles):
    ada, bob = users
    # Given Ada adds three titles, one of them twice
    for name in ("matrix", "heat", "alien"):
        assert tracking.add_to_watch_later(session=session, user_id=ada, media_id=titles[name])
    assert tracking.add_to_watch_later(session=session, user_id=ada, media_id=titles["heat"]) is False
    # Then her list is in the order added, and Bob's is empty
    cards, total = tracking.watch_later(session=session, user_id=ada)
    assert [c.title for c in cards] == ["The Matrix", "Heat", "Alien"] and total == 3
    assert tracking.watch_later(session=session, user_id=bob) == ([], 0)
    # When she reorders and removes one
    tracking.reorder_watch_later(
        session=session, user_id=ada, media_ids=[titles["alien"], titles["matrix"], titles["heat"]]
    )
    tracking.remove_from_watch_later(session=session, user_id=ada, media_id=titles["matrix"])
    assert [c.title for c in tracking.watch_later(session=session, user_id=ada)[0]] == ["Alien", "Heat"]
    # And Bob cannot remove her titles, and a partial or duplicated order is refused
    with pytest.raises(NotFound):
        tracking.remove_from_watch_later(session=session, user_id=bob, media_id=titles["heat"])
    with pytest.raises(InvalidInput):
        tracking.reorder_watch_later(session=session, user_id=ada, media_ids=[titles["alien"]])
    with pytest.raises(InvalidInput):
        tracking.reorder_watch_later(session=session, user_id=ada, media_ids=[titles["alien"], titles["alien"]])
    with pytest.raises(InvalidInput):
        tracking.add_to_watch_later(session=session, user_id=ada, media_id=999_999)


def test_history_records_rewatches_and_episodes(session: Session, users, titles):
    ada, bob = users
    first = tracking.mark_watched(
        session=session, user_id=ada, media_id=titles["matrix"], watched_at=dt.datetime(2020, 1, 1, tzinfo=dt.UTC)
    )
    tracking.mark_watched(session=session, user_id=ada, media_id=titles["matrix"])
    tracking.mark_watched(session=session, user_id=ada, media_id=titles["show"], season_number=1, episode_number=2)
    entries, total = tracking.history(session=session, user_id=ada)
    assert total == 3
    assert entries[-1].id == first and entries[-1].watched_at.startswith("2020-01-01")
    assert {(e.media.title, e.season_number, e.episode_number) for e in entries} >= {("Breaking Bad", 1, 2)}
    assert tracking.title_state(session=session, user_id=ada, media_id=titles["matrix"]).times_watched == 2
    # Another user's viewing is not found; a deleted one is gone
    with pytest.raises(NotFound):
        tracking.delete_watch(session=session, user_id=bob, event_id=first)
    tracking.delete_watch(session=session, user_id=ada, event_id=first)
    assert tracking.history(session=session, user_id=ada)[1] == 2


@pytest.mark.parametrize(
    ("name", "season", "episode", "message"),
    [
        ("game", None, None, "backlog"),
        ("matrix", 1, 1, "no seasons"),
        ("show", None, None, "which episode"),
        ("show", 1, 9, "no episode S01E09"),
    ],
)
def test_impossible_viewings_are_refused(session: Session, users, titles, name, season, episode, message):
    with pytest.raises(InvalidInput, match=message):
        tracking.mark_watched(
            session=session, user_id=users[0], media_id=titles[name], season_number=season, episode_number=episode
        )


def test_a_viewing_in_the_future_is_refused(session: Session, users, titles):
    tomorrow = dt.datetime.now(dt.UTC) + dt.timedelta(days=1)
    with pytest.raises(InvalidInput, match="future"):
        tracking.mark_watched(session=session, user_id=users[0], media_id=titles["heat"], watched_at=tomorrow)


@pytest.mark.parametrize("rating", [0, 0.25, 5.5, -1, 3.3])
def test_ratings_are_half_stars(session: Session, users, titles, rating):
    with pytest.raises(InvalidInput):
        tracking.set_rating(session=session, user_id=users[0], media_id=titles["heat"], rating=rating)


def test_ratings_and_favourites_are_per_user(session: Session, users, titles):
    ada, bob = users
    tracking.set_rating(session=session, user_id=ada, media_id=titles["heat"], rating=4.5)
    tracking.set_rating(session=session, user_id=ada, media_id=titles["heat"], rating=3.0)
    tracking.set_favourite(session=session, user_id=ada, media_id=titles["heat"], favourite=True)
    tracking.set_favourite(session=session, user_id=ada, media_id=titles["heat"], favourite=True)
    state = tracking.title_state(session=session, user_id=ada, media_id=titles["heat"])
    assert (state.rating, state.favourite) == (3.0, True)
    assert tracking.title_state(session=session, user_id=bob, media_id=titles["heat"]) == tracking.TitleState(
        False, 0, None, False
    )
    with pytest.raises(NotFound):
        tracking.clear_rating(session=session, user_id=bob, media_id=titles["heat"])
    tracking.clear_rating(session=session, user_id=ada, media_id=titles["heat"])
    tracking.set_favourite(session=session, user_id=ada, media_id=titles["heat"], favourite=False)
    assert tracking.title_state(session=session, user_id=ada, media_id=titles["heat"]) == tracking.TitleState(
        False, 0, None, False
    )


def test_tracked_demo_titles_survive_the_switch_to_a_real_provider(session: Session, users):
    # Given the demo catalogue, and a demo film on Ada's watch later list
    catalogue_sync.seed_demo()
    film = session.exec(tables.MediaItem.__table__.select().where(tables.MediaItem.kind == "movie").limit(1)).first()
    tracking.add_to_watch_later(session=session, user_id=users[0], media_id=film.id)
    session.commit()
    # When TMDB takes over movies and shows
    removed = catalogue_sync.retire_demo(kinds=("movie", "show"))
    # Then the other demo films and shows went, her film stayed
    assert removed > 100
    session.expire_all()
    assert session.get(tables.MediaItem, film.id) is not None
    assert [c.id for c in tracking.watch_later(session=session, user_id=users[0])[0]] == [film.id]
