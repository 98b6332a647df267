"""What is inside a media file: container, codecs, size, duration and tracks, read with MediaInfo.

`probe(path)` never raises for a bad file: an empty, corrupt, unreadable or vanished file gives a `MediaProbe`
whose `error` says why, so a scan records it and goes on. Subtitles in files of their own beside the video
(`Movie.en.srt`, `Movie.eng.forced.srt`, `Movie.fr.ass`) are listed after the file's own tracks, with the
language and flags their names carry.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import babelfish
from pymediainfo import MediaInfo

# MediaInfo reads headers only: a Matroska or MP4 file then takes ~4 ms instead of ~100-180 ms at its default
# speed (which reads tens of MB of a big file) and says the same about its container, codecs, duration and
# tracks. A file whose headers lack a video track or a duration is read again at the default speed.
QUICK_PARSE_SPEED = 0.0
# Subtitle files a player (or ffmpeg, converting them) can use, by extension.
SIDECAR_SUBTITLE_FORMATS = frozenset({"srt", "ass", "ssa", "vtt", "sub", "sup", "smi"})

# MediaInfo's format names → the short names players and ffmpeg use. Unlisted ones are kept, lower-cased.
_CONTAINERS = {
    "matroska": "mkv",
    "webm": "webm",
    "mpeg-4": "mp4",
    "qtff": "mov",
    "avi": "avi",
    "mpeg-ts": "ts",
    "bdav": "m2ts",
    "mpeg-ps": "mpeg",
    "windows media": "wmv",
    "flash video": "flv",
    "ogg": "ogg",
}
_CODECS = {
    "avc": "h264",
    "hevc": "hevc",
    "mpeg-4 visual": "mpeg4",
    "mpeg video": "mpeg2video",
    "vp8": "vp8",
    "vp9": "vp9",
    "av1": "av1",
    "vc-1": "vc1",
    "aac": "aac",
    "ac-3": "ac3",
    "e-ac-3": "eac3",
    "dts": "dts",
    "mlp fba": "truehd",
    "mpeg audio": "mp3",
    "opus": "opus",
    "vorbis": "vorbis",
    "flac": "flac",
    "pcm": "pcm",
    "utf-8": "srt",
    "ass": "ass",
    "ssa": "ssa",
    "timed text": "mov_text",
    "webvtt": "vtt",
    "pgs": "pgs",
    "vobsub": "vobsub",
    "dvb subtitle": "dvb_subtitle",
}
# Text subtitles players can render directly, as opposed to bitmap ones (pgs, vobsub) that need burning in.
_SUBTITLE_FORMATS = {"srt": "srt", "ass": "ass", "ssa": "ass", "mov_text": "mov_text", "vtt": "vtt"}

# (width, height, label): a frame is that class when either side reaches 90% of it, so cropped widescreen
# (1920x800) and 4:3 HD (1440x1080) still read as 1080p.
_RESOLUTIONS = (
    (7680, 4320, "4320p"),
    (3840, 2160, "2160p"),
    (2560, 1440, "1440p"),
    (1920, 1080, "1080p"),
    (1280, 720, "720p"),
    (1024, 576, "576p"),
    (720, 480, "480p"),
)
# "hi" (hearing impaired) is left out: it is also Hindi's code, and `Movie.hi.srt` is usually Hindi.
_SIDECAR_FLAGS = {"forced": "forced", "default": "default", "sdh": "sdh", "cc": "sdh"}


@dataclass(frozen=True, slots=True)
class ProbeStream:
    stream_type: str  # video | audio | subtitle
    index: int  # order in the file; sidecar files follow the embedded tracks
    codec: str = ""
    format: str = ""  # subtitles only: srt, ass, vtt, mov_text, pgs...
    language: str = ""  # IETF tag (en, fr, pt-BR); empty when unknown
    title: str = ""
    channels: int = 0
    bitrate_kbps: int = 0
    is_default: bool = False
    is_forced: bool = False
    external_path: str | None = None


@dataclass(frozen=True, slots=True)
class MediaProbe:
    path: str
    container: str = ""
    video_codec: str = ""
    audio_codec: str = ""
    width: int = 0
    height: int = 0
    resolution_label: str = ""
    duration_seconds: int = 0
    streams: tuple[ProbeStream, ...] = field(default_factory=tuple)
    error: str = ""

    @property
    def ok(self) -> bool:
        return not self.error


def probe(path: str | os.PathLike[str], *, sibling_names: Iterable[str] | FolderSubtitles | None = None) -> MediaProbe:
    """Read a video file's streams. `sibling_names` (the names in its folder) spares a listing per file when
    the caller walked the folder already; without it the folder is listed to find sidecar subtitles."""
    file_path = Path(path)
    try:
        size = file_path.stat().st_size
        if size == 0:
            return MediaProbe(path=str(file_path), error="empty file (0 bytes)")
        info = MediaInfo.parse(file_path, parse_speed=QUICK_PARSE_SPEED)
        if not _has_video_and_duration(info):
            info = MediaInfo.parse(file_path)  # what the headers did not say, a full parse may
    except OSError as error:
        return MediaProbe(path=str(file_path), error=f"unreadable: {error.strerror or error}")
    except Exception as error:  # MediaInfo's own failures; a scan must go on
        return MediaProbe(path=str(file_path), error=f"probe failed: {error}")
    sidecars = sidecar_streams(file_path, sibling_names)
    try:
        return _read(file_path, info.tracks, sidecars)
    except (TypeError, ValueError) as error:  # a field of an unexpected shape in a damaged file
        return MediaProbe(path=str(file_path), error=f"unreadable metadata: {error}")


def resolution_label(width: int, height: int) -> str:
    if width <= 0 or height <= 0:
        return ""
    for class_width, class_height, label in _RESOLUTIONS:
        if width >= class_width * 0.9 or height >= class_height * 0.9:
            return label
    return "SD"


def _read(file_path: Path, tracks: list[Any], sidecars: list[ProbeStream]) -> MediaProbe:
    general = next((track for track in tracks if track.track_type == "General"), None)
    if general is None or not general.format:
        return MediaProbe(path=str(file_path), error="not a media file MediaInfo can read (corrupt or unknown)")
    streams: list[ProbeStream] = []
    for position, track in enumerate(track for track in tracks if track.track_type in ("Video", "Audio", "Text")):
        streams.append(_stream(track, position))
    video = next((stream for stream in streams if stream.stream_type == "video"), None)
    video_track = next((track for track in tracks if track.track_type == "Video"), None)
    if video is None or video_track is None:
        return MediaProbe(
            path=str(file_path), container=_container(general.format), error="no video stream in the file"
        )
    audio = [stream for stream in streams if stream.stream_type == "audio"]
    main_audio = next((stream for stream in audio if stream.is_default), audio[0] if audio else None)
    width, height = _int(video_track.width), _int(video_track.height)
    duration_ms = _number(general.duration) or _number(video_track.duration)
    offset = len(streams)
    return MediaProbe(
        path=str(file_path),
        container=_container(general.format),
        video_codec=video.codec,
        audio_codec=main_audio.codec if main_audio else "",
        width=width,
        height=height,
        resolution_label=resolution_label(width, height),
        duration_seconds=round(duration_ms / 1000),
        streams=(*streams, *(replace(sidecar, index=offset + number) for number, sidecar in enumerate(sidecars))),
    )


def _stream(track: Any, position: int) -> ProbeStream:
    stream_type = {"Video": "video", "Audio": "audio", "Text": "subtitle"}[track.track_type]
    codec = _codec(track.format)
    order = _int(track.streamorder, default=position)
    return ProbeStream(
        stream_type=stream_type,
        index=order,
        codec=codec,
        format=_SUBTITLE_FORMATS.get(codec, codec) if stream_type == "subtitle" else "",
        language=_language(track.language),
        title=str(track.title or "")[:300],
        channels=_int(track.channel_s) if stream_type == "audio" else 0,
        bitrate_kbps=round(_number(track.bit_rate) / 1000),
        is_default=track.default == "Yes",
        is_forced=track.forced == "Yes",
    )


def _has_video_and_duration(info: MediaInfo) -> bool:
    general = info.general_tracks[0] if info.general_tracks else None
    return bool(info.video_tracks) and general is not None and _number(general.duration) > 0


class FolderSubtitles:
    """A folder's subtitle files by the video stem they may belong to ("Movie.en.forced.srt" under "Movie" and
    "Movie.en" and "Movie.en.forced"). Built once per folder, so finding a video's sidecars is a lookup rather
    than a pass over every name: a flat folder of thousands of episodes would make that quadratic."""

    def __init__(self, names: Iterable[str]) -> None:
        self.by_stem: dict[str, list[str]] = {}
        for name in sorted(names):
            extension = name.rpartition(".")[2].lower()
            if "." not in name or extension not in SIDECAR_SUBTITLE_FORMATS:
                continue
            position = name.find(".")
            while position != -1:
                self.by_stem.setdefault(name[:position], []).append(name)
                position = name.find(".", position + 1)

    def of(self, stem: str) -> list[str]:
        return self.by_stem.get(stem, [])


def sidecar_streams(file_path: Path, sibling_names: Iterable[str] | FolderSubtitles | None) -> list[ProbeStream]:
    """The subtitle files beside a video (`Movie.en.forced.srt` beside `Movie.mkv`), from its folder's names."""
    if sibling_names is None:
        try:
            sibling_names = [entry.name for entry in os.scandir(file_path.parent)]
        except OSError:
            return []
    folder = sibling_names if isinstance(sibling_names, FolderSubtitles) else FolderSubtitles(sibling_names)
    stem = file_path.stem
    found: list[ProbeStream] = []
    for name in folder.of(stem):
        # "Movie.eng.forced.srt" → tags ["eng", "forced"], format "srt"
        *tags, extension = name[len(stem) + 1 :].split(".")
        extension = extension.lower()
        flags = {_SIDECAR_FLAGS[tag.lower()] for tag in tags if tag.lower() in _SIDECAR_FLAGS}
        language = next(
            (code for tag in tags if tag.lower() not in _SIDECAR_FLAGS and (code := _language(tag, strict=True))), ""
        )
        found.append(
            ProbeStream(
                stream_type="subtitle",
                index=0,
                codec=extension,
                format=extension,
                language=language,
                title="SDH" if "sdh" in flags else "",
                is_default="default" in flags,
                is_forced="forced" in flags,
                external_path=str(file_path.parent / name),
            )
        )
    return found


def _language(value: Any, *, strict: bool = False) -> str:
    """An IETF tag from MediaInfo's value or a file-name tag ("en", "eng", "fre", "pt-BR", "French").

    Strict (file-name tags) accepts names and codes only, so "sdh" or "x264" never become a language."""
    text = str(value or "").strip()
    if not text or text.lower() in ("und", "zxx", "mul"):
        return ""
    readers = (babelfish.Language.fromietf, babelfish.Language.fromalpha3b, babelfish.Language.fromname)
    for read in readers:
        try:
            language = read(text if read is not babelfish.Language.fromname else text.capitalize())
        except (ValueError, KeyError, babelfish.Error):
            continue
        tag = str(language)
        return "" if tag == "und" else tag
    return "" if strict else text[:16]


def _container(value: Any) -> str:
    text = str(value or "").strip().lower()
    return _CONTAINERS.get(text, text)[:32]


def _codec(value: Any) -> str:
    text = str(value or "").strip().lower()
    return _CODECS.get(text, text)[:32]


def _number(value: Any) -> float:
    """MediaInfo gives numbers as int, float or text ("2000.000000", "1 024"); a damaged file may give junk."""
    if value is None:
        return 0.0
    if isinstance(value, int | float):
        return float(value)
    try:
        return float(str(value).split("/")[0].replace(" ", ""))
    except ValueError:
        return 0.0


def _int(value: Any, *, default: int = 0) -> int:
    number = _number(value)
    return int(number) if number or value is not None else default
