"""Real media files for the library tests, made once per session with ffmpeg (a few KB each, 2 seconds)."""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import skip_or_fail

SUBTITLE = "1\n00:00:00,000 --> 00:00:01,000\nHello\n\n2\n00:00:01,000 --> 00:00:02,000\nAgain\n"
# Tiny, fast test sources: a pattern and a tone.
VIDEO = ["-f", "lavfi", "-i", "testsrc=size=320x240:rate=10:duration=2"]
AUDIO = ["-f", "lavfi", "-i", "sine=frequency=440:duration=2"]


@dataclass(frozen=True)
class Media:
    mkv: Path  # h264 + aac (eng), subtitles: eng, fre forced (titled)
    mp4: Path  # h264 + aac, mov_text subtitle in Spanish
    hevc: Path  # 1280x720, hevc (mpeg4 when ffmpeg has no libx265)
    hevc_codec: str
    subtitle: Path  # a plain .srt, to put beside videos as a sidecar


def _ffmpeg(*arguments: str) -> None:
    subprocess.run(["ffmpeg", "-y", "-hide_banner", "-loglevel", "error", *arguments], check=True, timeout=120)


def _has_encoder(name: str) -> bool:
    listing = subprocess.run(["ffmpeg", "-hide_banner", "-encoders"], capture_output=True, text=True, check=True)
    return any(line.split()[1:2] == [name] for line in listing.stdout.splitlines() if line.startswith(" "))


@pytest.fixture(scope="session")
def media(tmp_path_factory: pytest.TempPathFactory) -> Media:
    if shutil.which("ffmpeg") is None:
        skip_or_fail("ffmpeg is not installed")
    folder = tmp_path_factory.mktemp("media")
    subtitle = folder / "subtitle.srt"
    subtitle.write_text(SUBTITLE)
    h264 = ["-c:v", "libx264", "-preset", "ultrafast", "-c:a", "aac"]
    mkv = folder / "sample.mkv"
    _ffmpeg(
        *VIDEO, *AUDIO, "-i", str(subtitle), "-i", str(subtitle),
        "-map", "0", "-map", "1", "-map", "2", "-map", "3", *h264, "-c:s", "srt",
        "-metadata:s:a:0", "language=eng",
        "-metadata:s:s:0", "language=eng",
        "-metadata:s:s:1", "language=fre", "-metadata:s:s:1", "title=Signs", "-disposition:s:1", "forced",
        str(mkv),
    )  # fmt: skip
    mp4 = folder / "sample.mp4"
    _ffmpeg(
        *VIDEO, *AUDIO, "-i", str(subtitle), "-map", "0", "-map", "1", "-map", "2", *h264,
        "-c:s", "mov_text", "-metadata:s:s:0", "language=spa", str(mp4),
    )  # fmt: skip
    hevc = folder / "sample-hevc.mkv"
    encoder = ["-c:v", "libx265", "-preset", "ultrafast", "-x265-params", "log-level=error"]
    codec = "hevc"
    if not _has_encoder("libx265"):
        encoder, codec = ["-c:v", "mpeg4"], "mpeg4"
    _ffmpeg("-f", "lavfi", "-i", "testsrc=size=1280x720:rate=10:duration=2", *encoder, str(hevc))
    return Media(mkv=mkv, mp4=mp4, hevc=hevc, hevc_codec=codec, subtitle=subtitle)
