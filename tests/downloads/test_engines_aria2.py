"""The aria2 engine with the app's own real aria2c: URLs, torrents and magnets from a local swarm."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from seen.downloads import select
from seen.downloads.aria2 import Aria2Engine, readable_error
from seen.downloads.engine import DownloadRequest, EngineJobMissing, EngineUnavailable
from tests.downloads.conftest import DownloadsEnv
from tests.downloads.swarm import (
    FileServer,
    Tracker,
    free_port,
    info_hash_of,
    magnet_for,
    make_torrent,
    run_seeder,
    wait_for_state,
    wait_until,
    write_payload,
)

SIZE = 256 * 1024


@pytest.fixture
def engine(downloads_env: DownloadsEnv) -> Aria2Engine:
    chosen = select.download_engine()
    assert isinstance(chosen, Aria2Engine)
    return chosen


def _job_dir(env: DownloadsEnv, name: str = "job") -> Path:
    directory = env.downloads_dir / name
    directory.mkdir()
    return directory


def test_a_url_pauses_and_resumes_to_the_exact_file(
    engine: Aria2Engine, downloads_env: DownloadsEnv, file_server: FileServer
) -> None:
    # Given a file served slowly, downloaded into a job directory
    payload = write_payload(file_server.root / "movie.bin", SIZE, seed=1)
    file_server.rate = 64 * 1024
    job = _job_dir(downloads_env)
    gid = engine.add(DownloadRequest("http", file_server.url("movie.bin"), job, file_name="Movie.bin"))
    # When it is paused part way
    wait_until(lambda: engine.status(gid).bytes_completed > 16 * 1024, what="progress")
    engine.pause(gid)
    paused = wait_for_state(engine, gid, "paused")
    engine.pause(gid)  # pausing again is no error
    # Then it is paused with part of the file
    assert 0 < paused.bytes_completed < SIZE
    # When it is resumed at full speed
    file_server.rate = None
    engine.resume(gid)
    done = wait_for_state(engine, gid, "complete", "error")
    # Then it finished from where it stopped, under the given name, byte for byte
    assert done.state == "complete", done.error_message
    assert (job / "Movie.bin").read_bytes() == payload.read_bytes()
    assert done.files[0].path == job / "Movie.bin"
    assert (done.bytes_total, done.files[0].bytes_completed) == (SIZE, SIZE)
    resumed_range = file_server.requests[-1][1]
    assert resumed_range is not None and not resumed_range.startswith("bytes=0-")


def test_a_torrent_downloads_from_the_local_seeder(
    engine: Aria2Engine, downloads_env: DownloadsEnv, tracker: Tracker, tmp_path: Path
) -> None:
    # Given a torrent seeded on loopback through the local tracker
    payload = write_payload(tmp_path / "seed" / "movie.mkv", SIZE, seed=2)
    torrent = make_torrent(payload, announce=tracker.announce_url)
    tracker.allow(info_hash_of(torrent))
    job = _job_dir(downloads_env)
    with run_seeder(torrent, payload.parent):
        # When the .torrent is added
        gid = engine.add(DownloadRequest("torrent", "movie.torrent", job, torrent_data=torrent))
        done = wait_for_state(engine, gid, "complete", "error", timeout=30)
    # Then the file arrives whole in the job directory, and the status names the torrent
    assert done.state == "complete", done.error_message
    assert (job / "movie.mkv").read_bytes() == payload.read_bytes()
    assert [path.name for path in job.iterdir()] == ["movie.mkv"]
    assert done.info_hash == info_hash_of(torrent)
    assert not done.is_metadata and done.followed_by is None
    assert [file.path for file in engine.files(gid)] == [job / "movie.mkv"]


def test_a_magnet_hands_over_from_metadata_to_the_download(
    engine: Aria2Engine, downloads_env: DownloadsEnv, tracker: Tracker, tmp_path: Path
) -> None:
    # Given a magnet for a seeded torrent
    payload = write_payload(tmp_path / "seed" / "show.mkv", SIZE, seed=3)
    torrent = make_torrent(payload, announce=tracker.announce_url)
    tracker.allow(info_hash_of(torrent))
    job = _job_dir(downloads_env)
    with run_seeder(torrent, payload.parent):
        # When the magnet is added
        metadata_gid = engine.add(DownloadRequest("magnet", magnet_for(torrent, announce=tracker.announce_url), job))
        # Then it first fetches the metadata, which names the real download when complete
        assert engine.status(metadata_gid).is_metadata
        metadata = wait_for_state(engine, metadata_gid, "complete", "error", timeout=30)
        assert metadata.state == "complete", metadata.error_message
        assert metadata.is_metadata and metadata.files == []
        assert metadata.followed_by
        # And the real download brings the file
        done = wait_for_state(engine, metadata.followed_by, "complete", "error", timeout=30)
    assert done.state == "complete", done.error_message
    assert not done.is_metadata
    assert (job / "show.mkv").read_bytes() == payload.read_bytes()


def test_a_multi_file_torrent_lists_its_files(
    engine: Aria2Engine, downloads_env: DownloadsEnv, tracker: Tracker, tmp_path: Path
) -> None:
    # Given a seeded torrent of a folder with a subfolder
    folder = tmp_path / "seed" / "Season 1"
    episodes = [write_payload(folder / "e01.mkv", 40_000, seed=4), write_payload(folder / "extras" / "e02.srt", 3_000)]
    torrent = make_torrent(folder, announce=tracker.announce_url)
    tracker.allow(info_hash_of(torrent))
    job = _job_dir(downloads_env)
    with run_seeder(torrent, folder.parent):
        # When it is downloaded
        gid = engine.add(DownloadRequest("torrent", "season.torrent", job, torrent_data=torrent))
        done = wait_for_state(engine, gid, "complete", "error", timeout=30)
    # Then every file is listed with its place inside the job directory and its size, and is on disk
    assert done.state == "complete", done.error_message
    expected = [(job / "Season 1" / "e01.mkv", 40_000), (job / "Season 1" / "extras" / "e02.srt", 3_000)]
    assert sorted((file.path, file.size_bytes) for file in engine.files(gid)) == expected
    assert all(file.bytes_completed == file.size_bytes and file.selected for file in done.files)
    for (path, _), original in zip(expected, episodes, strict=True):
        assert path.read_bytes() == original.read_bytes()


def test_remove_deletes_partial_files_only_when_asked(
    engine: Aria2Engine, downloads_env: DownloadsEnv, file_server: FileServer
) -> None:
    # Given two slow downloads part way, in their own job directories
    write_payload(file_server.root / "a.bin", SIZE, seed=5)
    write_payload(file_server.root / "b.bin", SIZE, seed=6)
    file_server.rate = 32 * 1024
    keep_dir, drop_dir = _job_dir(downloads_env, "keep"), _job_dir(downloads_env, "drop")
    keep = engine.add(DownloadRequest("http", file_server.url("a.bin"), keep_dir))
    drop = engine.add(DownloadRequest("http", file_server.url("b.bin"), drop_dir))
    for gid in (keep, drop):
        wait_until(lambda gid=gid: engine.status(gid).bytes_completed > 0, what="progress")
    # When one is removed keeping its files and the other deleting them
    engine.remove(keep)
    engine.remove(drop, delete_files=True)
    # Then aria2 forgets both; the kept one leaves its partial file, the other leaves nothing
    for gid in (keep, drop):
        with pytest.raises(EngineJobMissing):
            engine.status(gid)
        engine.remove(gid)  # removing again is no error
    assert "a.bin" in {path.name for path in keep_dir.iterdir()}
    assert list(drop_dir.iterdir()) == []


def test_a_full_disk_gives_a_readable_message(
    engine: Aria2Engine, downloads_env: DownloadsEnv, file_server: FileServer
) -> None:
    # Given a target file that lands on a device that is always full
    write_payload(file_server.root / "movie.bin", SIZE, seed=7)
    job = _job_dir(downloads_env)
    (job / "movie.bin").symlink_to("/dev/full")
    # When the download runs
    gid = engine.add(DownloadRequest("http", file_server.url("movie.bin"), job, file_name="movie.bin"))
    failed = wait_for_state(engine, gid, "error")
    # Then the message says the disk is full
    assert failed.error_message.startswith("The disk is full")


def test_a_read_only_directory_gives_a_readable_message(
    engine: Aria2Engine, file_server: FileServer, read_only_dir: Path
) -> None:
    # Given a job directory that cannot be written
    write_payload(file_server.root / "movie.bin", 2000, seed=8)
    # When the download runs
    failed = wait_for_state(
        engine, engine.add(DownloadRequest("http", file_server.url("movie.bin"), read_only_dir)), "error"
    )
    # Then the message says the folder cannot be written
    assert "not writable" in failed.error_message or "read-only" in failed.error_message
    assert "aria2:" in failed.error_message


def test_missing_files_and_unknown_handles(
    engine: Aria2Engine, downloads_env: DownloadsEnv, file_server: FileServer
) -> None:
    # Given a URL that does not exist
    gid = engine.add(DownloadRequest("http", file_server.url("nope.bin"), _job_dir(downloads_env)))
    # When it runs
    failed = wait_for_state(engine, gid, "error")
    # Then the status says it was not found; and a handle aria2 never gave is missing
    assert failed.error_message.startswith("The file was not found on the server.")
    with pytest.raises(EngineJobMissing):
        engine.status("0123456789abcdef")
    with pytest.raises(EngineJobMissing):
        engine.pause("0123456789abcdef")


def test_an_unreachable_or_foreign_daemon_is_unavailable(engine: Aria2Engine) -> None:
    # Given an address nobody listens on, and our daemon with the wrong secret
    nobody = Aria2Engine(f"http://127.0.0.1:{free_port()}/jsonrpc", "secret")
    wrong_secret = Aria2Engine(engine.rpc_url, "not-the-secret")
    # When they are used
    # Then each is "unavailable" with a reason, not a crash
    with pytest.raises(EngineUnavailable, match="not reachable"):
        nobody.ping()
    with pytest.raises(EngineUnavailable, match="not reachable"):
        nobody.add(DownloadRequest("http", "http://127.0.0.1/x", Path("/tmp")))
    with pytest.raises(EngineUnavailable, match="RPC secret"):
        wrong_secret.ping()
    engine.ping()


@pytest.mark.parametrize(
    ("code", "message", "expected"),
    [
        (9, "", "The disk is full: there is not enough space for this download."),
        (16, "Failed to open the file /x, cause: Permission denied", "The download folder is not writable"),
        (17, "write error: No space left on device", "The disk is full"),
        (
            24,
            "Authorization failed.",
            "The server asked for a login (HTTP authorisation failed). (aria2: Authorization",
        ),
        (6, "", "A network problem interrupted the download."),
        (None, "", "The download failed."),
        (99, "odd", "The download failed. (aria2: odd)"),
    ],
)
def test_error_codes_read_as_sentences(code: int | None, message: str, expected: str) -> None:
    # Given an aria2 error code and message; When it is translated; Then the sentence leads with the reason
    assert readable_error(code, message).startswith(expected)


def test_a_paused_download_stays_paused_while_time_passes(
    engine: Aria2Engine, downloads_env: DownloadsEnv, file_server: FileServer
) -> None:
    # Given a paused slow download
    write_payload(file_server.root / "movie.bin", SIZE, seed=9)
    file_server.rate = 64 * 1024
    gid = engine.add(DownloadRequest("http", file_server.url("movie.bin"), _job_dir(downloads_env)))
    wait_until(lambda: engine.status(gid).bytes_completed > 0, what="progress")
    engine.pause(gid)
    before = wait_for_state(engine, gid, "paused").bytes_completed
    # When a moment passes
    time.sleep(0.5)
    # Then no bytes arrived
    after = engine.status(gid)
    assert (after.state, after.bytes_completed, after.download_speed_bps) == ("paused", before, 0)
