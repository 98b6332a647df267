"""From a finished download to the library, on SQLite and PostgreSQL: the runner's pass that completes a job
asks for a library scan of its files on behalf of its owner; run, that scan indexes and matches them (under
the library folder holding the downloads directory, or with no folder when none does). A library failure
never breaks the runner's pass.
"""

from __future__ import annotations

import shutil

import pytest
from sqlmodel import Session, select

from seen import db
from seen.models.library import LibraryItem, LibraryScan
from seen.models.users import User
from seen.services import library_scan
from tests.downloads.swarm import FileServer
from tests.downloads.test_runner import Runner, add, env, use_engine, users  # noqa: F401  (fixtures)
from tests.library.conftest import Media, media  # noqa: F401  (the session's ffmpeg-made files)
from tests.services.test_search import add_title

FILE = "Big Buck Bunny (2008).mkv"


@pytest.fixture
def enqueued(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    sent: list[str] = []
    monkeypatch.setattr(library_scan, "enqueue", lambda name, **kwargs: sent.append(kwargs["scan_id"]))
    return sent


def scans() -> list[LibraryScan]:
    with Session(db.get_engine()) as fresh:
        return list(fresh.exec(select(LibraryScan)).all())


@pytest.mark.parametrize("under_root", [True, False], ids=["downloads-in-a-library-folder", "no-library-folder"])
def test_a_completed_download_is_scanned_into_the_library(
    env,  # noqa: F811
    session: Session,
    users: dict[str, User],  # noqa: F811
    file_server: FileServer,
    settings_env,
    media: Media,  # noqa: F811
    enqueued: list[str],
    under_root: bool,
) -> None:
    # Given a film in the catalogue, served over HTTP, and (or not) the downloads directory as a library folder
    use_engine(settings_env, "http")
    movie = add_title(session, "Big Buck Bunny", year=2008)
    root = library_scan.add_root(session=session, path=str(env.downloads_dir)) if under_root else None
    session.commit()
    shutil.copy2(media.mkv, file_server.root / FILE)
    job_id = add(session, users["ana"], file_server.url(FILE))

    # When the runner's passes complete the download
    Runner().until(lambda now: now[job_id].status == "completed", timeout=60, what="completion")

    # Then one library scan of the download was asked for, by its owner, and queued
    (scan,) = scans()
    assert (scan.scope, scan.download_job_id, scan.requested_by, scan.status) == (
        "download",
        job_id,
        users["ana"].id,
        "queued",
    )
    assert enqueued == [str(scan.id)]
    # And run, it puts the file in the library, matched, tied to its job (and to the folder holding it)
    finished = library_scan.run_scan(scan_id=scan.id)
    assert finished is not None and finished.status == "completed", finished and finished.message
    with Session(db.get_engine()) as fresh:
        (item,) = fresh.exec(select(LibraryItem)).all()
    assert (item.file_name, item.source_job_id, item.match_state, item.media_id) == (
        FILE,
        job_id,
        "matched",
        movie.id,
    )
    assert item.root_id == (root.id if root else None)


def test_a_library_failure_does_not_break_the_runner_s_pass(
    env,  # noqa: F811
    session: Session,
    users: dict[str, User],  # noqa: F811
    file_server: FileServer,
    settings_env,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Given asking for a library scan fails
    def broken(*args, **kwargs):
        raise RuntimeError("library unavailable")

    monkeypatch.setattr(library_scan, "request_scan", broken)
    use_engine(settings_env, "http")
    (file_server.root / "clip.mkv").write_bytes(b"x" * 50_000)
    job_id = add(session, users["ana"], file_server.url("clip.mkv"))

    # When the runner completes the download, then the job is complete all the same and no scan exists
    Runner().until(lambda now: now[job_id].status == "completed", timeout=60, what="completion")
    assert scans() == []
