"""IGDB v4 payloads -> catalogue records, expanded and with bare ids, on hand-written IGDB-shaped payloads."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

import pytest

from seen.providers import igdb_normalise as igdb
from seen.providers.models import Company, ExternalIds, Genre, MediaDetails, Platform, TimeToBeat

# 2017-03-03T00:00:00Z: the date must be read in UTC, whatever the machine's time zone.
MARCH_3 = 1488499200

EXPANDED: dict[str, Any] = {
    "id": 1942,
    "name": "The Witcher 3: Wild Hunt",
    "summary": "A monster hunter looks for his adopted daughter.",
    "first_release_date": 1431993600,
    "total_rating": 92.4,
    "total_rating_count": 3000,
    "cover": {"id": 89386, "image_id": "coaarl"},
    "artworks": [{"id": 1, "image_id": "ar5z"}],
    "screenshots": [
        {"id": 10, "image_id": "sc1"},
        {"id": 11, "url": "//images.igdb.com/igdb/image/upload/t_thumb/sc2.jpg"},
    ],
    "platforms": [
        {"id": 6, "name": "PC (Microsoft Windows)", "abbreviation": "PC"},
        {"id": 48, "name": "PlayStation 4"},
    ],
    "genres": [{"id": 12, "name": "Role-playing (RPG)"}, {"id": 31, "name": "Adventure"}],
    "franchise": {"id": 452, "name": "The Witcher"},
    "franchises": [{"id": 452, "name": "The Witcher"}],
    "involved_companies": [
        {"id": 1, "company": {"id": 908, "name": "CD Projekt RED"}, "developer": True, "publisher": False},
        {"id": 2, "company": {"id": 1633, "name": "Warner Bros."}, "developer": False, "publisher": True},
        {"id": 3, "company": 70, "developer": False, "publisher": True, "porting": True},
        {"id": 4, "developer": True},
    ],
    "release_dates": [
        {"id": 1, "date": 1431993600, "human": "May 19, 2015", "platform": {"id": 6, "name": "PC"}, "region": 8},
        {"id": 2, "date": 1431993600, "human": "May 19, 2015", "platform": 48, "region": 1},
        {"id": 3, "human": "TBD", "platform": 130, "region": 2, "category": 7},
        {"id": 4, "platform": 6},
    ],
    "dlcs": [{"id": 20000, "name": "Hearts of Stone", "first_release_date": 1444089600}],
    "expansions": [{"id": 20001, "name": "Blood and Wine"}, 20002],
    "time_to_beat": {"hastly": 90000, "normally": 180000, "completely": 360000},
    "status": 0,
    "some_new_igdb_field": [1, 2],
}

UNEXPANDED: dict[str, Any] = {
    "id": 7346,
    "name": "The Legend of Zelda: Breath of the Wild",
    "first_release_date": MARCH_3,
    "cover": 54903,
    "platforms": [41, 130],
    "genres": [12, 31],
    "franchise": 596,
    "franchises": [596, 1006],
    "involved_companies": [43563, 43564],
    "release_dates": [64163, 64164],
    "screenshots": [30198],
    "dlcs": [41825],
    "expansions": [41829],
    "time_to_beat": 33,
    "aggregated_rating": 97.5,
}


def _details(payload: dict[str, Any]) -> MediaDetails:
    result = igdb.game_details(payload)
    assert result is not None
    return result


@pytest.mark.parametrize(
    ("image_id", "size", "url"),
    [
        ("coaarl", "cover_big", "https://images.igdb.com/igdb/image/upload/t_cover_big/coaarl.jpg"),
        ("/coaarl.jpg", "thumb", "https://images.igdb.com/igdb/image/upload/t_thumb/coaarl.jpg"),
        ("sc1", "1080p", "https://images.igdb.com/igdb/image/upload/t_1080p/sc1.jpg"),
    ],
)
def test_image_url(image_id: str, size: str, url: str) -> None:
    assert igdb.image_url(image_id, size) == url


def test_expanded_game_summary() -> None:
    # Given an expanded game / When summarised
    result = igdb.game_summary(EXPANDED)
    # Then the cover and the first artwork become image paths, the rating moves to 0-10, the date is UTC
    assert result is not None
    assert (result.kind, result.ids, result.title) == ("game", ExternalIds(igdb=1942), "The Witcher 3: Wild Hunt")
    assert (result.release_date, result.year) == (dt.date(2015, 5, 19), 2015)
    assert result.poster_path == "/coaarl.jpg"
    assert igdb.image_url(result.poster_path) == "https://images.igdb.com/igdb/image/upload/t_cover_big/coaarl.jpg"
    assert result.backdrop_path == "/ar5z.jpg"
    assert (result.vote_average, result.vote_count) == (pytest.approx(9.24), 3000)
    assert result.genre_names == ("Role-playing (RPG)", "Adventure")


def test_expanded_game_details() -> None:
    game = _details(EXPANDED)
    assert game.platforms == (Platform(6, "PC (Microsoft Windows)", "PC"), Platform(48, "PlayStation 4"))
    assert game.genres == (Genre("igdb", 12, "Role-playing (RPG)"), Genre("igdb", 31, "Adventure"))
    assert game.franchises == ("The Witcher",)
    assert game.screenshots == ("/sc1.jpg", "/sc2.jpg")
    assert game.time_to_beat == TimeToBeat(hastily=90000, normally=180000, completely=360000)
    assert game.status == "released"
    assert [(item.ids.igdb, item.title) for item in game.dlcs] == [(20000, "Hearts of Stone")]
    assert [item.title for item in game.expansions] == ["Blood and Wine"]
    assert game.unresolved == (("expansions", 20002),)


def test_involved_companies_keep_developer_and_publisher_flags(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="seen.providers"):
        companies = _details(EXPANDED).companies
    assert companies == (
        Company("igdb", 908, "CD Projekt RED", ("developer",)),
        Company("igdb", 1633, "Warner Bros.", ("publisher",)),
        Company("igdb", 70, None, ("publisher", "porting")),
    )
    # The row without a company is skipped and said so.
    assert any("involved company" in record.getMessage() for record in caplog.records)


@pytest.mark.parametrize(
    ("index", "country", "date", "platform_id", "note"),
    [
        (0, "worldwide", dt.date(2015, 5, 19), 6, "May 19, 2015"),
        (1, "europe", dt.date(2015, 5, 19), 48, "May 19, 2015"),
        (2, "north_america", None, 130, "TBD"),
    ],
)
def test_release_dates_per_platform(index, country, date, platform_id, note) -> None:
    releases = _details(EXPANDED).release_dates
    assert len(releases) == 3  # the row with neither a date nor a human text is dropped
    release = releases[index]
    assert (release.country, release.date, release.note, release.type) == (country, date, note, None)
    assert release.platform is not None and release.platform.id == platform_id


def test_unexpanded_game_keeps_ids_and_lists_what_needs_expanding() -> None:
    # Given a 2020-shaped game whose references are all bare ids
    game = _details(UNEXPANDED)
    # Then platforms and genres survive as ids, and every other reference is listed for a follow-up request
    assert game.summary.release_date == dt.date(2017, 3, 3)
    assert game.summary.poster_path is None
    assert game.summary.vote_average == pytest.approx(9.75)
    assert game.platforms == (Platform(41), Platform(130))
    assert game.genres == (Genre("igdb", 12, None), Genre("igdb", 31, None))
    assert game.summary.genre_ids == (12, 31)
    assert (game.companies, game.release_dates, game.dlcs, game.screenshots, game.franchises) == ((), (), (), (), ())
    assert set(game.unresolved) == {
        ("franchises", 596),
        ("franchises", 1006),
        ("involved_companies", 43563),
        ("involved_companies", 43564),
        ("release_dates", 64163),
        ("release_dates", 64164),
        ("screenshots", 30198),
        ("dlcs", 41825),
        ("expansions", 41829),
        ("cover", 54903),
        ("time_to_beat", 33),
    }
    assert game.time_to_beat is None


@pytest.mark.parametrize(
    ("item", "expected"),
    [
        ({"hastily": 3600, "normally": 7200, "completely": 10800}, TimeToBeat(3600, 7200, 10800)),
        ({"hastly": "3600"}, TimeToBeat(hastily=3600)),
        ({"id": 1, "game_id": 2}, None),
        (5, None),
    ],
)
def test_time_to_beat(item, expected) -> None:
    assert igdb.time_to_beat(item) == expected


@pytest.mark.parametrize(
    ("item", "expected"),
    [
        ({"id": 8, "name": "PlayStation 2", "abbreviation": "ps2"}, Platform(8, "PlayStation 2", "ps2")),
        ({"id": 96, "name": "PDP-10", "abbreviation": ""}, Platform(96, "PDP-10", None)),
        (6, Platform(6)),
        ({"name": "no id"}, None),
        (True, None),
    ],
)
def test_platform(item, expected) -> None:
    assert igdb.platform(item) == expected


@pytest.mark.parametrize(
    ("item", "expected"),
    [
        ({"id": 13, "name": "Simulator", "slug": "simulator"}, Genre("igdb", 13, "Simulator")),
        (5, Genre("igdb", 5, None)),
    ],
)
def test_genre(item, expected) -> None:
    assert igdb.genre(item) == expected


@pytest.mark.parametrize("item", [None, {}, {"name": "No id"}, [], "x", {"id": "abc"}])
def test_unusable_games_are_none(item) -> None:
    assert igdb.game_summary(item) is None
    assert igdb.game_details(item) is None


def test_missing_dates_and_images_are_none() -> None:
    result = igdb.game_summary({"id": 1, "name": "Unreleased", "first_release_date": None, "cover": {"id": 3}})
    assert result is not None
    assert (result.release_date, result.year, result.poster_path, result.vote_average) == (None, None, None, None)
