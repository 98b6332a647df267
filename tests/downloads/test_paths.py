"""Names and paths on disk: every name from a stranger becomes one harmless component, and nothing leaves the root."""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import pytest

from seen.config import reset_settings
from seen.downloads.paths import (
    MAX_NAME_BYTES,
    PathEscape,
    downloads_root,
    file_name_from_url,
    inside,
    job_directory_name,
    safe_name,
)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Big Buck Bunny.mkv", "Big Buck Bunny.mkv"),
        ("../../etc/passwd", "_.._etc_passwd"),
        ("..\\..\\windows\\win.ini", "_.._windows_win.ini"),
        ("/etc/shadow", "_etc_shadow"),
        ("..", "download"),
        (".", "download"),
        ("", "download"),
        ("   ", "download"),
        (".hidden", "hidden"),
        ("nul\x00byte\x07.txt", "nulbyte.txt"),
        ("line\nbreak\ttab", "line break tab"),
        ("harmless\u202egpj.exe", "harmlessgpj.exe"),
        ("CON", "_CON"),
        ("con.txt", "_con.txt"),
        ("LPT1.iso", "_LPT1.iso"),
        ("CONTROL.txt", "CONTROL.txt"),
        ("trailing dots...", "trailing dots"),
        ("Amélie (2001) 日本語 🎬.mkv", "Amélie (2001) 日本語 🎬.mkv"),
    ],
)
def test_safe_name_keeps_one_harmless_component(name: str, expected: str) -> None:
    # Given a name from a magnet, torrent or server
    # When it is made safe
    # Then separators, control and invisible characters, dots and reserved names are defused
    assert safe_name(name) == expected


def test_safe_name_uses_the_fallback_and_normalises_unicode() -> None:
    # Given a name with nothing usable, and one in decomposed Unicode
    # When each is made safe
    # Then the fallback is used, and the decomposed form becomes the composed one
    assert safe_name("...", fallback="file") == "file"
    assert safe_name("Ame\u0301lie") == "Amélie"


def test_long_names_are_cut_on_a_character_boundary_keeping_the_extension() -> None:
    # Given names far longer than a filesystem takes, in ASCII and in multi-byte UTF-8
    ascii_name = "a" * 400 + ".mkv"
    wide_name = "日本" * 200 + ".srt"
    # When they are made safe
    short_ascii, short_wide = safe_name(ascii_name), safe_name(wide_name)
    # Then each fits the limit, is valid UTF-8 and keeps its extension
    assert len(short_ascii.encode()) == MAX_NAME_BYTES
    assert short_ascii.endswith("a.mkv")
    assert len(short_wide.encode()) <= MAX_NAME_BYTES
    assert short_wide.endswith("本.srt") or short_wide.endswith("日.srt")
    # And a long "extension" that is really part of the name is not kept whole
    assert len(safe_name("x" * 300 + ". and then a very long sentence").encode()) <= MAX_NAME_BYTES


def test_job_directories_carry_the_title_and_a_short_id() -> None:
    # Given a job id
    job_id = uuid.UUID("1a2b3c4d-0000-4000-8000-000000000000")
    # When folders are named for a title, for no title, and for a hostile or very long title
    # Then each is one component with the id's first 8 hex digits, within the length limit
    assert job_directory_name(job_id, "Big Buck Bunny") == "Big Buck Bunny (1a2b3c4d)"
    assert job_directory_name(job_id, "") == "1a2b3c4d"
    assert job_directory_name(job_id, "../..") == "_ (1a2b3c4d)"
    long_name = job_directory_name(job_id, "é" * 500)
    assert long_name.endswith(" (1a2b3c4d)")
    assert len(long_name.encode()) <= MAX_NAME_BYTES


def test_inside_resolves_paths_within_the_root(tmp_path: Path) -> None:
    # Given a root with a folder in it
    (tmp_path / "job").mkdir()
    # When relative and absolute paths within it are checked
    # Then the resolved absolute path comes back
    assert inside(tmp_path, "job/file.mkv") == (tmp_path / "job" / "file.mkv").resolve()
    assert inside(tmp_path, tmp_path / "job") == (tmp_path / "job").resolve()
    assert inside(tmp_path, "job/../job/x") == (tmp_path / "job" / "x").resolve()


@pytest.mark.parametrize("candidate", ["..", "../other", "job/../../x", "/etc/passwd"])
def test_inside_refuses_paths_that_leave_the_root(tmp_path: Path, candidate: str) -> None:
    # Given a root and a path that climbs out of it or points elsewhere
    root = tmp_path / "root"
    root.mkdir()
    # When it is checked
    # Then PathEscape (a 422 InvalidInput) is raised with a message
    with pytest.raises(PathEscape, match="outside the downloads folder") as raised:
        inside(root, candidate)
    assert raised.value.status == 422


def test_inside_follows_symlinks_that_escape(tmp_path: Path) -> None:
    # Given a root holding a symlink to a folder outside it, and one to a folder inside it
    root = tmp_path / "root"
    (root / "job").mkdir(parents=True)
    (tmp_path / "secret").mkdir()
    (root / "job" / "escape").symlink_to(tmp_path / "secret")
    (root / "alias").symlink_to(root / "job")
    # When paths through them are checked
    # Then the escaping link is refused and the internal one accepted
    with pytest.raises(PathEscape):
        inside(root, "job/escape/data.bin")
    assert inside(root, "alias/file") == (root / "job" / "file").resolve()


def test_downloads_root_is_created(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Given settings pointing downloads at a folder that does not exist yet
    target = tmp_path / "deep" / "downloads"
    monkeypatch.setenv("SEEN_DOWNLOADS_DIR", str(target))
    reset_settings()
    try:
        # When the root is asked for
        root = downloads_root()
    finally:
        reset_settings()
    # Then it exists, readable by others (an NFS/SMB share or media server reads it)
    assert root == target.resolve()
    assert root.is_dir()
    assert os.stat(root).st_mode & 0o755 == 0o755


@pytest.mark.parametrize(
    ("url", "disposition", "expected"),
    [
        ("http://example.com/files/Big%20Buck%20Bunny.mkv?token=1#x", None, "Big Buck Bunny.mkv"),
        ("http://example.com/", None, "example.com"),
        ("http://example.com/dir/", None, "dir"),
        ("http://example.com/..%2F..%2Fetc%2Fpasswd", None, "passwd"),
        ("http://example.com/get?id=1", 'attachment; filename="movie.mkv"', "movie.mkv"),
        ("http://example.com/get", "attachment; filename*=UTF-8''%E2%82%AC%20rates.txt", "€ rates.txt"),
        ("http://example.com/get", 'attachment; filename="../../.bashrc"', "bashrc"),
        ("http://example.com/get", 'attachment; filename="C:\\Windows\\evil.exe"', "evil.exe"),
        ("http://example.com/a.iso", "attachment", "a.iso"),
        ("http://example.com/a.iso", "attachment; filename*=bogus''%ZZ", "%ZZ"),
        ("http://example.com/%00.txt", None, "txt"),
    ],
)
def test_file_names_come_from_the_server_or_the_url_sanitised(url: str, disposition: str | None, expected: str) -> None:
    # Given a URL and maybe a Content-Disposition header
    # When the file name is chosen
    # Then it is the server's suggestion or the URL's last segment, as one harmless component
    assert file_name_from_url(url, disposition) == expected
