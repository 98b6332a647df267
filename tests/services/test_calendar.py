"""The release calendar on SQLite and PostgreSQL: every kind of event from what the catalogue stores, the
region's release dates (or all of them), filters, a user's followed titles, collapsed episode days,
validation, the month cache and the titles the scheduled job refreshes."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest
from sqlmodel import Session, select

from seen import cache
from seen.models import media as tables
from seen.providers.models import (
    Episode,
    ExternalIds,
    Genre,
    MediaDetails,
    MediaSummary,
    Platform,
    ReleaseDate,
    Season,
)
from seen.services import calendar, catalogue, collections, tracking, user_cache
from seen.services.calendar import CalendarFilters
from seen.services.errors import InvalidInput, NotFound
from tests.services.test_tracking import make_users

TODAY = dt.datetime.now(dt.UTC).date()
# The month the catalogue's dates fall in: next month, so it is inside the cached window whatever today is.
MONTH = (TODAY.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
FIRST, LAST = calendar.month_bounds(MONTH)
NEXT_MONTH = LAST + dt.timedelta(days=1)
PS5 = Platform(167, "PlayStation 5", "PS5")
XBOX = Platform(169, "Xbox Series X|S", "XSX")
PC = Platform(6, "PC (Microsoft Windows)", "PC")


def day(number: int) -> dt.date:
    return MONTH + dt.timedelta(days=number - 1)


def episodes(season: int, dates: list[dt.date]) -> Season:
    return Season(
        season,
        f"Season {season}",
        air_date=dates[0] if dates else None,
        episodes=tuple(
            Episode(season, number, f"Episode {number}", air_date=aired) for number, aired in enumerate(dates, 1)
        ),
    )


@pytest.fixture
def users(session: Session):
    return make_users(session)


@pytest.fixture
def shelf(session: Session) -> dict[str, int]:
    """A month of releases: movies with TMDB release types in several countries, a show airing (a binge day,
    a weekly episode, a season premiere, a season dated before its episodes), games on platforms and in
    regions (one dated only to a quarter), a DLC and an expansion."""

    def store(details: MediaDetails) -> int:
        return catalogue.store_details(session=session, details=details).id

    drama = Genre("tmdb", 18, "Drama")
    found = {
        "dune": store(
            MediaDetails(
                summary=MediaSummary(kind="movie", ids=ExternalIds(tmdb=1), title="Dune: Part Three"),
                genres=(drama,),
                release_dates=(
                    ReleaseDate("US", day(3), "premiere"),
                    ReleaseDate("US", day(18), "theatrical"),
                    ReleaseDate("US", NEXT_MONTH + dt.timedelta(days=3), "theatrical"),  # a re-release: not first
                    ReleaseDate("GB", day(17), "theatrical"),
                    ReleaseDate("US", NEXT_MONTH + dt.timedelta(days=40), "digital"),
                ),
            )
        ),
        "amelie": store(
            MediaDetails(
                summary=MediaSummary(kind="movie", ids=ExternalIds(tmdb=2), title="Amélie Returns"),
                release_dates=(ReleaseDate("FR", day(20), "theatrical"), ReleaseDate("BE", day(20), "theatrical")),
            )
        ),
        "listed": catalogue.store_summary(
            session=session,
            summary=MediaSummary(kind="movie", ids=ExternalIds(tmdb=3), title="Listed Only", release_date=day(22)),
        ).id,
        "pitt": store(
            MediaDetails(
                summary=MediaSummary(kind="show", ids=ExternalIds(tmdb=10), title="The Pitt"),
                status="Returning Series",
                seasons=(
                    episodes(1, [day(5), day(5), day(5), day(12)]),
                    episodes(2, [day(26)]),
                    Season(3, "Season 3", air_date=NEXT_MONTH + dt.timedelta(days=10)),
                ),
            )
        ),
        "gta": store(
            MediaDetails(
                summary=MediaSummary(kind="game", ids=ExternalIds(igdb=100), title="Grand Theft Auto VI"),
                platforms=(PS5, XBOX, PC),
                release_dates=(
                    ReleaseDate(None, day(11), platform=PS5),
                    ReleaseDate(None, day(11), platform=XBOX),
                    ReleaseDate(None, day(31) if LAST.day == 31 else LAST, platform=PC, note="date precision: quarter"),
                ),
                dlcs=(MediaSummary(kind="game", ids=ExternalIds(igdb=101), title="Heists Pack", release_date=day(20)),),
                expansions=(
                    MediaSummary(kind="game", ids=ExternalIds(igdb=102), title="Vice Isles", release_date=day(27)),
                ),
            )
        ),
        # The expansion's own details: its date is only a month (it is no game release of its own)
        "vice": store(
            MediaDetails(
                summary=MediaSummary(kind="game", ids=ExternalIds(igdb=102), title="Vice Isles", release_date=day(27)),
                platforms=(PS5,),
                release_dates=(ReleaseDate(None, day(27), platform=PS5, note="date precision: month"),),
            )
        ),
        "kaiju": store(
            MediaDetails(
                summary=MediaSummary(kind="game", ids=ExternalIds(igdb=200), title="Kaiju Tactics"),
                platforms=(PS5,),
                release_dates=(
                    ReleaseDate("japan", day(2), platform=PS5, note="Q4 2026"),
                    ReleaseDate("north_america", day(15), platform=PS5),
                ),
            )
        ),
    }
    session.commit()
    return found


def read(session: Session, user_id, filters: CalendarFilters = CalendarFilters(), start=FIRST, end=LAST):
    return calendar.events(session=session, user_id=user_id, start=start, end=end, filters=filters)


def summary(found) -> list[tuple[str, str, str]]:
    return [(event.date, event.title, event.label) for event in found]


def test_a_month_lists_every_kind_of_release_in_date_order(session: Session, users, shelf):
    ada, _ = users
    # When the whole catalogue's month is read (the app's region is US)
    found = read(session, ada)
    # Then each release shows once, on its date, sorted
    assert [event.date for event in found] == sorted(event.date for event in found)
    by_title: dict[str, list] = {}
    for event in found:
        by_title.setdefault(event.title, []).append(event)
    # Movies: the US dates, one per type (the re-release and next month's digital date are not here)
    assert [(e.kind, e.date, e.label) for e in by_title["Dune: Part Three"]] == [
        ("movie_release", day(3).isoformat(), "Premiere (US)"),
        ("movie_release", day(18).isoformat(), "Theatrical release (US)"),
    ]
    # A movie without US dates shows every country's; one known only from a list shows its release date
    assert [e.label for e in by_title["Amélie Returns"]] == ["Theatrical release (BE, FR)"]
    assert [(e.date, e.label) for e in by_title["Listed Only"]] == [(day(22).isoformat(), "Release")]
    # Shows: a binge day collapses, episode 1 of a season is a premiere
    assert [(e.kind, e.date, e.label) for e in by_title["The Pitt"]] == [
        ("season_premiere", day(5).isoformat(), "Series premiere · S01E01\u2013E03 · The Pitt"),
        ("episode", day(12).isoformat(), "S01E04 · The Pitt"),
        ("season_premiere", day(26).isoformat(), "Season premiere · S02E01 · The Pitt"),
    ]
    collapsed = by_title["The Pitt"][0]
    assert (collapsed.season, collapsed.episode, collapsed.episode_end) == (1, 1, 3)
    # Games: platforms sharing a date in one event; a date that is only a quarter says so
    gta = by_title["Grand Theft Auto VI"]
    assert [(e.kind, e.label, e.precision) for e in gta] == [
        ("game_release", "PlayStation 5, Xbox Series X|S", None),
        ("game_release", "PC (Microsoft Windows)", f"Q{(LAST.month - 1) // 3 + 1} {LAST.year}"),
    ]
    assert gta[0].platforms == ["PlayStation 5", "Xbox Series X|S"]
    # The game's region: North America for a US app (not Japan's earlier date)
    assert [(e.date, e.label) for e in by_title["Kaiju Tactics"]] == [(day(15).isoformat(), "PlayStation 5")]
    # Add-ons on their own dates, named with their game, linking to their own pages
    assert [(e.kind, e.label, e.parent_title) for e in by_title["Heists Pack"]] == [
        ("dlc", "DLC for · Grand Theft Auto VI", "Grand Theft Auto VI")
    ]
    assert [(e.kind, e.date, e.precision) for e in by_title["Vice Isles"]] == [
        ("expansion", day(27).isoformat(), MONTH.strftime("%B %Y"))
    ]
    assert by_title["Vice Isles"][0].href == f"/app/games/{by_title['Vice Isles'][0].media.id}"
    # Nothing is tracked by a user who follows nothing; events carry their title's card and link
    assert not any(event.tracked for event in found)
    assert found[0].media.href == found[0].href
    assert len({event.uid for event in found}) == len(found)


def test_the_region_picks_dates_and_falls_back_to_all(session: Session, users, shelf):
    ada, _ = users
    # Given the UK asked for
    found = read(session, ada, CalendarFilters(region="gb"))
    labels = {(e.title, e.label) for e in found if e.kind in ("movie_release", "game_release")}
    # Then the movie's UK date is its only one, and the game's European date falls back to all regions
    assert ("Dune: Part Three", "Theatrical release (GB)") in labels
    assert not any(title == "Dune: Part Three" and "US" in label for title, label in labels)
    kaiju = [e for e in found if e.title == "Kaiju Tactics"]
    assert [(e.date, e.precision) for e in kaiju] == [(day(2).isoformat(), "Q4 2026")]
    # And Japan's date is the one for Japan
    japan = [e for e in read(session, ada, CalendarFilters(region="JP")) if e.title == "Kaiju Tactics"]
    assert [e.date for e in japan] == [day(2).isoformat()]


def test_an_event_does_not_depend_on_the_range_asked_for(session: Session, users, shelf):
    ada, _ = users
    # A week holding the US theatrical date finds it; the re-release next month is never an event
    week = read(session, ada, start=day(15), end=day(21))
    assert ("Dune: Part Three", "Theatrical release (US)") in {(e.title, e.label) for e in week}
    later = read(session, ada, start=NEXT_MONTH, end=NEXT_MONTH + dt.timedelta(days=60))
    assert [(e.title, e.label) for e in later if e.title == "Dune: Part Three"] == [
        ("Dune: Part Three", "Digital release (US)")
    ]
    # A season dated before its episodes are stored is a premiere too
    assert ("The Pitt", "Season premiere · S03 · The Pitt") in {(e.title, e.label) for e in later}
    # A long range is the same events as its months one after the other
    months = read(session, ada) + read(session, ada, start=NEXT_MONTH, end=NEXT_MONTH + dt.timedelta(days=60))
    assert summary(read(session, ada, start=FIRST, end=NEXT_MONTH + dt.timedelta(days=60))) == summary(months)


def test_filters_by_kind_platform_and_genre(session: Session, users, shelf):
    ada, _ = users
    movies = read(session, ada, CalendarFilters(kinds=("movie",)))
    assert {e.kind for e in movies} == {"movie_release"}
    shows_and_games = read(session, ada, CalendarFilters(kinds=("show", "game")))
    assert {e.kind for e in shows_and_games} == {"episode", "season_premiere", "game_release", "dlc", "expansion"}
    # A platform keeps only games on it, with that platform alone
    pc = session.exec(select(tables.Platform.id).where(tables.Platform.igdb_id == 6)).one()
    on_pc = read(session, ada, CalendarFilters(platform_id=pc))
    assert [(e.title, e.label) for e in on_pc] == [
        ("Heists Pack", "DLC for · Grand Theft Auto VI"),
        ("Vice Isles", "Expansion for · Grand Theft Auto VI"),
        ("Grand Theft Auto VI", "PC (Microsoft Windows)"),
    ]
    # A genre keeps its titles
    drama = session.exec(select(tables.Genre.id).where(tables.Genre.name == "Drama")).one()
    assert {e.title for e in read(session, ada, CalendarFilters(genre_id=drama))} == {"Dune: Part Three"}
    with pytest.raises(InvalidInput, match="unknown type"):
        read(session, ada, CalendarFilters(kinds=("book",)))
    with pytest.raises(InvalidInput, match="two-letter"):
        read(session, ada, CalendarFilters(region="Europe"))


def test_tracked_only_means_the_users_followed_titles(session: Session, users, shelf):
    ada, bob = users
    # Given Ada follows the movie (watch later), the show (a collection) and the game (backlog-free: favourite)
    tracking.add_to_watch_later(session=session, user_id=ada, media_id=shelf["dune"])
    box = collections.create_collection(session=session, user_id=ada, name="Shows")
    collections.add_to_collection(session=session, user_id=ada, collection_id=box.id, media_id=shelf["pitt"])
    tracking.set_favourite(session=session, user_id=ada, media_id=shelf["gta"], favourite=True)
    session.commit()
    # When her tracked-only calendar is read
    found = read(session, ada, CalendarFilters(tracked_only=True))
    # Then only those titles (and the game's add-ons) are there, all flagged as tracked
    assert {e.title for e in found} == {
        "Dune: Part Three",
        "The Pitt",
        "Grand Theft Auto VI",
        "Heists Pack",
        "Vice Isles",
    }
    assert all(e.tracked for e in found)
    # The full calendar flags them among the rest; Bob's tracked calendar is empty
    flagged = {e.title for e in read(session, ada) if e.tracked}
    assert "Amélie Returns" not in flagged and "Dune: Part Three" in flagged
    assert read(session, bob, CalendarFilters(tracked_only=True)) == []
    # And the dashboard's list is the next 60 days of tracked titles
    upcoming = calendar.upcoming_for_dashboard(session=session, user_id=ada, limit=3)
    assert len(upcoming) == 3 and all(e.tracked for e in upcoming)
    assert upcoming[0].date >= TODAY.isoformat()


def test_bad_ranges_are_refused_with_a_message(session: Session, users):
    ada, _ = users
    with pytest.raises(InvalidInput, match="before it starts"):
        read(session, ada, start=day(10), end=day(9))
    with pytest.raises(InvalidInput, match="at most 366 days"):
        read(session, ada, start=FIRST, end=FIRST + dt.timedelta(days=366))
    assert read(session, ada, start=FIRST, end=FIRST + dt.timedelta(days=365)) == []


def test_month_reads_are_cached_until_followed_titles_or_the_catalogue_change(session: Session, users, shelf):
    ada, _ = users
    tracked = CalendarFilters(tracked_only=True)
    assert read(session, ada, tracked) == []
    fresh = read(session, ada)
    assert fresh != []
    # A read from the cache gives back exactly the events that were built
    assert read(session, ada) == fresh
    assert fresh == calendar.collect(
        session=session, user_id=ada, start=FIRST, end=LAST, filters=CalendarFilters(region="US")
    )
    key = user_cache.calendar_key(ada, MONTH.strftime("%Y-%m"))
    assert key == f"seen:v1:calendar:{ada}:{MONTH.strftime('%Y-%m')}"
    assert cache.get_cache().get_json(key) is not None
    # A catalogue change makes cached months stale once it commits (not before): a title added...
    catalogue.store_summary(
        session=session,
        summary=MediaSummary(kind="movie", ids=ExternalIds(tmdb=9), title="Late Entry", release_date=day(9)),
    )
    assert "Late Entry" not in {e.title for e in read(session, ada)}
    session.commit()
    assert "Late Entry" in {e.title for e in read(session, ada)}
    # ...or an episode moved by a season refresh
    catalogue.store_season(session=session, media_id=shelf["pitt"], season=episodes(2, [day(28)]))
    session.commit()
    premieres = [e.date for e in read(session, ada) if e.title == "The Pitt" and e.season == 2]
    assert premieres == [day(28).isoformat()]
    # When a title goes on the watch later list, the month is dropped after the commit
    tracking.add_to_watch_later(session=session, user_id=ada, media_id=shelf["dune"])
    assert cache.get_cache().get_json(key) is not None
    session.commit()
    assert cache.get_cache().get_json(key) is None
    assert {e.title for e in read(session, ada, tracked)} == {"Dune: Part Three"}
    assert "Late Entry" in {e.title for e in read(session, ada)}
    # And removing it drops it again
    tracking.remove_from_watch_later(session=session, user_id=ada, media_id=shelf["dune"])
    session.commit()
    assert read(session, ada, tracked) == []


def test_the_catalogue_generation_moves_once_per_committed_transaction(session: Session, users, shelf):
    before = cache.generation(cache.CATALOGUE)
    # Many catalogue writes in one transaction move it once, when it commits
    for number in range(3):
        catalogue.store_summary(
            session=session,
            summary=MediaSummary(kind="movie", ids=ExternalIds(tmdb=50 + number), title=f"Batch {number}"),
        )
    assert cache.generation(cache.CATALOGUE) == before
    session.commit()
    assert cache.generation(cache.CATALOGUE) == before + 1
    # A transaction rolled back leaves it, and the next one in the same session still moves it
    catalogue.store_summary(session=session, summary=MediaSummary(kind="movie", ids=ExternalIds(tmdb=60), title="No"))
    session.rollback()
    assert cache.generation(cache.CATALOGUE) == before + 1
    catalogue.store_summary(session=session, summary=MediaSummary(kind="movie", ids=ExternalIds(tmdb=61), title="Yes"))
    session.commit()
    assert cache.generation(cache.CATALOGUE) == before + 2


def test_feed_tokens_are_made_rotated_and_revoked(session: Session, users):
    ada, bob = users
    token = calendar.feed_token(session=session, user_id=ada)
    assert calendar.feed_token(session=session, user_id=ada) == token and len(token) >= 40
    assert calendar.user_for_token(session=session, token=token) == ada
    assert calendar.feed_token(session=session, user_id=bob) != token
    rotated = calendar.rotate_feed_token(session=session, user_id=ada)
    assert rotated != token
    with pytest.raises(NotFound):
        calendar.user_for_token(session=session, token=token)
    calendar.revoke_feed_token(session=session, user_id=ada)
    assert calendar.existing_feed_token(session=session, user_id=ada) is None
    for gone in (rotated, "", "nonsense"):
        with pytest.raises(NotFound):
            calendar.user_for_token(session=session, token=gone)


def test_the_refresh_job_picks_followed_titles_with_dates_to_come(session: Session, users, shelf):
    ada, _ = users
    old = dt.datetime.now(dt.UTC) - dt.timedelta(days=2)
    ended = catalogue.store_details(
        session=session,
        details=MediaDetails(
            summary=MediaSummary(kind="show", ids=ExternalIds(tmdb=11), title="Long Gone"),
            status="Ended",
            seasons=(episodes(1, [TODAY - dt.timedelta(days=400)]),),
        ),
    ).id
    for media_id in (*shelf.values(), ended):
        tracking.add_to_watch_later(session=session, user_id=ada, media_id=media_id)
    for media_id in (shelf["dune"], shelf["pitt"], ended, shelf["listed"]):
        row = session.get(tables.MediaItem, media_id)
        row.details_synced_at = old if media_id != shelf["listed"] else None
        session.add(row)
    session.commit()
    # Followed, stale and with something to come: never-synced first; a finished show is left alone and
    # titles refreshed today wait
    picked = calendar.titles_to_refresh(session=session, today=TODAY)
    assert picked == [shelf["listed"], shelf["dune"], shelf["pitt"]]
    assert calendar.titles_to_refresh(session=session, today=TODAY, limit=1) == [shelf["listed"]]
    # A running show re-reads its latest season and the recent ones
    assert calendar.seasons_to_refresh(session=session, media_id=shelf["pitt"], today=TODAY) == [1, 2, 3]
    assert calendar.seasons_to_refresh(session=session, media_id=ended, today=TODAY) == [1]


def test_precision_labels():
    when = dt.date(2027, 8, 31)
    assert calendar.precision_label(when, "date precision: quarter") == "Q3 2027"
    assert calendar.precision_label(when, "date precision: month") == "August 2027"
    assert calendar.precision_label(dt.date(2027, 12, 31), "date precision: year") == "2027"
    assert calendar.precision_label(when, "Q3 2027") == "Q3 2027"
    assert calendar.precision_label(when, "Aug 31, 2027") is None
    assert calendar.precision_label(when, None) is None
    assert replace(CalendarFilters(), kinds=("game",)).signature() != CalendarFilters().signature()


def test_the_garbage_collector_is_back_on_after_a_build(session: Session, users, shelf):
    import gc

    ada, _ = users
    assert gc.isenabled()
    assert calendar.collect(session=session, user_id=ada, start=FIRST, end=LAST, filters=CalendarFilters(region="US"))
    assert gc.isenabled()
    # Something else that turned it off keeps it off
    gc.disable()
    try:
        calendar.collect(session=session, user_id=ada, start=FIRST, end=LAST, filters=CalendarFilters(region="US"))
        assert not gc.isenabled()
    finally:
        gc.enable()
