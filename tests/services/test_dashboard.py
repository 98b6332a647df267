"""The dashboard aggregate on SQLite and PostgreSQL: each widget from the user's own data (upcoming releases
of the titles they follow, recommendations of titles they do not know yet), the two-minute per-user cache
dropped by the changes it shows, and the active downloads read fresh past that cache."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import Session

from seen import cache
from seen.models.downloads import DownloadJob
from seen.providers.models import Episode, ExternalIds, MediaDetails, MediaSummary, Season
from seen.services import auth, backlog, catalogue, dashboard, progress, tracking, user_cache


@pytest.fixture
def library(session: Session) -> dict[str, object]:
    def movie(tmdb_id: int, title: str) -> int:
        return catalogue.store_details(
            session=session,
            details=MediaDetails(
                summary=MediaSummary(kind="movie", ids=ExternalIds(tmdb=tmdb_id), title=title), runtime=120
            ),
        ).id

    def game(igdb_id: int, title: str) -> int:
        summary = MediaSummary(kind="game", ids=ExternalIds(igdb=igdb_id), title=title)
        return catalogue.store_summary(session=session, summary=summary).id

    episodes = tuple(Episode(1, n, f"Episode {n}", runtime=45) for n in range(1, 4))
    # A second season starts in three days: an upcoming release for whoever follows the show.
    premiere = datetime.now(UTC).date() + timedelta(days=3)
    show = catalogue.store_details(
        session=session,
        details=MediaDetails(
            summary=MediaSummary(kind="show", ids=ExternalIds(tmdb=1396), title="Breaking Bad"),
            seasons=(
                Season(1, "Season 1", episodes=episodes),
                Season(2, "Season 2", air_date=premiere, episodes=(Episode(2, 1, "Premiere", air_date=premiere),)),
            ),
        ),
    ).id
    found: dict[str, object] = {
        "matrix": movie(603, "The Matrix"),
        "heat": movie(949, "Heat"),
        "alien": movie(348, "Alien"),
        "show": show,
        "hades": game(1, "Hades"),
        "celeste": game(2, "Celeste"),
        "tunic": game(3, "Tunic"),
    }
    catalogue.replace_section(session=session, section="trending", kind="movie", media_ids=[found["alien"]])
    found["ada"] = auth.create_user(session=session, email="ada@example.com", password="correct horse 1").id
    found["bob"] = auth.create_user(session=session, email="bob@example.com", password="correct horse 2").id
    session.commit()
    return found


def test_every_widget_shows_the_users_own_data(session: Session, library):
    ada = library["ada"]
    # Given Ada has two titles on watch later, half a movie played, watched episodes and a movie,
    # and three games in her backlog
    for name in ("heat", "matrix"):
        tracking.add_to_watch_later(session=session, user_id=ada, media_id=library[name])
    progress.record_progress(
        session=session, user_id=ada, media_id=library["matrix"], position_seconds=1800, duration_seconds=7200
    )
    earlier = datetime.now(UTC) - timedelta(days=2)
    tracking.mark_watched(session=session, user_id=ada, media_id=library["alien"], watched_at=earlier)
    for number in (1, 2):
        tracking.mark_watched(
            session=session,
            user_id=ada,
            media_id=library["show"],
            season_number=1,
            episode_number=number,
            watched_at=earlier + timedelta(hours=number),
        )
    for name, status in (("hades", "paused"), ("celeste", "active"), ("tunic", "wishlist")):
        backlog.set_backlog(session=session, user_id=ada, media_id=library[name], status=status)
    session.commit()

    # When her dashboard is read
    found = dashboard.dashboard(session=session, user_id=ada)

    # Then each widget holds her own items
    assert found.continue_watching[0].media.title == "The Matrix"
    assert [card.title for card in found.watch_later.items] == ["Heat", "The Matrix"]
    assert found.watch_later.total == 2
    # Active games come before paused ones; the wishlist is only counted
    assert [entry.media.title for entry in found.game_backlog.items] == ["Celeste", "Hades"]
    assert found.game_backlog.counts["wishlist"] == 1 and found.game_backlog.counts["active"] == 1
    assert isinstance(found.recently_played, list)
    # Recently watched: one line per title, newest first, a show with its latest episode
    assert [(r.media.title, r.season_number, r.episode_number) for r in found.recently_watched] == [
        ("Breaking Bad", 1, 2),
        ("Alien", None, None),
    ]
    assert [card.title for card in found.trending] == ["Alien"]
    # And nothing is downloading
    assert found.active_downloads.items == [] and found.active_downloads.total == 0
    # And upcoming releases show the premiere of the show she watches
    assert [(event.media.title, event.kind, event.season, event.episode) for event in found.upcoming_releases] == [
        ("Breaking Bad", "season_premiere", 2, 1)
    ]
    # And nothing she already knows is recommended (every title here is watched, planned or in her backlog)
    assert found.recommendations == []

    # And Bob's dashboard is empty but for what everyone sees
    bobs = dashboard.dashboard(session=session, user_id=library["bob"])
    assert bobs.continue_watching == [] and bobs.watch_later.total == 0 and bobs.recently_watched == []
    assert bobs.game_backlog.items == [] and sum(bobs.game_backlog.counts.values()) == 0
    assert [card.title for card in bobs.trending] == ["Alien"]
    # And Bob follows nothing, so nothing is upcoming for him, but he starts with recommendations all the same
    assert bobs.upcoming_releases == []
    assert {item.media.title for item in bobs.recommendations} >= {"The Matrix", "Heat", "Alien"}


def test_the_dashboard_is_cached_per_user_and_dropped_by_a_change(session: Session, library):
    ada = library["ada"]
    tracking.add_to_watch_later(session=session, user_id=ada, media_id=library["heat"])
    session.commit()
    # Given Ada's dashboard was read once
    first = dashboard.dashboard(session=session, user_id=ada)
    assert cache.get_cache().get_json(user_cache.dashboard_key(ada)) is not None
    # When it is read again, Then it comes from the cache, equal field by field
    again = dashboard.dashboard(session=session, user_id=ada)
    assert again.generated_at == first.generated_at
    assert dataclasses.asdict(again) == dataclasses.asdict(first)
    assert type(again.watch_later.items[0]).__name__ == "MediaCard"
    # When Bob changes his list, Then Ada's cached dashboard stays
    tracking.add_to_watch_later(session=session, user_id=library["bob"], media_id=library["heat"])
    session.commit()
    assert dashboard.dashboard(session=session, user_id=ada).generated_at == first.generated_at
    # When Ada adds a title, Then her next read is fresh and shows it
    tracking.add_to_watch_later(session=session, user_id=ada, media_id=library["alien"])
    session.commit()
    fresh = dashboard.dashboard(session=session, user_id=ada)
    assert fresh.watch_later.total == 2 and fresh.generated_at != first.generated_at


def test_recently_watched_finds_older_titles_behind_a_long_binge(session: Session, library, monkeypatch):
    ada = library["ada"]
    monkeypatch.setattr(dashboard, "RECENT_SCAN", 3)
    # Given Ada watched Heat, then the same show's episodes many times
    start = datetime.now(UTC) - timedelta(days=10)
    tracking.mark_watched(session=session, user_id=ada, media_id=library["heat"], watched_at=start)
    for hours in range(1, 6):
        tracking.mark_watched(
            session=session,
            user_id=ada,
            media_id=library["show"],
            season_number=1,
            episode_number=1 + hours % 3,
            watched_at=start + timedelta(hours=hours),
        )
    session.commit()
    # Then both titles are in "recently watched", the show first
    found = dashboard.build_dashboard(session=session, user_id=ada)
    assert [r.media.title for r in found.recently_watched] == ["Breaking Bad", "Heat"]


def test_active_downloads_are_read_fresh_past_the_cache(session: Session, library):
    bob, ada = library["bob"], library["ada"]  # Ada, the first account, is the admin; Bob is not
    # Given Bob's dashboard was read (and cached) while nothing was downloading
    first = dashboard.dashboard(session=session, user_id=bob)
    assert first.active_downloads.total == 0
    # When a download of his runs, one of Ada's too, and one of his is already finished
    running = DownloadJob(
        user_id=bob, source_type="http", source="http://example.org/a.mkv", title="A", status="downloading"
    )
    running.progress_percent = 40
    session.add(running)
    session.add(DownloadJob(user_id=bob, source_type="http", source="http://example.org/b", status="completed"))
    session.add(DownloadJob(user_id=ada, source_type="http", source="http://example.org/c"))
    session.commit()
    # Then his next read, still from the cache for the rest, shows his running download as it stands now
    again = dashboard.dashboard(session=session, user_id=bob)
    assert again.generated_at == first.generated_at
    assert again.active_downloads.total == 1
    assert [(view.title, view.status, view.progress_percent) for view in again.active_downloads.items] == [
        ("A", "downloading", 40)
    ]
    # When it moves on, Then the next read shows the new progress at once
    running.progress_percent = 75
    session.add(running)
    session.commit()
    assert dashboard.dashboard(session=session, user_id=bob).active_downloads.items[0].progress_percent == 75
