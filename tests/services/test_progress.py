"""Playback progress on SQLite and PostgreSQL: positions are remembered per movie and episode, playback past
the user's threshold is recorded as one viewing per round, and Continue Watching (with the next episode of
shows, like Plex's On Deck) follows the latest activity through its cache."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from sqlmodel import Session

from seen import cache
from seen.db import session_scope
from seen.providers.models import ExternalIds, MediaSummary
from seen.services import catalogue, progress, tracking, user_cache
from seen.services.errors import InvalidInput, NotFound
from tests.services.test_tracking import make_users, store_show

MOVIE_LENGTH = 6000  # 100 minutes
EPISODE_LENGTH = 3600


@pytest.fixture
def users(session: Session):
    return make_users(session)


@pytest.fixture
def titles(session: Session) -> dict[str, int]:
    def store(kind: str, title: str, **ids: int) -> int:
        return catalogue.store_summary(
            session=session, summary=MediaSummary(kind=kind, ids=ExternalIds(**ids), title=title)
        ).id

    found = {
        "heat": store("movie", "Heat", tmdb=949),
        "alien": store("movie", "Alien", tmdb=348),
        "hades": store("game", "Hades", igdb=1),
    }
    session.commit()
    found["wire"] = store_show(session)
    return found


def _at(minute: int) -> dt.datetime:
    """Moments one minute apart, in the past."""
    return dt.datetime(2024, 5, 1, 20, 0, tzinfo=dt.UTC) + dt.timedelta(minutes=minute)


def _play(session: Session, user_id, media_id: int, position: int, duration: int = MOVIE_LENGTH, **options):
    state = progress.record_progress(
        session=session,
        user_id=user_id,
        media_id=media_id,
        position_seconds=position,
        duration_seconds=duration,
        **options,
    )
    session.commit()
    return state


def _viewings(session: Session, user_id, media_id: int) -> int:
    return tracking.history(session=session, user_id=user_id, media_id=media_id)[1]


def test_playback_past_the_threshold_is_one_viewing_per_round(session: Session, users, titles):
    ada, _ = users
    heat = titles["heat"]
    # Given Ada is a sixth of the way into Heat: remembered, not watched
    state = _play(session, ada, heat, 1000, at=_at(0))
    assert (state.percent, state.finished, state.season_number, state.episode_number) == (16, False, None, None)
    assert _viewings(session, ada, heat) == 0
    # When playback reaches 90% (her threshold), and goes on to the credits
    finished = _play(session, ada, heat, 5400, at=_at(1))
    _play(session, ada, heat, 5900, at=_at(2))
    # Then exactly one viewing is in her history, dated when she passed the threshold
    assert finished.finished and finished.percent == 90
    entries, total = tracking.history(session=session, user_id=ada, media_id=heat)
    assert total == 1 and entries[0].watched_at == _at(1).isoformat()
    # When she watches it again from the start, past the threshold once more
    again = _play(session, ada, heat, 120, at=_at(200))
    assert not again.finished
    assert _play(session, ada, heat, 5500, at=_at(300)).finished
    # Then the rewatch is a second viewing, and the row is still one row
    assert _viewings(session, ada, heat) == 2
    assert [row.position_seconds for row in progress.progress_for(session=session, user_id=ada, media_id=heat)] == [
        5500
    ]


def test_the_threshold_is_a_setting_from_50_to_100_percent(session: Session, users, titles):
    ada, bob = users
    assert progress.watched_threshold(session=session, user_id=ada) == 90
    assert progress.set_watched_threshold(session=session, user_id=ada, percent=50) == 50
    session.commit()
    # Half of the film is watched for Ada, not for Bob (still at 90%)
    assert _play(session, ada, titles["alien"], MOVIE_LENGTH // 2).finished
    assert not _play(session, bob, titles["alien"], MOVIE_LENGTH // 2).finished
    assert (_viewings(session, ada, titles["alien"]), _viewings(session, bob, titles["alien"])) == (1, 0)
    for wrong in (49, 101, 0, True):
        with pytest.raises(InvalidInput, match="from 50 to 100"):
            progress.set_watched_threshold(session=session, user_id=ada, percent=wrong)


@pytest.mark.parametrize(
    ("title", "position", "duration", "numbers", "message"),
    [
        ("heat", 6001, 6000, {}, r"position \(6001 s\) is beyond the duration \(6000 s\)"),
        ("heat", -1, 6000, {}, "cannot be negative"),
        ("heat", 0, 0, {}, "duration must be between"),
        ("heat", 10, 25 * 3600, {}, "duration must be between"),
        ("heat", 10, 6000, {"season_number": 1, "episode_number": 1}, "no seasons"),
        ("wire", 10, 3600, {}, "which episode"),
        ("wire", 10, 3600, {"season_number": 1, "episode_number": 9}, "no episode S01E09"),
        ("wire", 10, 3600, {"season_number": 1}, "which episode"),
        ("hades", 10, 3600, {}, "backlog"),
        (None, 10, 3600, {}, "unknown media id"),
    ],
)
def test_impossible_progress_is_refused_and_changes_nothing(
    session: Session, users, titles, title, position, duration, numbers, message
):
    media_id = titles[title] if title else 999_999
    with pytest.raises(InvalidInput, match=message):
        progress.record_progress(
            session=session,
            user_id=users[0],
            media_id=media_id,
            position_seconds=position,
            duration_seconds=duration,
            **numbers,
        )
    session.rollback()
    assert progress.continue_watching(session=session, user_id=users[0]) == []


def test_a_report_from_the_future_is_refused(session: Session, users, titles):
    with pytest.raises(InvalidInput, match="future"):
        progress.record_progress(
            session=session,
            user_id=users[0],
            media_id=titles["heat"],
            position_seconds=10,
            duration_seconds=MOVIE_LENGTH,
            at=dt.datetime.now(dt.UTC) + dt.timedelta(hours=1),
        )


def test_a_report_older_than_the_stored_one_changes_nothing(session: Session, users, titles):
    ada, _ = users
    _play(session, ada, titles["heat"], 3000, at=_at(10))
    # A webhook delayed in transit arrives after a newer report: the newer position stays
    late = _play(session, ada, titles["heat"], 5800, at=_at(5))
    assert (late.position_seconds, late.finished) == (3000, False)
    assert _viewings(session, ada, titles["heat"]) == 0


def test_episodes_have_their_own_progress(session: Session, users, titles):
    ada, _ = users
    wire = titles["wire"]
    _play(session, ada, wire, 600, EPISODE_LENGTH, season_number=1, episode_number=2, at=_at(1))
    _play(session, ada, wire, 3500, EPISODE_LENGTH, season_number=1, episode_number=1, at=_at(2))
    rows = progress.progress_for(session=session, user_id=ada, media_id=wire)
    assert [(r.season_number, r.episode_number, r.percent, r.finished) for r in rows] == [
        (1, 1, 97, True),
        (1, 2, 16, False),
    ]
    assert tracking.watched_episodes(session=session, user_id=ada, media_id=wire) == {(1, 1)}


def test_progress_is_private_and_cleared_by_its_owner_only(session: Session, users, titles):
    ada, bob = users
    wire = titles["wire"]
    for episode in (1, 2):
        _play(session, ada, wire, 600, EPISODE_LENGTH, season_number=1, episode_number=episode)
    _play(session, ada, titles["heat"], 600)
    # Bob sees none of it and cannot clear it
    assert progress.progress_for(session=session, user_id=bob, media_id=wire) == []
    assert progress.continue_watching(session=session, user_id=bob) == []
    with pytest.raises(NotFound):
        progress.clear_progress(session=session, user_id=bob, media_id=wire)
    # Ada clears one episode, then the rest of the show; the film stays
    assert progress.clear_progress(session=session, user_id=ada, media_id=wire, season_number=1, episode_number=2) == 1
    assert progress.clear_progress(session=session, user_id=ada, media_id=wire) == 1
    session.commit()
    assert progress.progress_for(session=session, user_id=ada, media_id=wire) == []
    assert [
        row.position_seconds for row in progress.progress_for(session=session, user_id=ada, media_id=titles["heat"])
    ] == [600]
    with pytest.raises(NotFound):
        progress.clear_progress(session=session, user_id=ada, media_id=wire)
    with pytest.raises(InvalidInput, match="needs its season"):
        progress.clear_progress(session=session, user_id=ada, media_id=wire, episode_number=1)


def _listed(session: Session, user_id) -> list[tuple]:
    return [
        (item.media.title, item.season_number, item.episode_number, item.percent)
        for item in progress.continue_watching(session=session, user_id=user_id)
    ]


def test_continue_watching_follows_the_latest_activity(session: Session, users, titles):
    ada, _ = users
    wire, heat, alien = titles["wire"], titles["heat"], titles["alien"]
    # Given Ada finished S01E01 of The Wire, then started Heat, then half-watched Alien and finished it later
    _play(session, ada, wire, 3400, EPISODE_LENGTH, season_number=1, episode_number=1, at=_at(1))
    _play(session, ada, heat, 1200, at=_at(2))
    _play(session, ada, alien, 3000, at=_at(3))
    _play(session, ada, alien, 5990, at=_at(4))
    # Then: Heat to resume, and The Wire's next episode at 0% (Alien is done)
    items = progress.continue_watching(session=session, user_id=ada)
    assert [(i.media.title, i.season_number, i.episode_number, i.percent) for i in items] == [
        ("Heat", None, None, 20),
        ("The Wire", 1, 2, 0),
    ]
    wire_item = items[1]
    assert (wire_item.episode_title, wire_item.duration_seconds, wire_item.href) == (
        "The Wire 1x2",
        EPISODE_LENGTH,
        f"/app/shows/{wire}/season/1",
    )
    assert items[0].href == f"/app/movies/{heat}" and items[0].updated_at == _at(2).isoformat()
    # When she starts S01E02: the show moves up, resumed at that episode
    _play(session, ada, wire, 900, EPISODE_LENGTH, season_number=1, episode_number=2, at=_at(5))
    assert _listed(session, ada) == [("The Wire", 1, 2, 25), ("Heat", None, None, 20)]
    # When she marks Heat watched by hand: her latest activity on it is a viewing, nothing left to resume
    tracking.mark_watched(session=session, user_id=ada, media_id=heat, watched_at=_at(6))
    session.commit()
    assert _listed(session, ada) == [("The Wire", 1, 2, 25)]
    # When she finishes every aired episode, the show waits for next month's episode
    tracking.mark_show_watched(session=session, user_id=ada, media_id=wire, watched_at=_at(7))
    session.commit()
    assert _listed(session, ada) == []
    assert progress.continue_watching(session=session, user_id=ada, limit=1) == []


def test_continue_watching_is_cached_until_a_change_commits(session: Session, users, titles):
    ada, _ = users
    key = user_cache.continue_watching_key(ada)
    _play(session, ada, titles["heat"], 600)
    # Given the list was read once: it is in the cache
    assert _listed(session, ada) == [("Heat", None, None, 10)]
    assert cache.get_cache().get_json(key)[0]["media"]["title"] == "Heat"
    # When a new position is reported but not committed yet: readers still get the cached list
    progress.record_progress(
        session=session, user_id=ada, media_id=titles["heat"], position_seconds=1800, duration_seconds=MOVIE_LENGTH
    )
    assert cache.get_cache().get_json(key) is not None
    # Then after the commit the cached list is gone and the next read shows the new position
    session.commit()
    assert cache.get_cache().get_json(key) is None
    assert _listed(session, ada) == [("Heat", None, None, 30)]
    # And a viewing added elsewhere (the history trigger) drops it too
    tracking.mark_watched(session=session, user_id=ada, media_id=titles["heat"])
    session.commit()
    assert _listed(session, ada) == []


def test_continue_watching_limit_is_bounded(session: Session, users):
    for wrong in (0, 21):
        with pytest.raises(InvalidInput, match="limit"):
            progress.continue_watching(session=session, user_id=users[0], limit=wrong)


def test_simultaneous_reports_past_the_threshold_record_one_viewing(session: Session, users, titles):
    """A player and a webhook (or two webhooks) report the end of the same film at the same moment."""
    ada, _ = users
    # Given a round under way (the row exists, so nothing but its lock keeps the reports apart)
    _play(session, ada, titles["heat"], 600)
    start = threading.Barrier(4)
    errors: list[Exception] = []

    def report() -> None:
        start.wait()
        try:
            with session_scope() as db:
                progress.record_progress(
                    session=db, user_id=ada, media_id=titles["heat"], position_seconds=5800, duration_seconds=6000
                )
        except Exception as error:  # reported below with the others
            errors.append(error)

    threads = [threading.Thread(target=report) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert _viewings(session, ada, titles["heat"]) == 1


def test_a_show_is_listed_once_at_its_latest_episode(session: Session, users, titles):
    ada, _ = users
    wire = titles["wire"]
    # Given two episodes left half-way, the second one more recently, and a film in between
    _play(session, ada, wire, 1800, EPISODE_LENGTH, season_number=1, episode_number=3, at=_at(1))
    _play(session, ada, titles["heat"], 600, at=_at(2))
    _play(session, ada, wire, 360, EPISODE_LENGTH, season_number=1, episode_number=1, at=_at(3))
    # Then the show appears once, at the episode touched last, ahead of the film
    assert _listed(session, ada) == [("The Wire", 1, 1, 10), ("Heat", None, None, 10)]
    # And a shorter list is the head of the same cached one
    assert [item.media.title for item in progress.continue_watching(session=session, user_id=ada, limit=1)] == [
        "The Wire"
    ]
