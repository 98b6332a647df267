"""Streaming library files and their subtitles over real HTTP, on SQLite and PostgreSQL.

The media are real (made by ffmpeg once per session) and indexed by the real scanner: an MP4 (h264/aac) with a
mov_text subtitle, and an MKV with a German srt track beside sidecar files (`.en.srt`, `.fr.ass`, a picture
`.es.sup`, a `.it.vtt` that is not WebVTT and a `.pt.srt` that is not text at all).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from sqlmodel import Session, select

from seen.config import get_settings
from seen.models.library import LibraryItem, LibraryRoot, LibraryStream
from seen.services import library_scan, library_stream
from tests.api.test_auth_api import assert_error, bearer, browser_login, cookie_header, register, session_cookie
from tests.conftest import skip_or_fail

MP4 = "Movies/Sample Movie (2010)/Sample Movie (2010).mp4"
MKV = "Movies/Other Film (2011)/Other Film (2011).mkv"
MP4_CUE = "Hello from the MP4"
MKV_CUE = "Hallo aus dem MKV"
SRT_CUE = "Hello from the sidecar"
ASS_CUE = "Bonjour depuis ASS"


def srt(text: str) -> str:
    return f"1\n00:00:00,000 --> 00:00:01,500\n{text}\n"


def ass(text: str) -> str:
    return (
        "[Script Info]\nScriptType: v4.00+\n\n[V4+ Styles]\n"
        "Format: Name, Fontname, Fontsize, PrimaryColour, SecondaryColour, OutlineColour, BackColour, Bold, Italic, "
        "Underline, StrikeOut, ScaleX, ScaleY, Spacing, Angle, BorderStyle, Outline, Shadow, Alignment, MarginL, "
        "MarginR, MarginV, Encoding\n"
        "Style: Default,Arial,20,&H00FFFFFF,&H000000FF,&H00000000,&H00000000,0,0,0,0,100,100,0,0,1,1,0,2,10,10,10,1\n"
        "\n[Events]\nFormat: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text\n"
        f"Dialogue: 0,0:00:00.00,0:00:01.50,Default,,0,0,0,,{text}\n"
    )


@dataclass(frozen=True)
class Sources:
    mp4: Path
    mkv: Path


def _ffmpeg(*arguments: str) -> None:
    subprocess.run(["ffmpeg", "-y", "-hide_banner", "-loglevel", "error", *arguments], check=True, timeout=120)


@pytest.fixture(scope="session")
def sources(tmp_path_factory: pytest.TempPathFactory) -> Sources:
    """Two small videos with an embedded text subtitle each (2 seconds, a few tens of KB)."""
    if shutil.which("ffmpeg") is None:
        skip_or_fail("ffmpeg is not installed")
    folder = tmp_path_factory.mktemp("stream-media")
    video = ["-f", "lavfi", "-i", "testsrc=size=320x240:rate=10:duration=2"]
    audio = ["-f", "lavfi", "-i", "sine=frequency=440:duration=2"]
    h264 = ["-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "aac"]
    (folder / "mp4.srt").write_text(srt(MP4_CUE))
    (folder / "mkv.srt").write_text(srt(MKV_CUE))
    mp4 = folder / "sample.mp4"
    _ffmpeg(
        *video, *audio, "-i", str(folder / "mp4.srt"), "-map", "0", "-map", "1", "-map", "2", *h264,
        "-c:s", "mov_text", "-metadata:s:s:0", "language=eng", "-movflags", "+faststart", str(mp4),
    )  # fmt: skip
    mkv = folder / "sample.mkv"
    _ffmpeg(
        *video, *audio, "-i", str(folder / "mkv.srt"), "-map", "0", "-map", "1", "-map", "2", *h264,
        "-c:s", "srt", "-metadata:s:s:0", "language=ger", "-metadata:s:s:0", "title=Deutsch", str(mkv),
    )  # fmt: skip
    return Sources(mp4=mp4, mkv=mkv)


@dataclass(frozen=True)
class Library:
    folder: Path
    outside: Path
    items: dict[str, uuid.UUID]  # relative path → item id

    def path(self, relative: str) -> Path:
        return self.folder / relative


@pytest.fixture
def library(backend, tmp_path: Path, sources: Sources, monkeypatch: pytest.MonkeyPatch) -> Library:
    """A library folder indexed by a real scan, and a folder outside it."""
    folder = tmp_path / "library"
    for source, relative in ((sources.mp4, MP4), (sources.mkv, MKV)):
        (folder / relative).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, folder / relative)
    film = folder / MKV
    film.with_suffix(".en.srt").write_text(srt(SRT_CUE))
    film.with_suffix(".fr.ass").write_text(ass(ASS_CUE))
    film.with_suffix(".es.sup").write_bytes(b"PG" + os.urandom(200))
    film.with_suffix(".it.vtt").write_text(srt("Not WebVTT at all"))
    film.with_suffix(".pt.srt").write_bytes(os.urandom(3000))
    outside = tmp_path / "outside"
    outside.mkdir()
    shutil.copyfile(sources.mp4, outside / "secret.mp4")

    monkeypatch.setattr(library_scan, "enqueue", lambda *_args, **_kwargs: None)
    with Session(_engine(), expire_on_commit=False) as session:
        root = library_scan.add_root(session=session, path=str(folder), label="Library")
        scan = library_scan.request_scan(session, user=None, scope="root", root_id=root.id)
        session.commit()
    finished = library_scan.run_scan(scan_id=scan.id)
    assert finished is not None and finished.status == "completed", finished
    with Session(_engine()) as session:
        items = {item.relative_path: item.id for item in session.exec(select(LibraryItem))}
    assert set(items) == {MP4, MKV}
    return Library(folder=folder, outside=outside, items=items)


def _engine():
    from seen.db import get_engine

    return get_engine()


@pytest.fixture
def viewer(client: httpx.Client) -> dict[str, str]:
    """An ordinary member of the household (the admin registered first)."""
    register(client, "ada@example.com")
    return bearer(register(client, "bob@example.com"))


def stream_url(item_id: uuid.UUID | str) -> str:
    return f"/api/v1/stream/{item_id}"


def subtitles(client: httpx.Client, headers: dict[str, str], item_id: uuid.UUID) -> dict[str, dict]:
    """The item's subtitle tracks by a short name: the sidecar's extension tags, or "embedded"."""
    response = client.get(f"/api/v1/library/{item_id}/subtitles", headers=headers)
    assert response.status_code == 200, response.text
    return {_track_name(track): track for track in response.json()}


def _track_name(track: dict) -> str:
    return f"{track['language']}.{track['format']}" if track["external"] else "embedded"


def add_item(path: Path, *, in_root: bool = True, **fields) -> uuid.UUID:
    """An item row written directly, as an older scan (or a tampered database) could have left it."""
    with Session(_engine()) as session:
        root_id = session.exec(select(LibraryRoot.id)).one() if in_root else None
        item = LibraryItem(root_id=root_id, absolute_path=str(path), file_name=path.name, **fields)
        session.add(item)
        session.commit()
        return item.id


# --- The video ----------------------------------------------------------------------------------------------


def test_the_whole_file_comes_with_its_type_length_and_validators(client, viewer, library: Library) -> None:
    for relative, media_type in ((MP4, "video/mp4"), (MKV, "video/x-matroska")):
        # When a member asks for a file without a Range
        response = client.get(stream_url(library.items[relative]), headers=viewer)
        # Then it is all there, typed after its container, rangeable and revalidatable
        content = library.path(relative).read_bytes()
        assert response.status_code == 200
        assert response.content == content
        assert response.headers["content-type"] == media_type
        assert response.headers["content-length"] == str(len(content))
        assert response.headers["accept-ranges"] == "bytes"
        assert response.headers["etag"] and response.headers["last-modified"]
        assert response.headers["cache-control"] == "private"
        assert response.headers["content-disposition"].startswith("inline;")


def test_ranges_answer_206_with_exact_bytes_and_416_past_the_end(client, viewer, library: Library) -> None:
    item = library.items[MKV]
    content = library.path(MKV).read_bytes()
    size = len(content)

    def ranged(value: str) -> httpx.Response:
        return client.get(stream_url(item), headers={**viewer, "Range": value})

    # A closed range, an open-ended one and a suffix
    for header, start, end in (
        ("bytes=100-1099", 100, 1099),
        (f"bytes={size - 700}-", size - 700, size - 1),
        ("bytes=-500", size - 500, size - 1),
        (f"bytes=0-{size + 5000}", 0, size - 1),  # an end past the file is cut to it
    ):
        response = ranged(header)
        assert response.status_code == 206, (header, response.text)
        assert response.content == content[start : end + 1], header
        assert response.headers["content-range"] == f"bytes {start}-{end}/{size}"
        assert response.headers["content-length"] == str(end - start + 1)
        assert response.headers["content-type"] == "video/x-matroska"
    # A range starting at or past the end cannot be satisfied
    for header in (f"bytes={size}-", f"bytes={size + 10}-{size + 20}"):
        refused = ranged(header)
        assert refused.status_code == 416, header
        assert refused.headers["content-range"] == f"bytes */{size}"
    # If-Range with the current ETag keeps the range; with an old one the whole file comes back
    etag = client.head(stream_url(item), headers=viewer).headers["etag"]
    assert client.get(stream_url(item), headers={**viewer, "Range": "bytes=0-9", "If-Range": etag}).status_code == 206
    stale = client.get(stream_url(item), headers={**viewer, "Range": "bytes=0-9", "If-Range": '"old"'})
    assert stale.status_code == 200 and stale.content == content


def test_head_answers_the_headers_without_the_body(client, viewer, library: Library) -> None:
    item = library.items[MP4]
    size = library.path(MP4).stat().st_size
    whole = client.head(stream_url(item), headers=viewer)
    assert whole.status_code == 200 and whole.content == b""
    assert whole.headers["content-length"] == str(size) and whole.headers["content-type"] == "video/mp4"
    part = client.head(stream_url(item), headers={**viewer, "Range": "bytes=10-19"})
    assert part.status_code == 206 and part.content == b""
    assert part.headers["content-range"] == f"bytes 10-19/{size}"


def test_a_signed_in_browser_plays_with_its_cookie_and_nobody_else_plays(client, viewer, library: Library) -> None:
    item = library.items[MP4]
    # Without a session: 401
    assert_error(client.get(stream_url(item)), 401, "not_authenticated")
    assert_error(client.get(stream_url(item), headers={"Authorization": "Bearer nonsense"}), 401, "invalid_token")
    assert_error(client.get(f"/api/v1/library/{item}/subtitles"), 401, "not_authenticated")
    # With the browser's session cookie (and no CSRF token: a <video> cannot send one), it plays
    cookie = cookie_header(session_cookie(browser_login(client, "bob@example.com")))
    response = client.get(stream_url(item), headers={**cookie, "Range": "bytes=0-99"})
    assert response.status_code == 206 and response.content == library.path(MP4).read_bytes()[:100]
    tracks = subtitles(client, cookie, item)
    assert client.get(tracks["embedded"]["url"], headers=cookie).status_code == 200
    # A cookie of an ended session does not
    assert_error(client.get(stream_url(item), headers=cookie_header("expired-or-forged")), 401, "not_authenticated")


def test_unknown_missing_and_malformed_items(client, viewer, library: Library) -> None:
    # An id that names nothing, and one that is not an id
    unknown = assert_error(client.get(stream_url(uuid.uuid4()), headers=viewer), 404, "not_found")
    assert unknown["message"] == "No such library item."
    assert_error(client.get(stream_url("not-a-uuid"), headers=viewer), 422, "invalid")
    assert_error(client.get("/api/v1/library/12/subtitles", headers=viewer), 422, "invalid")
    # A file deleted since the scan
    item = library.items[MP4]
    library.path(MP4).unlink()
    gone = assert_error(client.get(stream_url(item), headers=viewer), 404, "file_missing")
    assert "no longer on disk" in gone["message"]
    assert_error(client.get(f"/api/v1/library/{item}/subtitles", headers=viewer), 404, "file_missing")
    # An item a scan marked missing, even while a file is back at its path
    with Session(_engine()) as session:
        row = session.get(LibraryItem, library.items[MKV])
        assert row is not None
        row.missing_since = datetime.now(UTC)
        session.add(row)
        session.commit()
    assert_error(client.get(stream_url(library.items[MKV]), headers=viewer), 404, "file_missing")


def test_nothing_outside_the_enabled_library_folders_is_served(client, viewer, library: Library) -> None:
    secret = library.outside / "secret.mp4"
    # A symlink inside the library that leads out of it (the scanner skips it; a row may still name it)
    link = library.folder / "Movies" / "Link (2012).mp4"
    link.symlink_to(secret)
    linked = add_item(link, container_format="mp4")
    # A row naming a file outside every root outright, and one with no root at all
    outright = add_item(secret, container_format="mp4")
    rootless = add_item(library.folder / ".." / "outside" / "secret.mp4", in_root=False)
    for item in (linked, outright, rootless):
        refused = assert_error(client.get(stream_url(item), headers=viewer), 404, "outside_library")
        assert "library folder" in refused["message"]
    # A folder an admin disabled serves nothing either
    with Session(_engine()) as session:
        root = session.exec(select(LibraryRoot)).one()
        root.enabled = False
        session.add(root)
        session.commit()
    assert_error(client.get(stream_url(library.items[MP4]), headers=viewer), 404, "outside_library")


def test_a_symlink_inside_the_library_is_followed(client, viewer, library: Library) -> None:
    # A link from one library file to another stays inside: it plays like the file
    link = library.folder / "Movies" / "Alias (2013).mp4"
    link.symlink_to(library.path(MP4))
    item = add_item(link, container_format="mp4")
    response = client.get(stream_url(item), headers=viewer)
    assert response.status_code == 200 and response.content == library.path(MP4).read_bytes()


# --- Subtitles ----------------------------------------------------------------------------------------------


def test_subtitle_tracks_are_listed_embedded_first_then_sidecars(client, viewer, library: Library) -> None:
    mkv = subtitles(client, viewer, library.items[MKV])
    assert sorted(mkv) == ["embedded", "en.srt", "es.sup", "fr.ass", "it.vtt", "pt.srt"]
    embedded = mkv["embedded"]
    assert (embedded["language"], embedded["title"], embedded["format"], embedded["external"]) == (
        "de",
        "Deutsch",
        "srt",
        False,
    )
    item = library.items[MKV]
    assert mkv["en.srt"]["url"] == f"/api/v1/library/{item}/subtitles/{mkv['en.srt']['id']}.vtt"
    assert all(track["text"] and track["url"] for name, track in mkv.items() if name != "es.sup")
    # Picture subtitles are listed, but with nothing a <track> could load
    assert (mkv["es.sup"]["text"], mkv["es.sup"]["url"]) == (False, None)
    mp4 = subtitles(client, viewer, library.items[MP4])
    assert list(mp4) == ["embedded"]
    assert (mp4["embedded"]["format"], mp4["embedded"]["language"]) == ("mov_text", "en")
    assert set(mp4["embedded"]) == {"id", "language", "title", "format", "forced", "default", "external", "text", "url"}


def test_every_text_track_is_served_as_webvtt(client, viewer, library: Library) -> None:
    for item, name, cue in (
        (library.items[MP4], "embedded", MP4_CUE),
        (library.items[MKV], "embedded", MKV_CUE),
        (library.items[MKV], "en.srt", SRT_CUE),
        (library.items[MKV], "fr.ass", ASS_CUE),
    ):
        track = subtitles(client, viewer, item)[name]
        response = client.get(track["url"], headers=viewer)
        assert response.status_code == 200, (name, response.text)
        assert response.headers["content-type"] == "text/vtt; charset=utf-8"
        assert response.text.startswith("WEBVTT"), response.text
        # Cue times follow the video's timeline (the MKV muxer shifted its subtitle by the audio's priming delay)
        assert cue in response.text and " --> 00:01.5" in response.text, response.text


def test_a_sidecar_webvtt_file_is_served_as_it_is(client, viewer, library: Library) -> None:
    vtt = library.path(MKV).with_suffix(".it.vtt")
    body = "WEBVTT - italiano\n\n00:00.000 --> 00:01.000\nCiao dal file\n"
    vtt.write_text(body)
    track = subtitles(client, viewer, library.items[MKV])["it.vtt"]
    response = client.get(track["url"], headers=viewer)
    assert response.status_code == 200 and response.text == body


def test_conversions_are_cached_until_the_source_changes(
    client, viewer, library: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    conversions: list[Path] = []
    real_convert = library_stream._convert

    def counting(source, target):
        conversions.append(source.path)
        real_convert(source, target)

    monkeypatch.setattr(library_stream, "_convert", counting)
    item = library.items[MKV]
    track = subtitles(client, viewer, item)["en.srt"]
    cache = get_settings().data_dir / "subtitles" / str(item)
    # The first request converts and keeps the result
    first = client.get(track["url"], headers=viewer)
    assert first.status_code == 200 and SRT_CUE in first.text
    kept = list(cache.glob(f"{track['id']}-*.vtt"))
    assert len(kept) == 1 and kept[0].read_text() == first.text
    # The second is read from the cache
    assert client.get(track["url"], headers=viewer).text == first.text
    assert len(conversions) == 1
    # A changed sidecar is converted again, and the old version is dropped
    sidecar = library.path(MKV).with_suffix(".en.srt")
    sidecar.write_text(srt("A corrected line"))
    os.utime(sidecar, ns=(sidecar.stat().st_atime_ns, sidecar.stat().st_mtime_ns + 2_000_000_000))
    second = client.get(track["url"], headers=viewer)
    assert second.status_code == 200 and "A corrected line" in second.text and SRT_CUE not in second.text
    assert len(conversions) == 2
    now_kept = list(cache.glob(f"{track['id']}-*.vtt"))
    assert len(now_kept) == 1 and now_kept != kept


def test_picture_broken_and_foreign_subtitles_are_refused_with_a_message(
    client, viewer, library: Library, tmp_path: Path
) -> None:
    item = library.items[MKV]
    tracks = subtitles(client, viewer, item)

    def vtt_of(stream_id: str, of_item: uuid.UUID = item) -> httpx.Response:
        return client.get(f"/api/v1/library/{of_item}/subtitles/{stream_id}.vtt", headers=viewer)

    picture = assert_error(vtt_of(tracks["es.sup"]["id"]), 415, "picture_subtitles")
    assert "picture subtitles cannot be shown as text" in picture["message"]
    not_webvtt = assert_error(vtt_of(tracks["it.vtt"]["id"]), 422, "subtitle_unreadable")
    assert "not WebVTT" in not_webvtt["message"]
    garbage = assert_error(vtt_of(tracks["pt.srt"]["id"]), 422, "subtitle_unreadable")
    assert garbage["message"].startswith("ffmpeg could not convert") and str(tmp_path) not in garbage["message"]
    # A track of another item, an unknown track, a malformed id
    other = subtitles(client, viewer, library.items[MP4])["embedded"]["id"]
    assert_error(vtt_of(other), 404, "not_found")
    assert_error(vtt_of(str(uuid.uuid4())), 404, "not_found")
    assert_error(vtt_of("nope"), 422, "invalid")
    # A sidecar row pointing out of the library is not read
    with Session(_engine()) as session:
        sneaky = LibraryStream(
            library_item_id=item,
            stream_type="subtitle",
            stream_index=99,
            format="srt",
            external_path=str(library.outside / "secret.srt"),
        )
        (library.outside / "secret.srt").write_text(srt("secret"))
        session.add(sneaky)
        session.commit()
        sneaky_id = sneaky.id
    assert_error(vtt_of(str(sneaky_id)), 404, "outside_library")
    # And nothing of the failures was cached
    assert list((get_settings().data_dir / "subtitles").rglob("*.vtt")) == []


def test_ffmpeg_failing_to_start_or_hanging_is_a_message_not_a_500(
    client, viewer, library: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    track = subtitles(client, viewer, library.items[MKV])["fr.ass"]

    def failing(error: Exception) -> Callable[..., object]:
        def run(*_args, **_kwargs):
            raise error

        return run

    monkeypatch.setattr(library_stream.subprocess, "run", failing(FileNotFoundError("ffmpeg")))
    missing = assert_error(client.get(track["url"], headers=viewer), 503, "unavailable")
    assert "ffmpeg is not installed" in missing["message"]
    monkeypatch.setattr(library_stream.subprocess, "run", failing(subprocess.TimeoutExpired("ffmpeg", 120)))
    assert "longer than" in assert_error(client.get(track["url"], headers=viewer), 422, "subtitle_timeout")["message"]
