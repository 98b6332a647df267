"""What the player page is told about a library file (`seen.services.player`), on SQLite and PostgreSQL: the
title and episode, where to resume, how the browser can play the file, its subtitles, and the episodes before
and after it in the library."""

from __future__ import annotations

import shutil
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlmodel import Session

from seen.config import get_settings
from seen.models.library import LibraryItem, LibraryRoot, LibraryStream
from seen.models.users import User
from seen.providers.models import ExternalIds, MediaSummary
from seen.services import catalogue, dashboard, player, progress, tracking
from seen.services.errors import Forbidden, NotFound
from tests.fakes.provider_server import ProviderFake
from tests.library.conftest import Media
from tests.library.test_match import film, show_with_season
from tests.services.test_auth import make_user
from tests.services.test_catalogue_sync import no_backoff, providers

__all__ = ["no_backoff", "providers"]  # fixtures: the provider fake configured


@pytest.fixture
def viewer(session: Session) -> User:
    return make_user(session, "viewer@example.com")


@pytest.fixture
def folder(session: Session, tmp_path: Path) -> tuple[Path, uuid.UUID]:
    path = tmp_path / "library"
    path.mkdir()
    root = LibraryRoot(path=str(path.resolve()), label="Library")
    session.add(root)
    session.commit()
    return path, root.id


def add_file(
    session: Session,
    folder: tuple[Path, uuid.UUID],
    media: Media,
    name: str,
    *,
    media_id: int | None,
    season: int | None = None,
    episodes: tuple[int, ...] = (),
    height: int = 720,
    codecs: tuple[str, str, str] = ("mp4", "h264", "aac"),
    duration: int = 1800,
    missing: bool = False,
) -> LibraryItem:
    path, root_id = folder
    shutil.copyfile(media.mp4, path / name)
    container, video, audio = codecs
    item = LibraryItem(
        root_id=root_id,
        absolute_path=str((path / name).resolve()),
        relative_path=name,
        file_name=name,
        media_id=media_id,
        match_state="matched" if media_id else "unmatched",
        season_number=season,
        episode_number=episodes[0] if episodes else None,
        episode_numbers=list(episodes),
        height=height,
        container_format=container,
        video_codec=video,
        audio_codec=audio,
        duration_seconds=duration,
        missing_since=datetime.now(UTC) if missing else None,
    )
    session.add(item)
    session.commit()
    return item


def test_episodes_lead_to_the_next_file_in_the_library(session: Session, viewer: User, folder, media: Media) -> None:
    # Given a show with two seasons, and its files in the library: S01E02 twice, S01E03 gone from disk,
    # a double episode S01E05-E06, S02E01, and a special
    show = show_with_season(session, "Night Harbour", season=1, episodes=8, year=2020)
    assert show.id is not None
    episode = {
        key: add_file(session, folder, media, f"{key}.mp4", media_id=show.id, season=s, episodes=e, height=h)
        for key, s, e, h in (
            ("s01e01", 1, (1,), 720),
            ("s01e02-sd", 1, (2,), 480),
            ("s01e02-hd", 1, (2,), 1080),
            ("s01e04", 1, (4,), 720),
            ("s01e05e06", 1, (5, 6), 720),
            ("s01e07", 1, (7,), 720),
            ("s02e01", 2, (1,), 720),
            ("s00e01", 0, (1,), 720),
        )
    }
    add_file(session, folder, media, "s01e03.mp4", media_id=show.id, season=1, episodes=(3,), missing=True)

    def around(key: str) -> tuple[str | None, str | None]:
        view = player.player_view(session=session, user=viewer, item_id=episode[key].id)
        return (view.previous.label if view.previous else None, view.next.label if view.next else None)

    # Then each file leads to the next present episode, the best copy of it, and back
    first = player.player_view(session=session, user=viewer, item_id=episode["s01e01"].id)
    assert first.heading == "Night Harbour"
    assert first.subheading == "S01E01 · E1"
    assert (first.season_number, first.episode_number) == (1, 1)
    assert first.next is not None and first.next.item_id == str(episode["s01e02-hd"].id)
    assert first.next.href == f"/app/library/{episode['s01e02-hd'].id}/play"
    assert around("s01e01") == (None, "S01E02 · E2")
    assert around("s01e02-hd") == ("S01E01 · E1", "S01E04 · E4")  # S01E03's file is missing
    assert around("s01e04") == ("S01E02 · E2", "S01E05 · E5")
    assert around("s01e05e06") == ("S01E04 · E4", "S01E07 · E7")  # after the double episode: E07
    assert around("s01e07") == ("S01E05 · E5", "S02E01")  # season 2's episodes are not in the catalogue
    assert around("s02e01") == ("S01E07 · E7", None)
    # And specials lead only to specials
    assert around("s00e01") == (None, None)


def test_resume_at_the_saved_position_unless_it_is_at_either_end(
    session: Session, viewer: User, folder, media: Media
) -> None:
    movie = film(session, "Paper Moon Island", 2001, runtime=30)
    assert movie.id is not None
    item = add_file(session, folder, media, "paper.mp4", media_id=movie.id, duration=1800)

    def resume() -> int:
        return player.player_view(session=session, user=viewer, item_id=item.id).resume_seconds

    # Given no progress, Then the film starts at the beginning
    assert resume() == 0
    # A short file's ends are in proportion to it: 11 s into 24 s is worth resuming
    clip = add_file(session, folder, media, "clip.mp4", media_id=movie.id, duration=24)
    progress.record_progress(
        session=session, user_id=viewer.id, media_id=movie.id, position_seconds=11, duration_seconds=24
    )
    assert player.player_view(session=session, user=viewer, item_id=clip.id).resume_seconds == 11
    progress.clear_progress(session=session, user_id=viewer.id, media_id=movie.id)
    # Given the viewer stopped at 10 minutes, Then it resumes there
    progress.record_progress(
        session=session, user_id=viewer.id, media_id=movie.id, position_seconds=600, duration_seconds=1800
    )
    assert resume() == 600
    # A false start or the last seconds are not worth a jump
    progress.record_progress(
        session=session, user_id=viewer.id, media_id=movie.id, position_seconds=4, duration_seconds=1800
    )
    assert resume() == 0
    progress.record_progress(
        session=session, user_id=viewer.id, media_id=movie.id, position_seconds=1780, duration_seconds=1800
    )
    # 1780 s of 1800 passes the 90% threshold: the film is watched, the next round starts at 0
    assert resume() == 0
    # And another viewer's progress is theirs
    other = make_user(session, "other@example.com")
    progress.record_progress(
        session=session, user_id=other.id, media_id=movie.id, position_seconds=900, duration_seconds=1800
    )
    assert resume() == 0
    assert player.player_view(session=session, user=other, item_id=item.id).resume_seconds == 900


def test_how_the_file_plays_and_its_subtitles(session: Session, viewer: User, folder, media: Media) -> None:
    movie = film(session, "Glass Garden", 2012)
    mp4 = add_file(session, folder, media, "glass.mp4", media_id=movie.id)
    mkv = add_file(session, folder, media, "glass.mkv", media_id=movie.id, codecs=("mkv", "h264", "dts"))
    hevc = add_file(session, folder, media, "glass-hevc.mkv", media_id=None, codecs=("mkv", "hevc", "aac"))
    for index, (language, title, forced, external) in enumerate(
        (("eng", "", False, None), ("fre", "Signs", True, None), ("spa", "", False, "glass.es.vtt"))
    ):
        session.add(
            LibraryStream(
                library_item_id=mp4.id,
                stream_type="subtitle",
                stream_index=index,
                codec="srt" if not external else "vtt",
                format="srt" if not external else "vtt",
                language=language,
                title=title,
                is_forced=forced,
                external_path=str(folder[0] / external) if external else None,
            )
        )
    session.add(LibraryStream(library_item_id=mp4.id, stream_type="subtitle", stream_index=5, codec="pgs"))
    session.commit()

    # A film in MP4 plays as it is, titled with its year
    view = player.player_view(session=session, user=viewer, item_id=mp4.id)
    assert (view.mode, view.mode_reason) == ("direct", "")
    assert view.direct_url == f"/api/v1/stream/{mp4.id}"
    assert view.converted_url == f"/api/v1/stream/{mp4.id}/converted"
    assert view.direct_type.startswith('video/mp4; codecs="avc1.')
    assert (view.subheading, view.season_number, view.next) == ("2012", None, None)
    assert view.media_href == f"/app/movies/{movie.id}"
    # Its text subtitles are offered by language (the picture track is not)
    assert [(track.label, track.language) for track in view.subtitles] == [
        ("English", "eng"),
        ("French (forced) · Signs", "fre"),
        ("Spanish", "spa"),
    ]
    assert view.subtitles[0].url.endswith(f"/api/v1/library/{mp4.id}/subtitles/{view.subtitles[0].id}.vtt")
    # DTS audio is converted, HEVC video too; each says why
    mkv_view = player.player_view(session=session, user=viewer, item_id=mkv.id)
    assert mkv_view.mode == "transcode" and "DTS audio is converted to AAC" in mkv_view.mode_reason
    hevc_view = player.player_view(session=session, user=viewer, item_id=hevc.id)
    assert hevc_view.mode == "transcode" and "HEVC (H.265) video is converted to H.264" in hevc_view.mode_reason
    # An unmatched file plays under its name and keeps no position
    assert (hevc_view.heading, hevc_view.media_id, hevc_view.resume_seconds) == ("glass-hevc.mkv", None, 0)
    assert hevc_view.progress_note.startswith("This file is matched to no title")
    assert view.progress_note == ""


def test_what_cannot_be_played_says_why(session: Session, viewer: User, folder, media: Media) -> None:
    gone = add_file(session, folder, media, "gone.mp4", media_id=None, missing=True)
    deleted = add_file(session, folder, media, "deleted.mp4", media_id=None)
    Path(deleted.absolute_path).unlink()
    with pytest.raises(NotFound, match="did not find"):
        player.player_view(session=session, user=viewer, item_id=gone.id)
    with pytest.raises(NotFound, match="no longer on disk"):
        player.player_view(session=session, user=viewer, item_id=deleted.id)
    with pytest.raises(NotFound, match="No such library item"):
        player.player_view(session=session, user=viewer, item_id=uuid.uuid4())
    kept = add_file(session, folder, media, "kept.mp4", media_id=None)
    viewer.is_disabled = True
    session.add(viewer)
    session.commit()
    with pytest.raises(Forbidden):
        player.player_view(session=session, user=viewer, item_id=kept.id)


def test_an_episode_matched_before_its_season_was_read_fetches_it(
    session: Session, viewer: User, folder, media: Media, providers: ProviderFake
) -> None:
    # Given a show known only by its summary (matched by the TMDB id in a folder name), no episodes stored
    summary = MediaSummary(kind="show", ids=ExternalIds(tmdb=1399), title="Game of Thrones")
    show_id = catalogue.store_summary(session=session, summary=summary).id
    session.commit()
    item = add_file(session, folder, media, "got-s01e01.mp4", media_id=show_id, season=1, episodes=(1,))
    view = player.player_view(session=session, user=viewer, item_id=item.id)
    assert (view.episode_known, view.subheading) == (False, "S01E01")
    assert view.progress_note.startswith("The catalogue does not list S01E01 of Game of Thrones yet")
    # When the player asks for the season's episodes, Then the episode is known, with its title
    player.ensure_episode_list(media_id=show_id, season_number=1, settings=get_settings())
    session.expire_all()
    view = player.player_view(session=session, user=viewer, item_id=item.id)
    assert view.episode_known and view.subheading == "S01E01 · Winter Is Coming"
    assert view.progress_note == ""
    # And playback progress can be kept for it
    state = progress.record_progress(
        session=session, user_id=viewer.id, media_id=show_id, position_seconds=60,
        duration_seconds=3600, season_number=1, episode_number=1,
    )  # fmt: skip
    assert state.position_seconds == 60
    # A season the show does not have changes nothing
    player.ensure_episode_list(media_id=show_id, season_number=99, settings=get_settings())


def test_play_on_a_title_page_starts_the_right_file(session: Session, viewer: User, folder, media: Media) -> None:
    show = show_with_season(session, "River Station", season=1, episodes=6, year=2018)
    movie = film(session, "Iron Winter", 1999)
    assert show.id is not None and movie.id is not None

    def target(media_id: int) -> tuple[str, str] | None:
        found = player.play_target(session=session, user_id=viewer.id, media_id=media_id)
        return (found.label, found.item_id) if found else None

    # Given no file of either, Then there is nothing to play
    assert target(show.id) is None and target(movie.id) is None
    # Given the film in two qualities, Then "Play" starts the better one, and resumes once started
    add_file(session, folder, media, "iron-sd.mp4", media_id=movie.id, height=480, duration=6000)
    best = add_file(session, folder, media, "iron-hd.mp4", media_id=movie.id, height=1080, duration=6000)
    assert target(movie.id) == ("Play", str(best.id))
    progress.record_progress(
        session=session, user_id=viewer.id, media_id=movie.id, position_seconds=3725, duration_seconds=6000
    )
    assert target(movie.id) == ("Resume from 1:02:05", str(best.id))

    # Given episodes 2, 3 and 5 and a special of the show, and nothing watched: the first regular one
    files = {
        number: add_file(session, folder, media, f"river-{number}.mp4", media_id=show.id, season=1, episodes=(number,))
        for number in (2, 3, 5)
    }
    add_file(session, folder, media, "river-special.mp4", media_id=show.id, season=0, episodes=(1,))
    assert target(show.id) == ("Play S01E02", str(files[2].id))
    # Given episodes 1 to 3 watched (3 elsewhere, its file is here): the next file after the last one watched
    for number in (1, 2, 3):
        tracking.mark_watched(
            session=session, user_id=viewer.id, media_id=show.id, season_number=1, episode_number=number
        )
    session.commit()
    assert target(show.id) == ("Play S01E05", str(files[5].id))
    # Given an episode half watched, whose file is here: resume it
    progress.record_progress(
        session=session, user_id=viewer.id, media_id=show.id, position_seconds=600,
        duration_seconds=1800, season_number=1, episode_number=3,
    )  # fmt: skip
    assert target(show.id) == ("Resume S01E03", str(files[3].id))
    # And another viewer starts from the beginning
    other = make_user(session, "other@example.com")
    assert player.play_target(session=session, user_id=other.id, media_id=show.id).label == "Play S01E02"


def test_continue_watching_opens_the_player_when_the_file_is_here(
    session: Session, viewer: User, folder, media: Media
) -> None:
    show = show_with_season(session, "Harbour Lights", season=1, episodes=3, year=2021)
    here, elsewhere = film(session, "Blue Road", 2003), film(session, "Silent Empire", 2004)
    assert show.id is not None and here.id is not None and elsewhere.id is not None
    film_file = add_file(session, folder, media, "blue-road.mp4", media_id=here.id, duration=3600)
    episode_file = add_file(session, folder, media, "hl-s01e02.mp4", media_id=show.id, season=1, episodes=(2,))
    # Given three titles started, of which the library has the film and the show's episode 2
    for media_id, season, episode in ((here.id, None, None), (elsewhere.id, None, None), (show.id, 1, 2)):
        progress.record_progress(
            session=session, user_id=viewer.id, media_id=media_id, position_seconds=300,
            duration_seconds=3600, season_number=season, episode_number=episode,
        )  # fmt: skip
    session.commit()
    # When the dashboard is read, Then those two link to their player pages, the other one to nothing
    found = dashboard.dashboard(session=session, user_id=viewer.id)
    assert {item.media.id for item in found.continue_watching} == {here.id, elsewhere.id, show.id}
    assert found.continue_player_hrefs == {
        player.playable_key(here.id, None, None): f"/app/library/{film_file.id}/play",
        player.playable_key(show.id, 1, 2): f"/app/library/{episode_file.id}/play",
    }
    # And the file of another episode does not stand in for the one in progress
    assert player.player_hrefs(session=session, wanted=[(show.id, 1, 3)]) == {}
