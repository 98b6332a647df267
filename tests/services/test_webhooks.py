"""Scrobbling webhooks, on SQLite and PostgreSQL: reading Plex and Jellyfin payloads (pure, from a table of
recorded shapes), finding the title, and what lands in the user's history and progress, once."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import Session, select

from seen.models.tracking import Rating, WatchEvent
from seen.providers.models import Episode, ExternalIds, MediaDetails, MediaSummary, Season
from seen.services import auth, catalogue, progress, tracking, webhooks
from seen.services.errors import InvalidInput, NotFound
from seen.services.webhooks import Ignored, Playback
from tests.conftest import SHARED

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "webhooks"
PLEX_TRACK = SHARED / "corpora" / "imports" / "webhooks" / "plex" / "plex_media.play_track.telegraf-mock.json"
BASE_URL = "https://seen.example"


def payload(name: str) -> dict[str, Any]:
    return json.loads((FIXTURES / f"{name}.json").read_text())


def seed_catalogue(session: Session) -> dict[str, int]:
    """The Matrix (ids at TMDB and IMDb), Heat (no ids we would receive) and Breaking Bad's first season."""
    matrix = catalogue.store_details(
        session=session,
        details=MediaDetails(
            summary=MediaSummary(
                kind="movie", ids=ExternalIds(tmdb=603, imdb="tt0133093"), title="The Matrix", year=1999
            ),
            runtime=136,
        ),
    ).id
    heat = catalogue.store_details(
        session=session,
        details=MediaDetails(
            summary=MediaSummary(kind="movie", ids=ExternalIds(tmdb=949), title="Heat", year=1995), runtime=170
        ),
    ).id
    episodes = tuple(
        Episode(1, number, title, runtime=runtime, ids=ExternalIds(tmdb=tmdb_id))
        for number, title, runtime, tmdb_id in (
            (1, "Pilot", 58, 62085),
            (2, "Cat's in the Bag...", 48, 62086),
            (3, "...And the Bag's in the River", 48, 62087),
        )
    )
    show = catalogue.store_details(
        session=session,
        details=MediaDetails(
            summary=MediaSummary(kind="show", ids=ExternalIds(tmdb=1396, tvdb=81189), title="Breaking Bad", year=2008),
            runtime=47,
            seasons=(Season(1, "Season 1", episodes=episodes),),
        ),
    ).id
    session.commit()
    return {"matrix": matrix, "heat": heat, "show": show}


@pytest.fixture
def titles(session: Session) -> dict[str, int]:
    return seed_catalogue(session)


@pytest.fixture
def ada(session: Session):
    user = auth.create_user(session=session, email="ada@example.com", password="correct horse 1")
    session.commit()
    return user.id


@pytest.fixture
def token(session: Session, ada) -> str:
    urls = webhooks.regenerate_token(session=session, user_id=ada, base_url=BASE_URL)
    session.commit()
    return urls.plex.rsplit("/", 1)[1]


def viewings(session: Session, user_id) -> list[tuple[int, int | None, int | None]]:
    rows = session.exec(select(WatchEvent).where(WatchEvent.user_id == user_id).order_by(WatchEvent.id)).all()
    return [(row.media_id, row.season_number, row.episode_number) for row in rows]


# -- reading payloads (pure) ------------------------------------------------------------------------------

PARSED = [
    # fixture, reader, action, kind, title, ids, episode tmdb id, season, episode, position, duration
    ("plex_movie_scrobble", "plex", "watched", "movie", "The Matrix", ExternalIds(603, "tt0133093", 169), None,
     None, None, 7400, 8160),
    ("plex_movie_pause", "plex", "progress", "movie", "The Matrix", ExternalIds(imdb="tt0133093"), None,
     None, None, 1800, 8160),
    ("plex_episode_legacy_play", "plex", "progress", "show", "Breaking Bad", ExternalIds(tvdb=81189), None,
     1, 2, 600, 2820),
    ("plex_episode_scrobble", "plex", "watched", "show", "Breaking Bad", ExternalIds(), 62087, 1, 3, 2600, 2820),
    ("jellyfin_movie_progress", "jellyfin", "progress", "movie", "The Matrix", ExternalIds(603, "tt0133093"), None,
     None, None, 2400, 8160),
    ("jellyfin_episode_stop_completed", "jellyfin", "watched", "show", "Breaking Bad", ExternalIds(), None,
     1, 1, 3450, 3480),
    ("jellyfin_played_to_completion", "jellyfin", "watched", "movie", "Heat", ExternalIds(), None,
     None, None, 10100, 10200),
]  # fmt: skip


@pytest.mark.parametrize(
    ("fixture", "reader", "action", "kind", "title", "ids", "episode_tmdb", "season", "episode", "position", "length"),
    PARSED,
)
def test_payloads_are_read_into_playbacks(
    fixture, reader, action, kind, title, ids, episode_tmdb, season, episode, position, length
):
    # Given a recorded payload shape, When it is read
    read = webhooks.plex_playback if reader == "plex" else webhooks.jellyfin_playback
    found = read(payload(fixture))
    # Then the action, the title's ids and numbers and the times in seconds are what the server meant
    assert isinstance(found, Playback)
    assert (found.action, found.title.kind, found.title.title, found.title.ids) == (action, kind, title, ids)
    assert found.title.episode_tmdb_id == episode_tmdb
    assert (found.title.season_number, found.title.episode_number) == (season, episode)
    assert (found.position_seconds, found.duration_seconds) == (position, length)


def test_a_plex_rating_becomes_half_stars():
    found = webhooks.plex_playback(payload("plex_movie_rate"))
    assert isinstance(found, Playback) and found.action == "rating" and found.rating == 4.5


@pytest.mark.parametrize(
    ("reader", "body", "reason"),
    [
        ("plex", json.loads(PLEX_TRACK.read_text()), "track"),
        ("plex", payload("plex_library_new"), "library.new"),
        ("plex", {**payload("plex_movie_scrobble"), "user": False}, "another Plex user"),
        ("plex", {"event": "media.play"}, "no Metadata"),
        ("plex", {**payload("plex_movie_rate"), "rating": 0}, "rating"),
        ("jellyfin", payload("jellyfin_audio_stop"), "Audio"),
        ("jellyfin", {"NotificationType": "ItemAdded", "ItemType": "Movie"}, "ItemAdded"),
        ("jellyfin", {}, "(none)"),
    ],
)
def test_payloads_we_cannot_use_are_ignored_with_a_reason(reader, body, reason):
    read = webhooks.plex_playback if reader == "plex" else webhooks.jellyfin_playback
    found = read(body)
    assert isinstance(found, Ignored) and reason in found.reason


@pytest.mark.parametrize(
    ("guid", "expected"),
    [
        ("tmdb://603", ("tmdb", ["603"])),
        ("com.plexapp.agents.imdb://tt0133093?lang=en", ("imdb", ["tt0133093"])),
        ("com.plexapp.agents.thetvdb://81189/1/2?lang=en", ("tvdb", ["81189", "1", "2"])),
        ("com.plexapp.agents.themoviedb://603?lang=en", ("tmdb", ["603"])),
        ("plex://movie/5d7768e9ad5437001f7f6b2c", None),
        ("local://42", None),
        ("", None),
        (None, None),
    ],
)
def test_plex_guids(guid, expected):
    assert webhooks.plex_guid(guid) == expected


def test_malformed_ids_are_dropped_not_guessed():
    found = webhooks.jellyfin_playback(
        {**payload("jellyfin_movie_progress"), "Provider_tmdb": "603; drop table", "Provider_imdb": "nm0000206"}
    )
    assert isinstance(found, Playback) and found.title.ids == ExternalIds()


@pytest.mark.parametrize("raw", [b"not json", b"[1, 2]", b"\xff\xfe", b'"text"'])
def test_a_body_that_is_not_a_json_object_is_invalid_input(raw):
    with pytest.raises(InvalidInput):
        webhooks.parse_json(raw)


# -- tokens ----------------------------------------------------------------------------------------------


def test_urls_are_per_user_secret_and_can_be_replaced_or_turned_off(session: Session, ada):
    # Given Ada has no webhook yet
    assert webhooks.webhook_urls(session=session, user_id=ada, base_url=BASE_URL) is None
    # When she turns it on, Then both URLs carry one long random secret
    first = webhooks.regenerate_token(session=session, user_id=ada, base_url=BASE_URL + "/")
    secret = first.plex.rsplit("/", 1)[1]
    assert first.plex == f"{BASE_URL}/api/v1/webhooks/plex/{secret}"
    assert first.jellyfin == f"{BASE_URL}/api/v1/webhooks/jellyfin/{secret}"
    assert len(secret) >= 40
    assert webhooks.user_for_token(session=session, token=secret) == ada
    # When she replaces it, Then the old secret is not found any more
    second = webhooks.regenerate_token(session=session, user_id=ada, base_url=BASE_URL)
    assert second != first
    with pytest.raises(NotFound):
        webhooks.user_for_token(session=session, token=secret)
    # When she turns webhooks off, Then no URL is left and the last secret is not found either
    webhooks.disable_webhooks(session=session, user_id=ada)
    assert webhooks.webhook_urls(session=session, user_id=ada, base_url=BASE_URL) is None
    with pytest.raises(NotFound):
        webhooks.user_for_token(session=session, token=second.plex.rsplit("/", 1)[1])


@pytest.mark.parametrize("bad", ["", "x" * 65, "nope"])
def test_unknown_tokens_are_not_found(session: Session, token, bad):
    with pytest.raises(NotFound) as raised:
        webhooks.receive(session=session, source="plex", token=bad, payload=payload("plex_movie_scrobble"))
    assert raised.value.message == "Not found"


def test_a_disabled_account_cannot_scrobble(session: Session, ada, token, titles):
    user = auth.get_user(session=session, user_id=ada)
    user.is_disabled = True
    session.add(user)
    session.commit()
    with pytest.raises(NotFound):
        webhooks.receive(session=session, source="plex", token=token, payload=payload("plex_movie_scrobble"))


# -- matching and recording ---------------------------------------------------------------------------------


def test_a_plex_scrobble_records_one_viewing_and_repeats_are_ignored(session: Session, ada, token, titles):
    # Given Plex says Ada finished The Matrix
    first = webhooks.receive(session=session, source="plex", token=token, payload=payload("plex_movie_scrobble"))
    session.commit()
    # Then one viewing is in her history, found by its TMDB id
    assert (first.action, first.media_id) == ("watched", titles["matrix"])
    assert viewings(session, ada) == [(titles["matrix"], None, None)]
    # When Plex sends it again, and Jellyfin reports the same viewing a minute later
    again = webhooks.receive(session=session, source="plex", token=token, payload=payload("plex_movie_scrobble"))
    jellyfin = webhooks.receive(
        session=session,
        source="jellyfin",
        token=token,
        payload={**payload("jellyfin_movie_progress"), "NotificationType": "PlayedToCompletion"},
    )
    session.commit()
    # Then both are acknowledged as duplicates and nothing is added
    assert again.action == jellyfin.action == "duplicate"
    assert len(viewings(session, ada)) == 1
    # And the finished movie does not wait in "continue watching"
    assert progress.continue_watching(session=session, user_id=ada) == []


def test_progress_past_the_threshold_counts_once_even_when_a_scrobble_follows(session: Session, ada, token, titles):
    # Given Ada paused The Matrix after 30 minutes
    paused = webhooks.receive(session=session, source="plex", token=token, payload=payload("plex_movie_pause"))
    session.commit()
    assert paused.action == "progress"
    [state] = progress.progress_for(session=session, user_id=ada, media_id=titles["matrix"])
    assert (state.position_seconds, state.duration_seconds, state.finished) == (1800, 8160, False)
    assert viewings(session, ada) == []
    # When she stops at 95% (past her 90% threshold)
    stop = {**payload("plex_movie_pause"), "event": "media.stop"}
    stop["Metadata"] = {**stop["Metadata"], "viewOffset": 7752000}
    webhooks.receive(session=session, source="plex", token=token, payload=stop)
    session.commit()
    # Then the viewing is recorded by the progress, and the scrobble right after is a duplicate
    assert viewings(session, ada) == [(titles["matrix"], None, None)]
    scrobble = webhooks.receive(session=session, source="plex", token=token, payload=payload("plex_movie_scrobble"))
    session.commit()
    assert scrobble.action == "duplicate"
    assert len(viewings(session, ada)) == 1


def test_the_same_progress_event_twice_is_ignored_the_next_one_counts(session: Session, ada, token, titles):
    body = payload("jellyfin_movie_progress")
    assert webhooks.receive(session=session, source="jellyfin", token=token, payload=body).action == "progress"
    assert webhooks.receive(session=session, source="jellyfin", token=token, payload=body).action == "duplicate"
    later = {**body, "PlaybackPositionTicks": 30_000_000_000}
    assert webhooks.receive(session=session, source="jellyfin", token=token, payload=later).action == "progress"
    session.commit()
    [state] = progress.progress_for(session=session, user_id=ada, media_id=titles["matrix"])
    assert state.position_seconds == 3000


def test_episodes_are_found_by_the_show_id_the_episode_id_or_the_show_title(session: Session, ada, token, titles):
    show = titles["show"]
    # Given a legacy Plex agent's episode (the show's TVDB id in the guid)
    legacy = webhooks.receive(session=session, source="plex", token=token, payload=payload("plex_episode_legacy_play"))
    # And a new Plex agent's episode known only by the episode's own TMDB id
    modern = webhooks.receive(session=session, source="plex", token=token, payload=payload("plex_episode_scrobble"))
    # And a Jellyfin episode known only by the show's name and the numbers
    by_name = webhooks.receive(
        session=session, source="jellyfin", token=token, payload=payload("jellyfin_episode_stop_completed")
    )
    session.commit()
    # Then each reached the right episode of Breaking Bad
    assert (legacy.action, legacy.media_id, legacy.season_number, legacy.episode_number) == ("progress", show, 1, 2)
    assert (modern.action, modern.media_id, modern.season_number, modern.episode_number) == ("watched", show, 1, 3)
    assert (by_name.action, by_name.season_number, by_name.episode_number) == ("watched", 1, 1)
    assert sorted(viewings(session, ada)) == [(show, 1, 1), (show, 1, 3)]
    assert tracking.watched_episodes(session=session, user_id=ada, media_id=show) == {(1, 1), (1, 3)}


def test_movies_are_found_by_title_and_year_when_no_id_is_known(session: Session, ada, token, titles):
    found = webhooks.receive(
        session=session, source="jellyfin", token=token, payload=payload("jellyfin_played_to_completion")
    )
    session.commit()
    assert (found.action, found.media_id) == ("watched", titles["heat"])
    wrong_year = {**payload("jellyfin_played_to_completion"), "Year": 2001}
    assert webhooks.receive(session=session, source="jellyfin", token=token, payload=wrong_year).action == "ignored"


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (payload("plex_unknown_movie_scrobble"), "no film titled 'A Film Nobody Catalogued' (2003)"),
        (json.loads(PLEX_TRACK.read_text()), "track"),
        ({**payload("plex_episode_scrobble"), "Metadata": {"type": "episode", "grandparentTitle": "Breaking Bad",
          "parentIndex": 9, "index": 9, "duration": 60000}}, "no episode S09E09"),
        ({**payload("jellyfin_movie_progress"), "RunTimeTicks": None}, "how long"),
    ],
)  # fmt: skip
def test_what_cannot_be_recorded_is_acknowledged_with_the_reason(session: Session, ada, token, titles, body, reason):
    source = "jellyfin" if "NotificationType" in body else "plex"
    found = webhooks.receive(session=session, source=source, token=token, payload=body)
    session.commit()
    assert found.action == "ignored" and reason in (found.ignored or "")
    assert viewings(session, ada) == []
    assert progress.progress_for(session=session, user_id=ada, media_id=titles["matrix"]) == []


def test_a_title_the_catalogue_lacks_is_fetched_from_the_provider_by_its_id(
    session: Session, ada, token, titles, fake, urls, settings_env
):
    # Given TMDB is configured (the local fake) and Fight Club (TMDB 550) is not in the catalogue yet
    settings_env(**{name.removeprefix("SEEN_"): value for name, value in urls.settings_env(fake).items()})
    body = payload("plex_unknown_movie_scrobble")
    body["Metadata"] = {**body["Metadata"], "title": "Fight Club", "year": 1999, "Guid": [{"id": "tmdb://550"}]}
    # When Plex says Ada finished it
    found = webhooks.receive(session=session, source="plex", token=token, payload=body)
    session.commit()
    # Then the title is stored from TMDB's answer and the viewing is hers
    assert found.action == "watched" and found.media_id not in titles.values()
    assert viewings(session, ada) == [(found.media_id, None, None)]
    assert catalogue.find_media(session=session, identity=catalogue.Identity("movie", ExternalIds(tmdb=550)))
    assert [request.path for request in fake.requests] == ["/3/movie/550"]


def test_a_plex_rating_sets_the_users_rating(session: Session, ada, token, titles):
    found = webhooks.receive(session=session, source="plex", token=token, payload=payload("plex_movie_rate"))
    session.commit()
    assert found.action == "rated"
    assert session.exec(select(Rating.rating).where(Rating.user_id == ada)).all() == [4.5]


def test_a_failed_write_leaves_no_duplicate_marker(session: Session, ada, token, titles, monkeypatch):
    # Given recording the viewing fails once (the database went away mid-request)
    def broken(**_kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(tracking, "mark_watched", broken)
    monkeypatch.setattr(progress, "record_progress", broken)
    with pytest.raises(RuntimeError):
        webhooks.receive(session=session, source="plex", token=token, payload=payload("plex_movie_scrobble"))
    session.rollback()
    monkeypatch.undo()
    # When Plex retries, Then the retry is recorded, not taken for a duplicate
    retried = webhooks.receive(session=session, source="plex", token=token, payload=payload("plex_movie_scrobble"))
    session.commit()
    assert retried.action == "watched" and len(viewings(session, ada)) == 1
