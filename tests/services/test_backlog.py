"""The game backlog on SQLite and PostgreSQL: one entry per game and user, checked fields, dates that follow the
status the way a player expects, ordered by what is being played, and nobody else's entries."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlmodel import Session, select

from seen import cache
from seen.models import media as tables
from seen.providers.models import ExternalIds, MediaDetails, MediaSummary, Platform
from seen.services import backlog, catalogue, user_cache
from seen.services.errors import InvalidInput, NotFound
from tests.services.test_tracking import make_users

TODAY = dt.datetime.now(dt.UTC).date()


@pytest.fixture
def users(session: Session):
    return make_users(session)


@pytest.fixture
def games(session: Session) -> dict[str, int]:
    """Hades on PC and Switch, Celeste with no platforms listed, a Xbox-only game, and a movie."""

    def game(igdb_id: int, title: str, platforms: tuple[Platform, ...]) -> int:
        summary = MediaSummary(kind="game", ids=ExternalIds(igdb=igdb_id), title=title)
        return catalogue.store_details(session=session, details=MediaDetails(summary=summary, platforms=platforms)).id

    found = {
        "hades": game(113112, "Hades", (Platform(6, "PC (Microsoft Windows)"), Platform(130, "Nintendo Switch"))),
        "celeste": game(26226, "Celeste", ()),
        "halo": game(740, "Halo", (Platform(11, "Xbox"),)),
        "movie": catalogue.store_summary(
            session=session, summary=MediaSummary(kind="movie", ids=ExternalIds(tmdb=603), title="The Matrix")
        ).id,
    }
    session.commit()
    return found


def platform_id(session: Session, igdb_id: int) -> int:
    return session.exec(select(tables.Platform.id).where(tables.Platform.igdb_id == igdb_id)).one()


def test_a_game_goes_in_with_every_field(session: Session, users, games):
    ada, _ = users
    switch = platform_id(session, 130)
    # When Ada adds Hades with all its details
    entry = backlog.set_backlog(
        session=session,
        user_id=ada,
        media_id=games["hades"],
        status="completed",
        platform_id=switch,
        hours_played=41.26,
        completion="main_extras",
        started_on=dt.date(2024, 1, 2),
        finished_on=dt.date(2024, 2, 3),
        notes="  Heat 32 next  ",
    )
    session.commit()
    # Then the entry carries the game's card, the platform's name, rounded hours and ISO dates
    assert entry.media.title == "Hades" and entry.media.type == "game"
    assert (entry.status, entry.platform_id, entry.platform_name) == ("completed", switch, "Nintendo Switch")
    assert (entry.hours_played, entry.completion, entry.notes) == (41.3, "main_extras", "Heat 32 next")
    assert (entry.started_on, entry.finished_on) == ("2024-01-02", "2024-02-03")
    assert backlog.backlog_entry(session=session, user_id=ada, media_id=games["hades"]) == entry
    assert backlog.backlog_entry(session=session, user_id=ada, media_id=games["celeste"]) is None


def test_an_update_keeps_what_is_not_said_and_clear_empties_it(session: Session, users, games):
    ada, _ = users
    pc = platform_id(session, 6)
    backlog.set_backlog(
        session=session,
        user_id=ada,
        media_id=games["hades"],
        status="paused",
        platform_id=pc,
        hours_played=10,
        completion="main",
        notes="Stuck on the Hydra",
    )
    session.commit()
    # When only the hours change
    entry = backlog.set_backlog(session=session, user_id=ada, media_id=games["hades"], status=None, hours_played=12.5)
    # Then everything else stays
    assert (entry.status, entry.platform_id, entry.completion, entry.notes) == (
        "paused",
        pc,
        "main",
        "Stuck on the Hydra",
    )
    assert entry.hours_played == 12.5
    # When fields are cleared explicitly, they are emptied
    entry = backlog.set_backlog(
        session=session,
        user_id=ada,
        media_id=games["hades"],
        status=None,
        platform_id=backlog.CLEAR,
        completion=backlog.CLEAR,
        notes=backlog.CLEAR,
        hours_played=backlog.CLEAR,
    )
    assert (entry.platform_id, entry.platform_name, entry.completion, entry.notes, entry.hours_played) == (
        None,
        None,
        None,
        "",
        0,
    )
    # And a game added without a status starts on the wishlist
    fresh = backlog.set_backlog(session=session, user_id=ada, media_id=games["celeste"], status=None)
    assert fresh.status == "wishlist" and fresh.started_on is None


def test_starting_and_finishing_date_themselves(session: Session, users, games):
    ada, _ = users
    # When a wishlisted game becomes active, its start is today
    backlog.set_backlog(session=session, user_id=ada, media_id=games["hades"], status="wishlist")
    started = backlog.set_backlog(session=session, user_id=ada, media_id=games["hades"], status="active")
    assert (started.started_on, started.finished_on) == (TODAY.isoformat(), None)
    # When it is completed, its finish is today and its start stays
    done = backlog.set_backlog(session=session, user_id=ada, media_id=games["hades"], status="completed")
    assert (done.started_on, done.finished_on) == (TODAY.isoformat(), TODAY.isoformat())
    # But dates the player gave are kept
    given = backlog.set_backlog(
        session=session,
        user_id=ada,
        media_id=games["celeste"],
        status="active",
        started_on=dt.date(2020, 5, 1),
    )
    assert given.started_on == "2020-05-01"
    finished = backlog.set_backlog(
        session=session, user_id=ada, media_id=games["celeste"], status="completed", finished_on=dt.date(2020, 6, 1)
    )
    assert (finished.started_on, finished.finished_on) == ("2020-05-01", "2020-06-01")
    # And saving an active game again does not date a start the player cleared
    backlog.set_backlog(session=session, user_id=ada, media_id=games["halo"], status="active")
    cleared = backlog.set_backlog(
        session=session, user_id=ada, media_id=games["halo"], status="active", started_on=backlog.CLEAR
    )
    assert cleared.started_on is None


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"status": "playing"}, "unknown backlog status"),
        ({"completion": "all"}, "unknown completion"),
        ({"hours_played": -1}, "between 0 and 100000"),
        ({"hours_played": 100_000.5}, "between 0 and 100000"),
        ({"hours_played": float("nan")}, "must be a number"),
        ({"started_on": TODAY + dt.timedelta(days=3)}, "future"),
        ({"finished_on": TODAY + dt.timedelta(days=30)}, "future"),
        ({"started_on": dt.date(2024, 3, 1), "finished_on": dt.date(2024, 2, 1)}, "start date is after"),
        ({"notes": "n" * 4001}, "4000"),
        ({"platform_id": "xbox"}, "the game is not on that platform"),
        ({"platform_id": 987654}, "the game is not on that platform"),
    ],
)
def test_bad_fields_are_refused_with_a_message(session: Session, users, games, changes, message):
    ada, _ = users
    if changes.get("platform_id") == "xbox":
        changes = {"platform_id": platform_id(session, 11)}
    arguments = {"status": "active", **changes}
    with pytest.raises(InvalidInput, match=message):
        backlog.set_backlog(session=session, user_id=ada, media_id=games["hades"], **arguments)
    session.rollback()
    # And nothing was stored
    assert backlog.backlog_entry(session=session, user_id=ada, media_id=games["hades"]) is None


def test_only_known_games_and_known_platforms(session: Session, users, games):
    ada, _ = users
    with pytest.raises(InvalidInput, match="only games"):
        backlog.set_backlog(session=session, user_id=ada, media_id=games["movie"], status="wishlist")
    with pytest.raises(InvalidInput, match="unknown media id"):
        backlog.set_backlog(session=session, user_id=ada, media_id=999_999, status="wishlist")
    # A game without listed platforms takes any platform the catalogue knows, not an unknown one
    xbox = platform_id(session, 11)
    entry = backlog.set_backlog(
        session=session, user_id=ada, media_id=games["celeste"], status="active", platform_id=xbox
    )
    assert entry.platform_name == "Xbox"
    with pytest.raises(InvalidInput, match="unknown platform"):
        backlog.set_backlog(session=session, user_id=ada, media_id=games["celeste"], status=None, platform_id=424242)
    # Limits themselves are fine
    edge = backlog.set_backlog(
        session=session, user_id=ada, media_id=games["halo"], status="wishlist", hours_played=100_000, notes="n" * 4000
    )
    assert edge.hours_played == 100_000 and len(edge.notes) == 4000


def test_the_backlog_reads_playing_first_and_counts_every_status(session: Session, users, games):
    ada, bob = users
    extra = {
        name: catalogue.store_summary(
            session=session, summary=MediaSummary(kind="game", ids=ExternalIds(igdb=igdb), title=name)
        ).id
        for igdb, name in ((1, "Doom"), (2, "Myst"))
    }
    for media_id, status in (
        (games["hades"], "completed"),
        (games["celeste"], "wishlist"),
        (extra["Doom"], "active"),
        (games["halo"], "dropped"),
        (extra["Myst"], "paused"),
    ):
        backlog.set_backlog(session=session, user_id=ada, media_id=media_id, status=status)
        session.commit()
    backlog.set_backlog(session=session, user_id=bob, media_id=games["hades"], status="active")
    session.commit()
    # Then Ada's backlog is ordered by status, then the latest change first
    entries, total = backlog.backlog(session=session, user_id=ada)
    assert total == 5
    assert [entry.status for entry in entries] == ["active", "paused", "wishlist", "completed", "dropped"]
    # And a status filter and paging narrow it
    backlog.set_backlog(session=session, user_id=ada, media_id=games["hades"], status="active")
    session.commit()
    active, total = backlog.backlog(session=session, user_id=ada, status="active", limit=1)
    assert total == 2 and [entry.media.title for entry in active] == ["Hades"]
    second, _ = backlog.backlog(session=session, user_id=ada, status="active", offset=1, limit=1)
    assert [entry.media.title for entry in second] == ["Doom"]
    with pytest.raises(InvalidInput, match="unknown backlog status"):
        backlog.backlog(session=session, user_id=ada, status="done")
    assert backlog.backlog_counts(session=session, user_id=ada) == {
        "wishlist": 1,
        "active": 2,
        "paused": 1,
        "completed": 0,
        "dropped": 1,
    }
    assert backlog.backlog_counts(session=session, user_id=bob)["active"] == 1


def test_recently_played_is_active_and_completed_games_newest_first(session: Session, users, games):
    ada, _ = users
    for media_id, status in ((games["hades"], "completed"), (games["celeste"], "active"), (games["halo"], "wishlist")):
        backlog.set_backlog(session=session, user_id=ada, media_id=media_id, status=status)
        session.commit()
    assert [entry.media.title for entry in backlog.recently_played(session=session, user_id=ada)] == [
        "Celeste",
        "Hades",
    ]
    backlog.set_backlog(session=session, user_id=ada, media_id=games["hades"], status=None, hours_played=30)
    session.commit()
    assert [entry.media.title for entry in backlog.recently_played(session=session, user_id=ada, limit=1)] == ["Hades"]


def test_removing_and_another_users_entry(session: Session, users, games):
    ada, bob = users
    backlog.set_backlog(session=session, user_id=ada, media_id=games["hades"], status="active", notes="mine")
    session.commit()
    # Then Bob neither sees nor removes Ada's entry
    assert backlog.backlog_entry(session=session, user_id=bob, media_id=games["hades"]) is None
    assert backlog.backlog(session=session, user_id=bob) == ([], 0)
    with pytest.raises(NotFound):
        backlog.remove_from_backlog(session=session, user_id=bob, media_id=games["hades"])
    # And Bob's own entry for the same game is separate
    backlog.set_backlog(session=session, user_id=bob, media_id=games["hades"], status="wishlist")
    session.commit()
    assert backlog.backlog_entry(session=session, user_id=ada, media_id=games["hades"]).notes == "mine"
    backlog.remove_from_backlog(session=session, user_id=ada, media_id=games["hades"])
    session.commit()
    assert backlog.backlog_entry(session=session, user_id=ada, media_id=games["hades"]) is None
    assert backlog.backlog_entry(session=session, user_id=bob, media_id=games["hades"]) is not None
    with pytest.raises(NotFound):
        backlog.remove_from_backlog(session=session, user_id=ada, media_id=games["hades"])


def test_changes_drop_the_dashboard_after_commit(session: Session, users, games):
    ada, _ = users
    store = cache.get_cache()
    for change in (
        lambda: backlog.set_backlog(session=session, user_id=ada, media_id=games["hades"], status="active"),
        lambda: backlog.remove_from_backlog(session=session, user_id=ada, media_id=games["hades"]),
    ):
        store.set_json(user_cache.dashboard_key(ada), {"stale": True}, 60)
        change()
        assert store.get_json(user_cache.dashboard_key(ada)) == {"stale": True}
        session.commit()
        assert store.get_json(user_cache.dashboard_key(ada)) is None
