"""Playing files a browser cannot play as they are, over real HTTP on SQLite and PostgreSQL: the converted
stream (`GET /api/v1/stream/{id}/converted`) repackages an MKV as fragmented MP4 with its streams copied,
converts HEVC and AC-3 to H.264 and AAC, starts where asked, refuses what it cannot do with a reason, and
never runs more ffmpeg processes than the limit."""

from __future__ import annotations

import json
import shutil
import subprocess
import uuid
from pathlib import Path

import pytest

from tests.api.test_auth_api import assert_error
from tests.api.test_library_stream_api import MKV, MP4, Library, _ffmpeg, add_item, library, sources, viewer
from tests.waiting import wait_until

__all__ = ["library", "sources", "viewer"]  # fixtures shared with the streaming tests


def converted_url(item_id: uuid.UUID | str, start: float | None = None) -> str:
    return f"/api/v1/stream/{item_id}/converted" + (f"?start={start}" if start is not None else "")


def probed(body: bytes, tmp_path: Path) -> dict:
    """What ffprobe reads in a stream: its format and each stream's codec."""
    path = tmp_path / f"{uuid.uuid4()}.mp4"
    path.write_bytes(body)
    found = subprocess.run(
        ["ffprobe", "-v", "error", "-show_format", "-show_streams", "-of", "json", str(path)],
        capture_output=True,
        check=True,
        timeout=60,
    )
    return json.loads(found.stdout)


def codecs(info: dict) -> dict[str, str]:
    return {stream["codec_type"]: stream["codec_name"] for stream in info["streams"]}


@pytest.fixture
def hevc_item(library: Library) -> uuid.UUID:
    """An HEVC + AC-3 MKV (what browsers cannot play) in the library folder."""
    if shutil.which("ffprobe") is None:
        pytest.skip("ffprobe is not installed")
    path = library.folder / "Movies" / "Wide Film (2019).mkv"
    _ffmpeg(
        "-f", "lavfi", "-i", "testsrc=size=320x240:rate=10:duration=3",
        "-f", "lavfi", "-i", "sine=frequency=440:duration=3",
        "-c:v", "libx265", "-preset", "ultrafast", "-x265-params", "log-level=error", "-c:a", "ac3", str(path),
    )  # fmt: skip
    return add_item(path, container_format="mkv", video_codec="hevc", audio_codec="ac3", duration_seconds=3)


def test_an_mkv_is_repackaged_as_fragmented_mp4(client, viewer, library: Library, tmp_path: Path) -> None:
    # When a member asks for the MKV (H.264 + AAC) as the browser-friendly stream
    response = client.get(converted_url(library.items[MKV]), headers=viewer)
    # Then it is a fragmented MP4 of the same streams, private, without byte ranges
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "video/mp4"
    assert response.headers["accept-ranges"] == "none"
    assert response.headers["cache-control"] == "private"
    body = response.content
    assert body[4:8] == b"ftyp" and b"moof" in body
    info = probed(body, tmp_path)
    assert codecs(info) == {"video": "h264", "audio": "aac"}
    assert float(info["format"]["duration"]) == pytest.approx(2.0, abs=0.3)
    # And a later start is accepted (copied video starts at the keyframe before it: here, the first frame)
    later = client.get(converted_url(library.items[MKV], 1), headers=viewer)
    assert later.status_code == 200
    assert codecs(probed(later.content, tmp_path)) == {"video": "h264", "audio": "aac"}


def test_a_file_the_browser_failed_on_is_repackaged_too(client, viewer, library: Library, tmp_path: Path) -> None:
    # The MP4 plays as it is; a browser that failed on it still gets the same streams through ffmpeg
    response = client.get(converted_url(library.items[MP4]), headers=viewer)
    assert response.status_code == 200
    assert codecs(probed(response.content, tmp_path)) == {"video": "h264", "audio": "aac"}


def test_hevc_and_ac3_are_converted_to_h264_and_aac(client, viewer, hevc_item: uuid.UUID, tmp_path: Path) -> None:
    response = client.get(converted_url(hevc_item), headers=viewer)
    assert response.status_code == 200, response.text
    info = probed(response.content, tmp_path)
    assert codecs(info) == {"video": "h264", "audio": "aac"}
    assert float(info["format"]["duration"]) == pytest.approx(3.0, abs=0.4)
    # And converted video starts exactly where asked
    later = client.get(converted_url(hevc_item, 2), headers=viewer)
    assert later.status_code == 200
    assert float(probed(later.content, tmp_path)["format"]["duration"]) == pytest.approx(1.0, abs=0.3)


def test_bad_requests_get_reasons(client, viewer, library: Library) -> None:
    item = library.items[MKV]
    # A start past the end, or before the beginning
    refused = assert_error(client.get(converted_url(item, 99), headers=viewer), 422, "start_out_of_range")
    assert "between 0 and 2 seconds" in refused["message"]
    assert client.get(converted_url(item, -1), headers=viewer).status_code == 422
    assert client.get(converted_url(item) + "?start=soon", headers=viewer).status_code == 422
    # No such item, and no login
    assert_error(client.get(converted_url(uuid.uuid4()), headers=viewer), 404, "not_found")
    assert client.get(converted_url(item)).status_code == 401
    # A file that is no video any more: ffmpeg's reason, without the server's folders
    broken = library.folder / "Movies" / "Broken (2001).mkv"
    broken.write_bytes(b"\x1aE\xdf\xa3" + b"\x00" * 4000)
    broken_id = add_item(broken, container_format="mkv", video_codec="h264", audio_codec="aac", duration_seconds=60)
    refused = assert_error(client.get(converted_url(broken_id), headers=viewer), 422, "unplayable")
    assert refused["message"].startswith("ffmpeg could not convert this file:")
    assert str(library.folder) not in refused["message"]
    # A file whose probe found no video at all
    odd = library.folder / "Movies" / "Odd (2002).mkv"
    shutil.copyfile(library.path(MKV), odd)
    odd_id = add_item(odd, container_format="mkv", video_codec="", probe_error="no video stream in the file")
    assert_error(client.get(converted_url(odd_id), headers=viewer), 415, "unplayable")


def test_no_more_conversions_than_the_limit(client, viewer, library: Library, settings_env) -> None:
    settings_env(TRANSCODE_LIMIT="1")
    # A file big enough (about 25 MB) that its stream cannot all wait in the sockets' buffers: ffmpeg runs as
    # long as the client does not read
    path = library.folder / "Movies" / "Long Film (2015).mkv"
    _ffmpeg(
        "-f", "lavfi", "-i", "testsrc2=size=640x480:rate=25:duration=60",
        "-c:v", "libx264", "-preset", "ultrafast", "-qp", "12", str(path),
    )  # fmt: skip
    item = add_item(path, container_format="mkv", video_codec="h264", audio_codec="", duration_seconds=60)
    # Given one converted stream open (its reader has not finished)
    with client.stream("GET", converted_url(item), headers=viewer) as first:
        assert first.status_code == 200
        # When a second viewer asks, Then they are told to come back
        busy = assert_error(client.get(converted_url(item), headers=viewer), 503, "transcode_busy")
        assert "already converting 1 videos" in busy["message"]
    # And once the first stream is closed, its slot is free again
    wait_until(lambda: client.get(converted_url(item), headers=viewer).status_code == 200, timeout=10)
