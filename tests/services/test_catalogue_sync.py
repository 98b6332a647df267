"""The catalogue sync against the local fake TMDB/IGDB (recorded responses over HTTP) and the demo catalogue,
on both database engines: sections, details, seasons, people, retries, the sync log, database-first reads."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlmodel import Session, col, select

from seen.models import media as tables
from seen.providers.models import ExternalIds, MediaSummary
from seen.services import catalogue, catalogue_sync, catalogue_views, provider_admin
from seen.services.errors import NotFound
from tests.fakes.provider_server import FakeUrls, ProviderFake


@pytest.fixture
def no_backoff(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(catalogue_sync, "RETRY_BASE_SECONDS", 0.0)
    monkeypatch.setattr(catalogue_sync, "RETRY_CAP_SECONDS", 0.0)


@pytest.fixture
def providers(backend, settings_env, urls: FakeUrls, fake: ProviderFake, no_backoff) -> ProviderFake:
    """TMDB and IGDB configured against the fake, with its credentials."""
    settings_env(**{name.removeprefix("SEEN_"): value for name, value in urls.settings_env(fake).items()})
    return fake


@pytest.fixture
def queued(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, dict]]:
    sent: list[tuple[str, dict]] = []
    monkeypatch.setattr(catalogue_sync, "enqueue", lambda actor, **kwargs: sent.append((actor, kwargs)))
    return sent


def _section_ids(session: Session, section: str, kind: str) -> list[int]:
    session.expire_all()
    return list(
        session.exec(
            select(tables.DiscoverEntry.media_id)
            .where(tables.DiscoverEntry.section == section, tables.DiscoverEntry.kind == kind)
            .order_by(col(tables.DiscoverEntry.position))
        )
    )


def _log(session: Session, target_prefix: str) -> list[tables.SyncLogEntry]:
    session.expire_all()
    return list(
        session.exec(
            select(tables.SyncLogEntry)
            .where(col(tables.SyncLogEntry.target).startswith(target_prefix))
            .order_by(col(tables.SyncLogEntry.id))
        )
    )


def test_trending_sync_stores_titles_and_the_section_order(providers: ProviderFake, session: Session):
    # Given TMDB configured against the fake
    # When the trending job runs
    report = catalogue_sync.sync_sections(job="trending")
    # Then both kinds were fetched from TMDB, stored, and the section lists them in the provider's order
    movies = _section_ids(session, "trending", "movie")
    shows = _section_ids(session, "trending", "show")
    assert movies and shows, report
    assert providers.requests_to("/3/trending/movie/day")
    page = catalogue_views.discover_section(session=session, section="trending", kind="movie", page=1, page_size=5)
    assert [card.id for card in page.items] == movies[:5]
    assert all(card.title and card.type == "movie" and card.href == f"/app/movies/{card.id}" for card in page.items)
    assert page.total == len(movies)
    # And every call is in the sync log as a success
    assert {entry.status for entry in _log(session, "section:trending")} == {"ok"}


def test_a_list_synced_before_the_genres_still_stores_its_titles_genres(providers: ProviderFake, session: Session):
    # Given a new install: no genre is known yet (the genre sync has not run)
    assert session.exec(select(tables.Genre)).first() is None
    # When the trending job runs first
    catalogue_sync.sync_sections(job="trending")
    # Then it fetched the genre lists it needed, once per kind, and the listed titles have their genres
    assert len(providers.requests_to("/3/genre/movie/list")) == 1
    assert len(providers.requests_to("/3/genre/tv/list")) == 1
    movies = _section_ids(session, "trending", "movie")
    with_genres = session.exec(
        select(tables.MediaGenre.media_id).where(col(tables.MediaGenre.media_id).in_(movies)).distinct()
    ).all()
    assert len(with_genres) >= len(movies) * 0.8, (len(with_genres), len(movies))
    # And a later sync, with every genre known, asks for no genre list again
    catalogue_sync.sync_sections(job="trending")
    assert len(providers.requests_to("/3/genre/movie/list")) == 1


def test_game_lists_come_from_igdb(providers: ProviderFake, session: Session):
    catalogue_sync.sync_sections(job="games")
    recent = _section_ids(session, "recent_games", "game")
    assert recent
    game = session.get(tables.MediaItem, recent[0])
    assert game.kind == "game" and game.source == "igdb"
    assert providers.requests_to("/v4/games")


def test_a_provider_that_stays_down_keeps_the_previous_section(providers: ProviderFake, session: Session):
    # Given a synced popular list
    catalogue_sync.sync_sections(job="lists")
    before = _section_ids(session, "popular", "movie")
    assert before
    # When TMDB answers 503 to every attempt (and to the chokepoint's own retries)
    providers.fail_next("/3/movie/popular", times=100, status=503)
    report = catalogue_sync.sync_sections(job="lists")
    # Then the section still holds what was there, the report says so, and the log has each attempt
    assert _section_ids(session, "popular", "movie") == before
    assert any("section:popular:movie: kept previous" in line for line in report)
    attempts = [e for e in _log(session, "section:popular:movie") if e.status != "ok"]
    assert [e.status for e in attempts] == ["retry", "retry", "failed"]
    assert [e.attempt for e in attempts] == [1, 2, 3]
    assert "unavailable" in attempts[-1].detail


def test_a_refused_key_is_not_retried_and_is_reported_to_admins(
    providers: ProviderFake, settings_env, session: Session
):
    # Given a wrong TMDB key
    settings_env(TMDB_API_KEY="wrong-key")
    # When the trending job runs
    report = catalogue_sync.sync_sections(job="trending")
    # Then nothing was stored, one failed attempt per list was logged, and admins see the problem
    assert _section_ids(session, "trending", "movie") == []
    assert all("kept previous" in line for line in report)
    failed = _log(session, "section:trending:movie")
    assert [(e.status, e.attempt) for e in failed] == [("failed", 1)]
    tmdb = next(s for s in provider_admin.provider_statuses(session=session) if s.name == "tmdb")
    assert tmdb.last_error and "credentials refused" in tmdb.last_error


def test_missing_details_are_fetched_on_first_read(providers: ProviderFake, session: Session):
    # Given a title known only from a list (Fight Club, TMDB 550)
    summary = MediaSummary(kind="movie", ids=ExternalIds(tmdb=550), title="Fight Club")
    media_id = catalogue.store_summary(session=session, summary=summary).id
    session.commit()
    assert catalogue_views.media_view(session=session, media_id=media_id).details_loaded is False
    # When a page reads it
    freshness = catalogue_sync.ensure_media(media_id=media_id, settings=providers_settings(session))
    # Then the details were fetched and stored: cast linking to people, genres, release dates, related titles
    assert freshness.state == "fresh"
    session.expire_all()
    view = catalogue_views.media_view(session=session, media_id=media_id)
    assert view.details_loaded and view.runtime and view.genres
    assert view.cast and view.cast[0].href.startswith("/app/people/")
    assert view.external_ids["tmdb"] == "550"
    assert view.release_dates
    # And the person page lists the film
    person = catalogue_views.person_view(session=session, person_id=view.cast[0].person_id)
    assert any(line.media.id == media_id for line in person.credits)


def providers_settings(session: Session):
    from seen.services import app_settings

    return app_settings.provider_settings(session=session)


def test_stale_details_are_served_and_refreshed_in_the_background(
    providers: ProviderFake, session: Session, queued: list
):
    summary = MediaSummary(kind="movie", ids=ExternalIds(tmdb=550), title="Fight Club")
    media_id = catalogue.store_summary(session=session, summary=summary).id
    session.commit()
    catalogue_sync.refresh_media(media_id=media_id)
    # Given details older than the stale age
    row = session.get(tables.MediaItem, media_id)
    row.details_synced_at = datetime.now(UTC) - timedelta(days=30)
    session.add(row)
    session.commit()
    settings = providers_settings(session)
    # When the title is read twice
    first = catalogue_sync.ensure_media(media_id=media_id, settings=settings)
    second = catalogue_sync.ensure_media(media_id=media_id, settings=settings)
    # Then both reads are served at once and one refresh job was queued
    assert first.state == second.state == "stale"
    assert queued == [("catalogue.refresh_media", {"media_id": media_id})]


def test_a_failed_first_fetch_leaves_a_notice_not_an_error(providers: ProviderFake, session: Session):
    # Given a title the provider no longer has
    summary = MediaSummary(kind="movie", ids=ExternalIds(tmdb=987654321), title="Nowhere")
    media_id = catalogue.store_summary(session=session, summary=summary).id
    session.commit()
    providers.fail_next("/3/movie/987654321", times=10, status=404)
    # When a page reads it, it gets what is stored and a notice
    freshness = catalogue_sync.ensure_media(media_id=media_id, settings=providers_settings(session))
    assert freshness.state == "missing"
    assert freshness.notice and "could not be loaded" in freshness.notice
    assert catalogue_views.media_view(session=session, media_id=media_id).title == "Nowhere"


def test_an_answer_about_another_title_is_not_stored(providers: ProviderFake, session: Session):
    # Given a title whose id the fake answers with a recorded payload of another film (routing by placeholder)
    summary = MediaSummary(kind="movie", ids=ExternalIds(tmdb=123456789), title="Somewhere")
    media_id = catalogue.store_summary(session=session, summary=summary).id
    session.commit()
    # When its details are fetched, they are refused rather than attached to the wrong row
    with pytest.raises(catalogue_sync.SyncFailed):
        catalogue_sync.refresh_media(media_id=media_id)
    session.expire_all()
    assert session.get(tables.MediaItem, media_id).title == "Somewhere"


def test_show_details_store_seasons_and_a_season_fetches_its_episodes(providers: ProviderFake, session: Session):
    summary = MediaSummary(kind="show", ids=ExternalIds(tmdb=1399), title="Game of Thrones")
    media_id = catalogue.store_summary(session=session, summary=summary).id
    session.commit()
    catalogue_sync.refresh_media(media_id=media_id)
    view = catalogue_views.media_view(session=session, media_id=media_id)
    assert view.seasons and view.number_of_seasons
    season_number = next(s.number for s in view.seasons if s.number == 1)
    freshness = catalogue_sync.ensure_season(
        media_id=media_id, number=season_number, settings=providers_settings(session)
    )
    assert freshness.state == "fresh"
    season = catalogue_views.season_view(session=session, media_id=media_id, number=1)
    assert season.episodes and season.episodes[0].episode_number == 1 and season.episodes[0].title
    with pytest.raises(NotFound):
        catalogue_views.season_view(session=session, media_id=media_id, number=999)


def test_genres_and_platforms_sync_from_both_providers(providers: ProviderFake, session: Session):
    catalogue_sync.sync_genres()
    kinds = {genre.type for genre in catalogue_views.list_genres(session=session)}
    assert kinds == {"movie", "show", "game"}
    names = session.exec(select(tables.Platform.name)).all()
    assert names and not any(name.startswith("Platform ") for name in names)


def test_the_demo_catalogue_fills_every_section_without_keys(backend, session: Session, no_backoff):
    # Given no provider keys
    # When every section job runs
    for job in ("trending", "lists", "games"):
        catalogue_sync.sync_sections(job=job, today=date(2026, 11, 22))
    # Then every section has titles, all from the demo catalogue, and the sources say "demo"
    for section, spec in catalogue_views.SECTIONS.items():
        for kind in spec.kinds:
            assert _section_ids(session, section, kind), (section, kind)
    assert set(catalogue_views.catalogue_sources(session=session).values()) == {"demo"}
    # And a demo show has seasons with episodes, a demo film has credits
    show_id = _section_ids(session, "popular", "show")[0]
    show = catalogue_views.media_view(session=session, media_id=show_id)
    assert show.details_loaded and show.seasons
    season = catalogue_views.season_view(session=session, media_id=show_id, number=show.seasons[0].number)
    assert season.episodes
    film = catalogue_views.media_view(session=session, media_id=_section_ids(session, "top_rated", "movie")[0])
    assert film.crew or film.cast
    assert film.poster_url and film.poster_url.startswith("/api/v1/images/demo/")


def test_the_demo_catalogue_is_stored_once_and_updated_in_place(backend, session: Session):
    # Given a first start: the bundled catalogue is stored (with its games' add-ons as titles of their own)
    first = catalogue_sync.seed_demo()
    rows = {row.id: row.title for row in session.exec(select(tables.MediaItem))}
    assert first > 300 and len(rows) > first
    # When the app starts again, nothing is stored twice
    assert catalogue_sync.seed_demo() == 0
    # And when a newer bundled catalogue arrives, the titles keep their ids
    from seen.services import app_settings

    app_settings.store_value(session=session, key=catalogue_sync.DEMO_MARKER, value="an older version")
    session.commit()
    assert catalogue_sync.seed_demo() == first
    session.expire_all()
    assert {row.id: row.title for row in session.exec(select(tables.MediaItem))} == rows


def test_demo_add_ons_have_pages_of_their_own(backend, session: Session):
    catalogue_sync.seed_demo()
    relation = session.exec(select(tables.MediaRelation).where(tables.MediaRelation.relation == "dlc")).first()
    assert relation is not None
    game = catalogue_views.media_view(session=session, media_id=relation.media_id)
    assert game.dlcs and game.dlcs[0].href == f"/app/games/{relation.related_id}"
    assert catalogue_sync.ensure_media(media_id=relation.related_id, settings=providers_settings(session)).state == (
        "fresh"
    )


def test_old_sync_log_entries_are_cleaned_up(backend, session: Session):
    catalogue_sync.record(target="section:x", provider="tmdb", status="ok")
    old = tables.SyncLogEntry(
        target="section:old", provider="tmdb", status="ok", created_at=datetime.now(UTC) - timedelta(days=200)
    )
    session.add(old)
    session.commit()
    assert catalogue_sync.cleanup_sync_log() == 1
    assert [entry.target for entry in _log(session, "section:")] == ["section:x"]


def test_users_are_told_when_the_last_sync_failed(providers: ProviderFake, session: Session):
    # Given a successful sync: no notice, and TMDB/IGDB named as the sources
    catalogue_sync.sync_sections(job="lists")
    assert catalogue_views.provider_notice(session=session) is None
    assert catalogue_views.catalogue_sources(session=session) == {"movie": "tmdb", "show": "tmdb", "game": "igdb"}
    # When TMDB goes down for the next sync
    providers.fail_next("/3/movie/popular", times=100, status=503)
    catalogue_sync.sync_sections(job="lists")
    # Then the lists carry a notice naming TMDB
    notice = catalogue_views.provider_notice(session=session)
    assert notice and "TMDB" in notice and "IGDB" not in notice
