"""TMDB v3 payloads -> catalogue records, on small hand-written payloads in TMDB's response shapes."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

import pytest

from seen.providers import tmdb_normalise as tmdb
from seen.providers.models import ExternalIds, MediaDetails

MOVIE: dict[str, Any] = {
    "id": 603,
    "imdb_id": "tt0133093",
    "title": "The Matrix",
    "original_title": "The Matrix",
    "original_language": "en",
    "overview": "A hacker learns what the world really is.",
    "release_date": "1999-03-30",
    "runtime": 136,
    "status": "Released",
    "tagline": "Free your mind.",
    "poster_path": "/matrix.jpg",
    "backdrop_path": None,
    "popularity": 81.5,
    "vote_average": 8.2,
    "vote_count": 25000,
    "genres": [{"id": 28, "name": "Action"}, {"id": 878, "name": "Science Fiction"}],
    "production_companies": [{"id": 79, "name": "Village Roadshow Pictures", "logo_path": None}],
    "a_field_from_the_future": {"anything": [1, 2, 3]},
    "credits": {
        "cast": [
            {"id": 6384, "name": "Keanu Reeves", "character": "Neo", "order": 0, "credit_id": "c1"},
            {"id": 2975, "name": "Laurence Fishburne", "character": "Morpheus", "order": 1},
            {"name": "No Id At All", "character": "Ghost"},
        ],
        "crew": [{"id": 9339, "name": "Lana Wachowski", "job": "Director", "department": "Directing"}],
    },
    "external_ids": {"imdb_id": "tt0133093", "wikidata_id": "Q83495", "facebook_id": None},
    "release_dates": {
        "results": [
            {
                "iso_3166_1": "US",
                "release_dates": [
                    {"type": 1, "release_date": "1999-03-24T00:00:00.000Z", "note": "Westwood", "certification": ""},
                    {"type": 2, "release_date": "1999-03-30T00:00:00.000Z", "note": ""},
                    {"type": 3, "release_date": "1999-03-31T00:00:00.000Z", "certification": "R"},
                    {"type": 4, "release_date": "2001-01-01T00:00:00.000Z"},
                    {"type": 5, "release_date": "1999-09-21T00:00:00.000Z", "note": "DVD"},
                    {"type": 6, "release_date": "2002-05-05T00:00:00.000Z"},
                    {"type": 3, "release_date": ""},
                ],
            }
        ]
    },
    "recommendations": {"page": 1, "results": [{"id": 604, "title": "The Matrix Reloaded"}]},
    "similar": {"page": 1, "results": [{"id": 1091, "title": "The Thing", "release_date": "1982-06-25"}]},
    "videos": {"results": [{"key": "vKQi3bBA1y8", "site": "YouTube"}]},
    "images": {"posters": [{"file_path": "/other.jpg"}]},
}

SHOW: dict[str, Any] = {
    "id": 1396,
    "name": "Breaking Bad",
    "original_name": "Breaking Bad",
    "first_air_date": "2008-01-20",
    "episode_run_time": [45, 47],
    "number_of_seasons": 2,
    "number_of_episodes": 20,
    "status": "Ended",
    "networks": [{"id": 174, "name": "AMC"}],
    "created_by": [{"id": 66633, "name": "Vince Gilligan", "credit_id": "cb1"}],
    "genres": [{"id": 18, "name": "Drama"}],
    "external_ids": {"imdb_id": "tt0903747", "tvdb_id": 81189},
    "seasons": [
        {"id": 3577, "season_number": 0, "name": "Specials", "episode_count": 9, "air_date": "2009-02-17"},
        {"id": 3572, "season_number": 1, "name": "Season 1", "episode_count": 7, "air_date": ""},
        {"id": 3573, "season_number": 2, "episode_count": 13, "poster_path": None},
        {"id": 9999, "name": "No number"},
    ],
    "season/1": {
        "id": 3572,
        "season_number": 1,
        "name": "Season 1",
        "episodes": [{"episode_number": 1, "season_number": 1, "name": "Pilot", "air_date": "2008-01-20"}],
    },
}

SEASON: dict[str, Any] = {
    "_id": "52542282760ee313280017f9",
    "id": 3573,
    "season_number": 2,
    "name": "Season 2",
    "air_date": "2009-03-08",
    "poster_path": "/s2.jpg",
    "external_ids": {"tvdb_id": 40719},
    "episodes": [
        {
            "id": 62092,
            "episode_number": 1,
            "season_number": 2,
            "name": "Seven Thirty-Seven",
            "air_date": "2009-03-08",
            "runtime": 47,
            "still_path": None,
            "crew": [{"id": 1, "name": "Bryan Cranston", "job": "Director", "department": "Directing"}],
            "guest_stars": [{"id": 2, "name": "Guest Person", "character": "Tuco", "order": 30}],
        },
        # Older payloads: no season_number on the episode, no name.
        {"episode_number": 2, "air_date": None},
        {"name": "no episode number"},
    ],
}

MULTI_SEARCH: dict[str, Any] = {
    "page": 1,
    "total_pages": 3,
    "total_results": 55,
    "results": [
        {"media_type": "movie", "id": 11, "title": "Star Wars", "release_date": "1977-05-25", "genre_ids": [12, 28]},
        {"media_type": "tv", "id": 1399, "name": "Game of Thrones", "first_air_date": "2011-04-17"},
        {"media_type": "person", "id": 31, "name": "Tom Hanks", "profile_path": "/th.jpg", "known_for": []},
        {"media_type": "collection", "id": 10, "name": "Star Wars Collection"},
        "not an object",
    ],
}

PERSON: dict[str, Any] = {
    "id": 31,
    "name": "Tom Hanks",
    "imdb_id": "nm0000158",
    "birthday": "1956-07-09",
    "deathday": "",
    "biography": "An actor.",
    "known_for_department": "Acting",
    "popularity": "82.9",
    "combined_credits": {
        "cast": [
            {"media_type": "movie", "id": 13, "title": "Forrest Gump", "character": "Forrest", "credit_id": "a"},
            {"media_type": "tv", "id": 4613, "name": "Band of Brothers", "character": "Self", "episode_count": 1},
        ],
        "crew": [{"media_type": "movie", "id": 9591, "title": "That Thing You Do!", "job": "Director"}],
    },
    # combined_credits already holds these; they must not be counted twice.
    "movie_credits": {"cast": [{"id": 13, "title": "Forrest Gump"}], "crew": []},
}


# --- summaries -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("item", "hint", "kind", "title", "released"),
    [
        ({"id": 1, "title": "A", "release_date": "2001-02-03"}, None, "movie", "A", dt.date(2001, 2, 3)),
        ({"id": 2, "name": "B", "first_air_date": "2010-01-01"}, None, "show", "B", dt.date(2010, 1, 1)),
        ({"id": 3, "name": "C", "known_for_department": "Acting"}, None, "person", "C", None),
        ({"id": 4, "name": "D"}, "tv", "show", "D", None),
        ({"id": 5, "title": "", "original_title": "Originaltitel"}, "movie", "movie", "Originaltitel", None),
        ({"id": 6, "title": "E", "release_date": ""}, "movie", "movie", "E", None),
        ({"id": 7, "title": "F", "release_date": "2019-13-45"}, "movie", "movie", "F", None),
        ({"id": 8, "title": "G", "release_date": None}, "movie", "movie", "G", None),
        ({"id": "9", "name": "H", "media_type": "tv"}, "movie", "show", "H", None),
    ],
)
def test_summary_reads_kind_title_and_date(item, hint, kind, title, released) -> None:
    # Given a result item / When it is normalised
    result = tmdb.summary(item, hint)
    # Then its kind, title and date come from the right fields, and bad dates become None
    assert result is not None
    assert (result.kind, result.title, result.release_date) == (kind, title, released)
    assert result.year == (released.year if released else None)
    assert result.ids.tmdb == int(item["id"])


@pytest.mark.parametrize(
    "item",
    [None, [], "text", 42, {}, {"title": "no id"}, {"id": None, "title": "x"}, {"id": 1, "media_type": "collection"}],
)
def test_summary_of_unusable_items_is_none(item) -> None:
    assert tmdb.summary(item) is None


def test_summary_tolerates_strings_for_numbers_and_null_images() -> None:
    # Given an older payload with popularity as a string and a null poster
    item = {"id": 1, "title": "Old", "popularity": "93.49", "vote_count": "12", "poster_path": None, "extra": 1}
    # When it is normalised
    result = tmdb.summary(item, "movie")
    # Then numbers are numbers and the missing image is None
    assert result is not None
    assert result.popularity == pytest.approx(93.49)
    assert result.vote_count == 12
    assert result.poster_path is None


def test_multi_search_page_mixes_kinds_and_reports_skips(caplog: pytest.LogCaptureFixture) -> None:
    # Given a multi search page with a movie, a show, a person, a collection and junk
    with caplog.at_level(logging.WARNING, logger="seen.providers"):
        result = tmdb.page(MULTI_SEARCH)
    # Then the three catalogue kinds are kept in order and the two others are counted and logged
    assert [(item.kind, item.title) for item in result.items] == [
        ("movie", "Star Wars"),
        ("show", "Game of Thrones"),
        ("person", "Tom Hanks"),
    ]
    assert result.items[0].genre_ids == (12, 28)
    assert result.items[2].poster_path == "/th.jpg"
    assert (result.page, result.total_pages, result.total_results, result.skipped) == (1, 3, 55, 2)
    assert len([record for record in caplog.records if "skipped" in record.getMessage()]) == 2


@pytest.mark.parametrize("payload", [{}, {"results": None}, {"page": "x"}, [], None])
def test_page_of_odd_payloads_is_empty(payload) -> None:
    result = tmdb.page(payload, "movie")
    assert (result.items, result.page, result.total_pages, result.skipped) == ((), 1, 1, 0)


# --- movies --------------------------------------------------------------------------------------------


def _movie() -> MediaDetails:
    result = tmdb.movie_details(MOVIE)
    assert result is not None
    return result


def test_movie_details_core_fields() -> None:
    movie = _movie()
    assert movie.summary.kind == "movie"
    assert movie.summary.ids == ExternalIds(tmdb=603, imdb="tt0133093")
    assert (movie.summary.title, movie.summary.year, movie.runtime) == ("The Matrix", 1999, 136)
    assert (movie.status, movie.tagline) == ("Released", "Free your mind.")
    assert [genre.name for genre in movie.genres] == ["Action", "Science Fiction"]
    assert movie.summary.genre_ids == (28, 878)
    assert movie.summary.backdrop_path is None
    assert [company.name for company in movie.companies] == ["Village Roadshow Pictures"]
    assert movie.raw is MOVIE


def test_movie_details_credits_skip_people_without_id() -> None:
    movie = _movie()
    assert [(credit.role, credit.person.name, credit.character or credit.job) for credit in movie.credits] == [
        ("cast", "Keanu Reeves", "Neo"),
        ("cast", "Laurence Fishburne", "Morpheus"),
        ("crew", "Lana Wachowski", "Director"),
    ]
    assert movie.credits[0].order == 0
    assert movie.credits[0].credit_id == "c1"


@pytest.mark.parametrize(
    ("index", "kind", "date", "note"),
    [
        (0, "premiere", dt.date(1999, 3, 24), "Westwood"),
        (1, "theatrical_limited", dt.date(1999, 3, 30), None),
        (2, "theatrical", dt.date(1999, 3, 31), None),
        (3, "digital", dt.date(2001, 1, 1), None),
        (4, "physical", dt.date(1999, 9, 21), "DVD"),
        (5, "tv", dt.date(2002, 5, 5), None),
    ],
)
def test_movie_release_date_types_have_names(index: int, kind: str, date: dt.date, note: str | None) -> None:
    release = _movie().release_dates[index]
    assert (release.country, release.type, release.date, release.note) == ("US", kind, date, note)


def test_movie_release_dates_drop_undated_rows() -> None:
    assert len(_movie().release_dates) == 6
    assert _movie().release_dates[2].certification == "R"


def test_movie_appended_lists_become_summaries_and_videos_are_ignored() -> None:
    movie = _movie()
    assert [(item.kind, item.ids.tmdb) for item in movie.recommendations] == [("movie", 604)]
    assert [(item.title, item.year) for item in movie.similar] == [("The Thing", 1982)]
    assert movie.seasons == ()


def test_movie_details_without_id_is_none(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="seen.providers"):
        assert tmdb.movie_details({"title": "Nameless", "credits": {}}) is None
    assert caplog.records


# --- shows, seasons, episodes --------------------------------------------------------------------------


def test_show_details_with_seasons_and_appended_season() -> None:
    # Given a show with three usable season stubs, one broken stub, and season/1 appended
    show = tmdb.show_details(SHOW)
    # Then seasons come in order, the appended season replaces its stub, and ids merge external ids
    assert show is not None
    assert show.summary.kind == "show"
    assert show.summary.ids == ExternalIds(tmdb=1396, imdb="tt0903747", tvdb=81189)
    assert (show.runtime, show.number_of_seasons, show.number_of_episodes) == (45, 2, 20)
    assert show.networks == ("AMC",)
    assert [(item.number, item.title, item.air_date) for item in show.seasons] == [
        (0, "Specials", dt.date(2009, 2, 17)),
        (1, "Season 1", None),
        (2, "Season 2", None),
    ]
    assert [episode.title for episode in show.seasons[1].episodes] == ["Pilot"]
    assert show.seasons[2].episode_count == 13
    assert [(credit.person.name, credit.job) for credit in show.credits] == [("Vince Gilligan", "Creator")]


def test_season_with_episodes() -> None:
    result = tmdb.season(SEASON)
    assert result is not None
    assert (result.number, result.title, result.air_date) == (2, "Season 2", dt.date(2009, 3, 8))
    assert result.ids == ExternalIds(tmdb=3573, tvdb=40719)
    assert [(item.season_number, item.episode_number, item.title) for item in result.episodes] == [
        (2, 1, "Seven Thirty-Seven"),
        (2, 2, "Episode 2"),
    ]
    assert result.episode_count == 2
    first = result.episodes[0]
    assert (first.runtime, first.still_path, first.ids.tmdb) == (47, None, 62092)
    assert [(credit.role, credit.person.name) for credit in first.credits] == [
        ("cast", "Guest Person"),
        ("crew", "Bryan Cranston"),
    ]
    assert result.episodes[1].air_date is None


def test_episode_details_prefers_appended_credits_and_ids() -> None:
    payload = {
        "id": 62092,
        "season_number": 2,
        "episode_number": 1,
        "name": "Seven Thirty-Seven",
        "crew": [],
        "credits": {"cast": [{"id": 17419, "name": "Bryan Cranston", "character": "Walter White"}]},
        "external_ids": {"imdb_id": None, "tvdb_id": 438912},
    }
    result = tmdb.episode(payload)
    assert result is not None
    assert result.ids == ExternalIds(tmdb=62092, tvdb=438912)
    assert [credit.character for credit in result.credits] == ["Walter White"]


@pytest.mark.parametrize("payload", [{}, {"episode_number": 1}, {"season_number": 1}, None])
def test_episode_without_numbers_is_none(payload) -> None:
    assert tmdb.episode(payload) is None


# --- people --------------------------------------------------------------------------------------------


def test_person_with_combined_credits() -> None:
    result = tmdb.person(PERSON)
    assert result is not None
    assert result.person.ids == ExternalIds(tmdb=31, imdb="nm0000158")
    assert (result.person.birthday, result.person.deathday) == (dt.date(1956, 7, 9), None)
    assert result.person.popularity == pytest.approx(82.9)
    assert [(item.role, item.media.kind, item.media.title) for item in result.credits] == [
        ("cast", "movie", "Forrest Gump"),
        ("cast", "show", "Band of Brothers"),
        ("crew", "movie", "That Thing You Do!"),
    ]
    assert result.credits[1].episode_count == 1
    assert result.credits[2].job == "Director"


def test_person_with_separate_movie_and_tv_credits() -> None:
    payload = {
        "id": 33,
        "name": "Gary Sinise",
        "movie_credits": {"cast": [{"id": 497, "title": "The Green Mile"}]},
        "tv_credits": {"cast": [{"id": 1620, "name": "CSI: Miami", "episode_count": 2}], "crew": None},
    }
    result = tmdb.person(payload)
    assert result is not None
    assert [(item.media.kind, item.media.ids.tmdb) for item in result.credits] == [("movie", 497), ("show", 1620)]


# --- genres, configuration, changes, external ids, find -----------------------------------------------


def test_genres_skip_incomplete_rows() -> None:
    payload = {
        "genres": [{"id": 28, "name": "Action"}, {"id": 12}, {"name": "Nameless"}, {"id": "35", "name": "Comedy"}]
    }
    assert [(genre.provider, genre.id, genre.name) for genre in tmdb.genres(payload)] == [
        ("tmdb", 28, "Action"),
        ("tmdb", 35, "Comedy"),
    ]


def test_configuration_and_image_url() -> None:
    payload = {
        "images": {
            "base_url": "http://image.tmdb.org/t/p/",
            "secure_base_url": "https://image.tmdb.org/t/p/",
            "poster_sizes": ["w92", "w500", "original"],
            "still_sizes": None,
        },
        "change_keys": ["adult"],
    }
    config = tmdb.configuration(payload)
    assert config is not None
    assert config.poster_sizes == ("w92", "w500", "original")
    assert config.still_sizes == ()
    assert config.image_url("/abc.jpg", "w500") == "https://image.tmdb.org/t/p/w500/abc.jpg"
    assert tmdb.configuration({"images": {}}) is None


def test_changes_give_ids() -> None:
    payload = {"results": [{"id": 1, "adult": False}, {"id": 2}, {"adult": True}], "page": 1, "total_pages": 4}
    result = tmdb.changes(payload)
    assert (result.items, result.skipped, result.total_pages) == ((1, 2), 1, 4)


def test_external_ids_and_find() -> None:
    assert tmdb.external_ids({"id": 1399, "imdb_id": "tt0944947", "tvdb_id": 121361, "twitter_id": None}) == (
        ExternalIds(tmdb=1399, imdb="tt0944947", tvdb=121361)
    )
    found = tmdb.find({"movie_results": [{"id": 1, "title": "A"}], "tv_results": [{"id": 2, "name": "B"}]})
    assert [(item.kind, item.ids.tmdb) for item in found] == [("movie", 1), ("show", 2)]
