"""The downloads runner against real engines (the built-in HTTP engine and the app's own aria2c), a local file
server, opentracker and an aria2c seeder, on SQLite and PostgreSQL.

Each test calls `download_runner.tick()` itself, over and over, until what it waits for holds (no broker). After
every pass the invariants are checked: progress never goes down, no more jobs in engines than allowed,
waiting jobs numbered 1..n and no other job numbered, a completed job at 100 %.
"""

from __future__ import annotations

import os
import signal
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from sqlalchemy import update
from sqlmodel import Session, col, select

from seen import db
from seen.downloads import select as engines
from seen.downloads.engine import EngineJobMissing
from seen.models.downloads import DownloadEvent, DownloadFile, DownloadJob
from seen.models.users import User
from seen.services import auth, download_runner
from seen.services import downloads as service
from seen.services.download_states import IN_ENGINE, MAX_RETRIES, WAITING
from tests.downloads.swarm import (
    FileServer,
    Tracker,
    info_hash_of,
    magnet_for,
    make_torrent,
    run_seeder,
    write_payload,
)

MB = 1024 * 1024


@pytest.fixture
def users(session: Session) -> dict[str, User]:
    made = {
        name: auth.create_user(session=session, email=f"{name}@example.com", password="correct horse 1")
        for name in ("ana", "bo")
    }
    session.commit()
    return made


@pytest.fixture
def env(backend, downloads_env, users, settings_env):
    """Downloads settings after the backend's (order matters), with the test's own small limits."""
    settings_env(DOWNLOAD_MAX_ACTIVE="3", DOWNLOAD_RETRY_BACKOFF_SECONDS="0", DOWNLOAD_STALL_SECONDS="5")
    return downloads_env


def jobs() -> dict[uuid.UUID, DownloadJob]:
    with Session(db.get_engine()) as fresh:
        return {job.id: job for job in fresh.exec(select(DownloadJob)).all()}


def events(job_id: uuid.UUID) -> list[DownloadEvent]:
    with Session(db.get_engine()) as fresh:
        return list(
            fresh.exec(
                select(DownloadEvent)
                .where(col(DownloadEvent.job_id) == job_id)
                .order_by(col(DownloadEvent.created_at), col(DownloadEvent.id))
            ).all()
        )


def files(job_id: uuid.UUID) -> list[tuple[str, int]]:
    with Session(db.get_engine()) as fresh:
        rows = fresh.exec(select(DownloadFile).where(col(DownloadFile.job_id) == job_id)).all()
        return sorted((row.path, row.size_bytes) for row in rows)


class Runner:
    """Runs passes and checks the invariants after each one; keeps every job's history of (status, progress)."""

    def __init__(self, max_active: int = 3) -> None:
        self.max_active = max_active
        self.history: dict[uuid.UUID, list[tuple[str, int, int]]] = {}
        self.most_in_engine = 0

    def tick(self) -> dict[uuid.UUID, DownloadJob]:
        report = download_runner.tick()
        assert not report.skipped, "no other pass runs in these tests"
        current = jobs()
        in_engine = [job for job in current.values() if job.status in IN_ENGINE]
        self.most_in_engine = max(self.most_in_engine, len(in_engine))
        assert len(in_engine) <= self.max_active, f"{len(in_engine)} jobs in engines, limit {self.max_active}"
        waiting = sorted((job for job in current.values() if job.status in WAITING), key=lambda j: (j.created_at, j.id))
        assert [job.queue_position for job in waiting] == list(range(1, len(waiting) + 1))
        assert all(job.queue_position is None for job in current.values() if job.status not in WAITING)
        for job in current.values():
            seen = self.history.setdefault(job.id, [])
            if seen and job.status not in ("cancelled",):
                _, last_progress, last_bytes = seen[-1]
                assert job.progress_percent >= last_progress, f"progress went down for {job.title}"
                assert job.bytes_downloaded >= last_bytes, f"bytes went down for {job.title}"
            if job.status == "completed":
                assert job.progress_percent == 100 and job.completed_at is not None
            seen.append((job.status, job.progress_percent, job.bytes_downloaded))
        return current

    def until(
        self, condition: Callable[[dict[uuid.UUID, DownloadJob]], bool], *, timeout: float = 60, what: str = ""
    ) -> dict[uuid.UUID, DownloadJob]:
        deadline = time.monotonic() + timeout
        while True:
            current = self.tick()
            if condition(current):
                return current
            if time.monotonic() > deadline:
                states = {job.title: (job.status, job.progress_percent, job.error_message) for job in current.values()}
                raise AssertionError(f"timed out after {timeout} s waiting for {what or 'the condition'}: {states}")
            time.sleep(0.2)

    def statuses(self, job_id: uuid.UUID) -> list[str]:
        """The statuses the job was seen in, repeats folded."""
        folded: list[str] = []
        for status, _, _ in self.history.get(job_id, []):
            if not folded or folded[-1] != status:
                folded.append(status)
        return folded


def add(session: Session, user: User, source: str, **extra) -> uuid.UUID:
    view = service.create_download(session=session, user=user, source=source, **extra)
    session.commit()
    return uuid.UUID(view.id)


def use_engine(settings_env, name: str) -> None:
    engines.shutdown_engines()
    engines.reset_engines()
    settings_env(DOWNLOAD_ENGINE=name)


ENGINES = ["http", "aria2"]


# -- HTTP downloads on both engines -------------------------------------------------------------------------


@pytest.mark.parametrize("engine", ENGINES)
def test_an_http_download_goes_through_its_states_to_completion(
    env, session: Session, users: dict[str, User], file_server: FileServer, settings_env, engine: str
) -> None:
    # Given a 3 MB file served at 1 MB/s, and the chosen engine
    use_engine(settings_env, engine)
    payload = write_payload(file_server.root / "Big Buck Bunny.mkv", 3 * MB, seed=1)
    file_server.rate = MB
    job_id = add(session, users["ana"], file_server.url("Big Buck Bunny.mkv"))

    # When passes run until it completes
    runner = Runner()
    done = runner.until(lambda now: now[job_id].status == "completed", timeout=60, what="completion")[job_id]

    # Then it was seen downloading with partial progress, a speed and an ETA before completing
    assert runner.statuses(job_id)[0] == "downloading" and runner.statuses(job_id)[-1] == "completed"
    assert any(0 < progress < 100 for status, progress, _ in runner.history[job_id] if status == "downloading")
    # And the finished job is complete, its engine named, and its file recorded relative to the downloads dir
    assert (done.progress_percent, done.bytes_total, done.bytes_downloaded) == (100, 3 * MB, 3 * MB)
    assert done.engine == engine and done.download_speed_mbps == 0 and done.eta_seconds is None
    assert files(job_id) == [(f"{done.directory}/Big Buck Bunny.mkv", 3 * MB)]
    assert (env.downloads_dir / done.directory / "Big Buck Bunny.mkv").read_bytes() == payload.read_bytes()
    # And the timeline tells the story, ending with what was written
    timeline = events(job_id)
    assert [event.status for event in timeline] == ["queued", "preparing", "preparing", "downloading", "completed"]
    assert timeline[-1].payload == {"files": 1, "bytes": 3 * MB} and timeline[-1].progress_percent == 100
    # And a pass with nothing to do writes nothing
    runner.tick()
    assert jobs()[job_id].updated_at == done.updated_at and len(events(job_id)) == len(timeline)


def test_progress_speed_and_eta_are_reported_while_downloading(
    env, session: Session, users: dict[str, User], file_server: FileServer, settings_env
) -> None:
    # Given a 4 MB file served at 512 KB/s through the built-in engine
    use_engine(settings_env, "http")
    write_payload(file_server.root / "slow.bin", 4 * MB)
    file_server.rate = 512 * 1024
    job_id = add(session, users["ana"], file_server.url("slow.bin"))

    # When passes run until a quarter is there
    job = Runner().until(lambda now: now[job_id].progress_percent >= 25, what="a quarter")[job_id]

    # Then speed is in megabits per second (about 4.2 for 512 KB/s) and the ETA follows from what remains
    assert job.status == "downloading" and job.bytes_total == 4 * MB
    assert 1 < job.download_speed_mbps < 10
    remaining_seconds = (job.bytes_total - job.bytes_downloaded) / (job.download_speed_mbps * 1_000_000 / 8)
    assert job.eta_seconds is not None and abs(job.eta_seconds - remaining_seconds) <= max(2, remaining_seconds * 0.2)
    assert job.peers == 1 and job.started_at is not None


# -- users steering running jobs ----------------------------------------------------------------------------


@pytest.mark.parametrize("engine", ENGINES)
def test_cancel_while_queued_and_while_downloading(
    env, session: Session, users: dict[str, User], file_server: FileServer, settings_env, engine: str
) -> None:
    # Given one slot, a slow download in it and a second one waiting
    use_engine(settings_env, engine)
    settings_env(DOWNLOAD_MAX_ACTIVE="1")
    for name in ("one.bin", "two.bin"):
        write_payload(file_server.root / name, 4 * MB)
    file_server.rate = 256 * 1024
    ana = users["ana"]
    running = add(session, ana, file_server.url("one.bin"))
    waiting = add(session, ana, file_server.url("two.bin"))
    runner = Runner(max_active=1)
    now = runner.until(lambda now: now[running].bytes_downloaded > 0, what="the first download to start")
    handle = now[running].engine_job_id
    assert now[waiting].status == "queued" and now[waiting].queue_position == 1 and handle

    # When Ana cancels the waiting one, then the running one
    service.cancel_download(session=session, user=ana, job_id=waiting)
    session.commit()
    runner.tick()
    service.cancel_download(session=session, user=ana, job_id=running)
    session.commit()
    now = runner.tick()

    # Then both are cancelled, the engine no longer knows the running one, and nothing holds a slot
    assert {now[running].status, now[waiting].status} == {"cancelled"}
    assert now[running].engine_job_id is None and now[waiting].engine_job_id is None
    with pytest.raises(EngineJobMissing):
        engines.engine_named(engine).status(handle)
    # And the timelines are kept, ending with the cancellation
    assert [event.status for event in events(running)][-1] == "cancelled"
    assert "downloading" in [event.status for event in events(running)]
    assert [event.status for event in events(waiting)] == ["queued", "cancelled"]


@pytest.mark.parametrize("engine", ENGINES)
def test_pause_and_resume_mid_download(
    env, session: Session, users: dict[str, User], file_server: FileServer, settings_env, engine: str
) -> None:
    # Given a download of 2 MB from a throttled server, a part of it already there
    use_engine(settings_env, engine)
    payload = write_payload(file_server.root / "film.mkv", 2 * MB, seed=3)
    file_server.rate = 256 * 1024
    ana = users["ana"]
    job_id = add(session, ana, file_server.url("film.mkv"))
    runner = Runner()
    now = runner.until(lambda now: now[job_id].bytes_downloaded > 200 * 1024, what="some bytes")
    handle = now[job_id].engine_job_id

    # When Ana pauses it, the engine pauses it and no byte arrives any more
    service.pause_download(session=session, user=ana, job_id=job_id)
    session.commit()
    runner.tick()
    engine_status = engines.engine_named(engine).status(handle)
    assert engine_status.state == "paused"
    time.sleep(1)
    assert engines.engine_named(engine).status(handle).bytes_completed == engine_status.bytes_completed
    assert jobs()[job_id].status == "paused"

    # When she resumes it, it continues in the same engine job and completes with the right bytes
    file_server.rate = None
    service.resume_download(session=session, user=ana, job_id=job_id)
    session.commit()
    done = runner.until(lambda now: now[job_id].status == "completed", what="completion")[job_id]
    assert (env.downloads_dir / done.directory / "film.mkv").read_bytes() == payload.read_bytes()
    assert [event.status for event in events(job_id)][-5:] == [
        "paused",
        "queued",
        "preparing",
        "downloading",
        "completed",
    ]
    assert runner.statuses(job_id) == ["downloading", "paused", "downloading", "completed"]
    # The second request asked only for the rest
    assert any(range_header and range_header != "bytes=0-" for _, range_header in file_server.requests)


def test_no_more_than_max_active_jobs_run_and_all_complete(
    env, session: Session, users: dict[str, User], file_server: FileServer, settings_env
) -> None:
    # Given six downloads of two users and three slots
    use_engine(settings_env, "http")
    file_server.rate = 2 * MB
    ids = []
    for number in range(6):
        write_payload(file_server.root / f"part{number}.bin", MB, seed=number)
        user = users["ana"] if number % 2 else users["bo"]
        ids.append(add(session, user, file_server.url(f"part{number}.bin")))

    # When passes run until all are complete (the Runner checks the limit and queue numbers after each)
    runner = Runner(max_active=3)
    first = runner.tick()
    assert sorted(job.queue_position or 0 for job in first.values()) == [0, 0, 0, 1, 2, 3]
    runner.until(lambda now: all(job.status == "completed" for job in now.values()), what="all six")

    # Then three ran at once at most (and three did), the oldest first
    assert runner.most_in_engine == 3
    assert {job_id for job_id, job in first.items() if job.status in IN_ENGINE} == set(ids[:3])


# -- failures -----------------------------------------------------------------------------------------------


@contextmanager
def server_that_stops_sending(size: int, sent: int) -> Iterator[str]:
    """An HTTP server that announces `size` bytes, sends `sent` of them and then goes silent."""
    release = threading.Event()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            return

        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Length", str(size))
            self.end_headers()
            self.wfile.write(b"x" * sent)
            self.wfile.flush()
            release.wait(120)

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/silent.bin"
    finally:
        release.set()
        httpd.shutdown()
        httpd.server_close()


def test_a_stalled_download_is_retried_then_fails_with_the_reason(
    env, session: Session, users: dict[str, User], settings_env
) -> None:
    # Given a server that stops after 64 KB of 1 MB, stall detection at 5 seconds and no backoff
    use_engine(settings_env, "http")
    with server_that_stops_sending(MB, 64 * 1024) as url:
        job_id = add(session, users["ana"], url)

        # When passes run until the job gives up
        runner = Runner()
        done = runner.until(lambda now: now[job_id].status == "failed", timeout=90, what="failure")[job_id]

    # Then it stalled, retried MAX_RETRIES times, and failed saying why
    statuses = [event.status for event in events(job_id)]
    assert statuses.count("retrying") == MAX_RETRIES and statuses[-1] == "failed"
    assert "stalled" in statuses
    assert done.retry_count == MAX_RETRIES and done.engine_job_id is None
    assert done.error_message.startswith("No data received for")
    assert events(job_id)[-1].message.endswith(f"Gave up after {MAX_RETRIES} retries.")
    # And the progress reached before the stall stayed
    assert done.bytes_downloaded == 64 * 1024 and done.progress_percent == 6


def test_an_engine_error_is_retried_with_a_readable_reason(
    env, session: Session, users: dict[str, User], file_server: FileServer, settings_env
) -> None:
    # Given an address that answers 404 (an error every attempt) and a long backoff
    use_engine(settings_env, "http")
    settings_env(DOWNLOAD_RETRY_BACKOFF_SECONDS="600")
    write_payload(file_server.root / "gone.bin", 10)
    job_id = add(session, users["ana"], file_server.url("gone.bin"))
    (file_server.root / "gone.bin").unlink()

    # When passes run until it waits to retry
    job = Runner().until(lambda now: now[job_id].status == "retrying", what="a retry")[job_id]

    # Then it waits its backoff with a readable reason, back in the queue
    assert job.retry_count == 1 and job.retry_at is not None and job.error_message
    assert "Traceback" not in job.error_message and job.queue_position == 1
    # And a pass before the backoff has passed leaves it waiting
    assert Runner().tick()[job_id].status == "retrying"


def test_aria2c_killed_mid_download_the_job_is_added_again_and_completes(
    env, session: Session, users: dict[str, User], file_server: FileServer, settings_env
) -> None:
    # Given an aria2 download half way through from a throttled server
    use_engine(settings_env, "aria2")
    payload = write_payload(file_server.root / "big.iso", 3 * MB, seed=5)
    file_server.rate = 512 * 1024
    job_id = add(session, users["ana"], file_server.url("big.iso"))
    runner = Runner()
    runner.until(lambda now: now[job_id].bytes_downloaded > 100 * 1024, what="some bytes")
    daemon = engines.managed_daemon()
    killed = daemon.pid
    assert killed is not None

    # When aria2c dies without saving its session
    os.kill(killed, signal.SIGKILL)
    file_server.rate = None

    # Then the next passes start aria2c again, add the job again and it completes with the right bytes
    done = runner.until(lambda now: now[job_id].status == "completed", what="completion after the restart")[job_id]
    assert daemon.pid not in (None, killed)
    assert "Re-added after the engine restarted" in [event.message for event in events(job_id)]
    assert (env.downloads_dir / done.directory / "big.iso").read_bytes() == payload.read_bytes()


# -- BitTorrent ---------------------------------------------------------------------------------------------


def test_a_torrent_and_a_magnet_download_from_a_local_swarm(
    env, session: Session, users: dict[str, User], tracker: Tracker, settings_env, tmp_path: Path
) -> None:
    # Given two seeded torrents on a local tracker: a single file and a folder of two files
    use_engine(settings_env, "aria2")
    seeds = tmp_path / "seeds"
    single = write_payload(seeds / "Sintel.mkv", 600_000, seed=7)
    folder = seeds / "Tears of Steel"
    write_payload(folder / "movie.mkv", 500_000, seed=8)
    write_payload(folder / "subs" / "en.srt", 3_000, seed=9)
    single_torrent = make_torrent(single, announce=tracker.announce_url)
    folder_torrent = make_torrent(folder, announce=tracker.announce_url)
    for torrent in (single_torrent, folder_torrent):
        tracker.allow(info_hash_of(torrent))

    with run_seeder(single_torrent, seeds), run_seeder(folder_torrent, seeds):
        # When Ana adds the .torrent of one and the magnet of the other
        from_torrent = add(session, users["ana"], "", torrent_data=single_torrent, torrent_file_name="Sintel.torrent")
        from_magnet = add(session, users["ana"], magnet_for(folder_torrent, announce=tracker.announce_url))
        runner = Runner()
        now = runner.until(
            lambda now: all(job.status == "completed" for job in now.values()), timeout=90, what="both torrents"
        )

    # Then the torrent downloaded its file, the magnet fetched metadata first and then its two files
    torrent_job, magnet_job = now[from_torrent], now[from_magnet]
    assert files(from_torrent) == [(f"{torrent_job.directory}/Sintel.mkv", 600_000)]
    assert files(from_magnet) == [
        (f"{magnet_job.directory}/Tears of Steel/movie.mkv", 500_000),
        (f"{magnet_job.directory}/Tears of Steel/subs/en.srt", 3_000),
    ]
    assert magnet_job.bytes_total == 503_000 and magnet_job.title == "Tears of Steel"
    magnet_events = [(event.status, event.message) for event in events(from_magnet)]
    assert ("preparing", "Fetching metadata") in magnet_events
    assert ("downloading", "Metadata received: downloading") in magnet_events
    assert magnet_events[-1][0] == "completed" and events(from_magnet)[-1].payload == {"files": 2, "bytes": 503_000}
    assert (env.downloads_dir / magnet_job.directory / "Tears of Steel" / "subs" / "en.srt").read_bytes() == (
        folder / "subs" / "en.srt"
    ).read_bytes()


def test_a_broken_job_fails_alone_and_the_others_go_on(
    env, session: Session, users: dict[str, User], file_server: FileServer, settings_env
) -> None:
    # Given two jobs, one of them (tampered with in the database) pointing outside the downloads folder
    use_engine(settings_env, "http")
    write_payload(file_server.root / "good.bin", 100_000)
    write_payload(file_server.root / "evil.bin", 100_000)
    evil = add(session, users["ana"], file_server.url("evil.bin"))
    good = add(session, users["ana"], file_server.url("good.bin"))
    session.exec(update(DownloadJob).where(col(DownloadJob.id) == evil).values(directory="../../outside"))
    session.commit()

    # When passes run
    now = Runner().until(lambda now: now[good].status == "completed", what="the good job")

    # Then the tampered job failed at once with the reason, and the other one completed
    assert now[evil].status == "failed" and now[evil].retry_count == 0
    assert "leads outside the downloads folder" in now[evil].error_message
    assert not (env.downloads_dir.parent.parent / "outside").exists()
