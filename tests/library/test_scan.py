"""Library folders and scans on SQLite and PostgreSQL, over real media files made by ffmpeg."""

from __future__ import annotations

import os
import shutil
import sys
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlmodel import Session, col, select

from seen.config import get_settings
from seen.library import probe as real_probe
from seen.models.downloads import DownloadFile, DownloadJob
from seen.models.library import LibraryItem, LibraryRoot, LibraryScan, LibraryStream
from seen.models.media import MediaItem, ShowEpisode, ShowSeason
from seen.models.users import Role, User
from seen.services import library_scan
from seen.services.errors import Conflict, Forbidden, InvalidInput, NotFound
from tests.library.conftest import Media
from tests.services.test_search import add_title

MOVIE = "Movies/Big Buck Bunny (2008)/Big Buck Bunny (2008).mkv"
EPISODE_1 = "Shows/Sintel Chronicles/Season 01/Sintel Chronicles - S01E01.mp4"
EPISODE_2 = "Shows/Sintel Chronicles/Season 01/Sintel Chronicles - S01E02.mkv"


# --- Helpers ----------------------------------------------------------------------------------------------


class ProbeCounter:
    """The real probe, counting the files it reads."""

    def __init__(self) -> None:
        self.paths: list[str] = []

    def __call__(self, path, **options):
        self.paths.append(str(path))
        return real_probe(path, **options)


@pytest.fixture
def probes(monkeypatch: pytest.MonkeyPatch) -> ProbeCounter:
    counter = ProbeCounter()
    monkeypatch.setattr(library_scan, "probe", counter)
    return counter


@pytest.fixture
def enqueued(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, dict]]:
    """Jobs the service queues, recorded instead of sent: the tests run scans themselves."""
    sent: list[tuple[str, dict]] = []
    monkeypatch.setattr(library_scan, "enqueue", lambda name, **kwargs: sent.append((name, kwargs)))
    return sent


@pytest.fixture
def admin(session: Session) -> User:
    user = User(email="admin@example.com", password_hash="x", role=Role.ADMIN)
    session.add(user)
    session.commit()
    return user


@pytest.fixture
def catalogue(session: Session) -> dict[str, MediaItem]:
    """A film and a show with season 1 (episodes 1 and 2) stored, as a details sync leaves them."""
    movie = add_title(session, "Big Buck Bunny", year=2008)
    show = add_title(session, "Sintel Chronicles", kind="show", year=2010)
    session.add(ShowSeason(media_id=show.id, number=1, title="Season 1", episode_count=2, episodes_synced_at=now()))
    for number in (1, 2):
        session.add(ShowEpisode(media_id=show.id, season_number=1, episode_number=number, title=f"E{number}"))
    session.commit()
    return {"movie": movie, "show": show}


@pytest.fixture
def library(tmp_path: Path, media: Media) -> Path:
    """A library folder: a film with a sidecar subtitle, two episodes, a sample, a corrupt and an empty file."""
    root = tmp_path / "library"
    place(media.mkv, root / MOVIE)
    (root / MOVIE).with_suffix(".en.srt").write_text(media.subtitle.read_text())
    place(media.mp4, root / EPISODE_1)
    place(media.hevc, root / EPISODE_2)
    place(media.mp4, root / "Movies/Big Buck Bunny (2008)/Big Buck Bunny (2008)-trailer.mp4")
    (root / "Movies/Broken (2001)").mkdir(parents=True)
    (root / "Movies/Broken (2001)/Broken (2001).mkv").write_bytes(os.urandom(4096))
    (root / "Movies/Empty (2002).mp4").write_bytes(b"")
    # Never media: hidden files, NAS thumbnails, other extensions
    (root / "Movies/.hidden.mkv").write_bytes(b"x")
    place(media.mp4, root / "Movies/@eaDir/Big Buck Bunny (2008).mkv")
    (root / "Movies/notes.txt").write_text("not a video")
    return root


def place(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(source, target)


def now() -> datetime:
    return datetime.now(UTC)


def scan_root(session: Session, admin: User, root: LibraryRoot, *, batch_size: int = 2) -> LibraryScan:
    scan = library_scan.request_scan(session, user=admin, scope="root", root_id=root.id)
    session.commit()
    finished = library_scan.run_scan(scan_id=scan.id, batch_size=batch_size)
    assert finished is not None
    session.expire_all()
    return finished


def items(session: Session) -> dict[str, LibraryItem]:
    return {item.relative_path: item for item in session.exec(select(LibraryItem))}


def counters(scan: LibraryScan) -> dict[str, int]:
    names = ("total", "done", "new", "changed", "unchanged", "moved", "missing", "skipped")
    return {name: getattr(scan, f"files_{name}") for name in names}


def add_root(session: Session, path: Path) -> LibraryRoot:
    root = library_scan.add_root(session=session, path=str(path), label="Library")
    session.commit()
    return root


# --- The first scan ---------------------------------------------------------------------------------------


def test_a_first_scan_indexes_probes_and_matches_every_video(
    session: Session, admin: User, catalogue: dict[str, MediaItem], library: Path, probes: ProbeCounter, enqueued
) -> None:
    # Given a library folder
    root = add_root(session, library)

    # When it is scanned
    scan = scan_root(session, admin, root)

    # Then the scan completed and its counters add up
    assert scan.status == "completed", scan.message
    assert counters(scan) == {
        "total": 6,
        "done": 6,
        "new": 6,
        "changed": 0,
        "unchanged": 0,
        "moved": 0,
        "missing": 0,
        "skipped": 0,
    }
    assert (scan.matched, scan.unmatched, scan.ignored) == (3, 2, 1)
    assert scan.errors == 2  # the corrupt and the empty file
    assert scan.files_per_second > 0 and scan.finished_at is not None
    assert len(probes.paths) == 6
    # And it was queued once, after the commit
    assert enqueued == [("library.scan", {"scan_id": str(scan.id)})]

    found = items(session)
    assert set(found) == {
        MOVIE,
        EPISODE_1,
        EPISODE_2,
        "Movies/Big Buck Bunny (2008)/Big Buck Bunny (2008)-trailer.mp4",
        "Movies/Broken (2001)/Broken (2001).mkv",
        "Movies/Empty (2002).mp4",
    }
    # And the film is matched, with its streams, the sidecar subtitle among them
    movie = found[MOVIE]
    assert (movie.match_state, movie.media_id, movie.root_id) == ("matched", catalogue["movie"].id, root.id)
    assert movie.match_confidence >= 0.8 and movie.candidates[0]["media_id"] == catalogue["movie"].id
    assert movie.absolute_path == str((library / MOVIE).resolve()) and movie.file_name == "Big Buck Bunny (2008).mkv"
    assert (movie.container_format, movie.video_codec, movie.audio_codec) == ("mkv", "h264", "aac")
    assert (movie.width, movie.height, movie.duration_seconds, movie.probe_error) == (320, 240, 2, "")
    assert movie.parsed["title"] == "Big Buck Bunny" and movie.parsed["year"] == 2008
    streams = session.exec(
        select(LibraryStream).where(LibraryStream.library_item_id == movie.id).order_by(LibraryStream.stream_index)
    ).all()
    assert [(s.stream_type, s.language, s.is_forced, s.external_path is not None) for s in streams] == [
        ("video", "", False, False),
        ("audio", "en", False, False),
        ("subtitle", "en", False, False),
        ("subtitle", "fr", True, False),
        ("subtitle", "en", False, True),
    ]
    # And the episodes carry their season and episode and match the show
    for path, number in ((EPISODE_1, 1), (EPISODE_2, 2)):
        episode = found[path]
        assert (episode.season_number, episode.episode_number, episode.episode_numbers) == (1, number, [number])
        assert (episode.match_state, episode.media_id) == ("matched", catalogue["show"].id)
    # And the trailer is ignored, the broken files are kept, unmatched, with their probe error
    assert found["Movies/Big Buck Bunny (2008)/Big Buck Bunny (2008)-trailer.mp4"].match_state == "ignored"
    assert found["Movies/Empty (2002).mp4"].probe_error == "empty file (0 bytes)"
    assert found["Movies/Broken (2001)/Broken (2001).mkv"].probe_error.startswith("not a media file")
    assert {sample["path"] for sample in scan.error_samples} == {
        found["Movies/Empty (2002).mp4"].absolute_path,
        found["Movies/Broken (2001)/Broken (2001).mkv"].absolute_path,
    }
    # And the root remembers the scan, and the matched titles are in the library
    assert session.get(LibraryRoot, root.id).last_scanned_at is not None
    wanted = {catalogue["movie"].id, catalogue["show"].id, 999_999}
    assert library_scan.in_library(session, wanted) == {catalogue["movie"].id, catalogue["show"].id}
    assert library_scan.in_library(session) == {catalogue["movie"].id, catalogue["show"].id}
    assert library_scan.in_library(session, []) == set()


# --- Rescans ----------------------------------------------------------------------------------------------


def test_a_rescan_with_nothing_changed_probes_nothing_and_changes_nothing(
    session: Session, admin: User, catalogue, library: Path, probes: ProbeCounter, enqueued
) -> None:
    root = add_root(session, library)
    scan_root(session, admin, root)
    before = {path: (item.id, item.updated_at, item.media_id) for path, item in items(session).items()}
    probes.paths.clear()

    scan = scan_root(session, admin, root)

    assert probes.paths == []
    assert (scan.files_total, scan.files_unchanged, scan.files_new, scan.files_changed) == (6, 6, 0, 0)
    assert (scan.matched, scan.unmatched, scan.errors) == (0, 0, 0)
    assert {path: (item.id, item.updated_at, item.media_id) for path, item in items(session).items()} == before


def test_a_changed_file_is_probed_again_and_its_streams_replaced(
    session: Session, admin: User, catalogue, library: Path, media: Media, probes: ProbeCounter, enqueued
) -> None:
    root = add_root(session, library)
    scan_root(session, admin, root)
    probes.paths.clear()
    # Given the film replaced by an HEVC file
    shutil.copy(media.hevc, library / MOVIE)

    scan = scan_root(session, admin, root)

    assert probes.paths == [str((library / MOVIE).resolve())]
    assert (scan.files_changed, scan.files_unchanged) == (1, 5)
    movie = items(session)[MOVIE]
    assert (movie.video_codec, movie.resolution_label, movie.media_id) == (
        media.hevc_codec,
        "720p",
        catalogue["movie"].id,
    )
    kinds = session.exec(select(LibraryStream.stream_type).where(LibraryStream.library_item_id == movie.id)).all()
    assert sorted(kinds) == ["subtitle", "video"]  # the sidecar stays, the old tracks are gone


def test_subtitle_files_added_or_removed_beside_an_unchanged_video_are_taken_in(
    session: Session, admin: User, catalogue, library: Path, media: Media, probes: ProbeCounter, enqueued
) -> None:
    root = add_root(session, library)
    scan_root(session, admin, root)
    probes.paths.clear()

    def sidecars() -> list[tuple[str, str]]:
        movie = items(session)[MOVIE]
        rows = session.exec(
            select(LibraryStream.language, LibraryStream.external_path).where(
                LibraryStream.library_item_id == movie.id, col(LibraryStream.external_path).is_not(None)
            )
        ).all()
        return sorted((language, Path(path).name) for language, path in rows)

    assert sidecars() == [("en", "Big Buck Bunny (2008).en.srt")]
    # Given a French subtitle file added and the English one removed, the film itself untouched
    (library / MOVIE).with_suffix(".fr.forced.srt").write_text(media.subtitle.read_text())
    (library / MOVIE).with_suffix(".en.srt").unlink()
    before = items(session)[MOVIE]
    kept = (before.id, before.media_id, before.video_codec)

    scan = scan_root(session, admin, root)

    # Then the film is not probed again, and its subtitle files are the ones now there
    assert probes.paths == []
    assert (scan.files_unchanged, scan.files_changed) == (6, 0)
    assert sidecars() == [("fr", "Big Buck Bunny (2008).fr.forced.srt")]
    after = items(session)[MOVIE]
    assert (after.id, after.media_id, after.video_codec) == kept
    embedded = session.exec(
        select(LibraryStream.stream_type).where(
            LibraryStream.library_item_id == after.id, col(LibraryStream.external_path).is_(None)
        )
    ).all()
    assert sorted(embedded) == ["audio", "subtitle", "subtitle", "video"]  # the tracks inside the file stay


def test_a_deleted_file_is_marked_missing_and_comes_back(
    session: Session, admin: User, catalogue, library: Path, media: Media, probes: ProbeCounter, enqueued
) -> None:
    root = add_root(session, library)
    scan_root(session, admin, root)
    movie_id = items(session)[MOVIE].id
    kept = library.parent / "kept.mkv"
    shutil.move(library / MOVIE, kept)

    # When the film is gone
    scan = scan_root(session, admin, root)

    # Then its item stays, marked missing, and the title is no longer in the library
    assert (scan.files_total, scan.files_missing) == (5, 1)
    movie = session.get(LibraryItem, movie_id)
    assert movie.missing_since is not None and movie.media_id == catalogue["movie"].id
    assert library_scan.in_library(session, [catalogue["movie"].id]) == set()

    # When it is back (same file, same time)
    shutil.move(kept, library / MOVIE)
    probes.paths.clear()
    scan = scan_root(session, admin, root)

    # Then the same item is present again, unprobed
    movie = session.get(LibraryItem, movie_id)
    assert (movie.missing_since, scan.files_missing, scan.files_unchanged, probes.paths) == (None, 0, 6, [])
    assert library_scan.in_library(session, [catalogue["movie"].id]) == {catalogue["movie"].id}


def test_a_renamed_file_keeps_its_item_and_its_match(
    session: Session, admin: User, catalogue, library: Path, probes: ProbeCounter, enqueued
) -> None:
    root = add_root(session, library)
    scan_root(session, admin, root)
    before = items(session)[EPISODE_1]
    probes.paths.clear()
    # Given the episode moved to another folder under another name
    target = library / "Shows/Sintel Chronicles/S1/Sintel.Chronicles.S01E01.720p.mp4"
    target.parent.mkdir(parents=True)
    (library / EPISODE_1).rename(target)

    scan = scan_root(session, admin, root)

    after = session.get(LibraryItem, before.id)
    assert (scan.files_moved, scan.files_new, scan.files_missing, probes.paths) == (1, 0, 0, [])
    assert after.absolute_path == str(target.resolve())
    assert after.relative_path == "Shows/Sintel Chronicles/S1/Sintel.Chronicles.S01E01.720p.mp4"
    assert (after.media_id, after.match_state, after.episode_number) == (catalogue["show"].id, "matched", 1)
    assert len(items(session)) == 6


def test_a_manually_matched_file_is_never_rematched(
    session: Session, admin: User, catalogue, library: Path, media: Media, enqueued
) -> None:
    root = add_root(session, library)
    scan_root(session, admin, root)
    other = add_title(session, "Elephants Dream", year=2006)
    movie = items(session)[MOVIE]
    movie.media_id, movie.matched_manually, movie.match_confidence = other.id, True, 1.0
    session.add(movie)
    session.commit()
    shutil.copy(media.hevc, library / MOVIE)

    scan = scan_root(session, admin, root)

    movie = items(session)[MOVIE]
    assert (scan.files_changed, movie.media_id, movie.match_state, movie.video_codec) == (
        1,
        other.id,
        "matched",
        media.hevc_codec,
    )


# --- Odd entries ------------------------------------------------------------------------------------------


def test_symlinks_are_followed_only_inside_the_root(
    session: Session, admin: User, catalogue, library: Path, media: Media, tmp_path: Path, enqueued
) -> None:
    # Given a video outside the root linked from inside, a link to a file in the root, and a folder loop
    outside = tmp_path / "outside"
    place(media.mp4, outside / "Secret (1999).mp4")
    (library / "Movies/Secret (1999).mp4").symlink_to(outside / "Secret (1999).mp4")
    (library / "Movies/escape").symlink_to(outside, target_is_directory=True)
    (library / "Movies/Again.mkv").symlink_to(library / MOVIE)
    (library / "Movies/loop").symlink_to(library / "Movies", target_is_directory=True)
    (library / "Movies/broken.mkv").symlink_to(tmp_path / "nowhere.mkv")
    root = add_root(session, library)

    scan = scan_root(session, admin, root)

    # Then nothing outside the root is indexed, the in-root link is the same file, and the loop ends
    assert scan.status == "completed"
    assert scan.files_total == 6
    assert scan.files_skipped == 3  # two links leading out, one broken
    assert all(item.absolute_path.startswith(str(library.resolve())) for item in items(session).values())


@pytest.mark.skipif(sys.platform != "linux", reason="needs a filesystem taking any bytes in names")
def test_names_in_any_script_are_indexed_and_undecodable_ones_skipped(
    session: Session, admin: User, catalogue, library: Path, media: Media, enqueued
) -> None:
    place(media.mp4, library / "Films/千と千尋の神隠し (2001)/千と千尋の神隠し (2001).mp4")
    place(media.mp4, library / "Films/Амели (2001).mp4")
    undecodable = os.fsencode(str(library / "Films")) + b"/Caf\xe9 (1999).mp4"
    shutil.copy(media.mp4, undecodable)
    root = add_root(session, library)

    scan = scan_root(session, admin, root)

    assert (scan.status, scan.files_total, scan.files_skipped) == ("completed", 8, 1)
    assert "Films/千と千尋の神隠し (2001)/千と千尋の神隠し (2001).mp4" in items(session)


def test_a_folder_the_app_cannot_read_is_counted_and_the_scan_goes_on(
    session: Session, admin: User, catalogue, library: Path, monkeypatch: pytest.MonkeyPatch, enqueued
) -> None:
    # Given a folder listing refused (chmod does not stop root, so the refusal is simulated)
    locked = str((library / "Movies/Broken (2001)").resolve())
    real_scandir = os.scandir

    def scandir(path):
        if str(path) == locked:
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)

    scan = scan_root(session, admin, add_root(session, library))

    assert (scan.status, scan.files_total, scan.errors) == ("completed", 5, 2)  # + the empty file
    assert {"path": locked, "error": "cannot list folder: Permission denied"} in scan.error_samples


def test_a_file_vanishing_mid_scan_is_skipped_and_the_counters_still_add_up(
    session: Session, admin: User, catalogue, library: Path, monkeypatch: pytest.MonkeyPatch, enqueued
) -> None:
    doomed = str((library / EPISODE_2).resolve())

    def probe_after_delete(path, **options):
        if str(path) == doomed:
            os.remove(path)
        return real_probe(path, **options)

    monkeypatch.setattr(library_scan, "probe", probe_after_delete)

    scan = scan_root(session, admin, add_root(session, library))

    assert (scan.status, scan.files_total, scan.files_done, scan.files_new, scan.files_skipped) == (
        "completed",
        6,
        6,
        5,
        1,
    )
    assert EPISODE_2 not in items(session)


def test_the_scan_actor_is_declared() -> None:
    import dramatiq

    import workers.tasks  # noqa: F401

    actor = dramatiq.get_broker().get_actor("library.scan")
    assert (actor.queue_name, actor.options["max_retries"]) == ("library", 0)


# --- Roots ------------------------------------------------------------------------------------------------


def test_library_folders_are_checked(session: Session, tmp_path: Path, library: Path, enqueued) -> None:
    # Given one library folder
    add_root(session, library / "Movies")
    (tmp_path / "file.txt").write_text("x")
    data_dir = get_settings().data_dir
    data_dir.mkdir(parents=True, exist_ok=True)
    refused = {
        "": "Give the folder's path.",
        "relative/path": "relative/path is not an absolute path (it must start with /).",
        str(tmp_path / "nope"): f"{tmp_path / 'nope'} does not exist.",
        str(tmp_path / "file.txt"): f"{tmp_path / 'file.txt'} is not a folder.",
        "/": "The whole filesystem (/) cannot be a library folder.",
        str(data_dir): f"{data_dir} holds the app's data directory ({data_dir.resolve()}).",
        str(tmp_path): f"{tmp_path} holds the app's data directory ({data_dir.resolve()}).",
        str(library / "Movies"): f"{library / 'Movies'} is already a library folder.",
        str(library / "Movies/Broken (2001)"): (
            f"{library / 'Movies/Broken (2001)'} is inside the library folder {(library / 'Movies').resolve()}."
        ),
        str(library): f"{library} contains the library folder {(library / 'Movies').resolve()}.",
    }
    for path, message in refused.items():
        with pytest.raises(InvalidInput) as caught:
            library_scan.add_root(session=session, path=path)
        assert caught.value.message == message, path
    # And a sibling folder is fine, under its resolved path and with a label from its name
    shows = library_scan.add_root(session=session, path=str(library / "Shows/../Shows"), kind="shows")
    assert (shows.path, shows.label, shows.kind) == (str((library / "Shows").resolve()), "Shows", "shows")
    with pytest.raises(InvalidInput):
        library_scan.add_root(session=session, path=str(library / "Movies/Broken (2001)"), kind="games")


def test_configured_roots_are_listed_and_removed_only_from_the_setting(
    session: Session, settings_env, library: Path, tmp_path: Path
) -> None:
    settings_env(LIBRARY_ROOTS=f'["{library / "Movies"}", "relative", "{tmp_path / "missing"}"]')
    added = library_scan.add_root(session=session, path=str(library / "Shows"))

    roots = library_scan.list_roots(session=session)
    session.commit()

    assert [(root.path, root.configured) for root in roots] == [
        (str((library / "Movies").resolve()), True),
        (str((library / "Shows").resolve()), False),
    ]
    with pytest.raises(Conflict, match="SEEN_LIBRARY_ROOTS"):
        library_scan.remove_root(session=session, root_id=roots[0].id)
    library_scan.remove_root(session=session, root_id=added.id)
    with pytest.raises(NotFound):
        library_scan.remove_root(session=session, root_id=added.id)


def test_removing_a_root_removes_its_items(session: Session, admin: User, catalogue, library: Path, enqueued) -> None:
    root = add_root(session, library)
    scan_root(session, admin, root)

    library_scan.remove_root(session=session, root_id=root.id)
    session.commit()

    assert items(session) == {}
    assert library.joinpath(MOVIE).exists()


# --- Requests and scopes ----------------------------------------------------------------------------------


def test_scan_requests_are_checked_deduplicated_and_run_once(
    session: Session, admin: User, library: Path, enqueued
) -> None:
    root = add_root(session, library)
    user = User(email="user@example.com", password_hash="x")
    session.add(user)
    session.commit()

    with pytest.raises(Forbidden):
        library_scan.request_scan(session, user=user, scope="root", root_id=root.id)
    with pytest.raises(NotFound):
        library_scan.request_scan(session, user=admin, scope="root", root_id=uuid.uuid4())
    with pytest.raises(InvalidInput):
        library_scan.request_scan(session, user=admin, scope="everything")

    first = library_scan.request_scan(session, user=admin, scope="all")
    again = library_scan.request_scan(session, user=None, scope="all")
    session.commit()

    # Then the second request is the first scan, sent again in case a message was lost
    assert again.id == first.id
    assert enqueued == [("library.scan", {"scan_id": str(first.id)})] * 2
    assert library_scan.run_scan(scan_id=first.id) is not None
    # A second delivery of the same message finds the scan done and leaves it alone
    assert library_scan.run_scan(scan_id=first.id) is None
    session.expire_all()
    assert session.get(LibraryScan, first.id).status == "completed"


def test_a_scan_whose_worker_died_gives_way_to_a_new_one(
    session: Session, admin: User, library: Path, enqueued
) -> None:
    root = add_root(session, library)
    long_ago = datetime(2020, 1, 1, tzinfo=UTC)
    dead = LibraryScan(scope="root", root_id=root.id, status="running", started_at=long_ago, updated_at=long_ago)
    session.add(dead)
    session.commit()

    scan = scan_root(session, admin, root)

    assert scan.id != dead.id and scan.status == "completed"
    assert session.get(LibraryScan, dead.id).status == "failed"


def test_a_root_being_scanned_is_not_scanned_twice(session: Session, admin: User, library: Path, enqueued) -> None:
    root = add_root(session, library)
    session.add(LibraryScan(scope="all", status="running", started_at=now()))
    session.commit()

    scan = scan_root(session, admin, root)

    assert (scan.status, scan.message) == ("failed", f"{library.resolve()} is being scanned by another scan.")


def test_a_download_scan_reads_only_that_downloads_files(
    session: Session, admin: User, catalogue, media: Media, enqueued
) -> None:
    # Given two finished downloads in the downloads folder
    downloads = get_settings().resolved_downloads_dir
    jobs = []
    for number, name in enumerate(("Big Buck Bunny (2008)", "Other Film (2011)")):
        job = DownloadJob(
            user_id=admin.id,
            source_type="http",
            source=f"http://example.com/{number}.mkv",
            title=name,
            status="completed",
            progress_percent=100,
            directory=f"{name} (job{number})",
        )
        session.add(job)
        session.flush()
        relative = f"{job.directory}/{name}.mkv"
        place(media.mkv, downloads / relative)
        session.add(DownloadFile(job_id=job.id, path=relative, size_bytes=1))
        session.add(DownloadFile(job_id=job.id, path=f"{job.directory}/readme.txt", size_bytes=1))
        jobs.append(job)
    # A job without recorded files: its folder is read
    bare = DownloadJob(
        user_id=admin.id, source_type="http", source="http://x/y", status="completed", directory="Bare (job2)"
    )
    session.add(bare)
    place(media.mp4, downloads / "Bare (job2)/Sintel Chronicles - S01E02.mp4")
    running = DownloadJob(user_id=admin.id, source_type="http", source="http://x/z", status="downloading")
    session.add(running)
    session.commit()

    with pytest.raises(InvalidInput, match="finished"):
        library_scan.request_scan(session, user=admin, scope="download", download_job_id=running.id)
    scan = library_scan.request_scan(session, user=admin, scope="download", download_job_id=jobs[0].id)
    bare_scan = library_scan.request_scan(session, user=None, scope="download", download_job_id=bare.id)
    session.commit()
    library_scan.run_scan(scan_id=scan.id)
    library_scan.run_scan(scan_id=bare_scan.id)
    session.expire_all()

    found = {item.relative_path: item for item in session.exec(select(LibraryItem))}
    assert set(found) == {
        "Big Buck Bunny (2008) (job0)/Big Buck Bunny (2008).mkv",
        "Bare (job2)/Sintel Chronicles - S01E02.mp4",
    }
    movie = found["Big Buck Bunny (2008) (job0)/Big Buck Bunny (2008).mkv"]
    assert (movie.source_job_id, movie.root_id, movie.media_id) == (jobs[0].id, None, catalogue["movie"].id)
    episode = found["Bare (job2)/Sintel Chronicles - S01E02.mp4"]
    assert (episode.source_job_id, episode.episode_number, episode.media_id) == (bare.id, 2, catalogue["show"].id)
    assert session.get(LibraryScan, scan.id).files_total == 1


def test_progress_is_committed_as_the_scan_goes(
    session: Session, admin: User, catalogue, library: Path, monkeypatch: pytest.MonkeyPatch, enqueued
) -> None:
    root = add_root(session, library)
    seen_done: list[tuple[int, int]] = []
    original = library_scan._ScanRun._commit_progress

    def watching(run) -> None:
        original(run)
        seen_done.append((run.scan.files_done, run.scan.files_total))

    monkeypatch.setattr(library_scan._ScanRun, "_commit_progress", watching)

    scan_root(session, admin, root, batch_size=2)

    # After the walk (0 of 6), then every 2 files
    assert seen_done == [(0, 6), (2, 6), (4, 6), (6, 6)]
