"""The downloads service on SQLite and PostgreSQL: adding jobs from magnets, torrents and URLs (and refusing
bad ones with a readable reason), listing with filters, counts and a stable cursor, per-user visibility, and
the moves a user may make (pause, resume, cancel, retry) with their events."""

from __future__ import annotations

import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import update
from sqlmodel import Session, col, select

from seen.models.base import utcnow
from seen.models.downloads import DownloadEvent, DownloadJob
from seen.models.media import MediaItem
from seen.models.users import Role, User
from seen.services import auth
from seen.services import downloads as service
from seen.services.errors import Conflict, InvalidInput, NotFound
from tests.downloads.swarm import FileServer, make_torrent, write_payload

PASSWORD = "correct horse 1"


def magnet(number: int, name: str = "") -> str:
    link = f"magnet:?xt=urn:btih:{number:040x}"
    return f"{link}&dn={name}" if name else link


@pytest.fixture
def people(session: Session) -> dict[str, User]:
    # The first account is an admin whatever is asked for.
    users = {
        name: auth.create_user(session=session, email=f"{name}@example.com", password=PASSWORD, display_name=name)
        for name in ("admin", "ana", "bo")
    }
    session.commit()
    assert users["admin"].role == Role.ADMIN and users["ana"].role == Role.USER
    return users


@pytest.fixture
def env(backend, downloads_env, people):
    return downloads_env


def events_of(session: Session, job_id: str) -> list[tuple[str, str]]:
    rows = session.exec(
        select(DownloadEvent)
        .where(col(DownloadEvent.job_id) == uuid.UUID(job_id))
        .order_by(col(DownloadEvent.created_at), col(DownloadEvent.id))
    ).all()
    return [(row.status, row.message) for row in rows]


# -- adding -------------------------------------------------------------------------------------------------


def test_an_http_url_is_checked_followed_and_queued(
    env, session: Session, people: dict[str, User], file_server: FileServer
) -> None:
    # Given a file behind a redirect on the local server (127.0.0.1 is allowed in these settings)
    write_payload(file_server.root / "Big Buck Bunny.mkv", 2048)
    file_server.redirect("go", file_server.url("Big Buck Bunny.mkv"))

    # When Ana adds the redirecting address
    view = service.create_download(session=session, user=people["ana"], source=file_server.url("go"))
    session.commit()

    # Then the job is queued for the final address, titled by its file name, with a folder of its own
    assert view.status == "queued" and view.status_label == "Queued"
    assert view.source_type == "http"
    assert view.source == file_server.url("Big Buck Bunny.mkv")
    assert view.title == "Big Buck Bunny.mkv"
    assert view.directory == f"Big Buck Bunny.mkv ({uuid.UUID(view.id).hex[:8]})"
    assert view.queue_position == 1 and view.progress_percent == 0
    assert view.owner_name == "ana" and view.user_id == str(people["ana"].id)
    assert (view.can_pause, view.can_resume, view.can_cancel, view.can_retry) == (True, False, True, False)
    # And its timeline starts with the queued event
    assert events_of(session, view.id) == [("queued", "Added to the queue")]


def test_a_magnet_and_a_torrent_are_taken_with_their_names(
    env, session: Session, people: dict[str, User], tmp_path: Path
) -> None:
    # Given a magnet with a display name and a .torrent file
    torrent = make_torrent(write_payload(tmp_path / "Sintel.mkv", 40_000), announce="http://127.0.0.1:1/announce")

    # When Ana adds both, the torrent with a title of her own and a catalogue title
    media = MediaItem(kind="movie", source="demo", title="Sintel")
    session.add(media)
    session.commit()
    from_magnet = service.create_download(session=session, user=people["ana"], source=magnet(1, "Tears+of+Steel"))
    from_torrent = service.create_download(
        session=session,
        user=people["ana"],
        source="",
        torrent_data=torrent,
        torrent_file_name="sintel.torrent",
        media_id=media.id,
    )
    session.commit()

    # Then each takes its type and title from the source, and the torrent names its file as its source
    assert (from_magnet.source_type, from_magnet.title) == ("magnet", "Tears of Steel")
    assert (from_torrent.source_type, from_torrent.title, from_torrent.source) == (
        "torrent",
        "Sintel.mkv",
        "sintel.torrent",
    )
    assert (from_torrent.media_id, from_torrent.media_title) == (media.id, "Sintel")
    # And the second job waits behind the first
    assert from_torrent.queue_position == 2


def test_the_same_torrent_twice_is_a_conflict_for_one_user_only(env, session: Session, people: dict[str, User]) -> None:
    # Given Ana downloads a magnet
    service.create_download(session=session, user=people["ana"], source=magnet(7))
    session.commit()

    # When she adds the same info hash again (upper-case this time), then it is refused
    with pytest.raises(Conflict, match="already downloading"):
        service.create_download(session=session, user=people["ana"], source=f"magnet:?xt=urn:btih:{7:040X}")
    # And Bo may download the same torrent
    assert service.create_download(session=session, user=people["bo"], source=magnet(7)).status == "queued"


@pytest.mark.parametrize(
    ("source", "source_type", "message"),
    [
        ("", None, "magnet link or a download address"),
        ("magnet:?xt=urn:btih:xyz", None, "info hash"),
        ("magnet:?dn=nothing", None, "info hash"),
        ("gopher://example.org/file", None, "magnet link or an http"),
        ("http://example.org/file", "carrier-pigeon", "Unknown source type"),
        ("not a url at all", None, "magnet link or an http"),
        ("magnet:?xt=urn:btih:" + "a" * 40, "torrent", "needs the .torrent file"),
    ],
)
def test_bad_sources_are_refused_with_a_reason(
    env, session: Session, people: dict[str, User], source: str, source_type: str | None, message: str
) -> None:
    with pytest.raises(InvalidInput, match=message):
        service.create_download(session=session, user=people["ana"], source=source, source_type=source_type)


def test_a_private_address_needs_the_allow_list(
    backend, downloads_env, session: Session, people: dict[str, User], settings_env, file_server: FileServer
) -> None:
    # Given no host is allowed
    settings_env(DOWNLOAD_ALLOWED_HOSTS="[]")
    write_payload(file_server.root / "a.bin", 10)

    # When Ana adds an address on loopback, then it is refused as a private address
    with pytest.raises(InvalidInput) as refused:
        service.create_download(session=session, user=people["ana"], source=file_server.url("a.bin"))
    assert refused.value.code == "source_refused"
    assert refused.value.message == "That address is this machine (loopback): downloads may not reach it."


def test_other_bad_input_is_refused(env, session: Session, people: dict[str, User], settings_env) -> None:
    ana = people["ana"]
    with pytest.raises(InvalidInput, match="unknown media id 999"):
        service.create_download(session=session, user=ana, source=magnet(1), media_id=999)
    with pytest.raises(InvalidInput, match="at most 500"):
        service.create_download(session=session, user=ana, source=magnet(1), title="x" * 501)
    with pytest.raises(InvalidInput):
        service.create_download(session=session, user=ana, source="", torrent_data=b"d4:infoi1ee")
    # A forced HTTP engine cannot take magnets or torrents: the reason says what to do
    settings_env(DOWNLOAD_ENGINE="http")
    with pytest.raises(InvalidInput, match="need aria2"):
        service.create_download(session=session, user=ana, source=magnet(1))
    # Nor FTP, which only aria2 fetches
    with pytest.raises(InvalidInput, match="FTP downloads need aria2"):
        service.create_download(session=session, user=ana, source="ftp://files.example.com/pub/a.iso")
    assert session.exec(select(DownloadJob)).all() == []


# -- reading ------------------------------------------------------------------------------------------------


def test_users_see_their_own_jobs_and_admins_see_all(env, session: Session, people: dict[str, User]) -> None:
    # Given a job each for Ana and Bo
    ana_job = service.create_download(session=session, user=people["ana"], source=magnet(1))
    bo_job = service.create_download(session=session, user=people["bo"], source=magnet(2))
    session.commit()
    bo_id = uuid.UUID(bo_job.id)

    # Then Ana lists only hers and cannot read, steer or follow Bo's: it does not exist for her
    assert [item.id for item in service.list_downloads(session=session, user=people["ana"]).items] == [ana_job.id]
    for action in (service.get_download, service.cancel_download, service.pause_download, service.download_events):
        with pytest.raises(NotFound):
            action(session=session, user=people["ana"], job_id=bo_id)
    # And the admin sees both, and may cancel Bo's
    page = service.list_downloads(session=session, user=people["admin"])
    assert {item.id for item in page.items} == {ana_job.id, bo_job.id}
    assert page.counts["queued"] == 2
    assert service.cancel_download(session=session, user=people["admin"], job_id=bo_id).status == "cancelled"
    # And an unknown id is NotFound for everyone
    with pytest.raises(NotFound):
        service.get_download(session=session, user=people["admin"], job_id=uuid.uuid4())


def test_the_cursor_walks_every_job_once_even_with_equal_timestamps(
    env, session: Session, people: dict[str, User]
) -> None:
    # Given seven jobs, all changed at the very same moment
    ids = {service.create_download(session=session, user=people["ana"], source=magnet(n)).id for n in range(1, 8)}
    session.commit()
    session.exec(update(DownloadJob).values(updated_at=utcnow() - timedelta(minutes=1)))
    session.commit()

    # When Ana pages through them three at a time
    seen: list[str] = []
    cursor = None
    pages = 0
    while True:
        page = service.list_downloads(session=session, user=people["ana"], limit=3, cursor=cursor)
        seen += [item.id for item in page.items]
        pages += 1
        cursor = page.next_cursor
        if cursor is None:
            break

    # Then every job comes exactly once, in id order within the equal timestamp, over three pages
    assert len(seen) == len(set(seen)) == 7 and set(seen) == ids
    assert seen == sorted(seen, key=lambda value: uuid.UUID(value).hex, reverse=True)
    assert pages == 3


def test_filters_counts_and_bad_parameters(env, session: Session, people: dict[str, User]) -> None:
    # Given a queued, a paused and a cancelled job
    ana = people["ana"]
    queued, paused, cancelled = (
        service.create_download(session=session, user=ana, source=magnet(n)) for n in (1, 2, 3)
    )
    service.pause_download(session=session, user=ana, job_id=uuid.UUID(paused.id))
    service.cancel_download(session=session, user=ana, job_id=uuid.UUID(cancelled.id))
    session.commit()

    def listed(status: str) -> set[str]:
        return {item.id for item in service.list_downloads(session=session, user=ana, status=status).items}

    # Then status filters take single statuses, comma lists and the two groups
    assert listed("queued") == {queued.id}
    assert listed("queued, paused") == {queued.id, paused.id}
    assert listed("active") == {queued.id, paused.id}
    assert listed("finished") == {cancelled.id}
    # And counts cover every status of everything Ana sees, whatever the filter
    counts = service.list_downloads(session=session, user=ana, status="finished").counts
    assert counts == {**dict.fromkeys(counts, 0), "queued": 1, "paused": 1, "cancelled": 1}
    assert set(counts) >= {"queued", "downloading", "completed", "failed", "retrying"}
    # And the dashboard widget shows active and paused jobs, never cancelled ones
    active = service.active_downloads(session=session, user=ana)
    assert active.total == 2 and {item.id for item in active.items} == {queued.id, paused.id}
    # And bad parameters are refused with a reason
    with pytest.raises(InvalidInput, match="Unknown download status 'sleeping'"):
        service.list_downloads(session=session, user=ana, status="sleeping")
    with pytest.raises(InvalidInput, match="cursor"):
        service.list_downloads(session=session, user=ana, cursor="not-a-cursor")
    with pytest.raises(InvalidInput, match="limit"):
        service.list_downloads(session=session, user=ana, limit=0)
    with pytest.raises(InvalidInput, match="limit"):
        service.list_downloads(session=session, user=ana, limit=101)


# -- steering -----------------------------------------------------------------------------------------------


def test_pause_resume_cancel_and_retry_follow_the_state_machine(env, session: Session, people: dict[str, User]) -> None:
    ana = people["ana"]
    job_id = uuid.UUID(service.create_download(session=session, user=ana, source=magnet(1)).id)
    session.commit()

    # When Ana pauses the queued job, it leaves the queue
    paused = service.pause_download(session=session, user=ana, job_id=job_id)
    assert (paused.status, paused.queue_position, paused.can_resume, paused.can_pause) == ("paused", None, True, False)
    # And impossible moves are conflicts with a readable reason
    with pytest.raises(Conflict, match="paused download cannot become paused"):
        service.pause_download(session=session, user=ana, job_id=job_id)
    with pytest.raises(Conflict, match="Only a failed or cancelled download can be retried; this one is paused"):
        service.retry_download(session=session, user=ana, job_id=job_id)

    # When she resumes it, it is queued again, and resuming a queued job is a conflict
    assert service.resume_download(session=session, user=ana, job_id=job_id).status == "queued"
    with pytest.raises(Conflict, match="Only a paused download"):
        service.resume_download(session=session, user=ana, job_id=job_id)

    # When she cancels it, it is cancelled (dated); cancelling again changes nothing
    cancelled = service.cancel_download(session=session, user=ana, job_id=job_id)
    assert cancelled.status == "cancelled" and cancelled.cancelled_at is not None and cancelled.can_retry
    again = service.cancel_download(session=session, user=ana, job_id=job_id)
    assert (again.status, again.updated_at) == ("cancelled", cancelled.updated_at)
    with pytest.raises(Conflict):
        service.pause_download(session=session, user=ana, job_id=job_id)

    # When she retries it, it starts over from the queue with no error and no retries counted
    session.exec(update(DownloadJob).values(retry_count=3, error_message="boom"))
    retried = service.retry_download(session=session, user=ana, job_id=job_id)
    session.commit()
    assert (retried.status, retried.retry_count, retried.error_message, retried.cancelled_at) == (
        "queued",
        0,
        "",
        None,
    )

    # Then every move is on the timeline, oldest first, and `after` gives only what followed a moment
    timeline = service.download_events(session=session, user=ana, job_id=job_id)
    assert [event.status for event in timeline] == ["queued", "paused", "queued", "cancelled", "queued"]
    assert timeline[0].message == "Added to the queue" and timeline[-1].message.startswith("Retry requested")
    assert [event.id for event in timeline] == sorted(event.id for event in timeline)
    later = service.download_events(
        session=session, user=ana, job_id=job_id, after=utcnow() - timedelta(hours=1), limit=2
    )
    assert [event.id for event in later] == [timeline[0].id, timeline[1].id]
    assert service.download_events(session=session, user=ana, job_id=job_id, after=utcnow() + timedelta(hours=1)) == []
