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

FIRST_AIRED = dt.date(2002, 6, 2)


def make_users(session: Session) -> tuple:
    ada = auth.create_user(session=session, email="ada@example.com", password="correct horse 1", display_name="Ada")
    bob = auth.create_user(session=session, email="bob@example.com", password="correct horse 2", display_name="Bob")
    session.commit()
    return ada.id, bob.id


def store_show(session: Session, *, tmdb_id: int = 1438, title: str = "The Wire") -> int:
    """A show with a special, a finished first season of three episodes, and a second season still airing:
    S02E01 aired, S02E02 airs in a month, S02E03 has no date yet. Every episode runs 60 minutes."""

    def season(number: int, dates: list[dt.date | None]) -> Season:
        episodes = tuple(
            Episode(number, episode, f"{title} {number}x{episode}", air_date=aired, runtime=60)
            for episode, aired in enumerate(dates, start=1)
        )
        return Season(number, "Specials" if number == 0 else f"Season {number}", episodes=episodes)

    next_month = dt.datetime.now(dt.UTC).date() + dt.timedelta(days=30)
    weekly = [FIRST_AIRED + dt.timedelta(weeks=week) for week in range(3)]
    show = catalogue.store_details(
        session=session,
        details=MediaDetails(
            summary=MediaSummary(kind="show", ids=ExternalIds(tmdb=tmdb_id), title=title),
            seasons=(
                season(0, [FIRST_AIRED]),
                season(1, weekly),
                season(2, [FIRST_AIRED + dt.timedelta(days=365), next_month, None]),
            ),
        ),
    )
    session.commit()
    return show.id


@pytest.fixture
def users(session: Session):
    return make_users(session)


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


def test_watch_later_filters_by_kind_and_lists_its_ids_in_order(session: Session, users, titles):
    ada, _bob = users
    # Given a show between two movies on Ada's list
    for name in ("heat", "show", "alien"):
        tracking.add_to_watch_later(session=session, user_id=ada, media_id=titles[name])
    # Then the movies alone come in her order, with their own count, and the show alone likewise
    movies, total = tracking.watch_later(session=session, user_id=ada, kind="movie")
    assert [card.title for card in movies] == ["Heat", "Alien"] and total == 2
    assert [card.title for card in tracking.watch_later(session=session, user_id=ada, kind="show")[0]] == [
        "Breaking Bad"
    ]
    # And the bare ids follow the stored order (what a reorder starts from)
    tracking.reorder_watch_later(
        session=session, user_id=ada, media_ids=[titles["alien"], titles["heat"], titles["show"]]
    )
    assert tracking.watch_later_ids(session=session, user_id=ada) == [titles["alien"], titles["heat"], titles["show"]]


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


def test_a_viewing_dated_in_another_time_zone_is_kept_as_the_same_moment(session: Session, users, titles):
    # Given a viewing at 21:30 in New York (UTC-5), when it is stored and read back, then it is 02:30 UTC.
    new_york = dt.timezone(dt.timedelta(hours=-5))
    moment = dt.datetime(2024, 1, 10, 21, 30, tzinfo=new_york)
    tracking.mark_watched(session=session, user_id=users[0], media_id=titles["heat"], watched_at=moment)
    session.commit()
    entries, _ = tracking.history(session=session, user_id=users[0])
    assert entries[0].watched_at == "2024-01-11T02:30:00+00:00"


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


# -- shows: whole seasons, whole shows, up next ------------------------------------------------------------


@pytest.fixture
def wire(session: Session) -> int:
    return store_show(session)


def _at(day: int) -> dt.datetime:
    return dt.datetime(2024, 3, day, 20, 0, tzinfo=dt.UTC)


def test_marking_a_season_adds_only_aired_episodes_not_watched_yet(session: Session, users, wire):
    ada, bob = users
    # Given Ada watched S01E02 already
    tracking.mark_watched(session=session, user_id=ada, media_id=wire, season_number=1, episode_number=2)
    # When she marks season 1, then season 2, at one moment
    assert (
        tracking.mark_season_watched(session=session, user_id=ada, media_id=wire, season_number=1, watched_at=_at(1))
        == 2
    )
    assert (
        tracking.mark_season_watched(session=session, user_id=ada, media_id=wire, season_number=2, watched_at=_at(1))
        == 1
    )
    session.commit()
    # Then each aired episode is watched once; the one airing next month and the undated one are not
    assert tracking.watched_episodes(session=session, user_id=ada, media_id=wire) == {(1, 1), (1, 2), (1, 3), (2, 1)}
    entries, total = tracking.history(session=session, user_id=ada, media_id=wire)
    assert total == 4
    assert sorted((e.season_number, e.episode_number) for e in entries if e.watched_at.startswith("2024-03-01")) == [
        (1, 1),
        (1, 3),
        (2, 1),
    ]
    assert {e.episode_title for e in entries} >= {"The Wire 1x1", "The Wire 2x1"}
    # And marking again adds nothing; Bob's records are untouched
    assert tracking.mark_season_watched(session=session, user_id=ada, media_id=wire, season_number=1) == 0
    assert tracking.watched_episodes(session=session, user_id=bob, media_id=wire) == set()


def test_marking_a_whole_show_leaves_specials_and_future_episodes_out(session: Session, users, wire):
    ada, _ = users
    added = tracking.mark_show_watched(session=session, user_id=ada, media_id=wire, watched_at=_at(2))
    session.commit()
    assert added == 4 == tracking.aired_episode_count(session=session, media_id=wire)
    assert (0, 1) not in tracking.watched_episodes(session=session, user_id=ada, media_id=wire)
    assert tracking.mark_show_watched(session=session, user_id=ada, media_id=wire) == 0


@pytest.mark.parametrize(
    ("name", "season", "message"),
    [("show", 7, "no season 7"), ("matrix", 1, "only a show"), ("game", 1, "only a show")],
)
def test_impossible_seasons_are_refused(session: Session, users, titles, wire, name, season, message):
    media_id = wire if name == "show" else titles[name]
    with pytest.raises(InvalidInput, match=message):
        tracking.mark_season_watched(session=session, user_id=users[0], media_id=media_id, season_number=season)


def test_a_future_date_for_a_whole_season_is_refused(session: Session, users, wire):
    with pytest.raises(InvalidInput, match="future"):
        tracking.mark_season_watched(
            session=session,
            user_id=users[0],
            media_id=wire,
            season_number=1,
            watched_at=dt.datetime.now(dt.UTC) + dt.timedelta(days=2),
        )
    assert tracking.history(session=session, user_id=users[0])[1] == 0


def test_up_next_follows_the_furthest_episode_across_seasons(session: Session, users, wire):
    ada, bob = users

    def following():
        found = tracking.up_next(session=session, user_id=ada, media_id=wire)
        return (found.season_number, found.episode_number) if found else None

    # Nothing watched: nothing up next
    assert following() is None
    # Within a season, then across to the next season; a special changes nothing
    tracking.mark_watched(session=session, user_id=ada, media_id=wire, season_number=1, episode_number=1)
    assert following() == (1, 2)
    tracking.mark_watched(session=session, user_id=ada, media_id=wire, season_number=1, episode_number=3)
    tracking.mark_watched(session=session, user_id=ada, media_id=wire, season_number=0, episode_number=1)
    upcoming = tracking.up_next(session=session, user_id=ada, media_id=wire)
    assert (upcoming.season_number, upcoming.episode_number, upcoming.title) == (2, 1, "The Wire 2x1")
    assert upcoming.href == f"/app/shows/{wire}/season/2" and upcoming.runtime_minutes == 60
    # Everything aired watched: the episode airing next month is not "up next" yet
    tracking.mark_watched(session=session, user_id=ada, media_id=wire, season_number=2, episode_number=1)
    assert following() is None
    # The detail page's state carries the same; Bob has watched nothing
    state = tracking.title_state(session=session, user_id=ada, media_id=wire)
    assert (state.times_watched, state.watched_episodes, state.up_next) == (4, 4, None)
    assert tracking.up_next(session=session, user_id=bob, media_id=wire) is None


def test_up_next_is_for_shows_only(session: Session, users, titles):
    with pytest.raises(InvalidInput, match="only a show"):
        tracking.up_next(session=session, user_id=users[0], media_id=titles["matrix"])
    with pytest.raises(InvalidInput, match="unknown media id"):
        tracking.up_next(session=session, user_id=users[0], media_id=999_999)


# -- history: filters and edits ----------------------------------------------------------------------------


@pytest.fixture
def diary(session: Session, users, titles, wire) -> dict[str, int]:
    """Ada's history: The Matrix on 1 and 10 March, Heat on 5 March, The Wire S01E01 on 10 March (evening)."""
    ada, _ = users

    def watch(media_id: int, day: int, **episode: int) -> int:
        return tracking.mark_watched(session=session, user_id=ada, media_id=media_id, watched_at=_at(day), **episode)

    ids = {
        "matrix-1": watch(titles["matrix"], 1),
        "heat": watch(titles["heat"], 5),
        "matrix-2": watch(titles["matrix"], 10),
        "wire": watch(wire, 10, season_number=1, episode_number=1),
    }
    session.commit()
    return ids


def _filtered(session: Session, user_id, **filters) -> tuple[list[int], int]:
    entries, total = tracking.history(session=session, user_id=user_id, **filters)
    return [entry.id for entry in entries], total


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({}, ["wire", "matrix-2", "heat", "matrix-1"]),
        ({"kind": "movie"}, ["matrix-2", "heat", "matrix-1"]),
        ({"kind": "show"}, ["wire"]),
        ({"query": "MATRIX"}, ["matrix-2", "matrix-1"]),
        ({"query": "  the wíre "}, ["wire"]),
        ({"query": "100%"}, []),
        ({"since": dt.date(2024, 3, 5)}, ["wire", "matrix-2", "heat"]),
        ({"until": dt.date(2024, 3, 5)}, ["heat", "matrix-1"]),
        ({"since": dt.date(2024, 3, 10), "until": dt.date(2024, 3, 10)}, ["wire", "matrix-2"]),
        ({"kind": "movie", "since": dt.date(2024, 3, 2), "query": "matrix"}, ["matrix-2"]),
    ],
)
def test_history_filters(session: Session, users, diary, filters, expected):
    ids, total = _filtered(session, users[0], **filters)
    assert ids == [diary[name] for name in expected]
    assert total == len(expected)


def test_history_filters_by_title_and_pages_with_the_filtered_total(session: Session, users, titles, diary):
    ids, total = _filtered(session, users[0], media_id=titles["matrix"], limit=1, offset=1)
    assert (ids, total) == ([diary["matrix-1"]], 2)
    assert _filtered(session, users[1], kind="movie") == ([], 0)


@pytest.mark.parametrize(
    ("filters", "message"),
    [
        ({"kind": "game"}, "unknown type"),
        ({"since": dt.date(2024, 3, 9), "until": dt.date(2024, 3, 1)}, "start date is after the end date"),
    ],
)
def test_impossible_history_filters_are_refused(session: Session, users, filters, message):
    with pytest.raises(InvalidInput, match=message):
        tracking.history(session=session, user_id=users[0], **filters)


def test_a_viewing_can_be_moved_by_its_owner_only_and_not_into_the_future(session: Session, users, diary):
    ada, bob = users
    # When Ada moves her first Matrix viewing after all the others
    tracking.update_watch(session=session, user_id=ada, event_id=diary["matrix-1"], watched_at=_at(20))
    session.commit()
    # Then it is the newest in her history
    assert _filtered(session, ada, limit=1) == ([diary["matrix-1"]], 4)
    # And Bob cannot move it; nobody can move it into the future or move a viewing that does not exist
    with pytest.raises(NotFound):
        tracking.update_watch(session=session, user_id=bob, event_id=diary["matrix-1"], watched_at=_at(2))
    with pytest.raises(InvalidInput, match="future"):
        tracking.update_watch(
            session=session,
            user_id=ada,
            event_id=diary["matrix-1"],
            watched_at=dt.datetime.now(dt.UTC) + dt.timedelta(days=1),
        )
    with pytest.raises(NotFound):
        tracking.update_watch(session=session, user_id=ada, event_id=10**9, watched_at=_at(2))
    session.rollback()
    entries, _ = tracking.history(session=session, user_id=ada, limit=1)
    assert entries[0].watched_at.startswith("2024-03-20")
