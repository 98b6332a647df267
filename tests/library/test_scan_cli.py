"""`seen scan`: one library scan from the terminal, run as a real subprocess on a SQLite database."""

from __future__ import annotations

import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.library.conftest import Media

MOVIE = "Movies/Big Buck Bunny (2008)/Big Buck Bunny (2008).mkv"
EPISODE = "Shows/Sintel Chronicles/Season 01/Sintel Chronicles - S01E01.mp4"
BROKEN = "Movies/Broken (2001)/Broken (2001).mkv"
SEEN = Path(sys.executable).parent / "seen"


@pytest.fixture
def cli_env(tmp_path: Path) -> dict[str, str]:
    env = {name: value for name, value in os.environ.items() if not name.startswith("SEEN_")}
    env.update(SEEN_DATABASE_URL=f"sqlite:///{tmp_path / 'data' / 'cli.db'}", SEEN_DATA_DIR=str(tmp_path / "data"))
    return env


def _command(*args: str) -> list[str]:
    return [str(SEEN), *args] if SEEN.exists() else [sys.executable, "-m", "seen", *args]


@pytest.fixture
def seen(cli_env: dict[str, str], tmp_path: Path):
    """Run `seen ...` from a directory without a .env file; stdout and stderr are pipes (not terminals)."""

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            _command(*args),
            capture_output=True,
            text=True,
            env=cli_env,
            cwd=tmp_path,
            timeout=120,
            stdin=subprocess.DEVNULL,
        )

    return run


@pytest.fixture
def migrated(seen) -> None:
    result = seen("migrate")
    assert result.returncode == 0, result.stderr


@pytest.fixture
def library(tmp_path: Path, media: Media) -> Path:
    """A folder with a film, an episode, a corrupt video and a text file (not a video)."""
    root = tmp_path / "library"
    for source, target in ((media.mkv, MOVIE), (media.mp4, EPISODE)):
        (root / target).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, root / target)
    (root / BROKEN).parent.mkdir(parents=True)
    (root / BROKEN).write_bytes(os.urandom(4096))
    (root / "Movies/notes.txt").write_text("not a video")
    return root


def summary(stdout: str) -> dict[str, int]:
    """The counts of the summary: {"new": 3, "unchanged": 0, ..., "errors": 1}."""
    counts = {name: int(number) for number, name in re.findall(r"(\d+) ([a-z]+)(?=,|\n|$)", stdout)}
    counts["errors"] = int(re.search(r"errors: (\d+)", stdout).group(1))
    return counts


def database(tmp_path: Path) -> sqlite3.Connection:
    return sqlite3.connect(tmp_path / "data" / "cli.db")


def test_add_registers_the_folder_and_scans_it(seen, migrated, library, tmp_path):
    # When a new folder is scanned with --add
    result = seen("scan", str(library), "--add")
    # Then it is a library folder and its three videos are new; the corrupt one is an error
    assert result.returncode == 0, result.stderr
    assert f"added library folder {library}" in result.stdout
    assert f"{library}: completed, 3 video files" in result.stdout
    counts = summary(result.stdout)
    assert {name: counts[name] for name in ("new", "changed", "unchanged", "moved", "missing")} == {
        "new": 3,
        "changed": 0,
        "unchanged": 0,
        "moved": 0,
        "missing": 0,
    }
    assert counts["matched"] + counts["unmatched"] + counts["ignored"] == 3
    assert counts["errors"] >= 1
    assert f"{library / BROKEN}: " in result.stdout
    assert re.search(r"\(\d+(\.\d+)? files/s\)", result.stdout)
    with database(tmp_path) as connection:
        assert connection.execute("select path from library_roots").fetchall() == [(str(library),)]
        assert connection.execute("select count(*) from library_items").fetchone() == (3,)
        assert connection.execute("select status, files_done from library_scans").fetchall() == [("completed", 3)]
    # And stderr, not a terminal, got progress lines rather than a redrawn bar
    assert f"scanning {library}: 3/3 files (100%)" in result.stderr
    assert "\r" not in result.stderr
    assert "Traceback" not in result.stderr


def test_a_second_run_finds_everything_unchanged(seen, migrated, library):
    # Given a scanned folder
    assert seen("scan", str(library), "--add").returncode == 0
    # When it is scanned again (no --add needed: it is a library folder now)
    result = seen("scan", str(library))
    # Then nothing is new and no file was probed again
    assert result.returncode == 0, result.stderr
    counts = summary(result.stdout)
    assert (counts["new"], counts["changed"], counts["unchanged"], counts["missing"]) == (0, 0, 3, 0)
    assert counts["errors"] == 0
    assert "added library folder" not in result.stdout


def test_a_folder_inside_a_library_folder_scans_that_library_folder(seen, migrated, library):
    # Given a library folder from which a file was deleted
    assert seen("scan", str(library), "--add").returncode == 0
    (library / EPISODE).unlink()
    # When a folder inside it is named
    result = seen("scan", str(library / "Movies"))
    # Then the whole library folder is scanned, and says so
    assert result.returncode == 0, result.stderr
    assert f"inside the library folder {library}: scanning all of it" in result.stderr
    counts = summary(result.stdout)
    assert (counts["unchanged"], counts["missing"]) == (2, 1)


def test_all_scans_every_library_folder(seen, migrated, library):
    assert seen("scan", str(library), "--add").returncode == 0
    result = seen("scan", "--all")
    assert result.returncode == 0, result.stderr
    assert "every library folder: completed, 3 video files" in result.stdout


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["{tmp}/nowhere", "--add"], "{tmp}/nowhere does not exist."),
        (["{tmp}/library"], "{tmp}/library is not in a library folder: pass --add to add it as one."),
        (["{tmp}/data", "--add"], "{tmp}/data holds the app's data directory"),
    ],
)
def test_a_path_that_cannot_be_scanned_is_one_line_and_exit_2(seen, migrated, library, tmp_path, arguments, message):
    result = seen("scan", *[argument.format(tmp=tmp_path) for argument in arguments])
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1
    assert result.stderr.startswith("error: " + message.format(tmp=tmp_path))
    assert result.stdout == ""
    with database(tmp_path) as connection:
        assert connection.execute("select count(*) from library_roots").fetchone() == (0,)
        assert connection.execute("select count(*) from library_scans").fetchone() == (0,)


def test_without_a_path_or_all_it_is_a_usage_error(seen, migrated):
    result = seen("scan")
    assert result.returncode == 2
    assert "usage: seen scan" in result.stderr
    assert "or --all" in result.stderr


def test_an_unmigrated_database_is_refused(seen, library):
    result = seen("scan", str(library), "--add")
    assert result.returncode == 2
    assert result.stderr == "error: the database is not migrated: run `seen migrate` first\n"


def test_ctrl_c_stops_the_scan_and_marks_it_interrupted(seen, migrated, cli_env, tmp_path):
    # Given a folder with enough (unreadable) videos for the scan to take a while
    root = tmp_path / "big"
    root.mkdir()
    for number in range(300):
        (root / f"Film {number:03d} (2001).mkv").write_bytes(os.urandom(2048))
    process = subprocess.Popen(
        _command("scan", str(root), "--add", "--progress-every", "0"),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        text=True,
        env=cli_env,
        cwd=tmp_path,
    )
    try:
        # When Ctrl-C arrives once files are being handled
        deadline = time.monotonic() + 60
        assert process.stderr is not None
        for line in process.stderr:
            if re.search(r": [1-9]\d*/300 files", line):
                break
            assert time.monotonic() < deadline, "no progress line"
        process.send_signal(signal.SIGINT)
        stdout, stderr = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
    # Then it stops with 130 and a message, no traceback, and the scan is recorded as interrupted
    assert process.returncode == 130, stderr
    assert "interrupted: the scan of" in stderr
    assert "Traceback" not in stderr
    assert "completed" not in stdout
    with database(tmp_path) as connection:
        status, message, done = connection.execute("select status, message, files_done from library_scans").fetchone()
    assert (status, message) == ("failed", "interrupted")
    assert 0 < done < 300
