"""How a browser can play a library file: as it is, repackaged, or converted, and the ffmpeg command for the
last two. Pure: the probe's container and codec names in, a plan or a command out.

A browser plays MP4/MOV/WebM files holding H.264, VP8, VP9 or AV1 video with AAC, MP3, Opus, Vorbis or FLAC
audio. Other containers with such streams (MKV, AVI, MPEG-TS) are repackaged as fragmented MP4 with the
streams copied, which costs little CPU and loses nothing; other video codecs (HEVC, MPEG-4 Part 2, MPEG-2,
VC-1) are converted to H.264 and other audio (AC-3, DTS, TrueHD, PCM) to stereo AAC. The plan is the safe
choice for any browser; the player still tries the file as it is first when the browser says it can play it
(Chromium plays H.264 in MKV), and falls back to the converted stream if that fails.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

PlaybackMode = Literal["direct", "remux", "transcode"]

DIRECT_CONTAINERS = frozenset({"mp4", "m4v", "mov", "webm"})
BROWSER_VIDEO_CODECS = frozenset({"h264", "vp8", "vp9", "av1"})
BROWSER_AUDIO_CODECS = frozenset({"aac", "mp3", "opus", "vorbis", "flac"})
# What a WebM file may hold; anything else in a .webm is not a file browsers accept as it is.
WEBM_CODECS = frozenset({"vp8", "vp9", "av1", "opus", "vorbis"})
# Codec strings for HTMLMediaElement.canPlayType: typical profiles, close enough for a yes/no.
_CODEC_STRINGS = {
    "h264": "avc1.640028",
    "hevc": "hev1.1.6.L120.90",
    "vp8": "vp8",
    "vp9": "vp09.00.40.08",
    "av1": "av01.0.08M.08",
    "mpeg4": "mp4v.20.9",
    "aac": "mp4a.40.2",
    "mp3": "mp4a.6B",
    "opus": "opus",
    "vorbis": "vorbis",
    "flac": "flac",
    "ac3": "ac-3",
    "eac3": "ec-3",
}
_CONTAINER_TYPES = {
    "mp4": "video/mp4",
    "m4v": "video/mp4",
    "mov": "video/mp4",
    "webm": "video/webm",
    "mkv": "video/x-matroska",
    "avi": "video/x-msvideo",
    "ts": "video/mp2t",
    "m2ts": "video/mp2t",
}
CONVERTED_MEDIA_TYPE = "video/mp4"
# Converted video: fast enough for one stream in real time on a small CPU, at a quality close to the source
# for the sizes a home library holds; frames above 1080 lines are scaled down, which a browser would do anyway.
TRANSCODE_PRESET = "veryfast"
TRANSCODE_CRF = "22"
TRANSCODE_MAX_HEIGHT = 1080
AUDIO_BITRATE = "192k"

_VIDEO_NAMES = {"h264": "H.264", "hevc": "HEVC (H.265)", "mpeg4": "MPEG-4 Part 2", "mpeg2video": "MPEG-2"}
_AUDIO_NAMES = {"ac3": "Dolby Digital", "eac3": "Dolby Digital Plus", "dts": "DTS", "truehd": "TrueHD"}


@dataclass(frozen=True, slots=True)
class PlaybackPlan:
    mode: PlaybackMode
    copy_video: bool  # for remux/transcode: the video stream passes through untouched
    copy_audio: bool
    reason: str  # for the viewer: why the file is repackaged or converted ("" when played as it is)
    browser_type: str  # the file's MIME type with codecs, for canPlayType before trying it as it is


def plan_for(container: str, video_codec: str, audio_codec: str) -> PlaybackPlan:
    """The way to play a file with these (probed) container and codecs in any current browser."""
    container, video_codec, audio_codec = container.lower(), video_codec.lower(), audio_codec.lower()
    video_ok = video_codec in BROWSER_VIDEO_CODECS
    audio_ok = not audio_codec or audio_codec in BROWSER_AUDIO_CODECS
    browser_type = _browser_type(container, video_codec, audio_codec)
    if video_ok and audio_ok:
        fits = container in DIRECT_CONTAINERS and (
            container != "webm" or {video_codec, audio_codec or "opus"} <= WEBM_CODECS
        )
        if fits:
            return PlaybackPlan("direct", True, True, "", browser_type)
        reason = f"{_container_name(container)} files are repackaged as MP4 while they play (no quality lost)."
        return PlaybackPlan("remux", True, True, reason, browser_type)
    reasons = []
    if not video_ok:
        reasons.append(f"{_codec_name(video_codec, _VIDEO_NAMES)} video is converted to H.264")
    if not audio_ok:
        reasons.append(f"{_codec_name(audio_codec, _AUDIO_NAMES)} audio is converted to AAC")
    reason = " and ".join(reasons) + " while it plays (browsers cannot play it as it is)."
    return PlaybackPlan("transcode", video_ok, audio_ok, reason[0].upper() + reason[1:], browser_type)


def ffmpeg_command(path: Path, plan: PlaybackPlan, *, start_seconds: float = 0.0) -> list[str]:
    """ffmpeg writing the file, from `start_seconds` on, as fragmented MP4 to its standard output.

    Fragmented MP4 (empty moov, a fragment per keyframe) can be played while it is written, without seeking in
    the output; the player seeks by asking for a new stream from another start."""
    command = ["ffmpeg", "-nostdin", "-hide_banner", "-loglevel", "error"]
    if start_seconds > 0:
        # Before -i: ffmpeg jumps to the keyframe before that time instead of decoding everything up to it.
        command += ["-ss", f"{start_seconds:.3f}"]
    # "file:" keeps a name such as "concat:..." from being read as an ffmpeg protocol.
    command += ["-i", f"file:{path}", "-map", "0:v:0", "-map", "0:a:0?", "-sn", "-dn", "-map_chapters", "-1"]
    if plan.copy_video:
        command += ["-c:v", "copy"]
    else:
        command += [
            *("-c:v", "libx264", "-preset", TRANSCODE_PRESET, "-crf", TRANSCODE_CRF, "-pix_fmt", "yuv420p"),
            *("-vf", f"scale=-2:'min({TRANSCODE_MAX_HEIGHT},ih)'"),
        ]
    if plan.copy_audio:
        command += ["-c:a", "copy"]
    else:
        command += ["-c:a", "aac", "-ac", "2", "-b:a", AUDIO_BITRATE]
    command += [
        *("-avoid_negative_ts", "make_zero", "-max_muxing_queue_size", "1024"),
        *("-f", "mp4", "-movflags", "frag_keyframe+empty_moov+default_base_moof", "pipe:1"),
    ]
    return command


def _browser_type(container: str, video_codec: str, audio_codec: str) -> str:
    base = _CONTAINER_TYPES.get(container, "application/octet-stream")
    codecs = [_CODEC_STRINGS[codec] for codec in (video_codec, audio_codec) if codec in _CODEC_STRINGS]
    if video_codec and video_codec not in _CODEC_STRINGS:
        return base  # an unknown codec: the browser is asked about the container only, and will say "maybe"
    return f'{base}; codecs="{", ".join(codecs)}"' if codecs else base


def _container_name(container: str) -> str:
    return {"mkv": "MKV", "ts": "MPEG-TS", "m2ts": "Blu-ray (M2TS)", "mpeg": "MPEG-PS"}.get(
        container, container.upper() or "These"
    )


def _codec_name(codec: str, names: dict[str, str]) -> str:
    return names.get(codec, codec.upper() if codec else "Unknown")
