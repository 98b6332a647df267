"""Every recorded TMDB/IGDB response in ../shared/corpora goes through the normalisers.

Each file is either routed to a normaliser (and checked against its own payload) or named in a skip table
with the reason; a file in neither fails the run, so a new recording cannot be ignored by accident.
Counts are checked as "items out + items reported skipped (logged) == items in".
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Callable
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any

import pytest

from seen.providers import igdb_normalise as igdb
from seen.providers import tmdb_normalise as tmdb
from tests.conftest import SHARED, skip_or_fail

CORPORA = SHARED / "corpora"
TMDB_EXAMPLES = CORPORA / "tmdb" / "openapi_examples"
PHP_TMDB = CORPORA / "tmdb" / "php-tmdb-api" / "test" / "Tmdb" / "Tests" / "Resources"
IGDB_DATA = CORPORA / "igdb" / "Henry-Sarabia-igdb" / "test_data"

# --- routing tables ------------------------------------------------------------------------------------

_MOVIE_PAGES = (
    "/3/discover/movie",
    "/3/movie/now_playing",
    "/3/movie/popular",
    "/3/movie/top_rated",
    "/3/movie/upcoming",
    "/3/search/movie",
    "/3/trending/movie/{time_window}",
    "/3/movie/{movie_id}/recommendations",
    "/3/movie/{movie_id}/similar",
    "/3/keyword/{keyword_id}/movies",
    "/3/account/{account_id}/favorite/movies",
    "/3/account/{account_id}/rated/movies",
    "/3/account/{account_id}/watchlist/movies",
    "/3/guest_session/{guest_session_id}/rated/movies",
)
_TV_PAGES = (
    "/3/discover/tv",
    "/3/tv/airing_today",
    "/3/tv/on_the_air",
    "/3/tv/popular",
    "/3/tv/top_rated",
    "/3/search/tv",
    "/3/trending/tv/{time_window}",
    "/3/tv/{series_id}/recommendations",
    "/3/tv/{series_id}/similar",
    "/3/account/{account_id}/favorite/tv",
    "/3/account/{account_id}/rated/tv",
    "/3/account/{account_id}/watchlist/tv",
    "/3/guest_session/{guest_session_id}/rated/tv",
)
_SEASON = "/3/tv/{series_id}/season/{season_number}"
_EPISODE = _SEASON + "/episode/{episode_number}"

# GET path template (status 200) -> check name
TMDB_ROUTES: dict[str, str] = {
    **dict.fromkeys(_MOVIE_PAGES, "page:movie"),
    **dict.fromkeys(_TV_PAGES, "page:tv"),
    **dict.fromkeys(("/3/person/popular", "/3/search/person", "/3/trending/person/{time_window}"), "page:person"),
    **dict.fromkeys(("/3/search/multi", "/3/trending/all/{time_window}"), "page"),
    **dict.fromkeys(("/3/movie/{movie_id}", "/3/movie/latest"), "movie"),
    **dict.fromkeys(("/3/tv/{series_id}", "/3/tv/latest"), "show"),
    **dict.fromkeys(("/3/person/{person_id}", "/3/person/latest"), "person"),
    _SEASON: "season",
    _EPISODE: "episode",
    "/3/person/{person_id}/combined_credits": "person_credits",
    "/3/person/{person_id}/movie_credits": "person_credits:movie",
    "/3/person/{person_id}/tv_credits": "person_credits:tv",
    **dict.fromkeys(
        ("/3/movie/{movie_id}/credits", "/3/tv/{series_id}/credits", _SEASON + "/credits", _EPISODE + "/credits"),
        "credits",
    ),
    **dict.fromkeys(
        (
            "/3/movie/{movie_id}/external_ids",
            "/3/tv/{series_id}/external_ids",
            "/3/person/{person_id}/external_ids",
            _SEASON + "/external_ids",
            _EPISODE + "/external_ids",
        ),
        "external_ids",
    ),
    "/3/movie/{movie_id}/release_dates": "release_dates",
    "/3/genre/movie/list": "genres",
    "/3/genre/tv/list": "genres",
    "/3/configuration": "configuration",
    **dict.fromkeys(("/3/movie/changes", "/3/tv/changes", "/3/person/changes"), "changes"),
    "/3/find/{external_id}": "find",
}

# (fnmatch pattern on the path template, reason). Only consulted for GET 200 files the routes do not take.
TMDB_SKIPS: tuple[tuple[str, str], ...] = (
    ("/3/authentication*", "authentication handshake, not catalogue data"),
    ("/3/account/{account_id}", "account profile, not catalogue data"),
    ("/3/account/{account_id}/lists", "user lists (ids and names), not titles"),
    ("*/rated/tv/episodes", "rated episodes of a user, not a catalogue list"),
    ("/3/certification/*", "certification tables, not stored"),
    ("/3/collection/*", "collections are not catalogue items"),
    ("/3/company/*", "company pages are not catalogue items"),
    ("/3/network/*", "network pages are not catalogue items"),
    ("/3/configuration/*", "countries/jobs/languages/timezones tables; only /configuration images are used"),
    ("/3/credit/{credit_id}", "single credit record; credits come with the title"),
    ("/3/keyword/{keyword_id}", "keyword record, not a title"),
    ("/3/list/*", "user lists, not catalogue data"),
    ("/3/review/*", "reviews are not stored"),
    ("/3/search/collection", "collections are not catalogue items"),
    ("/3/search/company", "companies are not catalogue items"),
    ("/3/search/keyword", "keywords are not catalogue items"),
    ("/3/watch/providers/*", "watch-provider tables, not stored"),
    ("/3/tv/episode_group/*", "episode groups (alternative orders) are not stored"),
    ("*/episode_groups", "episode groups (alternative orders) are not stored"),
    ("*/account_states", "per-user rating state"),
    ("*/changes", "per-item change sets; only the id lists of /movie|tv|person/changes are used"),
    ("*/images", "image lists; the primary poster/backdrop/still come with the details"),
    ("*/tagged_images", "image lists"),
    ("*/videos", "videos are ignored"),
    ("*/translations", "translations are not stored"),
    ("*/alternative_titles", "alternative titles are not stored"),
    ("*/alternative_names", "alternative names are not stored"),
    ("*/keywords", "keywords are not stored"),
    ("*/lists", "user lists containing the title"),
    ("*/reviews", "reviews are not stored"),
    ("*/watch/providers", "watch providers are not stored"),
    ("*/content_ratings", "content ratings are not stored"),
    ("*/screened_theatrically", "not stored"),
    ("*/aggregate_credits", "aggregate credits (roles/jobs arrays); the plain credits endpoint is normalised"),
)

# php-tmdb-api: path under Resources -> check name (these files carry no URL; the names say what they are)
PHP_ROUTES: dict[str, str] = {
    "movie/all.json": "movie",
    "tv/all.json": "show",
    "tv/season/all.json": "season",
    "tv/season/episode/all.json": "episode",
    "person/get.json": "person",
    "genre/list.json": "genres",
    "configuration/get.json": "configuration",
    "changes/movies.json": "changes",
    "account/favorite_movies.json": "page:movie",
    "account/rated_movies.json": "page:movie",
    "account/movie_watchlist.json": "page:movie",
    "keywords/movies.json": "page:movie",
}
PHP_SKIPS: dict[str, str] = {
    "account/favorite.json": "status reply to a write",
    "account/watchlist.json": "status reply to a write",
    "account/get.json": "account profile",
    "account/lists.json": "user lists",
    "authentication/*": "authentication handshake",
    "certification/*": "certification table",
    "collection/*": "collections are not catalogue items",
    "company/*": "company page",
    "credits/*": "single credit record",
    "images/*": "image lists",
    "jobs/*": "jobs table",
    "keywords/get.json": "keyword record",
    "lists/*": "user lists and write replies",
    "reviews/*": "reviews are not stored",
    "timezones/*": "timezone table",
    "tv/keywords.json": "keywords are not stored",
}

IGDB_ROUTES: dict[str, str] = {
    **dict.fromkeys(("game_get.json", "game_list.json", "game_search.json"), "game"),
    **dict.fromkeys(("platform_get.json", "platform_list.json", "platform_search.json"), "platform"),
    **dict.fromkeys(("genre_get.json", "genre_list.json"), "genre"),
    **dict.fromkeys(("releasedate_get.json", "releasedate_list.json"), "release_date"),
    **dict.fromkeys(("involvedcompany_get.json", "involvedcompany_list.json"), "involved_company"),
    **dict.fromkeys(("cover_get.json", "cover_list.json", "screenshot_get.json", "screenshot_list.json"), "image"),
}
IGDB_SKIPS: dict[str, str] = {
    "empty.json": "empty body, not JSON (an HTTP-client case)",
    "empty_array.json": "empty result (an HTTP-client case)",
    "search.json": "/search rows point at games by id; games themselves are normalised",
    "*_search.json": "search over endpoints whose records are not stored",
    "age*": "age ratings are not stored",
    "alternativename_*": "alternative names are not stored",
    "artwork_*": "artworks: only covers and screenshots are stored",
    "character*": "characters are not stored",
    "collection_*": "collections (series) are not stored",
    "company*": "company records; names arrive through expanded involved_companies",
    "externalgame_*": "external ids on other stores are not stored",
    "franchise_*": "franchise records; names arrive through expanded game franchises",
    "gameengine*": "engines are not stored",
    "gamemode_*": "game modes are not stored",
    "gameversion*": "editions are not stored",
    "gamevideo_*": "videos are ignored",
    "keyword_*": "keywords are not stored",
    "multiplayermode_*": "not stored",
    "platformfamily_*": "platform families are not stored",
    "platformlogo_*": "platform logos are not stored",
    "platformversion*": "platform versions are not stored",
    "platformwebsite_*": "websites are not stored",
    "playerperspective_*": "not stored",
    "theme_*": "themes are not stored",
    "website_*": "websites are not stored",
}


def _tmdb_route(entry: dict[str, str]) -> tuple[str | None, str | None]:
    """(check, None) for a normalised file, (None, reason) for a deliberate skip, (None, None) otherwise."""
    if entry["method"] != "GET":
        return None, "a write endpoint's reply, not catalogue data"
    if entry["status"] != "200":
        return None, "an error body (an HTTP-client case)"
    if entry["path"] in TMDB_ROUTES:
        return TMDB_ROUTES[entry["path"]], None
    return None, next((reason for pattern, reason in TMDB_SKIPS if fnmatchcase(entry["path"], pattern)), None)


def _by_pattern(name: str, routes: dict[str, str], skips: dict[str, str]) -> tuple[str | None, str | None]:
    if name in routes:
        return routes[name], None
    return None, next((reason for pattern, reason in skips.items() if fnmatchcase(name, pattern)), None)


def _tmdb_index() -> list[dict[str, str]]:
    return json.loads((TMDB_EXAMPLES / "_index.json").read_text(encoding="utf-8"))


def _php_files() -> list[str]:
    return sorted(path.relative_to(PHP_TMDB).as_posix() for path in PHP_TMDB.rglob("*.json"))


def _igdb_files() -> list[str]:
    return sorted(path.name for path in IGDB_DATA.glob("*.json"))


def _cases() -> list[Any]:
    """(corpus, file, check) for every normalised file; one placeholder case when the corpora are absent."""
    if not (TMDB_EXAMPLES.is_dir() and PHP_TMDB.is_dir() and IGDB_DATA.is_dir()):
        return [pytest.param(None, None, None, id="corpora-absent")]
    cases = []
    for entry in _tmdb_index():
        check, _ = _tmdb_route(entry)
        if check:
            cases.append(pytest.param("tmdb", TMDB_EXAMPLES / entry["file"], check, id=f"tmdb-{entry['file']}"))
    for name in _php_files():
        check, _ = _by_pattern(name, PHP_ROUTES, PHP_SKIPS)
        if check:
            cases.append(pytest.param("tmdb", PHP_TMDB / name, check, id=f"php-{name}"))
    for name in _igdb_files():
        check, _ = _by_pattern(name, IGDB_ROUTES, IGDB_SKIPS)
        if check:
            cases.append(pytest.param("igdb", IGDB_DATA / name, check, id=f"igdb-{name}"))
    return cases


def _require_corpora() -> None:
    if not (TMDB_EXAMPLES.is_dir() and PHP_TMDB.is_dir() and IGDB_DATA.is_dir()):
        skip_or_fail(f"recorded corpora not found under {CORPORA}")


# --- TMDB checks: each asserts its properties and returns (items in, items out) -------------------------

Counts = tuple[int, int]


def _date_or_none(value: Any) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value[:10]) if isinstance(value, str) and value else None
    except ValueError:
        return None


def _list(payload: dict[str, Any], key: str) -> list[Any]:
    value = payload.get(key)
    return value if isinstance(value, list) else []


def _check_summary_against(raw: dict[str, Any], item: Any) -> None:
    assert item.ids.tmdb == raw["id"]
    title = raw.get("title") or raw.get("name")
    if title:
        assert item.title == title
    date = _date_or_none(raw.get("release_date") or raw.get("first_air_date"))
    if item.kind != "person":
        assert item.release_date == date
        assert item.year == (date.year if date else None)


def _check_page(payload: dict[str, Any], hint: str | None) -> Counts:
    result = tmdb.page(payload, hint)
    raw_items = _list(payload, "results")
    by_id = {raw["id"]: raw for raw in raw_items if isinstance(raw, dict) and "id" in raw}
    for item in result.items:
        _check_summary_against(by_id[item.ids.tmdb], item)
        if "media_type" in by_id[item.ids.tmdb]:
            assert item.kind == {"movie": "movie", "tv": "show", "person": "person"}[by_id[item.ids.tmdb]["media_type"]]
    assert result.page == payload.get("page", 1)
    assert result.total_results == payload.get("total_results", len(result.items))
    return len(raw_items), len(result.items)


def _credit_counts(block: Any) -> int:
    block = block if isinstance(block, dict) else {}
    return sum(len(_list(block, key)) for key in ("cast", "crew", "guest_stars"))


def _release_rows(block: Any) -> int:
    block = block if isinstance(block, dict) else {}
    return sum(len(_list(country, "release_dates")) for country in _list(block, "results"))


def _check_movie(payload: dict[str, Any]) -> Counts:
    movie = tmdb.movie_details(payload)
    assert movie is not None
    _check_summary_against(payload, movie.summary)
    assert movie.summary.kind == "movie"
    assert movie.summary.ids.imdb == (payload.get("imdb_id") or None)
    assert [genre.id for genre in movie.genres] == [genre["id"] for genre in payload["genres"]]
    assert movie.raw is payload
    similar = payload.get("similar") or payload.get("similar_movies") or {}
    expected = _credit_counts(payload.get("credits")) + _release_rows(payload.get("release_dates"))
    expected += len(_list(similar, "results")) + len(_list(payload.get("recommendations") or {}, "results"))
    got = len(movie.credits) + len(movie.release_dates) + len(movie.similar) + len(movie.recommendations)
    return expected, got


def _check_show(payload: dict[str, Any]) -> Counts:
    show = tmdb.show_details(payload)
    assert show is not None
    _check_summary_against(payload, show.summary)
    assert show.summary.kind == "show"
    assert [season.number for season in show.seasons] == [season["season_number"] for season in payload["seasons"]]
    assert show.networks == tuple(network["name"] for network in payload["networks"])
    tvdb = (payload.get("external_ids") or {}).get("tvdb_id")
    assert show.summary.ids.tvdb == tvdb
    expected = len(payload["seasons"]) + len(_list(payload, "created_by")) + _credit_counts(payload.get("credits"))
    return expected, len(show.seasons) + len(show.credits)


def _check_season(payload: dict[str, Any]) -> Counts:
    result = tmdb.season(payload)
    assert result is not None
    assert (result.number, result.title) == (payload["season_number"], payload["name"])
    assert result.air_date == _date_or_none(payload.get("air_date"))
    raw_episodes = _list(payload, "episodes")
    for episode, raw in zip(result.episodes, raw_episodes, strict=False):
        assert (episode.season_number, episode.episode_number) == (payload["season_number"], raw["episode_number"])
        assert episode.title == raw["name"]
        assert episode.air_date == _date_or_none(raw.get("air_date"))
    return len(raw_episodes), len(result.episodes)


def _check_episode(payload: dict[str, Any]) -> Counts:
    result = tmdb.episode(payload)
    assert result is not None
    assert (result.season_number, result.episode_number) == (payload["season_number"], payload["episode_number"])
    assert (result.title, result.ids.tmdb) == (payload["name"], payload["id"])
    assert result.air_date == _date_or_none(payload.get("air_date"))
    credit_block = payload["credits"] if isinstance(payload.get("credits"), dict) else payload
    return _credit_counts(credit_block), len(result.credits)


def _check_person(payload: dict[str, Any]) -> Counts:
    result = tmdb.person(payload)
    assert result is not None
    assert (result.person.ids.tmdb, result.person.name) == (payload["id"], payload["name"])
    assert result.person.birthday == _date_or_none(payload.get("birthday"))
    assert result.person.deathday == _date_or_none(payload.get("deathday"))
    if "combined_credits" in payload:
        expected = _credit_counts(payload["combined_credits"])
    else:
        expected = _credit_counts(payload.get("movie_credits")) + _credit_counts(payload.get("tv_credits"))
    return expected, len(result.credits)


def _check_person_credits(payload: dict[str, Any], hint: str | None) -> Counts:
    result = tmdb.person_credits(payload, hint)
    for credit in result:
        assert credit.media.title
    return _credit_counts(payload), len(result)


def _check_credits(payload: dict[str, Any]) -> Counts:
    result = tmdb.credits(payload)
    assert {credit.person.ids.tmdb for credit in result} <= {
        person["id"] for key in ("cast", "crew", "guest_stars") for person in _list(payload, key)
    }
    return _credit_counts(payload), len(result)


def _check_external_ids(payload: dict[str, Any]) -> Counts:
    ids = tmdb.external_ids(payload)
    assert (ids.tmdb, ids.imdb, ids.tvdb) == (payload["id"], payload.get("imdb_id") or None, payload.get("tvdb_id"))
    return 0, 0


def _check_release_dates(payload: dict[str, Any]) -> Counts:
    result = tmdb.release_dates(payload)
    assert all(release.date is not None and release.country for release in result)
    assert {release.type for release in result} <= {
        "premiere",
        "theatrical_limited",
        "theatrical",
        "digital",
        "physical",
        "tv",
    }
    return _release_rows(payload), len(result)


def _check_genres(payload: dict[str, Any]) -> Counts:
    result = tmdb.genres(payload)
    assert all(genre.name for genre in result)
    return len(payload["genres"]), len(result)


def _check_configuration(payload: dict[str, Any]) -> Counts:
    config = tmdb.configuration(payload)
    assert config is not None
    assert config.base_url == payload["images"]["base_url"]
    assert config.poster_sizes == tuple(payload["images"]["poster_sizes"])
    assert config.image_url("/x.jpg", "w92").endswith("/w92/x.jpg")
    return 0, 0


def _check_changes(payload: dict[str, Any]) -> Counts:
    result = tmdb.changes(payload)
    assert list(result.items)[:3] == [row["id"] for row in payload["results"][:3]]
    return len(payload["results"]), len(result.items)


def _check_find(payload: dict[str, Any]) -> Counts:
    result = tmdb.find(payload)
    keys = ("movie_results", "tv_results", "person_results")
    return sum(len(_list(payload, key)) for key in keys), len(result)


# --- IGDB checks ---------------------------------------------------------------------------------------

_REFERENCE_LISTS = ("involved_companies", "release_dates", "screenshots", "dlcs", "expansions", "similar_games")


def _utc_date(seconds: int) -> dt.date:
    return dt.datetime.fromtimestamp(seconds, tz=dt.UTC).date()


def _check_game(raw: dict[str, Any]) -> Counts:
    game = igdb.game_details(raw)
    assert game is not None
    assert (game.summary.ids.igdb, game.summary.title) == (raw["id"], raw["name"])
    first = raw.get("first_release_date")
    assert game.summary.release_date == (_utc_date(first) if first is not None else None)
    assert [item.id for item in game.platforms] == raw.get("platforms", [])
    assert list(game.summary.genre_ids) == raw.get("genres", [])
    # Bare references are neither lost nor invented: each one is listed for a follow-up request.
    bare = sum(len(raw.get(key, [])) for key in _REFERENCE_LISTS)
    bare += len({*raw.get("franchises", []), *([raw["franchise"]] if "franchise" in raw else [])})
    bare += sum(isinstance(raw.get(key), int) for key in ("cover", "time_to_beat"))
    assert len(game.unresolved) == bare
    return len(raw.get("platforms", [])), len(game.platforms)


def _check_platform(raw: dict[str, Any]) -> Counts:
    result = igdb.platform(raw)
    assert result is not None
    assert (result.id, result.name, result.abbreviation) == (raw["id"], raw["name"], raw.get("abbreviation"))
    return 0, 0


def _check_genre(raw: dict[str, Any]) -> Counts:
    result = igdb.genre(raw)
    assert result is not None
    assert (result.id, result.name) == (raw["id"], raw["name"])
    return 0, 0


def _check_release_date(raw: dict[str, Any]) -> Counts:
    result = igdb.release_date(raw)
    assert result is not None
    assert result.date == (_utc_date(raw["date"]) if "date" in raw else None)
    assert result.note == raw.get("human")
    assert result.platform is not None and result.platform.id == raw["platform"]
    assert result.country == igdb.REGIONS.get(raw.get("region", 0))
    return 0, 0


def _check_involved_company(raw: dict[str, Any]) -> Counts:
    result = igdb.involved_company(raw)
    if "company" not in raw:
        # Recorded rows without a company exist (involvedcompany_list.json); there is nothing to store.
        assert result is None
        return 0, 0
    assert result is not None
    assert result.id == raw["company"]
    assert ("developer" in result.roles, "publisher" in result.roles) == (raw["developer"], raw["publisher"])
    return 0, 0


def _check_image(raw: dict[str, Any]) -> Counts:
    path = igdb.image_path(raw)
    assert path == f"/{raw['image_id']}.jpg"
    assert igdb.image_url(path, "thumb").endswith(f"/t_thumb/{raw['image_id']}.jpg")
    return 0, 0


TMDB_CHECKS: dict[str, Callable[[dict[str, Any]], Counts]] = {
    "page": lambda payload: _check_page(payload, None),
    "page:movie": lambda payload: _check_page(payload, "movie"),
    "page:tv": lambda payload: _check_page(payload, "tv"),
    "page:person": lambda payload: _check_page(payload, "person"),
    "movie": _check_movie,
    "show": _check_show,
    "season": _check_season,
    "episode": _check_episode,
    "person": _check_person,
    "person_credits": lambda payload: _check_person_credits(payload, None),
    "person_credits:movie": lambda payload: _check_person_credits(payload, "movie"),
    "person_credits:tv": lambda payload: _check_person_credits(payload, "tv"),
    "credits": _check_credits,
    "external_ids": _check_external_ids,
    "release_dates": _check_release_dates,
    "genres": _check_genres,
    "configuration": _check_configuration,
    "changes": _check_changes,
    "find": _check_find,
}
IGDB_CHECKS: dict[str, Callable[[dict[str, Any]], Counts]] = {
    "game": _check_game,
    "platform": _check_platform,
    "genre": _check_genre,
    "release_date": _check_release_date,
    "involved_company": _check_involved_company,
    "image": _check_image,
}


def _reported_skips(caplog: pytest.LogCaptureFixture) -> int:
    return sum(
        record.name.startswith("seen.providers") and record.getMessage().startswith("skipped unusable")
        for record in caplog.records
    )


# --- tests ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("corpus", "path", "check"), _cases())
def test_recorded_response_normalises(
    corpus: str | None, path: Path | None, check: str | None, caplog: pytest.LogCaptureFixture
) -> None:
    # Given one recorded response
    if path is None or check is None:
        _require_corpora()
        return
    payload = json.loads(path.read_text(encoding="utf-8"))
    # When it goes through its normaliser (IGDB files are lists of records)
    with caplog.at_level(logging.WARNING, logger="seen.providers"):
        if corpus == "igdb":
            assert isinstance(payload, list) and payload
            counts = [IGDB_CHECKS[check](record) for record in payload]
            expected, got = sum(count[0] for count in counts), sum(count[1] for count in counts)
        else:
            expected, got = TMDB_CHECKS[check](payload)
    # Then every item came out, or was reported as skipped
    assert got + _reported_skips(caplog) == expected


def test_every_tmdb_example_is_routed_or_deliberately_skipped() -> None:
    _require_corpora()
    unclassified = [entry["file"] for entry in _tmdb_index() if _tmdb_route(entry) == (None, None)]
    assert unclassified == []


def test_every_php_tmdb_file_is_routed_or_deliberately_skipped() -> None:
    _require_corpora()
    unclassified = [name for name in _php_files() if _by_pattern(name, PHP_ROUTES, PHP_SKIPS) == (None, None)]
    assert unclassified == []


def test_every_igdb_file_is_routed_or_deliberately_skipped() -> None:
    _require_corpora()
    unclassified = [name for name in _igdb_files() if _by_pattern(name, IGDB_ROUTES, IGDB_SKIPS) == (None, None)]
    assert unclassified == []


def test_routes_point_at_files_that_exist() -> None:
    # A renamed recording must not silently drop out of the normalised set.
    _require_corpora()
    indexed = {entry["path"] for entry in _tmdb_index() if entry["method"] == "GET" and entry["status"] == "200"}
    assert set(TMDB_ROUTES) <= indexed
    assert set(PHP_ROUTES) <= set(_php_files())
    assert set(IGDB_ROUTES) <= set(_igdb_files())
