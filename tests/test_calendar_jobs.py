"""The calendar's freshness job on an in-process worker against the fake TMDB: a followed title with a date
to come, never read in full, is re-read (details, then its recent seasons) and the run is recorded; it is
scheduled every 6 hours."""

from __future__ import annotations

import datetime as dt

from sqlmodel import Session, select

from seen.db import get_engine
from seen.models import media as tables
from seen.models.system import JobRun
from seen.providers.models import ExternalIds, MediaSummary
from seen.services import auth, catalogue, tracking
from tests.services.test_catalogue_sync import no_backoff, providers  # noqa: F401  (fixtures)
from tests.test_jobs import run_on_stub_broker
from workers.calendar import refresh_upcoming


def test_the_job_rereads_followed_titles_with_dates_to_come(providers, monkeypatch):  # noqa: F811
    # Given Ada follows a show the catalogue knows only from a list, announced for next year, and a film of
    # 1999 (nothing to come: left alone)
    next_year = dt.datetime.now(dt.UTC).date() + dt.timedelta(days=365)
    with Session(get_engine(), expire_on_commit=False) as session:
        ada = auth.create_user(session=session, email="ada@example.com", password="correct horse 1").id
        show = catalogue.store_summary(
            session=session,
            summary=MediaSummary(
                kind="show", ids=ExternalIds(tmdb=1399), title="Game of Thrones", release_date=next_year
            ),
        ).id
        film = catalogue.store_summary(
            session=session,
            summary=MediaSummary(
                kind="movie", ids=ExternalIds(tmdb=550), title="Fight Club", release_date=dt.date(1999, 10, 15)
            ),
        ).id
        for media_id in (show, film):
            tracking.add_to_watch_later(session=session, user_id=ada, media_id=media_id)
        session.commit()
    # When the job runs
    run_on_stub_broker(refresh_upcoming, monkeypatch)
    # Then the show was read in full (details and its seasons' episodes), the film was not
    with Session(get_engine()) as session:
        assert session.get(tables.MediaItem, show).details_synced_at is not None
        assert session.get(tables.MediaItem, film).details_synced_at is None
        episodes = session.exec(select(tables.ShowEpisode).where(tables.ShowEpisode.media_id == show)).all()
        assert episodes
        run = session.exec(select(JobRun).where(JobRun.job_name == "calendar.refresh_upcoming")).one()
        assert run.status == "ok" and "refreshed 1 titles" in run.detail


def test_the_job_is_scheduled_every_six_hours():
    from workers.scheduler import SCHEDULES

    schedule = next(one for one in SCHEDULES if one.actor_name == "calendar.refresh_upcoming")
    assert schedule.trigger.interval == dt.timedelta(hours=6)
