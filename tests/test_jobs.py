"""Background jobs: the session purge actor on an in-process worker, the run record, Redis, the schedules."""

from __future__ import annotations

import uuid
from datetime import timedelta

import dramatiq
import pytest
from dramatiq import Worker
from dramatiq.brokers.redis import RedisBroker
from dramatiq.brokers.stub import StubBroker
from sqlmodel import Session, select

from seen.db import get_engine
from seen.models.base import utcnow
from seen.models.system import JobRun
from seen.models.users import AuthSession
from seen.services import auth, job_runs
from tests.conftest import REDIS_URL, skip_or_fail
from workers.tasks import purge_expired_sessions

JOIN_GUARD_MS = 60_000  # only stops a broken job from hanging the run; never reached when it works


def run_on_stub_broker(actor: dramatiq.Actor, monkeypatch: pytest.MonkeyPatch) -> None:
    """Send the actor once through a private in-process broker and wait until a worker has processed it."""
    broker = StubBroker()
    monkeypatch.setattr(actor, "broker", broker)
    broker.declare_actor(actor)
    worker = Worker(broker, worker_timeout=50, worker_threads=1)
    worker.start()
    try:
        actor.send()
        broker.join(actor.queue_name, timeout=JOIN_GUARD_MS, fail_fast=True)
        worker.join()
    finally:
        worker.stop()
        broker.close()


def test_purge_actor_removes_expired_sessions_and_records_its_run(backend, monkeypatch):
    # Given a session that expired 30 days ago and a live one
    with Session(get_engine(), expire_on_commit=False) as session:
        user = auth.create_user(session=session, email="a@example.com", password="correct horse battery")
        expired, _ = auth.start_browser_session(session=session, user=user)
        expired.expires_at = utcnow() - timedelta(days=30)
        session.add(expired)
        live, _ = auth.start_browser_session(session=session, user=user)
        session.commit()
    # When the purge actor runs on a worker
    run_on_stub_broker(purge_expired_sessions, monkeypatch)
    # Then the expired session is gone, the live one stays, and the run is recorded
    with Session(get_engine()) as session:
        remaining = set(session.exec(select(AuthSession.id)).all())
        assert remaining == {live.id}
        runs = session.exec(select(JobRun)).all()
        assert [(run.job_name, run.status, run.detail) for run in runs] == [
            ("sessions.purge_expired", "ok", "removed 1 sessions")
        ]
        assert runs[0].finished_at is not None
        assert runs[0].duration_ms is not None
        assert runs[0].duration_ms >= 0
        # And the admin summary shows it
        summaries = job_runs.latest_runs(session=session)
    assert [(s.job_name, s.status, s.detail) for s in summaries] == [
        ("sessions.purge_expired", "ok", "removed 1 sessions")
    ]
    assert summaries[0].started_at.tzinfo is not None


def test_purge_actor_is_safe_to_run_twice(backend, monkeypatch):
    # Given nothing to purge
    # When the actor runs twice
    run_on_stub_broker(purge_expired_sessions, monkeypatch)
    run_on_stub_broker(purge_expired_sessions, monkeypatch)
    # Then both runs succeed, and the summary holds only the newest
    with Session(get_engine()) as session:
        runs = session.exec(select(JobRun).order_by(JobRun.id)).all()
        summaries = job_runs.latest_runs(session=session)
    assert [(run.status, run.detail) for run in runs] == [("ok", "removed 0 sessions")] * 2
    assert len(summaries) == 1


def test_a_failing_job_is_recorded_as_failed(backend):
    # When a recorded job raises
    with pytest.raises(RuntimeError, match="boom"), job_runs.recorded_run("x.fail") as report:
        report("started")
        raise RuntimeError("boom")
    # Then its run is kept as failed, with the error in the detail
    with Session(get_engine()) as session:
        run = session.exec(select(JobRun).where(JobRun.job_name == "x.fail")).one()
        summaries = job_runs.latest_runs(session=session)
    assert run.status == "failed"
    assert run.detail == "started; RuntimeError: boom"
    assert run.finished_at is not None
    assert [(s.job_name, s.status) for s in summaries] == [("x.fail", "failed")]


def test_latest_runs_gives_the_newest_run_of_each_job(backend):
    # Given two jobs, one of them run twice with different outcomes
    with job_runs.recorded_run("b.job") as report:
        report("first")
    with pytest.raises(ValueError), job_runs.recorded_run("b.job"):
        raise ValueError("second")
    with job_runs.recorded_run("a.job") as report:
        report("only")
    # When the summary is read
    with Session(get_engine()) as session:
        summaries = job_runs.latest_runs(session=session)
    # Then each job appears once, with its newest run, in name order
    assert [(s.job_name, s.status, s.detail) for s in summaries] == [
        ("a.job", "ok", "only"),
        ("b.job", "failed", "ValueError: second"),
    ]


@pytest.mark.parametrize("backend", ["postgres"], indirect=True)
def test_redis_broker_round_trip(backend):
    # Given a producer and a separate consumer on one Redis namespace
    if not REDIS_URL:
        skip_or_fail("SEEN_TEST_REDIS_URL is not set")
    namespace = "seen-test-jobs"
    producer = RedisBroker(url=REDIS_URL, namespace=namespace)
    consumer = RedisBroker(url=REDIS_URL, namespace=namespace)
    producer.flush_all()
    received: list[str] = []

    def record(value: str) -> None:
        received.append(value)

    options = {"actor_name": "test.record", "queue_name": "seen-test", "max_retries": 0}
    sender = dramatiq.actor(record, broker=producer, **options)
    dramatiq.actor(record, broker=consumer, **options)
    token = uuid.uuid4().hex
    worker = Worker(consumer, worker_timeout=50, worker_threads=1)
    try:
        # When a message is sent before any worker runs
        sender.send(token)
        assert received == []
        # And a worker on the consumer processes the queue
        worker.start()
        consumer.join("seen-test", timeout=JOIN_GUARD_MS)
        worker.join()
    finally:
        worker.stop()
        producer.flush_all()
        producer.close()
        consumer.close()
    # Then the message went through Redis to the actor
    assert received == [token]


def test_scheduler_has_one_coalescing_single_instance_job_per_schedule():
    from workers.broker import broker
    from workers.scheduler import SCHEDULES, build_scheduler

    # When the scheduler is built and started paused (jobs get their defaults, nothing runs)
    scheduler = build_scheduler()
    scheduler.start(paused=True)
    try:
        jobs = {job.id: job for job in scheduler.get_jobs()}
    finally:
        scheduler.shutdown(wait=False)
    # Then every schedule has its job, never overlapping and coalescing missed runs
    assert set(jobs) == {schedule.actor_name for schedule in SCHEDULES}
    assert len(jobs) == len(SCHEDULES) > 0
    for schedule in SCHEDULES:
        job = jobs[schedule.actor_name]
        assert job.coalesce is True
        assert job.max_instances == 1
        assert job.trigger is schedule.trigger
        assert list(job.args) == [schedule.actor_name]
        # And the job enqueues an actor that exists
        assert broker.get_actor(schedule.actor_name).actor_name == schedule.actor_name
