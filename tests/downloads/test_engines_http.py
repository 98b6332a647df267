"""The built-in HTTP engine against a real local file server: resume, naming, refusals and disk errors."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from seen.config import reset_settings
from seen.downloads import select
from seen.downloads.engine import DownloadRequest, EngineError, EngineJobMissing
from seen.downloads.http_engine import HttpEngine
from seen.downloads.sources import AllowList
from tests.downloads.swarm import FileServer, serve_files, wait_for_state, write_payload
from tests.waiting import wait_until

LOOPBACK = AllowList.from_entries(["127.0.0.1"])
SIZE = 256 * 1024


@pytest.fixture
def engine() -> Iterator[HttpEngine]:
    running = HttpEngine(lambda: LOOPBACK)
    yield running
    running.shutdown()


@pytest.fixture
def job_dir(tmp_path: Path) -> Path:
    directory = tmp_path / "downloads" / "job"
    directory.mkdir(parents=True)
    return directory


def _request(url: str, directory: Path, file_name: str | None = None) -> DownloadRequest:
    return DownloadRequest(source_type="http", source=url, directory=directory, file_name=file_name)


def test_pause_and_resume_mid_download_give_the_exact_file(
    engine: HttpEngine, file_server: FileServer, job_dir: Path
) -> None:
    # Given a file served slowly
    payload = write_payload(file_server.root / "movie.bin", SIZE, seed=1)
    file_server.rate = 64 * 1024
    handle = engine.add(_request(file_server.url("movie.bin"), job_dir))
    assert handle.startswith("http-")
    # When it is paused part way
    running = wait_until(lambda: (s := engine.status(handle)).bytes_completed > 16 * 1024 and s, what="progress")
    assert 0 < running.download_speed_bps < 4 * file_server.rate
    engine.pause(handle)
    paused = engine.status(handle)
    # Then it stops, keeping what it has in the part file and nothing under the final name
    assert paused.state == "paused"
    assert paused.download_speed_bps == 0
    part = job_dir / "movie.bin.part"
    assert part.stat().st_size == paused.bytes_completed < SIZE
    assert not (job_dir / "movie.bin").exists()
    time.sleep(0.3)
    assert part.stat().st_size == paused.bytes_completed
    # When it is resumed at full speed
    file_server.rate = None
    engine.resume(handle)
    done = wait_for_state(engine, handle, "complete", "error", timeout=15)
    # Then the rest was asked for with a range and the file is byte for byte the original
    assert done.state == "complete", done.error_message
    assert (job_dir / "movie.bin").read_bytes() == payload.read_bytes()
    assert not part.exists()
    assert (done.bytes_completed, done.bytes_total) == (SIZE, SIZE)
    assert done.files[0].path == job_dir / "movie.bin"
    assert file_server.requests[-1] == ("movie.bin", f"bytes={paused.bytes_completed}-")


def test_a_server_without_ranges_restarts_from_zero(tmp_path: Path, engine: HttpEngine, job_dir: Path) -> None:
    # Given a slow server that ignores Range headers, and a download paused part way
    root = tmp_path / "served"
    payload = write_payload(root / "movie.bin", SIZE, seed=2)
    with serve_files(root, rate=64 * 1024, ranges=False) as server:
        handle = engine.add(_request(server.url("movie.bin"), job_dir))
        wait_until(lambda: engine.status(handle).bytes_completed > 16 * 1024, what="progress")
        engine.pause(handle)
        # When it is resumed
        server.rate = None
        engine.resume(handle)
        done = wait_for_state(engine, handle, "complete", "error", timeout=15)
    # Then the engine asked for the rest, got the whole file again, and wrote it once, exactly
    assert done.state == "complete", done.error_message
    assert server.requests[-1][1] is not None
    assert (job_dir / "movie.bin").read_bytes() == payload.read_bytes()


def test_a_new_engine_resumes_a_part_file_left_behind(
    engine: HttpEngine, file_server: FileServer, job_dir: Path
) -> None:
    # Given a part file left by an earlier run of the app (same request, same name)
    payload = write_payload(file_server.root / "movie.bin", SIZE, seed=3)
    (job_dir / "movie.bin.part").write_bytes(payload.read_bytes()[:1000])
    # When the same request is added to a fresh engine
    handle = engine.add(_request(file_server.url("movie.bin"), job_dir, file_name="movie.bin"))
    done = wait_for_state(engine, handle, "complete", "error")
    # Then only the rest was fetched and the file is exact
    assert done.state == "complete", done.error_message
    assert file_server.requests == [("movie.bin", "bytes=1000-")]
    assert (job_dir / "movie.bin").read_bytes() == payload.read_bytes()


def test_a_complete_part_file_is_just_renamed(engine: HttpEngine, file_server: FileServer, job_dir: Path) -> None:
    # Given a part file that already holds the whole file (the app stopped before renaming it)
    payload = write_payload(file_server.root / "movie.bin", 5000, seed=4)
    (job_dir / "movie.bin.part").write_bytes(payload.read_bytes())
    # When the request is added again
    handle = engine.add(_request(file_server.url("movie.bin"), job_dir, file_name="movie.bin"))
    done = wait_for_state(engine, handle, "complete", "error")
    # Then the server's 416 ends it as complete without downloading anything again
    assert done.state == "complete", done.error_message
    assert (job_dir / "movie.bin").read_bytes() == payload.read_bytes()
    assert done.bytes_completed == 5000


def test_names_come_from_content_disposition_and_redirects_are_followed(
    engine: HttpEngine, file_server: FileServer, job_dir: Path
) -> None:
    # Given a link that redirects to a file whose server suggests a name (with a path in it)
    payload = write_payload(file_server.root / "get", 3000, seed=5)
    file_server.set_headers("get", {"Content-Disposition": 'attachment; filename="../Big Buck Bunny.mkv"'})
    file_server.redirect("short", file_server.url("get"))
    # When it is downloaded without a given name
    handle = engine.add(_request(file_server.url("short"), job_dir))
    done = wait_for_state(engine, handle, "complete", "error")
    # Then the file carries the suggested name, inside the job directory
    assert done.state == "complete", done.error_message
    assert (job_dir / "Big Buck Bunny.mkv").read_bytes() == payload.read_bytes()
    assert [path.name for path in job_dir.iterdir()] == ["Big Buck Bunny.mkv"]


def test_an_existing_file_is_never_overwritten(engine: HttpEngine, file_server: FileServer, job_dir: Path) -> None:
    # Given a finished file of the same name in the job directory
    write_payload(file_server.root / "movie.bin", 2000, seed=6)
    (job_dir / "movie.bin").write_bytes(b"keep me")
    # When the URL is downloaded without a given name
    done = wait_for_state(engine, engine.add(_request(file_server.url("movie.bin"), job_dir)), "complete", "error")
    # Then the new file gets a numbered name
    assert done.state == "complete"
    assert (job_dir / "movie.bin").read_bytes() == b"keep me"
    assert (job_dir / "movie (2).bin").stat().st_size == 2000


def test_remove_deletes_the_part_file_only_when_asked(
    engine: HttpEngine, file_server: FileServer, job_dir: Path
) -> None:
    # Given two slow downloads part way
    write_payload(file_server.root / "a.bin", SIZE, seed=7)
    write_payload(file_server.root / "b.bin", SIZE, seed=8)
    file_server.rate = 32 * 1024
    keep = engine.add(_request(file_server.url("a.bin"), job_dir))
    drop = engine.add(_request(file_server.url("b.bin"), job_dir))
    for handle in (keep, drop):
        wait_until(lambda handle=handle: engine.status(handle).bytes_completed > 0, what="progress")
    # When one is removed keeping files and the other deleting them
    engine.remove(keep)
    engine.remove(drop, delete_files=True)
    # Then the engine forgets both, and only the first part file stays
    for handle in (keep, drop):
        with pytest.raises(EngineJobMissing):
            engine.status(handle)
        engine.remove(handle)  # removing again is no error
    assert sorted(path.name for path in job_dir.iterdir()) == ["a.bin.part"]


def test_errors_are_readable(engine: HttpEngine, file_server: FileServer, job_dir: Path) -> None:
    # Given a missing file, an address the allow list does not permit, and a magnet
    refusing = HttpEngine(lambda: AllowList.from_entries([]))
    missing = engine.add(_request(file_server.url("nope.bin"), job_dir))
    refused = refusing.add(_request(file_server.url("nope.bin"), job_dir))
    # When they run / are added
    not_found = wait_for_state(engine, missing, "error")
    private = wait_for_state(refusing, refused, "error")
    # Then each says why in words
    assert not_found.error_message == "The server answered 404 Not Found."
    assert "loopback" in private.error_message.lower() or "private" in private.error_message.lower()
    assert file_server.requests == [("nope.bin", None)]  # the refused download never connected
    with pytest.raises(EngineError, match="Magnets and torrents need aria2"):
        engine.add(DownloadRequest(source_type="magnet", source="magnet:?xt=urn:btih:" + "a" * 40, directory=job_dir))
    with pytest.raises(EngineJobMissing):
        engine.status("http-unknown")


def test_a_full_disk_is_an_error_with_a_readable_message(
    engine: HttpEngine, file_server: FileServer, job_dir: Path
) -> None:
    # Given a part file that lands on a device that is always full
    write_payload(file_server.root / "movie.bin", SIZE, seed=9)
    (job_dir / "movie.bin.part").symlink_to("/dev/full")
    # When the download runs
    failed = wait_for_state(engine, engine.add(_request(file_server.url("movie.bin"), job_dir, "movie.bin")), "error")
    # Then it fails saying the disk is full
    assert failed.error_message == "The disk is full: there is no space left for this download."


def test_a_read_only_directory_is_an_error_with_a_readable_message(
    engine: HttpEngine, file_server: FileServer, read_only_dir: Path
) -> None:
    # Given a job directory that cannot be written
    write_payload(file_server.root / "movie.bin", 2000, seed=10)
    # When the download runs
    failed = wait_for_state(engine, engine.add(_request(file_server.url("movie.bin"), read_only_dir)), "error")
    # Then the message says the folder is not writable, and which
    assert failed.error_message.startswith("The download folder is not writable")
    assert str(read_only_dir) in failed.error_message
    # And resuming after the cause is gone is possible (the same handle runs again)
    engine.resume(failed.engine_job_id)
    assert engine.status(failed.engine_job_id).state in {"active", "error"}


def test_the_selected_http_engine_reads_the_allow_list_from_settings_and_database(
    backend, downloads_env, file_server: FileServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given the built-in engine chosen by the settings, which allow 127.0.0.1, on a migrated database
    monkeypatch.setenv("SEEN_DOWNLOAD_ENGINE", "http")
    reset_settings()
    payload = write_payload(file_server.root / "movie.bin", 5000, seed=11)
    engine = select.download_engine()
    job = downloads_env.downloads_dir / "job"
    job.mkdir()
    # When a loopback URL is downloaded through it
    done = wait_for_state(engine, engine.add(_request(file_server.url("movie.bin"), job)), "complete", "error")
    # Then the allow list let it through and the file is exact
    assert isinstance(engine, HttpEngine)
    assert done.state == "complete", done.error_message
    assert (job / "movie.bin").read_bytes() == payload.read_bytes()
