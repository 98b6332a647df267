"""The bundled demo catalogue: the shipped data loads and validates, Discover sections follow their rules
for a fixed day, and generated artwork is deterministic and correctly sized."""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from pathlib import Path

import pytest

from seen.providers import demo, demo_art
from seen.providers.models import ExternalIds

TODAY = dt.date(2026, 11, 22)


@pytest.fixture(scope="module")
def titles() -> tuple[demo.DemoTitle, ...]:
    return demo.titles()


def _kind(slug: str) -> str:
    title = demo.by_slug(slug)
    assert title is not None, slug
    return title.details.summary.kind


def _date(slug: str) -> dt.date | None:
    title = demo.by_slug(slug)
    assert title is not None, slug
    return title.details.summary.release_date


# --- data ----------------------------------------------------------------------------------------------


def test_catalogue_counts_per_kind_are_in_range(titles: tuple[demo.DemoTitle, ...]) -> None:
    # Given the shipped catalogue
    # When counting titles per kind
    counts = Counter(t.details.summary.kind for t in titles)
    # Then each kind has enough titles to fill a Discover page, and nothing else sneaked in
    assert set(counts) == {"movie", "show", "game"}
    assert 140 <= counts["movie"] <= 220
    assert 70 <= counts["show"] <= 110
    assert 70 <= counts["game"] <= 140


def test_slugs_are_unique_prefixed_and_resolvable(titles: tuple[demo.DemoTitle, ...]) -> None:
    # Given every title
    slugs = [t.slug for t in titles]
    # Then slugs are unique, carry their kind, and look each title up again
    assert len(slugs) == len(set(slugs))
    for title in titles:
        assert title.slug.startswith(f"{title.details.summary.kind}-")
        assert demo.by_slug(title.slug) is title
    assert demo.by_slug("movie-not-in-the-catalogue") is None


def test_every_title_has_demo_shaped_details(titles: tuple[demo.DemoTitle, ...]) -> None:
    # Given every title
    for title in titles:
        summary = title.details.summary
        # Then it has no provider ids, demo art paths, known genres and a short description of its own
        assert summary.ids == ExternalIds()
        assert summary.poster_path == summary.backdrop_path == f"demo/{title.slug}"
        assert summary.genre_ids and len(summary.genre_ids) == len(summary.genre_names)
        assert summary.overview and 20 <= len(summary.overview) <= 400, title.slug
        assert 0 <= (summary.popularity or 0) <= 100
        assert 0 <= (summary.vote_average or 0) <= 10
        assert title.details.raw == {"slug": title.slug, "source": "demo"}
        provider = "igdb" if summary.kind == "game" else "tmdb"
        assert all(g.provider == provider and g.name for g in title.details.genres)


def test_every_show_has_seasons_with_episodes(titles: tuple[demo.DemoTitle, ...]) -> None:
    # Given every show
    shows = [t for t in titles if t.details.summary.kind == "show"]
    for show in shows:
        details = show.details
        # Then it has numbered seasons with episode counts that match their episodes
        assert details.seasons, show.slug
        assert [s.number for s in details.seasons] == list(range(1, len(details.seasons) + 1))
        assert all(s.episode_count and len(s.episodes) == s.episode_count for s in details.seasons)
        assert details.number_of_seasons == len(details.seasons)
        assert details.number_of_episodes == sum(s.episode_count or 0 for s in details.seasons)
        assert details.status in {"Returning Series", "Ended", "Canceled", "In Production", "Planned"}


def test_episodes_air_weekly_from_their_season_premiere() -> None:
    # Given Breaking Bad, whose first season premiered on 20 January 2008 with seven episodes
    show = demo.by_slug("show-breaking-bad")
    assert show is not None
    first = show.details.seasons[0]
    # Then its episodes are dated a week apart from that premiere
    assert first.episode_count == 7
    assert [e.air_date for e in first.episodes[:3]] == [dt.date(2008, 1, 20), dt.date(2008, 1, 27), dt.date(2008, 2, 3)]
    assert [s.episode_count for s in show.details.seasons] == [7, 13, 13, 13, 16]


def test_every_game_has_platforms_and_companies(titles: tuple[demo.DemoTitle, ...]) -> None:
    # Given every game
    games = [t for t in titles if t.details.summary.kind == "game"]
    known_ids = {pid for pid, _ in demo.PLATFORMS.values()}
    for game in games:
        details = game.details
        # Then it lists IGDB platforms, dated per platform when released, and who made it
        assert details.platforms, game.slug
        assert {p.id for p in details.platforms} <= known_ids
        assert all(r.platform in details.platforms and r.country is None for r in details.release_dates)
        assert any("developer" in c.roles for c in details.companies), game.slug
        if details.time_to_beat is not None:
            ttb = details.time_to_beat
            assert (ttb.hastily or 0) <= (ttb.normally or ttb.hastily or 0) <= (ttb.completely or ttb.normally or 0)


def test_time_to_beat_is_in_seconds_and_add_ons_are_games() -> None:
    # Given The Witcher 3 (main story about 52 hours, two expansions)
    game = demo.by_slug("game-the-witcher-3-wild-hunt")
    assert game is not None
    # Then its time to beat is stored in seconds and its expansions are dated game summaries
    assert game.details.time_to_beat is not None
    assert game.details.time_to_beat.hastily == 52 * 3600
    assert [e.title for e in game.details.expansions] == ["Hearts of Stone", "Blood and Wine"]
    assert all(e.kind == "game" and e.release_date for e in game.details.expansions)


def test_people_are_shared_between_credits_and_the_people_list(titles: tuple[demo.DemoTitle, ...]) -> None:
    # Given the people list and a film with a director and cast
    people = dict(demo.people())
    matrix = demo.by_slug("movie-the-matrix-1999")
    assert matrix is not None
    # Then slugs are unique and every credited person is in the list, with demo ids and art
    assert len(people) == len(demo.people())
    directors = [c.person.name for c in matrix.details.credits if c.job == "Director"]
    assert directors == ["Lana Wachowski", "Lilly Wachowski"]
    neo = next(c for c in matrix.details.credits if c.role == "cast")
    assert (neo.person.name, neo.character, neo.order) == ("Keanu Reeves", "Neo", 0)
    assert people[demo.person_slug("Keanu Reeves")] == neo.person
    credited = {c.person for t in titles for c in t.details.credits}
    assert credited == set(people.values())
    assert all(p.ids == ExternalIds() and p.profile_path == f"demo/{s}" for s, p in people.items())


def test_genre_lists_come_from_the_matching_provider() -> None:
    # When asking for each kind's genres
    movie, show, game = demo.genres("movie"), demo.genres("show"), demo.genres("game")
    # Then TMDB lists serve films and shows, IGDB's serves games, and an unknown kind is refused
    assert {g.provider for g in movie} == {g.provider for g in show} == {"tmdb"}
    assert {g.provider for g in game} == {"igdb"}
    assert (878, "Science Fiction") in {(g.id, g.name) for g in movie}
    assert (10765, "Sci-Fi & Fantasy") in {(g.id, g.name) for g in show}
    assert (12, "Role-playing (RPG)") in {(g.id, g.name) for g in game}
    with pytest.raises(ValueError):
        demo.genres("person")


def test_catalogue_has_recent_and_future_titles(titles: tuple[demo.DemoTitle, ...]) -> None:
    # Given the fixed demo day
    dates = [t.details.summary.release_date for t in titles]
    # Then enough titles are still to come or just out for the time-based sections to feel alive
    future = [d for d in dates if d is None or d > TODAY]
    recent = [d for d in dates if d is not None and TODAY - dt.timedelta(weeks=8) <= d <= TODAY]
    assert len(future) >= 15
    assert len(recent) >= 8


# --- validation ----------------------------------------------------------------------------------------


def _write(tmp_path: Path, entry: dict) -> Path:
    path = tmp_path / "catalogue.json"
    path.write_text(json.dumps({"titles": [entry]}), encoding="utf-8")
    return path


GOOD_MOVIE = {
    "slug": "movie-example-2000",
    "kind": "movie",
    "title": "Example",
    "year": 2000,
    "release_date": "2000-01-01",
    "genres": [18],
    "popularity": 10,
    "vote_average": 7.0,
    "overview": "A film that exists only inside this test.",
}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"release_date": "2000-13-01"}, "not an ISO date"),
        ({"genres": [18, 123456]}, "unknown movie genre"),
        ({"kind": "podcast"}, "kind must be one of"),
        ({"overview": "x" * 401}, "overview"),
        ({"popularity": 250}, "popularity"),
        ({"slug": "show-example"}, "slug must look like"),
    ],
)
def test_a_broken_entry_is_reported_with_its_slug(tmp_path: Path, change: dict, message: str) -> None:
    # Given a catalogue file with one broken entry
    path = _write(tmp_path, {**GOOD_MOVIE, **change})
    # When loading it
    with pytest.raises(demo.DemoCatalogueError) as error:
        demo.load(path)
    # Then the error names the entry and the problem
    assert message in str(error.value)
    assert repr(change.get("slug", GOOD_MOVIE["slug"])) in str(error.value)


def test_duplicate_slugs_and_shows_without_seasons_are_rejected(tmp_path: Path) -> None:
    # Given a file listing the same film twice
    path = tmp_path / "twice.json"
    path.write_text(json.dumps({"titles": [GOOD_MOVIE, GOOD_MOVIE]}), encoding="utf-8")
    # Then loading it fails on the duplicate
    with pytest.raises(demo.DemoCatalogueError, match="duplicate slug"):
        demo.load(path)
    # And a show with no seasons is refused
    show = {**GOOD_MOVIE, "slug": "show-example", "kind": "show", "status": "Ended", "seasons": []}
    with pytest.raises(demo.DemoCatalogueError, match="at least one season"):
        demo.load(_write(tmp_path, show))


def test_a_valid_minimal_entry_loads(tmp_path: Path) -> None:
    # Given a file with one correct film
    catalogue = demo.load(_write(tmp_path, GOOD_MOVIE))
    # Then it becomes a DemoTitle with a US theatrical release date
    (title,) = catalogue.titles
    assert title.details.summary.title == "Example"
    assert title.details.release_dates[0].country == "US"
    assert title.details.release_dates[0].type == "theatrical"


# --- sections ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", demo.SECTIONS)
def test_every_section_is_filled_for_the_demo_day(name: str) -> None:
    # When listing a section for the fixed demo day
    slugs = demo.section(name, today=TODAY)
    # Then it has entries, no duplicates, and respects the limit
    assert slugs
    assert len(slugs) == len(set(slugs))
    assert len(demo.section(name, today=TODAY, limit=3)) <= 3


def test_upcoming_lists_future_films_soonest_first() -> None:
    slugs = demo.section("upcoming", today=TODAY, limit=100)
    dates = [_date(s) for s in slugs]
    assert all(_kind(s) == "movie" for s in slugs)
    assert all(d is not None and d > TODAY for d in dates)
    assert dates == sorted(dates)  # type: ignore[type-var]


def test_now_playing_lists_films_from_the_last_six_weeks() -> None:
    slugs = demo.section("now_playing", today=TODAY, limit=100)
    assert all(_kind(s) == "movie" for s in slugs)
    assert all(TODAY - dt.timedelta(weeks=6) < (_date(s) or dt.date.min) <= TODAY for s in slugs)


def test_recent_games_are_from_the_last_ninety_days_newest_first() -> None:
    slugs = demo.section("recent_games", today=TODAY, limit=100)
    dates = [_date(s) for s in slugs]
    assert all(_kind(s) == "game" for s in slugs)
    assert all(d is not None and TODAY - dt.timedelta(days=90) < d <= TODAY for d in dates)
    assert dates == sorted(dates, reverse=True)  # type: ignore[type-var]


def test_anticipated_games_are_unreleased_and_ranked_by_popularity() -> None:
    slugs = demo.section("anticipated_games", today=TODAY, limit=100)
    assert all(_kind(s) == "game" and ((d := _date(s)) is None or d > TODAY) for s in slugs)
    popularity = [demo.by_slug(s).details.summary.popularity for s in slugs]  # type: ignore[union-attr]
    assert popularity == sorted(popularity, reverse=True)  # type: ignore[type-var]


def test_trending_mixes_kinds_within_its_window_and_can_be_narrowed() -> None:
    slugs = demo.section("trending", today=TODAY, limit=500)
    assert {_kind(s) for s in slugs} == {"movie", "show", "game"}
    for slug in slugs:
        date = _date(slug)
        assert date is not None and TODAY - dt.timedelta(days=730) <= date <= TODAY + dt.timedelta(days=60)
    shows = demo.section("trending", today=TODAY, kind="show")
    assert shows and all(_kind(s) == "show" for s in shows)


def test_popular_and_top_rated_rank_released_titles() -> None:
    popular = demo.section("popular", today=TODAY, kind="movie", limit=500)
    assert all(_kind(s) == "movie" and (_date(s) or dt.date.max) <= TODAY for s in popular)
    pops = [demo.by_slug(s).details.summary.popularity for s in popular]  # type: ignore[union-attr]
    assert pops == sorted(pops, reverse=True)  # type: ignore[type-var]
    top = demo.section("top_rated", today=TODAY, kind="show", limit=500)
    votes = [demo.by_slug(s).details.summary.vote_average for s in top]  # type: ignore[union-attr]
    assert votes == sorted(votes, reverse=True)  # type: ignore[type-var]


def test_airing_today_puts_airing_shows_first_then_returning_series() -> None:
    # Given a day in the middle of Breaking Bad's fifth season
    day = dt.date(2012, 7, 20)
    # When listing shows airing then
    slugs = demo.section("airing_today", today=day, limit=500)
    # Then Breaking Bad comes first and everything else is a show
    assert slugs[0] == "show-breaking-bad"
    assert all(_kind(s) == "show" for s in slugs)
    # And on the demo day the list falls back to returning series
    fallback = demo.section("airing_today", today=TODAY, limit=500)
    assert all(demo.by_slug(s).details.status == "Returning Series" for s in fallback)  # type: ignore[union-attr]


def test_unknown_section_or_kind_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown demo section"):
        demo.section("most_hated", today=TODAY)
    with pytest.raises(ValueError):
        demo.section("recent_games", today=TODAY, kind="movie")


# --- art -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "slug", "size"),
    [
        ("poster", "movie-the-matrix-1999", (780, 1170)),
        ("backdrop", "show-breaking-bad", (1280, 720)),
        ("still", "show-the-wire", (960, 540)),
        ("cover", "game-hades", (600, 800)),
        ("profile", "person-keanu-reeves", (400, 600)),
    ],
)
def test_render_is_deterministic_and_sized(kind: str, slug: str, size: tuple[int, int]) -> None:
    # When rendering the same artwork twice
    first, second = demo_art.render(kind, slug), demo_art.render(kind, slug)
    # Then it has the kind's size and identical pixels
    assert first.size == size
    assert first.mode == "RGB"
    assert first.tobytes() == second.tobytes()
    # And it is not a blank canvas
    assert len(set(first.resize((32, 32)).getdata())) > 20


def test_render_differs_between_titles() -> None:
    a = demo_art.render("poster", "movie-the-matrix-1999")
    b = demo_art.render("poster", "movie-hereditary-2018")
    assert a.tobytes() != b.tobytes()


def test_render_rejects_unknown_slugs_and_kinds() -> None:
    with pytest.raises(KeyError):
        demo_art.render("poster", "movie-not-in-the-catalogue")
    with pytest.raises(KeyError):
        demo_art.render("profile", "movie-the-matrix-1999")
    with pytest.raises(ValueError):
        demo_art.render("banner", "movie-the-matrix-1999")
