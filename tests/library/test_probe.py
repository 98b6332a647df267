"""The media probe on real files made by ffmpeg: codecs, size, duration, tracks, sidecar subtitles, bad files."""

from __future__ import annotations

import importlib
import shutil
from pathlib import Path

import pytest

from seen.library import probe
from seen.library.probe import resolution_label
from tests.library.conftest import Media

# The module (the package's `probe` is its function of the same name).
probe_module = importlib.import_module("seen.library.probe")


def tracks(result, stream_type: str) -> list:
    return [stream for stream in result.streams if stream.stream_type == stream_type]


def test_an_mkv_gives_its_codecs_size_duration_and_embedded_subtitles(media: Media) -> None:
    # When the Matroska sample is probed
    result = probe(media.mkv)

    # Then its container, codecs, size and duration are read
    assert result.ok, result.error
    assert (result.container, result.video_codec, result.audio_codec) == ("mkv", "h264", "aac")
    assert (result.width, result.height, result.resolution_label) == (320, 240, "SD")
    assert result.duration_seconds == 2
    # And its audio track has a language and channels
    (audio,) = tracks(result, "audio")
    assert (audio.language, audio.channels) == ("en", 1)
    # And both subtitle tracks keep their order, language, format, title and forced flag
    subtitles = tracks(result, "subtitle")
    assert [(s.index, s.language, s.format, s.is_forced, s.title) for s in subtitles] == [
        (2, "en", "srt", False, ""),
        (3, "fr", "srt", True, "Signs"),
    ]
    assert all(s.external_path is None for s in subtitles)


def test_an_mp4_gives_its_mov_text_subtitle(media: Media) -> None:
    result = probe(media.mp4)

    assert (result.container, result.video_codec, result.audio_codec) == ("mp4", "h264", "aac")
    (subtitle,) = tracks(result, "subtitle")
    assert (subtitle.codec, subtitle.format, subtitle.language, subtitle.is_default) == (
        "mov_text",
        "mov_text",
        "es",
        True,
    )
    (audio,) = tracks(result, "audio")
    assert audio.bitrate_kbps > 0


def test_a_720p_hevc_file_reads_as_720p(media: Media) -> None:
    result = probe(media.hevc)

    assert (result.video_codec, result.width, result.height, result.resolution_label) == (
        media.hevc_codec,
        1280,
        720,
        "720p",
    )
    assert result.audio_codec == ""
    assert tracks(result, "audio") == []


def test_sidecar_subtitles_come_after_the_embedded_tracks_with_language_and_flags(media: Media, tmp_path: Path) -> None:
    # Given a movie with subtitle files beside it, and files that are not its subtitles
    movie = tmp_path / "Movie (2001).mp4"
    shutil.copy(media.mp4, movie)
    for name in (
        "Movie (2001).en.srt",
        "Movie (2001).eng.forced.srt",
        "Movie (2001).fr.ass",
        "Movie (2001).French.sdh.vtt",
        "Movie (2001).srt",
        "Movie (2001).nfo",
        "Other (2002).en.srt",
    ):
        shutil.copy(media.subtitle, tmp_path / name)

    # When it is probed
    result = probe(movie)

    # Then the embedded subtitle comes first, then each sidecar by name with what its name says
    subtitles = tracks(result, "subtitle")
    assert subtitles[0].external_path is None
    sidecars = [(Path(s.external_path).name, s.format, s.language, s.is_forced, s.title) for s in subtitles[1:]]
    assert sidecars == [
        ("Movie (2001).French.sdh.vtt", "vtt", "fr", False, "SDH"),
        ("Movie (2001).en.srt", "srt", "en", False, ""),
        ("Movie (2001).eng.forced.srt", "srt", "en", True, ""),
        ("Movie (2001).fr.ass", "ass", "fr", False, ""),
        ("Movie (2001).srt", "srt", "", False, ""),
    ]
    # And every track has its own index
    indexes = [stream.index for stream in result.streams]
    assert len(set(indexes)) == len(indexes)


def test_names_given_by_the_caller_spare_the_folder_listing(media: Media, tmp_path: Path) -> None:
    movie = tmp_path / "Film.mkv"
    shutil.copy(media.mkv, movie)
    (tmp_path / "Film.de.srt").write_text("x")

    result = probe(movie, sibling_names=["Film.mkv", "Film.it.srt"])

    assert [s.language for s in tracks(result, "subtitle") if s.external_path] == ["it"]


@pytest.mark.parametrize(
    ("content", "error"),
    [
        (b"", "empty file (0 bytes)"),
        (b"\x1a\x45\xdf\xa3 not really matroska" * 100, "not a media file MediaInfo can read (corrupt or unknown)"),
        (b"plain text, no media at all\n" * 50, "not a media file MediaInfo can read (corrupt or unknown)"),
    ],
)
def test_empty_and_corrupt_files_give_an_error_not_an_exception(tmp_path: Path, content: bytes, error: str) -> None:
    bad = tmp_path / "bad.mkv"
    bad.write_bytes(content)

    result = probe(bad)

    assert (result.ok, result.error) == (False, error)
    assert result.streams == ()


def test_a_missing_or_unreadable_file_gives_an_error(tmp_path: Path, media: Media) -> None:
    assert probe(tmp_path / "gone.mkv").error == "unreadable: No such file or directory"
    # A folder named like a video is no video either
    (tmp_path / "folder.mkv").mkdir()
    assert probe(tmp_path / "folder.mkv").error


def test_an_audio_only_file_is_not_a_video(tmp_path: Path, media: Media) -> None:
    audio = tmp_path / "song.mkv"
    import subprocess

    subprocess.run(
        ["ffmpeg", "-y", "-loglevel", "error", "-i", str(media.mkv), "-vn", "-sn", "-c", "copy", str(audio)],
        check=True,
    )
    result = probe(audio)
    assert (result.container, result.error) == ("mkv", "no video stream in the file")


@pytest.mark.parametrize(
    ("width", "height", "label"),
    [
        (3840, 2160, "2160p"),
        (3840, 1600, "2160p"),
        (1920, 1080, "1080p"),
        (1920, 800, "1080p"),
        (1440, 1080, "1080p"),
        (1280, 720, "720p"),
        (1280, 536, "720p"),
        (720, 576, "576p"),
        (720, 480, "480p"),
        (640, 480, "480p"),
        (320, 240, "SD"),
        (0, 0, ""),
    ],
)
def test_resolution_labels(width: int, height: int, label: str) -> None:
    assert resolution_label(width, height) == label


def test_headers_are_read_first_and_the_whole_file_only_when_they_say_too_little(
    media: Media, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    speeds: list[float | None] = []
    parse = probe_module.MediaInfo.parse

    def counted(path, **options):
        speeds.append(options.get("parse_speed"))
        return parse(path, **options)

    monkeypatch.setattr(probe_module.MediaInfo, "parse", counted)
    # A Matroska file: its headers say it all, one quick read
    found = probe_module.probe(media.mkv)
    assert found.ok and found.video_codec == "h264" and found.duration_seconds == 2
    assert speeds == [probe_module.QUICK_PARSE_SPEED]
    # Something that is no video: read again at MediaInfo's default speed before giving up
    speeds.clear()
    junk = tmp_path / "junk.mkv"
    junk.write_bytes(b"\x00" * 100_000)
    assert not probe_module.probe(junk).ok
    assert speeds == [probe_module.QUICK_PARSE_SPEED, None]
