"""Notifications on SQLite and PostgreSQL: releases of what a user follows (never of what they watched), their
downloads finishing or failing through the real runner, unmatched library files for admins, per-user settings,
the daily digest, and reading and marking each user's own."""

from __future__ import annotations

import datetime as dt
import os
import uuid
from pathlib import Path

import pytest
from sqlmodel import Session, col, select

from seen.models.media import Platform
from seen.models.notifications import Notification
from seen.models.users import Role, User
from seen.providers.models import (
    Episode,
    ExternalIds,
    MediaDetails,
    MediaSummary,
    ReleaseDate,
    Season,
)
from seen.providers.models import Platform as ProviderPlatform
from seen.services import auth, backlog, catalogue, download_runner, library_scan, notifications, tracking
from seen.services import downloads as download_service
from seen.services.errors import InvalidInput, NotFound
from tests.downloads.conftest import downloads_env, file_server  # noqa: F401  (fixtures)
from tests.downloads.swarm import write_payload

TODAY = dt.date(2026, 12, 4)


def days_ago(days: int) -> dt.date:
    return TODAY - dt.timedelta(days=days)


@pytest.fixture
def users(session: Session) -> dict[str, uuid.UUID]:
    made = {
        name: auth.create_user(
            session=session, email=f"{name}@example.com", password="correct horse 1", display_name=name.title()
        ).id
        for name in ("ada", "bob", "cy")
    }
    session.commit()
    return made  # ada is the first account: the admin


@pytest.fixture
def titles(session: Session) -> dict[str, int]:
    """A show airing now, a movie out in cinemas this week, a movie without regional dates out this week,
    an old movie, and a game out this week on PC only (and on Switch a year ago)."""
    show = catalogue.store_details(
        session=session,
        details=MediaDetails(
            summary=MediaSummary(kind="show", ids=ExternalIds(tmdb=1438), title="The Wire"),
            seasons=(
                Season(
                    1,
                    "Season 1",
                    episodes=(
                        Episode(1, 1, "The Target", air_date=days_ago(20)),
                        Episode(1, 2, "The Detail", air_date=days_ago(2)),
                        Episode(1, 3, "The Buys", air_date=days_ago(1)),
                        Episode(1, 4, "Old Cases", air_date=days_ago(1)),
                        Episode(1, 5, "The Pager", air_date=TODAY + dt.timedelta(days=6)),
                    ),
                ),
            ),
        ),
    )
    other_show = catalogue.store_details(
        session=session,
        details=MediaDetails(
            summary=MediaSummary(kind="show", ids=ExternalIds(tmdb=1399), title="Unfollowed"),
            seasons=(Season(1, "Season 1", episodes=(Episode(1, 1, "Pilot", air_date=days_ago(1)),)),),
        ),
    )
    heat = catalogue.store_details(
        session=session,
        details=MediaDetails(
            summary=MediaSummary(
                kind="movie", ids=ExternalIds(tmdb=949), title="Heat", release_date=dt.date(1995, 12, 15)
            ),
            release_dates=(
                ReleaseDate(country="US", date=days_ago(3), type="theatrical"),
                ReleaseDate(country="FR", date=days_ago(40), type="theatrical"),
            ),
        ),
    )
    ronin = catalogue.store_summary(
        session=session,
        summary=MediaSummary(kind="movie", ids=ExternalIds(tmdb=8195), title="Ronin", release_date=days_ago(1)),
    )
    alien = catalogue.store_summary(
        session=session,
        summary=MediaSummary(kind="movie", ids=ExternalIds(tmdb=348), title="Alien", release_date=dt.date(1979, 5, 25)),
    )
    pc, switch = ProviderPlatform(6, "PC (Microsoft Windows)", "PC"), ProviderPlatform(130, "Nintendo Switch", "Switch")
    hades = catalogue.store_details(
        session=session,
        details=MediaDetails(
            summary=MediaSummary(kind="game", ids=ExternalIds(igdb=113112), title="Hades II"),
            platforms=(pc, switch),
            release_dates=(
                ReleaseDate(country=None, date=days_ago(2), platform=pc),
                ReleaseDate(country=None, date=days_ago(400), platform=switch),
            ),
        ),
    )
    session.commit()
    return {
        "wire": show.id,
        "unfollowed": other_show.id,
        "heat": heat.id,
        "ronin": ronin.id,
        "alien": alien.id,
        "hades": hades.id,
    }


def platform_id(session: Session, igdb_id: int) -> int:
    return session.exec(select(Platform.id).where(Platform.igdb_id == igdb_id)).one()


def stored(session: Session, user_id: uuid.UUID) -> list[Notification]:
    session.expire_all()
    return list(
        session.exec(select(Notification).where(Notification.user_id == user_id).order_by(col(Notification.id))).all()
    )


def run_releases(session: Session) -> notifications.ReleaseReport:
    report = notifications.release_notifications(session=session, today=TODAY)
    session.commit()
    return report


# -- releases ---------------------------------------------------------------------------------------------------


def test_a_new_episode_of_a_followed_show_notifies_once(session: Session, users, titles):
    # Given Ada follows The Wire (on her watch later list); two of its episodes aired yesterday, one the day before
    tracking.add_to_watch_later(session=session, user_id=users["ada"], media_id=titles["wire"])
    session.commit()
    # When the release job runs
    report = run_releases(session)
    # Then she has one notification per day of episodes (yesterday's two collapsed into one)
    rows = stored(session, users["ada"])
    assert [(row.kind, row.title) for row in rows] == [
        ("new_episode", "New episode of The Wire"),
        ("new_episode", "2 new episodes of The Wire"),
    ]
    assert rows[0].body.startswith("S01E02 · The Detail") and rows[1].body.startswith("S01E03 to S01E04")
    assert rows[0].link == f"/app/shows/{titles['wire']}" and rows[0].media_id == titles["wire"]
    assert report.new_episode == 2
    # And nothing of the episode that aired three weeks ago, the one still to come, or a show she does not follow
    assert all("Unfollowed" not in row.title for row in rows)
    assert stored(session, users["bob"]) == []
    # When the job runs again
    again = run_releases(session)
    # Then nothing new is added
    assert again.new_episode == 0 and len(stored(session, users["ada"])) == 2


def test_nothing_about_episodes_already_watched(session: Session, users, titles):
    # Given Ada watched S01E02 and S01E03 (so she follows the show by watching it)
    for episode in (2, 3):
        tracking.mark_watched(
            session=session, user_id=users["ada"], media_id=titles["wire"], season_number=1, episode_number=episode
        )
    session.commit()
    # When the release job runs
    run_releases(session)
    # Then only the unwatched S01E04 of yesterday is news
    rows = stored(session, users["ada"])
    assert [(row.title, row.body.split(" · ")[0]) for row in rows] == [("New episode of The Wire", "S01E04")]


def test_movies_released_in_the_region_and_not_watched(session: Session, users, titles):
    # Given Ada follows Heat (in US cinemas three days ago), Ronin (released yesterday, no regional dates),
    # Alien (released in 1979); Bob follows Heat but has seen it
    for name in ("heat", "ronin", "alien"):
        tracking.add_to_watch_later(session=session, user_id=users["ada"], media_id=titles[name])
    tracking.set_favourite(session=session, user_id=users["bob"], media_id=titles["heat"], favourite=True)
    tracking.mark_watched(session=session, user_id=users["bob"], media_id=titles["heat"])
    session.commit()
    # When the release job runs
    run_releases(session)
    # Then Ada hears of Heat in cinemas and Ronin out, nothing of Alien
    rows = stored(session, users["ada"])
    assert sorted((row.kind, row.title) for row in rows) == [
        ("movie_released", "Heat is in cinemas"),
        ("movie_released", "Ronin is out"),
    ]
    # And Bob, who watched Heat, hears nothing
    assert stored(session, users["bob"]) == []


def test_a_game_notifies_only_on_the_platform_the_user_plays_it_on(session: Session, users, titles):
    # Given Ada plays Hades II on PC, Bob on Switch (out there a year ago), Cy without a platform; Ada's friend
    # Dee finished it already
    pc, switch = platform_id(session, 6), platform_id(session, 130)
    backlog.set_backlog(
        session=session, user_id=users["ada"], media_id=titles["hades"], status="wishlist", platform_id=pc
    )
    backlog.set_backlog(
        session=session, user_id=users["bob"], media_id=titles["hades"], status="wishlist", platform_id=switch
    )
    backlog.set_backlog(session=session, user_id=users["cy"], media_id=titles["hades"], status="active")
    dee = auth.create_user(session=session, email="dee@example.com", password="correct horse 1").id
    backlog.set_backlog(session=session, user_id=dee, media_id=titles["hades"], status="completed", platform_id=pc)
    session.commit()
    # When the release job runs
    run_releases(session)
    # Then Ada (PC) and Cy (any platform) hear it is out on PC; Bob (Switch) and Dee (completed) hear nothing
    for name in ("ada", "cy"):
        assert [(row.kind, row.title) for row in stored(session, users[name])] == [
            ("game_launched", "Hades II is out on PC (Microsoft Windows)")
        ]
    assert stored(session, users["bob"]) == [] and stored(session, dee) == []


def test_a_kind_switched_off_notifies_nothing(session: Session, users, titles):
    # Given Ada follows the show and a movie but switched new episodes off
    tracking.add_to_watch_later(session=session, user_id=users["ada"], media_id=titles["wire"])
    tracking.add_to_watch_later(session=session, user_id=users["ada"], media_id=titles["ronin"])
    notifications.update_settings(session=session, user_id=users["ada"], changes={"new_episode": False})
    session.commit()
    # When the release job runs
    run_releases(session)
    # Then only the movie notifies
    assert [row.kind for row in stored(session, users["ada"])] == ["movie_released"]
    # And a direct notify of a kind switched off is nothing too
    assert (
        notifications.notify(
            session=session, user_id=users["ada"], kind="new_episode", title="x", dedupe_key="manual:1"
        )
        is None
    )


# -- settings and the digest ------------------------------------------------------------------------------------


def test_settings_have_defaults_and_are_validated(session: Session, users):
    # Given a user who never changed anything: every kind on, no digest, 08:00 UTC
    defaults = notifications.get_settings(session=session, user_id=users["bob"])
    assert (defaults.new_episode, defaults.downloads, defaults.daily_digest, defaults.digest_hour_utc) == (
        True,
        True,
        False,
        8,
    )
    # When the digest is switched on at 18:00
    changed = notifications.update_settings(
        session=session, user_id=users["bob"], changes={"daily_digest": True, "digest_hour_utc": 18}
    )
    session.commit()
    # Then it is stored, the rest unchanged
    assert (changed.daily_digest, changed.digest_hour_utc, changed.movie_released) == (True, 18, True)
    assert notifications.get_settings(session=session, user_id=users["bob"]).digest_hour_utc == 18
    # And bad values are refused with a reason
    for bad in ({"digest_hour_utc": 24}, {"digest_hour_utc": -1}, {"digest_hour_utc": True}, {"downloads": "yes"}):
        with pytest.raises(InvalidInput):
            notifications.update_settings(session=session, user_id=users["bob"], changes=bad)
    with pytest.raises(InvalidInput, match="unknown"):
        notifications.update_settings(session=session, user_id=users["bob"], changes={"sms": True})


def test_the_digest_holds_then_sums_up_once_a_day(session: Session, users, titles):
    # Given Ada wants a daily digest at 09:00 UTC and follows the show and two movies
    notifications.update_settings(
        session=session, user_id=users["ada"], changes={"daily_digest": True, "digest_hour_utc": 9}
    )
    for name in ("wire", "heat", "ronin"):
        tracking.add_to_watch_later(session=session, user_id=users["ada"], media_id=titles[name])
    session.commit()
    # When the release job runs
    run_releases(session)
    # Then four notifications are held: not listed, not counted
    assert [row.delivery for row in stored(session, users["ada"])] == ["held"] * 4
    page = notifications.list_notifications(session=session, user_id=users["ada"])
    assert (page.items, page.unread_count) == ([], 0)
    # When the digest runs before her hour
    assert notifications.send_digests(session=session, now=dt.datetime(2026, 12, 4, 8, 59, tzinfo=dt.UTC)) == 0
    session.commit()
    # Then nothing yet
    assert all(row.delivery == "held" for row in stored(session, users["ada"]))
    # When it runs at her hour
    assert notifications.send_digests(session=session, now=dt.datetime(2026, 12, 4, 9, 5, tzinfo=dt.UTC)) == 1
    session.commit()
    # Then one digest sums them up, and the held ones show as digested, already read: the bell counts one
    rows = stored(session, users["ada"])
    digest = rows[-1]
    assert (digest.kind, digest.delivery, digest.link) == ("digest", "now", "/app/notifications")
    assert digest.title == "Your daily digest: 4 notifications"
    assert digest.body.startswith("2 new episodes, 2 movies released. ") and "and 1 more" in digest.body
    assert [row.delivery for row in rows[:-1]] == ["digested"] * 4
    page = notifications.list_notifications(session=session, user_id=users["ada"])
    assert page.items[0].kind == "digest" and len(page.items) == 5
    assert page.unread_count == 1 and [item.read for item in page.items] == [False] + [True] * 4
    # When it runs again the same day, with something new held
    notifications.notify(session=session, user_id=users["ada"], kind="download_finished", title="X", dedupe_key="x")
    assert notifications.send_digests(session=session, now=dt.datetime(2026, 12, 4, 22, 0, tzinfo=dt.UTC)) == 0
    session.commit()
    # Then no second digest today; the next day's digest takes it
    assert notifications.send_digests(session=session, now=dt.datetime(2026, 12, 5, 9, 0, tzinfo=dt.UTC)) == 1
    session.commit()
    assert stored(session, users["ada"])[-1].title == "Your daily digest: 1 notification"
    # And switching the digest off delivers anything held at once
    notifications.notify(session=session, user_id=users["ada"], kind="download_finished", title="Y", dedupe_key="y")
    notifications.update_settings(session=session, user_id=users["ada"], changes={"daily_digest": False})
    session.commit()
    assert stored(session, users["ada"])[-1].delivery == "now"


# -- downloads and the library ----------------------------------------------------------------------------------


@pytest.fixture
def download_env(backend, downloads_env, users, settings_env):  # noqa: F811
    settings_env(DOWNLOAD_MAX_ACTIVE="3", DOWNLOAD_RETRY_BACKOFF_SECONDS="0", DOWNLOAD_ENGINE="http")
    return downloads_env


def tick_until(session: Session, job_id: uuid.UUID, status: str, *, attempts: int = 200) -> None:
    import time

    from seen.models.downloads import DownloadJob

    for _ in range(attempts):
        download_runner.tick()
        session.expire_all()
        if session.get(DownloadJob, job_id).status == status:
            return
        time.sleep(0.1)
    raise AssertionError(f"the download never reached {status}")


def test_a_finished_and_a_failed_download_notify_their_owner(
    session: Session,
    users,
    download_env,
    file_server,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
):
    monkeypatch.setattr(library_scan, "scan_finished_download", lambda **_: None)
    owner = session.get(User, users["bob"])
    # Given Bob downloads a small file that exists and one that does not
    write_payload(file_server.root / "Night of the Living Dead.mkv", 64 * 1024, seed=3)
    good = download_service.create_download(
        session=session, user=owner, source=file_server.url("Night of the Living Dead.mkv")
    )
    write_payload(file_server.root / "gone.bin", 10)
    bad = download_service.create_download(session=session, user=owner, source=file_server.url("gone.bin"))
    session.commit()
    (file_server.root / "gone.bin").unlink()
    # When the downloads runner runs until one completed and the other failed for good
    tick_until(session, uuid.UUID(good.id), "completed")
    tick_until(session, uuid.UUID(bad.id), "failed")
    # Then Bob heard of both, once each, with a link to his downloads
    rows = stored(session, users["bob"])
    assert sorted(row.kind for row in rows) == ["download_failed", "download_finished"]
    finished = next(row for row in rows if row.kind == "download_finished")
    failed = next(row for row in rows if row.kind == "download_failed")
    assert finished.title.endswith("finished downloading") and finished.link == "/app/downloads"
    assert failed.title.endswith("failed to download") and failed.body
    assert finished.dedupe_key == f"download:{good.id}:completed"
    # And nobody else did
    assert stored(session, users["ada"]) == [] and stored(session, users["cy"]) == []
    # And a pass with nothing new adds nothing
    download_runner.tick()
    assert len(stored(session, users["bob"])) == 2


def test_unmatched_files_of_a_scan_notify_admins_only(session: Session, users, tmp_path: Path, monkeypatch):
    monkeypatch.setattr(library_scan, "enqueue", lambda name, **kwargs: None)
    # Given a second admin and a library folder with two files no title matches
    second_admin = auth.create_user(
        session=session, email="eve@example.com", password="correct horse 1", role=Role.ADMIN
    ).id
    root_path = tmp_path / "library"
    for name in ("Zzqx Unknown Film (1901).mkv", "Qqzv Nothing (1902).mkv"):
        (root_path / "Movies").mkdir(parents=True, exist_ok=True)
        (root_path / "Movies" / name).write_bytes(os.urandom(2048))
    root = library_scan.add_root(session=session, path=str(root_path), label="Library")
    admin = session.get(User, users["ada"])
    scan = library_scan.request_scan(session, user=admin, scope="root", root_id=root.id)
    session.commit()
    # When it is scanned
    finished = library_scan.run_scan(scan_id=scan.id)
    assert finished is not None and finished.status == "completed" and finished.unmatched == 2
    # Then both admins hear of the files to match, with a link to the review queue; members hear nothing
    for admin_id in (users["ada"], second_admin):
        assert [(row.kind, row.title, row.link) for row in stored(session, admin_id)] == [
            ("unmatched_files", "2 files could not be matched", "/app/library?state=unmatched")
        ]
    assert stored(session, users["bob"]) == []


# -- reading and marking ----------------------------------------------------------------------------------------


def test_list_and_mark_read_are_scoped_to_the_user(session: Session, users):
    # Given three notifications for Ada and one for Bob
    made = [
        notifications.notify(
            session=session, user_id=users["ada"], kind="download_finished", title=f"A{n}", dedupe_key=f"a{n}"
        )
        for n in range(3)
    ]
    bobs = notifications.notify(
        session=session, user_id=users["bob"], kind="download_finished", title="B", dedupe_key="b"
    )
    # And the same key again is nothing
    assert (
        notifications.notify(
            session=session, user_id=users["ada"], kind="download_finished", title="A0", dedupe_key="a0"
        )
        is None
    )
    session.commit()
    # When Ada reads her list two at a time
    first = notifications.list_notifications(session=session, user_id=users["ada"], limit=2)
    assert [item.title for item in first.items] == ["A2", "A1"] and first.unread_count == 3
    rest = notifications.list_notifications(session=session, user_id=users["ada"], limit=2, before=first.next_before)
    assert [item.title for item in rest.items] == ["A0"] and rest.next_before is None
    # When she marks one read
    assert notifications.mark_read(session=session, user_id=users["ada"], ids=[made[0].id]) == 1
    session.commit()
    unread = notifications.list_notifications(session=session, user_id=users["ada"], unread_only=True)
    assert [item.title for item in unread.items] == ["A2", "A1"] and unread.unread_count == 2
    # Then Bob's id is not found for her, and nothing is marked
    with pytest.raises(NotFound):
        notifications.mark_read(session=session, user_id=users["ada"], ids=[made[1].id, bobs.id])
    session.rollback()
    assert notifications.unread_count(session=session, user_id=users["ada"]) == 2
    # When she marks all read
    assert notifications.mark_read(session=session, user_id=users["ada"], all_=True) == 2
    session.commit()
    # Then hers are all read and Bob's is still unread
    assert notifications.unread_count(session=session, user_id=users["ada"]) == 0
    assert notifications.unread_count(session=session, user_id=users["bob"]) == 1


def test_a_long_look_back_gives_each_user_only_the_newest_releases(session: Session, users, titles, monkeypatch):
    # Given Ada follows the show and two movies, and a run may give a user only two notifications
    monkeypatch.setattr(notifications, "MAX_PER_USER_RUN", 2)
    for name in ("wire", "heat", "ronin"):
        tracking.add_to_watch_later(session=session, user_id=users["ada"], media_id=titles[name])
    session.commit()
    # When an admin's check looks back a year
    notifications.release_notifications(session=session, today=TODAY, lookback_days=365)
    session.commit()
    # Then she gets the two newest: yesterday's episodes and Ronin (also yesterday), not the older ones
    assert sorted(row.title for row in stored(session, users["ada"])) == ["2 new episodes of The Wire", "Ronin is out"]
    # And a negative or absurd look-back is refused
    for bad in (-1, 40_000):
        with pytest.raises(InvalidInput):
            notifications.release_notifications(session=session, today=TODAY, lookback_days=bad)
