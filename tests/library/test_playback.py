"""How a browser can play a file (`seen.library.playback`): the plan from the probed container and codecs, and
the ffmpeg command that repackages or converts it."""

from __future__ import annotations

from pathlib import Path

import pytest

from seen.library.playback import ffmpeg_command, plan_for


@pytest.mark.parametrize(
    ("container", "video", "audio", "mode", "copy_video", "copy_audio"),
    [
        ("mp4", "h264", "aac", "direct", True, True),
        ("mov", "h264", "", "direct", True, True),  # no audio at all
        ("webm", "vp9", "opus", "direct", True, True),
        ("webm", "av1", "", "direct", True, True),
        ("mp4", "av1", "flac", "direct", True, True),
        ("webm", "h264", "aac", "remux", True, True),  # a WebM cannot hold H.264 for a browser
        ("mkv", "h264", "aac", "remux", True, True),
        ("ts", "h264", "mp3", "remux", True, True),
        ("mkv", "h264", "dts", "transcode", True, False),
        ("mp4", "h264", "ac3", "transcode", True, False),
        ("mkv", "hevc", "aac", "transcode", False, True),
        ("avi", "mpeg4", "mp3", "transcode", False, True),
        ("mkv", "hevc", "truehd", "transcode", False, False),
        ("MKV", "H264", "AAC", "remux", True, True),  # names in any case
    ],
)
def test_the_plan_follows_what_browsers_play(container, video, audio, mode, copy_video, copy_audio) -> None:
    plan = plan_for(container, video, audio)
    assert (plan.mode, plan.copy_video, plan.copy_audio) == (mode, copy_video, copy_audio)
    assert (plan.reason == "") == (mode == "direct")


def test_reasons_and_browser_types_are_specific() -> None:
    assert plan_for("mkv", "h264", "aac").reason.startswith("MKV files are repackaged as MP4")
    assert plan_for("mkv", "hevc", "eac3").reason == (
        "HEVC (H.265) video is converted to H.264 and Dolby Digital Plus audio is converted to AAC while it plays "
        "(browsers cannot play it as it is)."
    )
    assert plan_for("mp4", "h264", "aac").browser_type == 'video/mp4; codecs="avc1.640028, mp4a.40.2"'
    assert plan_for("mkv", "hevc", "ac3").browser_type == 'video/x-matroska; codecs="hev1.1.6.L120.90, ac-3"'
    # An unknown codec: the browser is asked about the container alone (it cannot say "probably")
    assert plan_for("avi", "wmv3", "wmav2").browser_type == "video/x-msvideo"


def test_the_command_copies_what_it_can_and_seeks_before_reading() -> None:
    source = Path("/media/Films/concat:odd name.mkv")
    remux = ffmpeg_command(source, plan_for("mkv", "h264", "aac"), start_seconds=754.5)
    # Seeks on the input (fast), reads the path as a file (never as a protocol), writes fragmented MP4 to stdout
    assert remux[remux.index("-ss") + 1] == "754.500"
    assert remux.index("-ss") < remux.index("-i")
    assert remux[remux.index("-i") + 1] == "file:/media/Films/concat:odd name.mkv"
    assert remux[remux.index("-c:v") + 1] == "copy" and remux[remux.index("-c:a") + 1] == "copy"
    assert "frag_keyframe+empty_moov+default_base_moof" in remux and remux[-1] == "pipe:1"
    # From the start: no seek; converted streams get H.264 and stereo AAC
    transcode = ffmpeg_command(source, plan_for("mkv", "hevc", "dts"))
    assert "-ss" not in transcode
    assert transcode[transcode.index("-c:v") + 1] == "libx264"
    assert transcode[transcode.index("-c:a") + 1] == "aac" and transcode[transcode.index("-ac") + 1] == "2"
