"""What the player page needs to play one library file: the title it shows, where to resume, the way the browser
can play the file, its subtitles, and the episodes before and after it in the library.

Resume: the caller's unfinished progress in the file's movie or episode (`seen.services.progress`), unless it is
too close to either end to be worth a jump. Progress and "watched" are the progress service's: the page reports
positions to it, and past the caller's threshold the viewing goes into the history. A file matched to no title
plays too, but keeps no position (progress is kept per title).

Next episode: the first present file of the same show after this one in (season, episode) order, specials
(season 0) only after specials; the file of that episode with the most lines when there are several.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import or_, tuple_
from sqlmodel import Session, col, select

from seen.config import Settings
from seen.library.playback import CONVERTED_MEDIA_TYPE
from seen.models.library import LibraryItem
from seen.models.media import MediaItem, ShowEpisode
from seen.models.tracking import PlaybackProgress, WatchEvent
from seen.models.users import User
from seen.services import catalogue_sync, images, library_stream
from seen.services.catalogue_views import media_href
from seen.services.errors import NotFound

PLAYER_HREF = "/app/library/{item_id}/play"
# A saved position this close to the start is a false start, this close to the end the credits: start over.
RESUME_MIN_SECONDS = 10
RESUME_END_MARGIN_SECONDS = 30

# Subtitle languages as the probe records them (ISO 639-1 from sidecar names, 639-2 from MediaInfo).
LANGUAGE_NAMES = {
    "en": "English", "eng": "English", "fr": "French", "fre": "French", "fra": "French",
    "de": "German", "ger": "German", "deu": "German", "es": "Spanish", "spa": "Spanish",
    "it": "Italian", "ita": "Italian", "pt": "Portuguese", "por": "Portuguese", "nl": "Dutch",
    "dut": "Dutch", "nld": "Dutch", "sv": "Swedish", "swe": "Swedish", "no": "Norwegian", "nor": "Norwegian",
    "nb": "Norwegian", "da": "Danish", "dan": "Danish", "fi": "Finnish", "fin": "Finnish", "pl": "Polish",
    "pol": "Polish", "cs": "Czech", "cze": "Czech", "ces": "Czech", "ru": "Russian", "rus": "Russian",
    "uk": "Ukrainian", "ukr": "Ukrainian", "el": "Greek", "gre": "Greek", "ell": "Greek", "tr": "Turkish",
    "tur": "Turkish", "ar": "Arabic", "ara": "Arabic", "he": "Hebrew", "heb": "Hebrew", "hi": "Hindi",
    "hin": "Hindi", "ja": "Japanese", "jpn": "Japanese", "ko": "Korean", "kor": "Korean", "zh": "Chinese",
    "chi": "Chinese", "zho": "Chinese", "hu": "Hungarian", "hun": "Hungarian", "ro": "Romanian",
    "rum": "Romanian", "ron": "Romanian",
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class PlayerSubtitle:
    id: str
    label: str  # "English", "English (forced)", "French · Commentary"
    language: str  # the code as recorded ("" when unknown): the key the viewer's choice is remembered by
    url: str
    default: bool
    forced: bool


@dataclass(frozen=True, slots=True)
class EpisodeLink:
    item_id: str
    label: str  # "S01E03 · Lord Snow"
    href: str


@dataclass(frozen=True, slots=True)
class PlayTarget:
    """What a title page's "Play" button starts."""

    item_id: str
    label: str  # "Play", "Resume from 12:34", "Play S01E04", "Resume S01E03"
    href: str


@dataclass(frozen=True, slots=True)
class PlayerView:
    item_id: str
    heading: str  # the title, or the file name for an unmatched file
    subheading: str  # "S01E02 · The Kingsroad", a film's year, or "" for an unmatched file
    file_name: str
    media_id: int | None  # None: the file is matched to no title, so no position is kept
    media_href: str | None
    season_number: int | None  # None for a film
    episode_number: int | None
    # The catalogue lists this episode (progress and history need it; see `ensure_episode_list`).
    episode_known: bool
    # Why the position is not kept ("" when it is): a file matched to no title, an episode the catalogue lacks.
    progress_note: str
    backdrop_url: str | None
    duration_seconds: int
    resume_seconds: int
    mode: str  # direct | remux | transcode (`seen.library.playback`)
    mode_reason: str
    direct_url: str
    direct_type: str  # MIME type with codecs, for canPlayType
    converted_url: str  # add ?start=<seconds>
    converted_type: str
    subtitles: list[PlayerSubtitle]
    previous: EpisodeLink | None
    next: EpisodeLink | None


def player_href(item_id: uuid.UUID | str) -> str:
    return PLAYER_HREF.format(item_id=item_id)


def play_target(*, session: Session, user_id: uuid.UUID, media_id: int) -> PlayTarget | None:
    """What "Play" on a title's page starts for this user, None when the library has no file of it.

    A film: its best file, resumed where the user stopped. A show, like "On Deck": the episode the user is in
    the middle of (if its file is here), otherwise the first file after the last episode they watched,
    otherwise the first file of the show (regular seasons before specials)."""
    media = session.get(MediaItem, media_id)
    files = _present_files(session, [media_id]) if media is not None else []
    if media is None or not files:
        return None
    rows = session.exec(
        select(PlaybackProgress).where(PlaybackProgress.user_id == user_id, PlaybackProgress.media_id == media_id)
    ).all()
    if media.kind != "show":
        best = max(files, key=lambda item: item.height)
        row = next((row for row in rows if row.episode_number == 0), None)
        started = row is not None and row.finished_at is None and row.position_seconds >= RESUME_MIN_SECONDS
        label = f"Resume from {_clock(row.position_seconds)}" if started and row else "Play"
        return PlayTarget(str(best.id), label, player_href(best.id))
    episodes = [item for item in files if item.season_number is not None and item.episode_number is not None]
    if not episodes:
        return None  # files matched to the show without an episode number: only the library can tell them apart
    # The first file of each episode (the one with the most lines) is the one played.
    by_number = {(item.season_number, item.episode_number): item for item in reversed(episodes)}
    last_watched = session.exec(
        select(WatchEvent.season_number, WatchEvent.episode_number)
        .where(
            WatchEvent.user_id == user_id,
            WatchEvent.media_id == media_id,
            col(WatchEvent.season_number) > 0,
            col(WatchEvent.episode_number).is_not(None),
        )
        .order_by(col(WatchEvent.season_number).desc(), col(WatchEvent.episode_number).desc())
        .limit(1)
    ).first()
    unfinished = sorted(
        (row for row in rows if row.finished_at is None and row.position_seconds >= RESUME_MIN_SECONDS),
        key=lambda row: row.updated_at,
        reverse=True,
    )
    for row in unfinished:
        item = by_number.get((row.season_number, row.episode_number))
        if item is not None:
            return _episode_target(item, "Resume")
    regular = [key for key in sorted(by_number) if key[0] and key[0] > 0] or sorted(by_number)
    following = [key for key in regular if last_watched is None or key > tuple(last_watched)]
    return _episode_target(by_number[(following or regular)[0]], "Play")


def playable_key(media_id: int, season_number: int | None, episode_number: int | None) -> str:
    return f"{media_id}:{season_number or 0}:{episode_number or 0}"


def player_hrefs(*, session: Session, wanted: Iterable[tuple[int, int | None, int | None]]) -> dict[str, str]:
    """For each (film, None, None) or (show, season, episode) the library has a file of: its player page, keyed
    by `playable_key`. One query for them all (Continue Watching links straight to the player)."""
    keys = {playable_key(*entry) for entry in wanted}
    media_ids = {entry[0] for entry in wanted} if keys else set()
    if not media_ids:
        return {}
    found: dict[str, str] = {}
    for item in _present_files(session, media_ids):
        assert item.media_id is not None
        key = playable_key(item.media_id, item.season_number, item.episode_number)
        if key in keys and key not in found:
            found[key] = player_href(item.id)
    return found


def _present_files(session: Session, media_ids: Iterable[int]) -> list[LibraryItem]:
    """The titles' matched files on disk, best first: episode order, more lines, first part of a stack."""
    return list(
        session.exec(
            select(LibraryItem)
            .where(
                col(LibraryItem.media_id).in_(list(media_ids)),
                LibraryItem.match_state == "matched",
                col(LibraryItem.missing_since).is_(None),
                col(LibraryItem.video_codec) != "",
                or_(col(LibraryItem.part_number).is_(None), col(LibraryItem.part_number) <= 1),
            )
            .order_by(
                col(LibraryItem.season_number),
                col(LibraryItem.episode_number),
                col(LibraryItem.height).desc(),
            )
        )
    )


def _episode_target(item: LibraryItem, verb: str) -> PlayTarget:
    label = f"{verb} S{item.season_number or 0:02d}E{item.episode_number or 0:02d}"
    return PlayTarget(str(item.id), label, player_href(item.id))


def _clock(seconds: int) -> str:
    hours, rest = divmod(max(0, seconds), 3600)
    minutes, seconds = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{seconds:02d}" if hours else f"{minutes}:{seconds:02d}"


def player_view(*, session: Session, user: User, item_id: uuid.UUID) -> PlayerView:
    """Everything the page needs to play an item; NotFound (with the reason) when it cannot be played."""
    playable = library_stream.playable_file(session=session, user=user, item_id=item_id)
    item = session.get(LibraryItem, item_id)
    assert item is not None  # playable_file found it
    media = session.get(MediaItem, item.media_id) if item.media_id and item.match_state == "matched" else None
    is_episode = media is not None and media.kind == "show" and item.episode_number is not None
    season = item.season_number if is_episode else None
    episode = item.episode_number if is_episode else None
    plan = library_stream.playback_plan(item)
    episodic = media is not None and season is not None and episode is not None
    episode_known = episodic and _episode_title(session, media, season, episode) is not None
    base = f"/api/v1/stream/{item.id}"
    return PlayerView(
        item_id=str(item.id),
        heading=media.title if media is not None else item.file_name,
        subheading=_subheading(session, media, season, episode),
        file_name=playable.file_name,
        media_id=media.id if media is not None else None,
        media_href=media_href(media.kind, media.id) if media is not None and media.id is not None else None,
        season_number=season,
        episode_number=episode,
        episode_known=episode_known,
        progress_note=_progress_note(media, season, episode, known=episode_known),
        backdrop_url=_backdrop(media),
        duration_seconds=item.duration_seconds,
        resume_seconds=_resume_at(session, user, media, season, episode, item.duration_seconds),
        mode=plan.mode,
        mode_reason=plan.reason,
        direct_url=base,
        direct_type=plan.browser_type,
        converted_url=f"{base}/converted",
        converted_type=CONVERTED_MEDIA_TYPE,
        subtitles=_subtitles(session, user, item.id),
        previous=_neighbour(session, item, media, season, episode, after=False) if episodic else None,
        next=_neighbour(session, item, media, season, episode, after=True) if episodic else None,
    )


def _progress_note(media: MediaItem | None, season: int | None, episode: int | None, *, known: bool) -> str:
    if media is None:
        return "This file is matched to no title, so where you stop is not remembered. Match it in the library."
    if season is not None and episode is not None and not known:
        return (
            f"The catalogue does not list S{season:02d}E{episode:02d} of {media.title} yet, so where you stop is "
            "not remembered."
        )
    return ""


def _subheading(session: Session, media: MediaItem | None, season: int | None, episode: int | None) -> str:
    if media is None:
        return ""
    if season is None or episode is None:
        return str(media.year) if media.year else ""
    return _episode_label(season, episode, _episode_title(session, media, season, episode))


def _episode_label(season: int, episode: int, title: str | None) -> str:
    code = f"S{season:02d}E{episode:02d}"
    return f"{code} · {title}" if title else code


def ensure_episode_list(*, media_id: int, season_number: int, settings: Settings) -> None:
    """Read a season's episodes from the provider when the catalogue has none yet: a file matched by the ID in
    its name can come before anyone opened the show. Blocking (network); a failure leaves things as they are,
    and the page then says that progress cannot be kept."""
    try:
        catalogue_sync.ensure_media(media_id=media_id, settings=settings)
        catalogue_sync.ensure_season(media_id=media_id, number=season_number, settings=settings)
    except NotFound:
        return  # the show lists no such season


def _episode_title(session: Session, media: MediaItem, season: int, episode: int) -> str | None:
    # "" for an episode the catalogue lists without a title.
    return session.exec(
        select(ShowEpisode.title).where(
            ShowEpisode.media_id == media.id,
            ShowEpisode.season_number == season,
            ShowEpisode.episode_number == episode,
        )
    ).first()


def _backdrop(media: MediaItem | None) -> str | None:
    if media is None:
        return None
    provider = media.source if media.source in ("tmdb", "demo") else "tmdb"
    return images.image_url(provider, "backdrop", media.backdrop_path, "lg")


def _resume_at(
    session: Session, user: User, media: MediaItem | None, season: int | None, episode: int | None, duration: int
) -> int:
    if media is None:
        return 0
    # A film's progress row is season 0, episode 0 (`seen.services.progress`).
    row = session.exec(
        select(PlaybackProgress).where(
            PlaybackProgress.user_id == user.id,
            PlaybackProgress.media_id == media.id,
            PlaybackProgress.season_number == (season or 0),
            PlaybackProgress.episode_number == (episode or 0),
        )
    ).first()
    if row is None or row.finished_at is not None:
        return 0
    length = duration or row.duration_seconds
    # Short files (a sample, a short film) get ends in proportion: a tenth of their length at most.
    start_margin = min(RESUME_MIN_SECONDS, length // 10)
    end_margin = min(RESUME_END_MARGIN_SECONDS, length // 10)
    if row.position_seconds < start_margin or row.position_seconds > length - end_margin:
        return 0
    return row.position_seconds


def _subtitles(session: Session, user: User, item_id: uuid.UUID) -> list[PlayerSubtitle]:
    tracks = library_stream.subtitle_tracks(session=session, user=user, item_id=item_id)
    return [
        PlayerSubtitle(
            id=str(track.id),
            label=subtitle_label(track.language, track.title, forced=track.forced),
            language=track.language.lower(),
            url=f"/api/v1/library/{item_id}/subtitles/{track.id}.vtt",
            default=track.default,
            forced=track.forced,
        )
        for track in tracks
        if track.text  # picture subtitles cannot be shown in a browser
    ]


def subtitle_label(language: str, title: str, *, forced: bool) -> str:
    code = language.lower()
    name = LANGUAGE_NAMES.get(code) or (code.upper() if code else "Unknown language")
    label = f"{name} (forced)" if forced else name
    return f"{label} · {title}" if title and title.lower() not in (code, name.lower()) else label


def _neighbour(
    session: Session,
    item: LibraryItem,
    media: MediaItem | None,
    season: int | None,
    episode: int | None,
    *,
    after: bool,
) -> EpisodeLink | None:
    assert media is not None and season is not None and episode is not None
    numbers = tuple_(col(LibraryItem.season_number), col(LibraryItem.episode_number))
    # A file holding two episodes (S01E01E02) is followed by the third.
    last = max([episode, *item.episode_numbers]) if after else episode
    here = tuple_(season, last)
    # Specials are watched on their own: the regular seasons lead to one another, season 0 to itself.
    same_part = col(LibraryItem.season_number) == 0 if season == 0 else col(LibraryItem.season_number) > 0
    statement = (
        select(LibraryItem)
        .where(
            LibraryItem.media_id == media.id,
            LibraryItem.match_state == "matched",
            col(LibraryItem.missing_since).is_(None),
            col(LibraryItem.episode_number).is_not(None),
            same_part,
            numbers > here if after else numbers < here,
            or_(col(LibraryItem.part_number).is_(None), col(LibraryItem.part_number) <= 1),
        )
        .order_by(
            col(LibraryItem.season_number) if after else col(LibraryItem.season_number).desc(),
            col(LibraryItem.episode_number) if after else col(LibraryItem.episode_number).desc(),
            col(LibraryItem.height).desc(),
        )
        .limit(1)
    )
    found = session.exec(statement).first()
    if found is None or found.season_number is None or found.episode_number is None:
        return None
    title = _episode_title(session, media, found.season_number, found.episode_number)
    return EpisodeLink(
        str(found.id), _episode_label(found.season_number, found.episode_number, title), player_href(found.id)
    )
