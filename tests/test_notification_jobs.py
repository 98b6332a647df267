"""The notification actors on an in-process worker: the release job notifies a follower and records its run,
the digest job sums up what was held; both scheduled hourly."""

from __future__ import annotations

import datetime as dt

from sqlmodel import Session, select

from seen.db import get_engine
from seen.models.notifications import Notification
from seen.models.system import JobRun
from seen.providers.models import Episode, ExternalIds, MediaDetails, MediaSummary, Season
from seen.services import auth, catalogue, notifications, tracking
from tests.test_jobs import run_on_stub_broker
from workers.notifications import digest, releases


def test_the_release_and_digest_actors_notify_and_record_their_runs(backend, monkeypatch):
    # Given a user following a show whose episode aired yesterday, and one with the digest on at 00:00 UTC
    yesterday = dt.datetime.now(dt.UTC).date() - dt.timedelta(days=1)
    with Session(get_engine(), expire_on_commit=False) as session:
        ada = auth.create_user(session=session, email="ada@example.com", password="correct horse 1").id
        bob = auth.create_user(session=session, email="bob@example.com", password="correct horse 1").id
        show = catalogue.store_details(
            session=session,
            details=MediaDetails(
                summary=MediaSummary(kind="show", ids=ExternalIds(tmdb=1438), title="The Wire"),
                seasons=(Season(1, "Season 1", episodes=(Episode(1, 1, "The Target", air_date=yesterday),)),),
            ),
        )
        for user_id in (ada, bob):
            tracking.add_to_watch_later(session=session, user_id=user_id, media_id=show.id)
        notifications.update_settings(
            session=session, user_id=bob, changes={"daily_digest": True, "digest_hour_utc": 0}
        )
        session.commit()
    # When the release actor runs, twice, and then the digest actor
    run_on_stub_broker(releases, monkeypatch)
    run_on_stub_broker(releases, monkeypatch)
    run_on_stub_broker(digest, monkeypatch)
    # Then Ada has the episode at once, Bob has it in his digest, each once
    with Session(get_engine()) as session:
        rows = session.exec(select(Notification.user_id, Notification.kind, Notification.delivery)).all()
        assert sorted((str(user_id), kind, delivery) for user_id, kind, delivery in rows) == sorted(
            [
                (str(ada), "new_episode", "now"),
                (str(bob), "new_episode", "digested"),
                (str(bob), "digest", "now"),
            ]
        )
        runs = session.exec(select(JobRun.job_name, JobRun.status)).all()
        assert sorted(runs) == [
            ("notifications.digest", "ok"),
            ("notifications.releases", "ok"),
            ("notifications.releases", "ok"),
        ]


def test_both_actors_are_scheduled_hourly():
    from workers.scheduler import SCHEDULES

    hourly = {schedule.actor_name: schedule.trigger.interval for schedule in SCHEDULES}
    assert hourly["notifications.releases"] == dt.timedelta(hours=1)
    assert hourly["notifications.digest"] == dt.timedelta(hours=1)
